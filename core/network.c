// SPDX-License-Identifier: MPL-2.0
// Joined networks (vl2.md §4): join and leave, the config request schedule (at once, then
// every 5 s without a config and every 60 s with one), applying a config that is ours, the
// controller's refusals, and what the host sees of each network.
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "vl2addr.h"

#define REFRESH_MS   60000 // ask again this long after a config was applied (§4.6)
#define RETRY_MS     5000  // ask again this often while there is none
#define METADATA_MAX 1024

struct weft_network *weft_network_find(const struct weft_node *n, uint64_t nwid)
{
	for (unsigned i = 0; i < n->n_networks; i++)
		if (n->networks[i]->nwid == nwid)
			return n->networks[i];
	return NULL;
}

bool weft_network_is_bridge(const struct weft_network *net, uint64_t address)
{
	if (!net->nc)
		return false;
	for (unsigned i = 0; i < net->nc->n_specialists; i++)
		if ((net->nc->specialists[i] & WEFT_NETCONF_SPECIALIST_ADDRESS_MASK) == address &&
		    (net->nc->specialists[i] & WEFT_NETCONF_SPECIALIST_ACTIVE_BRIDGE))
			return true;
	return false;
}

static void info_of(const struct weft_node *n, const struct weft_network *net,
                    struct weft_network_info *o)
{
	const struct weft_netconf *nc = net->nc;
	memset(o, 0, sizeof *o);
	o->network_id = net->nwid;
	o->mac = net->mac;
	o->status = net->status;
	o->config_ms = net->config_ms;
	o->mtu = WEFT_NETCONF_MTU_DEFAULT;
	if (!nc)
		return;
	o->has_config = true;
	o->is_public = nc->type == WEFT_NETCONF_PUBLIC;
	o->broadcast = (nc->flags & WEFT_NETCONF_F_ENABLE_BROADCAST) != 0;
	o->bridge = weft_network_is_bridge(net, n->self.address);
	o->mtu = nc->mtu;
	o->multicast_limit = nc->multicast_limit;
	o->revision = nc->revision;
	memcpy(o->name, nc->name, sizeof o->name);
	o->name[sizeof o->name - 1] = 0;
	for (unsigned i = 0; i < nc->n_static_ips && i < WEFT_NETWORK_MAX_ADDRESSES; i++)
		o->addresses[o->n_addresses++] = nc->static_ips[i];
	for (unsigned i = 0; i < nc->n_routes && i < WEFT_NETWORK_MAX_ROUTES; i++) {
		struct weft_network_route *r = &o->routes[o->n_routes++];
		r->target = nc->routes[i].target;
		r->via = nc->routes[i].via;
		r->flags = nc->routes[i].flags;
		r->metric = nc->routes[i].metric;
	}
	memcpy(o->dns_domain, nc->dns.domain, sizeof o->dns_domain);
	o->dns_domain[sizeof o->dns_domain - 1] = 0;
	for (unsigned i = 0; i < WEFT_NETWORK_MAX_DNS; i++)
		if (nc->dns.servers[i].family != WEFT_INET_NONE)
			o->dns_servers[o->n_dns++] = nc->dns.servers[i];
}

static void changed(struct weft_node *n, const struct weft_network *net)
{
	struct weft_network_info *info = malloc(sizeof *info); // 7 KB: not on small stacks
	if (!info)
		return;
	info_of(n, net, info);
	n->cb.event(n->cb.ctx, WEFT_EVENT_NETWORK_CHANGED, info);
	free(info);
}

