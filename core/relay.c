// SPDX-License-Identifier: MPL-2.0
// Relaying packets not addressed to us, and introducing the two ends (RENDEZVOUS) so they can
// go direct (vl1.md §6.3, §6.6). Relays never decrypt or reassemble: bytes pass unchanged but
// for the hop count.
#include "node.h"

// The pair's introduction record: an 8-way set chosen by hashing the pair, so the relay path
// does a fixed, small amount of work however many pairs a root introduces.
#define UNITE_WAYS 8
static struct weft_unite *unite_slot(struct weft_node *n, uint64_t a, uint64_t b)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
	uint64_t h = (lo * 0x9e3779b97f4a7c15ULL) ^ (hi * 0xc2b2ae3d27d4eb4fULL);
	size_t set = (size_t)(h >> 40) % (WEFT_LIMIT_RENDEZVOUS / UNITE_WAYS);
	struct weft_unite *e = &n->unite[set * UNITE_WAYS], *oldest = e;
	for (unsigned i = 0; i < UNITE_WAYS; i++) {
		if (e[i].a == lo && e[i].b == hi)
			return &e[i];
		if (e[i].ts_ms < oldest->ts_ms)
			oldest = &e[i];
	}
	oldest->a = lo;
	oldest->b = hi;
	oldest->ts_ms = INT64_MIN / 2;
	return oldest;
}

// Best path of `p` in each (scope, family) slot.
static void slot_paths(struct weft_peer *p, int64_t now_ms, struct weft_path *best[8][2])
{
	memset(best, 0, sizeof(struct weft_path *) * 16);
	for (unsigned i = 0; i < p->n_paths; i++) {
		struct weft_path *path = &p->paths[i];
		if (weft_path_expired(path, now_ms))
			continue;
		struct weft_path **s =
		    &best[weft_inetaddr_scope(&path->addr)][path->addr.family == WEFT_INET_V6];
		if (!*s || weft_path_quality(path, now_ms) < weft_path_quality(*s, now_ms))
			*s = path;
	}
}

static void send_rendezvous(struct weft_node *n, int64_t now_ms, struct weft_peer *to,
                            struct weft_path *via, const struct weft_peer *other,
                            const struct weft_path *where)
{
	uint8_t payload[1 + 5 + 2 + 1 + 16];
	size_t iplen = where->addr.family == WEFT_INET_V6 ? 16 : 4;
	payload[0] = 0;
	store_be40(payload + 1, other->id.address);
	store_be16(payload + 6, where->addr.port);
	payload[8] = (uint8_t)iplen;
	memcpy(payload + 9, where->addr.ip, iplen);
	size_t len = weft_tx_build(n, to->id.address, WEFT_VERB_RENDEZVOUS, payload, 9 + iplen);
	weft_tx_on_path(n, now_ms, to, via->local_socket, &via->addr, len);
	weft_count(n, WEFT_CTR_RENDEZVOUS_SENT);
}

// Walk scopes from private (7) down, IPv6 before IPv4; the first slot both have wins.
static void introduce(struct weft_node *n, int64_t now_ms, struct weft_peer *a, struct weft_peer *b)
{
	struct weft_path *pa[8][2], *pb[8][2];
	struct weft_unite *u = unite_slot(n, a->id.address, b->id.address);
	if (now_ms - u->ts_ms < WEFT_T_MIN_UNITE)
		return;
	slot_paths(a, now_ms, pa);
	slot_paths(b, now_ms, pb);
	for (int scope = 7; scope >= 0; scope--) {
		for (int fam = 1; fam >= 0; fam--) {
			if (!pa[scope][fam] || !pb[scope][fam])
				continue;
			u->ts_ms = now_ms;
			bool a_first = weft_node_random_u64(n) & 1;
			struct weft_peer *x = a_first ? a : b, *y = a_first ? b : a;
			struct weft_path *px = a_first ? pa[scope][fam] : pb[scope][fam];
			struct weft_path *py = a_first ? pb[scope][fam] : pa[scope][fam];
			send_rendezvous(n, now_ms, x, px, y, py);
			send_rendezvous(n, now_ms, y, py, x, px);
			return;
		}
	}
}

void weft_relay(struct weft_node *n, int64_t now_ms, const uint8_t *data, size_t len, bool fragment)
{
	uint8_t *buf = n->rx_buf;
	size_t hop_at = fragment ? WEFT_WIRE_FRAG_IDX_HOPS : WEFT_WIRE_IDX_FLAGS;
	// Only roots relay here; relaying for network members with established trust is VL2's.
	if (!n->is_upstream) {
		weft_count(n, WEFT_CTR_DROP_RELAY_REFUSED);
		return;
	}
	if (!fragment && load_be40(data + WEFT_WIRE_IDX_SOURCE) == n->self.address) {
		weft_count(n, WEFT_CTR_DROP_FROM_SELF);
		return;
	}
	if ((data[hop_at] & WEFT_WIRE_FLAG_HOPS_MASK) >= WEFT_RELAY_MAX_HOPS) {
		weft_count(n, WEFT_CTR_DROP_RELAY_HOPS);
		return;
	}
	memcpy(buf, data, len);
	buf[hop_at] = (uint8_t)((buf[hop_at] & ~WEFT_WIRE_FLAG_HOPS_MASK) |
	                        ((buf[hop_at] & WEFT_WIRE_FLAG_HOPS_MASK) + 1));
	uint64_t dest = load_be40(buf + WEFT_WIRE_IDX_DEST);
	uint64_t source = fragment ? 0 : load_be40(buf + WEFT_WIRE_IDX_SOURCE);
	struct weft_peer *to = weft_peer_find(n, dest);
	struct weft_path *path = to ? weft_peer_best_path(to, now_ms, false) : NULL;
	if (path) {
		weft_tx_raw(n, path->local_socket, &path->addr, buf, len, 0);
		weft_count(n, WEFT_CTR_RELAYED);
		struct weft_peer *from = fragment ? NULL : weft_peer_find(n, source);
		if (from)
			introduce(n, now_ms, from, to);
		return;
	}
	// Not attached here: hand it to our own best upstream (another root), never back.
	struct weft_peer *up = weft_topology_best_upstream(n, now_ms);
	if (up && up->id.address != source) {
		struct weft_path *upath = weft_peer_best_path(up, now_ms, false);
		if (!upath && up->n_paths)
			upath = &up->paths[0];
		if (upath) {
			weft_tx_raw(n, upath->local_socket, &upath->addr, buf, len, 0);
			weft_count(n, WEFT_CTR_RELAYED);
			return;
		}
	}
	weft_count(n, WEFT_CTR_DROP_RELAY_NO_ROUTE);
}
