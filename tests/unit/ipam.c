// SPDX-License-Identifier: MPL-2.0
// The controller's configuration builder without a network (controller/build.h): IP assignment
// exactly as vl2.md §9.4 (the spec's c11a9e21b7 example byte for byte, .255 skipped, taken
// addresses skipped, first vs longest route, IPv6 pool trial 0, noAutoAssignIps), and the
// §9.3/§9.5 values read from documents the API cannot write (ctmd, out-of-range MTU).
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "inetaddr.h"
#include "netconf.h"
#include "t.h"
#include "vl2addr.h"

static struct weft_netconf nc;
static uint8_t dict_buf[WEFT_DICT_CAP_NETCONF], scratch[WEFT_DICT_CAP_NETCONF];
static struct weft_identity signer, member;

static void rnd(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

static json_t *doc(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);
	if (!j)
		t_fail(__FILE__, __LINE__, "bad test JSON: %s", err.text);
	return j;
}

// Builds member `addr`'s configuration on nwid from the two documents (member changed in
// place) with `taken` the network's assigned IPs.
static enum weft_result build(uint64_t nwid, uint64_t addr, const json_t *net, json_t *mem,
                              const json_t *taken, bool full_rules)
{
	json_t *none = json_object();
	member.address = addr; // the builder does not re-derive the address from the key
	struct weft_ctl_build b = {
	    .nwid = nwid,
	    .network = net,
	    .member = mem,
	    .full_rules = full_rules,
	    .taken = taken ? taken : none,
	    .bridges = none,
	    .member_id = &member,
	    .signer = &signer,
	    .now_ms = 1700000000000LL,
	    .random = rnd,
	};
	char why[200] = "";
	enum weft_result r = weft_ctl_build_netconf(&nc, &b, why, sizeof why);
	T_CHECK_MSG(r == WEFT_OK, "build: %s", why);
	json_decref(none);
	return r;
}

static bool ip_is(const struct weft_inetaddr *a, const char *text, unsigned bits)
{
	struct weft_inetaddr e;
	return weft_inetaddr_from_string(&e, text) && a->family == e.family &&
	       !memcmp(a->ip, e.ip, e.family == WEFT_INET_V4 ? 4 : 16) && a->port == bits;
}

// The member record's ipAssignments holds this address (compared as addresses, not text).
static bool list_has(const json_t *list, const char *s)
{
	size_t i;
	const json_t *v;
	struct weft_inetaddr a;
	json_array_foreach (list, i, v)
		if (json_is_string(v) && weft_inetaddr_from_string(&a, json_string_value(v)) &&
		    ip_is(&a, s, 0))
			return true;
	return false;
}

