// SPDX-License-Identifier: MPL-2.0
// Binary encoding of rule entries and rule lists (vl2.md §6.1). Each known type has one fixed
// field length; a reader that sees another length for it refuses the entry rather than guess,
// since 1.14 writers only ever emit the fixed lengths. Unknown types travel as opaque bytes.
#include "weft/rules.h"

#include <string.h>

#include "buf.h"

// Field length + 1 by type, so that the zero of an unlisted entry marks a type without a
// defined layout.
#define L(n) ((uint8_t)((n) + 1))
static const uint8_t field_len1[64] = {
    [WEFT_RULE_ACTION_DROP] = L(0),
    [WEFT_RULE_ACTION_ACCEPT] = L(0),
    [WEFT_RULE_ACTION_TEE] = L(14),
    [WEFT_RULE_ACTION_WATCH] = L(14),
    [WEFT_RULE_ACTION_REDIRECT] = L(14),
    [WEFT_RULE_ACTION_BREAK] = L(0),
    [WEFT_RULE_ACTION_PRIORITY] = L(0),
    [WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS] = L(5),
    [WEFT_RULE_MATCH_DEST_ZEROTIER_ADDRESS] = L(5),
    [WEFT_RULE_MATCH_VLAN_ID] = L(2),
    [WEFT_RULE_MATCH_VLAN_PCP] = L(1),
    [WEFT_RULE_MATCH_VLAN_DEI] = L(1),
    [WEFT_RULE_MATCH_MAC_SOURCE] = L(6),
    [WEFT_RULE_MATCH_MAC_DEST] = L(6),
    [WEFT_RULE_MATCH_IPV4_SOURCE] = L(5),
    [WEFT_RULE_MATCH_IPV4_DEST] = L(5),
    [WEFT_RULE_MATCH_IPV6_SOURCE] = L(17),
    [WEFT_RULE_MATCH_IPV6_DEST] = L(17),
    [WEFT_RULE_MATCH_IP_TOS] = L(3),
    [WEFT_RULE_MATCH_IP_PROTOCOL] = L(1),
    [WEFT_RULE_MATCH_ETHERTYPE] = L(2),
    [WEFT_RULE_MATCH_ICMP] = L(3),
    [WEFT_RULE_MATCH_IP_SOURCE_PORT_RANGE] = L(4),
    [WEFT_RULE_MATCH_IP_DEST_PORT_RANGE] = L(4),
    [WEFT_RULE_MATCH_CHARACTERISTICS] = L(8),
    [WEFT_RULE_MATCH_FRAME_SIZE_RANGE] = L(4),
    [WEFT_RULE_MATCH_RANDOM] = L(4),
    [WEFT_RULE_MATCH_TAGS_DIFFERENCE] = L(8),
    [WEFT_RULE_MATCH_TAGS_BITWISE_AND] = L(8),
    [WEFT_RULE_MATCH_TAGS_BITWISE_OR] = L(8),
    [WEFT_RULE_MATCH_TAGS_BITWISE_XOR] = L(8),
    [WEFT_RULE_MATCH_TAGS_EQUAL] = L(8),
    [WEFT_RULE_MATCH_TAG_SENDER] = L(8),
    [WEFT_RULE_MATCH_TAG_RECEIVER] = L(8),
    [WEFT_RULE_MATCH_INTEGER_RANGE] = L(19),
};

bool weft_rule_type_is_known(unsigned type)
{
	return type < 64 && field_len1[type] != 0;
}

unsigned weft_rule_field_len(unsigned type)
{
	return weft_rule_type_is_known(type) ? field_len1[type] - 1u : 0;
}

void weft_rule_init(struct weft_rule *rule, unsigned type, bool not_, bool or_)
{
	memset(rule, 0, sizeof *rule);
	rule->t = (uint8_t)((type & WEFT_RULE_TYPE_MASK) | (not_ ? WEFT_RULE_NOT : 0) |
	                    (or_ ? WEFT_RULE_OR : 0));
	rule->len = (uint8_t)weft_rule_field_len(type);
}

