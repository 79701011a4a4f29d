// SPDX-License-Identifier: MPL-2.0
// rules.json: every rule's binary form decodes to its type and NOT/OR bits and re-encodes byte
// for byte, alone and as one concatenated list; the controller's JSON form reads to exactly the
// binary (or is refused where the controller refuses it) and the binary renders as it does.
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rule_json.h"
#include "t.h"
#include "vec.h"
#include "weft/rules.h"

static long long jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

// The decoded fields agree with the numbers the controller JSON states.
static void check_fields(const struct weft_rule *rule, const json_t *js)
{
	switch (weft_rule_type(rule)) {
	case WEFT_RULE_ACTION_TEE:
	case WEFT_RULE_ACTION_WATCH:
	case WEFT_RULE_ACTION_REDIRECT:
		T_CHECK(rule->v.fwd.address == vec_u64hex(js, "address"));
		T_CHECK(rule->v.fwd.flags == jint(js, "flags"));
		T_CHECK(rule->v.fwd.length == jint(js, "length"));
		break;
	case WEFT_RULE_MATCH_SOURCE_ZEROTIER_ADDRESS:
	case WEFT_RULE_MATCH_DEST_ZEROTIER_ADDRESS:
		T_CHECK(rule->v.zt == vec_u64hex(js, "zt"));
		break;
	case WEFT_RULE_MATCH_VLAN_ID: T_CHECK(rule->v.vlan_id == jint(js, "vlanId")); break;
	case WEFT_RULE_MATCH_VLAN_PCP: T_CHECK(rule->v.vlan_pcp == jint(js, "vlanPcp")); break;
	case WEFT_RULE_MATCH_VLAN_DEI: T_CHECK(rule->v.vlan_dei == jint(js, "vlanDei")); break;
	case WEFT_RULE_MATCH_IP_PROTOCOL:
		T_CHECK(rule->v.ip_protocol == jint(js, "ipProtocol"));
		break;
	case WEFT_RULE_MATCH_ETHERTYPE: T_CHECK(rule->v.ethertype == jint(js, "etherType")); break;
	case WEFT_RULE_MATCH_IP_TOS:
		T_CHECK(rule->v.ip_tos.mask == jint(js, "mask"));
		T_CHECK(rule->v.ip_tos.start == jint(js, "start"));
		T_CHECK(rule->v.ip_tos.end == jint(js, "end"));
		break;
	case WEFT_RULE_MATCH_ICMP:
		T_CHECK(rule->v.icmp.type == jint(js, "icmpType"));
		T_CHECK((rule->v.icmp.flags & WEFT_RULE_ICMP_CHECK_CODE) ==
		        !json_is_null(json_object_get(js, "icmpCode")));
		break;
	case WEFT_RULE_MATCH_IP_SOURCE_PORT_RANGE:
	case WEFT_RULE_MATCH_IP_DEST_PORT_RANGE:
	case WEFT_RULE_MATCH_FRAME_SIZE_RANGE:
		T_CHECK(rule->v.range.start == jint(js, "start"));
		T_CHECK(rule->v.range.end == jint(js, "end"));
		break;
	case WEFT_RULE_MATCH_CHARACTERISTICS:
		T_CHECK(rule->v.characteristics == vec_u64hex(js, "mask"));
		break;
	case WEFT_RULE_MATCH_RANDOM: T_CHECK(rule->v.probability == jint(js, "probability")); break;
	case WEFT_RULE_MATCH_INTEGER_RANGE:
		T_CHECK(rule->v.int_range.start == vec_u64hex(js, "start"));
		T_CHECK(rule->v.int_range.end == vec_u64hex(js, "end"));
		T_CHECK(rule->v.int_range.idx == jint(js, "idx"));
		T_CHECK((rule->v.int_range.format & WEFT_RULE_INT_BITS_MASK) + 1 ==
		        jint(js, "bits"));
		T_CHECK(((rule->v.int_range.format & WEFT_RULE_INT_LITTLE_ENDIAN) != 0) ==
		        json_is_true(json_object_get(js, "little")));
		break;
	default:
		if (weft_rule_type(rule) >= WEFT_RULE_MATCH_TAGS_DIFFERENCE &&
		    weft_rule_type(rule) <= WEFT_RULE_MATCH_TAG_RECEIVER) {
			T_CHECK(rule->v.tag.id == jint(js, "id"));
			T_CHECK(rule->v.tag.value == jint(js, "value"));
		}
		break;
	}
}

