// SPDX-License-Identifier: MPL-2.0
// The controller's in-memory records and their life cycle (service.md §2.7): create with
// defaults, update through the writable keys, save only on change with revision + 1, delete.
// Memory changes only after the store accepted the write, so a refused write changes nothing.
#include "build.h"
#include "controller_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "record.h"

void weft_ctl_key16(char out[17], uint64_t nwid)
{
	snprintf(out, 17, "%016llx", (unsigned long long)nwid);
}

void weft_ctl_key10(char out[11], uint64_t addr)
{
	snprintf(out, 11, "%010llx", (unsigned long long)(addr & 0xffffffffffULL));
}

json_t *weft_ctl_entry(const struct weft_controller *c, uint64_t nwid)
{
	char k[17];
	weft_ctl_key16(k, nwid);
	return json_object_get(c->nets, k);
}

static json_t *members_of(const struct weft_controller *c, uint64_t nwid)
{
	return json_object_get(weft_ctl_entry(c, nwid), "members");
}

void weft_ctl_say(struct weft_controller *c, const char *fmt, ...)
{
	char msg[WEFT_CONTROLLER_WHY_MAX + 128];
	va_list ap;
	if (!c->env.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->env.log(c->env.log_ctx, msg);
}

// Keeps a network's "ips" and "bridges" indexes in step with one member record (old or new
// may be NULL), so a config request never scans all members. An IP may be listed by several
// records (the API does not refuse it); it stays taken until none lists it (vl2.md §9.4).
static void index_member(json_t *e, const char *k, const json_t *old, const json_t *rec)
{
	json_t *ips = json_object_get(e, "ips"), *bridges = json_object_get(e, "bridges"), *owners;
	size_t i;
	const json_t *v;
	char t[64];
	json_array_foreach (json_object_get(old, "ipAssignments"), i, v) {
		if (json_is_string(v) && weft_ctl_ip_text(json_string_value(v), t) &&
		    (owners = json_object_get(ips, t)) && !json_object_del(owners, k) &&
		    !json_object_size(owners))
			json_object_del(ips, t);
	}
	json_object_del(bridges, k);
	json_array_foreach (json_object_get(rec, "ipAssignments"), i, v) {
		if (!json_is_string(v) || !weft_ctl_ip_text(json_string_value(v), t))
			continue;
		if (!(owners = json_object_get(ips, t)))
			json_object_set_new(ips, t, owners = json_object());
		json_object_set_new(owners, k, json_true());
	}
	if (json_is_true(json_object_get(rec, "activeBridge")))
		json_object_set_new(bridges, k, json_true());
}

static json_t *new_entry(json_t *rec)
{
	return json_pack("{s:O, s:{}, s:{}, s:{}}", "rec", rec, "members", "ips", "bridges");
}

static void sink_network(void *ctx, uint64_t nwid, json_t *rec)
{
	struct weft_controller *c = ctx;
	char k[17];
	if (json_object_size(c->nets) >= WEFT_CONTROLLER_MAX_NETWORKS)
		return;
	weft_ctl_key16(k, nwid);
	json_object_set_new(c->nets, k, new_entry(rec));
}

static void sink_member(void *ctx, uint64_t nwid, uint64_t addr, json_t *rec)
{
	struct weft_controller *c = ctx;
	json_t *m = members_of(c, nwid);
	char k[11];
	if (!m || c->n_members >= WEFT_CONTROLLER_MAX_MEMBERS)
		return;
	weft_ctl_key10(k, addr);
	json_object_set(m, k, rec);
	index_member(weft_ctl_entry(c, nwid), k, NULL, rec);
	c->n_members++;
}

static void sink_corrupt(void *ctx, const char *why)
{
	weft_ctl_say(ctx, "controller: corrupt document skipped, left untouched: %s", why);
}

enum weft_result weft_controller_new(struct weft_controller **out,
                                     const struct weft_controller_env *env, struct weft_store store)
{
	char why[WEFT_STORE_WHY_MAX] = "";
	struct weft_controller *c = calloc(1, sizeof *c);
	if (!c || !(c->nets = json_object()) || !(c->live = json_object())) {
		if (c)
			json_decref(c->nets);
		free(c);
		store.ops->free(store.priv);
		return WEFT_FATAL_OUT_OF_MEMORY;
	}
	c->env = *env;
	c->store = store;
	struct weft_store_sink sink = {c, sink_network, sink_member, sink_corrupt};
	enum weft_result r = store.ops->load(store.priv, &sink, why);
	if (why[0])
		weft_ctl_say(c, "%s", why);
	if (r != WEFT_OK) {
		weft_controller_free(c);
		return r;
	}
	*out = c;
	return WEFT_OK;
}

void weft_controller_free(struct weft_controller *c)
{
	if (!c)
		return;
	c->store.ops->free(c->store.priv);
	json_decref(c->nets);
	json_decref(c->live);
	free(c->nc);
	free(c->dict);
	free(c->scratch);
	free(c);
}

uint64_t weft_controller_address(const struct weft_controller *c)
{
	return c->env.address;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

// The keys of obj as numbers, ascending: fills up to cap, returns the total.
static size_t sorted_keys(const json_t *obj, uint64_t *ids, size_t cap)
{
	size_t n = json_object_size(obj), i = 0;
	if (!cap)
		return n; // every key was made from an ID
	uint64_t *all = calloc(n ? n : 1, sizeof *all);
	const char *k;
	json_t *v;
	if (!all)
		return 0;
	json_object_foreach ((json_t *)obj, k, v) {
		if (weft_hex_u64(&all[i], k, strlen(k)))
			i++;
	}
	qsort(all, i, sizeof *all, cmp_u64);
	memcpy(ids, all, (i < cap ? i : cap) * sizeof *ids);
	free(all);
	return i;
}

size_t weft_controller_networks(const struct weft_controller *c, uint64_t *ids, size_t cap)
{
	return sorted_keys(c->nets, ids, cap);
}

const json_t *weft_controller_network(const struct weft_controller *c, uint64_t nwid)
{
	return json_object_get(weft_ctl_entry(c, nwid), "rec");
}

enum weft_result weft_controller_free_id(struct weft_controller *c, uint64_t *nwid)
{
	for (unsigned i = 0; i < 100000; i++) {
		uint8_t r[3];
		c->env.random(c->env.random_ctx, r, sizeof r);
		uint64_t low = (uint64_t)r[0] << 16 | (uint64_t)r[1] << 8 | r[2];
		uint64_t id = (c->env.address & 0xffffffffffULL) << 24 | (low ? low : 1);
		if (!weft_ctl_entry(c, id)) {
			*nwid = id;
			return WEFT_OK;
		}
	}
	return WEFT_ERR_FULL;
}

// True if a and b differ in anything but their revision.
static bool changed(const json_t *a, const json_t *b)
{
	json_t *x = json_copy((json_t *)a), *y = json_copy((json_t *)b);
	json_object_del(x, "revision");
	json_object_del(y, "revision");
	bool same = json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return !same;
}

static void bump_revision(json_t *rec, const json_t *old)
{
	json_int_t rev = json_integer_value(json_object_get(old, "revision"));
	json_object_set_new(rec, "revision", json_integer(rev + 1));
}

static void drop_keys(json_t *rec, const char *const *keys)
{
	for (; *keys; keys++)
		json_object_del(rec, *keys);
}

static const char *const net_computed[] = {
    "clock", "authorizedMemberCount", "activeMemberCount", "totalMemberCount", "lastModified",
    NULL};
static const char *const member_computed[] = {"clock",
                                              "physicalAddr",
                                              "recentLog",
                                              "lastModified",
                                              "lastRequestMetaData",
                                              "authenticationURL",
                                              "authenticationClientID",
                                              NULL};

// The stored record with its missing defaults filled in, or the defaults alone (new).
static json_t *start_from(const json_t *cur, json_t *defaults)
{
	if (!cur)
		return defaults;
	json_t *rec = json_deep_copy(cur);
	json_object_update_missing(rec, defaults);
	json_decref(defaults);
	return rec;
}

enum weft_result weft_controller_network_update(struct weft_controller *c, uint64_t nwid,
                                                const json_t *body, int64_t now_ms, json_t **out,
                                                char *why)
{
	char k[17];
	json_t *e = weft_ctl_entry(c, nwid), *cur = json_object_get(e, "rec");
	if (!e && json_object_size(c->nets) >= WEFT_CONTROLLER_MAX_NETWORKS)
		return snprintf(why, WEFT_CONTROLLER_WHY_MAX, "too many networks"), WEFT_ERR_FULL;
	json_t *compiled = weft_ctl_rules_source(body, why, WEFT_CONTROLLER_WHY_MAX);
	if (!compiled)
		return WEFT_ERR_INVALID;
	json_t *rec = start_from(cur, weft_ctl_network_defaults(nwid, now_ms));
	bool ok = weft_ctl_network_apply(rec, compiled, why, WEFT_CONTROLLER_WHY_MAX);
	if (ok && compiled != body) // stored with its output, so a UI can show it again
		json_object_set(rec, "rulesSource", json_object_get(body, "rulesSource"));
	json_decref(compiled);
	if (!ok) {
		json_decref(rec);
		return WEFT_ERR_INVALID;
	}
	weft_ctl_key16(k, nwid);
	json_object_set_new(rec, "id", json_string(k));
	json_object_set_new(rec, "nwid", json_string(k));
	drop_keys(rec, net_computed);
	if (cur && !changed(cur, rec)) {
		json_decref(rec);
		*out = json_incref(cur);
		return WEFT_OK;
	}
	bump_revision(rec, cur);
	enum weft_result r = c->store.ops->put_network(c->store.priv, nwid, rec, why);
	if (r != WEFT_OK) {
		json_decref(rec);
		return r;
	}
	if (e)
		json_object_set(e, "rec", rec);
	else
		json_object_set_new(c->nets, k, new_entry(rec));
	*out = rec;
	if (cur)
		weft_ctl_push_network(c, nwid, now_ms);
	return WEFT_OK;
}

enum weft_result weft_controller_network_delete(struct weft_controller *c, uint64_t nwid,
                                                json_t **old, int64_t now_ms, char *why)
{
	char k[17];
	const char *mk;
	json_t *e = weft_ctl_entry(c, nwid), *m;
	if (!e)
		return WEFT_ERR_NOT_FOUND;
	enum weft_result r = c->store.ops->delete_network(c->store.priv, nwid, why);
	if (r != WEFT_OK)
		return r;
	json_object_foreach (json_object_get(e, "members"), mk, m) { // everyone loses access now
		unsigned long long a = strtoull(mk, NULL, 16);
		if (json_is_true(json_object_get(m, "authorized")))
			weft_ctl_revoke(c, nwid, a, now_ms);
	}
	json_object_foreach (json_object_get(e, "members"), mk, m)
		weft_ctl_forget(c, nwid, strtoull(mk, NULL, 16));
	*old = json_incref(json_object_get(e, "rec"));
	c->n_members -= json_object_size(json_object_get(e, "members"));
	weft_ctl_key16(k, nwid);
	json_object_del(c->nets, k);
	return WEFT_OK;
}

size_t weft_controller_members(const struct weft_controller *c, uint64_t nwid, uint64_t *ids,
                               size_t cap, size_t *authorized)
{
	const json_t *m = members_of(c, nwid), *v;
	const char *k;
	if (authorized) {
		*authorized = 0;
		json_object_foreach ((json_t *)m, k, v)
			*authorized += json_is_true(json_object_get(v, "authorized"));
	}
	return m ? sorted_keys(m, ids, cap) : 0;
}

const json_t *weft_controller_member(const struct weft_controller *c, uint64_t nwid, uint64_t addr)
{
	char k[11];
	weft_ctl_key10(k, addr);
	return json_object_get(members_of(c, nwid), k);
}

enum weft_result weft_controller_member_update(struct weft_controller *c, uint64_t nwid,
                                               uint64_t addr, const json_t *body, int64_t now_ms,
                                               json_t **out, char *why)
{
	char k[11];
	json_t *m = members_of(c, nwid), *cur;
	if (!m)
		return WEFT_ERR_NOT_FOUND;
	weft_ctl_key10(k, addr);
	cur = json_object_get(m, k);
	if (!cur && c->n_members >= WEFT_CONTROLLER_MAX_MEMBERS)
		return snprintf(why, WEFT_CONTROLLER_WHY_MAX, "too many members"), WEFT_ERR_FULL;
	json_t *rec = start_from(cur, weft_ctl_member_defaults(nwid, addr, now_ms));
	if (!weft_ctl_member_apply(rec, body, now_ms, why, WEFT_CONTROLLER_WHY_MAX)) {
		json_decref(rec);
		return WEFT_ERR_INVALID;
	}
	// Lower case in id and address, as the file name is (§2.7.9 allows it).
	char nk[17];
	weft_ctl_key16(nk, nwid);
	json_object_set_new(rec, "id", json_string(k));
	json_object_set_new(rec, "address", json_string(k));
	json_object_set_new(rec, "nwid", json_string(nk));
	drop_keys(rec, member_computed);
	bool was = json_is_true(json_object_get(cur, "authorized")), saved;
	enum weft_result r = weft_ctl_member_commit(c, nwid, addr, rec, &saved, why);
	json_decref(rec);
	if (r != WEFT_OK)
		return r;
	*out = json_incref(json_object_get(m, k));
	if (was && !json_is_true(json_object_get(*out, "authorized")))
		weft_ctl_revoke(c, nwid, addr, now_ms);
	if (saved)
		weft_ctl_push_member(c, nwid, addr, now_ms);
	return WEFT_OK;
}

enum weft_result weft_ctl_member_commit(struct weft_controller *c, uint64_t nwid, uint64_t addr,
                                        json_t *rec, bool *saved, char *why)
{
	char k[11];
	json_t *m = members_of(c, nwid), *cur;
	bool dummy;
	saved = saved ? saved : &dummy;
	*saved = false;
	if (!m)
		return WEFT_ERR_NOT_FOUND;
	weft_ctl_key10(k, addr);
	cur = json_object_get(m, k);
	if (cur && !changed(cur, rec))
		return WEFT_OK;
	bump_revision(rec, cur);
	enum weft_result r = c->store.ops->put_member(c->store.priv, nwid, addr, rec, why);
	if (r != WEFT_OK)
		return r;
	*saved = true;
	c->n_members += !cur;
	index_member(weft_ctl_entry(c, nwid), k, cur, rec);
	json_object_set(m, k, rec);
	return WEFT_OK;
}

enum weft_result weft_controller_member_delete(struct weft_controller *c, uint64_t nwid,
                                               uint64_t addr, json_t **old, int64_t now_ms,
                                               char *why)
{
	char k[11];
	json_t *m = members_of(c, nwid), *cur;
	weft_ctl_key10(k, addr);
	if (!(cur = json_object_get(m, k)))
		return WEFT_ERR_NOT_FOUND;
	enum weft_result r = c->store.ops->delete_member(c->store.priv, nwid, addr, why);
	if (r != WEFT_OK)
		return r;
	*old = json_incref(cur);
	index_member(weft_ctl_entry(c, nwid), k, cur, NULL);
	json_object_del(m, k);
	c->n_members--;
	if (json_is_true(json_object_get(*old, "authorized")))
		weft_ctl_revoke(c, nwid, addr, now_ms);
	weft_ctl_forget(c, nwid, addr);
	return WEFT_OK;
}