static void spec_example(void)
{
	const uint64_t nwid = 0xc11a9e21b7c475e7ULL, addr = 0xc11a9e21b7ULL;
	json_t *net = doc("{\"v4AssignMode\":{\"zt\":true},"
	                  "\"v6AssignMode\":{\"rfc4193\":true,\"6plane\":true,\"zt\":false},"
	                  "\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.147.17.1\","
	                  "\"ipRangeEnd\":\"10.147.17.254\"}],"
	                  "\"routes\":[{\"target\":\"10.147.17.0/24\",\"via\":null}]}");
	json_t *mem = doc("{\"ipAssignments\":[]}");
	// vl2.md §3.2.2: the I value of a real 1.14 controller for this member.
	size_t elen;
	uint8_t *exp = t_unhex("06fdc11a9e21b7c475e79993c11a9e21b70058"
	                       "06fc76deebc6c11a9e21b70000000000010028"
	                       "040a9311820018",
	                       &elen);
	uint8_t got[256];
	struct weft_dict d;

	t_case("ipam: the spec's member c11a9e21b7 gets rfc4193/88, 6plane/40, 10.147.17.130/24");
	if (build(nwid, addr, net, mem, NULL, true) == WEFT_OK) {
		T_CHECK_MSG(nc.n_static_ips == 3, "%u static IPs", nc.n_static_ips);
		T_CHECK(ip_is(&nc.static_ips[2], "10.147.17.130", 24));
		uint8_t ip6[16];
		weft_vl2_rfc4193(ip6, nwid, addr);
		T_CHECK(nc.static_ips[0].family == WEFT_INET_V6 &&
		        !memcmp(nc.static_ips[0].ip, ip6, 16));
		weft_vl2_6plane(ip6, nwid, addr);
		T_CHECK(nc.static_ips[1].family == WEFT_INET_V6 &&
		        !memcmp(nc.static_ips[1].ip, ip6, 16));
		T_CHECK(nc.flags == (WEFT_NETCONF_F_ENABLE_BROADCAST |
		                     WEFT_NETCONF_F_ENABLE_IPV6_NDP_EMULATION));
		T_CHECK(list_has(json_object_get(mem, "ipAssignments"), "10.147.17.130"));
		T_CHECK(json_array_size(json_object_get(mem, "ipAssignments")) == 1);
		weft_dict_init(&d, dict_buf, sizeof dict_buf);
		T_CHECK(weft_netconf_encode(&nc, &d, scratch, sizeof scratch) == WEFT_OK);
		long n = weft_dict_get(&d, "I", got, sizeof got);
		T_CHECK_MSG(n == (long)elen, "I is %ld bytes", n);
		if (n == (long)elen)
			T_CHECK_MEM(got, exp, elen);
		// COO: every static IP; COM: the seven qualifiers.
		T_CHECK(nc.n_coos == 1 && nc.coos[0].n_things == 3 && nc.coos[0].id == 1);
		T_CHECK(nc.has_com && nc.com.n_q == 7);
	}

	t_case("ipam: an address taken by another member is skipped (next counter value)");
	json_t *taken = doc("{\"10.147.17.130\":\"0000000001\"}");
	json_decref(mem);
	mem = doc("{}");
	if (build(nwid, addr, net, mem, taken, true) == WEFT_OK) {
		T_CHECK(nc.n_static_ips == 3 && ip_is(&nc.static_ips[2], "10.147.17.131", 24));
		T_CHECK(list_has(json_object_get(mem, "ipAssignments"), "10.147.17.131"));
	}

	t_case(
	    "ipam: an ipAssignment outside every route is kept, not sent, and the pool still runs");
	json_decref(mem);
	// Outside every route: kept, not sent, and not "a managed IPv4" (the pool still runs).
	mem = doc("{\"ipAssignments\":[\"192.168.99.1\"]}");
	if (build(nwid, addr, net, mem, NULL, true) == WEFT_OK) {
		T_CHECK_MSG(nc.n_static_ips == 3, "%u static IPs", nc.n_static_ips);
		for (unsigned i = 0; i < nc.n_static_ips; i++)
			T_CHECK(!ip_is(&nc.static_ips[i], "192.168.99.1", nc.static_ips[i].port));
		T_CHECK(ip_is(&nc.static_ips[2], "10.147.17.130", 24));
		T_CHECK(list_has(json_object_get(mem, "ipAssignments"), "192.168.99.1"));
		T_CHECK(json_array_size(json_object_get(mem, "ipAssignments")) == 2);
	}

	t_case("ipam: noAutoAssignIps: no rfc4193/6plane, no pool; in-route assignments still go");
	json_decref(mem);
	mem =
	    doc("{\"noAutoAssignIps\":true,\"ipAssignments\":[\"10.147.17.9\",\"192.168.99.1\"]}");
	if (build(nwid, addr, net, mem, NULL, true) == WEFT_OK) {
		T_CHECK_MSG(nc.n_static_ips == 1, "%u static IPs", nc.n_static_ips);
		T_CHECK(ip_is(&nc.static_ips[0], "10.147.17.9", 24));
		T_CHECK(nc.flags == WEFT_NETCONF_F_ENABLE_BROADCAST);
		T_CHECK(json_array_size(json_object_get(mem, "ipAssignments")) == 2);
	}
	json_decref(taken);
	json_decref(mem);
	json_decref(net);
	free(exp);
}

