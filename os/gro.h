// SPDX-License-Identifier: MPL-2.0
// The reverse of gso.h, for frames going to a TAP opened with IFF_VNET_HDR: consecutive TCP
// segments of one flow are coalesced into one super-packet written once with a virtio-net
// header (gso_type TCPV4/TCPV6, NEEDS_CSUM), as the kernel's GRO (tcp_gro_receive) would hand it
// up, so the receiving TCP stack runs once per super-packet. No allocation, no syscalls.
#ifndef WEFT_OS_GRO_H
#define WEFT_OS_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct virtio_net_hdr;

// Bytes of one super-packet including its Ethernet header; keeps the IPv4 total length and the
// IPv6 payload length within 16 bits.
#define WEFT_GRO_MAX 65535
// Segments in one super-packet at most.
#define WEFT_GRO_SEGS_MAX 64

// The super-packet being built: the first segment's headers and every segment's payload, laid
// out as the frame to write. Caller-owned; about 64 KB, so not for the stack.
struct weft_gro {
	size_t len;        // bytes in buf; 0 when nothing is being built
	size_t l4;         // offset of the TCP header
	size_t hl;         // Ethernet + IP + TCP header bytes (every segment's are the same)
	size_t mss;        // the first segment's payload: all but the last have exactly this
	unsigned segs;     // segments taken in
	uint32_t next_seq; // the sequence number the next segment must carry
	uint16_t id;       // IPv4: the first segment's ID
	uint8_t id_mode;   // IPv4: unknown (one segment), consecutive IDs or all equal
	bool v6;
	bool closed; // a short or PSH segment ended it: nothing may join
	bool psh;    // the last segment carried PSH
	uint8_t buf[WEFT_GRO_MAX];
};

// Empty.
void weft_gro_init(struct weft_gro *g);

// Offers one Ethernet frame: its 14-byte header and, separately, what follows it (the IP
// packet, len bytes). Returns true if it was taken: it started the super-packet (g was empty)
// or was appended to it. False if it cannot join: the caller takes what was built, writes it,
// then offers the frame again, which then starts a new super-packet, or is refused again when
// it is no candidate at all and must be written alone.
//
// Candidates: IPv4 (IHL 5, not a fragment) or IPv6 (next header TCP, no extension headers)
// carrying TCP, the IP length exactly the frame's (no Ethernet padding), TCP flags within
// ACK|PSH, at least one payload byte, the frame within WEFT_GRO_MAX. A frame joins when its
// Ethernet header and its IP and TCP headers equal the first segment's byte for byte but for
// the IP length, IPv4 ID and header checksum, TCP sequence number, checksum and PSH; the IPv4
// IDs go up by one per segment, or are all equal with DF set; the sequence number follows on;
// its payload is at most the MSS (the first segment's payload); the packet was not ended (a
// segment with PSH or a payload below the MSS ends it); and the result stays within
// WEFT_GRO_MAX bytes and WEFT_GRO_SEGS_MAX segments.
//
// Checksums are not verified: frames arrive authenticated end to end, so a sender's wrong
// checksum is its own affair (it could as well send a right one), as with the DATA_VALID flag
// weft_tap_write sets. Merging recomputes the IPv4 header checksum and hands the TCP checksum
// to the kernel as partial, so a merged segment's wrong checksums go unnoticed.
bool weft_gro_offer(struct weft_gro *g, const uint8_t eth[14], const uint8_t *payload, size_t len);

// True if nothing is being built.
bool weft_gro_empty(const struct weft_gro *g);

// Hands over what was built and empties g. *frame/*len: the Ethernet frame to write after the
// virtio-net header *h (fields in native byte order, as the kernel reads them on a
// little-endian host); *frame points into g and stays valid until the next weft_gro_offer or
// weft_gro_init. One segment comes back unchanged with h zeroed but VIRTIO_NET_HDR_F_DATA_VALID.
// Two or more: the IPv4 total length and header checksum or the IPv6 payload length cover the
// whole, PSH is set if the last segment had it, the TCP checksum field holds the folded (not
// complemented) pseudo-header sum for the whole TCP length, and h says NEEDS_CSUM, csum_start
// at the TCP header, csum_offset 16, gso_type TCPV4/TCPV6, gso_size the MSS, hdr_len the
// header bytes. weft_gso_split(h, frame) gives back the segments, with IPv4 IDs counting up
// from the first (so segments sent with all-equal IDs come back with consecutive ones: the
// header cannot say otherwise, and with DF set the ID means nothing, RFC 6864). Empty g: *len 0.
void weft_gro_take(struct weft_gro *g, struct virtio_net_hdr *h, const uint8_t **frame,
                   size_t *len);

#endif
