// SPDX-License-Identifier: MPL-2.0
// Network records (service.md §2.8): the defaults of a new record and the update body's
// writable keys, each through its own small setter. Keys not listed here are ignored.
#include <stdio.h>
#include <string.h>

#include "record.h"

typedef bool (*setter)(json_t *rec, const char *key, const json_t *v, char *why, size_t cap);

json_t *weft_ctl_network_defaults(uint64_t nwid, int64_t now_ms)
{
	char id[17];
	snprintf(id, sizeof id, "%016llx", (unsigned long long)nwid);
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:b, s:I, s:i, s:b, s:i, s:i, s:{s:b},"
	    " s:{s:b, s:b, s:b}, s:[], s:[], s:[{s:b, s:b, s:s}], s:[], s:[],"
	    " s:[n], s:[], s:n, s:i, s:s, s:b, s:s, s:s}",
	    "id", id, "nwid", id, "objtype", "network", "name", "", "private", 1, "creationTime",
	    (json_int_t)now_ms, "revision", 0, "enableBroadcast", 1, "multicastLimit", 32, "mtu",
	    2800, "v4AssignMode", "zt", 0, "v6AssignMode", "6plane", 0, "rfc4193", 0, "zt", 0,
	    "routes", "ipAssignmentPools", "rules", "not", 0, "or", 0, "type", "ACTION_ACCEPT",
	    "capabilities", "tags", "authTokens", "dns", "remoteTraceTarget", "remoteTraceLevel", 0,
	    "rulesSource", "", "ssoEnabled", 0, "clientId", "", "authorizationEndpoint", "");
}

static bool set_int(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	bool mtu = !strcmp(key, "mtu"); // the reference clamps the MTU, nothing else
	return weft_ctl_set_int(rec, key, v, mtu ? 1280 : INT64_MIN, mtu ? 10000 : INT64_MAX, why,
	                        cap);
}

// Stored only if exactly 10 characters, else null (§2.8.2); null clears it.
static bool set_trace_target(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	json_t *s = json_is_null(v) ? json_null() : weft_ctl_to_string(v);
	if (!s)
		return weft_ctl_refuse(why, cap, key, "cannot be made a string");
	if (json_is_string(s) && strlen(json_string_value(s)) != 10) {
		json_decref(s);
		s = json_null();
	}
	json_object_set_new(rec, key, s);
	return true;
}

static bool set_v4_mode(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	bool zt = false;
	const json_t *z = json_object_get(v, "zt");
	if (json_is_string(v))
		zt = !strcmp(json_string_value(v), "zt");
	else if (!json_is_object(v))
		return weft_ctl_refuse(why, cap, key, "must be a string or an object");
	else if (z && !weft_ctl_to_bool(z, &zt))
		return weft_ctl_refuse(why, cap, "v4AssignMode.zt", "cannot be made a boolean");
	json_object_set_new(rec, key, json_pack("{s:b}", "zt", zt));
	return true;
}

static bool set_v6_mode(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	static const char *const modes[] = {"rfc4193", "zt", "6plane"};
	json_t *out = json_object();
	for (size_t i = 0; i < 3; i++) {
		const json_t *m = json_object_get(v, modes[i]);
		bool b = false;
		if (json_is_string(v)) {
			char list[256];
			snprintf(list, sizeof list, ",%s,", json_string_value(v));
			char want[16];
			snprintf(want, sizeof want, ",%s,", modes[i]);
			json_object_set_new(out, modes[i],
			                    json_boolean(strstr(list, want) != NULL));
		} else if (!json_is_object(v)) {
			json_decref(out);
			return weft_ctl_refuse(why, cap, key, "must be a string or an object");
		} else if (m && !weft_ctl_to_bool(m, &b)) {
			json_decref(out);
			snprintf(why, cap, "v6AssignMode.%s: cannot be made a boolean", modes[i]);
			return false;
		} else if (m) {
			json_object_set_new(out, modes[i], json_boolean(b));
		}
	}
	json_object_set_new(rec, key, out);
	return true;
}

// One route: {"target":"ip/bits","via":"ip" or null}, or NULL if invalid.
static json_t *route(const json_t *e)
{
	char t[64], via[64];
	int fam, vfam, bits, vbits;
	const char *target = json_string_value(json_object_get(e, "target"));
	const char *v = json_string_value(json_object_get(e, "via"));
	if (!target || !weft_ctl_ip_parse(target, t, sizeof t, &fam, &bits) || bits < 0)
		return NULL;
	char full[80];
	snprintf(full, sizeof full, "%s/%d", t, bits);
	bool via_ok = v && weft_ctl_ip_parse(v, via, sizeof via, &vfam, &vbits) && vfam == fam;
	return json_pack("{s:s, s:o}", "target", full, "via",
	                 via_ok ? json_string(via) : json_null());
}

static json_t *pool(const json_t *e)
{
	char a[64], b[64];
	int fa, fb, ba, bb;
	const char *s = json_string_value(json_object_get(e, "ipRangeStart"));
	const char *t = json_string_value(json_object_get(e, "ipRangeEnd"));
	if (!s || !t || !weft_ctl_ip_parse(s, a, sizeof a, &fa, &ba) ||
	    !weft_ctl_ip_parse(t, b, sizeof b, &fb, &bb) || fa != fb || ba >= 0 || bb >= 0)
		return NULL;
	return json_pack("{s:s, s:s}", "ipRangeStart", a, "ipRangeEnd", b);
}

static bool set_list(json_t *rec, const char *key, const json_t *v, char *why, size_t cap,
                     json_t *(*one)(const json_t *))
{
	size_t i;
	const json_t *e;
	if (!json_is_array(v))
		return weft_ctl_refuse(why, cap, key, "must be an array");
	json_t *out = json_array();
	json_array_foreach (v, i, e) {
		json_t *x = json_array_size(out) < WEFT_CTL_MAX_LIST ? one(e) : NULL;
		if (x)
			json_array_append_new(out, x);
	}
	json_object_set_new(rec, key, out);
	return true;
}

