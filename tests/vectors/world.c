// SPDX-License-Identifier: MPL-2.0
// world.json: planet and moon encoding, signing messages, signatures, and the update rule.
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "t.h"
#include "vec.h"
#include "world.h"

// Builds a world from the JSON fields (not from `serialized`), so encoding is tested too.
static bool from_fields(const json_t *o, struct weft_world *w)
{
	memset(w, 0, sizeof *w);
	w->type = (uint8_t)vec_int(o, "type_byte");
	w->id = vec_u64hex(o, "id");
	w->timestamp = (uint64_t)vec_int(o, "timestamp");
	bool ok = vec_hex_into(o, "updates_must_be_signed_by", w->update_key, 64) &&
	          vec_hex_into(o, "signature", w->signature, 96);
	size_t i, e;
	json_t *r, *ep;
	json_array_foreach (json_object_get(o, "roots"), i, r) {
		struct weft_world_root *root = &w->roots[w->n_roots++];
		const char *s = vec_str(r, "identity");
		ok =
		    ok && weft_identity_from_string(&root->identity, s, strlen(s), NULL) == WEFT_OK;
		json_array_foreach (json_object_get(r, "stable_endpoints"), e, ep) {
			char text[80];
			snprintf(text, sizeof text, "%s/%lld", vec_str(ep, "ip"),
			         vec_int(ep, "port"));
			ok = ok &&
			     weft_inetaddr_from_string(&root->endpoints[root->n_endpoints++], text);
		}
	}
	return ok;
}

static void check_world(const char *name, const json_t *o, const uint8_t *signer_pub,
                        const uint8_t *signer_sec)
{
	struct weft_world w, back;
	uint8_t buf[WEFT_WORLD_MAX_LEN + 16];
	size_t slen = 0, mlen = 0;
	struct weft_wbuf out;
	struct weft_rbuf in;
	t_case("world %s", name);
	uint8_t *ser = vec_hex(o, "serialized", &slen);
	uint8_t *msg = vec_hex(o, "signing_message", &mlen);
	T_CHECK(ser && msg && from_fields(o, &w));
	if (!ser || !msg)
		goto done;
	wbuf_init(&out, buf, sizeof buf);
	weft_world_encode(&w, &out);
	T_CHECK(!out.bad && out.len == slen);
	if (out.len == slen)
		T_CHECK_MEM(buf, ser, slen);
	wbuf_init(&out, buf, sizeof buf);
	weft_world_encode_signing_message(&w, &out);
	T_CHECK(!out.bad && out.len == mlen);
	if (out.len == mlen)
		T_CHECK_MEM(buf, msg, mlen);

	rbuf_init(&in, ser, slen);
	T_CHECK(weft_world_decode(&back, &in) == WEFT_OK && rbuf_left(&in) == 0);
	wbuf_init(&out, buf, sizeof buf);
	weft_world_encode(&back, &out);
	T_CHECK(out.len == slen && !memcmp(buf, ser, slen));
	T_CHECK(weft_world_verify(&back, signer_pub));

	// signing again with the same key pair reproduces the signature (deterministic Ed25519)
	struct weft_world re = back;
	T_CHECK(weft_world_sign(&re, signer_pub, signer_sec) == WEFT_OK);
	T_CHECK_MEM(re.signature, back.signature, 96);

	// every truncation is rejected
	bool all_rejected = true;
	for (size_t n = 0; n < slen; n++) {
		rbuf_init(&in, ser, n);
		if (weft_world_decode(&back, &in) == WEFT_OK)
			all_rejected = false;
	}
	T_CHECK(all_rejected);
done:
	free(ser);
	free(msg);
}

static void check_top(const json_t *j, const char *which)
{
	const json_t *o = json_object_get(j, which);
	uint8_t pub[64], sec[64];
	T_CHECK(vec_hex_into(o, "signing_key_public", pub, 64));
	T_CHECK(vec_hex_into(o, "signing_key_secret", sec, 64));
	check_world(which, o, pub, sec);
}

static void check_update(const json_t *j, const json_t *u, size_t i)
{
	struct weft_world held, cand;
	size_t hl = 0, cl = 0;
	struct weft_rbuf r;
	const json_t *upd = json_object_get(u, "update");
	uint8_t pub[64], sec[64];
	T_CHECK(vec_hex_into(upd, "signed_with_public", pub, 64));
	T_CHECK(vec_hex_into(upd, "signed_with_secret", sec, 64));
	check_world(vec_str(u, "name"), upd, pub, sec);
	t_case("world update[%zu] %s", i, vec_str(u, "name"));
	uint8_t *h = vec_hex(json_object_get(j, vec_str(u, "current")), "serialized", &hl);
	uint8_t *c = vec_hex(upd, "serialized", &cl);
	rbuf_init(&r, h, hl);
	T_CHECK(weft_world_decode(&held, &r) == WEFT_OK);
	rbuf_init(&r, c, cl);
	T_CHECK(weft_world_decode(&cand, &r) == WEFT_OK);
	T_CHECK(weft_world_should_replace(&held, &cand) == vec_bool(u, "should_be_replaced_by"));
	T_CHECK(!weft_world_should_replace(&held, &held)); // same revision never replaces
	free(h);
	free(c);
}

int main(void)
{
	t_init("vectors/world");
	weft_crypto_init();
	json_t *j = vec_load("world.json");
	check_top(j, "planet");
	check_top(j, "moon");
	size_t i;
	json_t *u;
	json_array_foreach (json_object_get(j, "updates"), i, u)
		check_update(j, u, i);
	json_decref(j);
	return t_done();
}
