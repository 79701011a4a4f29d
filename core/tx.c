// SPDX-License-Identifier: MPL-2.0
// The send side of VL1: building packets, choosing a path (direct, else relayed through the
// best upstream, else queued until WHOIS answers), fragmenting, and the expected-reply table
// that lets OKs through (vl1.md §5.3, §6.2, §6.4).
#include "node.h"

void weft_tx_expect(struct weft_node *n, const uint8_t *pkt)
{
	uint32_t upper = load_be32(pkt);
	unsigned b = upper & (WEFT_LIMIT_EXPECT_BUCKETS - 1);
	n->expect[b][n->expect_next[b]++ % WEFT_LIMIT_EXPECT_ENTRIES] = upper;
}

bool weft_tx_expected(const struct weft_node *n, uint64_t in_re_id)
{
	uint32_t upper = (uint32_t)(in_re_id >> 32);
	const uint32_t *e = n->expect[upper & (WEFT_LIMIT_EXPECT_BUCKETS - 1)];
	for (unsigned i = 0; i < WEFT_LIMIT_EXPECT_ENTRIES; i++)
		if (e[i] == upper && upper != 0)
			return true;
	return false;
}

void weft_tx_raw(struct weft_node *n, int64_t local_socket, const struct weft_inetaddr *to,
                 const uint8_t *data, size_t len, unsigned ttl)
{
	weft_count(n, WEFT_CTR_TX_DATAGRAMS);
	n->cb.wire_send(n->cb.ctx, local_socket, to, data, len, ttl);
}

size_t weft_tx_build(struct weft_node *n, uint64_t dest, uint8_t verb, const void *payload,
                     size_t len)
{
	struct weft_packet_header h = {
	    .id = weft_node_random_u64(n), .dest = dest, .source = n->self.address, .verb = verb};
	if (WEFT_WIRE_IDX_PAYLOAD + len > WEFT_PACKET_MAX_LEN)
		return 0;
	weft_packet_header_encode(n->tx_buf, &h);
	if (len)
		memcpy(n->tx_buf + WEFT_WIRE_IDX_PAYLOAD, payload, len);
	return WEFT_WIRE_IDX_PAYLOAD + len;
}

static enum weft_cipher suite_for(const struct weft_peer *p)
{
	return p->proto >= 12 ? WEFT_CIPHER_AES_GMAC_SIV : WEFT_CIPHER_POLY1305_SALSA2012;
}

static void touch_path(struct weft_peer *p, int64_t now_ms, int64_t local_socket,
                       const struct weft_inetaddr *to)
{
	struct weft_path *path = weft_peer_path_find(p, local_socket, to);
	if (path)
		path->last_out_ms = now_ms;
}

void weft_tx_on_path(struct weft_node *n, int64_t now_ms, struct weft_peer *p, int64_t local_socket,
                     const struct weft_inetaddr *to, size_t len)
{
	uint8_t verb = n->tx_buf[WEFT_WIRE_IDX_VERB] & (WEFT_VERB_SLOTS - 1); // before it is armed
	if (weft_packet_arm(n->tx_buf, len, &p->key, suite_for(p)) != WEFT_OK)
		return;
	n->verb_tx[verb]++;
	weft_tx_expect(n, n->tx_buf);
	weft_tx_raw(n, local_socket, to, n->tx_buf, len, 0);
	touch_path(p, now_ms, local_socket, to);
}

