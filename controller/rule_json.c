// SPDX-License-Identifier: MPL-2.0
// The controller's JSON form of one rule (vl2.md §6.11) to and from struct weft_rule. One table
// names each type and the layout ("form") of its JSON fields; reading and rendering switch on
// the form. Values are masked to their wire width on the way in, so rendering the binary
// struct gives exactly what the reference stores after its own JSON -> binary -> JSON pass.
#include "rule_json.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "record.h"

enum form {
	F_NONE,     // DROP, ACCEPT, BREAK
	F_FWD,      // TEE, WATCH: address, flags, length
	F_REDIRECT, // address, flags
	F_ZT,       // zt
	F_U8,       // one 8-bit number named in the table
	F_U16,      // one 16-bit number named in the table
	F_MAC,
	F_IPV4,
	F_IPV6,
	F_TOS,
	F_ICMP,
	F_RANGE, // ports, frame size: start, end (= start)
	F_CHAR,
	F_RANDOM,
	F_TAG,
	F_INTRANGE, // rendered only: the 1.14 controller refuses to read it
};

struct rule_form {
	const char *name;
	uint8_t type;
	uint8_t form;
	const char *field; // F_U8, F_U16
};

static const struct rule_form forms[] = {
    {"ACTION_DROP", WEFT_RULE_ACTION_DROP, F_NONE, NULL},
    {"ACTION_ACCEPT", WEFT_RULE_ACTION_ACCEPT, F_NONE, NULL},
    {"ACTION_TEE", WEFT_RULE_ACTION_TEE, F_FWD, NULL},
    {"ACTION_WATCH", WEFT_RULE_ACTION_WATCH, F_FWD, NULL},
    {"ACTION_REDIRECT", WEFT_RULE_ACTION_REDIRECT, F_REDIRECT, NULL},
    {"ACTION_BREAK", WEFT_RULE_ACTION_BREAK, F_NONE, NULL},
    {"MATCH_SOURCE_ZEROTIER_ADDRESS", WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS, F_ZT, NULL},
    {"MATCH_DEST_ZEROTIER_ADDRESS", WEFT_RULE_MATCH_DEST_ZEROTIER_ADDRESS, F_ZT, NULL},
    {"MATCH_VLAN_ID", WEFT_RULE_MATCH_VLAN_ID, F_U16, "vlanId"},
    {"MATCH_VLAN_PCP", WEFT_RULE_MATCH_VLAN_PCP, F_U8, "vlanPcp"},
    {"MATCH_VLAN_DEI", WEFT_RULE_MATCH_VLAN_DEI, F_U8, "vlanDei"},
    {"MATCH_MAC_SOURCE", WEFT_RULE_MATCH_MAC_SOURCE, F_MAC, NULL},
    {"MATCH_MAC_DEST", WEFT_RULE_MATCH_MAC_DEST, F_MAC, NULL},
    {"MATCH_IPV4_SOURCE", WEFT_RULE_MATCH_IPV4_SOURCE, F_IPV4, NULL},
    {"MATCH_IPV4_DEST", WEFT_RULE_MATCH_IPV4_DEST, F_IPV4, NULL},
    {"MATCH_IPV6_SOURCE", WEFT_RULE_MATCH_IPV6_SOURCE, F_IPV6, NULL},
    {"MATCH_IPV6_DEST", WEFT_RULE_MATCH_IPV6_DEST, F_IPV6, NULL},
    {"MATCH_IP_TOS", WEFT_RULE_MATCH_IP_TOS, F_TOS, NULL},
    {"MATCH_IP_PROTOCOL", WEFT_RULE_MATCH_IP_PROTOCOL, F_U8, "ipProtocol"},
    {"MATCH_ETHERTYPE", WEFT_RULE_MATCH_ETHERTYPE, F_U16, "etherType"},
    {"MATCH_ICMP", WEFT_RULE_MATCH_ICMP, F_ICMP, NULL},
    {"MATCH_IP_SOURCE_PORT_RANGE", WEFT_RULE_MATCH_IP_SOURCE_PORT_RANGE, F_RANGE, NULL},
    {"MATCH_IP_DEST_PORT_RANGE", WEFT_RULE_MATCH_IP_DEST_PORT_RANGE, F_RANGE, NULL},
    {"MATCH_CHARACTERISTICS", WEFT_RULE_MATCH_CHARACTERISTICS, F_CHAR, NULL},
    {"MATCH_FRAME_SIZE_RANGE", WEFT_RULE_MATCH_FRAME_SIZE_RANGE, F_RANGE, NULL},
    {"MATCH_RANDOM", WEFT_RULE_MATCH_RANDOM, F_RANDOM, NULL},
    {"MATCH_TAGS_DIFFERENCE", WEFT_RULE_MATCH_TAGS_DIFFERENCE, F_TAG, NULL},
    {"MATCH_TAGS_BITWISE_AND", WEFT_RULE_MATCH_TAGS_BITWISE_AND, F_TAG, NULL},
    {"MATCH_TAGS_BITWISE_OR", WEFT_RULE_MATCH_TAGS_BITWISE_OR, F_TAG, NULL},
    {"MATCH_TAGS_BITWISE_XOR", WEFT_RULE_MATCH_TAGS_BITWISE_XOR, F_TAG, NULL},
    {"MATCH_TAGS_EQUAL", WEFT_RULE_MATCH_TAGS_EQUAL, F_TAG, NULL},
    {"MATCH_TAG_SENDER", WEFT_RULE_MATCH_TAG_SENDER, F_TAG, NULL},
    {"MATCH_TAG_RECEIVER", WEFT_RULE_MATCH_TAG_RECEIVER, F_TAG, NULL},
    {"INTEGER_RANGE", WEFT_RULE_MATCH_INTEGER_RANGE, F_INTRANGE, NULL},
};

