// SPDX-License-Identifier: MPL-2.0
// Rule re-rendering for posted rules (service.md §2.8.3): each rule is read into the binary form
// and rendered back (rule_json.c), as the reference does, so stored rules are exactly what it
// would store. Rules the controller drops (unknown types, ACTION_PRIORITY, INTEGER_RANGE) are
// dropped; a field value that cannot be read refuses the whole array, naming the rule and field.
#include <stdio.h>

#include "record.h"
#include "rule_json.h"

json_t *weft_ctl_rules_render(const json_t *rules, const char *field, char *why, size_t cap)
{
	size_t i;
	const json_t *r;
	struct weft_rule rule;
	char what[160];
	if (!json_is_array(rules)) {
		snprintf(why, cap, "%s: must be an array", field);
		return NULL;
	}
	json_t *out = json_array();
	json_array_foreach (rules, i, r) {
		enum weft_result rc = weft_rule_from_json(r, &rule, what, sizeof what);
		if (rc == WEFT_ERR_INVALID) {
			snprintf(why, cap, "%s[%zu].%s", field, i, what);
			json_decref(out);
			return NULL;
		}
		json_t *js = rc == WEFT_OK ? weft_rule_to_json(&rule) : NULL;
		if (js && json_array_size(out) < WEFT_CTL_MAX_LIST)
			json_array_append_new(out, js);
		else
			json_decref(js);
	}
	return out;
}
