// SPDX-License-Identifier: MPL-2.0
// credentials.json: COM, tag, capability (and a two-link custody chain), revocation and COO —
// built from their fields, byte-exact serializations and signing messages, reproduced
// signatures, verification, every tampered copy, COO ownership and COM agreement.
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "crypto.h"
#include "inetaddr.h"
#include "t.h"
#include "vec.h"

// What the verifying member knows: the controller and itself.
static struct weft_identity controller, member, other;

static const struct weft_identity *lookup(void *ctx, uint64_t address)
{
	(void)ctx;
	if (address == controller.address)
		return &controller;
	if (address == member.address)
		return &member;
	return NULL;
}

static bool identity_field(const json_t *o, const char *key, struct weft_identity *id)
{
	const char *s = vec_str(o, key);
	return weft_identity_from_string(id, s, strlen(s), NULL) == WEFT_OK;
}

// Encodes with `enc` and compares against the hex field `key` of `o`.
#define CHECK_ENCODING(enc, obj, o, key)                                                           \
	do {                                                                                       \
		uint8_t buf_[WEFT_CAP_MAX_LEN];                                                    \
		struct weft_wbuf w_;                                                               \
		size_t n_ = 0;                                                                     \
		uint8_t *exp_ = vec_hex(o, key, &n_);                                              \
		wbuf_init(&w_, buf_, sizeof buf_);                                                 \
		enc(obj, &w_);                                                                     \
		T_CHECK_MSG(exp_ && !w_.bad && w_.len == n_, "%s: length %zu, expected %zu", key,  \
		            w_.len, n_);                                                           \
		if (exp_ && w_.len == n_)                                                          \
			T_CHECK_MEM(buf_, exp_, n_);                                               \
		free(exp_);                                                                        \
	} while (0)

// Decodes hex field `key` with `dec`; the whole input must be consumed.
#define DECODE_FIELD(dec, obj, o, key, ok)                                                         \
	do {                                                                                       \
		size_t n_ = 0;                                                                     \
		uint8_t *in_ = vec_hex(o, key, &n_);                                               \
		struct weft_rbuf r_;                                                               \
		rbuf_init(&r_, in_, n_);                                                           \
		ok = in_ && dec(obj, &r_) == WEFT_OK && rbuf_left(&r_) == 0;                       \
		free(in_);                                                                         \
	} while (0)

// Every proper prefix of hex field `key` is refused.
#define CHECK_TRUNCATIONS(dec, type, o, key)                                                       \
	do {                                                                                       \
		size_t n_ = 0;                                                                     \
		uint8_t *in_ = vec_hex(o, key, &n_);                                               \
		bool all_ = true;                                                                  \
		for (size_t k_ = 0; in_ && k_ < n_; k_++) {                                        \
			static type tmp_;                                                          \
			struct weft_rbuf r_;                                                       \
			rbuf_init(&r_, in_, k_);                                                   \
			if (dec(&tmp_, &r_) == WEFT_OK)                                            \
				all_ = false;                                                      \
		}                                                                                  \
		T_CHECK(all_);                                                                     \
		free(in_);                                                                         \
	} while (0)

// Tampered copies: each decodes and verifies to the listed result.
#define CHECK_TAMPERED(dec, verify, type, o, what)                                                 \
	do {                                                                                       \
		size_t i_;                                                                         \
		json_t *e_;                                                                        \
		json_array_foreach (json_object_get(o, "tampered"), i_, e_) {                      \
			static type tmp_;                                                          \
			bool ok_;                                                                  \
			t_case("%s tampered[%zu] %s", what, i_, vec_str(e_, "name"));              \
			DECODE_FIELD(dec, &tmp_, e_, "serialized", ok_);                           \
			T_CHECK(ok_);                                                              \
			int got_ = ok_ ? (int)verify(&tmp_, lookup, NULL) : 99;                    \
			T_CHECK_MSG(got_ == vec_int(e_, "verify"), "verify %d, expected %lld",     \
			            got_, vec_int(e_, "verify"));                                  \
		}                                                                                  \
	} while (0)

