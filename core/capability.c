// SPDX-License-Identifier: MPL-2.0
// Capabilities (vl2.md §5.3): a member-specific rule list with a chain of custody. Every
// custody entry signs the same message (the chain itself is not signed); entry 0 comes from
// the controller, each later entry from the previous holder.
#include "credential.h"

static void encode_rules(const struct weft_cap *cap, struct weft_wbuf *w)
{
	if (cap->n_rules > WEFT_CAP_MAX_RULES) {
		w->bad = true;
		return;
	}
	wbuf_u16(w, (uint16_t)cap->n_rules);
	weft_rules_encode(cap->rules, cap->n_rules, w);
}

void weft_cap_encode(const struct weft_cap *cap, struct weft_wbuf *w)
{
	wbuf_u64(w, cap->nwid);
	wbuf_u64(w, (uint64_t)cap->timestamp);
	wbuf_u32(w, cap->id);
	encode_rules(cap, w);
	wbuf_u8(w, cap->max_custody);
	if (cap->n_custody > cap->max_custody || cap->n_custody > WEFT_CAP_MAX_CUSTODY) {
		w->bad = true;
		return;
	}
	for (unsigned i = 0; i < cap->n_custody; i++) {
		wbuf_u40(w, cap->custody[i].to);
		wbuf_u40(w, cap->custody[i].from);
		weft_credential_sig_encode(cap->custody[i].signature, w);
	}
	wbuf_u40(w, 0); // terminator, present even when the chain is full
	wbuf_u16(w, 0);
}

void weft_cap_encode_signing_message(const struct weft_cap *cap, struct weft_wbuf *w)
{
	weft_credential_marker(w);
	wbuf_u64(w, cap->nwid);
	wbuf_u64(w, (uint64_t)cap->timestamp);
	wbuf_u32(w, cap->id);
	encode_rules(cap, w);
	wbuf_u8(w, cap->max_custody);
	wbuf_u16(w, 0);
	weft_credential_marker(w);
}

static bool decode_custody(struct weft_cap *cap, struct weft_rbuf *r)
{
	for (;;) {
		uint64_t to = rbuf_u40(r);
		if (r->bad || to == 0)
			break;
		if (cap->n_custody >= cap->max_custody)
			return false;
		struct weft_cap_custody *c = &cap->custody[cap->n_custody++];
		c->to = to;
		c->from = rbuf_u40(r);
		// a zero `from` would re-encode fine but can never verify; keep it for verify
		if (!weft_credential_sig_decode(c->signature, r))
			return false;
	}
	return !r->bad;
}

enum weft_result weft_cap_decode(struct weft_cap *cap, struct weft_rbuf *r)
{
	memset(cap, 0, sizeof *cap);
	cap->nwid = rbuf_u64(r);
	cap->timestamp = (int64_t)rbuf_u64(r);
	cap->id = rbuf_u32(r);
	cap->n_rules = rbuf_u16(r);
	if (r->bad || cap->n_rules > WEFT_CAP_MAX_RULES)
		goto bad;
	for (unsigned i = 0; i < cap->n_rules; i++)
		if (weft_rule_decode(&cap->rules[i], r) != WEFT_OK)
			goto bad;
	cap->max_custody = rbuf_u8(r);
	if (cap->max_custody < 1 || cap->max_custody > WEFT_CAP_MAX_CUSTODY)
		goto bad;
	if (decode_custody(cap, r) && weft_credential_ext_decode(r))
		return WEFT_OK;
bad:
	r->bad = true;
	memset(cap, 0, sizeof *cap);
	return WEFT_ERR_INVALID;
}

uint64_t weft_cap_issued_to(const struct weft_cap *cap)
{
	if (cap->n_custody == 0 || cap->n_custody > WEFT_CAP_MAX_CUSTODY)
		return 0;
	return cap->custody[cap->n_custody - 1].to;
}

enum weft_result weft_cap_sign(struct weft_cap *cap, const struct weft_identity *signer,
                               uint64_t to)
{
	uint8_t msg[WEFT_CAP_SIGNING_MAX];
	struct weft_wbuf w;
	if (cap->n_custody >= cap->max_custody || cap->n_custody >= WEFT_CAP_MAX_CUSTODY)
		return WEFT_ERR_FULL;
	if (to == 0)
		return WEFT_ERR_INVALID;
	wbuf_init(&w, msg, sizeof msg);
	weft_cap_encode_signing_message(cap, &w);
	struct weft_cap_custody *c = &cap->custody[cap->n_custody];
	enum weft_result res = weft_credential_sign(signer, &w, c->signature);
	if (res != WEFT_OK)
		return res;
	c->to = to;
	c->from = signer->address;
	cap->n_custody++;
	return WEFT_OK;
}

enum weft_verify weft_cap_verify(const struct weft_cap *cap, weft_identity_lookup_fn lookup,
                                 void *ctx)
{
	uint8_t msg[WEFT_CAP_SIGNING_MAX];
	struct weft_wbuf w;
	if (cap->max_custody < 1 || cap->max_custody > WEFT_CAP_MAX_CUSTODY || cap->n_custody < 1 ||
	    cap->n_custody > cap->max_custody)
		return WEFT_VERIFY_BAD;
	wbuf_init(&w, msg, sizeof msg);
	weft_cap_encode_signing_message(cap, &w);
	if (w.bad)
		return WEFT_VERIFY_BAD;
	for (unsigned i = 0; i < cap->n_custody; i++) {
		const struct weft_cap_custody *c = &cap->custody[i];
		uint64_t expect =
		    i == 0 ? weft_credential_controller(cap->nwid) : cap->custody[i - 1].to;
		if (c->to == 0 || c->from == 0 || c->from != expect)
			return WEFT_VERIFY_BAD;
		const struct weft_identity *id = lookup ? lookup(ctx, c->from) : NULL;
		if (!id)
			return WEFT_VERIFY_SIGNER_UNKNOWN;
		if (id->address != c->from ||
		    !weft_identity_verify(id, w.p, w.len, c->signature, WEFT_SIGNATURE_LEN))
			return WEFT_VERIFY_BAD;
	}
	return WEFT_VERIFY_OK;
}
