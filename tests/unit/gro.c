// SPDX-License-Identifier: MPL-2.0
// os/gro.h: TCP streams over IPv4 and IPv6, with and without timestamps, coalesced; the merged
// headers and virtio-net header checked against a byte-by-byte reference checksum; every merge
// rule refused one at a time (and whether the refused frame then starts a packet of its own);
// the short-segment, PSH, 64-segment and 64 KB ends; and the round trip: what was taken, cut by
// weft_gso_split, gives back the original frames byte for byte, also for random interleaved
// streams driven the way the caller drives it.
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csum_ref.h"
#include "gro.h"
#include "gso.h"
#include "t.h"

static uint64_t rng_state = 0xbb67ae8584caa73bULL;

static uint64_t next_u64(void)
{
	return t_splitmix64(&rng_state);
}

static size_t rnd_below(size_t n)
{
	return (size_t)(next_u64() % n);
}

// --- Reference checksum: one byte at a time ------------------------------------------------

// --- Building streams -------------------------------------------------------------------------

struct flow {
	bool v6, ts, df;
	size_t ip_opts;    // IPv4 option bytes (NOPs): never merged
	uint16_t frag;     // IPv4 flags/offset bits besides DF
	uint8_t mac[12];   // dst, src
	uint8_t addrs[32]; // IPv4 uses the first 8
	uint8_t tos, ttl;  // IPv6: traffic class, hop limit
	uint32_t label;    // IPv6 flow label
	uint16_t sport, dport, id, win;
	uint32_t seq, ack, tsval;
};

static struct flow new_flow(bool v6, bool ts)
{
	struct flow f = {.v6 = v6, .ts = ts, .df = true, .tos = 0x02, .ttl = 64};
	for (size_t i = 0; i < sizeof f.mac; i++)
		f.mac[i] = (uint8_t)next_u64();
	f.mac[0] &= 0xfe;
	for (size_t i = 0; i < sizeof f.addrs; i++)
		f.addrs[i] = (uint8_t)next_u64();
	f.label = (uint32_t)next_u64() & 0xfffff;
	f.sport = (uint16_t)next_u64();
	f.dport = 443;
	f.id = (uint16_t)next_u64();
	f.win = 502;
	f.seq = (uint32_t)next_u64();
	f.ack = (uint32_t)next_u64();
	f.tsval = (uint32_t)next_u64();
	return f;
}

static size_t tcp_off(const struct flow *f)
{
	return 14 + (f->v6 ? 40 : 20 + f->ip_opts);
}

// One segment of the flow with correct checksums (computed by the reference); advances the
// flow's sequence number and IPv4 ID. Returns the frame length.
static size_t make_seg(struct flow *f, uint8_t *p, size_t payload, uint8_t flags)
{
	size_t l4 = tcp_off(f), thl = f->ts ? 32 : 20, len = l4 + thl + payload;
	uint8_t *ip = p + 14, *tcp = p + l4;
	memcpy(p, f->mac, 12);
	if (!f->v6) {
		store_be16(p + 12, 0x0800);
		ip[0] = (uint8_t)(0x40 | (20 + f->ip_opts) / 4);
		ip[1] = f->tos;
		store_be16(ip + 2, (uint16_t)(len - 14));
		store_be16(ip + 4, f->id);
		store_be16(ip + 6, (uint16_t)((f->df ? 0x4000 : 0) | f->frag));
		ip[8] = f->ttl;
		ip[9] = 6;
		store_be16(ip + 10, 0);
		memcpy(ip + 12, f->addrs, 8);
		memset(ip + 20, 1, f->ip_opts);
		store_be16(ip + 10, (uint16_t)~t_csum_sum(0, ip, 20 + f->ip_opts));
	} else {
		store_be16(p + 12, 0x86dd);
		store_be32(ip, 0x60000000u | (uint32_t)f->tos << 20 | f->label);
		store_be16(ip + 4, (uint16_t)(len - l4));
		ip[6] = 6;
		ip[7] = f->ttl;
		memcpy(ip + 8, f->addrs, 32);
	}
	store_be16(tcp, f->sport);
	store_be16(tcp + 2, f->dport);
	store_be32(tcp + 4, f->seq);
	store_be32(tcp + 8, f->ack);
	tcp[12] = (uint8_t)((thl / 4) << 4);
	tcp[13] = flags;
	store_be16(tcp + 14, f->win);
	store_be16(tcp + 16, 0);
	store_be16(tcp + 18, 0);
	if (f->ts) { // NOP NOP TS
		const uint8_t ts[4] = {1, 1, 8, 10};
		memcpy(tcp + 20, ts, 4);
		store_be32(tcp + 24, f->tsval);
		store_be32(tcp + 28, 0x11223344);
	}
	for (size_t i = 0; i < payload; i++)
		tcp[thl + i] = (uint8_t)next_u64();
	uint32_t s = t_csum_sum(t_csum_pseudo(p, f->v6, len - l4), tcp, len - l4);
	store_be16(tcp + 16, (uint16_t)~s);
	f->seq += (uint32_t)payload;
	f->id++;
	return len;
}

