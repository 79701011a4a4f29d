// SPDX-License-Identifier: MPL-2.0
// Rules engine cost (vl2.md §6.7, §6.8): frames per CPU second through weft_rules_filter, outbound
// and inbound, for a 200-rule firewall-like base set where most frames fall through to a late
// ACCEPT, beside an empty set (one ACCEPT) and their ratio; then the same base set without its
// ACCEPT followed by 8 capabilities of 16 rules, the last of which accepts.
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rules_eval.h"

#define RUN_SECONDS       0.2 // one timed run; each figure is the best of RUNS
#define RUNS              3
#define CALIBRATE_SECONDS 0.02
#define N_FRAMES          64
#define BASE_RULES        200
#define N_CAPS            8
#define CAP_RULES         16

#define ME       0x07d479821eULL
#define PEER     0x90b0f484acULL
#define OBSERVER 0x2b66639788ULL

struct bench {
	struct weft_rules_frame frames[N_FRAMES];
	uint8_t payload[N_FRAMES][128];
	struct weft_rules_ctx ctx;
	struct weft_rules_list base;
	const struct weft_rules_list *caps;
	size_t n_caps;
	unsigned accepted;
};

static struct weft_rule base_rules[BASE_RULES], empty_rules[1], cap_rules[N_CAPS][CAP_RULES];
static struct weft_rules_list cap_lists[N_CAPS];
static const struct weft_rules_tag local_tags[] = {{1, 10}, {2, 0x20}, {1000, 3}};
static const struct weft_rules_tag remote_tags[] = {{1, 12}, {2, 0x21}, {1000, 3}};

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t no_random(void *ctx)
{
	(void)ctx;
	return 0x12345678;
}

// ---- rule sets ----------------------------------------------------------------------------

static struct weft_rule *add(struct weft_rule *r, size_t *n, unsigned type, bool not_, bool or_)
{
	weft_rule_init(&r[*n], type, not_, or_);
	return &r[(*n)++];
}

static void v4(struct weft_rule *e, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t bits)
{
	e->v.ipv4.ip[0] = a, e->v.ipv4.ip[1] = b, e->v.ipv4.ip[2] = c, e->v.ipv4.ip[3] = d;
	e->v.ipv4.prefix_bits = bits;
}

static void ports(struct weft_rule *e, uint16_t start, uint16_t end)
{
	e->v.range.start = start, e->v.range.end = end;
}

// A blocklist the benchmark frames never hit: each set is two or three MATCHes and a DROP,
// mixing addresses, ports, ethertype and tags, then a TEE of SSH, then the closing ACCEPT.
static size_t firewall(struct weft_rule *r, bool closing_accept)
{
	size_t n = 0;
	add(r, &n, WEFT_RULE_MATCH_ETHERTYPE, true, false)->v.ethertype = 0x0800;
	add(r, &n, WEFT_RULE_MATCH_ETHERTYPE, true, false)->v.ethertype = 0x0806;
	add(r, &n, WEFT_RULE_MATCH_ETHERTYPE, true, false)->v.ethertype = 0x86dd;
	add(r, &n, WEFT_RULE_ACTION_DROP, false, false);
	for (unsigned i = 0; n + 6 < BASE_RULES - 5; i++) {
		struct weft_rule *e;
		switch (i % 5) {
		case 0:
			v4(add(r, &n, WEFT_RULE_MATCH_IPV4_SOURCE, false, false), 203, 0, 113,
			   (uint8_t)i, 32);
			ports(add(r, &n, WEFT_RULE_MATCH_IP_DEST_PORT_RANGE, false, false),
			      (uint16_t)(1000 + i), (uint16_t)(1000 + i));
			break;
		case 1:
			v4(add(r, &n, WEFT_RULE_MATCH_IPV4_DEST, false, false), 198, 51, (uint8_t)i,
			   0, 24);
			add(r, &n, WEFT_RULE_MATCH_IP_PROTOCOL, false, false)->v.ip_protocol = 17;
			break;
		case 2:
			e = add(r, &n, WEFT_RULE_MATCH_IPV6_SOURCE, false, false);
			e->v.ipv6.ip[0] = 0x20, e->v.ipv6.ip[1] = 0x01, e->v.ipv6.ip[2] = 0x0d;
			e->v.ipv6.ip[3] = 0xb8, e->v.ipv6.ip[4] = (uint8_t)i;
			e->v.ipv6.prefix_bits = 40;
			ports(add(r, &n, WEFT_RULE_MATCH_IP_SOURCE_PORT_RANGE, false, false),
			      (uint16_t)(2000 + i), (uint16_t)(2010 + i));
			break;
		case 3:
			e = add(r, &n, WEFT_RULE_MATCH_TAGS_DIFFERENCE, false, false);
			e->v.tag.id = 1, e->v.tag.value = 0;
			add(r, &n, WEFT_RULE_MATCH_ICMP, false, false)->v.icmp.type = (uint8_t)i;
			break;
		default:
			add(r, &n, WEFT_RULE_MATCH_CHARACTERISTICS, false, false)
			    ->v.characteristics = 0x0000000000000800ULL; // TCP_RESERVED_0
			ports(add(r, &n, WEFT_RULE_MATCH_IP_DEST_PORT_RANGE, false, true),
			      (uint16_t)(6000 + i), (uint16_t)(6000 + i));
			add(r, &n, WEFT_RULE_MATCH_ETHERTYPE, false, false)->v.ethertype = 0x86dd;
			break;
		}
		add(r, &n, WEFT_RULE_ACTION_DROP, false, false);
	}
	while (n < BASE_RULES - 5) // pad with never-matching MAC sets to the exact count
		add(r, &n, WEFT_RULE_MATCH_MAC_SOURCE, false, false)->v.mac[0] = 0xfe;
	ports(add(r, &n, WEFT_RULE_MATCH_IP_DEST_PORT_RANGE, false, false), 22, 22);
	add(r, &n, WEFT_RULE_ACTION_TEE, false, false)->v.fwd.address = OBSERVER;
	add(r, &n, WEFT_RULE_MATCH_TAGS_EQUAL, false, false)->v.tag.id = 999;
	add(r, &n, WEFT_RULE_ACTION_DROP, false, false);
	if (closing_accept)
		add(r, &n, WEFT_RULE_ACTION_ACCEPT, false, false);
	return n;
}