static void check_com(const json_t *j)
{
	const json_t *o = json_object_get(j, "certificate_of_membership");
	struct weft_identity holder;
	static struct weft_com com, back;
	uint8_t h[48], exp_h[48], sig[96];
	t_case("com");
	T_CHECK(identity_field(o, "issued_to_identity", &holder));
	T_CHECK(weft_com_identity_hash(&holder, h) == WEFT_OK);
	T_CHECK(vec_hex_into(o, "issued_to_identity_hash_sha384", exp_h, 48));
	T_CHECK_MEM(h, exp_h, 48);
	T_CHECK(weft_com_init(&com, vec_int(o, "timestamp"), (uint64_t)vec_int(o, "max_delta"),
	                      vec_u64hex(o, "network_id"), &holder) == WEFT_OK);
	size_t i;
	json_t *q;
	json_array_foreach (json_object_get(o, "qualifiers"), i, q) {
		T_CHECK(i < com.n_q && com.q[i].id == vec_u64hex(q, "id") &&
		        com.q[i].value == vec_u64hex(q, "value") &&
		        com.q[i].max_delta == vec_u64hex(q, "max_delta"));
	}
	CHECK_ENCODING(weft_com_encode_signing_message, &com, o, "signing_message");
	T_CHECK(weft_com_sign(&com, &controller) == WEFT_OK);
	T_CHECK(com.signed_by == vec_u64hex(o, "signed_by"));
	T_CHECK(vec_hex_into(o, "signature", sig, 96));
	T_CHECK_MEM(com.signature, sig, 96);
	CHECK_ENCODING(weft_com_encode, &com, o, "serialized");
	bool ok;
	DECODE_FIELD(weft_com_decode, &back, o, "serialized", ok);
	T_CHECK(ok && !memcmp(&back, &com, sizeof com));
	T_CHECK((int)weft_com_verify(&back, lookup, NULL) == vec_int(o, "verify"));
	T_CHECK(weft_com_verify(&back, weft_credential_lookup_one, &member) ==
	        WEFT_VERIFY_SIGNER_UNKNOWN);
	T_CHECK(weft_com_agrees(&back, &back, &holder));
	CHECK_TRUNCATIONS(weft_com_decode, struct weft_com, o, "serialized");
	CHECK_TAMPERED(weft_com_decode, weft_com_verify, struct weft_com, o, "com");
}

static void check_agreement(const json_t *j)
{
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(j, "com_agreement"), i, c) {
		static struct weft_com a, b;
		struct weft_identity holder;
		bool ok_a, ok_b;
		t_case("com_agreement[%zu] %s", i, vec_str(c, "name"));
		DECODE_FIELD(weft_com_decode, &a, c, "com_a", ok_a);
		DECODE_FIELD(weft_com_decode, &b, c, "com_b", ok_b);
		T_CHECK(ok_a && ok_b && identity_field(c, "b_holder_identity", &holder));
		T_CHECK(weft_com_agrees(&a, &b, &holder) == vec_bool(c, "a_agrees_with_b"));
		CHECK_ENCODING(weft_com_encode, &a, c, "com_a");
		CHECK_ENCODING(weft_com_encode, &b, c, "com_b");
	}
}

static void check_tag(const json_t *j)
{
	const json_t *o = json_object_get(j, "tag");
	struct weft_tag tag = {0}, back;
	uint8_t sig[96];
	t_case("tag");
	tag.nwid = vec_u64hex(o, "network_id");
	tag.timestamp = vec_int(o, "timestamp");
	tag.id = (uint32_t)vec_int(o, "id");
	tag.value = (uint32_t)vec_int(o, "value");
	tag.issued_to = vec_u64hex(o, "issued_to");
	tag.signed_by = vec_u64hex(o, "signed_by");
	CHECK_ENCODING(weft_tag_encode_signing_message, &tag, o, "signing_message");
	T_CHECK(weft_tag_sign(&tag, &controller) == WEFT_OK);
	T_CHECK(vec_hex_into(o, "signature", sig, 96));
	T_CHECK_MEM(tag.signature, sig, 96);
	CHECK_ENCODING(weft_tag_encode, &tag, o, "serialized");
	bool ok;
	DECODE_FIELD(weft_tag_decode, &back, o, "serialized", ok);
	T_CHECK(ok && !memcmp(&back, &tag, sizeof tag));
	T_CHECK((int)weft_tag_verify(&back, lookup, NULL) == vec_int(o, "verify"));
	T_CHECK(weft_tag_verify(&back, weft_credential_lookup_one, &controller) == WEFT_VERIFY_OK);
	CHECK_TRUNCATIONS(weft_tag_decode, struct weft_tag, o, "serialized");
	CHECK_TAMPERED(weft_tag_decode, weft_tag_verify, struct weft_tag, o, "tag");
}

