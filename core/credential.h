// SPDX-License-Identifier: MPL-2.0
// Network credentials (vl2.md §5, vl1.md Appendix C): certificate of membership, tag,
// capability, certificate of ownership and revocation — wire forms, signing messages, signing
// and verification. Decoders are strict: they accept exactly what they can re-encode byte for
// byte (signature records of type 1 and length 96, extension length 0, reserved fields 0).
#ifndef WEFT_CREDENTIAL_H
#define WEFT_CREDENTIAL_H

#include "buf.h"
#include "identity.h"
#include "weft/rules.h"
#include "weft/weft.h"

// Credential type numbers, as revocations carry them (vl2.md §5.1).
enum weft_credential_type {
	WEFT_CREDENTIAL_NULL = 0,
	WEFT_CREDENTIAL_COM = 1,
	WEFT_CREDENTIAL_CAPABILITY = 2,
	WEFT_CREDENTIAL_TAG = 3,
	WEFT_CREDENTIAL_COO = 4,
	WEFT_CREDENTIAL_REVOCATION = 6,
};

// Verification outcome; the numbers are those of the reference and of credentials.json.
enum weft_verify {
	WEFT_VERIFY_OK = 0,
	WEFT_VERIFY_BAD = -1,
	WEFT_VERIFY_SIGNER_UNKNOWN = 1, // the caller should WHOIS the signer and retry
};

// Finds a node's identity by address, or NULL if unknown. The result is borrowed for the call.
typedef const struct weft_identity *(*weft_identity_lookup_fn)(void *ctx, uint64_t address);
// A lookup over exactly one identity: ctx is a `const struct weft_identity *`.
const struct weft_identity *weft_credential_lookup_one(void *ctx, uint64_t address);

// The network's controller: the top 40 bits of the network ID.
static inline uint64_t weft_credential_controller(uint64_t nwid)
{
	return nwid >> 24;
}

#define WEFT_SIG_RECORD_LEN (1 + 2 + WEFT_SIGNATURE_LEN)

// ---- Certificate of membership (vl2.md §5.2) ----------------------------------------------

#define WEFT_COM_MAX_QUALIFIERS 8
#define WEFT_COM_MAX_LEN        (1 + 2 + 24 * WEFT_COM_MAX_QUALIFIERS + 5 + WEFT_SIGNATURE_LEN)
#define WEFT_COM_SIGNING_MAX    (24 * WEFT_COM_MAX_QUALIFIERS)

enum weft_com_qualifier_id {
	WEFT_COM_Q_TIMESTAMP = 0,
	WEFT_COM_Q_NETWORK_ID = 1,
	WEFT_COM_Q_ISSUED_TO = 2,
	WEFT_COM_Q_HASH_FIRST = 3, // 3..6: the identity hash's first 32 bytes, four words
	WEFT_COM_Q_HASH_LAST = 6,
};

struct weft_com_qualifier {
	uint64_t id, value, max_delta;
};

struct weft_com {
	struct weft_com_qualifier q[WEFT_COM_MAX_QUALIFIERS]; // ids non-decreasing
	unsigned n_q;
	uint64_t signed_by; // 0 = unsigned, no signature on the wire
	uint8_t signature[WEFT_SIGNATURE_LEN];
};

// SHA-384(address (5) ‖ public key (64)).
enum weft_result weft_com_identity_hash(const struct weft_identity *id, uint8_t hash[48]);
// The seven qualifiers a 1.14 controller issues; unsigned.
enum weft_result weft_com_init(struct weft_com *com, int64_t timestamp_ms, uint64_t max_delta_ms,
                               uint64_t nwid, const struct weft_identity *member);
// Value of qualifier `id`, or 0 if absent.
uint64_t weft_com_value(const struct weft_com *com, uint64_t id);
enum weft_result weft_com_decode(struct weft_com *com, struct weft_rbuf *r);
void weft_com_encode(const struct weft_com *com, struct weft_wbuf *w);
void weft_com_encode_signing_message(const struct weft_com *com, struct weft_wbuf *w);
enum weft_result weft_com_sign(struct weft_com *com, const struct weft_identity *signer);
enum weft_verify weft_com_verify(const struct weft_com *com, weft_identity_lookup_fn lookup,
                                 void *ctx);
// mine.agreesWith(theirs): is `theirs`, presented by `their_identity`, compatible with my COM.
bool weft_com_agrees(const struct weft_com *mine, const struct weft_com *theirs,
                     const struct weft_identity *their_identity);
// The same with the presenter's identity hash (weft_com_identity_hash, at least its first 32
// bytes) given, or NULL when the presenter is unknown: the per-frame form, the hash kept.
bool weft_com_agrees_hashed(const struct weft_com *mine, const struct weft_com *theirs,
                            const uint8_t *their_hash);

