// SPDX-License-Identifier: MPL-2.0
// A network write that carries rulesSource and no rules (a weft extension; 1.14 ignores
// rulesSource): the source is compiled (rulesc/) and the body rewritten to carry the compiled
// rules, capabilities and tags, so they go through the same checks as posted ones. A body that
// already has rules is left as it is, as UIs that compile on their side expect.
#include <stdio.h>

#include "record.h"
#include "rulesc.h"

json_t *weft_ctl_rules_source(const json_t *body, char *why, size_t cap)
{
	const json_t *src = json_object_get(body, "rulesSource");
	char err[512];
	if (!json_is_string(src) || json_object_get(body, "rules"))
		return json_incref((json_t *)body);
	json_t *out = weft_rulesc_compile(json_string_value(src), json_string_length(src),
	                                  "rulesSource", err, sizeof err);
	json_t *cfg = json_object_get(out, "config");
	if (!json_is_object(cfg)) {
		snprintf(why, cap, "%s", out ? "rulesSource: compiler gave no config" : err);
		json_decref(out);
		return NULL;
	}
	json_t *b = json_copy((json_t *)body);
	json_object_set(b, "rules", json_object_get(cfg, "rules"));
	json_object_set(b, "capabilities", json_object_get(cfg, "capabilities"));
	json_object_set(b, "tags", json_object_get(cfg, "tags"));
	json_decref(out);
	return b;
}
