// SPDX-License-Identifier: MPL-2.0
// Background work (vl1.md §6.5): keepalives to upstreams and active peers, moon seeds, queue
// retries, housekeeping, and the online state. Returns when it next needs to run.
#include "node.h"

static void hello_endpoints(struct weft_node *n, int64_t now_ms, struct weft_peer *p, bool v4_done,
                            bool v6_done)
{
	const struct weft_world_root *root = weft_topology_root(n, p->id.address);
	if (!root || !root->n_endpoints)
		return;
	unsigned start = (unsigned)(weft_node_random_u64(n) % root->n_endpoints);
	for (unsigned k = 0; k < root->n_endpoints; k++) {
		const struct weft_inetaddr *e = &root->endpoints[(start + k) % root->n_endpoints];
		bool v6 = e->family == WEFT_INET_V6;
		if ((v6 && v6_done) || (!v6 && v4_done))
			continue;
		weft_tx_hello(n, now_ms, p, -1, e);
		if (v6)
			v6_done = true;
		else
			v4_done = true;
	}
}

static void ping_upstream(struct weft_node *n, int64_t now_ms, struct weft_peer *p)
{
	bool v4 = false, v6 = false, have_path = false;
	for (unsigned i = 0; i < p->n_paths; i++)
		have_path = have_path || !weft_path_expired(&p->paths[i], now_ms);
	if (have_path && now_ms - p->last_hello_out_ms < WEFT_T_UPSTREAM_PING) {
		// Between HELLOs a WHOIS for the root keeps our NAT mapping toward it open.
		weft_tx_whois(n, now_ms, p->id.address);
		return;
	}
	for (unsigned i = 0; i < p->n_paths; i++) {
		struct weft_path *path = &p->paths[i];
		if (weft_path_expired(path, now_ms))
			continue;
		weft_tx_hello(n, now_ms, p, path->local_socket, &path->addr);
		if (path->addr.family == WEFT_INET_V6)
			v6 = true;
		else
			v4 = true;
	}
	hello_endpoints(n, now_ms, p, v4, v6);
}

static void ping_peer(struct weft_node *n, int64_t now_ms, struct weft_peer *p)
{
	bool full = now_ms - p->last_hello_out_ms >= WEFT_T_PEER_PING;
	for (unsigned i = 0; i < p->n_paths; i++) {
		struct weft_path *path = &p->paths[i];
		if (weft_path_expired(path, now_ms))
			continue;
		if (full || p->proto < 5)
			weft_tx_hello(n, now_ms, p, path->local_socket, &path->addr);
		else if (now_ms - path->last_out_ms >= WEFT_T_PATH_HEARTBEAT)
			weft_tx_echo(n, now_ms, p, path);
	}
}

// A seed we want a moon from: find it, then HELLO it (relayed if need be) naming the moon.
static void ping_seed(struct weft_node *n, int64_t now_ms, uint64_t seed)
{
	struct weft_peer *p = weft_peer_find(n, seed);
	if (!p) {
		weft_tx_whois(n, now_ms, seed);
		return;
	}
	struct weft_path *path = weft_peer_best_path(p, now_ms, false);
	if (!path) {
		struct weft_peer *up = weft_topology_best_upstream(n, now_ms);
		path = up ? weft_peer_best_path(up, now_ms, false) : NULL;
	}
	if (path)
		weft_tx_hello(n, now_ms, p, path->local_socket, &path->addr);
}

static void ping_check(struct weft_node *n, int64_t now_ms)
{
	for (unsigned i = 0; i < n->n_upstreams; i++) {
		struct weft_peer *p = weft_peer_find(n, n->upstreams[i]);
		if (p)
			ping_upstream(n, now_ms, p);
	}
	for (size_t b = 0; b < WEFT_LIMIT_PEER_BUCKETS; b++)
		for (struct weft_peer *p = n->buckets[b]; p; p = p->next)
			if (!weft_topology_is_upstream(n, p->id.address) &&
			    now_ms - p->last_active_ms < WEFT_T_PEER_ACTIVITY && p->last_active_ms)
				ping_peer(n, now_ms, p);
	for (unsigned i = 0; i < WEFT_LIMIT_MOONS; i++)
		if (n->seeds[i].moon_id)
			ping_seed(n, now_ms, n->seeds[i].seed);
}