#define N_FORMS   (sizeof forms / sizeof forms[0])
#define ADDR_MASK 0xffffffffffULL
#define MAC_MASK  0xffffffffffffULL

static const struct rule_form *form_by_name(const char *name)
{
	for (size_t i = 0; name && i < N_FORMS; i++)
		if (!strcmp(forms[i].name, name))
			return &forms[i];
	return NULL;
}

static const struct rule_form *form_by_type(unsigned type)
{
	for (size_t i = 0; i < N_FORMS; i++)
		if (forms[i].type == type)
			return &forms[i];
	return NULL;
}

// ---- reading ----

// A field's value; NULL when absent or null, where the reference takes the default.
static const json_t *field(const json_t *js, const char *key)
{
	const json_t *v = json_object_get(js, key);
	return json_is_null(v) ? NULL : v;
}

static bool refuse(char *why, size_t cap, const char *key, const json_t *v, const char *what)
{
	char *txt = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	snprintf(why, cap, "%s: %s %s", key, txt ? txt : "value", what);
	free(txt);
	return false;
}

static bool get_int(const json_t *js, const char *key, uint64_t dflt, uint64_t mask, uint64_t *out,
                    char *why, size_t cap)
{
	const json_t *v = field(js, key);
	json_int_t i = (json_int_t)dflt;
	if (v && !weft_ctl_to_int(v, &i))
		return refuse(why, cap, key, v, "is not a number");
	*out = (uint64_t)i & mask;
	return true;
}

static bool get_bool(const json_t *js, const char *key, bool *out, char *why, size_t cap)
{
	const json_t *v = field(js, key);
	*out = false;
	if (v && !weft_ctl_to_bool(v, out))
		return refuse(why, cap, key, v, "is not a boolean");
	return true;
}

// A hex string (ZeroTier address, MAC with ':' or '-' removed, characteristics); absent is 0.
static bool get_hex(const json_t *js, const char *key, uint64_t mask, uint64_t *out, char *why,
                    size_t cap)
{
	const json_t *v = field(js, key);
	const char *s = json_string_value(v);
	char digits[24];
	size_t n = 0;
	*out = 0;
	if (!v)
		return true;
	for (; s && *s && n < sizeof digits - 1; s++)
		if (*s != ':' && *s != '-')
			digits[n++] = *s;
	if (!s || *s || !weft_hex_u64(out, digits, n))
		return refuse(why, cap, key, v, "is not a hex number");
	*out &= mask;
	return true;
}

