// SPDX-License-Identifier: MPL-2.0
// The configuration a 1.14 controller would issue to one member (vl2.md §9.3, 9.5, 9.6): read
// from the network and member documents with the reference's defaults, every credential stamped
// with one `now` and signed by the controller. Absent or odd values read as their defaults here,
// since the API already refused what it could not coerce.
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "inetaddr.h"
#include "record.h"
#include "rule_json.h"

#define CTMD_DEFAULT 1800000 // credential time max delta, ms (vl2.md §11)
#define CTMD_MIN     300000
#define CTMD_MAX     7200000

static json_int_t jint(const json_t *obj, const char *key, json_int_t dfl)
{
	json_int_t v;
	return weft_ctl_to_int(json_object_get(obj, key), &v) ? v : dfl;
}

static bool jbool(const json_t *obj, const char *key, bool dfl)
{
	bool v;
	return weft_ctl_to_bool(json_object_get(obj, key), &v) ? v : dfl;
}

static json_int_t clamp(json_int_t v, json_int_t lo, json_int_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void trace_target(struct weft_netconf *nc, const struct weft_ctl_build *b)
{
	const char *m = json_string_value(json_object_get(b->member, "remoteTraceTarget"));
	const char *n = json_string_value(json_object_get(b->network, "remoteTraceTarget"));
	unsigned long long t;
	if (m && strlen(m) == 10 && sscanf(m, "%llx", &t) == 1) {
		nc->remote_trace_target = t & 0xffffffffffULL;
		nc->remote_trace_level = 0; // 1.14 re-defaults the member's level on load (§9.11)
		return;
	}
	if (n && strlen(n) == 10 && sscanf(n, "%llx", &t) == 1)
		nc->remote_trace_target = t & 0xffffffffffULL;
	nc->remote_trace_level = (uint64_t)jint(b->network, "remoteTraceLevel", 0);
}

// Rules in their JSON form, those that do not parse skipped, at most cap.
static unsigned rules_from(const json_t *list, struct weft_rule *out, unsigned cap)
{
	unsigned n = 0;
	size_t i;
	const json_t *r;
	char why[160];
	json_array_foreach (list, i, r) {
		if (n >= cap)
			break;
		if (weft_rule_from_json(r, &out[n], why, sizeof why) == WEFT_OK)
			n++;
	}
	return n;
}

static bool member_has_cap(const json_t *caps, json_int_t id)
{
	size_t i;
	const json_t *v;
	json_int_t x;
	json_array_foreach (caps, i, v)
		if (weft_ctl_to_int(v, &x) && (x & 0xffffffff) == id)
			return true;
	return false;
}

static const json_t *network_cap(const json_t *caps, json_int_t id)
{
	size_t i;
	const json_t *c;
	json_array_foreach (caps, i, c)
		if (json_is_object(c) && (jint(c, "id", 0) & 0xffffffff) == id)
			return c;
	return NULL;
}

static bool capabilities(struct weft_netconf *nc, const struct weft_ctl_build *b)
{
	const json_t *net_caps = json_object_get(b->network, "capabilities");
	json_t *mine = json_object_get(b->member, "capabilities");
	size_t i;
	const json_t *c;
	if (!json_is_array(mine)) {
		mine = json_array();
		json_object_set_new(b->member, "capabilities", mine);
	}
	if (b->new_member) // default capabilities go only to members authorized at first sight
		json_array_foreach (net_caps, i, c) {
			json_int_t id = jint(c, "id", 0) & 0xffffffff;
			if (json_is_object(c) && jbool(c, "default", false) &&
			    !member_has_cap(mine, id))
				json_array_append_new(mine, json_integer(id));
		}
	json_array_foreach (mine, i, c) {
		json_int_t id;
		const json_t *def;
		if (nc->n_caps >= WEFT_NETCONF_MAX_CAPS)
			break;
		if (!weft_ctl_to_int(c, &id) || !(def = network_cap(net_caps, id & 0xffffffff)) ||
		    !json_object_size(def))
			continue;
		struct weft_cap *cap = &nc->caps[nc->n_caps];
		memset(cap, 0, sizeof *cap);
		cap->nwid = b->nwid;
		cap->timestamp = b->now_ms;
		cap->id = (uint32_t)id;
		cap->max_custody = 1;
		cap->n_rules =
		    rules_from(json_object_get(def, "rules"), cap->rules, WEFT_CAP_MAX_RULES);
		if (weft_cap_sign(cap, b->signer, b->member_id->address) != WEFT_OK)
			return false;
		nc->n_caps++;
	}
	return true;
}

static bool tags(struct weft_netconf *nc, const struct weft_ctl_build *b)
{
	static const json_int_t none = -1;
	json_int_t value[WEFT_NETCONF_MAX_TAGS];
	uint32_t ids[WEFT_NETCONF_MAX_TAGS];
	unsigned n = 0;
	size_t i;
	const json_t *t;
	json_t *mine = json_object_get(b->member, "tags");
	if (!json_is_array(mine)) {
		mine = json_array();
		json_object_set_new(b->member, "tags", mine);
	}
	// Member pairs first (a later pair for an ID wins), then the network's numeric defaults.
	json_array_foreach (mine, i, t) {
		json_int_t id, v;
		if (!json_is_array(t) || json_array_size(t) != 2 ||
		    !weft_ctl_to_int(json_array_get(t, 0), &id) ||
		    !weft_ctl_to_int(json_array_get(t, 1), &v))
			continue;
		unsigned k = 0;
		while (k < n && ids[k] != (uint32_t)id)
			k++;
		if (k == n && n == WEFT_NETCONF_MAX_TAGS)
			continue;
		ids[k] = (uint32_t)id;
		value[k] = v & 0xffffffff;
		n += k == n;
	}
	json_array_foreach (json_object_get(b->network, "tags"), i, t) {
		const json_t *dfl = json_object_get(t, "default");
		uint32_t id = (uint32_t)jint(t, "id", 0);
		unsigned k = 0;
		if (!json_is_object(t) || !json_is_number(dfl))
			continue;
		while (k < n && ids[k] != id)
			k++;
		if (k < n || n == WEFT_NETCONF_MAX_TAGS)
			continue;
		ids[n] = id;
		value[n++] = jint(t, "default", none) & 0xffffffff;
		json_array_append_new(mine, json_pack("[I, O]", (json_int_t)id, dfl));
	}
	for (unsigned k = 0; k < n; k++) { // ascending by ID
		unsigned lo = k;
		for (unsigned j = k + 1; j < n; j++)
			if (ids[j] < ids[lo])
				lo = j;
		uint32_t ti = ids[k];
		json_int_t tv = value[k];
		ids[k] = ids[lo], value[k] = value[lo];
		ids[lo] = ti, value[lo] = tv;
		struct weft_tag *tag = &nc->tags[nc->n_tags];
		*tag = (struct weft_tag){.nwid = b->nwid,
		                         .timestamp = b->now_ms,
		                         .id = ids[k],
		                         .value = (uint32_t)value[k],
		                         .issued_to = b->member_id->address};
		if (weft_tag_sign(tag, b->signer) != WEFT_OK)
			return false;
		nc->n_tags++;
	}
	return true;
}

static void routes(struct weft_netconf *nc, const json_t *list)
{
	size_t i;
	const json_t *r;
	json_array_foreach (list, i, r) {
		struct weft_inetaddr t, v;
		const char *ts = json_string_value(json_object_get(r, "target"));
		const char *vs = json_string_value(json_object_get(r, "via"));
		if (nc->n_routes >= WEFT_NETCONF_MAX_ROUTES)
			break;
		if (!ts || !weft_inetaddr_from_string(&t, ts))
			continue;
		struct weft_netconf_route *rt = &nc->routes[nc->n_routes++];
		memset(rt, 0, sizeof *rt);
		rt->target = t;
		if (vs && weft_inetaddr_from_string(&v, vs) && v.family == t.family) {
			v.port = 0;
			rt->via = v;
		}
	}
}

static void dns(struct weft_netconf *nc, const json_t *d)
{
	const char *domain = json_string_value(json_object_get(d, "domain"));
	size_t i;
	const json_t *s;
	if (!json_is_object(d))
		return;
	if (domain && strlen(domain) < WEFT_NETCONF_DNS_DOMAIN_LEN)
		memcpy(nc->dns.domain, domain, strlen(domain));
	json_array_foreach (json_object_get(d, "servers"), i, s) {
		if (i >= WEFT_NETCONF_MAX_DNS_SERVERS)
			break;
		const char *ip = json_string_value(s);
		if (!ip || !weft_inetaddr_from_string(&nc->dns.servers[i], ip))
			memset(&nc->dns.servers[i], 0, sizeof nc->dns.servers[i]);
		nc->dns.servers[i].port = 0;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void specialists(struct weft_netconf *nc, const json_t *bridges)
{
	const char *k;
	const json_t *v;
	json_object_foreach ((json_t *)bridges, k, v) {
		unsigned long long a;
		if (nc->n_specialists < WEFT_NETCONF_MAX_SPECIALISTS && sscanf(k, "%llx", &a) == 1)
			nc->specialists[nc->n_specialists++] =
			    (a & WEFT_NETCONF_SPECIALIST_ADDRESS_MASK) |
			    WEFT_NETCONF_SPECIALIST_ACTIVE_BRIDGE;
	}
	qsort(nc->specialists, nc->n_specialists, sizeof nc->specialists[0], cmp_u64);
}

static bool credentials(struct weft_netconf *nc, const struct weft_ctl_build *b, char *why,
                        size_t cap)
{
	if (nc->n_static_ips) { // one certificate of ownership for every static IP
		struct weft_coo *coo = &nc->coos[0];
		*coo = (struct weft_coo){.nwid = b->nwid,
		                         .timestamp = b->now_ms,
		                         .id = 1,
		                         .issued_to = b->member_id->address};
		for (unsigned i = 0; i < nc->n_static_ips && i < WEFT_COO_MAX_THINGS; i++)
			weft_coo_add_ip(coo, &nc->static_ips[i]);
		if (weft_coo_sign(coo, b->signer) != WEFT_OK)
			return snprintf(why, cap, "cannot sign the certificate of ownership"),
			       false;
		nc->n_coos = 1;
	}
	if (weft_com_init(&nc->com, b->now_ms, (uint64_t)nc->credential_time_max_delta_ms, b->nwid,
	                  b->member_id) != WEFT_OK ||
	    weft_com_sign(&nc->com, b->signer) != WEFT_OK)
		return snprintf(why, cap, "cannot sign the certificate of membership"), false;
	nc->has_com = true;
	return true;
}

enum weft_result weft_ctl_build_netconf(struct weft_netconf *nc, const struct weft_ctl_build *b,
                                        char *why, size_t cap)
{
	const json_t *net = b->network;
	// Zero all but the big arrays (0.5 MB): only their first n_* entries are ever read, and
	// each entry is written whole before it counts. A full memset was 6% of a request.
	memset(nc, 0, offsetof(struct weft_netconf, caps));
	nc->n_caps = nc->n_tags = nc->n_coos = nc->n_specialists = 0;
	nc->n_routes = nc->n_static_ips = nc->n_rules = 0;
	memset(&nc->dns, 0, sizeof *nc - offsetof(struct weft_netconf, dns));
	nc->nwid = b->nwid;
	nc->timestamp_ms = b->now_ms;
	nc->credential_time_max_delta_ms =
	    clamp(jint(net, "certificateTimeoutWindowSize", CTMD_DEFAULT), CTMD_MIN, CTMD_MAX);
	nc->revision = (uint64_t)jint(net, "revision", 0);
	nc->issued_to = b->member_id->address;
	nc->type = jbool(net, "private", true) ? WEFT_NETCONF_PRIVATE : WEFT_NETCONF_PUBLIC;
	if (jbool(net, "enableBroadcast", true))
		nc->flags |= WEFT_NETCONF_F_ENABLE_BROADCAST;
	const char *name = json_string_value(json_object_get(net, "name"));
	snprintf(nc->name, sizeof nc->name, "%s", name ? name : "");
	nc->mtu = (uint32_t)clamp(jint(net, "mtu", WEFT_NETCONF_MTU_DEFAULT), WEFT_NETCONF_MTU_MIN,
	                          WEFT_NETCONF_MTU_MAX);
	nc->multicast_limit = (uint32_t)jint(net, "multicastLimit", 32);
	nc->sso_enabled = jbool(net, "ssoEnabled", false);
	if (nc->sso_enabled) // the file back end has no SSO provider: version 0, no URL
		nc->authentication_expiry_time_ms = jint(b->member, "authenticationExpiryTime", 0);
	snprintf(nc->sso_provider, sizeof nc->sso_provider, "default");
	trace_target(nc, b);
	specialists(nc, b->bridges);
	if (!b->full_rules) { // a member without the rules engine gets "accept everything"
		weft_rule_init(&nc->rules[0], WEFT_RULE_ACTION_ACCEPT, false, false);
		nc->n_rules = 1;
	} else {
		nc->n_rules =
		    rules_from(json_object_get(net, "rules"), nc->rules, WEFT_NETCONF_MAX_RULES);
		if (!capabilities(nc, b) || !tags(nc, b))
			return snprintf(why, cap, "cannot sign a capability or tag"),
			       WEFT_ERR_INVALID;
	}
	routes(nc, json_object_get(net, "routes"));
	weft_ctl_assign_ips(nc, b);
	dns(nc, json_object_get(net, "dns"));
	return credentials(nc, b, why, cap) ? WEFT_OK : WEFT_ERR_INVALID;
}
