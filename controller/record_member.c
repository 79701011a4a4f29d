// SPDX-License-Identifier: MPL-2.0
// Member records (service.md §2.9): the defaults of a new member and the update body's
// writable keys. Authorization changes stamp their time and credential type "api".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

json_t *weft_ctl_member_defaults(uint64_t nwid, uint64_t addr, int64_t now_ms)
{
	char id[11], nw[17];
	snprintf(id, sizeof id, "%010llx", (unsigned long long)addr);
	snprintf(nw, sizeof nw, "%016llx", (unsigned long long)nwid);
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:[], s:[], s:[], s:I, s:i, s:i,"
	                 " s:i, s:n, s:n, s:i, s:i, s:i, s:i, s:i, s:n, s:i}",
	                 "id", id, "address", id, "nwid", nw, "objtype", "member", "authorized", 0,
	                 "activeBridge", 0, "noAutoAssignIps", 0, "ssoExempt", 0, "ipAssignments",
	                 "tags", "capabilities", "creationTime", (json_int_t)now_ms, "revision", 0,
	                 "lastAuthorizedTime", 0, "lastDeauthorizedTime", 0,
	                 "lastAuthorizedCredentialType", "lastAuthorizedCredential",
	                 "authenticationExpiryTime", 0, "vMajor", -1, "vMinor", -1, "vRev", -1,
	                 "vProto", -1, "remoteTraceTarget", "remoteTraceLevel", 0);
}

static bool set_authorized(json_t *rec, const json_t *v, int64_t now_ms, char *why, size_t cap)
{
	bool b;
	if (!weft_ctl_to_bool(v, &b))
		return weft_ctl_refuse(why, cap, "authorized", "cannot be made a boolean");
	if (b == json_is_true(json_object_get(rec, "authorized")))
		return true;
	json_object_set_new(rec, "authorized", json_boolean(b));
	json_object_set_new(rec, b ? "lastAuthorizedTime" : "lastDeauthorizedTime",
	                    json_integer(now_ms));
	if (b) {
		json_object_set_new(rec, "lastAuthorizedCredentialType", json_string("api"));
		json_object_set_new(rec, "lastAuthorizedCredential", json_null());
	}
	return true;
}

static bool set_int(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	return weft_ctl_set_int(rec, key, v, INT64_MIN, INT64_MAX, why, cap);
}

static bool set_trace_target(json_t *rec, const json_t *v, char *why, size_t cap)
{
	json_t *s = json_is_null(v) ? json_null() : weft_ctl_to_string(v);
	if (!s)
		return weft_ctl_refuse(why, cap, "remoteTraceTarget", "cannot be made a string");
	if (json_is_string(s) && strlen(json_string_value(s)) != 10) {
		json_decref(s);
		s = json_null();
	}
	json_object_set_new(rec, "remoteTraceTarget", s);
	return true;
}

// Strings only (the reference fails the request on anything else, so weft answers 400);
// unparsable addresses are dropped, a /bits suffix is discarded.
static bool set_ips(json_t *rec, const json_t *v, char *why, size_t cap)
{
	size_t i;
	const json_t *e;
	if (!json_is_array(v))
		return weft_ctl_refuse(why, cap, "ipAssignments", "must be an array");
	json_t *out = json_array();
	json_array_foreach (v, i, e) {
		char ip[64];
		int fam, bits;
		if (!json_is_string(e)) {
			json_decref(out);
			snprintf(why, cap, "ipAssignments[%zu]: must be a string", i);
			return false;
		}
		if (json_array_size(out) < WEFT_CTL_MAX_LIST &&
		    weft_ctl_ip_parse(json_string_value(e), ip, sizeof ip, &fam, &bits))
			json_array_append_new(out, json_string(ip));
	}
	json_object_set_new(rec, "ipAssignments", out);
	return true;
}

// [[id, value], ...]: pairs only, both masked to 32 bits, one per id, ascending.
static bool set_tags(json_t *rec, const json_t *v, char *why, size_t cap)
{
	size_t i;
	const json_t *e;
	if (!json_is_array(v))
		return weft_ctl_refuse(why, cap, "tags", "must be an array");
	json_t *out = json_array();
	json_array_foreach (v, i, e) {
		json_int_t id, val;
		if (!json_is_array(e) || json_array_size(e) != 2 ||
		    json_array_size(out) >= WEFT_CTL_MAX_LIST)
			continue;
		if (!weft_ctl_to_int(json_array_get(e, 0), &id) ||
		    !weft_ctl_to_int(json_array_get(e, 1), &val)) {
			json_decref(out);
			snprintf(why, cap, "tags[%zu]: cannot be made integers", i);
			return false;
		}
		json_array_append_new(out, json_pack("[I, I]", id & 0xffffffff, val & 0xffffffff));
	}
	json_object_set_new(rec, "tags", weft_ctl_sorted_unique(out));
	return true;
}

static int cmp_int(const void *a, const void *b)
{
	json_int_t x = *(const json_int_t *)a, y = *(const json_int_t *)b;
	return x < y ? -1 : x > y;
}

static bool set_caps(json_t *rec, const json_t *v, char *why, size_t cap)
{
	json_int_t ids[WEFT_CTL_MAX_LIST];
	size_t i, n = 0;
	const json_t *e;
	if (!json_is_array(v))
		return weft_ctl_refuse(why, cap, "capabilities", "must be an array");
	json_array_foreach (v, i, e) {
		if (n < WEFT_CTL_MAX_LIST && !weft_ctl_to_int(e, &ids[n++])) {
			snprintf(why, cap, "capabilities[%zu]: cannot be made an integer", i);
			return false;
		}
	}
	qsort(ids, n, sizeof ids[0], cmp_int);
	json_t *out = json_array();
	for (i = 0; i < n; i++)
		if (!i || ids[i] != ids[i - 1])
			json_array_append_new(out, json_integer(ids[i]));
	json_object_set_new(rec, "capabilities", out);
	return true;
}

bool weft_ctl_member_apply(json_t *rec, const json_t *body, int64_t now_ms, char *why, size_t cap)
{
	static const char *const bools[] = {"activeBridge", "noAutoAssignIps"};
	static const char *const ints[] = {"authenticationExpiryTime", "remoteTraceLevel"};
	const json_t *v;
	if (!json_is_object(body))
		return weft_ctl_refuse(why, cap, "body", "must be a JSON object");
	if ((v = json_object_get(body, "authorized")) && !set_authorized(rec, v, now_ms, why, cap))
		return false;
	for (size_t i = 0; i < 2; i++) {
		if ((v = json_object_get(body, bools[i])) &&
		    !weft_ctl_set_bool(rec, bools[i], v, why, cap))
			return false;
		if ((v = json_object_get(body, ints[i])) && !set_int(rec, ints[i], v, why, cap))
			return false;
	}
	if ((v = json_object_get(body, "name")) && !weft_ctl_set_string(rec, "name", v, why, cap))
		return false;
	if ((v = json_object_get(body, "remoteTraceTarget")) && !set_trace_target(rec, v, why, cap))
		return false;
	if ((v = json_object_get(body, "ipAssignments")) && !set_ips(rec, v, why, cap))
		return false;
	if ((v = json_object_get(body, "tags")) && !set_tags(rec, v, why, cap))
		return false;
	if ((v = json_object_get(body, "capabilities")) && !set_caps(rec, v, why, cap))
		return false;
	return true;
}