// ---- Tag (vl2.md §5.4) --------------------------------------------------------------------

#define WEFT_TAG_LEN         (8 + 8 + 4 + 4 + 5 + 5 + WEFT_SIG_RECORD_LEN + 2)
#define WEFT_TAG_SIGNING_LEN (8 + 8 + 8 + 4 + 4 + 5 + 5 + 2 + 8)

struct weft_tag {
	uint64_t nwid;
	int64_t timestamp;
	uint32_t id, value;
	uint64_t issued_to, signed_by;
	uint8_t signature[WEFT_SIGNATURE_LEN];
};

enum weft_result weft_tag_decode(struct weft_tag *tag, struct weft_rbuf *r);
void weft_tag_encode(const struct weft_tag *tag, struct weft_wbuf *w);
void weft_tag_encode_signing_message(const struct weft_tag *tag, struct weft_wbuf *w);
enum weft_result weft_tag_sign(struct weft_tag *tag, const struct weft_identity *signer);
enum weft_verify weft_tag_verify(const struct weft_tag *tag, weft_identity_lookup_fn lookup,
                                 void *ctx);

// ---- Capability (vl2.md §5.3) -------------------------------------------------------------

#define WEFT_CAP_MAX_RULES     WEFT_RULES_MAX_CAP
#define WEFT_CAP_MAX_CUSTODY   7
#define WEFT_CAP_CUSTODY_LEN   (5 + 5 + WEFT_SIG_RECORD_LEN)
#define WEFT_CAP_RULES_MAX_LEN (WEFT_CAP_MAX_RULES * WEFT_RULE_MAX_LEN)
#define WEFT_CAP_MAX_LEN                                                                           \
	(8 + 8 + 4 + 2 + WEFT_CAP_RULES_MAX_LEN + 1 +                                              \
	 WEFT_CAP_MAX_CUSTODY * WEFT_CAP_CUSTODY_LEN + 5 + 2)
#define WEFT_CAP_SIGNING_MAX (8 + 8 + 8 + 4 + 2 + WEFT_CAP_RULES_MAX_LEN + 1 + 2 + 8)

struct weft_cap_custody {
	uint64_t to, from;
	uint8_t signature[WEFT_SIGNATURE_LEN];
};

struct weft_cap {
	uint64_t nwid;
	int64_t timestamp;
	uint32_t id;
	struct weft_rule rules[WEFT_CAP_MAX_RULES];
	unsigned n_rules;
	uint8_t max_custody; // 1..WEFT_CAP_MAX_CUSTODY
	struct weft_cap_custody custody[WEFT_CAP_MAX_CUSTODY];
	unsigned n_custody; // entries with a non-zero `to`, at most max_custody
};

enum weft_result weft_cap_decode(struct weft_cap *cap, struct weft_rbuf *r);
void weft_cap_encode(const struct weft_cap *cap, struct weft_wbuf *w);
void weft_cap_encode_signing_message(const struct weft_cap *cap, struct weft_wbuf *w);
// The current holder: `to` of the last custody entry, 0 if none.
uint64_t weft_cap_issued_to(const struct weft_cap *cap);
// Appends a custody entry from `signer` to `to` and signs it. The first signer must be the
// controller, later ones the current holder. WEFT_ERR_FULL when the chain is at its maximum.
enum weft_result weft_cap_sign(struct weft_cap *cap, const struct weft_identity *signer,
                               uint64_t to);
// Walks the whole custody chain.
enum weft_verify weft_cap_verify(const struct weft_cap *cap, weft_identity_lookup_fn lookup,
                                 void *ctx);

// ---- Certificate of ownership (vl2.md §5.5) -----------------------------------------------

#define WEFT_COO_MAX_THINGS 16
#define WEFT_COO_THING_LEN  16
#define WEFT_COO_MAX_LEN                                                                           \
	(8 + 8 + 8 + 4 + 2 + 17 * WEFT_COO_MAX_THINGS + 5 + 5 + WEFT_SIG_RECORD_LEN + 2)
#define WEFT_COO_SIGNING_MAX (8 + 8 + 8 + 8 + 4 + 2 + 17 * WEFT_COO_MAX_THINGS + 5 + 5 + 2 + 8)

enum weft_coo_thing_type {
	WEFT_COO_THING_NULL = 0,
	WEFT_COO_THING_MAC = 1,  // 6 bytes, zero padded
	WEFT_COO_THING_IPV4 = 2, // 4 bytes, zero padded
	WEFT_COO_THING_IPV6 = 3, // 16 bytes
};

struct weft_coo_thing {
	uint8_t type;
	uint8_t value[WEFT_COO_THING_LEN]; // as on the wire, padding included
};

