// SPDX-License-Identifier: MPL-2.0
// Pass 3 of the rules compiler (spec 5): renders actions, includes and match lists into the
// controller's JSON rule objects, matches first, then the action. Fields are added in the
// reference's key order (spec 7); jansson keeps insertion order.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct match_kw {
	const char *name;
	int nargs;
	const char *type;
	const char *field; // the single numeric field, where there is one
};

static const struct match_kw match_kws[] = {
    {"ztsrc", 1, "MATCH_SOURCE_ZEROTIER_ADDRESS", NULL},
    {"ztdest", 1, "MATCH_DEST_ZEROTIER_ADDRESS", NULL},
    {"vlan", 1, "MATCH_VLAN_ID", "vlanId"},
    {"vlanpcp", 1, "MATCH_VLAN_PCP", "vlanPcp"},
    {"vlandei", 1, "MATCH_VLAN_DEI", "vlanDei"},
    {"ethertype", 1, "MATCH_ETHERTYPE", "etherType"},
    {"macsrc", 1, "MATCH_MAC_SOURCE", NULL},
    {"macdest", 1, "MATCH_MAC_DEST", NULL},
    {"ipsrc", 1, NULL, NULL},
    {"ipdest", 1, NULL, NULL},
    {"iptos", 2, "MATCH_IP_TOS", NULL},
    {"ipprotocol", 1, "MATCH_IP_PROTOCOL", "ipProtocol"},
    {"icmp", 2, "MATCH_ICMP", NULL},
    {"sport", 1, "MATCH_IP_SOURCE_PORT_RANGE", NULL},
    {"dport", 1, "MATCH_IP_DEST_PORT_RANGE", NULL},
    {"chr", 1, "MATCH_CHARACTERISTICS", NULL},
    {"framesize", 1, "MATCH_FRAME_SIZE_RANGE", NULL},
    {"random", 1, "MATCH_RANDOM", NULL},
    {"tand", 2, "MATCH_TAGS_BITWISE_AND", NULL},
    {"tor", 2, "MATCH_TAGS_BITWISE_OR", NULL},
    {"txor", 2, "MATCH_TAGS_BITWISE_XOR", NULL},
    {"tdiff", 2, "MATCH_TAGS_DIFFERENCE", NULL},
    {"teq", 2, "MATCH_TAGS_EQUAL", NULL},
    {"tseq", 2, "MATCH_TAG_SENDER", NULL},
    {"treq", 2, "MATCH_TAG_RECEIVER", NULL},
};

static const struct rc_named ethertypes[] = {
    {"ipv4", 0x0800},  {"arp", 0x0806},  {"wol", 0x0842},   {"rarp", 0x8035},  {"ipv6", 0x86dd},
    {"atalk", 0x809b}, {"aarp", 0x80f3}, {"ipx_a", 0x8137}, {"ipx_b", 0x8138},
};

// `icmp` is usable here in weft (spec 9.2 DEFECT: the reference refuses it as reserved).
static const struct rc_named ip_protocols[] = {
    {"icmp", 1},   {"icmp4", 1},   {"icmpv4", 1}, {"igmp", 2},   {"ipip", 4},      {"tcp", 6},
    {"egp", 8},    {"igp", 9},     {"udp", 17},   {"rdp", 27},   {"esp", 50},      {"ah", 51},
    {"icmp6", 58}, {"icmpv6", 58}, {"l2tp", 115}, {"sctp", 132}, {"udplite", 136},
};

static const struct rc_named chr_bits[] = {
    {"inbound", 63}, {"multicast", 62}, {"broadcast", 61}, {"ipauth", 60}, {"macauth", 59},
    {"tcp_fin", 0},  {"tcp_syn", 1},    {"tcp_rst", 2},    {"tcp_psh", 3}, {"tcp_ack", 4},
    {"tcp_urg", 5},  {"tcp_ece", 6},    {"tcp_cwr", 7},    {"tcp_ns", 8},  {"tcp_rs2", 9},
    {"tcp_rs1", 10}, {"tcp_rs0", 11},
};

