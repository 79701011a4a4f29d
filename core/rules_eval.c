// SPDX-License-Identifier: MPL-2.0
// The rules engine (vl2.md §6.2-6.4, §6.6-6.9): what each MATCH compares, the walk through one
// list with its NOT/OR bits, "hard" results and sticky skipDrop, and the two pipelines that
// combine base rules and capabilities into a verdict and a list of EXT_FRAME copies.
#include <string.h>

#include "buf.h"
#include "rules_eval.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

// A MATCH result. HARD_* are not inverted by NOT (§6.2).
enum mres { M_NO = 0, M_YES = 1, M_HARD_NO, M_HARD_YES };

// The per-list state a match may read or change.
struct list_state {
	const struct weft_rules_ctx *ctx;
	uint64_t cf;
	bool skip_drop;
	bool super_accept;
};

static enum mres yes_if(bool b)
{
	return b ? M_YES : M_NO;
}

static bool is_ipv4(const struct weft_rules_frame *f)
{
	return f->ethertype == ETHERTYPE_IPV4 && f->len >= 20;
}

static bool is_ipv6(const struct weft_rules_frame *f)
{
	return f->ethertype == ETHERTYPE_IPV6 && f->len >= 40;
}

static enum mres match_ipv4(const struct weft_rules_frame *f, const struct weft_rule *e, size_t at)
{
	if (!is_ipv4(f))
		return M_HARD_NO;
	unsigned bits = e->v.ipv4.prefix_bits > 32 ? 32 : e->v.ipv4.prefix_bits;
	if (bits == 0)
		return M_YES;
	uint32_t mask = (uint32_t)(0xffffffffULL << (32 - bits));
	return yes_if(((load_be32(f->payload + at) ^ load_be32(e->v.ipv4.ip)) & mask) == 0);
}

static enum mres match_ipv6(const struct weft_rules_frame *f, const struct weft_rule *e, size_t at)
{
	if (!is_ipv6(f))
		return M_HARD_NO;
	unsigned bits = e->v.ipv6.prefix_bits > 128 ? 128 : e->v.ipv6.prefix_bits;
	for (unsigned i = 0; i < 16; i++) {
		unsigned b = bits > 8 * i ? bits - 8 * i : 0;
		uint8_t m = (uint8_t)(b >= 8 ? 0xffu : 0xff00u >> b);
		if ((f->payload[at + i] & m) != e->v.ipv6.ip[i])
			return M_NO;
	}
	return M_YES;
}

static enum mres match_tos(const struct weft_rules_frame *f, const struct weft_rule *e)
{
	const uint8_t *p = f->payload;
	unsigned v;
	if (is_ipv4(f))
		v = p[1];
	else if (is_ipv6(f))
		v = ((unsigned)(p[0] << 4) & 0xf0) | (p[1] >> 4);
	else
		return M_HARD_NO;
	v &= e->v.ip_tos.mask;
	return yes_if(v >= e->v.ip_tos.start && v <= e->v.ip_tos.end);
}

static enum mres match_protocol(const struct weft_rules_frame *f, const struct weft_rule *e)
{
	unsigned proto;
	size_t off;
	if (is_ipv4(f))
		return yes_if(f->payload[9] == e->v.ip_protocol);
	if (f->ethertype == ETHERTYPE_IPV6 &&
	    weft_rules_ipv6_walk(f->payload, f->len, &proto, &off))
		return yes_if(proto == e->v.ip_protocol);
	return M_HARD_NO;
}

// The ICMP type/code test at offset h of the payload.
static enum mres icmp_at(const struct weft_rules_frame *f, const struct weft_rule *e, size_t h)
{
	if (f->len < h + 2 || f->payload[h] != e->v.icmp.type)
		return M_HARD_NO;
	if (e->v.icmp.flags & WEFT_RULE_ICMP_CHECK_CODE)
		return yes_if(f->payload[h + 1] == e->v.icmp.code);
	return M_HARD_YES;
}