// Arms tx_buf for `p` and sends it to (socket, to), in fragments above the MTU of the physical
// network `to` lies in (default 1432). Inside a trusted network the packet goes as suite 2
// instead of being armed: 1.14 decides this per destination address on its general send path
// only (Switch::_sendViaSpecificPath); HELLOs and direct replies are always armed.
static void send_armed(struct weft_node *n, struct weft_peer *p, int64_t local_socket,
                       const struct weft_inetaddr *to, size_t len)
{
	const struct weft_physical_net *net = weft_physical_find(n, to);
	size_t mtu = net && net->mtu ? net->mtu : WEFT_PHYSMTU_DEFAULT;
	unsigned count = weft_fragment_count(len, mtu);
	if (count > WEFT_FRAGMENTS_MAX) {
		weft_count(n, WEFT_CTR_DROP_NO_ROUTE);
		return;
	}
	weft_packet_set_fragmented(n->tx_buf, count > 1);
	n->verb_tx[n->tx_buf[WEFT_WIRE_IDX_VERB] & (WEFT_VERB_SLOTS - 1)]++; // before it is armed
	if (net && net->trusted_path_id)
		weft_packet_set_trusted(n->tx_buf, net->trusted_path_id);
	else if (weft_packet_arm(n->tx_buf, len, &p->key, suite_for(p)) != WEFT_OK)
		return;
	// Also for suite 2, unlike 1.14 (which then ignores the OK): replies must get through.
	weft_tx_expect(n, n->tx_buf);
	weft_tx_raw(n, local_socket, to, n->tx_buf, len < mtu ? len : mtu, 0); // the head
	for (unsigned i = 1; i < count; i++) {
		size_t dl =
		    weft_fragment_encode(n->tx_buf, len, mtu, i, n->dg_buf, sizeof n->dg_buf);
		if (dl)
			weft_tx_raw(n, local_socket, to, n->dg_buf, dl, 0);
	}
}

// The direct path a packet for `p` takes, or NULL if it goes through an upstream (or
// nowhere): the best alive path; else, when no upstream can relay, the best non-expired one.
// 1.14 keeps using a dead path until it expires (243 s); weft relays instead while it probes.
struct weft_path *weft_tx_direct_path(struct weft_node *n, struct weft_peer *p, int64_t now_ms)
{
	struct weft_path *path = weft_peer_best_path(p, now_ms, true);
	if (path)
		return path;
	struct weft_peer *up = weft_topology_best_upstream(n, now_ms);
	if (up && up != p && (up->n_paths || weft_peer_best_path(up, now_ms, false)))
		return NULL;
	return weft_peer_best_path(p, now_ms, false);
}

static bool route(struct weft_node *n, int64_t now_ms, struct weft_peer *p, int64_t *sock,
                  struct weft_inetaddr *to, struct weft_peer **via)
{
	struct weft_path *path = weft_tx_direct_path(n, p, now_ms);
	*via = p;
	if (!path) {
		struct weft_peer *up = weft_topology_best_upstream(n, now_ms);
		if (up && up != p) {
			path = weft_peer_best_path(up, now_ms, false);
			if (!path && up->n_paths)
				path = &up->paths[0];
			*via = up;
		}
	}
	if (!path)
		return false;
	*sock = path->local_socket;
	*to = path->addr;
	return true;
}

static bool queue_tx(struct weft_node *n, int64_t now_ms, uint64_t dest, uint8_t verb,
                     const void *payload, size_t len)
{
	for (unsigned i = 0; i < WEFT_LIMIT_TXQ; i++) {
		struct weft_pending *q = &n->txq[i];
		if (q->address)
			continue;
		q->address = dest;
		n->n_pending++;
		q->created_ms = now_ms;
		q->verb = verb;
		q->len = (uint16_t)len;
		memcpy(q->data, payload, len);
		return true;
	}
	weft_count(n, WEFT_CTR_DROP_QUEUE_FULL);
	return false;
}

static bool is_activity(uint8_t verb)
{
	return verb != WEFT_VERB_HELLO && verb != WEFT_VERB_ECHO && verb != WEFT_VERB_OK &&
	       verb != WEFT_VERB_NOP && verb != WEFT_VERB_WHOIS && verb != WEFT_VERB_ERROR &&
	       verb != WEFT_VERB_RENDEZVOUS && verb != WEFT_VERB_PUSH_DIRECT_PATHS;
}

