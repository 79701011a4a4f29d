// SPDX-License-Identifier: MPL-2.0
// Multicast as a member of a network (vl2.md §8): our port's subscriptions and their LIKE
// announcements, GATHERs answered from what we know, sending a multicast to its subscribers
// (sender-replicated unicast, §8.5) with a short queue for subscribers learned afterwards, and
// receiving MULTICAST_FRAME. The directory side (roots, controllers) is rx_multicast.c.
#include <stdlib.h>

#include "node.h"

#define LIKE_RECORD_LEN   18     // network ID (8) | group MAC (6) | ADI (4)
#define LIKE_SPLIT_LEN    10024  // a LIKE packet may not reach this with one more record (§8.2)
#define ANNOUNCE_MS       60000  // LIKE re-announcement, to upstreams and per peer (§8.6)
#define GATHER_MS         60000  // explicit GATHER at most this often per group (§8.6)
#define PENDING_MS        5000   // a queued multicast still reaches new subscribers this long
#define EXPIRE_PASS_MS    30000  // the subscription housekeeping pass (§8.6)
#define PUSH_MAX_AGE_MS   500000 // credentials pushed before a MULTICAST_FRAME when older (§5.8)
#define FRAME_MAX_LEN     10000  // Ethernet payload of a MULTICAST_FRAME (§8.4)
#define GATHER_PEERS_MAX  16     // explicit GATHER recipients per send (§8.5)
#define ANSWER_MAX        512    // addresses in one GATHER answer; askers want limit+1 at most
#define SEND_MAX          256    // recipients of one multicast: a larger config limit is clamped
#define MC_FLAG_COM       0x01   // MULTICAST_FRAME / GATHER: a COM follows
#define MC_FLAG_GATHER    0x02   // MULTICAST_FRAME: implicit gather limit follows
#define MC_FLAG_SRC_MAC   0x04   // MULTICAST_FRAME: explicit (bridged) source MAC follows
#define ANNOUNCED_MAX     (2 * WEFT_LIMIT_NETWORK_SUBS + 1)
#define MC_FLAG_REPLICATE 0x08 // MULTICAST_FRAME: "please replicate" (replicators only)

// The gate (§5.10), in one place should its signature change.
static bool gate(struct weft_node *n, const struct weft_network *net, uint64_t address)
{
	return weft_membership_gate(n, net, address);
}

// The gate for a packet from `address`; passing it also sends the peer our subscriptions if
// it has not had them for 60 s (§5.10).
static bool admit(struct weft_node *n, int64_t now_ms, struct weft_network *net, uint64_t address)
{
	if (!gate(n, net, address))
		return false;
	struct weft_membership *m = weft_membership_get(net, address, true);
	if (m)
		weft_mcast_announce_to(n, now_ms, net, m);
	return true;
}

static bool mac_is_multicast(uint64_t mac)
{
	return (mac >> 40) & 1;
}

static struct weft_vl2_mcgroup read_group(struct weft_rbuf *r)
{
	struct weft_vl2_mcgroup g = {0, 0};
	const uint8_t *mac = rbuf_take(r, 6);
	if (mac)
		g.mac = weft_vl2_mac_from_bytes(mac);
	g.adi = rbuf_u32(r);
	return g;
}

static void write_group(struct weft_wbuf *w, const struct weft_vl2_mcgroup *g)
{
	uint8_t mac[6];
	weft_vl2_mac_to_bytes(mac, g->mac);
	wbuf_bytes(w, mac, 6);
	wbuf_u32(w, g->adi);
}

