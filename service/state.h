// SPDX-License-Identifier: MPL-2.0
// The node's state objects as files in the home directory (service.md §1.2).
#ifndef WEFT_SERVICE_STATE_H
#define WEFT_SERVICE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "weft/weft.h"

// Creates the home directory (like mkdir -p) and locks down identity.secret. 0 or -errno.
int weft_state_prepare(const char *home);
// Callbacks for struct weft_node_callbacks; ctx is the home path.
void weft_state_put(void *home, enum weft_state_object type, uint64_t id, const void *data,
                    size_t len);
long weft_state_get(void *home, enum weft_state_object type, uint64_t id, void *buf, size_t cap);
// Calls fn for every moons.d/<16 hex>.moon file.
void weft_state_each_moon(const char *home, void (*fn)(void *ctx, uint64_t id), void *ctx);
// Calls fn for every networks.d/<16 hex>.conf file (the networks to re-join at start, §1.3).
void weft_state_each_network(const char *home, void (*fn)(void *ctx, uint64_t id), void *ctx);
// A joined network with no stored config gets a NWID.conf holding "\n" (§1.4); an existing
// file is left alone.
void weft_state_network_placeholder(const char *home, uint64_t nwid);

#endif
