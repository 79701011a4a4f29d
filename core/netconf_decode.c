// SPDX-License-Identifier: MPL-2.0
// Member-side decoding of the network configuration dictionary (vl2.md §3.2, §3.6). Binary
// values are unescaped one at a time into the caller's scratch and parsed with bounded readers;
// every list stops at its §3.5 cap. Which errors reject the whole config follows §3.6 step 4.
#include <string.h>

#include "inetaddr.h"
#include "netconf.h"

// Unescapes the value of `key` into scratch; *n is 0 when the key is absent or its value empty
// (an empty binary value carries nothing, so it is treated as absent).
static enum weft_result get_blob(const struct weft_dict *d, const char *key, uint8_t *scratch,
                                 size_t cap, size_t *n)
{
	long got = weft_dict_get(d, key, scratch, cap);
	*n = 0;
	if (got == WEFT_DICT_ABSENT)
		return WEFT_OK;
	if (got < 0 || (size_t)got > cap)
		return WEFT_ERR_TOO_BIG;
	*n = (size_t)got;
	return WEFT_OK;
}

// Text truncated to cap - 1 bytes and cut at its first NUL; the rest of `out` is zeroed so
// equal texts give equal bytes. False (and "") when absent.
static bool get_text(const struct weft_dict *d, const char *key, char *out, size_t cap)
{
	bool present = weft_dict_get_string(d, key, out, cap);
	size_t len = strlen(out);
	memset(out + len, 0, cap - len);
	return present;
}

static uint64_t get_address(const struct weft_dict *d, const char *key)
{
	return weft_dict_get_u64(d, key, 0) & WEFT_NETCONF_SPECIALIST_ADDRESS_MASK;
}

static uint32_t clamp_mtu(uint32_t mtu)
{
	if (mtu < WEFT_NETCONF_MTU_MIN)
		return WEFT_NETCONF_MTU_MIN;
	if (mtu > WEFT_NETCONF_MTU_MAX)
		return WEFT_NETCONF_MTU_MAX;
	return mtu;
}

// Scalars and the §3.6 step 1 acceptance checks.
static enum weft_result decode_scalars(struct weft_netconf *nc, const struct weft_dict *d)
{
	if (weft_dict_get_u64(d, "v", 0) < WEFT_NETCONF_VERSION_MIN)
		return WEFT_ERR_INVALID;
	nc->nwid = weft_dict_get_u64(d, "nwid", 0);
	nc->issued_to = get_address(d, "id");
	if (nc->nwid == 0 || nc->issued_to == 0)
		return WEFT_ERR_INVALID;
	nc->timestamp_ms = weft_dict_get_i64(d, "ts", 0);
	nc->credential_time_max_delta_ms = weft_dict_get_i64(d, "ctmd", 0);
	nc->revision = weft_dict_get_u64(d, "r", 0);
	nc->remote_trace_target = get_address(d, "tt");
	nc->remote_trace_level = weft_dict_get_u64(d, "tl", 0);
	nc->flags = weft_dict_get_u64(d, "f", 0);
	// The reference keeps these in 32-bit unsigned fields: truncate, then clamp the MTU.
	nc->multicast_limit = (uint32_t)weft_dict_get_u64(d, "ml", 0);
	nc->mtu = clamp_mtu((uint32_t)weft_dict_get_u64(d, "mtu", WEFT_NETCONF_MTU_DEFAULT));
	nc->type = weft_dict_get_u64(d, "t", 0) == WEFT_NETCONF_PUBLIC ? WEFT_NETCONF_PUBLIC
	                                                               : WEFT_NETCONF_PRIVATE;
	get_text(d, "n", nc->name, sizeof nc->name);
	return WEFT_OK;
}

// Version 0 carries the URL and expiry only when enabled; version 1 the OIDC fields. Other
// versions carry nothing more.
static void decode_sso(struct weft_netconf *nc, const struct weft_dict *d)
{
	nc->sso_version = weft_dict_get_u64(d, "ssov", 0);
	nc->sso_enabled = weft_dict_get_bool(d, "ssoe", false);
	memcpy(nc->sso_provider, "default", sizeof "default");
	if (nc->sso_version == 0 && nc->sso_enabled) {
		get_text(d, "aurl", nc->authentication_url, sizeof nc->authentication_url);
		nc->authentication_expiry_time_ms = weft_dict_get_i64(d, "aexpt", 0);
	} else if (nc->sso_version == 1) {
		get_text(d, "aurl", nc->authentication_url, sizeof nc->authentication_url);
		get_text(d, "iurl", nc->issuer_url, sizeof nc->issuer_url);
		get_text(d, "ssoce", nc->central_endpoint_url, sizeof nc->central_endpoint_url);
		get_text(d, "sson", nc->sso_nonce, sizeof nc->sso_nonce);
		get_text(d, "ssos", nc->sso_state, sizeof nc->sso_state);
		get_text(d, "ssocid", nc->sso_client_id, sizeof nc->sso_client_id);
		if (!get_text(d, "ssop", nc->sso_provider, sizeof nc->sso_provider))
			memcpy(nc->sso_provider, "default", sizeof "default");
	}
}

// The COM; bytes after it are ignored.
static enum weft_result decode_com(struct weft_netconf *nc, struct weft_rbuf *r)
{
	if (weft_com_decode(&nc->com, r) != WEFT_OK)
		return WEFT_ERR_INVALID;
	nc->has_com = true;
	return WEFT_OK;
}

