// SPDX-License-Identifier: MPL-2.0
// Fuzzes the member side of VL2 through a node's real receive path: the node has joined a
// network whose controller (a root, so the node knows it) issued it a signed configuration,
// and a second known member holds signed credentials too. Inputs are sequences of armored
// packets from those two peers (FRAME, EXT_FRAME, NETWORK_CREDENTIALS, MULTICAST_LIKE, GATHER
// and FRAME, their OKs, ERROR), raw or with well-formed structure put in front, frames from
// the local port, subscriptions and the passing of time. ASan/UBSan find memory errors;
// frames the node hands to its port are checked.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crypto.h"
#include "hello.h"
#include "node.h"
#include "vl2addr.h"

#define T0       1700000000000LL // configuration and credential timestamps
#define CTMD     7200000         // credential time max delta
#define N_CONFIG 4
#define N_CRED   8 // prepared credentials of each type, chosen by a bit mask
#define ALIEN    0x0102030405ULL
#define BRIDGED  0x020a0b0c0d0eULL // a MAC behind a bridge

static uint64_t rng;
static struct weft_identity self_id, ctl_id, mem_id;
static char self_str[WEFT_IDENTITY_STR_SECRET_LEN + 1];
static uint8_t planet[WEFT_WORLD_MAX_LEN];
static size_t planet_len;
static struct weft_cipher_key ctl_key, mem_key; // the peers' sides of their shared keys
static struct weft_inetaddr ctl_addr, mem_addr;
static uint64_t nwid, self_mac, ctl_mac, mem_mac;
static uint8_t *config[N_CONFIG];
static size_t config_len[N_CONFIG];
static unsigned variant;
static uint64_t sent_ids[64];
static unsigned n_sent;
static struct {
	uint64_t address;
	size_t len;
	uint8_t data[256];
} cache[4]; // the peer cache (state objects of type PEER)

// Serialized credentials, by type: COMs, capabilities, tags, revocations, COOs.
enum { K_COM, K_CAP, K_TAG, K_REV, K_COO, K_COUNT };
static struct blob {
	size_t len;
	uint8_t b[WEFT_CAP_MAX_LEN];
} creds[K_COUNT][N_CRED];

static void det_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (uint8_t)(rng >> 56);
	}
}

// ---- callbacks --------------------------------------------------------------------------

static int wire_send(void *ctx, int64_t sock, const struct weft_inetaddr *to, const void *data,
                     size_t len, unsigned ttl)
{
	(void)ctx, (void)sock, (void)to, (void)ttl;
	if (len >= 8)
		sent_ids[n_sent++ % 64] = load_be64(data);
	return 0;
}

static void state_put(void *ctx, enum weft_state_object t, uint64_t id, const void *d, size_t l)
{
	(void)ctx;
	if (t != WEFT_STATE_PEER || !d || l > sizeof cache[0].data)
		return;
	unsigned slot = (unsigned)(id % 4);
	cache[slot].address = id;
	cache[slot].len = l;
	memcpy(cache[slot].data, d, l);
}

static long copy_out(void *buf, size_t cap, const void *src, size_t len)
{
	if (len > cap)
		return -1;
	memcpy(buf, src, len);
	return (long)len;
}

static long state_get(void *ctx, enum weft_state_object t, uint64_t id, void *buf, size_t cap)
{
	(void)ctx;
	switch (t) {
	case WEFT_STATE_IDENTITY_SECRET:
		return copy_out(buf, cap, self_str, WEFT_IDENTITY_STR_SECRET_LEN);
	case WEFT_STATE_PLANET: return copy_out(buf, cap, planet, planet_len);
	case WEFT_STATE_NETWORK_CONFIG:
		if (id != nwid)
			return -1;
		return copy_out(buf, cap, config[variant], config_len[variant]);
	case WEFT_STATE_PEER:
		if (cache[id % 4].address != id || !cache[id % 4].len)
			return -1;
		return copy_out(buf, cap, cache[id % 4].data, cache[id % 4].len);
	default: return -1;
	}
}

static void event(void *ctx, enum weft_event ev, const void *data)
{
	(void)ctx, (void)ev, (void)data;
}

static void frame_out(void *ctx, const struct weft_frame *f)
{
	(void)ctx;
	CHECK(f->network_id == nwid);
	CHECK(f->len <= WEFT_NETCONF_MTU_MAX);
	CHECK(f->src_mac <= WEFT_MAC_MASK && f->dst_mac <= WEFT_MAC_MASK);
	CHECK(f->len == 0 || f->data != NULL);
	if (f->len) { // touch both ends: ASan checks the borrowed buffer
		volatile uint8_t ends[2] = {((const uint8_t *)f->data)[0],
		                            ((const uint8_t *)f->data)[f->len - 1]};
		(void)ends;
	}
}

// ---- the network: configuration and credentials -------------------------------------------

static void ip6_of(struct weft_inetaddr *a, uint64_t address, bool sixplane)
{
	memset(a, 0, sizeof *a);
	a->family = WEFT_INET_V6;
	if (sixplane) {
		weft_vl2_6plane(a->ip, nwid, address);
		a->port = WEFT_VL2_6PLANE_PREFIX_BITS;
	} else {
		weft_vl2_rfc4193(a->ip, nwid, address);
		a->port = WEFT_VL2_RFC4193_PREFIX_BITS;
	}
}

