// SPDX-License-Identifier: MPL-2.0
// Salsa20/12 keystream at any 64-byte block position. libsodium's salsa2012 stream API has no
// starting counter, and packets need keystream from block 1 on (vl1.md §4.2).
#ifndef WEFT_SALSA2012_H
#define WEFT_SALSA2012_H

#include <stddef.h>
#include <stdint.h>

// One keystream block (block counter `block`).
void weft_salsa2012_block(uint8_t out[64], const uint8_t nonce[8], uint64_t block,
                          const uint8_t key[32]);
// XORs p[0..n) with the keystream starting at block `block`, byte 0 of that block.
void weft_salsa2012_xor(uint8_t *p, size_t n, const uint8_t nonce[8], uint64_t block,
                        const uint8_t key[32]);

#endif
