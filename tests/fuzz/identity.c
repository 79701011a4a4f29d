// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for the identity parsers (vl1.md §1.5, §1.6): the string and binary forms
// must round-trip exactly whenever they parse, and leave the output untouched when they do not.
// A second mode builds a well-formed identity from the input and edits its string form, so the
// parser's accepting paths are reached without the fuzzer having to guess 128 hex digits.
// Validation (the ~20 ms memory-hard hash) is deliberately not called.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"
#include "identity.h"
#include "wire.h"
#include "check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	CHECK(weft_crypto_init() == WEFT_OK);
	return 0;
}

static bool identity_same(const struct weft_identity *a, const struct weft_identity *b)
{
	return a->address == b->address && a->has_secret == b->has_secret &&
	       memcmp(a->pub, b->pub, sizeof a->pub) == 0 &&
	       memcmp(a->sec, b->sec, sizeof a->sec) == 0;
}

// Parses s[0..len); on success the canonical string must be the input in lowercase and parse
// back to the same identity; the binary form must round-trip too. Returns whether it parsed.
static bool check_string(const char *s, size_t len, struct weft_identity *out)
{
	struct weft_identity id, again, sentinel;
	const char *why = NULL;
	char str[WEFT_IDENTITY_STR_SECRET_LEN + 1];
	uint8_t bin[WEFT_IDENTITY_BIN_SECRET_LEN];
	struct weft_wbuf w;
	struct weft_rbuf r;

	memset(&sentinel, 0xa5, sizeof sentinel);
	id = sentinel;
	if (weft_identity_from_string(&id, s, len, &why) != WEFT_OK) {
		CHECK(why != NULL);
		CHECK(memcmp(&id, &sentinel, sizeof id) == 0);
		return false;
	}
	CHECK(!weft_address_is_reserved(id.address));
	CHECK(id.address <= WEFT_ADDRESS_MASK);

	size_t n = weft_identity_to_string(&id, id.has_secret, str, sizeof str);
	CHECK(n == (id.has_secret ? WEFT_IDENTITY_STR_SECRET_LEN : WEFT_IDENTITY_STR_PUBLIC_LEN));
	CHECK(n == len && str[n] == '\0');
	for (size_t i = 0; i < n; i++)
		CHECK(str[i] == (char)tolower((unsigned char)s[i]));
	// Too small a buffer, or a secret asked of a public identity, writes nothing.
	CHECK(weft_identity_to_string(&id, id.has_secret, str, n) == 0);
	if (!id.has_secret)
		CHECK(weft_identity_to_string(&id, true, str, sizeof str) == 0);

	CHECK(weft_identity_from_string(&again, str, n, NULL) == WEFT_OK);
	CHECK(identity_same(&id, &again));

	wbuf_init(&w, bin, sizeof bin);
	weft_identity_encode(&id, true, &w);
	CHECK(!w.bad);
	CHECK(w.len ==
	      (id.has_secret ? WEFT_IDENTITY_BIN_SECRET_LEN : WEFT_IDENTITY_BIN_PUBLIC_LEN));
	rbuf_init(&r, bin, w.len);
	again = sentinel;
	CHECK(weft_identity_decode(&again, &r) == WEFT_OK);
	CHECK(!r.bad && r.pos == w.len);
	CHECK(identity_same(&id, &again));
	if (out)
		*out = id;
	return true;
}

// Decodes the binary form from the front of data; on success re-encoding must reproduce the
// consumed bytes exactly, and the string form must round-trip.
static void check_binary(const uint8_t *data, size_t size)
{
	struct weft_identity id, sentinel;
	struct weft_rbuf r;
	uint8_t bin[WEFT_IDENTITY_BIN_SECRET_LEN];
	char str[WEFT_IDENTITY_STR_SECRET_LEN + 1];
	struct weft_wbuf w;

	memset(&sentinel, 0x5a, sizeof sentinel);
	id = sentinel;
	rbuf_init(&r, data, size);
	if (weft_identity_decode(&id, &r) != WEFT_OK) {
		CHECK(r.bad);
		CHECK(memcmp(&id, &sentinel, sizeof id) == 0);
		return;
	}
	CHECK(!r.bad);
	CHECK(r.pos ==
	      (id.has_secret ? WEFT_IDENTITY_BIN_SECRET_LEN : WEFT_IDENTITY_BIN_PUBLIC_LEN));
	CHECK(!weft_address_is_reserved(id.address));

	wbuf_init(&w, bin, sizeof bin);
	weft_identity_encode(&id, true, &w);
	CHECK(!w.bad && w.len == r.pos);
	CHECK(memcmp(bin, data, w.len) == 0);

	// The public form is the first 70 bytes followed by a zero secret length.
	wbuf_init(&w, bin, sizeof bin);
	weft_identity_encode(&id, false, &w);
	CHECK(!w.bad && w.len == WEFT_IDENTITY_BIN_PUBLIC_LEN);
	CHECK(memcmp(bin, data, WEFT_IDENTITY_BIN_PUBLIC_LEN - 1) == 0 && bin[70] == 0);

	// A buffer one byte short overflows cleanly.
	wbuf_init(&w, bin, r.pos - 1);
	weft_identity_encode(&id, true, &w);
	CHECK(w.bad);

	size_t n = weft_identity_to_string(&id, id.has_secret, str, sizeof str);
	CHECK(n != 0);
	struct weft_identity back;
	CHECK(check_string(str, n, &back));
	CHECK(identity_same(&id, &back));
}

// Builds an identity from input bytes, writes its string form, applies input-chosen edits
// (replace a character, change case, cut, append) and parses the result.
static void check_synthesized(const uint8_t *data, size_t size)
{
	struct weft_identity t, got;
	char str[WEFT_IDENTITY_STR_SECRET_LEN + 8];
	uint8_t ctl = data[0];
	data++;
	size--;

	memset(&t, 0, sizeof t);
	if (size < 5 + 64)
		return;
	t.address = load_be40(data);
	if (weft_address_is_reserved(t.address))
		t.address = (t.address & 0x00ffffffffULL) | 0x0100000000ULL;
	memcpy(t.pub, data + 5, 64);
	data += 69;
	size -= 69;
	if ((ctl & 1) && size >= 64) {
		memcpy(t.sec, data, 64);
		t.has_secret = true;
		data += 64;
		size -= 64;
	}
	size_t n = weft_identity_to_string(&t, t.has_secret, str, sizeof str);
	CHECK(n != 0);
	if (!(ctl & 2)) {
		CHECK(check_string(str, n, &got));
		CHECK(identity_same(&t, &got));
		return;
	}
	// Edits: (position, byte) pairs; byte 0 uppercases, 1 truncates, 2 appends ':'.
	for (size_t i = 0; i + 1 < size && i < 16; i += 2) {
		size_t pos = data[i] % (n + 1);
		uint8_t c = data[i + 1];
		if (c == 0 && pos < n)
			str[pos] = (char)toupper((unsigned char)str[pos]);
		else if (c == 1)
			n = pos;
		else if (c == 2 && n < sizeof str)
			str[n++] = ':';
		else if (pos < n)
			str[pos] = (char)c;
	}
	char *exact = malloc(n ? n : 1); // exact size so ASan sees any overread
	CHECK(exact != NULL);
	memcpy(exact, str, n);
	check_string(exact, n, NULL);
	free(exact);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_string((const char *)data, size, NULL);
	check_binary(data, size);
	if (size > 0)
		check_synthesized(data, size);
	return 0;
}
