// SPDX-License-Identifier: MPL-2.0
// The embedded controller end to end (vl2.md §3, §4, §9): a sim host serves two networks from a
// file store; members ask over the wire and decode what arrives. Refusals, pushes on API
// changes, configuration contents, IP assignment, bridges, rate limit, identity pinning,
// revocations on deauthorization and deletion, and what the controller observes of members.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "inetaddr.h"
#include "netconf.h"
#include "node.h"
#include "simctl.h"
#include "simnet.h"
#include "t.h"
#include "vl2addr.h"
#include "world.h"

#define N_MEMBERS 5
#define FAKE_ID   0x0123456789abcdefULL // request ID of requests the test makes up

// What a 1.14.1 member sends (vl2.md §2.7 / §4.2), and one without the rules engine.
static const char meta_full[] = "v=7\nvend=1\npv=c\nmajv=1\nminv=e\nrevv=1\nmr=400\nmc=80\nmcr=40\n"
                                "mt=80\nf=0\nrevr=1";
static const char meta_norules[] = "v=7\nvend=1\npv=c\nmajv=1\nminv=e\nrevv=1";

static struct sim_net net;
static struct sim_host *root, *ctl, *m[N_MEMBERS];
static const struct weft_identity *ctl_id;
static struct sim_ctl *sc;
static struct weft_netconf *nc;
static uint8_t scratch[WEFT_DICT_CAP_NETCONF];

// What went out through the controller's callbacks, per member host.
static struct {
	unsigned answers, pushes, errors, last_error;
	int64_t last_request_ms; // when the controller got its last request (any network)
	char phys[64];           // last physical address the node reported, "" if none
	char ident[160];         // its public identity text
} seen[N_MEMBERS];
static unsigned fake_errors, fake_error_code, fake_configs;

#define MAX_CREDS 32
static struct {
	uint64_t to;
	size_t len;
	uint8_t p[64 + WEFT_REVOCATION_LEN];
} creds[MAX_CREDS];
static unsigned n_creds;

static int slot(uint64_t addr)
{
	for (int i = 0; i < N_MEMBERS; i++)
		if (m[i] && m[i]->address == addr)
			return i;
	return -1;
}

// The controller's sends, recorded before they go out; answers to requests the test made up
// (FAKE_ID) are counted and kept off the wire.
static bool on_send_config(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id)
{
	int i = slot(member);
	(void)ctx, (void)nwid;
	if (request_id == FAKE_ID) {
		fake_configs++;
		return false;
	}
	if (i >= 0) {
		seen[i].answers += request_id != 0;
		seen[i].pushes += request_id == 0;
	}
	return true;
}

static bool on_send_error(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id,
                          unsigned code)
{
	int i = slot(member);
	(void)ctx, (void)nwid;
	if (request_id == FAKE_ID) {
		fake_errors++;
		fake_error_code = code;
		return false;
	}
	if (i >= 0)
		seen[i].errors++, seen[i].last_error = code;
	return true;
}

static bool on_send_credentials(void *ctx, uint64_t member, const void *payload, size_t len)
{
	(void)ctx;
	if (n_creds < MAX_CREDS && len <= sizeof creds[0].p) {
		creds[n_creds].to = member;
		creds[n_creds].len = len;
		memcpy(creds[n_creds].p, payload, len);
		n_creds++;
	}
	return true;
}

// A request as the controller's host received it: when, and from which physical address.
static void on_request(void *ctx, const struct weft_config_request *r, int64_t now_ms)
{
	int i = slot(r->requester);
	(void)ctx;
	if (i >= 0) {
		seen[i].last_request_ms = now_ms;
		if (r->physical)
			weft_inetaddr_to_string(r->physical, seen[i].phys, sizeof seen[i].phys);
	}
}

static const struct sim_ctl_hooks hooks = {
    .config = on_send_config,
    .error = on_send_error,
    .credentials = on_send_credentials,
    .request = on_request,
};

static void run(int64_t ms)
{
	sim_run_until(&net, net.now_ms + ms);
}

// One request from member i, then enough time for the answer (and past the 1 s rate limit).
static void ask(int i, uint64_t nwid, const char *meta)
{
	T_CHECK(weft_node_request_config(m[i]->node, net.now_ms, nwid, meta, strlen(meta)) ==
	        WEFT_OK);
	run(1500);
}

// Decodes member i's last configuration into nc.
static bool decode(int i)
{
	struct weft_dict d;
	if (!m[i]->config)
		return false;
	weft_dict_view(&d, m[i]->config, m[i]->config_len);
	enum weft_result r = weft_netconf_decode(nc, &d, scratch, sizeof scratch);
	T_CHECK_MSG(r == WEFT_OK, "member %d: config does not decode (%d)", i, r);
	return r == WEFT_OK;
}

static json_int_t network_revision(uint64_t nwid)
{
	return json_integer_value(
	    json_object_get(weft_controller_network(sc->c, nwid), "revision"));
}

static bool is_ip(const struct weft_inetaddr *a, const char *text, unsigned bits)
{
	struct weft_inetaddr e;
	return weft_inetaddr_from_string(&e, text) && a->family == e.family &&
	       !memcmp(a->ip, e.ip, e.family == WEFT_INET_V4 ? 4 : 16) && a->port == bits;
}

