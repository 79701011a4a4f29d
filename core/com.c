// SPDX-License-Identifier: MPL-2.0
// Certificates of membership (vl2.md §5.2): qualifier triples signed by the controller, and
// the agreement test that decides whether a peer is a fellow member.
#include "credential.h"

#include <openssl/evp.h>

#include "wire.h"

enum weft_result weft_com_identity_hash(const struct weft_identity *id, uint8_t hash[48])
{
	uint8_t in[WEFT_ADDRESS_LEN + WEFT_IDENTITY_KEY_LEN];
	unsigned int n = 0;
	store_be40(in, id->address);
	memcpy(in + WEFT_ADDRESS_LEN, id->pub, WEFT_IDENTITY_KEY_LEN);
	if (EVP_Digest(in, sizeof in, hash, &n, EVP_sha384(), NULL) != 1 || n != 48)
		return WEFT_FATAL_CRYPTO;
	return WEFT_OK;
}

enum weft_result weft_com_init(struct weft_com *com, int64_t timestamp_ms, uint64_t max_delta_ms,
                               uint64_t nwid, const struct weft_identity *member)
{
	uint8_t h[48];
	memset(com, 0, sizeof *com);
	enum weft_result res = weft_com_identity_hash(member, h);
	if (res != WEFT_OK)
		return res;
	const uint64_t any = UINT64_MAX;
	com->q[0] =
	    (struct weft_com_qualifier){WEFT_COM_Q_TIMESTAMP, (uint64_t)timestamp_ms, max_delta_ms};
	com->q[1] = (struct weft_com_qualifier){WEFT_COM_Q_NETWORK_ID, nwid, 0};
	com->q[2] = (struct weft_com_qualifier){WEFT_COM_Q_ISSUED_TO, member->address, any};
	for (unsigned i = 0; i < 4; i++)
		com->q[3 + i] = (struct weft_com_qualifier){WEFT_COM_Q_HASH_FIRST + i,
		                                            load_be64(h + 8 * i), any};
	com->n_q = 7;
	return WEFT_OK;
}

static const struct weft_com_qualifier *find(const struct weft_com *com, uint64_t id)
{
	for (unsigned i = 0; i < com->n_q && i < WEFT_COM_MAX_QUALIFIERS; i++)
		if (com->q[i].id == id)
			return &com->q[i];
	return NULL;
}

uint64_t weft_com_value(const struct weft_com *com, uint64_t id)
{
	const struct weft_com_qualifier *q = find(com, id);
	return q ? q->value : 0;
}

static void encode_qualifiers(const struct weft_com *com, struct weft_wbuf *w)
{
	if (com->n_q > WEFT_COM_MAX_QUALIFIERS) {
		w->bad = true;
		return;
	}
	for (unsigned i = 0; i < com->n_q; i++) {
		wbuf_u64(w, com->q[i].id);
		wbuf_u64(w, com->q[i].value);
		wbuf_u64(w, com->q[i].max_delta);
	}
}

void weft_com_encode(const struct weft_com *com, struct weft_wbuf *w)
{
	wbuf_u8(w, 1);
	wbuf_u16(w, (uint16_t)com->n_q);
	encode_qualifiers(com, w);
	wbuf_u40(w, com->signed_by);
	if (com->signed_by)
		wbuf_bytes(w, com->signature, WEFT_SIGNATURE_LEN);
}

void weft_com_encode_signing_message(const struct weft_com *com, struct weft_wbuf *w)
{
	encode_qualifiers(com, w);
}

enum weft_result weft_com_decode(struct weft_com *com, struct weft_rbuf *r)
{
	memset(com, 0, sizeof *com);
	if (rbuf_u8(r) != 1)
		goto bad;
	com->n_q = rbuf_u16(r);
	if (r->bad || com->n_q > WEFT_COM_MAX_QUALIFIERS)
		goto bad;
	for (unsigned i = 0; i < com->n_q; i++) {
		com->q[i].id = rbuf_u64(r);
		com->q[i].value = rbuf_u64(r);
		com->q[i].max_delta = rbuf_u64(r);
		if (i > 0 && com->q[i].id < com->q[i - 1].id)
			goto bad;
	}
	com->signed_by = rbuf_u40(r);
	if (com->signed_by)
		rbuf_copy(r, com->signature, WEFT_SIGNATURE_LEN);
	if (!r->bad)
		return WEFT_OK;
bad:
	r->bad = true;
	memset(com, 0, sizeof *com);
	return WEFT_ERR_INVALID;
}

enum weft_result weft_com_sign(struct weft_com *com, const struct weft_identity *signer)
{
	uint8_t msg[WEFT_COM_SIGNING_MAX];
	struct weft_wbuf w;
	wbuf_init(&w, msg, sizeof msg);
	weft_com_encode_signing_message(com, &w);
	enum weft_result res = weft_credential_sign(signer, &w, com->signature);
	if (res == WEFT_OK)
		com->signed_by = signer->address;
	return res;
}

// The network ID is qualifier 1's value; the signer must be its controller.
enum weft_verify weft_com_verify(const struct weft_com *com, weft_identity_lookup_fn lookup,
                                 void *ctx)
{
	uint8_t msg[WEFT_COM_SIGNING_MAX];
	struct weft_wbuf w;
	wbuf_init(&w, msg, sizeof msg);
	weft_com_encode_signing_message(com, &w);
	return weft_credential_verify(weft_com_value(com, WEFT_COM_Q_NETWORK_ID), com->signed_by,
	                              &w, com->signature, lookup, ctx);
}

static bool has_identity_hash(const struct weft_com *com)
{
	for (unsigned i = 0; i < com->n_q && i < WEFT_COM_MAX_QUALIFIERS; i++)
		if (com->q[i].id >= WEFT_COM_Q_HASH_FIRST && com->q[i].id <= WEFT_COM_Q_HASH_LAST)
			return true;
	return false;
}

// Their qualifiers 3..6 must equal the first 32 bytes of the presenter's identity hash.
static bool hash_matches(const struct weft_com *theirs, const uint8_t *hash)
{
	if (!hash)
		return false;
	for (unsigned i = 0; i < 4; i++) {
		const struct weft_com_qualifier *t = find(theirs, WEFT_COM_Q_HASH_FIRST + i);
		if (!t || t->value != load_be64(hash + 8 * i))
			return false;
	}
	return true;
}

bool weft_com_agrees_hashed(const struct weft_com *mine, const struct weft_com *theirs,
                            const uint8_t *their_hash)
{
	if (mine->n_q == 0 || theirs->n_q == 0)
		return false;
	for (unsigned i = 0; i < mine->n_q && i < WEFT_COM_MAX_QUALIFIERS; i++) {
		const struct weft_com_qualifier *q = &mine->q[i];
		const struct weft_com_qualifier *t = find(theirs, q->id);
		if (!t)
			return false;
		uint64_t diff = q->value > t->value ? q->value - t->value : t->value - q->value;
		if (diff > q->max_delta)
			return false;
	}
	return !has_identity_hash(mine) || hash_matches(theirs, their_hash);
}

bool weft_com_agrees(const struct weft_com *mine, const struct weft_com *theirs,
                     const struct weft_identity *their_identity)
{
	uint8_t h[48];
	bool known = their_identity && weft_com_identity_hash(their_identity, h) == WEFT_OK;
	return weft_com_agrees_hashed(mine, theirs, known ? h : NULL);
}
