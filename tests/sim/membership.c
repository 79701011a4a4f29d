// SPDX-License-Identifier: MPL-2.0
// Credentials between members (vl2.md §5.7-5.11) in the simulator: three members join a network
// served by the real controller, push their credentials to each other, and the receivers file,
// refuse, rate-limit and revoke them; revocations flood; ERROR(NEED_MEMBERSHIP_CERTIFICATE)
// makes a member push again. Some packets are handed to a node's receiver directly.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "node.h"
#include "simctl.h"
#include "simnet.h"
#include "t.h"
#include "wire.h"
#include "world.h"

#define N 3

static struct sim_net net;
static struct sim_host *root, *ctl, *m[N];
static const struct weft_identity *ctl_id;
static struct sim_ctl *sc;
static uint64_t nwid, nwid_other;

static void run(int64_t ms)
{
	sim_run_until(&net, net.now_ms + ms);
}

static struct weft_network *net_of(int i)
{
	return weft_network_find(m[i]->node, nwid);
}

// Member i's record of member j (NULL if none).
static struct weft_membership *rec(int i, int j)
{
	struct weft_network *n = net_of(i);
	return n ? weft_membership_get(n, m[j]->address, false) : NULL;
}

static bool gate(int i, uint64_t addr)
{
	return weft_membership_gate(m[i]->node, net_of(i), addr);
}

// Hands payload to member i's receiver as NETWORK_CREDENTIALS from member `from`.
static void inject(int i, int from, const uint8_t *payload, size_t len)
{
	struct weft_peer *p = weft_peer_find(m[i]->node, m[from]->address);
	T_CHECK_MSG(p != NULL, "member %d does not know member %d", i, from);
	if (p)
		weft_rx_network_credentials(m[i]->node, net.now_ms, p, payload, len);
}

// Payload builders (vl2.md §5.7).
static size_t creds_com(uint8_t *buf, size_t cap, const struct weft_com *com)
{
	struct weft_wbuf w;
	wbuf_init(&w, buf, cap);
	weft_com_encode(com, &w);
	wbuf_u8(&w, 0);
	wbuf_u16(&w, 0), wbuf_u16(&w, 0), wbuf_u16(&w, 0), wbuf_u16(&w, 0);
	return w.bad ? 0 : w.len;
}

static size_t creds_tag(uint8_t *buf, size_t cap, const struct weft_tag *tag)
{
	struct weft_wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_u8(&w, 0);
	wbuf_u16(&w, 0), wbuf_u16(&w, 1);
	weft_tag_encode(tag, &w);
	wbuf_u16(&w, 0), wbuf_u16(&w, 0);
	return w.bad ? 0 : w.len;
}

static size_t creds_rev(uint8_t *buf, size_t cap, const struct weft_revocation *rev)
{
	struct weft_wbuf w;
	wbuf_init(&w, buf, cap);
	wbuf_u8(&w, 0);
	wbuf_u16(&w, 0), wbuf_u16(&w, 0), wbuf_u16(&w, 1);
	weft_revocation_encode(rev, &w);
	wbuf_u16(&w, 0);
	return w.bad ? 0 : w.len;
}

static void setup_network(void)
{
	nwid = ctl->address << 24 | 0x000001;
	nwid_other = ctl->address << 24 | 0x000002;
	sim_ctl_network(sc, nwid,
	                "{\"name\":\"creds\",\"v4AssignMode\":{\"zt\":true},"
	                "\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.147.17.1\","
	                "\"ipRangeEnd\":\"10.147.17.254\"}],"
	                "\"routes\":[{\"target\":\"10.147.17.0/24\",\"via\":null}],"
	                "\"capabilities\":[{\"id\":1,\"default\":false,"
	                "\"rules\":[{\"type\":\"ACTION_ACCEPT\"}]}],"
	                "\"tags\":[{\"id\":3,\"default\":7}]}");
	sim_ctl_network(sc, nwid_other, "{\"name\":\"other\"}");
	for (int i = 0; i < N; i++)
		T_CHECK(weft_node_join(m[i]->node, net.now_ms, nwid) == WEFT_OK);
	run(1500); // refused: not authorized yet
	for (int i = 0; i < N; i++)
		sim_ctl_member(sc, nwid, m[i]->address,
		               "{\"authorized\":true,\"tags\":[[3,7]],\"capabilities\":[1]}");
	run(1500);
	for (int i = 0; i < N; i++) {
		struct weft_network_info info;
		T_CHECK(weft_node_network_info(m[i]->node, nwid, &info) == WEFT_OK);
		T_CHECK_MSG(info.status == WEFT_NETWORK_OK && info.has_config,
		            "member %d: status %d, config %d", i, info.status, info.has_config);
		const struct weft_netconf *nc = net_of(i)->nc;
		T_CHECK_MSG(nc && nc->has_com && nc->n_tags == 1 && nc->n_caps == 1 &&
		                nc->n_coos == 1,
		            "member %d: config without the expected credentials", i);
	}
}