static enum mres match_icmp(const struct weft_rules_frame *f, const struct weft_rule *e)
{
	unsigned proto;
	size_t off;
	if (is_ipv4(f)) {
		if (f->payload[9] != 1)
			return M_HARD_NO;
		return icmp_at(f, e, 4 * (size_t)(f->payload[0] & 0x0f));
	}
	if (f->ethertype == ETHERTYPE_IPV6 &&
	    weft_rules_ipv6_walk(f->payload, f->len, &proto, &off))
		return proto == 58 ? icmp_at(f, e, off) : M_HARD_NO;
	return M_HARD_NO;
}

static bool has_ports(unsigned proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

static enum mres match_port(const struct weft_rules_frame *f, const struct weft_rule *e, bool dst)
{
	unsigned proto;
	size_t h;
	bool v6 = false;
	if (is_ipv4(f)) {
		proto = f->payload[9];
		h = 4 * (size_t)(f->payload[0] & 0x0f);
	} else if (f->ethertype == ETHERTYPE_IPV6) {
		if (!weft_rules_ipv6_walk(f->payload, f->len, &proto, &h))
			return M_HARD_NO;
		v6 = true;
	} else {
		return M_HARD_NO;
	}
	if (!has_ports(proto) || f->len <= h + 4)
		return M_NO;
	unsigned port = load_be16(f->payload + h + (dst ? 2 : 0));
	if (v6 && port == 0)
		return M_NO; // IPv6: port 0 is "no port"
	return yes_if(port >= e->v.range.start && port <= e->v.range.end);
}

static uint64_t int_value(const struct weft_rules_frame *f, const struct weft_rule *e)
{
	unsigned bits = (e->v.int_range.format & WEFT_RULE_INT_BITS_MASK) + 1u;
	size_t bytes = (bits + 7) / 8, idx = e->v.int_range.idx;
	uint64_t y = 0;
	if (e->v.int_range.format & WEFT_RULE_INT_LITTLE_ENDIAN) {
		if (idx + bytes > f->len)
			return 0;
		for (size_t i = bytes; i-- > 0;)
			y = (y << 8) | f->payload[idx + i];
		return y >> (8 * bytes - bits);
	}
	if (idx + 8 > f->len)
		return 0;
	y = load_be64(f->payload + idx);
	return bits == 64 ? y : y & ((1ULL << bits) - 1);
}

static enum mres match_int_range(const struct weft_rules_frame *f, const struct weft_rule *e)
{
	uint64_t x = int_value(f, e), start = e->v.int_range.start;
	// 1.14 keeps end - start in 32 bits; the sum wraps as a 64-bit integer.
	uint64_t end = start + (uint64_t)(uint32_t)(e->v.int_range.end - start);
	return yes_if(x >= start && x <= end);
}

static const uint32_t *find_tag(const struct weft_rules_tag *t, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].id == id)
			return &t[i].value;
	return NULL;
}

// TAGS_DIFFERENCE, _BITWISE_AND/OR/XOR, _EQUAL (§6.6).
static enum mres match_tags(struct list_state *s, const struct weft_rule *e, unsigned type)
{
	const struct weft_rules_ctx *c = s->ctx;
	const uint32_t *l = find_tag(c->local_tags, c->n_local_tags, e->v.tag.id);
	const uint32_t *r = find_tag(c->remote_tags, c->n_remote_tags, e->v.tag.id);
	uint32_t v = e->v.tag.value;
	if (!l)
		return M_HARD_NO;
	if (!r) {
		if (c->dir == WEFT_RULES_INBOUND && !s->super_accept)
			return M_HARD_NO;
		s->skip_drop = true;
		return M_HARD_YES;
	}
	switch (type) {
	case WEFT_RULE_MATCH_TAGS_DIFFERENCE: return yes_if((*l > *r ? *l - *r : *r - *l) <= v);
	case WEFT_RULE_MATCH_TAGS_BITWISE_AND: return yes_if((*l & *r) == v);
	case WEFT_RULE_MATCH_TAGS_BITWISE_OR: return yes_if((*l | *r) == v);
	case WEFT_RULE_MATCH_TAGS_BITWISE_XOR: return yes_if((*l ^ *r) == v);
	default: return yes_if(*l == v && *r == v);
	}
}

