// SPDX-License-Identifier: MPL-2.0
// The controller's lenient value coercions (service.md §2.8.2): what the reference converts is
// converted the same way; what it would silently replace by a default (null, arrays, objects,
// non-numeric text for a number) is refused here so the API can answer 400 naming the field.
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

bool weft_ctl_to_bool(const json_t *v, bool *out)
{
	const char *s;
	if (json_is_boolean(v))
		*out = json_is_true(v);
	else if (json_is_number(v))
		*out = json_number_value(v) > 0;
	else if ((s = json_string_value(v)))
		*out = s[0] == 't' || s[0] == 'T' || s[0] == '1';
	else
		return false;
	return true;
}

bool weft_ctl_to_int(const json_t *v, json_int_t *out)
{
	const char *s = json_string_value(v);
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
	} else if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d != d || d > 9.2e18 || d < -9.2e18)
			return false;
		*out = (json_int_t)d;
	} else if (json_is_boolean(v)) {
		*out = json_is_true(v);
	} else if (s) {
		char *end;
		if (!*s || strspn(s, "0123456789") != strlen(s))
			return false;
		errno = 0;
		unsigned long long u = strtoull(s, &end, 10);
		if (errno || u > 0x7fffffffffffffffULL)
			return false;
		*out = (json_int_t)u;
	} else {
		return false;
	}
	return true;
}

json_t *weft_ctl_to_string(const json_t *v)
{
	char buf[32];
	if (json_is_string(v))
		return json_string(json_string_value(v));
	if (json_is_integer(v))
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "1" : "0");
	else
		return NULL;
	return json_string(buf);
}

bool weft_ctl_ip_parse(const char *s, char *out, size_t cap, int *family, int *bits)
{
	char ip[64];
	unsigned char bin[16];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof ip)
		return false;
	memcpy(ip, s, n);
	ip[n] = 0;
	int af = inet_pton(AF_INET, ip, bin) == 1    ? AF_INET
	         : inet_pton(AF_INET6, ip, bin) == 1 ? AF_INET6
	                                             : 0;
	if (!af || !inet_ntop(af, bin, out, (socklen_t)cap))
		return false;
	*family = af == AF_INET ? 4 : 6;
	*bits = -1;
	if (slash) {
		const char *b = slash + 1;
		size_t digits = strspn(b, "0123456789");
		if (!digits || digits > 3 || b[digits])
			return false;
		*bits = atoi(b);
		if (*bits > (af == AF_INET ? 32 : 128))
			return false;
	}
	return true;
}

// The id of a list element: an object's "id", or an [id, value] pair's first entry.
static json_int_t elem_id(const json_t *e)
{
	return json_integer_value(json_is_array(e) ? json_array_get(e, 0)
	                                           : json_object_get(e, "id"));
}

static int cmp_elem(const void *a, const void *b)
{
	json_int_t x = elem_id(*(json_t *const *)a), y = elem_id(*(json_t *const *)b);
	return x < y ? -1 : x > y;
}

json_t *weft_ctl_sorted_unique(json_t *list)
{
	size_t n = json_array_size(list), k = 0;
	json_t **v = calloc(n ? n : 1, sizeof *v), *out = json_array();
	for (size_t i = 0; v && i < n; i++) {
		json_t *e = json_array_get(list, i);
		size_t j = 0;
		while (j < k && elem_id(v[j]) != elem_id(e))
			j++;
		v[j] = e; // a later duplicate replaces the earlier one
		k += j == k;
	}
	if (v)
		qsort(v, k, sizeof *v, cmp_elem);
	for (size_t i = 0; v && i < k; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(list);
	return out;
}

// Setters shared by the network and member records: coerce, store, or refuse naming the key.
bool weft_ctl_refuse(char *why, size_t cap, const char *key, const char *what)
{
	snprintf(why, cap, "%s: %s", key, what);
	return false;
}

bool weft_ctl_set_bool(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	bool b;
	if (!weft_ctl_to_bool(v, &b))
		return weft_ctl_refuse(why, cap, key, "cannot be made a boolean");
	json_object_set_new(rec, key, json_boolean(b));
	return true;
}

bool weft_ctl_set_string(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	json_t *s = weft_ctl_to_string(v);
	if (!s)
		return weft_ctl_refuse(why, cap, key, "cannot be made a string");
	json_object_set_new(rec, key, s);
	return true;
}

bool weft_ctl_set_int(json_t *rec, const char *key, const json_t *v, json_int_t lo, json_int_t hi,
                      char *why, size_t cap)
{
	json_int_t i;
	if (!weft_ctl_to_int(v, &i))
		return weft_ctl_refuse(why, cap, key, "cannot be made an integer");
	i = i < lo ? lo : i > hi ? hi : i;
	json_object_set_new(rec, key, json_integer(i));
	return true;
}
