// SPDX-License-Identifier: MPL-2.0
// rtnetlink without libnl: one socket per request, an ACK or a dump read back with a receive
// timeout so a silent kernel cannot hang the service. Control plane only.
#include "netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define REPLY_TIMEOUT_S 2
#define REQ_ATTRS_MAX   256   // the largest request (a v6 route) needs 76
#define DUMP_BUF_LEN    65536 // above the kernel's largest dump skb, so nothing is cut
#define ACK_BUF_LEN     8192

struct req {
	struct nlmsghdr nh;
	union {
		struct ifaddrmsg ifa;
		struct rtmsg rt;
	} u;
	char attrs[REQ_ATTRS_MAX];
};

static void add_attr(struct req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + (unsigned)RTA_ALIGN(rta->rta_len);
}

static size_t ip_len(const struct weft_inetaddr *a)
{
	return a->family == WEFT_INET_V4 ? 4 : 16;
}

static unsigned char af_of(const struct weft_inetaddr *a)
{
	return a->family == WEFT_INET_V4 ? AF_INET : AF_INET6;
}

static bool prefix_ok(const struct weft_inetaddr *a)
{
	return (a->family == WEFT_INET_V4 && a->port <= 32) ||
	       (a->family == WEFT_INET_V6 && a->port <= 128);
}