struct weft_coo {
	uint64_t nwid;
	int64_t timestamp;
	uint64_t flags;
	uint32_t id;
	struct weft_coo_thing things[WEFT_COO_MAX_THINGS];
	unsigned n_things;
	uint64_t issued_to, signed_by;
	uint8_t signature[WEFT_SIGNATURE_LEN];
};

enum weft_result weft_coo_decode(struct weft_coo *coo, struct weft_rbuf *r);
void weft_coo_encode(const struct weft_coo *coo, struct weft_wbuf *w);
void weft_coo_encode_signing_message(const struct weft_coo *coo, struct weft_wbuf *w);
enum weft_result weft_coo_sign(struct weft_coo *coo, const struct weft_identity *signer);
enum weft_verify weft_coo_verify(const struct weft_coo *coo, weft_identity_lookup_fn lookup,
                                 void *ctx);
// Adds an IPv4/IPv6 address or a MAC; WEFT_ERR_FULL past WEFT_COO_MAX_THINGS.
enum weft_result weft_coo_add_ip(struct weft_coo *coo, const struct weft_inetaddr *ip);
enum weft_result weft_coo_add_mac(struct weft_coo *coo, const uint8_t mac[6]);
// Exact match of the address bytes (no prefixes); an IPv4 address is not an IPv6 thing.
bool weft_coo_owns_ip(const struct weft_coo *coo, const struct weft_inetaddr *ip);
bool weft_coo_owns_mac(const struct weft_coo *coo, const uint8_t mac[6]);

// ---- Revocation (vl2.md §5.6) -------------------------------------------------------------

#define WEFT_REVOCATION_LEN            (4 + 4 + 8 + 4 + 4 + 8 + 8 + 5 + 5 + 1 + WEFT_SIG_RECORD_LEN + 2)
#define WEFT_REVOCATION_SIGNING_LEN    (8 + 4 + 4 + 8 + 4 + 4 + 8 + 8 + 5 + 5 + 1 + 2 + 8)
#define WEFT_REVOCATION_FAST_PROPAGATE 0x1ULL

struct weft_revocation {
	uint32_t id;
	uint64_t nwid;
	uint32_t credential_id; // 0 for a COM
	int64_t threshold;      // credentials with timestamp <= threshold are revoked
	uint64_t flags;
	uint64_t target;
	uint64_t signed_by;
	uint8_t type; // enum weft_credential_type of the revoked credential
	uint8_t signature[WEFT_SIGNATURE_LEN];
};

enum weft_result weft_revocation_decode(struct weft_revocation *rev, struct weft_rbuf *r);
void weft_revocation_encode(const struct weft_revocation *rev, struct weft_wbuf *w);
void weft_revocation_encode_signing_message(const struct weft_revocation *rev, struct weft_wbuf *w);
enum weft_result weft_revocation_sign(struct weft_revocation *rev,
                                      const struct weft_identity *signer);
enum weft_verify weft_revocation_verify(const struct weft_revocation *rev,
                                        weft_identity_lookup_fn lookup, void *ctx);
// Does `rev` revoke the credential of `type` and `credential_id` held by `holder` with
// `timestamp`? Only COM, capability, tag and COO can be revoked; a COM's ID is always 0.
bool weft_revocation_covers(const struct weft_revocation *rev, enum weft_credential_type type,
                            uint32_t credential_id, uint64_t holder, int64_t timestamp);

// ---- Shared pieces (credential.c) ---------------------------------------------------------

// `7f` × 8, the marker around signed forms.
void weft_credential_marker(struct weft_wbuf *w);
// Signature record: type 1 ‖ length 96 ‖ signature. Decode refuses any other type or length.
void weft_credential_sig_encode(const uint8_t sig[WEFT_SIGNATURE_LEN], struct weft_wbuf *w);
bool weft_credential_sig_decode(uint8_t sig[WEFT_SIGNATURE_LEN], struct weft_rbuf *r);
// The trailing extension length: written 0; decode refuses anything else.
bool weft_credential_ext_decode(struct weft_rbuf *r);
// Signs msg[0..len) with `signer` (needs its secret).
enum weft_result weft_credential_sign(const struct weft_identity *signer,
                                      const struct weft_wbuf *msg, uint8_t sig[WEFT_SIGNATURE_LEN]);
// The common check of a controller-signed credential: signer non-zero and the network's
// controller, known through `lookup`, and its signature good over msg.
enum weft_verify weft_credential_verify(uint64_t nwid, uint64_t signed_by,
                                        const struct weft_wbuf *msg,
                                        const uint8_t sig[WEFT_SIGNATURE_LEN],
                                        weft_identity_lookup_fn lookup, void *ctx);

#endif
