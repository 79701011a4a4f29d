// SPDX-License-Identifier: MPL-2.0
// weft_node_* entry points: creation (identity and planet through the host's state
// callbacks), teardown, and the read-only views the host asks for (peers, counters).
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"
#include "node.h"

static const char *const counter_names[WEFT_CTR_COUNT] = {
    [WEFT_CTR_RX_DATAGRAMS] = "rx_datagrams",
    [WEFT_CTR_RX_PACKETS] = "rx_packets",
    [WEFT_CTR_TX_DATAGRAMS] = "tx_datagrams",
    [WEFT_CTR_RELAYED] = "relayed",
    [WEFT_CTR_RENDEZVOUS_SENT] = "rendezvous_sent",
    [WEFT_CTR_WHOIS_SENT] = "whois_sent",
    [WEFT_CTR_HELLO_SENT] = "hello_sent",
    [WEFT_CTR_ECHO_SENT] = "echo_sent",
    [WEFT_CTR_DROP_SHORT] = "drop_short",
    [WEFT_CTR_DROP_BEACON] = "drop_beacon",
    [WEFT_CTR_DROP_RELAY_REFUSED] = "drop_relay_refused",
    [WEFT_CTR_DROP_RELAY_HOPS] = "drop_relay_hops",
    [WEFT_CTR_DROP_RELAY_NO_ROUTE] = "drop_relay_no_route",
    [WEFT_CTR_DROP_FROM_SELF] = "drop_from_self",
    [WEFT_CTR_DROP_BAD_ADDRESS] = "drop_bad_address",
    [WEFT_CTR_DROP_CIPHER] = "drop_cipher",
    [WEFT_CTR_DROP_MAC] = "drop_mac",
    [WEFT_CTR_DROP_TRUSTED_PATH] = "drop_trusted_path",
    [WEFT_CTR_DROP_DECOMPRESS] = "drop_decompress",
    [WEFT_CTR_DROP_MALFORMED] = "drop_malformed",
    [WEFT_CTR_DROP_HELLO_VERSION] = "drop_hello_version",
    [WEFT_CTR_DROP_HELLO_IDENTITY] = "drop_hello_identity",
    [WEFT_CTR_DROP_HELLO_RATE] = "drop_hello_rate",
    [WEFT_CTR_DROP_IDENTITY_COLLISION] = "drop_identity_collision",
    [WEFT_CTR_DROP_OK_UNEXPECTED] = "drop_ok_unexpected",
    [WEFT_CTR_DROP_WHOIS_RATE] = "drop_whois_rate",
    [WEFT_CTR_DROP_ECHO_RATE] = "drop_echo_rate",
    [WEFT_CTR_DROP_PUSH_RATE] = "drop_push_rate",
    [WEFT_CTR_DROP_UNTRUSTED] = "drop_untrusted",
    [WEFT_CTR_DROP_PEERS_FULL] = "drop_peers_full",
    [WEFT_CTR_DROP_QUEUE_FULL] = "drop_queue_full",
    [WEFT_CTR_DROP_QUEUE_EXPIRED] = "drop_queue_expired",
    [WEFT_CTR_DROP_NO_ROUTE] = "drop_no_route",
    [WEFT_CTR_DROP_CONFIG_SIGNATURE] = "drop_config_signature",
    [WEFT_CTR_DROP_MULTICAST_UNAUTHORIZED] = "drop_multicast_unauthorized",
    [WEFT_CTR_DROP_CREDENTIALS_RATE] = "drop_credentials_rate",
    [WEFT_CTR_DROP_GATE] = "drop_gate",
    [WEFT_CTR_UNKNOWN_VERB] = "unknown_verb",
};

