// SPDX-License-Identifier: MPL-2.0
// Node identities (vl1.md §1, §2): X25519 + Ed25519 key pairs, the memory-hard address
// derivation, string and binary forms, key agreement and 96-byte signatures.
#ifndef WEFT_IDENTITY_H
#define WEFT_IDENTITY_H

#include "buf.h"
#include "weft/weft.h"

#define WEFT_IDENTITY_KEY_LEN        64  // public and secret keys alike
#define WEFT_IDENTITY_BIN_PUBLIC_LEN 71  // address, type, public key, secret length 0
#define WEFT_IDENTITY_BIN_SECRET_LEN 135 // ... secret length 64, secret key
#define WEFT_IDENTITY_STR_PUBLIC_LEN 141
#define WEFT_IDENTITY_STR_SECRET_LEN 270
#define WEFT_SIGNATURE_LEN           96 // Ed25519 signature (64) + SHA-512 prefix (32)
#define WEFT_IDENTITY_DIGEST_LEN     64

struct weft_identity {
	uint64_t address;                   // 40 bits
	uint8_t pub[WEFT_IDENTITY_KEY_LEN]; // X25519 public ‖ Ed25519 public
	uint8_t sec[WEFT_IDENTITY_KEY_LEN]; // X25519 secret ‖ Ed25519 seed; zero if absent
	bool has_secret;
};

bool weft_address_is_reserved(uint64_t address);

// The memory-hard digest of a public key (vl1.md §1.2). `scratch` holds
// WEFT_IDENTITY_HASH_MEMORY bytes, or is NULL to have one allocated for the call.
enum weft_result weft_identity_hash(const uint8_t pub[WEFT_IDENTITY_KEY_LEN],
                                    uint8_t digest[WEFT_IDENTITY_DIGEST_LEN], uint8_t *scratch);

// Makes a new identity with a valid, unreserved address. Takes ~15 hash evaluations.
enum weft_result weft_identity_generate(struct weft_identity *id, weft_random_fn rnd,
                                        void *rnd_ctx);

// Full local validation: address unreserved, digest[0] < 17, digest[59..64) == address.
// WEFT_OK, WEFT_ERR_BAD_IDENTITY, or WEFT_FATAL_OUT_OF_MEMORY.
enum weft_result weft_identity_validate(const struct weft_identity *id);

// Parses `address:0:public[:secret]`. Does not validate. On error `*why` (if given) names
// the problem and `id` is untouched.
enum weft_result weft_identity_from_string(struct weft_identity *id, const char *s, size_t len,
                                           const char **why);
// Writes the public (141 chars) or secret (270 chars) form and a NUL; returns the length
// written, or 0 if `cap` is too small or a secret was asked of a public identity.
size_t weft_identity_to_string(const struct weft_identity *id, bool with_secret, char *out,
                               size_t cap);

// Binary form (vl1.md §1.6).
void weft_identity_encode(const struct weft_identity *id, bool with_secret, struct weft_wbuf *w);
enum weft_result weft_identity_decode(struct weft_identity *id, struct weft_rbuf *r);

// 48-byte symmetric key shared by `me` (needs its secret) and `them` (vl1.md §2.1).
enum weft_result weft_identity_agree(const struct weft_identity *me,
                                     const struct weft_identity *them, uint8_t key[48]);

// 96-byte signature (vl1.md §2.2).
enum weft_result weft_identity_sign(const struct weft_identity *id, const void *msg, size_t len,
                                    uint8_t sig[WEFT_SIGNATURE_LEN]);
bool weft_identity_verify(const struct weft_identity *id, const void *msg, size_t len,
                          const uint8_t *sig, size_t sig_len);

// True if the secret key derives exactly the public key held.
bool weft_identity_secret_matches(const struct weft_identity *id);

bool weft_identity_equal_public(const struct weft_identity *a, const struct weft_identity *b);

// Wipes the secret key.
void weft_identity_clear(struct weft_identity *id);

#endif
