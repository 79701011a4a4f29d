// SPDX-License-Identifier: MPL-2.0
// UDP sockets: wildcard binding per family, batched receive, sends with an optional TTL.
#ifndef WEFT_OS_UDP_H
#define WEFT_OS_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "weft/weft.h"

#define WEFT_UDP_BATCH        16
#define WEFT_UDP_MAX_DATAGRAM 10100
// Sockets receive with UDP GRO: one message may hold a run of datagrams from one sender, all
// `seg` bytes but the last (seg 0: one datagram).
#define WEFT_UDP_MAX_MESSAGE 65536

struct weft_udp_msg {
	struct weft_inetaddr from;
	size_t len;
	size_t seg;
	uint8_t data[WEFT_UDP_MAX_MESSAGE];
};

// Binds a non-blocking UDP socket on the wildcard address of `family` (WEFT_INET_V4/V6).
// Returns the fd, or -errno. IPv6 sockets are v6-only.
int weft_udp_bind(int family, uint16_t port);
// The same on one local address (local.conf settings.bind), port included.
int weft_udp_bind_addr(const struct weft_inetaddr *at);
// True if `port` can be bound for UDP and TCP on the IPv4 or the IPv6 wildcard.
int weft_udp_port_usable(uint16_t port);
// Receives up to n messages without blocking; returns how many (0 if none), or -errno.
int weft_udp_recv(int fd, struct weft_udp_msg *msgs, unsigned n);
// Sends one datagram; ttl 0 leaves the socket's default. Returns 0 or -errno.
int weft_udp_send(int fd, const struct weft_inetaddr *to, const void *data, size_t len,
                  unsigned ttl);

void weft_sockaddr_from_inet(struct sockaddr_storage *ss, socklen_t *len,
                             const struct weft_inetaddr *a);
void weft_inet_from_sockaddr(struct weft_inetaddr *a, const struct sockaddr_storage *ss);

#endif
