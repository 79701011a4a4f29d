// SPDX-License-Identifier: MPL-2.0
// HELLO and OK(HELLO) (vl1.md §5.4): how peers meet. A HELLO is authenticated with suite 0
// before anything costly; a new identity is validated (2 MiB hash) under a per-source rate
// limit; the reply carries our view of the sender's address and any newer worlds.
#include "node.h"

// vl1.md §6.8: 16384 buckets by source network (IPv4 /24, IPv6 first 6 bytes).
static unsigned idv_bucket(const struct weft_inetaddr *a)
{
	if (a->family == WEFT_INET_V4) {
		uint32_t h = load_be32(a->ip) >> 8;
		h ^= h >> 14;
		return h & 0x3fff;
	}
	uint32_t h = 0;
	for (int i = 0; i < 6; i++)
		h = h * 2 + a->ip[i];
	return h & 0x3fff;
}

static bool idv_allowed(struct weft_node *n, int64_t now_ms, const struct weft_inetaddr *from)
{
	int64_t *t = &n->idv[idv_bucket(from)];
	if (*t && now_ms - *t < WEFT_T_IDENTITY_VERIFY)
		return false;
	*t = now_ms;
	return true;
}

// Checks the suite-0 MAC with a key agreed with `id`, without keeping anything.
static bool mac_ok_with(struct weft_node *n, const struct weft_identity *id, uint8_t *pkt,
                        size_t len, uint8_t key_out[48])
{
	struct weft_cipher_key k;
	if (weft_identity_agree(&n->self, id, key_out) != WEFT_OK)
		return false;
	weft_cipher_key_init(&k, key_out);
	bool ok = weft_packet_disarm(pkt, len, &k) == WEFT_OK;
	weft_cipher_key_clear(&k);
	return ok;
}

static void send_collision(struct weft_node *n, int64_t now_ms, const struct weft_identity *id,
                           const uint8_t key[48], int64_t local_socket,
                           const struct weft_inetaddr *from, const uint8_t *hello)
{
	struct weft_peer tmp = {.id = *id};
	weft_cipher_key_init(&tmp.key, key);
	size_t len = weft_tx_build(n, id->address, WEFT_VERB_ERROR, NULL, 0);
	n->tx_buf[len++] = WEFT_VERB_HELLO;
	memcpy(n->tx_buf + len, hello, 8);
	len += 8;
	n->tx_buf[len++] = WEFT_ERROR_IDENTITY_COLLISION;
	weft_tx_on_path(n, now_ms, &tmp, local_socket, from, len);
	weft_cipher_key_clear(&tmp.key);
}

// Authenticates the HELLO and finds or creates its peer; NULL if it is to be dropped.
static struct weft_peer *hello_peer(struct weft_node *n, int64_t now_ms, int64_t local_socket,
                                    const struct weft_inetaddr *from, uint8_t *pkt, size_t len,
                                    const struct weft_hello *h)
{
	uint8_t key[48];
	struct weft_peer *p = weft_peer_find(n, h->identity.address);
	if (p && !weft_identity_equal_public(&p->id, &h->identity)) {
		weft_count(n, WEFT_CTR_DROP_IDENTITY_COLLISION);
		if (idv_allowed(n, now_ms, from) && mac_ok_with(n, &h->identity, pkt, len, key))
			send_collision(n, now_ms, &h->identity, key, local_socket, from, pkt);
		return NULL;
	}
	if (p) {
		if (weft_packet_disarm(pkt, len, &p->key) != WEFT_OK) {
			weft_count(n, WEFT_CTR_DROP_MAC);
			return NULL;
		}
		return p;
	}
	if (!idv_allowed(n, now_ms, from)) {
		weft_count(n, WEFT_CTR_DROP_HELLO_RATE);
		return NULL;
	}
	if (!mac_ok_with(n, &h->identity, pkt, len, key)) { // cheap check before the hash
		weft_count(n, WEFT_CTR_DROP_MAC);
		return NULL;
	}
	if (weft_identity_validate(&h->identity) != WEFT_OK) {
		weft_count(n, WEFT_CTR_DROP_HELLO_IDENTITY);
		return NULL;
	}
	p = weft_peer_add(n, now_ms, &h->identity);
	if (p)
		weft_tx_peer_known(n, now_ms, p->id.address);
	return p;
}

static void reply_ok_hello(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                           int64_t local_socket, const struct weft_inetaddr *from,
                           const uint8_t *pkt, const struct weft_hello *h)
{
	struct weft_ok_hello ok = {.timestamp_echo = h->timestamp,
	                           .proto = WEFT_PROTO_VERSION,
	                           .major = WEFT_VERSION_MAJOR,
	                           .minor = WEFT_VERSION_MINOR,
	                           .revision = WEFT_VERSION_REVISION,
	                           .observed = *from};
	struct weft_wbuf w;
	if (h->proto < 5)
		ok.observed.port = 0;
	ok.worlds_len = weft_topology_worlds_for(n, h, n->scratch, WEFT_WORLD_MAX_LEN);
	ok.worlds = n->scratch;
	size_t len = weft_tx_build(n, p->id.address, WEFT_VERB_OK, NULL, 0);
	wbuf_init(&w, n->tx_buf + len, sizeof n->tx_buf - len);
	weft_ok_hello_encode(&w, &ok);
	store_be64(n->tx_buf + len + 1, load_be64(pkt)); // in-re: the HELLO's wire ID
	if (!w.bad)
		weft_tx_on_path(n, now_ms, p, local_socket, from, len + w.len);
}

