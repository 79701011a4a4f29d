// SPDX-License-Identifier: MPL-2.0
// Physical network settings in the simulator (vl1.md §4.4, service.md §4.2-4.3): trusted paths
// (cipher suite 2) both ways and with mismatched IDs, per-network MTUs, weft_node_try_path, and
// the argument checks of weft_node_set_physical. Datagrams are watched on the wire by wrapping
// each node's wire_send callback.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "simnet.h"
#include "t.h"
#include "world.h"

#define TPID 0x1122334455667788ULL

// ---- the wire tap -------------------------------------------------------------------------

struct cap {
	const struct sim_host *from;
	struct weft_inetaddr to;
	size_t len;
	uint8_t head[WEFT_WIRE_IDX_PAYLOAD];
};

#define MAX_CAPS 4096
static struct cap caps[MAX_CAPS];
static unsigned n_caps;
static int (*real_send)(void *ctx, int64_t local_socket, const struct weft_inetaddr *to,
                        const void *data, size_t len, unsigned ttl);

static int tap_send(void *ctx, int64_t local_socket, const struct weft_inetaddr *to,
                    const void *data, size_t len, unsigned ttl)
{
	if (n_caps < MAX_CAPS) {
		struct cap *c = &caps[n_caps++];
		c->from = ctx;
		c->to = *to;
		c->len = len;
		memset(c->head, 0, sizeof c->head);
		memcpy(c->head, data, len < sizeof c->head ? len : sizeof c->head);
	}
	return real_send(ctx, local_socket, to, data, len, ttl);
}

static void tap(struct sim_host *h)
{
	real_send = h->node->cb.wire_send;
	h->node->cb.wire_send = tap_send;
}

static bool is_head(const struct cap *c)
{
	return c->len >= WEFT_PACKET_MIN_LEN && c->head[WEFT_WIRE_FRAG_IDX_INDICATOR] != 0xff;
}

static bool is_frag(const struct cap *c)
{
	return c->len > WEFT_FRAGMENT_HEADER_LEN && c->head[WEFT_WIRE_FRAG_IDX_INDICATOR] == 0xff;
}