static bool set_routes(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	return set_list(rec, key, v, why, cap, route);
}

static bool set_pools(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	return set_list(rec, key, v, why, cap, pool);
}

static bool set_rules(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	json_t *r = weft_ctl_rules_render(v, key, why, cap);
	if (!r)
		return false;
	json_object_set_new(rec, key, r);
	return true;
}

// An optional integer member of a list element: absent gives dflt; uncoercible is refused.
static bool elem_int(const json_t *e, const char *name, json_int_t dflt, json_int_t *out,
                     const char *key, size_t i, char *why, size_t cap)
{
	const json_t *v = json_object_get(e, name);
	*out = dflt;
	if (!v || weft_ctl_to_int(v, out))
		return true;
	snprintf(why, cap, "%s[%zu].%s: cannot be made an integer", key, i, name);
	return false;
}

static json_t *capability(const json_t *e, size_t i, char *why, size_t cap)
{
	json_int_t id;
	bool dflt = false;
	const json_t *d = json_object_get(e, "default"), *rules = json_object_get(e, "rules");
	char field[48];
	if (!elem_int(e, "id", 0, &id, "capabilities", i, why, cap))
		return NULL;
	if (d && !weft_ctl_to_bool(d, &dflt)) {
		snprintf(why, cap, "capabilities[%zu].default: cannot be made a boolean", i);
		return NULL;
	}
	snprintf(field, sizeof field, "capabilities[%zu].rules", i);
	json_t *r = rules ? weft_ctl_rules_render(rules, field, why, cap) : json_array();
	return r ? json_pack("{s:I, s:b, s:o}", "id", id, "default", dflt, "rules", r) : NULL;
}

static json_t *tag(const json_t *e, size_t i, char *why, size_t cap)
{
	json_int_t id, dflt;
	const json_t *d = json_object_get(e, "default");
	if (!elem_int(e, "id", 0, &id, "tags", i, why, cap))
		return NULL;
	if (!d || json_is_null(d))
		return json_pack("{s:I, s:n}", "id", id, "default");
	if (!elem_int(e, "default", 0, &dflt, "tags", i, why, cap))
		return NULL;
	return json_pack("{s:I, s:I}", "id", id, "default", dflt);
}

static bool set_by_id(json_t *rec, const char *key, const json_t *v, char *why, size_t cap,
                      json_t *(*one)(const json_t *, size_t, char *, size_t))
{
	size_t i;
	const json_t *e;
	if (!json_is_array(v))
		return weft_ctl_refuse(why, cap, key, "must be an array");
	json_t *out = json_array();
	json_array_foreach (v, i, e) {
		if (!json_is_object(e) || json_array_size(out) >= WEFT_CTL_MAX_LIST)
			continue;
		json_t *x = one(e, i, why, cap);
		if (!x) {
			json_decref(out);
			return false;
		}
		json_array_append_new(out, x);
	}
	json_object_set_new(rec, key, weft_ctl_sorted_unique(out));
	return true;
}

static bool set_caps(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	return set_by_id(rec, key, v, why, cap, capability);
}

static bool set_tags(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	return set_by_id(rec, key, v, why, cap, tag);
}

// An object keeps entries whose value is a non-negative number; anything else is [null].
static bool set_auth_tokens(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	const char *k;
	const json_t *x;
	(void)why, (void)cap;
	if (!json_is_object(v)) {
		json_object_set_new(rec, key, json_pack("[n]"));
		return true;
	}
	json_t *out = json_object();
	json_object_foreach ((json_t *)v, k, x) {
		if (json_is_number(x) && json_number_value(x) >= 0)
			json_object_set(out, k, (json_t *)x);
	}
	json_object_set_new(rec, key, out);
	return true;
}

// Copied without validation, as the reference does; a non-object is ignored.
static bool set_dns(json_t *rec, const char *key, const json_t *v, char *why, size_t cap)
{
	json_t *d = json_object_get(v, "domain"), *s = json_object_get(v, "servers");
	(void)why, (void)cap;
	if (!json_is_object(v))
		return true;
	json_t *out = json_object();
	if (d)
		json_object_set_new(out, "domain", json_deep_copy(d));
	if (json_is_array(s))
		json_object_set_new(out, "servers", json_deep_copy(s));
	json_object_set_new(rec, key, out);
	return true;
}

static const struct {
	const char *key;
	setter set;
} writable[] = {
    {"name", weft_ctl_set_string},
    {"private", weft_ctl_set_bool},
    {"enableBroadcast", weft_ctl_set_bool},
    {"multicastLimit", set_int},
    {"mtu", set_int},
    {"remoteTraceTarget", set_trace_target},
    {"remoteTraceLevel", set_int},
    {"v4AssignMode", set_v4_mode},
    {"v6AssignMode", set_v6_mode},
    {"routes", set_routes},
    {"ipAssignmentPools", set_pools},
    {"rules", set_rules},
    {"capabilities", set_caps},
    {"tags", set_tags},
    {"authTokens", set_auth_tokens},
    {"dns", set_dns},
};

bool weft_ctl_network_apply(json_t *rec, const json_t *body, char *why, size_t cap)
{
	if (!json_is_object(body))
		return weft_ctl_refuse(why, cap, "body", "must be a JSON object");
	for (size_t i = 0; i < sizeof writable / sizeof writable[0]; i++) {
		const json_t *v = json_object_get(body, writable[i].key);
		if (v && !writable[i].set(rec, writable[i].key, v, why, cap))
			return false;
	}
	return true;
}