// The member's IPv4 in nc (0 if none).
static uint32_t v4_of_config(void)
{
	for (unsigned i = 0; i < nc->n_static_ips; i++)
		if (nc->static_ips[i].family == WEFT_INET_V4)
			return load_be32(nc->static_ips[i].ip);
	return 0;
}

// vl2.md §9.4 step 4 for the pool 10.147.17.1-254 inside 10.147.17.0/24, naively.
static uint32_t expect_v4(uint64_t addr, const uint32_t *taken, unsigned n_taken)
{
	const uint32_t s = 0x0a931101, e = 0x0a9311fe, len = e - s;
	uint32_t counter = (uint32_t)addr;
	for (uint32_t trial = 0; trial < 1000 && trial <= len; trial++) {
		uint32_t ip = s + counter % len;
		counter++;
		bool used = (ip & 0xff) == 0xff;
		for (unsigned k = 0; k < n_taken; k++)
			used |= taken[k] == ip;
		if (!used)
			return ip;
	}
	return 0;
}

static bool json_list_has(const json_t *list, const char *s)
{
	size_t i;
	const json_t *v;
	json_array_foreach (list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

static void v4_text(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

static uint64_t packets_in(int i)
{
	return sim_counter(m[i], "rx_packets");
}

// Checks one NETWORK_CREDENTIALS payload: 00 | 0000 | 0000 | 0001 | revocation | 0000.
static bool check_revocation(unsigned k, uint64_t nwid, uint64_t target, int64_t threshold)
{
	struct weft_rbuf r;
	struct weft_revocation rev;
	rbuf_init(&r, creds[k].p, creds[k].len);
	bool ok = rbuf_u8(&r) == 0 && rbuf_u16(&r) == 0 && rbuf_u16(&r) == 0 && rbuf_u16(&r) == 1;
	ok = ok && weft_revocation_decode(&rev, &r) == WEFT_OK && rbuf_u16(&r) == 0 && !r.bad &&
	     r.pos == creds[k].len;
	ok = ok && rev.nwid == nwid && rev.target == target && rev.type == WEFT_CREDENTIAL_COM &&
	     rev.credential_id == 0 && rev.threshold == threshold &&
	     rev.flags == WEFT_REVOCATION_FAST_PROPAGATE && rev.signed_by == ctl->address &&
	     weft_revocation_verify(&rev, weft_credential_lookup_one, (void *)ctl_id) ==
	         WEFT_VERIFY_OK;
	T_CHECK_MSG(ok, "credentials #%u to %010llx: not a good COM revocation of %010llx", k,
	            (unsigned long long)creds[k].to, (unsigned long long)target);
	return ok;
}

// Exactly one revocation of `target` went to each of the n addresses in `to`, since `from`.
static void check_revoked(unsigned from, uint64_t nwid, uint64_t target, int64_t threshold,
                          const uint64_t *to, unsigned n)
{
	unsigned got = 0;
	for (unsigned k = from; k < n_creds; k++) {
		struct weft_rbuf r;
		struct weft_revocation rev;
		rbuf_init(&r, creds[k].p + 7, creds[k].len > 7 ? creds[k].len - 7 : 0);
		if (weft_revocation_decode(&rev, &r) != WEFT_OK || rev.target != target)
			continue;
		check_revocation(k, nwid, target, threshold);
		bool expected = false;
		for (unsigned i = 0; i < n; i++)
			expected |= to[i] == creds[k].to;
		T_CHECK_MSG(expected, "revocation of %010llx sent to %010llx",
		            (unsigned long long)target, (unsigned long long)creds[k].to);
		got++;
	}
	T_CHECK_MSG(got == n, "revocation of %010llx sent %u times, expected %u",
	            (unsigned long long)target, got, n);
}

static uint64_t nwid_priv, nwid_pub;
static uint32_t v4_m0, v4_m1;

static void create_networks(void)
{
	nwid_priv = ctl->address << 24 | 0x000001;
	nwid_pub = ctl->address << 24 | 0x000002;
	sim_ctl_network(
	    sc, nwid_priv,
	    "{\"name\":\"private net\",\"mtu\":20000,"
	    "\"v4AssignMode\":{\"zt\":true},\"v6AssignMode\":{\"rfc4193\":true,\"6plane\":true},"
	    "\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.147.17.1\",\"ipRangeEnd\":\"10.147.17."
	    "254\"}],"
	    "\"routes\":[{\"target\":\"10.147.17.0/24\",\"via\":null},"
	    "{\"target\":\"192.168.50.0/24\",\"via\":\"10.147.17.1\"}],"
	    "\"rules\":[{\"type\":\"MATCH_ETHERTYPE\",\"not\":true,\"or\":false,\"etherType\":2048}"
	    ","
	    "{\"type\":\"ACTION_DROP\",\"not\":false,\"or\":false},"
	    "{\"type\":\"ACTION_ACCEPT\",\"not\":false,\"or\":false}],"
	    "\"capabilities\":[{\"id\":1,\"default\":false,\"rules\":[{\"type\":\"ACTION_ACCEPT\"}]"
	    "},"
	    "{\"id\":2,\"default\":true,\"rules\":[{\"type\":\"ACTION_DROP\"}]}],"
	    "\"tags\":[{\"id\":3,\"default\":7},{\"id\":5,\"default\":1},{\"id\":9,\"default\":"
	    "null}],"
	    "\"dns\":{\"domain\":\"weft.test\",\"servers\":[\"10.147.17.53\",\"fd00::53\","
	    "\"bogus\"]}}");
	sim_ctl_network(sc, nwid_pub,
	                "{\"name\":\"public net\",\"private\":false,\"enableBroadcast\":false,"
	                "\"multicastLimit\":7,\"v6AssignMode\":{\"zt\":true},"
	                "\"ipAssignmentPools\":[{\"ipRangeStart\":\"fd00:1234:5678:9abc::\","
	                "\"ipRangeEnd\":\"fd00:1234:5678:9abc:ffff:ffff:ffff:ffff\"}],"
	                "\"routes\":[{\"target\":\"fd00:1234:5678:9abc::/64\",\"via\":null}],"
	                "\"capabilities\":[{\"id\":2,\"default\":true,\"rules\":[]},"
	                "{\"id\":4,\"default\":false,\"rules\":[]}]}");
}

static void case_refused_then_pushed(void)
{
	t_case("controller: an unknown member of a private network is refused (7) and pinned");
	ask(0, nwid_priv, meta_full);
	T_CHECK_MSG(m[0]->n_config_errors == 1 && m[0]->config_error == 7 && m[0]->n_configs == 0,
	            "%u errors (last %u), %u configs", m[0]->n_config_errors, m[0]->config_error,
	            m[0]->n_configs);
	const json_t *rec = weft_controller_member(sc->c, nwid_priv, m[0]->address);
	T_CHECK(rec != NULL);
	T_CHECK(json_is_false(json_object_get(rec, "authorized")));
	const char *ident = json_string_value(json_object_get(rec, "identity"));
	T_CHECK_MSG(ident && !strcmp(ident, seen[0].ident), "identity %s", ident ? ident : "none");
	T_CHECK(json_integer_value(json_object_get(rec, "revision")) == 1);

	t_case("controller: authorizing through the API pushes a config at once (NETWORK_CONFIG)");
	unsigned answers = seen[0].answers;
	// Member 0 also gets tag 5 (overriding the default 1) and capabilities 1 and 99 (unknown).
	sim_ctl_member(sc, nwid_priv, m[0]->address,
	               "{\"authorized\":true,\"tags\":[[5,50]],\"capabilities\":[1,99]}");
	T_CHECK_MSG(seen[0].pushes == 1, "%u pushes", seen[0].pushes);
	run(1500);
	T_CHECK_MSG(m[0]->n_configs == 1 && m[0]->config_network == nwid_priv, "%u configs",
	            m[0]->n_configs);
	T_CHECK(seen[0].answers == answers && m[0]->n_config_errors == 1);
	T_CHECK(sim_counter(m[0], "drop_config_signature") == 0);
}

static void case_contents(int64_t pushed_at)
{
	t_case("controller: the pushed config carries the network as 1.14 issues it (§9.3)");
	if (!decode(0))
		return;
	struct weft_dict d;
	weft_dict_view(&d, m[0]->config, m[0]->config_len);
	T_CHECK(weft_dict_get_u64(&d, "v", 0) == 7);
	T_CHECK(nc->nwid == nwid_priv && nc->issued_to == m[0]->address);
	T_CHECK_MSG(nc->timestamp_ms == pushed_at, "ts %lld", (long long)nc->timestamp_ms);
	T_CHECK(nc->credential_time_max_delta_ms == 1800000);
	T_CHECK_MSG((json_int_t)nc->revision == network_revision(nwid_priv), "r %llu",
	            (unsigned long long)nc->revision);
	T_CHECK(nc->type == WEFT_NETCONF_PRIVATE);
	T_CHECK(nc->mtu == 10000 && nc->multicast_limit == 32);
	T_CHECK(!strcmp(nc->name, "private net"));
	T_CHECK_MSG(nc->flags == (WEFT_NETCONF_F_ENABLE_BROADCAST |
	                          WEFT_NETCONF_F_ENABLE_IPV6_NDP_EMULATION),
	            "flags %llx", (unsigned long long)nc->flags);
	T_CHECK(nc->remote_trace_target == 0 && nc->n_specialists == 0);

	t_case("controller: COM signed by the controller, stamped ts, seven qualifiers");
	T_CHECK(nc->has_com && nc->com.n_q == 7);
	T_CHECK(weft_com_verify(&nc->com, weft_credential_lookup_one, (void *)ctl_id) ==
	        WEFT_VERIFY_OK);
	T_CHECK((int64_t)weft_com_value(&nc->com, WEFT_COM_Q_TIMESTAMP) == nc->timestamp_ms);
	T_CHECK(weft_com_value(&nc->com, WEFT_COM_Q_NETWORK_ID) == nwid_priv);
	T_CHECK(weft_com_value(&nc->com, WEFT_COM_Q_ISSUED_TO) == m[0]->address);
	T_CHECK((int64_t)nc->com.q[0].max_delta == nc->credential_time_max_delta_ms);

	t_case("controller: tags = member's plus network defaults, ascending, signed at ts");
	T_CHECK_MSG(nc->n_tags == 2, "%u tags", nc->n_tags);
	if (nc->n_tags == 2) {
		T_CHECK(nc->tags[0].id == 3 && nc->tags[0].value == 7);
		T_CHECK(nc->tags[1].id == 5 && nc->tags[1].value == 50);
	}
	for (unsigned i = 0; i < nc->n_tags; i++) {
		T_CHECK(nc->tags[i].timestamp == nc->timestamp_ms);
		T_CHECK(nc->tags[i].issued_to == m[0]->address && nc->tags[i].nwid == nwid_priv);
		T_CHECK(weft_tag_verify(&nc->tags[i], weft_credential_lookup_one, (void *)ctl_id) ==
		        WEFT_VERIFY_OK);
	}
	const json_t *rec = weft_controller_member(sc->c, nwid_priv, m[0]->address);
	T_CHECK_MSG(json_array_size(json_object_get(rec, "tags")) == 2,
	            "member record has %zu tags", json_array_size(json_object_get(rec, "tags")));

	t_case(
	    "controller: capabilities = member's that exist; no defaults for an API-made member");
	T_CHECK_MSG(nc->n_caps == 1, "%u capabilities", nc->n_caps);
	if (nc->n_caps == 1) {
		T_CHECK(nc->caps[0].id == 1 && nc->caps[0].n_rules == 1);
		T_CHECK(nc->caps[0].timestamp == nc->timestamp_ms);
		T_CHECK(weft_cap_issued_to(&nc->caps[0]) == m[0]->address);
		T_CHECK(weft_cap_verify(&nc->caps[0], weft_credential_lookup_one, (void *)ctl_id) ==
		        WEFT_VERIFY_OK);
	}

	t_case("controller: COO with every static IP; routes; DNS; the network's rules");
	T_CHECK(nc->n_static_ips == 3);
	T_CHECK(nc->n_coos == 1 && nc->coos[0].id == 1 &&
	        nc->coos[0].timestamp == nc->timestamp_ms);
	if (nc->n_coos == 1) {
		T_CHECK(nc->coos[0].n_things == nc->n_static_ips);
		for (unsigned i = 0; i < nc->n_static_ips; i++)
			T_CHECK(weft_coo_owns_ip(&nc->coos[0], &nc->static_ips[i]));
		T_CHECK(weft_coo_verify(&nc->coos[0], weft_credential_lookup_one, (void *)ctl_id) ==
		        WEFT_VERIFY_OK);
	}
	T_CHECK(nc->n_routes == 2);
	if (nc->n_routes == 2) {
		T_CHECK(is_ip(&nc->routes[0].target, "10.147.17.0", 24));
		T_CHECK(nc->routes[0].via.family == WEFT_INET_NONE);
		T_CHECK(is_ip(&nc->routes[1].target, "192.168.50.0", 24));
		T_CHECK(is_ip(&nc->routes[1].via, "10.147.17.1", 0));
	}
	T_CHECK(!strcmp(nc->dns.domain, "weft.test"));
	T_CHECK(is_ip(&nc->dns.servers[0], "10.147.17.53", 0));
	T_CHECK(is_ip(&nc->dns.servers[1], "fd00::53", 0));
	T_CHECK(nc->dns.servers[2].family == WEFT_INET_NONE &&
	        nc->dns.servers[3].family == WEFT_INET_NONE);
	T_CHECK_MSG(nc->n_rules == 3, "%u rules", nc->n_rules);
	if (nc->n_rules == 3) {
		T_CHECK(nc->rules[0].t == (WEFT_RULE_MATCH_ETHERTYPE | WEFT_RULE_NOT) &&
		        nc->rules[0].v.ethertype == 0x0800);
		T_CHECK(nc->rules[1].t == WEFT_RULE_ACTION_DROP);
		T_CHECK(nc->rules[2].t == WEFT_RULE_ACTION_ACCEPT);
	}
}

static void case_ipam(void)
{
	char text[16];
	uint8_t ip6[16];
	t_case("controller: rfc4193 /88 and 6plane /40 are the member's own (§1.5)");
	if (!decode(0))
		return;
	weft_vl2_rfc4193(ip6, nwid_priv, m[0]->address);
	T_CHECK(nc->static_ips[0].family == WEFT_INET_V6 && nc->static_ips[0].port == 88 &&
	        !memcmp(nc->static_ips[0].ip, ip6, 16));
	weft_vl2_6plane(ip6, nwid_priv, m[0]->address);
	T_CHECK(nc->static_ips[1].family == WEFT_INET_V6 && nc->static_ips[1].port == 40 &&
	        !memcmp(nc->static_ips[1].ip, ip6, 16));

	t_case("controller: the IPv4 pool address is S + (address mod (E - S)), /24 (§9.4)");
	v4_m0 = v4_of_config();
	T_CHECK_MSG(v4_m0 == expect_v4(m[0]->address, NULL, 0), "got %08x expected %08x", v4_m0,
	            expect_v4(m[0]->address, NULL, 0));
	T_CHECK(nc->static_ips[2].port == 24);
	v4_text(v4_m0, text);
	const json_t *rec = weft_controller_member(sc->c, nwid_priv, m[0]->address);
	T_CHECK(json_list_has(json_object_get(rec, "ipAssignments"), text));

	t_case("controller: an address another member holds is skipped; no two members share one");
	// A member made through the API holds member 1's first candidate.
	uint32_t first = expect_v4(m[1]->address, &v4_m0, 1);
	char body[96];
	v4_text(first, text);
	snprintf(body, sizeof body, "{\"ipAssignments\":[\"%s\"]}", text);
	sim_ctl_member(sc, nwid_priv, 0x0a0a0a0a0aULL, body);
	sim_ctl_member(sc, nwid_priv, m[1]->address, "{\"authorized\":true}");
	T_CHECK(seen[1].pushes == 0); // never asked: nothing to push to
	ask(1, nwid_priv, meta_full);
	T_CHECK(m[1]->n_configs == 1);
	if (decode(1)) {
		uint32_t taken[2] = {v4_m0, first};
		v4_m1 = v4_of_config();
		T_CHECK_MSG(v4_m1 == expect_v4(m[1]->address, taken, 2) && v4_m1 != first &&
		                v4_m1 != v4_m0,
		            "got %08x, first candidate %08x", v4_m1, first);
		// created through the API before its first request: no default capability 2
		T_CHECK(nc->n_caps == 0 && nc->n_tags == 2);
	}

	t_case("controller: an ipAssignment outside every route stays in the record, is not sent");
	char mine[16];
	v4_text(v4_m0, mine);
	snprintf(body, sizeof body, "{\"ipAssignments\":[\"%s\",\"192.168.99.1\"]}", mine);
	unsigned configs = m[0]->n_configs;
	sim_ctl_member(sc, nwid_priv, m[0]->address, body);
	run(1500);
	T_CHECK(m[0]->n_configs == configs + 1);
	if (decode(0)) {
		T_CHECK(nc->n_static_ips == 3 && v4_of_config() == v4_m0);
		for (unsigned i = 0; i < nc->n_static_ips; i++)
			T_CHECK(!is_ip(&nc->static_ips[i], "192.168.99.1", nc->static_ips[i].port));
	}
	rec = weft_controller_member(sc->c, nwid_priv, m[0]->address);
	T_CHECK(json_list_has(json_object_get(rec, "ipAssignments"), "192.168.99.1"));

	t_case("controller: noAutoAssignIps; metadata without revr gets one ACCEPT, no caps/tags");
	sim_ctl_member(
	    sc, nwid_priv, m[4]->address,
	    "{\"authorized\":true,\"noAutoAssignIps\":true,"
	    "\"ipAssignments\":[\"10.147.17.77\"],\"capabilities\":[1],\"tags\":[[3,3]]}");
	ask(4, nwid_priv, meta_norules);
	T_CHECK(m[4]->n_configs == 1);
	if (decode(4)) {
		T_CHECK_MSG(nc->n_static_ips == 1 && is_ip(&nc->static_ips[0], "10.147.17.77", 24),
		            "%u static IPs", nc->n_static_ips);
		T_CHECK(nc->flags == WEFT_NETCONF_F_ENABLE_BROADCAST);
		T_CHECK(nc->n_rules == 1 && nc->rules[0].t == WEFT_RULE_ACTION_ACCEPT);
		T_CHECK(nc->n_caps == 0 && nc->n_tags == 0);
		T_CHECK(nc->n_coos == 1 && nc->coos[0].n_things == 1);
	}

	t_case("controller: public network: authorized at once, default capability, IPv6 pool");
	ask(2, nwid_pub, meta_full);
	T_CHECK(m[2]->n_configs == 1 && m[2]->n_config_errors == 0);
	rec = weft_controller_member(sc->c, nwid_pub, m[2]->address);
	T_CHECK(json_is_true(json_object_get(rec, "authorized")));
	const char *how = json_string_value(json_object_get(rec, "lastAuthorizedCredentialType"));
	T_CHECK(how && !strcmp(how, "public"));
	if (decode(2)) {
		T_CHECK(nc->type == WEFT_NETCONF_PUBLIC && nc->flags == 0 &&
		        nc->multicast_limit == 7);
		T_CHECK_MSG(nc->n_caps == 1 && nc->caps[0].id == 2, "%u caps", nc->n_caps);
		T_CHECK(nc->n_static_ips == 1);
		struct weft_inetaddr want = {.family = WEFT_INET_V6, .port = 64};
		weft_inetaddr_from_string(&want, "fd00:1234:5678:9abc::");
		store_be64(want.ip + 8, m[2]->address);
		T_CHECK(nc->static_ips[0].family == WEFT_INET_V6 && nc->static_ips[0].port == 64 &&
		        !memcmp(nc->static_ips[0].ip, want.ip, 16));
	}

	t_case("controller: public network, member made through the API first: no default caps");
	sim_ctl_member(sc, nwid_pub, m[3]->address, "{\"name\":\"three\"}");
	ask(3, nwid_pub, meta_full);
	T_CHECK(m[3]->n_configs == 1);
	if (decode(3))
		T_CHECK_MSG(nc->n_caps == 0, "%u caps", nc->n_caps);
}

static void case_bridges(void)
{
	t_case("controller: active bridges are in S, sorted, authorized or not");
	sim_ctl_member(sc, nwid_priv, m[2]->address, "{\"activeBridge\":true}");
	sim_ctl_member(sc, nwid_priv, m[3]->address, "{\"activeBridge\":true}");
	uint64_t a = m[2]->address, b = m[3]->address;
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
	ask(0, nwid_priv, meta_full);
	if (decode(0)) {
		T_CHECK_MSG(nc->n_specialists == 2, "%u specialists", nc->n_specialists);
		T_CHECK(nc->specialists[0] == (WEFT_NETCONF_SPECIALIST_ACTIVE_BRIDGE | lo));
		T_CHECK(nc->specialists[1] == (WEFT_NETCONF_SPECIALIST_ACTIVE_BRIDGE | hi));
	}
	T_CHECK(!json_is_true(json_object_get(
	    weft_controller_member(sc->c, nwid_priv, m[2]->address), "authorized")));
}

static void case_rate_limit(void)
{
	uint64_t ans0, ref0, drop0, ans1, ref1, drop1;
	t_case("controller: two requests within 1000 ms: one answered, one dropped");
	weft_controller_counts(sc->c, &ans0, &ref0, &drop0);
	unsigned configs = m[1]->n_configs;
	T_CHECK(weft_node_request_config(m[1]->node, net.now_ms, nwid_priv, meta_full,
	                                 strlen(meta_full)) == WEFT_OK);
	run(300);
	T_CHECK(weft_node_request_config(m[1]->node, net.now_ms, nwid_priv, meta_full,
	                                 strlen(meta_full)) == WEFT_OK);
	run(1500);
	weft_controller_counts(sc->c, &ans1, &ref1, &drop1);
	T_CHECK_MSG(ans1 == ans0 + 1 && drop1 == drop0 + 1 && ref1 == ref0,
	            "answered +%llu, dropped +%llu, refused +%llu",
	            (unsigned long long)(ans1 - ans0), (unsigned long long)(drop1 - drop0),
	            (unsigned long long)(ref1 - ref0));
	T_CHECK(m[1]->n_configs == configs + 1);

	t_case("controller: a request for a network another node controls is dropped silently");
	struct weft_ctl_request q = {
	    .nwid = m[1]->address << 24 | 1,
	    .member = m[1]->address,
	    .request_id = FAKE_ID,
	    .identity = seen[1].ident,
	    .metadata = meta_full,
	    .metadata_len = strlen(meta_full),
	};
	weft_controller_request(sc->c, &q, net.now_ms);
	weft_controller_counts(sc->c, &ans0, &ref0, &drop0);
	T_CHECK(drop0 == drop1 + 1 && ans0 == ans1 && ref0 == ref1);
	T_CHECK(fake_errors == 0 && fake_configs == 0);
}

static void case_collision(void)
{
	t_case("controller: another identity claiming a member's address is refused (7)");
	char fake[160];
	snprintf(fake, sizeof fake, "%s", seen[3].ident); // member 3's key, member 0's address
	memcpy(fake, seen[0].ident, 10);
	json_t *before = json_deep_copy(weft_controller_member(sc->c, nwid_priv, m[0]->address));
	struct weft_ctl_request q = {
	    .nwid = nwid_priv,
	    .member = m[0]->address,
	    .request_id = FAKE_ID,
	    .identity = fake,
	    .metadata = meta_full,
	    .metadata_len = strlen(meta_full),
	};
	weft_controller_request(sc->c, &q, net.now_ms);
	T_CHECK_MSG(fake_errors == 1 && fake_error_code == 7 && fake_configs == 0,
	            "%u errors (code %u), %u configs", fake_errors, fake_error_code, fake_configs);
	T_CHECK(json_equal(before, weft_controller_member(sc->c, nwid_priv, m[0]->address)));
	json_decref(before);
	run(1500);
}

static void case_network_push(void)
{
	t_case("controller: a network change pushes to every online member: new name, r + 1");
	json_int_t rev = network_revision(nwid_priv);
	unsigned configs[N_MEMBERS], pushes[N_MEMBERS];
	for (int i = 0; i < N_MEMBERS; i++)
		configs[i] = m[i]->n_configs, pushes[i] = seen[i].pushes;
	sim_ctl_network(sc, nwid_priv, "{\"name\":\"renamed\"}");
	T_CHECK(network_revision(nwid_priv) == rev + 1);
	run(1500);
	static const int in[] = {0, 1, 4}; // authorized on the private network and online
	for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
		int i = in[k];
		T_CHECK_MSG(seen[i].pushes == pushes[i] + 1 && m[i]->n_configs == configs[i] + 1,
		            "member %d: %u pushes, %u configs", i, seen[i].pushes - pushes[i],
		            m[i]->n_configs - configs[i]);
		if (decode(i)) {
			T_CHECK(!strcmp(nc->name, "renamed"));
			T_CHECK((json_int_t)nc->revision == rev + 1);
		}
	}
	// Members 2 and 3 are not in (bridges, never asked here): nothing for them.
	T_CHECK(seen[2].pushes == pushes[2] && seen[3].pushes == pushes[3]);

	t_case("controller: an update that changes nothing pushes nothing");
	sim_ctl_member(sc, nwid_priv, m[1]->address, "{\"authorized\":true}");
	T_CHECK(seen[1].pushes == pushes[1] + 1);
}

static void case_revocations(void)
{
	unsigned from = n_creds;
	uint64_t before[N_MEMBERS];
	for (int i = 0; i < N_MEMBERS; i++)
		before[i] = packets_in(i);
	t_case("controller: deauthorizing revokes the member's COM at every online member");
	int64_t at = net.now_ms;
	sim_ctl_member(sc, nwid_priv, m[0]->address, "{\"authorized\":false}");
	uint64_t online[] = {m[0]->address, m[1]->address, m[4]->address};
	check_revoked(from, nwid_priv, m[0]->address, at, online, 3);
	T_CHECK(n_creds == from + 3);
	const json_t *rec = weft_controller_member(sc->c, nwid_priv, m[0]->address);
	T_CHECK(json_integer_value(json_object_get(rec, "lastDeauthorizedTime")) == at);
	run(1500);
	// NETWORK_CREDENTIALS reached them (these hosts never joined, so they only count it).
	T_CHECK(packets_in(0) > before[0] && packets_in(1) > before[1] &&
	        packets_in(4) > before[4]);

	t_case("controller: the deauthorized member's next request is refused (7)");
	unsigned errors = m[0]->n_config_errors, configs = m[0]->n_configs;
	ask(0, nwid_priv, meta_full);
	T_CHECK(m[0]->n_config_errors == errors + 1 && m[0]->config_error == 7);
	T_CHECK(m[0]->n_configs == configs);

	t_case("controller: deleting an authorized member revokes it");
	from = n_creds;
	at = net.now_ms;
	json_t *old = NULL;
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	T_CHECK(weft_controller_member_delete(sc->c, nwid_priv, m[4]->address, &old, at, why) ==
	        WEFT_OK);
	json_decref(old);
	check_revoked(from, nwid_priv, m[4]->address, at, online, 3);
	T_CHECK(weft_controller_member(sc->c, nwid_priv, m[4]->address) == NULL);
	// An unauthorized one is not revoked.
	from = n_creds;
	T_CHECK(weft_controller_member_delete(sc->c, nwid_priv, 0x0a0a0a0a0aULL, &old, at, why) ==
	        WEFT_OK);
	json_decref(old);
	T_CHECK(n_creds == from);

	t_case("controller: deleting a network revokes every authorized member");
	from = n_creds;
	at = net.now_ms;
	T_CHECK(weft_controller_network_delete(sc->c, nwid_pub, &old, at, why) == WEFT_OK);
	json_decref(old);
	uint64_t pub_online[] = {m[2]->address, m[3]->address};
	check_revoked(from, nwid_pub, m[2]->address, at, pub_online, 2);
	check_revoked(from, nwid_pub, m[3]->address, at, pub_online, 2);
	T_CHECK(n_creds == from + 4);
	T_CHECK(weft_controller_network(sc->c, nwid_pub) == NULL);
	run(1500);
	errors = m[2]->n_config_errors;
	ask(2, nwid_pub, meta_full);
	T_CHECK(m[2]->n_config_errors == errors + 1 && m[2]->config_error == 3);
}

static void case_observed(void)
{
	t_case("controller: observed: online, lastSeen, physical address, version 1.14.1");
	ask(1, nwid_priv, meta_full);
	json_t *d = json_deep_copy(weft_controller_member(sc->c, nwid_priv, m[1]->address));
	weft_controller_member_observed(sc->c, nwid_priv, m[1]->address, net.now_ms, d);
	T_CHECK(json_is_true(json_object_get(d, "online")));
	T_CHECK_MSG(json_integer_value(json_object_get(d, "lastSeen")) == seen[1].last_request_ms,
	            "lastSeen %lld, asked at %lld",
	            (long long)json_integer_value(json_object_get(d, "lastSeen")),
	            (long long)seen[1].last_request_ms);
	const char *v = json_string_value(json_object_get(d, "version"));
	T_CHECK_MSG(v && !strcmp(v, "1.14.1"), "version %s", v ? v : "null");
	const json_t *pa = json_object_get(d, "physicalAddress");
	if (seen[1].phys[0]) {
		struct weft_inetaddr a;
		T_CHECK(json_is_string(pa) && !strcmp(json_string_value(pa), seen[1].phys));
		T_CHECK(json_is_string(pa) &&
		        weft_inetaddr_from_string(&a, json_string_value(pa)) &&
		        a.family == WEFT_INET_V4 && !memcmp(a.ip, m[1]->outside.ip, 4));
	} else {
		T_CHECK(json_is_null(pa));
	}
	const json_t *rec = weft_controller_member(sc->c, nwid_priv, m[1]->address);
	T_CHECK(json_integer_value(json_object_get(rec, "vMajor")) == 1 &&
	        json_integer_value(json_object_get(rec, "vMinor")) == 14 &&
	        json_integer_value(json_object_get(rec, "vRev")) == 1 &&
	        json_integer_value(json_object_get(rec, "vProto")) == 12);
	json_decref(d);

	t_case("controller: observed: offline after 120 s of silence");
	run(121000);
	d = json_deep_copy(weft_controller_member(sc->c, nwid_priv, m[1]->address));
	weft_controller_member_observed(sc->c, nwid_priv, m[1]->address, net.now_ms, d);
	T_CHECK(json_is_false(json_object_get(d, "online")));
	T_CHECK(json_integer_value(json_object_get(d, "lastSeen")) == seen[1].last_request_ms);
	json_decref(d);
}

static void case_shared_ip(void)
{
	t_case("controller: an IP two records hold stays taken when one of them is deleted");
	// §9.4: "assigned to any member" is the union of every member's ipAssignments.
	uint32_t taken[2] = {v4_m0, v4_m1};
	uint32_t x = expect_v4(m[3]->address, taken, 2);
	char text[16], body[96], why[WEFT_CONTROLLER_WHY_MAX] = "";
	v4_text(x, text);
	snprintf(body, sizeof body, "{\"ipAssignments\":[\"%s\"]}", text);
	sim_ctl_member(sc, nwid_priv, 0x0b0b0b0b0bULL, body);
	sim_ctl_member(sc, nwid_priv, 0x0c0c0c0c0cULL, body);
	json_t *old = NULL;
	T_CHECK(weft_controller_member_delete(sc->c, nwid_priv, 0x0c0c0c0c0cULL, &old, net.now_ms,
	                                      why) == WEFT_OK);
	json_decref(old);
	sim_ctl_member(sc, nwid_priv, m[3]->address, "{\"authorized\":true}");
	unsigned configs = m[3]->n_configs;
	ask(3, nwid_priv, meta_full);
	T_CHECK(m[3]->n_configs == configs + 1);
	if (decode(3))
		T_CHECK_MSG(v4_of_config() != x,
		            "member 3 got %s, which member 0b0b0b0b0b still holds", text);
}

static void case_stored_ctmd(void)
{
	t_case("controller: certificateTimeoutWindowSize and mtu from the stored file are clamped");
	// The API cannot set certificateTimeoutWindowSize (§9.10): edit the file and reload.
	char path[512];
	snprintf(path, sizeof path, "%s/network/%016llx.json", sc->dir,
	         (unsigned long long)nwid_priv);
	sim_ctl_close(sc);
	json_t *net_doc = json_load_file(path, 0, NULL);
	T_CHECK(net_doc != NULL);
	if (!net_doc)
		return;
	json_object_set_new(net_doc, "certificateTimeoutWindowSize", json_integer(1000));
	json_object_set_new(net_doc, "mtu", json_integer(100));
	T_CHECK(json_dump_file(net_doc, path, 0) == 0);
	json_decref(net_doc);
	T_CHECK(sim_ctl_open(sc) == WEFT_OK);
	if (!sc->c)
		return;
	unsigned configs = m[1]->n_configs;
	ask(1, nwid_priv, meta_full);
	T_CHECK(m[1]->n_configs == configs + 1);
	if (decode(1)) {
		T_CHECK_MSG(nc->credential_time_max_delta_ms == 300000, "ctmd %lld",
		            (long long)nc->credential_time_max_delta_ms);
		T_CHECK(nc->mtu == 1280);
		T_CHECK((int64_t)nc->com.q[0].max_delta == 300000);
		T_CHECK(v4_of_config() == v4_m1); // the assignment survived the reload
	}
}

int main(void)
{
	uint8_t planet[WEFT_WORLD_MAX_LEN];
	t_init("sim/controller");
	nc = malloc(sizeof *nc);
	if (!nc) {
		t_case("controller: setup");
		t_fail(__FILE__, __LINE__, "no memory");
		return t_done();
	}
	sim_init(&net, 11, 10, 5, 0);
	root = sim_add_host(&net, SIM_NAT_NONE, NULL, 0);
	size_t plen = sim_make_planet(root, planet, sizeof planet);
	weft_node_set_planet(root->node, net.now_ms, planet, plen);
	ctl = sim_add_host(&net, SIM_NAT_NONE, planet, plen);
	static const enum sim_nat nats[N_MEMBERS] = {SIM_NAT_FULL_CONE, SIM_NAT_PORT_RESTRICTED,
	                                             SIM_NAT_NONE, SIM_NAT_SYMMETRIC, SIM_NAT_NONE};
	for (int i = 0; i < N_MEMBERS; i++) {
		m[i] = sim_add_host(&net, nats[i], planet, plen);
		weft_identity_to_string(weft_node_identity(m[i]->node), false, seen[i].ident,
		                        sizeof seen[i].ident);
	}
	ctl_id = weft_node_identity(ctl->node);
	t_case("controller: setup");
	sc = sim_ctl_start(ctl, 0x9e3779b97f4a7c15ULL, &hooks);
	T_CHECK(sc != NULL);
	if (sc) {
		run(2000);
		create_networks();
		case_refused_then_pushed();
		case_contents(net.now_ms - 1500);
		case_ipam();
		case_bridges();
		case_rate_limit();
		case_collision();
		case_network_push();
		case_revocations();
		case_observed();
		case_shared_ip();
		case_stored_ctmd();
	}
	sim_ctl_free(sc);
	sim_free(&net);
	free(nc);
	return t_done();
}