static const char *const defrag_names[WEFT_DEFRAG_DROP_COUNT] = {
    [WEFT_DEFRAG_DROP_MALFORMED] = "drop_fragment_malformed",
    [WEFT_DEFRAG_DROP_BAD_NUMBERS] = "drop_fragment_bad_numbers",
    [WEFT_DEFRAG_DROP_INCONSISTENT] = "drop_fragment_inconsistent",
    [WEFT_DEFRAG_DROP_DUPLICATE] = "drop_fragment_duplicate",
    [WEFT_DEFRAG_DROP_TOO_BIG] = "drop_fragment_too_big",
    [WEFT_DEFRAG_DROP_EXPIRED] = "drop_fragment_expired",
    [WEFT_DEFRAG_DROP_EVICTED] = "drop_fragment_evicted",
};

// Verb names as the reference labels them in metrics (packet_type); NULL: no such verb.
static const char *const verb_names[WEFT_VERB_SLOTS] = {
    [WEFT_VERB_NOP] = "nop",
    [WEFT_VERB_HELLO] = "hello",
    [WEFT_VERB_ERROR] = "error",
    [WEFT_VERB_OK] = "ok",
    [WEFT_VERB_WHOIS] = "whois",
    [WEFT_VERB_RENDEZVOUS] = "rendezvous",
    [WEFT_VERB_FRAME] = "frame",
    [WEFT_VERB_EXT_FRAME] = "ext_frame",
    [WEFT_VERB_ECHO] = "echo",
    [WEFT_VERB_MULTICAST_LIKE] = "multicast_like",
    [WEFT_VERB_NETWORK_CREDENTIALS] = "network_credentials",
    [WEFT_VERB_NETWORK_CONFIG_REQUEST] = "network_config_request",
    [WEFT_VERB_NETWORK_CONFIG] = "network_config",
    [WEFT_VERB_MULTICAST_GATHER] = "multicast_gather",
    [WEFT_VERB_MULTICAST_FRAME] = "multicast_frame",
    [WEFT_VERB_PUSH_DIRECT_PATHS] = "push_direct_paths",
    [WEFT_VERB_ACK] = "ack",
    [WEFT_VERB_QOS_MEASUREMENT] = "qos_measurement",
    [WEFT_VERB_USER_MESSAGE] = "user_message",
    [WEFT_VERB_REMOTE_TRACE] = "remote_trace",
    [WEFT_VERB_PATH_NEGOTIATION_REQUEST] = "path_negotiation_request",
};

size_t weft_node_verb_counters(const struct weft_node *n, const char **names, uint64_t *rx,
                               uint64_t *tx, size_t cap)
{
	size_t k = 0;
	for (size_t v = 0; v < WEFT_VERB_SLOTS; v++) {
		if (!verb_names[v])
			continue;
		if (k < cap) {
			names[k] = verb_names[v];
			rx[k] = n->verb_rx[v];
			tx[k] = n->verb_tx[v];
		}
		k++;
	}
	return k;
}

void weft_node_trace(struct weft_node *n, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	n->cb.event(n->cb.ctx, WEFT_EVENT_TRACE, line);
}

// Packet IDs need 8 fresh random bytes each; asking the host per packet costs a system call,
// so the node draws 256 bytes at a time and wipes each 8 as it hands them out.
uint64_t weft_node_random_u64(struct weft_node *n)
{
	uint64_t v;
	if (n->rand_left < sizeof v) {
		n->cb.random(n->cb.ctx, n->rand_pool, sizeof n->rand_pool);
		n->rand_left = sizeof n->rand_pool;
	}
	n->rand_left -= (unsigned)sizeof v;
	memcpy(&v, n->rand_pool + n->rand_left, sizeof v);
	sodium_memzero(n->rand_pool + n->rand_left, sizeof v);
	return v;
}

static void random_adapter(void *ctx, void *buf, size_t len)
{
	struct weft_node *n = ctx;
	n->cb.random(n->cb.ctx, buf, len);
}

