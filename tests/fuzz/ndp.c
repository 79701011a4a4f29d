// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for NDP emulation (vl2.md §1.6). Input: one control byte (bit 0: flag on;
// bits 1..2: which of this node's RFC4193 and 6PLANE static IPs exist; bit 3: swap their
// order), then an Ethernet frame read from an exact-size copy. Any advertisement produced must
// be well formed: answering the asker, for a target in a prefix of this network owned by
// another member, with the fixed header fields and a valid checksum.
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "inetaddr.h"
#include "ndp.h"
#include "vl2addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NWID 0x8056c2e21c000001ULL
#define SELF 0x1122334455ULL

static void check_advert(const uint8_t *frame, const uint8_t *na, const struct weft_ndp_config *c)
{
	const uint8_t *ns_target = frame + 14 + 40 + 8, *ip6 = na + 14, *icmp = na + 54;
	static const uint8_t ip6_head[8] = {0x60, 0, 0, 0, 0, 32, 58, 255};
	static const uint8_t icmp_head[8] = {136, 0, 0, 0, 0x60, 0, 0, 0};
	unsigned which = c->n_static_ips;
	uint64_t member = weft_ndp_target_member(c, ns_target, &which);
	CHECK(member != 0 && member != SELF && which < c->n_static_ips);
	uint8_t mac[6];
	weft_vl2_mac_to_bytes(mac, weft_vl2_mac_from_address(member, NWID));

	CHECK(memcmp(na, frame + 6, 6) == 0);
	CHECK(memcmp(na + 6, mac, 6) == 0);
	CHECK(na[12] == 0x86 && na[13] == 0xdd);
	CHECK(memcmp(ip6, ip6_head, 8) == 0);
	CHECK(memcmp(ip6 + 8, ns_target, 16) == 0);
	CHECK(memcmp(ip6 + 24, c->static_ips[which].ip, 16) == 0);
	CHECK(icmp[0] == icmp_head[0] && icmp[1] == 0 && memcmp(icmp + 4, icmp_head + 4, 4) == 0);
	CHECK(memcmp(icmp + 8, ns_target, 16) == 0);
	CHECK(icmp[24] == 2 && icmp[25] == 1 && memcmp(icmp + 26, mac, 6) == 0);

	// The target lies in the matching static IP's prefix, and names the member.
	const uint8_t *my6 = c->static_ips[which].ip;
	if (c->static_ips[which].port == WEFT_VL2_RFC4193_PREFIX_BITS)
		CHECK(my6[0] == 0xfd && memcmp(ns_target, my6, 11) == 0 &&
		      load_be40(ns_target + 11) == member);
	else
		CHECK(my6[0] == 0xfc && memcmp(ns_target, my6, 5) == 0 &&
		      load_be40(ns_target + 5) == member);

	// Checksum: the message with its checksum sums to 0xffff with the pseudo-header, and
	// recomputing over a zeroed copy gives the same value.
	uint8_t zeroed[32];
	memcpy(zeroed, icmp, 32);
	zeroed[2] = zeroed[3] = 0;
	CHECK(weft_ndp_icmp6_checksum(ip6 + 8, ip6 + 24, zeroed, 32) == load_be16(icmp + 2));
	CHECK(weft_ndp_icmp6_checksum(ip6 + 8, ip6 + 24, icmp, 32) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	struct weft_inetaddr ips[2];
	uint8_t ip[16];
	unsigned n = 0;
	if (ctl & 2) {
		weft_vl2_rfc4193(ip, NWID, SELF);
		weft_inetaddr_set_v6(&ips[n++], ip, WEFT_VL2_RFC4193_PREFIX_BITS);
	}
	if (ctl & 4) {
		weft_vl2_6plane(ip, NWID, SELF);
		weft_inetaddr_set_v6(&ips[n++], ip, WEFT_VL2_6PLANE_PREFIX_BITS);
	}
	if ((ctl & 8) && n == 2) {
		struct weft_inetaddr t = ips[0];
		ips[0] = ips[1];
		ips[1] = t;
	}
	struct weft_ndp_config c = {NWID, SELF, ctl & 1, ips, n};

	size_t len = size - 1;
	uint8_t *frame = malloc(len ? len : 1);
	if (!frame)
		return 0;
	if (len)
		memcpy(frame, data + 1, len);
	uint8_t out[WEFT_NDP_ADVERT_LEN];
	size_t got = weft_ndp_emulate(&c, frame, len, out);
	CHECK(got == 0 || got == WEFT_NDP_ADVERT_LEN);
	if (got) {
		CHECK(c.enabled && len >= 78);
		check_advert(frame, out, &c);
	}
	free(frame);
	return 0;
}