// TAG_SENDER / TAG_RECEIVER (§6.6).
static enum mres match_tag_side(struct list_state *s, const struct weft_rule *e, bool sender)
{
	const struct weft_rules_ctx *c = s->ctx;
	bool inbound = c->dir == WEFT_RULES_INBOUND;
	if (s->super_accept) {
		s->skip_drop = true;
		return M_HARD_YES;
	}
	if (sender == inbound) { // the remote peer is the one named
		const uint32_t *r = find_tag(c->remote_tags, c->n_remote_tags, e->v.tag.id);
		if (r)
			return yes_if(*r == e->v.tag.value);
		if (inbound)
			return M_HARD_NO;
		s->skip_drop = true;
		return M_HARD_YES;
	}
	const uint32_t *l = find_tag(c->local_tags, c->n_local_tags, e->v.tag.id);
	return l ? yes_if(*l == e->v.tag.value) : M_HARD_NO;
}

static enum mres match_addr_mac(const struct weft_rules_ctx *c, const struct weft_rule *e,
                                unsigned type)
{
	const struct weft_rules_frame *f = c->frame;
	uint64_t mac = 0;
	switch (type) {
	case WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS: return yes_if(e->v.zt == c->zt_source);
	case WEFT_RULE_MATCH_DEST_ZEROTIER_ADDRESS: return yes_if(e->v.zt == c->zt_dest);
	case WEFT_RULE_MATCH_VLAN_ID: return yes_if(e->v.vlan_id == f->vlan_id);
	case WEFT_RULE_MATCH_VLAN_PCP: return yes_if(e->v.vlan_pcp == 0);
	case WEFT_RULE_MATCH_VLAN_DEI: return yes_if(e->v.vlan_dei == 0);
	default: break;
	}
	for (unsigned i = 0; i < 6; i++)
		mac = (mac << 8) | e->v.mac[i];
	return yes_if(mac == (type == WEFT_RULE_MATCH_MAC_SOURCE ? f->src_mac : f->dst_mac));
}

static enum mres match(struct list_state *s, const struct weft_rule *e)
{
	const struct weft_rules_ctx *c = s->ctx;
	const struct weft_rules_frame *f = c->frame;
	unsigned type = weft_rule_type(e);
	if (!weft_rule_type_is_known(type))
		return yes_if(c->net_flags & WEFT_RULES_NETFLAG_UNSUPPORTED_MATCH);
	switch (type) {
	case WEFT_RULE_MATCH_IPV4_SOURCE: return match_ipv4(f, e, 12);
	case WEFT_RULE_MATCH_IPV4_DEST: return match_ipv4(f, e, 16);
	case WEFT_RULE_MATCH_IPV6_SOURCE: return match_ipv6(f, e, 8);
	case WEFT_RULE_MATCH_IPV6_DEST: return match_ipv6(f, e, 24);
	case WEFT_RULE_MATCH_IP_TOS: return match_tos(f, e);
	case WEFT_RULE_MATCH_IP_PROTOCOL: return match_protocol(f, e);
	case WEFT_RULE_MATCH_ETHERTYPE: return yes_if(f->ethertype == e->v.ethertype);
	case WEFT_RULE_MATCH_ICMP: return match_icmp(f, e);
	case WEFT_RULE_MATCH_IP_SOURCE_PORT_RANGE: return match_port(f, e, false);
	case WEFT_RULE_MATCH_IP_DEST_PORT_RANGE: return match_port(f, e, true);
	case WEFT_RULE_MATCH_CHARACTERISTICS: return yes_if((s->cf & e->v.characteristics) != 0);
	case WEFT_RULE_MATCH_FRAME_SIZE_RANGE:
		return yes_if(f->len >= e->v.range.start && f->len <= e->v.range.end);
	case WEFT_RULE_MATCH_RANDOM: return yes_if(c->random(c->random_ctx) <= e->v.probability);
	case WEFT_RULE_MATCH_TAG_SENDER: return match_tag_side(s, e, true);
	case WEFT_RULE_MATCH_TAG_RECEIVER: return match_tag_side(s, e, false);
	case WEFT_RULE_MATCH_INTEGER_RANGE: return match_int_range(f, e);
	default: break;
	}
	if (type >= WEFT_RULE_MATCH_TAGS_DIFFERENCE && type <= WEFT_RULE_MATCH_TAGS_EQUAL)
		return match_tags(s, e, type);
	return match_addr_mac(c, e, type);
}