static bool offer(struct weft_gro *g, const uint8_t *p, size_t len)
{
	return weft_gro_offer(g, p, p + 14, len - 14);
}

// --- Collecting the frames weft_gso_split gives back ------------------------------------------

#define FRAMES_MAX 200
#define FRAME_CAP  (WEFT_GRO_MAX + 16)

struct sink {
	size_t n;
	size_t len[FRAMES_MAX];
	uint8_t *f[FRAMES_MAX];
};

static void collect(void *ctx, uint8_t *frame, size_t len)
{
	struct sink *k = ctx;
	if (k->n == FRAMES_MAX)
		return;
	memcpy(k->f[k->n], frame, len);
	k->len[k->n++] = len;
}

static struct sink out;
static uint8_t *split_buf;

// The taken packet h/frame/len holds nseg segments: check the headers gro wrote against the
// reference, and the kernel's acceptance conditions (virtio_net_hdr_to_skb, tun_get_user).
static bool check_merged(const struct virtio_net_hdr *h, const uint8_t *frame, size_t len,
                         size_t nseg, const uint8_t *first)
{
	bool v6 = load_be16(frame + 12) == 0x86dd;
	size_t l4 = 14 + (v6 ? 40 : 20), hl = l4 + (size_t)(frame[l4 + 12] >> 4) * 4;
	if (nseg == 1) {
		T_EXPECT(h->flags == VIRTIO_NET_HDR_F_DATA_VALID && h->gso_type == 0 &&
		             h->gso_size == 0 && h->hdr_len == 0 && h->csum_start == 0 &&
		             h->csum_offset == 0,
		         "single segment: header not DATA_VALID only");
		return true;
	}
	T_EXPECT(len <= WEFT_GRO_MAX, "len %zu", len);
	T_EXPECT(h->flags == VIRTIO_NET_HDR_F_NEEDS_CSUM, "flags %u", h->flags);
	T_EXPECT(h->gso_type == (v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4),
	         "gso_type %u", h->gso_type);
	T_EXPECT(h->csum_start == l4 && h->csum_offset == 16 && h->hdr_len == hl,
	         "csum_start %u csum_offset %u hdr_len %u", h->csum_start, h->csum_offset,
	         h->hdr_len);
	T_EXPECT((size_t)h->gso_size ==
	             load_be16(first + (v6 ? 18 : 16)) - (hl - l4) - (v6 ? 0 : 20),
	         "gso_size %u is not the first segment's payload", h->gso_size);
	T_EXPECT(h->gso_size != 0xffff && len - (l4 + 20) > h->gso_size, "not a real GSO packet");
	T_EXPECT(h->csum_start + h->csum_offset + 2u <= h->hdr_len && h->hdr_len <= len,
	         "hdr_len too small or too big");
	const uint8_t *ip = frame + 14;
	if (!v6) {
		T_EXPECT(load_be16(ip + 2) == len - 14, "IPv4 total length");
		T_EXPECT((uint16_t)~t_csum_sum(0, ip, 20) == 0, "IPv4 header checksum");
	} else {
		T_EXPECT(load_be16(ip + 4) == len - l4, "IPv6 payload length");
	}
	T_EXPECT(load_be16(frame + l4 + 16) == t_csum_pseudo(frame, v6, len - l4),
	         "TCP checksum field %04x, want the pseudo-header sum %04x",
	         load_be16(frame + l4 + 16), t_csum_pseudo(frame, v6, len - l4));
	return true;
}

