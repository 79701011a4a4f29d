// SPDX-License-Identifier: MPL-2.0
// core/ndp.h (vl2.md §1.6): Neighbor Solicitations for another member's RFC4193 and 6PLANE
// addresses answered with a locally synthesized advertisement, checked field by field, against
// golden bytes and with an independent checksum; everything that must not trigger (flag off,
// foreign prefixes, own address, wrong ethertype or ICMPv6 type, every truncation); and random
// mutations of a valid solicitation. Inputs sit in exact-size heap copies so ASan reports any
// read past the end.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inetaddr.h"
#include "ndp.h"
#include "t.h"
#include "vl2addr.h"

#define NWID       0x8056c2e21c000001ULL
#define OTHER_NWID 0x8056c2e21c000002ULL
#define SELF       0x1122334455ULL
#define OTHER      0xaabbccddeeULL
#define NS_LEN     86 // Ethernet 14 + IPv6 40 + NS 24 + source link-layer address option 8

// Advertisements computed by hand (a Python one-off) for NWID, SELF asking about OTHER.
static const char GOLDEN_RFC4193[] =
    "0211222fa69702aabbd03f2c86dd6000000000203afffd8056c2e21c0000019993aabbccddeefd8056c2e21c"
    "0000019993112233445588001bab60000000fd8056c2e21c0000019993aabbccddee020102aabbd03f2c";
// Target fc9c:56c2:e3aa:bbcc:ddee:0:dead:beef, inside OTHER's /80.
static const char GOLDEN_6PLANE[] =
    "0211222fa69702aabbd03f2c86dd6000000000203afffc9c56c2e3aabbccddee0000deadbeeffc9c56c2e311"
    "2233445500000000000188009e3b60000000fc9c56c2e3aabbccddee0000deadbeef020102aabbd03f2c";

static uint64_t rng_state = 0x3c6ef372fe94f82bULL;

static uint64_t next_u64(void)
{
	return t_splitmix64(&rng_state);
}

// The static IPs of SELF on NWID: an IPv4 address first (skipped), then RFC4193, then 6PLANE.
static struct weft_inetaddr self_ips[3];
static struct weft_ndp_config cfg;

static void setup(void)
{
	uint8_t v4[4] = {10, 147, 17, 5}, ip[16];
	weft_inetaddr_set_v4(&self_ips[0], v4, 24);
	weft_vl2_rfc4193(ip, NWID, SELF);
	weft_inetaddr_set_v6(&self_ips[1], ip, WEFT_VL2_RFC4193_PREFIX_BITS);
	weft_vl2_6plane(ip, NWID, SELF);
	weft_inetaddr_set_v6(&self_ips[2], ip, WEFT_VL2_6PLANE_PREFIX_BITS);
	cfg = (struct weft_ndp_config){NWID, SELF, true, self_ips, 3};
}

// Independent checksum: lay the pseudo-header out in one buffer and add it up byte pair by byte
// pair with a 64-bit accumulator folded at the end.
static uint16_t naive_checksum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg,
                               size_t len)
{
	uint8_t buf[40 + 256] = {0};
	memcpy(buf, src, 16);
	memcpy(buf + 16, dst, 16);
	buf[32] = (uint8_t)(len >> 24);
	buf[33] = (uint8_t)(len >> 16);
	buf[34] = (uint8_t)(len >> 8);
	buf[35] = (uint8_t)len;
	buf[39] = 58;
	memcpy(buf + 40, msg, len);
	uint64_t sum = 0;
	for (size_t i = 0; i < 40 + len; i += 2)
		sum += (uint64_t)buf[i] * 256 + buf[i + 1]; // buf is zero past the message
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)(0xffff - sum);
}

static void mac_bytes(uint8_t out[6], uint64_t mac)
{
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)(mac >> (40 - 8 * i));
}

