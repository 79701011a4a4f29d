// SPDX-License-Identifier: MPL-2.0
// Linux TAP port (service.md §5.1, §5.5): /dev/net/tun in TAP mode without packet info, brought
// up with ioctls on a throw-away socket; frames move with one read or writev each.
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs.h"
#include "gso.h"

#define NAME_TRIALS_MAX 10000 // computed names tried before giving up
#define DEV_MCAST_MAX   (1u << 20)
#define MAC_HEX_DIGITS  12
static const char base32[] = "abcdefghijklmnopqrstuvwxyz234567";

void weft_tap_name_for(uint64_t nwid, unsigned trial, char out[WEFT_TAP_NAME_MAX])
{
	uint64_t x = (((nwid ^ (nwid >> 24)) & 0xffffffffffULL) + trial) & 0xffffffffffULL;
	out[0] = 'z';
	out[1] = 't';
	for (unsigned i = 0; i < 8; i++) // 40 bits, five at a time from the top
		out[2 + i] = base32[(x >> (35 - 5 * i)) & 31];
	out[10] = '\0';
}

// In use if the kernel has an IPv4 conf entry for it (the reference's test, §5.1).
static bool name_in_use(const char *name)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/sys/net/ipv4/conf/%s", name);
	return stat(path, &st) == 0;
}

// What the kernel would accept as an interface name (dev_valid_name).
static bool name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= WEFT_TAP_NAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || name[i] == ':' || name[i] <= ' ' || name[i] == 0x7f)
			return false;
	return true;
}

static bool pick_name(char out[WEFT_TAP_NAME_MAX], uint64_t nwid, const char *preferred)
{
	if (preferred && name_valid(preferred) && !name_in_use(preferred)) {
		snprintf(out, WEFT_TAP_NAME_MAX, "%s", preferred);
		return true;
	}
	for (unsigned trial = 0; trial < NAME_TRIALS_MAX; trial++) {
		weft_tap_name_for(nwid, trial, out);
		if (!name_in_use(out))
			return true;
	}
	return false;
}

static void ifreq_for(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof *ifr);
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
}

