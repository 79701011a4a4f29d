// SPDX-License-Identifier: MPL-2.0
// Network configurations over the wire in the simulator: a member behind a NAT asks a network's
// controller, which answers with a dictionary cut into signed chunks that reassemble exactly;
// the controller pushes an update unasked; refusals and "not a controller" come back as errors.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simnet.h"
#include "t.h"
#include "world.h"

static uint8_t big_dict[25000];
static uint64_t denied_network;
static uint8_t seen_metadata[64];
static size_t seen_metadata_len;

// The test's controller: denies one network, answers the others with big_dict.
static void controller(struct sim_host *h, const struct weft_config_request *req)
{
	seen_metadata_len = req->metadata_len < sizeof seen_metadata ? req->metadata_len : 0;
	memcpy(seen_metadata, req->metadata, seen_metadata_len);
	if (req->network_id == denied_network)
		weft_node_send_config_error(h->node, h->net->now_ms, req->network_id,
		                            req->requester, req->request_id, 7);
	else
		weft_node_send_config(h->node, h->net->now_ms, req->network_id, req->requester,
		                      req->request_id, big_dict, sizeof big_dict);
}

int main(void)
{
	static struct sim_net net;
	uint8_t planet[WEFT_WORLD_MAX_LEN];
	const char meta[] = "v=0000000000000007\nrevr=0000000000000001";
	t_init("sim/config");
	for (size_t i = 0; i < sizeof big_dict; i++) // text-like, escaped-free bytes
		big_dict[i] = (uint8_t)('a' + (i * 7919u) % 26);
	sim_init(&net, 5, 10, 5, 0);
	struct sim_host *root = sim_add_host(&net, SIM_NAT_NONE, NULL, 0);
	size_t plen = sim_make_planet(root, planet, sizeof planet);
	weft_node_set_planet(root->node, net.now_ms, planet, plen);
	struct sim_host *ctl = sim_add_host(&net, SIM_NAT_FULL_CONE, planet, plen);
	struct sim_host *m1 = sim_add_host(&net, SIM_NAT_PORT_RESTRICTED, planet, plen);
	struct sim_host *m2 = sim_add_host(&net, SIM_NAT_SYMMETRIC, planet, plen);
	ctl->on_config_request = controller;
	sim_run_until(&net, net.now_ms + 2000);
	uint64_t nwid = ctl->address << 24 | 0x000001, nwid_denied = ctl->address << 24 | 0x000002;
	denied_network = nwid_denied;

	t_case("config: a member's request is answered in signed chunks that reassemble exactly");
	T_CHECK(weft_node_request_config(m1->node, net.now_ms, nwid, meta, strlen(meta)) == 0);
	sim_run_until(&net, net.now_ms + 3000);
	T_CHECK(seen_metadata_len == strlen(meta) && !memcmp(seen_metadata, meta, strlen(meta)));
	T_CHECK_MSG(m1->n_configs == 1, "%u configs", m1->n_configs);
	T_CHECK(m1->config_network == nwid && m1->config_update != 0);
	T_CHECK(m1->config_len == sizeof big_dict &&
	        !memcmp(m1->config, big_dict, sizeof big_dict));
	T_CHECK(sim_counter(m1, "drop_config_signature") == 0);

	t_case("config: the controller pushes an update unasked (NETWORK_CONFIG)");
	uint64_t first_update = m1->config_update;
	big_dict[100] = 'Z';
	T_CHECK(weft_node_send_config(ctl->node, net.now_ms, nwid, m1->address, 0, big_dict,
	                              sizeof big_dict) == 0);
	sim_run_until(&net, net.now_ms + 3000);
	T_CHECK(m1->n_configs == 2 && m1->config_update != first_update);
	T_CHECK(m1->config_len == sizeof big_dict && m1->config[100] == 'Z');

	t_case("config: a refusal comes back as ACCESS_DENIED");
	T_CHECK(weft_node_request_config(m2->node, net.now_ms, nwid_denied, meta, strlen(meta)) ==
	        0);
	sim_run_until(&net, net.now_ms + 3000);
	T_CHECK(m2->n_config_errors == 1 && m2->config_error == 7 && m2->n_configs == 0);

	t_case("config: asking a node that is not a controller gets UNSUPPORTED_OPERATION");
	uint64_t not_ours = m1->address << 24 | 0x000009;
	T_CHECK(weft_node_request_config(m2->node, net.now_ms, not_ours, meta, strlen(meta)) == 0);
	sim_run_until(&net, net.now_ms + 3000);
	T_CHECK(m2->n_config_errors == 2 && m2->config_error == 5);

	t_case("config: only a network's controller may send its configuration");
	T_CHECK(weft_node_send_config(m1->node, net.now_ms, nwid, m2->address, 0, big_dict,
	                              sizeof big_dict) != 0);
	sim_free(&net);
	return t_done();
}
