// SPDX-License-Identifier: MPL-2.0
// Worlds: the signed root lists called planet and moons (vl1.md §7): binary form, signing,
// and the rule that decides whether a received revision replaces the held one.
#ifndef WEFT_WORLD_H
#define WEFT_WORLD_H

#include "identity.h"
#include "inetaddr.h"

#define WEFT_WORLD_MAX_ROOTS     4
#define WEFT_WORLD_MAX_ENDPOINTS 32
#define WEFT_WORLD_MAX_LEN       8480
#define WEFT_WORLD_ID_EARTH      149604618ULL

enum weft_world_type {
	WEFT_WORLD_NULL = 0,
	WEFT_WORLD_PLANET = 1,
	WEFT_WORLD_MOON = 127,
};

struct weft_world_root {
	struct weft_identity identity; // public only
	unsigned n_endpoints;
	struct weft_inetaddr endpoints[WEFT_WORLD_MAX_ENDPOINTS];
};

struct weft_world {
	uint8_t type; // enum weft_world_type
	uint64_t id;
	uint64_t timestamp;
	uint8_t update_key[WEFT_IDENTITY_KEY_LEN]; // must sign the next revision
	uint8_t signature[WEFT_SIGNATURE_LEN];
	unsigned n_roots;
	struct weft_world_root roots[WEFT_WORLD_MAX_ROOTS];
};

// Serialized form as distributed (with signature). Moons end with an empty dictionary field.
void weft_world_encode(const struct weft_world *w, struct weft_wbuf *out);
// The bytes that are signed: 8×7f, the world without signature, 8×f7.
void weft_world_encode_signing_message(const struct weft_world *w, struct weft_wbuf *out);
// Parses one world; the reader is left after it. WEFT_ERR_INVALID on a malformed world.
enum weft_result weft_world_decode(struct weft_world *w, struct weft_rbuf *r);

// Signs with a key pair given as 64-byte public and secret keys (identity key layout).
enum weft_result weft_world_sign(struct weft_world *w, const uint8_t pub[64],
                                 const uint8_t sec[64]);
// Verifies w's signature against a 64-byte public key.
bool weft_world_verify(const struct weft_world *w, const uint8_t key[64]);

// vl1.md §7.3: same type and ID, newer timestamp, signed by held->update_key.
bool weft_world_should_replace(const struct weft_world *held, const struct weft_world *update);

bool weft_world_has_root(const struct weft_world *w, uint64_t address);

#endif