static struct weft_rule rule(unsigned type)
{
	struct weft_rule r;
	weft_rule_init(&r, type, false, false);
	return r;
}

// Base rules per variant: 0 copies and watches, matches tags and IPs, then accepts; 1 accepts
// everything; 2 redirects IPv4 to the member, accepts ARP and tagged senders, drops the rest;
// 3 drops half at random, accepts the rest on a match type it does not know.
static unsigned rules_for(unsigned v, struct weft_rule *out)
{
	unsigned n = 0;
	struct weft_rule r;
	if (v == 1) {
		out[n++] = rule(WEFT_RULE_ACTION_ACCEPT);
		return n;
	}
	if (v == 3) {
		r = rule(WEFT_RULE_MATCH_RANDOM);
		r.v.probability = 0x80000000u;
		out[n++] = r;
		out[n++] = rule(WEFT_RULE_ACTION_DROP);
		r = (struct weft_rule){.t = 60,
		                       .len = 2}; // unknown: the config flag says it matches
		out[n++] = r;
		out[n++] = rule(WEFT_RULE_ACTION_ACCEPT);
		out[n++] = rule(WEFT_RULE_ACTION_DROP);
		return n;
	}
	r = rule(WEFT_RULE_MATCH_ETHERTYPE);
	r.v.ethertype = v == 0 ? 0x0806 : 0x0800;
	out[n++] = r;
	r = rule(v == 0 ? WEFT_RULE_ACTION_TEE : WEFT_RULE_ACTION_REDIRECT);
	r.v.fwd.address = v == 0 ? ctl_id.address : mem_id.address;
	r.v.fwd.length = 64;
	out[n++] = r;
	r = rule(WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS);
	r.v.zt = mem_id.address;
	out[n++] = r;
	r = rule(WEFT_RULE_ACTION_WATCH);
	r.v.fwd.address = ctl_id.address;
	out[n++] = r;
	r = rule(WEFT_RULE_MATCH_TAGS_EQUAL);
	r.v.tag.id = 1;
	out[n++] = r;
	out[n++] = rule(WEFT_RULE_ACTION_ACCEPT);
	r = rule(WEFT_RULE_MATCH_CHARACTERISTICS);
	r.v.characteristics = WEFT_RULES_CF_SENDER_IP_AUTH;
	out[n++] = r;
	out[n++] = rule(WEFT_RULE_ACTION_ACCEPT);
	out[n++] = rule(v == 0 ? WEFT_RULE_ACTION_ACCEPT : WEFT_RULE_ACTION_DROP);
	return n;
}

static void sign_cap(struct weft_cap *c, uint32_t id, int64_t ts, uint64_t to, unsigned kind)
{
	memset(c, 0, sizeof *c);
	c->nwid = nwid, c->timestamp = ts, c->id = id, c->max_custody = 2;
	if (kind == 1) { // IPv6 copied to the controller, then accepted
		c->rules[0] = rule(WEFT_RULE_MATCH_ETHERTYPE);
		c->rules[0].v.ethertype = 0x86dd;
		c->rules[1] = rule(WEFT_RULE_ACTION_TEE);
		c->rules[1].v.fwd.address = ctl_id.address;
		c->n_rules = 2;
	}
	c->rules[c->n_rules++] = rule(kind == 2 ? WEFT_RULE_ACTION_DROP : WEFT_RULE_ACTION_ACCEPT);
	CHECK(weft_cap_sign(c, &ctl_id, to) == WEFT_OK);
}

static void self_credentials(struct weft_netconf *nc)
{
	uint8_t mac[6];
	nc->tags[0] = (struct weft_tag){
	    .nwid = nwid, .timestamp = T0, .id = 1, .value = 7, .issued_to = self_id.address};
	nc->tags[1] = (struct weft_tag){
	    .nwid = nwid, .timestamp = T0, .id = 2, .value = 0x10, .issued_to = self_id.address};
	CHECK(weft_tag_sign(&nc->tags[0], &ctl_id) == WEFT_OK);
	CHECK(weft_tag_sign(&nc->tags[1], &ctl_id) == WEFT_OK);
	nc->n_tags = 2;
	sign_cap(&nc->caps[0], 1, T0, self_id.address, 1);
	nc->n_caps = 1;
	nc->coos[0] =
	    (struct weft_coo){.nwid = nwid, .timestamp = T0, .id = 1, .issued_to = self_id.address};
	for (unsigned i = 0; i < nc->n_static_ips; i++)
		weft_coo_add_ip(&nc->coos[0], &nc->static_ips[i]);
	weft_vl2_mac_to_bytes(mac, self_mac);
	weft_coo_add_mac(&nc->coos[0], mac);
	CHECK(weft_coo_sign(&nc->coos[0], &ctl_id) == WEFT_OK);
	nc->n_coos = 1;
	CHECK(weft_com_init(&nc->com, T0, CTMD, nwid, &self_id) == WEFT_OK);
	CHECK(weft_com_sign(&nc->com, &ctl_id) == WEFT_OK);
	nc->has_com = true;
}