// Takes from g and checks it is exactly the frames orig[0..n): headers, then a round trip
// through weft_gso_split comparing every byte (fixed_id: the originals all had one IPv4 ID,
// which comes back counting up, the IPv4 header checksum with it).
static bool take_and_check(struct weft_gro *g, uint8_t *const *orig, const size_t *olen, size_t n,
                           bool fixed_id)
{
	struct virtio_net_hdr h;
	const uint8_t *frame;
	size_t len;
	uint8_t scratch[WEFT_GSO_SCRATCH];
	T_EXPECT(!weft_gro_empty(g), "nothing to take");
	weft_gro_take(g, &h, &frame, &len);
	T_EXPECT(weft_gro_empty(g), "not empty after take");
	if (!check_merged(&h, frame, len, n, orig[0]))
		return false;
	memcpy(split_buf, frame, len);
	out.n = 0;
	int got = weft_gso_split(&h, split_buf, len, scratch, sizeof scratch, collect, &out);
	T_EXPECT(got == (int)n && out.n == n, "split gave %d frames, want %zu", got, n);
	for (size_t i = 0; i < n; i++) {
		T_EXPECT(out.len[i] == olen[i], "segment %zu: len %zu want %zu", i, out.len[i],
		         olen[i]);
		if (fixed_id) {
			uint8_t *ip = out.f[i] + 14;
			T_EXPECT(load_be16(ip + 4) == (uint16_t)(load_be16(orig[i] + 18) + i),
			         "segment %zu: ID", i);
			memcpy(ip + 4, orig[i] + 18, 2);
			memcpy(ip + 10, orig[i] + 24, 2);
		}
		T_EXPECT(memcmp(out.f[i], orig[i], olen[i]) == 0, "segment %zu of %zu differs", i,
		         n);
	}
	return true;
}

// --- Merges -------------------------------------------------------------------------------

#define SEGS_MAX 80
static uint8_t *seg_buf[SEGS_MAX];
static size_t seg_len[SEGS_MAX];
static struct weft_gro *gro;

static const char *fam_name(bool v6, bool ts)
{
	return v6 ? ts ? "IPv6+TS" : "IPv6" : ts ? "IPv4+TS" : "IPv4";
}

// n segments of mss, the last `last` bytes with `last_flags`; all must merge into one.
static bool merge_run(bool v6, bool ts, size_t n, size_t mss, size_t last, uint8_t last_flags)
{
	struct flow f = new_flow(v6, ts);
	weft_gro_init(gro);
	T_EXPECT(weft_gro_empty(gro), "empty after init");
	for (size_t i = 0; i < n; i++) {
		bool end = i + 1 == n;
		seg_len[i] = make_seg(&f, seg_buf[i], end ? last : mss, end ? last_flags : 0x10);
		T_EXPECT(offer(gro, seg_buf[i], seg_len[i]), "segment %zu of %zu refused", i, n);
	}
	return take_and_check(gro, seg_buf, seg_len, n, false);
}

