// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for the rules language compiler (rules-language.md). Any input: no crash;
// a refusal leaves a NUL-terminated message inside errcap that names a position; a success
// serializes, and compiling the same input again gives equal JSON (no hidden state).
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "rulesc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ERRCAP 96

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ERRCAP + 16];
	json_t *out, *again;
	char *text;
	size_t cap = size ? data[0] % (ERRCAP + 1) : ERRCAP; // small caps truncate messages
	memset(err, 0x5a, sizeof err);
	out = weft_rulesc_compile((const char *)data, size, "f", err, cap);
	for (size_t i = cap; i < sizeof err; i++)
		CHECK(err[i] == 0x5a); // nothing written past errcap
	if (!out) {
		if (cap) {
			CHECK(memchr(err, 0, cap));
			CHECK(strlen(err) + 1 == cap || !strncmp(err, "f:", cap > 2 ? 2 : cap - 1));
		}
		return 0;
	}
	if (cap)
		CHECK(err[0] == 0);
	text = json_dumps(out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	CHECK(text);
	CHECK(json_is_array(json_object_get(json_object_get(out, "config"), "rules")));
	again = weft_rulesc_compile((const char *)data, size, "f", NULL, 0);
	CHECK(again && json_equal(out, again));
	free(text);
	json_decref(again);
	json_decref(out);
	return 0;
}