static unsigned cipher_of(const struct cap *c)
{
	return (c->head[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_CIPHER_MASK) >>
	       WEFT_WIRE_FLAG_CIPHER_SHIFT;
}

static bool ip_eq(const struct weft_inetaddr *a, const struct weft_inetaddr *b)
{
	return a->family == b->family && !memcmp(a->ip, b->ip, 16);
}

// Datagrams a sent to b's address since the tap was last cleared.
#define FOR_CAPS(c, a, b)                                                                          \
	for (struct cap *c = caps; c < caps + n_caps; c++)                                         \
		if (c->from == (a) && ip_eq(&c->to, &(b)->outside))

// ---- helpers ------------------------------------------------------------------------------

static struct weft_physical_net host_net(const struct sim_host *h, uint64_t tpid, unsigned mtu)
{
	struct weft_physical_net p = {
	    .ip = h->outside, .bits = 32, .trusted_path_id = tpid, .mtu = mtu};
	return p;
}

static void set_nets(struct sim_host *h, const struct weft_physical_net *nets, size_t n)
{
	T_CHECK(weft_node_set_physical(h->node, nets, n) == WEFT_OK);
}

// A printable message of `len` bytes that LZ4 cannot shrink (random characters) or can (one
// letter repeated), its first 63 bytes being what the simulator's inbox keeps.
static char msg[9000];
static const char *make_msg(const char *tag, size_t len, bool compressible, uint64_t seed)
{
	size_t tl = strlen(tag);
	memcpy(msg, tag, tl);
	for (size_t i = tl; i < len; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		msg[i] = compressible ? 'x' : (char)('!' + (seed >> 33) % 94);
	}
	msg[len] = 0;
	return msg;
}

static unsigned got(const struct sim_host *h, const struct sim_host *from, const char *text)
{
	char prefix[64];
	snprintf(prefix, sizeof prefix, "%s", text);
	return sim_count_msgs(h, from->address, prefix);
}

static void send_msg(struct sim_net *net, struct sim_host *a, struct sim_host *b, const char *text,
                     size_t len)
{
	T_CHECK(weft_node_send_user_message(a->node, net->now_ms, b->address, 7, text, len) ==
	        WEFT_OK);
	sim_run_until(net, net->now_ms + 500);
}

// ---- cases --------------------------------------------------------------------------------

static void test_try_path(struct sim_net *net, struct sim_host *a, struct sim_host *b)
{
	struct weft_inetaddr lo = {.family = WEFT_INET_V4, .ip = {127, 0, 0, 1}, .port = 9993};
	t_case("try_path: an unknown peer is looked up (WHOIS) and NOT_FOUND returned");
	uint64_t whois = sim_counter(a, "whois_sent");
	T_CHECK(weft_node_try_path(a->node, net->now_ms, b->address, -1, &b->outside) ==
	        WEFT_ERR_NOT_FOUND);
	T_CHECK(sim_counter(a, "whois_sent") == whois + 1);
	T_CHECK(weft_node_try_path(a->node, net->now_ms, a->address, -1, &b->outside) ==
	        WEFT_ERR_INVALID);
	T_CHECK(weft_node_try_path(a->node, net->now_ms, 0xff00000001ULL, -1, &b->outside) ==
	        WEFT_ERR_INVALID);
	sim_run_until(net, net->now_ms + 500);
	T_CHECK(!sim_has_direct_path(a, b->address));

	t_case("try_path: a known peer is sent a HELLO at the address and a path follows");
	T_CHECK(weft_node_try_path(a->node, net->now_ms, b->address, -1, &lo) ==
	        WEFT_ERR_UNSUPPORTED); // loopback refused, as for any path
	n_caps = 0;
	T_CHECK(weft_node_try_path(a->node, net->now_ms, b->address, -1, &b->outside) == WEFT_OK);
	unsigned hellos = 0;
	FOR_CAPS(c, a, b)
	if (is_head(c) && cipher_of(c) == WEFT_CIPHER_POLY1305_NONE &&
	    (c->head[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_MASK) == WEFT_VERB_HELLO)
		hellos++;
	T_CHECK(hellos == 1);
	sim_run_until(net, net->now_ms + 500);
	T_CHECK(sim_has_direct_path(a, b->address));
	T_CHECK(sim_has_direct_path(b, a->address));
}

static void test_trusted(struct sim_net *net, struct sim_host *a, struct sim_host *b)
{
	struct weft_physical_net both[2] = {host_net(a, TPID, 0), host_net(b, TPID, 0)};
	t_case("trusted path: shared ID, messages and echo go as suite 2 with the ID in the MAC");
	set_nets(a, both, 2);
	set_nets(b, both, 2);
	n_caps = 0;
	unsigned echo = a->n_echo;
	send_msg(net, a, b, "trusted-1", 9);
	T_CHECK(weft_node_ping(a->node, net->now_ms, b->address, 42) == WEFT_OK);
	sim_run_until(net, net->now_ms + 500);
	T_CHECK(got(b, a, "trusted-1") == 1);
	T_CHECK(a->n_echo == echo + 1 && a->last_echo_cookie == 42);
	unsigned s2_msg = 0, s2_echo = 0, s2_bad = 0, s2_hello = 0, armed_back = 0;
	FOR_CAPS(c, a, b)
	{
		if (!is_head(c) || cipher_of(c) != WEFT_CIPHER_NONE)
			continue;
		uint8_t verb = c->head[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_MASK;
		s2_bad += load_be64(c->head + WEFT_WIRE_IDX_MAC) != TPID ||
		          (c->head[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_ENCRYPTED);
		s2_msg += verb == WEFT_VERB_USER_MESSAGE;
		s2_echo += verb == WEFT_VERB_ECHO;
		s2_hello += verb == WEFT_VERB_HELLO;
	}
	FOR_CAPS(c, b, a)
	armed_back += is_head(c) && cipher_of(c) != WEFT_CIPHER_NONE; // OK(ECHO): a direct reply
	T_CHECK(s2_msg == 1 && s2_echo == 1 && s2_bad == 0 && s2_hello == 0);
	T_CHECK(armed_back >= 1);
	T_CHECK(sim_counter(b, "drop_trusted_path") == 0);

	t_case("trusted path: compressed and fragmented suite-2 packets arrive");
	n_caps = 0;
	const char *big = make_msg("trusted-big", 6000, false, 1);
	send_msg(net, a, b, big, 6000);
	T_CHECK(got(b, a, big) == 1);
	unsigned frags = 0, heads2 = 0;
	FOR_CAPS(c, a, b)
	{
		frags += is_frag(c);
		heads2 += is_head(c) && cipher_of(c) == WEFT_CIPHER_NONE &&
		          (c->head[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_FRAGMENTED);
	}
	T_CHECK(heads2 == 1 && frags == 4); // 6000 + 36 bytes: 1432 + 4 x up to 1416
	n_caps = 0;
	const char *z = make_msg("trusted-z", 3000, true, 0);
	send_msg(net, a, b, z, 3000);
	T_CHECK(got(b, a, z) == 1);
	unsigned compressed = 0;
	FOR_CAPS(c, a, b)
	compressed +=
	    is_head(c) && cipher_of(c) == WEFT_CIPHER_NONE &&
	    c->head[WEFT_WIRE_IDX_VERB] == (WEFT_WIRE_VERB_COMPRESSED | WEFT_VERB_USER_MESSAGE);
	T_CHECK(compressed == 1);

	t_case("trusted path: mismatched IDs are dropped, counted, and nothing delivered");
	struct weft_physical_net other[2] = {host_net(a, TPID + 1, 0), host_net(b, TPID + 1, 0)};
	set_nets(b, other, 2);
	uint64_t dropped = sim_counter(b, "drop_trusted_path");
	unsigned inbox = b->n_inbox;
	send_msg(net, a, b, "mismatch", 8);
	T_CHECK(sim_counter(b, "drop_trusted_path") == dropped + 1);
	T_CHECK(b->n_inbox == inbox);
	// An ID right but from outside the trusted network is refused just the same.
	struct weft_physical_net elsewhere = host_net(b, TPID, 0);
	set_nets(b, &elsewhere, 1);
	send_msg(net, a, b, "outside", 7);
	T_CHECK(sim_counter(b, "drop_trusted_path") == dropped + 2);
	T_CHECK(b->n_inbox == inbox);

	t_case("trusted path on the receiver only: the sender arms, the receiver accepts");
	set_nets(a, NULL, 0);
	set_nets(b, both, 2);
	n_caps = 0;
	send_msg(net, a, b, "one-sided", 9);
	T_CHECK(got(b, a, "one-sided") == 1);
	unsigned s2 = 0, armed = 0;
	FOR_CAPS(c, a, b)
	{
		s2 += is_head(c) && cipher_of(c) == WEFT_CIPHER_NONE;
		armed += is_head(c) && cipher_of(c) != WEFT_CIPHER_NONE;
	}
	T_CHECK(s2 == 0 && armed >= 1);
	T_CHECK(sim_counter(b, "drop_trusted_path") == dropped + 2);
	set_nets(b, NULL, 0);
}

// Sends a 5000-byte message a -> b and says how the datagrams to b looked.
static void big_send(struct sim_net *net, struct sim_host *a, struct sim_host *b, const char *tag,
                     unsigned *count, size_t *largest, unsigned *n_frags)
{
	n_caps = 0;
	const char *text = make_msg(tag, 5000, false, 9);
	send_msg(net, a, b, text, 5000);
	T_CHECK(got(b, a, text) == 1);
	*count = 0;
	*largest = 0;
	*n_frags = 0;
	FOR_CAPS(c, a, b)
	{
		if (!is_head(c) && !is_frag(c))
			continue;
		(*count)++;
		*n_frags += is_frag(c);
		if (c->len > *largest)
			*largest = c->len;
	}
}

static void test_mtu(struct sim_net *net, struct sim_host *a, struct sim_host *b)
{
	unsigned count, frags;
	size_t largest;
	t_case("mtu: by default a 5000-byte message goes in pieces of at most 1432 bytes");
	big_send(net, a, b, "mtu-default", &count, &largest, &frags);
	T_CHECK(count == 4 && frags == 3 && largest == 1432);

	t_case("mtu 1400: pieces of at most 1400 bytes, reassembled on the far side");
	struct weft_physical_net small = host_net(b, 0, 1400);
	set_nets(a, &small, 1);
	big_send(net, a, b, "mtu-1400", &count, &largest, &frags);
	T_CHECK(count == 4 && frags == 3 && largest == 1400);

	t_case("mtu 9000: the same message goes as one datagram");
	struct weft_physical_net jumbo = host_net(b, 0, 9000);
	set_nets(a, &jumbo, 1);
	big_send(net, a, b, "mtu-9000", &count, &largest, &frags);
	T_CHECK(count == 1 && frags == 0 && largest > 5000);

	t_case("mtu: a longer prefix wins; a rejected setting leaves the old one");
	struct weft_physical_net nested[2] = {jumbo, host_net(b, 0, 1400)};
	nested[0].bits = 16;
	set_nets(a, nested, 2);
	struct weft_physical_net bad = host_net(b, 0, 1399);
	T_CHECK(weft_node_set_physical(a->node, &bad, 1) == WEFT_ERR_INVALID);
	big_send(net, a, b, "mtu-nested", &count, &largest, &frags);
	T_CHECK(count == 4 && largest == 1400);
	set_nets(a, NULL, 0);
}

static void test_bad_input(struct sim_host *a)
{
	struct weft_physical_net nets[WEFT_MAX_PHYSICAL_NETS + 1];
	t_case("set_physical rejects malformed settings");
	for (unsigned i = 0; i <= WEFT_MAX_PHYSICAL_NETS; i++)
		nets[i] = host_net(a, i + 1, 0);
	T_CHECK(weft_node_set_physical(a->node, nets, WEFT_MAX_PHYSICAL_NETS + 1) ==
	        WEFT_ERR_INVALID);
	T_CHECK(weft_node_set_physical(a->node, nets, WEFT_MAX_PHYSICAL_NETS) == WEFT_OK);
	T_CHECK(weft_node_set_physical(a->node, NULL, 1) == WEFT_ERR_INVALID);
	struct weft_physical_net e = host_net(a, 1, 0);
	e.bits = 33;
	T_CHECK(weft_node_set_physical(a->node, &e, 1) == WEFT_ERR_INVALID);
	e.ip.family = WEFT_INET_V6;
	e.bits = 128;
	T_CHECK(weft_node_set_physical(a->node, &e, 1) == WEFT_OK);
	e.bits = 129;
	T_CHECK(weft_node_set_physical(a->node, &e, 1) == WEFT_ERR_INVALID);
	e.bits = 0;
	e.ip.family = WEFT_INET_NONE;
	T_CHECK(weft_node_set_physical(a->node, &e, 1) == WEFT_ERR_INVALID);
	e = host_net(a, 0, WEFT_PHYSMTU_MIN - 1);
	T_CHECK(weft_node_set_physical(a->node, &e, 1) == WEFT_ERR_INVALID);
	e.mtu = WEFT_PHYSMTU_MAX + 1;
	T_CHECK(weft_node_set_physical(a->node, &e, 1) == WEFT_ERR_INVALID);
	e.mtu = WEFT_PHYSMTU_MIN;
	T_CHECK(weft_node_set_physical(a->node, &e, 1) == WEFT_OK);
	e.mtu = WEFT_PHYSMTU_MAX;
	T_CHECK(weft_node_set_physical(a->node, &e, 1) == WEFT_OK);
	T_CHECK(weft_node_set_physical(NULL, &e, 1) == WEFT_ERR_INVALID);
	T_CHECK(weft_node_set_physical(a->node, NULL, 0) == WEFT_OK);
}

int main(void)
{
	static struct sim_net net;
	uint8_t planet[WEFT_WORLD_MAX_LEN];
	t_init("sim/physical");
	sim_init(&net, 11, 10, 0, 0);
	net.trace = getenv("SIM_TRACE") != NULL;
	struct sim_host *root = sim_add_host(&net, SIM_NAT_NONE, NULL, 0);
	size_t plen = root ? sim_make_planet(root, planet, sizeof planet) : 0;
	t_case("sim: a root and two public nodes come online");
	T_CHECK(root && plen && weft_node_set_planet(root->node, net.now_ms, planet, plen) == 0);
	struct sim_host *a = sim_add_host(&net, SIM_NAT_NONE, planet, plen);
	struct sim_host *b = sim_add_host(&net, SIM_NAT_NONE, planet, plen);
	T_CHECK(a && b);
	if (!a || !b)
		return t_done();
	tap(a);
	tap(b);
	sim_run_until(&net, net.now_ms + 3000);
	T_CHECK(a->online_at_ms >= 0 && b->online_at_ms >= 0);
	test_try_path(&net, a, b);
	test_trusted(&net, a, b);
	test_mtu(&net, a, b);
	test_bad_input(a);
	sim_free(&net);
	return t_done();
}