static void case_push(void)
{
	t_case("membership: a push carries COM, capability, tag and COO; the receiver files them");
	weft_membership_push(m[0]->node, net.now_ms, net_of(0), m[1]->address, 500000);
	run(1000);
	const struct weft_netconf *mine = net_of(0)->nc;
	struct weft_membership *r = rec(1, 0);
	T_CHECK(r != NULL);
	if (!r)
		return;
	T_CHECK(r->has_com && r->com.n_q == mine->com.n_q &&
	        !memcmp(r->com.signature, mine->com.signature, WEFT_SIGNATURE_LEN));
	struct weft_rules_tag tags[4];
	struct weft_rules_list caps[4];
	size_t nt = weft_membership_tags(net_of(1), r, tags, 4);
	size_t ncap = weft_membership_caps(net_of(1), r, caps, 4);
	T_CHECK_MSG(nt == 1 && tags[0].id == 3 && tags[0].value == 7, "%zu tags", nt);
	T_CHECK_MSG(ncap == 1 && caps[0].n == mine->caps[0].n_rules, "%zu caps", ncap);
	const struct weft_inetaddr *ip = &mine->static_ips[0];
	T_CHECK(ip->family == WEFT_INET_V4);
	T_CHECK(weft_membership_owns_ip(net_of(1), r, ip->ip, 4));
	uint8_t other[4] = {10, 147, 17, 0};
	T_CHECK(!weft_membership_owns_ip(net_of(1), r, other, 4));

	t_case("membership: the gate admits a pushed member and no one else (§5.10)");
	T_CHECK(gate(1, m[0]->address));
	T_CHECK(!gate(1, m[2]->address));
	T_CHECK(!gate(0, m[1]->address)); // m1 has not pushed to m0

	t_case("membership: a push is not repeated within its max age, but is after a new config");
	struct weft_membership *sent = rec(0, 1);
	T_CHECK(sent && sent->pushed_ms == net.now_ms - 1000);
	int64_t pushed = sent ? sent->pushed_ms : 0;
	weft_membership_push(m[0]->node, net.now_ms, net_of(0), m[1]->address, 500000);
	T_CHECK(sent && sent->pushed_ms == pushed);
	net_of(0)->config_ms = net.now_ms; // as if a config had just been applied
	weft_membership_push(m[0]->node, net.now_ms, net_of(0), m[1]->address, 500000);
	T_CHECK(sent && sent->pushed_ms == net.now_ms);
	run(1500);
}