#define LOOKUP(table, s, out) lookup(table, sizeof table / sizeof table[0], s, out)

static bool lookup(const struct rc_named *t, size_t n, const char *s, int64_t *out)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, s)) {
			*out = t[i].value;
			return true;
		}
	return false;
}

// Widest value each single-number match accepts (weft: the field's width, spec 6.1 DEFECT).
static int64_t field_max(const char *kw)
{
	if (!strcmp(kw, "vlan"))
		return 4095;
	if (!strcmp(kw, "vlanpcp"))
		return 7;
	if (!strcmp(kw, "vlandei"))
		return 1;
	if (!strcmp(kw, "ethertype"))
		return 0xffff;
	return 0xff; // ipprotocol
}

struct arg {
	const char *text;
	int line, col;
};

static bool fail_arg(struct rc_ctx *c, const struct arg *a, const char *msg)
{
	weft_rulesc_fail(c, a->line, a->col, a->text, msg);
	return false;
}

static json_t *match_obj(const char *type, bool not, bool or)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "not", json_boolean(not ));
	json_object_set_new(o, "or", json_boolean(or));
	return o;
}

static const struct rc_tag *find_tag(const struct rc_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->ntags; i++)
		if (!strcmp(c->tags[i].name, name))
			return &c->tags[i];
	return NULL;
}

static bool named(const struct rc_named *v, size_t n, const char *s, int64_t *out)
{
	return lookup(v, n, s, out);
}

static bool tag_match(struct rc_ctx *c, const struct arg *a, json_t *o)
{
	const struct rc_tag *t = find_tag(c, a[0].text);
	int64_t id, value;
	if (t) {
		id = t->id;
		if (!named(t->flags, t->nflags, a[1].text, &value) &&
		    !named(t->enums, t->nenums, a[1].text, &value))
			value = weft_rulesc_num(a[1].text);
	} else {
		id = weft_rulesc_num(a[0].text);
		value = weft_rulesc_num(a[1].text);
	}
	if (id < 0 || id > 0xffffffff)
		return fail_arg(c, &a[0], "Undefined tag name and invalid tag value.");
	if (value < 0 || value > 0xffffffff)
		return fail_arg(c, &a[1], "Invalid tag value or unrecognized flag/enum name.");
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "value", json_integer(value));
	return true;
}

static bool chr_match(struct rc_ctx *c, const struct arg *a, json_t *o)
{
	uint64_t mask = 0;
	char piece[64], hex[17];
	const char *p = a->text;
	while (*p) {
		size_t n = strcspn(p, ",");
		int64_t bit;
		if (n) {
			if (n >= sizeof piece)
				return fail_arg(
				    c, a, "Invalid bit index (range 0-63) or unrecognized name.");
			memcpy(piece, p, n);
			piece[n] = 0;
			if (!LOOKUP(chr_bits, piece, &bit))
				bit = weft_rulesc_num(piece);
			if (bit < 0 || bit > 63)
				return fail_arg(
				    c, a, "Invalid bit index (range 0-63) or unrecognized name.");
			mask |= (uint64_t)1 << bit; // weft: plain OR (spec 6.6 DEFECT)
		}
		p += n;
		if (*p)
			p++;
	}
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)mask);
	json_object_set_new(o, "mask", json_string(hex));
	return true;
}

static bool range_field(struct rc_ctx *c, const struct arg *a, int64_t max, const char *msg,
                        int64_t *s, int64_t *e)
{
	if (!weft_rulesc_range(a->text, s, e) || *s < 0 || *s > max || *e < 0 || *e > max ||
	    *e < *s)
		return fail_arg(c, a, msg);
	return true;
}

