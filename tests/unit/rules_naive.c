// SPDX-License-Identifier: MPL-2.0
// weft_rules_eval_list (core/rules_eval.h) against a second, deliberately naive evaluator of one
// rule list written straight from vl2.md §6.2, §6.3, §6.5 and §6.6 (quirks §12.4-§12.6), on
// random rule lists and frames biased towards hits. Also checks the characteristics, IPv6 walk
// and sender-address helpers. RULES_NAIVE_CASES sets the case count (default 200000), a CPU
// budget of RULES_NAIVE_SECONDS (default 8) stops it early under sanitizers, RULES_NAIVE_SEED
// picks another stream of cases.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "rules_eval.h"
#include "t.h"

#define ME    0x07d479821eULL
#define PEER  0x90b0f484acULL
#define OBS_A 0x2b66639788ULL
#define OBS_B 0x648e4e0835ULL

#define MAX_RULES 40
#define MAX_TAGS  5
#define FRAME_CAP 200

// ---- PRNG ---------------------------------------------------------------------------------

static uint64_t rng = 0x6a09e667f3bcc908ULL;

static uint64_t next_u64(void)
{
	return t_splitmix64(&rng);
}

static unsigned rnd(unsigned n)
{
	return (unsigned)(next_u64() % n);
}

#define PICK(a) ((a)[rnd(sizeof(a) / sizeof((a)[0]))])

// MATCH_RANDOM's source, restarted from the same seed for both evaluators; often an edge value
// so `<=` against probabilities 0 and 0xffffffff is exercised.
static uint32_t coin(void *ctx)
{
	static const uint32_t edges[] = {0, 1, 0x80000000u, 0xffffffffu};
	uint64_t *s = ctx;
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((*s >> 20) & 3) == 0 ? edges[(*s >> 32) & 3] : (uint32_t)(*s >> 32);
}

// ---- the naive evaluator (vl2.md §6.2-§6.6) -----------------------------------------------

// Match results: HARD ones ignore NOT (§6.2 notes).
enum { HNO = -1, NO = 0, YES = 1, HYES = 2 };

struct nv {
	const struct weft_rules_ctx *c;
	const uint8_t *p;
	size_t len;
	uint16_t et;
	uint64_t cf;
	int skip_drop, super_accept;
	uint64_t rand_state;
};

struct nv_out {
	enum weft_rules_result result;
	uint64_t zt_dest, cc;
	size_t cc_len;
	bool cc_watch;
};

static int ipv4_frame(const uint8_t *p, size_t len, uint16_t et)
{
	(void)p;
	return et == 0x0800 && len >= 20;
}

static int ipv6_frame(size_t len, uint16_t et)
{
	return et == 0x86dd && len >= 40;
}

// §6.3 IPv6 payload walk: the final protocol, or -1 on failure.
static int walk(const uint8_t *p, size_t len, size_t *off)
{
	if (len < 40)
		return -1;
	int proto = p[6];
	size_t at = 40;
	while (proto == 0 || proto == 43 || proto == 60 || proto == 135) {
		if (at + 8 > len)
			return -1;
		int nextp = p[at];
		at = at + 8 * (size_t)p[at + 1] + 8;
		proto = nextp;
	}
	if (at > len)
		return -1;
	*off = at;
	return proto;
}

static unsigned be16_at(const uint8_t *p, size_t at)
{
	return (unsigned)p[at] * 256u + p[at + 1];
}

// Bit i of a big-endian byte string, counting from the most significant.
static int bit(const uint8_t *b, unsigned i)
{
	return (b[i / 8] >> (7 - i % 8)) & 1;
}

static int ipv4_in_prefix(const uint8_t *frame_ip, const uint8_t *rule_ip, unsigned bits)
{
	if (bits > 32)
		bits = 32; // not defined by the spec; the controller clamps (§6.11)
	for (unsigned i = 0; i < bits; i++)
		if (bit(frame_ip, i) != bit(rule_ip, i))
			return NO;
	return YES;
}

// (frame AND mask) == rule, byte by byte; the rule is not masked (§12.5).
static int ipv6_in_prefix(const uint8_t *frame_ip, const uint8_t *rule_ip, unsigned bits)
{
	for (unsigned i = 0; i < 128; i++) {
		int fb = i < bits ? bit(frame_ip, i) : 0;
		if (fb != bit(rule_ip, i))
			return NO;
	}
	return YES;
}

static const struct weft_rules_tag *find_tag(const struct weft_rules_tag *t, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].id == id)
			return &t[i];
	return NULL;
}

static int tag_match(struct nv *s, unsigned type, uint32_t id, uint32_t v)
{
	const struct weft_rules_ctx *c = s->c;
	int inbound = c->dir == WEFT_RULES_INBOUND;
	const struct weft_rules_tag *l = find_tag(c->local_tags, c->n_local_tags, id);
	const struct weft_rules_tag *r = find_tag(c->remote_tags, c->n_remote_tags, id);
	if (type == WEFT_RULE_MATCH_TAG_SENDER || type == WEFT_RULE_MATCH_TAG_RECEIVER) {
		if (s->super_accept) {
			s->skip_drop = 1;
			return HYES;
		}
		int sender = type == WEFT_RULE_MATCH_TAG_SENDER;
		if ((sender && inbound) || (!sender && !inbound)) { // the remote is the one
			if (r)
				return r->value == v;
			if (!sender) {
				s->skip_drop = 1;
				return HYES;
			}
			return HNO;
		}
		return l ? l->value == v : HNO;
	}
	if (!l)
		return HNO;
	if (!r) {
		if (inbound && !s->super_accept)
			return HNO;
		s->skip_drop = 1;
		return HYES;
	}
	uint32_t a = l->value, b = r->value;
	switch (type) {
	case WEFT_RULE_MATCH_TAGS_DIFFERENCE: return (a > b ? a - b : b - a) <= v;
	case WEFT_RULE_MATCH_TAGS_BITWISE_AND: return (a & b) == v;
	case WEFT_RULE_MATCH_TAGS_BITWISE_OR: return (a | b) == v;
	case WEFT_RULE_MATCH_TAGS_BITWISE_XOR: return (a ^ b) == v;
	default: return a == v && b == v; // TAGS_EQUAL
	}
}

