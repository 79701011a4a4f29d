// SPDX-License-Identifier: MPL-2.0
// Managed addresses and routes of a port (service.md §5.3): which targets the member-side
// settings allow, the addresses and routes wanted from the network's config, and the diff
// against what was applied last time, carried out through os/netlink.
#include <string.h>

#include "inetaddr.h"
#include "log.h"
#include "netlink.h"
#include "network_port.h"

static unsigned ip_len(const struct weft_inetaddr *a)
{
	return a->family == WEFT_INET_V4 ? 4 : 16;
}

// True if the first `bits` bits of a's and b's IPs agree (same family).
static bool prefix_equal(const struct weft_inetaddr *a, const struct weft_inetaddr *b,
                         unsigned bits)
{
	if (a->family != b->family || bits > 8 * ip_len(a))
		return false;
	unsigned whole = bits / 8, rest = bits % 8;
	if (memcmp(a->ip, b->ip, whole) != 0)
		return false;
	uint8_t mask = (uint8_t)(0xff00 >> rest);
	return !rest || ((a->ip[whole] ^ b->ip[whole]) & mask) == 0;
}

static unsigned common_prefix(const struct weft_inetaddr *a, const struct weft_inetaddr *b)
{
	unsigned n = 0;
	while (n < 8 * ip_len(a) && prefix_equal(a, b, n + 1))
		n++;
	return n;
}

static bool is_default(const struct weft_inetaddr *t)
{
	static const uint8_t zero[16];
	return t->port == 0 && !memcmp(t->ip, zero, ip_len(t));
}

// May a managed address or route target be applied? (§5.3 "which managed targets")
static bool allowed(const struct weft_network_settings *st, const struct weft_inetaddr *t)
{
	if (!st->allow_managed || (t->family != WEFT_INET_V4 && t->family != WEFT_INET_V6))
		return false;
	if (st->n_whitelist) {
		bool inside = false;
		for (unsigned i = 0; i < st->n_whitelist && !inside; i++)
			inside = st->whitelist[i].port <= t->port &&
			         prefix_equal(&st->whitelist[i], t, st->whitelist[i].port);
		if (!inside)
			return false;
	}
	if (is_default(t))
		return st->allow_default;
	switch (weft_inetaddr_scope(t)) {
	case WEFT_SCOPE_NONE:
	case WEFT_SCOPE_MULTICAST:
	case WEFT_SCOPE_LOOPBACK:
	case WEFT_SCOPE_LINK_LOCAL: return false;
	case WEFT_SCOPE_GLOBAL: return st->allow_global;
	default: return true;
	}
}

static void sync_addresses(struct weft_port *p, const struct weft_network_info *info)
{
	struct weft_inetaddr want[WEFT_NETWORK_MAX_ADDRESSES];
	unsigned n = 0;
	for (unsigned i = 0; i < info->n_addresses && i < WEFT_NETWORK_MAX_ADDRESSES; i++) {
		const struct weft_inetaddr *a = &info->addresses[i];
		bool dup = false;
		for (unsigned j = 0; j < n && !dup; j++)
			dup = weft_inetaddr_equal(&want[j], a);
		if (!dup && allowed(&p->settings, a))
			want[n++] = *a;
	}
	int r = weft_netlink_addr_sync(p->tap.ifindex, p->tap.name, want, n, p->addrs, p->n_addrs);
	if (r)
		weft_log(WEFT_LOG_WARN, "%s: managed addresses: %s", p->tap.name, strerror(-r));
	memcpy(p->addrs, want, n * sizeof *want);
	p->n_addrs = n;
}

// A source for a device route: the device's or the network's address of the target's family
// sharing the longest prefix with it (ties: the later). False if there is none.
static bool pick_source(const struct weft_port *p, const struct weft_network_info *info,
                        const struct weft_inetaddr *t, struct weft_inetaddr *src)
{
	struct weft_inetaddr cand[WEFT_NETLINK_ADDRS_MAX + WEFT_NETWORK_MAX_ADDRESSES];
	int n = weft_netlink_addr_list(p->tap.ifindex, cand, WEFT_NETLINK_ADDRS_MAX);
	unsigned total = n > 0 ? (unsigned)n : 0, best = 0;
	bool found = false;
	for (unsigned i = 0; i < info->n_addresses && i < WEFT_NETWORK_MAX_ADDRESSES; i++)
		cand[total++] = info->addresses[i];
	for (unsigned i = 0; i < total; i++) {
		if (cand[i].family != t->family)
			continue;
		unsigned c = common_prefix(&cand[i], t);
		if (!found || c >= best)
			*src = cand[i], best = c, found = true;
	}
	return found;
}

