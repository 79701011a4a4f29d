// SPDX-License-Identifier: MPL-2.0
// Network configuration on the wire (vl2.md §4): members' NETWORK_CONFIG_REQUEST, the
// controller's chunked, individually signed replies (OK or NETWORK_CONFIG), reassembly and
// signature checks on the member, and the controller's refusals. What a configuration says is
// for the host (the controller builds it, the member applies it); this file moves it.
// The host may call these functions from inside its callbacks: they build in cfg_buf only.
#include <stdlib.h>

#include "node.h"

enum weft_result weft_node_request_config(struct weft_node *n, int64_t now_ms, uint64_t network_id,
                                          const void *metadata, size_t metadata_len)
{
	struct weft_wbuf w;
	uint64_t controller = network_id >> 24;
	if (weft_address_is_reserved(controller) || metadata_len > 0xffff)
		return WEFT_ERR_INVALID;
	wbuf_init(&w, n->cfg_buf, sizeof n->cfg_buf);
	wbuf_u64(&w, network_id);
	wbuf_u16(&w, (uint16_t)metadata_len);
	wbuf_bytes(&w, metadata, metadata_len);
	wbuf_u64(&w, 0); // revision and timestamp of a held config: the controller ignores them
	wbuf_u64(&w, 0);
	if (w.bad)
		return WEFT_ERR_TOO_BIG;
	return weft_tx_send(n, now_ms, controller, WEFT_VERB_NETWORK_CONFIG_REQUEST, n->cfg_buf,
	                    w.len, true, true);
}

// One signed chunk body (vl2.md §4.3 fields 1-10) into w.
static enum weft_result chunk_body(struct weft_node *n, struct weft_wbuf *w, uint64_t network_id,
                                   const uint8_t *dict, size_t total, size_t index, size_t len,
                                   uint64_t update_id)
{
	uint8_t sig[WEFT_SIGNATURE_LEN];
	size_t start = w->len;
	wbuf_u64(w, network_id);
	wbuf_u16(w, (uint16_t)len);
	wbuf_bytes(w, dict + index, len);
	wbuf_u8(w, 0); // flags: no fast propagation
	wbuf_u64(w, update_id);
	wbuf_u32(w, (uint32_t)total);
	wbuf_u32(w, (uint32_t)index);
	if (w->bad)
		return WEFT_ERR_TOO_BIG;
	enum weft_result r = weft_identity_sign(&n->self, w->p + start, w->len - start, sig);
	wbuf_u8(w, 1);
	wbuf_u16(w, WEFT_SIGNATURE_LEN);
	wbuf_bytes(w, sig, sizeof sig);
	return r != WEFT_OK ? r : w->bad ? WEFT_ERR_TOO_BIG : WEFT_OK;
}

enum weft_result weft_node_send_config(struct weft_node *n, int64_t now_ms, uint64_t network_id,
                                       uint64_t member, uint64_t request_id, const void *dict,
                                       size_t len)
{
	uint64_t update_id = 0;
	if (len == 0 || len >= WEFT_LIMIT_CFG_DICT || (network_id >> 24) != n->self.address)
		return WEFT_ERR_INVALID;
	if (member == n->self.address) { // we are a member of our own network: no wire
		weft_network_config_in(n, now_ms, network_id, dict, len);
		return WEFT_OK;
	}
	while (!update_id)
		update_id = weft_node_random_u64(n);
	for (size_t index = 0; index < len; index += WEFT_CFG_CHUNK_MAX) {
		struct weft_wbuf w;
		size_t part = len - index < WEFT_CFG_CHUNK_MAX ? len - index : WEFT_CFG_CHUNK_MAX;
		wbuf_init(&w, n->cfg_buf, sizeof n->cfg_buf);
		if (request_id) { // OK(NETWORK_CONFIG_REQUEST): in-re verb and the request's ID
			wbuf_u8(&w, WEFT_VERB_NETWORK_CONFIG_REQUEST);
			wbuf_u64(&w, request_id);
		}
		enum weft_result r =
		    chunk_body(n, &w, network_id, dict, len, index, part, update_id);
		if (r != WEFT_OK)
			return r;
		r = weft_tx_send(n, now_ms, member,
		                 request_id ? WEFT_VERB_OK : WEFT_VERB_NETWORK_CONFIG, n->cfg_buf,
		                 w.len, true, true);
		if (r != WEFT_OK)
			return r;
	}
	weft_multicast_configured(n, now_ms, member, network_id);
	return WEFT_OK;
}