// Loads identity.secret, or makes and stores a new identity (vl1.md §1.3).
static enum weft_result load_identity(struct weft_node *n)
{
	char s[WEFT_IDENTITY_STR_SECRET_LEN + 2];
	long len = n->cb.state_get(n->cb.ctx, WEFT_STATE_IDENTITY_SECRET, 0, s, sizeof s - 1);
	if (len > 0) {
		while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
			len--;
		if (weft_identity_from_string(&n->self, s, (size_t)len, NULL) != WEFT_OK ||
		    !n->self.has_secret)
			return WEFT_ERR_BAD_IDENTITY;
		// The secret must match its public half, and the address its keys.
		if (!weft_identity_secret_matches(&n->self) ||
		    weft_identity_validate(&n->self) != WEFT_OK)
			return WEFT_ERR_BAD_IDENTITY;
		return WEFT_OK;
	}
	enum weft_result r = weft_identity_generate(&n->self, random_adapter, n);
	if (r != WEFT_OK)
		return r;
	size_t sl = weft_identity_to_string(&n->self, true, s, sizeof s);
	n->cb.state_put(n->cb.ctx, WEFT_STATE_IDENTITY_SECRET, 0, s, sl);
	sl = weft_identity_to_string(&n->self, false, s, sizeof s);
	n->cb.state_put(n->cb.ctx, WEFT_STATE_IDENTITY_PUBLIC, 0, s, sl);
	return WEFT_OK;
}

static void load_planet(struct weft_node *n, int64_t now_ms)
{
	uint8_t buf[WEFT_WORLD_MAX_LEN];
	long len = n->cb.state_get(n->cb.ctx, WEFT_STATE_PLANET, 0, buf, sizeof buf);
	struct weft_rbuf r;
	if (len <= 0)
		return;
	rbuf_init(&r, buf, (size_t)len);
	if (weft_world_decode(&n->planet, &r) == WEFT_OK && n->planet.type == WEFT_WORLD_PLANET) {
		n->have_planet = true;
		weft_topology_refresh(n, now_ms);
	} else {
		weft_node_trace(n, "stored planet is malformed; running without roots");
	}
}

enum weft_result weft_node_new(struct weft_node **out, const struct weft_node_callbacks *cb,
                               int64_t now_ms)
{
	enum weft_result r = weft_crypto_init();
	if (r != WEFT_OK)
		return r;
	if (!cb || !cb->wire_send || !cb->random || !cb->state_get || !cb->state_put || !cb->event)
		return WEFT_ERR_INVALID;
	struct weft_node *n = calloc(1, sizeof *n);
	if (!n)
		return WEFT_FATAL_OUT_OF_MEMORY;
	n->cb = *cb;
	r = load_identity(n);
	if (r != WEFT_OK) {
		free(n);
		return r;
	}
	weft_defrag_init(&n->defrag);
	n->last_ping_check_ms = now_ms - WEFT_T_PING_CHECK;
	n->last_housekeeping_ms = now_ms;
	n->last_queue_ms = now_ms;
	load_planet(n, now_ms);
	*out = n;
	n->cb.event(n->cb.ctx, WEFT_EVENT_UP, NULL);
	return WEFT_OK;
}

void weft_node_free(struct weft_node *n)
{
	if (!n)
		return;
	n->cb.event(n->cb.ctx, WEFT_EVENT_DOWN, NULL);
	for (size_t b = 0; b < WEFT_LIMIT_PEER_BUCKETS; b++) {
		while (n->buckets[b]) {
			if (n->buckets[b]->last_in_ms) // heard from: worth remembering
				weft_peer_save(n, n->buckets[b]);
			weft_peer_remove(n, n->buckets[b]);
		}
	}
	weft_config_free(n);
	weft_mc_free(&n->mc);
	weft_network_free_all(n);
	weft_identity_clear(&n->self);
	free(n);
}

const struct weft_identity *weft_node_identity(const struct weft_node *n)
{
	return &n->self;
}

uint64_t weft_node_address(const struct weft_node *n)
{
	return n->self.address;
}

bool weft_node_online(const struct weft_node *n)
{
	return n->online;
}

enum weft_result weft_node_send_user_message(struct weft_node *n, int64_t now_ms, uint64_t dest,
                                             uint64_t type_id, const void *data, size_t len)
{
	uint8_t *payload = n->q_buf;
	if (len + 8 > WEFT_PAYLOAD_MAX_LEN || n->in_queues)
		return WEFT_ERR_TOO_BIG;
	if (dest == n->self.address || weft_address_is_reserved(dest))
		return WEFT_ERR_INVALID;
	store_be64(payload, type_id);
	memcpy(payload + 8, data, len);
	return weft_tx_send(n, now_ms, dest, WEFT_VERB_USER_MESSAGE, payload, len + 8, true, true);
}