// Should this config route be kept (before splitting)? §5.3 "Routes".
static bool route_wanted(const struct weft_port *p, const struct weft_network_info *info,
                         const struct weft_network_route *r, bool online)
{
	const struct weft_inetaddr *t = &r->target;
	bool gw = r->via.family == t->family;
	if (!allowed(&p->settings, t))
		return false;
	for (unsigned i = 0; gw && i < info->n_addresses && i < WEFT_NETWORK_MAX_ADDRESSES; i++)
		if (weft_inetaddr_ip_equal(&info->addresses[i], &r->via))
			return false; // never route through ourselves
	for (unsigned i = 0; i < p->n_addrs; i++)
		if (p->addrs[i].port == t->port && prefix_equal(&p->addrs[i], t, t->port))
			return false; // the kernel made this connected route with the address
	return !(gw && is_default(t) && !online);
}

static bool route_in(const struct weft_port_route *list, unsigned n,
                     const struct weft_port_route *r)
{
	for (unsigned i = 0; i < n; i++)
		if (weft_inetaddr_equal(&list[i].target, &r->target) &&
		    list[i].via.family == r->via.family &&
		    (!r->via.family || weft_inetaddr_ip_equal(&list[i].via, &r->via)))
			return true;
	return false;
}

static void sync_routes(struct weft_port *p, const struct weft_network_info *info, bool online)
{
	// Static: about 15 KB, and weftd runs one thread.
	static struct weft_port_route want[WEFT_PORT_ROUTES_MAX];
	static struct weft_inetaddr srcs[WEFT_PORT_ROUTES_MAX];
	unsigned n = 0;
	for (unsigned i = 0; i < info->n_routes && i < WEFT_NETWORK_MAX_ROUTES; i++) {
		const struct weft_network_route *r = &info->routes[i];
		struct weft_inetaddr half[2], src;
		if (!route_wanted(p, info, r, online) || !pick_source(p, info, &r->target, &src))
			continue;
		size_t k = weft_netlink_route_split(&r->target, half);
		for (size_t h = 0; h < k && n < WEFT_PORT_ROUTES_MAX; h++) {
			want[n].target = half[h];
			want[n].via =
			    r->via.family == r->target.family ? r->via : (struct weft_inetaddr){0};
			srcs[n++] = src;
		}
	}
	for (unsigned i = 0; i < p->n_routes; i++)
		if (!route_in(want, n, &p->routes[i]))
			weft_netlink_route_del(p->tap.ifindex, &p->routes[i].target,
			                       p->routes[i].via.family ? &p->routes[i].via : NULL);
	for (int gw = 0; gw < 2; gw++) // device routes first, then gateway routes
		for (unsigned i = 0; i < n; i++) {
			if ((want[i].via.family != 0) != gw)
				continue;
			int r =
			    weft_netlink_route_add(p->tap.ifindex, &want[i].target,
			                           gw ? &want[i].via : NULL, gw ? NULL : &srcs[i]);
			if (r)
				weft_log(WEFT_LOG_WARN, "%s: route: %s", p->tap.name, strerror(-r));
		}
	memcpy(p->routes, want, n * sizeof *want);
	p->n_routes = n;
}

void weft_port_sync(struct weft_port *p, const struct weft_network_info *info, bool online)
{
	if (p->tap.fd < 0)
		return;
	sync_addresses(p, info);
	sync_routes(p, info, online);
}

void weft_port_unsync(struct weft_port *p)
{
	if (p->tap.fd < 0)
		return;
	for (unsigned i = 0; i < p->n_routes; i++)
		weft_netlink_route_del(p->tap.ifindex, &p->routes[i].target,
		                       p->routes[i].via.family ? &p->routes[i].via : NULL);
	weft_netlink_addr_sync(p->tap.ifindex, p->tap.name, NULL, 0, p->addrs, p->n_addrs);
	p->n_routes = p->n_addrs = 0;
}
