// SPDX-License-Identifier: MPL-2.0
// The receive pipeline (vl1.md §4.8): classify the datagram, relay what is not ours, reassemble
// fragments, authenticate, decompress, learn paths, and dispatch on the verb. A bad packet is
// never an error for the host: it is counted by reason and dropped.
#include "node.h"

void weft_rx_learn(struct weft_node *n, int64_t now_ms, struct weft_peer *p, int64_t local_socket,
                   const struct weft_inetaddr *from, uint8_t verb)
{
	struct weft_path *path = weft_peer_path_find(p, local_socket, from);
	if (path) {
		path->last_auth_ms = now_ms;
		path->last_in_ms = now_ms;
		return;
	}
	// A new port for an IP whose old port is still alive is not learned (NAT churn).
	for (unsigned i = 0; i < p->n_paths; i++)
		if (p->paths[i].local_socket == local_socket &&
		    weft_inetaddr_ip_equal(&p->paths[i].addr, from) &&
		    weft_path_alive(&p->paths[i], now_ms))
			return;
	if (!weft_node_path_allowed(n, p->id.address, local_socket, from))
		return;
	if (verb == WEFT_VERB_OK) {
		weft_peer_learn_path(n, p, now_ms, local_socket, from);
		return;
	}
	// Anything else from an unknown path asks for the OK that will create it.
	if (now_ms - p->last_confirm_ms >= WEFT_T_CONFIRM_HELLO) {
		p->last_confirm_ms = now_ms;
		weft_tx_hello(n, now_ms, p, local_socket, from);
	}
}

size_t weft_rx_reply_begin(struct weft_node *n, struct weft_peer *p, uint8_t in_re_verb,
                           const uint8_t *request)
{
	size_t len = weft_tx_build(n, p->id.address, WEFT_VERB_OK, NULL, 0);
	n->tx_buf[len++] = in_re_verb;
	memcpy(n->tx_buf + len, request + WEFT_WIRE_IDX_ID, 8); // the ID exactly as on the wire
	return len + 8;
}

static bool queue_rx(struct weft_node *n, int64_t now_ms, uint64_t source, int64_t local_socket,
                     const struct weft_inetaddr *from, const uint8_t *pkt, size_t len)
{
	for (unsigned i = 0; i < WEFT_LIMIT_RXQ; i++) {
		struct weft_pending *q = &n->rxq[i];
		if (q->address)
			continue;
		q->address = source;
		n->n_pending++;
		q->created_ms = now_ms;
		q->local_socket = local_socket;
		q->from = *from;
		q->len = (uint16_t)len;
		memcpy(q->data, pkt, len);
		return true;
	}
	weft_count(n, WEFT_CTR_DROP_QUEUE_FULL);
	return false;
}

