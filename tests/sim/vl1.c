// SPDX-License-Identifier: MPL-2.0
// VL1 in the simulator: one root and 20 nodes behind no NAT, full-cone, port-restricted and
// symmetric NATs. Every pair exchanges USER_MESSAGEs through WHOIS, relaying and RENDEZVOUS;
// pairs that NAT semantics allow to meet end on a direct path, the rest stay relayed; a cut
// path is declared dead and traffic goes on through the root. Seeded and deterministic.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simnet.h"
#include "t.h"
#include "world.h"

#define N_NODES 20
#define SEED    7

// Whether NAT semantics let two hosts reach each other directly (see simnet.h).
static bool can_meet(enum sim_nat a, enum sim_nat b)
{
	bool hard_a = a == SIM_NAT_SYMMETRIC, hard_b = b == SIM_NAT_SYMMETRIC;
	bool strict_a = a == SIM_NAT_PORT_RESTRICTED || hard_a;
	bool strict_b = b == SIM_NAT_PORT_RESTRICTED || hard_b;
	return !((hard_a && strict_b) || (hard_b && strict_a));
}

static const char *nat_name(enum sim_nat n)
{
	static const char *names[] = {"public", "full-cone", "port-restricted", "symmetric"};
	return names[n];
}

static void send_round(struct sim_net *net, struct sim_host **h, const char *text)
{
	unsigned refused = 0;
	for (unsigned i = 0; i < N_NODES; i++)
		for (unsigned j = 0; j < N_NODES; j++)
			if (i != j)
				refused += weft_node_send_user_message(h[i]->node, net->now_ms,
				                                       h[j]->address, 1000, text,
				                                       strlen(text)) != WEFT_OK;
	T_CHECK_MSG(refused == 0, "%u sends refused", refused);
}

static unsigned missing(struct sim_host **h, const char *text)
{
	unsigned miss = 0;
	for (unsigned i = 0; i < N_NODES; i++)
		for (unsigned j = 0; j < N_NODES; j++)
			if (i != j && sim_count_msgs(h[j], h[i]->address, text) != 1)
				miss++;
	return miss;
}

static void test_mesh(struct sim_net *net, struct sim_host *root, struct sim_host **h)
{
	int64_t t0 = net->now_ms;
	t_case("sim: all %d nodes come online through the root", N_NODES);
	sim_run_until(net, t0 + 3000);
	int64_t worst = 0;
	for (unsigned i = 0; i < N_NODES; i++) {
		T_CHECK_MSG(h[i]->online_at_ms >= 0, "node %u (%s) never online", i,
		            nat_name(h[i]->nat));
		if (h[i]->online_at_ms - t0 > worst)
			worst = h[i]->online_at_ms - t0;
	}
	printf("  online: slowest node after %lld ms (link latency 10-15 ms)\n", (long long)worst);
	T_CHECK_MSG(worst < 500, "slowest node online after %lld ms", (long long)worst);
	T_CHECK(weft_node_online(root->node));

	t_case("sim: every pair exchanges USER_MESSAGEs (%d messages a round)",
	       N_NODES * (N_NODES - 1));
	const char *rounds[] = {"round-1", "round-2", "round-3"};
	for (unsigned r = 0; r < 3; r++) {
		send_round(net, h, rounds[r]);
		sim_run_until(net, net->now_ms + 4000);
		unsigned m = missing(h, rounds[r]);
		printf("  %s: %u of %d messages missing\n", rounds[r], m, N_NODES * (N_NODES - 1));
		T_CHECK_MSG(m == 0, "%s: %u messages not delivered exactly once", rounds[r], m);
	}

	t_case("sim: cone pairs end direct, symmetric pairs with a strict side stay relayed");
	unsigned direct = 0, relayed = 0, wrong = 0;
	for (unsigned i = 0; i < N_NODES; i++) {
		for (unsigned j = 0; j < N_NODES; j++) {
			if (i == j)
				continue;
			bool want = can_meet(h[i]->nat, h[j]->nat);
			bool got = sim_has_direct_path(h[i], h[j]->address);
			direct += got;
			relayed += !got;
			if (got != want) {
				if (wrong++ < 10)
					printf("  %u (%s) -> %u (%s): direct %d, expected %d\n", i,
					       nat_name(h[i]->nat), j, nat_name(h[j]->nat), got,
					       want);
			}
		}
	}
	printf("  paths: %u direct, %u relayed, %u unexpected\n", direct, relayed, wrong);
	T_CHECK(wrong == 0);
}