// The metadata a 1.14.1 member sends (vl2.md §4.2).
static size_t metadata(uint8_t *buf, size_t cap)
{
	struct weft_dict d;
	weft_dict_init(&d, buf, cap);
	weft_dict_add_u64(&d, "v", WEFT_NETCONF_VERSION);
	weft_dict_add_u64(&d, "vend", 1);
	weft_dict_add_u64(&d, "pv", WEFT_PROTO_VERSION);
	weft_dict_add_u64(&d, "majv", WEFT_VERSION_MAJOR);
	weft_dict_add_u64(&d, "minv", WEFT_VERSION_MINOR);
	weft_dict_add_u64(&d, "revv", WEFT_VERSION_REVISION);
	weft_dict_add_u64(&d, "mr", WEFT_NETCONF_MAX_RULES);
	weft_dict_add_u64(&d, "mc", WEFT_NETCONF_MAX_CAPS);
	weft_dict_add_u64(&d, "mcr", WEFT_CAP_MAX_RULES);
	weft_dict_add_u64(&d, "mt", WEFT_NETCONF_MAX_TAGS);
	weft_dict_add_u64(&d, "f", 0);
	weft_dict_add_u64(&d, "revr", 1);
	return d.len;
}

static void request(struct weft_node *n, int64_t now_ms, struct weft_network *net)
{
	uint8_t meta[METADATA_MAX];
	size_t len = metadata(meta, sizeof meta);
	net->request_ms = now_ms;
	if ((net->nwid >> 24) == n->self.address) { // our own controller: no wire involved
		char ident[WEFT_IDENTITY_STR_PUBLIC_LEN + 1];
		if (!n->cb.config_request)
			return weft_network_config_error(n, net->nwid, WEFT_ERROR_OBJ_NOT_FOUND);
		weft_identity_to_string(&n->self, false, ident, sizeof ident);
		struct weft_config_request q = {
		    net->nwid, n->self.address, weft_node_random_u64(n) | 1, meta, len, ident,
		    NULL};
		n->cb.config_request(n->cb.ctx, &q);
		return;
	}
	weft_node_request_config(n, now_ms, net->nwid, meta, len);
}

// Applies a config that decoded and is ours; false if nc was not taken.
static bool apply(struct weft_node *n, int64_t now_ms, struct weft_network *net,
                  struct weft_netconf *nc)
{
	if (nc->nwid != net->nwid || nc->issued_to != n->self.address)
		return false;
	free(net->nc);
	net->nc = nc;
	net->config_ms = now_ms ? now_ms : 1;
	net->status = WEFT_NETWORK_OK;
	return true;
}

static struct weft_netconf *decode(const uint8_t *dict, size_t len)
{
	struct weft_netconf *nc = malloc(sizeof *nc);
	uint8_t *scratch = malloc(len ? len : 1);
	struct weft_dict d;
	weft_dict_view(&d, dict, len);
	if (!nc || !scratch || weft_netconf_decode(nc, &d, scratch, len ? len : 1) != WEFT_OK) {
		free(nc);
		nc = NULL;
	}
	free(scratch);
	return nc;
}

