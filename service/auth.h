// SPDX-License-Identifier: MPL-2.0
// The local API's shared secrets: HOME/authtoken.secret and HOME/metricstoken.secret
// (service.md §1.2), and the constant-time check of a token a request presents.
#ifndef WEFT_SERVICE_AUTH_H
#define WEFT_SERVICE_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define WEFT_AUTH_TOKEN_LEN 24  // length of a generated token
#define WEFT_AUTH_TOKEN_MAX 256 // longest token accepted from a hand-written file, with NUL

// Reads HOME/<name> into out (cap bytes), trimming surrounding space, tab, CR, LF and NUL,
// and forces its mode to 0600. A file that cannot be read, or holds only whitespace, is
// replaced by a new random token of 24 characters from [a-z0-9] (mode 0600, no newline).
// Returns 0, or -errno when the token could neither be read nor written.
int weft_auth_load(const char *home, const char *name, char *out, size_t cap);

struct weft_service;

// Loads (or creates) authtoken.secret and metricstoken.secret into s. 0 or -errno.
int weft_auth_prepare(struct weft_service *s);
// Wipes the tokens held in s.
void weft_auth_clear(struct weft_service *s);

// True if `given` equals `expected`; the time taken does not depend on where they differ.
bool weft_auth_token_equal(const char *expected, const char *given);

#endif
