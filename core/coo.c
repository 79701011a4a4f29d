// SPDX-License-Identifier: MPL-2.0
// Certificates of ownership (vl2.md §5.5): the IP and MAC addresses a member may use as its
// own. Things are 16-byte fields; the padding is signed, so it is kept exactly as received.
#include "credential.h"

static void encode_body(const struct weft_coo *coo, struct weft_wbuf *w)
{
	wbuf_u64(w, coo->nwid);
	wbuf_u64(w, (uint64_t)coo->timestamp);
	wbuf_u64(w, coo->flags);
	wbuf_u32(w, coo->id);
	unsigned n = coo->n_things;
	if (n > WEFT_COO_MAX_THINGS) {
		w->bad = true;
		return;
	}
	wbuf_u16(w, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		wbuf_u8(w, coo->things[i].type);
		wbuf_bytes(w, coo->things[i].value, WEFT_COO_THING_LEN);
	}
	wbuf_u40(w, coo->issued_to);
	wbuf_u40(w, coo->signed_by);
}

void weft_coo_encode(const struct weft_coo *coo, struct weft_wbuf *w)
{
	encode_body(coo, w);
	weft_credential_sig_encode(coo->signature, w);
	wbuf_u16(w, 0);
}

void weft_coo_encode_signing_message(const struct weft_coo *coo, struct weft_wbuf *w)
{
	weft_credential_marker(w);
	encode_body(coo, w);
	wbuf_u16(w, 0);
	weft_credential_marker(w);
}

enum weft_result weft_coo_decode(struct weft_coo *coo, struct weft_rbuf *r)
{
	memset(coo, 0, sizeof *coo);
	coo->nwid = rbuf_u64(r);
	coo->timestamp = (int64_t)rbuf_u64(r);
	coo->flags = rbuf_u64(r);
	coo->id = rbuf_u32(r);
	coo->n_things = rbuf_u16(r);
	if (coo->n_things > WEFT_COO_MAX_THINGS)
		goto bad;
	for (unsigned i = 0; i < coo->n_things; i++) {
		coo->things[i].type = rbuf_u8(r);
		rbuf_copy(r, coo->things[i].value, WEFT_COO_THING_LEN);
	}
	coo->issued_to = rbuf_u40(r);
	coo->signed_by = rbuf_u40(r);
	if (weft_credential_sig_decode(coo->signature, r) && weft_credential_ext_decode(r))
		return WEFT_OK;
bad:
	r->bad = true;
	memset(coo, 0, sizeof *coo);
	return WEFT_ERR_INVALID;
}

enum weft_result weft_coo_sign(struct weft_coo *coo, const struct weft_identity *signer)
{
	uint8_t msg[WEFT_COO_SIGNING_MAX];
	struct weft_wbuf w;
	coo->signed_by = signer->address;
	wbuf_init(&w, msg, sizeof msg);
	weft_coo_encode_signing_message(coo, &w);
	return weft_credential_sign(signer, &w, coo->signature);
}

enum weft_verify weft_coo_verify(const struct weft_coo *coo, weft_identity_lookup_fn lookup,
                                 void *ctx)
{
	uint8_t msg[WEFT_COO_SIGNING_MAX];
	struct weft_wbuf w;
	wbuf_init(&w, msg, sizeof msg);
	weft_coo_encode_signing_message(coo, &w);
	return weft_credential_verify(coo->nwid, coo->signed_by, &w, coo->signature, lookup, ctx);
}

static enum weft_result add_thing(struct weft_coo *coo, uint8_t type, const uint8_t *v, size_t n)
{
	if (coo->n_things >= WEFT_COO_MAX_THINGS)
		return WEFT_ERR_FULL;
	struct weft_coo_thing *t = &coo->things[coo->n_things++];
	memset(t, 0, sizeof *t);
	t->type = type;
	memcpy(t->value, v, n);
	return WEFT_OK;
}

enum weft_result weft_coo_add_ip(struct weft_coo *coo, const struct weft_inetaddr *ip)
{
	if (ip->family == WEFT_INET_V4)
		return add_thing(coo, WEFT_COO_THING_IPV4, ip->ip, 4);
	if (ip->family == WEFT_INET_V6)
		return add_thing(coo, WEFT_COO_THING_IPV6, ip->ip, 16);
	return WEFT_ERR_INVALID;
}

enum weft_result weft_coo_add_mac(struct weft_coo *coo, const uint8_t mac[6])
{
	return add_thing(coo, WEFT_COO_THING_MAC, mac, 6);
}

static bool owns(const struct weft_coo *coo, uint8_t type, const uint8_t *v, size_t n)
{
	for (unsigned i = 0; i < coo->n_things && i < WEFT_COO_MAX_THINGS; i++)
		if (coo->things[i].type == type && !memcmp(coo->things[i].value, v, n))
			return true;
	return false;
}

bool weft_coo_owns_ip(const struct weft_coo *coo, const struct weft_inetaddr *ip)
{
	if (ip->family == WEFT_INET_V4)
		return owns(coo, WEFT_COO_THING_IPV4, ip->ip, 4);
	if (ip->family == WEFT_INET_V6)
		return owns(coo, WEFT_COO_THING_IPV6, ip->ip, 16);
	return false;
}

bool weft_coo_owns_mac(const struct weft_coo *coo, const uint8_t mac[6])
{
	return owns(coo, WEFT_COO_THING_MAC, mac, 6);
}
