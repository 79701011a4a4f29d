// SPDX-License-Identifier: MPL-2.0
// Peers and their physical paths (vl1.md §6.4): a chained hash table by address, path
// learning, liveness, expiry and the quality ranking used to pick where to send.
#include <stdlib.h>

#include "node.h"

static size_t bucket_of(uint64_t address)
{
	uint64_t h = address * 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 40) & (WEFT_LIMIT_PEER_BUCKETS - 1);
}

struct weft_peer *weft_peer_find(const struct weft_node *n, uint64_t address)
{
	for (struct weft_peer *p = n->buckets[bucket_of(address)]; p; p = p->next)
		if (p->id.address == address)
			return p;
	return NULL;
}

struct weft_peer *weft_peer_add(struct weft_node *n, int64_t now_ms, const struct weft_identity *id)
{
	uint8_t key[48];
	struct weft_peer *p = weft_peer_find(n, id->address);
	if (p)
		return p;
	if (n->n_peers >= WEFT_LIMIT_PEERS) {
		weft_count(n, WEFT_CTR_DROP_PEERS_FULL);
		return NULL;
	}
	if (weft_identity_agree(&n->self, id, key) != WEFT_OK)
		return NULL;
	p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->id = *id;
	memset(p->id.sec, 0, sizeof p->id.sec);
	p->id.has_secret = false;
	p->com_hash_ok = weft_com_identity_hash(&p->id, p->com_hash) == WEFT_OK;
	weft_cipher_key_init(&p->key, key);
	memset(key, 0, sizeof key);
	p->created_ms = now_ms;
	size_t b = bucket_of(id->address);
	p->next = n->buckets[b];
	n->buckets[b] = p;
	n->n_peers++;
	return p;
}

void weft_peer_remove(struct weft_node *n, struct weft_peer *p)
{
	struct weft_peer **pp = &n->buckets[bucket_of(p->id.address)];
	while (*pp && *pp != p)
		pp = &(*pp)->next;
	if (*pp)
		*pp = p->next;
	weft_cipher_key_clear(&p->key);
	free(p);
	n->n_peers--;
}

bool weft_path_alive(const struct weft_path *path, int64_t now_ms)
{
	return now_ms - path->last_in_ms < WEFT_T_PATH_ALIVE;
}

bool weft_path_expired(const struct weft_path *path, int64_t now_ms)
{
	return now_ms - path->last_auth_ms >= WEFT_T_PATH_EXPIRATION;
}

// Lower is better: latency (plus a large penalty and the age when dead) scaled by scope, so a
// private LAN path beats a global one of similar latency (vl1.md §6.4).
uint64_t weft_path_quality(const struct weft_path *path, int64_t now_ms)
{
	uint64_t q = path->latency_ms;
	if (!weft_path_alive(path, now_ms)) {
		int64_t age = now_ms - path->last_in_ms;
		if (age > WEFT_T_AGE_CAP)
			age = WEFT_T_AGE_CAP;
		q += WEFT_LATENCY_UNKNOWN + (uint64_t)(age < 0 ? 0 : age);
	}
	return q * (uint64_t)(8 - weft_inetaddr_scope(&path->addr));
}

struct weft_path *weft_peer_path_find(struct weft_peer *p, int64_t local_socket,
                                      const struct weft_inetaddr *addr)
{
	for (unsigned i = 0; i < p->n_paths; i++) {
		struct weft_path *path = &p->paths[i];
		if (weft_inetaddr_equal(&path->addr, addr) &&
		    (local_socket < 0 || path->local_socket < 0 ||
		     path->local_socket == local_socket))
			return path;
	}
	return NULL;
}

struct weft_path *weft_peer_best_path(struct weft_peer *p, int64_t now_ms, bool alive_only)
{
	struct weft_path *best = NULL;
	uint64_t bq = UINT64_MAX;
	for (unsigned i = 0; i < p->n_paths; i++) {
		struct weft_path *path = &p->paths[i];
		if (weft_path_expired(path, now_ms) ||
		    (alive_only && !weft_path_alive(path, now_ms)))
			continue;
		uint64_t q = weft_path_quality(path, now_ms);
		if (q <= bq) { // ties go to the later slot
			bq = q;
			best = path;
		}
	}
	return best;
}