// Accepted JSON reads to exactly `binary`, refused JSON is refused; `binary` renders as the
// controller renders it (or not at all where it says null).
static void check_json(const json_t *c, size_t i)
{
	size_t n = 0;
	uint8_t out[WEFT_RULE_MAX_LEN];
	char why[160] = "";
	struct weft_rule rule;
	struct weft_rbuf r;
	struct weft_wbuf w;
	t_case("rule[%zu] %s (controller JSON)", i, vec_str(c, "name"));
	uint8_t *bin = vec_hex(c, "binary", &n);
	enum weft_result rc =
	    weft_rule_from_json(json_object_get(c, "controller_json"), &rule, why, sizeof why);
	if (vec_bool(c, "controller_accepts_json")) {
		T_CHECK_MSG(rc == WEFT_OK, "refused: %s", why);
		wbuf_init(&w, out, sizeof out);
		weft_rule_encode(&rule, &w);
		T_CHECK(!w.bad && w.len == n);
		if (bin && !w.bad && w.len == n)
			T_CHECK_MEM(out, bin, n);
	} else {
		T_CHECK(rc != WEFT_OK && why[0]);
	}
	rbuf_init(&r, bin, n);
	T_CHECK(bin && weft_rule_decode(&rule, &r) == WEFT_OK);
	json_t *got = weft_rule_to_json(&rule);
	const json_t *exp = json_object_get(c, "controller_rendered_json");
	char *txt = got ? json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	T_CHECK_MSG(json_is_null(exp) ? got == NULL : json_equal(got, exp), "rendered %s",
	            txt ? txt : "null");
	free(txt);
	json_decref(got);
	free(bin);
}

static void check_case(const json_t *c, size_t i)
{
	size_t n = 0;
	uint8_t out[WEFT_RULE_MAX_LEN];
	struct weft_rule rule;
	struct weft_rbuf r;
	struct weft_wbuf w;
	t_case("rule[%zu] %s (binary)", i, vec_str(c, "name"));
	uint8_t *bin = vec_hex(c, "binary", &n);
	T_CHECK(bin != NULL);
	rbuf_init(&r, bin, n);
	T_CHECK(weft_rule_decode(&rule, &r) == WEFT_OK && rbuf_left(&r) == 0);
	T_CHECK(weft_rule_type(&rule) == vec_int(c, "rule_type"));
	T_CHECK(((rule.t & WEFT_RULE_NOT) != 0) == vec_bool(c, "not"));
	T_CHECK(((rule.t & WEFT_RULE_OR) != 0) == vec_bool(c, "or"));
	T_CHECK(weft_rule_type_is_known(weft_rule_type(&rule)));
	if (json_is_object(json_object_get(c, "controller_json")))
		check_fields(&rule, json_object_get(c, "controller_json"));
	wbuf_init(&w, out, sizeof out);
	weft_rule_encode(&rule, &w);
	bool same = !w.bad && w.len == n && !memcmp(out, bin, n);
	T_CHECK(same == vec_bool(c, "binary_roundtrip_equal"));
	// a truncated entry is refused
	for (size_t k = 0; bin && k < n; k++) {
		rbuf_init(&r, bin, k);
		T_CHECK(weft_rule_decode(&rule, &r) != WEFT_OK);
	}
	free(bin);
	check_json(c, i);
}

// All binaries concatenated form one base rule list (netconf `R`).
static void check_list(const json_t *cases)
{
	static uint8_t blob[4096], out[4096];
	static struct weft_rule rules[WEFT_RULES_MAX_BASE];
	size_t len = 0, n = 0, i;
	json_t *c;
	t_case("rule list: all cases concatenated");
	json_array_foreach (cases, i, c) {
		size_t k = 0;
		uint8_t *bin = vec_hex(c, "binary", &k);
		if (bin && len + k <= sizeof blob) {
			memcpy(blob + len, bin, k);
			len += k;
		}
		free(bin);
	}
	struct weft_rbuf r;
	struct weft_wbuf w;
	rbuf_init(&r, blob, len);
	T_CHECK(weft_rules_decode(rules, WEFT_RULES_MAX_BASE, &n, &r) == WEFT_OK);
	T_CHECK(n == json_array_size(cases));
	wbuf_init(&w, out, sizeof out);
	weft_rules_encode(rules, n, &w);
	T_CHECK(!w.bad && w.len == len && !memcmp(out, blob, len));
	// one entry fewer than the list holds is too many for the cap
	rbuf_init(&r, blob, len);
	T_CHECK(weft_rules_decode(rules, n - 1, &n, &r) == WEFT_ERR_TOO_BIG && n == 0);
}