// "addr/bits" of the given family; no "/bits" is prefix 0, and longer prefixes are clamped.
static bool get_ip(const json_t *js, int af, uint8_t *ip, uint8_t *bits, char *why, size_t cap)
{
	const json_t *v = field(js, "ip");
	const char *s = json_string_value(v), *slash = s ? strchr(s, '/') : NULL;
	unsigned max = af == AF_INET ? 32 : 128;
	char addr[INET6_ADDRSTRLEN];
	size_t n = s ? (slash ? (size_t)(slash - s) : strlen(s)) : 0;
	*bits = 0;
	if (!v)
		return true;
	if (!s || n >= sizeof addr)
		return refuse(why, cap, "ip", v, "is not an address");
	memcpy(addr, s, n);
	addr[n] = 0;
	if (inet_pton(af, addr, ip) != 1)
		return refuse(why, cap, "ip", v, "is not an address of this family");
	if (slash) {
		const char *b = slash + 1;
		size_t d = strspn(b, "0123456789");
		if (!d || b[d])
			return refuse(why, cap, "ip", v, "has a bad prefix length");
		unsigned long p = d > 3 ? max : strtoul(b, NULL, 10);
		*bits = (uint8_t)(p > max ? max : p);
	}
	return true;
}

static bool read_fwd(const json_t *js, struct weft_rule *rule, bool length, char *why, size_t cap)
{
	uint64_t flags, len = 0;
	if (!get_hex(js, "address", ADDR_MASK, &rule->v.fwd.address, why, cap) ||
	    !get_int(js, "flags", 0, 0xffffffffULL, &flags, why, cap) ||
	    (length && !get_int(js, "length", 0, 0xffff, &len, why, cap)))
		return false;
	rule->v.fwd.flags = (uint32_t)flags;
	rule->v.fwd.length = (uint16_t)len;
	return true;
}

static bool read_small(const json_t *js, struct weft_rule *rule, const struct rule_form *f,
                       char *why, size_t cap)
{
	uint64_t x;
	if (!get_int(js, f->field, 0, f->form == F_U8 ? 0xff : 0xffff, &x, why, cap))
		return false;
	switch (f->type) {
	case WEFT_RULE_MATCH_VLAN_ID: rule->v.vlan_id = (uint16_t)x; break;
	case WEFT_RULE_MATCH_VLAN_PCP: rule->v.vlan_pcp = (uint8_t)x; break;
	case WEFT_RULE_MATCH_VLAN_DEI: rule->v.vlan_dei = (uint8_t)x; break;
	case WEFT_RULE_MATCH_IP_PROTOCOL: rule->v.ip_protocol = (uint8_t)x; break;
	default: rule->v.ethertype = (uint16_t)x; break;
	}
	return true;
}

static bool read_addr(const json_t *js, struct weft_rule *rule, unsigned form, char *why,
                      size_t cap)
{
	uint64_t x;
	switch (form) {
	case F_ZT: return get_hex(js, "zt", ADDR_MASK, &rule->v.zt, why, cap);
	case F_MAC:
		if (!get_hex(js, "mac", MAC_MASK, &x, why, cap))
			return false;
		for (int i = 0; i < 6; i++)
			rule->v.mac[i] = (uint8_t)(x >> (40 - 8 * i));
		return true;
	case F_IPV4:
		return get_ip(js, AF_INET, rule->v.ipv4.ip, &rule->v.ipv4.prefix_bits, why, cap);
	default: return get_ip(js, AF_INET6, rule->v.ipv6.ip, &rule->v.ipv6.prefix_bits, why, cap);
	}
}