static void case_refused(void)
{
	uint8_t buf[1024];
	size_t len;
	struct weft_com com;

	t_case("membership: a tampered COM is refused");
	com = net_of(2)->nc->com;
	com.signature[10] ^= 1;
	len = creds_com(buf, sizeof buf, &com);
	inject(1, 0, buf, len);
	T_CHECK(!rec(1, 2) || !rec(1, 2)->has_com);
	run(1100);

	t_case("membership: a COM of a network not joined is ignored");
	T_CHECK(weft_com_init(&com, net.now_ms, 7200000, nwid_other,
	                      weft_node_identity(m[2]->node)) == WEFT_OK);
	T_CHECK(weft_com_sign(&com, ctl_id) == WEFT_OK);
	len = creds_com(buf, sizeof buf, &com);
	inject(1, 0, buf, len);
	T_CHECK(weft_network_find(m[1]->node, nwid_other) == NULL);
	T_CHECK(!rec(1, 2) || !rec(1, 2)->has_com);
	run(1100);

	t_case("membership: a COM forwarded by another peer is filed under its holder (§5.9)");
	len = creds_com(buf, sizeof buf, &net_of(2)->nc->com);
	inject(1, 0, buf, len);
	T_CHECK(rec(1, 2) && rec(1, 2)->has_com);

	t_case("membership: one NETWORK_CREDENTIALS per peer per second");
	struct weft_tag tag = net_of(2)->nc->tags[0];
	tag.value = 99, tag.timestamp += 1;
	T_CHECK(weft_tag_sign(&tag, ctl_id) == WEFT_OK);
	len = creds_tag(buf, sizeof buf, &tag);
	run(500);
	inject(1, 0, buf, len);
	T_CHECK(rec(1, 2)->n_tags == 0);
	run(600);
	inject(1, 0, buf, len);
	T_CHECK(rec(1, 2)->n_tags == 1 && rec(1, 2)->tags[0].value == 99);
	run(1100);

	t_case("membership: an older tag with the same ID is refused");
	struct weft_tag old = net_of(2)->nc->tags[0];
	len = creds_tag(buf, sizeof buf, &old);
	inject(1, 0, buf, len);
	T_CHECK(rec(1, 2)->tags[0].value == 99);
	run(1100);

	t_case("membership: a truncated packet counts as malformed; what came before it stays");
	uint64_t malformed = sim_counter(m[1], "drop_malformed");
	len = creds_tag(buf, sizeof buf, &tag);
	inject(1, 0, buf, len - 20);
	T_CHECK(sim_counter(m[1], "drop_malformed") == malformed + 1);
	T_CHECK(rec(1, 2)->n_tags == 1);
	run(1100);
	// An old sender's packet ending right after the COM list is fine.
	len = creds_com(buf, sizeof buf, &net_of(2)->nc->com);
	inject(1, 0, buf, len - 8);
	T_CHECK(sim_counter(m[1], "drop_malformed") == malformed + 1);
	run(1100);

	t_case("membership: an unknown signer is looked up with WHOIS and the packet stops");
	struct weft_peer *cp = weft_peer_find(m[1]->node, ctl->address);
	T_CHECK(cp != NULL);
	if (cp)
		weft_peer_remove(m[1]->node, cp);
	uint64_t whois = sim_counter(m[1], "whois_sent");
	tag.value = 100, tag.timestamp += 1;
	T_CHECK(weft_tag_sign(&tag, ctl_id) == WEFT_OK);
	len = creds_tag(buf, sizeof buf, &tag);
	inject(1, 0, buf, len);
	T_CHECK_MSG(sim_counter(m[1], "whois_sent") == whois + 1, "%llu WHOIS",
	            (unsigned long long)(sim_counter(m[1], "whois_sent") - whois));
	T_CHECK(rec(1, 2)->tags[0].value == 99);
	run(2000);
	T_CHECK(weft_peer_find(m[1]->node, ctl->address) != NULL);
	inject(1, 0, buf, len);
	T_CHECK(rec(1, 2)->tags[0].value == 100);
	run(1100);
}

static void case_need_certificate(void)
{
	t_case("membership: ERROR(NEED_MEMBERSHIP_CERTIFICATE) makes a member push (max age 1 s)");
	struct weft_membership *r = rec(1, 0);
	T_CHECK(r != NULL);
	if (!r)
		return;
	r->has_com = false; // as if m1 never had m0's COM
	T_CHECK(!gate(1, m[0]->address));
	struct weft_peer *p1 = weft_peer_find(m[0]->node, m[1]->address);
	T_CHECK(p1 != NULL);
	if (!p1)
		return;
	weft_membership_need_certificate(m[0]->node, net.now_ms, p1, nwid);
	T_CHECK(rec(0, 1)->pushed_ms == net.now_ms);
	run(500);
	T_CHECK(gate(1, m[0]->address));
	int64_t pushed = rec(0, 1)->pushed_ms;
	weft_membership_need_certificate(m[0]->node, net.now_ms, p1, nwid);
	T_CHECK(rec(0, 1)->pushed_ms == pushed); // 500 ms later: not again
	weft_membership_need_certificate(m[0]->node, net.now_ms, p1, nwid_other); // not joined
	run(1100);
}

