// SPDX-License-Identifier: MPL-2.0
// Worlds in the simulator: a root hands a newer planet to its leaves in OK(HELLO) and they
// adopt it only when it is signed by the key the old one named; a node orbits a moon through
// its seed, treats the moon's root as an upstream, and deorbits; a restarted node finds a
// peer in its cache instead of asking the roots.
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "simnet.h"
#include "t.h"
#include "world.h"

struct keypair {
	uint8_t pub[64], sec[64];
};

static void make_keys(struct keypair *k)
{
	uint8_t sk[64];
	randombytes_buf(k->sec, sizeof k->sec);
	crypto_scalarmult_base(k->pub, k->sec);
	crypto_sign_seed_keypair(k->pub + 32, sk, k->sec + 32);
}

// A world naming `roots` (their public identities and outside addresses), signed by `signer`,
// with `next` as the key for the following revision.
static size_t make_world(uint8_t type, uint64_t id, uint64_t ts, struct sim_host **roots,
                         unsigned n, const struct keypair *signer, const struct keypair *next,
                         uint8_t *out, size_t cap)
{
	struct weft_world w = {.type = type, .id = id, .timestamp = ts, .n_roots = n};
	struct weft_wbuf b;
	memcpy(w.update_key, next->pub, 64);
	for (unsigned i = 0; i < n; i++) {
		weft_identity_from_string(&w.roots[i].identity, roots[i]->identity,
		                          (size_t)roots[i]->identity_len, NULL);
		weft_identity_clear(&(struct weft_identity){0});
		w.roots[i].identity.has_secret = false;
		memset(w.roots[i].identity.sec, 0, 64);
		w.roots[i].n_endpoints = 1;
		w.roots[i].endpoints[0] = roots[i]->outside;
	}
	weft_world_sign(&w, signer->pub, signer->sec);
	wbuf_init(&b, out, cap);
	weft_world_encode(&w, &b);
	return b.bad ? 0 : b.len;
}

static uint64_t held_planet_ts(const struct sim_host *h)
{
	struct weft_world w;
	struct weft_rbuf r;
	rbuf_init(&r, h->planet, (size_t)h->planet_len);
	return weft_world_decode(&w, &r) == WEFT_OK ? w.timestamp : 0;
}

static enum weft_peer_role role_of(struct sim_host *h, uint64_t address)
{
	static struct weft_peer_info info[64];
	size_t n = weft_node_peers(h->node, h->net->now_ms, info, 64);
	for (size_t i = 0; i < n && i < 64; i++)
		if (info[i].address == address)
			return info[i].role;
	return (enum weft_peer_role) - 1;
}

static void test_planet_update(struct sim_net *net, struct sim_host *root, struct sim_host **l,
                               const struct keypair *k1)
{
	uint8_t buf[WEFT_WORLD_MAX_LEN];
	struct keypair k2, rogue;
	make_keys(&k2);
	make_keys(&rogue);

	t_case("worlds: a forged planet revision is not adopted by the leaves");
	size_t n =
	    make_world(WEFT_WORLD_PLANET, 0x77, 5, &root, 1, &rogue, &rogue, buf, sizeof buf);
	T_CHECK(weft_node_set_planet(root->node, net->now_ms, buf, n) == WEFT_OK);
	sim_run_until(net, net->now_ms + 240000); // past the 224 s upstream HELLO period
	T_CHECK(held_planet_ts(l[0]) == 1 && held_planet_ts(l[1]) == 1);

	t_case("worlds: a planet revision signed by the named key reaches every leaf");
	n = make_world(WEFT_WORLD_PLANET, 0x77, 6, &root, 1, k1, &k2, buf, sizeof buf);
	T_CHECK(weft_node_set_planet(root->node, net->now_ms, buf, n) == WEFT_OK);
	sim_run_until(net, net->now_ms + 240000);
	T_CHECK_MSG(held_planet_ts(l[0]) == 6 && held_planet_ts(l[1]) == 6,
	            "leaves hold revisions %llu and %llu", (unsigned long long)held_planet_ts(l[0]),
	            (unsigned long long)held_planet_ts(l[1]));
	T_CHECK(weft_node_online(l[0]->node) && weft_node_online(l[1]->node));
}