// A whole packet addressed to us: pkt is mutable and may be decrypted in place.
void weft_rx_packet(struct weft_node *n, int64_t now_ms, int64_t local_socket,
                    const struct weft_inetaddr *from, uint8_t *pkt, size_t len)
{
	unsigned suite = weft_packet_cipher(pkt);
	uint64_t source = load_be40(pkt + WEFT_WIRE_IDX_SOURCE);
	if (weft_address_is_reserved(source) || source == n->self.address)
		goto drop_bad_address;
	if (suite == WEFT_CIPHER_NONE) {
		// Trusted path (vl1.md §4.4): only the source address and the ID vouch for it.
		if (!weft_physical_trusted(n, from, weft_packet_trusted_id(pkt)))
			goto drop_trusted_path;
	} else if (suite != WEFT_CIPHER_POLY1305_NONE && suite != WEFT_CIPHER_POLY1305_SALSA2012 &&
	           suite != WEFT_CIPHER_AES_GMAC_SIV) {
		goto drop_cipher;
	}
	if (suite == WEFT_CIPHER_POLY1305_NONE &&
	    (pkt[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_MASK) == WEFT_VERB_HELLO) {
		n->verb_rx[WEFT_VERB_HELLO]++;
		weft_rx_hello(n, now_ms, local_socket, from, pkt, len);
		return;
	}
	struct weft_peer *p = weft_peer_find(n, source);
	if (!p) { // weft_tx_whois looks in the peer cache first
		if (queue_rx(n, now_ms, source, local_socket, from, pkt, len))
			weft_tx_whois(n, now_ms, source);
		return;
	}
	if (suite != WEFT_CIPHER_NONE && weft_packet_disarm(pkt, len, &p->key) != WEFT_OK)
		goto drop_mac;
	if (weft_packet_decompress(pkt, &len, WEFT_PACKET_MAX_LEN, n->scratch) != WEFT_OK)
		goto drop_decompress;
	weft_count(n, WEFT_CTR_RX_PACKETS);
	n->verb_rx[pkt[WEFT_WIRE_IDX_VERB] & (WEFT_VERB_SLOTS - 1)]++;
	p->last_in_ms = now_ms;
	weft_rx_verb(n, now_ms, p, local_socket, from, pkt, len);
	return;
drop_bad_address:
	weft_count(n, WEFT_CTR_DROP_BAD_ADDRESS);
	return;
drop_cipher:
	weft_count(n, WEFT_CTR_DROP_CIPHER);
	return;
drop_trusted_path:
	weft_count(n, WEFT_CTR_DROP_TRUSTED_PATH);
	return;
drop_mac:
	weft_count(n, WEFT_CTR_DROP_MAC);
	return;
drop_decompress:
	weft_count(n, WEFT_CTR_DROP_DECOMPRESS);
}

static void rx_fragment(struct weft_node *n, int64_t now_ms, int64_t local_socket,
                        const struct weft_inetaddr *from, const uint8_t *d, size_t len)
{
	size_t out_len = 0;
	if (load_be40(d + WEFT_WIRE_FRAG_IDX_DEST) != n->self.address) {
		weft_relay(n, now_ms, d, len, true);
		return;
	}
	if (weft_defrag_fragment(&n->defrag, d, len, now_ms, n->assembled, &out_len) ==
	    WEFT_DEFRAG_COMPLETE)
		weft_rx_packet(n, now_ms, local_socket, from, n->assembled, out_len);
}

static void rx_head(struct weft_node *n, int64_t now_ms, int64_t local_socket,
                    const struct weft_inetaddr *from, const uint8_t *d, size_t len)
{
	size_t out_len = 0;
	if (load_be40(d + WEFT_WIRE_IDX_DEST) != n->self.address) {
		weft_relay(n, now_ms, d, len, false);
		return;
	}
	if (d[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_FRAGMENTED) {
		if (weft_defrag_head(&n->defrag, d, len, now_ms, n->assembled, &out_len) ==
		    WEFT_DEFRAG_COMPLETE)
			weft_rx_packet(n, now_ms, local_socket, from, n->assembled, out_len);
		return;
	}
	memcpy(n->rx_buf, d, len);
	weft_rx_packet(n, now_ms, local_socket, from, n->rx_buf, len);
}

static void rx_datagram(struct weft_node *n, int64_t now_ms, int64_t local_socket,
                        const struct weft_inetaddr *from, const uint8_t *d, size_t len)
{
	weft_count(n, WEFT_CTR_RX_DATAGRAMS);
	if (len == 13) { // legacy LAN beacon: 1.14 never sends them; ignored
		weft_count(n, WEFT_CTR_DROP_BEACON);
		return;
	}
	if (len > WEFT_PACKET_MAX_LEN) {
		weft_count(n, WEFT_CTR_DROP_SHORT);
		return;
	}
	if (weft_fragment_is_fragment(d, len)) {
		rx_fragment(n, now_ms, local_socket, from, d, len);
		return;
	}
	if (len < WEFT_PACKET_MIN_LEN) {
		weft_count(n, WEFT_CTR_DROP_SHORT);
		return;
	}
	rx_head(n, now_ms, local_socket, from, d, len);
}

enum weft_result weft_node_process_wire_packet(struct weft_node *n, int64_t now_ms,
                                               int64_t local_socket,
                                               const struct weft_inetaddr *from, const void *data,
                                               size_t len, int64_t *next_deadline_ms)
{
	rx_datagram(n, now_ms, local_socket, from, data, len);
	if (n->queues_dirty)
		weft_tx_service_queues(n, now_ms);
	if (next_deadline_ms)
		*next_deadline_ms = weft_timers_run(n, now_ms);
	return WEFT_OK;
}
