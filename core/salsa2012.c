// SPDX-License-Identifier: MPL-2.0
// Salsa20/12 keystream over libsodium's Salsa20/12 core (the same core its stream API uses).
#include "salsa2012.h"

#include "buf.h"

#include <sodium.h>
#include <string.h>

void weft_salsa2012_block(uint8_t out[64], const uint8_t nonce[8], uint64_t block,
                          const uint8_t key[32])
{
	uint8_t in[16];
	memcpy(in, nonce, 8);
	store_le64(in + 8, block); // the block counter is little-endian
	crypto_core_salsa2012(out, in, key, NULL);
}

void weft_salsa2012_xor(uint8_t *p, size_t n, const uint8_t nonce[8], uint64_t block,
                        const uint8_t key[32])
{
	uint8_t ks[64];
	while (n) {
		size_t m = n < 64 ? n : 64;
		weft_salsa2012_block(ks, nonce, block++, key);
		weft_xor(p, ks, m);
		p += m;
		n -= m;
	}
	sodium_memzero(ks, sizeof ks);
}