// Reads the fixed field of a known type; the caller checked its length is available.
static void decode_field(struct weft_rule *rule, struct weft_rbuf *r)
{
	switch (weft_rule_type(rule)) {
	case WEFT_RULE_ACTION_TEE:
	case WEFT_RULE_ACTION_WATCH:
	case WEFT_RULE_ACTION_REDIRECT:
		rule->v.fwd.address = rbuf_u64(r);
		rule->v.fwd.flags = rbuf_u32(r);
		rule->v.fwd.length = rbuf_u16(r);
		break;
	case WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS:
	case WEFT_RULE_MATCH_DEST_ZEROTIER_ADDRESS: rule->v.zt = rbuf_u40(r); break;
	case WEFT_RULE_MATCH_VLAN_ID: rule->v.vlan_id = rbuf_u16(r); break;
	case WEFT_RULE_MATCH_VLAN_PCP: rule->v.vlan_pcp = rbuf_u8(r); break;
	case WEFT_RULE_MATCH_VLAN_DEI: rule->v.vlan_dei = rbuf_u8(r); break;
	case WEFT_RULE_MATCH_MAC_SOURCE:
	case WEFT_RULE_MATCH_MAC_DEST: rbuf_copy(r, rule->v.mac, 6); break;
	case WEFT_RULE_MATCH_IPV4_SOURCE:
	case WEFT_RULE_MATCH_IPV4_DEST:
		rbuf_copy(r, rule->v.ipv4.ip, 4);
		rule->v.ipv4.prefix_bits = rbuf_u8(r);
		break;
	case WEFT_RULE_MATCH_IPV6_SOURCE:
	case WEFT_RULE_MATCH_IPV6_DEST:
		rbuf_copy(r, rule->v.ipv6.ip, 16);
		rule->v.ipv6.prefix_bits = rbuf_u8(r);
		break;
	case WEFT_RULE_MATCH_IP_TOS:
		rule->v.ip_tos.mask = rbuf_u8(r);
		rule->v.ip_tos.start = rbuf_u8(r);
		rule->v.ip_tos.end = rbuf_u8(r);
		break;
	case WEFT_RULE_MATCH_IP_PROTOCOL: rule->v.ip_protocol = rbuf_u8(r); break;
	case WEFT_RULE_MATCH_ETHERTYPE: rule->v.ethertype = rbuf_u16(r); break;
	case WEFT_RULE_MATCH_ICMP:
		rule->v.icmp.type = rbuf_u8(r);
		rule->v.icmp.code = rbuf_u8(r);
		rule->v.icmp.flags = rbuf_u8(r);
		break;
	case WEFT_RULE_MATCH_IP_SOURCE_PORT_RANGE:
	case WEFT_RULE_MATCH_IP_DEST_PORT_RANGE:
	case WEFT_RULE_MATCH_FRAME_SIZE_RANGE:
		rule->v.range.start = rbuf_u16(r);
		rule->v.range.end = rbuf_u16(r);
		break;
	case WEFT_RULE_MATCH_CHARACTERISTICS: rule->v.characteristics = rbuf_u64(r); break;
	case WEFT_RULE_MATCH_RANDOM: rule->v.probability = rbuf_u32(r); break;
	case WEFT_RULE_MATCH_INTEGER_RANGE:
		rule->v.int_range.start = rbuf_u64(r);
		rule->v.int_range.end = rbuf_u64(r);
		rule->v.int_range.idx = rbuf_u16(r);
		rule->v.int_range.format = rbuf_u8(r);
		break;
	default: // the tag matches: id, value
		rule->v.tag.id = rbuf_u32(r);
		rule->v.tag.value = rbuf_u32(r);
		break;
	}
}

enum weft_result weft_rule_decode(struct weft_rule *rule, struct weft_rbuf *r)
{
	enum weft_result res = WEFT_ERR_INVALID;
	memset(rule, 0, sizeof *rule);
	rule->t = rbuf_u8(r);
	rule->len = rbuf_u8(r);
	if (r->bad || rule->len > rbuf_left(r))
		goto bad;
	unsigned type = weft_rule_type(rule);
	if (!weft_rule_type_is_known(type)) {
		if (rule->len > WEFT_RULE_OPAQUE_MAX) {
			res = WEFT_ERR_UNSUPPORTED;
			goto bad;
		}
		rbuf_copy(r, rule->v.opaque, rule->len);
		return WEFT_OK;
	}
	if (rule->len != weft_rule_field_len(type))
		goto bad;
	if (rule->len)
		decode_field(rule, r);
	if (r->bad)
		goto bad;
	return WEFT_OK;
bad:
	r->bad = true;
	memset(rule, 0, sizeof *rule);
	return res;
}

