// SPDX-License-Identifier: MPL-2.0
// Frames read from a TAP opened with IFF_VNET_HDR and TCP offloads: a virtio-net header, then
// an Ethernet frame that may carry a partial checksum or be a TCP super-packet (TSO). This
// turns one such read into the ordinary Ethernet frames it stands for, as the kernel's TCP GSO
// would, and holds the 16-bit internet checksum (RFC 1071) it needs. No allocation, no syscalls.
#ifndef WEFT_OS_GSO_H
#define WEFT_OS_GSO_H

#include <stddef.h>
#include <stdint.h>

struct virtio_net_hdr;

// Largest header block a segment repeats: Ethernet 14 + IPv4 with options 60 + TCP with
// options 60 (IPv6 is 40). weft_gso_split keeps one copy of it as the template for every
// segment, so this is all the scratch it needs.
#define WEFT_GSO_HEADERS_MAX (14 + 60 + 60)
#define WEFT_GSO_SCRATCH     WEFT_GSO_HEADERS_MAX
// weft_gso_split's answer for a packet it will not take; nothing was delivered.
#define WEFT_GSO_MALFORMED (-1)

// Receives one resulting frame. `frame` points into the caller's packet buffer and is borrowed
// for the call: the callee may read it and even modify bytes inside [frame, frame + len), but
// must not keep the pointer nor touch anything outside that range.
typedef void (*weft_gso_out)(void *ctx, uint8_t *frame, size_t len);

// Turns one packet read from a vnet-header TAP into the Ethernet frames it stands for and calls
// out() for each, in order. h: the virtio-net header as read (fields in native byte order, as
// the kernel writes them on a little-endian host). pkt/len: the frame after the header; it is
// modified in place (checksums completed; for a super-packet each segment's headers are
// written just before its payload slice, over bytes already delivered), so after the call it
// no longer holds the original packet. scratch: at least WEFT_GSO_SCRATCH bytes.
//
// - Not GSO: one frame, its checksum completed first if VIRTIO_NET_HDR_F_NEEDS_CSUM.
// - GSO TCPV4 / TCPV6 (optionally | ECN): Ethernet (no VLAN) + IPv4 (options allowed, not a
//   fragment) or IPv6 (next header TCP, no extension headers) + TCP, headers parsed from the
//   packet (hdr_len is ignored). The payload is cut into gso_size pieces, the last possibly
//   shorter (a payload of at most gso_size gives one frame); each gets the same Ethernet
//   header, the IP length fixed, the IPv4 ID + i and header checksum, TCP seq + i * gso_size,
//   FIN and PSH only on the last, CWR only on the first, and a full TCP checksum.
// Returns the number of frames delivered, or WEFT_GSO_MALFORMED (-1) with out() never called:
// unknown or UDP gso_type, gso_size 0, headers that do not parse or fit, a segment whose IP
// length would not fit 16 bits, csum_start/csum_offset outside the frame, a frame shorter
// than an Ethernet header, scratch too small.
int weft_gso_split(const struct virtio_net_hdr *h, uint8_t *pkt, size_t len, uint8_t *scratch,
                   size_t scratch_cap, weft_gso_out out, void *ctx);

// The internet checksum. Sums are in the network-order domain: the ones'-complement sum of the
// data read as big-endian 16-bit words, an odd final byte padded with a zero byte after it.
// weft_csum_add adds data to a running sum (any uint32_t; 0 to start) and returns it folded to
// 16 bits. Chaining rule: add(add(s, a, n), b, m) is the sum of a then b when n is even. A
// piece that starts at an odd offset of the whole must go through weft_csum_add_at with that
// offset (only its parity matters), which swaps the piece's bytes into the right lanes; odd
// memory addresses are fine for both. Numbers (a pseudo-header's protocol and length) may be
// added to a sum directly as host integers.
uint32_t weft_csum_add(uint32_t sum, const void *data, size_t len);
uint32_t weft_csum_add_at(uint32_t sum, const void *data, size_t len, size_t offset);
// Folds a sum to 16 bits and complements it: the value to store big-endian in a checksum
// field. Over data that holds a valid checksum, weft_csum_fold(weft_csum_add(0, ...)) is 0.
uint16_t weft_csum_fold(uint32_t sum);

#endif
