// SPDX-License-Identifier: MPL-2.0
// MAC, IPv6 and multicast-group derivations of vl2.md §1.3-§1.5.
#include <string.h>

#include "buf.h"
#include "vl2addr.h"
#include "wire.h"

#define MAC_FIRST_AVOIDED    0x52 // used by KVM/libvirt
#define MAC_FIRST_REPLACED   0x32
#define MAC_MULTICAST_BIT    0x01
#define MAC_LOCAL_ADMIN_BIT  0x02
#define MAC_SOLICITED_PREFIX 0x3333ff000000ULL
#define RFC4193_FIRST        0xfd
#define SIXPLANE_FIRST       0xfc
#define RFC4193_MARK         0x9993 // bytes 99 93, not the port number 9993

uint64_t weft_vl2_controller(uint64_t nwid)
{
	return nwid >> 24;
}

uint8_t weft_vl2_mac_first_octet(uint64_t nwid)
{
	uint8_t first = (uint8_t)((nwid & (uint8_t)~MAC_MULTICAST_BIT) | MAC_LOCAL_ADMIN_BIT);
	return first == MAC_FIRST_AVOIDED ? MAC_FIRST_REPLACED : first;
}

// Bytes 1..5 of nwid (byte 0 least significant) in reverse order, as a 40-bit integer: the
// mask XORed with the address in both directions.
static uint64_t rev5(uint64_t nwid)
{
	uint64_t m = 0;
	for (unsigned i = 1; i <= 5; i++)
		m = (m << 8) | ((nwid >> (8 * i)) & 0xff);
	return m;
}

uint64_t weft_vl2_mac_from_address(uint64_t addr, uint64_t nwid)
{
	uint64_t low = (addr ^ rev5(nwid)) & WEFT_ADDRESS_MASK;
	return ((uint64_t)weft_vl2_mac_first_octet(nwid) << 40) | low;
}

uint64_t weft_vl2_mac_to_address(uint64_t mac, uint64_t nwid)
{
	return (mac ^ rev5(nwid)) & WEFT_ADDRESS_MASK;
}

bool weft_vl2_mac_is_member(uint64_t mac, uint64_t nwid)
{
	return (uint8_t)((mac >> 40) & 0xff) == weft_vl2_mac_first_octet(nwid);
}

void weft_vl2_mac_to_bytes(uint8_t out[6], uint64_t mac)
{
	out[0] = (uint8_t)(mac >> 40);
	store_be40(out + 1, mac & WEFT_ADDRESS_MASK);
}

uint64_t weft_vl2_mac_from_bytes(const uint8_t in[6])
{
	return ((uint64_t)in[0] << 40) | load_be40(in + 1);
}

void weft_vl2_rfc4193(uint8_t ip[16], uint64_t nwid, uint64_t addr)
{
	ip[0] = RFC4193_FIRST;
	store_be64(ip + 1, nwid);
	store_be16(ip + 9, RFC4193_MARK);
	store_be40(ip + 11, addr & WEFT_ADDRESS_MASK);
}

uint32_t weft_vl2_6plane_hash(uint64_t nwid)
{
	return (uint32_t)(nwid ^ (nwid >> 32));
}

void weft_vl2_6plane(uint8_t ip[16], uint64_t nwid, uint64_t addr)
{
	memset(ip, 0, 16);
	ip[0] = SIXPLANE_FIRST;
	store_be32(ip + 1, weft_vl2_6plane_hash(nwid));
	store_be40(ip + 5, addr & WEFT_ADDRESS_MASK);
	ip[15] = 0x01;
}

struct weft_vl2_mcgroup weft_vl2_mcgroup_arp(const uint8_t ipv4[4])
{
	struct weft_vl2_mcgroup g = {WEFT_MAC_BROADCAST, load_be32(ipv4)};
	return g;
}

struct weft_vl2_mcgroup weft_vl2_mcgroup_solicited_node(const uint8_t ipv6[16])
{
	uint64_t low = ((uint64_t)ipv6[13] << 16) | ((uint64_t)ipv6[14] << 8) | ipv6[15];
	struct weft_vl2_mcgroup g = {MAC_SOLICITED_PREFIX | low, 0};
	return g;
}

struct weft_vl2_mcgroup weft_vl2_mcgroup_broadcast(void)
{
	struct weft_vl2_mcgroup g = {WEFT_MAC_BROADCAST, 0};
	return g;
}

int weft_vl2_mcgroup_cmp(const struct weft_vl2_mcgroup *a, const struct weft_vl2_mcgroup *b)
{
	if (a->mac != b->mac)
		return a->mac < b->mac ? -1 : 1;
	if (a->adi != b->adi)
		return a->adi < b->adi ? -1 : 1;
	return 0;
}
