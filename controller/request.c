// SPDX-License-Identifier: MPL-2.0
// Serving members (vl2.md §9.1-9.9): config requests in the reference's order (rate limit,
// identity pinning, authorization, SSO, build, save, send), what is observed of each member
// (kept in memory only: it changes on every poll), pushes after API changes, and COM
// revocations when a member loses access.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "controller_int.h"
#include "dict.h"
#include "inetaddr.h"
#include "limits.h"
#include "record.h"

#define RATE_LIMIT_MS 1000   // genuine requests closer than this are dropped
#define ONLINE_MS     120000 // a member is online this long after a request
#define META_MAX      1024   // request metadata capacity (vl2.md §11)

enum {
	ERR_OBJ_NOT_FOUND = 3,
	ERR_ACCESS_DENIED = 7,
	ERR_AUTHENTICATION_REQUIRED = 9,
};

static void live_key(char out[28], uint64_t nwid, uint64_t addr)
{
	snprintf(out, 28, "%016" PRIx64 "-%010" PRIx64, nwid, (uint64_t)(addr & 0xffffffffffULL));
}

static json_t *live_get(const struct weft_controller *c, uint64_t nwid, uint64_t addr)
{
	char k[28];
	live_key(k, nwid, addr);
	return json_object_get(c->live, k);
}

static json_t *live_make(struct weft_controller *c, uint64_t nwid, uint64_t addr)
{
	char k[28];
	json_t *lv = live_get(c, nwid, addr);
	if (lv)
		return lv;
	live_key(k, nwid, addr);
	lv = json_object();
	json_object_set_new(c->live, k, lv);
	return lv;
}

void weft_ctl_forget(struct weft_controller *c, uint64_t nwid, uint64_t addr)
{
	char k[28];
	live_key(k, nwid, addr);
	json_object_del(c->live, k);
}

static bool online(const json_t *lv, int64_t now_ms)
{
	const json_t *seen = json_object_get(lv, "seen");
	return seen && now_ms - json_integer_value(seen) < ONLINE_MS;
}

static void send_error(struct weft_controller *c, const struct weft_ctl_request *q, unsigned code,
                       int64_t now_ms)
{
	c->refused++;
	if (q->request_id && c->env.send_error) // a push has nobody to refuse
		c->env.send_error(c->env.send_ctx, q->nwid, q->member, q->request_id, code, now_ms);
}

// Public network or a valid join token (§9.2): the record says so from now on.
static bool authorize(const json_t *net, json_t *rec, const struct weft_dict *meta, int64_t now_ms)
{
	char token[META_MAX];
	const char *how = NULL;
	if (!json_is_false(json_object_get(net, "private"))) { // private unless said otherwise
		const json_t *tokens = json_object_get(net, "authTokens"), *exp;
		if (weft_dict_get_string(meta, "a", token, sizeof token) &&
		    !strncmp(token, "token:", 6) && token[6] && json_is_object(tokens) &&
		    json_is_number(exp = json_object_get(tokens, token + 6)) &&
		    (json_number_value(exp) == 0 || json_number_value(exp) > (double)now_ms))
			how = "token";
	} else {
		how = "public";
	}
	if (!how)
		return false;
	json_object_set_new(rec, "authorized", json_true());
	json_object_set_new(rec, "lastAuthorizedTime", json_integer(now_ms));
	json_object_set_new(rec, "lastAuthorizedCredentialType", json_string(how));
	json_object_set_new(rec, "lastAuthorizedCredential",
	                    strcmp(how, "token") ? json_null() : json_string(token + 6));
	return true;
}

static bool prepare(struct weft_controller *c)
{
	if (c->nc)
		return true;
	c->nc = malloc(sizeof *c->nc);
	c->dict = malloc(WEFT_LIMIT_CFG_DICT);
	c->scratch = malloc(WEFT_LIMIT_CFG_DICT);
	return c->nc && c->dict && c->scratch;
}

static void save(struct weft_controller *c, uint64_t nwid, uint64_t addr, json_t *rec)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	if (weft_ctl_member_commit(c, nwid, addr, rec, NULL, why) != WEFT_OK)
		weft_ctl_say(c, "controller: member %010" PRIx64 " of %016" PRIx64 " not saved: %s",
		             addr, nwid, why);
}

