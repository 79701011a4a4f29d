// SPDX-License-Identifier: MPL-2.0
// Managed addresses and routes of a port over raw rtnetlink (service.md §5.3). Addresses are
// struct weft_inetaddr with the prefix length in the port field, as the core carries static IPs.
// Which addresses and routes are allowed, and when gateway routes apply, is the caller's policy.
#ifndef WEFT_OS_NETLINK_H
#define WEFT_OS_NETLINK_H

#include <stddef.h>

#include "weft/weft.h"

#define WEFT_NETLINK_GATEWAY_METRIC 5000 // routes with a gateway (§5.1 metric hint)
#define WEFT_NETLINK_ADDRS_MAX      128  // device addresses a sync looks at

// Adds an address to the interface; IPv4 also gets its broadcast address and `label` (the
// device name). Already present is success. Returns 0 or -errno.
int weft_netlink_addr_add(int ifindex, const char *label, const struct weft_inetaddr *a);
// Removes exactly that address and prefix length; absent is success. Returns 0 or -errno.
int weft_netlink_addr_del(int ifindex, const struct weft_inetaddr *a);
// The interface's IPv4 and IPv6 addresses (kernel-made link-local ones too), in kernel order.
// Stores up to cap; returns how many it stored, or -errno.
int weft_netlink_addr_list(int ifindex, struct weft_inetaddr *out, size_t cap);
// Removes what is in `applied` but not in `want`, then adds what is in `want` but not in
// `applied`, first removing the same IP with another prefix length if the device has it. Keeps
// going past failures; returns 0 or the first -errno. The caller then records `want` as applied.
int weft_netlink_addr_sync(int ifindex, const char *label, const struct weft_inetaddr *want,
                           size_t n_want, const struct weft_inetaddr *applied, size_t n_applied);

// Adds a unicast route to target (host bits are cleared) out of the interface: main table,
// protocol static, scope universe; with `via` a gateway and metric 5000, else a device route
// with the optional source hint `src`. An identical route present is success. Returns 0 or -errno.
int weft_netlink_route_add(int ifindex, const struct weft_inetaddr *target,
                           const struct weft_inetaddr *via, const struct weft_inetaddr *src);
// Deletes the route added with the same target and via; absent is success. Returns 0 or -errno.
int weft_netlink_route_del(int ifindex, const struct weft_inetaddr *target,
                           const struct weft_inetaddr *via);
// A default route is installed as two halves so it overrides, not replaces, the system's
// (§5.3): for a /0 target writes 0.0.0.0/1 + 128.0.0.0/1 (or ::/1 + 8000::/1) and returns 2;
// otherwise copies target and returns 1.
size_t weft_netlink_route_split(const struct weft_inetaddr *target, struct weft_inetaddr out[2]);

#endif