static void test_merge(void)
{
	for (int v6 = 0; v6 < 2; v6++)
		for (int ts = 0; ts < 2; ts++) {
			t_case("%s: ACK segments merge; headers fixed; gso_split gives them back",
			       fam_name(v6, ts));
			T_CHECK(merge_run(v6, ts, 2, 1448, 1448, 0x10));
			T_CHECK(merge_run(v6, ts, 3, 1448, 1448, 0x18));
			T_CHECK(merge_run(v6, ts, 10, 2800, 1000, 0x10));
			T_CHECK(merge_run(v6, ts, 10, 2800, 1000, 0x18));
			T_CHECK(merge_run(v6, ts, 23, 2800, 1, 0x18));
			T_CHECK(merge_run(v6, ts, 64, 100, 100, 0x10));
			T_CHECK(merge_run(v6, ts, 2, 1, 1, 0x18));
			T_CHECK(merge_run(v6, ts, 1, 1448, 1448, 0x18));
			T_CHECK(merge_run(v6, ts, 1, 1448, 17, 0x10));
			T_CHECK(merge_run(v6, ts, 5, 9000, 9000, 0x18));
		}

	t_case("a single segment comes back as it was, header DATA_VALID only");
	{
		struct flow f = new_flow(false, true);
		struct virtio_net_hdr h;
		const uint8_t *frame;
		size_t len, n = make_seg(&f, seg_buf[0], 1448, 0x18);
		weft_gro_init(gro);
		T_CHECK(offer(gro, seg_buf[0], n));
		weft_gro_take(gro, &h, &frame, &len);
		T_CHECK(len == n && memcmp(frame, seg_buf[0], n) == 0);
		T_CHECK(h.flags == VIRTIO_NET_HDR_F_DATA_VALID && h.gso_type == 0);
		weft_gro_take(gro, &h, &frame, &len); // empty: nothing
		T_CHECK(len == 0 && h.flags == 0 && weft_gro_empty(gro));
	}

	t_case("sequence numbers and IPv4 IDs wrap inside a super-packet");
	for (int v6 = 0; v6 < 2; v6++) {
		struct flow f = new_flow(v6, true);
		f.seq = 0xffffffffu - 3000;
		f.id = 0xfffe;
		weft_gro_init(gro);
		for (size_t i = 0; i < 5; i++) {
			seg_len[i] = make_seg(&f, seg_buf[i], 1448, 0x10);
			T_CHECK(offer(gro, seg_buf[i], seg_len[i]));
		}
		T_CHECK(take_and_check(gro, seg_buf, seg_len, 5, false));
	}

	t_case("IPv4 IDs all equal with DF merge (they come back counting up)");
	{
		struct flow f = new_flow(false, true);
		weft_gro_init(gro);
		for (size_t i = 0; i < 6; i++) {
			f.id = 0;
			seg_len[i] = make_seg(&f, seg_buf[i], 1448, i == 5 ? 0x18 : 0x10);
			T_CHECK(offer(gro, seg_buf[i], seg_len[i]));
		}
		T_CHECK(take_and_check(gro, seg_buf, seg_len, 6, true));
	}

	t_case("IPv4 without DF merges with consecutive IDs");
	{
		struct flow f = new_flow(false, false);
		f.df = false;
		weft_gro_init(gro);
		for (size_t i = 0; i < 4; i++) {
			seg_len[i] = make_seg(&f, seg_buf[i], 1000, 0x10);
			T_CHECK(offer(gro, seg_buf[i], seg_len[i]));
		}
		T_CHECK(take_and_check(gro, seg_buf, seg_len, 4, false));
	}
}

// --- Refusals -----------------------------------------------------------------------------

enum rule {
	R_SEQ_GAP,
	R_SEQ_BACK,
	R_SPORT,
	R_DPORT,
	R_ACK,
	R_WIN,
	R_TSVAL,
	R_NO_TS,
	R_NO_ACK_FLAG,
	R_MAC,
	R_SRC,
	R_DST,
	R_TOS,
	R_TTL,
	R_DF,
	R_ID_JUMP,
	R_ID_FIXED_NO_DF,
	R_LABEL,
	R_OVERSIZE,
	R_FAMILY,
	R_URG_PTR,
	// Not candidates at all: refused again on an empty packet.
	R_SYN,
	R_FIN,
	R_RST,
	R_URG,
	R_ECE,
	R_CWR,
	R_ZERO_PAYLOAD,
	R_IP_OPTS,
	R_MF,
	R_FRAG_OFF,
	R_EXT_HDR,
	R_PADDED,
	R_IPLEN_LONG,
	R_DOFF_SMALL,
	R_DOFF_BIG,
	R_UDP,
	R_ARP,
	R_RULES
};

