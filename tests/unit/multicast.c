// SPDX-License-Identifier: MPL-2.0
// core/multicast.h, the subscription table: add and refresh, gather excluding the asker with
// every subscriber reachable across seeds and none twice, caps, expiry of stale subscribers and
// empty groups, and a table that grows through many groups then shrinks, checked against a
// naive list.
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "multicast.h"
#include "t.h"

static struct weft_vl2_mcgroup grp(uint64_t mac, uint32_t adi)
{
	return (struct weft_vl2_mcgroup){mac, adi};
}

static bool has(const uint64_t *v, size_t n, uint64_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

int main(void)
{
	static struct weft_mc mc;
	static uint64_t out[WEFT_LIMIT_MC_SUBSCRIBERS + 8];
	uint32_t total;
	const uint64_t nw = 0x8056c2e21c000001ULL;
	struct weft_vl2_mcgroup arp = grp(0xffffffffffffULL, 0x0a931105),
	                        bc = grp(0xffffffffffffULL, 0);
	t_init("unit/multicast");
	weft_mc_init(&mc);

	t_case("multicast: an empty table gathers nothing");
	T_CHECK(weft_mc_gather(&mc, nw, &arp, 0, 1, out, 10, &total) == 0 && total == 0);
	weft_mc_expire(&mc, 0, 1000); // nothing to do, nothing breaks

	t_case("multicast: subscribers are kept per (network, group) and refreshed, not repeated");
	T_CHECK(weft_mc_add(&mc, nw, &arp, 0x1111111111, 1000));
	T_CHECK(weft_mc_add(&mc, nw, &arp, 0x2222222222, 1000));
	T_CHECK(weft_mc_add(&mc, nw, &arp, 0x1111111111, 2000)); // refresh
	T_CHECK(weft_mc_add(&mc, nw, &bc, 0x3333333333, 1000));
	T_CHECK(weft_mc_add(&mc, nw + 1, &arp, 0x4444444444, 1000));
	T_CHECK(!weft_mc_add(&mc, 0, &arp, 0x5555555555, 1000)); // network 0 is no network
	size_t n = weft_mc_gather(&mc, nw, &arp, 0, 7, out, 10, &total);
	T_CHECK_MSG(n == 2 && total == 2, "n %zu total %u", n, total);
	T_CHECK(has(out, n, 0x1111111111) && has(out, n, 0x2222222222));
	T_CHECK(weft_mc_gather(&mc, nw, &bc, 0, 7, out, 10, &total) == 1 && out[0] == 0x3333333333);
	struct weft_vl2_mcgroup other = grp(0x333300000001ULL, 0);
	T_CHECK(weft_mc_gather(&mc, nw, &other, 0, 7, out, 10, &total) == 0 && total == 0);

	t_case("multicast: the asker is left out, max is honoured, total counts everyone");
	n = weft_mc_gather(&mc, nw, &arp, 0x2222222222, 3, out, 10, &total);
	T_CHECK(n == 1 && out[0] == 0x1111111111 && total == 2);
	T_CHECK(weft_mc_gather(&mc, nw, &arp, 0, 3, out, 1, &total) == 1 && total == 2);
	T_CHECK(weft_mc_gather(&mc, nw, &arp, 0, 3, out, 0, &total) == 0);

	t_case("multicast: every gather is a permutation; different seeds start differently");
	for (uint64_t a = 1; a <= 50; a++)
		weft_mc_add(&mc, nw, &other, a, 1000);
	unsigned firsts[51] = {0}, bad = 0;
	for (uint64_t seed = 0; seed < 400; seed++) {
		uint64_t s = seed * 0x9e3779b97f4a7c15ULL;
		n = weft_mc_gather(&mc, nw, &other, 0, s, out, 100, &total);
		bool seen[51] = {false};
		for (size_t i = 0; i < n; i++) {
			if (out[i] < 1 || out[i] > 50 || seen[out[i]])
				bad++;
			else
				seen[out[i]] = true;
		}
		bad += n != 50;
		firsts[out[0] <= 50 ? out[0] : 0]++;
	}
	unsigned distinct = 0;
	for (unsigned i = 1; i <= 50; i++)
		distinct += firsts[i] > 0;
	T_CHECK_MSG(bad == 0, "%u bad gathers", bad);
	T_CHECK_MSG(distinct >= 40, "only %u distinct first picks", distinct);

	t_case("multicast: subscribers not heard for the lifetime go, and empty groups with them");
	weft_mc_expire(&mc, 601000, 600000); // forgets everything heard at 1000
	T_CHECK(weft_mc_gather(&mc, nw, &arp, 0, 1, out, 10, &total) == 1 &&
	        out[0] == 0x1111111111); // heard at 2000
	T_CHECK(weft_mc_gather(&mc, nw, &bc, 0, 1, out, 10, &total) == 0 && total == 0);
	T_CHECK(mc.n == 1);

	t_case("multicast: per-group cap, growth through 20,000 groups, then all expire");
	unsigned refused = 0;
	for (uint64_t a = 1; a <= WEFT_LIMIT_MC_SUBSCRIBERS + 10; a++)
		refused += !weft_mc_add(&mc, nw, &bc, a, 700000);
	T_CHECK_MSG(refused == 10, "%u refused", refused);
	T_CHECK(weft_mc_gather(&mc, nw, &bc, 0, 5, out, sizeof out / sizeof out[0], &total) ==
	            WEFT_LIMIT_MC_SUBSCRIBERS &&
	        total == WEFT_LIMIT_MC_SUBSCRIBERS);
	unsigned missing = 0;
	for (uint32_t i = 0; i < 20000; i++) {
		struct weft_vl2_mcgroup g = grp(0x01005e000000ULL | i, i * 7);
		weft_mc_add(&mc, nw + (i % 3), &g, 0x100 + i, 700000 + i);
	}
	for (uint32_t i = 0; i < 20000; i++) {
		struct weft_vl2_mcgroup g = grp(0x01005e000000ULL | i, i * 7);
		missing += weft_mc_gather(&mc, nw + (i % 3), &g, 0, i, out, 4, &total) != 1 ||
		           out[0] != 0x100 + i;
	}
	T_CHECK_MSG(missing == 0, "%u groups lost", missing);
	weft_mc_expire(&mc, 709999 + 600000, 600000); // the first 10,000 expire
	for (uint32_t i = 0; i < 20000; i++) {
		struct weft_vl2_mcgroup g = grp(0x01005e000000ULL | i, i * 7);
		size_t got = weft_mc_gather(&mc, nw + (i % 3), &g, 0, i, out, 4, &total);
		missing += i < 10000 ? got != 0 : got != 1;
	}
	T_CHECK_MSG(missing == 0, "%u wrong after expiry", missing);
	weft_mc_expire(&mc, 10000000, 600000);
	T_CHECK(mc.n == 0);
	weft_mc_free(&mc);
	return t_done();
}