// Types without a layout travel as opaque bytes; known types must have their exact length.
static void check_unknown_and_lengths(void)
{
	static const uint8_t unknown[] = {0x87, 0x03, 0xaa, 0xbb, 0xcc,
	                                  0x3f, 0x00, 0x10, 0x01, 0x5a};
	static const uint8_t long_ethertype[] = {0x25, 0x03, 0x08, 0x00, 0x00};
	static const uint8_t short_tee[] = {0x02, 0x00};
	struct weft_rule rules[8];
	uint8_t out[sizeof unknown];
	size_t n = 0;
	struct weft_rbuf r;
	struct weft_wbuf w;
	t_case("rule list: unknown types kept opaque, wrong lengths refused");
	rbuf_init(&r, unknown, sizeof unknown);
	T_CHECK(weft_rules_decode(rules, 8, &n, &r) == WEFT_OK && n == 3);
	wbuf_init(&w, out, sizeof out);
	weft_rules_encode(rules, n, &w);
	T_CHECK(!w.bad && w.len == sizeof unknown && !memcmp(out, unknown, sizeof unknown));
	rbuf_init(&r, long_ethertype, sizeof long_ethertype);
	T_CHECK(weft_rules_decode(rules, 8, &n, &r) == WEFT_ERR_INVALID && n == 0);
	rbuf_init(&r, short_tee, sizeof short_tee);
	T_CHECK(weft_rules_decode(rules, 8, &n, &r) == WEFT_ERR_INVALID && n == 0);
}

// Beyond the vectors: defaults the reference applies, and refusals that name the field.
static void check_json_edges(void)
{
	static const struct {
		const char *js, *why; // why: NULL = accepted
		const char *rendered;
	} cases[] = {
	    {"{\"type\":\"MATCH_IPV4_DEST\",\"ip\":\"10.1.2.3\"}", NULL,
	     "{\"type\":\"MATCH_IPV4_DEST\",\"not\":false,\"or\":false,\"ip\":\"10.1.2.3/0\"}"},
	    {"{\"type\":\"MATCH_IP_DEST_PORT_RANGE\",\"start\":\"80\",\"not\":1}", NULL,
	     "{\"type\":\"MATCH_IP_DEST_PORT_RANGE\",\"not\":true,\"or\":false,\"start\":80,"
	     "\"end\":80}"},
	    {"{\"type\":\"ACTION_TEE\",\"address\":\"beefbeef01\",\"length\":-1,\"or\":true}", NULL,
	     "{\"type\":\"ACTION_TEE\",\"address\":\"beefbeef01\",\"flags\":0,\"length\":65535}"},
	    {"{\"type\":\"MATCH_MAC_SOURCE\",\"mac\":\"02-11-22-33-44-55\"}", NULL,
	     "{\"type\":\"MATCH_MAC_SOURCE\",\"not\":false,\"or\":false,\"mac\":\"02:11:22:33:44:"
	     "55\"}"},
	    {"{\"type\":\"MATCH_ETHERTYPE\",\"etherType\":[1]}", "etherType:", NULL},
	    {"{\"type\":\"MATCH_IPV6_SOURCE\",\"ip\":\"10.0.0.0/8\"}", "ip:", NULL},
	    {"{\"type\":\"MATCH_SOURCE_ZEROTIER_ADDRESS\",\"zt\":\"xyz\"}", "zt:", NULL},
	    {"{\"type\":\"MATCH_VLAN_ID\",\"vlanId\":1,\"or\":{}}", "or:", NULL},
	    {"{\"type\":\"ACTION_PRIORITY\"}", "type:", NULL},
	    {"{\"type\":\"MATCH_NOPE\"}", "type:", NULL},
	};
	t_case("controller JSON: defaults and refusals");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct weft_rule rule;
		char why[160] = "";
		json_t *in = json_loads(cases[i].js, 0, NULL);
		enum weft_result rc = weft_rule_from_json(in, &rule, why, sizeof why);
		if (cases[i].why) {
			T_CHECK_MSG(rc != WEFT_OK &&
			                !strncmp(why, cases[i].why, strlen(cases[i].why)),
			            "%s: %s", cases[i].js, why);
		} else {
			json_t *exp = json_loads(cases[i].rendered, 0, NULL);
			json_t *got = rc == WEFT_OK ? weft_rule_to_json(&rule) : NULL;
			T_CHECK_MSG(json_equal(got, exp), "%s: %s", cases[i].js, why);
			json_decref(got);
			json_decref(exp);
		}
		json_decref(in);
	}
}

int main(void)
{
	t_init("vectors/rules");
	json_t *j = vec_load("rules.json");
	const json_t *cases = json_object_get(j, "cases");
	size_t i;
	json_t *c;
	json_array_foreach (cases, i, c)
		check_case(c, i);
	check_list(cases);
	check_unknown_and_lengths();
	check_json_edges();
	json_decref(j);
	return t_done();
}