static void drop_expired_paths(struct weft_peer *p, int64_t now_ms)
{
	unsigned k = 0;
	for (unsigned i = 0; i < p->n_paths; i++)
		if (!weft_path_expired(&p->paths[i], now_ms))
			p->paths[k++] = p->paths[i];
	p->n_paths = k;
}

static void housekeeping(struct weft_node *n, int64_t now_ms)
{
	for (size_t b = 0; b < WEFT_LIMIT_PEER_BUCKETS; b++) {
		struct weft_peer *p = n->buckets[b];
		while (p) {
			struct weft_peer *next = p->next;
			drop_expired_paths(p, now_ms);
			if (!weft_topology_is_upstream(n, p->id.address) &&
			    !weft_topology_is_seed(n, p->id.address) &&
			    now_ms - p->last_in_ms >= WEFT_T_PEER_ACTIVITY &&
			    now_ms - p->created_ms >= WEFT_T_PEER_ACTIVITY) {
				weft_peer_save(n, p);
				weft_peer_remove(n, p);
			}
			p = next;
		}
	}
	weft_defrag_expire(&n->defrag, now_ms);
	weft_selfaware_clean(n, now_ms);
	weft_mc_expire(&n->mc, now_ms, WEFT_T_MC_SUBSCRIPTION);
}

static void update_online(struct weft_node *n, int64_t now_ms)
{
	bool online = n->is_upstream;
	for (unsigned i = 0; i < n->n_upstreams && !online; i++) {
		struct weft_peer *p = weft_peer_find(n, n->upstreams[i]);
		online = p && p->last_in_ms && now_ms - p->last_in_ms < WEFT_T_PEER_ACTIVITY;
	}
	if (online != n->online) {
		n->online = online;
		n->cb.event(n->cb.ctx, online ? WEFT_EVENT_ONLINE : WEFT_EVENT_OFFLINE, NULL);
	}
}

int64_t weft_timers_run(struct weft_node *n, int64_t now_ms)
{
	if (n->queues_dirty || now_ms - n->last_queue_ms >= WEFT_T_WHOIS_RETRY) {
		n->last_queue_ms = now_ms;
		weft_tx_service_queues(n, now_ms);
	}
	if (now_ms - n->last_ping_check_ms >= WEFT_T_PING_CHECK) {
		n->last_ping_check_ms = now_ms;
		ping_check(n, now_ms);
	}
	if (n->n_networks && now_ms - n->last_network_ms >= WEFT_T_NETWORK_TIMERS) {
		n->last_network_ms = now_ms;
		weft_network_timers(n, now_ms);
	}
	if (now_ms - n->last_housekeeping_ms >= WEFT_T_HOUSEKEEPING) {
		n->last_housekeeping_ms = now_ms;
		housekeeping(n, now_ms);
	}
	update_online(n, now_ms);
	int64_t next = n->last_ping_check_ms + WEFT_T_PING_CHECK;
	int64_t contact = weft_rx_run_contacts(n, now_ms);
	if (contact < next)
		next = contact;
	if (n->last_housekeeping_ms + WEFT_T_HOUSEKEEPING < next)
		next = n->last_housekeeping_ms + WEFT_T_HOUSEKEEPING;
	if (n->n_networks && n->last_network_ms + WEFT_T_NETWORK_TIMERS < next)
		next = n->last_network_ms + WEFT_T_NETWORK_TIMERS;
	if (n->n_pending && n->last_queue_ms + WEFT_T_WHOIS_RETRY < next)
		next = n->last_queue_ms + WEFT_T_WHOIS_RETRY;
	if (next < now_ms + WEFT_T_TIMER_GRANULARITY && next != contact)
		next = now_ms + WEFT_T_TIMER_GRANULARITY;
	if (next < now_ms)
		next = now_ms;
	return next;
}

enum weft_result weft_node_process_background(struct weft_node *n, int64_t now_ms,
                                              int64_t *next_deadline_ms)
{
	int64_t next = weft_timers_run(n, now_ms);
	if (next_deadline_ms)
		*next_deadline_ms = next;
	return WEFT_OK;
}