// ICMP type/code test at offset h (§6.3).
static int icmp_at(const uint8_t *p, size_t h, const struct weft_rule *e)
{
	if (p[h] != e->v.icmp.type)
		return HNO;
	if (e->v.icmp.flags & 1)
		return p[h + 1] == e->v.icmp.code;
	return HYES;
}

static int l4_port_proto(int proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

static int port_match(struct nv *s, const struct weft_rule *e, int dest)
{
	const uint8_t *p = s->p;
	unsigned port;
	if (ipv4_frame(p, s->len, s->et)) {
		size_t h = 4 * (size_t)(p[0] & 0x0f);
		if (!l4_port_proto(p[9]) || !(s->len > h + 4))
			return NO;
		port = be16_at(p, h + (dest ? 2 : 0));
	} else if (s->et == 0x86dd) {
		size_t off;
		int proto = walk(p, s->len, &off);
		if (proto < 0)
			return HNO;
		if (!l4_port_proto(proto) || !(s->len > off + 4))
			return NO;
		port = be16_at(p, off + (dest ? 2 : 0));
		if (port == 0) // §12.6
			return NO;
	} else {
		return HNO;
	}
	return e->v.range.start <= port && port <= e->v.range.end;
}

static uint64_t int_extract(const uint8_t *p, size_t len, unsigned idx, unsigned format)
{
	unsigned bits = (format & 0x3f) + 1, bytes = (bits + 7) / 8;
	uint64_t x = 0;
	if (format & 0x80) {
		if ((size_t)idx + bytes > len)
			return 0;
		for (unsigned i = 0; i < bytes; i++)
			x |= (uint64_t)p[idx + i] << (8 * i);
		return x >> (8 * bytes - bits);
	}
	if ((size_t)idx + 8 > len)
		return 0;
	for (unsigned i = 0; i < bytes; i++)
		x = (x << 8) | p[idx + 8 - bytes + i];
	for (unsigned i = bits; i < 64; i++)
		x &= ~(1ULL << i);
	return x;
}

static int int_range(const struct nv *s, const struct weft_rule *e)
{
	uint64_t x = int_extract(s->p, s->len, e->v.int_range.idx, e->v.int_range.format);
	uint64_t start = e->v.int_range.start;
	uint64_t end = start + (uint32_t)(e->v.int_range.end - start); // kept as a 32-bit offset
	return start <= x && x <= end;
}

static int ip_tos(const struct nv *s, const struct weft_rule *e)
{
	unsigned v;
	if (ipv4_frame(s->p, s->len, s->et))
		v = s->p[1] & e->v.ip_tos.mask;
	else if (ipv6_frame(s->len, s->et))
		v = (((s->p[0] << 4) & 0xf0) | (s->p[1] >> 4)) & e->v.ip_tos.mask;
	else
		return HNO;
	return e->v.ip_tos.start <= v && v <= e->v.ip_tos.end;
}

static int ip_protocol(const struct nv *s, const struct weft_rule *e)
{
	if (ipv4_frame(s->p, s->len, s->et))
		return s->p[9] == e->v.ip_protocol;
	if (s->et == 0x86dd) {
		size_t off;
		int proto = walk(s->p, s->len, &off);
		return proto < 0 ? HNO : proto == e->v.ip_protocol;
	}
	return HNO;
}

static int icmp(const struct nv *s, const struct weft_rule *e)
{
	if (ipv4_frame(s->p, s->len, s->et)) {
		if (s->p[9] != 1)
			return HNO;
		size_t h = 4 * (size_t)(s->p[0] & 0x0f);
		return s->len >= h + 2 ? icmp_at(s->p, h, e) : HNO;
	}
	if (s->et == 0x86dd) {
		size_t off;
		if (walk(s->p, s->len, &off) == 58 && s->len >= off + 2)
			return icmp_at(s->p, off, e);
	}
	return HNO;
}

static int mac_eq(uint64_t mac, const uint8_t b[6])
{
	for (int i = 0; i < 6; i++)
		if (((mac >> (8 * (5 - i))) & 0xff) != b[i])
			return NO;
	return YES;
}

static int match(struct nv *s, const struct weft_rule *e)
{
	const struct weft_rules_ctx *c = s->c;
	const struct weft_rules_frame *f = c->frame;
	unsigned type = e->t & 0x3f;
	switch (type) {
	case WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS: return e->v.zt == c->zt_source;
	case WEFT_RULE_MATCH_DEST_ZEROTIER_ADDRESS: return e->v.zt == c->zt_dest;
	case WEFT_RULE_MATCH_VLAN_ID: return e->v.vlan_id == f->vlan_id;
	case WEFT_RULE_MATCH_VLAN_PCP: return e->v.vlan_pcp == 0;
	case WEFT_RULE_MATCH_VLAN_DEI: return e->v.vlan_dei == 0;
	case WEFT_RULE_MATCH_MAC_SOURCE: return mac_eq(f->src_mac, e->v.mac);
	case WEFT_RULE_MATCH_MAC_DEST: return mac_eq(f->dst_mac, e->v.mac);
	case WEFT_RULE_MATCH_IPV4_SOURCE:
	case WEFT_RULE_MATCH_IPV4_DEST:
		if (!ipv4_frame(s->p, s->len, s->et))
			return HNO;
		return ipv4_in_prefix(s->p + (type == WEFT_RULE_MATCH_IPV4_SOURCE ? 12 : 16),
		                      e->v.ipv4.ip, e->v.ipv4.prefix_bits);
	case WEFT_RULE_MATCH_IPV6_SOURCE:
	case WEFT_RULE_MATCH_IPV6_DEST:
		if (!ipv6_frame(s->len, s->et))
			return HNO;
		return ipv6_in_prefix(s->p + (type == WEFT_RULE_MATCH_IPV6_SOURCE ? 8 : 24),
		                      e->v.ipv6.ip, e->v.ipv6.prefix_bits);
	case WEFT_RULE_MATCH_IP_TOS: return ip_tos(s, e);
	case WEFT_RULE_MATCH_IP_PROTOCOL: return ip_protocol(s, e);
	case WEFT_RULE_MATCH_ETHERTYPE: return e->v.ethertype == s->et;
	case WEFT_RULE_MATCH_ICMP: return icmp(s, e);
	case WEFT_RULE_MATCH_IP_SOURCE_PORT_RANGE: return port_match(s, e, 0);
	case WEFT_RULE_MATCH_IP_DEST_PORT_RANGE: return port_match(s, e, 1);
	case WEFT_RULE_MATCH_CHARACTERISTICS: return (s->cf & e->v.characteristics) != 0;
	case WEFT_RULE_MATCH_FRAME_SIZE_RANGE:
		return e->v.range.start <= s->len && s->len <= e->v.range.end;
	case WEFT_RULE_MATCH_RANDOM: return coin(&s->rand_state) <= e->v.probability;
	case WEFT_RULE_MATCH_TAGS_DIFFERENCE:
	case WEFT_RULE_MATCH_TAGS_BITWISE_AND:
	case WEFT_RULE_MATCH_TAGS_BITWISE_OR:
	case WEFT_RULE_MATCH_TAGS_BITWISE_XOR:
	case WEFT_RULE_MATCH_TAGS_EQUAL:
	case WEFT_RULE_MATCH_TAG_SENDER:
	case WEFT_RULE_MATCH_TAG_RECEIVER: return tag_match(s, type, e->v.tag.id, e->v.tag.value);
	case WEFT_RULE_MATCH_INTEGER_RANGE: return int_range(s, e);
	default: return (c->net_flags & 0x08) ? YES : NO; // §3.3 flag 0x08
	}
}

// §6.2, line by line.
static void naive_eval(struct nv *s, const struct weft_rule *rules, size_t n, struct nv_out *o)
{
	const struct weft_rules_ctx *c = s->c;
	int inbound = c->dir == WEFT_RULES_INBOUND;
	int set = 1;
	memset(o, 0, sizeof *o);
	o->zt_dest = c->zt_dest;
	o->result = WEFT_RULES_NO_MATCH;
	for (size_t i = 0; i < n; i++) {
		const struct weft_rule *e = &rules[i];
		unsigned type = e->t & 0x3f;
		int fwd = type == WEFT_RULE_ACTION_TEE || type == WEFT_RULE_ACTION_WATCH ||
		          type == WEFT_RULE_ACTION_REDIRECT;
		uint64_t target = e->v.fwd.address & 0xffffffffffULL;
		if (type <= 15) {
			if (!set) {
				if (inbound && fwd && target == c->me)
					s->super_accept = 1;
				set = 1;
				continue;
			}
			switch (type) {
			case WEFT_RULE_ACTION_PRIORITY: o->result = WEFT_RULES_ACCEPT; return;
			case WEFT_RULE_ACTION_DROP:
				if (s->skip_drop) {
					s->skip_drop = 0;
					continue;
				}
				o->result = WEFT_RULES_DROP;
				return;
			case WEFT_RULE_ACTION_ACCEPT:
				o->result =
				    s->super_accept ? WEFT_RULES_SUPER_ACCEPT : WEFT_RULES_ACCEPT;
				return;
			case WEFT_RULE_ACTION_TEE:
			case WEFT_RULE_ACTION_WATCH:
			case WEFT_RULE_ACTION_REDIRECT:
				if (target == c->zt_source) {
				} else if (target == c->me) {
					if (inbound) {
						o->result = WEFT_RULES_SUPER_ACCEPT;
						return;
					}
				} else if (target == c->zt_dest) {
				} else if (type == WEFT_RULE_ACTION_REDIRECT) {
					o->zt_dest = target;
					o->result = WEFT_RULES_REDIRECT;
					return;
				} else {
					o->cc = target;
					o->cc_len = e->v.fwd.length && e->v.fwd.length < s->len
					                ? e->v.fwd.length
					                : s->len;
					o->cc_watch = type == WEFT_RULE_ACTION_WATCH;
				}
				continue;
			case WEFT_RULE_ACTION_BREAK: o->result = WEFT_RULES_NO_MATCH; return;
			default: continue;
			}
		}
		int or_ = (e->t & 0x40) != 0, not_ = (e->t & 0x80) != 0;
		if (!set && !or_)
			continue;
		int m = match(s, e), val;
		if (m == HNO)
			val = 0;
		else if (m == HYES)
			val = 1;
		else
			val = m ^ not_;
		set = or_ ? (set | val) : (set & val);
	}
	o->result = WEFT_RULES_NO_MATCH;
}

// §6.5, the frame-derived bits.
static uint64_t naive_cf(int inbound, const struct weft_rules_frame *f)
{
	uint64_t cf = inbound ? 0x8000000000000000ULL : 0;
	const uint8_t *p = f->payload;
	if ((f->dst_mac >> 40) & 1)
		cf |= 0x4000000000000000ULL;
	if (f->dst_mac == 0xffffffffffffULL)
		cf |= 0x2000000000000000ULL;
	if (ipv4_frame(p, f->len, f->ethertype) && p[9] == 6) {
		size_t h = 4 * (size_t)(p[0] & 0x0f);
		if (f->len >= h + 14) // UNVERIFIED in the spec (§13)
			cf |= p[h + 13] | ((uint64_t)(p[h + 12] & 0x0f) << 8);
	} else if (f->ethertype == 0x86dd) {
		size_t off;
		if (walk(p, f->len, &off) == 6 && f->len > off + 14)
			cf |= p[off + 13] | ((uint64_t)(p[off + 12] & 0x0f) << 8);
	}
	return cf;
}

// §6.5 sender address: its length (0 none), and whether it is an NS (authenticated anyway).
static size_t naive_sender_ip(const struct weft_rules_frame *f, uint8_t ip[16], bool *ns)
{
	const uint8_t *p = f->payload;
	*ns = false;
	if (ipv4_frame(p, f->len, f->ethertype)) {
		memcpy(ip, p + 12, 4);
		return 4;
	}
	if (ipv6_frame(f->len, f->ethertype)) {
		if (f->len >= 64 && p[6] == 58 && p[40] == 135) {
			*ns = true;
			return 0;
		}
		if (f->len >= 64 && p[6] == 58 && p[40] == 136)
			memcpy(ip, p + 48, 16);
		else
			memcpy(ip, p + 8, 16);
		return 16;
	}
	if (f->ethertype == 0x0806 && f->len >= 28) {
		memcpy(ip, p + 14, 4);
		return 4;
	}
	return 0;
}

// ---- random cases -------------------------------------------------------------------------

struct tcase {
	uint8_t p[FRAME_CAP];
	struct weft_rules_frame f;
	size_t l4; // where the L4 header was written, 0 if none
	struct weft_rules_tag lt[MAX_TAGS], rt[MAX_TAGS];
	struct weft_rules_ctx ctx;
	struct weft_rule rules[MAX_RULES];
	size_t n;
	uint64_t cf, seed;
};

static const uint8_t v4_pool[][4] = {
    {10, 0, 0, 1}, {10, 0, 0, 2}, {10, 1, 2, 3}, {192, 168, 1, 10}, {172, 16, 5, 4}};
static const uint8_t v6_pool[][16] = {
    {0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},
    {0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2},
    {0xfc, 0x90, 0xb0, 0xf4, 0x84, 0xac, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd}};
static const unsigned port_pool[] = {0, 22, 53, 80, 443, 8080, 65535};
static const uint64_t mac_pool[] = {0x32aabbccddeeULL, 0x329dfe4a9a1fULL, 0xffffffffffffULL,
                                    0x333300000001ULL, 0x01005e000001ULL, 0x020000000001ULL};
static const uint32_t tag_ids[] = {1, 2, 7, 1000, 0xffffffffu};
static const uint32_t tag_vals[] = {0, 1, 2, 3, 5, 0x10, 0xffffffffu};

static void put_ip(uint8_t *at, int v6)
{
	if (v6) {
		memcpy(at, v6_pool[rnd(4)], 16);
		if (rnd(2))
			at[15] = (uint8_t)rnd(256);
	} else if (rnd(6)) {
		memcpy(at, v4_pool[rnd(5)], 4);
	}
}

static void put_l4(struct tcase *tc, size_t at, unsigned proto)
{
	uint8_t *p = tc->p;
	tc->l4 = at;
	if (proto == 1 || proto == 58) {
		static const uint8_t types[] = {0, 3, 8, 128, 129, 135, 136};
		p[at] = PICK(types);
		p[at + 1] = (uint8_t)rnd(4);
		return;
	}
	unsigned sp = PICK(port_pool), dp = PICK(port_pool);
	p[at] = (uint8_t)(sp >> 8), p[at + 1] = (uint8_t)sp;
	p[at + 2] = (uint8_t)(dp >> 8), p[at + 3] = (uint8_t)dp;
}

static size_t gen_ipv4(struct tcase *tc)
{
	static const uint8_t protos[] = {6, 17, 1, 132, 136, 47};
	uint8_t *p = tc->p;
	p[0] = rnd(6) ? 0x45 : (uint8_t)(0x40 | rnd(16));
	p[9] = rnd(8) ? PICK(protos) : (uint8_t)rnd(256);
	put_ip(p + 12, 0);
	put_ip(p + 16, 0);
	size_t h = 4 * (size_t)(p[0] & 0x0f);
	put_l4(tc, h, p[9]);
	return h + 4 + rnd(40);
}

static size_t gen_ipv6(struct tcase *tc)
{
	static const uint8_t exts[] = {0, 43, 60, 135, 44};
	static const uint8_t finals[] = {6, 17, 58, 132, 136, 50};
	uint8_t *p = tc->p;
	p[0] = (uint8_t)(0x60 | rnd(16));
	put_ip(p + 8, 1);
	put_ip(p + 24, 1);
	size_t nh = 6, at = 40;
	for (unsigned i = rnd(4); i > 0; i--) {
		p[nh] = PICK(exts);
		p[at + 1] = (uint8_t)rnd(3);
		nh = at;
		at += 8 + 8 * (size_t)p[at + 1];
	}
	p[nh] = rnd(8) ? PICK(finals) : (uint8_t)rnd(256);
	put_l4(tc, at, p[nh]);
	return at + 4 + rnd(40);
}

static void gen_frame(struct tcase *tc)
{
	static const uint16_t ets[] = {0x0800, 0x86dd, 0x0806, 0x8100, 0x88cc};
	uint8_t *p = tc->p;
	size_t len;
	for (size_t i = 0; i < FRAME_CAP; i++)
		p[i] = (uint8_t)next_u64();
	tc->l4 = 0;
	memset(&tc->f, 0, sizeof tc->f);
	switch (rnd(8)) {
	case 0:
	case 1:
	case 2:
		tc->f.ethertype = 0x0800;
		len = gen_ipv4(tc);
		break;
	case 3:
	case 4:
	case 5:
		tc->f.ethertype = 0x86dd;
		len = gen_ipv6(tc);
		break;
	case 6:
		tc->f.ethertype = 0x0806;
		put_ip(p + 14, 0);
		len = 28 + rnd(20);
		break;
	default: tc->f.ethertype = rnd(2) ? PICK(ets) : (uint16_t)rnd(65536); len = rnd(90);
	}
	if (rnd(4) == 0) // truncated, often just around the L4 header's fields
		len = tc->l4 && rnd(2) ? tc->l4 + rnd(rnd(2) ? 6 : 16) : rnd((unsigned)len + 1);
	tc->f.len = len < FRAME_CAP ? len : FRAME_CAP;
	tc->f.payload = p;
	tc->f.src_mac = PICK(mac_pool);
	tc->f.dst_mac = PICK(mac_pool);
	tc->f.vlan_id = rnd(4) ? 0 : (uint16_t)rnd(4096);
}

static size_t gen_tags(struct weft_rules_tag *t)
{
	size_t n = 0;
	for (unsigned i = rnd(MAX_TAGS + 1); i > 0; i--) {
		uint32_t id = PICK(tag_ids);
		if (find_tag(t, n, id))
			continue;
		t[n].id = id;
		t[n++].value = rnd(4) ? PICK(tag_vals) : (uint32_t)next_u64();
	}
	return n;
}

static uint64_t gen_address(const struct tcase *tc)
{
	const struct weft_rules_ctx *c = &tc->ctx;
	uint64_t pool[] = {c->me, c->zt_source, c->zt_dest, OBS_A, OBS_B, 0};
	uint64_t a = PICK(pool);
	return rnd(8) ? a : a | (next_u64() << 40); // high bits are not part of the address
}

// A value near x: x itself, or a range around it.
static void near16(uint16_t x, uint16_t *start, uint16_t *end)
{
	unsigned lo = rnd(3), hi = rnd(3);
	*start = (uint16_t)(x >= lo ? x - lo : 0);
	*end = (uint16_t)(x + hi <= 0xffff ? x + hi : 0xffff);
	if (rnd(8) == 0)
		*start = (uint16_t)(x + 1); // empty or excluding x
}

static void gen_ip_rule(struct weft_rule *r, const struct tcase *tc, unsigned type)
{
	const uint8_t *p = tc->p;
	int v6 = type == WEFT_RULE_MATCH_IPV6_SOURCE || type == WEFT_RULE_MATCH_IPV6_DEST;
	int dst = type == WEFT_RULE_MATCH_IPV4_DEST || type == WEFT_RULE_MATCH_IPV6_DEST;
	if (v6) {
		uint8_t *ip = r->v.ipv6.ip;
		if (rnd(2))
			memcpy(ip, p + (dst ? 24 : 8), 16);
		else
			memcpy(ip, v6_pool[rnd(4)], 16);
		unsigned bits = rnd(16) ? rnd(129) : rnd(256);
		r->v.ipv6.prefix_bits = (uint8_t)bits;
		if (rnd(3)) // usually a proper prefix (host bits clear); else leave them (§12.5)
			for (unsigned i = bits; i < 128; i++)
				ip[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
	} else {
		if (rnd(2))
			memcpy(r->v.ipv4.ip, p + (dst ? 16 : 12), 4);
		else
			memcpy(r->v.ipv4.ip, v4_pool[rnd(5)], 4);
		r->v.ipv4.prefix_bits = (uint8_t)(rnd(16) ? rnd(33) : rnd(256));
		if (rnd(4) == 0)
			r->v.ipv4.ip[3] ^= (uint8_t)rnd(256);
	}
}

static void gen_tag_rule(struct weft_rule *r, const struct tcase *tc)
{
	const struct weft_rules_ctx *c = &tc->ctx;
	r->v.tag.id = PICK(tag_ids);
	const struct weft_rules_tag *l = find_tag(c->local_tags, c->n_local_tags, r->v.tag.id);
	const struct weft_rules_tag *rt = find_tag(c->remote_tags, c->n_remote_tags, r->v.tag.id);
	uint32_t lv = l ? l->value : 0, rv = rt ? rt->value : 0;
	uint32_t cand[] = {
	    lv, rv, lv & rv, lv | rv, lv ^ rv, lv > rv ? lv - rv : rv - lv, PICK(tag_vals)};
	uint32_t v = PICK(cand);
	r->v.tag.value = v + (rnd(8) ? 0 : 1);
}

static void gen_int_rule(struct weft_rule *r, const struct tcase *tc)
{
	r->v.int_range.idx = (uint16_t)rnd((unsigned)tc->f.len + 10);
	r->v.int_range.format = (uint8_t)rnd(256) & 0xbf;
	uint64_t x = int_extract(tc->p, tc->f.len, r->v.int_range.idx, r->v.int_range.format);
	uint64_t lo = rnd(2) ? x - rnd(3) : next_u64(), span;
	switch (rnd(4)) {
	case 0: span = rnd(4); break;
	case 1: span = next_u64(), span >>= rnd(64); break; // often past 32 bits
	case 2: span = (1ULL << 32) + rnd(4); break;        // truncated to a tiny offset
	default: span = 0xffffffffULL - rnd(2); break;
	}
	r->v.int_range.start = lo;
	r->v.int_range.end = lo + span;
}

static void gen_match(struct weft_rule *r, const struct tcase *tc, unsigned type)
{
	const struct weft_rules_ctx *c = &tc->ctx;
	const struct weft_rules_frame *f = &tc->f;
	const uint8_t *p = tc->p;
	bool hit = rnd(2) != 0;
	switch (type) {
	case WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS:
	case WEFT_RULE_MATCH_DEST_ZEROTIER_ADDRESS:
		r->v.zt = gen_address(tc) & 0xffffffffffULL;
		break;
	case WEFT_RULE_MATCH_VLAN_ID: r->v.vlan_id = hit ? f->vlan_id : (uint16_t)rnd(3); break;
	case WEFT_RULE_MATCH_VLAN_PCP: r->v.vlan_pcp = (uint8_t)(hit ? 0 : rnd(8)); break;
	case WEFT_RULE_MATCH_VLAN_DEI: r->v.vlan_dei = (uint8_t)(hit ? 0 : rnd(2)); break;
	case WEFT_RULE_MATCH_MAC_SOURCE:
	case WEFT_RULE_MATCH_MAC_DEST: {
		uint64_t m = hit ? (type == WEFT_RULE_MATCH_MAC_SOURCE ? f->src_mac : f->dst_mac)
		                 : PICK(mac_pool);
		for (int i = 0; i < 6; i++)
			r->v.mac[i] = (uint8_t)(m >> (8 * (5 - i)));
		break;
	}
	case WEFT_RULE_MATCH_IPV4_SOURCE:
	case WEFT_RULE_MATCH_IPV4_DEST:
	case WEFT_RULE_MATCH_IPV6_SOURCE:
	case WEFT_RULE_MATCH_IPV6_DEST: gen_ip_rule(r, tc, type); break;
	case WEFT_RULE_MATCH_IP_TOS:
		r->v.ip_tos.mask = rnd(2) ? 0xff : (uint8_t)rnd(256);
		r->v.ip_tos.start = hit ? (uint8_t)(p[1] & r->v.ip_tos.mask) : (uint8_t)rnd(256);
		r->v.ip_tos.end = (uint8_t)(r->v.ip_tos.start + rnd(4));
		if (rnd(3) == 0)
			r->v.ip_tos.start = (uint8_t)rnd(256);
		break;
	case WEFT_RULE_MATCH_IP_PROTOCOL: {
		uint8_t cand[] = {p[9], p[6], 6, 17, 58, 1, 0};
		r->v.ip_protocol = hit && tc->l4 ? p[tc->l4 > 40 ? 6 : 9] : PICK(cand);
		break;
	}
	case WEFT_RULE_MATCH_ETHERTYPE:
		r->v.ethertype = hit ? f->ethertype : (uint16_t)(rnd(2) ? 0x0800 : 0x86dd);
		break;
	case WEFT_RULE_MATCH_ICMP:
		r->v.icmp.type = hit && tc->l4 ? p[tc->l4] : (uint8_t)(rnd(2) ? 8 : 128);
		r->v.icmp.code = hit && tc->l4 ? p[tc->l4 + 1] : (uint8_t)rnd(4);
		r->v.icmp.flags = (uint8_t)rnd(4);
		break;
	case WEFT_RULE_MATCH_IP_SOURCE_PORT_RANGE:
	case WEFT_RULE_MATCH_IP_DEST_PORT_RANGE: {
		size_t at = tc->l4 + (type == WEFT_RULE_MATCH_IP_DEST_PORT_RANGE ? 2 : 0);
		uint16_t x = hit && tc->l4 ? (uint16_t)be16_at(p, at) : (uint16_t)PICK(port_pool);
		near16(x, &r->v.range.start, &r->v.range.end);
		break;
	}
	case WEFT_RULE_MATCH_CHARACTERISTICS:
		r->v.characteristics = next_u64();
		r->v.characteristics =
		    hit ? tc->cf & r->v.characteristics : r->v.characteristics >> rnd(64);
		break;
	case WEFT_RULE_MATCH_FRAME_SIZE_RANGE:
		near16((uint16_t)f->len, &r->v.range.start, &r->v.range.end);
		break;
	case WEFT_RULE_MATCH_RANDOM: {
		uint32_t cand[] = {0,           1,           0xffffffffu,
		                   0xfffffffeu, 0x80000000u, (uint32_t)next_u64()};
		r->v.probability = PICK(cand);
		break;
	}
	case WEFT_RULE_MATCH_INTEGER_RANGE: gen_int_rule(r, tc); break;
	default:
		if (type >= WEFT_RULE_MATCH_TAGS_DIFFERENCE && type <= WEFT_RULE_MATCH_TAG_RECEIVER)
			gen_tag_rule(r, tc);
		(void)c;
	}
}

// focus: two match types most matches of the case are drawn from (0: none), so rare
// combinations (a field at a truncation boundary and a rule on it) come up often enough.
static void gen_rule(struct weft_rule *r, const struct tcase *tc, const unsigned focus[2],
                     bool action)
{
	static const uint8_t actions[] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 15};
	unsigned type;
	if (action || rnd(10) < 3)
		type = PICK(actions);
	else if (focus[0] && rnd(10) < 7)
		type = focus[rnd(2)];
	else if (rnd(16) == 0)
		type = rnd(2) ? 16 + rnd(8) : 52 + rnd(12); // unassigned matches
	else
		type = 24 + rnd(28);
	bool not_ = rnd(4) == 0, or_ = rnd(4) == 0; // in this order: reproducible across compilers
	weft_rule_init(r, type, not_, or_);
	if (!weft_rule_type_is_known(type)) {
		r->len = (uint8_t)(rnd(4) ? 0 : rnd(WEFT_RULE_OPAQUE_MAX + 1));
		for (unsigned i = 0; i < r->len; i++)
			r->v.opaque[i] = (uint8_t)rnd(256);
		return;
	}
	if (type == WEFT_RULE_ACTION_TEE || type == WEFT_RULE_ACTION_WATCH ||
	    type == WEFT_RULE_ACTION_REDIRECT) {
		r->v.fwd.address = gen_address(tc);
		r->v.fwd.flags = (uint32_t)next_u64();
		r->v.fwd.length = (uint16_t)(rnd(3) ? 0 : rnd((unsigned)tc->f.len + 10));
		return;
	}
	gen_match(r, tc, type);
}

static void gen_case(struct tcase *tc)
{
	static const uint64_t sources[] = {PEER, OBS_A, 0x0000000001ULL};
	struct weft_rules_ctx *c = &tc->ctx;
	gen_frame(tc);
	memset(c, 0, sizeof *c);
	c->dir = rnd(2) ? WEFT_RULES_INBOUND : WEFT_RULES_OUTBOUND;
	c->me = ME;
	if (c->dir == WEFT_RULES_INBOUND) {
		c->zt_source = PICK(sources);
		c->zt_dest = ME;
	} else {
		c->zt_source = ME;
		c->zt_dest = rnd(3) ? PICK(sources) : 0;
	}
	c->frame = &tc->f;
	c->local_tags = tc->lt;
	c->n_local_tags = gen_tags(tc->lt);
	c->remote_tags = tc->rt;
	c->n_remote_tags = gen_tags(tc->rt);
	c->net_flags = rnd(2) ? 0x08 : 0;
	c->sender_auth = rnd(2) ? WEFT_RULES_CF_SENDER_IP_AUTH : 0;
	c->sender_auth |= (rnd(2) ? WEFT_RULES_CF_SENDER_MAC_AUTH : 0);
	c->random = coin;
	tc->seed = next_u64();
	tc->cf = naive_cf(c->dir == WEFT_RULES_INBOUND, &tc->f) | c->sender_auth;
	tc->n = rnd(8) ? 1 + rnd(10) : rnd(MAX_RULES + 1);
	unsigned focus[2] = {0, 0};
	if (rnd(2))
		focus[0] = 24 + rnd(28), focus[1] = 24 + rnd(28);
	bool last_action = rnd(4) != 0;
	for (size_t i = 0; i < tc->n; i++)
		gen_rule(&tc->rules[i], tc, focus, last_action && i + 1 == tc->n);
}

// ---- comparison ---------------------------------------------------------------------------

static void run_naive(const struct tcase *tc, struct nv_out *o)
{
	struct nv s = {.c = &tc->ctx,
	               .p = tc->p,
	               .len = tc->f.len,
	               .et = tc->f.ethertype,
	               .cf = tc->cf,
	               .rand_state = tc->seed};
	naive_eval(&s, tc->rules, tc->n, o);
}

static void run_weft(struct tcase *tc, struct weft_rules_list_out *o)
{
	uint64_t state = tc->seed;
	tc->ctx.random_ctx = &state;
	memset(o, 0, sizeof *o);
	weft_rules_eval_list(&tc->ctx, tc->rules, tc->n, tc->cf, o);
	tc->ctx.random_ctx = NULL;
}

static bool same(struct tcase *tc)
{
	struct nv_out a;
	struct weft_rules_list_out b;
	run_naive(tc, &a);
	run_weft(tc, &b);
	return a.result == b.result && a.zt_dest == b.zt_dest && a.cc == b.cc &&
	       (a.cc == 0 || (a.cc_len == b.cc_len && a.cc_watch == b.cc_watch));
}

// Drops rules one at a time while the disagreement stays, so the report is short.
static void shrink(struct tcase *tc)
{
	for (size_t i = tc->n; i-- > 0;) {
		struct tcase t = *tc;
		memmove(&t.rules[i], &t.rules[i + 1], (t.n - i - 1) * sizeof t.rules[0]);
		t.n--;
		t.ctx.frame = &t.f;
		t.f.payload = t.p;
		t.ctx.local_tags = t.lt;
		t.ctx.remote_tags = t.rt;
		if (!same(&t)) {
			*tc = t;
			tc->ctx.frame = &tc->f;
			tc->f.payload = tc->p;
			tc->ctx.local_tags = tc->lt;
			tc->ctx.remote_tags = tc->rt;
		}
	}
}

static void print_hex(const char *what, const uint8_t *p, size_t n)
{
	printf("  %s (%zu):", what, n);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void print_tags(const char *what, const struct weft_rules_tag *t, size_t n)
{
	printf("  %s:", what);
	for (size_t i = 0; i < n; i++)
		printf(" %" PRIu32 "=%" PRIu32, t[i].id, t[i].value);
	printf("\n");
}

static void report(struct tcase *tc, size_t k)
{
	const struct weft_rules_ctx *c = &tc->ctx;
	uint8_t enc[MAX_RULES * WEFT_RULE_MAX_LEN];
	struct weft_wbuf w;
	struct nv_out a;
	struct weft_rules_list_out b;
	shrink(tc);
	run_naive(tc, &a);
	run_weft(tc, &b);
	wbuf_init(&w, enc, sizeof enc);
	weft_rules_encode(tc->rules, tc->n, &w);
	printf("case %zu: %s me=%010" PRIx64 " src=%010" PRIx64 " dst=%010" PRIx64 " flags=%" PRIx64
	       " cf=%016" PRIx64 " random-seed=%016" PRIx64 "\n",
	       k, c->dir == WEFT_RULES_INBOUND ? "inbound" : "outbound", c->me, c->zt_source,
	       c->zt_dest, c->net_flags, tc->cf, tc->seed);
	print_hex("rules", enc, w.len);
	printf("  frame: ethertype %04x vlan %u src-mac %012" PRIx64 " dst-mac %012" PRIx64 "\n",
	       tc->f.ethertype, tc->f.vlan_id, tc->f.src_mac, tc->f.dst_mac);
	print_hex("payload", tc->p, tc->f.len);
	print_tags("local tags", tc->lt, c->n_local_tags);
	print_tags("remote tags", tc->rt, c->n_remote_tags);
	printf("  naive: result %d zt_dest %010" PRIx64 " cc %010" PRIx64 " len %zu watch %d\n",
	       a.result, a.zt_dest, a.cc, a.cc_len, a.cc_watch);
	printf("  weft:  result %d zt_dest %010" PRIx64 " cc %010" PRIx64 " len %zu watch %d\n",
	       b.result, b.zt_dest, b.cc, b.cc_len, b.cc_watch);
}

// The helpers the caller uses to build cf and the authentication bits.
static bool helpers_agree(const struct tcase *tc)
{
	const struct weft_rules_frame *f = &tc->f;
	int inbound = tc->ctx.dir == WEFT_RULES_INBOUND;
	uint8_t a[16] = {0}, b[16] = {0};
	bool ns_a, ns_b = false;
	size_t off_b = 0, off_a = 0;
	unsigned proto_b = 0;
	if (weft_rules_characteristics(tc->ctx.dir, f) != naive_cf(inbound, f))
		return false;
	int proto_a = walk(f->payload, f->len, &off_a);
	bool ok = weft_rules_ipv6_walk(f->payload, f->len, &proto_b, &off_b);
	if (ok != (proto_a >= 0) || (ok && (proto_b != (unsigned)proto_a || off_a != off_b)))
		return false;
	size_t la = naive_sender_ip(f, a, &ns_a), lb = weft_rules_sender_ip(f, b, &ns_b);
	if (ns_a != ns_b)
		return false;
	return ns_a || (la == lb && memcmp(a, b, la) == 0);
}

static unsigned long env_or(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);
	return s && *s ? strtoul(s, NULL, 0) : dflt;
}

static void test_random(void)
{
	static struct tcase tc;
	unsigned long cases = env_or("RULES_NAIVE_CASES", 200000);
	double budget = (double)env_or("RULES_NAIVE_SECONDS", 8);
	size_t done = 0, bad = 0, bad_helpers = 0, hist[5] = {0};
	clock_t t0 = clock();
	rng = env_or("RULES_NAIVE_SEED", rng);
	t_case("eval_list agrees with the naive evaluator");
	for (; done < cases; done++) {
		if ((done & 1023) == 0 && (double)(clock() - t0) / CLOCKS_PER_SEC > budget)
			break;
		gen_case(&tc);
		if (!helpers_agree(&tc) && bad_helpers++ < 3) {
			print_hex("helpers disagree on payload", tc.p, tc.f.len);
			printf("  ethertype %04x dst-mac %012" PRIx64 "\n", tc.f.ethertype,
			       tc.f.dst_mac);
		}
		struct nv_out a;
		run_naive(&tc, &a);
		hist[a.result]++;
		if (!same(&tc) && bad++ < 5)
			report(&tc, done);
	}
	printf("rules_naive: %zu cases; naive results no-match %zu drop %zu accept %zu "
	       "super-accept %zu redirect %zu; %zu disagreements, %zu helper disagreements\n",
	       done, hist[0], hist[1], hist[2], hist[3], hist[4], bad, bad_helpers);
	T_CHECK_MSG(bad == 0, "%zu of %zu cases disagree", bad, done);
	t_case("frame helpers agree with the naive ones");
	T_CHECK_MSG(bad_helpers == 0, "%zu cases disagree", bad_helpers);
}

int main(void)
{
	t_init("unit/rules_naive");
	test_random();
	return t_done();
}