void weft_network_config_in(struct weft_node *n, int64_t now_ms, uint64_t nwid, const uint8_t *dict,
                            size_t len)
{
	struct weft_network *net = weft_network_find(n, nwid);
	struct weft_netconf *nc;
	if (!net)
		return;
	if (!(nc = decode(dict, len)) || !apply(n, now_ms, net, nc)) {
		free(nc);
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	n->cb.state_put(n->cb.ctx, WEFT_STATE_NETWORK_CONFIG, nwid, dict, len);
	changed(n, net);
}

void weft_network_config_error(struct weft_node *n, uint64_t nwid, unsigned code)
{
	struct weft_network *net = weft_network_find(n, nwid);
	enum weft_network_status s;
	if (!net)
		return;
	switch (code) {
	case WEFT_ERROR_OBJ_NOT_FOUND:
	case WEFT_ERROR_UNSUPPORTED_OPERATION: s = WEFT_NETWORK_NOT_FOUND; break;
	case WEFT_ERROR_NETWORK_ACCESS_DENIED: s = WEFT_NETWORK_ACCESS_DENIED; break;
	case WEFT_ERROR_NETWORK_AUTHENTICATION_REQUIRED:
		s = WEFT_NETWORK_AUTHENTICATION_REQUIRED;
		break;
	default: return;
	}
	if (s == net->status)
		return;
	net->status = s; // a config held so far stays in use (§4.7)
	changed(n, net);
}

enum weft_result weft_node_join(struct weft_node *n, int64_t now_ms, uint64_t nwid)
{
	uint64_t controller = nwid >> 24;
	if (!nwid || weft_address_is_reserved(controller))
		return WEFT_ERR_INVALID;
	if (weft_network_find(n, nwid))
		return WEFT_OK;
	if (n->n_networks >= WEFT_LIMIT_NETWORKS)
		return WEFT_ERR_FULL;
	struct weft_network *net = calloc(1, sizeof *net);
	if (!net)
		return WEFT_FATAL_OUT_OF_MEMORY;
	net->nwid = nwid;
	net->mac = weft_vl2_mac_from_address(n->self.address, nwid);
	net->status = WEFT_NETWORK_REQUESTING_CONFIGURATION;
	n->networks[n->n_networks++] = net;
	// A stored config is used at once (and the controller asked anyway, as 1.14 does).
	uint8_t *buf = malloc(WEFT_LIMIT_CFG_DICT);
	long len = buf ? n->cb.state_get(n->cb.ctx, WEFT_STATE_NETWORK_CONFIG, nwid, buf,
	                                 WEFT_LIMIT_CFG_DICT)
	               : -1;
	struct weft_netconf *nc = len > 1 ? decode(buf, (size_t)len) : NULL;
	if (nc && !apply(n, 0, net, nc))
		free(nc);
	free(buf);
	if (len < 0) // remembered as joined even before a config arrives (service.md §1.4)
		n->cb.state_put(n->cb.ctx, WEFT_STATE_NETWORK_CONFIG, nwid, "\n", 1);
	changed(n, net);
	request(n, now_ms, net);
	return WEFT_OK;
}

static void network_free(struct weft_network *net)
{
	weft_membership_free_all(net);
	weft_mc_free(&net->mc);
	free(net->nc);
	free(net);
}

enum weft_result weft_node_leave(struct weft_node *n, int64_t now_ms, uint64_t nwid)
{
	(void)now_ms;
	for (unsigned i = 0; i < n->n_networks; i++) {
		struct weft_network *net = n->networks[i];
		if (net->nwid != nwid)
			continue;
		n->networks[i] = n->networks[--n->n_networks];
		net->status = WEFT_NETWORK_LEFT;
		changed(n, net);
		n->cb.state_put(n->cb.ctx, WEFT_STATE_NETWORK_CONFIG, nwid, NULL, 0);
		network_free(net);
		return WEFT_OK;
	}
	return WEFT_ERR_NOT_FOUND;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

size_t weft_node_networks(const struct weft_node *n, uint64_t *ids, size_t cap)
{
	uint64_t all[WEFT_LIMIT_NETWORKS];
	for (unsigned i = 0; i < n->n_networks; i++)
		all[i] = n->networks[i]->nwid;
	qsort(all, n->n_networks, sizeof all[0], cmp_u64);
	memcpy(ids, all, (n->n_networks < cap ? n->n_networks : cap) * sizeof *ids);
	return n->n_networks;
}

enum weft_result weft_node_network_info(const struct weft_node *n, uint64_t nwid,
                                        struct weft_network_info *out)
{
	const struct weft_network *net = weft_network_find(n, nwid);
	if (!net)
		return WEFT_ERR_NOT_FOUND;
	info_of(n, net, out);
	return WEFT_OK;
}

void weft_network_timers(struct weft_node *n, int64_t now_ms)
{
	weft_frame_retry(n, now_ms);
	for (unsigned i = 0; i < n->n_networks; i++) {
		struct weft_network *net = n->networks[i];
		// Every 5 s without a usable config; 60 s after one was applied otherwise.
		int64_t due = net->request_ms + RETRY_MS;
		if (net->nc && net->status == WEFT_NETWORK_OK && net->config_ms + REFRESH_MS > due)
			due = net->config_ms + REFRESH_MS;
		if (now_ms >= due)
			request(n, now_ms, net);
		weft_mcast_expire(n, now_ms, net);
		if (net->nc)
			weft_mcast_announce(n, now_ms, net, NULL);
	}
}

void weft_network_free_all(struct weft_node *n)
{
	for (unsigned i = 0; i < n->n_networks; i++)
		network_free(n->networks[i]);
	n->n_networks = 0;
}