static const char *const rule_name[R_RULES] = {"seq gap",
                                               "seq back",
                                               "source port",
                                               "destination port",
                                               "ACK number",
                                               "window",
                                               "timestamp value",
                                               "options differ",
                                               "ACK flag gone",
                                               "Ethernet src",
                                               "IP source",
                                               "IP destination",
                                               "TOS/class",
                                               "TTL/hop limit",
                                               "DF",
                                               "IPv4 ID jump",
                                               "equal IDs no DF",
                                               "flow label",
                                               "payload > MSS",
                                               "other family",
                                               "urgent pointer",
                                               "SYN",
                                               "FIN",
                                               "RST",
                                               "URG",
                                               "ECE",
                                               "CWR",
                                               "zero payload",
                                               "IPv4 options",
                                               "MF fragment",
                                               "fragment offset",
                                               "IPv6 ext header",
                                               "Ethernet padding",
                                               "IP length > frame",
                                               "data offset < 5",
                                               "data offset > frame",
                                               "UDP",
                                               "ARP"};

static bool rule_applies(enum rule r, bool v6)
{
	switch (r) {
	case R_DF:
	case R_ID_JUMP:
	case R_ID_FIXED_NO_DF:
	case R_IP_OPTS:
	case R_MF:
	case R_FRAG_OFF: return !v6;
	case R_LABEL:
	case R_EXT_HDR: return v6;
	default: return true;
	}
}

// The second segment of the flow (its state after the first), bent by rule r.
static size_t bent_seg(enum rule r, struct flow f, uint8_t *p, size_t mss)
{
	uint8_t flags = 0x10;
	size_t payload = mss;
	switch (r) {
	case R_SEQ_GAP: f.seq++; break;
	case R_SEQ_BACK: f.seq -= (uint32_t)mss; break;
	case R_SPORT: f.sport++; break;
	case R_DPORT: f.dport++; break;
	case R_ACK: f.ack += 1000; break;
	case R_WIN: f.win++; break;
	case R_TSVAL: f.tsval++; break;
	case R_NO_TS: f.ts = !f.ts; break;
	case R_NO_ACK_FLAG: flags = 0x08; break;
	case R_MAC: f.mac[11] ^= 1; break;
	case R_SRC: f.addrs[0] ^= 1; break;
	case R_DST: f.addrs[f.v6 ? 31 : 7] ^= 1; break;
	case R_TOS: f.tos ^= 1; break;
	case R_TTL: f.ttl--; break;
	case R_DF: f.df = false; break;
	case R_ID_JUMP: f.id++; break;
	case R_ID_FIXED_NO_DF: break; // set up by the caller
	case R_LABEL: f.label ^= 1; break;
	case R_OVERSIZE: payload = mss + 1; break;
	case R_FAMILY: f.v6 = !f.v6; break;
	case R_URG_PTR: break; // patched below
	case R_SYN: flags = 0x12; break;
	case R_FIN: flags = 0x11; break;
	case R_RST: flags = 0x14; break;
	case R_URG: flags = 0x30; break;
	case R_ECE: flags = 0x50; break;
	case R_CWR: flags = 0x90; break;
	case R_ZERO_PAYLOAD: payload = 0; break;
	case R_IP_OPTS: f.ip_opts = 4; break;
	case R_MF: f.frag = 0x2000; break;
	case R_FRAG_OFF: f.frag = 0x0010; break;
	case R_DOFF_BIG: payload = 10; break;
	default: break;
	}
	size_t len = make_seg(&f, p, payload, flags);
	size_t l4 = tcp_off(&f);
	switch (r) {
	case R_URG_PTR: store_be16(p + l4 + 18, 1); break;
	case R_EXT_HDR: p[20] = 0; break; // hop-by-hop first
	case R_PADDED:
		memset(p + len, 0, 6);
		len += 6;
		break;
	case R_IPLEN_LONG:
		if (f.v6)
			store_be16(p + 18, (uint16_t)(load_be16(p + 18) + 1));
		else
			store_be16(p + 16, (uint16_t)(load_be16(p + 16) + 1));
		break;
	case R_DOFF_SMALL: p[l4 + 12] = 0x40; break;
	case R_DOFF_BIG: p[l4 + 12] = 0xf0; break;
	case R_UDP: p[f.v6 ? 20 : 23] = 17; break;
	case R_ARP: store_be16(p + 12, 0x0806); break;
	default: break;
	}
	return len;
}

