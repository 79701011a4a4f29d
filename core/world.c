// SPDX-License-Identifier: MPL-2.0
// World encoding, signatures and the update rule (vl1.md §7.1–7.3).
#include "world.h"

#include <sodium.h>

static void encode_body(const struct weft_world *w, struct weft_wbuf *out, bool with_sig)
{
	wbuf_u8(out, w->type);
	wbuf_u64(out, w->id);
	wbuf_u64(out, w->timestamp);
	wbuf_bytes(out, w->update_key, sizeof w->update_key);
	if (with_sig)
		wbuf_bytes(out, w->signature, sizeof w->signature);
	wbuf_u8(out, (uint8_t)w->n_roots);
	for (unsigned i = 0; i < w->n_roots && i < WEFT_WORLD_MAX_ROOTS; i++) {
		const struct weft_world_root *r = &w->roots[i];
		weft_identity_encode(&r->identity, false, out);
		wbuf_u8(out, (uint8_t)r->n_endpoints);
		for (unsigned e = 0; e < r->n_endpoints && e < WEFT_WORLD_MAX_ENDPOINTS; e++)
			weft_inetaddr_encode(&r->endpoints[e], out);
	}
	if (w->type == WEFT_WORLD_MOON)
		wbuf_u16(out, 0); // empty dictionary
}

void weft_world_encode(const struct weft_world *w, struct weft_wbuf *out)
{
	encode_body(w, out, true);
}

static void marker(struct weft_wbuf *out, uint8_t v)
{
	uint8_t *p = wbuf_put(out, 8);
	if (p)
		memset(p, v, 8);
}

void weft_world_encode_signing_message(const struct weft_world *w, struct weft_wbuf *out)
{
	marker(out, 0x7f);
	encode_body(w, out, false);
	marker(out, 0xf7);
}

static enum weft_result decode_root(struct weft_world_root *root, struct weft_rbuf *r)
{
	if (weft_identity_decode(&root->identity, r) != WEFT_OK)
		return WEFT_ERR_INVALID;
	if (root->identity.has_secret) { // worlds carry public identities only
		weft_identity_clear(&root->identity);
		r->bad = true;
		return WEFT_ERR_INVALID;
	}
	root->n_endpoints = rbuf_u8(r);
	if (root->n_endpoints > WEFT_WORLD_MAX_ENDPOINTS) {
		r->bad = true;
		return WEFT_ERR_INVALID;
	}
	for (unsigned e = 0; e < root->n_endpoints; e++)
		if (weft_inetaddr_decode(&root->endpoints[e], r) != WEFT_OK)
			return WEFT_ERR_INVALID;
	return WEFT_OK;
}

enum weft_result weft_world_decode(struct weft_world *w, struct weft_rbuf *r)
{
	size_t start = r->pos;
	memset(w, 0, sizeof *w);
	w->type = rbuf_u8(r);
	if (w->type != WEFT_WORLD_PLANET && w->type != WEFT_WORLD_MOON)
		goto bad;
	w->id = rbuf_u64(r);
	w->timestamp = rbuf_u64(r);
	rbuf_copy(r, w->update_key, sizeof w->update_key);
	rbuf_copy(r, w->signature, sizeof w->signature);
	w->n_roots = rbuf_u8(r);
	if (r->bad || w->n_roots > WEFT_WORLD_MAX_ROOTS)
		goto bad;
	for (unsigned i = 0; i < w->n_roots; i++)
		if (decode_root(&w->roots[i], r) != WEFT_OK)
			goto bad;
	if (w->type == WEFT_WORLD_MOON)
		rbuf_take(r, rbuf_u16(r)); // reserved dictionary, skipped
	if (r->bad || r->pos - start > WEFT_WORLD_MAX_LEN)
		goto bad;
	return WEFT_OK;
bad:
	r->bad = true;
	memset(w, 0, sizeof *w);
	return WEFT_ERR_INVALID;
}

enum weft_result weft_world_sign(struct weft_world *w, const uint8_t pub[64], const uint8_t sec[64])
{
	uint8_t msg[WEFT_WORLD_MAX_LEN + 16];
	struct weft_wbuf out;
	struct weft_identity signer = {.has_secret = true};
	memcpy(signer.pub, pub, 64);
	memcpy(signer.sec, sec, 64);
	wbuf_init(&out, msg, sizeof msg);
	weft_world_encode_signing_message(w, &out);
	enum weft_result r =
	    out.bad ? WEFT_ERR_TOO_BIG : weft_identity_sign(&signer, msg, out.len, w->signature);
	weft_identity_clear(&signer);
	return r;
}

bool weft_world_verify(const struct weft_world *w, const uint8_t key[64])
{
	uint8_t msg[WEFT_WORLD_MAX_LEN + 16];
	struct weft_wbuf out;
	struct weft_identity signer = {0};
	memcpy(signer.pub, key, 64);
	wbuf_init(&out, msg, sizeof msg);
	weft_world_encode_signing_message(w, &out);
	return !out.bad &&
	       weft_identity_verify(&signer, msg, out.len, w->signature, sizeof w->signature);
}

bool weft_world_should_replace(const struct weft_world *held, const struct weft_world *update)
{
	return update->type == held->type && update->id == held->id &&
	       update->timestamp > held->timestamp && weft_world_verify(update, held->update_key);
}

bool weft_world_has_root(const struct weft_world *w, uint64_t address)
{
	for (unsigned i = 0; i < w->n_roots; i++)
		if (w->roots[i].identity.address == address)
			return true;
	return false;
}
