// SPDX-License-Identifier: MPL-2.0
// External address learning (vl1.md §6.7): what address peers see us at, per reporter and
// scope. When a trusted reporter (an upstream) sees our IP change, paths in that scope are
// probed again at once so NAT rebinding is noticed in seconds.
#include "node.h"

static void reprobe_scope(struct weft_node *n, int64_t now_ms, enum weft_ip_scope scope,
                          uint8_t family)
{
	for (size_t b = 0; b < WEFT_LIMIT_PEER_BUCKETS; b++) {
		for (struct weft_peer *p = n->buckets[b]; p; p = p->next) {
			for (unsigned i = 0; i < p->n_paths; i++) {
				struct weft_path *path = &p->paths[i];
				if (path->addr.family != family ||
				    weft_inetaddr_scope(&path->addr) != scope)
					continue;
				path->last_auth_ms =
				    now_ms - WEFT_T_PATH_EXPIRATION + WEFT_T_PATH_ALIVE;
				weft_tx_echo(n, now_ms, p, path);
			}
		}
	}
}

void weft_selfaware_report(struct weft_node *n, int64_t now_ms, uint64_t reporter,
                           int64_t local_socket, const struct weft_inetaddr *reporter_addr,
                           const struct weft_inetaddr *mine, bool trusted)
{
	enum weft_ip_scope scope = weft_inetaddr_scope(mine);
	if (scope != weft_inetaddr_scope(reporter_addr) || scope == WEFT_SCOPE_NONE ||
	    scope == WEFT_SCOPE_LOOPBACK || scope == WEFT_SCOPE_MULTICAST)
		return;
	struct weft_selfaware *e = NULL, *oldest = &n->selfaware[0];
	for (unsigned i = 0; i < WEFT_LIMIT_SELFAWARE; i++) {
		struct weft_selfaware *s = &n->selfaware[i];
		if (s->reporter == reporter && s->local_socket == local_socket &&
		    weft_inetaddr_equal(&s->reporter_addr, reporter_addr)) {
			e = s;
			break;
		}
		if (s->ts_ms < oldest->ts_ms)
			oldest = s;
	}
	if (e && trusted && now_ms - e->ts_ms < WEFT_T_SELFAWARE_TIMEOUT &&
	    !weft_inetaddr_ip_equal(&e->mine, mine)) {
		// Our external IP changed: forget other reporters' views in this scope, re-probe.
		for (unsigned i = 0; i < WEFT_LIMIT_SELFAWARE; i++) {
			struct weft_selfaware *s = &n->selfaware[i];
			if (s != e && s->reporter && weft_inetaddr_scope(&s->mine) == scope &&
			    !weft_inetaddr_equal(&s->reporter_addr, reporter_addr))
				s->reporter = 0;
		}
		weft_node_trace(n, "external address changed; re-probing paths");
		reprobe_scope(n, now_ms, scope, mine->family);
	}
	if (!e)
		e = oldest;
	e->reporter = reporter;
	e->local_socket = local_socket;
	e->reporter_addr = *reporter_addr;
	e->mine = *mine;
	e->ts_ms = now_ms;
	e->trusted = trusted;
}

void weft_selfaware_clean(struct weft_node *n, int64_t now_ms)
{
	for (unsigned i = 0; i < WEFT_LIMIT_SELFAWARE; i++)
		if (n->selfaware[i].reporter &&
		    now_ms - n->selfaware[i].ts_ms >= WEFT_T_SELFAWARE_TIMEOUT)
			n->selfaware[i].reporter = 0;
}
