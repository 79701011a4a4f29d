// SPDX-License-Identifier: MPL-2.0
// Rule re-rendering for posted rules (service.md §2.8.3), done on the JSON itself until a JSON
// rule codec over include/weft/rules.h exists: unknown types are dropped, actions keep only
// their own fields (TEE/WATCH/REDIRECT gain flags), matches always carry not/or, and integer
// fields are masked to their wire width. Match fields are otherwise kept as given.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "record.h"

struct field_mask {
	const char *name;
	json_int_t mask;
};

struct rule_type {
	const char *name;
	bool action;
	struct field_mask masks[3];
};

#define M8  0xff
#define M16 0xffff
#define M32 0xffffffffLL

static const struct rule_type types[] = {
    {"ACTION_DROP", true, {{0}}},
    {"ACTION_ACCEPT", true, {{0}}},
    {"ACTION_TEE", true, {{0}}},
    {"ACTION_WATCH", true, {{0}}},
    {"ACTION_REDIRECT", true, {{0}}},
    {"ACTION_BREAK", true, {{0}}},
    {"ACTION_PRIORITY", true, {{0}}},
    {"MATCH_SOURCE_ZEROTIER_ADDRESS", false, {{0}}},
    {"MATCH_DEST_ZEROTIER_ADDRESS", false, {{0}}},
    {"MATCH_VLAN_ID", false, {{"vlanId", M16}}},
    {"MATCH_VLAN_PCP", false, {{"vlanPcp", M8}}},
    {"MATCH_VLAN_DEI", false, {{"vlanDei", M8}}},
    {"MATCH_MAC_SOURCE", false, {{0}}},
    {"MATCH_MAC_DEST", false, {{0}}},
    {"MATCH_IPV4_SOURCE", false, {{0}}},
    {"MATCH_IPV4_DEST", false, {{0}}},
    {"MATCH_IPV6_SOURCE", false, {{0}}},
    {"MATCH_IPV6_DEST", false, {{0}}},
    {"MATCH_IP_TOS", false, {{"mask", M8}, {"start", M8}, {"end", M8}}},
    {"MATCH_IP_PROTOCOL", false, {{"ipProtocol", M8}}},
    {"MATCH_ETHERTYPE", false, {{"etherType", M16}}},
    {"MATCH_ICMP", false, {{"icmpType", M8}}},
    {"MATCH_IP_SOURCE_PORT_RANGE", false, {{"start", M16}, {"end", M16}}},
    {"MATCH_IP_DEST_PORT_RANGE", false, {{"start", M16}, {"end", M16}}},
    {"MATCH_CHARACTERISTICS", false, {{0}}},
    {"MATCH_FRAME_SIZE_RANGE", false, {{"start", M16}, {"end", M16}}},
    {"MATCH_RANDOM", false, {{"probability", M32}}},
    {"MATCH_TAGS_DIFFERENCE", false, {{"id", M32}, {"value", M32}}},
    {"MATCH_TAGS_BITWISE_AND", false, {{"id", M32}, {"value", M32}}},
    {"MATCH_TAGS_BITWISE_OR", false, {{"id", M32}, {"value", M32}}},
    {"MATCH_TAGS_BITWISE_XOR", false, {{"id", M32}, {"value", M32}}},
    {"MATCH_TAGS_EQUAL", false, {{"id", M32}, {"value", M32}}},
    {"MATCH_TAG_SENDER", false, {{"id", M32}, {"value", M32}}},
    {"MATCH_TAG_RECEIVER", false, {{"id", M32}, {"value", M32}}},
    {"MATCH_INTEGER_RANGE", false, {{"idx", M16}}},
};

static const struct rule_type *find_type(const char *name)
{
	for (size_t i = 0; name && i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(types[i].name, name))
			return &types[i];
	return NULL;
}

// A ZeroTier address field as 10 lower-case hex digits; absent or unparsable is 0.
static json_t *address_of(const json_t *r)
{
	const char *s = json_string_value(json_object_get(r, "address"));
	uint64_t a = 0;
	char out[11];
	if (!s || !weft_hex_u64(&a, s, strlen(s)))
		a = 0;
	snprintf(out, sizeof out, "%010llx", (unsigned long long)(a & 0xffffffffffULL));
	return json_string(out);
}

static json_int_t int_of(const json_t *r, const char *name, json_int_t mask)
{
	json_int_t v = 0;
	if (!weft_ctl_to_int(json_object_get(r, name), &v))
		v = 0;
	return v & mask;
}

static json_t *render_action(const json_t *r, const char *type)
{
	json_t *out = json_pack("{s:s}", "type", type);
	bool fwd = !strcmp(type, "ACTION_TEE") || !strcmp(type, "ACTION_WATCH");
	if (fwd || !strcmp(type, "ACTION_REDIRECT")) {
		json_object_set_new(out, "address", address_of(r));
		json_object_set_new(out, "flags", json_integer(int_of(r, "flags", M32)));
	}
	if (fwd)
		json_object_set_new(out, "length", json_integer(int_of(r, "length", M16)));
	return out;
}

static json_t *render_match(const json_t *r, const struct rule_type *t)
{
	json_t *out = json_deep_copy(r);
	bool b;
	json_object_set_new(out, "not",
	                    json_boolean(weft_ctl_to_bool(json_object_get(r, "not"), &b) && b));
	json_object_set_new(out, "or",
	                    json_boolean(weft_ctl_to_bool(json_object_get(r, "or"), &b) && b));
	for (size_t i = 0; i < 3 && t->masks[i].name; i++) {
		json_t *v = json_object_get(out, t->masks[i].name);
		if (json_is_integer(v))
			json_object_set_new(out, t->masks[i].name,
			                    json_integer(json_integer_value(v) & t->masks[i].mask));
	}
	return out;
}

json_t *weft_ctl_rules_render(const json_t *rules, const char *field, char *why, size_t cap)
{
	size_t i;
	const json_t *r;
	if (!json_is_array(rules)) {
		snprintf(why, cap, "%s: must be an array", field);
		return NULL;
	}
	json_t *out = json_array();
	json_array_foreach (rules, i, r) {
		const char *name = json_string_value(json_object_get(r, "type"));
		const struct rule_type *t = json_is_object(r) ? find_type(name) : NULL;
		if (t && json_array_size(out) < WEFT_CTL_MAX_LIST)
			json_array_append_new(out, t->action ? render_action(r, name)
			                                     : render_match(r, t));
	}
	return out;
}
