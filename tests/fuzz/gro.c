// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for os/gro.h. Input: records of a control byte C, a length byte L and L
// frame bytes. C may add (C >> 6) * 2000 payload bytes (0xc0), copy the previous frame's headers
// over the new one, but for one byte its first two bytes say how to bend (0x01), set PSH (0x20),
// fix its IP lengths (0x02), make its seq (0x04) and IPv4 ID (0x10) follow the previous frame's,
// and fix its checksums (0x08): merges are common. Frames are offered as the caller would (take,
// write, offer again on false). Checked: a frame starts a packet iff a naive candidate test says
// so; every taken packet is within WEFT_GRO_MAX with a virtio header as gro.h says; and
// weft_gso_split gives back exactly the frames that were merged, but for their checksums, which
// come back valid, and IPv4 IDs when the originals had all-equal ones.
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csum_ref.h"
#include "check.h"
#include "gro.h"
#include "gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FRAME_MAX (255 + 3 * 2000)
#define PENDING   (WEFT_GRO_SEGS_MAX + 1)
#define COPY_HDR  0x01
#define FIX_LEN   0x02
#define FIX_SEQ   0x04
#define FIX_CSUM  0x08
#define NEXT_ID   0x10
#define SET_PSH   0x20

// Lenient layout of a frame that looks like IPv4/IPv6 + TCP: the TCP offset and header end.
static bool layout(const uint8_t *f, size_t len, bool *v6, size_t *l4, size_t *hl)
{
	if (len < 14 + 40)
		return false;
	uint16_t et = load_be16(f + 12);
	if (et != 0x0800 && et != 0x86dd)
		return false;
	*v6 = et == 0x86dd;
	*l4 = 14 + (*v6 ? 40 : (size_t)(f[14] & 15) * 4);
	if (*l4 < 34 || len < *l4 + 20)
		return false;
	*hl = *l4 + (size_t)(f[*l4 + 12] >> 4) * 4;
	return *hl >= *l4 + 20 && *hl <= len;
}

// The candidate rules of gro.h, written out plainly.
static bool naive_candidate(const uint8_t *f, size_t len)
{
	bool v6;
	size_t l4, hl;
	if (len > WEFT_GRO_MAX || !layout(f, len, &v6, &l4, &hl) || hl >= len)
		return false;
	const uint8_t *ip = f + 14, *tcp = f + l4;
	if (!v6 && (ip[0] != 0x45 || ip[9] != 6 || load_be16(ip + 2) != len - 14 ||
	            (load_be16(ip + 6) & 0x3fff) != 0))
		return false;
	if (v6 && ((ip[0] >> 4) != 6 || ip[6] != 6 || load_be16(ip + 4) != len - l4))
		return false;
	return (tcp[13] & ~0x18) == 0;
}

// The frame bent as the control byte says, prev/prev_len the frame offered before it.
static size_t shape(uint8_t *f, size_t len, uint8_t c, const uint8_t *prev, size_t prev_len)
{
	bool v6, pv6;
	size_t l4, hl, pl4, phl;
	for (size_t extra = (size_t)(c >> 6) * 2000; extra; extra--, len++)
		f[len] = (uint8_t)(len * 7 + c);
	if ((c & COPY_HDR) && prev_len && layout(prev, prev_len, &pv6, &pl4, &phl) && phl <= len) {
		uint8_t at = f[0], x = f[1]; // then one header byte bent: at, xor x
		memcpy(f, prev, phl);
		f[at % phl] ^= x;
	}
	if (!layout(f, len, &v6, &l4, &hl))
		return len;
	uint8_t *ip = f + 14, *tcp = f + l4;
	if (c & SET_PSH)
		tcp[13] |= 0x08;
	if (c & FIX_LEN)
		store_be16(v6 ? ip + 4 : ip + 2, (uint16_t)(len - (v6 ? l4 : 14)));
	if ((c & (FIX_SEQ | NEXT_ID)) && prev_len && layout(prev, prev_len, &pv6, &pl4, &phl)) {
		if (c & FIX_SEQ)
			store_be32(tcp + 4, load_be32(prev + pl4 + 4) + (uint32_t)(prev_len - phl));
		if ((c & NEXT_ID) && !v6 && !pv6)
			store_be16(ip + 4, (uint16_t)(load_be16(prev + 18) + 1));
	}
	if (c & FIX_CSUM) {
		if (!v6) {
			store_be16(ip + 10, 0);
			store_be16(ip + 10, (uint16_t)~t_csum_sum(0, ip, l4 - 14));
		}
		store_be16(tcp + 16, 0);
		uint32_t s = t_csum_sum(t_csum_pseudo(f, v6, len - l4), tcp, len - l4);
		store_be16(tcp + 16, (uint16_t)~s);
	}
	return len;
}

struct pending {
	size_t n;
	size_t len[PENDING];
	uint8_t *f[PENDING];
};