static bool read_numbers(const json_t *js, struct weft_rule *rule, unsigned form, char *why,
                         size_t cap)
{
	uint64_t a = 0, b = 0, c = 0;
	const json_t *code = field(js, "icmpCode");
	switch (form) {
	case F_TOS:
		if (!get_int(js, "mask", 0, 0xff, &a, why, cap) ||
		    !get_int(js, "start", 0, 0xff, &b, why, cap) ||
		    !get_int(js, "end", 0, 0xff, &c, why, cap))
			return false;
		rule->v.ip_tos.mask = (uint8_t)a;
		rule->v.ip_tos.start = (uint8_t)b;
		rule->v.ip_tos.end = (uint8_t)c;
		return true;
	case F_ICMP:
		if (!get_int(js, "icmpType", 0, 0xff, &a, why, cap) ||
		    (code && !get_int(js, "icmpCode", 0, 0xff, &b, why, cap)))
			return false;
		rule->v.icmp.type = (uint8_t)a;
		rule->v.icmp.code = (uint8_t)b;
		rule->v.icmp.flags = code ? WEFT_RULE_ICMP_CHECK_CODE : 0;
		return true;
	case F_RANGE:
		if (!get_int(js, "start", 0, 0xffff, &a, why, cap) ||
		    !get_int(js, "end", a, 0xffff, &b, why, cap))
			return false;
		rule->v.range.start = (uint16_t)a;
		rule->v.range.end = (uint16_t)b;
		return true;
	case F_RANDOM:
		if (!get_int(js, "probability", 0, 0xffffffffULL, &a, why, cap))
			return false;
		rule->v.probability = (uint32_t)a;
		return true;
	default: // F_TAG
		if (!get_int(js, "id", 0, 0xffffffffULL, &a, why, cap) ||
		    !get_int(js, "value", 0, 0xffffffffULL, &b, why, cap))
			return false;
		rule->v.tag.id = (uint32_t)a;
		rule->v.tag.value = (uint32_t)b;
		return true;
	}
}

// CHARACTERISTICS mask: a JSON number, or a string read as hex.
static bool read_characteristics(const json_t *js, struct weft_rule *rule, char *why, size_t cap)
{
	if (json_is_string(field(js, "mask")))
		return get_hex(js, "mask", UINT64_MAX, &rule->v.characteristics, why, cap);
	return get_int(js, "mask", 0, UINT64_MAX, &rule->v.characteristics, why, cap);
}

static bool read_fields(const json_t *js, struct weft_rule *rule, const struct rule_form *f,
                        char *why, size_t cap)
{
	switch (f->form) {
	case F_NONE: return true;
	case F_FWD: return read_fwd(js, rule, true, why, cap);
	case F_REDIRECT: return read_fwd(js, rule, false, why, cap);
	case F_U8:
	case F_U16: return read_small(js, rule, f, why, cap);
	case F_ZT:
	case F_MAC:
	case F_IPV4:
	case F_IPV6: return read_addr(js, rule, f->form, why, cap);
	case F_CHAR: return read_characteristics(js, rule, why, cap);
	default: return read_numbers(js, rule, f->form, why, cap);
	}
}

enum weft_result weft_rule_from_json(const json_t *js, struct weft_rule *rule, char *why,
                                     size_t cap)
{
	const json_t *t = json_object_get(js, "type");
	const struct rule_form *f = form_by_name(json_string_value(t));
	bool not_ = false, or_ = false;
	if (!json_is_object(js)) {
		refuse(why, cap, "rule", js, "is not an object");
		return WEFT_ERR_UNSUPPORTED;
	}
	if (!f || f->form == F_INTRANGE) {
		refuse(why, cap, "type", t ? t : json_null(),
		       "is not a rule type the controller reads");
		return WEFT_ERR_UNSUPPORTED;
	}
	bool action = f->type <= WEFT_RULE_ACTION_LAST;
	if (!action &&
	    (!get_bool(js, "not", &not_, why, cap) || !get_bool(js, "or", &or_, why, cap)))
		return WEFT_ERR_INVALID;
	weft_rule_init(rule, f->type, not_, or_);
	return read_fields(js, rule, f, why, cap) ? WEFT_OK : WEFT_ERR_INVALID;
}

// ---- rendering ----

static json_t *hex_str(uint64_t x, int digits)
{
	char s[20];
	snprintf(s, sizeof s, "%0*llx", digits, (unsigned long long)x);
	return json_string(s);
}

static json_t *ip_str(int af, const uint8_t *ip, uint8_t bits)
{
	char s[INET6_ADDRSTRLEN + 8];
	if (!inet_ntop(af, ip, s, INET6_ADDRSTRLEN))
		return json_null();
	snprintf(s + strlen(s), 8, "/%u", bits);
	return json_string(s);
}

static json_t *mac_str(const uint8_t *m)
{
	char s[18];
	snprintf(s, sizeof s, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return json_string(s);
}

static void put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
}