enum weft_result weft_tx_send(struct weft_node *n, int64_t now_ms, uint64_t dest, uint8_t verb,
                              const void *payload, size_t len, bool compress, bool may_queue)
{
	struct weft_peer *p = weft_peer_find(n, dest), *via;
	struct weft_inetaddr to;
	int64_t sock;
	if (!p)
		p = weft_peer_load(n, now_ms, dest); // the cache spares a WHOIS round trip
	if (WEFT_WIRE_IDX_PAYLOAD + len > WEFT_PACKET_MAX_LEN)
		return WEFT_ERR_TOO_BIG;
	if (!p || !route(n, now_ms, p, &sock, &to, &via)) {
		if (!may_queue)
			return WEFT_ERR_NOT_FOUND;
		if (!queue_tx(n, now_ms, dest, verb, payload, len))
			return WEFT_ERR_FULL;
		if (!p)
			weft_tx_whois(n, now_ms, dest);
		return WEFT_OK;
	}
	size_t plen = weft_tx_build(n, dest, verb, payload, len);
	if (compress)
		plen = weft_packet_compress(n->tx_buf, plen, n->scratch);
	send_armed(n, p, sock, &to, plen);
	touch_path(via, now_ms, sock, &to);
	if (is_activity(verb))
		p->last_active_ms = now_ms;
	return WEFT_OK;
}

void weft_tx_hello(struct weft_node *n, int64_t now_ms, struct weft_peer *p, int64_t local_socket,
                   const struct weft_inetaddr *to)
{
	struct weft_hello h = {.proto = WEFT_PROTO_VERSION,
	                       .major = WEFT_VERSION_MAJOR,
	                       .minor = WEFT_VERSION_MINOR,
	                       .revision = WEFT_VERSION_REVISION,
	                       .timestamp = (uint64_t)now_ms,
	                       .identity = n->self,
	                       .dest = *to};
	memset(h.identity.sec, 0, sizeof h.identity.sec);
	h.identity.has_secret = false;
	if (n->have_planet) {
		h.planet_id = n->planet.id;
		h.planet_timestamp = n->planet.timestamp;
	}
	for (unsigned i = 0; i < n->n_moons && h.n_moons < WEFT_HELLO_MAX_MOONS; i++)
		h.moons[h.n_moons++] = (struct weft_hello_moon){WEFT_WORLD_MOON, n->moons[i].id,
		                                                n->moons[i].timestamp};
	for (unsigned i = 0; i < WEFT_LIMIT_MOONS && h.n_moons < WEFT_HELLO_MAX_MOONS; i++)
		if (n->seeds[i].moon_id)
			h.moons[h.n_moons++] =
			    (struct weft_hello_moon){WEFT_WORLD_MOON, n->seeds[i].moon_id, 0};
	size_t len = weft_hello_encode(n->tx_buf, sizeof n->tx_buf, weft_node_random_u64(n),
	                               p->id.address, &h, p->key.key, NULL);
	if (!len || weft_packet_arm(n->tx_buf, len, &p->key, WEFT_CIPHER_POLY1305_NONE) != WEFT_OK)
		return;
	weft_tx_expect(n, n->tx_buf);
	n->verb_tx[WEFT_VERB_HELLO]++;
	weft_tx_raw(n, local_socket, to, n->tx_buf, len, 0);
	weft_count(n, WEFT_CTR_HELLO_SENT);
	p->last_hello_out_ms = now_ms;
	struct weft_path *path = weft_peer_path_find(p, local_socket, to);
	if (path) {
		path->last_out_ms = now_ms;
		path->last_hello_ms = now_ms;
	}
}

void weft_tx_echo(struct weft_node *n, int64_t now_ms, struct weft_peer *p, struct weft_path *path)
{
	size_t len = weft_tx_build(n, p->id.address, WEFT_VERB_ECHO, NULL, 0);
	weft_tx_on_path(n, now_ms, p, path->local_socket, &path->addr, len);
	weft_count(n, WEFT_CTR_ECHO_SENT);
}

static struct weft_whois *whois_slot(struct weft_node *n, int64_t now_ms, uint64_t address)
{
	struct weft_whois *free_slot = NULL;
	for (unsigned i = 0; i < WEFT_LIMIT_WHOIS; i++) {
		struct weft_whois *w = &n->whois[i];
		if (w->address == address)
			return w;
		if (!w->address && !free_slot)
			free_slot = w;
	}
	if (!free_slot)
		return NULL;
	free_slot->address = address;
	free_slot->created_ms = now_ms;
	free_slot->last_sent_ms = now_ms - WEFT_T_WHOIS_RETRY;
	return free_slot;
}

