// SPDX-License-Identifier: MPL-2.0
// Credential edge cases the vectors do not reach: truncated and overlong inputs of every type,
// wrong and unknown signers, custody chains at and past their maximum, and revocations that
// name the wrong credential type.
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "crypto.h"
#include "inetaddr.h"
#include "t.h"

static struct weft_identity ctl, alice, bob; // ctl is the network's controller
static uint64_t nwid;

static void rnd(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

// Knows ctl, alice and bob; `liar` answers for ctl with bob's keys.
static const struct weft_identity *lookup(void *ctx, uint64_t address)
{
	static struct weft_identity liar;
	if (ctx && address == ctl.address) {
		liar = bob;
		liar.address = ctl.address;
		return &liar;
	}
	if (address == ctl.address)
		return &ctl;
	if (address == alice.address)
		return &alice;
	if (address == bob.address)
		return &bob;
	return NULL;
}

typedef enum weft_result (*decode_fn)(void *obj, struct weft_rbuf *r);

// Every proper prefix is refused; the full form decodes and consumes exactly its length even
// with trailing bytes after it.
static void check_lengths(const char *what, decode_fn dec, void *obj, const uint8_t *p, size_t n)
{
	uint8_t longer[WEFT_CAP_MAX_LEN + 8];
	struct weft_rbuf r;
	bool all = true;
	for (size_t k = 0; k < n; k++) {
		rbuf_init(&r, p, k);
		if (dec(obj, &r) == WEFT_OK || !r.bad)
			all = false;
	}
	T_CHECK_MSG(all, "%s: a truncation decoded", what);
	memcpy(longer, p, n);
	memset(longer + n, 0xee, 8);
	rbuf_init(&r, longer, n + 8);
	T_CHECK(dec(obj, &r) == WEFT_OK && r.pos == n);
}

static enum weft_result dec_tag(void *o, struct weft_rbuf *r)
{
	return weft_tag_decode(o, r);
}
static enum weft_result dec_com(void *o, struct weft_rbuf *r)
{
	return weft_com_decode(o, r);
}
static enum weft_result dec_cap(void *o, struct weft_rbuf *r)
{
	return weft_cap_decode(o, r);
}
static enum weft_result dec_coo(void *o, struct weft_rbuf *r)
{
	return weft_coo_decode(o, r);
}
static enum weft_result dec_rev(void *o, struct weft_rbuf *r)
{
	return weft_revocation_decode(o, r);
}

static bool decodes(decode_fn dec, void *obj, const uint8_t *p, size_t n)
{
	struct weft_rbuf r;
	rbuf_init(&r, p, n);
	return dec(obj, &r) == WEFT_OK;
}

static void test_tag(void)
{
	struct weft_tag tag = {.nwid = nwid, .timestamp = 1000, .id = 7, .value = 9}, back;
	uint8_t buf[WEFT_TAG_LEN];
	struct weft_wbuf w;
	t_case("tag: truncated, overlong, bad signature records");
	tag.issued_to = alice.address;
	T_CHECK(weft_tag_sign(&tag, &ctl) == WEFT_OK);
	wbuf_init(&w, buf, sizeof buf);
	weft_tag_encode(&tag, &w);
	T_CHECK(!w.bad && w.len == WEFT_TAG_LEN);
	check_lengths("tag", dec_tag, &back, buf, w.len);
	T_CHECK(weft_tag_verify(&back, lookup, NULL) == WEFT_VERIFY_OK);
	const size_t sig_at = 8 + 8 + 4 + 4 + 5 + 5;
	buf[sig_at] = 2; // signature record of another type
	T_CHECK(!decodes(dec_tag, &back, buf, w.len));
	buf[sig_at] = 1;
	buf[sig_at + 2] = 95; // type 1 but not 96 bytes
	T_CHECK(!decodes(dec_tag, &back, buf, w.len));
	buf[sig_at + 2] = 96;
	buf[w.len - 1] = 1; // extension bytes announced
	T_CHECK(!decodes(dec_tag, &back, buf, w.len));

	t_case("tag: wrong and unknown signers");
	struct weft_tag t2 = tag;
	T_CHECK(weft_tag_sign(&t2, &alice) == WEFT_OK); // a member signs: never the controller
	T_CHECK(weft_tag_verify(&t2, lookup, NULL) == WEFT_VERIFY_BAD);
	t2 = tag;
	t2.signed_by = 0;
	T_CHECK(weft_tag_verify(&t2, lookup, NULL) == WEFT_VERIFY_BAD);
	T_CHECK(weft_tag_verify(&tag, weft_credential_lookup_one, &alice) ==
	        WEFT_VERIFY_SIGNER_UNKNOWN);
	T_CHECK(weft_tag_verify(&tag, NULL, NULL) == WEFT_VERIFY_SIGNER_UNKNOWN);
	T_CHECK(weft_tag_verify(&tag, lookup, &ctl) == WEFT_VERIFY_BAD); // keys not the signer's
	t2 = tag;
	t2.value++;
	T_CHECK(weft_tag_verify(&t2, lookup, NULL) == WEFT_VERIFY_BAD);
	struct weft_identity pub = alice;
	pub.has_secret = false;
	T_CHECK(weft_tag_sign(&t2, &pub) == WEFT_ERR_NO_SECRET);
}

static void test_com(void)
{
	static struct weft_com com, back;
	uint8_t buf[WEFT_COM_MAX_LEN + 24];
	struct weft_wbuf w;
	t_case("com: truncated, too many qualifiers, ids out of order, unsigned");
	T_CHECK(weft_com_init(&com, 5000, 1000, nwid, &alice) == WEFT_OK);
	T_CHECK(weft_com_sign(&com, &ctl) == WEFT_OK);
	wbuf_init(&w, buf, sizeof buf);
	weft_com_encode(&com, &w);
	T_CHECK(!w.bad && w.len == 1 + 2 + 7 * 24 + 5 + 96);
	check_lengths("com", dec_com, &back, buf, w.len);
	T_CHECK(weft_com_verify(&back, lookup, NULL) == WEFT_VERIFY_OK);
	T_CHECK(weft_com_agrees(&back, &com, &alice) && !weft_com_agrees(&back, &com, &bob));
	buf[0] = 2;
	T_CHECK(!decodes(dec_com, &back, buf, w.len));
	buf[0] = 1;
	buf[2] = 9; // nine qualifiers
	T_CHECK(!decodes(dec_com, &back, buf, sizeof buf));
	buf[2] = 7;
	buf[3 + 24 + 7] = 0; // qualifier 1's id becomes 0, equal to its predecessor: allowed
	T_CHECK(decodes(dec_com, &back, buf, w.len));
	buf[3 + 7] = 5; // qualifier 0's id 5 > qualifier 1's id 0
	T_CHECK(!decodes(dec_com, &back, buf, w.len));

	struct weft_com bare = com;
	bare.signed_by = 0;
	wbuf_init(&w, buf, sizeof buf);
	weft_com_encode(&bare, &w);
	T_CHECK(w.len == 1 + 2 + 7 * 24 + 5);
	T_CHECK(decodes(dec_com, &back, buf, w.len) && back.signed_by == 0);
	T_CHECK(weft_com_verify(&back, lookup, NULL) == WEFT_VERIFY_BAD);

	t_case("com: wrong signer, empty certificates never agree");
	bare = com;
	T_CHECK(weft_com_sign(&bare, &bob) == WEFT_OK);
	T_CHECK(weft_com_verify(&bare, lookup, NULL) == WEFT_VERIFY_BAD);
	bare = com;
	bare.n_q = 0;
	T_CHECK(!weft_com_agrees(&bare, &com, &alice) && !weft_com_agrees(&com, &bare, &alice));
}

static size_t encode_cap(const struct weft_cap *cap, uint8_t *buf, size_t cap_len)
{
	struct weft_wbuf w;
	wbuf_init(&w, buf, cap_len);
	weft_cap_encode(cap, &w);
	return w.bad ? 0 : w.len;
}

static void cap_base(struct weft_cap *cap, uint8_t max_custody)
{
	memset(cap, 0, sizeof *cap);
	cap->nwid = nwid;
	cap->timestamp = 42;
	cap->id = 3;
	cap->max_custody = max_custody;
	weft_rule_init(&cap->rules[0], WEFT_RULE_MATCH_ETHERTYPE, true, false);
	cap->rules[0].v.ethertype = 0x0800;
	weft_rule_init(&cap->rules[1], WEFT_RULE_ACTION_DROP, false, false);
	cap->n_rules = 2;
}

static void test_cap_decode(void)
{
	static struct weft_cap cap, back;
	static uint8_t buf[WEFT_CAP_MAX_LEN + 8];
	t_case("capability: truncated, overlong, bad counts");
	cap_base(&cap, 2);
	T_CHECK(weft_cap_sign(&cap, &ctl, alice.address) == WEFT_OK);
	size_t n = encode_cap(&cap, buf, sizeof buf);
	T_CHECK(n == 8 + 8 + 4 + 2 + 4 + 2 + 1 + 109 + 5 + 2);
	check_lengths("capability", dec_cap, &back, buf, n);
	T_CHECK(weft_cap_verify(&back, lookup, NULL) == WEFT_VERIFY_OK);
	const size_t count_at = 20, max_at = 22 + 6;
	buf[count_at + 1] = 65; // more rules than a capability may hold
	T_CHECK(!decodes(dec_cap, &back, buf, n));
	buf[count_at + 1] = 2;
	buf[23] = 3; // the ETHERTYPE rule claims 3 bytes
	T_CHECK(!decodes(dec_cap, &back, buf, n));
	buf[23] = 2;
	buf[max_at] = 0;
	T_CHECK(!decodes(dec_cap, &back, buf, n));
	buf[max_at] = WEFT_CAP_MAX_CUSTODY + 1;
	T_CHECK(!decodes(dec_cap, &back, buf, n));
	buf[max_at] = 2;
	buf[n - 1] = 4; // extension length
	T_CHECK(!decodes(dec_cap, &back, buf, n));
	buf[n - 1] = 0;
	T_CHECK(decodes(dec_cap, &back, buf, n));
	struct weft_cap none = cap;
	none.n_custody = 0;
	T_CHECK(weft_cap_verify(&none, lookup, NULL) == WEFT_VERIFY_BAD);
	T_CHECK(weft_cap_issued_to(&none) == 0);
}

static void test_cap_chain(void)
{
	static struct weft_cap cap, back;
	static uint8_t buf[WEFT_CAP_MAX_LEN + 8];
	t_case("capability: custody chain at and past its maximum");
	cap_base(&cap, 2);
	T_CHECK(weft_cap_sign(&cap, &ctl, alice.address) == WEFT_OK);
	T_CHECK(weft_cap_sign(&cap, &alice, bob.address) == WEFT_OK);
	T_CHECK(weft_cap_sign(&cap, &bob, ctl.address) == WEFT_ERR_FULL);
	T_CHECK(weft_cap_issued_to(&cap) == bob.address);
	T_CHECK(weft_cap_verify(&cap, lookup, NULL) == WEFT_VERIFY_OK);
	T_CHECK(weft_cap_verify(&cap, weft_credential_lookup_one, &ctl) ==
	        WEFT_VERIFY_SIGNER_UNKNOWN);
	// the same bytes with the maximum lowered to 1: two entries are one too many
	size_t n = encode_cap(&cap, buf, sizeof buf);
	T_CHECK(n > 0 && decodes(dec_cap, &back, buf, n));
	buf[22 + 6] = 1;
	T_CHECK(!decodes(dec_cap, &back, buf, n));
	// a full chain of 7 links, then an eighth entry spliced in front of the terminator
	cap_base(&cap, WEFT_CAP_MAX_CUSTODY);
	const struct weft_identity *hop[2] = {&alice, &bob};
	T_CHECK(weft_cap_sign(&cap, &ctl, alice.address) == WEFT_OK);
	for (unsigned i = 1; i < WEFT_CAP_MAX_CUSTODY; i++)
		T_CHECK(weft_cap_sign(&cap, hop[(i - 1) % 2], hop[i % 2]->address) == WEFT_OK);
	T_CHECK(weft_cap_sign(&cap, hop[0], bob.address) == WEFT_ERR_FULL);
	T_CHECK(weft_cap_verify(&cap, lookup, NULL) == WEFT_VERIFY_OK);
	n = encode_cap(&cap, buf, sizeof buf);
	T_CHECK(n > 0 && decodes(dec_cap, &back, buf, n));
	memmove(buf + n - 7 + WEFT_CAP_CUSTODY_LEN, buf + n - 7, 7);
	memcpy(buf + n - 7, buf + n - 7 - WEFT_CAP_CUSTODY_LEN, WEFT_CAP_CUSTODY_LEN);
	T_CHECK(!decodes(dec_cap, &back, buf, n + WEFT_CAP_CUSTODY_LEN));

	t_case("capability: broken links");
	cap_base(&cap, 3);
	T_CHECK(weft_cap_sign(&cap, &alice, bob.address) == WEFT_OK); // first link not from ctl
	T_CHECK(weft_cap_verify(&cap, lookup, NULL) == WEFT_VERIFY_BAD);
	cap_base(&cap, 3);
	T_CHECK(weft_cap_sign(&cap, &ctl, alice.address) == WEFT_OK);
	T_CHECK(weft_cap_sign(&cap, &bob, ctl.address) == WEFT_OK); // bob is not the holder
	T_CHECK(weft_cap_verify(&cap, lookup, NULL) == WEFT_VERIFY_BAD);
	cap.n_custody = 1;
	T_CHECK(weft_cap_verify(&cap, lookup, NULL) == WEFT_VERIFY_OK);
	cap.rules[1].t = WEFT_RULE_ACTION_ACCEPT; // signed content changed
	T_CHECK(weft_cap_verify(&cap, lookup, NULL) == WEFT_VERIFY_BAD);
}

static void test_coo(void)
{
	static struct weft_coo coo, back;
	uint8_t buf[WEFT_COO_MAX_LEN + 17];
	struct weft_wbuf w;
	const uint8_t ip4[4] = {10, 0, 0, 1}, mac[6] = {2, 1, 2, 3, 4, 5};
	struct weft_inetaddr a;
	t_case("certificate of ownership: truncated, too many things, wrong signer");
	memset(&coo, 0, sizeof coo);
	coo.nwid = nwid;
	coo.id = 1;
	coo.issued_to = alice.address;
	weft_inetaddr_set_v4(&a, ip4, 0);
	T_CHECK(weft_coo_add_ip(&coo, &a) == WEFT_OK && weft_coo_add_mac(&coo, mac) == WEFT_OK);
	for (unsigned i = 2; i < WEFT_COO_MAX_THINGS; i++)
		T_CHECK(weft_coo_add_mac(&coo, mac) == WEFT_OK);
	T_CHECK(weft_coo_add_mac(&coo, mac) == WEFT_ERR_FULL);
	T_CHECK(weft_coo_sign(&coo, &ctl) == WEFT_OK);
	wbuf_init(&w, buf, sizeof buf);
	weft_coo_encode(&coo, &w);
	T_CHECK(!w.bad && w.len == WEFT_COO_MAX_LEN);
	check_lengths("coo", dec_coo, &back, buf, w.len);
	T_CHECK(weft_coo_verify(&back, lookup, NULL) == WEFT_VERIFY_OK);
	T_CHECK(weft_coo_owns_ip(&back, &a) && weft_coo_owns_mac(&back, mac));
	buf[8 + 8 + 8 + 4 + 1] = WEFT_COO_MAX_THINGS + 1;
	T_CHECK(!decodes(dec_coo, &back, buf, sizeof buf));
	T_CHECK(weft_coo_sign(&coo, &bob) == WEFT_OK);
	T_CHECK(weft_coo_verify(&coo, lookup, NULL) == WEFT_VERIFY_BAD);
}

static void test_revocation(void)
{
	struct weft_revocation rev = {.id = 77, .nwid = 0, .credential_id = 5, .threshold = 100};
	struct weft_revocation back;
	uint8_t buf[WEFT_REVOCATION_LEN];
	struct weft_wbuf w;
	t_case("revocation: truncated, reserved fields, wrong signer");
	rev.nwid = nwid;
	rev.target = alice.address;
	rev.type = WEFT_CREDENTIAL_TAG;
	T_CHECK(weft_revocation_sign(&rev, &ctl) == WEFT_OK);
	wbuf_init(&w, buf, sizeof buf);
	weft_revocation_encode(&rev, &w);
	T_CHECK(!w.bad && w.len == WEFT_REVOCATION_LEN);
	check_lengths("revocation", dec_rev, &back, buf, w.len);
	T_CHECK(weft_revocation_verify(&back, lookup, NULL) == WEFT_VERIFY_OK);
	buf[0] = 1;
	T_CHECK(!decodes(dec_rev, &back, buf, w.len));
	buf[0] = 0;
	buf[16] = 1;
	T_CHECK(!decodes(dec_rev, &back, buf, w.len));
	struct weft_revocation forged = rev;
	T_CHECK(weft_revocation_sign(&forged, &alice) == WEFT_OK);
	T_CHECK(weft_revocation_verify(&forged, lookup, NULL) == WEFT_VERIFY_BAD);

	t_case("revocation: only the named type, ID, holder and age are covered");
	T_CHECK(weft_revocation_covers(&rev, WEFT_CREDENTIAL_TAG, 5, alice.address, 100));
	T_CHECK(weft_revocation_covers(&rev, WEFT_CREDENTIAL_TAG, 5, alice.address, 99));
	T_CHECK(!weft_revocation_covers(&rev, WEFT_CREDENTIAL_TAG, 5, alice.address, 101));
	T_CHECK(!weft_revocation_covers(&rev, WEFT_CREDENTIAL_CAPABILITY, 5, alice.address, 1));
	T_CHECK(!weft_revocation_covers(&rev, WEFT_CREDENTIAL_COO, 5, alice.address, 1));
	T_CHECK(!weft_revocation_covers(&rev, WEFT_CREDENTIAL_COM, 0, alice.address, 1));
	T_CHECK(!weft_revocation_covers(&rev, WEFT_CREDENTIAL_TAG, 6, alice.address, 1));
	T_CHECK(!weft_revocation_covers(&rev, WEFT_CREDENTIAL_TAG, 5, bob.address, 1));
	rev.type = WEFT_CREDENTIAL_REVOCATION; // not a revocable type
	T_CHECK(!weft_revocation_covers(&rev, WEFT_CREDENTIAL_REVOCATION, 5, alice.address, 1));
	rev.type = WEFT_CREDENTIAL_NULL;
	T_CHECK(!weft_revocation_covers(&rev, WEFT_CREDENTIAL_NULL, 5, alice.address, 1));
	rev.type = WEFT_CREDENTIAL_COM; // a COM revocation ignores the credential ID
	T_CHECK(weft_revocation_covers(&rev, WEFT_CREDENTIAL_COM, 0, alice.address, 1));
}

int main(void)
{
	t_init("unit/credential");
	weft_crypto_init();
	t_case("identities");
	T_CHECK(weft_identity_generate(&ctl, rnd, NULL) == WEFT_OK);
	T_CHECK(weft_identity_generate(&alice, rnd, NULL) == WEFT_OK);
	T_CHECK(weft_identity_generate(&bob, rnd, NULL) == WEFT_OK);
	nwid = ctl.address << 24 | 0x000bee;
	test_tag();
	test_com();
	test_cap_decode();
	test_cap_chain();
	test_coo();
	test_revocation();
	weft_identity_clear(&ctl);
	weft_identity_clear(&alice);
	weft_identity_clear(&bob);
	return t_done();
}
