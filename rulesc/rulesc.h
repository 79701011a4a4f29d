// SPDX-License-Identifier: MPL-2.0
// The rules definition language compiler (spec rules-language.md): source text in, the JSON the
// reference compiler's wrapper prints out ({"config": {"rules", "capabilities", "tags"},
// "capabilitiesByName", "tagsByName"}), which web UIs post to the controller.
#ifndef WEFT_RULESC_H
#define WEFT_RULESC_H

#include <jansson.h>
#include <stddef.h>

// Compiles src[0..len) (UTF-8; NUL bytes are refused). Returns a new reference the caller
// frees with json_decref, or NULL with err holding "filename:line:col: message" (NUL-terminated,
// truncated to errcap; positions as the reference counts them, spec 2). filename is only used in
// the message and may be NULL. Nothing is kept between calls; the function is reentrant.
json_t *weft_rulesc_compile(const char *src, size_t len, const char *filename, char *err,
                            size_t errcap);

#endif