// Variant 0: private, broadcast and NDP emulation; 1: public, the member an active bridge, the
// controller an anchor, ourselves a bridge; 2: private, no broadcast, multicast limit 1;
// 3: private, NDP emulation, multicast disabled.
static void build_config(unsigned v)
{
	static struct weft_netconf nc; // 0.5 MB
	static uint8_t dict[WEFT_LIMIT_CFG_DICT], scratch[WEFT_LIMIT_CFG_DICT];
	struct weft_dict d;
	memset(&nc, 0, sizeof nc);
	nc.nwid = nwid;
	nc.timestamp_ms = T0;
	nc.credential_time_max_delta_ms = CTMD;
	nc.revision = 1 + v;
	nc.issued_to = self_id.address;
	nc.type = v == 1 ? WEFT_NETCONF_PUBLIC : WEFT_NETCONF_PRIVATE;
	static const uint64_t flags[N_CONFIG] = {
	    WEFT_NETCONF_F_ENABLE_BROADCAST | WEFT_NETCONF_F_ENABLE_IPV6_NDP_EMULATION,
	    WEFT_NETCONF_F_ENABLE_BROADCAST, WEFT_NETCONF_F_DISABLE_COMPRESSION,
	    WEFT_NETCONF_F_ENABLE_IPV6_NDP_EMULATION |
	        WEFT_NETCONF_F_RULES_RESULT_OF_UNSUPPORTED_MATCH};
	nc.flags = flags[v];
	nc.multicast_limit = v == 2 ? 1 : v == 3 ? 0 : 32;
	nc.mtu = WEFT_NETCONF_MTU_DEFAULT;
	snprintf(nc.name, sizeof nc.name, "vl2-fuzz-%u", v);
	weft_inetaddr_from_string(&nc.static_ips[nc.n_static_ips++], "10.0.0.1/24");
	ip6_of(&nc.static_ips[nc.n_static_ips++], self_id.address, false);
	ip6_of(&nc.static_ips[nc.n_static_ips++], self_id.address, true);
	weft_inetaddr_from_string(&nc.routes[nc.n_routes++].target, "10.0.0.0/24");
	nc.n_rules = rules_for(v, nc.rules);
	self_credentials(&nc);
	if (v == 1) {
		nc.specialists[nc.n_specialists++] =
		    mem_id.address | WEFT_NETCONF_SPECIALIST_ACTIVE_BRIDGE;
		nc.specialists[nc.n_specialists++] = ctl_id.address |
		                                     WEFT_NETCONF_SPECIALIST_ANCHOR |
		                                     WEFT_NETCONF_SPECIALIST_MULTICAST_REPLIC;
		nc.specialists[nc.n_specialists++] =
		    self_id.address | WEFT_NETCONF_SPECIALIST_ACTIVE_BRIDGE;
	}
	snprintf(nc.dns.domain, sizeof nc.dns.domain, "vl2.fuzz");
	weft_inetaddr_from_string(&nc.dns.servers[0], "10.0.0.53/53");
	weft_dict_init(&d, dict, sizeof dict);
	CHECK(weft_netconf_encode(&nc, &d, scratch, sizeof scratch) == WEFT_OK);
	config_len[v] = d.len;
	config[v] = malloc(d.len);
	CHECK(config[v] != NULL);
	memcpy(config[v], dict, d.len);
}

// Encodes credential x into blob with its encoder; it must fit.
#define PUT(blob, encode, x)                                                                       \
	do {                                                                                       \
		struct weft_wbuf w_;                                                               \
		wbuf_init(&w_, (blob)->b, sizeof(blob)->b);                                        \
		encode(x, &w_);                                                                    \
		CHECK(!w_.bad);                                                                    \
		(blob)->len = w_.len;                                                              \
	} while (0)

static void make_com(unsigned i, const struct weft_identity *holder, int64_t ts, uint64_t id,
                     const struct weft_identity *signer, bool tamper)
{
	struct weft_com c;
	CHECK(weft_com_init(&c, ts, CTMD, id, holder) == WEFT_OK);
	CHECK(weft_com_sign(&c, signer) == WEFT_OK);
	c.signature[5] ^= tamper;
	PUT(&creds[K_COM][i], weft_com_encode, &c);
}

static void make_coms(void)
{
	make_com(0, &mem_id, T0, nwid, &ctl_id, false);
	make_com(1, &mem_id, T0 + 1000, nwid, &ctl_id, false);
	make_com(2, &ctl_id, T0, nwid, &ctl_id, false);
	make_com(3, &mem_id, T0, nwid, &ctl_id, true);
	make_com(4, &mem_id, T0 - 10 * CTMD, nwid, &ctl_id, false); // does not agree with ours
	make_com(5, &self_id, T0, nwid, &ctl_id, false);
	make_com(6, &mem_id, T0, nwid + 1, &ctl_id, false); // a network we did not join
	make_com(7, &mem_id, T0, nwid, &mem_id, false);     // not signed by the controller
}

static void make_tag(unsigned i, uint64_t to, uint32_t id, uint32_t value, int64_t ts, bool tamper)
{
	struct weft_tag t = {
	    .nwid = nwid, .timestamp = ts, .id = id, .value = value, .issued_to = to};
	CHECK(weft_tag_sign(&t, &ctl_id) == WEFT_OK);
	t.signature[9] ^= tamper;
	PUT(&creds[K_TAG][i], weft_tag_encode, &t);
}

