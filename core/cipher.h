// SPDX-License-Identifier: MPL-2.0
// A peer's symmetric key and what is derived from it once: the AES-GMAC-SIV keys of suite 3
// (vl1.md §2.3) with their expanded AES contexts, so the data path sets up nothing per packet.
#ifndef WEFT_CIPHER_H
#define WEFT_CIPHER_H

#include "weft/weft.h"

#define WEFT_CIPHER_KEY_LEN 48

struct weft_aes_siv; // AES contexts, owned by the key (opaque: they live in OpenSSL)

struct weft_cipher_key {
	uint8_t key[WEFT_CIPHER_KEY_LEN];
	struct weft_aes_siv *siv; // NULL until the first suite-3 use
};

// Takes a copy of the 48-byte key. Suite-3 state is derived lazily.
void weft_cipher_key_init(struct weft_cipher_key *k, const uint8_t key[WEFT_CIPHER_KEY_LEN]);
// Derives the suite-3 contexts now if not yet done.
enum weft_result weft_cipher_key_prepare_siv(struct weft_cipher_key *k);
// Wipes the key and frees the contexts.
void weft_cipher_key_clear(struct weft_cipher_key *k);

// HMAC-SHA-384 KBKDF of vl1.md §2.3; label is '0' (K0) or '1' (K1). Output 48 bytes.
enum weft_result weft_cipher_kbkdf(const uint8_t key[WEFT_CIPHER_KEY_LEN], char label,
                                   uint8_t out[48]);

// AES-GMAC-SIV over packet bytes (vl1.md §4.3). `pkt` is a whole packet of `len` >= 28 bytes
// whose flags byte is final. Encrypt replaces the packet ID and MAC with the SIV.
enum weft_result weft_aes_siv_encrypt(struct weft_aes_siv *s, uint8_t *pkt, size_t len);
// Decrypts in place; on failure the packet is restored byte for byte and WEFT_ERR_AUTH returned.
enum weft_result weft_aes_siv_decrypt(struct weft_aes_siv *s, uint8_t *pkt, size_t len);

#endif