static void test_refusals(void)
{
	for (int v6 = 0; v6 < 2; v6++)
		for (int ts = 0; ts < 2; ts++) {
			unsigned tried = 0;
			t_case("%s: each rule refuses the join; the frame then starts a packet iff "
			       "it is a candidate",
			       fam_name(v6, ts));
			for (int r = 0; r < R_RULES; r++) {
				if (!rule_applies((enum rule)r, v6) || (r == R_TSVAL && !ts))
					continue;
				bool candidate = r < R_SYN;
				struct flow f = new_flow(v6, ts);
				if (r == R_ID_FIXED_NO_DF)
					f.df = false;
				size_t mss = 1448;
				seg_len[0] = make_seg(&f, seg_buf[0], mss, 0x10);
				if (r == R_ID_FIXED_NO_DF)
					f.id--;
				seg_len[1] = bent_seg((enum rule)r, f, seg_buf[1], mss);
				weft_gro_init(gro);
				tried++;
				T_CHECK_MSG(offer(gro, seg_buf[0], seg_len[0]), "%s: first refused",
				            rule_name[r]);
				T_CHECK_MSG(!offer(gro, seg_buf[1], seg_len[1]), "%s: joined",
				            rule_name[r]);
				T_CHECK_MSG(take_and_check(gro, seg_buf, seg_len, 1, false),
				            "%s: first not intact", rule_name[r]);
				T_CHECK_MSG(offer(gro, seg_buf[1], seg_len[1]) == candidate,
				            "%s: re-offer %s", rule_name[r],
				            candidate ? "refused" : "taken");
				if (candidate)
					T_CHECK(take_and_check(gro, seg_buf + 1, seg_len + 1, 1,
					                       false));
				T_CHECK(weft_gro_empty(gro));
			}
			T_CHECK(tried > 30);
		}

	t_case("equal IDs then a consecutive one (and the reverse) do not mix");
	for (int fixed_first = 0; fixed_first < 2; fixed_first++) {
		struct flow f = new_flow(false, false);
		weft_gro_init(gro);
		seg_len[0] = make_seg(&f, seg_buf[0], 1000, 0x10);
		if (fixed_first)
			f.id--;
		seg_len[1] = make_seg(&f, seg_buf[1], 1000, 0x10);
		if (!fixed_first)
			f.id--;
		seg_len[2] = make_seg(&f, seg_buf[2], 1000, 0x10);
		T_CHECK(offer(gro, seg_buf[0], seg_len[0]) && offer(gro, seg_buf[1], seg_len[1]));
		T_CHECK(!offer(gro, seg_buf[2], seg_len[2]));
		T_CHECK(take_and_check(gro, seg_buf, seg_len, 2, fixed_first));
	}
}

// --- Ends ------------------------------------------------------------------------------------

// Offers segs of the given payloads and flags; returns how many joined the first packet.
static size_t joined(bool v6, const size_t *pay, const uint8_t *flags, size_t n)
{
	struct flow f = new_flow(v6, true);
	size_t k = 0;
	weft_gro_init(gro);
	for (size_t i = 0; i < n; i++) {
		seg_len[i] = make_seg(&f, seg_buf[i], pay[i], flags[i]);
		if (k == i && offer(gro, seg_buf[i], seg_len[i]))
			k++;
	}
	if (!take_and_check(gro, seg_buf, seg_len, k, false))
		return SIZE_MAX;
	return k;
}