// A Neighbor Solicitation from SELF's MAC and src for target, to the solicited-node group, with
// a source link-layer address option and a correct checksum. ns must hold NS_LEN bytes.
static void build_ns(uint8_t ns[NS_LEN], const uint8_t src[16], const uint8_t target[16])
{
	uint8_t *ip6 = ns + 14, *icmp = ns + 54, self_mac[6];
	mac_bytes(self_mac, weft_vl2_mac_from_address(SELF, NWID));
	memset(ns, 0, NS_LEN);
	ns[0] = 0x33, ns[1] = 0x33, ns[2] = 0xff;
	memcpy(ns + 3, target + 13, 3);
	memcpy(ns + 6, self_mac, 6);
	ns[12] = 0x86, ns[13] = 0xdd;
	ip6[0] = 0x60;
	ip6[5] = 32;
	ip6[6] = 58;
	ip6[7] = 255;
	memcpy(ip6 + 8, src, 16);
	static const uint8_t solicited[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};
	memcpy(ip6 + 24, solicited, 13);
	memcpy(ip6 + 37, target + 13, 3);
	icmp[0] = 135;
	memcpy(icmp + 8, target, 16);
	icmp[24] = 1; // source link-layer address
	icmp[25] = 1;
	memcpy(icmp + 26, self_mac, 6);
	uint16_t c = naive_checksum(ip6 + 8, ip6 + 24, icmp, 32);
	icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
}

// weft_ndp_emulate on an exact-size heap copy of frame[0..len).
static size_t emulate(const struct weft_ndp_config *c, const uint8_t *frame, size_t len,
                      uint8_t out[WEFT_NDP_ADVERT_LEN])
{
	uint8_t *copy = malloc(len ? len : 1);
	if (len)
		memcpy(copy, frame, len);
	size_t n = weft_ndp_emulate(c, copy, len, out);
	free(copy);
	return n;
}

// Every field of an advertisement answering ns for target, owned by member, sent to my6.
static void check_advert(const uint8_t *na, const uint8_t *ns, const uint8_t target[16],
                         uint64_t member, const uint8_t my6[16])
{
	uint8_t member_mac[6];
	const uint8_t *ip6 = na + 14, *icmp = na + 54;
	static const uint8_t ip6_head[8] = {0x60, 0, 0, 0, 0, 32, 58, 255};
	static const uint8_t icmp_head[2] = {136, 0}, flags[4] = {0x60, 0, 0, 0};
	static const uint8_t opt_head[2] = {2, 1}, eth_type[2] = {0x86, 0xdd};
	mac_bytes(member_mac, weft_vl2_mac_from_address(member, NWID));
	T_CHECK_MEM(na, ns + 6, 6); // to the asker
	T_CHECK_MEM(na + 6, member_mac, 6);
	T_CHECK_MEM(na + 12, eth_type, 2);
	T_CHECK_MEM(ip6, ip6_head, 8);
	T_CHECK_MEM(ip6 + 8, target, 16);
	T_CHECK_MEM(ip6 + 24, my6, 16);
	T_CHECK_MEM(icmp, icmp_head, 2);
	T_CHECK_MEM(icmp + 4, flags, 4);
	T_CHECK_MEM(icmp + 8, target, 16);
	T_CHECK_MEM(icmp + 24, opt_head, 2);
	T_CHECK_MEM(icmp + 26, member_mac, 6);
	uint8_t zeroed[32];
	memcpy(zeroed, icmp, 32);
	zeroed[2] = zeroed[3] = 0;
	uint16_t c = naive_checksum(target, my6, zeroed, 32);
	T_CHECK(icmp[2] == (uint8_t)(c >> 8) && icmp[3] == (uint8_t)c);
	T_CHECK(naive_checksum(target, my6, icmp, 32) == 0); // the whole message sums to 0xffff
}

