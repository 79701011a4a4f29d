// SPDX-License-Identifier: MPL-2.0
// agree.json: the 48-byte peer key in both directions, and the suite-3 KBKDF outputs.
#include <string.h>

#include "cipher.h"
#include "crypto.h"
#include "identity.h"
#include "t.h"
#include "vec.h"

static bool parse(const json_t *c, const char *key, struct weft_identity *id)
{
	const char *s = vec_str(c, key);
	return weft_identity_from_string(id, s, strlen(s), NULL) == WEFT_OK;
}

static void check(const json_t *c, size_t i)
{
	struct weft_identity a, b, apub, bpub;
	uint8_t k1[48], k2[48], exp[48], kdf[48];
	t_case("agree[%zu]", i);
	T_CHECK(parse(c, "a_secret", &a) && parse(c, "b_secret", &b));
	T_CHECK(parse(c, "a_public", &apub) && parse(c, "b_public", &bpub));
	T_CHECK(vec_hex_into(c, "key", exp, 48));
	T_CHECK(weft_identity_agree(&a, &bpub, k1) == WEFT_OK);
	T_CHECK(weft_identity_agree(&b, &apub, k2) == WEFT_OK);
	T_CHECK_MEM(k1, exp, 48);
	T_CHECK_MEM(k2, exp, 48);
	T_CHECK(weft_identity_agree(&apub, &b, k1) == WEFT_ERR_NO_SECRET);

	T_CHECK(weft_cipher_kbkdf(exp, '0', kdf) == WEFT_OK);
	T_CHECK(vec_hex_into(c, "aes_gmac_siv_k0_kdf_output", k1, 48));
	T_CHECK_MEM(kdf, k1, 48);
	T_CHECK(weft_cipher_kbkdf(exp, '1', kdf) == WEFT_OK);
	T_CHECK(vec_hex_into(c, "aes_gmac_siv_k1_kdf_output", k1, 48));
	T_CHECK_MEM(kdf, k1, 48);
	weft_identity_clear(&a);
	weft_identity_clear(&b);
}

int main(void)
{
	t_init("vectors/agree");
	weft_crypto_init();
	json_t *j = vec_load("agree.json");
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(j, "cases"), i, c)
		check(c, i);
	json_decref(j);
	return t_done();
}