static void pool_rules(void)
{
	const uint64_t nwid = 0x1122334455000001ULL;
	t_case("ipam: a pool candidate ending in .255 is skipped; the pool takes the first route");
	// len = 16; low 32 bits of the address = 5 → first candidate 10.0.0.255, then 10.0.1.0.
	json_t *net = doc("{\"v4AssignMode\":{\"zt\":true},"
	                  "\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.0.0.250\","
	                  "\"ipRangeEnd\":\"10.0.1.10\"}],"
	                  "\"routes\":[{\"target\":\"10.0.0.0/8\",\"via\":null},"
	                  "{\"target\":\"10.0.0.0/16\",\"via\":null}]}");
	json_t *mem = doc("{}");
	if (build(nwid, 0x1000000005ULL, net, mem, NULL, true) == WEFT_OK) {
		T_CHECK_MSG(nc.n_static_ips == 1, "%u static IPs", nc.n_static_ips);
		T_CHECK(ip_is(&nc.static_ips[0], "10.0.1.0", 8));
		T_CHECK(nc.flags == WEFT_NETCONF_F_ENABLE_BROADCAST);
	}

	t_case("ipam: a listed address goes out with its longest route's prefix");
	json_decref(mem);
	mem = doc("{\"ipAssignments\":[\"10.0.3.3\"]}");
	if (build(nwid, 0x1000000005ULL, net, mem, NULL, true) == WEFT_OK) {
		T_CHECK_MSG(nc.n_static_ips == 1, "%u static IPs", nc.n_static_ips);
		T_CHECK(ip_is(&nc.static_ips[0], "10.0.3.3", 16));
	}
	json_decref(mem);
	json_decref(net);

	t_case("ipam: a single-address pool (S = E) gives S; E is otherwise never chosen");
	net = doc(
	    "{\"v4AssignMode\":{\"zt\":true},"
	    "\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.9.9.9\",\"ipRangeEnd\":\"10.9.9.9\"},"
	    "{\"ipRangeStart\":\"10.9.8.1\",\"ipRangeEnd\":\"10.9.8.2\"}],"
	    "\"routes\":[{\"target\":\"10.9.0.0/16\",\"via\":null}]}");
	mem = doc("{}");
	json_t *taken = doc("{\"10.9.9.9\":\"0000000001\"}");
	if (build(nwid, 0x1000000005ULL, net, mem, NULL, true) == WEFT_OK)
		T_CHECK(nc.n_static_ips == 1 && ip_is(&nc.static_ips[0], "10.9.9.9", 16));
	json_decref(mem);
	mem = doc("{}");
	// 10.9.9.9 taken: the second pool (len 1) can only ever give 10.9.8.1.
	if (build(nwid, 0x1000000006ULL, net, mem, taken, true) == WEFT_OK)
		T_CHECK(nc.n_static_ips == 1 && ip_is(&nc.static_ips[0], "10.9.8.1", 16));
	json_decref(taken);
	json_decref(mem);
	json_decref(net);

	t_case("ipam: IPv6 pool trial 0 is start + member address; a route with a via gives none");
	net = doc("{\"v6AssignMode\":{\"zt\":true},"
	          "\"ipAssignmentPools\":[{\"ipRangeStart\":\"fd00:1234:5678:9abc::\","
	          "\"ipRangeEnd\":\"fd00:1234:5678:9abc:ffff:ffff:ffff:ffff\"}],"
	          "\"routes\":[{\"target\":\"fd00:1234:5678:9abc::/64\",\"via\":null}]}");
	mem = doc("{}");
	if (build(nwid, 0xc11a9e21b7ULL, net, mem, NULL, true) == WEFT_OK) {
		T_CHECK_MSG(nc.n_static_ips == 1, "%u static IPs", nc.n_static_ips);
		T_CHECK(ip_is(&nc.static_ips[0], "fd00:1234:5678:9abc::c1:1a9e:21b7", 64));
		T_CHECK(list_has(json_object_get(mem, "ipAssignments"),
		                 "fd00:1234:5678:9abc::c1:1a9e:21b7"));
		T_CHECK(nc.flags == WEFT_NETCONF_F_ENABLE_BROADCAST); // a pool address is not 0x04
	}
	json_decref(mem);
	json_decref(net);
	net = doc("{\"v6AssignMode\":{\"zt\":true},"
	          "\"ipAssignmentPools\":[{\"ipRangeStart\":\"fd00:1234:5678:9abc::\","
	          "\"ipRangeEnd\":\"fd00:1234:5678:9abc:ffff:ffff:ffff:ffff\"}],"
	          "\"routes\":[{\"target\":\"fd00:1234:5678:9abc::/64\",\"via\":\"fd00::1\"}]}");
	mem = doc("{}");
	if (build(nwid, 0xc11a9e21b7ULL, net, mem, NULL, true) == WEFT_OK) {
		T_CHECK_MSG(nc.n_static_ips == 0, "%u static IPs", nc.n_static_ips);
		T_CHECK(json_array_size(json_object_get(mem, "ipAssignments")) == 0);
	}
	json_decref(mem);
	json_decref(net);
}