static void test_golden(void)
{
	uint8_t ns[NS_LEN], na[WEFT_NDP_ADVERT_LEN], target[16], my6[16];
	size_t glen;
	uint8_t *gold;

	t_case("RFC4193 target of another member: golden advertisement");
	weft_vl2_rfc4193(target, NWID, OTHER);
	weft_vl2_rfc4193(my6, NWID, SELF);
	build_ns(ns, my6, target);
	T_CHECK(emulate(&cfg, ns, NS_LEN, na) == WEFT_NDP_ADVERT_LEN);
	check_advert(na, ns, target, OTHER, my6);
	gold = t_unhex(GOLDEN_RFC4193, &glen);
	T_CHECK(gold && glen == WEFT_NDP_ADVERT_LEN);
	if (gold && glen == WEFT_NDP_ADVERT_LEN)
		T_CHECK_MEM(na, gold, glen);
	free(gold);

	t_case("6PLANE: any address in another member's /80, golden advertisement");
	weft_vl2_6plane(target, NWID, OTHER);
	static const uint8_t host[6] = {0, 0, 0xde, 0xad, 0xbe, 0xef};
	memcpy(target + 10, host, 6);
	weft_vl2_6plane(my6, NWID, SELF);
	build_ns(ns, my6, target);
	T_CHECK(emulate(&cfg, ns, NS_LEN, na) == WEFT_NDP_ADVERT_LEN);
	check_advert(na, ns, target, OTHER, my6);
	gold = t_unhex(GOLDEN_6PLANE, &glen);
	T_CHECK(gold && glen == WEFT_NDP_ADVERT_LEN);
	if (gold && glen == WEFT_NDP_ADVERT_LEN)
		T_CHECK_MEM(na, gold, glen);
	free(gold);
}

// Random members and networks, both schemes: the advertisement is always right, and goes to
// the static IP of the matching scheme whatever the solicitation's own source address.
static void test_random_members(void)
{
	t_case("random networks and members, both schemes");
	for (int i = 0; i < 2000; i++) {
		uint64_t nwid = next_u64(), self = next_u64() & 0xffffffffffULL;
		uint64_t other = next_u64() & 0xffffffffffULL;
		if (!other || other == self)
			continue;
		struct weft_inetaddr ips[2];
		uint8_t mine[2][16], target[16], src[16] = {0xfe, 0x80}, ns[NS_LEN];
		uint8_t na[WEFT_NDP_ADVERT_LEN];
		weft_vl2_rfc4193(mine[0], nwid, self);
		weft_vl2_6plane(mine[1], nwid, self);
		weft_inetaddr_set_v6(&ips[0], mine[0], WEFT_VL2_RFC4193_PREFIX_BITS);
		weft_inetaddr_set_v6(&ips[1], mine[1], WEFT_VL2_6PLANE_PREFIX_BITS);
		struct weft_ndp_config c = {nwid, self, true, ips, 2};
		bool plane = i & 1;
		if (plane) {
			weft_vl2_6plane(target, nwid, other);
			uint64_t r = next_u64();
			for (int k = 10; k < 16; k++)
				target[k] = (uint8_t)(r >> (8 * (k - 10)));
		} else {
			weft_vl2_rfc4193(target, nwid, other);
		}
		src[15] = (uint8_t)i;
		build_ns(ns, src, target);
		ns[6 + 5] ^= (uint8_t)i; // the asker's MAC is echoed whatever it is
		unsigned which = 9;
		T_CHECK(weft_ndp_target_member(&c, target, &which) == other);
		T_CHECK(which == (plane ? 1u : 0u));
		if (emulate(&c, ns, NS_LEN, na) != WEFT_NDP_ADVERT_LEN) {
			T_CHECK_MSG(false, "no advertisement for nwid %016llx member %010llx",
			            (unsigned long long)nwid, (unsigned long long)other);
			continue;
		}
		uint8_t member_mac[6];
		mac_bytes(member_mac, weft_vl2_mac_from_address(other, nwid));
		T_CHECK_MEM(na, ns + 6, 6);
		T_CHECK_MEM(na + 6, member_mac, 6);
		T_CHECK_MEM(na + 14 + 8, target, 16);
		T_CHECK_MEM(na + 14 + 24, mine[plane], 16);
		T_CHECK_MEM(na + 54 + 26, member_mac, 6);
		T_CHECK(naive_checksum(target, mine[plane], na + 54, 32) == 0);
	}
}