static void encode_field(const struct weft_rule *rule, struct weft_wbuf *w)
{
	switch (weft_rule_type(rule)) {
	case WEFT_RULE_ACTION_TEE:
	case WEFT_RULE_ACTION_WATCH:
	case WEFT_RULE_ACTION_REDIRECT:
		wbuf_u64(w, rule->v.fwd.address);
		wbuf_u32(w, rule->v.fwd.flags);
		wbuf_u16(w, rule->v.fwd.length);
		break;
	case WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS:
	case WEFT_RULE_MATCH_DEST_ZEROTIER_ADDRESS: wbuf_u40(w, rule->v.zt); break;
	case WEFT_RULE_MATCH_VLAN_ID: wbuf_u16(w, rule->v.vlan_id); break;
	case WEFT_RULE_MATCH_VLAN_PCP: wbuf_u8(w, rule->v.vlan_pcp); break;
	case WEFT_RULE_MATCH_VLAN_DEI: wbuf_u8(w, rule->v.vlan_dei); break;
	case WEFT_RULE_MATCH_MAC_SOURCE:
	case WEFT_RULE_MATCH_MAC_DEST: wbuf_bytes(w, rule->v.mac, 6); break;
	case WEFT_RULE_MATCH_IPV4_SOURCE:
	case WEFT_RULE_MATCH_IPV4_DEST:
		wbuf_bytes(w, rule->v.ipv4.ip, 4);
		wbuf_u8(w, rule->v.ipv4.prefix_bits);
		break;
	case WEFT_RULE_MATCH_IPV6_SOURCE:
	case WEFT_RULE_MATCH_IPV6_DEST:
		wbuf_bytes(w, rule->v.ipv6.ip, 16);
		wbuf_u8(w, rule->v.ipv6.prefix_bits);
		break;
	case WEFT_RULE_MATCH_IP_TOS:
		wbuf_u8(w, rule->v.ip_tos.mask);
		wbuf_u8(w, rule->v.ip_tos.start);
		wbuf_u8(w, rule->v.ip_tos.end);
		break;
	case WEFT_RULE_MATCH_IP_PROTOCOL: wbuf_u8(w, rule->v.ip_protocol); break;
	case WEFT_RULE_MATCH_ETHERTYPE: wbuf_u16(w, rule->v.ethertype); break;
	case WEFT_RULE_MATCH_ICMP:
		wbuf_u8(w, rule->v.icmp.type);
		wbuf_u8(w, rule->v.icmp.code);
		wbuf_u8(w, rule->v.icmp.flags);
		break;
	case WEFT_RULE_MATCH_IP_SOURCE_PORT_RANGE:
	case WEFT_RULE_MATCH_IP_DEST_PORT_RANGE:
	case WEFT_RULE_MATCH_FRAME_SIZE_RANGE:
		wbuf_u16(w, rule->v.range.start);
		wbuf_u16(w, rule->v.range.end);
		break;
	case WEFT_RULE_MATCH_CHARACTERISTICS: wbuf_u64(w, rule->v.characteristics); break;
	case WEFT_RULE_MATCH_RANDOM: wbuf_u32(w, rule->v.probability); break;
	case WEFT_RULE_MATCH_INTEGER_RANGE:
		wbuf_u64(w, rule->v.int_range.start);
		wbuf_u64(w, rule->v.int_range.end);
		wbuf_u16(w, rule->v.int_range.idx);
		wbuf_u8(w, rule->v.int_range.format);
		break;
	default:
		wbuf_u32(w, rule->v.tag.id);
		wbuf_u32(w, rule->v.tag.value);
		break;
	}
}

void weft_rule_encode(const struct weft_rule *rule, struct weft_wbuf *w)
{
	unsigned type = weft_rule_type(rule);
	bool known = weft_rule_type_is_known(type);
	if ((known && rule->len != weft_rule_field_len(type)) ||
	    (!known && rule->len > WEFT_RULE_OPAQUE_MAX)) {
		w->bad = true;
		return;
	}
	wbuf_u8(w, rule->t);
	wbuf_u8(w, rule->len);
	if (!known)
		wbuf_bytes(w, rule->v.opaque, rule->len);
	else if (rule->len)
		encode_field(rule, w);
}

enum weft_result weft_rules_decode(struct weft_rule *rules, size_t cap, size_t *n,
                                   struct weft_rbuf *r)
{
	*n = 0;
	size_t count = 0;
	while (!r->bad && rbuf_left(r) > 0) {
		if (count == cap) {
			r->bad = true;
			return WEFT_ERR_TOO_BIG;
		}
		enum weft_result res = weft_rule_decode(&rules[count], r);
		if (res != WEFT_OK)
			return res;
		count++;
	}
	if (r->bad)
		return WEFT_ERR_INVALID;
	*n = count;
	return WEFT_OK;
}

void weft_rules_encode(const struct weft_rule *rules, size_t n, struct weft_wbuf *w)
{
	for (size_t i = 0; i < n; i++)
		weft_rule_encode(&rules[i], w);
}
