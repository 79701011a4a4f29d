// SPDX-License-Identifier: MPL-2.0
// core/rules_eval.h against a deliberately naive reference written from vl2.md §6 (bit-by-bit
// prefixes and integer extraction, the §6.2 pseudo-code and the §6.7/§6.8 pipelines written
// out straight), on random rule lists, capabilities, tags and frames biased towards hits; plus
// a few hand-made checks of the characteristics and sender-address helpers.
#include <stdlib.h>
#include <string.h>

#include "rules_eval.h"
#include "t.h"

#define ME    0x07d479821eULL
#define PEER  0x90b0f484acULL
#define OBS_A 0x2b66639788ULL
#define OBS_B 0x648e4e0835ULL

enum { HNO = -1, NO = 0, YES = 1, HYES = 2 };
enum { R_NONE, R_DROP, R_ACCEPT, R_SUPER, R_REDIRECT };

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t next_u64(void)
{
	return t_splitmix64(&rng_state);
}

static unsigned rnd(unsigned n)
{
	return (unsigned)(next_u64() % n);
}

// MATCH_RANDOM's source: a counter both evaluators restart from the same seed.
static uint32_t coin(void *ctx)
{
	uint64_t *s = ctx;
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 32);
}

// ---- the naive reference ------------------------------------------------------------------

struct ref {
	const struct weft_rules_ctx *c;
	const uint8_t *p;
	size_t len;
	uint64_t cf;
	int skip_drop, super_accept;
	uint64_t dest, cc;
	size_t cc_len;
	int cc_watch;
};

static int bit_of(const uint8_t *b, unsigned i) // bit i counted from the most significant
{
	return (b[i / 8] >> (7 - i % 8)) & 1;
}

static int ref_walk(const uint8_t *p, size_t len, size_t *off)
{
	if (len < 40)
		return -1;
	int proto = p[6];
	size_t at = 40;
	while (proto == 0 || proto == 43 || proto == 60 || proto == 135) {
		if (at + 8 > len)
			return -1;
		size_t next = at + 8 + 8 * (size_t)p[at + 1];
		proto = p[at];
		at = next;
	}
	if (at > len)
		return -1;
	*off = at;
	return proto;
}

static int v4(const struct ref *r)
{
	return r->c->frame->ethertype == 0x0800 && r->len >= 20;
}

static int v6(const struct ref *r)
{
	return r->c->frame->ethertype == 0x86dd && r->len >= 40;
}

static int tf(int b)
{
	return b ? YES : NO;
}

static int ref_ipv4(const struct ref *r, const struct weft_rule *e, size_t at)
{
	if (!v4(r))
		return HNO;
	for (unsigned i = 0; i < e->v.ipv4.prefix_bits && i < 32; i++)
		if (bit_of(r->p + at, i) != bit_of(e->v.ipv4.ip, i))
			return NO;
	return YES;
}

static int ref_ipv6(const struct ref *r, const struct weft_rule *e, size_t at)
{
	if (!v6(r))
		return HNO;
	for (unsigned i = 0; i < 128; i++) {
		int want = bit_of(e->v.ipv6.ip, i);
		int got = i < e->v.ipv6.prefix_bits ? bit_of(r->p + at, i) : 0;
		if (want != got)
			return NO;
	}
	return YES;
}

// Transport header offset and protocol; -1 non-IP, -2 IPv6 walk failure.
static int ref_l4(const struct ref *r, size_t *h)
{
	if (v4(r)) {
		*h = (size_t)(r->p[0] & 15) * 4;
		return r->p[9];
	}
	if (r->c->frame->ethertype == 0x86dd) {
		int pr = ref_walk(r->p, r->len, h);
		return pr < 0 ? -2 : pr;
	}
	return -1;
}

