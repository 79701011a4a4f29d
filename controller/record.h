// SPDX-License-Identifier: MPL-2.0
// Record rules inside controller/: defaults (service.md §2.8.1, §2.9.1), the writable keys and
// their coercions (§2.8.2, §2.9.2), and rule re-rendering (§2.8.3). Every apply works on the
// caller's copy and stops at the first value that cannot be coerced, naming it in `why`.
#ifndef WEFT_CONTROLLER_RECORD_H
#define WEFT_CONTROLLER_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define WEFT_CTL_MAX_LIST 16384 // routes, ipAssignments: the reference keeps at most this many

json_t *weft_ctl_network_defaults(uint64_t nwid, int64_t now_ms);
bool weft_ctl_network_apply(json_t *rec, const json_t *body, char *why, size_t cap);
json_t *weft_ctl_member_defaults(uint64_t nwid, uint64_t addr, int64_t now_ms);
bool weft_ctl_member_apply(json_t *rec, const json_t *body, int64_t now_ms, char *why, size_t cap);

// Coercions (§2.8.2): false when the value has a type that does not coerce.
bool weft_ctl_to_bool(const json_t *v, bool *out);
bool weft_ctl_to_int(const json_t *v, json_int_t *out);
// Store a coerced value under key, or refuse (false, `why` naming the key). Integers are
// clamped to [lo, hi].
bool weft_ctl_refuse(char *why, size_t cap, const char *key, const char *what);
bool weft_ctl_set_bool(json_t *rec, const char *key, const json_t *v, char *why, size_t cap);
bool weft_ctl_set_string(json_t *rec, const char *key, const json_t *v, char *why, size_t cap);
bool weft_ctl_set_int(json_t *rec, const char *key, const json_t *v, json_int_t lo, json_int_t hi,
                      char *why, size_t cap);
// A new string value, or NULL.
json_t *weft_ctl_to_string(const json_t *v);
// Parses "ip" or "ip/bits" into canonical "ip" text; *family is 4 or 6, *bits -1 if none.
bool weft_ctl_ip_parse(const char *s, char *out, size_t cap, int *family, int *bits);

// Takes list (objects with "id", or [id, value] pairs): a new array, one element per id (the
// last given wins), ascending by id. Quadratic: lists are capped at WEFT_CTL_MAX_LIST.
json_t *weft_ctl_sorted_unique(json_t *list);

// The body with rulesSource compiled into rules, capabilities and tags when it carries source
// and no rules (a new reference: the body itself otherwise); NULL with `why` holding the
// compiler's file:line:col message on an error.
json_t *weft_ctl_rules_source(const json_t *body, char *why, size_t cap);

// Re-renders a rules array; NULL with `why` set if the shape is wrong.
json_t *weft_ctl_rules_render(const json_t *rules, const char *field, char *why, size_t cap);

#endif
