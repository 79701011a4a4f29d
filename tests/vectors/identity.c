// SPDX-License-Identifier: MPL-2.0
// identity.json: string and binary forms, key material, address derivation and validation.
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto.h"
#include "identity.h"
#include "t.h"
#include "vec.h"

static void check_valid(const json_t *c, size_t i)
{
	struct weft_identity id, pub;
	const char *secret = vec_str(c, "secret"), *public = vec_str(c, "public");
	char s[WEFT_IDENTITY_STR_SECRET_LEN + 1];
	uint8_t k[64], bin[WEFT_IDENTITY_BIN_SECRET_LEN], buf[WEFT_IDENTITY_BIN_SECRET_LEN];
	struct weft_wbuf w;

	t_case("identity valid[%zu] %s", i, vec_str(c, "address"));
	T_CHECK(weft_identity_from_string(&id, secret, strlen(secret), NULL) == WEFT_OK);
	T_CHECK(weft_identity_from_string(&pub, public, strlen(public), NULL) == WEFT_OK);
	T_CHECK(id.address == vec_u64hex(c, "address"));
	T_CHECK(id.has_secret && !pub.has_secret);
	T_CHECK(vec_hex_into(c, "public_key", k, 64));
	T_CHECK_MEM(id.pub, k, 64);
	T_CHECK(vec_hex_into(c, "private_key", k, 64));
	T_CHECK_MEM(id.sec, k, 64);

	// string forms round-trip exactly
	T_CHECK(weft_identity_to_string(&id, true, s, sizeof s) == WEFT_IDENTITY_STR_SECRET_LEN);
	T_CHECK(!strcmp(s, secret));
	T_CHECK(weft_identity_to_string(&id, false, s, sizeof s) == WEFT_IDENTITY_STR_PUBLIC_LEN);
	T_CHECK(!strcmp(s, public));

	// binary forms encode and decode
	T_CHECK(vec_hex_into(c, "serialized_public", bin, WEFT_IDENTITY_BIN_PUBLIC_LEN));
	wbuf_init(&w, buf, sizeof buf);
	weft_identity_encode(&id, false, &w);
	T_CHECK(!w.bad && w.len == WEFT_IDENTITY_BIN_PUBLIC_LEN);
	T_CHECK_MEM(buf, bin, WEFT_IDENTITY_BIN_PUBLIC_LEN);
	T_CHECK(vec_hex_into(c, "serialized_secret", bin, WEFT_IDENTITY_BIN_SECRET_LEN));
	wbuf_init(&w, buf, sizeof buf);
	weft_identity_encode(&id, true, &w);
	T_CHECK(!w.bad && w.len == WEFT_IDENTITY_BIN_SECRET_LEN);
	T_CHECK_MEM(buf, bin, WEFT_IDENTITY_BIN_SECRET_LEN);
	struct weft_identity back;
	struct weft_rbuf r;
	rbuf_init(&r, bin, WEFT_IDENTITY_BIN_SECRET_LEN);
	T_CHECK(weft_identity_decode(&back, &r) == WEFT_OK && rbuf_left(&r) == 0);
	T_CHECK(back.has_secret && weft_identity_equal_public(&back, &id));
	T_CHECK_MEM(back.sec, id.sec, 64);

	// the secret key really produces the public key (libsodium mapping of vl1.md §1.1)
	uint8_t x[32], edpk[32], edsk[64];
	crypto_scalarmult_base(x, id.sec);
	crypto_sign_seed_keypair(edpk, edsk, id.sec + 32);
	T_CHECK_MEM(x, id.pub, 32);
	T_CHECK_MEM(edpk, id.pub + 32, 32);

	bool want = vec_bool(c, "locally_validate");
	T_CHECK((weft_identity_validate(&id) == WEFT_OK) == want);

	if (json_object_get(c, "address_derivation_digest")) {
		uint8_t d[64], exp[64], sha[64];
		T_CHECK(vec_hex_into(c, "public_key_sha512", exp, 64));
		crypto_hash_sha512(sha, id.pub, 64);
		T_CHECK_MEM(sha, exp, 64);
		T_CHECK(vec_hex_into(c, "address_derivation_digest", exp, 64));
		T_CHECK(weft_identity_hash(id.pub, d, NULL) == WEFT_OK);
		T_CHECK_MEM(d, exp, 64);
	}
	weft_identity_clear(&id);
}

static void check_invalid(const json_t *c, size_t i)
{
	struct weft_identity id;
	const char *s = vec_str(c, "string");
	const char *why = NULL;
	t_case("identity invalid[%zu] %s", i, vec_str(c, "name"));
	enum weft_result r = weft_identity_from_string(&id, s, strlen(s), &why);
	bool parsed = r == WEFT_OK;
	T_CHECK_MSG(parsed == vec_bool(c, "from_string"), "parse gave %d (%s)", r, why ? why : "");
	if (!parsed) {
		T_CHECK(why != NULL);
		return;
	}
	bool valid = weft_identity_validate(&id) == WEFT_OK;
	T_CHECK(valid == vec_bool(c, "locally_validate"));
	T_CHECK(!valid); // every entry is invalid overall
}

int main(void)
{
	t_init("vectors/identity");
	weft_crypto_init();
	json_t *j = vec_load("identity.json");
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(j, "valid"), i, c)
		check_valid(c, i);
	json_array_foreach (json_object_get(j, "invalid"), i, c)
		check_invalid(c, i);
	json_decref(j);
	return t_done();
}
