// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for credential and rule-list parsing (vl2.md §5, §6.1). The first byte picks
// the type; the rest is decoded as one credential (or a whole rule list). A successful decode
// must re-encode to exactly the bytes it consumed, and verification must not misbehave.
#include <stdio.h>
#include <stdlib.h>

#include "credential.h"
#include "crypto.h"
#include "check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct weft_identity signer;

// Claims every address has `signer`'s keys, so signatures on fuzzed bytes are really checked.
static const struct weft_identity *lookup(void *ctx, uint64_t address)
{
	static struct weft_identity as;
	(void)ctx;
	as = signer;
	as.address = address;
	return &as;
}

static void counter_random(void *ctx, void *buf, size_t len)
{
	static uint8_t n;
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)(n++ * 167u + 13u);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	CHECK(weft_crypto_init() == WEFT_OK);
	CHECK(weft_identity_generate(&signer, counter_random, NULL) == WEFT_OK);
	return 0;
}

static uint8_t out[WEFT_RULES_MAX_BASE * WEFT_RULE_MAX_LEN];

// The consumed input and the re-encoding are the same bytes.
static void check_same(const struct weft_rbuf *r, const struct weft_wbuf *w)
{
	CHECK(!r->bad && !w->bad);
	CHECK(w->len == r->pos);
	CHECK(memcmp(w->p, r->p, r->pos) == 0);
}

static void check_verify(enum weft_verify v)
{
	CHECK(v == WEFT_VERIFY_OK || v == WEFT_VERIFY_BAD || v == WEFT_VERIFY_SIGNER_UNKNOWN);
}

#define ROUND_TRIP(type, dec, enc, ver)                                                            \
	do {                                                                                       \
		static type obj_;                                                                  \
		if (dec(&obj_, &r) != WEFT_OK) {                                                   \
			CHECK(r.bad);                                                              \
			break;                                                                     \
		}                                                                                  \
		enc(&obj_, &w);                                                                    \
		check_same(&r, &w);                                                                \
		check_verify(ver(&obj_, lookup, NULL));                                            \
		check_verify(ver(&obj_, NULL, NULL));                                              \
	} while (0)

static void fuzz_rules(struct weft_rbuf *r, struct weft_wbuf *w)
{
	static struct weft_rule rules[WEFT_RULES_MAX_BASE];
	size_t n = 99;
	enum weft_result res = weft_rules_decode(rules, WEFT_RULES_MAX_BASE, &n, r);
	if (res != WEFT_OK) {
		CHECK(n == 0 && r->bad);
		return;
	}
	CHECK(rbuf_left(r) == 0);
	weft_rules_encode(rules, n, w);
	check_same(r, w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct weft_rbuf r;
	struct weft_wbuf w;
	if (size == 0)
		return 0;
	rbuf_init(&r, data + 1, size - 1);
	wbuf_init(&w, out, sizeof out);
	switch (data[0] % 6) {
	case 0:
		ROUND_TRIP(struct weft_tag, weft_tag_decode, weft_tag_encode, weft_tag_verify);
		break;
	case 1:
		ROUND_TRIP(struct weft_com, weft_com_decode, weft_com_encode, weft_com_verify);
		break;
	case 2:
		ROUND_TRIP(struct weft_cap, weft_cap_decode, weft_cap_encode, weft_cap_verify);
		break;
	case 3:
		ROUND_TRIP(struct weft_coo, weft_coo_decode, weft_coo_encode, weft_coo_verify);
		break;
	case 4:
		ROUND_TRIP(struct weft_revocation, weft_revocation_decode, weft_revocation_encode,
		           weft_revocation_verify);
		break;
	default: fuzz_rules(&r, &w); break;
	}
	return 0;
}