// Whether JS parseInt would find a non-negative number at the start of s (spec 6.1).
static bool prefix_number(const char *s)
{
	if (*s == '+')
		s++;
	return *s >= '0' && *s <= '9';
}

// Fields of one match keyword from its arguments, added to o.
static bool match_fields(struct rc_ctx *c, const char *kw, const struct arg *a, json_t *o)
{
	int64_t v, s, e;
	char buf[18];
	if (!strcmp(kw, "ztsrc") || !strcmp(kw, "ztdest")) {
		size_t n = 0;
		for (const char *p = a->text; *p; p++)
			if (strchr("0123456789abcdefABCDEF", *p) && n++ < 10)
				buf[n - 1] = (char)(*p | 0x20);
		buf[n < 10 ? n : 10] = 0;
		if (n != 10)
			return fail_arg(c, a, "Invalid ZeroTier address.");
		json_object_set_new(o, "zt", json_string(buf));
	} else if (!strcmp(kw, "macsrc") || !strcmp(kw, "macdest")) {
		if (!weft_rulesc_mac(a->text, buf))
			return fail_arg(c, a, "Invalid MAC address.");
		json_object_set_new(o, "mac", json_string(buf));
	} else if (!strcmp(kw, "iptos")) {
		v = weft_rulesc_num(a[0].text);
		if (v < 0 || v > 0xff)
			return fail_arg(c, &a[0], "Invalid mask.");
		if (!range_field(c, &a[1], 0xff, "Invalid value range.", &s, &e))
			return false;
		json_object_set_new(o, "mask", json_integer(v));
		json_object_set_new(o, "start", json_integer(s));
		json_object_set_new(o, "end", json_integer(e));
	} else if (!strcmp(kw, "icmp")) {
		v = weft_rulesc_num(a[0].text);
		if (v < 0 || v > 0xff)
			return fail_arg(c, &a[0], "Missing or invalid ICMP type.");
		e = weft_rulesc_num(a[1].text);
		// Like the reference, a negative or non-numeric code means "any code" (null); a
		// number with trailing characters is refused (spec 6.1 DEFECT).
		if (e > 0xff || (e < 0 && prefix_number(a[1].text)))
			return fail_arg(c, &a[1], "Invalid ICMP code (use -1 for none).");
		json_object_set_new(o, "icmpType", json_integer(v));
		json_object_set_new(o, "icmpCode", e < 0 ? json_null() : json_integer(e));
	} else if (!strcmp(kw, "sport") || !strcmp(kw, "dport") || !strcmp(kw, "framesize")) {
		if (!range_field(c, a, 0xffff, "Invalid numeric range.", &s, &e))
			return false;
		json_object_set_new(o, "start", json_integer(s));
		json_object_set_new(o, "end", json_integer(e));
	} else if (!strcmp(kw, "chr")) {
		return chr_match(c, a, o);
	} else if (!strcmp(kw, "random")) {
		double x = weft_rulesc_float(a->text);
		x = x < 0 ? 0 : x > 1 ? 1 : x;
		// x >= 0, so truncation is the reference's Math.floor.
		json_object_set_new(o, "probability", json_integer((json_int_t)(4294967295.0 * x)));
	} else if (kw[0] == 't') {
		return tag_match(c, a, o);
	}
	return true;
}

