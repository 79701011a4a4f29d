// SPDX-License-Identifier: MPL-2.0
// sign.json: 96-byte signatures made byte-identical to the reference, and rejected when the
// message, the Ed25519 part or the digest copy is tampered with.
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "identity.h"
#include "t.h"
#include "vec.h"

static void check(const json_t *c, size_t i)
{
	struct weft_identity sec, pub;
	const char *s = vec_str(c, "secret"), *p = vec_str(c, "public");
	size_t mlen = 0, tlen = 0, n = 0;
	uint8_t sig[WEFT_SIGNATURE_LEN], exp[WEFT_SIGNATURE_LEN], bad[WEFT_SIGNATURE_LEN];
	t_case("sign[%zu] %lld-byte message", i, vec_int(c, "message_length"));
	T_CHECK(weft_identity_from_string(&sec, s, strlen(s), NULL) == WEFT_OK);
	T_CHECK(weft_identity_from_string(&pub, p, strlen(p), NULL) == WEFT_OK);
	uint8_t *msg = vec_hex(c, "message", &mlen);
	uint8_t *tmsg = vec_hex(c, "tampered_message", &tlen);
	T_CHECK(msg && tmsg && mlen == (size_t)vec_int(c, "message_length"));
	T_CHECK(vec_hex_into(c, "signature", exp, sizeof exp));
	T_CHECK(weft_identity_sign(&sec, msg, mlen, sig) == WEFT_OK);
	T_CHECK_MEM(sig, exp, sizeof sig);
	T_CHECK(weft_identity_sign(&pub, msg, mlen, sig) == WEFT_ERR_NO_SECRET);
	T_CHECK(weft_identity_verify(&pub, msg, mlen, exp, sizeof exp) == vec_bool(c, "verify"));
	T_CHECK(weft_identity_verify(&pub, tmsg, tlen, exp, sizeof exp) ==
	        vec_bool(c, "verify_tampered_message"));
	T_CHECK(vec_hex_into(c, "tampered_signature", bad, sizeof bad));
	T_CHECK(weft_identity_verify(&pub, msg, mlen, bad, sizeof bad) ==
	        vec_bool(c, "verify_tampered_signature"));
	T_CHECK(vec_hex_into(c, "tampered_signature_digest_part", bad, sizeof bad));
	T_CHECK(weft_identity_verify(&pub, msg, mlen, bad, sizeof bad) ==
	        vec_bool(c, "verify_tampered_signature_digest_part"));
	uint8_t *d = vec_hex(c, "message_sha512_first32", &n);
	T_CHECK(d && n == 32);
	if (d && n == 32)
		T_CHECK_MEM(exp + 64, d, 32);
	free(d);
	free(msg);
	free(tmsg);
	weft_identity_clear(&sec);
}

int main(void)
{
	t_init("vectors/sign");
	weft_crypto_init();
	json_t *j = vec_load("sign.json");
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(j, "cases"), i, c)
		check(c, i);
	json_decref(j);
	return t_done();
}
