// SPDX-License-Identifier: MPL-2.0
// The host side of joined networks (service.md §5, §6.6): one port per network the node has
// joined, holding its TAP device, its member-side settings, what the service applied to the
// device (managed addresses and routes) and the multicast groups it subscribed in the core.
#ifndef WEFT_SERVICE_NETWORK_PORT_H
#define WEFT_SERVICE_NETWORK_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "network_settings.h"
#include "service.h"
#include "tap.h"

#define WEFT_PORTS_MAX        64  // as WEFT_LIMIT_NETWORKS in the core
#define WEFT_PORT_GROUPS_MAX  256 // multicast groups per port (the core keeps as many)
#define WEFT_PORT_ROUTES_MAX  (2 * WEFT_NETWORK_MAX_ROUTES) // a default route is two halves
#define WEFT_PORT_ERROR_SETUP (-999) // portError when the port could not be created (as 1.14)
#define WEFT_PORT_SCAN_MS     5000   // multicast rescan (§5.5)
#define WEFT_PORT_RESYNC_MS   30000  // routes re-applied (§5.3)

struct weft_port_group {
	uint64_t mac;
	uint32_t adi;
};

struct weft_port_route {
	struct weft_inetaddr target; // port = prefix length
	struct weft_inetaddr via;    // family 0: a device route
};

struct weft_gro;

struct weft_port {
	struct weft_service *svc;
	uint64_t nwid;
	struct weft_network_settings settings;
	struct weft_tap tap;  // tap.fd -1 until created
	struct weft_gro *gro; // TCP segments held for one write (offload ports), or NULL
	int port_error;       // 0, or WEFT_PORT_ERROR_SETUP after a failed creation
	unsigned n_addrs;     // managed addresses applied to the device
	struct weft_inetaddr addrs[WEFT_NETWORK_MAX_ADDRESSES];
	unsigned n_routes; // managed routes applied
	struct weft_port_route routes[WEFT_PORT_ROUTES_MAX];
	unsigned n_groups; // subscribed in the core, sorted by MAC then ADI
	struct weft_port_group groups[WEFT_PORT_GROUPS_MAX];
	unsigned n_shown; // the groups as of the last config update, for the API (§2.5.3)
	struct weft_port_group shown[WEFT_PORT_GROUPS_MAX];
};

struct weft_ports {
	struct weft_port *port[WEFT_PORTS_MAX]; // heap; NULL = free
	int64_t scan_ms, resync_ms;             // last multicast scan and route re-sync
	unsigned gro_held;                      // ports whose gro holds segments
	struct weft_port *last;                 // the port frame_out found last
};

// The port of a joined network, or NULL.
struct weft_port *weft_ports_find(struct weft_service *s, uint64_t nwid);
// Joins nwid: creates its port (settings read from NWID.local.conf), asks the core, and stores
// the "\n" NWID.conf placeholder if none exists. Joining again returns the existing port.
// NULL with *r set if the core refused or the table is full.
struct weft_port *weft_ports_join(struct weft_service *s, uint64_t nwid, enum weft_result *r);
// Leaves: the core forgets the network, the device goes, NWID.conf and NWID.local.conf are
// deleted. WEFT_ERR_NOT_FOUND if not joined.
enum weft_result weft_ports_leave(struct weft_service *s, uint64_t nwid);
// Re-applies addresses and routes after a settings change (POST /network/NWID).
void weft_ports_resync(struct weft_service *s, struct weft_port *p);
// WEFT_EVENT_NETWORK_CHANGED from the core.
void weft_ports_changed(struct weft_service *s, const struct weft_network_info *info);
// The core's frame_out: writes the frame to its network's TAP.
void weft_ports_frame_out(struct weft_service *s, const struct weft_frame *f);
// A frame read from p's TAP (ctx: the port) into the core.
void weft_ports_frame_in(void *ctx, const struct weft_tap_frame *f);
// Writes the TCP segments weft_ports_frame_out holds back to coalesce (once per loop turn).
void weft_ports_flush(struct weft_service *s);
// Periodic work: multicast rescans every 5 s, route re-sync every 30 s.
void weft_ports_tick(struct weft_service *s, int64_t now_ms);
// Closes every port without leaving (shutdown): devices go, files stay.
void weft_ports_close_all(struct weft_service *s);
// The port's device name; before the device exists, the name it is expected to get (the
// devicemap entry, else the first computed name).
void weft_ports_device_name(struct weft_service *s, const struct weft_port *p,
                            char out[WEFT_TAP_NAME_MAX]);

// network_sync.c: managed addresses and routes of a port from the network's info (§5.3).
void weft_port_sync(struct weft_port *p, const struct weft_network_info *info, bool online);
// Removes what weft_port_sync applied (allowManaged off, leave).
void weft_port_unsync(struct weft_port *p);
// network_mcast.c: rescans the device's groups and (un)subscribes the difference (§5.5).
void weft_port_scan_multicast(struct weft_service *s, struct weft_port *p, int64_t now_ms);

#endif