static void test_not_emulated(void)
{
	uint8_t ns[NS_LEN], na[WEFT_NDP_ADVERT_LEN], target[16], my6[16], other_net[16];
	weft_vl2_rfc4193(target, NWID, OTHER);
	weft_vl2_rfc4193(my6, NWID, SELF);
	build_ns(ns, my6, target);

	t_case("flag off, no static IPs, no IPv6 static IP");
	struct weft_ndp_config c = cfg;
	c.enabled = false;
	T_CHECK(emulate(&c, ns, NS_LEN, na) == 0);
	c = cfg;
	c.n_static_ips = 0;
	T_CHECK(emulate(&c, ns, NS_LEN, na) == 0);
	c.n_static_ips = 1; // the IPv4 address only
	T_CHECK(emulate(&c, ns, NS_LEN, na) == 0);

	t_case("Ethernet: broadcast, unicast, wrong ethertype, VLAN tag");
	uint8_t f[NS_LEN];
	memcpy(f, ns, NS_LEN);
	memset(f, 0xff, 6);
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);
	memcpy(f, ns + 6, 6); // unicast (a neighbour unreachability probe)
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);
	memcpy(f, ns, NS_LEN);
	f[12] = 0x08, f[13] = 0x00;
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);
	f[12] = 0x81, f[13] = 0x00;
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);
	f[12] = 0x86, f[13] = 0xdd;
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == WEFT_NDP_ADVERT_LEN);

	t_case("IPv6: next header not ICMPv6 (extension headers are not walked)");
	memcpy(f, ns, NS_LEN);
	f[14 + 6] = 0; // hop-by-hop options
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);
	f[14 + 6] = 17;
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);

	t_case("ICMPv6: advertisement, echo request, router solicitation");
	static const uint8_t types[] = {136, 128, 129, 133, 134, 137, 0, 255};
	for (size_t i = 0; i < sizeof types; i++) {
		memcpy(f, ns, NS_LEN);
		f[54] = types[i];
		T_CHECK_MSG(emulate(&cfg, f, NS_LEN, na) == 0, "ICMPv6 type %u", types[i]);
	}

	t_case("target outside both prefixes or in another network's");
	static const uint8_t outside[][16] = {
	    {0xfe, 0x80, [15] = 1},
	    {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
	    {0},
	    {0xff, 0x02, [15] = 1},
	};
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		build_ns(f, my6, outside[i]);
		T_CHECK_MSG(emulate(&cfg, f, NS_LEN, na) == 0, "outside target %zu", i);
	}
	weft_vl2_rfc4193(other_net, OTHER_NWID, OTHER);
	build_ns(f, my6, other_net);
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);
	weft_vl2_6plane(other_net, OTHER_NWID, OTHER);
	build_ns(f, my6, other_net);
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);
	// One byte off inside each prefix.
	for (int k = 0; k < 11; k++) {
		uint8_t t[16];
		weft_vl2_rfc4193(t, NWID, OTHER);
		t[k] ^= 0x10;
		build_ns(f, my6, t);
		T_CHECK_MSG(emulate(&cfg, f, NS_LEN, na) == 0, "RFC4193 prefix byte %d", k);
		weft_vl2_6plane(t, NWID, OTHER);
		t[k] ^= 0x10;
		build_ns(f, my6, t);
		T_CHECK_MSG(emulate(&cfg, f, NS_LEN, na) == (k < 5 ? 0 : WEFT_NDP_ADVERT_LEN),
		            "6PLANE byte %d", k);
	}

	t_case("own address, and embedded address 0");
	uint8_t t[16];
	weft_vl2_rfc4193(t, NWID, SELF);
	build_ns(f, my6, t);
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0); // duplicate address detection goes out
	weft_vl2_6plane(t, NWID, SELF);
	t[15] = 0x42;
	build_ns(f, my6, t);
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);
	weft_vl2_rfc4193(t, NWID, 0);
	build_ns(f, my6, t);
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);
	weft_vl2_6plane(t, NWID, 0);
	build_ns(f, my6, t);
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == 0);
}

