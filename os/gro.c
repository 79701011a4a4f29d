// SPDX-License-Identifier: MPL-2.0
// TCP receive coalescing for frames written to the TAP (see gro.h), after the kernel's
// inet_gro_receive / ipv6_gro_receive / tcp_gro_receive and tcp4/6_gro_complete. The first
// segment is copied whole into the buffer; each later one contributes only its payload, and its
// headers are compared with the first's. The headers are fixed up once, when taken.
#include <string.h>

#include <linux/virtio_net.h>

#include "buf.h"
#include "gro.h"
#include "gso.h"

#define ETH_HLEN      14
#define ETHERTYPE_IP4 0x0800
#define ETHERTYPE_IP6 0x86dd
#define IP4_HLEN      20
#define IP6_HLEN      40
#define TCP_HLEN_MIN  20
#define PROTO_TCP     6
#define TCP_SEQ_OFF   4
#define TCP_FLAGS_OFF 13
#define TCP_CSUM_OFF  16
#define TCP_PSH       0x08
#define TCP_ACK       0x10
#define IP4_DF        0x4000
#define IP4_FRAG      0x3fff // MF and the fragment offset

enum id_mode { ID_UNKNOWN, ID_CONSECUTIVE, ID_FIXED };

// One offered segment, parsed.
struct seg {
	bool v6;
	size_t ip_hl, tcp_hl, payload;
	uint32_t seq;
	uint16_t id;
	uint8_t flags;
};

// Whether the frame is a candidate at all, and its layout. ip/len: the IP packet.
static bool parse(const uint8_t eth[ETH_HLEN], const uint8_t *ip, size_t len, struct seg *s)
{
	uint16_t et = load_be16(eth + 12);
	if (len > WEFT_GRO_MAX - ETH_HLEN)
		return false;
	if (et == ETHERTYPE_IP4) {
		if (len < IP4_HLEN + TCP_HLEN_MIN || ip[0] != 0x45 || ip[9] != PROTO_TCP)
			return false;
		if (load_be16(ip + 2) != len || (load_be16(ip + 6) & IP4_FRAG))
			return false;
		s->v6 = false;
		s->ip_hl = IP4_HLEN;
		s->id = load_be16(ip + 4);
	} else if (et == ETHERTYPE_IP6) {
		if (len < IP6_HLEN + TCP_HLEN_MIN || (ip[0] >> 4) != 6 || ip[6] != PROTO_TCP)
			return false;
		if (load_be16(ip + 4) != len - IP6_HLEN)
			return false;
		s->v6 = true;
		s->ip_hl = IP6_HLEN;
		s->id = 0;
	} else {
		return false;
	}
	const uint8_t *tcp = ip + s->ip_hl;
	s->tcp_hl = (size_t)(tcp[12] >> 4) * 4;
	if (s->tcp_hl < TCP_HLEN_MIN || len - s->ip_hl <= s->tcp_hl) // and a payload byte
		return false;
	s->flags = tcp[TCP_FLAGS_OFF];
	if (s->flags & (uint8_t) ~(TCP_ACK | TCP_PSH))
		return false;
	s->payload = len - s->ip_hl - s->tcp_hl;
	s->seq = load_be32(tcp + TCP_SEQ_OFF);
	return true;
}

// a[from, to) == b[from, to)
static bool same(const uint8_t *a, const uint8_t *b, size_t from, size_t to)
{
	return memcmp(a + from, b + from, to - from) == 0;
}

// The IPv4 ID rule: the second segment decides between consecutive and (with DF) all equal.
static bool id_follows(struct weft_gro *g, const uint8_t *ip, uint16_t id)
{
	uint16_t next = (uint16_t)(g->id + g->segs);
	switch (g->id_mode) {
	case ID_UNKNOWN:
		if (id == next) {
			g->id_mode = ID_CONSECUTIVE;
			return true;
		}
		if (id == g->id && (load_be16(ip + 6) & IP4_DF)) {
			g->id_mode = ID_FIXED;
			return true;
		}
		return false;
	case ID_CONSECUTIVE: return id == next;
	default: return id == g->id;
	}
}

