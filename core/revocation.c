// SPDX-License-Identifier: MPL-2.0
// Revocations (vl2.md §5.6, §5.9): "credentials of this type and ID held by this member, with
// a timestamp at or before the threshold, are void".
#include "credential.h"

static void encode_body(const struct weft_revocation *rev, struct weft_wbuf *w)
{
	wbuf_u32(w, 0);
	wbuf_u32(w, rev->id);
	wbuf_u64(w, rev->nwid);
	wbuf_u32(w, 0);
	wbuf_u32(w, rev->credential_id);
	wbuf_u64(w, (uint64_t)rev->threshold);
	wbuf_u64(w, rev->flags);
	wbuf_u40(w, rev->target);
	wbuf_u40(w, rev->signed_by);
	wbuf_u8(w, rev->type);
}

void weft_revocation_encode(const struct weft_revocation *rev, struct weft_wbuf *w)
{
	encode_body(rev, w);
	weft_credential_sig_encode(rev->signature, w);
	wbuf_u16(w, 0);
}

void weft_revocation_encode_signing_message(const struct weft_revocation *rev, struct weft_wbuf *w)
{
	weft_credential_marker(w);
	encode_body(rev, w);
	wbuf_u16(w, 0);
	weft_credential_marker(w);
}

enum weft_result weft_revocation_decode(struct weft_revocation *rev, struct weft_rbuf *r)
{
	memset(rev, 0, sizeof *rev);
	uint32_t reserved = rbuf_u32(r);
	rev->id = rbuf_u32(r);
	rev->nwid = rbuf_u64(r);
	reserved |= rbuf_u32(r);
	rev->credential_id = rbuf_u32(r);
	rev->threshold = (int64_t)rbuf_u64(r);
	rev->flags = rbuf_u64(r);
	rev->target = rbuf_u40(r);
	rev->signed_by = rbuf_u40(r);
	rev->type = rbuf_u8(r);
	if (reserved != 0)
		r->bad = true; // would not re-encode; 1.14 writes zeros
	if (!weft_credential_sig_decode(rev->signature, r) || !weft_credential_ext_decode(r)) {
		memset(rev, 0, sizeof *rev);
		return WEFT_ERR_INVALID;
	}
	return WEFT_OK;
}

enum weft_result weft_revocation_sign(struct weft_revocation *rev,
                                      const struct weft_identity *signer)
{
	uint8_t msg[WEFT_REVOCATION_SIGNING_LEN];
	struct weft_wbuf w;
	rev->signed_by = signer->address;
	wbuf_init(&w, msg, sizeof msg);
	weft_revocation_encode_signing_message(rev, &w);
	return weft_credential_sign(signer, &w, rev->signature);
}

enum weft_verify weft_revocation_verify(const struct weft_revocation *rev,
                                        weft_identity_lookup_fn lookup, void *ctx)
{
	uint8_t msg[WEFT_REVOCATION_SIGNING_LEN];
	struct weft_wbuf w;
	wbuf_init(&w, msg, sizeof msg);
	weft_revocation_encode_signing_message(rev, &w);
	return weft_credential_verify(rev->nwid, rev->signed_by, &w, rev->signature, lookup, ctx);
}

bool weft_revocation_covers(const struct weft_revocation *rev, enum weft_credential_type type,
                            uint32_t credential_id, uint64_t holder, int64_t timestamp)
{
	// A COM has no ID of its own: 1.14 applies a COM revocation whatever its credential ID.
	switch (type) {
	case WEFT_CREDENTIAL_COM: credential_id = rev->credential_id; break;
	case WEFT_CREDENTIAL_CAPABILITY:
	case WEFT_CREDENTIAL_TAG:
	case WEFT_CREDENTIAL_COO: break;
	default: return false;
	}
	return rev->type == (uint8_t)type && rev->credential_id == credential_id &&
	       rev->target == holder && timestamp <= rev->threshold;
}
