// SPDX-License-Identifier: MPL-2.0
// Value syntax of the rules language (spec 6): numbers, ranges, MAC and IP addresses, names.
// Numbers are strict in weft: the reference takes the longest numeric prefix ("100abc" is 100),
// weft refuses trailing characters (spec 6.1 DEFECT).
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NUM_SATURATE ((int64_t)1 << 40) // past every field's range; keeps arithmetic in range

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : 99;
}

// Optional sign, then one or more digits of the radix and nothing else; -1 if not so.
static int64_t strict_int(const char *s, int radix)
{
	int64_t v = 0;
	bool neg = false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return -1;
	for (; *s; s++) {
		int d = digit_value(*s);
		if (d >= radix)
			return -1;
		v = v * radix + d;
		if (v > NUM_SATURATE)
			v = NUM_SATURATE;
	}
	return neg ? -v : v;
}

int64_t weft_rulesc_num(const char *s)
{
	if (!*s)
		return -1;
	if (strlen(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return strict_int(s + 2, 16);
	return strict_int(s, 10);
}

bool weft_rulesc_range(const char *s, int64_t *start, int64_t *end)
{
	const char *dash = strchr(s, '-');
	char a[64];
	if (!dash || dash == s) {
		*start = *end = weft_rulesc_num(s);
		return true;
	}
	if (strchr(dash + 1, '-') || (size_t)(dash - s) >= sizeof a)
		return false;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = 0;
	*start = weft_rulesc_num(a);
	*end = weft_rulesc_num(dash + 1);
	return true;
}

bool weft_rulesc_mac(const char *s, char out[18])
{
	size_t n = 0, pair = 0;
	for (; *s && n < 17; s++) {
		char ch = (char)tolower((unsigned char)*s);
		if (digit_value(ch) > 15)
			continue;
		out[n++] = ch;
		if (++pair == 2 && n != 17)
			out[n++] = ':', pair = 0;
	}
	out[n] = 0;
	return n == 17;
}

static bool is_hex(char ch)
{
	return digit_value(ch) < 16;
}

// An IPv4 octet as the reference's pattern accepts it: 1-2 digits, or 1dd, 2[0-4]d, 25[0-5].
static bool octet(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	return n < 3 || p[0] == '1' ||
	       (p[0] == '2' && (p[1] < '5' || (p[1] == '5' && p[2] <= '5')));
}

static bool v4_at(const char *p, const char *end, int k)
{
	for (size_t n = 1; n <= 3 && p + n <= end; n++) {
		if (!octet(p, n))
			break;
		if (k == 3)
			return true;
		if (p + n < end && p[n] == '.' && v4_at(p + n + 1, end, k + 1))
			return true;
	}
	return false;
}

// Substring searches, as the reference's unanchored patterns (spec 6.5).
static bool has_v4(const char *a, const char *end)
{
	for (const char *p = a; p < end; p++)
		if (v4_at(p, end, 0))
			return true;
	return false;
}

static bool has_eight_groups(const char *a, const char *end)
{
	const char *piece[64];
	size_t np = 0;
	piece[np++] = a;
	for (const char *p = a; p < end && np < 64; p++)
		if (*p == ':')
			piece[np++] = p + 1;
	for (size_t i = 0; i + 8 <= np; i++) {
		bool ok = piece[i + 1] - 1 > piece[i] && is_hex(piece[i + 1][-2]);
		for (size_t k = i + 1; ok && k < i + 7; k++) {
			size_t n = (size_t)(piece[k + 1] - 1 - piece[k]);
			ok = n >= 1 && n <= 4;
			for (size_t j = 0; ok && j < n; j++)
				ok = is_hex(piece[k][j]);
		}
		if (ok && piece[i + 7] < end && is_hex(piece[i + 7][0]))
			return true;
	}
	return false;
}

static bool has_fe80_zone(const char *a, const char *end)
{
	for (const char *p = a; p + 5 <= end; p++) {
		const char *q = p + 5;
		if (memcmp(p, "fe80:", 5))
			continue;
		for (int g = 0;; g++) {
			if (q + 1 < end && *q == '%' && isalnum((unsigned char)q[1]))
				return true;
			if (g == 4 || q >= end || *q != ':')
				break;
			q++;
			for (int h = 0; h < 4 && q < end && is_hex(*q); h++)
				q++;
		}
	}
	return false;
}

int weft_rulesc_ip(const char *s, const char **why)
{
	const char *slash = strchr(s, '/');
	int fam;
	int64_t bits;
	if (!slash || slash == s) {
		*why = "Missing /bits netmask length designation in IP.";
		return 0;
	}
	if ((slash - s > 1 && strstr(s, "::") && strstr(s, "::") < slash) ||
	    has_eight_groups(s, slash) || has_fe80_zone(s, slash))
		fam = 6;
	else if (has_v4(s, slash))
		fam = 4;
	else {
		*why = "Invalid IP address (not valid IPv4 or IPv6).";
		return 0;
	}
	// weft: the reference passes any mask text through (spec 6.5 DEFECT).
	bits = weft_rulesc_num(slash + 1);
	if (bits < 0 || bits > (fam == 4 ? 32 : 128) || slash[1] == '+' || slash[1] == '-') {
		*why = "Invalid netmask length in IP.";
		return 0;
	}
	return fam;
}

double weft_rulesc_float(const char *s)
{
	const char *p = s;
	char tmp[128];
	size_t digits = 0, n;
	double v;
	if (*p == '+' || *p == '-')
		p++;
	if (!strncmp(p, "Infinity", 8))
		return *s == '-' ? -INFINITY : INFINITY;
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		if (*q == '+' || *q == '-')
			q++;
		if (isdigit((unsigned char)*q)) {
			for (p = q; isdigit((unsigned char)*p); p++)
				;
		}
	}
	n = (size_t)(p - s);
	if (n >= sizeof tmp)
		n = sizeof tmp - 1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	v = strtod(tmp, NULL);
	return isnan(v) ? 0 : v;
}

uint32_t weft_rulesc_default_value(const char *s)
{
	uint64_t v = 0;
	int radix = 10;
	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, radix = 16;
	for (; digit_value(*s) < radix; s++)
		v = (v * (uint64_t)radix + (uint64_t)digit_value(*s)) & 0xffffffffu;
	return (uint32_t)v;
}

bool weft_rulesc_is_name(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++) // bytes >= 0x80: accepted as letters (spec 4.1)
		if (*s != '_' && !isalnum((unsigned char)*s) && !((unsigned char)*s & 0x80))
			return false;
	return true;
}

static const char *const reserved[] = {
    "macro",     "tag",     "cap",      "default",   "drop",   "accept", "tee",        "watch",
    "redirect",  "break",   "priority", "ztsrc",     "ztdest", "vlan",   "vlanpcp",    "vlandei",
    "ethertype", "macsrc",  "macdest",  "ipsrc",     "ipdest", "iptos",  "ipprotocol", "icmp",
    "sport",     "dport",   "chr",      "framesize", "random", "tand",   "tor",        "txor",
    "tdiff",     "teq",     "tseq",     "treq",      "type",   "enum",   "class",      "define",
    "import",    "include", "log",      "not",       "xor",    "or",     "and",        "set",
    "var",       "let"};

bool weft_rulesc_is_reserved(const char *s)
{
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (!strcmp(s, reserved[i]))
			return true;
	return false;
}

char *weft_rulesc_lower_dup(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (!d)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		d[i] = (char)tolower((unsigned char)s[i]);
	return d;
}
