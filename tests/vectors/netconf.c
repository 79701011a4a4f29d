// SPDX-License-Identifier: MPL-2.0
// netconf.json: each configuration dictionary decodes to the listed fields (every static IP,
// route, rule, credential and DNS server byte for byte), each entry's value and escaped length
// match, and re-encoding the decoded struct reproduces the dictionary exactly.
#include <stdlib.h>
#include <string.h>

#include "inetaddr.h"
#include "netconf.h"
#include "t.h"
#include "vec.h"

static struct weft_netconf nc;
static uint8_t scratch[WEFT_DICT_CAP_NETCONF];
static uint8_t out[WEFT_DICT_CAP_NETCONF];
static uint8_t blob[WEFT_CAP_MAX_LEN];

// Encodes with `enc` and compares with hex field `key` of `o`.
#define CHECK_ENCODING(enc, obj, o, key)                                                           \
	do {                                                                                       \
		struct weft_wbuf w_;                                                               \
		size_t n_ = 0;                                                                     \
		uint8_t *exp_ = vec_hex(o, key, &n_);                                              \
		wbuf_init(&w_, blob, sizeof blob);                                                 \
		enc(obj, &w_);                                                                     \
		T_CHECK_MSG(exp_ && !w_.bad && w_.len == n_, "%s: length %zu, expected %zu", key,  \
		            w_.len, n_);                                                           \
		if (exp_ && w_.len == n_)                                                          \
			T_CHECK_MEM(blob, exp_, n_);                                               \
		free(exp_);                                                                        \
	} while (0)

// An endpoint object (family, ip_bytes, port, serialized), or JSON null for family NONE.
static void check_addr(const struct weft_inetaddr *a, const json_t *o)
{
	if (json_is_null(o)) {
		T_CHECK(a->family == WEFT_INET_NONE);
		return;
	}
	bool v4 = strcmp(vec_str(o, "family"), "ipv4") == 0;
	uint8_t ip[16];
	T_CHECK(a->family == (v4 ? WEFT_INET_V4 : WEFT_INET_V6));
	T_CHECK(vec_hex_into(o, "ip_bytes", ip, v4 ? 4 : 16));
	T_CHECK_MEM(a->ip, ip, v4 ? 4 : 16);
	T_CHECK(a->port == vec_int(o, "port"));
	CHECK_ENCODING(weft_inetaddr_encode, a, o, "serialized");
}

static void check_scalars(const json_t *f)
{
	T_CHECK(nc.nwid == vec_u64hex(f, "network_id"));
	T_CHECK(nc.timestamp_ms == vec_int(f, "timestamp"));
	T_CHECK(nc.credential_time_max_delta_ms == vec_int(f, "credential_time_max_delta"));
	T_CHECK(nc.revision == (uint64_t)vec_int(f, "revision"));
	T_CHECK(nc.issued_to == vec_u64hex(f, "issued_to"));
	T_CHECK(nc.remote_trace_target == vec_u64hex(f, "remote_trace_target"));
	T_CHECK(nc.remote_trace_level == (uint64_t)vec_int(f, "remote_trace_level"));
	T_CHECK(nc.flags == vec_u64hex(f, "flags"));
	bool pub = strcmp(vec_str(f, "type"), "public") == 0;
	T_CHECK(nc.type == (pub ? WEFT_NETCONF_PUBLIC : WEFT_NETCONF_PRIVATE));
	T_CHECK(strcmp(nc.name, vec_str(f, "name")) == 0);
	T_CHECK(nc.mtu == vec_int(f, "mtu"));
	T_CHECK(nc.multicast_limit == vec_int(f, "multicast_limit"));
}

static void check_addresses(const json_t *f)
{
	size_t i;
	json_t *e;
	const json_t *ips = json_object_get(f, "static_ips");
	T_CHECK(nc.n_static_ips == json_array_size(ips));
	json_array_foreach (ips, i, e)
		if (i < nc.n_static_ips)
			check_addr(&nc.static_ips[i], e);
	const json_t *routes = json_object_get(f, "routes");
	T_CHECK(nc.n_routes == json_array_size(routes));
	json_array_foreach (routes, i, e) {
		if (i >= nc.n_routes)
			break;
		check_addr(&nc.routes[i].target, json_object_get(e, "target"));
		check_addr(&nc.routes[i].via, json_object_get(e, "via"));
		T_CHECK(nc.routes[i].flags == vec_int(e, "flags"));
		T_CHECK(nc.routes[i].metric == vec_int(e, "metric"));
	}
}

