// SPDX-License-Identifier: MPL-2.0
// Neighbor Solicitation → synthesized Neighbor Advertisement for the managed IPv6 schemes
// (vl2.md §1.5, §1.6). The trigger deliberately checks only what 1.14 checks: the solicitation's
// hop limit, code, checksum and options are not validated, and extension headers are not walked.
#include <string.h>

#include "buf.h"
#include "ndp.h"
#include "vl2addr.h"
#include "wire.h"

#define ETH_HDR_LEN      14
#define ETH_TYPE_OFF     12
#define ETHERTYPE_IPV6   0x86dd
#define IP6_HDR_LEN      40
#define IP6_NEXT_OFF     6
#define IP6_SRC_OFF      8
#define IP6_DST_OFF      24
#define IPPROTO_ICMP6    58
#define ICMP6_NS         135
#define ICMP6_NA         136
#define ICMP6_CSUM_OFF   2
#define NS_TARGET_OFF    8  // after type, code, checksum and the reserved word
#define NS_MIN_PAYLOAD   64 // IPv6 header + NS up to the end of the target, as 1.14 requires
#define NA_LEN           32 // type..target (24) + one 8-byte link-layer address option
#define NA_FLAGS         0x60000000u // Solicited | Override; Router clear
#define OPT_TARGET_LLA   2
#define HOP_LIMIT_ND     255
#define RFC4193_BITS     WEFT_VL2_RFC4193_PREFIX_BITS
#define SIXPLANE_BITS    WEFT_VL2_6PLANE_PREFIX_BITS
#define RFC4193_PFX_LEN  11 // fd, network ID (8), 99 93
#define SIXPLANE_PFX_LEN 5  // fc, network hash (4)

// A managed static IP's prefix holding target: length of the prefix to copy the address after,
// or 0 if this static IP is not a managed prefix of this network or does not hold target.
static size_t managed_prefix(uint64_t nwid, const struct weft_inetaddr *ip,
                             const uint8_t target[16])
{
	const uint8_t *my6 = ip->ip;
	if (ip->family != WEFT_INET_V6)
		return 0;
	if (ip->port == RFC4193_BITS && my6[0] == 0xfd && my6[9] == 0x99 && my6[10] == 0x93)
		return memcmp(target, my6, RFC4193_PFX_LEN) == 0 ? RFC4193_PFX_LEN : 0;
	if (ip->port == SIXPLANE_BITS && my6[0] == 0xfc &&
	    load_be32(my6 + 1) == weft_vl2_6plane_hash(nwid))
		return memcmp(target, my6, SIXPLANE_PFX_LEN) == 0 ? SIXPLANE_PFX_LEN : 0;
	return 0;
}

uint64_t weft_ndp_target_member(const struct weft_ndp_config *c, const uint8_t target[16],
                                unsigned *which)
{
	for (unsigned i = 0; i < c->n_static_ips; i++) {
		size_t pfx = managed_prefix(c->nwid, &c->static_ips[i], target);
		if (pfx) {
			*which = i;
			return load_be40(target + pfx);
		}
	}
	return 0;
}

// One's-complement sum of big-endian 16-bit words, an odd last byte padded with zero.
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t len)
{
	for (; len >= 2; p += 2, len -= 2)
		acc += load_be16(p);
	if (len)
		acc += (uint32_t)p[0] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return acc;
}

uint16_t weft_ndp_icmp6_checksum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg,
                                 size_t len)
{
	uint8_t tail[8];
	store_be32(tail, (uint32_t)len);
	store_be32(tail + 4, IPPROTO_ICMP6);
	uint32_t acc = sum16(0, src, 16);
	acc = sum16(acc, dst, 16);
	acc = sum16(acc, tail, sizeof tail);
	acc = sum16(acc, msg, len);
	return (uint16_t)~acc;
}

// Ethernet multicast (group bit of the first octet), excluding broadcast.
static bool is_multicast_not_broadcast(const uint8_t mac[6])
{
	return (mac[0] & 0x01) && weft_vl2_mac_from_bytes(mac) != WEFT_MAC_BROADCAST;
}

// Writes the advertisement for target, owned by member, answering the frame from asker_mac.
static void write_advert(uint8_t out[WEFT_NDP_ADVERT_LEN], const uint8_t asker_mac[6],
                         uint64_t member_mac, const uint8_t target[16], const uint8_t my6[16])
{
	uint8_t *ip6 = out + ETH_HDR_LEN, *na = ip6 + IP6_HDR_LEN;
	memcpy(out, asker_mac, 6);
	weft_vl2_mac_to_bytes(out + 6, member_mac);
	store_be16(out + ETH_TYPE_OFF, ETHERTYPE_IPV6);

	store_be32(ip6, 0x60000000u); // version 6, traffic class 0, flow label 0
	store_be16(ip6 + 4, NA_LEN);
	ip6[IP6_NEXT_OFF] = IPPROTO_ICMP6;
	ip6[7] = HOP_LIMIT_ND;
	memcpy(ip6 + IP6_SRC_OFF, target, 16);
	memcpy(ip6 + IP6_DST_OFF, my6, 16); // our own managed address, not the asker's (§1.6)

	na[0] = ICMP6_NA;
	na[1] = 0;
	store_be16(na + ICMP6_CSUM_OFF, 0);
	store_be32(na + 4, NA_FLAGS);
	memcpy(na + NS_TARGET_OFF, target, 16);
	na[24] = OPT_TARGET_LLA;
	na[25] = 1; // in units of 8 bytes
	weft_vl2_mac_to_bytes(na + 26, member_mac);
	store_be16(na + ICMP6_CSUM_OFF, weft_ndp_icmp6_checksum(target, my6, na, NA_LEN));
}

size_t weft_ndp_emulate(const struct weft_ndp_config *c, const uint8_t *frame, size_t len,
                        uint8_t out[WEFT_NDP_ADVERT_LEN])
{
	if (!c->enabled || len < ETH_HDR_LEN + NS_MIN_PAYLOAD)
		return 0;
	const uint8_t *ip6 = frame + ETH_HDR_LEN, *icmp = ip6 + IP6_HDR_LEN;
	if (!is_multicast_not_broadcast(frame) ||
	    load_be16(frame + ETH_TYPE_OFF) != ETHERTYPE_IPV6 ||
	    ip6[IP6_NEXT_OFF] != IPPROTO_ICMP6 || icmp[0] != ICMP6_NS)
		return 0;

	const uint8_t *target = icmp + NS_TARGET_OFF;
	unsigned which = 0;
	uint64_t member = weft_ndp_target_member(c, target, &which);
	if (!member || member == (c->self & WEFT_ADDRESS_MASK))
		return 0;
	write_advert(out, frame + 6, weft_vl2_mac_from_address(member, c->nwid), target,
	             c->static_ips[which].ip);
	return WEFT_NDP_ADVERT_LEN;
}
