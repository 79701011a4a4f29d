// SPDX-License-Identifier: MPL-2.0
// addressing.json: member MACs and their reverse mapping, RFC4193 and 6PLANE addresses (bytes,
// prefix length and text form), and the multicast groups used for address resolution.
#include <stdlib.h>
#include <string.h>

#include "inetaddr.h"
#include "t.h"
#include "vec.h"
#include "vl2addr.h"

static uint64_t mac_field(const json_t *o, const char *key)
{
	uint8_t b[6];
	T_CHECK_MSG(vec_hex_into(o, key, b, 6), "%s is not a MAC", key);
	return weft_vl2_mac_from_bytes(b);
}

// ip (16 bytes) with prefix length `bits`, compared with the fields <name>, <name>_prefix_bits
// and <name>_string of o.
static void check_ip6(const json_t *o, const char *name, const uint8_t ip[16], unsigned bits)
{
	uint8_t exp[16];
	char field[64], text[WEFT_INETADDR_STR_MAX];
	struct weft_inetaddr a;
	T_CHECK(vec_hex_into(o, name, exp, 16));
	T_CHECK_MEM(ip, exp, 16);
	snprintf(field, sizeof field, "%s_prefix_bits", name);
	T_CHECK((unsigned)vec_int(o, field) == bits);
	snprintf(field, sizeof field, "%s_string", name);
	weft_inetaddr_set_v6(&a, ip, (uint16_t)bits); // the prefix rides in the port field
	weft_inetaddr_to_string(&a, text, sizeof text);
	T_CHECK_MSG(!strcmp(text, vec_str(o, field)), "%s: %s", field, text);
}

static void check_case(const json_t *c, size_t i)
{
	uint64_t nwid = vec_u64hex(c, "network_id"), addr = vec_u64hex(c, "address");
	uint8_t ip[16], mb[6], first[1];
	t_case("addressing[%zu] %016llx %010llx", i, (unsigned long long)nwid,
	       (unsigned long long)addr);
	uint64_t mac = weft_vl2_mac_from_address(addr, nwid);
	T_CHECK(mac == mac_field(c, "mac"));
	weft_vl2_mac_to_bytes(mb, mac);
	T_CHECK(weft_vl2_mac_from_bytes(mb) == mac);
	T_CHECK(vec_hex_into(c, "mac_first_octet_for_network", first, 1));
	T_CHECK(weft_vl2_mac_first_octet(nwid) == first[0] && mb[0] == first[0]);
	T_CHECK(weft_vl2_mac_is_member(mac, nwid));
	T_CHECK(weft_vl2_mac_to_address(mac, nwid) == vec_u64hex(c, "mac_to_address"));
	T_CHECK(weft_vl2_mac_to_address(mac, nwid) == addr);
	weft_vl2_rfc4193(ip, nwid, addr);
	check_ip6(c, "rfc4193", ip, WEFT_VL2_RFC4193_PREFIX_BITS);
	weft_vl2_6plane(ip, nwid, addr);
	check_ip6(c, "sixplane", ip, WEFT_VL2_6PLANE_PREFIX_BITS);
}

static void check_reverse(const json_t *c, size_t i)
{
	uint64_t nwid = vec_u64hex(c, "network_id"), mac = mac_field(c, "mac");
	t_case("mac_to_address[%zu] %s", i, vec_str(c, "mac"));
	uint64_t addr = weft_vl2_mac_to_address(mac, nwid);
	T_CHECK(addr == vec_u64hex(c, "address"));
	// forward again: same low 40 bits, the network's own first octet
	uint64_t back = weft_vl2_mac_from_address(addr, nwid);
	T_CHECK(((back ^ mac) & 0xffffffffffULL) == 0);
	T_CHECK(weft_vl2_mac_is_member(mac, nwid) == (back == mac));
}

static void check_group(const json_t *c, size_t i)
{
	const char *kind = vec_str(c, "kind");
	struct weft_vl2_mcgroup g = {0, 0};
	uint8_t ip[16], adi[4];
	t_case("multicast_groups[%zu] %s %s", i, kind, vec_str(c, "ip"));
	if (!strcmp(kind, "ipv4_arp")) {
		T_CHECK(vec_hex_into(c, "ip_bytes", ip, 4));
		g = weft_vl2_mcgroup_arp(ip);
	} else if (!strcmp(kind, "ipv6_solicited_node")) {
		T_CHECK(vec_hex_into(c, "ip_bytes", ip, 16));
		g = weft_vl2_mcgroup_solicited_node(ip);
	} else if (!strcmp(kind, "broadcast")) {
		g = weft_vl2_mcgroup_broadcast();
	} else {
		T_CHECK_MSG(false, "unknown kind %s", kind);
	}
	T_CHECK(g.mac == mac_field(c, "group_mac"));
	T_CHECK(g.adi == (uint32_t)vec_int(c, "group_adi"));
	T_CHECK(vec_hex_into(c, "group_adi_hex", adi, 4));
	T_CHECK(g.adi == load_be32(adi));
	struct weft_vl2_mcgroup same = g;
	T_CHECK(weft_vl2_mcgroup_cmp(&g, &same) == 0);
}

int main(void)
{
	t_init("vectors/addressing");
	json_t *j = vec_load("addressing.json");
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(j, "cases"), i, c)
		check_case(c, i);
	json_array_foreach (json_object_get(j, "mac_to_address"), i, c)
		check_reverse(c, i);
	json_array_foreach (json_object_get(j, "multicast_groups"), i, c)
		check_group(c, i);
	json_decref(j);
	return t_done();
}
