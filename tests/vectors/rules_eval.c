// SPDX-License-Identifier: MPL-2.0
// rules_eval.json: each case's frame through the outbound or inbound pipeline of its scenario
// (base rules, local or the sender's capabilities, both sides' tags) gives the recorded
// verdict, QoS bucket and EXT_FRAME copies (target, flags, subtype, length, bytes carried).
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "credential.h"
#include "rules_eval.h"
#include "t.h"
#include "vec.h"
#include "vl2addr.h"

#define MAX_TAGS 16
#define MAX_CAPS 8

// The inputs one scenario and case give the evaluator; rule storage included.
struct setup {
	struct weft_rule base[WEFT_RULES_MAX_BASE];
	size_t n_base;
	struct weft_rule cap_rules[MAX_CAPS][WEFT_RULES_MAX_CAP];
	struct weft_rules_list caps[MAX_CAPS];
	size_t n_caps;
	struct weft_rules_tag local[MAX_TAGS], remote[MAX_TAGS];
	size_t n_local, n_remote;
};

static uint32_t fixed_random(void *ctx)
{
	(void)ctx;
	return 0x80000000u;
}

static bool decode_hex_rules(const json_t *o, const char *key, struct weft_rule *rules, size_t cap,
                             size_t *n)
{
	size_t len = 0;
	struct weft_rbuf r;
	uint8_t *bin = vec_hex(o, key, &len);
	rbuf_init(&r, bin ? bin : (const uint8_t *)"", len);
	bool ok = weft_rules_decode(rules, cap, n, &r) == WEFT_OK;
	free(bin);
	return ok;
}

// A capability's rule list: the concatenated binaries of its `rules`.
static bool decode_cap_rules(const json_t *cap, struct weft_rule *rules, size_t *n)
{
	size_t i;
	json_t *rule;
	*n = 0;
	json_array_foreach (json_object_get(cap, "rules"), i, rule) {
		size_t k = 0;
		if (*n >= WEFT_RULES_MAX_CAP ||
		    !decode_hex_rules(rule, "binary", rules + *n, 1, &k))
			return false;
		*n += k;
	}
	return true;
}

// A remote capability also arrives serialized: its decoded rules must be the same list.
static void check_serialized_cap(const json_t *cap, const struct weft_rule *rules, size_t n)
{
	static struct weft_cap wc;
	size_t len = 0;
	struct weft_rbuf r;
	uint8_t *bin = vec_hex(cap, "serialized", &len);
	if (!bin)
		return;
	rbuf_init(&r, bin, len);
	T_CHECK(weft_cap_decode(&wc, &r) == WEFT_OK);
	T_CHECK(wc.id == vec_int(cap, "id") && wc.n_rules == n);
	T_CHECK(n == 0 || memcmp(wc.rules, rules, n * sizeof *rules) == 0);
	free(bin);
}

static void load_tags(const json_t *tags, struct weft_rules_tag *out, size_t *n)
{
	size_t i;
	json_t *t;
	*n = 0;
	json_array_foreach (tags, i, t) {
		if (*n < MAX_TAGS)
			out[(*n)++] = (struct weft_rules_tag){(uint32_t)vec_int(t, "id"),
			                                      (uint32_t)vec_int(t, "value")};
	}
}

static void load_caps(struct setup *s, const json_t *caps, bool serialized)
{
	size_t i;
	json_t *cap;
	s->n_caps = 0;
	json_array_foreach (caps, i, cap) {
		size_t n = 0;
		if (s->n_caps >= MAX_CAPS)
			break;
		T_CHECK(decode_cap_rules(cap, s->cap_rules[s->n_caps], &n));
		if (serialized)
			check_serialized_cap(cap, s->cap_rules[s->n_caps], n);
		s->caps[s->n_caps] = (struct weft_rules_list){s->cap_rules[s->n_caps], n};
		s->n_caps++;
	}
}

static const json_t *find_scenario(const json_t *scenarios, const char *name)
{
	size_t i;
	json_t *sc;
	json_array_foreach (scenarios, i, sc)
		if (!strcmp(vec_str(sc, "name"), name))
			return sc;
	return NULL;
}

static const json_t *find_member(const json_t *sc, uint64_t address)
{
	size_t i;
	json_t *m;
	json_array_foreach (json_object_get(sc, "remote_members"), i, m)
		if (vec_u64hex(m, "address") == address)
			return m;
	return NULL;
}

// Outbound uses the local capabilities (the sender's own); inbound the sender's (§6.7, §6.8).
static void build_setup(struct setup *s, const json_t *sc, const json_t *c, bool inbound)
{
	const json_t *m = find_member(sc, vec_u64hex(c, "remote_address"));
	T_CHECK(decode_hex_rules(sc, "rules_binary", s->base, WEFT_RULES_MAX_BASE, &s->n_base));
	load_tags(json_object_get(sc, "local_tags"), s->local, &s->n_local);
	load_tags(m ? json_object_get(m, "tags") : NULL, s->remote, &s->n_remote);
	if (inbound)
		load_caps(s, m ? json_object_get(m, "capabilities") : NULL, true);
	else
		load_caps(s, json_object_get(sc, "local_capabilities"), false);
}