// Fields of a capability up to its custody chain; rules from their binary forms.
static bool cap_from_fields(const json_t *o, struct weft_cap *cap)
{
	memset(cap, 0, sizeof *cap);
	cap->nwid = vec_u64hex(o, "network_id");
	cap->timestamp = vec_int(o, "timestamp");
	cap->id = (uint32_t)vec_int(o, "id");
	cap->max_custody = (uint8_t)vec_int(o, "max_custody_chain_length");
	bool ok = true;
	size_t i;
	json_t *rj;
	json_array_foreach (json_object_get(o, "rules"), i, rj) {
		size_t n = 0;
		uint8_t *bin = vec_hex(rj, "binary", &n);
		struct weft_rbuf r;
		rbuf_init(&r, bin, n);
		ok = ok && bin && i < WEFT_CAP_MAX_RULES &&
		     weft_rule_decode(&cap->rules[cap->n_rules++], &r) == WEFT_OK &&
		     rbuf_left(&r) == 0;
		free(bin);
	}
	return ok;
}

static void check_cap(const json_t *j, const char *which, bool chain)
{
	const json_t *o = json_object_get(j, which);
	static struct weft_cap cap, back;
	t_case("%s", which);
	T_CHECK(cap_from_fields(o, &cap));
	CHECK_ENCODING(weft_cap_encode_signing_message, &cap, o, "signing_message");
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(o, "custody"), i, c) {
		struct weft_identity signer = controller;
		if (chain)
			T_CHECK(identity_field(c, "signer_secret", &signer));
		T_CHECK(signer.address == vec_u64hex(c, "from"));
		T_CHECK(weft_cap_sign(&cap, &signer, vec_u64hex(c, "to")) == WEFT_OK);
		weft_identity_clear(&signer);
	}
	T_CHECK(weft_cap_issued_to(&cap) == vec_u64hex(o, "issued_to"));
	T_CHECK(weft_cap_sign(&cap, &member, 1) == WEFT_ERR_FULL); // chain at its maximum
	CHECK_ENCODING(weft_cap_encode, &cap, o, "serialized");
	bool ok;
	DECODE_FIELD(weft_cap_decode, &back, o, "serialized", ok);
	T_CHECK(ok && !memcmp(&back, &cap, sizeof cap));
	T_CHECK((int)weft_cap_verify(&back, lookup, NULL) == vec_int(o, "verify"));
	if (chain) // the second link's signer is unknown to a node knowing only the controller
		T_CHECK(weft_cap_verify(&back, weft_credential_lookup_one, &controller) ==
		        WEFT_VERIFY_SIGNER_UNKNOWN);
	CHECK_TRUNCATIONS(weft_cap_decode, struct weft_cap, o, "serialized");
	CHECK_TAMPERED(weft_cap_decode, weft_cap_verify, struct weft_cap, o, which);
}

static void check_revocation(const json_t *j)
{
	const json_t *o = json_object_get(j, "revocation");
	struct weft_revocation rev = {0}, back;
	t_case("revocation");
	rev.id = (uint32_t)vec_int(o, "id");
	rev.nwid = vec_u64hex(o, "network_id");
	rev.credential_id = (uint32_t)vec_int(o, "credential_id");
	rev.threshold = vec_int(o, "threshold");
	rev.flags = vec_u64hex(o, "flags");
	rev.target = vec_u64hex(o, "target");
	rev.type = (uint8_t)vec_int(o, "credential_type");
	rev.signed_by = vec_u64hex(o, "signed_by");
	CHECK_ENCODING(weft_revocation_encode_signing_message, &rev, o, "signing_message");
	T_CHECK(weft_revocation_sign(&rev, &controller) == WEFT_OK);
	CHECK_ENCODING(weft_revocation_encode, &rev, o, "serialized");
	bool ok;
	DECODE_FIELD(weft_revocation_decode, &back, o, "serialized", ok);
	T_CHECK(ok && !memcmp(&back, &rev, sizeof rev));
	T_CHECK((int)weft_revocation_verify(&back, lookup, NULL) == vec_int(o, "verify"));
	T_CHECK(weft_revocation_covers(&back, WEFT_CREDENTIAL_TAG, rev.credential_id, rev.target,
	                               rev.threshold));
	CHECK_TRUNCATIONS(weft_revocation_decode, struct weft_revocation, o, "serialized");
	CHECK_TAMPERED(weft_revocation_decode, weft_revocation_verify, struct weft_revocation, o,
	               "revocation");
}

