// SPDX-License-Identifier: MPL-2.0
// Multicast between members in the simulator (vl2.md §8): a root, a host running the embedded
// controller, three authorized members and one refused. Members subscribe, announce with LIKE,
// find each other through GATHER at the directories, and replicate a multicast to every
// subscriber exactly once; ARP-style groups reach only their ADI; the multicast limit holds.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "node.h"
#include "simctl.h"
#include "simnet.h"
#include "t.h"
#include "vl2addr.h"
#include "world.h"

#define N_MEMBERS 4 // the last one is never authorized

static struct sim_net net;
static struct sim_host *root, *ctl, *m[N_MEMBERS];
static struct sim_ctl *sc;
static uint64_t nwid;

static void run(int64_t ms)
{
	sim_run_until(&net, net.now_ms + ms);
}

static uint64_t multicast_limit(int i)
{
	struct weft_network_info *info = malloc(sizeof *info);
	uint64_t limit = 0;
	if (info && weft_node_network_info(m[i]->node, nwid, info) == WEFT_OK && info->has_config)
		limit = info->multicast_limit;
	free(info);
	return limit;
}

static bool has_config(int i)
{
	return weft_network_find(m[i]->node, nwid) && weft_network_find(m[i]->node, nwid)->nc;
}

// Frames with dst `mac` and this payload tag (byte 8) that member i's port received.
static unsigned got(int i, uint64_t mac, uint8_t tag)
{
	unsigned k = 0;
	for (unsigned f = 0; f < m[i]->n_frames && f < SIM_MAX_FRAMES; f++)
		k += m[i]->frames[f].dst_mac == mac && m[i]->frames[f].len > 8 &&
		     m[i]->frames[f].data[8] == tag && m[i]->frames[f].network_id == nwid;
	return k;
}

// Member i's port sends a frame to `dst`; with arp_target, an ARP request for that IPv4.
static void send_from(int i, uint64_t dst, uint16_t ethertype, uint8_t tag,
                      const uint8_t *arp_target)
{
	struct weft_network *nw = weft_network_find(m[i]->node, nwid);
	uint8_t payload[60];
	static const uint8_t arp[8] = {0, 1, 8, 0, 6, 4, 0, 1}; // Ethernet/IPv4, request
	memset(payload, tag, sizeof payload);
	if (arp_target) {
		memcpy(payload, arp, sizeof arp);
		memcpy(payload + 24, arp_target, 4);
	}
	if (!nw)
		return;
	struct weft_frame f = {nwid, nw->mac, dst, ethertype, 0, payload, sizeof payload};
	T_CHECK(weft_node_process_frame(m[i]->node, net.now_ms, &f, NULL) == WEFT_OK);
}

static const struct weft_vl2_mcgroup g1 = {0x01005e000001ULL, 0};
static const uint8_t ip1[4] = {10, 147, 17, 2};

static void case_join(void)
{
	t_case("multicast: members join; the refused one has no config");
	for (int i = 0; i < N_MEMBERS; i++)
		T_CHECK(weft_node_join(m[i]->node, net.now_ms, nwid) == WEFT_OK);
	run(3000);
	for (int i = 0; i < N_MEMBERS - 1; i++)
		T_CHECK_MSG(has_config(i) && multicast_limit(i) == 32, "member %d: limit %llu", i,
		            (unsigned long long)multicast_limit(i));
	T_CHECK(!has_config(N_MEMBERS - 1));
}