static void put_int(json_t *o, const char *key, uint64_t x)
{
	put(o, key, json_integer((json_int_t)x));
}

static uint64_t small_of(const struct weft_rule *rule)
{
	switch (weft_rule_type(rule)) {
	case WEFT_RULE_MATCH_VLAN_ID: return rule->v.vlan_id;
	case WEFT_RULE_MATCH_VLAN_PCP: return rule->v.vlan_pcp;
	case WEFT_RULE_MATCH_VLAN_DEI: return rule->v.vlan_dei;
	case WEFT_RULE_MATCH_IP_PROTOCOL: return rule->v.ip_protocol;
	default: return rule->v.ethertype;
	}
}

// INTEGER_RANGE: 1.14 holds end as start + a 32-bit offset, so that is what it renders.
static void render_intrange(json_t *o, const struct weft_rule *rule)
{
	uint64_t start = rule->v.int_range.start;
	uint64_t end = start + (uint32_t)(rule->v.int_range.end - start);
	put(o, "start", hex_str(start, 16));
	put(o, "end", hex_str(end, 16));
	put_int(o, "idx", rule->v.int_range.idx);
	put(o, "little", json_boolean(rule->v.int_range.format & WEFT_RULE_INT_LITTLE_ENDIAN));
	put_int(o, "bits", (rule->v.int_range.format & WEFT_RULE_INT_BITS_MASK) + 1u);
}

static void render_numbers(json_t *o, const struct weft_rule *rule, unsigned form)
{
	switch (form) {
	case F_TOS:
		put_int(o, "mask", rule->v.ip_tos.mask);
		put_int(o, "start", rule->v.ip_tos.start);
		put_int(o, "end", rule->v.ip_tos.end);
		break;
	case F_ICMP:
		put_int(o, "icmpType", rule->v.icmp.type);
		put(o, "icmpCode",
		    (rule->v.icmp.flags & WEFT_RULE_ICMP_CHECK_CODE)
		        ? json_integer(rule->v.icmp.code)
		        : json_null());
		break;
	case F_RANGE:
		put_int(o, "start", rule->v.range.start);
		put_int(o, "end", rule->v.range.end);
		break;
	case F_CHAR: put(o, "mask", hex_str(rule->v.characteristics, 16)); break;
	case F_RANDOM: put_int(o, "probability", rule->v.probability); break;
	case F_TAG:
		put_int(o, "id", rule->v.tag.id);
		put_int(o, "value", rule->v.tag.value);
		break;
	default: render_intrange(o, rule); break;
	}
}

static void render_fields(json_t *o, const struct weft_rule *rule, const struct rule_form *f)
{
	switch (f->form) {
	case F_NONE: break;
	case F_FWD:
	case F_REDIRECT:
		put(o, "address", hex_str(rule->v.fwd.address & ADDR_MASK, 10));
		put_int(o, "flags", rule->v.fwd.flags);
		if (f->form == F_FWD)
			put_int(o, "length", rule->v.fwd.length);
		break;
	case F_ZT: put(o, "zt", hex_str(rule->v.zt & ADDR_MASK, 10)); break;
	case F_U8:
	case F_U16: put_int(o, f->field, small_of(rule)); break;
	case F_MAC: put(o, "mac", mac_str(rule->v.mac)); break;
	case F_IPV4:
		put(o, "ip", ip_str(AF_INET, rule->v.ipv4.ip, rule->v.ipv4.prefix_bits));
		break;
	case F_IPV6:
		put(o, "ip", ip_str(AF_INET6, rule->v.ipv6.ip, rule->v.ipv6.prefix_bits));
		break;
	default: render_numbers(o, rule, f->form); break;
	}
}

json_t *weft_rule_to_json(const struct weft_rule *rule)
{
	const struct rule_form *f = form_by_type(weft_rule_type(rule));
	if (!f)
		return NULL;
	json_t *o = json_pack("{s:s}", "type", f->name);
	if (f->type > WEFT_RULE_ACTION_LAST) {
		put(o, "not", json_boolean(rule->t & WEFT_RULE_NOT));
		put(o, "or", json_boolean(rule->t & WEFT_RULE_OR));
	}
	render_fields(o, rule, f);
	return o;
}