// Capability k: 15 non-matching port/address tests in 5 sets, then an ACCEPT only the
// last capability's set lets through (ports 1..65535 from any IPv4/IPv6/ARP frame).
static void capabilities(void)
{
	for (unsigned k = 0; k < N_CAPS; k++) {
		struct weft_rule *r = cap_rules[k];
		size_t n = 0;
		bool last = k == N_CAPS - 1;
		for (unsigned s = 0; s < 5; s++) {
			v4(add(r, &n, WEFT_RULE_MATCH_IPV4_DEST, false, false), 10, 99, (uint8_t)k,
			   (uint8_t)s, 32);
			ports(add(r, &n, WEFT_RULE_MATCH_IP_DEST_PORT_RANGE, false, false),
			      (uint16_t)(3000 + 10 * k + s), (uint16_t)(3000 + 10 * k + s));
			add(r, &n, WEFT_RULE_ACTION_ACCEPT, false, false);
		}
		add(r, &n, last ? WEFT_RULE_ACTION_ACCEPT : WEFT_RULE_ACTION_BREAK, false, false);
		cap_lists[k].rules = r;
		cap_lists[k].n = n;
	}
}

// ---- frames -------------------------------------------------------------------------------

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

// Frame i: TCP/UDP over IPv4 and IPv6, and ARP, with varied addresses and ports.
static void make_frame(struct bench *b, unsigned i)
{
	struct weft_rules_frame *f = &b->frames[i];
	uint8_t *p = b->payload[i];
	static const unsigned dports[] = {80, 443, 22, 53, 8080, 5201, 3478, 9993};
	memset(p, 0, sizeof b->payload[i]);
	f->payload = p;
	f->src_mac = 0x32aabbccdd00ULL | i;
	f->dst_mac = i % 16 == 15 ? 0xffffffffffffULL : 0x329dfe4a9a00ULL | (i + 1);
	unsigned kind = i % 5, sport = 40000 + i, dport = dports[i % 8];
	if (kind <= 1) { // IPv4 TCP / UDP
		f->ethertype = 0x0800;
		p[0] = 0x45, p[9] = kind == 0 ? 6 : 17;
		p[12] = 10, p[13] = 147, p[14] = 17, p[15] = (uint8_t)(1 + i);
		p[16] = 10, p[17] = 147, p[18] = 17, p[19] = (uint8_t)(100 + i);
		put16(p + 20, sport), put16(p + 22, dport);
		p[33] = 0x10; // ACK
		f->len = kind == 0 ? 40 + 24 : 28 + 36;
	} else if (kind <= 3) { // IPv6 TCP / UDP
		f->ethertype = 0x86dd;
		p[0] = 0x60, p[6] = kind == 2 ? 6 : 17, p[7] = 64;
		p[8] = 0xfd, p[9] = 0x12, p[23] = (uint8_t)(1 + i);
		p[24] = 0xfd, p[25] = 0x12, p[39] = (uint8_t)(100 + i);
		put16(p + 40, sport), put16(p + 42, dport);
		p[53] = 0x18; // ACK PSH
		f->len = 40 + 20 + 40;
	} else { // ARP request
		f->ethertype = 0x0806;
		put16(p, 1), put16(p + 2, 0x0800), p[4] = 6, p[5] = 4, put16(p + 6, 1);
		p[14] = 10, p[15] = 147, p[16] = 17, p[17] = (uint8_t)i;
		p[24] = 10, p[25] = 147, p[26] = 17, p[27] = 1;
		f->len = 28;
	}
}

