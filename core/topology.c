// SPDX-License-Identifier: MPL-2.0
// Worlds held (planet and moons), the upstream set they define, the best upstream, and world
// updates received in OK(HELLO) (vl1.md §7.3–7.6).
#include "node.h"

static void store_world(struct weft_node *n, const struct weft_world *w)
{
	uint8_t buf[WEFT_WORLD_MAX_LEN];
	struct weft_wbuf out;
	wbuf_init(&out, buf, sizeof buf);
	weft_world_encode(w, &out);
	if (!out.bad && n->cb.state_put)
		n->cb.state_put(n->cb.ctx,
		                w->type == WEFT_WORLD_PLANET ? WEFT_STATE_PLANET : WEFT_STATE_MOON,
		                w->type == WEFT_WORLD_PLANET ? 0 : w->id, buf, out.len);
}

const struct weft_world_root *weft_topology_root(const struct weft_node *n, uint64_t address)
{
	if (n->have_planet)
		for (unsigned i = 0; i < n->planet.n_roots; i++)
			if (n->planet.roots[i].identity.address == address)
				return &n->planet.roots[i];
	for (unsigned m = 0; m < n->n_moons; m++)
		for (unsigned i = 0; i < n->moons[m].n_roots; i++)
			if (n->moons[m].roots[i].identity.address == address)
				return &n->moons[m].roots[i];
	return NULL;
}

bool weft_topology_is_upstream(const struct weft_node *n, uint64_t address)
{
	for (unsigned i = 0; i < n->n_upstreams; i++)
		if (n->upstreams[i] == address)
			return true;
	return false;
}

bool weft_topology_is_seed(const struct weft_node *n, uint64_t address)
{
	for (unsigned i = 0; i < WEFT_LIMIT_MOONS; i++)
		if (n->seeds[i].moon_id && n->seeds[i].seed == address)
			return true;
	return false;
}

static void add_roots(struct weft_node *n, int64_t now_ms, const struct weft_world *w)
{
	for (unsigned i = 0; i < w->n_roots; i++) {
		const struct weft_identity *id = &w->roots[i].identity;
		if (id->address == n->self.address) {
			n->is_upstream = true;
			continue;
		}
		if (weft_topology_is_upstream(n, id->address) ||
		    n->n_upstreams >= WEFT_LIMIT_UPSTREAMS)
			continue;
		n->upstreams[n->n_upstreams++] = id->address;
		weft_peer_add(n, now_ms, id);
	}
}

// Recomputes the upstream list; roots become peers at once (their identities are in the world).
void weft_topology_refresh(struct weft_node *n, int64_t now_ms)
{
	n->n_upstreams = 0;
	n->is_upstream = false;
	if (n->have_planet)
		add_roots(n, now_ms, &n->planet);
	for (unsigned m = 0; m < n->n_moons; m++)
		add_roots(n, now_ms, &n->moons[m]);
}

// vl1.md §7.6: lowest latency × (1 + silence / 61 s) among upstreams heard within 500 s;
// candidates in ascending address order, ties to the later (higher) one.
struct weft_peer *weft_topology_best_upstream(struct weft_node *n, int64_t now_ms)
{
	struct weft_peer *best = NULL, *any = NULL;
	uint64_t bq = UINT64_MAX, prev = 0;
	for (unsigned k = 0; k < n->n_upstreams; k++) {
		uint64_t next = UINT64_MAX; // next address in ascending order
		for (unsigned i = 0; i < n->n_upstreams; i++)
			if (n->upstreams[i] > prev && n->upstreams[i] < next)
				next = n->upstreams[i];
		prev = next;
		struct weft_peer *p = weft_peer_find(n, next);
		if (!p)
			continue;
		if (!any)
			any = p;
		if (now_ms - p->last_in_ms >= WEFT_T_PEER_ACTIVITY)
			continue;
		struct weft_path *path = weft_peer_best_path(p, now_ms, false);
		uint64_t lat = path ? path->latency_ms : WEFT_LATENCY_UNKNOWN;
		uint64_t q =
		    lat * (1 + (uint64_t)(now_ms - p->last_in_ms) / WEFT_T_QUALITY_DIVISOR);
		if (q <= bq) {
			bq = q;
			best = p;
		}
	}
	// Before any upstream has answered, still use one so start-up WHOIS and relaying work.
	return best ? best : any;
}

static int moon_index(const struct weft_node *n, uint64_t id)
{
	for (unsigned m = 0; m < n->n_moons; m++)
		if (n->moons[m].id == id)
			return (int)m;
	return -1;
}

static void forget_seed(struct weft_node *n, uint64_t moon_id)
{
	for (unsigned i = 0; i < WEFT_LIMIT_MOONS; i++)
		if (n->seeds[i].moon_id == moon_id)
			n->seeds[i].moon_id = 0;
}

static bool add_moon(struct weft_node *n, int64_t now_ms, const struct weft_world *w)
{
	if (n->n_moons >= WEFT_LIMIT_MOONS)
		return false;
	n->moons[n->n_moons++] = *w;
	forget_seed(n, w->id);
	weft_topology_refresh(n, now_ms);
	return true;
}

