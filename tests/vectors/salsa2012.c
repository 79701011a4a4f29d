// SPDX-License-Identifier: MPL-2.0
// salsa2012.json: Salsa20/12 keystream through weft_salsa2012_* (what packet armor uses) and
// Salsa20/20 through the libsodium call the identity hash uses.
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "salsa2012.h"
#include "t.h"
#include "vec.h"

static void check(const json_t *c, size_t i)
{
	uint8_t key[32], iv[8];
	size_t n = 0, plen = 0, clen = 0;
	long long rounds = vec_int(c, "rounds");
	t_case("salsa20/%lld[%zu] %lld bytes", rounds, i, vec_int(c, "length"));
	T_CHECK(vec_hex_into(c, "key", key, 32) && vec_hex_into(c, "iv", iv, 8));
	uint8_t *exp = vec_hex(c, "keystream", &n);
	T_CHECK(exp && n == (size_t)vec_int(c, "length"));
	if (!exp)
		return;
	uint8_t *ks = calloc(1, n + 1);
	if (rounds == 12) {
		weft_salsa2012_xor(ks, n, iv, 0, key);
		T_CHECK_MEM(ks, exp, n);
		if (n > 64) { // start mid-stream, as packet encryption does from block 1
			memset(ks, 0, n);
			weft_salsa2012_xor(ks, n - 64, iv, 1, key);
			T_CHECK_MEM(ks, exp + 64, n - 64);
		}
	} else {
		crypto_stream_salsa20_xor_ic(ks, ks, n, iv, 0, key);
		T_CHECK_MEM(ks, exp, n);
	}
	uint8_t *pt = vec_hex(c, "plaintext", &plen);
	uint8_t *ct = vec_hex(c, "ciphertext", &clen);
	if (pt && ct && plen == clen) {
		weft_salsa2012_xor(pt, plen, iv, 0, key);
		T_CHECK_MEM(pt, ct, plen);
	}
	free(pt);
	free(ct);
	free(ks);
	free(exp);
}

int main(void)
{
	t_init("vectors/salsa2012");
	weft_crypto_init();
	json_t *j = vec_load("salsa2012.json");
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(j, "cases"), i, c)
		check(c, i);
	json_decref(j);
	return t_done();
}