// Adds a path after an OK arrived on it: reuse a dead path with the same IP and socket, else a
// free slot, else the slot heard from least recently.
struct weft_path *weft_peer_learn_path(struct weft_node *n, struct weft_peer *p, int64_t now_ms,
                                       int64_t local_socket, const struct weft_inetaddr *addr)
{
	(void)n;
	struct weft_path *slot = NULL;
	for (unsigned i = 0; i < p->n_paths && !slot; i++) {
		struct weft_path *path = &p->paths[i];
		if (path->local_socket == local_socket &&
		    weft_inetaddr_ip_equal(&path->addr, addr) && !weft_path_alive(path, now_ms))
			slot = path;
	}
	if (!slot && p->n_paths < WEFT_LIMIT_PEER_PATHS)
		slot = &p->paths[p->n_paths++];
	if (!slot) {
		slot = &p->paths[0];
		for (unsigned i = 1; i < p->n_paths; i++)
			if (p->paths[i].last_in_ms < slot->last_in_ms)
				slot = &p->paths[i];
	}
	memset(slot, 0, sizeof *slot);
	slot->local_socket = local_socket;
	slot->addr = *addr;
	slot->last_in_ms = now_ms;
	slot->last_auth_ms = now_ms;
	slot->latency_ms = WEFT_LATENCY_UNKNOWN;
	return slot;
}

bool weft_node_path_allowed(struct weft_node *n, uint64_t address, int64_t local_socket,
                            const struct weft_inetaddr *addr)
{
	static const uint8_t he_net[4] = {0x20, 0x01, 0x04, 0x70};
	switch (weft_inetaddr_scope(addr)) {
	case WEFT_SCOPE_PSEUDOPRIVATE:
	case WEFT_SCOPE_GLOBAL:
	case WEFT_SCOPE_SHARED:
	case WEFT_SCOPE_PRIVATE: break;
	case WEFT_SCOPE_LOOPBACK:
		if (n->allow_loopback)
			break;
		return false;
	default: return false;
	}
	if (addr->family == WEFT_INET_V6 && !memcmp(addr->ip, he_net, 4))
		return false; // tunnel-broker space, refused as 1.14 does
	// A root with stable endpoints is only reached at one of their IPs.
	const struct weft_world_root *root = weft_topology_root(n, address);
	if (root && root->n_endpoints) {
		bool listed = false;
		for (unsigned i = 0; i < root->n_endpoints && !listed; i++)
			listed = weft_inetaddr_ip_equal(&root->endpoints[i], addr);
		if (!listed)
			return false;
	}
	if (n->cb.path_check && !n->cb.path_check(n->cb.ctx, address, local_socket, addr))
		return false;
	return true;
}

void weft_peer_set_version(struct weft_peer *p, uint8_t proto, uint8_t major, uint8_t minor,
                           uint16_t rev)
{
	p->proto = proto;
	p->vmajor = major;
	p->vminor = minor;
	p->vrevision = rev;
}

// Peer cache entries (peers.d): magic, public identity, protocol and software version. Paths
// are not kept: they would be stale, and the roots find the peer again in milliseconds.
static const uint8_t cache_magic[4] = {'w', 'p', 'c', '1'};
#define CACHE_LEN (4 + WEFT_IDENTITY_BIN_PUBLIC_LEN + 5)

void weft_peer_save(struct weft_node *n, const struct weft_peer *p)
{
	uint8_t buf[CACHE_LEN];
	struct weft_wbuf w;
	wbuf_init(&w, buf, sizeof buf);
	wbuf_bytes(&w, cache_magic, sizeof cache_magic);
	weft_identity_encode(&p->id, false, &w);
	wbuf_u8(&w, p->proto);
	wbuf_u8(&w, p->vmajor);
	wbuf_u8(&w, p->vminor);
	wbuf_u16(&w, p->vrevision);
	if (!w.bad)
		n->cb.state_put(n->cb.ctx, WEFT_STATE_PEER, p->id.address, buf, w.len);
}

struct weft_peer *weft_peer_load(struct weft_node *n, int64_t now_ms, uint64_t address)
{
	uint8_t buf[CACHE_LEN];
	struct weft_identity id;
	struct weft_rbuf r;
	long len = n->cb.state_get(n->cb.ctx, WEFT_STATE_PEER, address, buf, sizeof buf);
	if (len != CACHE_LEN || memcmp(buf, cache_magic, sizeof cache_magic) != 0)
		return NULL; // absent, or not ours (1.14 writes another format): just ask the roots
	rbuf_init(&r, buf + 4, (size_t)len - 4);
	if (weft_identity_decode(&id, &r) != WEFT_OK || id.address != address || id.has_secret)
		return NULL;
	uint8_t proto = rbuf_u8(&r), major = rbuf_u8(&r), minor = rbuf_u8(&r);
	uint16_t rev = rbuf_u16(&r);
	struct weft_peer *p = weft_peer_add(n, now_ms, &id);
	if (p && !r.bad)
		weft_peer_set_version(p, proto, major, minor, rev);
	return p;
}