static bool is_forward(unsigned type)
{
	return type == WEFT_RULE_ACTION_TEE || type == WEFT_RULE_ACTION_WATCH ||
	       type == WEFT_RULE_ACTION_REDIRECT;
}

// TEE/WATCH/REDIRECT whose set matched (§6.4). True when the list ends here.
static bool forward(struct list_state *s, const struct weft_rule *e, unsigned type,
                    struct weft_rules_list_out *out)
{
	const struct weft_rules_ctx *c = s->ctx;
	uint64_t to = e->v.fwd.address & WEFT_RULES_ADDRESS_MASK;
	if (to == c->zt_source)
		return false;
	if (to == c->me) {
		if (c->dir != WEFT_RULES_INBOUND)
			return false;
		out->result = WEFT_RULES_SUPER_ACCEPT;
		return true;
	}
	if (to == out->zt_dest)
		return false;
	if (type == WEFT_RULE_ACTION_REDIRECT) {
		out->zt_dest = to;
		out->result = WEFT_RULES_REDIRECT;
		return true;
	}
	out->cc = to;
	out->cc_len =
	    e->v.fwd.length && e->v.fwd.length < c->frame->len ? e->v.fwd.length : c->frame->len;
	out->cc_watch = type == WEFT_RULE_ACTION_WATCH;
	return false;
}

// An action whose set matched. True when the list ends here (out->result set).
static bool act(struct list_state *s, const struct weft_rule *e, struct weft_rules_list_out *out)
{
	unsigned type = weft_rule_type(e);
	switch (type) {
	case WEFT_RULE_ACTION_PRIORITY:
		out->qos_bucket = 0; // the bucket does not travel on the wire (§6.1)
		out->result = WEFT_RULES_ACCEPT;
		return true;
	case WEFT_RULE_ACTION_DROP:
		if (s->skip_drop) {
			s->skip_drop = false;
			return false;
		}
		out->result = WEFT_RULES_DROP;
		return true;
	case WEFT_RULE_ACTION_ACCEPT:
		out->result = s->super_accept ? WEFT_RULES_SUPER_ACCEPT : WEFT_RULES_ACCEPT;
		return true;
	case WEFT_RULE_ACTION_BREAK: out->result = WEFT_RULES_NO_MATCH; return true;
	default: break;
	}
	return is_forward(type) ? forward(s, e, type, out) : false;
}