static void check_rules(const struct weft_rule *rules, unsigned n, const json_t *list)
{
	size_t i;
	json_t *e;
	T_CHECK(n == json_array_size(list));
	json_array_foreach (list, i, e)
		if (i < n)
			CHECK_ENCODING(weft_rule_encode, &rules[i], e, "binary");
}

static void check_caps_tags(const json_t *f)
{
	size_t i;
	json_t *e;
	const json_t *caps = json_object_get(f, "capabilities");
	T_CHECK(nc.n_caps == json_array_size(caps));
	json_array_foreach (caps, i, e) {
		if (i >= nc.n_caps)
			break;
		const struct weft_cap *cap = &nc.caps[i];
		T_CHECK(cap->id == vec_int(e, "id") && cap->timestamp == vec_int(e, "timestamp"));
		T_CHECK(weft_cap_issued_to(cap) == vec_u64hex(e, "issued_to"));
		check_rules(cap->rules, cap->n_rules, json_object_get(e, "rules"));
		CHECK_ENCODING(weft_cap_encode, cap, e, "serialized");
	}
	const json_t *tags = json_object_get(f, "tags");
	T_CHECK(nc.n_tags == json_array_size(tags));
	json_array_foreach (tags, i, e) {
		if (i >= nc.n_tags)
			break;
		const struct weft_tag *tag = &nc.tags[i];
		T_CHECK(tag->id == vec_int(e, "id") && tag->value == vec_int(e, "value"));
		T_CHECK(tag->timestamp == vec_int(e, "timestamp"));
		CHECK_ENCODING(weft_tag_encode, tag, e, "serialized");
	}
}

static void check_coos(const json_t *f)
{
	size_t i, k;
	json_t *e, *t;
	const json_t *coos = json_object_get(f, "certificates_of_ownership");
	T_CHECK(nc.n_coos == json_array_size(coos));
	json_array_foreach (coos, i, e) {
		if (i >= nc.n_coos)
			break;
		const struct weft_coo *coo = &nc.coos[i];
		const json_t *things = json_object_get(e, "things");
		T_CHECK(coo->id == vec_int(e, "id") && coo->n_things == json_array_size(things));
		json_array_foreach (things, k, t) {
			uint8_t v[WEFT_COO_THING_LEN];
			if (k >= coo->n_things)
				break;
			T_CHECK(coo->things[k].type == vec_int(t, "type"));
			T_CHECK(vec_hex_into(t, "value_padded_16", v, sizeof v));
			T_CHECK_MEM(coo->things[k].value, v, sizeof v);
		}
		CHECK_ENCODING(weft_coo_encode, coo, e, "serialized");
	}
}

static void check_com_specialists_dns(const json_t *f)
{
	size_t i, k = 0;
	json_t *e;
	T_CHECK(nc.has_com);
	CHECK_ENCODING(weft_com_encode, &nc.com, f, "certificate_of_membership");
	const json_t *sp = json_object_get(f, "specialists");
	T_CHECK(nc.n_specialists == json_array_size(sp));
	json_array_foreach (sp, i, e)
		T_CHECK(i < nc.n_specialists &&
		        nc.specialists[i] == strtoull(json_string_value(e), NULL, 16));
	const json_t *dns = json_object_get(f, "dns");
	T_CHECK(strcmp(nc.dns.domain, vec_str(dns, "domain")) == 0);
	const json_t *servers = json_object_get(dns, "servers");
	for (i = 0; i < WEFT_NETCONF_MAX_DNS_SERVERS; i++) {
		if (nc.dns.servers[i].family == WEFT_INET_NONE)
			continue;
		T_CHECK(k < json_array_size(servers));
		check_addr(&nc.dns.servers[i], json_array_get(servers, k++));
	}
	T_CHECK(k == json_array_size(servers));
}

