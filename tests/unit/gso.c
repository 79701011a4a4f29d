// SPDX-License-Identifier: MPL-2.0
// os/gso.h: the internet checksum against a deliberately naive byte-by-byte reference (random
// buffers, odd addresses, chained odd splits); TCP super-packets over IPv4 and IPv6 with and
// without options cut at many MSS values, every segment's headers, flags and checksums checked
// and the payload reassembled; checksum completion of single TCP, UDP and non-IP frames; and
// malformed inputs, which must be refused with nothing delivered.
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gso.h"
#include "t.h"

static uint64_t rng_state = 0x6a09e667f3bcc908ULL;

static uint64_t next_u64(void)
{
	return t_splitmix64(&rng_state);
}

static size_t rnd_below(size_t n)
{
	return (size_t)(next_u64() % n);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)next_u64();
}

// --- The reference checksum: one byte at a time, big-endian words, no cleverness -----------

// Folded (not complemented) sum of p[0..n) placed at byte offset `at` of the whole.
static uint32_t ref_sum(uint32_t sum, const uint8_t *p, size_t n, size_t at)
{
	uint64_t s = sum;
	for (size_t i = 0; i < n; i++)
		s += ((at + i) % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static uint16_t ref_csum(const uint8_t *p, size_t n)
{
	return (uint16_t)~ref_sum(0, p, n, 0);
}

// --- Checksum helpers ------------------------------------------------------------------------

static void test_csum_known(void)
{
	t_case("checksum: RFC 1071 example and edge values");
	// RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
	const uint8_t ex[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	T_CHECK(weft_csum_add(0, ex, sizeof ex) == 0xddf2);
	T_CHECK(weft_csum_fold(0xddf2) == 0x220d);
	T_CHECK(weft_csum_add(0, ex, 0) == 0);
	T_CHECK(weft_csum_add(0x1234, ex, 0) == 0x1234);
	T_CHECK(weft_csum_add(0xffffffffu, ex, 0) == 0xffff);
	const uint8_t one = 0xab;
	T_CHECK(weft_csum_add(0, &one, 1) == 0xab00);
	T_CHECK(weft_csum_add_at(0, &one, 1, 1) == 0x00ab);
	T_CHECK(weft_csum_add_at(0, &one, 1, 2) == 0xab00);
	T_CHECK(weft_csum_fold(0) == 0xffff && weft_csum_fold(0xffff) == 0);
	T_CHECK(weft_csum_fold(0x1fffe) == 0);
	uint8_t ones[4096];
	memset(ones, 0xff, sizeof ones);
	T_CHECK(weft_csum_add(0, ones, sizeof ones) == 0xffff);
	memset(ones, 0, sizeof ones);
	T_CHECK(weft_csum_add(0, ones, sizeof ones) == 0);
}

static void test_csum_random(void)
{
	enum { BUF = 70000 };
	uint8_t *buf = malloc(BUF + 16);
	unsigned bad_whole = 0, bad_even = 0, bad_odd = 0, bad_seed = 0, iters = 0;
	t_case("checksum: random buffers at random addresses and chained splits vs the reference");
	for (unsigned it = 0; it < 6000; it++, iters++) {
		size_t len = it % 10 == 0 ? rnd_below(BUF) : rnd_below(2100);
		size_t shift = rnd_below(16);
		uint8_t *p = buf + shift;
		fill_random(p, len);
		if (it % 7 == 0 && len) // long runs of 0xff stress the carries
			memset(p, 0xff, rnd_below(len));
		uint32_t want = ref_sum(0, p, len, 0);
		if (weft_csum_add(0, p, len) != want)
			bad_whole++;
		uint32_t seed = (uint32_t)next_u64();
		if (weft_csum_add(seed, p, len) != ref_sum(seed, p, len, 0))
			bad_seed++;
		// Chained with cuts at random positions, each piece through add_at at its offset.
		uint32_t s = 0;
		size_t at = 0;
		while (at < len) {
			size_t n = 1 + rnd_below(it % 3 == 0 ? 9 : 300);
			if (n > len - at)
				n = len - at;
			s = weft_csum_add_at(s, p + at, n, at);
			at += n;
		}
		if (s != want)
			bad_odd++;
		// Chained with even cuts through plain add (the documented rule).
		s = 0;
		at = 0;
		while (at < len) {
			size_t n = 2 * (1 + rnd_below(200));
			if (n > len - at)
				n = len - at;
			s = weft_csum_add(s, p + at, n);
			at += n;
		}
		if (s != want)
			bad_even++;
	}
	T_CHECK_MSG(bad_whole == 0, "%u of %u whole sums differ", bad_whole, iters);
	T_CHECK_MSG(bad_seed == 0, "%u of %u seeded sums differ", bad_seed, iters);
	T_CHECK_MSG(bad_odd == 0, "%u of %u odd-split chains differ", bad_odd, iters);
	T_CHECK_MSG(bad_even == 0, "%u of %u even-split chains differ", bad_even, iters);
	free(buf);
}

// --- Building super-packets ------------------------------------------------------------------

struct spec {
	bool v6;
	size_t ip_opts, tcp_opts, payload;
	uint8_t flags;
	uint16_t id;
	uint32_t seq;
};

struct shape {
	size_t ip_hl, l4, tcp_hl, hl;
};

static struct shape shape_of(const struct spec *s)
{
	struct shape sh;
	sh.ip_hl = s->v6 ? 40 : 20 + s->ip_opts;
	sh.l4 = 14 + sh.ip_hl;
	sh.tcp_hl = 20 + s->tcp_opts;
	sh.hl = sh.l4 + sh.tcp_hl;
	return sh;
}

// The pseudo-header as bytes, for the reference: RFC 793 §3.1 / RFC 8200 §8.1.
static size_t pseudo_of(const uint8_t *frame, bool v6, uint8_t proto, size_t l4_len,
                        uint8_t out[40])
{
	const uint8_t *ip = frame + 14;
	if (!v6) {
		memcpy(out, ip + 12, 8);
		out[8] = 0;
		out[9] = proto;
		store_be16(out + 10, (uint16_t)l4_len);
		return 12;
	}
	memcpy(out, ip + 8, 32);
	store_be32(out + 32, (uint32_t)l4_len);
	out[36] = out[37] = out[38] = 0;
	out[39] = proto;
	return 40;
}

// Whether the L4 checksum of `frame` (L4 at l4) verifies with the reference.
static bool l4_verifies(const uint8_t *frame, size_t len, bool v6, uint8_t proto, size_t l4)
{
	uint8_t ph[40];
	size_t n = pseudo_of(frame, v6, proto, len - l4, ph);
	uint32_t s = ref_sum(0, ph, n, 0);
	s = ref_sum(s, frame + l4, len - l4, 0);
	return (uint16_t)~s == 0;
}

// The kernel's partial checksum: the folded pseudo-header sum, not complemented.
static uint16_t pseudo_partial(const uint8_t *frame, bool v6, uint8_t proto, size_t l4_len)
{
	uint8_t ph[40];
	size_t n = pseudo_of(frame, v6, proto, l4_len, ph);
	return (uint16_t)ref_sum(0, ph, n, 0);
}

static size_t build(uint8_t *p, const struct spec *s)
{
	struct shape sh = shape_of(s);
	size_t len = sh.hl + s->payload;
	const uint8_t mac[12] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55,
	                         0x02, 0x66, 0x77, 0x88, 0x99, 0xaa};
	memcpy(p, mac, 12);
	uint8_t *ip = p + 14, *tcp = p + sh.l4;
	if (!s->v6) {
		store_be16(p + 12, 0x0800);
		ip[0] = (uint8_t)(0x40 | (sh.ip_hl / 4));
		ip[1] = 0x02;
		store_be16(ip + 2, (uint16_t)(len - 14));
		store_be16(ip + 4, s->id);
		store_be16(ip + 6, 0x4000); // DF
		ip[8] = 64;
		ip[9] = 6;
		store_be16(ip + 10, 0xdead); // stale: must be recomputed
		const uint8_t addrs[8] = {10, 0, 0, 1, 192, 168, 77, 2};
		memcpy(ip + 12, addrs, 8);
		fill_random(ip + 20, s->ip_opts);
	} else {
		store_be16(p + 12, 0x86dd);
		ip[0] = 0x60;
		ip[1] = 0x0a;
		store_be16(ip + 2, 0xbeef); // flow label
		store_be16(ip + 4, (uint16_t)(len - 54));
		ip[6] = 6;
		ip[7] = 64;
		fill_random(ip + 8, 32);
	}
	store_be16(tcp, 40000);
	store_be16(tcp + 2, 443);
	store_be32(tcp + 4, s->seq);
	store_be32(tcp + 8, 0x01020304);
	tcp[12] = (uint8_t)((sh.tcp_hl / 4) << 4);
	tcp[13] = s->flags;
	store_be16(tcp + 14, 502);
	store_be16(tcp + 16, 0x5a5a); // whatever the kernel left: must be recomputed
	store_be16(tcp + 18, 0);
	if (s->tcp_opts == 12) { // NOP NOP TS
		const uint8_t ts[12] = {1, 1, 8, 10, 0, 0, 1, 0, 0, 0, 2, 0};
		memcpy(tcp + 20, ts, 12);
	} else {
		fill_random(tcp + 20, s->tcp_opts);
	}
	fill_random(p + sh.hl, s->payload);
	return len;
}

static void vhdr(struct virtio_net_hdr *h, uint8_t gso_type, size_t mss, const struct spec *s)
{
	struct shape sh = shape_of(s);
	memset(h, 0, sizeof *h);
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = gso_type;
	h->hdr_len = (uint16_t)sh.hl;
	h->gso_size = (uint16_t)mss;
	h->csum_start = (uint16_t)sh.l4;
	h->csum_offset = 16;
}

// --- Collecting frames -------------------------------------------------------------------------

#define ARENA  (12u << 20)
#define FRAMES 70000
struct sink {
	size_t n, used;
	size_t off[FRAMES], len[FRAMES];
	uint8_t *arena;
	bool scribble; // overwrite each frame after copying it, as an in-place callee might
	bool overflow;
};

static void collect(void *ctx, uint8_t *frame, size_t len)
{
	struct sink *k = ctx;
	if (k->n == FRAMES || k->used + len > ARENA) {
		k->overflow = true;
		return;
	}
	memcpy(k->arena + k->used, frame, len);
	k->off[k->n] = k->used;
	k->len[k->n] = len;
	k->used += len;
	k->n++;
	if (k->scribble)
		memset(frame, 0xa5, len);
}

static void sink_reset(struct sink *k)
{
	k->n = k->used = 0;
	k->overflow = false;
}

// Every segment against the original super-packet `orig`.
static bool check_segments(const struct spec *s, size_t mss, const uint8_t *orig, size_t len,
                           const struct sink *k, int got)
{
	struct shape sh = shape_of(s);
	size_t payload = len - sh.hl;
	size_t nseg = payload == 0 ? 1 : (payload + mss - 1) / mss;
	T_EXPECT(!k->overflow, "test sink overflowed");
	T_EXPECT(got == (int)nseg && k->n == nseg,
	         "mss %zu payload %zu: %d frames, %zu seen, want %zu", mss, payload, got, k->n,
	         nseg);
	for (size_t i = 0; i < nseg; i++) {
		const uint8_t *f = k->arena + k->off[i], *ip = f + 14, *tcp = f + sh.l4;
		const uint8_t *oip = orig + 14, *otcp = orig + sh.l4;
		size_t seg = payload - i * mss < mss ? payload - i * mss : mss;
		T_EXPECT(k->len[i] == sh.hl + seg, "seg %zu: len %zu want %zu", i, k->len[i],
		         sh.hl + seg);
		T_EXPECT(memcmp(f, orig, 14) == 0, "seg %zu: Ethernet header changed", i);
		if (!s->v6) {
			T_EXPECT(load_be16(ip + 2) == sh.ip_hl + sh.tcp_hl + seg,
			         "seg %zu: tot_len", i);
			T_EXPECT(load_be16(ip + 4) == (uint16_t)(s->id + i), "seg %zu: id %u", i,
			         load_be16(ip + 4));
			T_EXPECT(ref_csum(ip, sh.ip_hl) == 0, "seg %zu: IPv4 header checksum", i);
			T_EXPECT(memcmp(ip, oip, 2) == 0 && memcmp(ip + 6, oip + 6, 4) == 0 &&
			             memcmp(ip + 12, oip + 12, sh.ip_hl - 12) == 0,
			         "seg %zu: other IPv4 bytes changed", i);
		} else {
			T_EXPECT(load_be16(ip + 4) == sh.tcp_hl + seg, "seg %zu: payload length",
			         i);
			T_EXPECT(memcmp(ip, oip, 4) == 0 && memcmp(ip + 6, oip + 6, 34) == 0,
			         "seg %zu: other IPv6 bytes changed", i);
		}
		T_EXPECT(load_be32(tcp + 4) == (uint32_t)(s->seq + i * mss), "seg %zu: seq", i);
		uint8_t fl = s->flags;
		if (i + 1 < nseg)
			fl &= (uint8_t)~0x09;
		if (i > 0)
			fl &= (uint8_t)~0x80;
		T_EXPECT(tcp[13] == fl, "seg %zu: flags %02x want %02x", i, tcp[13], fl);
		T_EXPECT(memcmp(tcp, otcp, 4) == 0 && memcmp(tcp + 8, otcp + 8, 5) == 0 &&
		             memcmp(tcp + 14, otcp + 14, 2) == 0 &&
		             memcmp(tcp + 18, otcp + 18, sh.tcp_hl - 18) == 0,
		         "seg %zu: other TCP bytes changed", i);
		T_EXPECT(l4_verifies(f, k->len[i], s->v6, 6, sh.l4), "seg %zu: TCP checksum", i);
		T_EXPECT(memcmp(f + sh.hl, orig + sh.hl + i * mss, seg) == 0, "seg %zu: payload",
		         i);
	}
	return true;
}

static uint8_t *pkt_buf, *orig_buf;
static struct sink sink;
#define PKT_MAX (70000 + 256)

// Builds, splits and checks one super-packet; returns whether all held.
static bool run_one(const struct spec *s, size_t mss, uint8_t gso_type)
{
	struct virtio_net_hdr h;
	uint8_t scratch[WEFT_GSO_SCRATCH];
	size_t len = build(pkt_buf, s);
	memcpy(orig_buf, pkt_buf, len);
	vhdr(&h, gso_type, mss, s);
	sink_reset(&sink);
	int got = weft_gso_split(&h, pkt_buf, len, scratch, sizeof scratch, collect, &sink);
	return check_segments(s, mss, orig_buf, len, &sink, got);
}

static uint8_t gso_type_for(const struct spec *s)
{
	return s->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
}

static void test_split_table(bool v6)
{
	static const size_t msses[] = {1, 2, 7, 100, 536, 1220, 1448, 1460, 8948};
	static const size_t ip_opts[] = {0, 4, 40};
	static const size_t tcp_opts[] = {0, 12, 40};
	unsigned runs = 0, ok = 0;
	t_case("%s: MSS x payload (k*mss, k*mss+-1, < mss, = mss, 0) x options, every segment",
	       v6 ? "IPv6" : "IPv4");
	for (size_t m = 0; m < sizeof msses / sizeof msses[0]; m++)
		for (size_t io = 0; io < (v6 ? 1 : 3); io++)
			for (size_t to = 0; to < 3; to++) {
				size_t mss = msses[m], k = mss <= 2 ? 1500 : mss < 600 ? 40 : 6;
				size_t pays[] = {k * mss, k * mss + 1, k * mss - 1,
				                 mss / 2, mss,         0};
				for (size_t pi = 0; pi < 6; pi++) {
					struct spec s = {.v6 = v6,
					                 .ip_opts = ip_opts[io],
					                 .tcp_opts = tcp_opts[to],
					                 .payload = pays[pi],
					                 .flags = 0x10 | 0x08, // ACK PSH
					                 .id = (uint16_t)next_u64(),
					                 .seq = (uint32_t)next_u64()};
					runs++;
					ok += run_one(&s, mss, gso_type_for(&s));
				}
			}
	T_CHECK_MSG(ok == runs, "%u of %u super-packets failed", runs - ok, runs);
}

static void test_split_flags_and_wrap(void)
{
	t_case("FIN+PSH only on the last segment, CWR only on the first, ECE/URG/ACK kept");
	for (int v6 = 0; v6 < 2; v6++) {
		struct spec s = {.v6 = v6,
		                 .tcp_opts = 12,
		                 .payload = 4 * 1448 + 100,
		                 .flags = 0x80 | 0x40 | 0x20 | 0x10 | 0x08 | 0x01,
		                 .id = 7,
		                 .seq = 1000};
		T_CHECK(run_one(&s, 1448, gso_type_for(&s) | VIRTIO_NET_HDR_GSO_ECN));
		s.flags = 0x80 | 0x10 | 0x08 | 0x01; // a single segment keeps all of them
		s.payload = 1000;
		T_CHECK(run_one(&s, 1448, gso_type_for(&s)));
		T_CHECK(sink.n == 1 && sink.arena[14 + (v6 ? 40 : 20) + 13] == s.flags);
	}

	t_case("IPv4 ID and TCP sequence numbers wrap");
	struct spec w = {.payload = 10 * 1000, .flags = 0x10, .id = 0xfffd, .seq = 0xffffe000u};
	T_CHECK(run_one(&w, 1000, VIRTIO_NET_HDR_GSO_TCPV4));
	T_CHECK(sink.n == 10 && load_be16(sink.arena + sink.off[3] + 18) == 0);
	T_CHECK(load_be32(sink.arena + sink.off[9] + 34 + 4) == 0xffffe000u + 9000);

	t_case("hdr_len is ignored: 0, too small and too big give the same segments");
	static const uint16_t lies[] = {0, 20, 200, 65535};
	for (size_t i = 0; i < 4; i++) {
		struct spec s = {.ip_opts = 8, .tcp_opts = 12, .payload = 5000, .flags = 0x18};
		struct virtio_net_hdr h;
		uint8_t scratch[WEFT_GSO_SCRATCH];
		size_t len = build(pkt_buf, &s);
		memcpy(orig_buf, pkt_buf, len);
		vhdr(&h, VIRTIO_NET_HDR_GSO_TCPV4, 1400, &s);
		h.hdr_len = lies[i];
		h.flags = 0; // and NEEDS_CSUM absent: the checksums are computed all the same
		sink_reset(&sink);
		int got = weft_gso_split(&h, pkt_buf, len, scratch, sizeof scratch, collect, &sink);
		T_CHECK(check_segments(&s, 1400, orig_buf, len, &sink, got));
	}

	t_case("the callee may overwrite each frame it is given: later segments are unaffected");
	sink.scribble = true;
	for (int v6 = 0; v6 < 2; v6++) {
		struct spec s = {.v6 = v6, .tcp_opts = 40, .payload = 3001, .flags = 0x19};
		T_CHECK(run_one(&s, 7, gso_type_for(&s)));
		T_CHECK(run_one(&s, 1448, gso_type_for(&s)));
	}
	sink.scribble = false;

	t_case("a 64 KB super-packet, and scratch of exactly the header block is enough");
	struct spec big = {.ip_opts = 40, .tcp_opts = 40, .payload = 65535 - 120, .flags = 0x18};
	T_CHECK(run_one(&big, 1448, VIRTIO_NET_HDR_GSO_TCPV4));
	struct spec big6 = {.v6 = true, .tcp_opts = 12, .payload = 65535 - 32, .flags = 0x18};
	T_CHECK(run_one(&big6, 65535 - 32, VIRTIO_NET_HDR_GSO_TCPV6));
	{
		struct spec s = {.ip_opts = 40, .tcp_opts = 40, .payload = 3000, .flags = 0x10};
		struct virtio_net_hdr h;
		uint8_t scratch[14 + 60 + 60];
		size_t len = build(pkt_buf, &s);
		vhdr(&h, VIRTIO_NET_HDR_GSO_TCPV4, 1000, &s);
		sink_reset(&sink);
		T_CHECK(weft_gso_split(&h, pkt_buf, len, scratch, 134, collect, &sink) == 3);
		s.ip_opts = 0;
		len = build(pkt_buf, &s);
		vhdr(&h, VIRTIO_NET_HDR_GSO_TCPV4, 1000, &s);
		T_CHECK(weft_gso_split(&h, pkt_buf, len, scratch, 94, collect, &sink) == 3);
	}
}

static void test_split_random(void)
{
	unsigned runs = 0, ok = 0;
	t_case("random super-packets (family, options, MSS, payload, flags) fully checked");
	for (unsigned it = 0; it < 600; it++) {
		struct spec s = {.v6 = next_u64() & 1,
		                 .ip_opts = 4 * rnd_below(11),
		                 .tcp_opts = 4 * rnd_below(11),
		                 .flags = (uint8_t)next_u64(),
		                 .id = (uint16_t)next_u64(),
		                 .seq = (uint32_t)next_u64()};
		if (s.v6)
			s.ip_opts = 0;
		size_t mss = 1 + rnd_below(it % 4 == 0 ? 64 : 9000);
		size_t maxpay = 65535 - 120;
		if (mss < 64)
			maxpay = 4000;
		s.payload = rnd_below(maxpay + 1);
		if (it % 3 == 0)
			s.payload -= s.payload % mss; // exact multiples
		runs++;
		ok += run_one(&s, mss, gso_type_for(&s));
	}
	T_CHECK_MSG(ok == runs, "%u of %u random super-packets failed", runs - ok, runs);
}

// --- Checksum completion ------------------------------------------------------------------------

static int call_once(const struct virtio_net_hdr *h, uint8_t *p, size_t len)
{
	uint8_t scratch[WEFT_GSO_SCRATCH];
	sink_reset(&sink);
	return weft_gso_split(h, p, len, scratch, sizeof scratch, collect, &sink);
}

// One frame came back, the same bytes as `orig` but for the two at `at`.
static bool delivered_as(const uint8_t *orig, size_t len, size_t at)
{
	const uint8_t *f = sink.arena;
	T_EXPECT(sink.n == 1 && sink.len[0] == len, "want one frame of %zu", len);
	T_EXPECT(memcmp(f, orig, at) == 0 && memcmp(f + at + 2, orig + at + 2, len - at - 2) == 0,
	         "bytes other than the checksum changed");
	return true;
}

// A UDP datagram with a partial checksum: 8-byte header then `n` payload bytes.
static size_t build_udp(uint8_t *p, bool v6, size_t n, size_t *l4)
{
	struct spec s = {.v6 = v6};
	build(p, &s); // Ethernet + IP
	size_t l = v6 ? 54 : 34;
	size_t len = l + 8 + n;
	uint8_t *ip = p + 14, *udp = p + l;
	if (v6) {
		ip[6] = 17;
		store_be16(ip + 4, (uint16_t)(len - 54));
	} else {
		ip[9] = 17;
		store_be16(ip + 2, (uint16_t)(len - 14));
	}
	store_be16(udp, 5353);
	store_be16(udp + 2, 9993);
	store_be16(udp + 4, (uint16_t)(8 + n));
	fill_random(udp + 8, n);
	store_be16(udp + 6, pseudo_partial(p, v6, 17, 8 + n));
	*l4 = l;
	return len;
}

static void test_needs_csum(void)
{
	struct virtio_net_hdr h;
	t_case("not GSO, NEEDS_CSUM: a single TCP segment over IPv4 and IPv6 gets its checksum");
	for (int v6 = 0; v6 < 2; v6++)
		for (size_t pay = 0; pay < 40; pay += 13) {
			struct spec s = {
			    .v6 = v6, .tcp_opts = 12, .payload = pay * 37 + 1, .flags = 0x18};
			struct shape sh = shape_of(&s);
			size_t len = build(pkt_buf, &s);
			store_be16(pkt_buf + sh.l4 + 16,
			           pseudo_partial(pkt_buf, v6, 6, len - sh.l4));
			memcpy(orig_buf, pkt_buf, len);
			vhdr(&h, VIRTIO_NET_HDR_GSO_NONE, 0, &s);
			T_CHECK(call_once(&h, pkt_buf, len) == 1);
			T_CHECK(delivered_as(orig_buf, len, sh.l4 + 16));
			T_CHECK(l4_verifies(sink.arena, len, v6, 6, sh.l4));
		}

	t_case("not GSO, NEEDS_CSUM: UDP over IPv4 and IPv6, odd lengths");
	for (int v6 = 0; v6 < 2; v6++)
		for (size_t n = 0; n < 300; n += 37) {
			size_t l4, len = build_udp(pkt_buf, v6, n, &l4);
			memcpy(orig_buf, pkt_buf, len);
			memset(&h, 0, sizeof h);
			h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			h.csum_start = (uint16_t)l4;
			h.csum_offset = 6;
			T_CHECK(call_once(&h, pkt_buf, len) == 1);
			T_CHECK(delivered_as(orig_buf, len, l4 + 6));
			T_CHECK(l4_verifies(sink.arena, len, v6, 17, l4));
		}

	t_case("a computed 0 goes out as 0xffff for UDP only");
	for (int v6 = 0; v6 < 2; v6++)
		for (int udp = 0; udp < 2; udp++) {
			size_t l4, len = build_udp(pkt_buf, v6, 30, &l4);
			size_t at = l4 + (udp ? 6 : 16);
			if (!udp) { // the same bytes called TCP-ish: protocol 6, field at +16
				pkt_buf[v6 ? 20 : 23] = 6;
				store_be16(pkt_buf + l4 + 16, 0);
			}
			store_be16(pkt_buf + at, 0);
			// Pick the last payload word so that the sum folds to 0xffff.
			store_be16(pkt_buf + len - 2, 0);
			uint32_t v = ref_sum(0, pkt_buf + l4, len - l4, 0);
			store_be16(pkt_buf + len - 2, (uint16_t)(0xffff - v));
			T_CHECK(ref_sum(0, pkt_buf + l4, len - l4, 0) == 0xffff);
			memset(&h, 0, sizeof h);
			h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			h.csum_start = (uint16_t)l4;
			h.csum_offset = (uint16_t)(at - l4);
			T_CHECK(call_once(&h, pkt_buf, len) == 1);
			T_CHECK_MSG(load_be16(sink.arena + at) == (udp ? 0xffff : 0),
			            "v6 %d udp %d: %04x", v6, udp, load_be16(sink.arena + at));
		}

	t_case("not GSO: any protocol completes generically; no flag leaves the frame alone");
	{
		size_t len = 100;
		fill_random(pkt_buf, len);
		store_be16(pkt_buf + 12, 0x88b5);
		store_be16(pkt_buf + 25, 0x1234); // odd start, field at start + 4
		memcpy(orig_buf, pkt_buf, len);
		memset(&h, 0, sizeof h);
		h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.csum_start = 21;
		h.csum_offset = 4;
		T_CHECK(call_once(&h, pkt_buf, len) == 1);
		T_CHECK(delivered_as(orig_buf, len, 25));
		// Verifies with the field's old value (the pseudo-header sum it stood for) added.
		T_CHECK((uint16_t)~ref_sum(0x1234, sink.arena + 21, len - 21, 0) == 0);
		// The field may be the last two bytes.
		h.csum_start = 90;
		h.csum_offset = 8;
		uint16_t old = load_be16(pkt_buf + 98);
		T_CHECK(call_once(&h, pkt_buf, len) == 1);
		T_CHECK((uint16_t)~ref_sum(old, sink.arena + 90, 10, 0) == 0);
		memcpy(orig_buf, pkt_buf, len);
		h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
		T_CHECK(call_once(&h, pkt_buf, len) == 1);
		T_CHECK(sink.len[0] == len && memcmp(sink.arena, orig_buf, len) == 0);
	}
}

// --- Malformed input ----------------------------------------------------------------------------

static unsigned refused, accepted_wrongly;

// Splits a copy of the v4 or v6 template after `edit` and expects a refusal with no frame.
static void expect_refused(const char *what, const struct virtio_net_hdr *h, const uint8_t *p,
                           size_t len, size_t scratch_cap)
{
	uint8_t scratch[WEFT_GSO_SCRATCH];
	memcpy(pkt_buf, p, len);
	sink_reset(&sink);
	int got = weft_gso_split(h, pkt_buf, len, scratch, scratch_cap, collect, &sink);
	if (got != WEFT_GSO_MALFORMED || sink.n != 0) {
		t_fail(__FILE__, __LINE__, "%s: returned %d, %zu frames", what, got, sink.n);
		accepted_wrongly++;
	} else {
		refused++;
	}
}

static void test_malformed(void)
{
	static uint8_t v4[PKT_MAX], v6[PKT_MAX], t[PKT_MAX];
	struct spec s4 = {.ip_opts = 4, .tcp_opts = 12, .payload = 4000, .flags = 0x18};
	struct spec s6 = {.v6 = true, .tcp_opts = 12, .payload = 4000, .flags = 0x18};
	size_t n4 = build(v4, &s4), n6 = build(v6, &s6);
	struct virtio_net_hdr h4, h6, h;
	vhdr(&h4, VIRTIO_NET_HDR_GSO_TCPV4, 1000, &s4);
	vhdr(&h6, VIRTIO_NET_HDR_GSO_TCPV6, 1000, &s6);
	size_t l4_4 = 14 + 24, l4_6 = 54;

	t_case("malformed: refused, out() never called");
	static const uint8_t bad_types[] = {2, 3, 5, 6, 0x7f, 0x80, 0x83, 0x85, 0xff};
	for (size_t i = 0; i < sizeof bad_types; i++) {
		h = h4;
		h.gso_type = bad_types[i];
		expect_refused("gso_type", &h, v4, n4, WEFT_GSO_SCRATCH);
	}
	h = h4;
	h.gso_size = 0;
	expect_refused("gso_size 0", &h, v4, n4, WEFT_GSO_SCRATCH);
	h = h6;
	h.gso_size = 0;
	expect_refused("gso_size 0 v6", &h, v6, n6, WEFT_GSO_SCRATCH);
	expect_refused("TCPV4 on IPv6", &h4, v6, n6, WEFT_GSO_SCRATCH);
	expect_refused("TCPV6 on IPv4", &h6, v4, n4, WEFT_GSO_SCRATCH);
	expect_refused("scratch too small", &h4, v4, n4, l4_4 + 32 - 1);
	for (size_t n = 0; n < 14; n++) {
		memset(&h, 0, sizeof h);
		expect_refused("shorter than Ethernet, not GSO", &h, v4, n, WEFT_GSO_SCRATCH);
	}
	for (size_t n = 0; n < l4_4 + 32; n++)
		expect_refused("truncated v4 headers", &h4, v4, n, WEFT_GSO_SCRATCH);
	for (size_t n = 0; n < l4_6 + 32; n++)
		expect_refused("truncated v6 headers", &h6, v6, n, WEFT_GSO_SCRATCH);

	memcpy(t, v4, n4); // VLAN tag in front of IPv4
	store_be16(t + 12, 0x8100);
	expect_refused("VLAN", &h4, t, n4, WEFT_GSO_SCRATCH);
	memcpy(t, v4, n4);
	t[14] = 0x44; // IHL 4
	expect_refused("IHL < 5", &h4, t, n4, WEFT_GSO_SCRATCH);
	memcpy(t, v4, n4);
	t[14] = 0x65;
	expect_refused("IPv4 version 6", &h4, t, n4, WEFT_GSO_SCRATCH);
	memcpy(t, v4, n4);
	t[23] = 17;
	expect_refused("IPv4 protocol UDP", &h4, t, n4, WEFT_GSO_SCRATCH);
	memcpy(t, v4, n4);
	store_be16(t + 20, 0x2000);
	expect_refused("IPv4 MF", &h4, t, n4, WEFT_GSO_SCRATCH);
	store_be16(t + 20, 0x0001);
	expect_refused("IPv4 fragment offset", &h4, t, n4, WEFT_GSO_SCRATCH);
	memcpy(t, v4, n4);
	t[14] = 0x4f; // 60 bytes of IP header over a 40-byte frame
	expect_refused("IPv4 options past the end", &h4, t, 14 + 50, WEFT_GSO_SCRATCH);
	memcpy(t, v4, n4);
	t[l4_4 + 12] = 0x40; // data offset 4
	expect_refused("TCP doff < 5", &h4, t, n4, WEFT_GSO_SCRATCH);
	memcpy(t, v4, n4);
	t[l4_4 + 12] = 0xf0;
	expect_refused("TCP options past the end", &h4, t, l4_4 + 50, WEFT_GSO_SCRATCH);
	static const uint8_t ext[] = {0, 43, 44, 50, 51, 60, 17, 58};
	for (size_t i = 0; i < sizeof ext; i++) {
		memcpy(t, v6, n6);
		t[20] = ext[i];
		expect_refused("IPv6 next header not TCP", &h6, t, n6, WEFT_GSO_SCRATCH);
	}
	memcpy(t, v6, n6);
	t[14] = 0x40;
	expect_refused("IPv6 version 4", &h6, t, n6, WEFT_GSO_SCRATCH);

	// IP length of a segment must fit 16 bits.
	struct spec sb = {.payload = 65535 - 39, .flags = 0x10};
	size_t nb = build(t, &sb);
	vhdr(&h, VIRTIO_NET_HDR_GSO_TCPV4, 65535, &sb);
	expect_refused("IPv4 total length over 65535", &h, t, nb, WEFT_GSO_SCRATCH);
	sb.v6 = true;
	sb.payload = 65535 - 19;
	nb = build(t, &sb);
	vhdr(&h, VIRTIO_NET_HDR_GSO_TCPV6, 65535, &sb);
	expect_refused("IPv6 payload length over 65535", &h, t, nb, WEFT_GSO_SCRATCH);

	// csum_start / csum_offset outside the frame, GSO or not.
	for (int gso = 0; gso < 2; gso++) {
		h = h4;
		if (!gso)
			h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
		h.csum_start = (uint16_t)n4;
		expect_refused("csum_start at the end", &h, v4, n4, WEFT_GSO_SCRATCH);
		h.csum_start = 0xffff;
		expect_refused("csum_start far out", &h, v4, n4, WEFT_GSO_SCRATCH);
		h.csum_start = (uint16_t)(n4 - 10);
		h.csum_offset = 9;
		expect_refused("csum field one past the end", &h, v4, n4, WEFT_GSO_SCRATCH);
		h.csum_start = 0xfff0;
		h.csum_offset = 0xfff0;
		expect_refused("csum_start + offset overflow", &h, v4, n4, WEFT_GSO_SCRATCH);
	}
	T_CHECK_MSG(accepted_wrongly == 0, "%u malformed inputs accepted", accepted_wrongly);
	T_CHECK_MSG(refused > 200, "only %u refusals", refused);

	t_case("edges that are fine: field in the last two bytes, minimal headers");
	h = h4;
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.csum_start = (uint16_t)(n4 - 10);
	h.csum_offset = 8;
	memcpy(pkt_buf, v4, n4);
	T_CHECK(call_once(&h, pkt_buf, n4) == 1);
	memset(&h, 0, sizeof h);
	T_CHECK(call_once(&h, pkt_buf, 14) == 1);
	struct spec sm = {.flags = 0x10};
	T_CHECK(run_one(&sm, 1, VIRTIO_NET_HDR_GSO_TCPV4)); // headers only: one frame
	sm.v6 = true;
	T_CHECK(run_one(&sm, 1, VIRTIO_NET_HDR_GSO_TCPV6));
}

int main(void)
{
	t_init("unit/gso");
	pkt_buf = malloc(PKT_MAX);
	orig_buf = malloc(PKT_MAX);
	sink.arena = malloc(ARENA);
	test_csum_known();
	test_csum_random();
	test_split_table(false);
	test_split_table(true);
	test_split_flags_and_wrap();
	test_split_random();
	test_needs_csum();
	test_malformed();
	free(pkt_buf);
	free(orig_buf);
	free(sink.arena);
	return t_done();
}