// ---- timing -------------------------------------------------------------------------------

static void work(struct bench *b, size_t iters)
{
	struct weft_rules_outcome out;
	for (size_t it = 0; it < iters; it++) {
		for (unsigned i = 0; i < N_FRAMES; i++) {
			b->ctx.frame = &b->frames[i];
			weft_rules_filter(&b->ctx, &b->base, b->caps, b->n_caps, &out);
			b->accepted += out.verdict != WEFT_RULES_VERDICT_DROP;
		}
	}
}

static double time_iters(struct bench *b, size_t iters)
{
	double t0 = cpu_s();
	work(b, iters);
	return cpu_s() - t0;
}

// Best of RUNS, in frames per CPU second.
static double frames_per_s(struct bench *b)
{
	size_t n = 1;
	double t;
	while ((t = time_iters(b, n)) < CALIBRATE_SECONDS)
		n *= 2;
	n = (size_t)((double)n * RUN_SECONDS / t) + 1;
	double best = 1e30;
	for (int r = 0; r < RUNS; r++) {
		t = time_iters(b, n);
		best = t < best ? t : best;
	}
	return (double)n * N_FRAMES / best;
}

static void set_dir(struct bench *b, enum weft_rules_dir dir)
{
	struct weft_rules_ctx *c = &b->ctx;
	memset(c, 0, sizeof *c);
	c->dir = dir;
	c->me = ME;
	c->zt_source = dir == WEFT_RULES_INBOUND ? PEER : ME;
	c->zt_dest = dir == WEFT_RULES_INBOUND ? ME : PEER;
	c->local_tags = local_tags;
	c->n_local_tags = sizeof local_tags / sizeof local_tags[0];
	c->remote_tags = remote_tags;
	c->n_remote_tags = sizeof remote_tags / sizeof remote_tags[0];
	c->no_tee = false;
	c->random = no_random;
}

static double run(struct bench *b, const struct weft_rule *rules, size_t n,
                  const struct weft_rules_list *caps, size_t n_caps, unsigned *accepted)
{
	b->base.rules = rules;
	b->base.n = n;
	b->caps = caps;
	b->n_caps = n_caps;
	b->accepted = 0;
	work(b, 1);
	*accepted = b->accepted;
	return frames_per_s(b);
}

int main(void)
{
	static struct bench b;
	size_t n_base = firewall(base_rules, true), n_nocaps = firewall(base_rules, false);
	weft_rule_init(&empty_rules[0], WEFT_RULE_ACTION_ACCEPT, false, false);
	capabilities();
	firewall(base_rules, true);
	for (unsigned i = 0; i < N_FRAMES; i++)
		make_frame(&b, i);
	printf("rules: weft_rules_filter over %d frames (IPv4/IPv6 TCP+UDP, ARP), frames per CPU "
	       "second, best of %d\n",
	       N_FRAMES, RUNS);
	printf("%-9s %14s %14s %7s %18s %7s\n", "direction", "empty (1)", "base (200)", "ratio",
	       "base-1 + 8x16 caps", "ratio");
	for (int d = 0; d < 2; d++) {
		enum weft_rules_dir dir = d ? WEFT_RULES_INBOUND : WEFT_RULES_OUTBOUND;
		unsigned acc_e, acc_b, acc_c;
		set_dir(&b, dir);
		double empty = run(&b, empty_rules, 1, NULL, 0, &acc_e);
		double base = run(&b, base_rules, n_base, NULL, 0, &acc_b);
		firewall(base_rules, false);
		double caps = run(&b, base_rules, n_nocaps, cap_lists, N_CAPS, &acc_c);
		firewall(base_rules, true);
		printf("%-9s %14.0f %14.0f %6.1f%% %18.0f %6.1f%%   (accepted %u/%u/%u of %d)\n",
		       d ? "inbound" : "outbound", empty, base, 100.0 * base / empty, caps,
		       100.0 * caps / empty, acc_e, acc_b, acc_c, N_FRAMES);
	}
	return 0;
}
