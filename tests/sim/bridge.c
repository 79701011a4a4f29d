// SPDX-License-Identifier: MPL-2.0
// Bridging between members in the simulator (vl2.md §7.5, §7.6): an active bridge may send for
// MACs behind it and receives frames for unknown MACs; members learn which bridge a MAC is
// behind and send there only; an ordinary member may do neither; multicast groups leaving the
// bridge's port from bridged MACs are announced as the bridge's own.
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "simctl.h"
#include "simnet.h"
#include "t.h"
#include "world.h"

#define N_MEMBERS 3 // m[0] is the active bridge

static struct sim_net net;
static struct sim_host *root, *ctl, *m[N_MEMBERS];
static struct sim_ctl *sc;
static uint64_t nwid;
static const uint64_t behind_mac = 0x02aabbccdd01ULL;  // a host on the bridge's LAN
static const uint64_t nowhere_mac = 0x02aabbccdd99ULL; // behind no bridge we know

static void run(int64_t ms)
{
	sim_run_until(&net, net.now_ms + ms);
}

static uint64_t mac_of(int i)
{
	struct weft_network *nw = weft_network_find(m[i]->node, nwid);
	return nw ? nw->mac : 0;
}

// Frames member i's port received with this source, destination and payload tag.
static unsigned got(int i, uint64_t src, uint64_t dst, uint8_t tag)
{
	unsigned k = 0;
	for (unsigned f = 0; f < m[i]->n_frames && f < SIM_MAX_FRAMES; f++)
		k += m[i]->frames[f].src_mac == src && m[i]->frames[f].dst_mac == dst &&
		     m[i]->frames[f].len > 0 && m[i]->frames[f].data[0] == tag;
	return k;
}

static enum weft_result send_from(int i, uint64_t src, uint64_t dst, uint8_t tag)
{
	uint8_t payload[40];
	memset(payload, tag, sizeof payload);
	struct weft_frame f = {nwid, src, dst, 0x0800, 0, payload, sizeof payload};
	return weft_node_process_frame(m[i]->node, net.now_ms, &f, NULL);
}

static void cases(void)
{
	t_case("bridge: members join; the bridge is listed as one");
	for (int i = 0; i < N_MEMBERS; i++)
		T_CHECK(weft_node_join(m[i]->node, net.now_ms, nwid) == WEFT_OK);
	run(3000);
	for (int i = 0; i < N_MEMBERS; i++)
		T_CHECK_MSG(mac_of(i) && weft_network_find(m[i]->node, nwid)->nc, "member %d", i);
	T_CHECK(weft_network_is_bridge(weft_network_find(m[1]->node, nwid), m[0]->address));
	T_CHECK(!weft_network_is_bridge(weft_network_find(m[1]->node, nwid), m[2]->address));

	t_case("bridge: a frame to an unknown MAC goes to the bridge only");
	T_CHECK(send_from(1, mac_of(1), nowhere_mac, 0x11) == WEFT_OK);
	run(1000);
	T_CHECK(got(0, mac_of(1), nowhere_mac, 0x11) == 1);
	T_CHECK(got(2, mac_of(1), nowhere_mac, 0x11) == 0);

	t_case("bridge: the bridge sends for a MAC behind it; the receiver learns where it is");
	T_CHECK(send_from(0, behind_mac, mac_of(1), 0x21) == WEFT_OK);
	run(1000);
	T_CHECK(got(1, behind_mac, mac_of(1), 0x21) == 1);
	T_CHECK(weft_bridge_route(weft_network_find(m[1]->node, nwid), behind_mac) ==
	        m[0]->address);
	T_CHECK(send_from(1, mac_of(1), behind_mac, 0x22) == WEFT_OK);
	run(1000);
	T_CHECK(got(0, mac_of(1), behind_mac, 0x22) == 1);
	T_CHECK(got(2, mac_of(1), behind_mac, 0x22) == 0);

	t_case("bridge: an ordinary member may not send for another MAC");
	unsigned before = m[1]->n_frames;
	T_CHECK(send_from(2, behind_mac, mac_of(1), 0x31) == WEFT_ERR_INVALID);
	run(1000);
	T_CHECK(m[1]->n_frames == before);

	t_case("bridge: a group leaving the bridge from a bridged MAC is announced as its own");
	const uint64_t group = 0x01005e0000aaULL;
	T_CHECK(send_from(0, behind_mac, group, 0x41) == WEFT_OK);
	run(2000);
	struct weft_network *bn = weft_network_find(m[0]->node, nwid);
	T_CHECK(bn && bn->n_behind == 1 && bn->behind[0].mac == group);
	T_CHECK(send_from(1, mac_of(1), group, 0x42) == WEFT_OK); // nobody subscribed but it
	run(2000);
	T_CHECK_MSG(got(0, mac_of(1), group, 0x42) == 1, "bridge got %u",
	            got(0, mac_of(1), group, 0x42));
	T_CHECK(got(2, mac_of(1), group, 0x42) == 0);
}

int main(void)
{
	uint8_t planet[WEFT_WORLD_MAX_LEN];
	t_init("sim/bridge");
	sim_init(&net, 41, 10, 5, 0);
	root = sim_add_host(&net, SIM_NAT_NONE, NULL, 0);
	size_t plen = sim_make_planet(root, planet, sizeof planet);
	weft_node_set_planet(root->node, net.now_ms, planet, plen);
	ctl = sim_add_host(&net, SIM_NAT_NONE, planet, plen);
	for (int i = 0; i < N_MEMBERS; i++)
		m[i] = sim_add_host(&net, i == 1 ? SIM_NAT_FULL_CONE : SIM_NAT_NONE, planet, plen);
	t_case("bridge: setup");
	sc = sim_ctl_start(ctl, 0x9d2c5680a3b1e4f7ULL, NULL);
	T_CHECK(sc != NULL);
	if (sc) {
		run(2000);
		nwid = ctl->address << 24 | 0x0000b1;
		sim_ctl_network(sc, nwid, "{\"name\":\"br\",\"private\":true}");
		sim_ctl_member(sc, nwid, m[0]->address,
		               "{\"authorized\":true,\"activeBridge\":true}");
		for (int i = 1; i < N_MEMBERS; i++)
			sim_ctl_member(sc, nwid, m[i]->address, "{\"authorized\":true}");
		cases();
	}
	sim_ctl_free(sc);
	sim_free(&net);
	return t_done();
}