static void make_caps_tags(void)
{
	static struct weft_cap c; // 3 KB of rules
	sign_cap(&c, 1, T0, mem_id.address, 0);
	PUT(&creds[K_CAP][0], weft_cap_encode, &c);
	sign_cap(&c, 2, T0, mem_id.address, 1);
	PUT(&creds[K_CAP][1], weft_cap_encode, &c);
	sign_cap(&c, 1, T0 + 5, mem_id.address, 2);
	CHECK(weft_cap_sign(&c, &mem_id, ctl_id.address) == WEFT_OK); // passed on: custody 2
	PUT(&creds[K_CAP][2], weft_cap_encode, &c);
	sign_cap(&c, 3, T0, ctl_id.address, 2);
	PUT(&creds[K_CAP][3], weft_cap_encode, &c);
	sign_cap(&c, 1, T0 - 5, mem_id.address, 0);
	PUT(&creds[K_CAP][4], weft_cap_encode, &c);
	sign_cap(&c, 4, T0, mem_id.address, 0);
	c.custody[0].signature[3] ^= 1;
	PUT(&creds[K_CAP][5], weft_cap_encode, &c);
	sign_cap(&c, 5, T0 + 3 * CTMD, mem_id.address, 0); // outside the time window
	PUT(&creds[K_CAP][6], weft_cap_encode, &c);
	sign_cap(&c, 6, T0, self_id.address, 0);
	PUT(&creds[K_CAP][7], weft_cap_encode, &c);
	make_tag(0, mem_id.address, 1, 7, T0, false);
	make_tag(1, mem_id.address, 2, 0x10, T0, false);
	make_tag(2, mem_id.address, 1, 8, T0 + 10, false);
	make_tag(3, ctl_id.address, 1, 7, T0, false);
	make_tag(4, mem_id.address, 3, 1, T0, true);
	make_tag(5, mem_id.address, 4, 1, T0 - 3 * CTMD, false);
	make_tag(6, mem_id.address, 1, 6, T0 - 10, false);
	make_tag(7, self_id.address, 1, 7, T0, false);
}

static void make_rev(unsigned i, uint8_t type, uint32_t cred_id, uint64_t target, int64_t thr,
                     uint64_t flags, const struct weft_identity *signer)
{
	struct weft_revocation r = {.id = 100 + i,
	                            .nwid = nwid,
	                            .credential_id = cred_id,
	                            .threshold = thr,
	                            .flags = flags,
	                            .target = target,
	                            .type = type};
	CHECK(weft_revocation_sign(&r, signer) == WEFT_OK);
	PUT(&creds[K_REV][i], weft_revocation_encode, &r);
}

static void make_coo(unsigned i, uint64_t to, int64_t ts, uint32_t id, bool tamper)
{
	struct weft_coo c = {.nwid = nwid, .timestamp = ts, .id = id, .issued_to = to};
	struct weft_inetaddr a;
	uint8_t mac[6];
	ip6_of(&a, to, false);
	weft_coo_add_ip(&c, &a);
	ip6_of(&a, to, true);
	weft_coo_add_ip(&c, &a);
	weft_inetaddr_from_string(&a, to == mem_id.address ? "10.0.0.2/0" : "10.0.0.3/0");
	weft_coo_add_ip(&c, &a);
	weft_vl2_mac_to_bytes(mac, weft_vl2_mac_from_address(to, nwid));
	weft_coo_add_mac(&c, mac);
	weft_vl2_mac_to_bytes(mac, BRIDGED);
	weft_coo_add_mac(&c, mac);
	CHECK(weft_coo_sign(&c, &ctl_id) == WEFT_OK);
	c.signature[1] ^= tamper;
	PUT(&creds[K_COO][i], weft_coo_encode, &c);
}

static void make_revs_coos(void)
{
	const uint64_t fast = WEFT_REVOCATION_FAST_PROPAGATE;
	make_rev(0, WEFT_CREDENTIAL_COM, 0, mem_id.address, T0, fast, &ctl_id);
	make_rev(1, WEFT_CREDENTIAL_TAG, 1, mem_id.address, T0, 0, &ctl_id);
	make_rev(2, WEFT_CREDENTIAL_CAPABILITY, 1, mem_id.address, T0, fast, &ctl_id);
	make_rev(3, WEFT_CREDENTIAL_COO, 1, mem_id.address, T0, 0, &ctl_id);
	make_rev(4, WEFT_CREDENTIAL_COM, 0, ctl_id.address, T0 - 1, fast, &ctl_id);
	make_rev(5, WEFT_CREDENTIAL_REVOCATION, 9, mem_id.address, T0, 0, &ctl_id);
	make_rev(6, WEFT_CREDENTIAL_COM, 0, mem_id.address, T0 + 5000, fast, &mem_id);
	make_rev(7, WEFT_CREDENTIAL_TAG, 1, mem_id.address, T0 - 100, 0, &ctl_id);
	for (unsigned i = 0; i < N_CRED; i++)
		make_coo(i, i == 3 ? ctl_id.address : mem_id.address, T0 + (int64_t)i, 1 + i % 2,
		         i == 5);
}

