// SPDX-License-Identifier: MPL-2.0
// Who subscribes to which multicast group (vl2.md §8): a table of (network, group) -> members
// with the time each was last heard, filled from MULTICAST_LIKE and gather results, aged out
// after 600 s, and asked by MULTICAST_GATHER. Roots and controllers keep it as the directory
// that lets members find each other; members keep it to know whom to send a multicast.
#ifndef WEFT_MULTICAST_H
#define WEFT_MULTICAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vl2addr.h"

struct weft_mc_sub {
	uint64_t address;
	int64_t heard_ms;
};

struct weft_mc_group {
	uint64_t nwid; // 0 = free slot
	struct weft_vl2_mcgroup group;
	unsigned n, cap;
	struct weft_mc_sub *subs;
};

struct weft_mc {
	struct weft_mc_group *slots; // open addressing, linear probing; cap is a power of two
	size_t cap, n;
};

void weft_mc_init(struct weft_mc *mc);
void weft_mc_free(struct weft_mc *mc);
// Adds or refreshes a subscriber. False if a table cap refused it (or memory ran out).
bool weft_mc_add(struct weft_mc *mc, uint64_t nwid, const struct weft_vl2_mcgroup *g,
                 uint64_t address, int64_t now_ms);
// Subscribers of a group except `exclude`, in an order drawn from `rnd` (a permutation
// seed per call), at most max into out. *total is how many are stored in all.
size_t weft_mc_gather(const struct weft_mc *mc, uint64_t nwid, const struct weft_vl2_mcgroup *g,
                      uint64_t exclude, uint64_t rnd, uint64_t *out, size_t max, uint32_t *total);
// Forgets subscribers not heard from for `max_age_ms`, and groups left empty.
void weft_mc_expire(struct weft_mc *mc, int64_t now_ms, int64_t max_age_ms);

#endif