static int ref_icmp(const struct ref *r, const struct weft_rule *e)
{
	size_t h = 0;
	int pr = ref_l4(r, &h);
	if (pr < 0 || pr != (v4(r) ? 1 : 58))
		return HNO;
	if (h + 2 > r->len || r->p[h] != e->v.icmp.type)
		return HNO;
	if (!(e->v.icmp.flags & 1))
		return HYES;
	return tf(r->p[h + 1] == e->v.icmp.code);
}

static int ref_port(const struct ref *r, const struct weft_rule *e, int dst)
{
	size_t h = 0;
	int pr = ref_l4(r, &h);
	if (pr < 0)
		return HNO;
	if (!(pr == 6 || pr == 17 || pr == 132 || pr == 136) || !(r->len > h + 4))
		return NO;
	unsigned port = (unsigned)r->p[h + (dst ? 2 : 0)] * 256 + r->p[h + (dst ? 3 : 1)];
	if (!v4(r) && port == 0)
		return NO;
	return tf(port >= e->v.range.start && port <= e->v.range.end);
}

static int ref_tos(const struct ref *r, const struct weft_rule *e)
{
	unsigned v;
	if (v4(r))
		v = r->p[1];
	else if (v6(r))
		v = (unsigned)((r->p[0] & 0x0f) * 16 + r->p[1] / 16);
	else
		return HNO;
	v = v & e->v.ip_tos.mask;
	return tf(e->v.ip_tos.start <= v && v <= e->v.ip_tos.end);
}

static int ref_proto(const struct ref *r, const struct weft_rule *e)
{
	size_t h = 0;
	int pr = ref_l4(r, &h);
	if (pr < 0)
		return HNO;
	return tf(pr == e->v.ip_protocol);
}

// Bit by bit: BE = low `bits` bits of the 64-bit word at idx; LE = top `bits` bits of the
// little-endian integer of ceil(bits/8) bytes at idx.
static uint64_t ref_int(const struct ref *r, const struct weft_rule *e)
{
	unsigned bits = (e->v.int_range.format & 63) + 1, nbytes = (bits + 7) / 8;
	size_t idx = e->v.int_range.idx;
	uint64_t x = 0;
	if (!(e->v.int_range.format & 0x80)) {
		if (idx + 8 > r->len)
			return 0;
		for (unsigned j = 0; j < bits; j++)
			x |= (uint64_t)((r->p[idx + 7 - j / 8] >> (j % 8)) & 1) << j;
		return x;
	}
	if (idx + nbytes > r->len)
		return 0;
	for (unsigned j = 0; j < bits; j++) {
		unsigned k = j + 8 * nbytes - bits;
		x |= (uint64_t)((r->p[idx + k / 8] >> (k % 8)) & 1) << j;
	}
	return x;
}

static int ref_intrange(const struct ref *r, const struct weft_rule *e)
{
	uint64_t x = ref_int(r, e);
	uint32_t delta = (uint32_t)(e->v.int_range.end - e->v.int_range.start);
	uint64_t hi = e->v.int_range.start + delta;
	return tf(x >= e->v.int_range.start && x <= hi);
}

static int tag_of(const struct weft_rules_tag *t, size_t n, uint32_t id, uint32_t *v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].id == id) {
			*v = t[i].value;
			return 1;
		}
	return 0;
}

static int ref_tags(struct ref *r, const struct weft_rule *e, unsigned type)
{
	const struct weft_rules_ctx *c = r->c;
	uint32_t l = 0, rv = 0, v = e->v.tag.value;
	int hl = tag_of(c->local_tags, c->n_local_tags, e->v.tag.id, &l);
	int hr = tag_of(c->remote_tags, c->n_remote_tags, e->v.tag.id, &rv);
	if (!hl)
		return HNO;
	if (!hr && c->dir == WEFT_RULES_INBOUND && !r->super_accept)
		return HNO;
	if (!hr) {
		r->skip_drop = 1;
		return HYES;
	}
	int64_t d = (int64_t)l - (int64_t)rv;
	if (type == 44)
		return tf((d < 0 ? -d : d) <= (int64_t)v);
	if (type == 45)
		return tf((l & rv) == v);
	if (type == 46)
		return tf((l | rv) == v);
	if (type == 47)
		return tf((l ^ rv) == v);
	return tf(l == v && rv == v);
}

