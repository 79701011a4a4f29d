// SPDX-License-Identifier: MPL-2.0
// The subscription table behind multicast (multicast.h). Groups hash into an open-addressed
// table that doubles at half load and is rebuilt when expiry empties groups; each group's
// subscribers are a small array searched linearly (a group rarely has more than a few hundred).
#include "multicast.h"

#include <stdlib.h>
#include <string.h>

#include "limits.h"

void weft_mc_init(struct weft_mc *mc)
{
	memset(mc, 0, sizeof *mc);
}

void weft_mc_free(struct weft_mc *mc)
{
	for (size_t i = 0; i < mc->cap; i++)
		free(mc->slots[i].subs);
	free(mc->slots);
	memset(mc, 0, sizeof *mc);
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static size_t slot_of(const struct weft_mc *mc, uint64_t nwid, const struct weft_vl2_mcgroup *g)
{
	size_t i = mix(nwid ^ mix(g->mac ^ ((uint64_t)g->adi << 48))) & (mc->cap - 1);
	while (mc->slots[i].nwid &&
	       (mc->slots[i].nwid != nwid || weft_vl2_mcgroup_cmp(&mc->slots[i].group, g)))
		i = (i + 1) & (mc->cap - 1);
	return i;
}

// Moves every group into a table of `cap` slots (a power of two above twice the count).
static bool rehash(struct weft_mc *mc, size_t cap)
{
	struct weft_mc old = *mc;
	mc->slots = calloc(cap, sizeof *mc->slots);
	if (!mc->slots) {
		*mc = old;
		return false;
	}
	mc->cap = cap;
	mc->n = 0;
	for (size_t i = 0; i < old.cap; i++) {
		struct weft_mc_group *g = &old.slots[i];
		if (!g->nwid)
			continue;
		if (!g->n) {
			free(g->subs);
			continue;
		}
		mc->slots[slot_of(mc, g->nwid, &g->group)] = *g;
		mc->n++;
	}
	free(old.slots);
	return true;
}

static struct weft_mc_group *find(const struct weft_mc *mc, uint64_t nwid,
                                  const struct weft_vl2_mcgroup *g)
{
	if (!mc->cap)
		return NULL;
	struct weft_mc_group *s = &mc->slots[slot_of(mc, nwid, g)];
	return s->nwid ? s : NULL;
}

bool weft_mc_add(struct weft_mc *mc, uint64_t nwid, const struct weft_vl2_mcgroup *g,
                 uint64_t address, int64_t now_ms)
{
	struct weft_mc_group *grp = find(mc, nwid, g);
	if (!grp) {
		if (mc->n >= WEFT_LIMIT_MC_GROUPS || !nwid)
			return false;
		if ((mc->n + 1) * 2 > mc->cap && !rehash(mc, mc->cap ? mc->cap * 2 : 64))
			return false;
		grp = &mc->slots[slot_of(mc, nwid, g)];
		*grp = (struct weft_mc_group){.nwid = nwid, .group = *g};
		mc->n++;
	}
	for (unsigned i = 0; i < grp->n; i++)
		if (grp->subs[i].address == address) {
			grp->subs[i].heard_ms = now_ms;
			return true;
		}
	if (grp->n == grp->cap) {
		unsigned cap = grp->cap ? grp->cap * 2 : 4;
		struct weft_mc_sub *subs;
		if (grp->cap >= WEFT_LIMIT_MC_SUBSCRIBERS ||
		    !(subs = realloc(grp->subs, cap * sizeof *subs)))
			return false;
		grp->subs = subs;
		grp->cap = cap;
	}
	grp->subs[grp->n++] = (struct weft_mc_sub){address, now_ms};
	return true;
}

static bool gcd_is_not_one(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;
		a = b;
		b = t;
	}
	return a != 1;
}

size_t weft_mc_gather(const struct weft_mc *mc, uint64_t nwid, const struct weft_vl2_mcgroup *g,
                      uint64_t exclude, uint64_t rnd, uint64_t *out, size_t max, uint32_t *total)
{
	const struct weft_mc_group *grp = find(mc, nwid, g);
	size_t n = 0;
	*total = grp ? grp->n : 0;
	if (!grp || !grp->n || !max)
		return 0;
	// Walk the array from a random start with a random odd stride: a permutation of the
	// subscribers when n is a power of two, and a fair spread otherwise, without copying.
	rnd = mix(rnd); // callers may pass sequential seeds
	size_t len = grp->n, start = (size_t)(rnd % len), stride = 1;
	if (len > 2)
		for (stride = (size_t)((rnd >> 32) % len) | 1; gcd_is_not_one(stride, len);)
			stride += 2;
	for (size_t k = 0; k < len && n < max; k++) {
		uint64_t a = grp->subs[(start + k * stride) % len].address;
		if (a != exclude)
			out[n++] = a;
	}
	return n;
}

void weft_mc_expire(struct weft_mc *mc, int64_t now_ms, int64_t max_age_ms)
{
	bool emptied = false;
	for (size_t i = 0; i < mc->cap; i++) {
		struct weft_mc_group *g = &mc->slots[i];
		unsigned k = 0;
		if (!g->nwid)
			continue;
		for (unsigned j = 0; j < g->n; j++)
			if (now_ms - g->subs[j].heard_ms < max_age_ms)
				g->subs[k++] = g->subs[j];
		g->n = k;
		emptied |= k == 0;
	}
	if (emptied) // empty groups leave the table; probing needs no holes, so rebuild it
		rehash(mc, mc->cap);
}