static bool one_match(struct rc_ctx *c, const struct match_kw *m, const struct arg *a, bool not,
                      bool or, json_t *out)
{
	const char *type = m->type;
	json_t *o;
	int64_t v;
	const char *why;
	if (!type) { // ipsrc/ipdest: the family decides the type
		int fam = weft_rulesc_ip(a->text, &why);
		if (!fam)
			return fail_arg(c, a, why);
		type = m->name[2] == 's' ? (fam == 4 ? "MATCH_IPV4_SOURCE" : "MATCH_IPV6_SOURCE")
		                         : (fam == 4 ? "MATCH_IPV4_DEST" : "MATCH_IPV6_DEST");
	}
	o = match_obj(type, not, or);
	if (!o)
		return fail_arg(c, a, "Out of memory.");
	if (m->field) {
		if (!(!strcmp(m->name, "ethertype") && LOOKUP(ethertypes, a->text, &v)) &&
		    !(!strcmp(m->name, "ipprotocol") && LOOKUP(ip_protocols, a->text, &v)))
			v = weft_rulesc_num(a->text);
		if (v < 0 || v > field_max(m->name)) {
			json_decref(o);
			return fail_arg(c, a, "Invalid numeric value.");
		}
		json_object_set_new(o, m->field, json_integer(v));
	} else if (!strncmp(type, "MATCH_IPV", 9)) {
		json_object_set_new(o, "ip", json_string(a->text));
	} else if (!match_fields(c, m->name, a, o)) {
		json_decref(o);
		return false;
	}
	c->nrules++;
	return !json_array_append_new(out, o);
}

// Resolves argument k of a match at v[k] (spec 5.2); prev is the element before it.
static bool get_arg(struct rc_ctx *c, const struct rc_elem *v, size_t n, size_t k,
                    const struct rc_params *p, const char *kw, struct arg *a)
{
	const struct rc_tok *t = k < n ? weft_rulesc_tok(c, &v[k]) : NULL;
	if (k >= n) {
		weft_rulesc_fail_at(c, &v[k - 1], "Missing argument(s) to match.");
		return false;
	}
	if (!t || (weft_rulesc_is_reserved(t->text) &&
	           !(!strcmp(kw, "ipprotocol") && !strcmp(t->text, "icmp")))) {
		weft_rulesc_fail_at(c, &v[k - 1],
		                    "Missing argument(s) to match (invalid argument or argument is "
		                    "reserved word).");
		return false;
	}
	*a = (struct arg){t->text, t->line, t->col};
	if (t->text[0] == '$') {
		size_t i;
		for (i = 0; p && i < p->n; i++)
			if (!strcmp(p->names[i], t->text))
				break;
		if (!p || i == p->n) {
			weft_rulesc_fail(c, t->line, t->col, t->text, "Undefined variable name.");
			return false;
		}
		a->text = p->vals[i];
	}
	return true;
}

static bool render_matches(struct rc_ctx *c, const struct rc_elem *v, size_t n,
                           const struct rc_params *p, json_t *out)
{
	bool not = false, or = false;
	for (size_t k = 0; k < n; k++) {
		const struct rc_tok *t = weft_rulesc_tok(c, &v[k]);
		const struct match_kw *m = NULL;
		struct arg a[2];
		char kw[16];
		if (!t)
			continue; // a stray nested block
		if (++c->steps > WEFT_RULESC_MAX_STEPS) {
			weft_rulesc_fail(c, t->line, t->col, NULL, "Rule set too large.");
			return false;
		}
		snprintf(kw, sizeof kw, "%s", t->text);
		for (char *q = kw; *q; q++)
			*q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
		if (strlen(t->text) >= sizeof kw)
			kw[0] = 0;
		if (!strcmp(kw, "and"))
			continue;
		if (!strcmp(kw, "not") || !strcmp(kw, "or")) {
			*(kw[0] == 'n' ? &not : & or) = true;
			continue;
		}
		for (size_t i = 0; i < sizeof match_kws / sizeof match_kws[0]; i++)
			if (!strcmp(kw, match_kws[i].name))
				m = &match_kws[i];
		if (!m) {
			char msg[96];
			snprintf(msg, sizeof msg, "Unrecognized match type \"%.60s\".", t->text);
			for (char *q = msg; *q; q++)
				*q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
			memcpy(msg, "Unrecognized match type", 23);
			weft_rulesc_fail(c, t->line, t->col, NULL, msg);
			return false;
		}
		for (int i = 0; i < m->nargs; i++)
			if (!get_arg(c, v, n, ++k, p, m->name, &a[i]))
				return false;
		if (c->nrules >= WEFT_RULESC_MAX_RULES) {
			weft_rulesc_fail(c, t->line, t->col, NULL, "Rule set too large.");
			return false;
		}
		if (!one_match(c, m, a, not, or, out))
			return false;
		not = or = false;
	}
	return true;
}