static int ref_tag_side(struct ref *r, const struct weft_rule *e, unsigned type)
{
	const struct weft_rules_ctx *c = r->c;
	int in = c->dir == WEFT_RULES_INBOUND;
	uint32_t v = 0;
	if (r->super_accept) {
		r->skip_drop = 1;
		return HYES;
	}
	if (type == 49 && in) {
		if (tag_of(c->remote_tags, c->n_remote_tags, e->v.tag.id, &v))
			return tf(v == e->v.tag.value);
		return HNO;
	}
	if (type == 50 && !in) {
		if (tag_of(c->remote_tags, c->n_remote_tags, e->v.tag.id, &v))
			return tf(v == e->v.tag.value);
		r->skip_drop = 1;
		return HYES;
	}
	if (tag_of(c->local_tags, c->n_local_tags, e->v.tag.id, &v))
		return tf(v == e->v.tag.value);
	return HNO;
}

static uint64_t mac48(const uint8_t m[6])
{
	uint64_t x = 0;
	for (int i = 0; i < 6; i++)
		x = x * 256 + m[i];
	return x;
}

static int ref_match(struct ref *r, const struct weft_rule *e)
{
	const struct weft_rules_ctx *c = r->c;
	unsigned type = e->t & 63;
	switch (type) {
	case 24: return tf(e->v.zt == c->zt_source);
	case 25: return tf(e->v.zt == c->zt_dest);
	case 26: return tf(e->v.vlan_id == c->frame->vlan_id);
	case 27: return tf(e->v.vlan_pcp == 0);
	case 28: return tf(e->v.vlan_dei == 0);
	case 29: return tf(mac48(e->v.mac) == c->frame->src_mac);
	case 30: return tf(mac48(e->v.mac) == c->frame->dst_mac);
	case 31: return ref_ipv4(r, e, 12);
	case 32: return ref_ipv4(r, e, 16);
	case 33: return ref_ipv6(r, e, 8);
	case 34: return ref_ipv6(r, e, 24);
	case 35: return ref_tos(r, e);
	case 36: return ref_proto(r, e);
	case 37: return tf(e->v.ethertype == c->frame->ethertype);
	case 38: return ref_icmp(r, e);
	case 39: return ref_port(r, e, 0);
	case 40: return ref_port(r, e, 1);
	case 41: return tf((r->cf & e->v.characteristics) != 0);
	case 42: return tf(r->len >= e->v.range.start && r->len <= e->v.range.end);
	case 43: return tf(c->random(c->random_ctx) <= e->v.probability);
	case 44:
	case 45:
	case 46:
	case 47:
	case 48: return ref_tags(r, e, type);
	case 49:
	case 50: return ref_tag_side(r, e, type);
	case 51: return ref_intrange(r, e);
	default: return tf((c->net_flags & 0x08) != 0);
	}
}

static uint64_t ref_cf(const struct ref *r)
{
	const struct weft_rules_frame *f = r->c->frame;
	uint64_t cf = r->c->sender_auth;
	size_t h = 0;
	if (r->c->dir == WEFT_RULES_INBOUND)
		cf |= 1ULL << 63;
	if (f->dst_mac & 0x010000000000ULL)
		cf |= 1ULL << 62;
	if (f->dst_mac == 0xffffffffffffULL)
		cf |= 1ULL << 61;
	int pr = ref_l4(r, &h);
	int ok = v4(r) ? (r->len >= h + 14) : (r->len > h + 14);
	if (pr == 6 && ok)
		cf |= r->p[h + 13] | (uint64_t)(r->p[h + 12] & 15) << 8;
	return cf;
}

