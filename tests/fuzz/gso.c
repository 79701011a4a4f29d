// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for os/gso.h. Input: 10 bytes of virtio-net header, then the packet
// (split from an exact-size copy). Every delivered frame is checked against the input with a
// byte-by-byte reference checksum: a plain frame is the input with at most its checksum field
// completed; a segment repeats the input's Ethernet header, stays within headers + gso_size,
// has valid IPv4 header and TCP checksums, and the segments' payloads rebuild the input's.
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csum_ref.h"
#include "check.h"
#include "gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PKT_MAX (65536 + 256)

struct run {
	struct virtio_net_hdr h;
	const uint8_t *orig; // the packet as given
	size_t len;
	bool gso;
	int frames;
	size_t payload_seen; // GSO: payload bytes delivered so far
	size_t hl;           // GSO: header block of the first segment
};

static void check_plain(struct run *r, const uint8_t *f, size_t len)
{
	CHECK(r->frames == 1 && len == r->len);
	if (!(r->h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		CHECK(memcmp(f, r->orig, len) == 0);
		return;
	}
	size_t start = r->h.csum_start, at = start + r->h.csum_offset;
	CHECK(at + 2 <= len);
	CHECK(memcmp(f, r->orig, at) == 0 &&
	      memcmp(f + at + 2, r->orig + at + 2, len - at - 2) == 0);
	// With the field's old value (the pseudo-header sum it stood for) the region verifies.
	if (r->h.csum_offset % 2 == 0)
		CHECK((uint16_t)~t_csum_sum(load_be16(r->orig + at), f + start, len - start) == 0);
}

static void check_segment(struct run *r, const uint8_t *f, size_t len)
{
	bool v6 = (r->h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_TCPV6;
	size_t mss = r->h.gso_size;
	CHECK(len >= 14 + 20 + 20 && len <= r->len && len <= WEFT_GSO_HEADERS_MAX + mss);
	CHECK(memcmp(f, r->orig, 14) == 0);
	CHECK(load_be16(f + 12) == (v6 ? 0x86dd : 0x0800));
	const uint8_t *ip = f + 14;
	size_t ip_hl = v6 ? 40 : (size_t)(ip[0] & 15) * 4, l4 = 14 + ip_hl;
	CHECK(len >= l4 + 20);
	size_t hl = l4 + (size_t)(f[l4 + 12] >> 4) * 4;
	CHECK(hl <= len && len - hl <= mss);
	if (r->frames == 1)
		r->hl = hl;
	CHECK(hl == r->hl);
	uint8_t ph[40];
	size_t phn;
	if (!v6) {
		CHECK(ip[9] == 6 && load_be16(ip + 2) == len - 14);
		CHECK((uint16_t)~t_csum_sum(0, ip, ip_hl) == 0);
		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = 6;
		store_be16(ph + 10, (uint16_t)(len - l4));
		phn = 12;
	} else {
		CHECK(ip[6] == 6 && load_be16(ip + 4) == len - l4);
		memcpy(ph, ip + 8, 32);
		store_be32(ph + 32, (uint32_t)(len - l4));
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = 6;
		phn = 40;
	}
	CHECK((uint16_t)~t_csum_sum(t_csum_sum(0, ph, phn), f + l4, len - l4) == 0);
	CHECK(memcmp(f + hl, r->orig + hl + r->payload_seen, len - hl) == 0);
	r->payload_seen += len - hl;
}

static void out(void *ctx, uint8_t *frame, size_t len)
{
	struct run *r = ctx;
	r->frames++;
	CHECK(len <= r->len);
	if (r->gso)
		check_segment(r, frame, len);
	else
		check_plain(r, frame, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = {0};
	uint8_t scratch[WEFT_GSO_SCRATCH];
	if (size < sizeof r.h || size - sizeof r.h > PKT_MAX)
		return 0;
	memcpy(&r.h, data, sizeof r.h);
	r.orig = data + sizeof r.h;
	r.len = size - sizeof r.h;
	r.gso = r.h.gso_type != VIRTIO_NET_HDR_GSO_NONE;
	uint8_t *pkt = malloc(r.len ? r.len : 1);
	CHECK(pkt != NULL);
	memcpy(pkt, r.orig, r.len);
	int n = weft_gso_split(&r.h, pkt, r.len, scratch, sizeof scratch, out, &r);
	CHECK(n == WEFT_GSO_MALFORMED ? r.frames == 0 : n == r.frames && n > 0);
	if (n > 0 && r.gso)
		CHECK(r.payload_seen == r.len - r.hl);
	free(pkt);
	return 0;
}