// "10.147.17.5", "b2a6d40cc1b0" (a MAC), or "... as an IPv6 address ::ffff:10.147.17.5".
static bool owns_thing(const struct weft_coo *coo, const char *thing, bool *ok)
{
	const char *v6 = strstr(thing, "IPv6 address ");
	struct weft_inetaddr a;
	size_t len = 0;
	if (v6) {
		*ok = weft_inetaddr_from_string(&a, v6 + strlen("IPv6 address ")) &&
		      a.family == WEFT_INET_V6;
		return weft_coo_owns_ip(coo, &a);
	}
	if (strlen(thing) == 12 && !strchr(thing, '.')) {
		uint8_t *mac = t_unhex(thing, &len);
		*ok = mac && len == 6;
		bool r = *ok && weft_coo_owns_mac(coo, mac);
		free(mac);
		return r;
	}
	*ok = weft_inetaddr_from_string(&a, thing);
	return weft_coo_owns_ip(coo, &a);
}

static void check_coo(const json_t *j)
{
	const json_t *o = json_object_get(j, "certificate_of_ownership");
	static struct weft_coo coo, back;
	t_case("certificate_of_ownership");
	memset(&coo, 0, sizeof coo);
	coo.nwid = vec_u64hex(o, "network_id");
	coo.timestamp = vec_int(o, "timestamp");
	coo.id = (uint32_t)vec_int(o, "id");
	coo.issued_to = vec_u64hex(o, "issued_to");
	size_t i;
	json_t *th;
	json_array_foreach (json_object_get(o, "things"), i, th) {
		size_t n = 0;
		uint8_t *v = vec_hex(th, "value", &n);
		uint8_t type = (uint8_t)vec_int(th, "type");
		struct weft_inetaddr a = {0};
		if (type == WEFT_COO_THING_MAC && n == 6)
			T_CHECK(weft_coo_add_mac(&coo, v) == WEFT_OK);
		else if (type == WEFT_COO_THING_IPV4 && n == 4)
			weft_inetaddr_set_v4(&a, v, 0);
		else if (type == WEFT_COO_THING_IPV6 && n == 16)
			weft_inetaddr_set_v6(&a, v, 0);
		else
			T_CHECK_MSG(0, "thing %zu: type %u, %zu bytes", i, type, n);
		if (a.family)
			T_CHECK(weft_coo_add_ip(&coo, &a) == WEFT_OK);
		uint8_t pad[16];
		T_CHECK(vec_hex_into(th, "value_padded_16", pad, 16));
		T_CHECK_MEM(coo.things[i].value, pad, 16);
		free(v);
	}
	coo.signed_by = vec_u64hex(o, "signed_by");
	CHECK_ENCODING(weft_coo_encode_signing_message, &coo, o, "signing_message");
	T_CHECK(weft_coo_sign(&coo, &controller) == WEFT_OK);
	CHECK_ENCODING(weft_coo_encode, &coo, o, "serialized");
	bool ok;
	DECODE_FIELD(weft_coo_decode, &back, o, "serialized", ok);
	T_CHECK(ok && !memcmp(&back, &coo, sizeof coo));
	T_CHECK((int)weft_coo_verify(&back, lookup, NULL) == vec_int(o, "verify"));
	CHECK_TRUNCATIONS(weft_coo_decode, struct weft_coo, o, "serialized");
	json_t *w;
	json_array_foreach (json_object_get(o, "owns"), i, w) {
		t_case("certificate_of_ownership owns[%zu] %s", i, vec_str(w, "thing"));
		bool parsed = false;
		T_CHECK(owns_thing(&back, vec_str(w, "thing"), &parsed) == vec_bool(w, "result"));
		T_CHECK(parsed);
	}
	CHECK_TAMPERED(weft_coo_decode, weft_coo_verify, struct weft_coo, o, "coo");
}

int main(void)
{
	t_init("vectors/credentials");
	weft_crypto_init();
	json_t *j = vec_load("credentials.json");
	t_case("identities");
	T_CHECK(identity_field(j, "controller_secret", &controller) && controller.has_secret);
	T_CHECK(identity_field(j, "member_secret", &member) && member.has_secret);
	T_CHECK(identity_field(j, "other_signer_secret", &other) && other.has_secret);
	T_CHECK(weft_credential_controller(vec_u64hex(j, "network_id")) == controller.address);
	check_com(j);
	check_agreement(j);
	check_tag(j);
	check_cap(j, "capability", false);
	check_cap(j, "capability_custody_chain", true);
	check_revocation(j);
	check_coo(j);
	json_decref(j);
	weft_identity_clear(&controller);
	weft_identity_clear(&member);
	weft_identity_clear(&other);
	return t_done();
}