static bool hello_head(struct weft_node *n, const uint8_t *pkt, size_t len, struct weft_hello *h,
                       size_t *tail)
{
	if (weft_hello_decode_head(pkt, len, h, tail) != WEFT_OK) {
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
		return false;
	}
	if (h->proto < WEFT_PROTO_VERSION_MIN) {
		weft_count(n, WEFT_CTR_DROP_HELLO_VERSION);
		return false;
	}
	if (h->identity.address != load_be40(pkt + WEFT_WIRE_IDX_SOURCE)) {
		weft_count(n, WEFT_CTR_DROP_HELLO_IDENTITY);
		return false;
	}
	return true;
}

// Everything after authentication: address report, moon list, reply, versions, paths.
static void hello_accepted(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                           int64_t local_socket, const struct weft_inetaddr *from, uint8_t *pkt,
                           size_t len, struct weft_hello *h, size_t tail)
{
	unsigned hops = weft_packet_hops(pkt);
	if (hops == 0 && h->dest.family != WEFT_INET_NONE)
		weft_selfaware_report(n, now_ms, p->id.address, local_socket, from, &h->dest,
		                      weft_topology_is_upstream(n, p->id.address));
	weft_hello_decode_tail(pkt, len, tail, h, p->key.key);
	reply_ok_hello(n, now_ms, p, local_socket, from, pkt, h); // armored per the old version
	weft_peer_set_version(p, h->proto, h->major, h->minor, h->revision);
	p->last_in_ms = now_ms;
	if (hops == 0)
		weft_rx_learn(n, now_ms, p, local_socket, from, WEFT_VERB_HELLO);
}

void weft_rx_hello(struct weft_node *n, int64_t now_ms, int64_t local_socket,
                   const struct weft_inetaddr *from, uint8_t *pkt, size_t len)
{
	struct weft_hello h;
	size_t tail = 0;
	if (!hello_head(n, pkt, len, &h, &tail))
		return;
	struct weft_peer *p = hello_peer(n, now_ms, local_socket, from, pkt, len, &h);
	if (!p)
		return;
	weft_count(n, WEFT_CTR_RX_PACKETS);
	hello_accepted(n, now_ms, p, local_socket, from, pkt, len, &h, tail);
}

// A HELLO that came with suite 1 or 3 was already authenticated with the peer's key.
void weft_rx_hello_known(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                         int64_t local_socket, const struct weft_inetaddr *from, uint8_t *pkt,
                         size_t len)
{
	struct weft_hello h;
	size_t tail = 0;
	if (!hello_head(n, pkt, len, &h, &tail))
		return;
	if (!weft_identity_equal_public(&p->id, &h.identity)) {
		weft_count(n, WEFT_CTR_DROP_IDENTITY_COLLISION);
		return;
	}
	hello_accepted(n, now_ms, p, local_socket, from, pkt, len, &h, tail);
}

// OK(HELLO): round trip, our external address, world updates from upstreams and seeds.
void weft_rx_ok_hello(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                      int64_t local_socket, const struct weft_inetaddr *from, const uint8_t *pkt,
                      size_t len, unsigned hops)
{
	struct weft_ok_hello ok;
	if (weft_ok_hello_decode(pkt + WEFT_WIRE_IDX_PAYLOAD, len - WEFT_WIRE_IDX_PAYLOAD, &ok) !=
	    WEFT_OK) {
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	if (ok.proto < WEFT_PROTO_VERSION_MIN) {
		weft_count(n, WEFT_CTR_DROP_HELLO_VERSION);
		return;
	}
	if (hops == 0) {
		struct weft_path *path = weft_peer_path_find(p, local_socket, from);
		// The echoed timestamp is the peer's word: compare before subtracting.
		uint64_t now_u = (uint64_t)now_ms, echo = ok.timestamp_echo;
		uint64_t rtt = echo <= now_u ? now_u - echo : UINT64_MAX;
		if (path && rtt < WEFT_LATENCY_UNKNOWN)
			path->latency_ms = path->latency_ms == WEFT_LATENCY_UNKNOWN
			                       ? (unsigned)rtt
			                       : (path->latency_ms + (unsigned)rtt) / 2;
		if (ok.observed.family != WEFT_INET_NONE)
			weft_selfaware_report(n, now_ms, p->id.address, local_socket, from,
			                      &ok.observed,
			                      weft_topology_is_upstream(n, p->id.address));
	}
	if (ok.worlds_len && (weft_topology_is_upstream(n, p->id.address) ||
	                      weft_topology_is_seed(n, p->id.address)))
		weft_topology_offer_worlds(n, now_ms, p, ok.worlds, ok.worlds_len);
	weft_peer_set_version(p, ok.proto, ok.major, ok.minor, ok.revision);
}