static void check_sso(const json_t *f)
{
	T_CHECK(nc.sso_enabled == vec_bool(f, "sso_enabled"));
	T_CHECK(nc.sso_version == (uint64_t)vec_int(f, "sso_version"));
	T_CHECK(!strcmp(nc.authentication_url, vec_str(f, "authentication_url")));
	T_CHECK(nc.authentication_expiry_time_ms == vec_int(f, "authentication_expiry_time"));
	T_CHECK(!strcmp(nc.issuer_url, vec_str(f, "issuer_url")));
	T_CHECK(!strcmp(nc.central_endpoint_url, vec_str(f, "central_endpoint_url")));
	T_CHECK(!strcmp(nc.sso_nonce, vec_str(f, "sso_nonce")));
	T_CHECK(!strcmp(nc.sso_state, vec_str(f, "sso_state")));
	T_CHECK(!strcmp(nc.sso_client_id, vec_str(f, "sso_client_id")));
	T_CHECK(!strcmp(nc.sso_provider, vec_str(f, "sso_provider")));
}

// Each line of the dictionary, in order: its key, escaped length and decoded value.
static void check_entries(const struct weft_dict *d, const json_t *entries)
{
	size_t i, pos = 0;
	json_t *e;
	json_array_foreach (entries, i, e) {
		const char *key = vec_str(e, "key");
		size_t klen = strlen(key), vlen = 0, end = pos;
		while (end < d->len && d->p[end] != '\n')
			end++;
		T_CHECK_MSG(end - pos > klen && !memcmp(d->p + pos, key, klen) &&
		                d->p[pos + klen] == '=',
		            "entry %zu is not %s", i, key);
		T_CHECK((long long)(end - pos - klen - 1) == vec_int(e, "encoded_length"));
		pos = end + 1;
		uint8_t *exp = vec_hex(e, "value", &vlen);
		long got = weft_dict_get(d, key, scratch, sizeof scratch);
		T_CHECK_MSG(exp && got == (long)vlen, "%s: length %ld, expected %zu", key, got,
		            vlen);
		if (exp && got == (long)vlen)
			T_CHECK_MEM(scratch, exp, vlen);
		free(exp);
	}
	T_CHECK_MSG(pos == d->len + 1, "entries end at %zu of %zu", pos, d->len);
}

static void check_case(const json_t *c, size_t idx)
{
	size_t len = 0;
	uint8_t *dict = vec_hex(c, "dictionary", &len);
	const json_t *f = json_object_get(c, "fields");
	struct weft_dict d, back;
	t_case("netconf[%zu] %s: decode", idx, vec_str(c, "name"));
	T_CHECK(dict && (long long)len == vec_int(c, "dictionary_length"));
	weft_dict_view(&d, dict, len);
	enum weft_result res = weft_netconf_decode(&nc, &d, scratch, sizeof scratch);
	T_CHECK_MSG(res == WEFT_OK, "decode: %d", (int)res);
	check_scalars(f);
	check_addresses(f);
	check_rules(nc.rules, nc.n_rules, json_object_get(f, "rules"));
	check_caps_tags(f);
	check_coos(f);
	check_com_specialists_dns(f);
	check_sso(f);
	t_case("netconf[%zu] %s: entries", idx, vec_str(c, "name"));
	check_entries(&d, json_object_get(c, "dictionary_entries"));
	t_case("netconf[%zu] %s: re-encode", idx, vec_str(c, "name"));
	weft_dict_init(&back, out, sizeof out);
	res = weft_netconf_encode(&nc, &back, scratch, sizeof scratch);
	T_CHECK_MSG(res == WEFT_OK && back.len == len, "encode: %d, length %zu, expected %zu",
	            (int)res, back.len, len);
	if (back.len == len)
		T_CHECK_MEM(out, dict, len);
	free(dict);
}

int main(void)
{
	t_init("vectors/netconf");
	json_t *j = vec_load("netconf.json");
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(j, "cases"), i, c)
		check_case(c, i);
	json_decref(j);
	return t_done();
}