// §6.2 written out; returns R_*.
static int ref_list(struct ref *r, const struct weft_rule *rules, size_t n)
{
	const struct weft_rules_ctx *c = r->c;
	int m = 1;
	r->skip_drop = r->super_accept = 0;
	r->dest = c->zt_dest;
	r->cc = 0;
	r->cc_len = 0;
	r->cc_watch = 0;
	for (size_t i = 0; i < n; i++) {
		const struct weft_rule *e = &rules[i];
		unsigned type = e->t & 63;
		uint64_t f = e->v.fwd.address & 0xffffffffffULL;
		int fwd = type == 2 || type == 3 || type == 4;
		if (type < 16 && !m) {
			if (c->dir == WEFT_RULES_INBOUND && fwd && f == c->me)
				r->super_accept = 1;
			m = 1;
		} else if (type < 16) {
			if (type == 6)
				return R_ACCEPT;
			if (type == 0 && r->skip_drop)
				r->skip_drop = 0;
			else if (type == 0)
				return R_DROP;
			if (type == 1)
				return r->super_accept ? R_SUPER : R_ACCEPT;
			if (type == 5)
				return R_NONE;
			if (!fwd || f == c->zt_source)
				continue;
			if (f == c->me && c->dir == WEFT_RULES_INBOUND)
				return R_SUPER;
			if (f == c->me || f == r->dest)
				continue;
			if (type == 4) {
				r->dest = f;
				return R_REDIRECT;
			}
			r->cc = f;
			r->cc_len = e->v.fwd.length == 0 || e->v.fwd.length > r->len
			                ? r->len
			                : e->v.fwd.length;
			r->cc_watch = type == 3;
		} else if (m || (e->t & 0x40)) {
			int res = ref_match(r, e);
			int b = res == HYES ? 1 : res == HNO ? 0 : (res ^ ((e->t & 0x80) ? 1 : 0));
			m = (e->t & 0x40) ? (m | b) : (m & b);
		}
	}
	return R_NONE;
}

struct ref_out {
	int verdict; // WEFT_RULES_VERDICT_*
	struct weft_rules_copy copies[8];
	unsigned n;
};

static void ref_copy(struct ref_out *o, uint64_t to, int flags, size_t len)
{
	o->copies[o->n].to = to;
	o->copies[o->n].flags = (uint8_t)flags;
	o->copies[o->n].len = len;
	o->n++;
}

static void ref_cc(const struct ref *r, struct ref_out *o)
{
	int in = r->c->dir == WEFT_RULES_INBOUND;
	if (!r->cc || (!in && r->c->no_tee))
		return;
	if (in)
		ref_copy(o, r->cc, r->cc_watch ? 0x1c : 0x08, r->cc_len);
	else
		ref_copy(o, r->cc, r->cc_watch ? 0x16 : 0x02, r->cc_len);
}

// §6.7 and §6.8 written out.
static void ref_filter(const struct weft_rules_ctx *c, const struct weft_rules_list *base,
                       const struct weft_rules_list *caps, size_t n_caps, struct ref_out *o)
{
	struct ref b = {.c = c, .p = c->frame->payload, .len = c->frame->len};
	struct ref k;
	int in = c->dir == WEFT_RULES_INBOUND, res, accepted = 0;
	uint64_t dest;
	memset(o, 0, sizeof *o);
	b.cf = ref_cf(&b);
	k = b;
	res = ref_list(&b, base->rules, base->n);
	dest = b.dest;
	if (res == R_DROP)
		return;
	if (res == R_NONE) {
		for (size_t i = 0; i < n_caps && !accepted; i++) {
			int rc = ref_list(&k, caps[i].rules, caps[i].n);
			if (rc == R_ACCEPT || rc == R_SUPER || rc == R_REDIRECT) {
				accepted = 1;
				res = rc;
				dest = k.dest;
				ref_cc(&k, o);
			}
		}
		if (!accepted)
			return;
	}
	ref_cc(&b, o);
	if (dest != c->zt_dest && dest) {
		ref_copy(o, dest, in ? 0x0a : 0x04, b.len);
		o->verdict = WEFT_RULES_VERDICT_REDIRECT;
		return;
	}
	o->verdict =
	    (in && res == R_SUPER) ? WEFT_RULES_VERDICT_SUPER_ACCEPT : WEFT_RULES_VERDICT_ACCEPT;
}