struct split {
	const struct pending *p;
	size_t n;
	bool fixed_id;
	size_t l4;
	bool v6;
};

// Segment i of the split against the frame merged i-th: equal but for the checksum fields
// (valid now) and, for all-equal originals, the IPv4 ID (counting up now).
static void check_segment(void *ctx, uint8_t *f, size_t len)
{
	struct split *s = ctx;
	CHECK(s->n < s->p->n);
	const uint8_t *o = s->p->f[s->n];
	CHECK(len == s->p->len[s->n]);
	if (!s->v6) {
		CHECK((uint16_t)~t_csum_sum(0, f + 14, 20) == 0);
		uint16_t id0 = load_be16(s->p->f[0] + 18);
		CHECK(load_be16(f + 18) ==
		      (s->fixed_id ? (uint16_t)(id0 + s->n) : load_be16(o + 18)));
		memcpy(f + 18, o + 18, 2);
		memcpy(f + 24, o + 24, 2);
	}
	CHECK((uint16_t)~t_csum_sum(t_csum_pseudo(f, s->v6, len - s->l4), f + s->l4, len - s->l4) ==
	      0);
	memcpy(f + s->l4 + 16, o + s->l4 + 16, 2);
	CHECK(memcmp(f, o, len) == 0);
	s->n++;
}

static void take(struct weft_gro *g, struct pending *p, uint8_t *buf)
{
	struct virtio_net_hdr h;
	const uint8_t *frame;
	size_t len;
	uint8_t scratch[WEFT_GSO_SCRATCH];
	CHECK(!weft_gro_empty(g) && p->n > 0);
	weft_gro_take(g, &h, &frame, &len);
	CHECK(weft_gro_empty(g) && len <= WEFT_GRO_MAX);
	if (p->n == 1) {
		CHECK(h.flags == VIRTIO_NET_HDR_F_DATA_VALID && h.gso_type == 0 && h.gso_size == 0);
		CHECK(len == p->len[0] && memcmp(frame, p->f[0], len) == 0);
		p->n = 0;
		return;
	}
	struct split s = {.p = p};
	size_t hl;
	CHECK(layout(frame, len, &s.v6, &s.l4, &hl));
	CHECK(h.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM && h.csum_start == s.l4 &&
	      h.csum_offset == 16 && h.hdr_len == hl);
	CHECK(h.gso_type == (s.v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4));
	CHECK(h.gso_size == p->len[0] - hl && len - s.l4 - 20 > h.gso_size);
	CHECK(load_be16(frame + s.l4 + 16) == t_csum_pseudo(frame, s.v6, len - s.l4));
	for (size_t i = 0; i < p->n; i++) {
		const uint8_t *o = p->f[i];
		CHECK((o[s.l4 + 13] & ~0x18) == 0 && (i + 1 == p->n || !(o[s.l4 + 13] & 0x08)));
		CHECK(p->len[i] > hl && (i + 1 == p->n || p->len[i] == p->len[0]));
		CHECK(s.v6 || (o[14] == 0x45 && (load_be16(o + 20) & 0x3fff) == 0));
	}
	s.fixed_id = !s.v6 && load_be16(p->f[1] + 18) == load_be16(p->f[0] + 18);
	memcpy(buf, frame, len);
	int n = weft_gso_split(&h, buf, len, scratch, sizeof scratch, check_segment, &s);
	CHECK(n == (int)p->n && s.n == p->n);
	p->n = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct weft_gro g;
	static uint8_t frames[PENDING][FRAME_MAX], split_buf[WEFT_GRO_MAX];
	struct pending p = {0};
	size_t slot = 0, prev_len = 0;
	const uint8_t *prev = NULL;
	weft_gro_init(&g);
	for (size_t at = 0; at + 2 <= size;) {
		uint8_t c = data[at];
		size_t n = data[at + 1];
		at += 2;
		if (n > size - at)
			n = size - at;
		uint8_t *f = frames[slot];
		memcpy(f, data + at, n);
		at += n;
		size_t len = shape(f, n, c, prev, prev_len);
		if (len < 14) // not offered, and its slot is reused
			continue;
		prev = f;
		prev_len = len;
		slot = (slot + 1) % PENDING; // pending: the last <= 64 offered, then this one
		bool was_empty = weft_gro_empty(&g);
		bool ok = weft_gro_offer(&g, f, f + 14, len - 14);
		if (!ok && !was_empty) {
			take(&g, &p, split_buf);
			ok = weft_gro_offer(&g, f, f + 14, len - 14);
			was_empty = true;
		}
		if (was_empty)
			CHECK(ok == naive_candidate(f, len));
		if (ok) {
			CHECK(p.n < WEFT_GRO_SEGS_MAX);
			p.f[p.n] = f;
			p.len[p.n++] = len;
		}
	}
	if (!weft_gro_empty(&g))
		take(&g, &p, split_buf);
	CHECK(p.n == 0);
	return 0;
}
