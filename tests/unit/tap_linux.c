// SPDX-License-Identifier: MPL-2.0
// os/tap.h and os/netlink.h. Pure parts (names, MACs, /proc/net/dev_mcast parsing, the default
// route split) always run. The device parts run in a private network namespace (unshare), so
// the port, its addresses and routes vanish with the process and the host is never touched;
// without the privilege or /dev/net/tun they are reported as not covered. Every wait is a
// bounded poll.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "inetaddr.h"
#include "netlink.h"
#include "t.h"
#include "tap.h"
#include "vl2addr.h"

#define NWID      0x49354c514322665dULL
#define ADDR      0x49354c5143ULL
#define PEER_MAC  0x5e1122334455ULL
#define ETH_ARP   0x0806
#define ETH_IPV4  0x0800
#define WAIT_MS   3000
#define V4_ADDR   "10.147.20.77"
#define V4_PEER   "10.147.20.99"
#define V6_ADDR   "fd49:354c:5143:2266:5d99:9349:354c:5143"
#define BUF_FRAME (WEFT_TAP_ETH_HDR + WEFT_TAP_MTU_DEFAULT)

static const char *no_device; // why the device cases cannot run, or NULL
static bool have_v6;

static struct weft_inetaddr ip(const char *text, uint16_t prefix)
{
	struct weft_inetaddr a;
	uint8_t b[16];
	if (inet_pton(AF_INET, text, b) == 1)
		weft_inetaddr_set_v4(&a, b, prefix);
	else if (inet_pton(AF_INET6, text, b) == 1)
		weft_inetaddr_set_v6(&a, b, prefix);
	else
		memset(&a, 0, sizeof a);
	return a;
}

static void test_names(void)
{
	char name[WEFT_TAP_NAME_MAX];
	t_case("computed device names (service.md §5.1 examples)");
	weft_tap_name_for(NWID, 0, name);
	T_CHECK_MSG(!strcmp(name, "ztdb3g4ny6"), "got %s", name);
	weft_tap_name_for(NWID, 1, name);
	T_CHECK_MSG(!strcmp(name, "ztdb3g4ny7"), "got %s", name);
	weft_tap_name_for(0xffaa000000000000ULL, 0, name);
	T_CHECK_MSG(!strcmp(name, "zt76vaaaaa"), "got %s", name);
	weft_tap_name_for(0x8056c2e21c000001ULL, 0, name);
	T_CHECK_MSG(!strcmp(name, "ztmjfmfyq5"), "got %s", name);
	// The trial wraps inside 40 bits: all ones plus one is all zeros.
	weft_tap_name_for(0xffff000000ffffffULL, 1, name);
	T_CHECK_MSG(!strcmp(name, "ztaaaaaaaa"), "got %s", name);
}

static void test_mac(void)
{
	t_case("port MAC from network and address (service.md §5.2 examples)");
	T_CHECK(weft_vl2_mac_from_address(ADDR, NWID) == 0x5e2f170f000fULL);
	T_CHECK(weft_vl2_mac_from_address(0x85b385c12dULL, NWID) == 0x5ee391c69061ULL);
}

// Parses text from an exact-size heap copy so ASan sees any read past the end.
static size_t parse(const char *text, const char *dev, uint64_t *macs, size_t cap)
{
	size_t len = strlen(text), n;
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	n = weft_tap_parse_dev_mcast(copy, len, dev, macs, cap);
	free(copy);
	return n;
}