// ---- setup ----------------------------------------------------------------------------------

static void make_planet(void)
{
	uint8_t key[48];
	struct weft_wbuf w;
	static struct weft_world world = {.type = WEFT_WORLD_PLANET, .id = 77, .timestamp = 1};
	world.n_roots = 1;
	world.roots[0].identity = ctl_id;
	world.roots[0].identity.has_secret = false;
	world.roots[0].n_endpoints = 1;
	world.roots[0].endpoints[0] = ctl_addr;
	memcpy(world.update_key, ctl_id.pub, 64);
	weft_world_sign(&world, ctl_id.pub, ctl_id.sec);
	wbuf_init(&w, planet, sizeof planet);
	weft_world_encode(&world, &w);
	planet_len = w.len;
	CHECK(weft_identity_agree(&ctl_id, &self_id, key) == WEFT_OK);
	weft_cipher_key_init(&ctl_key, key);
	CHECK(weft_identity_agree(&mem_id, &self_id, key) == WEFT_OK);
	weft_cipher_key_init(&mem_key, key);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	rng = 0x5eed;
	weft_crypto_init();
	weft_identity_generate(&self_id, det_random, NULL);
	weft_identity_generate(&ctl_id, det_random, NULL);
	weft_identity_generate(&mem_id, det_random, NULL);
	weft_identity_to_string(&self_id, true, self_str, sizeof self_str);
	weft_inetaddr_from_string(&ctl_addr, "198.51.100.1/9993");
	weft_inetaddr_from_string(&mem_addr, "203.0.113.7/9993");
	nwid = ctl_id.address << 24 | 1;
	self_mac = weft_vl2_mac_from_address(self_id.address, nwid);
	ctl_mac = weft_vl2_mac_from_address(ctl_id.address, nwid);
	mem_mac = weft_vl2_mac_from_address(mem_id.address, nwid);
	make_planet();
	for (unsigned v = 0; v < N_CONFIG; v++)
		build_config(v);
	make_coms();
	make_caps_tags();
	make_revs_coos();
	return 0;
}

// Arms pkt (header and payload in place) as sent by `from` and feeds it to the node.
static void deliver(struct weft_node *node, int64_t now, bool from_ctl, uint8_t verb, uint8_t *pkt,
                    size_t len, uint8_t how)
{
	static uint8_t scratch[WEFT_PACKET_MAX_LEN];
	struct weft_packet_header h = {.dest = self_id.address,
	                               .source = from_ctl ? ctl_id.address : mem_id.address,
	                               .flags = (how & 0x80) ? 1 : 0, // relayed once
	                               .verb = verb};
	det_random(NULL, &h.id, 8);
	weft_packet_header_encode(pkt, &h);
	if (how & 0x20)
		len = weft_packet_compress(pkt, len, scratch);
	enum weft_cipher suite =
	    (how & 0x40) ? WEFT_CIPHER_AES_GMAC_SIV : WEFT_CIPHER_POLY1305_SALSA2012;
	if (weft_packet_arm(pkt, len, from_ctl ? &ctl_key : &mem_key, suite) == WEFT_OK)
		weft_node_process_wire_packet(node, now, 0, from_ctl ? &ctl_addr : &mem_addr, pkt,
		                              len, NULL);
}

// The member says HELLO (the node validates its identity once) and answers the node's
// packets, so the node learns a direct path to it.
static void meet_member(struct weft_node *node, int64_t now)
{
	static uint8_t pkt[WEFT_PACKET_MAX_LEN];
	uint8_t key[48];
	struct weft_hello h = {.proto = WEFT_PROTO_VERSION,
	                       .major = WEFT_VERSION_MAJOR,
	                       .minor = WEFT_VERSION_MINOR,
	                       .revision = WEFT_VERSION_REVISION,
	                       .timestamp = (uint64_t)now,
	                       .identity = mem_id};
	uint64_t id;
	memset(h.identity.sec, 0, sizeof h.identity.sec);
	h.identity.has_secret = false;
	weft_identity_agree(&mem_id, &self_id, key);
	det_random(NULL, &id, 8);
	size_t len = weft_hello_encode(pkt, sizeof pkt, id, self_id.address, &h, key, NULL);
	CHECK(len && weft_packet_arm(pkt, len, &mem_key, WEFT_CIPHER_POLY1305_NONE) == WEFT_OK);
	weft_node_process_wire_packet(node, now, 0, &mem_addr, pkt, len, NULL);
	CHECK(weft_peer_find(node, mem_id.address) != NULL);
	for (unsigned i = 0; i < n_sent && i < 64; i++) {
		pkt[WEFT_WIRE_IDX_PAYLOAD] = WEFT_VERB_NOP;
		store_be64(pkt + WEFT_WIRE_IDX_PAYLOAD + 1, sent_ids[i]);
		deliver(node, now, false, WEFT_VERB_OK, pkt, WEFT_WIRE_IDX_PAYLOAD + 9, 0);
	}
}

// ---- building packets from fuzz bytes ------------------------------------------------------

struct in {
	const uint8_t *p;
	size_t len, pos;
};

