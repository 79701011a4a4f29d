// SPDX-License-Identifier: MPL-2.0
// Tags (vl2.md §5.4): a signed (ID, value) pair assigned to one member.
#include "credential.h"

static void encode_body(const struct weft_tag *tag, struct weft_wbuf *w)
{
	wbuf_u64(w, tag->nwid);
	wbuf_u64(w, (uint64_t)tag->timestamp);
	wbuf_u32(w, tag->id);
	wbuf_u32(w, tag->value);
	wbuf_u40(w, tag->issued_to);
	wbuf_u40(w, tag->signed_by);
}

void weft_tag_encode(const struct weft_tag *tag, struct weft_wbuf *w)
{
	encode_body(tag, w);
	weft_credential_sig_encode(tag->signature, w);
	wbuf_u16(w, 0);
}

void weft_tag_encode_signing_message(const struct weft_tag *tag, struct weft_wbuf *w)
{
	weft_credential_marker(w);
	encode_body(tag, w);
	wbuf_u16(w, 0);
	weft_credential_marker(w);
}

enum weft_result weft_tag_decode(struct weft_tag *tag, struct weft_rbuf *r)
{
	memset(tag, 0, sizeof *tag);
	tag->nwid = rbuf_u64(r);
	tag->timestamp = (int64_t)rbuf_u64(r);
	tag->id = rbuf_u32(r);
	tag->value = rbuf_u32(r);
	tag->issued_to = rbuf_u40(r);
	tag->signed_by = rbuf_u40(r);
	if (!weft_credential_sig_decode(tag->signature, r) || !weft_credential_ext_decode(r)) {
		memset(tag, 0, sizeof *tag);
		return WEFT_ERR_INVALID;
	}
	return WEFT_OK;
}

enum weft_result weft_tag_sign(struct weft_tag *tag, const struct weft_identity *signer)
{
	uint8_t msg[WEFT_TAG_SIGNING_LEN];
	struct weft_wbuf w;
	tag->signed_by = signer->address;
	wbuf_init(&w, msg, sizeof msg);
	weft_tag_encode_signing_message(tag, &w);
	return weft_credential_sign(signer, &w, tag->signature);
}

enum weft_verify weft_tag_verify(const struct weft_tag *tag, weft_identity_lookup_fn lookup,
                                 void *ctx)
{
	uint8_t msg[WEFT_TAG_SIGNING_LEN];
	struct weft_wbuf w;
	wbuf_init(&w, msg, sizeof msg);
	weft_tag_encode_signing_message(tag, &w);
	return weft_credential_verify(tag->nwid, tag->signed_by, &w, tag->signature, lookup, ctx);
}