static void test_dev_mcast(void)
{
	uint64_t m[8];
	t_case("dev_mcast: the port's lines, in order");
	T_CHECK(parse("1    lo              1     0     333300000001\n"
	              "4    ztdb3g4ny6      1     0     333300000001\n"
	              "4    ztdb3g4ny6      1     0     01005e000001\n"
	              "4    ztdb3g4ny6x     1     0     3333ff0f000f\n"
	              "4\tztdb3g4ny6\t2\t0\t3333FF0F000F",
	              "ztdb3g4ny6", m, 8) == 3);
	T_CHECK(m[0] == 0x333300000001ULL && m[1] == 0x01005e000001ULL);
	T_CHECK(m[2] == 0x3333ff0f000fULL);

	t_case("dev_mcast: malformed lines are skipped");
	T_CHECK(parse("", "zt0", m, 8) == 0);
	T_CHECK(parse("\n\n   \n", "zt0", m, 8) == 0);
	T_CHECK(parse("4 zt0 1 0\n", "zt0", m, 8) == 0);               // four fields
	T_CHECK(parse("4 zt0 1 0 33330000001\n", "zt0", m, 8) == 0);   // 11 digits
	T_CHECK(parse("4 zt0 1 0 3333000000011\n", "zt0", m, 8) == 0); // 13 digits
	T_CHECK(parse("4 zt0 1 0 33330000000g\n", "zt0", m, 8) == 0);  // not hex
	T_CHECK(parse("4 zt0 1 0 333300000001\r\n", "zt0", m, 8) == 0);
	T_CHECK(parse("4 zt 1 0 333300000001\n", "zt0", m, 8) == 0);  // name prefix
	T_CHECK(parse("zt0 4 1 0 333300000001\n", "zt0", m, 8) == 0); // name in field 1
	T_CHECK(parse("4 zt0 1 0 333300000001 extra\n", "zt0", m, 8) == 1);
	T_CHECK(parse("  4 zt0 1 0 0180c2000001", "zt0", m, 8) == 1 && m[0] == 0x0180c2000001ULL);

	t_case("dev_mcast: stops at cap");
	T_CHECK(parse("4 zt0 1 0 000000000001\n4 zt0 1 0 000000000002\n4 zt0 1 0 000000000003\n",
	              "zt0", m, 2) == 2);
	T_CHECK(m[0] == 1 && m[1] == 2);
	T_CHECK(parse("4 zt0 1 0 000000000001\n", "zt0", m, 0) == 0);
}

static void test_route_split(void)
{
	struct weft_inetaddr out[2], t, lo, hi;
	t_case("default routes split into two /1 halves");
	t = ip("0.0.0.0", 0);
	lo = ip("0.0.0.0", 1);
	hi = ip("128.0.0.0", 1);
	T_CHECK(weft_netlink_route_split(&t, out) == 2);
	T_CHECK(weft_inetaddr_equal(&out[0], &lo) && weft_inetaddr_equal(&out[1], &hi));
	t = ip("::", 0);
	lo = ip("::", 1);
	hi = ip("8000::", 1);
	T_CHECK(weft_netlink_route_split(&t, out) == 2);
	T_CHECK(weft_inetaddr_equal(&out[0], &lo) && weft_inetaddr_equal(&out[1], &hi));
	t = ip("192.168.50.0", 24);
	T_CHECK(weft_netlink_route_split(&t, out) == 1 && weft_inetaddr_equal(&out[0], &t));
}

// Enters a private network namespace; sets no_device if the device cases cannot run.
static void enter_netns(void)
{
	int fd;
	if (unshare(CLONE_NEWNET) < 0) {
		no_device = errno == EPERM || errno == EINVAL || errno == ENOSYS
		                ? "cannot create a network namespace (unshare CLONE_NEWNET)"
		                : NULL;
		if (!no_device) {
			t_case("enter a private network namespace");
			T_CHECK_MSG(0, "unshare: %s", strerror(errno));
			no_device = "unshare failed";
		}
		return;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		no_device = "/dev/net/tun cannot be opened";
		return;
	}
	close(fd);
	have_v6 = access("/proc/sys/net/ipv6/conf/default", F_OK) == 0;
}