// §9.1 step 3 onwards, for a genuine request or (request_id 0) a push.
static void answer(struct weft_controller *c, const struct weft_ctl_request *q, json_t *lv,
                   int64_t now_ms)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "", k[11];
	struct weft_identity who;
	struct weft_dict meta;
	json_t *e = weft_ctl_entry(c, q->nwid);
	const json_t *net = json_object_get(e, "rec");
	if (!net || !c->env.signer || !prepare(c))
		return send_error(c, q, ERR_OBJ_NOT_FOUND, now_ms);
	if (!q->identity ||
	    weft_identity_from_string(&who, q->identity, strlen(q->identity), NULL) != WEFT_OK ||
	    who.address != q->member)
		return send_error(c, q, ERR_ACCESS_DENIED, now_ms);
	weft_dict_view(&meta, q->metadata, q->metadata_len);
	weft_ctl_key10(k, q->member);
	const json_t *cur = json_object_get(json_object_get(e, "members"), k);
	json_t *rec = json_deep_copy(cur);
	json_t *dfl = weft_ctl_member_defaults(q->nwid, q->member, now_ms);
	if (!rec)
		rec = json_incref(dfl);
	else
		json_object_update_missing(rec, dfl);
	json_decref(dfl);

	// The first identity seen for an address is pinned: a colliding one is refused.
	const char *pinned = json_string_value(json_object_get(rec, "identity"));
	struct weft_identity old;
	if (pinned && (weft_identity_from_string(&old, pinned, strlen(pinned), NULL) != WEFT_OK ||
	               !weft_identity_equal_public(&old, &who))) {
		json_decref(rec);
		return send_error(c, q, ERR_ACCESS_DENIED, now_ms);
	}
	if (!pinned)
		json_object_set_new(rec, "identity", json_string(q->identity));
	bool authorized = json_is_true(json_object_get(rec, "authorized"));
	if (!authorized && q->request_id)
		authorized = authorize(net, rec, &meta, now_ms);
	bool new_member = !cur && authorized;
	if (json_is_true(json_object_get(net, "ssoEnabled")) &&
	    !json_is_true(json_object_get(rec, "ssoExempt")) &&
	    json_integer_value(json_object_get(rec, "authenticationExpiryTime")) <= now_ms) {
		save(c, q->nwid, q->member, rec);
		json_decref(rec);
		return send_error(c, q, ERR_AUTHENTICATION_REQUIRED, now_ms);
	}
	// Kept for pushes even when refused: authorizing the member then sends its config at once
	// instead of at its next poll (1.14 pushes only to members that were in).
	if (q->request_id)
		json_object_set_new(lv, "meta", json_stringn_nocheck(q->metadata, q->metadata_len));
	if (!authorized) {
		save(c, q->nwid, q->member, rec);
		json_decref(rec);
		return send_error(c, q, ERR_ACCESS_DENIED, now_ms);
	}
	if (q->request_id) {
		static const char *const keys[][2] = {
		    {"majv", "vMajor"}, {"minv", "vMinor"}, {"revv", "vRev"}, {"pv", "vProto"}};
		for (unsigned i = 0; i < 4; i++)
			json_object_set_new(
			    rec, keys[i][1],
			    json_integer((json_int_t)weft_dict_get_u64(&meta, keys[i][0], 0)));
	}
	struct weft_ctl_build b = {
	    .nwid = q->nwid,
	    .network = net,
	    .member = rec,
	    .new_member = new_member,
	    .full_rules = weft_dict_get_u64(&meta, "revr", 0) > 0,
	    .taken = json_object_get(e, "ips"),
	    .bridges = json_object_get(e, "bridges"),
	    .member_id = &who,
	    .signer = c->env.signer,
	    .now_ms = now_ms,
	    .random = c->env.random,
	    .random_ctx = c->env.random_ctx,
	};
	struct weft_dict d;
	weft_dict_init(&d, c->dict, WEFT_LIMIT_CFG_DICT);
	enum weft_result r = weft_ctl_build_netconf(c->nc, &b, why, sizeof why);
	if (r == WEFT_OK)
		r = weft_netconf_encode(c->nc, &d, c->scratch, WEFT_LIMIT_CFG_DICT);
	save(c, q->nwid, q->member, rec);
	json_decref(rec);
	if (r != WEFT_OK) {
		weft_ctl_say(c, "controller: no config for %010" PRIx64 " on %016" PRIx64 ": %s",
		             q->member, q->nwid, why[0] ? why : weft_result_str(r));
		return send_error(c, q, ERR_OBJ_NOT_FOUND, now_ms);
	}
	c->answered++;
	if (c->env.send_config)
		c->env.send_config(c->env.send_ctx, q->nwid, q->member, q->request_id, d.p, d.len,
		                   now_ms);
}

void weft_controller_request(struct weft_controller *c, const struct weft_ctl_request *q,
                             int64_t now_ms)
{
	c->requests++;
	if ((q->nwid >> 24) != (c->env.address & 0xffffffffffULL) || q->metadata_len > META_MAX) {
		c->dropped++;
		return;
	}
	if (!weft_ctl_entry(c, q->nwid)) { // nothing remembered of requests for no network
		send_error(c, q, ERR_OBJ_NOT_FOUND, now_ms);
		return;
	}
	if (!live_get(c, q->nwid, q->member) &&
	    json_object_size(c->live) >= WEFT_CONTROLLER_MAX_MEMBERS) {
		c->dropped++; // one entry per member at most; a member beyond the cap is not served
		return;
	}
	json_t *lv = live_make(c, q->nwid, q->member);
	const json_t *seen = json_object_get(lv, "seen");
	if (seen && now_ms - json_integer_value(seen) <= RATE_LIMIT_MS &&
	    now_ms >= json_integer_value(seen)) {
		c->dropped++;
		return;
	}
	json_object_set_new(lv, "seen", json_integer(now_ms));
	if (q->physical) {
		char addr[WEFT_INETADDR_STR_MAX];
		weft_inetaddr_to_string(q->physical, addr, sizeof addr);
		json_object_set_new(lv, "phys", json_string(addr));
	}
	answer(c, q, lv, now_ms);
}

