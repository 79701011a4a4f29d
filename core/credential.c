// SPDX-License-Identifier: MPL-2.0
// Pieces every credential shares (vl2.md §5.1): the 7f markers of signed forms, signature
// records, the extension length, and the controller-signature check.
#include "credential.h"

const struct weft_identity *weft_credential_lookup_one(void *ctx, uint64_t address)
{
	const struct weft_identity *id = ctx;
	return id && id->address == address ? id : NULL;
}

void weft_credential_marker(struct weft_wbuf *w)
{
	uint8_t *p = wbuf_put(w, 8);
	if (p)
		memset(p, 0x7f, 8);
}

void weft_credential_sig_encode(const uint8_t sig[WEFT_SIGNATURE_LEN], struct weft_wbuf *w)
{
	wbuf_u8(w, 1);
	wbuf_u16(w, WEFT_SIGNATURE_LEN);
	wbuf_bytes(w, sig, WEFT_SIGNATURE_LEN);
}

// 1.14 skips records of other types by their length and keeps no signature; such a credential
// can never verify, so refusing it here loses nothing but keeps decode/encode exact.
bool weft_credential_sig_decode(uint8_t sig[WEFT_SIGNATURE_LEN], struct weft_rbuf *r)
{
	uint8_t type = rbuf_u8(r);
	uint16_t len = rbuf_u16(r);
	if (r->bad || type != 1 || len != WEFT_SIGNATURE_LEN) {
		r->bad = true;
		return false;
	}
	return rbuf_copy(r, sig, WEFT_SIGNATURE_LEN);
}

bool weft_credential_ext_decode(struct weft_rbuf *r)
{
	if (rbuf_u16(r) != 0)
		r->bad = true;
	return !r->bad;
}

enum weft_result weft_credential_sign(const struct weft_identity *signer,
                                      const struct weft_wbuf *msg, uint8_t sig[WEFT_SIGNATURE_LEN])
{
	if (msg->bad)
		return WEFT_ERR_TOO_BIG;
	if (!signer->has_secret)
		return WEFT_ERR_NO_SECRET;
	return weft_identity_sign(signer, msg->p, msg->len, sig);
}

enum weft_verify weft_credential_verify(uint64_t nwid, uint64_t signed_by,
                                        const struct weft_wbuf *msg,
                                        const uint8_t sig[WEFT_SIGNATURE_LEN],
                                        weft_identity_lookup_fn lookup, void *ctx)
{
	if (signed_by == 0 || signed_by != weft_credential_controller(nwid) || msg->bad)
		return WEFT_VERIFY_BAD;
	const struct weft_identity *id = lookup ? lookup(ctx, signed_by) : NULL;
	if (!id)
		return WEFT_VERIFY_SIGNER_UNKNOWN;
	if (id->address != signed_by)
		return WEFT_VERIFY_BAD;
	return weft_identity_verify(id, msg->p, msg->len, sig, WEFT_SIGNATURE_LEN)
	           ? WEFT_VERIFY_OK
	           : WEFT_VERIFY_BAD;
}