// ---- random inputs ------------------------------------------------------------------------

struct world {
	struct weft_rules_ctx ctx;
	struct weft_rules_frame frame;
	uint8_t payload[160];
	struct weft_rule base_rules[16], cap_rules[4][10];
	struct weft_rules_list base, caps[4];
	size_t n_caps;
	struct weft_rules_tag ltags[4], rtags[4];
};

static uint64_t pick_addr(void)
{
	static const uint64_t a[] = {ME, PEER, OBS_A, OBS_B, 0};
	return a[rnd(5)];
}

// A byte the frame holds at a random offset, so matches hit often.
static uint8_t frame_byte(const struct weft_rules_frame *f)
{
	return f->len ? f->payload[rnd((unsigned)f->len)] : (uint8_t)rnd(256);
}

static uint16_t frame_u16(const struct weft_rules_frame *f, size_t at)
{
	if (at + 2 > f->len || rnd(4) == 0)
		return (uint16_t)rnd(65536);
	return (uint16_t)(f->payload[at] << 8 | f->payload[at + 1]);
}

static void gen_ip_match(struct weft_rule *e, unsigned type, const struct weft_rules_frame *f)
{
	size_t at = (type == 31) ? 12 : (type == 32) ? 16 : (type == 33) ? 8 : 24;
	size_t n = type <= 32 ? 4 : 16;
	uint8_t *ip = type <= 32 ? e->v.ipv4.ip : e->v.ipv6.ip;
	for (size_t i = 0; i < n; i++)
		ip[i] = at + i < f->len && rnd(8) ? f->payload[at + i] : (uint8_t)rnd(256);
	uint8_t bits = (uint8_t)(rnd(8) == 0 ? rnd(256) : rnd((unsigned)(8 * n + 1)));
	if (rnd(8) == 0)
		bits = (uint8_t)(8 * n - rnd(2));
	if (type <= 32)
		e->v.ipv4.prefix_bits = bits;
	else
		e->v.ipv6.prefix_bits = bits;
	// IPv6 rule addresses are mostly clean of host bits, as a controller writes them
	for (unsigned i = bits; type > 32 && rnd(4) && i < 128; i++)
		ip[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

static void gen_misc_match(struct weft_rule *e, unsigned type, const struct weft_rules_frame *f)
{
	static const uint64_t chars[] = {1ULL << 63, 1ULL << 62, 1ULL << 61, 1ULL << 60,
	                                 1ULL << 59, 0x02,       0x10,       0x12,
	                                 0x100,      0x800,      0x01};
	switch (type) {
	case 35:
		e->v.ip_tos.mask = rnd(2) ? 0xff : (uint8_t)rnd(256);
		e->v.ip_tos.start = (uint8_t)rnd(2) ? frame_byte(f) : (uint8_t)rnd(256);
		e->v.ip_tos.end = (uint8_t)(e->v.ip_tos.start + rnd(64));
		break;
	case 36: e->v.ip_protocol = rnd(2) ? frame_byte(f) : (uint8_t)(1 + 5 * rnd(4)); break;
	case 37: e->v.ethertype = rnd(2) ? f->ethertype : 0x0800; break;
	case 38:
		e->v.icmp.type = rnd(2) ? frame_byte(f) : (uint8_t)rnd(4);
		e->v.icmp.code = frame_byte(f);
		e->v.icmp.flags = (uint8_t)rnd(4);
		break;
	case 39:
	case 40:
	case 42: {
		uint16_t v = type == 42 ? (uint16_t)(f->len - rnd(3))
		                        : frame_u16(f, rnd(2) ? 20 + 2 * rnd(2) : 40 + 2 * rnd(8));
		e->v.range.start = v > 2 ? (uint16_t)(v - rnd(3)) : 0;
		e->v.range.end = (uint16_t)(v + rnd(3));
		break;
	}
	case 41: e->v.characteristics = chars[rnd(11)] | (rnd(4) ? 0 : chars[rnd(11)]); break;
	case 43: e->v.probability = (uint32_t)next_u64(); break;
	default: break;
	}
}

static void gen_int_range(struct weft_rule *e, const struct weft_rules_frame *f)
{
	e->v.int_range.idx = (uint16_t)rnd((unsigned)f->len + 10);
	e->v.int_range.format =
	    (uint8_t)(rnd(2) ? rnd(256) : (rnd(2) << 7) | (rnd(2) ? 8 * rnd(8) + 7 : 62 + rnd(2)));
	e->v.int_range.start = rnd(3) ? next_u64() >> rnd(64) : 0;
	e->v.int_range.end = e->v.int_range.start + (rnd(3) ? next_u64() >> rnd(64) : rnd(100));
	if (rnd(2)) { // a range around the value actually in the frame
		struct ref r = {.p = f->payload, .len = f->len};
		e->v.int_range.start = ref_int(&r, e) - rnd(3);
		e->v.int_range.end = e->v.int_range.start + rnd(5);
	}
}

static void gen_rule(struct weft_rule *e, const struct weft_rules_frame *f)
{
	static const unsigned actions[] = {0, 1, 2, 3, 4, 5, 6, 9};
	unsigned type = rnd(3) == 0 ? actions[rnd(8)] : 16 + rnd(48);
	bool known = weft_rule_type_is_known(type);
	if (known)
		weft_rule_init(e, type, rnd(3) == 0, rnd(3) == 0);
	else {
		memset(e, 0, sizeof *e);
		e->t = (uint8_t)(type | (rnd(2) ? WEFT_RULE_NOT : 0) | (rnd(2) ? WEFT_RULE_OR : 0));
	}
	if (type >= 2 && type <= 4) {
		e->v.fwd.address = pick_addr() | (rnd(8) ? 0 : 0xab00000000000000ULL);
		e->v.fwd.length = (uint16_t)(rnd(2) ? 0 : rnd(200));
	} else if (type == 24 || type == 25) {
		e->v.zt = pick_addr();
	} else if (type >= 26 && type <= 28) {
		e->v.vlan_id = (uint16_t)rnd(2);
		e->v.vlan_pcp = e->v.vlan_dei = (uint8_t)rnd(2);
	} else if (type == 29 || type == 30) {
		uint64_t m = rnd(2) ? f->src_mac : f->dst_mac;
		for (int i = 0; i < 6; i++)
			e->v.mac[i] = (uint8_t)(m >> (40 - 8 * i));
	} else if (type >= 31 && type <= 34) {
		gen_ip_match(e, type, f);
	} else if (type >= 44 && type <= 50) {
		e->v.tag.id = 1 + rnd(3);
		e->v.tag.value = rnd(4);
	} else if (type == 51) {
		gen_int_range(e, f);
	} else {
		gen_misc_match(e, type, f);
	}
}

// IPv4/IPv6/ARP/other payloads with real-looking headers and random contents.
static void gen_frame(struct world *w)
{
	static const uint16_t types[] = {0x0800, 0x0800, 0x86dd, 0x86dd, 0x0806, 0x1234};
	static const uint8_t protos[] = {1, 6, 17, 132, 136, 58, 0, 43, 60, 135, 44, 6, 17};
	struct weft_rules_frame *f = &w->frame;
	// lengths cluster around the header boundaries the matches test
	size_t len = rnd(4) == 0 ? rnd(160) : rnd(2) ? 20 + rnd(100) : 34 + 8 * rnd(4) + rnd(24);
	for (size_t i = 0; i < sizeof w->payload; i++)
		w->payload[i] = (uint8_t)(rnd(3) ? rnd(4) : rnd(256));
	f->ethertype = types[rnd(6)];
	if (f->ethertype == 0x0800) {
		w->payload[0] = (uint8_t)(0x40 | (rnd(4) ? 5 : rnd(16)));
		w->payload[9] = protos[rnd(13)];
	} else if (f->ethertype == 0x86dd) {
		w->payload[0] = (uint8_t)(0x60 | rnd(16));
		w->payload[6] = protos[rnd(13)];
		for (size_t at = 40; at + 2 < sizeof w->payload; at += 8)
			w->payload[at] = protos[rnd(13)];
		if (rnd(2))
			w->payload[40] = (uint8_t)(135 + rnd(2));
	}
	uint64_t dsts[] = {0xffffffffffffULL, 0x333300000001ULL, 0x0207da0cc1b0ULL, next_u64()};
	if (rnd(3) == 0) // just past the network header, where the length checks bite
		len = (f->ethertype == 0x0800 ? 4 * (size_t)(w->payload[0] & 15) : 40) + rnd(24);
	f->dst_mac = dsts[rnd(4)] & 0xffffffffffffULL;
	f->src_mac = next_u64() & 0xffffffffffffULL;
	f->vlan_id = 0;
	f->payload = w->payload;
	f->len = len;
}

static void gen_tags(struct weft_rules_tag *t, size_t *n)
{
	*n = rnd(4);
	for (size_t i = 0; i < *n; i++)
		t[i] = (struct weft_rules_tag){1 + rnd(3), rnd(4)};
}

static void gen_world(struct world *w)
{
	struct weft_rules_ctx *c = &w->ctx;
	memset(c, 0, sizeof *c);
	gen_frame(w);
	w->base = (struct weft_rules_list){w->base_rules, rnd(17)};
	for (size_t i = 0; i < w->base.n; i++)
		gen_rule(&w->base_rules[i], &w->frame);
	w->n_caps = rnd(5);
	for (size_t k = 0; k < w->n_caps; k++) {
		w->caps[k] = (struct weft_rules_list){w->cap_rules[k], rnd(11)};
		for (size_t i = 0; i < w->caps[k].n; i++)
			gen_rule(&w->cap_rules[k][i], &w->frame);
	}
	gen_tags(w->ltags, &c->n_local_tags);
	gen_tags(w->rtags, &c->n_remote_tags);
	c->local_tags = w->ltags;
	c->remote_tags = w->rtags;
	c->dir = rnd(2) ? WEFT_RULES_INBOUND : WEFT_RULES_OUTBOUND;
	c->me = ME;
	c->zt_source = c->dir == WEFT_RULES_INBOUND ? PEER : (rnd(8) ? ME : OBS_A);
	c->zt_dest = c->dir == WEFT_RULES_INBOUND ? ME : (rnd(4) ? PEER : 0);
	c->frame = &w->frame;
	c->net_flags = rnd(2) ? 0x08 : 0x02;
	c->sender_auth = rnd(2) ? 0 : WEFT_RULES_CF_SENDER_IP_AUTH;
	c->no_tee = rnd(4) == 0;
	c->random = coin;
}

static void test_helpers(void)
{
	uint8_t p[80] = {0}, ip[16];
	bool ns = false;
	struct weft_rules_frame f = {
	    .dst_mac = 0xffffffffffffULL, .ethertype = 0x0800, .payload = p, .len = 40};
	t_case("characteristics and sender address on hand-made frames");
	p[0] = 0x45;
	p[9] = 6;
	p[12] = 10;
	p[32] = 0x5f; // data offset 5, reserved/NS bits 0xf
	p[33] = 0x12; // SYN|ACK
	T_CHECK(
	    weft_rules_characteristics(WEFT_RULES_INBOUND, &f) ==
	    (WEFT_RULES_CF_INBOUND | WEFT_RULES_CF_MULTICAST | WEFT_RULES_CF_BROADCAST | 0xf12));
	f.len = 33; // TCP header cut before its flags: no TCP bits
	T_CHECK(weft_rules_characteristics(WEFT_RULES_OUTBOUND, &f) ==
	        (WEFT_RULES_CF_MULTICAST | WEFT_RULES_CF_BROADCAST));
	T_CHECK(weft_rules_sender_ip(&f, ip, &ns) == 4 && ip[0] == 10 && !ns);
	f.ethertype = 0x86dd;
	f.len = 64;
	p[6] = 58;
	p[40] = 135;
	T_CHECK(weft_rules_sender_ip(&f, ip, &ns) == 16 && ns);
	p[40] = 136;
	p[48] = 0xfd;
	T_CHECK(weft_rules_sender_ip(&f, ip, &ns) == 16 && !ns && ip[0] == 0xfd);
	f.ethertype = 0x0806;
	f.len = 27;
	T_CHECK(weft_rules_sender_ip(&f, ip, &ns) == 0);
}

// ---- the comparison -----------------------------------------------------------------------

static unsigned verdict_seen[4];

static void compare_once(unsigned iter)
{
	static struct world w;
	struct weft_rules_outcome got;
	struct ref_out exp;
	uint64_t s1 = next_u64(), s2 = s1;
	gen_world(&w);
	w.ctx.random_ctx = &s1;
	weft_rules_filter(&w.ctx, &w.base, w.caps, w.n_caps, &got);
	w.ctx.random_ctx = &s2;
	ref_filter(&w.ctx, &w.base, w.caps, w.n_caps, &exp);
	verdict_seen[got.verdict]++;
	bool same = (int)got.verdict == exp.verdict && got.n_copies == exp.n && s1 == s2;
	for (unsigned i = 0; same && i < exp.n; i++)
		same = got.copies[i].to == exp.copies[i].to &&
		       got.copies[i].flags == exp.copies[i].flags &&
		       got.copies[i].len == exp.copies[i].len;
	T_CHECK_MSG(same, "iteration %u: verdict %d/%d copies %u/%u", iter, (int)got.verdict,
	            exp.verdict, got.n_copies, exp.n);
	T_CHECK(got.qos_bucket == 0);
}

static void test_random(void)
{
	t_case("random rule lists and frames against the naive reference");
	for (unsigned i = 0; i < 60000; i++)
		compare_once(i);
	// the generator must reach every verdict, or the comparison proves little
	for (unsigned v = 0; v < 4; v++)
		T_CHECK_MSG(verdict_seen[v] > 100, "verdict %u seen %u times", v, verdict_seen[v]);
}

// One match then ACCEPT: the list's result shows the match's own result, NOT and HARD included.
static void test_single_matches(void)
{
	static struct world w;
	unsigned fails = 0;
	t_case("single matches against the naive reference");
	for (unsigned i = 0; i < 200000; i++) {
		struct weft_rules_list_out got;
		uint64_t s1 = next_u64(), s2 = s1;
		gen_world(&w);
		do
			gen_rule(&w.base_rules[0], &w.frame);
		while (weft_rule_type(&w.base_rules[0]) <= WEFT_RULE_ACTION_LAST);
		weft_rule_init(&w.base_rules[1], WEFT_RULE_ACTION_ACCEPT, false, false);
		struct ref r = {.c = &w.ctx, .p = w.frame.payload, .len = w.frame.len};
		r.cf = ref_cf(&r);
		w.ctx.random_ctx = &s1;
		weft_rules_eval_list(&w.ctx, w.base_rules, 2, r.cf, &got);
		w.ctx.random_ctx = &s2;
		int exp = ref_list(&r, w.base_rules, 2);
		bool ok = (exp == R_ACCEPT) == (got.result == WEFT_RULES_ACCEPT) && s1 == s2;
		T_CHECK_MSG(ok || fails++ > 5, "iteration %u: type %u got %d expected %d", i,
		            weft_rule_type(&w.base_rules[0]), (int)got.result, exp);
	}
	T_CHECK(fails == 0);
}

int main(void)
{
	t_init("unit/rules_eval");
	test_helpers();
	test_single_matches();
	test_random();
	return t_done();
}