static void test_ends(void)
{
	for (int v6 = 0; v6 < 2; v6++) {
		t_case("%s: a short segment joins and ends the packet", v6 ? "IPv6" : "IPv4");
		{
			const size_t pay[] = {1448, 1448, 700, 1448};
			const uint8_t fl[] = {0x10, 0x10, 0x10, 0x10};
			T_CHECK(joined(v6, pay, fl, 4) == 3);
			const size_t pay2[] = {1448, 700, 700};
			T_CHECK(joined(v6, pay2, fl, 3) == 2);
		}
		t_case("%s: a PSH segment joins and ends the packet; PSH is kept",
		       v6 ? "IPv6" : "IPv4");
		{
			const size_t pay[] = {1448, 1448, 1448, 1448};
			const uint8_t fl[] = {0x10, 0x18, 0x10, 0x10};
			T_CHECK(joined(v6, pay, fl, 4) == 2);
			const uint8_t fl2[] = {0x18, 0x10, 0x10, 0x10};
			T_CHECK(joined(v6, pay, fl2, 4) == 1);
		}
		t_case("%s: a larger segment never joins", v6 ? "IPv6" : "IPv4");
		{
			const size_t pay[] = {1000, 1000, 1001};
			const uint8_t fl[] = {0x10, 0x10, 0x10};
			T_CHECK(joined(v6, pay, fl, 3) == 2);
		}
		t_case("%s: at most %d segments", v6 ? "IPv6" : "IPv4", WEFT_GRO_SEGS_MAX);
		{
			size_t pay[SEGS_MAX];
			uint8_t fl[SEGS_MAX];
			for (size_t i = 0; i < SEGS_MAX; i++) {
				pay[i] = 200;
				fl[i] = 0x10;
			}
			T_CHECK(joined(v6, pay, fl, SEGS_MAX) == WEFT_GRO_SEGS_MAX);
		}
		t_case("%s: at most WEFT_GRO_MAX bytes, exactly reached", v6 ? "IPv6" : "IPv4");
		{
			size_t hl = 14 + (v6 ? 40 : 20) + 32, mss = 9000;
			// 7 full segments, then exactly what is left: WEFT_GRO_MAX in all.
			size_t rest = WEFT_GRO_MAX - hl - 7 * mss;
			size_t pay[9] = {mss, mss, mss, mss, mss, mss, mss, mss, mss};
			uint8_t fl[9] = {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10};
			T_CHECK(joined(v6, pay, fl, 9) == 7); // the 8th would pass 64 KB
			pay[7] = rest;
			T_CHECK(joined(v6, pay, fl, 9) == 8); // and it is short: ends it
			pay[7] = rest + 1;
			T_CHECK(joined(v6, pay, fl, 9) == 7);
			// The biggest single frame that fits starts a packet; one byte more does
			// not.
			struct flow f = new_flow(v6, true);
			weft_gro_init(gro);
			size_t n = make_seg(&f, seg_buf[0], WEFT_GRO_MAX - hl, 0x10);
			T_CHECK(n == WEFT_GRO_MAX && offer(gro, seg_buf[0], n));
			T_CHECK(take_and_check(gro, seg_buf, &n, 1, false));
			n = make_seg(&f, seg_buf[0], WEFT_GRO_MAX - hl + 1, 0x10);
			T_CHECK(!offer(gro, seg_buf[0], n) && weft_gro_empty(gro));
		}
	}

	t_case("offers after PSH: refused until taken, then a new packet starts");
	{
		struct flow f = new_flow(false, true);
		weft_gro_init(gro);
		seg_len[0] = make_seg(&f, seg_buf[0], 1448, 0x18);
		seg_len[1] = make_seg(&f, seg_buf[1], 1448, 0x10);
		T_CHECK(offer(gro, seg_buf[0], seg_len[0]));
		T_CHECK(!offer(gro, seg_buf[1], seg_len[1]));
		T_CHECK(!offer(gro, seg_buf[1], seg_len[1]));
		T_CHECK(take_and_check(gro, seg_buf, seg_len, 1, false));
		T_CHECK(offer(gro, seg_buf[1], seg_len[1]));
		T_CHECK(take_and_check(gro, seg_buf + 1, seg_len + 1, 1, false));
	}
}

