// SPDX-License-Identifier: MPL-2.0
// Interface addresses through getifaddrs(3).
#include "ifaddr.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "udp.h"

size_t weft_ifaddr_list(struct weft_ifaddr *out, size_t cap)
{
	struct ifaddrs *all;
	size_t n = 0;
	if (getifaddrs(&all) != 0)
		return 0;
	for (struct ifaddrs *i = all; i && n < cap; i = i->ifa_next) {
		if (!i->ifa_addr || !(i->ifa_flags & IFF_UP))
			continue;
		int fam = i->ifa_addr->sa_family;
		if (fam != AF_INET && fam != AF_INET6)
			continue;
		struct sockaddr_storage ss = {0};
		memcpy(&ss, i->ifa_addr,
		       fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		snprintf(out[n].name, sizeof out[n].name, "%s", i->ifa_name);
		weft_inet_from_sockaddr(&out[n].addr, &ss);
		out[n].prefix = 0;
		if (i->ifa_netmask) {
			const uint8_t *m =
			    fam == AF_INET
			        ? (const uint8_t *)&((const struct sockaddr_in *)i->ifa_netmask)
			              ->sin_addr
			        : (const uint8_t *)&((const struct sockaddr_in6 *)i->ifa_netmask)
			              ->sin6_addr;
			for (int b = 0; b < (fam == AF_INET ? 4 : 16); b++)
				out[n].prefix += (unsigned)__builtin_popcount(m[b]);
		}
		n++;
	}
	freeifaddrs(all);
	return n;
}
