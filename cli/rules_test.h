// SPDX-License-Identifier: MPL-2.0
// `weft rules test` (cmd_rules.c): a policy (base rules, capabilities, tags), frames built from
// short descriptions (frame_describe.c), the pipeline's verdict with the rule that decided it
// (rules_explain.c), and the vector-format replay of one rules_eval.json case (rules_case.c).
#ifndef WEFT_CLI_RULES_TEST_H
#define WEFT_CLI_RULES_TEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules_eval.h"
#include "weft/rules.h"

#define WEFT_CLI_RULES_MAX_CAPS 16
#define WEFT_CLI_RULES_MAX_TAGS 32
// Largest frame a description or `hex` may give (a jumbo Ethernet frame).
#define WEFT_CLI_FRAME_MAX 9018

// What the pipeline runs: base rules, the capabilities it tries (in order) and both tag sets.
struct weft_cli_policy {
	struct weft_rule base[WEFT_RULES_MAX_BASE];
	size_t n_base;
	struct weft_rule cap_rules[WEFT_CLI_RULES_MAX_CAPS][WEFT_RULES_MAX_CAP];
	struct weft_rules_list caps[WEFT_CLI_RULES_MAX_CAPS];
	uint32_t cap_ids[WEFT_CLI_RULES_MAX_CAPS];
	size_t n_caps;
	struct weft_rules_tag local[WEFT_CLI_RULES_MAX_TAGS], remote[WEFT_CLI_RULES_MAX_TAGS];
	size_t n_local, n_remote;
};

// A frame built from a description: Ethernet header fields and the payload after it.
struct weft_cli_frame {
	uint64_t src_mac, dst_mac;
	uint16_t ethertype, vlan_id;
	uint8_t payload[WEFT_CLI_FRAME_MAX];
	size_t len;
};

// Parses a frame description (tokens, as split by the shell or by spaces). On failure returns
// false and writes `at 'TOKEN': what was expected` (or `at end: ...`) into why.
bool weft_cli_frame_describe(struct weft_cli_frame *f, char **tok, size_t n, char *why, size_t cap);

// The verdict, where it came from and which rules fired the copies.
struct weft_cli_decision {
	struct weft_rules_outcome out;
	int list;  // -1 base rules, >= 0 index into policy caps, -2 none: the default drop
	long rule; // index of the deciding rule in that list; -1: fell off the end
	long copy_rule[WEFT_RULES_MAX_COPIES]; // rule index behind each copy, -1 unknown
	int copy_list[WEFT_RULES_MAX_COPIES];  // list of that rule (as `list`)
};

// Runs weft_rules_filter and works out, by evaluating list prefixes, which rule decided.
void weft_cli_rules_explain(const struct weft_rules_ctx *ctx, const struct weft_cli_policy *p,
                            struct weft_cli_decision *d);

// `weft rules test --case FILE`: prints the case's `result` as the vector writes it.
int weft_cli_rules_case(const char *path);

// Name of a copy kind from its EXT_FRAME flags: "tee-outbound", ..., "watch-inbound".
const char *weft_cli_rules_copy_kind(uint8_t flags);

#endif