static void case_subscribe(void)
{
	t_case("multicast: subscribe and unsubscribe keep the list sorted and unique");
	struct weft_network *nw = weft_network_find(m[0]->node, nwid);
	T_CHECK(weft_node_multicast_subscribe(m[0]->node, net.now_ms, nwid, 0x333300000001ULL, 0) ==
	        WEFT_OK);
	T_CHECK(weft_node_multicast_subscribe(m[0]->node, net.now_ms, nwid, g1.mac, 0) == WEFT_OK);
	T_CHECK(weft_node_multicast_subscribe(m[0]->node, net.now_ms, nwid, g1.mac, 0) == WEFT_OK);
	T_CHECK(weft_node_multicast_subscribe(m[0]->node, net.now_ms, nwid, 0x525400000001ULL, 0) ==
	        WEFT_ERR_INVALID); // not a multicast MAC
	T_CHECK(weft_node_multicast_subscribe(m[0]->node, net.now_ms, 0x1234, g1.mac, 0) ==
	        WEFT_ERR_NOT_FOUND);
	T_CHECK(nw && nw->n_subs == 2 && nw->subs[0].mac == g1.mac);
	T_CHECK(weft_node_multicast_unsubscribe(m[0]->node, nwid, 0x333300000001ULL, 0) == WEFT_OK);
	T_CHECK(weft_node_multicast_unsubscribe(m[0]->node, nwid, 0x333300000001ULL, 0) ==
	        WEFT_ERR_NOT_FOUND);
	T_CHECK(nw && nw->n_subs == 1);

	// Members 1 and 2 and the refused one subscribe to g1; member 1 also to its ARP group.
	for (int i = 1; i < N_MEMBERS; i++)
		T_CHECK(weft_node_multicast_subscribe(m[i]->node, net.now_ms, nwid, g1.mac, 0) ==
		        WEFT_OK);
	struct weft_vl2_mcgroup arp = weft_vl2_mcgroup_arp(ip1);
	T_CHECK(weft_node_multicast_subscribe(m[1]->node, net.now_ms, nwid, arp.mac, arp.adi) ==
	        WEFT_OK);
	run(2000);

	t_case("multicast: the root and the controller learned the subscriptions from LIKE");
	uint64_t found[8];
	uint32_t total;
	weft_mc_gather(&root->node->mc, nwid, &g1, 0, 1, found, 8, &total);
	T_CHECK_MSG(total == 3, "root knows %u subscribers of g1", total);
	weft_mc_gather(&ctl->node->mc, nwid, &g1, 0, 1, found, 8, &total);
	T_CHECK_MSG(total == 3, "controller knows %u subscribers of g1", total);
}

static void case_first_send(void)
{
	t_case("multicast: a first send gathers, then reaches each subscriber exactly once");
	send_from(0, g1.mac, 0x0800, 0xa1, NULL);
	run(2000);
	T_CHECK_MSG(got(1, g1.mac, 0xa1) == 1 && got(2, g1.mac, 0xa1) == 1, "copies %u %u",
	            got(1, g1.mac, 0xa1), got(2, g1.mac, 0xa1));
	T_CHECK(got(0, g1.mac, 0xa1) == 0);
	T_CHECK(got(3, g1.mac, 0xa1) == 0);
	struct sim_frame *f = m[1]->n_frames ? &m[1]->frames[m[1]->n_frames - 1] : NULL;
	T_CHECK(f && f->src_mac == weft_network_find(m[0]->node, nwid)->mac &&
	        f->ethertype == 0x0800 && f->len == 60);

	t_case("multicast: a second send goes straight to the known subscribers, once each");
	send_from(0, g1.mac, 0x0800, 0xa2, NULL);
	run(1000);
	T_CHECK_MSG(got(1, g1.mac, 0xa2) == 1 && got(2, g1.mac, 0xa2) == 1, "copies %u %u",
	            got(1, g1.mac, 0xa2), got(2, g1.mac, 0xa2));
	T_CHECK(got(3, g1.mac, 0xa2) == 0);

	t_case("multicast: another member sends to the same group: the others get it once");
	send_from(2, g1.mac, 0x0800, 0xa3, NULL);
	run(2000);
	T_CHECK(got(0, g1.mac, 0xa3) == 1 && got(1, g1.mac, 0xa3) == 1 &&
	        got(2, g1.mac, 0xa3) == 0);
}