static void case_revocation(void)
{
	uint8_t buf[1024];
	t_case("membership: pushes from m2 let m0 and m1 admit it");
	weft_membership_push(m[2]->node, net.now_ms, net_of(2), m[0]->address, 500000);
	weft_membership_push(m[2]->node, net.now_ms, net_of(2), m[1]->address, 500000);
	weft_membership_push(m[1]->node, net.now_ms, net_of(1), m[0]->address, 500000);
	run(1500);
	T_CHECK(gate(0, m[2]->address) && gate(1, m[2]->address) && gate(0, m[1]->address));

	t_case("membership: deauthorizing m2 revokes its COM at the other members (§5.9, §9.9)");
	sim_ctl_member(sc, nwid, m[2]->address, "{\"authorized\":false}");
	run(1500);
	T_CHECK(!gate(0, m[2]->address));
	T_CHECK(!gate(1, m[2]->address));
	T_CHECK(rec(0, 2) && rec(0, 2)->com_revoked > 0);
	T_CHECK(gate(0, m[1]->address) && gate(1, m[0]->address));
	// A COM issued before the threshold is refused from now on.
	rec(1, 2)->has_com = false;
	size_t len = creds_com(buf, sizeof buf, &net_of(2)->nc->com);
	inject(1, 0, buf, len);
	T_CHECK(!rec(1, 2)->has_com);
	run(1100);

	t_case("membership: a new fast-propagate revocation floods to the other members (§5.11)");
	struct weft_revocation rev = {
	    .id = 77,
	    .nwid = nwid,
	    .threshold = net.now_ms,
	    .flags = WEFT_REVOCATION_FAST_PROPAGATE,
	    .target = m[1]->address,
	    .type = WEFT_CREDENTIAL_COM,
	};
	T_CHECK(weft_revocation_sign(&rev, ctl_id) == WEFT_OK);
	len = creds_rev(buf, sizeof buf, &rev);
	T_CHECK(gate(0, m[1]->address));
	struct weft_peer *p0 = weft_peer_find(m[2]->node, m[0]->address);
	T_CHECK(p0 != NULL);
	if (p0) // m2 hears it from m0 (so does not send it back) and floods to m1 only...
		weft_rx_network_credentials(m[2]->node, net.now_ms, p0, buf, len);
	T_CHECK(weft_membership_get(net_of(2), m[1]->address, false)->com_revoked == rev.threshold);
	run(1500);
	// ...which records it about itself and floods on to m0, the one record it has besides.
	T_CHECK(rec(1, 1) && rec(1, 1)->com_revoked == rev.threshold);
	T_CHECK(!gate(0, m[1]->address));
	T_CHECK(rec(0, 1)->com_revoked == rev.threshold);

	t_case("membership: a revocation signed by someone else is refused");
	rev.threshold += 5000;
	rev.target = m[0]->address;
	T_CHECK(weft_revocation_sign(&rev, weft_node_identity(m[2]->node)) == WEFT_OK);
	len = creds_rev(buf, sizeof buf, &rev);
	inject(1, 0, buf, len);
	T_CHECK(!rec(1, 0) || rec(1, 0)->com_revoked < rev.threshold);
	T_CHECK(gate(1, m[0]->address));
}

int main(void)
{
	uint8_t planet[WEFT_WORLD_MAX_LEN];
	t_init("sim/membership");
	sim_init(&net, 17, 10, 5, 0);
	root = sim_add_host(&net, SIM_NAT_NONE, NULL, 0);
	size_t plen = sim_make_planet(root, planet, sizeof planet);
	weft_node_set_planet(root->node, net.now_ms, planet, plen);
	ctl = sim_add_host(&net, SIM_NAT_NONE, planet, plen);
	for (int i = 0; i < N; i++)
		m[i] = sim_add_host(&net, i == 1 ? SIM_NAT_PORT_RESTRICTED : SIM_NAT_NONE, planet,
		                    plen);
	ctl_id = weft_node_identity(ctl->node);
	t_case("membership: setup");
	sc = sim_ctl_start(ctl, 0x9e3779b97f4a7c15ULL, NULL);
	T_CHECK(sc != NULL);
	if (sc) {
		run(2000);
		setup_network();
		if (net_of(0) && net_of(0)->nc && net_of(1) && net_of(1)->nc && net_of(2) &&
		    net_of(2)->nc) {
			case_push();
			case_refused();
			case_need_certificate();
			case_revocation();
		}
	}
	sim_ctl_free(sc);
	sim_free(&net);
	return t_done();
}
