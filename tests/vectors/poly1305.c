// SPDX-License-Identifier: MPL-2.0
// poly1305.json: the one-time authenticator packets use (libsodium's Poly1305).
#include <sodium.h>
#include <stdlib.h>

#include "crypto.h"
#include "t.h"
#include "vec.h"

static void check(const json_t *c, size_t i)
{
	uint8_t key[32], exp[16], tag[16];
	size_t n = 0;
	t_case("poly1305[%zu] %lld bytes", i, vec_int(c, "message_length"));
	T_CHECK(vec_hex_into(c, "key", key, 32) && vec_hex_into(c, "tag", exp, 16));
	uint8_t *m = vec_hex(c, "message", &n);
	T_CHECK(m && n == (size_t)vec_int(c, "message_length"));
	crypto_onetimeauth_poly1305(tag, m, n, key);
	T_CHECK_MEM(tag, exp, 16);
	T_CHECK(crypto_onetimeauth_poly1305_verify(exp, m, n, key) == 0);
	free(m);
}

int main(void)
{
	t_init("vectors/poly1305");
	weft_crypto_init();
	json_t *j = vec_load("poly1305.json");
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(j, "cases"), i, c)
		check(c, i);
	json_decref(j);
	return t_done();
}
