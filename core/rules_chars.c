// SPDX-License-Identifier: MPL-2.0
// Frame facts the rules engine derives before evaluating (vl2.md §6.3, §6.5): the IPv6
// extension-header walk, the packet-characteristics bits and the sender address that the
// caller checks against certificates of ownership.
#include <string.h>

#include "rules_eval.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP  0x0806
#define ETHERTYPE_IPV6 0x86dd

bool weft_rules_ipv6_walk(const uint8_t *p, size_t len, unsigned *proto, size_t *off)
{
	if (len < 40)
		return false;
	unsigned pr = p[6];
	size_t o = 40;
	// Hop-by-hop, routing, destination options and HIP headers are skipped; anything else
	// (fragment, ESP, AH included) ends the walk.
	while (pr == 0 || pr == 43 || pr == 60 || pr == 135) {
		if (o + 8 > len)
			return false;
		pr = p[o];
		o += 8 * (size_t)p[o + 1] + 8;
	}
	if (o > len)
		return false;
	*proto = pr;
	*off = o;
	return true;
}

// TCP flags and the NS/reserved nibble, when the transport header is complete.
static uint64_t tcp_bits(const struct weft_rules_frame *f)
{
	const uint8_t *p = f->payload;
	size_t h;
	if (f->ethertype == ETHERTYPE_IPV4 && f->len >= 20) {
		if (p[9] != 6)
			return 0;
		h = 4 * (size_t)(p[0] & 0x0f);
		if (f->len < h + 14)
			return 0;
	} else if (f->ethertype == ETHERTYPE_IPV6) {
		unsigned proto;
		if (!weft_rules_ipv6_walk(p, f->len, &proto, &h) || proto != 6 || f->len <= h + 14)
			return 0;
	} else {
		return 0;
	}
	return (uint64_t)p[h + 13] | ((uint64_t)(p[h + 12] & 0x0f) << 8);
}

uint64_t weft_rules_characteristics(enum weft_rules_dir dir, const struct weft_rules_frame *f)
{
	uint64_t cf = 0;
	if (dir == WEFT_RULES_INBOUND)
		cf |= WEFT_RULES_CF_INBOUND;
	if ((f->dst_mac >> 40) & 0x01)
		cf |= WEFT_RULES_CF_MULTICAST;
	if ((f->dst_mac & 0xffffffffffffULL) == 0xffffffffffffULL)
		cf |= WEFT_RULES_CF_BROADCAST;
	return cf | tcp_bits(f);
}

size_t weft_rules_sender_ip(const struct weft_rules_frame *f, uint8_t ip[16], bool *ns_auth)
{
	const uint8_t *p = f->payload;
	*ns_auth = false;
	if (f->ethertype == ETHERTYPE_IPV4 && f->len >= 20) {
		memcpy(ip, p + 12, 4);
		return 4;
	}
	if (f->ethertype == ETHERTYPE_IPV6 && f->len >= 40) {
		if (f->len >= 64 && p[6] == 58 && p[40] == 135) {
			*ns_auth = true;
			memcpy(ip, p + 8, 16);
			return 16;
		}
		if (f->len >= 64 && p[6] == 58 && p[40] == 136)
			memcpy(ip, p + 48, 16);
		else
			memcpy(ip, p + 8, 16);
		return 16;
	}
	if (f->ethertype == ETHERTYPE_ARP && f->len >= 28) {
		memcpy(ip, p + 14, 4);
		return 4;
	}
	return 0;
}
