// SPDX-License-Identifier: MPL-2.0
// Encoding of the network configuration dictionary as a 1.14 controller writes it (vl2.md §3.1):
// fixed key order, integers as 16 hex digits, `id`/`tt` as 10, binary values built in the
// caller's scratch and escaped by the dictionary writer.
#include <string.h>

#include "hex.h"
#include "inetaddr.h"
#include "netconf.h"

static enum weft_result added(bool ok)
{
	return ok ? WEFT_OK : WEFT_ERR_TOO_BIG;
}

// An address as exactly 10 lower-case hex digits.
static bool add_address10(struct weft_dict *d, const char *key, uint64_t addr)
{
	uint8_t be[5];
	char text[11];
	store_be40(be, addr);
	weft_hex_encode(text, be, sizeof be);
	return weft_dict_add_string(d, key, text);
}

static bool counts_fit(const struct weft_netconf *nc)
{
	return nc->n_caps <= WEFT_NETCONF_MAX_CAPS && nc->n_tags <= WEFT_NETCONF_MAX_TAGS &&
	       nc->n_coos <= WEFT_NETCONF_MAX_COOS &&
	       nc->n_specialists <= WEFT_NETCONF_MAX_SPECIALISTS &&
	       nc->n_routes <= WEFT_NETCONF_MAX_ROUTES &&
	       nc->n_static_ips <= WEFT_NETCONF_MAX_STATIC_IPS &&
	       nc->n_rules <= WEFT_NETCONF_MAX_RULES;
}

// The 1.14 writer drops the sign of negative integers; weft refuses them instead.
static bool times_fit(const struct weft_netconf *nc)
{
	return nc->timestamp_ms >= 0 && nc->credential_time_max_delta_ms >= 0 &&
	       nc->authentication_expiry_time_ms >= 0;
}

static enum weft_result encode_scalars(const struct weft_netconf *nc, struct weft_dict *d)
{
	bool ok = weft_dict_add_u64(d, "v", WEFT_NETCONF_VERSION) &&
	          weft_dict_add_u64(d, "nwid", nc->nwid) &&
	          weft_dict_add_i64(d, "ts", nc->timestamp_ms) &&
	          weft_dict_add_i64(d, "ctmd", nc->credential_time_max_delta_ms) &&
	          weft_dict_add_u64(d, "r", nc->revision) &&
	          add_address10(d, "id", nc->issued_to) &&
	          add_address10(d, "tt", nc->remote_trace_target) &&
	          weft_dict_add_u64(d, "tl", nc->remote_trace_level) &&
	          weft_dict_add_u64(d, "f", nc->flags) &&
	          weft_dict_add_u64(d, "ml", nc->multicast_limit) &&
	          weft_dict_add_u64(d, "t", nc->type) && weft_dict_add_string(d, "n", nc->name) &&
	          weft_dict_add_u64(d, "mtu", nc->mtu);
	return added(ok);
}

static void encode_com(const struct weft_netconf *nc, struct weft_wbuf *w)
{
	weft_com_encode(&nc->com, w);
}

static void encode_caps(const struct weft_netconf *nc, struct weft_wbuf *w)
{
	for (unsigned i = 0; i < nc->n_caps; i++)
		weft_cap_encode(&nc->caps[i], w);
}

static void encode_tags(const struct weft_netconf *nc, struct weft_wbuf *w)
{
	for (unsigned i = 0; i < nc->n_tags; i++)
		weft_tag_encode(&nc->tags[i], w);
}

static void encode_coos(const struct weft_netconf *nc, struct weft_wbuf *w)
{
	for (unsigned i = 0; i < nc->n_coos; i++)
		weft_coo_encode(&nc->coos[i], w);
}

static void encode_specialists(const struct weft_netconf *nc, struct weft_wbuf *w)
{
	for (unsigned i = 0; i < nc->n_specialists; i++)
		wbuf_u64(w, nc->specialists[i]);
}

static void encode_routes(const struct weft_netconf *nc, struct weft_wbuf *w)
{
	for (unsigned i = 0; i < nc->n_routes; i++) {
		const struct weft_netconf_route *rt = &nc->routes[i];
		weft_inetaddr_encode(&rt->target, w);
		weft_inetaddr_encode(&rt->via, w);
		wbuf_u16(w, rt->flags);
		wbuf_u16(w, rt->metric);
	}
}