static uint8_t in_u8(struct in *in)
{
	return in->pos < in->len ? in->p[in->pos++] : 0;
}

static uint32_t in_u32(struct in *in)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | in_u8(in);
	return v;
}

static void in_rest(struct in *in, struct weft_wbuf *w)
{
	wbuf_bytes(w, in->p + in->pos, in->len - in->pos);
	in->pos = in->len;
}

static uint64_t pick_mac(uint8_t k)
{
	static const uint64_t fixed[] = {0, 0,       0, WEFT_MAC_BROADCAST, 0x01005e000001ULL,
	                                 0, BRIDGED, 0};
	switch (k % 8) {
	case 0: return self_mac;
	case 1: return mem_mac;
	case 2: return ctl_mac;
	case 5: return 0x3333ff000000ULL | (mem_id.address & 0xffffff); // solicited-node
	default: return fixed[k % 8];
	}
}

static uint64_t pick_address(uint8_t k)
{
	const uint64_t a[] = {mem_id.address, ctl_id.address, self_id.address, 0, ALIEN};
	return a[k % 5];
}

static void put_mac(struct weft_wbuf *w, uint64_t mac)
{
	uint8_t b[6];
	weft_vl2_mac_to_bytes(b, mac);
	wbuf_bytes(w, b, 6);
}

// group MAC (picked) | ADI (4 fuzz bytes)
static void put_group(struct weft_wbuf *w, struct in *in)
{
	put_mac(w, pick_mac(in_u8(in)));
	wbuf_u32(w, in_u32(in));
}

// NETWORK_CREDENTIALS: five masks pick prepared COMs, capabilities, tags, revocations and COOs;
// then optionally one byte is flipped; the rest of the input follows.
static void put_credentials(struct weft_wbuf *w, struct in *in)
{
	uint8_t mask[K_COUNT];
	for (unsigned k = 0; k < K_COUNT; k++)
		mask[k] = in_u8(in);
	uint8_t flip = in_u8(in), at = in_u8(in);
	size_t start = w->len;
	for (unsigned i = 0; i < N_CRED; i++)
		if (mask[K_COM] & (1u << i))
			wbuf_bytes(w, creds[K_COM][i].b, creds[K_COM][i].len);
	wbuf_u8(w, 0);
	for (unsigned k = K_CAP; k < K_COUNT; k++) {
		wbuf_u16(w, (uint16_t)__builtin_popcount(mask[k]));
		for (unsigned i = 0; i < N_CRED; i++)
			if (mask[k] & (1u << i))
				wbuf_bytes(w, creds[k][i].b, creds[k][i].len);
	}
	if (flip && !w->bad && w->len > start)
		w->p[start + (size_t)at * 7 % (w->len - start)] ^= flip;
	in_rest(in, w);
}

// OK payload after in-re verb and ID, per in-re verb.
static void put_ok(struct weft_wbuf *w, uint8_t in_re, struct in *in)
{
	uint8_t flags = in_re == WEFT_VERB_MULTICAST_FRAME ? in_u8(in) : 0x02;
	wbuf_u64(w, nwid);
	put_group(w, in);
	if (in_re == WEFT_VERB_MULTICAST_FRAME) {
		wbuf_u8(w, flags);
		if (flags & 0x01)
			wbuf_bytes(w, creds[K_COM][0].b, creds[K_COM][0].len);
	}
	if (flags & 0x02) {
		unsigned count = in_u8(in) % 16;
		wbuf_u32(w, in_u32(in));
		wbuf_u16(w, (uint16_t)count);
		for (unsigned i = 0; i < count; i++)
			wbuf_u40(w, pick_address(in_u8(in)));
	}
	in_rest(in, w);
}

// MULTICAST_FRAME: flags, COM, gather limit, source MAC and group as the flags say.
static void put_multicast_frame(struct weft_wbuf *w, struct in *in)
{
	uint8_t flags = in_u8(in);
	wbuf_u64(w, nwid);
	wbuf_u8(w, flags);
	if (flags & 0x01) {
		const struct blob *com = &creds[K_COM][in_u8(in) % 3];
		wbuf_bytes(w, com->b, com->len);
	}
	if (flags & 0x02)
		wbuf_u32(w, in_u32(in));
	if (flags & 0x04)
		put_mac(w, pick_mac(in_u8(in)));
	put_group(w, in);
	in_rest(in, w);
}

