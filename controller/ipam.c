// SPDX-License-Identifier: MPL-2.0
// Static IP assignment as the 1.14 controller does it (vl2.md §9.4): the RFC4193 and 6PLANE
// addresses, the member's own ipAssignments that fall inside a route, then one address from the
// IPv6 and one from the IPv4 pools if the member has none of that family. The trial sequences
// (counter from the member address, .255 skipped, first matching route) are the reference's,
// so a member gets the same address from weft as from a 1.14 controller.
#include <string.h>

#include "build.h"
#include "buf.h"
#include "inetaddr.h"
#include "record.h"
#include "vl2addr.h"

bool weft_ctl_ip_text(const char *s, char out[64])
{
	int family, bits;
	return weft_ctl_ip_parse(s, out, 64, &family, &bits);
}

static bool add_ip(struct weft_netconf *nc, const struct weft_inetaddr *ip)
{
	if (nc->n_static_ips >= WEFT_NETCONF_MAX_STATIC_IPS)
		return false;
	nc->static_ips[nc->n_static_ips++] = *ip;
	return true;
}

// The reference's containsAddress: same family, equal under the target's prefix (/0: all).
static bool route_contains(const struct weft_inetaddr *target, const struct weft_inetaddr *ip)
{
	if (target->family != ip->family)
		return false;
	unsigned len = ip->family == WEFT_INET_V4 ? 4 : 16, bits = target->port;
	if (bits > len * 8)
		bits = len * 8;
	for (unsigned i = 0; i < len && bits; i++) {
		uint8_t mask = (uint8_t)(bits >= 8 ? 0xff : 0xff << (8 - bits));
		if ((target->ip[i] & mask) != (ip->ip[i] & mask))
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

static bool in_list(const json_t *list, const char *text)
{
	size_t i;
	const json_t *v;
	json_array_foreach (list, i, v) {
		char t[64];
		if (json_is_string(v) && weft_ctl_ip_text(json_string_value(v), t) &&
		    !strcmp(t, text))
			return true;
	}
	return false;
}

// Takes ip for the member if nobody has it: appends it to ipAssignments and to the config.
static bool claim(struct weft_netconf *nc, const struct weft_ctl_build *b, struct weft_inetaddr *ip,
                  unsigned bits)
{
	char text[WEFT_INETADDR_STR_MAX];
	struct weft_inetaddr bare = *ip;
	bare.port = 0;
	weft_inetaddr_to_string(&bare, text, sizeof text);
	char *slash = strchr(text, '/');
	if (slash)
		*slash = 0;
	json_t *list = json_object_get(b->member, "ipAssignments");
	if (json_object_get(b->taken, text) || in_list(list, text))
		return false;
	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(b->member, "ipAssignments", list);
	}
	json_array_append_new(list, json_string(text));
	ip->port = (uint16_t)bits;
	add_ip(nc, ip);
	return true;
}

static bool pool_ends(const json_t *pool, struct weft_inetaddr *s, struct weft_inetaddr *e)
{
	const char *a = json_string_value(json_object_get(pool, "ipRangeStart"));
	const char *z = json_string_value(json_object_get(pool, "ipRangeEnd"));
	return a && z && weft_inetaddr_from_string(s, a) && weft_inetaddr_from_string(e, z) &&
	       s->family == e->family;
}

static void pool_v6(struct weft_netconf *nc, const struct weft_ctl_build *b, const json_t *pools)
{
	size_t p;
	const json_t *pool;
	json_array_foreach (pools, p, pool) {
		struct weft_inetaddr s, e;
		if (!pool_ends(pool, &s, &e) || s.family != WEFT_INET_V6)
			continue;
		uint64_t s0 = load_be64(s.ip), s1 = load_be64(s.ip + 8);
		uint64_t e0 = load_be64(e.ip), e1 = load_be64(e.ip + 8);
		for (unsigned trial = 0; trial < 1000; trial++) {
			uint64_t x0, x1;
			if (trial == 0 && e1 > s1 && e1 - s1 >= 0xffffffffffULL) {
				x0 = s0; // room for a whole address in the low half
				x1 = s1 + b->member_id->address;
			} else {
				uint64_t r[2];
				b->random(b->random_ctx, r, sizeof r);
				x0 = s0 + (e0 > s0 ? r[0] % (e0 - s0) : 0);
				x1 = s1 + (e1 > s1 ? r[1] % (e1 - s1) : 0);
			}
			struct weft_inetaddr ip = {.family = WEFT_INET_V6};
			store_be64(ip.ip, x0);
			store_be64(ip.ip + 8, x1);
			unsigned bits = 0; // the last on-link IPv6 route that holds it
			for (unsigned i = 0; i < nc->n_routes; i++) {
				const struct weft_netconf_route *rt = &nc->routes[i];
				if (rt->via.family == WEFT_INET_NONE &&
				    route_contains(&rt->target, &ip))
					bits = rt->target.port;
			}
			if (bits > 0 && claim(nc, b, &ip, bits))
				return;
		}
	}
}

static void pool_v4(struct weft_netconf *nc, const struct weft_ctl_build *b, const json_t *pools)
{
	size_t p;
	const json_t *pool;
	json_array_foreach (pools, p, pool) {
		struct weft_inetaddr s, e;
		if (!pool_ends(pool, &s, &e) || s.family != WEFT_INET_V4)
			continue;
		uint32_t start = load_be32(s.ip), end = load_be32(e.ip);
		if (end < start || start == 0)
			continue;
		uint32_t len = end - start, counter = (uint32_t)b->member_id->address;
		uint64_t trials = (uint64_t)len + 1 < 1000 ? (uint64_t)len + 1 : 1000;
		for (uint64_t trial = 0; trial < trials; trial++) {
			uint32_t v = len ? start + counter % len : start;
			counter++;
			if ((v & 0xff) == 0xff)
				continue;
			int bits = -1; // the first IPv4 route whose target equals v under its mask
			for (unsigned i = 0; i < nc->n_routes && bits < 0; i++) {
				const struct weft_inetaddr *t = &nc->routes[i].target;
				unsigned tb = t->port;
				if (t->family == WEFT_INET_V4 && tb > 0 && tb <= 32 &&
				    (v & (0xffffffffu << (32 - tb))) == load_be32(t->ip))
					bits = (int)tb;
			}
			struct weft_inetaddr ip = {.family = WEFT_INET_V4};
			store_be32(ip.ip, v);
			if (bits > 0 && claim(nc, b, &ip, (unsigned)bits))
				return;
		}
	}
}

void weft_ctl_assign_ips(struct weft_netconf *nc, const struct weft_ctl_build *b)
{
	const json_t *v6 = json_object_get(b->network, "v6AssignMode");
	const json_t *v4 = json_object_get(b->network, "v4AssignMode");
	const json_t *pools = json_object_get(b->network, "ipAssignmentPools");
	bool no_auto = json_is_true(json_object_get(b->member, "noAutoAssignIps"));
	uint64_t addr = b->member_id->address;
	struct weft_inetaddr ip = {.family = WEFT_INET_V6};
	if (json_is_object(v6) && !no_auto) {
		if (json_is_true(json_object_get(v6, "rfc4193"))) {
			weft_vl2_rfc4193(ip.ip, b->nwid, addr);
			ip.port = WEFT_VL2_RFC4193_PREFIX_BITS;
			if (add_ip(nc, &ip))
				nc->flags |= WEFT_NETCONF_F_ENABLE_IPV6_NDP_EMULATION;
		}
		if (json_is_true(json_object_get(v6, "6plane"))) {
			weft_vl2_6plane(ip.ip, b->nwid, addr);
			ip.port = WEFT_VL2_6PLANE_PREFIX_BITS;
			if (add_ip(nc, &ip))
				nc->flags |= WEFT_NETCONF_F_ENABLE_IPV6_NDP_EMULATION;
		}
	}
	bool have4 = false, have6 = false; // a managed address of that family went out
	size_t i;
	const json_t *s;
	json_array_foreach (json_object_get(b->member, "ipAssignments"), i, s) {
		if (!json_is_string(s) || !weft_inetaddr_from_string(&ip, json_string_value(s)))
			continue;
		int bits = -1; // the longest route that holds it
		for (unsigned k = 0; k < nc->n_routes; k++)
			if (route_contains(&nc->routes[k].target, &ip) &&
			    (int)nc->routes[k].target.port > bits)
				bits = nc->routes[k].target.port;
		if (bits < 0)
			continue; // kept in the record, not sent
		ip.port = (uint16_t)bits;
		add_ip(nc, &ip);
		have4 |= ip.family == WEFT_INET_V4;
		have6 |= ip.family == WEFT_INET_V6;
	}
	if (no_auto || !json_is_array(pools))
		return;
	if (!have6 && json_is_object(v6) && json_is_true(json_object_get(v6, "zt")))
		pool_v6(nc, b, pools);
	if (!have4 && json_is_object(v4) && json_is_true(json_object_get(v4, "zt")))
		pool_v4(nc, b, pools);
}
