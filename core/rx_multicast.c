// SPDX-License-Identifier: MPL-2.0
// The multicast directory (vl2.md §8.2, 8.3, 8.7): a root stores every MULTICAST_LIKE it gets
// and a controller those of members it configured in the last 180 s, and both answer their
// MULTICAST_GATHERs. Without it, 1.14 members never learn of each other's groups and ARP
// between them never starts. (A member's own multicast arrives with the VL2 member.)
#include "node.h"

#define LIKE_RECORD_LEN 18 // network ID (8) | group MAC (6) | ADI (4)

void weft_multicast_configured(struct weft_node *n, int64_t now_ms, uint64_t member, uint64_t nwid)
{
	struct weft_peer *p = weft_peer_find(n, member);
	if (!p)
		return;
	unsigned oldest = 0;
	for (unsigned i = 0; i < WEFT_LIMIT_PEER_CONFIGURED; i++) {
		if (p->configured[i].nwid == nwid) {
			oldest = i;
			break;
		}
		if (p->configured[i].sent_ms < p->configured[oldest].sent_ms)
			oldest = i;
	}
	p->configured[oldest].nwid = nwid;
	p->configured[oldest].sent_ms = now_ms;
}

// May p's subscriptions to nwid be stored and its gathers answered here?
static bool directory_for(const struct weft_node *n, int64_t now_ms, const struct weft_peer *p,
                          uint64_t nwid)
{
	if (n->is_upstream)
		return true;
	if ((nwid >> 24) != n->self.address)
		return false;
	for (unsigned i = 0; i < WEFT_LIMIT_PEER_CONFIGURED; i++)
		if (p->configured[i].nwid == nwid &&
		    now_ms - p->configured[i].sent_ms <= WEFT_T_MC_CONFIGURED)
			return true;
	return false;
}

static struct weft_vl2_mcgroup read_group(struct weft_rbuf *r)
{
	struct weft_vl2_mcgroup g;
	const uint8_t *mac = rbuf_take(r, 6);
	g.mac = mac ? weft_vl2_mac_from_bytes(mac) : 0;
	g.adi = rbuf_u32(r);
	return g;
}

void weft_rx_multicast_like(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                            const uint8_t *payload, size_t len)
{
	struct weft_rbuf r;
	bool refused = false;
	if (len == 0 || len % LIKE_RECORD_LEN) {
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	p->last_active_ms = now_ms;
	rbuf_init(&r, payload, len);
	while (r.pos < len && !r.bad) {
		uint64_t nwid = rbuf_u64(&r);
		struct weft_vl2_mcgroup g = read_group(&r);
		if (r.bad || p->id.address == n->self.address)
			break;
		bool member = weft_mcast_member_like(n, now_ms, p, nwid, &g);
		if (directory_for(n, now_ms, p, nwid))
			weft_mc_add(&n->mc, nwid, &g, p->id.address, now_ms);
		else if (!member)
			refused = true;
	}
	if (refused)
		weft_count(n, WEFT_CTR_DROP_MULTICAST_UNAUTHORIZED);
}

void weft_rx_multicast_gather(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                              const uint8_t *pkt, size_t len)
{
	struct weft_rbuf r;
	uint64_t found[(WEFT_PACKET_MAX_LEN - 128) / 5];
	uint32_t total;
	rbuf_init(&r, pkt + WEFT_WIRE_IDX_PAYLOAD, len - WEFT_WIRE_IDX_PAYLOAD);
	uint64_t nwid = rbuf_u64(&r);
	(void)rbuf_u8(&r); // flags: an attached COM matters only to members of the network
	struct weft_vl2_mcgroup g = read_group(&r);
	uint32_t want = rbuf_u32(&r);
	if (r.bad) {
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	p->last_active_ms = now_ms;
	if (!directory_for(n, now_ms, p, nwid)) {
		if (!weft_mcast_member_gather(n, now_ms, p, pkt, len))
			weft_count(n, WEFT_CTR_DROP_MULTICAST_UNAUTHORIZED);
		return;
	}
	size_t max = want < sizeof found / sizeof found[0] ? want : sizeof found / sizeof found[0];
	size_t count = weft_mc_gather(&n->mc, nwid, &g, p->id.address, weft_node_random_u64(n),
	                              found, max, &total);
	if (!count) // the reference answers only with at least one address
		return;
	uint8_t *out = n->scratch;
	struct weft_wbuf w;
	uint8_t mac[6];
	wbuf_init(&w, out, sizeof n->scratch);
	wbuf_u8(&w, WEFT_VERB_MULTICAST_GATHER);
	wbuf_bytes(&w, pkt + WEFT_WIRE_IDX_ID, 8); // in-re packet ID as it came
	wbuf_u64(&w, nwid);
	weft_vl2_mac_to_bytes(mac, g.mac);
	wbuf_bytes(&w, mac, 6);
	wbuf_u32(&w, g.adi);
	wbuf_u32(&w, total);
	wbuf_u16(&w, (uint16_t)count);
	for (size_t i = 0; i < count; i++)
		wbuf_u40(&w, found[i]);
	if (!w.bad)
		weft_tx_send(n, now_ms, p->id.address, WEFT_VERB_OK, out, w.len, true, true);
}