static void put_structured(struct weft_wbuf *w, uint8_t verb, struct in *in)
{
	uint8_t flags;
	switch (verb) {
	case WEFT_VERB_EXT_FRAME:
		flags = in_u8(in);
		wbuf_u64(w, nwid);
		wbuf_u8(w, flags);
		if (flags & 0x01)
			wbuf_bytes(w, creds[K_COM][0].b, creds[K_COM][0].len);
		put_mac(w, pick_mac(in_u8(in)));
		put_mac(w, pick_mac(in_u8(in)));
		break;
	case WEFT_VERB_NETWORK_CREDENTIALS: put_credentials(w, in); return;
	case WEFT_VERB_MULTICAST_LIKE: // records of nwid | group, 6 input bytes each (0xff first:
	                               // another network)
		while (in->pos < in->len) {
			wbuf_u64(w, in_u8(in) == 0xff ? nwid + 1 : nwid);
			put_group(w, in);
		}
		return;
	case WEFT_VERB_MULTICAST_GATHER:
		flags = in_u8(in);
		wbuf_u64(w, nwid);
		wbuf_u8(w, flags);
		put_group(w, in);
		wbuf_u32(w, in_u32(in));
		if (flags & 0x01)
			wbuf_bytes(w, creds[K_COM][0].b, creds[K_COM][0].len);
		break;
	case WEFT_VERB_MULTICAST_FRAME: put_multicast_frame(w, in); return;
	case WEFT_VERB_ERROR: // in-re FRAME-ish verb, ID, NEED_MEMBERSHIP_CERTIFICATE, nwid
		wbuf_u8(w, (uint8_t[]){WEFT_VERB_FRAME, WEFT_VERB_EXT_FRAME,
		                       WEFT_VERB_MULTICAST_FRAME}[in_u8(in) % 3]);
		wbuf_u64(w, sent_ids[(n_sent - 1 - in_u8(in)) % 64]);
		wbuf_u8(w, WEFT_ERROR_NEED_MEMBERSHIP_CERTIFICATE);
		wbuf_u64(w, nwid);
		break;
	default: wbuf_u64(w, nwid); break; // FRAME: ethertype and data from the input
	}
	in_rest(in, w);
}

static const uint8_t verbs[] = {WEFT_VERB_FRAME,
                                WEFT_VERB_EXT_FRAME,
                                WEFT_VERB_NETWORK_CREDENTIALS,
                                WEFT_VERB_MULTICAST_LIKE,
                                WEFT_VERB_MULTICAST_GATHER,
                                WEFT_VERB_MULTICAST_FRAME,
                                WEFT_VERB_MULTICAST_GATHER, // as OK(GATHER)
                                WEFT_VERB_MULTICAST_FRAME,  // as OK(MULTICAST_FRAME)
                                WEFT_VERB_ERROR};

// how: 0x08 from the controller, 0x10 structured, 0x20 compressed, 0x40 AES, 0x80 relayed.
static void packet(struct weft_node *node, int64_t now, uint8_t how, uint8_t sel, struct in *in)
{
	static uint8_t pkt[WEFT_PACKET_MAX_LEN];
	struct weft_wbuf w;
	unsigned vi = sel % sizeof verbs;
	uint8_t verb = verbs[vi];
	bool ok = vi == 6 || vi == 7;
	wbuf_init(&w, pkt, sizeof pkt);
	wbuf_put(&w, WEFT_WIRE_IDX_PAYLOAD);
	if (ok) { // in-re verb and an ID the node really sent
		wbuf_u8(&w, verb);
		wbuf_u64(&w, sent_ids[(n_sent - 1 - (sel >> 4)) % 64]);
		if (how & 0x10)
			put_ok(&w, verb, in);
		else
			in_rest(in, &w);
		verb = WEFT_VERB_OK;
	} else if (how & 0x10) {
		put_structured(&w, verb, in);
	} else {
		in_rest(in, &w);
	}
	if (!w.bad)
		deliver(node, now, (how & 0x08) != 0, verb, pkt, w.len, how);
}

// ---- frames from the local port ------------------------------------------------------------

// Templates: 1 ARP request for the member's IPv4, 3 IPv4 to the member, 2 and 4-6 NDP
// solicitation for its RFC4193 (2) or 6PLANE address. The rest of the input follows.
static size_t template(uint8_t kind, uint8_t *p, uint16_t *ethertype, uint64_t *dst)
{
	static const uint8_t arp[28] = {0,  1, 8, 0, 6, 4, 0, 1, 0, 0, 0,  0, 0, 0,
	                                10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2};
	static const uint8_t ipv4[20] = {0x45, 0, 0,  28, 0, 0, 0,  0, 64, 17,
	                                 0,    0, 10, 0,  0, 1, 10, 0, 0,  2};
	struct weft_inetaddr a;
	if (kind == 1) {
		memcpy(p, arp, sizeof arp);
		*ethertype = 0x0806, *dst = WEFT_MAC_BROADCAST;
		return sizeof arp;
	}
	if (kind == 3) {
		memcpy(p, ipv4, sizeof ipv4);
		*ethertype = 0x0800;
		return sizeof ipv4;
	}
	memset(p, 0, 72); // IPv6 header (40) | NS (24) | source link-layer option (8)
	p[0] = 0x60, p[5] = 32, p[6] = 58, p[7] = 255;
	ip6_of(&a, self_id.address, false);
	memcpy(p + 8, a.ip, 16);
	p[24] = 0xff, p[25] = 0x02, p[35] = 1, p[36] = 0xff;
	ip6_of(&a, mem_id.address, kind >= 4);
	memcpy(p + 37, a.ip + 13, 3);
	p[40] = 135;
	memcpy(p + 48, a.ip, 16);
	p[64] = 1, p[65] = 1;
	weft_vl2_mac_to_bytes(p + 66, self_mac);
	*ethertype = 0x86dd;
	*dst = 0x3333ff000000ULL | load_be32(a.ip + 12) % 0x1000000;
	return 72;
}