enum weft_result weft_node_send_config_error(struct weft_node *n, int64_t now_ms,
                                             uint64_t network_id, uint64_t member,
                                             uint64_t request_id, unsigned code)
{
	struct weft_wbuf w;
	if (member == n->self.address) {
		weft_network_config_error(n, network_id, code);
		return WEFT_OK;
	}
	wbuf_init(&w, n->cfg_buf, sizeof n->cfg_buf);
	wbuf_u8(&w, WEFT_VERB_NETWORK_CONFIG_REQUEST);
	wbuf_u64(&w, request_id);
	wbuf_u8(&w, (uint8_t)code);
	wbuf_u64(&w, network_id);
	return weft_tx_send(n, now_ms, member, WEFT_VERB_ERROR, n->cfg_buf, w.len, false, true);
}

enum weft_result weft_node_send_credentials(struct weft_node *n, int64_t now_ms, uint64_t dest,
                                            const void *payload, size_t len)
{
	if (len == 0 || len > sizeof n->cfg_buf)
		return WEFT_ERR_INVALID;
	return weft_tx_send(n, now_ms, dest, WEFT_VERB_NETWORK_CREDENTIALS, payload, len, true,
	                    true);
}

void weft_rx_config_request(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                            const struct weft_inetaddr *from, const uint8_t *pkt, size_t len)
{
	struct weft_rbuf r;
	char ident[WEFT_IDENTITY_STR_PUBLIC_LEN + 1];
	uint64_t request_id = load_be64(pkt);
	rbuf_init(&r, pkt + WEFT_WIRE_IDX_PAYLOAD, len - WEFT_WIRE_IDX_PAYLOAD);
	uint64_t network_id = rbuf_u64(&r);
	size_t mlen = rbuf_u16(&r);
	const uint8_t *meta = rbuf_take(&r, mlen); // revision and timestamp follow; unused
	if (!meta) {
		weft_count(n, WEFT_CTR_DROP_MALFORMED);
		return;
	}
	if (!n->cb.config_request || (network_id >> 24) != n->self.address) {
		weft_node_send_config_error(n, now_ms, network_id, p->id.address, request_id,
		                            WEFT_ERROR_UNSUPPORTED_OPERATION);
		return;
	}
	p->last_active_ms = now_ms;
	weft_identity_to_string(&p->id, false, ident, sizeof ident);
	struct weft_config_request req = {network_id, p->id.address, request_id, meta,
	                                  mlen,       ident,         from};
	n->cb.config_request(n->cb.ctx, &req);
}

static struct weft_cfg_slot *cfg_slot(struct weft_node *n, int64_t now_ms, uint64_t network_id,
                                      uint64_t update_id)
{
	struct weft_cfg_slot *lru = &n->cfg[0];
	for (unsigned i = 0; i < WEFT_LIMIT_CFG_SLOTS; i++) {
		struct weft_cfg_slot *s = &n->cfg[i];
		if (s->network_id == network_id && s->update_id == update_id)
			return s;
		if (s->touched_ms < lru->touched_ms)
			lru = s;
	}
	free(lru->buf);
	*lru = (struct weft_cfg_slot){
	    .network_id = network_id, .update_id = update_id, .touched_ms = now_ms};
	return lru;
}

static bool seen_chunk(struct weft_cfg_slot *s, uint64_t chunk_id)
{
	for (unsigned i = 0; i < s->n_chunks; i++)
		if (s->chunk_ids[i] == chunk_id)
			return true;
	return false;
}