static bool action_obj(struct rc_ctx *c, const struct rc_tok *kw, const char *type,
                       const char *addr, int64_t len, json_t *out)
{
	json_t *o = json_object();
	if (c->nrules >= WEFT_RULESC_MAX_RULES) {
		json_decref(o);
		weft_rulesc_fail(c, kw->line, kw->col, NULL, "Rule set too large.");
		return false;
	}
	json_object_set_new(o, "type", json_string(type));
	if (addr) {
		char lower[11];
		for (int i = 0; i < 11; i++)
			lower[i] =
			    (char)(addr[i] >= 'A' && addr[i] <= 'F' ? addr[i] + 32 : addr[i]);
		json_object_set_new(o, "address", json_string(lower));
	}
	if (len != INT64_MIN)
		json_object_set_new(o, "length", json_integer(len));
	c->nrules++;
	return !json_array_append_new(out, o);
}

static bool is_address(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");
	return n == 10 && !s[10];
}

// tee/watch: v is the block after the keyword; kw the keyword token.
static bool render_fwd(struct rc_ctx *c, const struct rc_tok *kw, const char *type,
                       const struct rc_block *b, const struct rc_params *p, json_t *out)
{
	const struct rc_tok *len_t, *addr_t;
	bool redirect = !strcmp(type, "ACTION_REDIRECT");
	size_t need = redirect ? 1 : 2;
	int64_t len = INT64_MIN;
	if (b->n < need || !weft_rulesc_tok(c, &b->v[0]) ||
	    (!redirect && !weft_rulesc_tok(c, &b->v[1]))) {
		weft_rulesc_fail(c, kw->line, kw->col, kw->text,
		                 redirect ? "The redirect action requires a target parameter."
		                          : "The tee and watch actions require two paremters (max "
		                            "length or 0 for all, target).");
		return false;
	}
	len_t = redirect ? NULL : weft_rulesc_tok(c, &b->v[0]);
	addr_t = weft_rulesc_tok(c, &b->v[need - 1]);
	if (len_t) {
		len = weft_rulesc_num(len_t->text);
		if ((len < 0 && strcmp(len_t->text, "-1")) || len > 0xffff) {
			// Reference quirk kept: the length token's line, the address token's
			// column.
			weft_rulesc_fail(c, len_t->line, addr_t->col, len_t->text,
			                 "Tee/watch max packet length to forward invalid or out of "
			                 "range.");
			return false;
		}
	}
	if (!is_address(addr_t->text)) { // weft: 10 hex digits, not just 10 characters
		weft_rulesc_fail(c, addr_t->line, addr_t->col, addr_t->text,
		                 redirect
		                     ? "Missing or invalid ZeroTier address target for redirect."
		                     : "Missing or invalid ZeroTier address target for "
		                       "tee/watch.");
		return false;
	}
	if (!render_matches(c, b->v + need, b->n - need, p, out))
		return false;
	return action_obj(c, kw, type, addr_t->text, len, out);
}