static bool subscribed(const struct weft_network *net, const struct weft_vl2_mcgroup *g)
{
	unsigned lo = 0, hi = net->n_subs;
	for (unsigned i = 0; i < net->n_behind; i++) // groups of MACs behind us as a bridge
		if (!weft_vl2_mcgroup_cmp(&net->behind[i], g))
			return true;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		int c = weft_vl2_mcgroup_cmp(&net->subs[mid], g);
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool compress_for(const struct weft_network *net)
{
	return !net->nc || !(net->nc->flags & WEFT_NETCONF_F_DISABLE_COMPRESSION);
}

// ---- LIKE: announcing our subscriptions (§8.2) ----------------------------------------------

static int cmp_group(const void *a, const void *b)
{
	return weft_vl2_mcgroup_cmp(a, b);
}

// What we announce: our subscriptions, the groups behind us as a bridge, and broadcast when
// enabled; sorted, no duplicates.
static unsigned announced_groups(const struct weft_network *net,
                                 struct weft_vl2_mcgroup out[ANNOUNCED_MAX])
{
	unsigned k = net->n_subs + net->n_behind, u = 0;
	memcpy(out, net->subs, net->n_subs * sizeof out[0]);
	memcpy(out + net->n_subs, net->behind, net->n_behind * sizeof out[0]);
	if (net->nc && (net->nc->flags & WEFT_NETCONF_F_ENABLE_BROADCAST))
		out[k++] = weft_vl2_mcgroup_broadcast();
	qsort(out, k, sizeof out[0], cmp_group);
	for (unsigned i = 0; i < k; i++)
		if (!u || weft_vl2_mcgroup_cmp(&out[u - 1], &out[i]))
			out[u++] = out[i];
	return u;
}

// LIKE packets carrying `groups` to `dest`, a new packet before one would reach 10024 bytes.
static void like_to(struct weft_node *n, int64_t now_ms, const struct weft_network *net,
                    uint64_t dest, const struct weft_vl2_mcgroup *groups, unsigned count)
{
	uint8_t buf[WEFT_PACKET_MAX_LEN];
	struct weft_wbuf w;
	if (dest == n->self.address || !count)
		return;
	wbuf_init(&w, buf, sizeof buf);
	for (unsigned i = 0; i < count; i++) {
		if (WEFT_WIRE_IDX_PAYLOAD + w.len + LIKE_RECORD_LEN + 6 >= LIKE_SPLIT_LEN) {
			weft_tx_send(n, now_ms, dest, WEFT_VERB_MULTICAST_LIKE, buf, w.len, true,
			             true);
			wbuf_init(&w, buf, sizeof buf);
		}
		wbuf_u64(&w, net->nwid);
		write_group(&w, &groups[i]);
	}
	if (w.len && !w.bad)
		weft_tx_send(n, now_ms, dest, WEFT_VERB_MULTICAST_LIKE, buf, w.len, true, true);
}

// Directories: the controller, every upstream, ANCHOR and REPLICATOR specialists (§8.2).
static bool is_directory(const struct weft_node *n, const struct weft_network *net,
                         uint64_t address)
{
	if (address == (net->nwid >> 24))
		return true;
	for (unsigned i = 0; i < n->n_upstreams; i++)
		if (n->upstreams[i] == address)
			return true;
	for (unsigned i = 0; net->nc && i < net->nc->n_specialists; i++) {
		uint64_t s = net->nc->specialists[i];
		if ((s & WEFT_NETCONF_SPECIALIST_ADDRESS_MASK) == address &&
		    (s &
		     (WEFT_NETCONF_SPECIALIST_ANCHOR | WEFT_NETCONF_SPECIALIST_MULTICAST_REPLIC)))
			return true;
	}
	return false;
}

static void like_directories(struct weft_node *n, int64_t now_ms, const struct weft_network *net,
                             const struct weft_vl2_mcgroup *groups, unsigned count)
{
	like_to(n, now_ms, net, net->nwid >> 24, groups, count);
	for (unsigned i = 0; i < n->n_upstreams; i++)
		if (n->upstreams[i] != (net->nwid >> 24))
			like_to(n, now_ms, net, n->upstreams[i], groups, count);
	for (unsigned i = 0; net->nc && i < net->nc->n_specialists; i++) {
		uint64_t s = net->nc->specialists[i], a = s & WEFT_NETCONF_SPECIALIST_ADDRESS_MASK;
		if ((s &
		     (WEFT_NETCONF_SPECIALIST_ANCHOR | WEFT_NETCONF_SPECIALIST_MULTICAST_REPLIC)) &&
		    a != (net->nwid >> 24) && !weft_topology_is_upstream(n, a))
			like_to(n, now_ms, net, a, groups, count);
	}
}

void weft_mcast_announce(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                         const struct weft_vl2_mcgroup *g)
{
	struct weft_vl2_mcgroup groups[ANNOUNCED_MAX];
	unsigned count = g ? 1 : announced_groups(net, groups);
	const struct weft_vl2_mcgroup *list = g ? g : groups;
	if (!net->nc || !count)
		return;
	if (g || now_ms - net->announce_ms >= ANNOUNCE_MS) {
		like_directories(n, now_ms, net, list, count);
		if (!g)
			net->announce_ms = now_ms;
	}
	for (unsigned b = 0; b < WEFT_LIMIT_MEMBERSHIP_BUCKETS; b++)
		for (struct weft_membership *m = net->members[b]; m; m = m->next) {
			if (m->address == n->self.address || is_directory(n, net, m->address) ||
			    (!g && now_ms - m->liked_ms < ANNOUNCE_MS) || !gate(n, net, m->address))
				continue;
			like_to(n, now_ms, net, m->address, list, count);
			if (!g)
				m->liked_ms = now_ms;
		}
}

void weft_mcast_announce_to(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                            struct weft_membership *m)
{
	struct weft_vl2_mcgroup groups[ANNOUNCED_MAX];
	if (!net->nc || now_ms - m->liked_ms < ANNOUNCE_MS)
		return;
	m->liked_ms = now_ms;
	like_to(n, now_ms, net, m->address, groups, announced_groups(net, groups));
}

enum weft_result weft_node_multicast_subscribe(struct weft_node *n, int64_t now_ms, uint64_t nwid,
                                               uint64_t mac, uint32_t adi)
{
	struct weft_network *net = weft_network_find(n, nwid);
	struct weft_vl2_mcgroup g = {mac & WEFT_MAC_MASK, adi};
	unsigned at = 0;
	if (!net)
		return WEFT_ERR_NOT_FOUND;
	if (!mac_is_multicast(g.mac))
		return WEFT_ERR_INVALID;
	while (at < net->n_subs && weft_vl2_mcgroup_cmp(&net->subs[at], &g) < 0)
		at++;
	if (at < net->n_subs && !weft_vl2_mcgroup_cmp(&net->subs[at], &g))
		return WEFT_OK;
	if (net->n_subs >= WEFT_LIMIT_NETWORK_SUBS)
		return WEFT_ERR_FULL;
	memmove(&net->subs[at + 1], &net->subs[at], (net->n_subs - at) * sizeof net->subs[0]);
	net->subs[at] = g;
	net->n_subs++;
	weft_mcast_announce(n, now_ms, net, &g); // a new group is announced at once (§8.2)
	return WEFT_OK;
}

enum weft_result weft_node_multicast_unsubscribe(struct weft_node *n, uint64_t nwid, uint64_t mac,
                                                 uint32_t adi)
{
	struct weft_network *net = weft_network_find(n, nwid);
	struct weft_vl2_mcgroup g = {mac & WEFT_MAC_MASK, adi};
	if (!net)
		return WEFT_ERR_NOT_FOUND;
	for (unsigned i = 0; i < net->n_subs; i++)
		if (!weft_vl2_mcgroup_cmp(&net->subs[i], &g)) {
			memmove(&net->subs[i], &net->subs[i + 1],
			        (net->n_subs - i - 1) * sizeof net->subs[0]);
			net->n_subs--;
			return WEFT_OK; // nothing is sent: receivers age it out (§8.2)
		}
	return WEFT_ERR_NOT_FOUND;
}

// ---- sending a multicast (§8.5) -------------------------------------------------------------

// The MULTICAST_FRAME payload; 0 if it does not fit.
static size_t frame_payload(uint8_t *buf, size_t cap, uint64_t nwid, uint32_t gather_limit,
                            uint64_t src_mac, const struct weft_vl2_mcgroup *g, uint16_t ethertype,
                            const void *data, size_t len)
{
	struct weft_wbuf w;
	uint8_t mac[6];
	wbuf_init(&w, buf, cap);
	wbuf_u64(&w, nwid);
	wbuf_u8(&w, (uint8_t)(MC_FLAG_GATHER | (src_mac ? MC_FLAG_SRC_MAC : 0)));
	wbuf_u32(&w, gather_limit);
	if (src_mac) {
		weft_vl2_mac_to_bytes(mac, src_mac);
		wbuf_bytes(&w, mac, 6);
	}
	write_group(&w, g);
	wbuf_u16(&w, ethertype);
	wbuf_bytes(&w, data, len);
	return w.bad ? 0 : w.len;
}

// One copy to one recipient: its own outbound filter, then credentials, then the frame.
static bool send_copy(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                      const struct weft_frame *f, uint64_t to, const uint8_t *payload, size_t len)
{
	if (!weft_frame_filter_out(n, now_ms, net, f, to, true))
		return false;
	weft_membership_push(n, now_ms, net, to, PUSH_MAX_AGE_MS);
	weft_tx_send(n, now_ms, to, WEFT_VERB_MULTICAST_FRAME, payload, len, compress_for(net),
	             true);
	return true;
}

// Explicit GATHER with our COM to the best upstream, the controller and anchors/replicators.
static void send_gather(struct weft_node *n, int64_t now_ms, const struct weft_network *net,
                        const struct weft_vl2_mcgroup *g, uint32_t max)
{
	uint8_t buf[32 + WEFT_COM_MAX_LEN];
	uint64_t to[GATHER_PEERS_MAX];
	unsigned n_to = 0;
	struct weft_wbuf w;
	struct weft_peer *up = weft_topology_best_upstream(n, now_ms);
	bool com = net->nc->has_com;
	wbuf_init(&w, buf, sizeof buf);
	wbuf_u64(&w, net->nwid);
	wbuf_u8(&w, com ? MC_FLAG_COM : 0);
	write_group(&w, g);
	wbuf_u32(&w, max);
	if (com)
		weft_com_encode(&net->nc->com, &w);
	if (w.bad)
		return;
	if (up)
		to[n_to++] = up->id.address;
	to[n_to++] = net->nwid >> 24;
	for (unsigned i = 0; i < net->nc->n_specialists && n_to < GATHER_PEERS_MAX; i++) {
		uint64_t s = net->nc->specialists[i];
		if (s & (WEFT_NETCONF_SPECIALIST_ANCHOR | WEFT_NETCONF_SPECIALIST_MULTICAST_REPLIC))
			to[n_to++] = s & WEFT_NETCONF_SPECIALIST_ADDRESS_MASK;
	}
	for (unsigned i = 0; i < n_to; i++) {
		bool dup = to[i] == n->self.address;
		for (unsigned k = 0; k < i; k++)
			dup |= to[k] == to[i];
		if (!dup)
			weft_tx_send(n, now_ms, to[i], WEFT_VERB_MULTICAST_GATHER, buf, w.len,
			             false, true);
	}
}

// Last explicit GATHER for g: kept beside the pending slots that last held the group.
static int64_t last_gather(const struct weft_network *net, const struct weft_vl2_mcgroup *g)
{
	int64_t t = 0;
	for (unsigned i = 0; i < WEFT_LIMIT_MC_PENDING; i++)
		if (!weft_vl2_mcgroup_cmp(&net->pending[i].group, g) && net->gather_ms[i] > t)
			t = net->gather_ms[i];
	return t;
}

// A slot for a new queued multicast: free ones first (one that held g keeps its gather time),
// else the oldest entry is replaced.
static unsigned pending_slot(const struct weft_network *net, const struct weft_vl2_mcgroup *g)
{
	unsigned best = 0;
	int score = -1;
	for (unsigned i = 0; i < WEFT_LIMIT_MC_PENDING; i++) {
		const struct weft_mc_pending *q = &net->pending[i];
		int s = q->created_ms ? 0 : weft_vl2_mcgroup_cmp(&q->group, g) ? 2 : 3;
		if (s > score ||
		    (s == score && s == 0 && q->created_ms < net->pending[best].created_ms)) {
			score = s;
			best = i;
		}
	}
	return best;
}

static struct weft_mc_pending *queue_frame(struct weft_network *net, int64_t now_ms,
                                           const struct weft_vl2_mcgroup *g,
                                           const struct weft_frame *f, unsigned limit,
                                           int64_t gathered_ms)
{
	unsigned i = pending_slot(net, g);
	struct weft_mc_pending *q = &net->pending[i];
	if (f->len > WEFT_LIMIT_MC_PENDING_BYTES)
		return NULL;
	q->created_ms = now_ms ? now_ms : 1;
	q->group = *g;
	q->src_mac = f->src_mac != net->mac ? f->src_mac : 0;
	q->ethertype = f->ethertype;
	q->limit =
	    limit < WEFT_LIMIT_MC_PENDING_RECIPIENTS ? limit : WEFT_LIMIT_MC_PENDING_RECIPIENTS;
	q->sent = 0;
	q->len = (uint16_t)f->len;
	memcpy(q->data, f->data, f->len);
	net->gather_ms[i] = gathered_ms;
	return q;
}

static bool pending_has(const struct weft_mc_pending *q, uint64_t address)
{
	for (unsigned i = 0; i < q->sent; i++)
		if (q->sent_to[i] == address)
			return true;
	return false;
}

// Sends to `to`, remembered in q (when queued) so a later subscriber walk skips it.
static void send_logged(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                        const struct weft_frame *f, uint64_t to, const uint8_t *payload, size_t len,
                        struct weft_mc_pending *q)
{
	if (q && q->sent < WEFT_LIMIT_MC_PENDING_RECIPIENTS)
		q->sent_to[q->sent++] = to;
	send_copy(n, now_ms, net, f, to, payload, len);
}

void weft_mcast_send(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                     const struct weft_vl2_mcgroup *g, const struct weft_frame *f)
{
	uint8_t payload[WEFT_PACKET_MAX_LEN];
	uint64_t known[SEND_MAX];
	uint32_t total;
	struct weft_mc_pending *q = NULL;
	if (!net->nc || !net->nc->multicast_limit || f->len > FRAME_MAX_LEN)
		return;
	unsigned limit = net->nc->multicast_limit < SEND_MAX ? net->nc->multicast_limit : SEND_MAX;
	size_t n_known = weft_mc_gather(&net->mc, net->nwid, g, n->self.address,
	                                weft_node_random_u64(n), known, SEND_MAX, &total);
	uint32_t gather_limit = 1; // enough known: still gather a little to stay fresh
	if (total < limit) {
		int64_t gathered = last_gather(net, g);
		gather_limit = limit - total + 1;
		if (!total || now_ms - gathered >= GATHER_MS) {
			send_gather(n, now_ms, net, g, gather_limit);
			gathered = now_ms;
		}
		q = queue_frame(net, now_ms, g, f, limit, gathered);
	}
	size_t len = frame_payload(payload, sizeof payload, net->nwid, gather_limit,
	                           f->src_mac != net->mac ? f->src_mac : 0, g, f->ethertype,
	                           f->data, f->len);
	if (!len)
		return;
	unsigned count = 0;
	for (unsigned i = 0; i < net->nc->n_specialists && count < limit; i++) {
		uint64_t s = net->nc->specialists[i], a = s & WEFT_NETCONF_SPECIALIST_ADDRESS_MASK;
		if ((s & WEFT_NETCONF_SPECIALIST_ACTIVE_BRIDGE) && a != n->self.address) {
			send_logged(n, now_ms, net, f, a, payload, len, q);
			count++;
		}
	}
	for (size_t i = 0; i < n_known && count < limit; i++)
		if (!weft_network_is_bridge(net, known[i])) {
			send_logged(n, now_ms, net, f, known[i], payload, len, q);
			count++;
		}
}

// A subscriber of g was learned: stored, and given any queued multicast it has not had.
static void learned(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                    const struct weft_vl2_mcgroup *g, uint64_t address)
{
	uint8_t payload[WEFT_PACKET_MAX_LEN];
	if (address == n->self.address || !address)
		return;
	weft_mc_add(&net->mc, net->nwid, g, address, now_ms);
	for (unsigned i = 0; net->nc && i < WEFT_LIMIT_MC_PENDING; i++) {
		struct weft_mc_pending *q = &net->pending[i];
		if (!q->created_ms || now_ms - q->created_ms >= PENDING_MS || q->sent >= q->limit ||
		    weft_vl2_mcgroup_cmp(&q->group, g) || pending_has(q, address))
			continue;
		struct weft_frame f = {
		    net->nwid, q->src_mac ? q->src_mac : net->mac, g->mac, q->ethertype, 0, q->data,
		    q->len};
		size_t len =
		    frame_payload(payload, sizeof payload, net->nwid, q->limit - q->sent + 1,
		                  q->src_mac, g, q->ethertype, q->data, q->len);
		if (len)
			send_logged(n, now_ms, net, &f, address, payload, len, q);
	}
}

void weft_mcast_expire(struct weft_node *n, int64_t now_ms, struct weft_network *net)
{
	(void)n;
	for (unsigned i = 0; i < WEFT_LIMIT_MC_PENDING; i++)
		if (net->pending[i].created_ms && now_ms - net->pending[i].created_ms >= PENDING_MS)
			net->pending[i].created_ms =
			    0; // group and gather time stay for last_gather
	if (now_ms - net->mc_expire_ms >= EXPIRE_PASS_MS) {
		net->mc_expire_ms = now_ms;
		weft_mc_expire(&net->mc, now_ms, WEFT_T_MC_SUBSCRIPTION);
	}
}

// ---- LIKE and GATHER from members (§8.2, §8.3) ----------------------------------------------

bool weft_mcast_member_like(struct weft_node *n, int64_t now_ms, struct weft_peer *p, uint64_t nwid,
                            const struct weft_vl2_mcgroup *g)
{
	struct weft_network *net = weft_network_find(n, nwid);
	if (!net || !net->nc || !admit(n, now_ms, net, p->id.address))
		return false;
	learned(n, now_ms, net, g, p->id.address);
	return true;
}

// Gather results as 1.14 writes them (§8.3): total (4) | count (2) | addresses, ourselves
// first if subscribed, then known subscribers except the asker. Returns the count.
static size_t write_results(struct weft_node *n, const struct weft_network *net,
                            const struct weft_vl2_mcgroup *g, uint64_t asker, uint32_t max,
                            struct weft_wbuf *w)
{
	uint64_t found[ANSWER_MAX];
	uint32_t total;
	size_t room = w->len + 6 <= w->cap ? (w->cap - w->len - 6) / 5 : 0, count = 0;
	size_t want = max < 0xffff ? max : 0xffff;
	bool self = subscribed(net, g) && want && room;
	if (want > room)
		want = room;
	if (want > ANSWER_MAX)
		want = ANSWER_MAX;
	if (self)
		want--;
	count = weft_mc_gather(&net->mc, net->nwid, g, asker, weft_node_random_u64(n), found, want,
	                       &total);
	wbuf_u32(w, total + self);
	wbuf_u16(w, (uint16_t)(count + self));
	if (self)
		wbuf_u40(w, n->self.address);
	for (size_t i = 0; i < count; i++)
		wbuf_u40(w, found[i]);
	return count + self;
}

bool weft_mcast_member_gather(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                              const uint8_t *pkt, size_t len)
{
	uint8_t out[WEFT_PACKET_MAX_LEN];
	struct weft_rbuf r;
	struct weft_wbuf w;
	rbuf_init(&r, pkt + WEFT_WIRE_IDX_PAYLOAD, len - WEFT_WIRE_IDX_PAYLOAD);
	uint64_t nwid = rbuf_u64(&r);
	(void)rbuf_u8(&r); // flags: an attached COM is left to NETWORK_CREDENTIALS (see report)
	struct weft_vl2_mcgroup g = read_group(&r);
	uint32_t max = rbuf_u32(&r);
	struct weft_network *net = weft_network_find(n, nwid);
	if (r.bad || !net || !net->nc || !admit(n, now_ms, net, p->id.address))
		return false;
	if (!max)
		return true;
	wbuf_init(&w, out, WEFT_PACKET_MAX_LEN - WEFT_WIRE_IDX_PAYLOAD);
	wbuf_u8(&w, WEFT_VERB_MULTICAST_GATHER);
	wbuf_bytes(&w, pkt + WEFT_WIRE_IDX_ID, 8); // in-re packet ID as it came
	wbuf_u64(&w, nwid);
	write_group(&w, &g);
	if (write_results(n, net, &g, p->id.address, max, &w) && !w.bad)
		weft_tx_send(n, now_ms, p->id.address, WEFT_VERB_OK, out, w.len, true, true);
	return true;
}

// ---- receiving MULTICAST_FRAME and the OKs (§8.3, §8.4) -------------------------------------

// OK(MULTICAST_FRAME) with the implicit gather results (§8.4 step 8).
static void answer_frame(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                         const struct weft_network *net, const uint8_t *pkt,
                         const struct weft_vl2_mcgroup *g, uint32_t max)
{
	uint8_t out[WEFT_PACKET_MAX_LEN];
	struct weft_wbuf w;
	wbuf_init(&w, out, WEFT_PACKET_MAX_LEN - WEFT_WIRE_IDX_PAYLOAD);
	wbuf_u8(&w, WEFT_VERB_MULTICAST_FRAME);
	wbuf_bytes(&w, pkt + WEFT_WIRE_IDX_ID, 8);
	wbuf_u64(&w, net->nwid);
	write_group(&w, g);
	wbuf_u8(&w, MC_FLAG_GATHER);
	if (write_results(n, net, g, p->id.address, max, &w) && !w.bad)
		weft_tx_send(n, now_ms, p->id.address, WEFT_VERB_OK, out, w.len, true, true);
}

// Reads the inline COM of a MULTICAST_FRAME or its OK. Kept only as far as parsing: adding a
// credential outside NETWORK_CREDENTIALS belongs to membership.c (1.14 never sends it).
static bool skip_com(struct weft_rbuf *r)
{
	struct weft_com com;
	return weft_com_decode(&com, r) == WEFT_OK && !r->bad;
}

void weft_rx_multicast_frame(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                             const uint8_t *pkt, size_t len)
{
	struct weft_rbuf r;
	uint32_t gather_limit = 0;
	rbuf_init(&r, pkt + WEFT_WIRE_IDX_PAYLOAD, len - WEFT_WIRE_IDX_PAYLOAD);
	uint64_t nwid = rbuf_u64(&r);
	uint8_t flags = rbuf_u8(&r);
	struct weft_network *net = weft_network_find(n, nwid);
	if (r.bad)
		goto drop_malformed;
	if (!net)
		return; // not joined: ignored (§8.4 step 1)
	if ((flags & MC_FLAG_COM) && !skip_com(&r))
		goto drop_malformed;
	if (!admit(n, now_ms, net, p->id.address))
		return weft_frame_gate_failed(n, now_ms, p, pkt, len, nwid);
	if (flags & MC_FLAG_GATHER)
		gather_limit = rbuf_u32(&r);
	uint64_t sender_mac = weft_vl2_mac_from_address(p->id.address, nwid), src = sender_mac;
	if (flags & MC_FLAG_SRC_MAC) {
		const uint8_t *mac = rbuf_take(&r, 6);
		src = mac ? weft_vl2_mac_from_bytes(mac) : 0;
	}
	struct weft_vl2_mcgroup g = read_group(&r);
	uint16_t ethertype = rbuf_u16(&r);
	if (r.bad)
		goto drop_malformed;
	if (!net->nc || !net->nc->multicast_limit)
		return; // multicast disabled here (step 3)
	if (!mac_is_multicast(g.mac) || !src || mac_is_multicast(src) || src == net->mac)
		goto drop_malformed;
	if (src != sender_mac && !weft_network_is_bridge(net, p->id.address))
		goto drop_unauthorized; // bridging not allowed for the sender (step 6)
	size_t flen = rbuf_left(&r);
	struct weft_frame f = {nwid, src, g.mac, ethertype, 0, pkt + WEFT_WIRE_IDX_PAYLOAD + r.pos,
	                       flen};
	if (src != sender_mac)
		weft_bridge_learn(net, src,
		                  p->id.address); // the sender is a bridge (checked above)
	if (flen >= 1 && flen <= FRAME_MAX_LEN &&
	    weft_frame_filter_in(n, now_ms, net, p->id.address, &f) > 0)
		weft_frame_deliver(n, &f);
	if (gather_limit)
		answer_frame(n, now_ms, p, net, pkt, &g, gather_limit);
	return;
drop_malformed:
	weft_count(n, WEFT_CTR_DROP_MALFORMED);
	return;
drop_unauthorized:
	weft_count(n, WEFT_CTR_DROP_MULTICAST_UNAUTHORIZED);
}

// total (4) | count (2) | count addresses: each added as a subscriber of g.
static void add_results(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                        const struct weft_vl2_mcgroup *g, struct weft_rbuf *r)
{
	(void)rbuf_u32(r); // total known: informative
	unsigned count = rbuf_u16(r);
	if (r->bad || rbuf_left(r) < (size_t)count * 5) {
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	for (unsigned i = 0; i < count; i++)
		learned(n, now_ms, net, g, rbuf_u40(r));
}

void weft_rx_ok_multicast_gather(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                                 const uint8_t *payload, size_t len)
{
	struct weft_rbuf r;
	(void)p;
	rbuf_init(&r, payload, len);
	uint64_t nwid = rbuf_u64(&r);
	struct weft_vl2_mcgroup g = read_group(&r);
	struct weft_network *net = weft_network_find(n, nwid);
	if (r.bad)
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
	else if (net)
		add_results(n, now_ms, net, &g, &r);
}

void weft_rx_ok_multicast_frame(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                                const uint8_t *payload, size_t len)
{
	struct weft_rbuf r;
	(void)p;
	rbuf_init(&r, payload, len);
	uint64_t nwid = rbuf_u64(&r);
	struct weft_vl2_mcgroup g = read_group(&r);
	uint8_t flags = rbuf_u8(&r);
	struct weft_network *net = weft_network_find(n, nwid);
	if (r.bad || ((flags & MC_FLAG_COM) && !skip_com(&r))) {
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	if (net && (flags & MC_FLAG_GATHER))
		add_results(n, now_ms, net, &g, &r);
}
