// SPDX-License-Identifier: MPL-2.0
// The host's interface addresses, as the service reports and (later) binds them.
#ifndef WEFT_OS_IFADDR_H
#define WEFT_OS_IFADDR_H

#include <net/if.h>
#include <stddef.h>

#include "weft/weft.h"

struct weft_ifaddr {
	char name[IF_NAMESIZE];
	struct weft_inetaddr addr; // port 0
	unsigned prefix;           // the netmask's length
};

// Fills up to cap IPv4 and IPv6 addresses of interfaces that are up, in the order the kernel
// lists them; returns how many were written (0 if they cannot be listed).
size_t weft_ifaddr_list(struct weft_ifaddr *out, size_t cap);

#endif