// `include name(a,b)`: binds the macro's parameters and renders its body (spec 4.4).
static bool render_include(struct rc_ctx *c, const struct rc_tok *inc, const struct rc_elem *e,
                           json_t *out)
{
	const struct rc_tok *t = e ? weft_rulesc_tok(c, e) : NULL;
	const struct rc_macro *m = NULL;
	char *copy, *paren, *vals[64], *pv[64], *save = NULL;
	size_t nvals = 0;
	struct rc_params p;
	bool ok = false;
	if (!e) {
		weft_rulesc_fail(c, inc->line, inc->col, NULL,
		                 "Include directive is missing a macro name.");
		return false;
	}
	if (!t) {
		weft_rulesc_fail(c, 0, 0, NULL, "Include directive is followed by a block.");
		return false;
	}
	copy = strdup(t->text);
	if (!copy) {
		weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
		return false;
	}
	paren = strchr(copy, '(');
	if (paren && paren > copy) {
		*paren = 0;
		for (char *s = strtok_r(paren + 1, ",)", &save); s && nvals < 64;
		     s = strtok_r(NULL, ",)", &save))
			vals[nvals++] = s;
	}
	for (size_t i = 0; i < c->nmacros; i++)
		if (!strcmp(c->macros[i].name, copy))
			m = &c->macros[i];
	if (!m) {
		weft_rulesc_fail(c, t->line, t->col, t->text, "Macro name not found.");
		goto out;
	}
	for (size_t i = 0; i < m->nparams; i++) {
		if (m->pidx[i] >= nvals) {
			weft_rulesc_fail(c, t->line, t->col, t->text,
			                 "Missing one or more required macro parameter.");
			goto out;
		}
		pv[i] = vals[m->pidx[i]];
	}
	if (c->depth >= WEFT_RULESC_MAX_DEPTH) {
		weft_rulesc_fail(c, t->line, t->col, t->text,
		                 "Macros nested too deep (recursion?).");
		goto out;
	}
	p = (struct rc_params){m->params, pv, m->nparams};
	c->depth++;
	ok = weft_rulesc_render(c, m->body, m->nbody, &p, out);
	c->depth--;
out:
	free(copy);
	return ok;
}

bool weft_rulesc_render(struct rc_ctx *c, const struct rc_elem *v, size_t n,
                        const struct rc_params *p, json_t *out)
{
	static const struct {
		const char *kw, *type;
	} actions[] = {{"drop", "ACTION_DROP"},   {"accept", "ACTION_ACCEPT"},
	               {"break", "ACTION_BREAK"}, {"tee", "ACTION_TEE"},
	               {"watch", "ACTION_WATCH"}, {"redirect", "ACTION_REDIRECT"}};
	for (size_t k = 0; k < n; k++) {
		const struct rc_tok *t = weft_rulesc_tok(c, &v[k]);
		const struct rc_block *next = k + 1 < n ? v[k + 1].blk : NULL;
		const char *type = NULL;
		char *kw;
		bool ok;
		if (!t)
			continue; // a nested block no action claimed
		if (++c->steps > WEFT_RULESC_MAX_STEPS) {
			weft_rulesc_fail(c, t->line, t->col, NULL, "Rule set too large.");
			return false;
		}
		kw = weft_rulesc_lower_dup(t->text);
		if (!kw) {
			weft_rulesc_fail(c, 0, 0, NULL, "Out of memory.");
			return false;
		}
		for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
			if (!strcmp(kw, actions[i].kw))
				type = actions[i].type;
		if (!strcmp(kw, "include")) {
			ok = render_include(c, t, k + 1 < n ? &v[k + 1] : NULL, out);
			k++;
		} else if (type && (kw[0] == 't' || kw[0] == 'w' || kw[0] == 'r')) {
			if (!next) {
				render_fwd(c, t, type, &(struct rc_block){0}, p, out);
				ok = false;
			} else {
				ok = render_fwd(c, t, type, next, p, out);
				k++;
			}
		} else if (type) {
			ok = !next || render_matches(c, next->v, next->n, p, out);
			k += next != NULL;
			ok = ok && action_obj(c, t, type, NULL, INT64_MIN, out);
		} else {
			weft_rulesc_fail(c, t->line, t->col, t->text,
			                 "Unrecognized action or directive in rule set.");
			ok = false;
		}
		free(kw);
		if (!ok)
			return false;
	}
	return true;
}