// Every header byte but the lengths, IPv4 ID and checksum, TCP seq, checksum and PSH equals the
// first segment's (kept in g->buf), and the segment follows on.
static bool can_join(const struct weft_gro *g, const uint8_t eth[ETH_HLEN], const uint8_t *ip,
                     const struct seg *s)
{
	const uint8_t *fip = g->buf + ETH_HLEN, *ftcp = g->buf + g->l4, *tcp = ip + s->ip_hl;
	if (g->closed || g->segs >= WEFT_GRO_SEGS_MAX || s->v6 != g->v6)
		return false;
	if (ETH_HLEN + s->ip_hl + s->tcp_hl != g->hl || s->payload > g->mss ||
	    s->payload > WEFT_GRO_MAX - g->len || s->seq != g->next_seq)
		return false;
	if (memcmp(eth, g->buf, ETH_HLEN) != 0)
		return false;
	if (!s->v6 && !(same(ip, fip, 0, 2) && same(ip, fip, 6, 10) && same(ip, fip, 12, 20)))
		return false;
	if (s->v6 && !(same(ip, fip, 0, 4) && same(ip, fip, 6, IP6_HLEN)))
		return false;
	if ((s->flags & (uint8_t)~TCP_PSH) != ftcp[TCP_FLAGS_OFF])
		return false;
	return same(tcp, ftcp, 0, TCP_SEQ_OFF) && same(tcp, ftcp, 8, TCP_FLAGS_OFF) &&
	       same(tcp, ftcp, 14, TCP_CSUM_OFF) && same(tcp, ftcp, 18, s->tcp_hl);
}

// The segment's payload is in; a short or PSH segment ends the super-packet.
static void account(struct weft_gro *g, const struct seg *s)
{
	g->segs++;
	g->next_seq = s->seq + (uint32_t)s->payload;
	g->psh = (s->flags & TCP_PSH) != 0;
	g->closed = g->psh || s->payload < g->mss;
}

bool weft_gro_offer(struct weft_gro *g, const uint8_t eth[14], const uint8_t *payload, size_t len)
{
	struct seg s;
	if (!parse(eth, payload, len, &s))
		return false;
	if (g->len == 0) {
		memcpy(g->buf, eth, ETH_HLEN);
		memcpy(g->buf + ETH_HLEN, payload, len);
		g->len = ETH_HLEN + len;
		g->v6 = s.v6;
		g->l4 = ETH_HLEN + s.ip_hl;
		g->hl = g->l4 + s.tcp_hl;
		g->mss = s.payload;
		g->segs = 0;
		g->id = s.id;
		g->id_mode = ID_UNKNOWN;
		account(g, &s);
		return true;
	}
	if (!can_join(g, eth, payload, &s) || (!s.v6 && !id_follows(g, payload, s.id)))
		return false;
	memcpy(g->buf + g->len, payload + s.ip_hl + s.tcp_hl, s.payload);
	g->len += s.payload;
	account(g, &s);
	return true;
}

bool weft_gro_empty(const struct weft_gro *g)
{
	return g->len == 0;
}

void weft_gro_init(struct weft_gro *g)
{
	g->len = 0;
	g->segs = 0;
	g->closed = false;
}

// The merged headers (tcp4/6_gro_complete): lengths for the whole, PSH from the last segment,
// and the TCP checksum field primed with the pseudo-header sum for the kernel to complete.
static void finish(struct weft_gro *g, struct virtio_net_hdr *h)
{
	uint8_t *ip = g->buf + ETH_HLEN, *tcp = g->buf + g->l4;
	size_t tcp_len = g->len - g->l4;
	uint32_t sum;
	if (!g->v6) {
		store_be16(ip + 2, (uint16_t)(g->len - ETH_HLEN));
		store_be16(ip + 10, 0);
		store_be16(ip + 10, weft_csum_fold(weft_csum_add(0, ip, IP4_HLEN)));
		sum = weft_csum_add(0, ip + 12, 8);
	} else {
		store_be16(ip + 4, (uint16_t)tcp_len);
		sum = weft_csum_add(0, ip + 8, 32);
	}
	if (g->psh)
		tcp[TCP_FLAGS_OFF] |= TCP_PSH;
	sum = weft_csum_add(sum + PROTO_TCP + (uint32_t)tcp_len, tcp, 0); // folds
	store_be16(tcp + TCP_CSUM_OFF, (uint16_t)sum);
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = g->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	h->hdr_len = (uint16_t)g->hl;
	h->gso_size = (uint16_t)g->mss;
	h->csum_start = (uint16_t)g->l4;
	h->csum_offset = TCP_CSUM_OFF;
}

void weft_gro_take(struct weft_gro *g, struct virtio_net_hdr *h, const uint8_t **frame, size_t *len)
{
	memset(h, 0, sizeof *h);
	*frame = g->buf;
	*len = g->len;
	if (g->segs == 1)
		h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	else if (g->segs > 1)
		finish(g, h);
	weft_gro_init(g);
}
