// SPDX-License-Identifier: MPL-2.0
// The virtual Ethernet port of one joined network (service.md §5): a non-persistent TAP
// device, its computed name, bring-up, frames in and out, and the link-layer multicast groups
// the kernel lists for it. The port's MAC comes from weft_vl2_mac_from_address (core/vl2addr.h).
// Managed addresses and routes are in netlink.h.
#ifndef WEFT_OS_TAP_H
#define WEFT_OS_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WEFT_TAP_NAME_MAX    16 // IFNAMSIZ, with the NUL
#define WEFT_TAP_ERR_MAX     160
#define WEFT_TAP_ETH_HDR     14   // dst MAC, src MAC, ethertype
#define WEFT_TAP_MTU_DEFAULT 2800 // until the network config gives one (§5.1)

struct virtio_net_hdr;

struct weft_tap {
	int fd; // non-blocking, close-on-exec; -1 once closed
	int ifindex;
	unsigned mtu;
	uint64_t mac; // low 48 bits, first octet most significant (as core/vl2addr.h)
	char name[WEFT_TAP_NAME_MAX];
	bool vnet;    // frames carry a virtio-net header (weft_tap_open_offload)
	bool offload; // and the kernel accepted checksum and TCP segmentation offload
	bool multi;   // IFF_MULTI_QUEUE: weft_tap_open_queue adds queues beside fd
};

// One frame as read: MACs and ethertype decoded, payload pointing into the caller's buffer.
struct weft_tap_frame {
	uint64_t dst, src;
	uint16_t ethertype;
	const uint8_t *payload;
	size_t len;
};

// Name for a trial (§5.1): "zt" + base32 of ((nwid ^ nwid >> 24) + trial) mod 2^40.
void weft_tap_name_for(uint64_t nwid, unsigned trial, char out[WEFT_TAP_NAME_MAX]);

// Creates and brings up the port: `preferred` (the devicemap entry; NULL or "" for none) if it
// is a valid name not in use, else the first computed name not in use; then MAC, UP|MULTICAST,
// MAC again, MTU. Returns 0, or -errno with a one-line reason in err (e.g. "could not open
// TUN/TAP device: No such file or directory"); on failure nothing is left open.
int weft_tap_open(struct weft_tap *tap, uint64_t nwid, const char *preferred, uint64_t mac,
                  unsigned mtu, char err[WEFT_TAP_ERR_MAX]);
// The same with a virtio-net header on every frame and, where the kernel allows, checksum and
// TCP segmentation offload: reads may then hold TCP super-packets, which
// weft_tap_read_frames segments (os/gso.c); writes skip the kernel's checksum check.
int weft_tap_open_offload(struct weft_tap *tap, uint64_t nwid, const char *preferred, uint64_t mac,
                          unsigned mtu, char err[WEFT_TAP_ERR_MAX]);
// Sets the MTU if it differs. Returns 0 or -errno.
// weft_tap_open_offload with IFF_MULTI_QUEUE: fd is the first queue; the kernel spreads the
// frames it sends out over every queue by flow.
int weft_tap_open_multi(struct weft_tap *tap, uint64_t nwid, const char *preferred, uint64_t mac,
                        unsigned mtu, char err[WEFT_TAP_ERR_MAX]);
// One more queue of a multi-queue port, with its offloads: a non-blocking fd (closing it
// detaches the queue; the device goes with its last queue), or -errno.
int weft_tap_open_queue(const struct weft_tap *tap);
int weft_tap_set_mtu(struct weft_tap *tap, unsigned mtu);
// Closes the fd; the kernel removes the device with it.
void weft_tap_close(struct weft_tap *tap);

// Reads one frame into buf (cap should be WEFT_TAP_ETH_HDR + mtu; longer frames are cut to
// it). Returns 1 with *f filled, 0 if nothing (or only a runt) was waiting, or -errno.
int weft_tap_read(const struct weft_tap *tap, uint8_t *buf, size_t cap, struct weft_tap_frame *f);
// Reads one packet and hands each frame it stands for to fn (one, or the segments of a TCP
// super-packet). buf must hold WEFT_TAP_READ_MAX bytes on an offload port (else ETH_HDR + mtu),
// scratch WEFT_GSO_SCRATCH. Returns the number of frames, 0 if nothing was waiting, -EBADMSG
// for a runt or malformed packet (dropped; more may be waiting), or another -errno.
#define WEFT_TAP_READ_MAX 65550
typedef void (*weft_tap_frame_fn)(void *ctx, const struct weft_tap_frame *f);
int weft_tap_read_frames(const struct weft_tap *tap, uint8_t *buf, size_t cap, uint8_t *scratch,
                         size_t scratch_cap, weft_tap_frame_fn fn, void *ctx);
// weft_tap_read_frames in two steps, so that the read can happen without a lock the
// delivery needs: weft_tap_recv reads one packet from queue fd of tap (its virtio-net header
// into *h on an offload port) and returns its length after the header, 0 if nothing was
// waiting, or -errno; weft_tap_deliver then hands its frames to fn as weft_tap_read_frames.
ssize_t weft_tap_recv(const struct weft_tap *tap, int fd, struct virtio_net_hdr *h, uint8_t *buf,
                      size_t cap);
int weft_tap_deliver(const struct weft_tap *tap, const struct virtio_net_hdr *h, uint8_t *buf,
                     size_t n, uint8_t *scratch, size_t scratch_cap, weft_tap_frame_fn fn,
                     void *ctx);
// Writes one frame. A payload longer than the MTU is not written: -EMSGSIZE. Returns 0 or -errno
// (-EAGAIN when the kernel queue is full; the frame is dropped).
int weft_tap_write(const struct weft_tap *tap, uint64_t dst, uint64_t src, uint16_t ethertype,
                   const void *payload, size_t len);
// The 14-byte Ethernet header of a frame from src to dst.
void weft_tap_eth_header(uint8_t out[WEFT_TAP_ETH_HDR], uint64_t dst, uint64_t src,
                         uint16_t ethertype);
// Writes a whole Ethernet frame after the virtio-net header h (a super-packet from gro.h) to a
// port opened with weft_tap_open_offload; -EINVAL on a plain port. Returns 0 or -errno.
int weft_tap_write_vnet(const struct weft_tap *tap, const struct virtio_net_hdr *h,
                        const uint8_t *frame, size_t len);

// The MACs listed for `ifname` in /proc/net/dev_mcast text (§5.5: 2nd field the name, 5th
// 12 hex digits); malformed lines are skipped. Stores up to cap, returns how many it stored.
size_t weft_tap_parse_dev_mcast(const char *text, size_t len, const char *ifname, uint64_t *macs,
                                size_t cap);
// The same, read from /proc/net/dev_mcast for this port. Returns the count or -errno.
int weft_tap_multicast(const struct weft_tap *tap, uint64_t *macs, size_t cap);

#endif