// Starts a device case; false (and counted as not covered) if devices are unavailable.
static bool device_case(const char *name, bool needs_v6)
{
	t_case("%s", name);
	if (no_device) {
		t_skip(no_device);
		return false;
	}
	if (needs_v6 && !have_v6) {
		t_skip("IPv6 is disabled");
		return false;
	}
	return true;
}

static int ifreq_get(const char *dev, unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;
	memset(ifr, 0, sizeof *ifr);
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", dev);
	r = ioctl(s, req, ifr);
	close(s);
	return r;
}

static int open_port(struct weft_tap *tap, const char *preferred)
{
	char err[WEFT_TAP_ERR_MAX];
	uint64_t mac = weft_vl2_mac_from_address(ADDR, NWID);
	int r = weft_tap_open(tap, NWID, preferred, mac, WEFT_TAP_MTU_DEFAULT, err);
	T_CHECK_MSG(r == 0, "open: %s", err);
	return r;
}

static void test_open(struct weft_tap *tap)
{
	struct ifreq ifr;
	static const uint8_t mac[6] = {0x5e, 0x2f, 0x17, 0x0f, 0x00, 0x0f};
	if (!device_case("open: computed name, MAC, MTU, UP|MULTICAST, non-blocking", false))
		return;
	if (open_port(tap, NULL))
		return;
	T_CHECK_MSG(!strcmp(tap->name, "ztdb3g4ny6"), "got %s", tap->name);
	T_CHECK(tap->ifindex > 0 && (unsigned)tap->ifindex == if_nametoindex(tap->name));
	T_CHECK(fcntl(tap->fd, F_GETFL) & O_NONBLOCK);
	T_CHECK(ifreq_get(tap->name, SIOCGIFHWADDR, &ifr) == 0);
	T_CHECK_MEM(ifr.ifr_hwaddr.sa_data, mac, 6);
	T_CHECK(ifreq_get(tap->name, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == 2800);
	T_CHECK(ifreq_get(tap->name, SIOCGIFFLAGS, &ifr) == 0);
	T_CHECK((ifr.ifr_flags & (IFF_UP | IFF_MULTICAST)) == (IFF_UP | IFF_MULTICAST));

	t_case("set_mtu");
	T_CHECK(weft_tap_set_mtu(tap, 1400) == 0 && tap->mtu == 1400);
	T_CHECK(ifreq_get(tap->name, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == 1400);
	T_CHECK(weft_tap_set_mtu(tap, 1400) == 0);
	T_CHECK(weft_tap_set_mtu(tap, WEFT_TAP_MTU_DEFAULT) == 0);
}

static void test_names_in_use(void)
{
	struct weft_tap a, b;
	if (!device_case("open: a taken name moves to the next trial; closing removes it", false))
		return;
	if (open_port(&a, NULL))
		return;
	T_CHECK_MSG(!strcmp(a.name, "ztdb3g4ny7"), "got %s", a.name);
	weft_tap_close(&a);
	T_CHECK(a.fd == -1 && if_nametoindex("ztdb3g4ny7") == 0);

	t_case("open: devicemap name when free, computed name when taken or invalid");
	if (open_port(&a, "weftpref0"))
		return;
	T_CHECK_MSG(!strcmp(a.name, "weftpref0"), "got %s", a.name);
	if (!open_port(&b, "weftpref0")) {
		T_CHECK_MSG(!strcmp(b.name, "ztdb3g4ny7"), "got %s", b.name);
		weft_tap_close(&b);
	}
	weft_tap_close(&a);
	if (!open_port(&b, "bad/name")) {
		T_CHECK_MSG(!strcmp(b.name, "ztdb3g4ny7"), "got %s", b.name);
		weft_tap_close(&b);
	}
}

static void test_open_error(void)
{
	struct weft_tap tap;
	char err[WEFT_TAP_ERR_MAX];
	int r;
	if (!device_case("open: a failing step is named and nothing is left", false))
		return;
	r = weft_tap_open(&tap, NWID, "weftbad0", 0x5e0000000001ULL, 10, err);
	T_CHECK(r == -EINVAL);
	T_CHECK_MSG(strstr(err, "could not set MTU of weftbad0: ") != NULL, "err: %s", err);
	T_CHECK(tap.fd == -1 && if_nametoindex("weftbad0") == 0);
}

// Prefix length of ip on dev as getifaddrs reports it, or -1 if absent.
static int prefix_on(const char *dev, const char *text)
{
	struct ifaddrs *list, *i;
	struct weft_inetaddr want = ip(text, 0);
	int found = -1;
	if (getifaddrs(&list) < 0)
		return -2;
	for (i = list; i; i = i->ifa_next) {
		const uint8_t *a, *m;
		size_t n;
		if (!i->ifa_addr || strcmp(i->ifa_name, dev))
			continue;
		if (i->ifa_addr->sa_family == AF_INET && want.family == WEFT_INET_V4) {
			a = (const uint8_t *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			m = (const uint8_t *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr;
			n = 4;
		} else if (i->ifa_addr->sa_family == AF_INET6 && want.family == WEFT_INET_V6) {
			a = (const uint8_t *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			m = (const uint8_t *)&((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr;
			n = 16;
		} else {
			continue;
		}
		if (memcmp(a, want.ip, n))
			continue;
		found = 0;
		for (size_t k = 0; k < n; k++)
			found += __builtin_popcount(m[k]);
	}
	freeifaddrs(list);
	return found;
}

static bool broadcast_is(const char *dev, const char *text)
{
	struct ifreq ifr;
	struct weft_inetaddr b = ip(text, 0);
	return ifreq_get(dev, SIOCGIFBRDADDR, &ifr) == 0 &&
	       !memcmp(&((struct sockaddr_in *)&ifr.ifr_broadaddr)->sin_addr, b.ip, 4);
}

static void test_addrs_v4(const struct weft_tap *tap)
{
	struct weft_inetaddr a24 = ip(V4_ADDR, 24), a16 = ip(V4_ADDR, 16), got[8];
	struct weft_inetaddr b8 = ip("10.147.30.5", 8), b24 = ip("10.147.30.5", 24);
	int n;
	if (!device_case("addresses v4: added with broadcast, listed", false))
		return;
	T_CHECK(weft_netlink_addr_sync(tap->ifindex, tap->name, &a24, 1, NULL, 0) == 0);
	T_CHECK(prefix_on(tap->name, V4_ADDR) == 24);
	T_CHECK(broadcast_is(tap->name, "10.147.20.255"));
	n = weft_netlink_addr_list(tap->ifindex, got, 8);
	T_CHECK(n >= 1 && weft_inetaddr_equal(&got[0], &a24));
	T_CHECK(weft_netlink_addr_add(tap->ifindex, tap->name, &a24) == 0); // present: fine

	t_case("addresses v4: a new prefix length replaces the old one");
	T_CHECK(weft_netlink_addr_sync(tap->ifindex, tap->name, &a16, 1, &a24, 1) == 0);
	T_CHECK(prefix_on(tap->name, V4_ADDR) == 16);
	T_CHECK(weft_netlink_addr_add(tap->ifindex, tap->name, &b8) == 0);
	T_CHECK(weft_netlink_addr_sync(tap->ifindex, tap->name, &b24, 1, NULL, 0) == 0);
	T_CHECK(prefix_on(tap->name, "10.147.30.5") == 24);

	t_case("addresses v4: removed when no longer wanted; absent is fine");
	T_CHECK(weft_netlink_addr_sync(tap->ifindex, tap->name, NULL, 0, &b24, 1) == 0);
	T_CHECK(weft_netlink_addr_sync(tap->ifindex, tap->name, NULL, 0, &a16, 1) == 0);
	T_CHECK(prefix_on(tap->name, V4_ADDR) == -1 && prefix_on(tap->name, "10.147.30.5") == -1);
	T_CHECK(weft_netlink_addr_del(tap->ifindex, &a16) == 0);
	a16.port = 33;
	T_CHECK(weft_netlink_addr_add(tap->ifindex, tap->name, &a16) == -EINVAL);
}

static void test_addrs_v6(const struct weft_tap *tap)
{
	struct weft_inetaddr want[2] = {ip(V6_ADDR, 88), ip(V4_ADDR, 24)}, v64 = ip(V6_ADDR, 64);
	if (!device_case("addresses v6: added, prefix changed, removed", true))
		return;
	T_CHECK(weft_netlink_addr_sync(tap->ifindex, tap->name, want, 2, NULL, 0) == 0);
	T_CHECK(prefix_on(tap->name, V6_ADDR) == 88 && prefix_on(tap->name, V4_ADDR) == 24);
	T_CHECK(weft_netlink_addr_sync(tap->ifindex, tap->name, &v64, 1, want, 1) == 0);
	T_CHECK(prefix_on(tap->name, V6_ADDR) == 64);
	T_CHECK(weft_netlink_addr_sync(tap->ifindex, tap->name, want, 1, &v64, 1) == 0);
	T_CHECK(prefix_on(tap->name, V6_ADDR) == 88);
	T_CHECK(prefix_on(tap->name, V4_ADDR) == 24); // untouched: in want, not in applied
}

// True if /proc/net/route has dst/prefix on dev with that gateway (NULL: none) and metric.
static bool route4_present(const char *dev, const char *dst, unsigned prefix, const char *gw,
                           unsigned metric)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256], name[IFNAMSIZ];
	struct weft_inetaddr d = ip(dst, 0), g = ip(gw ? gw : "0.0.0.0", 0);
	uint32_t want_d, want_g, want_m = prefix ? htonl(0xffffffffu << (32 - prefix)) : 0;
	unsigned rd, rg, flags, rm, mask;
	bool found = false;
	memcpy(&want_d, d.ip, 4); // /proc prints the raw network-order word
	memcpy(&want_g, g.ip, 4);
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "%15s %x %x %x %*d %*d %u %x", name, &rd, &rg, &flags, &rm,
		           &mask) == 6 &&
		    !strcmp(name, dev) && rd == want_d && rg == want_g && rm == metric &&
		    mask == want_m)
			found = true;
	if (f)
		fclose(f);
	return found;
}

static void test_routes_v4(const struct weft_tap *tap)
{
	struct weft_inetaddr a = ip(V4_ADDR, 24), t = ip("192.168.50.0", 24),
	                     gw = ip("10.147.20.1", 0);
	struct weft_inetaddr hostbits = ip("192.168.60.7", 24), dev = ip("10.200.0.0", 16);
	struct weft_inetaddr def = ip("0.0.0.0", 0), half[2];
	if (!device_case("routes v4: via a gateway, metric 5000; re-adding and deleting twice",
	                 false))
		return;
	T_CHECK(weft_netlink_addr_add(tap->ifindex, tap->name, &a) == 0);
	T_CHECK(weft_netlink_route_add(tap->ifindex, &t, &gw, NULL) == 0);
	T_CHECK(route4_present(tap->name, "192.168.50.0", 24, "10.147.20.1", 5000));
	T_CHECK(weft_netlink_route_add(tap->ifindex, &t, &gw, NULL) == 0);
	T_CHECK(weft_netlink_route_del(tap->ifindex, &t, &gw) == 0);
	T_CHECK(!route4_present(tap->name, "192.168.50.0", 24, "10.147.20.1", 5000));
	T_CHECK(weft_netlink_route_del(tap->ifindex, &t, &gw) == 0);

	t_case("routes v4: host bits cleared; device route with a source hint");
	T_CHECK(weft_netlink_route_add(tap->ifindex, &hostbits, &gw, NULL) == 0);
	T_CHECK(route4_present(tap->name, "192.168.60.0", 24, "10.147.20.1", 5000));
	T_CHECK(weft_netlink_route_add(tap->ifindex, &dev, NULL, &a) == 0);
	T_CHECK(route4_present(tap->name, "10.200.0.0", 16, NULL, 0));

	t_case("routes v4: a default route as two halves");
	for (size_t i = 0, n = weft_netlink_route_split(&def, half); i < n; i++)
		T_CHECK(weft_netlink_route_add(tap->ifindex, &half[i], &gw, NULL) == 0);
	T_CHECK(route4_present(tap->name, "0.0.0.0", 1, "10.147.20.1", 5000));
	T_CHECK(route4_present(tap->name, "128.0.0.0", 1, "10.147.20.1", 5000));
	T_CHECK(!route4_present(tap->name, "0.0.0.0", 0, "10.147.20.1", 5000));
}

static bool route6_present(const char *dev, const char *dst_hex, unsigned prefix,
                           const char *gw_hex, unsigned metric)
{
	FILE *f = fopen("/proc/net/ipv6_route", "r");
	char line[512], d[33], g[33], name[IFNAMSIZ];
	unsigned plen, m;
	bool found = false;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "%32s %x %*s %*x %32s %x %*x %*x %*x %15s", d, &plen, g, &m,
		           name) == 5 &&
		    !strcmp(name, dev) && !strcmp(d, dst_hex) && plen == prefix &&
		    !strcmp(g, gw_hex) && m == metric)
			found = true;
	if (f)
		fclose(f);
	return found;
}

static void test_routes_v6(const struct weft_tap *tap)
{
	struct weft_inetaddr t = ip("fd00:1234::", 64),
	                     gw = ip("fd49:354c:5143:2266:5d99:9300::1", 0);
	if (!device_case("routes v6: via a gateway inside the /88", true))
		return;
	T_CHECK(weft_netlink_route_add(tap->ifindex, &t, &gw, NULL) == 0);
	T_CHECK(route6_present(tap->name, "fd001234000000000000000000000000", 64,
	                       "fd49354c514322665d99930000000001", 5000));
	T_CHECK(weft_netlink_route_add(tap->ifindex, &t, &gw, NULL) == 0);
	T_CHECK(weft_netlink_route_del(tap->ifindex, &t, &gw) == 0);
	T_CHECK(!route6_present(tap->name, "fd001234000000000000000000000000", 64,
	                        "fd49354c514322665d99930000000001", 5000));
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Reads frames for up to WAIT_MS until one has the ethertype and destination; true if found.
static bool read_until(const struct weft_tap *tap, uint16_t ethertype, uint64_t dst, uint8_t *buf,
                       struct weft_tap_frame *f)
{
	int64_t end = now_ms() + WAIT_MS;
	for (int64_t left; (left = end - now_ms()) > 0;) {
		struct pollfd p = {.fd = tap->fd, .events = POLLIN};
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		while (weft_tap_read(tap, buf, BUF_FRAME, f) == 1)
			if (f->ethertype == ethertype && f->dst == dst)
				return true;
	}
	return false;
}

static void udp_to_peer(void)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, V4_PEER, &to.sin_addr);
	T_CHECK(sendto(s, "weft", 4, 0, (struct sockaddr *)&to, sizeof to) == 4);
	close(s);
}