static void test_moon(struct sim_net *net, struct sim_host *seed, struct sim_host *x)
{
	uint8_t buf[WEFT_WORLD_MAX_LEN];
	struct keypair mk;
	make_keys(&mk);
	uint64_t moon_id = seed->address;

	t_case("worlds: a node orbits a moon through its seed and uses it as an upstream");
	size_t n = make_world(WEFT_WORLD_MOON, moon_id, 100, &seed, 1, &mk, &mk, buf, sizeof buf);
	sim_put_object(seed, WEFT_STATE_MOON, moon_id, buf, n);
	T_CHECK(weft_node_orbit(seed->node, net->now_ms, moon_id, 0) == WEFT_OK);
	T_CHECK(weft_node_orbit(x->node, net->now_ms, moon_id, seed->address) == WEFT_OK);
	sim_run_until(net, net->now_ms + 15000);
	T_CHECK_MSG(role_of(x, seed->address) == WEFT_PEER_MOON, "role %d",
	            (int)role_of(x, seed->address));
	bool stored = false;
	for (unsigned i = 0; i < x->n_objects; i++)
		stored |= x->objects[i]->type == WEFT_STATE_MOON && x->objects[i]->id == moon_id;
	T_CHECK(stored);

	t_case("worlds: deorbit forgets the moon and its stored copy");
	T_CHECK(weft_node_deorbit(x->node, net->now_ms, moon_id) == WEFT_OK);
	T_CHECK(role_of(x, seed->address) == WEFT_PEER_LEAF);
	stored = false;
	for (unsigned i = 0; i < x->n_objects; i++)
		stored |= x->objects[i]->type == WEFT_STATE_MOON && x->objects[i]->id == moon_id;
	T_CHECK(!stored);
}

static void test_peer_cache(struct sim_net *net, struct sim_host *a, struct sim_host *b)
{
	t_case("worlds: a restarted node finds a known peer in its cache, not through WHOIS");
	weft_node_send_user_message(a->node, net->now_ms, b->address, 1, "before", 6);
	sim_run_until(net, net->now_ms + 2000);
	T_CHECK(sim_count_msgs(b, a->address, "before") == 1);
	T_CHECK(sim_restart(a));
	sim_run_until(net, net->now_ms + 1000);
	uint64_t whois_before = sim_counter(a, "whois_sent");
	weft_node_send_user_message(a->node, net->now_ms, b->address, 1, "after", 5);
	T_CHECK(sim_counter(a, "whois_sent") == whois_before);
	sim_run_until(net, net->now_ms + 2000);
	T_CHECK(sim_count_msgs(b, a->address, "after") == 1);
}

int main(void)
{
	static struct sim_net net;
	uint8_t planet[WEFT_WORLD_MAX_LEN];
	struct keypair k1;
	struct sim_host *l[3];
	t_init("sim/worlds");
	sim_init(&net, 11, 10, 5, 0);
	make_keys(&k1);
	struct sim_host *root = sim_add_host(&net, SIM_NAT_NONE, NULL, 0);
	size_t plen =
	    make_world(WEFT_WORLD_PLANET, 0x77, 1, &root, 1, &k1, &k1, planet, sizeof planet);
	t_case("worlds: set up a root and three leaves");
	T_CHECK(weft_node_set_planet(root->node, net.now_ms, planet, plen) == WEFT_OK);
	for (unsigned i = 0; i < 3; i++)
		T_CHECK((l[i] = sim_add_host(&net, i ? SIM_NAT_PORT_RESTRICTED : SIM_NAT_NONE,
		                             planet, plen)) != NULL);
	sim_run_until(&net, net.now_ms + 2000);
	for (unsigned i = 0; i < 3; i++)
		T_CHECK(weft_node_online(l[i]->node));
	test_planet_update(&net, root, l, &k1);
	test_moon(&net, l[0], l[1]);
	test_peer_cache(&net, l[2], l[1]);
	sim_free(&net);
	return t_done();
}