// --- Random streams through the caller's loop ------------------------------------------------

#define STREAM 400

static uint8_t *stream_buf[STREAM];
static size_t stream_len[STREAM];

// Takes what was built and checks it is the frames [from, to) of the stream.
static bool flush(size_t from, size_t to, unsigned *merged)
{
	if (to - from > 1)
		(*merged)++;
	return take_and_check(gro, stream_buf + from, stream_len + from, to - from, false);
}

static void test_random_streams(void)
{
	unsigned runs = 0, bad = 0, merged = 0, alone = 0;
	t_case("random interleaved streams, driven as the caller does, come back byte for byte");
	for (unsigned it = 0; it < 300; it++) {
		struct flow fl[3];
		size_t mss[3];
		for (int i = 0; i < 3; i++) {
			fl[i] = new_flow(next_u64() & 1, next_u64() & 1);
			mss[i] = 1 + rnd_below(it % 3 ? 3000 : 200);
		}
		for (size_t i = 0; i < STREAM; i++) {
			size_t w = (it % 4 == 0) ? rnd_below(3) : (rnd_below(10) == 0);
			size_t pay = mss[w];
			uint8_t flags = 0x10;
			unsigned dice = (unsigned)rnd_below(40);
			if (dice == 0)
				pay = rnd_below(mss[w]);
			else if (dice == 1)
				flags = 0x18;
			else if (dice == 2)
				flags = (uint8_t)next_u64();
			else if (dice == 3)
				fl[w].seq += 7;
			else if (dice == 4)
				pay = mss[w] + 1;
			else if (dice == 5)
				fl[w].ack += 1448;
			if ((size_t)tcp_off(&fl[w]) + 32 + pay > 9000)
				pay = 9000 - 32 - tcp_off(&fl[w]);
			stream_len[i] = make_seg(&fl[w], stream_buf[i], pay, flags);
		}
		runs++;
		bool ok = true;
		size_t start = 0;
		weft_gro_init(gro);
		for (size_t i = 0; i < STREAM && ok; i++) {
			if (offer(gro, stream_buf[i], stream_len[i]))
				continue;
			if (!weft_gro_empty(gro)) {
				ok = flush(start, i, &merged);
				if (offer(gro, stream_buf[i], stream_len[i])) {
					start = i;
					continue;
				}
			}
			alone++; // written as it is
			start = i + 1;
		}
		if (ok && !weft_gro_empty(gro))
			ok = flush(start, STREAM, &merged);
		bad += !ok;
	}
	T_CHECK_MSG(bad == 0, "%u of %u streams failed", bad, runs);
	T_CHECK_MSG(merged > 1000 && alone > 100, "merged %u, alone %u", merged, alone);
}

int main(void)
{
	t_init("unit/gro");
	gro = malloc(sizeof *gro);
	split_buf = malloc(FRAME_CAP);
	for (size_t i = 0; i < FRAMES_MAX; i++)
		out.f[i] = malloc(FRAME_CAP);
	for (size_t i = 0; i < SEGS_MAX; i++)
		seg_buf[i] = malloc(FRAME_CAP);
	for (size_t i = 0; i < STREAM; i++)
		stream_buf[i] = malloc(9100);
	test_merge();
	test_refusals();
	test_ends();
	test_random_streams();
	for (size_t i = 0; i < STREAM; i++)
		free(stream_buf[i]);
	for (size_t i = 0; i < SEGS_MAX; i++)
		free(seg_buf[i]);
	for (size_t i = 0; i < FRAMES_MAX; i++)
		free(out.f[i]);
	free(split_buf);
	free(gro);
	return t_done();
}
