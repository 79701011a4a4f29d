// SPDX-License-Identifier: MPL-2.0
// Fuzzes a whole node with datagrams: raw bytes, and packets correctly armored by a known
// peer (one of the node's roots, so upstream-only verbs are reached too), including OKs that
// quote IDs the node really sent. ASan/UBSan find memory errors; invariants abort.
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "node.h"

static uint64_t rng = 0x1234567;
static struct weft_identity self_id, peer_id;
static char self_str[WEFT_IDENTITY_STR_SECRET_LEN + 1];
static uint8_t planet[WEFT_WORLD_MAX_LEN];
static size_t planet_len;
static struct weft_cipher_key peer_key; // the peer's side of the shared key
static uint64_t sent_ids[64];
static unsigned n_sent;

static void det_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (uint8_t)(rng >> 56);
	}
}

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
	(void)ctx, (void)t, (void)id, (void)d, (void)l;
}

static long state_get(void *ctx, enum weft_state_object t, uint64_t id, void *buf, size_t cap)
{
	(void)ctx, (void)id;
	if (t == WEFT_STATE_IDENTITY_SECRET && cap >= WEFT_IDENTITY_STR_SECRET_LEN) {
		memcpy(buf, self_str, WEFT_IDENTITY_STR_SECRET_LEN);
		return WEFT_IDENTITY_STR_SECRET_LEN;
	}
	if (t == WEFT_STATE_PLANET && cap >= planet_len) {
		memcpy(buf, planet, planet_len);
		return (long)planet_len;
	}
	return -1;
}

static void event(void *ctx, enum weft_event ev, const void *data)
{
	(void)ctx, (void)ev, (void)data;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	uint8_t key[48];
	struct weft_wbuf w;
	struct weft_world world = {.type = WEFT_WORLD_PLANET, .id = 77, .timestamp = 1};
	weft_crypto_init();
	weft_identity_generate(&self_id, det_random, NULL);
	weft_identity_generate(&peer_id, det_random, NULL);
	weft_identity_to_string(&self_id, true, self_str, sizeof self_str);
	world.n_roots = 1;
	world.roots[0].identity = peer_id;
	world.roots[0].identity.has_secret = false;
	world.roots[0].n_endpoints = 1;
	weft_inetaddr_from_string(&world.roots[0].endpoints[0], "198.51.100.1/9993");
	memcpy(world.update_key, peer_id.pub, 64);
	weft_world_sign(&world, peer_id.pub, peer_id.sec);
	wbuf_init(&w, planet, sizeof planet);
	weft_world_encode(&world, &w);
	planet_len = w.len;
	weft_identity_agree(&peer_id, &self_id, key);
	weft_cipher_key_init(&peer_key, key);
	return 0;
}

// Input: [mode][flags][now delta (2)][body]. Mode 0: raw datagram. Mode 1: body is verb +
// payload, armored by the peer. Mode 2: the same as an OK quoting a packet ID the node sent.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct weft_node *node;
	static int64_t now = 1700000000000LL;
	static uint8_t pkt[WEFT_PACKET_MAX_LEN], scratch[WEFT_PACKET_MAX_LEN];
	struct weft_inetaddr from;
	if (!node) {
		struct weft_node_callbacks cb = {.wire_send = wire_send,
		                                 .random = det_random,
		                                 .state_put = state_put,
		                                 .state_get = state_get,
		                                 .event = event};
		if (weft_node_new(&node, &cb, now) != WEFT_OK)
			abort();
	}
	if (size < 4)
		return 0;
	now += load_be16(data + 2);
	weft_inetaddr_from_string(&from, (data[1] & 1) ? "198.51.100.1/9993" : "203.0.113.9/4000");
	const uint8_t *body = data + 4;
	size_t blen = size - 4;
	if (data[0] % 3 == 0 || blen == 0 || blen > WEFT_PAYLOAD_MAX_LEN) {
		weft_node_process_wire_packet(node, now, 0, &from, body, blen, NULL);
	} else {
		struct weft_packet_header h = {.dest = weft_node_address(node),
		                               .source = peer_id.address,
		                               .verb = data[0] % 3 == 2 ? WEFT_VERB_OK : body[0]};
		det_random(NULL, &h.id, 8);
		weft_packet_header_encode(pkt, &h);
		memcpy(pkt + WEFT_WIRE_IDX_PAYLOAD, body + 1, blen - 1);
		size_t len = WEFT_WIRE_IDX_PAYLOAD + blen - 1;
		if (data[0] % 3 == 2 && len >= WEFT_WIRE_IDX_PAYLOAD + 9 && n_sent) {
			pkt[WEFT_WIRE_IDX_PAYLOAD] = body[0] & 0x1f; // in-re verb
			store_be64(pkt + WEFT_WIRE_IDX_PAYLOAD + 1, sent_ids[body[1 % blen] % 64]);
		}
		if (data[1] & 2)
			len = weft_packet_compress(pkt, len, scratch);
		enum weft_cipher suite =
		    (data[1] & 4) ? WEFT_CIPHER_AES_GMAC_SIV : WEFT_CIPHER_POLY1305_SALSA2012;
		if (weft_packet_arm(pkt, len, &peer_key, suite) == WEFT_OK)
			weft_node_process_wire_packet(node, now, 0, &from, pkt, len, NULL);
	}
	if (data[1] & 8)
		weft_node_process_background(node, now, NULL);
	return 0;
}