void weft_tx_whois(struct weft_node *n, int64_t now_ms, uint64_t address)
{
	uint8_t payload[5];
	if (!weft_peer_find(n, address) && weft_peer_load(n, now_ms, address)) {
		weft_tx_peer_known(n, now_ms, address); // known from the cache: no need to ask
		return;
	}
	struct weft_whois *w = whois_slot(n, now_ms, address);
	if (!w || now_ms - w->last_sent_ms < WEFT_T_WHOIS_RETRY)
		return;
	// Asking a root about itself is allowed: it is how 1.14 keeps its root paths (and NAT
	// mappings) alive between the rare HELLOs (vl1.md §6.5).
	struct weft_peer *up = weft_topology_best_upstream(n, now_ms);
	if (!up)
		return;
	w->last_sent_ms = now_ms;
	store_be40(payload, address);
	if (weft_tx_send(n, now_ms, up->id.address, WEFT_VERB_WHOIS, payload, 5, false, false) ==
	    WEFT_OK)
		weft_count(n, WEFT_CTR_WHOIS_SENT);
}

void weft_tx_peer_known(struct weft_node *n, int64_t now_ms, uint64_t address)
{
	(void)now_ms;
	for (unsigned i = 0; i < WEFT_LIMIT_WHOIS; i++)
		if (n->whois[i].address == address)
			n->whois[i].address = 0;
	n->queues_dirty = true;
}

static void pending_free(struct weft_node *n, struct weft_pending *q)
{
	q->address = 0;
	n->n_pending--;
}

static bool waiting_on(const struct weft_node *n, uint64_t address)
{
	for (unsigned i = 0; i < WEFT_LIMIT_TXQ; i++)
		if (n->txq[i].address == address)
			return true;
	for (unsigned i = 0; i < WEFT_LIMIT_RXQ; i++)
		if (n->rxq[i].address == address)
			return true;
	return false;
}

// Expires a queued packet, or asks again for the identity it waits on; true if it can go now.
static bool pending_ready(struct weft_node *n, int64_t now_ms, struct weft_pending *q)
{
	if (now_ms - q->created_ms > WEFT_T_QUEUE_TIMEOUT) {
		weft_count(n, WEFT_CTR_DROP_QUEUE_EXPIRED);
		pending_free(n, q);
		return false;
	}
	if (!weft_peer_find(n, q->address)) {
		weft_tx_whois(n, now_ms, q->address);
		return false;
	}
	return true;
}

static void service_tx(struct weft_node *n, int64_t now_ms, struct weft_pending *q)
{
	if (!pending_ready(n, now_ms, q))
		return;
	memcpy(n->q_buf, q->data, q->len);
	if (weft_tx_send(n, now_ms, q->address, q->verb, n->q_buf, q->len,
	                 q->verb == WEFT_VERB_USER_MESSAGE, false) == WEFT_OK)
		pending_free(n, q);
}

static void service_rx(struct weft_node *n, int64_t now_ms, struct weft_pending *q)
{
	if (!pending_ready(n, now_ms, q))
		return;
	size_t len = q->len;
	memcpy(n->q_buf, q->data, len);
	pending_free(n, q);
	weft_rx_packet(n, now_ms, q->local_socket, &q->from, n->q_buf, len);
}

void weft_tx_service_queues(struct weft_node *n, int64_t now_ms)
{
	if (n->in_queues)
		return;
	n->in_queues = true;
	n->queues_dirty = false;
	for (unsigned i = 0; i < WEFT_LIMIT_TXQ; i++)
		if (n->txq[i].address)
			service_tx(n, now_ms, &n->txq[i]);
	for (unsigned i = 0; i < WEFT_LIMIT_RXQ; i++)
		if (n->rxq[i].address)
			service_rx(n, now_ms, &n->rxq[i]);
	for (unsigned i = 0; i < WEFT_LIMIT_WHOIS; i++) // nothing waits any more: forget
		if (n->whois[i].address && !waiting_on(n, n->whois[i].address))
			n->whois[i].address = 0;
	n->in_queues = false;
}