// An ARP reply from PEER_MAC for V4_PEER to the port.
static void arp_reply(uint8_t out[28], uint64_t our_mac)
{
	static const uint8_t head[8] = {0, 1, 8, 0, 6, 4, 0, 2};
	struct weft_inetaddr peer = ip(V4_PEER, 0), self = ip(V4_ADDR, 0);
	memcpy(out, head, 8);
	weft_vl2_mac_to_bytes(out + 8, PEER_MAC);
	memcpy(out + 14, peer.ip, 4);
	weft_vl2_mac_to_bytes(out + 18, our_mac);
	memcpy(out + 24, self.ip, 4);
}

static void test_frames(const struct weft_tap *tap)
{
	uint8_t buf[BUF_FRAME], reply[28], big[WEFT_TAP_MTU_DEFAULT + 1] = {0};
	struct weft_tap_frame f;
	struct weft_inetaddr peer = ip(V4_PEER, 0);
	if (!device_case("frames: a UDP send makes the kernel ARP on the port", false))
		return;
	udp_to_peer();
	if (!read_until(tap, ETH_ARP, WEFT_MAC_BROADCAST, buf, &f)) {
		T_CHECK_MSG(0, "no ARP request within %d ms", WAIT_MS);
		return;
	}
	T_CHECK(f.src == tap->mac && f.len >= 28);
	T_CHECK(f.len >= 28 && f.payload[7] == 1 && !memcmp(f.payload + 24, peer.ip, 4));

	t_case("frames: a written ARP reply releases the queued UDP datagram");
	arp_reply(reply, tap->mac);
	T_CHECK(weft_tap_write(tap, tap->mac, PEER_MAC, ETH_ARP, reply, sizeof reply) == 0);
	T_CHECK_MSG(read_until(tap, ETH_IPV4, PEER_MAC, buf, &f), "no IPv4 frame to the peer");
	T_CHECK(f.src == tap->mac && f.len >= 20 && f.payload[9] == 17); // UDP

	t_case("frames: a payload over the MTU is not written");
	T_CHECK(weft_tap_write(tap, PEER_MAC, tap->mac, ETH_IPV4, big, sizeof big) == -EMSGSIZE);
	T_CHECK(weft_tap_write(tap, PEER_MAC, tap->mac, ETH_IPV4, big, sizeof big - 1) == 0);
}