static uint64_t mac_field(const json_t *frame, const char *key)
{
	uint8_t mac[6] = {0};
	T_CHECK(vec_hex_into(frame, key, mac, sizeof mac));
	return weft_vl2_mac_from_bytes(mac);
}

static const char *verdict_name(enum weft_rules_verdict v)
{
	static const char *const names[] = {"drop", "accept", "super-accept", "redirect"};
	return names[v];
}

static void check_copies(const struct weft_rules_outcome *o, const json_t *fwd,
                         const uint8_t *payload)
{
	size_t i;
	json_t *x;
	T_CHECK_MSG(o->n_copies == json_array_size(fwd), "copies: got %u, expected %zu",
	            o->n_copies, json_array_size(fwd));
	json_array_foreach (fwd, i, x) {
		if (i >= o->n_copies)
			break;
		const struct weft_rules_copy *cp = &o->copies[i];
		size_t len = 0;
		uint8_t *exp = vec_hex(x, "copied_frame", &len);
		T_CHECK(cp->to == vec_u64hex(x, "to"));
		T_CHECK(cp->flags == vec_int(x, "ext_frame_flags"));
		T_CHECK(((cp->flags >> 1) & 7) == vec_int(x, "subtype"));
		T_CHECK(cp->len == (size_t)vec_int(x, "copied_length"));
		T_CHECK(exp && len == cp->len);
		if (exp && len == cp->len)
			T_CHECK_MEM(payload, exp, len);
		free(exp);
	}
}

static void check_result(const struct weft_rules_outcome *o, const json_t *res, bool inbound,
                         const uint8_t *payload)
{
	const json_t *acc = json_object_get(res, "accept");
	T_CHECK_MSG(!strcmp(verdict_name(o->verdict), vec_str(res, "verdict")),
	            "verdict %s, expected %s", verdict_name(o->verdict), vec_str(res, "verdict"));
	if (inbound) {
		long long a = o->verdict == WEFT_RULES_VERDICT_ACCEPT         ? 1
		              : o->verdict == WEFT_RULES_VERDICT_SUPER_ACCEPT ? 2
		                                                              : 0;
		T_CHECK(json_is_integer(acc) && json_integer_value(acc) == a);
	} else {
		T_CHECK(json_is_boolean(acc) &&
		        json_is_true(acc) == (o->verdict == WEFT_RULES_VERDICT_ACCEPT));
		T_CHECK(o->qos_bucket == vec_int(res, "qos_bucket"));
	}
	check_copies(o, json_object_get(res, "forwarded"), payload);
}

static void run_case(const json_t *scenarios, const json_t *c, size_t i)
{
	static struct setup s;
	const json_t *sc = find_scenario(scenarios, vec_str(c, "scenario"));
	const json_t *frame = json_object_get(c, "frame");
	bool inbound = !strcmp(vec_str(c, "direction"), "inbound");
	size_t plen = 0;
	t_case("case[%zu] %s: %s", i, vec_str(c, "scenario"), vec_str(c, "description"));
	if (!sc) {
		T_CHECK_MSG(false, "no scenario");
		return;
	}
	memset(&s, 0, sizeof s);
	build_setup(&s, sc, c, inbound);
	uint8_t *payload = vec_hex(frame, "payload", &plen);
	T_CHECK(plen == (size_t)vec_int(frame, "payload_length"));
	struct weft_rules_frame f = {
	    .src_mac = mac_field(frame, "source_mac"),
	    .dst_mac = mac_field(frame, "dest_mac"),
	    .ethertype = (uint16_t)vec_int(frame, "ethertype"),
	    .vlan_id = (uint16_t)vec_int(frame, "vlan_id"),
	    .payload = payload ? payload : (const uint8_t *)"",
	    .len = plen,
	};
	const json_t *zd = json_object_get(c, "zt_dest");
	struct weft_rules_ctx ctx = {
	    .dir = inbound ? WEFT_RULES_INBOUND : WEFT_RULES_OUTBOUND,
	    .me = vec_u64hex(c, "local_address"),
	    .zt_source = vec_u64hex(c, "zt_source"),
	    .zt_dest = json_is_string(zd) ? vec_u64hex(c, "zt_dest") : 0,
	    .frame = &f,
	    .local_tags = s.local,
	    .n_local_tags = s.n_local,
	    .remote_tags = s.remote,
	    .n_remote_tags = s.n_remote,
	    .net_flags = vec_u64hex(sc, "flags"),
	    .random = fixed_random,
	};
	struct weft_rules_list base = {s.base, s.n_base};
	struct weft_rules_outcome o;
	weft_rules_filter(&ctx, &base, s.caps, s.n_caps, &o);
	check_result(&o, json_object_get(c, "result"), inbound, f.payload);
	free(payload);
}

int main(void)
{
	t_init("vectors/rules_eval");
	json_t *j = vec_load("rules_eval.json");
	const json_t *scenarios = json_object_get(j, "scenarios");
	size_t i;
	json_t *c;
	T_CHECK(json_array_size(json_object_get(j, "cases")) > 0);
	json_array_foreach (json_object_get(j, "cases"), i, c)
		run_case(scenarios, c, i);
	json_decref(j);
	return t_done();
}