static void offer_one(struct weft_node *n, int64_t now_ms, struct weft_peer *from,
                      const struct weft_world *w)
{
	if (w->type == WEFT_WORLD_PLANET) {
		if (n->have_planet && weft_world_should_replace(&n->planet, w)) {
			n->planet = *w;
			store_world(n, w);
			weft_topology_refresh(n, now_ms);
			weft_node_trace(n, "planet %llu updated to revision %llu",
			                (unsigned long long)w->id,
			                (unsigned long long)w->timestamp);
		}
		return;
	}
	int m = moon_index(n, w->id);
	if (m >= 0) {
		if (weft_world_should_replace(&n->moons[m], w)) {
			n->moons[m] = *w;
			store_world(n, w);
			weft_topology_refresh(n, now_ms);
		}
		return;
	}
	// A moon we asked a seed for: accepted if the seed is one of its roots.
	for (unsigned i = 0; i < WEFT_LIMIT_MOONS; i++) {
		if (n->seeds[i].moon_id != w->id || !weft_world_has_root(w, n->seeds[i].seed) ||
		    from->id.address != n->seeds[i].seed)
			continue;
		if (add_moon(n, now_ms, w))
			store_world(n, w);
		return;
	}
}

void weft_topology_offer_worlds(struct weft_node *n, int64_t now_ms, struct weft_peer *from,
                                const uint8_t *data, size_t len)
{
	struct weft_rbuf r;
	struct weft_world w;
	rbuf_init(&r, data, len);
	while (rbuf_left(&r) && weft_world_decode(&w, &r) == WEFT_OK)
		offer_one(n, now_ms, from, &w);
}

static bool append_world(const struct weft_world *w, struct weft_wbuf *out)
{
	size_t before = out->len;
	weft_world_encode(w, out);
	if (out->bad) { // leave out what does not fit, keep what does
		out->bad = false;
		out->len = before;
		return false;
	}
	return true;
}

size_t weft_topology_worlds_for(const struct weft_node *n, const struct weft_hello *h, uint8_t *out,
                                size_t cap)
{
	struct weft_wbuf w;
	wbuf_init(&w, out, cap);
	if (n->have_planet && h->has_planet && h->planet_id == n->planet.id &&
	    h->planet_timestamp < n->planet.timestamp)
		append_world(&n->planet, &w);
	for (unsigned i = 0; i < h->n_moons; i++) {
		if (h->moons[i].type != WEFT_WORLD_MOON)
			continue;
		int m = moon_index(n, h->moons[i].id);
		if (m >= 0 && h->moons[i].timestamp < n->moons[m].timestamp)
			append_world(&n->moons[m], &w);
	}
	return w.len;
}

// ---- host-facing world management ----

enum weft_result weft_node_set_planet(struct weft_node *n, int64_t now_ms, const void *world,
                                      size_t len)
{
	struct weft_world w;
	struct weft_rbuf r;
	rbuf_init(&r, world, len);
	if (weft_world_decode(&w, &r) != WEFT_OK || w.type != WEFT_WORLD_PLANET)
		return WEFT_ERR_INVALID;
	n->planet = w;
	n->have_planet = true;
	store_world(n, &w);
	weft_topology_refresh(n, now_ms);
	return WEFT_OK;
}

enum weft_result weft_node_orbit(struct weft_node *n, int64_t now_ms, uint64_t moon_id,
                                 uint64_t seed)
{
	uint8_t buf[WEFT_WORLD_MAX_LEN];
	if (moon_index(n, moon_id) >= 0)
		return WEFT_OK;
	long len = n->cb.state_get
	               ? n->cb.state_get(n->cb.ctx, WEFT_STATE_MOON, moon_id, buf, sizeof buf)
	               : -1;
	if (len > 0) {
		struct weft_world w;
		struct weft_rbuf r;
		rbuf_init(&r, buf, (size_t)len);
		if (weft_world_decode(&w, &r) == WEFT_OK && w.type == WEFT_WORLD_MOON &&
		    w.id == moon_id)
			return add_moon(n, now_ms, &w) ? WEFT_OK : WEFT_ERR_FULL;
	}
	if (!seed)
		return WEFT_ERR_NOT_FOUND;
	for (unsigned i = 0; i < WEFT_LIMIT_MOONS; i++) {
		if (!n->seeds[i].moon_id) {
			n->seeds[i].moon_id = moon_id;
			n->seeds[i].seed = seed;
			return WEFT_OK;
		}
	}
	return WEFT_ERR_FULL;
}

enum weft_result weft_node_deorbit(struct weft_node *n, int64_t now_ms, uint64_t moon_id)
{
	int m = moon_index(n, moon_id);
	forget_seed(n, moon_id);
	if (m >= 0) {
		n->moons[m] = n->moons[--n->n_moons];
		if (n->cb.state_put)
			n->cb.state_put(n->cb.ctx, WEFT_STATE_MOON, moon_id, NULL, 0);
		weft_topology_refresh(n, now_ms);
	}
	return WEFT_OK;
}

size_t weft_node_moons(const struct weft_node *n, uint64_t *ids, size_t cap)
{
	for (unsigned m = 0; m < n->n_moons && m < cap; m++)
		ids[m] = n->moons[m].id;
	return n->n_moons;
}

size_t weft_node_world(const struct weft_node *n, uint64_t id, void *buf, size_t cap)
{
	struct weft_wbuf out;
	const struct weft_world *w = NULL;
	int m = moon_index(n, id);
	if (id == 0 && n->have_planet)
		w = &n->planet;
	else if (id != 0 && m >= 0)
		w = &n->moons[m];
	if (!w)
		return 0;
	wbuf_init(&out, buf, cap);
	weft_world_encode(w, &out);
	return out.bad ? 0 : out.len;
}

bool weft_node_moon_waiting(const struct weft_node *n, uint64_t moon_id)
{
	for (unsigned i = 0; i < WEFT_LIMIT_MOONS; i++)
		if (n->seeds[i].moon_id == moon_id)
			return moon_index(n, moon_id) < 0;
	return false;
}