static int set_mac(int sock, const char *name, uint64_t mac)
{
	struct ifreq ifr;
	ifreq_for(&ifr, name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	for (unsigned i = 0; i < 6; i++)
		ifr.ifr_hwaddr.sa_data[i] = (char)(uint8_t)(mac >> (40 - 8 * i));
	return ioctl(sock, SIOCSIFHWADDR, &ifr) < 0 ? -errno : 0;
}

static int set_mtu(int sock, const char *name, unsigned mtu)
{
	struct ifreq ifr;
	ifreq_for(&ifr, name);
	ifr.ifr_mtu = (int)mtu;
	return ioctl(sock, SIOCSIFMTU, &ifr) < 0 ? -errno : 0;
}

static int set_up(int sock, const char *name)
{
	struct ifreq ifr;
	ifreq_for(&ifr, name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP | IFF_MULTICAST;
	return ioctl(sock, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

static int get_ifindex(int sock, const char *name, int *ifindex)
{
	struct ifreq ifr;
	ifreq_for(&ifr, name);
	if (ioctl(sock, SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	*ifindex = ifr.ifr_ifindex;
	return 0;
}

static int open_tun(void)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = open("/dev/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

// Bring-up order of the reference (§5.1) minus its sleeps: MAC, UP|MULTICAST, MAC, MTU.
static int bring_up(struct weft_tap *tap, char err[WEFT_TAP_ERR_MAX])
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r;
	const char *step;
	if (sock < 0) {
		r = -errno;
		step = "could not open control socket";
		goto fail;
	}
	step = "could not set MAC address";
	if ((r = set_mac(sock, tap->name, tap->mac)))
		goto fail;
	step = "could not bring device up";
	if ((r = set_up(sock, tap->name)))
		goto fail;
	step = "could not set MAC address";
	if ((r = set_mac(sock, tap->name, tap->mac)))
		goto fail;
	step = "could not set MTU";
	if ((r = set_mtu(sock, tap->name, tap->mtu)))
		goto fail;
	step = "could not get interface index";
	if ((r = get_ifindex(sock, tap->name, &tap->ifindex)))
		goto fail;
	close(sock);
	return 0;
fail:
	snprintf(err, WEFT_TAP_ERR_MAX, "%s of %s: %s", step, tap->name, strerror(-r));
	if (sock >= 0)
		close(sock);
	return r;
}

// With offload the device carries a virtio-net header before each frame and may hand over
// TCP super-packets and partial checksums (segmented by the reader, os/gso.c); frames written
// are marked as checked. Without kernel support for the offloads the header stays, unused.
static void enable_offload(struct weft_tap *tap)
{
	int hdr = (int)sizeof(struct virtio_net_hdr);
	if (ioctl(tap->fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return;
	tap->offload = ioctl(tap->fd, TUNSETOFFLOAD,
	                     TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN) == 0;
}

static int open_tap(struct weft_tap *tap, uint64_t nwid, const char *preferred, uint64_t mac,
                    unsigned mtu, bool vnet, bool multi, char err[WEFT_TAP_ERR_MAX])
{
	struct ifreq ifr;
	int r;
	memset(tap, 0, sizeof *tap);
	tap->mac = mac & 0xffffffffffffULL;
	tap->mtu = mtu;
	err[0] = '\0';
	tap->fd = open_tun();
	if (tap->fd < 0) {
		r = tap->fd;
		snprintf(err, WEFT_TAP_ERR_MAX, "could not open TUN/TAP device: %s", strerror(-r));
		goto fail_open;
	}
	if (!pick_name(tap->name, nwid, preferred)) {
		r = -EEXIST;
		snprintf(err, WEFT_TAP_ERR_MAX, "no free device name for network %016llx",
		         (unsigned long long)nwid);
		goto fail_setup;
	}
	ifreq_for(&ifr, tap->name);
	ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0) |
	                        (multi ? IFF_MULTI_QUEUE : 0));
	if (ioctl(tap->fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		snprintf(err, WEFT_TAP_ERR_MAX, "could not create TAP device %s: %s", tap->name,
		         strerror(-r));
		goto fail_setup;
	}
	snprintf(tap->name, sizeof tap->name, "%s", ifr.ifr_name); // as the kernel named it
	if (ioctl(tap->fd, TUNSETPERSIST, 0) < 0) {                // gone when the fd closes
		r = -errno;
		snprintf(err, WEFT_TAP_ERR_MAX, "could not make %s non-persistent: %s", tap->name,
		         strerror(-r));
		goto fail_setup;
	}
	tap->vnet = vnet;
	tap->multi = multi;
	if (vnet)
		enable_offload(tap);
	if ((r = bring_up(tap, err)))
		goto fail_setup;
	return 0;
fail_setup:
	close(tap->fd);
fail_open:
	tap->fd = -1;
	return r;
}

int weft_tap_open(struct weft_tap *tap, uint64_t nwid, const char *preferred, uint64_t mac,
                  unsigned mtu, char err[WEFT_TAP_ERR_MAX])
{
	return open_tap(tap, nwid, preferred, mac, mtu, false, false, err);
}

int weft_tap_open_offload(struct weft_tap *tap, uint64_t nwid, const char *preferred, uint64_t mac,
                          unsigned mtu, char err[WEFT_TAP_ERR_MAX])
{
	return open_tap(tap, nwid, preferred, mac, mtu, true, false, err);
}

int weft_tap_open_multi(struct weft_tap *tap, uint64_t nwid, const char *preferred, uint64_t mac,
                        unsigned mtu, char err[WEFT_TAP_ERR_MAX])
{
	return open_tap(tap, nwid, preferred, mac, mtu, true, true, err);
}

int weft_tap_open_queue(const struct weft_tap *tap)
{
	struct ifreq ifr;
	struct weft_tap q = *tap;
	if (!tap->multi)
		return -EINVAL;
	if ((q.fd = open_tun()) < 0)
		return q.fd;
	ifreq_for(&ifr, tap->name);
	ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE);
	if (ioctl(q.fd, TUNSETIFF, &ifr) < 0) {
		int r = -errno;
		close(q.fd);
		return r;
	}
	enable_offload(&q);
	return q.fd;
}

int weft_tap_set_mtu(struct weft_tap *tap, unsigned mtu)
{
	int sock, r;
	if (mtu == tap->mtu)
		return 0;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	r = set_mtu(sock, tap->name, mtu);
	close(sock);
	if (!r)
		tap->mtu = mtu;
	return r;
}

void weft_tap_close(struct weft_tap *tap)
{
	if (tap->fd >= 0)
		close(tap->fd);
	tap->fd = -1;
}

static uint64_t load_mac(const uint8_t *p)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < 6; i++)
		m = (m << 8) | p[i];
	return m;
}

static void store_mac(uint8_t *p, uint64_t m)
{
	for (unsigned i = 0; i < 6; i++)
		p[i] = (uint8_t)(m >> (40 - 8 * i));
}

// Decodes one Ethernet frame of n bytes at buf into *f; 0 for a runt.
static int decode_frame(const struct weft_tap *tap, const uint8_t *buf, size_t n,
                        struct weft_tap_frame *f)
{
	if (n < WEFT_TAP_ETH_HDR)
		return 0;
	f->dst = load_mac(buf);
	f->src = load_mac(buf + 6);
	f->ethertype = (uint16_t)(buf[12] << 8 | buf[13]);
	f->payload = buf + WEFT_TAP_ETH_HDR;
	f->len = n - WEFT_TAP_ETH_HDR;
	if (f->len > tap->mtu) // §5.1: cut to MTU + header
		f->len = tap->mtu;
	return 1;
}

int weft_tap_read(const struct weft_tap *tap, uint8_t *buf, size_t cap, struct weft_tap_frame *f)
{
	struct virtio_net_hdr h;
	ssize_t n = weft_tap_recv(tap, tap->fd, &h, buf, cap);
	if (n == -EBADMSG)
		return 0; // only a header: a runt
	return n <= 0 ? (int)n : decode_frame(tap, buf, (size_t)n, f);
}

struct split_ctx {
	const struct weft_tap *tap;
	weft_tap_frame_fn fn;
	void *ctx;
	int frames;
};

static void split_out(void *ctx, uint8_t *frame, size_t len)
{
	struct split_ctx *c = ctx;
	struct weft_tap_frame f;
	if (decode_frame(c->tap, frame, len, &f) == 1) {
		c->fn(c->ctx, &f);
		c->frames++;
	}
}

ssize_t weft_tap_recv(const struct weft_tap *tap, int fd, struct virtio_net_hdr *h, uint8_t *buf,
                      size_t cap)
{
	struct iovec iov[2] = {{h, sizeof *h}, {buf, cap}};
	unsigned first = tap->vnet ? 0 : 1;
	ssize_t n = readv(fd, iov + first, (int)(2 - first));
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	if (tap->vnet && (n -= (ssize_t)sizeof *h) <= 0)
		return -EBADMSG; // a header without a frame
	return n;
}

int weft_tap_deliver(const struct weft_tap *tap, const struct virtio_net_hdr *h, uint8_t *buf,
                     size_t n, uint8_t *scratch, size_t scratch_cap, weft_tap_frame_fn fn,
                     void *ctx)
{
	struct weft_tap_frame f;
	if (n < WEFT_TAP_ETH_HDR)
		return -EBADMSG;
	if (!tap->vnet || (!h->flags && h->gso_type == VIRTIO_NET_HDR_GSO_NONE)) {
		if (decode_frame(tap, buf, n, &f) != 1)
			return -EBADMSG;
		fn(ctx, &f);
		return 1;
	}
	struct split_ctx c = {tap, fn, ctx, 0};
	int r = weft_gso_split(h, buf, n, scratch, scratch_cap, split_out, &c);
	return r < 0 ? -EBADMSG : c.frames ? c.frames : -EBADMSG;
}

int weft_tap_read_frames(const struct weft_tap *tap, uint8_t *buf, size_t cap, uint8_t *scratch,
                         size_t scratch_cap, weft_tap_frame_fn fn, void *ctx)
{
	struct virtio_net_hdr h;
	ssize_t n = weft_tap_recv(tap, tap->fd, &h, buf, cap);
	if (n <= 0)
		return (int)n;
	return weft_tap_deliver(tap, &h, buf, (size_t)n, scratch, scratch_cap, fn, ctx);
}

void weft_tap_eth_header(uint8_t out[WEFT_TAP_ETH_HDR], uint64_t dst, uint64_t src,
                         uint16_t ethertype)
{
	store_mac(out, dst);
	store_mac(out + 6, src);
	out[12] = (uint8_t)(ethertype >> 8);
	out[13] = (uint8_t)ethertype;
}

int weft_tap_write(const struct weft_tap *tap, uint64_t dst, uint64_t src, uint16_t ethertype,
                   const void *payload, size_t len)
{
	uint8_t hdr[WEFT_TAP_ETH_HDR];
	// Frames arrive authenticated end to end, so the kernel need not verify their checksums
	// again; a sender's wrong checksum is its own affair, as it could send any valid one.
	struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_DATA_VALID};
	struct iovec iov[3] = {{&vh, sizeof vh}, {hdr, sizeof hdr}, {(void *)payload, len}};
	if (len > tap->mtu)
		return -EMSGSIZE;
	weft_tap_eth_header(hdr, dst, src, ethertype);
	unsigned first = tap->vnet ? 0 : 1;
	return writev(tap->fd, iov + first, (int)(3 - first)) < 0 ? -errno : 0;
}

int weft_tap_write_vnet(const struct weft_tap *tap, const struct virtio_net_hdr *h,
                        const uint8_t *frame, size_t len)
{
	struct iovec iov[2] = {{(void *)h, sizeof *h}, {(void *)frame, len}};
	if (!tap->vnet)
		return -EINVAL;
	return writev(tap->fd, iov, 2) < 0 ? -errno : 0;
}

static bool is_field_sep(char c)
{
	return c == ' ' || c == '\t';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

// One line [p, end): true with *mac if its 2nd field is ifname and its 5th a 12-digit MAC.
static bool parse_mcast_line(const char *p, const char *end, const char *ifname, uint64_t *mac)
{
	const char *field[5];
	size_t flen[5];
	unsigned nf = 0;
	while (p < end && nf < 5) {
		while (p < end && is_field_sep(*p))
			p++;
		if (p == end)
			break;
		field[nf] = p;
		while (p < end && !is_field_sep(*p))
			p++;
		flen[nf] = (size_t)(p - field[nf]);
		nf++;
	}
	if (nf < 5 || flen[1] != strlen(ifname) || memcmp(field[1], ifname, flen[1]) ||
	    flen[4] != MAC_HEX_DIGITS)
		return false;
	uint64_t m = 0; // the caller's slot is written only for a whole MAC
	for (unsigned i = 0; i < MAC_HEX_DIGITS; i++) {
		int d = hex_digit(field[4][i]);
		if (d < 0)
			return false;
		m = (m << 4) | (uint64_t)d;
	}
	*mac = m;
	return true;
}

size_t weft_tap_parse_dev_mcast(const char *text, size_t len, const char *ifname, uint64_t *macs,
                                size_t cap)
{
	const char *p = text, *end = text + len;
	size_t n = 0;
	while (p < end && n < cap) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (parse_mcast_line(p, eol, ifname, &macs[n]))
			n++;
		p = eol < end ? eol + 1 : end;
	}
	return n;
}

int weft_tap_multicast(const struct weft_tap *tap, uint64_t *macs, size_t cap)
{
	size_t len, n;
	char *text = weft_fs_read("/proc/net/dev_mcast", DEV_MCAST_MAX, &len);
	if (!text)
		return -errno;
	n = weft_tap_parse_dev_mcast(text, len, tap->name, macs, cap);
	free(text);
	return (int)n;
}
