// SPDX-License-Identifier: MPL-2.0
// One rule between the controller's JSON form (vl2.md §6.11, service.md §2.8.3) and the binary
// struct of include/weft/rules.h. Reading is as lenient as the reference (numbers or decimal
// strings, absent fields take their defaults) but refuses values it cannot coerce; writing gives
// the reference's rendering exactly. No I/O.
#ifndef WEFT_CONTROLLER_RULE_JSON_H
#define WEFT_CONTROLLER_RULE_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "weft/rules.h"

// WEFT_OK; WEFT_ERR_UNSUPPORTED for a rule the controller drops (not an object, no or an
// unknown type, ACTION_PRIORITY, INTEGER_RANGE); WEFT_ERR_INVALID for a field whose value
// cannot be read. Either way `why` says `<field>: <what>`, quoting the value.
enum weft_result weft_rule_from_json(const json_t *js, struct weft_rule *rule, char *why,
                                     size_t cap);
// A new object as the controller renders the rule, or NULL for a rule it cannot render
// (ACTION_PRIORITY and types without a layout).
json_t *weft_rule_to_json(const struct weft_rule *rule);

#endif