void weft_ctl_push_member(struct weft_controller *c, uint64_t nwid, uint64_t addr, int64_t now_ms)
{
	json_t *lv = live_get(c, nwid, addr);
	const json_t *meta = json_object_get(lv, "meta");
	const json_t *rec = weft_controller_member(c, nwid, addr);
	if (!online(lv, now_ms) || !meta || !rec)
		return;
	struct weft_ctl_request q = {
	    .nwid = nwid,
	    .member = addr,
	    .identity = json_string_value(json_object_get(rec, "identity")),
	    .metadata = json_string_value(meta),
	    .metadata_len = json_string_length(meta),
	};
	answer(c, &q, lv, now_ms);
}

void weft_ctl_push_network(struct weft_controller *c, uint64_t nwid, int64_t now_ms)
{
	const char *k;
	json_t *m, *tmp;
	json_t *members = json_object_get(weft_ctl_entry(c, nwid), "members");
	// answer() may re-save members (not add or remove them): iterate safely anyway.
	json_object_foreach_safe(members, tmp, k, m)
	    weft_ctl_push_member(c, nwid, strtoull(k, NULL, 16), now_ms);
}

void weft_ctl_revoke(struct weft_controller *c, uint64_t nwid, uint64_t target, int64_t now_ms)
{
	uint8_t buf[16 + WEFT_REVOCATION_LEN];
	struct weft_wbuf w;
	struct weft_revocation rev = {
	    .nwid = nwid,
	    .threshold = now_ms,
	    .flags = WEFT_REVOCATION_FAST_PROPAGATE,
	    .target = target,
	    .type = WEFT_CREDENTIAL_COM,
	};
	if (!c->env.signer || !c->env.send_credentials)
		return;
	c->env.random(c->env.random_ctx, &rev.id, sizeof rev.id);
	if (weft_revocation_sign(&rev, c->env.signer) != WEFT_OK)
		return;
	wbuf_init(&w, buf, sizeof buf); // no COM, no capabilities, no tags, one revocation, no COOs
	wbuf_u8(&w, 0);
	wbuf_u16(&w, 0);
	wbuf_u16(&w, 0);
	wbuf_u16(&w, 1);
	weft_revocation_encode(&rev, &w);
	wbuf_u16(&w, 0);
	if (w.bad)
		return;
	char prefix[18];
	size_t plen = (size_t)snprintf(prefix, sizeof prefix, "%016" PRIx64 "-", nwid);
	const char *k;
	json_t *lv;
	bool target_told = false;
	json_object_foreach (c->live, k, lv) {
		if (strncmp(k, prefix, plen) || !online(lv, now_ms))
			continue;
		uint64_t to = strtoull(k + plen, NULL, 16);
		target_told |= to == target;
		c->env.send_credentials(c->env.send_ctx, to, buf, w.len, now_ms);
	}
	if (!target_told)
		c->env.send_credentials(c->env.send_ctx, target, buf, w.len, now_ms);
}

void weft_controller_member_observed(const struct weft_controller *c, uint64_t nwid, uint64_t addr,
                                     int64_t now_ms, json_t *doc)
{
	const json_t *lv = live_get(c, nwid, addr), *phys = json_object_get(lv, "phys");
	const json_t *meta = json_object_get(lv, "meta");
	json_int_t v[3] = {json_integer_value(json_object_get(doc, "vMajor")),
	                   json_integer_value(json_object_get(doc, "vMinor")),
	                   json_integer_value(json_object_get(doc, "vRev"))};
	char ver[80];
	if (meta) { // the latest request says more than the stored record (saved only when in)
		struct weft_dict d;
		weft_dict_view(&d, (const uint8_t *)json_string_value(meta),
		               json_string_length(meta));
		v[0] =
		    weft_dict_has(&d, "majv") ? (json_int_t)weft_dict_get_u64(&d, "majv", 0) : -1;
		v[1] = (json_int_t)weft_dict_get_u64(&d, "minv", 0);
		v[2] = (json_int_t)weft_dict_get_u64(&d, "revv", 0);
	}
	json_object_set_new(doc, "online", json_boolean(online(lv, now_ms)));
	json_object_set_new(doc, "lastSeen",
	                    json_integer(json_integer_value(json_object_get(lv, "seen"))));
	json_object_set_new(doc, "physicalAddress",
	                    phys ? json_incref((json_t *)phys) : json_null());
	if (v[0] >= 0) {
		snprintf(ver, sizeof ver,
		         "%" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT,
		         v[0], v[1], v[2]);
		json_object_set_new(doc, "version", json_string(ver));
	} else {
		json_object_set_new(doc, "version", json_null());
	}
}

void weft_controller_counts(const struct weft_controller *c, uint64_t *answered, uint64_t *refused,
                            uint64_t *dropped)
{
	*answered = c->answered;
	*refused = c->refused;
	*dropped = c->dropped;
}