// The static IPs decide which prefixes are emulated: exactly as 1.14 recognises them.
static void test_static_ip_shapes(void)
{
	uint8_t ns[NS_LEN], na[WEFT_NDP_ADVERT_LEN], target[16], ip[16];
	struct weft_inetaddr one;
	struct weft_ndp_config c = {NWID, SELF, true, &one, 1};

	t_case("static IP shapes: prefix length, markers, network hash");
	weft_vl2_rfc4193(target, NWID, OTHER);
	build_ns(ns, target, target);
	weft_vl2_rfc4193(ip, NWID, SELF);
	weft_inetaddr_set_v6(&one, ip, 64);
	T_CHECK(emulate(&c, ns, NS_LEN, na) == 0); // managed address, but not /88
	weft_inetaddr_set_v6(&one, ip, 88);
	T_CHECK(emulate(&c, ns, NS_LEN, na) == WEFT_NDP_ADVERT_LEN);
	ip[10] = 0x94;
	weft_inetaddr_set_v6(&one, ip, 88);
	T_CHECK(emulate(&c, ns, NS_LEN, na) == 0); // no 99 93 marker

	weft_vl2_6plane(target, NWID, OTHER);
	build_ns(ns, target, target);
	weft_vl2_6plane(ip, NWID, SELF);
	weft_inetaddr_set_v6(&one, ip, 80);
	T_CHECK(emulate(&c, ns, NS_LEN, na) == 0);
	weft_inetaddr_set_v6(&one, ip, 40);
	T_CHECK(emulate(&c, ns, NS_LEN, na) == WEFT_NDP_ADVERT_LEN);
	c.nwid = OTHER_NWID; // the static IP's hash is not this network's
	T_CHECK(emulate(&c, ns, NS_LEN, na) == 0);

	t_case("first matching static IP in order wins, later ones are not consulted");
	struct weft_inetaddr two[2];
	uint8_t a[16], b[16];
	weft_vl2_rfc4193(a, NWID, SELF);
	memcpy(b, a, 16);
	b[15] ^= 1; // a second /88 in the same prefix: the advertisement goes to the first
	weft_inetaddr_set_v6(&two[0], a, 88);
	weft_inetaddr_set_v6(&two[1], b, 88);
	c = (struct weft_ndp_config){NWID, SELF, true, two, 2};
	weft_vl2_rfc4193(target, NWID, OTHER);
	build_ns(ns, target, target);
	T_CHECK(emulate(&c, ns, NS_LEN, na) == WEFT_NDP_ADVERT_LEN);
	T_CHECK_MEM(na + 14 + 24, a, 16);
}

// 1.14 checks only the length, next header and type; the rest of the solicitation is the
// host's business. These still get an answer.
static void test_unchecked_fields(void)
{
	uint8_t ns[NS_LEN], f[NS_LEN], na[WEFT_NDP_ADVERT_LEN], target[16], my6[16];
	weft_vl2_rfc4193(target, NWID, OTHER);
	weft_vl2_rfc4193(my6, NWID, SELF);
	build_ns(ns, my6, target);

	t_case("hop limit, code, checksum, options and IPv6 version are not checked");
	// Hop limit, ICMPv6 code, checksum, option type, option length, IPv6 version.
	const size_t fields[] = {14 + 7, 54 + 1, 54 + 2, 54 + 24, 54 + 25, 14};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		memcpy(f, ns, NS_LEN);
		f[fields[i]] ^=
		    0x40; // hop limit 191, code 64, bad checksum, option type 65 / len 65
		T_CHECK_MSG(emulate(&cfg, f, NS_LEN, na) == WEFT_NDP_ADVERT_LEN, "byte %zu",
		            fields[i]);
		check_advert(na, f, target, OTHER, my6);
	}
	memcpy(f, ns, NS_LEN);
	f[54 + 25] = 0; // option length 0: invalid per RFC 4861, still answered
	T_CHECK(emulate(&cfg, f, NS_LEN, na) == WEFT_NDP_ADVERT_LEN);
}