// Capabilities and tags: a bad entry ends the list, keeping those before it (§3.6 step 4).
// Beyond the cap the reference overruns its array; weft stops there.
static enum weft_result decode_caps(struct weft_netconf *nc, struct weft_rbuf *r)
{
	while (rbuf_left(r) > 0 && nc->n_caps < WEFT_NETCONF_MAX_CAPS) {
		if (weft_cap_decode(&nc->caps[nc->n_caps], r) != WEFT_OK)
			break;
		nc->n_caps++;
	}
	return WEFT_OK;
}

static enum weft_result decode_tags(struct weft_netconf *nc, struct weft_rbuf *r)
{
	while (rbuf_left(r) > 0 && nc->n_tags < WEFT_NETCONF_MAX_TAGS) {
		if (weft_tag_decode(&nc->tags[nc->n_tags], r) != WEFT_OK)
			break;
		nc->n_tags++;
	}
	return WEFT_OK;
}

// Certificates of ownership: all are parsed (an error rejects the config), those past the cap
// are discarded.
static enum weft_result decode_coos(struct weft_netconf *nc, struct weft_rbuf *r)
{
	struct weft_coo extra;
	while (rbuf_left(r) > 0) {
		bool keep = nc->n_coos < WEFT_NETCONF_MAX_COOS;
		if (weft_coo_decode(keep ? &nc->coos[nc->n_coos] : &extra, r) != WEFT_OK)
			return WEFT_ERR_INVALID;
		if (keep)
			nc->n_coos++;
	}
	return WEFT_OK;
}

// Whole 64-bit words only; a trailing partial word and words past the cap are ignored.
static enum weft_result decode_specialists(struct weft_netconf *nc, struct weft_rbuf *r)
{
	while (rbuf_left(r) >= 8 && nc->n_specialists < WEFT_NETCONF_MAX_SPECIALISTS)
		nc->specialists[nc->n_specialists++] = rbuf_u64(r);
	return WEFT_OK;
}

static enum weft_result decode_routes(struct weft_netconf *nc, struct weft_rbuf *r)
{
	while (rbuf_left(r) > 0 && nc->n_routes < WEFT_NETCONF_MAX_ROUTES) {
		struct weft_netconf_route *rt = &nc->routes[nc->n_routes++];
		weft_inetaddr_decode(&rt->target, r);
		weft_inetaddr_decode(&rt->via, r);
		rt->flags = rbuf_u16(r);
		rt->metric = rbuf_u16(r);
		if (r->bad)
			return WEFT_ERR_INVALID;
	}
	return WEFT_OK;
}

// Reserved address types are skipped by the address reader and kept as family NONE entries.
static enum weft_result decode_static_ips(struct weft_netconf *nc, struct weft_rbuf *r)
{
	while (rbuf_left(r) > 0 && nc->n_static_ips < WEFT_NETCONF_MAX_STATIC_IPS)
		if (weft_inetaddr_decode(&nc->static_ips[nc->n_static_ips++], r) != WEFT_OK)
			return WEFT_ERR_INVALID;
	return WEFT_OK;
}

// Rules past the cap are ignored unread; a malformed one before it rejects the config.
static enum weft_result decode_rules(struct weft_netconf *nc, struct weft_rbuf *r)
{
	while (rbuf_left(r) > 0 && nc->n_rules < WEFT_NETCONF_MAX_RULES)
		if (weft_rule_decode(&nc->rules[nc->n_rules++], r) != WEFT_OK)
			return WEFT_ERR_INVALID;
	return WEFT_OK;
}

// 128 domain bytes (byte 127 forced to NUL, the text cut at its first NUL) and four address
// slots; bytes after them are ignored.
static enum weft_result decode_dns(struct weft_netconf *nc, struct weft_rbuf *r)
{
	struct weft_netconf_dns *dns = &nc->dns;
	rbuf_copy(r, dns->domain, sizeof dns->domain);
	dns->domain[sizeof dns->domain - 1] = 0;
	size_t len = strlen(dns->domain);
	memset(dns->domain + len, 0, sizeof dns->domain - len);
	for (unsigned i = 0; i < WEFT_NETCONF_MAX_DNS_SERVERS; i++)
		weft_inetaddr_decode(&dns->servers[i], r);
	return r->bad ? WEFT_ERR_INVALID : WEFT_OK;
}

struct blob_key {
	const char *key;
	enum weft_result (*decode)(struct weft_netconf *nc, struct weft_rbuf *r);
};

static const struct blob_key blob_keys[] = {
    {"C", decode_com},        {"CAP", decode_caps},      {"TAG", decode_tags},
    {"COO", decode_coos},     {"S", decode_specialists}, {"RT", decode_routes},
    {"I", decode_static_ips}, {"R", decode_rules},       {"DNS", decode_dns},
};

enum weft_result weft_netconf_decode(struct weft_netconf *nc, const struct weft_dict *d,
                                     uint8_t *scratch, size_t scratch_cap)
{
	memset(nc, 0, sizeof *nc);
	enum weft_result res = decode_scalars(nc, d);
	for (size_t i = 0; res == WEFT_OK && i < sizeof blob_keys / sizeof blob_keys[0]; i++) {
		size_t n;
		struct weft_rbuf r;
		res = get_blob(d, blob_keys[i].key, scratch, scratch_cap, &n);
		if (res != WEFT_OK || n == 0)
			continue;
		rbuf_init(&r, scratch, n);
		res = blob_keys[i].decode(nc, &r);
	}
	if (res != WEFT_OK) {
		memset(nc, 0, sizeof *nc);
		return res;
	}
	decode_sso(nc, d);
	return WEFT_OK;
}
