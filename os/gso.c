// SPDX-License-Identifier: MPL-2.0
// TCP segmentation of TAP super-packets and checksum completion (see gso.h), as the kernel's
// tcp_gso_segment and skb_checksum_help do. Segments are built in place: the headers of
// segment i are written just before its payload slice, over the tail of what was already
// delivered, so no payload byte is ever copied; the only copy is the header template.
#include <stdbool.h>
#include <string.h>

#include <linux/virtio_net.h>

#include "buf.h"
#include "gso.h"

#define ETH_HLEN      14
#define ETHERTYPE_IP4 0x0800
#define ETHERTYPE_IP6 0x86dd
#define IP4_HLEN_MIN  20
#define IP6_HLEN      40
#define TCP_HLEN_MIN  20
#define PROTO_TCP     6
#define PROTO_UDP     17
#define UDP_CSUM_OFF  6
#define TCP_SEQ_OFF   4
#define TCP_FLAGS_OFF 13
#define TCP_CSUM_OFF  16
#define TCP_FIN       0x01
#define TCP_PSH       0x08
#define TCP_CWR       0x80

// --- The internet checksum -----------------------------------------------------------------

static inline bool host_is_le(void)
{
	const uint16_t one = 1;
	uint8_t b;
	memcpy(&b, &one, 1);
	return b == 1;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

// Adds the two 32-bit halves of a native 64-bit load: < 2^33 per step, so an accumulator
// takes 2^30 steps before it could overflow.
static inline uint64_t halves(uint64_t v)
{
	return (v & 0xffffffffu) + (v >> 32);
}

// Any value to 16 bits with end-around carry; congruent modulo 0xffff, which is all the
// ones'-complement sum cares about (2^16 and 2^32 are both 1 modulo 0xffff).
static inline uint32_t fold16(uint64_t s)
{
	s = halves(s);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static inline uint32_t swap16(uint32_t v)
{
	return ((v & 0xff) << 8) | (v >> 8);
}

// Bytes per pass of the unrolled loop before its accumulators are folded into the total:
// 2^25 steps of < 2^33 each stay below 2^58.
#define SUM_CHUNK ((size_t)1 << 30)

// Ones'-complement sum of data read as native 16-bit words (unfolded); a final odd byte is
// padded with a zero after it. Four independent accumulators of 32-bit halves let the loop run
// one 64-bit load per add without a carry chain; compilers also vectorise it.
static uint64_t sum_native(const uint8_t *p, size_t len)
{
	uint64_t total = 0;
	while (len >= 32) {
		size_t n = (len < SUM_CHUNK ? len : SUM_CHUNK) & ~(size_t)31;
		uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
		for (size_t i = 0; i < n; i += 32) {
			a0 += halves(load64(p + i));
			a1 += halves(load64(p + i + 8));
			a2 += halves(load64(p + i + 16));
			a3 += halves(load64(p + i + 24));
		}
		total = halves(total) + a0 + a1 + a2 + a3;
		p += n;
		len -= n;
	}
	total = halves(total);
	for (; len >= 8; p += 8, len -= 8)
		total += halves(load64(p));
	if (len) {
		uint8_t tail[8] = {0};
		memcpy(tail, p, len);
		total += halves(load64(tail));
	}
	return total;
}

uint32_t weft_csum_add_at(uint32_t sum, const void *data, size_t len, size_t offset)
{
	uint32_t piece = fold16(sum_native(data, len));
	// Native little-endian lanes hold each big-endian word's bytes swapped; a piece at an odd
	// offset has its bytes in the other lanes of the whole (RFC 1071 §2(B)).
	if (host_is_le() != ((offset & 1) != 0))
		piece = swap16(piece);
	return fold16((uint64_t)sum + piece);
}

uint32_t weft_csum_add(uint32_t sum, const void *data, size_t len)
{
	return weft_csum_add_at(sum, data, len, 0);
}

uint16_t weft_csum_fold(uint32_t sum)
{
	return (uint16_t)~fold16(sum);
}

// --- Checksum completion (not GSO) ---------------------------------------------------------

// Whether the checksum field at start + off is a UDP header's, where a computed 0 must go out
// as 0xffff (0 means "no checksum", RFC 768; forbidden for IPv6, RFC 8200 §8.1).
static bool is_udp_csum(const uint8_t *pkt, size_t len, size_t start, size_t off)
{
	if (off != UDP_CSUM_OFF)
		return false;
	uint16_t et = load_be16(pkt + 12);
	const uint8_t *ip = pkt + ETH_HLEN;
	if (et == ETHERTYPE_IP4 && len >= ETH_HLEN + IP4_HLEN_MIN)
		return ip[9] == PROTO_UDP && start == ETH_HLEN + (size_t)(ip[0] & 15) * 4;
	if (et == ETHERTYPE_IP6 && len >= ETH_HLEN + IP6_HLEN)
		return ip[6] == PROTO_UDP && start == ETH_HLEN + IP6_HLEN;
	return false;
}

// The field at start + off holds the pseudo-header sum; the checksum covers start..len.
static void complete_csum(uint8_t *pkt, size_t len, size_t start, size_t off)
{
	uint16_t c = weft_csum_fold(weft_csum_add(0, pkt + start, len - start));
	if (c == 0 && is_udp_csum(pkt, len, start, off))
		c = 0xffff;
	store_be16(pkt + start + off, c);
}

// --- TCP segmentation ----------------------------------------------------------------------

struct layout {
	size_t ip_hl;  // IP header length: IHL * 4, or 40
	size_t l4;     // offset of the TCP header
	size_t tcp_hl; // TCP data offset * 4
	size_t hl;     // l4 + tcp_hl: the header block every segment repeats
};

// Parses Ethernet + IP + TCP from the packet itself (never from hdr_len). IPv4 must not be a
// fragment; IPv6 must have TCP as its first next header.
static bool parse_tcp(const uint8_t *pkt, size_t len, bool v6, struct layout *lo)
{
	const uint8_t *ip = pkt + ETH_HLEN;
	if (len < ETH_HLEN)
		return false;
	if (!v6) {
		if (load_be16(pkt + 12) != ETHERTYPE_IP4 || len < ETH_HLEN + IP4_HLEN_MIN)
			return false;
		lo->ip_hl = (size_t)(ip[0] & 15) * 4;
		if ((ip[0] >> 4) != 4 || lo->ip_hl < IP4_HLEN_MIN || ip[9] != PROTO_TCP)
			return false;
		if (load_be16(ip + 6) & 0x3fff) // MF or a fragment offset
			return false;
	} else {
		if (load_be16(pkt + 12) != ETHERTYPE_IP6 || len < ETH_HLEN + IP6_HLEN)
			return false;
		lo->ip_hl = IP6_HLEN;
		if ((ip[0] >> 4) != 6 || ip[6] != PROTO_TCP)
			return false;
	}
	lo->l4 = ETH_HLEN + lo->ip_hl;
	if (len < lo->l4 + TCP_HLEN_MIN)
		return false;
	lo->tcp_hl = (size_t)(pkt[lo->l4 + 12] >> 4) * 4;
	lo->hl = lo->l4 + lo->tcp_hl;
	return lo->tcp_hl >= TCP_HLEN_MIN && len >= lo->hl;
}

// Cuts the payload into mss pieces. Everything that could refuse the packet is checked before
// the first out(). Segment i occupies pkt[i * mss, hl + i * mss + seg): its header block
// overwrites only bytes of the original headers (saved in scratch) or of earlier segments,
// which out() has already returned from; its payload is untouched until it is delivered.
static int split_tcp(const struct virtio_net_hdr *h, bool v6, uint8_t *pkt, size_t len,
                     uint8_t *scratch, size_t scratch_cap, weft_gso_out out, void *ctx)
{
	struct layout lo;
	size_t mss = h->gso_size;
	if (mss == 0 || !parse_tcp(pkt, len, v6, &lo) || lo.hl > scratch_cap)
		return WEFT_GSO_MALFORMED;
	size_t payload = len - lo.hl;
	size_t nseg = payload == 0 ? 1 : (payload - 1) / mss + 1;
	size_t biggest = payload < mss ? payload : mss;
	size_t ip_len = (v6 ? 0 : lo.ip_hl) + lo.tcp_hl + biggest; // IPv4 total / IPv6 payload
	if (ip_len > 0xffff || nseg > INT32_MAX)
		return WEFT_GSO_MALFORMED;

	memcpy(scratch, pkt, lo.hl);
	const uint8_t *tip = scratch + ETH_HLEN, *ttcp = scratch + lo.l4;
	uint16_t id = load_be16(tip + 4);
	uint32_t seq = load_be32(ttcp + TCP_SEQ_OFF);
	uint8_t flags = ttcp[TCP_FLAGS_OFF];
	// Pseudo-header (RFC 793 §3.1, RFC 8200 §8.1) but the length: addresses and protocol.
	uint32_t pseudo = v6 ? weft_csum_add(0, tip + 8, 32) : weft_csum_add(0, tip + 12, 8);
	pseudo += PROTO_TCP;

	for (size_t i = 0; i < nseg; i++) {
		size_t off = i * mss, seg = payload - off < mss ? payload - off : mss;
		uint8_t *f = pkt + off, *ip = f + ETH_HLEN, *tcp = f + lo.l4;
		memcpy(f, scratch, lo.hl);
		if (!v6) {
			store_be16(ip + 2, (uint16_t)(lo.ip_hl + lo.tcp_hl + seg));
			store_be16(ip + 4, (uint16_t)(id + i));
			store_be16(ip + 10, 0);
			store_be16(ip + 10, weft_csum_fold(weft_csum_add(0, ip, lo.ip_hl)));
		} else {
			store_be16(ip + 4, (uint16_t)(lo.tcp_hl + seg));
		}
		store_be32(tcp + TCP_SEQ_OFF, (uint32_t)(seq + (uint32_t)off));
		uint8_t fl = flags;
		if (i + 1 < nseg)
			fl &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		if (i > 0)
			fl &= (uint8_t)~TCP_CWR;
		tcp[TCP_FLAGS_OFF] = fl;
		store_be16(tcp + TCP_CSUM_OFF, 0);
		uint32_t s =
		    weft_csum_add(pseudo + (uint32_t)(lo.tcp_hl + seg), tcp, lo.tcp_hl + seg);
		store_be16(tcp + TCP_CSUM_OFF, weft_csum_fold(s));
		out(ctx, f, lo.hl + seg);
	}
	return (int)nseg;
}

int weft_gso_split(const struct virtio_net_hdr *h, uint8_t *pkt, size_t len, uint8_t *scratch,
                   size_t scratch_cap, weft_gso_out out, void *ctx)
{
	size_t start = h->csum_start, off = h->csum_offset;
	bool needs_csum = (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
	if (len < ETH_HLEN || (needs_csum && (start >= len || len - start < off + 2)))
		return WEFT_GSO_MALFORMED;
	switch (h->gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if (needs_csum)
			complete_csum(pkt, len, start, off);
		out(ctx, pkt, len);
		return 1;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN:
		return split_tcp(h, false, pkt, len, scratch, scratch_cap, out, ctx);
	case VIRTIO_NET_HDR_GSO_TCPV6:
	case VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN:
		return split_tcp(h, true, pkt, len, scratch, scratch_cap, out, ctx);
	default: // UDP / UDP_L4 (not enabled), ECN alone, anything unknown
		return WEFT_GSO_MALFORMED;
	}
}
