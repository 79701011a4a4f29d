// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for /proc/net/dev_mcast parsing (service.md §5.5, os/tap.h). Input: a
// selector byte (interface name, or 7 = the name is the next 1..15 input bytes), a cap byte,
// then the file text (parsed from an exact-size copy). The result must match a naive
// re-implementation, respect cap, stay within 48 bits, and a line written from each MAC parses
// back to it.
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MACS_MAX 300
#define MAC_MASK 0xffffffffffffULL

static const char *const names[] = {"zt0", "eth0", "", "ztdb3g4ny6", "abcdefghijklmno", "lo", "z"};

// The naive reference: split into lines, fields on runs of spaces and tabs, keep line i's
// 5th field if its 2nd is ifname and the 5th is exactly 12 hex digits.
static size_t reference(const char *text, size_t len, const char *ifname, uint64_t *macs,
                        size_t cap)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= len && n < cap; i++) {
		if (i < len && text[i] != '\n')
			continue;
		size_t f = 0, fs[5] = {0}, fl[5] = {0};
		for (size_t j = start; j < i && f < 5;) {
			if (text[j] == ' ' || text[j] == '\t') {
				j++;
				continue;
			}
			fs[f] = j;
			while (j < i && text[j] != ' ' && text[j] != '\t')
				j++;
			fl[f] = j - fs[f];
			f++;
		}
		start = i + 1;
		if (f < 5 || fl[1] != strlen(ifname) || strncmp(text + fs[1], ifname, fl[1]) ||
		    fl[4] != 12)
			continue;
		uint64_t m = 0;
		bool ok = true;
		for (size_t k = 0; k < 12; k++) {
			char ch = text[fs[4] + k];
			if (!isxdigit((unsigned char)ch)) {
				ok = false;
				break;
			}
			m = m << 4 | (uint64_t)(isdigit((unsigned char)ch)
			                            ? ch - '0'
			                            : tolower((unsigned char)ch) - 'a' + 10);
		}
		if (ok)
			macs[n++] = m;
	}
	return n;
}

static bool name_writable(const char *ifname)
{
	return *ifname && !strpbrk(ifname, " \t\n");
}

// One line in the kernel's format (and an upper-case variant) for mac parses back to it.
static void check_line(const char *ifname, uint64_t mac, bool upper)
{
	char line[96];
	uint64_t back[2] = {0, 0};
	int len = snprintf(line, sizeof line,
	                   upper ? "%d\t%s %d   %d %012" PRIX64 "\n"
	                         : "%d %-15s %d     %d     %012" PRIx64 "\n",
	                   7, ifname, 1, 0, mac);
	CHECK(len > 0 && (size_t)len < sizeof line);
	CHECK(weft_tap_parse_dev_mcast(line, (size_t)len, ifname, back, 2) == 1);
	CHECK(back[0] == mac);
	CHECK(weft_tap_parse_dev_mcast(line, (size_t)len, ifname, back, 0) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t macs[MACS_MAX], again[MACS_MAX], ref[MACS_MAX];
	char ifname[WEFT_TAP_NAME_MAX] = "";
	if (size < 2)
		return 0;
	unsigned sel = data[0] & 7;
	size_t cap = data[1] < 250 ? data[1] % 40 : MACS_MAX - 1; // small caps, and a large one
	data += 2;
	size -= 2;
	if (sel == 7) {
		size_t nl = size ? (data[0] & 15) : 0;
		if (nl + 1 > size)
			return 0;
		memcpy(ifname, data + 1, nl);
		ifname[nl] = 0; // a NUL inside shortens it
		data += 1 + nl;
		size -= 1 + nl;
	} else {
		strcpy(ifname, names[sel]);
	}

	char *text = malloc(size ? size : 1);
	CHECK(text != NULL);
	if (size)
		memcpy(text, data, size);
	memset(macs, 0xa5, sizeof macs);
	size_t n = weft_tap_parse_dev_mcast(text, size, ifname, macs, cap);
	CHECK(n <= cap);
	// Nothing written past the count: a refused line leaves its slot alone.
	for (size_t i = n; i < MACS_MAX; i++)
		CHECK(macs[i] == 0xa5a5a5a5a5a5a5a5ULL);
	for (size_t i = 0; i < n; i++)
		CHECK(macs[i] <= MAC_MASK);

	size_t m = weft_tap_parse_dev_mcast(text, size, ifname, again, cap);
	CHECK(m == n && (n == 0 || memcmp(macs, again, n * sizeof *macs) == 0));
	size_t r = reference(text, size, ifname, ref, cap);
	CHECK(r == n && (n == 0 || memcmp(macs, ref, n * sizeof *macs) == 0));
	CHECK(weft_tap_parse_dev_mcast(text, size, ifname, again, 0) == 0);

	if (name_writable(ifname)) {
		for (size_t i = 0; i < n && i < 4; i++)
			check_line(ifname, macs[i], i & 1);
		if (n == 0)
			check_line(ifname,
			           size >= 6 ? ((uint64_t)data[0] << 40 | (uint64_t)data[5]) : 0,
			           size & 1);
	}
	free(text);
	return 0;
}
