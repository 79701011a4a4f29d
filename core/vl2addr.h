// SPDX-License-Identifier: MPL-2.0
// Addresses VL2 derives from (network ID, member address) (vl2.md §1): the member's Ethernet
// MAC and back, the RFC4193 and 6PLANE IPv6 addresses, and the multicast groups used for
// address resolution. Pure arithmetic: any member can compute any other member's addresses.
#ifndef WEFT_VL2ADDR_H
#define WEFT_VL2ADDR_H

#include <stdbool.h>
#include <stdint.h>

// MACs are 48-bit integers in the low bits of a uint64_t, first octet most significant.
#define WEFT_MAC_MASK      0xffffffffffffULL
#define WEFT_MAC_BROADCAST 0xffffffffffffULL

// Prefix lengths of the network-assigned IPv6 schemes (vl2.md §1.5); they travel in the port
// field of a serialized InetAddress.
#define WEFT_VL2_RFC4193_PREFIX_BITS 88
#define WEFT_VL2_6PLANE_PREFIX_BITS  40

// A multicast group (vl2.md §1.4): equal only when both parts are, ordered by MAC then ADI.
struct weft_vl2_mcgroup {
	uint64_t mac;
	uint32_t adi; // additional distinguishing information
};

// The controller of a network is the top 40 bits of its ID (vl2.md §1.1).
uint64_t weft_vl2_controller(uint64_t nwid);

// First MAC octet of every member of nwid: low byte, multicast bit clear, locally-administered
// bit set, 0x52 (KVM's) replaced by 0x32 (vl2.md §1.3).
uint8_t weft_vl2_mac_first_octet(uint64_t nwid);
uint64_t weft_vl2_mac_from_address(uint64_t addr, uint64_t nwid);
// The 40-bit address a MAC maps back to; the first octet is not checked (see is_member).
uint64_t weft_vl2_mac_to_address(uint64_t mac, uint64_t nwid);
// True iff the MAC's first octet is the network's: the only test 1.14 applies.
bool weft_vl2_mac_is_member(uint64_t mac, uint64_t nwid);
void weft_vl2_mac_to_bytes(uint8_t out[6], uint64_t mac);
uint64_t weft_vl2_mac_from_bytes(const uint8_t in[6]);

// fd | network ID (8) | 99 93 | address (5), prefix 88.
void weft_vl2_rfc4193(uint8_t ip[16], uint64_t nwid, uint64_t addr);
// The 32 bits 6PLANE puts after 0xfc: low half of nwid XOR high half.
uint32_t weft_vl2_6plane_hash(uint64_t nwid);
// fc | hash (4) | address (5) | 0 (5) | 01, prefix 40; the member owns the /80 around it.
void weft_vl2_6plane(uint8_t ip[16], uint64_t nwid, uint64_t addr);

// IPv4 ARP requests go to (broadcast, ADI = target IPv4 as a big-endian integer).
struct weft_vl2_mcgroup weft_vl2_mcgroup_arp(const uint8_t ipv4[4]);
// IPv6 solicited-node group: (33:33:ff + last three address bytes, 0).
struct weft_vl2_mcgroup weft_vl2_mcgroup_solicited_node(const uint8_t ipv6[16]);
// Plain Ethernet broadcast: (ff:ff:ff:ff:ff:ff, 0).
struct weft_vl2_mcgroup weft_vl2_mcgroup_broadcast(void);
// <0, 0, >0 by MAC then ADI.
int weft_vl2_mcgroup_cmp(const struct weft_vl2_mcgroup *a, const struct weft_vl2_mcgroup *b);

#endif