enum weft_result weft_node_ping(struct weft_node *n, int64_t now_ms, uint64_t dest, uint64_t cookie)
{
	uint8_t payload[8];
	if (dest == n->self.address || weft_address_is_reserved(dest) || n->in_queues)
		return WEFT_ERR_INVALID;
	store_be64(payload, cookie);
	return weft_tx_send(n, now_ms, dest, WEFT_VERB_ECHO, payload, sizeof payload, false, true);
}

void weft_node_allow_loopback_paths(struct weft_node *n, bool allow)
{
	n->allow_loopback = allow;
}

static enum weft_peer_role role_of(const struct weft_node *n, uint64_t address)
{
	if (n->have_planet && weft_world_has_root(&n->planet, address))
		return WEFT_PEER_PLANET;
	for (unsigned m = 0; m < n->n_moons; m++)
		if (weft_world_has_root(&n->moons[m], address))
			return WEFT_PEER_MOON;
	return WEFT_PEER_LEAF;
}

static void fill_info(struct weft_node *n, struct weft_peer *p, int64_t now_ms,
                      struct weft_peer_info *o)
{
	struct weft_path *best = weft_tx_direct_path(n, p, now_ms);
	struct weft_path *measured = best ? best : weft_peer_best_path(p, now_ms, false);
	memset(o, 0, sizeof *o);
	o->address = p->id.address;
	bool known = p->proto != 0;
	o->proto = p->proto;
	o->version_major = known ? p->vmajor : -1;
	o->version_minor = known ? p->vminor : -1;
	o->version_revision = known ? p->vrevision : -1;
	o->latency_ms = measured && measured->latency_ms != WEFT_LATENCY_UNKNOWN
	                    ? (int)measured->latency_ms
	                    : -1;
	o->role = role_of(n, p->id.address);
	o->last_receive_ms = p->last_in_ms;
	for (unsigned i = 0; i < p->n_paths && o->n_paths < WEFT_PEER_INFO_MAX_PATHS; i++) {
		struct weft_path *path = &p->paths[i];
		struct weft_path_info *pi = &o->paths[o->n_paths++];
		pi->local_socket = path->local_socket;
		pi->address = path->addr;
		pi->last_send_ms = path->last_out_ms;
		pi->last_receive_ms = path->last_in_ms;
		pi->alive = weft_path_alive(path, now_ms);
		pi->expired = weft_path_expired(path, now_ms);
		pi->preferred = path == best;
		pi->latency_ms = path->latency_ms;
	}
}

static int cmp_info(const void *a, const void *b)
{
	uint64_t x = ((const struct weft_peer_info *)a)->address;
	uint64_t y = ((const struct weft_peer_info *)b)->address;
	return x < y ? -1 : x > y;
}

size_t weft_node_peers(struct weft_node *n, int64_t now_ms, struct weft_peer_info *out, size_t cap)
{
	size_t count = 0;
	for (size_t b = 0; b < WEFT_LIMIT_PEER_BUCKETS; b++)
		for (struct weft_peer *p = n->buckets[b]; p; p = p->next, count++)
			if (count < cap)
				fill_info(n, p, now_ms, &out[count]);
	qsort(out, count < cap ? count : cap, sizeof *out, cmp_info);
	return count;
}

size_t weft_node_counters(const struct weft_node *n, const char **names, uint64_t *values,
                          size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < WEFT_CTR_COUNT; i++, k++)
		if (k < cap) {
			names[k] = counter_names[i];
			values[k] = n->counters[i];
		}
	for (size_t i = 0; i < WEFT_DEFRAG_DROP_COUNT; i++, k++)
		if (k < cap) {
			names[k] = defrag_names[i];
			values[k] = n->defrag.drops[i];
		}
	return k;
}
