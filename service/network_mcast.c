// SPDX-License-Identifier: MPL-2.0
// Multicast groups from a port (service.md §5.5): the link-layer groups the kernel lists for
// the device (ADI 0), ff:ff:ff:ff:ff:ff with the IPv4 address as ADI for each IPv4 address
// (ARP), the solicited-node group of each IPv6 address; diffed against the previous scan and
// the difference (un)subscribed in the core.
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netlink.h"
#include "network_port.h"

#define BROADCAST_MAC    0xffffffffffffULL
#define SOLICITED_PREFIX 0x3333ff000000ULL

static int cmp_group(const void *a, const void *b)
{
	const struct weft_port_group *x = a, *y = b;
	if (x->mac != y->mac)
		return x->mac < y->mac ? -1 : 1;
	return x->adi < y->adi ? -1 : x->adi > y->adi;
}

static bool has_group(const struct weft_port_group *g, unsigned n, struct weft_port_group k)
{
	return bsearch(&k, g, n, sizeof *g, cmp_group) != NULL;
}

// The device's groups now, sorted and without duplicates.
static unsigned scan(const struct weft_port *p, struct weft_port_group *out)
{
	uint64_t macs[WEFT_PORT_GROUPS_MAX];
	struct weft_inetaddr addrs[WEFT_NETLINK_ADDRS_MAX];
	unsigned n = 0;
	int nm = weft_tap_multicast(&p->tap, macs, WEFT_PORT_GROUPS_MAX);
	for (int i = 0; i < nm && n < WEFT_PORT_GROUPS_MAX; i++)
		out[n++] = (struct weft_port_group){macs[i], 0};
	int na = weft_netlink_addr_list(p->tap.ifindex, addrs, WEFT_NETLINK_ADDRS_MAX);
	for (int i = 0; i < na && n < WEFT_PORT_GROUPS_MAX; i++) {
		const uint8_t *ip = addrs[i].ip;
		if (addrs[i].family == WEFT_INET_V4)
			out[n++] = (struct weft_port_group){
			    BROADCAST_MAC, (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 |
			                       (uint32_t)ip[2] << 8 | ip[3]};
		else if (addrs[i].family == WEFT_INET_V6)
			out[n++] =
			    (struct weft_port_group){SOLICITED_PREFIX | (uint64_t)ip[13] << 16 |
			                                 (uint64_t)ip[14] << 8 | ip[15],
			                             0};
	}
	qsort(out, n, sizeof *out, cmp_group);
	unsigned u = 0;
	for (unsigned i = 0; i < n; i++)
		if (!u || cmp_group(&out[u - 1], &out[i]) != 0)
			out[u++] = out[i];
	return u;
}

void weft_port_scan_multicast(struct weft_service *s, struct weft_port *p, int64_t now_ms)
{
	struct weft_port_group now[WEFT_PORT_GROUPS_MAX];
	if (p->tap.fd < 0)
		return;
	unsigned n = scan(p, now);
	for (unsigned i = 0; i < p->n_groups; i++)
		if (!has_group(now, n, p->groups[i]))
			weft_node_multicast_unsubscribe(s->node, p->nwid, p->groups[i].mac,
			                                p->groups[i].adi);
	for (unsigned i = 0; i < n; i++) {
		if (has_group(p->groups, p->n_groups, now[i]))
			continue;
		enum weft_result r =
		    weft_node_multicast_subscribe(s->node, now_ms, p->nwid, now[i].mac, now[i].adi);
		if (r != WEFT_OK)
			weft_log(WEFT_LOG_DEBUG, "%s: multicast subscribe: %s", p->tap.name,
			         weft_result_str(r));
	}
	memcpy(p->groups, now, n * sizeof *now);
	p->n_groups = n;
}
