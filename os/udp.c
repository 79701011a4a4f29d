// SPDX-License-Identifier: MPL-2.0
// UDP over the BSD socket API: recvmmsg for batches, a TTL set and restored around the rare
// sends that ask for one (the 4-byte NAT-opening datagram of RENDEZVOUS).
#include "udp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <unistd.h>

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

void weft_sockaddr_from_inet(struct sockaddr_storage *ss, socklen_t *len,
                             const struct weft_inetaddr *a)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == WEFT_INET_V6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->ip, 16);
		s6->sin6_port = htons(a->port);
		*len = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->ip, 4);
		s4->sin_port = htons(a->port);
		*len = sizeof *s4;
	}
}

void weft_inet_from_sockaddr(struct weft_inetaddr *a, const struct sockaddr_storage *ss)
{
	memset(a, 0, sizeof *a);
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
		if (!memcmp(&s6->sin6_addr, mapped, 12)) { // v4-mapped: report as IPv4
			a->family = WEFT_INET_V4;
			memcpy(a->ip, (const uint8_t *)&s6->sin6_addr + 12, 4);
		} else {
			a->family = WEFT_INET_V6;
			memcpy(a->ip, &s6->sin6_addr, 16);
		}
		a->port = ntohs(s6->sin6_port);
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		a->family = WEFT_INET_V4;
		memcpy(a->ip, &s4->sin_addr, 4);
		a->port = ntohs(s4->sin_port);
	}
}

static int bind_at(const struct weft_inetaddr *at, int type)
{
	int af = at->family == WEFT_INET_V6 ? AF_INET6 : AF_INET;
	int fd = socket(af, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	if (fd < 0)
		return -errno;
	if (af == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	weft_sockaddr_from_inet(&ss, &len, at);
	if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int bind_any(int family, int type, uint16_t port)
{
	struct weft_inetaddr any = {.family = (uint8_t)family, .port = port};
	return bind_at(&any, type);
}

int weft_udp_bind(int family, uint16_t port)
{
	struct weft_inetaddr any = {.family = (uint8_t)family, .port = port};
	return weft_udp_bind_addr(&any);
}

int weft_udp_bind_addr(const struct weft_inetaddr *at)
{
	int fd = bind_at(at, SOCK_DGRAM);
	if (fd >= 0) {
		// Runs of datagrams that crossed the kernel as one (UDP GSO) stay one message.
		int on = 1;
		setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on);
		int size = 1 << 21; // absorb bursts: a root receives from many nodes at once
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	}
	return fd;
}

int weft_udp_port_usable(uint16_t port)
{
	static const int fams[2] = {WEFT_INET_V4, WEFT_INET_V6};
	for (int i = 0; i < 2; i++) {
		int u = bind_any(fams[i], SOCK_DGRAM, port);
		int t = bind_any(fams[i], SOCK_STREAM, port);
		if (u >= 0)
			close(u);
		if (t >= 0)
			close(t);
		if (u >= 0 && t >= 0)
			return 1;
	}
	return 0;
}

int weft_udp_recv(int fd, struct weft_udp_msg *msgs, unsigned n)
{
	struct mmsghdr mh[WEFT_UDP_BATCH];
	struct iovec iov[WEFT_UDP_BATCH];
	struct sockaddr_storage from[WEFT_UDP_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl[WEFT_UDP_BATCH];
	if (n > WEFT_UDP_BATCH)
		n = WEFT_UDP_BATCH;
	memset(mh, 0, sizeof(mh[0]) * n);
	for (unsigned i = 0; i < n; i++) {
		iov[i].iov_base = msgs[i].data;
		iov[i].iov_len = sizeof msgs[i].data;
		mh[i].msg_hdr.msg_iov = &iov[i];
		mh[i].msg_hdr.msg_iovlen = 1;
		mh[i].msg_hdr.msg_name = &from[i];
		mh[i].msg_hdr.msg_namelen = sizeof from[i];
		mh[i].msg_hdr.msg_control = ctl[i].buf;
		mh[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
	}
	int got = recvmmsg(fd, mh, n, MSG_DONTWAIT, NULL);
	if (got < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	for (int i = 0; i < got; i++) {
		msgs[i].len = mh[i].msg_len;
		msgs[i].seg = 0;
		weft_inet_from_sockaddr(&msgs[i].from, &from[i]);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh[i].msg_hdr); c;
		     c = CMSG_NXTHDR(&mh[i].msg_hdr, c)) {
			int seg;
			if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
				memcpy(&seg, CMSG_DATA(c), sizeof seg);
				if (seg > 0 && (size_t)seg < msgs[i].len)
					msgs[i].seg = (size_t)seg;
			}
		}
	}
	return got;
}

int weft_udp_send(int fd, const struct weft_inetaddr *to, const void *data, size_t len,
                  unsigned ttl)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int old = 64, r = 0;
	socklen_t ol = sizeof old;
	weft_sockaddr_from_inet(&ss, &sl, to);
	bool v4 = to->family == WEFT_INET_V4;
	if (ttl && v4) { // TTL is applied to IPv4 only, as the reference does
		getsockopt(fd, IPPROTO_IP, IP_TTL, &old, &ol);
		int t = (int)ttl;
		setsockopt(fd, IPPROTO_IP, IP_TTL, &t, sizeof t);
	}
	if (sendto(fd, data, len, 0, (struct sockaddr *)&ss, sl) < 0)
		r = -errno;
	if (ttl && v4)
		setsockopt(fd, IPPROTO_IP, IP_TTL, &old, sizeof old);
	return r;
}
