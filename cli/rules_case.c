// SPDX-License-Identifier: MPL-2.0
// `weft rules test --case FILE`: FILE holds {"scenario": <a rules_eval.json scenario>,
// "case": <one of its cases>}; the case runs through the pipeline as tests/vectors/rules_eval.c
// runs it and its `result` is printed in the vector's own format and key order.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hex.h"
#include "rules_test.h"
#include "vl2addr.h"

static struct weft_cli_policy pol;
static uint8_t payload[WEFT_CLI_FRAME_MAX];

static uint32_t fixed_random(void *ctx)
{
	(void)ctx;
	return 0x80000000u;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

// A hex string field into out (cap bytes at most); false if absent or not hex.
static bool hex(const json_t *o, const char *key, uint8_t *out, size_t cap, size_t *len)
{
	const char *s = str(o, key);
	size_t sl = strlen(s);
	*len = sl / 2;
	return sl % 2 == 0 && *len <= cap && weft_hex_decode(out, *len, s, sl);
}

static uint64_t u64hex(const json_t *o, const char *key)
{
	const char *s = str(o, key);
	uint64_t x = 0;
	return weft_hex_u64(&x, s, strlen(s)) ? x : 0;
}

static bool decode_rules(const json_t *o, const char *key, struct weft_rule *rules, size_t cap,
                         size_t *n)
{
	static uint8_t bin[WEFT_RULES_MAX_BASE * WEFT_RULE_MAX_LEN];
	size_t len;
	struct weft_rbuf r;
	if (!hex(o, key, bin, sizeof bin, &len))
		return false;
	rbuf_init(&r, bin, len);
	return weft_rules_decode(rules, cap, n, &r) == WEFT_OK;
}

static void load_tags(const json_t *tags, struct weft_rules_tag *out, size_t *n)
{
	size_t i;
	json_t *t;
	*n = 0;
	json_array_foreach (tags, i, t)
		if (*n < WEFT_CLI_RULES_MAX_TAGS)
			out[(*n)++] = (struct weft_rules_tag){
			    (uint32_t)json_integer_value(json_object_get(t, "id")),
			    (uint32_t)json_integer_value(json_object_get(t, "value"))};
}

// Capabilities: each rule's binary, concatenated.
static bool load_caps(const json_t *caps)
{
	size_t i, j;
	json_t *cap, *rule;
	pol.n_caps = 0;
	json_array_foreach (caps, i, cap) {
		size_t n = 0;
		if (pol.n_caps >= WEFT_CLI_RULES_MAX_CAPS)
			return false;
		json_array_foreach (json_object_get(cap, "rules"), j, rule) {
			size_t k = 0;
			if (n >= WEFT_RULES_MAX_CAP ||
			    !decode_rules(rule, "binary", pol.cap_rules[pol.n_caps] + n, 1, &k))
				return false;
			n += k;
		}
		pol.cap_ids[pol.n_caps] = (uint32_t)json_integer_value(json_object_get(cap, "id"));
		pol.caps[pol.n_caps] = (struct weft_rules_list){pol.cap_rules[pol.n_caps], n};
		pol.n_caps++;
	}
	return true;
}

static const json_t *find_member(const json_t *sc, uint64_t address)
{
	size_t i;
	json_t *m;
	json_array_foreach (json_object_get(sc, "remote_members"), i, m)
		if (u64hex(m, "address") == address)
			return m;
	return NULL;
}

static bool load_policy(const json_t *sc, const json_t *c, bool inbound)
{
	const json_t *m = find_member(sc, u64hex(c, "remote_address"));
	memset(&pol, 0, sizeof pol);
	if (!decode_rules(sc, "rules_binary", pol.base, WEFT_RULES_MAX_BASE, &pol.n_base))
		return false;
	load_tags(json_object_get(sc, "local_tags"), pol.local, &pol.n_local);
	load_tags(m ? json_object_get(m, "tags") : NULL, pol.remote, &pol.n_remote);
	return load_caps(inbound ? (m ? json_object_get(m, "capabilities") : NULL)
	                         : json_object_get(sc, "local_capabilities"));
}

static bool mac(const json_t *frame, const char *key, uint64_t *out)
{
	uint8_t b[6];
	size_t len;
	if (!hex(frame, key, b, sizeof b, &len) || len != 6)
		return false;
	*out = weft_vl2_mac_from_bytes(b);
	return true;
}

static const char *verdict_name(enum weft_rules_verdict v)
{
	static const char *const names[] = {"drop", "accept", "super-accept", "redirect"};
	return names[v];
}

static json_t *result_json(const struct weft_rules_outcome *o, bool inbound, const uint8_t *p)
{
	json_t *res = json_object(), *fwd = json_array();
	if (inbound)
		json_object_set_new(res, "accept",
		                    json_integer(o->verdict == WEFT_RULES_VERDICT_ACCEPT ? 1
		                                 : o->verdict == WEFT_RULES_VERDICT_SUPER_ACCEPT
		                                     ? 2
		                                     : 0));
	else
		json_object_set_new(res, "accept",
		                    json_boolean(o->verdict == WEFT_RULES_VERDICT_ACCEPT));
	json_object_set_new(res, "verdict", json_string(verdict_name(o->verdict)));
	if (!inbound)
		json_object_set_new(res, "qos_bucket", json_integer(o->qos_bucket));
	for (unsigned i = 0; i < o->n_copies; i++) {
		const struct weft_rules_copy *cp = &o->copies[i];
		json_t *x = json_object();
		char to[11], *frame = malloc(cp->len * 2 + 1);
		snprintf(to, sizeof to, "%010llx", (unsigned long long)cp->to);
		weft_hex_encode(frame, p, cp->len);
		json_object_set_new(x, "to", json_string(to));
		json_object_set_new(x, "ext_frame_flags", json_integer(cp->flags));
		json_object_set_new(x, "subtype", json_integer((cp->flags >> 1) & 7));
		json_object_set_new(x, "kind", json_string(weft_cli_rules_copy_kind(cp->flags)));
		json_object_set_new(x, "copied_length", json_integer((json_int_t)cp->len));
		json_object_set_new(x, "copied_frame", json_string(frame));
		json_array_append_new(fwd, x);
		free(frame);
	}
	json_object_set_new(res, "forwarded", fwd);
	return res;
}

static int run(const json_t *sc, const json_t *c)
{
	const json_t *frame = json_object_get(c, "frame"), *zd = json_object_get(c, "zt_dest");
	bool inbound = !strcmp(str(c, "direction"), "inbound");
	struct weft_rules_frame f = {0};
	struct weft_rules_outcome o;
	size_t plen;
	if (!load_policy(sc, c, inbound)) {
		fprintf(stderr, "weft rules test: --case: the scenario's rules do not decode\n");
		return 2;
	}
	if (!json_is_object(frame) || !mac(frame, "source_mac", &f.src_mac) ||
	    !mac(frame, "dest_mac", &f.dst_mac) ||
	    !hex(frame, "payload", payload, sizeof payload, &plen)) {
		fprintf(stderr, "weft rules test: --case: frame: needs source_mac, dest_mac and "
		                "payload in hex\n");
		return 2;
	}
	f.ethertype = (uint16_t)json_integer_value(json_object_get(frame, "ethertype"));
	f.vlan_id = (uint16_t)json_integer_value(json_object_get(frame, "vlan_id"));
	f.payload = payload;
	f.len = plen;
	struct weft_rules_ctx ctx = {
	    .dir = inbound ? WEFT_RULES_INBOUND : WEFT_RULES_OUTBOUND,
	    .me = u64hex(c, "local_address"),
	    .zt_source = u64hex(c, "zt_source"),
	    .zt_dest = json_is_string(zd) ? u64hex(c, "zt_dest") : 0,
	    .frame = &f,
	    .local_tags = pol.local,
	    .n_local_tags = pol.n_local,
	    .remote_tags = pol.remote,
	    .n_remote_tags = pol.n_remote,
	    .net_flags = u64hex(sc, "flags"),
	    .random = fixed_random,
	};
	struct weft_rules_list base = {pol.base, pol.n_base};
	weft_rules_filter(&ctx, &base, pol.caps, pol.n_caps, &o);
	json_t *res = result_json(&o, inbound, payload);
	char *text = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
	printf("%s\n", text);
	free(text);
	json_decref(res);
	return 0;
}

int weft_cli_rules_case(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	const json_t *sc = json_object_get(j, "scenario"), *c = json_object_get(j, "case");
	int r;
	if (!j) {
		fprintf(stderr, "weft rules test: %s:%d: %s\n", path, err.line, err.text);
		return 2;
	}
	if (!json_is_object(sc) || !json_is_object(c)) {
		fprintf(stderr,
		        "weft rules test: %s: needs {\"scenario\": {...}, \"case\": {...}}\n",
		        path);
		json_decref(j);
		return 2;
	}
	r = run(sc, c);
	json_decref(j);
	return r;
}