static void stored_values(void)
{
	static const struct {
		const char *net;
		int64_t ctmd;
		uint32_t mtu;
	} v[] = {
	    {"{}", 1800000, 2800},
	    {"{\"certificateTimeoutWindowSize\":1000,\"mtu\":100}", 300000, 1280},
	    {"{\"certificateTimeoutWindowSize\":600000,\"mtu\":9000}", 600000, 9000},
	    {"{\"certificateTimeoutWindowSize\":99999999,\"mtu\":20000}", 7200000, 10000},
	};
	t_case("build: ctmd from certificateTimeoutWindowSize clamped to [300000, 7200000]; MTU to "
	       "[1280, 10000]");
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		json_t *net = doc(v[i].net), *mem = doc("{}");
		if (build(0x1122334455000001ULL, 0x1000000005ULL, net, mem, NULL, true) ==
		    WEFT_OK) {
			T_CHECK_MSG(nc.credential_time_max_delta_ms == v[i].ctmd, "%s: ctmd %lld",
			            v[i].net, (long long)nc.credential_time_max_delta_ms);
			T_CHECK_MSG(nc.mtu == v[i].mtu, "%s: mtu %u", v[i].net, nc.mtu);
			T_CHECK(weft_com_value(&nc.com, WEFT_COM_Q_TIMESTAMP) == 1700000000000ULL);
			T_CHECK((int64_t)nc.com.q[0].max_delta == v[i].ctmd);
		}
		json_decref(mem);
		json_decref(net);
	}

	t_case("build: tt/tl: the member's 10-character target first (its level is always 0), "
	       "else the network's");
	{
		json_t *tn = doc("{\"remoteTraceTarget\":\"00000000aa\",\"remoteTraceLevel\":10}");
		json_t *tm = doc("{\"remoteTraceTarget\":\"00000000bb\",\"remoteTraceLevel\":15}");
		if (build(0x1122334455000001ULL, 0x1000000005ULL, tn, tm, NULL, true) == WEFT_OK)
			// §9.11: the member's remoteTraceLevel is re-defaulted to 0 on every load
			T_CHECK_MSG(nc.remote_trace_target == 0xbb && nc.remote_trace_level == 0,
			            "tt %llx tl %llu", (unsigned long long)nc.remote_trace_target,
			            (unsigned long long)nc.remote_trace_level);
		json_decref(tm);
		tm = doc("{\"remoteTraceTarget\":\"bb\"}");
		if (build(0x1122334455000001ULL, 0x1000000005ULL, tn, tm, NULL, true) == WEFT_OK)
			T_CHECK(nc.remote_trace_target == 0xaa && nc.remote_trace_level == 10);
		json_decref(tm);
		json_decref(tn);
	}

	t_case("build: without revr one ACCEPT rule and no capabilities or tags");
	json_t *net = doc("{\"rules\":[{\"type\":\"ACTION_DROP\"}],"
	                  "\"capabilities\":[{\"id\":1,\"default\":true,\"rules\":[]}],"
	                  "\"tags\":[{\"id\":3,\"default\":7}]}");
	json_t *mem = doc("{\"capabilities\":[1],\"tags\":[[3,1]]}");
	if (build(0x1122334455000001ULL, 0x1000000005ULL, net, mem, NULL, false) == WEFT_OK) {
		T_CHECK(nc.n_rules == 1 && nc.rules[0].t == WEFT_RULE_ACTION_ACCEPT);
		T_CHECK(nc.n_caps == 0 && nc.n_tags == 0);
	}
	if (build(0x1122334455000001ULL, 0x1000000005ULL, net, mem, NULL, true) == WEFT_OK) {
		T_CHECK(nc.n_rules == 1 && nc.rules[0].t == WEFT_RULE_ACTION_DROP);
		T_CHECK(nc.n_caps == 1 && nc.caps[0].n_rules == 0 && nc.n_tags == 1);
	}
	json_decref(mem);
	json_decref(net);
}

int main(void)
{
	t_init("unit/ipam");
	if (sodium_init() < 0 || weft_identity_generate(&signer, rnd, NULL) != WEFT_OK ||
	    weft_identity_generate(&member, rnd, NULL) != WEFT_OK) {
		t_case("ipam: setup");
		t_fail(__FILE__, __LINE__, "cannot make identities");
		return t_done();
	}
	member.has_secret = false;
	spec_example();
	pool_rules();
	stored_values();
	weft_identity_clear(&signer);
	return t_done();
}