static void encode_static_ips(const struct weft_netconf *nc, struct weft_wbuf *w)
{
	for (unsigned i = 0; i < nc->n_static_ips; i++)
		weft_inetaddr_encode(&nc->static_ips[i], w);
}

static void encode_rules(const struct weft_netconf *nc, struct weft_wbuf *w)
{
	weft_rules_encode(nc->rules, nc->n_rules, w);
}

// Always all 128 domain bytes (text, NUL padding, byte 127 NUL) and all four slots.
static void encode_dns(const struct weft_netconf *nc, struct weft_wbuf *w)
{
	const struct weft_netconf_dns *dns = &nc->dns;
	size_t len = strnlen(dns->domain, sizeof dns->domain - 1);
	uint8_t *q = wbuf_put(w, sizeof dns->domain);
	if (q) {
		memset(q, 0, sizeof dns->domain);
		memcpy(q, dns->domain, len);
	}
	for (unsigned i = 0; i < WEFT_NETCONF_MAX_DNS_SERVERS; i++)
		weft_inetaddr_encode(&dns->servers[i], w);
}

typedef void (*blob_fn)(const struct weft_netconf *nc, struct weft_wbuf *w);

// Builds one binary value in scratch and adds it escaped.
static enum weft_result add_blob(const struct weft_netconf *nc, struct weft_dict *d,
                                 const char *key, blob_fn encode, uint8_t *scratch,
                                 size_t scratch_cap)
{
	struct weft_wbuf w;
	wbuf_init(&w, scratch, scratch_cap);
	encode(nc, &w);
	if (w.bad || !weft_dict_add_bytes(d, key, scratch, w.len))
		return WEFT_ERR_TOO_BIG;
	return WEFT_OK;
}

// Binary values in writer order; empty lists are omitted, DNS is always written.
static enum weft_result encode_blobs(const struct weft_netconf *nc, struct weft_dict *d,
                                     uint8_t *scratch, size_t scratch_cap)
{
	const struct {
		const char *key;
		blob_fn encode;
		bool present;
	} blobs[] = {
	    {"C", encode_com, nc->has_com},
	    {"CAP", encode_caps, nc->n_caps > 0},
	    {"TAG", encode_tags, nc->n_tags > 0},
	    {"COO", encode_coos, nc->n_coos > 0},
	    {"S", encode_specialists, nc->n_specialists > 0},
	    {"RT", encode_routes, nc->n_routes > 0},
	    {"I", encode_static_ips, nc->n_static_ips > 0},
	    {"R", encode_rules, nc->n_rules > 0},
	    {"DNS", encode_dns, true},
	};
	enum weft_result res = WEFT_OK;
	for (size_t i = 0; res == WEFT_OK && i < sizeof blobs / sizeof blobs[0]; i++)
		if (blobs[i].present)
			res = add_blob(nc, d, blobs[i].key, blobs[i].encode, scratch, scratch_cap);
	return res;
}

static enum weft_result encode_sso(const struct weft_netconf *nc, struct weft_dict *d)
{
	bool ok = weft_dict_add_u64(d, "ssov", nc->sso_version) &&
	          weft_dict_add_bool(d, "ssoe", nc->sso_enabled);
	if (ok && nc->sso_version == 0 && nc->sso_enabled) {
		if (nc->authentication_url[0])
			ok = weft_dict_add_string(d, "aurl", nc->authentication_url);
		ok = ok && weft_dict_add_i64(d, "aexpt", nc->authentication_expiry_time_ms);
	} else if (ok && nc->sso_version == 1) {
		ok = weft_dict_add_string(d, "iurl", nc->issuer_url) &&
		     weft_dict_add_string(d, "ssoce", nc->central_endpoint_url) &&
		     weft_dict_add_string(d, "sson", nc->sso_nonce) &&
		     weft_dict_add_string(d, "ssos", nc->sso_state) &&
		     weft_dict_add_string(d, "ssocid", nc->sso_client_id) &&
		     weft_dict_add_string(d, "ssop", nc->sso_provider);
	}
	return added(ok);
}

enum weft_result weft_netconf_encode(const struct weft_netconf *nc, struct weft_dict *d,
                                     uint8_t *scratch, size_t scratch_cap)
{
	if (!counts_fit(nc) || !times_fit(nc))
		return WEFT_ERR_INVALID;
	enum weft_result res = encode_scalars(nc, d);
	if (res == WEFT_OK)
		res = encode_blobs(nc, d, scratch, scratch_cap);
	if (res == WEFT_OK)
		res = encode_sso(nc, d);
	return res;
}