// Stores a verified chunk; delivers the dictionary when every byte has arrived.
static void cfg_store(struct weft_node *n, int64_t now_ms, struct weft_cfg_slot *s, uint32_t total,
                      uint32_t index, const uint8_t *data, size_t len, uint64_t chunk_id)
{
	if (!s->buf) {
		s->buf = malloc(total);
		s->total = total;
		if (!s->buf)
			return;
	}
	if (s->total != total || s->n_chunks == WEFT_LIMIT_CFG_CHUNKS)
		return;
	memcpy(s->buf + index, data, len);
	s->received += (uint32_t)len; // chunks never overlap (vl2.md §4.4)
	s->chunk_ids[s->n_chunks++] = chunk_id;
	if (s->received != s->total)
		return;
	struct weft_network_config cfg = {s->network_id, s->update_id, s->buf, s->total};
	n->cb.event(n->cb.ctx, WEFT_EVENT_NETWORK_CONFIG, &cfg);
	weft_network_config_in(n, now_ms, s->network_id, s->buf, s->total);
	free(s->buf);
	*s = (struct weft_cfg_slot){0};
}

void weft_rx_config_chunk(struct weft_node *n, int64_t now_ms, struct weft_peer *p,
                          const uint8_t *body, size_t len)
{
	struct weft_rbuf r;
	rbuf_init(&r, body, len);
	uint64_t network_id = rbuf_u64(&r);
	size_t dlen = rbuf_u16(&r);
	const uint8_t *data = rbuf_take(&r, dlen);
	uint8_t flags = rbuf_u8(&r);
	uint64_t update_id = rbuf_u64(&r);
	uint32_t total = rbuf_u32(&r), index = rbuf_u32(&r);
	size_t signed_len = r.pos;
	uint8_t sig_type = rbuf_u8(&r);
	uint16_t sig_len = rbuf_u16(&r);
	const uint8_t *sig = rbuf_take(&r, WEFT_SIGNATURE_LEN);
	(void)flags; // fast propagation needs network membership (VL2); not forwarded here
	if (!data || !sig || sig_type != 1 || sig_len != WEFT_SIGNATURE_LEN || total == 0 ||
	    total >= WEFT_LIMIT_CFG_DICT || (uint64_t)index + dlen > total)
		goto drop_malformed;
	// Chunks are self-authenticating: any peer may carry one, the controller signed it.
	struct weft_peer *controller = weft_peer_find(n, network_id >> 24);
	if (!controller ||
	    !weft_identity_verify(&controller->id, body, signed_len, sig, WEFT_SIGNATURE_LEN))
		goto drop_signature;
	uint64_t chunk_id = load_be64(sig) ^ load_be64(sig + 8);
	struct weft_cfg_slot *s = cfg_slot(n, now_ms, network_id, update_id);
	s->touched_ms = now_ms;
	if (seen_chunk(s, chunk_id))
		return;
	p->last_active_ms = now_ms;
	cfg_store(n, now_ms, s, total, index, data, dlen, chunk_id);
	return;
drop_malformed:
	weft_count(n, WEFT_CTR_DROP_MALFORMED);
	return;
drop_signature:
	weft_count(n, WEFT_CTR_DROP_CONFIG_SIGNATURE);
}

void weft_rx_config_error(struct weft_node *n, struct weft_peer *p, uint8_t in_re_verb,
                          uint8_t code, const uint8_t *data, size_t len)
{
	if (len < 8)
		return;
	struct weft_network_config_error e = {load_be64(data), code};
	// Only the network's own controller is believed (vl2.md §4.7).
	if ((e.network_id >> 24) != p->id.address)
		return;
	if ((code == WEFT_ERROR_OBJ_NOT_FOUND || code == WEFT_ERROR_UNSUPPORTED_OPERATION) &&
	    in_re_verb != WEFT_VERB_NETWORK_CONFIG_REQUEST)
		return;
	if (code == WEFT_ERROR_OBJ_NOT_FOUND || code == WEFT_ERROR_UNSUPPORTED_OPERATION ||
	    code == WEFT_ERROR_NETWORK_ACCESS_DENIED ||
	    code == WEFT_ERROR_NETWORK_AUTHENTICATION_REQUIRED) {
		n->cb.event(n->cb.ctx, WEFT_EVENT_NETWORK_CONFIG_ERROR, &e);
		weft_network_config_error(n, e.network_id, code);
	}
}

void weft_config_free(struct weft_node *n)
{
	for (unsigned i = 0; i < WEFT_LIMIT_CFG_SLOTS; i++) {
		free(n->cfg[i].buf);
		n->cfg[i] = (struct weft_cfg_slot){0};
	}
}