static void test_cut(struct sim_net *net, struct sim_host *a, struct sim_host *b)
{
	t_case("sim: a cut direct path is declared dead and traffic moves to the relay");
	T_CHECK(sim_has_direct_path(a, b->address));
	int64_t cut = net->now_ms;
	sim_block(net, &a->outside, &b->outside);
	int64_t dead_at = -1;
	char text[32];
	unsigned sent = 0, late = 0, late_ok = 0;
	for (int s = 1; s <= 60; s++) {
		snprintf(text, sizeof text, "cut-%d", s);
		weft_node_send_user_message(a->node, net->now_ms, b->address, 1000, text,
		                            strlen(text));
		sent++;
		sim_run_until(net, cut + s * 1000);
		if (dead_at < 0 && !sim_has_direct_path(a, b->address))
			dead_at = net->now_ms - cut;
	}
	sim_run_until(net, net->now_ms + 3000);
	for (int s = 30; s <= 60; s++) { // after the spec's 19 s plus a ping period
		snprintf(text, sizeof text, "cut-%d", s);
		late++;
		late_ok += sim_count_msgs(b, a->address, text) == 1;
	}
	printf("  cut: path dead after %lld ms; %u of %u later messages delivered via the root\n",
	       (long long)dead_at, late_ok, late);
	T_CHECK(dead_at > 0 && dead_at <= 19000 + 5000 + 1000);
	T_CHECK(late_ok == late);
	(void)sent;

	t_case("sim: after the cut heals, the pair goes direct again");
	sim_unblock_all(net);
	for (int s = 0; s < 90 && !sim_has_direct_path(a, b->address); s++) {
		weft_node_send_user_message(a->node, net->now_ms, b->address, 1000, "heal", 4);
		sim_run_until(net, net->now_ms + 1000);
	}
	T_CHECK(sim_has_direct_path(a, b->address));
}

// 3% loss each way: every pair still reaches each other (ping retried at most 10 times).
static void test_lossy(void)
{
	static struct sim_net net;
	static const enum sim_nat mix[6] = {
	    SIM_NAT_NONE,      SIM_NAT_FULL_CONE, SIM_NAT_PORT_RESTRICTED, SIM_NAT_PORT_RESTRICTED,
	    SIM_NAT_SYMMETRIC, SIM_NAT_SYMMETRIC};
	uint8_t planet[WEFT_WORLD_MAX_LEN];
	struct sim_host *h[6];
	t_case("sim: with 3%% loss every pair still answers pings, direct or relayed");
	sim_init(&net, SEED + 1, 20, 10, 30);
	struct sim_host *root = sim_add_host(&net, SIM_NAT_NONE, NULL, 0);
	size_t plen = sim_make_planet(root, planet, sizeof planet);
	T_CHECK(weft_node_set_planet(root->node, net.now_ms, planet, plen) == WEFT_OK);
	for (unsigned i = 0; i < 6; i++)
		h[i] = sim_add_host(&net, mix[i], planet, plen);
	sim_run_until(&net, net.now_ms + 10000);
	unsigned unreachable = 0, tries = 0;
	for (unsigned i = 0; i < 6; i++) {
		for (unsigned j = 0; j < 6; j++) {
			if (i == j)
				continue;
			unsigned before = h[i]->n_echo;
			for (unsigned k = 0; k < 10 && h[i]->n_echo == before; k++, tries++) {
				weft_node_ping(h[i]->node, net.now_ms, h[j]->address, k);
				sim_run_until(&net, net.now_ms + 1000);
			}
			unreachable += h[i]->n_echo == before;
		}
	}
	printf("  lossy: 30 ordered pairs, %u pings sent, %u pairs unreachable, %llu datagrams "
	       "lost\n",
	       tries, unreachable, (unsigned long long)net.dropped_loss);
	T_CHECK(unreachable == 0);
	sim_free(&net);
}

int main(void)
{
	static struct sim_net net;
	static const enum sim_nat mix[N_NODES] = {SIM_NAT_NONE,
	                                          SIM_NAT_NONE,
	                                          SIM_NAT_NONE,
	                                          SIM_NAT_NONE,
	                                          SIM_NAT_NONE,
	                                          SIM_NAT_FULL_CONE,
	                                          SIM_NAT_FULL_CONE,
	                                          SIM_NAT_FULL_CONE,
	                                          SIM_NAT_FULL_CONE,
	                                          SIM_NAT_FULL_CONE,
	                                          SIM_NAT_PORT_RESTRICTED,
	                                          SIM_NAT_PORT_RESTRICTED,
	                                          SIM_NAT_PORT_RESTRICTED,
	                                          SIM_NAT_PORT_RESTRICTED,
	                                          SIM_NAT_PORT_RESTRICTED,
	                                          SIM_NAT_SYMMETRIC,
	                                          SIM_NAT_SYMMETRIC,
	                                          SIM_NAT_SYMMETRIC,
	                                          SIM_NAT_SYMMETRIC,
	                                          SIM_NAT_SYMMETRIC};
	uint8_t planet[WEFT_WORLD_MAX_LEN];
	struct sim_host *h[N_NODES];
	t_init("sim/vl1");
	sim_init(&net, SEED, 10, 5, 0);
	net.trace = getenv("SIM_TRACE") != NULL;
	struct sim_host *root = sim_add_host(&net, SIM_NAT_NONE, NULL, 0);
	size_t plen = root ? sim_make_planet(root, planet, sizeof planet) : 0;
	t_case("sim: root and %d nodes created", N_NODES);
	T_CHECK(root && plen && weft_node_set_planet(root->node, net.now_ms, planet, plen) == 0);
	for (unsigned i = 0; i < N_NODES; i++) {
		h[i] = sim_add_host(&net, mix[i], planet, plen);
		T_CHECK(h[i] != NULL);
		if (!h[i])
			return t_done();
	}
	test_mesh(&net, root, h);
	test_cut(&net, h[0], h[1]);
	sim_free(&net);
	test_lossy();
	return t_done();
}