static void case_arp_and_broadcast(void)
{
	t_case("multicast: an ARP request group reaches only the member with that ADI");
	send_from(2, WEFT_MAC_BROADCAST, 0x0806, 0xb1, ip1);
	run(2000);
	T_CHECK_MSG(got(1, WEFT_MAC_BROADCAST, 0xb1) == 1, "%u", got(1, WEFT_MAC_BROADCAST, 0xb1));
	T_CHECK(got(0, WEFT_MAC_BROADCAST, 0xb1) == 0 && got(3, WEFT_MAC_BROADCAST, 0xb1) == 0);

	t_case("multicast: with broadcast enabled every member announces and gets broadcasts");
	run(61000); // the next full announcement carries (ff:ff:ff:ff:ff:ff, 0)
	send_from(1, WEFT_MAC_BROADCAST, 0x0800, 0xb2, NULL);
	run(2000);
	T_CHECK_MSG(got(0, WEFT_MAC_BROADCAST, 0xb2) == 1 && got(2, WEFT_MAC_BROADCAST, 0xb2) == 1,
	            "copies %u %u", got(0, WEFT_MAC_BROADCAST, 0xb2),
	            got(2, WEFT_MAC_BROADCAST, 0xb2));
	T_CHECK(got(1, WEFT_MAC_BROADCAST, 0xb2) == 0 && got(3, WEFT_MAC_BROADCAST, 0xb2) == 0);
}

static void case_limit(void)
{
	t_case("multicast: the network's multicast limit caps the copies");
	sim_ctl_network(sc, nwid, "{\"multicastLimit\":1}");
	run(3000);
	T_CHECK_MSG(multicast_limit(0) == 1, "limit %llu", (unsigned long long)multicast_limit(0));
	send_from(0, g1.mac, 0x0800, 0xc1, NULL);
	run(2000);
	T_CHECK_MSG(got(1, g1.mac, 0xc1) + got(2, g1.mac, 0xc1) == 1, "copies %u %u",
	            got(1, g1.mac, 0xc1), got(2, g1.mac, 0xc1));

	t_case("multicast: a limit of 0 disables multicast");
	sim_ctl_network(sc, nwid, "{\"multicastLimit\":0}");
	run(3000);
	send_from(0, g1.mac, 0x0800, 0xc2, NULL);
	run(2000);
	T_CHECK(got(1, g1.mac, 0xc2) + got(2, g1.mac, 0xc2) == 0);

	t_case("multicast: the refused member never got a frame");
	T_CHECK_MSG(m[N_MEMBERS - 1]->n_frames == 0, "%u frames", m[N_MEMBERS - 1]->n_frames);
}

int main(void)
{
	uint8_t planet[WEFT_WORLD_MAX_LEN];
	t_init("sim/multicast");
	// With jitter a MULTICAST_FRAME may overtake the credentials pushed just before it: it
	// then waits for them at the receiver (the gate retry), as in 1.14.
	sim_init(&net, 23, 10, 5, 0);
	root = sim_add_host(&net, SIM_NAT_NONE, NULL, 0);
	size_t plen = sim_make_planet(root, planet, sizeof planet);
	weft_node_set_planet(root->node, net.now_ms, planet, plen);
	ctl = sim_add_host(&net, SIM_NAT_NONE, planet, plen);
	static const enum sim_nat nats[N_MEMBERS] = {SIM_NAT_NONE, SIM_NAT_FULL_CONE,
	                                             SIM_NAT_PORT_RESTRICTED, SIM_NAT_NONE};
	for (int i = 0; i < N_MEMBERS; i++)
		m[i] = sim_add_host(&net, nats[i], planet, plen);
	t_case("multicast: setup");
	sc = sim_ctl_start(ctl, 0x2545f4914f6cdd1dULL, NULL);
	T_CHECK(sc != NULL);
	if (sc) {
		run(2000);
		nwid = ctl->address << 24 | 0x00000a;
		sim_ctl_network(
		    sc, nwid,
		    "{\"name\":\"mc\",\"private\":true,\"enableBroadcast\":true,"
		    "\"v4AssignMode\":{\"zt\":true},\"ipAssignmentPools\":[{\"ipRangeStart\":"
		    "\"10.147.17.1\",\"ipRangeEnd\":\"10.147.17.254\"}]}");
		for (int i = 0; i < N_MEMBERS - 1; i++)
			sim_ctl_member(sc, nwid, m[i]->address, "{\"authorized\":true}");
		case_join();
		case_subscribe();
		case_first_send();
		case_arp_and_broadcast();
		case_limit();
	}
	sim_ctl_free(sc);
	sim_free(&net);
	return t_done();
}