void weft_rules_eval_list(const struct weft_rules_ctx *ctx, const struct weft_rule *rules, size_t n,
                          uint64_t cf, struct weft_rules_list_out *out)
{
	struct list_state s = {.ctx = ctx, .cf = cf};
	bool set = true;
	memset(out, 0, sizeof *out);
	out->result = WEFT_RULES_NO_MATCH;
	out->zt_dest = ctx->zt_dest;
	for (size_t i = 0; i < n; i++) {
		const struct weft_rule *e = &rules[i];
		unsigned type = weft_rule_type(e);
		if (type <= WEFT_RULE_ACTION_LAST) {
			if (set && act(&s, e, out))
				return;
			if (!set && ctx->dir == WEFT_RULES_INBOUND && is_forward(type) &&
			    (e->v.fwd.address & WEFT_RULES_ADDRESS_MASK) == ctx->me)
				s.super_accept = true;
			set = true;
			continue;
		}
		bool or_ = (e->t & WEFT_RULE_OR) != 0;
		if (!set && !or_)
			continue;
		enum mres m = match(&s, e);
		bool b = m == M_HARD_YES ||
		         (m != M_HARD_NO && ((m == M_YES) != ((e->t & WEFT_RULE_NOT) != 0)));
		set = or_ ? (set || b) : (set && b);
	}
	out->result = WEFT_RULES_NO_MATCH;
}

static void add_copy(struct weft_rules_outcome *out, uint64_t to, uint8_t flags, size_t len)
{
	if (out->n_copies < WEFT_RULES_MAX_COPIES)
		out->copies[out->n_copies++] = (struct weft_rules_copy){to, flags, len};
}

static void add_cc(const struct weft_rules_ctx *ctx, const struct weft_rules_list_out *lo,
                   struct weft_rules_outcome *out)
{
	bool in = ctx->dir == WEFT_RULES_INBOUND;
	if (!lo->cc || (!in && ctx->no_tee))
		return;
	uint8_t flags = lo->cc_watch ? (in ? WEFT_RULES_EXT_WATCH_IN : WEFT_RULES_EXT_WATCH_OUT)
	                             : (in ? WEFT_RULES_EXT_TEE_IN : WEFT_RULES_EXT_TEE_OUT);
	add_copy(out, lo->cc, flags, lo->cc_len);
}

void weft_rules_filter(const struct weft_rules_ctx *ctx, const struct weft_rules_list *base,
                       const struct weft_rules_list *caps, size_t n_caps,
                       struct weft_rules_outcome *out)
{
	bool in = ctx->dir == WEFT_RULES_INBOUND;
	uint64_t cf = weft_rules_characteristics(ctx->dir, ctx->frame) | ctx->sender_auth;
	struct weft_rules_list_out b, cap;
	enum weft_rules_result r;
	uint64_t dest;
	memset(out, 0, sizeof *out);
	out->verdict = WEFT_RULES_VERDICT_DROP;
	weft_rules_eval_list(ctx, base->rules, base->n, cf, &b);
	out->qos_bucket = b.qos_bucket;
	r = b.result;
	dest = b.zt_dest;
	if (r == WEFT_RULES_DROP)
		return;
	if (r == WEFT_RULES_NO_MATCH) {
		size_t i;
		for (i = 0; i < n_caps; i++) {
			weft_rules_eval_list(ctx, caps[i].rules, caps[i].n, cf, &cap);
			if (cap.result == WEFT_RULES_ACCEPT || cap.result == WEFT_RULES_REDIRECT ||
			    cap.result == WEFT_RULES_SUPER_ACCEPT)
				break;
		}
		if (i == n_caps)
			return;
		r = cap.result;
		dest = cap.zt_dest;
		out->qos_bucket = cap.qos_bucket;
		add_cc(ctx, &cap, out);
	}
	add_cc(ctx, &b, out);
	if (dest != ctx->zt_dest && dest != 0) {
		add_copy(out, dest, in ? WEFT_RULES_EXT_REDIRECT_IN : WEFT_RULES_EXT_REDIRECT_OUT,
		         ctx->frame->len);
		out->verdict = WEFT_RULES_VERDICT_REDIRECT;
		return;
	}
	out->verdict = in && r == WEFT_RULES_SUPER_ACCEPT ? WEFT_RULES_VERDICT_SUPER_ACCEPT
	                                                  : WEFT_RULES_VERDICT_ACCEPT;
}