static void test_truncated(void)
{
	uint8_t ns[NS_LEN], na[WEFT_NDP_ADVERT_LEN], target[16], my6[16];
	weft_vl2_6plane(target, NWID, OTHER);
	weft_vl2_6plane(my6, NWID, SELF);
	build_ns(ns, my6, target);

	t_case("truncated at every length; the target's end (78 bytes) is the minimum");
	for (size_t len = 0; len <= NS_LEN; len++) {
		memset(na, 0xa5, sizeof na);
		size_t n = emulate(&cfg, ns, len, na);
		T_CHECK_MSG(n == (len >= 78 ? WEFT_NDP_ADVERT_LEN : 0), "len %zu -> %zu", len, n);
		if (n)
			check_advert(na, ns, target, OTHER, my6);
		else
			for (size_t i = 0; i < sizeof na; i++)
				T_CHECK_MSG(na[i] == 0xa5, "out written for len %zu", len);
	}
	t_case("longer frames (Ethernet padding, more options) are answered");
	uint8_t big[200];
	memcpy(big, ns, NS_LEN);
	memset(big + NS_LEN, 0x77, sizeof big - NS_LEN);
	T_CHECK(emulate(&cfg, big, sizeof big, na) == WEFT_NDP_ADVERT_LEN);
	check_advert(na, ns, target, OTHER, my6);
}

static void test_checksum(void)
{
	t_case("ICMPv6 checksum against the naive sum, odd and even lengths");
	uint8_t src[16], dst[16], msg[200];
	for (int i = 0; i < 500; i++) {
		for (int k = 0; k < 16; k++) {
			src[k] = (uint8_t)next_u64();
			dst[k] = (uint8_t)next_u64();
		}
		size_t len = (size_t)(next_u64() % sizeof msg);
		for (size_t k = 0; k < len; k++)
			msg[k] = (uint8_t)next_u64();
		if (i < 3) { // all-ones data: the fold must carry more than once
			memset(src, 0xff, 16);
			memset(dst, 0xff, 16);
			memset(msg, 0xff, len);
		}
		uint16_t got = weft_ndp_icmp6_checksum(src, dst, msg, len);
		uint16_t exp = naive_checksum(src, dst, msg, len);
		T_CHECK_MSG(got == exp, "len %zu: %04x != %04x", len, got, exp);
	}
}

// Random mutations of a valid solicitation: any answer is a well-formed advertisement.
static void test_mutations(void)
{
	uint8_t ns[NS_LEN], f[NS_LEN], na[WEFT_NDP_ADVERT_LEN], target[16], my6[16];
	weft_vl2_rfc4193(target, NWID, OTHER);
	weft_vl2_rfc4193(my6, NWID, SELF);
	build_ns(ns, my6, target);

	t_case("random mutations of a solicitation");
	unsigned answered = 0;
	for (int i = 0; i < 20000; i++) {
		memcpy(f, ns, NS_LEN);
		int flips = 1 + (int)(next_u64() % 4);
		for (int k = 0; k < flips; k++)
			f[next_u64() % NS_LEN] ^= (uint8_t)(1u << (next_u64() % 8));
		size_t len = 78 + (size_t)(next_u64() % (NS_LEN - 78 + 1));
		if (emulate(&cfg, f, len, na) != WEFT_NDP_ADVERT_LEN)
			continue;
		answered++;
		const uint8_t *t = f + 62;
		unsigned which = 0;
		uint64_t member = weft_ndp_target_member(&cfg, t, &which);
		T_CHECK(member && member != SELF && which > 0);
		check_advert(na, f, t, member, self_ips[which].ip);
	}
	T_CHECK(answered > 1000);
}

int main(void)
{
	t_init("unit/ndp");
	setup();
	test_golden();
	test_random_members();
	test_not_emulated();
	test_static_ip_shapes();
	test_unchecked_fields();
	test_truncated();
	test_checksum();
	test_mutations();
	return t_done();
}