// sel: bits 0-2 destination, bit 3 a bridged source, bits 4-6 template, bit 7 another network.
static void local_frame(struct weft_node *node, int64_t now, uint8_t sel, struct in *in)
{
	static uint8_t data[WEFT_NETCONF_MTU_MAX + 200];
	struct weft_frame f = {.network_id = (sel & 0x80) ? nwid + 1 : nwid,
	                       .src_mac = (sel & 0x08) ? BRIDGED : self_mac,
	                       .dst_mac = pick_mac(sel)};
	size_t len = 0;
	uint8_t kind = (sel >> 4) & 7;
	if (kind == 0 || kind == 7) {
		uint8_t hi = in_u8(in), lo = in_u8(in);
		f.ethertype = (uint16_t)(hi << 8 | lo);
	} else {
		len = template(kind, data, &f.ethertype, &f.dst_mac);
	}
	size_t rest = in->len - in->pos;
	if (rest > sizeof data - len)
		rest = sizeof data - len;
	memcpy(data + len, in->p + in->pos, rest);
	in->pos += rest;
	f.data = data;
	f.len = len + rest;
	weft_node_process_frame(node, now, &f, NULL);
}

// ---- the input ------------------------------------------------------------------------------

// The member (and the controller) push their credentials, as they would on joining.
static void push_all(struct weft_node *node, int64_t now, bool from_ctl)
{
	static const uint8_t mem_set[] = {0x01, 0x03, 0x03, 0x00, 0x01, 0, 0};
	static const uint8_t ctl_set[] = {0x04, 0x08, 0x08, 0x00, 0x08, 0, 0};
	struct in in = {from_ctl ? ctl_set : mem_set, sizeof mem_set, 0};
	packet(node, now, (uint8_t)(0x10 | (from_ctl ? 0x08 : 0)), 2, &in);
}

static struct weft_node *node_once(int64_t now)
{
	static struct weft_node *node;
	if (node)
		return node;
	struct weft_node_callbacks cb = {.wire_send = wire_send,
	                                 .random = det_random,
	                                 .state_put = state_put,
	                                 .state_get = state_get,
	                                 .event = event,
	                                 .frame_out = frame_out};
	CHECK(weft_node_new(&node, &cb, now) == WEFT_OK);
	meet_member(node, now);
	return node;
}

// Record: op | ... Kinds by op % 8: 0-2 and 7 packet (sel, length LE16, body), 3 local frame
// (sel, length, body), 4 subscribe (sel, ADI 4; op bit 3: unsubscribe), 5 time passes (LE16,
// op bit 3: in units of 100 ms) and timers run, 6 rejoin with config variant op >> 3.
static void record(struct weft_node *node, int64_t *now, struct in *in)
{
	uint8_t op = in_u8(in), sel = 0;
	unsigned kind = op % 8;
	size_t len = 0;
	if (kind <= 3 || kind == 7) {
		sel = in_u8(in);
		len = in_u8(in);
		len |= (size_t)in_u8(in) << 8;
		if (len > in->len - in->pos)
			len = in->len - in->pos;
	}
	struct in body = {in->p + in->pos, len, 0};
	in->pos += len;
	if (kind == 3) {
		local_frame(node, *now, sel, &body);
	} else if (kind == 4) {
		uint64_t mac = pick_mac(in_u8(in));
		uint32_t adi = in_u32(in);
		if (op & 0x08)
			weft_node_multicast_unsubscribe(node, nwid, mac, adi);
		else
			weft_node_multicast_subscribe(node, *now, nwid, mac, adi);
	} else if (kind == 5) {
		uint32_t d = in_u8(in);
		d |= (uint32_t)in_u8(in) << 8;
		*now += (op & 0x08) ? (int64_t)d * 100 : d;
		weft_node_process_background(node, *now, NULL);
	} else if (kind == 6) {
		weft_node_leave(node, *now, nwid);
		variant = (op >> 3) % N_CONFIG;
		weft_node_join(node, *now, nwid);
	} else {
		packet(node, *now, op & 0xf8, sel, &body);
	}
}

// Input: setup byte (bits 0-1 config variant, bit 2 the member pushes its credentials, bit 3
// the controller does, bit 4 we subscribe to the member's solicited-node group), then records.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int64_t now = T0 + 1000;
	struct weft_node *node = node_once(now);
	struct in in = {data, size, 0};
	if (!size)
		return 0;
	rng = 0x1234567;
	now += WEFT_T_GATE_WAIT + 1; // frames left waiting by the last input expire unseen
	uint8_t setup = in_u8(&in);
	weft_node_leave(node, now, nwid); // every input starts from a fresh join
	variant = setup % N_CONFIG;
	CHECK(weft_node_join(node, now, nwid) == WEFT_OK);
	CHECK(weft_network_find(node, nwid) && weft_network_find(node, nwid)->nc);
	if (setup & 0x04)
		push_all(node, now, false);
	if (setup & 0x08)
		push_all(node, now, true);
	if (setup & 0x10)
		weft_node_multicast_subscribe(node, now, nwid, pick_mac(5), 0);
	now += 1001; // past the credentials rate limit
	while (in.pos < in.len)
		record(node, &now, &in);
	return 0;
}
