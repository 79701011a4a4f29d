// SPDX-License-Identifier: MPL-2.0
// IPv6 NDP emulation (vl2.md §1.6): a Neighbor Solicitation leaving the local interface for an
// address in the network's RFC4193 /88 or 6PLANE /40 is answered locally with a synthesized
// Neighbor Advertisement instead of going over the network. Pure: no I/O, clock or allocation.
#ifndef WEFT_NDP_H
#define WEFT_NDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

// Ethernet header (14) + IPv6 header (40) + NA with one target link-layer address option (32).
#define WEFT_NDP_ADVERT_LEN 86

// What the emulation needs from the network config. Borrowed for the duration of a call.
struct weft_ndp_config {
	uint64_t nwid;
	uint64_t self;                          // this node's 40-bit address
	bool enabled;                           // netconf flag ENABLE_IPV6_NDP_EMULATION
	const struct weft_inetaddr *static_ips; // in netconf order; port = prefix length
	unsigned n_static_ips;
};

// The member owning IPv6 address target (vl2.md §1.6): walks the static IPs in order and stops
// at the first managed one whose prefix holds target — an RFC4193 /88 (fd, bytes 9..10 = 99 93)
// yields target[11..15], a 6PLANE /40 (fc, bytes 1..4 = this network's hash) yields
// target[5..9]. Sets *which to that static IP's index. Returns 0 when none matches; an
// embedded address of 0 also reads as none, as in 1.14. Does not look at c->enabled.
uint64_t weft_ndp_target_member(const struct weft_ndp_config *c, const uint8_t target[16],
                                unsigned *which);

// ICMPv6 checksum (RFC 4443 §2.3) of msg[0..len) with its checksum field already zero, over
// the pseudo-header src ‖ dst ‖ 32-bit length ‖ 0 0 0 58. Returned in host order, ready for
// store_be16; a message holding it sums (with the pseudo-header) to 0xffff.
uint16_t weft_ndp_icmp6_checksum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg,
                                 size_t len);

// frame[0..len) is an Ethernet frame (dst 6, src 6, ethertype 2, payload) the local interface
// sent. If it is a Neighbor Solicitation to emulate, writes the advertisement frame to inject
// into the local interface (Ethernet dst = the asker's MAC, src = the target member's MAC, VLAN
// 0) to out and returns WEFT_NDP_ADVERT_LEN: the caller must then not send the solicitation.
// Otherwise returns 0 and the caller handles the frame as any other (a solicitation for this
// node's own addresses included). Never reads outside frame[0..len); out must not overlap it.
size_t weft_ndp_emulate(const struct weft_ndp_config *c, const uint8_t *frame, size_t len,
                        uint8_t out[WEFT_NDP_ADVERT_LEN]);

#endif
