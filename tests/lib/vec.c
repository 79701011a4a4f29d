// SPDX-License-Identifier: MPL-2.0
// Vector file access for tests.
#include "vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

json_t *vec_load(const char *file)
{
	const char *dir = getenv("VECTORS");
	char path[1024];
	json_error_t err;
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "../shared/vectors", file);
	json_t *j = json_load_file(path, 0, &err);
	if (!j) {
		t_case("load %s", file);
		t_fail(__FILE__, __LINE__, "%s:%d: %s", path, err.line, err.text);
		exit(t_done());
	}
	return j;
}

const char *vec_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

uint8_t *vec_hex(const json_t *o, const char *key, size_t *len)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		return NULL;
	return t_unhex(s, len);
}

bool vec_hex_into(const json_t *o, const char *key, uint8_t *out, size_t n)
{
	size_t len = 0;
	uint8_t *b = vec_hex(o, key, &len);
	bool ok = b && len == n;
	if (ok)
		memcpy(out, b, n);
	free(b);
	return ok;
}

uint64_t vec_u64hex(const json_t *o, const char *key)
{
	return strtoull(vec_str(o, key), NULL, 16);
}

bool vec_bool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

long long vec_int(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}