static int open_socket(void)
{
	struct timeval tv = {.tv_sec = REPLY_TIMEOUT_S};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int send_req(int fd, struct req *r)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	r->nh.nlmsg_seq = 1; // one request per socket
	if (sendto(fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
		return -errno;
	return 0;
}

// Sends a request with NLM_F_ACK and returns the kernel's verdict (0 or -errno).
static int transact(struct req *r)
{
	union {
		struct nlmsghdr nh;
		char b[ACK_BUF_LEN];
	} buf;
	int fd = open_socket(), err;
	if (fd < 0)
		return fd;
	r->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if ((err = send_req(fd, r)))
		goto done;
	for (;;) {
		ssize_t n = recv(fd, &buf, sizeof buf, 0);
		if (n <= 0) {
			err = n == 0 ? -EPROTO : errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto done;
		}
		for (struct nlmsghdr *nh = &buf.nh; NLMSG_OK(nh, (unsigned)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != 1 || nh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
				err = -EPROTO;
				goto done;
			}
			err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			goto done;
		}
	}
done:
	close(fd);
	return err;
}

static void addr_req(struct req *r, unsigned short type, unsigned short flags, int ifindex,
                     const struct weft_inetaddr *a)
{
	memset(r, 0, sizeof *r);
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = flags;
	r->u.ifa.ifa_family = af_of(a);
	r->u.ifa.ifa_prefixlen = (unsigned char)a->port;
	r->u.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	r->u.ifa.ifa_index = (unsigned)ifindex;
	// The same IP as local and address: no point-to-point peer.
	add_attr(r, IFA_LOCAL, a->ip, ip_len(a));
	add_attr(r, IFA_ADDRESS, a->ip, ip_len(a));
}

int weft_netlink_addr_add(int ifindex, const char *label, const struct weft_inetaddr *a)
{
	struct req r;
	int err;
	if (!prefix_ok(a))
		return -EINVAL;
	addr_req(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, a);
	if (a->family == WEFT_INET_V4) {
		uint32_t ip = (uint32_t)a->ip[0] << 24 | (uint32_t)a->ip[1] << 16 |
		              (uint32_t)a->ip[2] << 8 | a->ip[3];
		uint32_t host = a->port >= 32 ? 0 : 0xffffffffu >> a->port;
		uint32_t bcast = ip | host;
		uint8_t b[4] = {(uint8_t)(bcast >> 24), (uint8_t)(bcast >> 16),
		                (uint8_t)(bcast >> 8), (uint8_t)bcast};
		if (a->port < 31) // /31 and /32 have no broadcast address
			add_attr(&r, IFA_BROADCAST, b, 4);
		if (label && strlen(label) < IFNAMSIZ)
			add_attr(&r, IFA_LABEL, label, strlen(label) + 1);
	}
	err = transact(&r);
	return err == -EEXIST ? 0 : err;
}

int weft_netlink_addr_del(int ifindex, const struct weft_inetaddr *a)
{
	struct req r;
	int err;
	if (!prefix_ok(a))
		return -EINVAL;
	addr_req(&r, RTM_DELADDR, 0, ifindex, a);
	err = transact(&r);
	return err == -EADDRNOTAVAIL || err == -ENOENT || err == -ESRCH ? 0 : err;
}

// One RTM_NEWADDR of a dump: true with *a if it is on ifindex and has an IP.
static bool parse_addr(const struct nlmsghdr *nh, int ifindex, struct weft_inetaddr *a)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	const void *ip = NULL;
	if (nh->nlmsg_type != RTM_NEWADDR || nh->nlmsg_len < NLMSG_LENGTH(sizeof *ifa) ||
	    ifa->ifa_index != (unsigned)ifindex ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return false;
	for (size_t off = NLMSG_LENGTH(NLMSG_ALIGN(sizeof *ifa));
	     off + sizeof(struct rtattr) <= nh->nlmsg_len;) {
		const struct rtattr *rta = (const struct rtattr *)((const char *)nh + off);
		if (rta->rta_len < sizeof *rta || off + rta->rta_len > nh->nlmsg_len)
			break;
		// IFA_LOCAL is the IPv4 address itself; IPv6 only sends IFA_ADDRESS.
		if (rta->rta_type == IFA_LOCAL || (rta->rta_type == IFA_ADDRESS && !ip))
			ip = RTA_DATA(rta);
		off += RTA_ALIGN(rta->rta_len);
	}
	if (!ip)
		return false;
	memset(a, 0, sizeof *a);
	a->family = ifa->ifa_family == AF_INET ? WEFT_INET_V4 : WEFT_INET_V6;
	memcpy(a->ip, ip, ip_len(a));
	a->port = ifa->ifa_prefixlen;
	return true;
}

int weft_netlink_addr_list(int ifindex, struct weft_inetaddr *out, size_t cap)
{
	struct req r;
	struct nlmsghdr *buf = malloc(DUMP_BUF_LEN); // nlmsghdr-aligned
	int fd, err;
	size_t n = 0;
	if (!buf)
		return -ENOMEM;
	if ((fd = open_socket()) < 0) {
		err = fd;
		goto fail_socket;
	}
	memset(&r, 0, sizeof r);
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	r.nh.nlmsg_type = RTM_GETADDR;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.u.ifa.ifa_family = AF_UNSPEC;
	if ((err = send_req(fd, &r)))
		goto done;
	for (;;) {
		ssize_t len = recv(fd, buf, DUMP_BUF_LEN, 0);
		if (len <= 0) {
			err = len == 0 ? -EPROTO : errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto done;
		}
		for (struct nlmsghdr *nh = buf; NLMSG_OK(nh, (unsigned)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != 1)
				continue;
			if (nh->nlmsg_type == NLMSG_DONE)
				goto done;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
				goto done;
			}
			if (n < cap && parse_addr(nh, ifindex, &out[n]))
				n++;
		}
	}
done:
	close(fd);
fail_socket:
	free(buf);
	return err ? err : (int)n;
}

static bool contains(const struct weft_inetaddr *set, size_t n, const struct weft_inetaddr *a)
{
	for (size_t i = 0; i < n; i++)
		if (set[i].family == a->family && !memcmp(set[i].ip, a->ip, ip_len(a)) &&
		    set[i].port == a->port)
			return true;
	return false;
}

static void keep_first(int *first, int err)
{
	if (err && !*first)
		*first = err;
}

// Adds one new address; a same-IP entry with another prefix goes first (§5.3).
static int add_new(int ifindex, const char *label, const struct weft_inetaddr *a,
                   const struct weft_inetaddr *have, size_t n_have)
{
	int first = 0;
	for (size_t i = 0; i < n_have; i++) {
		if (have[i].family != a->family || memcmp(have[i].ip, a->ip, ip_len(a)))
			continue;
		if (have[i].port == a->port)
			return 0;
		keep_first(&first, weft_netlink_addr_del(ifindex, &have[i]));
	}
	keep_first(&first, weft_netlink_addr_add(ifindex, label, a));
	return first;
}

int weft_netlink_addr_sync(int ifindex, const char *label, const struct weft_inetaddr *want,
                           size_t n_want, const struct weft_inetaddr *applied, size_t n_applied)
{
	struct weft_inetaddr have[WEFT_NETLINK_ADDRS_MAX];
	int first = 0, n_have;
	for (size_t i = 0; i < n_applied; i++)
		if (!contains(want, n_want, &applied[i]))
			keep_first(&first, weft_netlink_addr_del(ifindex, &applied[i]));
	n_have = weft_netlink_addr_list(ifindex, have, WEFT_NETLINK_ADDRS_MAX);
	if (n_have < 0) {
		keep_first(&first, n_have);
		n_have = 0;
	}
	for (size_t i = 0; i < n_want; i++)
		if (!contains(applied, n_applied, &want[i]))
			keep_first(&first, add_new(ifindex, label, &want[i], have, (size_t)n_have));
	return first;
}

// Clears the bits past the prefix: the kernel refuses an IPv4 route target with host bits.
static void network_of(struct weft_inetaddr *net, const struct weft_inetaddr *a)
{
	unsigned len = (unsigned)ip_len(a);
	*net = *a;
	for (unsigned i = 0; i < len; i++) {
		unsigned keep = a->port >= 8 * (i + 1) ? 8 : a->port > 8 * i ? a->port - 8 * i : 0;
		net->ip[i] &= (uint8_t)(0xff00u >> keep);
	}
}

static int route_req(struct req *r, unsigned short type, unsigned short flags, int ifindex,
                     const struct weft_inetaddr *target, const struct weft_inetaddr *via)
{
	struct weft_inetaddr net;
	uint32_t oif = (uint32_t)ifindex, metric = WEFT_NETLINK_GATEWAY_METRIC;
	if (!prefix_ok(target) || (via && via->family != target->family))
		return -EINVAL;
	network_of(&net, target);
	memset(r, 0, sizeof *r);
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = flags;
	r->u.rt.rtm_family = af_of(target);
	r->u.rt.rtm_dst_len = (unsigned char)target->port;
	r->u.rt.rtm_table = RT_TABLE_MAIN;
	r->u.rt.rtm_protocol = RTPROT_STATIC;
	r->u.rt.rtm_scope = RT_SCOPE_UNIVERSE;
	r->u.rt.rtm_type = RTN_UNICAST;
	if (target->port)
		add_attr(r, RTA_DST, net.ip, ip_len(&net));
	add_attr(r, RTA_OIF, &oif, sizeof oif);
	if (via) {
		add_attr(r, RTA_GATEWAY, via->ip, ip_len(via));
		add_attr(r, RTA_PRIORITY, &metric, sizeof metric);
	}
	return 0;
}

int weft_netlink_route_add(int ifindex, const struct weft_inetaddr *target,
                           const struct weft_inetaddr *via, const struct weft_inetaddr *src)
{
	struct req r;
	int err = route_req(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifindex, target, via);
	if (err)
		return err;
	if (!via && src && src->family == target->family)
		add_attr(&r, RTA_PREFSRC, src->ip, ip_len(src));
	err = transact(&r);
	return err == -EEXIST ? 0 : err;
}

int weft_netlink_route_del(int ifindex, const struct weft_inetaddr *target,
                           const struct weft_inetaddr *via)
{
	struct req r;
	int err = route_req(&r, RTM_DELROUTE, 0, ifindex, target, via);
	if (err)
		return err;
	err = transact(&r);
	return err == -ESRCH || err == -ENOENT ? 0 : err;
}

size_t weft_netlink_route_split(const struct weft_inetaddr *target, struct weft_inetaddr out[2])
{
	out[0] = *target;
	if (target->port != 0)
		return 1;
	memset(out[0].ip, 0, sizeof out[0].ip);
	out[0].port = 1;
	out[1] = out[0];
	out[1].ip[0] = 0x80;
	return 2;
}