static bool has_mac(const uint64_t *m, int n, uint64_t mac)
{
	for (int i = 0; i < n; i++)
		if (m[i] == mac)
			return true;
	return false;
}

// Rescans dev_mcast until every wanted MAC is listed or WAIT_MS passed: IPv6 joins the
// solicited-node group from its DAD work, a moment after the address is added.
static bool lists_all(const struct weft_tap *tap, const uint64_t *want, size_t n_want)
{
	int64_t end = now_ms() + WAIT_MS;
	uint64_t m[32];
	do {
		int n = weft_tap_multicast(tap, m, 32);
		size_t found = 0;
		for (size_t i = 0; i < n_want; i++)
			found += has_mac(m, n, want[i]);
		if (found == n_want)
			return true;
		poll(NULL, 0, 20);
	} while (now_ms() < end);
	return false;
}

static void test_multicast(const struct weft_tap *tap)
{
	// IPv4 all-hosts; IPv6 all-nodes and the solicited-node group of V6_ADDR.
	static const uint64_t want[3] = {0x01005e000001ULL, 0x333300000001ULL, 0x3333ff4c5143ULL};
	uint64_t m[32];
	if (!device_case("multicast: /proc/net/dev_mcast groups of the port", false))
		return;
	T_CHECK(weft_tap_multicast(tap, m, 32) >= 1);
	T_CHECK_MSG(lists_all(tap, want, have_v6 ? 3 : 1), "groups missing from dev_mcast");
}

int main(void)
{
	struct weft_tap tap = {.fd = -1};
	t_init("unit/tap_linux");
	test_names();
	test_mac();
	test_dev_mcast();
	test_route_split();
	enter_netns();
	test_open(&tap);
	if (tap.fd < 0 && !no_device)
		no_device = "the port did not open";
	test_names_in_use();
	test_open_error();
	test_addrs_v4(&tap);
	test_addrs_v6(&tap);
	test_routes_v4(&tap);
	test_routes_v6(&tap);
	test_frames(&tap);
	test_multicast(&tap);
	weft_tap_close(&tap);
	return t_done();
}
