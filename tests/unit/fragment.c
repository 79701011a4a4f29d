// SPDX-License-Identifier: MPL-2.0
// core/fragment.h: fragment count/encode at the MTU boundaries; reassembly in every order,
// duplicates, impossible numbers, inconsistent totals, malformed heads, oversize assemblies,
// expiry and stale restarts, a flood of half-finished sets; and a randomized comparison with a
// deliberately naive reference reassembler (vl1.md §3.7) while no eviction or expiry happens.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fragment.h"
#include "packet.h"
#include "t.h"

#define MTU  WEFT_PHYSMTU_DEFAULT
#define PER  (MTU - WEFT_FRAGMENT_HEADER_LEN)
#define MAXP WEFT_FRAGMENTS_MAX

static uint64_t rng_state = 0x452821e638d01377ULL;

static uint64_t next_u64(void)
{
	return t_splitmix64(&rng_state);
}

static size_t rnd_below(size_t n)
{
	return (size_t)(next_u64() % n);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)next_u64();
}

// A packet as it would leave armoring: random bytes under a header with an unreserved source
// (byte 13 != 0xff) and the fragmented flag set iff it needs more than one datagram.
static void make_packet(uint8_t *pkt, size_t len, uint64_t id)
{
	fill_random(pkt, len);
	store_be64(pkt, id);
	store_be40(pkt + WEFT_WIRE_IDX_DEST, 0x89e92ceee5ULL);
	store_be40(pkt + WEFT_WIRE_IDX_SOURCE, 0x1d71939404ULL);
	pkt[WEFT_WIRE_IDX_FLAGS] = 0x18;
	weft_packet_set_fragmented(pkt, weft_fragment_count(len, MTU) > 1);
}

struct pieces {
	unsigned n;
	size_t len[16];
	uint8_t *p[16];
};

static void split(const uint8_t *pkt, size_t len, size_t mtu, struct pieces *ps)
{
	ps->n = weft_fragment_count(len, mtu);
	for (unsigned i = 0; i < ps->n && i < 16; i++) {
		ps->p[i] = malloc(mtu);
		ps->len[i] = weft_fragment_encode(pkt, len, mtu, i, ps->p[i], mtu);
	}
}

static void pieces_free(struct pieces *ps)
{
	for (unsigned i = 0; i < ps->n && i < 16; i++)
		free(ps->p[i]);
}

// A fragment built by hand, for numbers and sizes the encoder would never produce.
static size_t make_fragment(uint8_t *out, uint64_t id, unsigned total, unsigned num,
                            const uint8_t *data, size_t n)
{
	store_be64(out, id);
	store_be40(out + WEFT_WIRE_FRAG_IDX_DEST, 0x89e92ceee5ULL);
	out[WEFT_WIRE_FRAG_IDX_INDICATOR] = 0xff;
	out[WEFT_WIRE_FRAG_IDX_NUMBERS] = (uint8_t)(total << 4 | num);
	out[WEFT_WIRE_FRAG_IDX_HOPS] = 0;
	memcpy(out + WEFT_FRAGMENT_HEADER_LEN, data, n);
	return WEFT_FRAGMENT_HEADER_LEN + n;
}

// Receive-side classification of vl1.md §3.1, then the matching defrag entry point.
static enum weft_defrag_status offer(struct weft_defrag *d, const uint8_t *p, size_t len,
                                     int64_t now_ms, uint8_t *out, size_t *out_len)
{
	if (weft_fragment_is_fragment(p, len))
		return weft_defrag_fragment(d, p, len, now_ms, out, out_len);
	return weft_defrag_head(d, p, len, now_ms, out, out_len);
}

static uint64_t drops_total(const struct weft_defrag *d)
{
	uint64_t n = 0;
	for (int i = 0; i < WEFT_DEFRAG_DROP_COUNT; i++)
		n += d->drops[i];
	return n;
}

static struct weft_defrag *defrag_new(void)
{
	struct weft_defrag *d = malloc(sizeof *d);
	weft_defrag_init(d);
	return d;
}

/* ---- count and encode ---- */

static void check_split(size_t len, size_t mtu, unsigned want)
{
	uint8_t *pkt = malloc(len), *joined = malloc(len + mtu);
	struct pieces ps;
	make_packet(pkt, len, next_u64());
	t_case("fragment count/encode: %zu bytes at MTU %zu -> %u piece%s", len, mtu, want,
	       want == 1 ? "" : "s");
	T_CHECK_MSG(weft_fragment_count(len, mtu) == want, "count %u",
	            weft_fragment_count(len, mtu));
	if (want > WEFT_FRAGMENTS_MAX) {
		// Receivers drop sets of more than 7 pieces, so encode refuses to make them.
		uint8_t *tmp = malloc(mtu);
		for (unsigned i = 0; i <= want; i++)
			T_CHECK(weft_fragment_encode(pkt, len, mtu, i, tmp, mtu) == 0);
		free(tmp);
		free(pkt);
		free(joined);
		return;
	}
	split(pkt, len, mtu, &ps);
	size_t at = 0;
	bool hdr_ok = true, size_ok = true;
	for (unsigned i = 0; i < ps.n; i++) {
		size_ok &= ps.len[i] > 0 && ps.len[i] <= mtu;
		if (i == 0) {
			memcpy(joined, ps.p[0], ps.len[0]);
			at = ps.len[0];
			continue;
		}
		const uint8_t *f = ps.p[i];
		hdr_ok &= !memcmp(f, pkt, 13) && f[13] == 0xff &&
		          f[14] == (uint8_t)(ps.n << 4 | i) && f[15] == 0;
		hdr_ok &= weft_fragment_is_fragment(f, ps.len[i]);
		if (ps.len[i] > WEFT_FRAGMENT_HEADER_LEN) {
			memcpy(joined + at, f + WEFT_FRAGMENT_HEADER_LEN,
			       ps.len[i] - WEFT_FRAGMENT_HEADER_LEN);
			at += ps.len[i] - WEFT_FRAGMENT_HEADER_LEN;
		}
	}
	T_CHECK(size_ok);
	T_CHECK(hdr_ok);
	T_CHECK(ps.len[0] == (len < mtu ? len : mtu));
	T_CHECK(!weft_fragment_is_fragment(ps.p[0], ps.len[0]) || ps.len[0] <= 16);
	T_CHECK(at == len);
	T_CHECK(at == len && !memcmp(joined, pkt, len));
	// all but the last fragment are full
	bool full = true;
	for (unsigned i = 1; i + 1 < ps.n; i++)
		full &= ps.len[i] == mtu;
	T_CHECK(full);

	uint8_t *tmp = malloc(mtu);
	T_CHECK(weft_fragment_encode(pkt, len, mtu, ps.n, tmp, mtu) == 0);
	T_CHECK(weft_fragment_encode(pkt, len, mtu, 1000, tmp, mtu) == 0);
	T_CHECK(weft_fragment_encode(pkt, len, mtu, 0, tmp, ps.len[0] - 1) == 0);
	if (ps.n > 1)
		T_CHECK(weft_fragment_encode(pkt, len, mtu, ps.n - 1, tmp, ps.len[ps.n - 1] - 1) ==
		        0);
	free(tmp);
	pieces_free(&ps);
	free(pkt);
	free(joined);
}

static void test_count_encode(void)
{
	check_split(28, MTU, 1);
	check_split(1431, MTU, 1);
	check_split(1432, MTU, 1);
	check_split(1433, MTU, 2);
	check_split(1432 + 1416 - 1, MTU, 2);
	check_split(1432 + 1416, MTU, 2);
	check_split(1432 + 1416 + 1, MTU, 3);
	check_split(1432 + 5 * 1416 + 1, MTU, 7);
	check_split(1432 + 6 * 1416, MTU, 7); // 9928: the largest that fits 7 pieces
	check_split(1432 + 6 * 1416 + 1, MTU, 8);
	check_split(1400, WEFT_PHYSMTU_MIN, 1);
	check_split(1401, WEFT_PHYSMTU_MIN, 2);
	check_split(1400 + 1384, WEFT_PHYSMTU_MIN, 2);
	check_split(1400 + 1384 + 1, WEFT_PHYSMTU_MIN, 3);
	check_split(WEFT_PACKET_MAX_LEN, WEFT_PHYSMTU_MAX, 1);

	t_case("fragment count: zero-length and tiny packets need one datagram");
	T_CHECK(weft_fragment_count(0, MTU) == 1);
	T_CHECK(weft_fragment_count(1, MTU) == 1);

	t_case("every packet of 1433..9928 bytes (step 97) round-trips encode -> defrag");
	{
		struct weft_defrag *d = defrag_new();
		uint8_t *pkt = malloc(WEFT_PACKET_MAX_LEN), *out = malloc(WEFT_PACKET_MAX_LEN);
		unsigned bad = 0;
		for (size_t len = 1433; len <= 9928; len += 97) {
			struct pieces ps;
			make_packet(pkt, len, next_u64());
			split(pkt, len, MTU, &ps);
			size_t out_len = 0;
			enum weft_defrag_status st = WEFT_DEFRAG_DROPPED;
			for (unsigned i = 0; i < ps.n; i++)
				st = offer(d, ps.p[i], ps.len[i], 0, out, &out_len);
			if (st != WEFT_DEFRAG_COMPLETE || out_len != len || memcmp(out, pkt, len)) {
				if (bad++ < 3)
					t_fail(__FILE__, __LINE__, "length %zu did not reassemble",
					       len);
			}
			pieces_free(&ps);
		}
		T_CHECK(bad == 0);
		T_CHECK(weft_defrag_pending(d) == 0);
		free(d);
		free(pkt);
		free(out);
	}
}

// mtu == WEFT_FRAGMENT_HEADER_LEN leaves no room for fragment data: count and encode must not
// divide by zero. Run in a child so a crash is reported as a failure, not the end of the run.
static void test_degenerate_mtu(void)
{
	t_case("fragment count/encode with mtu 16 (no room for data) do not crash; encode gives 0");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		uint8_t pkt[100] = {0}, out[100];
		volatile unsigned c = weft_fragment_count(sizeof pkt, WEFT_FRAGMENT_HEADER_LEN);
		(void)c;
		size_t n = weft_fragment_encode(pkt, sizeof pkt, WEFT_FRAGMENT_HEADER_LEN, 1, out,
		                                sizeof out);
		_exit(n == 0 ? 0 : 1);
	}
	int status = 0;
	T_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	T_CHECK_MSG(WIFEXITED(status), "child killed by signal %d (SIGFPE is %d)",
	            WIFSIGNALED(status) ? WTERMSIG(status) : 0, SIGFPE);
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- reassembly orders ---- */

// Offers the pieces in order perm[0..n); true if only the last completed, with the packet.
static bool deliver_perm(struct weft_defrag *d, const struct pieces *ps, const unsigned *perm,
                         const uint8_t *pkt, size_t len, uint8_t *out)
{
	for (unsigned i = 0; i < ps->n; i++) {
		size_t out_len = 0;
		unsigned k = perm[i];
		enum weft_defrag_status st = offer(d, ps->p[k], ps->len[k], 0, out, &out_len);
		if (i + 1 < ps->n) {
			if (st != WEFT_DEFRAG_PENDING)
				return false;
		} else if (st != WEFT_DEFRAG_COMPLETE || out_len != len || memcmp(out, pkt, len)) {
			return false;
		}
	}
	return true;
}

// Every permutation of n pieces (Heap's algorithm); returns how many reassembled correctly.
static unsigned all_orders(struct weft_defrag *d, const struct pieces *ps, const uint8_t *pkt,
                           size_t len, uint8_t *out, unsigned *tried)
{
	unsigned perm[MAXP], c[MAXP] = {0}, ok = 0, n = ps->n;
	for (unsigned i = 0; i < n; i++)
		perm[i] = i;
	*tried = 1;
	ok += deliver_perm(d, ps, perm, pkt, len, out);
	unsigned i = 1;
	while (i < n) {
		if (c[i] < i) {
			unsigned j = i % 2 ? c[i] : 0, t = perm[j];
			perm[j] = perm[i];
			perm[i] = t;
			ok += deliver_perm(d, ps, perm, pkt, len, out);
			++*tried;
			c[i]++;
			i = 1;
		} else {
			c[i] = 0;
			i++;
		}
	}
	return ok;
}

static void test_orders(void)
{
	struct weft_defrag *d = defrag_new();
	uint8_t *pkt = malloc(WEFT_PACKET_MAX_LEN), *out = malloc(WEFT_PACKET_MAX_LEN);
	const size_t lens[] = {1432 + 1416 + 777, 1432 + 5 * 1416 + 500};
	const unsigned want[] = {3, 7}, nperm[] = {6, 5040};

	for (int k = 0; k < 2; k++) {
		struct pieces ps;
		size_t len = lens[k];
		make_packet(pkt, len, next_u64());
		split(pkt, len, MTU, &ps);
		unsigned fwd[MAXP], rev[MAXP], rot[MAXP];
		for (unsigned i = 0; i < ps.n; i++) {
			fwd[i] = i;
			rev[i] = ps.n - 1 - i;
			rot[i] = (i + 1) % ps.n; // fragments in order, head last
		}

		t_case("%u-piece packet: head first, fragments in order", want[k]);
		T_CHECK(ps.n == want[k]);
		T_CHECK(deliver_perm(d, &ps, fwd, pkt, len, out));

		t_case("%u-piece packet: head last", want[k]);
		T_CHECK(deliver_perm(d, &ps, rot, pkt, len, out));

		t_case("%u-piece packet: reverse order", want[k]);
		T_CHECK(deliver_perm(d, &ps, rev, pkt, len, out));

		t_case("%u-piece packet: all %u orders reassemble exactly", want[k], nperm[k]);
		uint64_t before = d->completed;
		unsigned tried = 0;
		unsigned ok = all_orders(d, &ps, pkt, len, out, &tried);
		T_CHECK(tried == nperm[k]);
		T_CHECK_MSG(ok == nperm[k], "%u of %u orders reassembled", ok, tried);
		T_CHECK(d->completed - before == nperm[k]);
		T_CHECK(weft_defrag_pending(d) == 0);
		T_CHECK(drops_total(d) == 0);
		pieces_free(&ps);
	}
	free(d);
	free(pkt);
	free(out);
}

/* ---- duplicates, bad numbers, inconsistency, malformed, too big ---- */

static void test_duplicates(void)
{
	struct weft_defrag *d = defrag_new();
	uint8_t *pkt = malloc(WEFT_PACKET_MAX_LEN), *out = malloc(WEFT_PACKET_MAX_LEN);
	uint8_t *alt = malloc(MTU);
	size_t len = 1432 + 1416 + 300, out_len = 0;
	struct pieces ps;
	make_packet(pkt, len, 0x1111222233334444ULL);
	split(pkt, len, MTU, &ps);

	t_case("duplicates (second head, repeated fragment) are counted and harmless");
	T_CHECK(offer(d, ps.p[0], ps.len[0], 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, ps.p[0], ps.len[0], 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_DUPLICATE] == 1);
	T_CHECK(offer(d, ps.p[2], ps.len[2], 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, ps.p[2], ps.len[2], 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_DUPLICATE] == 2);
	T_CHECK(weft_defrag_pending(d) == 1);
	T_CHECK(offer(d, ps.p[1], ps.len[1], 0, out, &out_len) == WEFT_DEFRAG_COMPLETE);
	T_CHECK(out_len == len && !memcmp(out, pkt, len));
	T_CHECK(drops_total(d) == 2);

	t_case("a duplicate with different bytes does not replace the first copy");
	memcpy(alt, ps.p[1], ps.len[1]);
	memset(alt + 100, 0xee, 50);
	T_CHECK(offer(d, ps.p[1], ps.len[1], 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, alt, ps.len[1], 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	memcpy(alt, ps.p[0], ps.len[0]);
	memset(alt + 500, 0xee, 50);
	T_CHECK(offer(d, alt, ps.len[0], 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, ps.p[0], ps.len[0], 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	T_CHECK(offer(d, ps.p[2], ps.len[2], 0, out, &out_len) == WEFT_DEFRAG_COMPLETE);
	// first copies: the altered head, the genuine fragment 1
	memcpy(pkt + 500, alt + 500, 50);
	T_CHECK(out_len == len && !memcmp(out, pkt, len));
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_DUPLICATE] == 4);

	t_case("a duplicate arriving after completion does not complete anything");
	T_CHECK(offer(d, ps.p[1], ps.len[1], 0, out, &out_len) != WEFT_DEFRAG_COMPLETE);
	T_CHECK(d->completed == 2);

	pieces_free(&ps);
	free(d);
	free(pkt);
	free(out);
	free(alt);
}

static void test_bad_numbers(void)
{
	struct weft_defrag *d = defrag_new();
	uint8_t frag[64], data[32], out[WEFT_PACKET_MAX_LEN];
	size_t out_len = 0;
	memset(data, 0x42, sizeof data);
	struct {
		unsigned total, num;
	} cases[64];
	size_t nc = 0;
	const unsigned bad_totals[] = {0, 1, 8, 9, 10, 11, 12, 13, 14, 15};
	for (size_t i = 0; i < sizeof bad_totals / sizeof bad_totals[0]; i++) {
		const unsigned nums[] = {0, 1, 7};
		for (size_t j = 0; j < 3; j++) {
			cases[nc].total = bad_totals[i];
			cases[nc++].num = nums[j];
		}
	}
	for (unsigned t = 2; t <= 7; t++) {
		cases[nc].total = t; // number 0 is the head's, never a fragment's
		cases[nc++].num = 0;
		cases[nc].total = t; // number == total
		cases[nc++].num = t;
	}
	cases[nc].total = 2;
	cases[nc++].num = 15;
	cases[nc].total = 7;
	cases[nc++].num = 8;

	for (size_t i = 0; i < nc; i++) {
		t_case("impossible fragment numbers: total %u, number %u -> BAD_NUMBERS",
		       cases[i].total, cases[i].num);
		uint64_t before = d->drops[WEFT_DEFRAG_DROP_BAD_NUMBERS], all = drops_total(d);
		size_t n = make_fragment(frag, 0xabc0000000000000ULL + i, cases[i].total,
		                         cases[i].num, data, sizeof data);
		T_CHECK(weft_defrag_fragment(d, frag, n, 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
		T_CHECK(d->drops[WEFT_DEFRAG_DROP_BAD_NUMBERS] == before + 1);
		T_CHECK(drops_total(d) == all + 1);
		T_CHECK(weft_defrag_pending(d) == 0);
	}
	free(d);
}

static void test_inconsistent(void)
{
	struct weft_defrag *d = defrag_new();
	uint8_t *pkt = malloc(WEFT_PACKET_MAX_LEN), *out = malloc(WEFT_PACKET_MAX_LEN);
	uint8_t frag[MTU];
	size_t len = 1432 + 1416 + 300, out_len = 0;
	const uint64_t id = 0x5555666677778888ULL;
	struct pieces ps;
	make_packet(pkt, len, id);
	split(pkt, len, MTU, &ps);

	t_case("fragments disagreeing on the total: counted INCONSISTENT, never a mixed packet");
	T_CHECK(offer(d, ps.p[0], ps.len[0], 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, ps.p[1], ps.len[1], 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	size_t n = make_fragment(frag, id, 4, 2, ps.p[2] + 16, ps.len[2] - 16);
	T_CHECK(weft_defrag_fragment(d, frag, n, 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_INCONSISTENT] == 1);
	// Whatever was kept, resending the genuine pieces completes the genuine packet once.
	unsigned completions = 0, wrong = 0;
	for (unsigned i = 0; i < ps.n; i++) {
		enum weft_defrag_status st = offer(d, ps.p[i], ps.len[i], 0, out, &out_len);
		if (st == WEFT_DEFRAG_COMPLETE) {
			completions++;
			wrong += out_len != len || memcmp(out, pkt, len) != 0;
		}
	}
	T_CHECK(completions == 1);
	T_CHECK(wrong == 0);
	T_CHECK(weft_defrag_pending(d) == 0);

	t_case("a 2-piece total after a 3-piece fragment is INCONSISTENT (no early completion)");
	T_CHECK(offer(d, ps.p[0], ps.len[0], 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, ps.p[2], ps.len[2], 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	n = make_fragment(frag, id, 2, 1, ps.p[1] + 16, ps.len[1] - 16);
	enum weft_defrag_status st = weft_defrag_fragment(d, frag, n, 0, out, &out_len);
	T_CHECK(st == WEFT_DEFRAG_DROPPED);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_INCONSISTENT] == 2);

	pieces_free(&ps);
	free(d);
	free(pkt);
	free(out);
}

static void test_malformed(void)
{
	struct weft_defrag *d = defrag_new();
	uint8_t *pkt = malloc(WEFT_PACKET_MAX_LEN + 1), *out = malloc(WEFT_PACKET_MAX_LEN);
	size_t out_len = 0;

	t_case("a head without the fragmented flag is MALFORMED and not kept");
	make_packet(pkt, 1432, 0x0102030405060708ULL);
	T_CHECK(!weft_packet_is_fragmented(pkt));
	T_CHECK(weft_defrag_head(d, pkt, 1432, 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_MALFORMED] == 1);
	T_CHECK(weft_defrag_pending(d) == 0);

	t_case("a head shorter than 28 bytes is MALFORMED");
	weft_packet_set_fragmented(pkt, true);
	for (size_t n = 0; n < WEFT_PACKET_MIN_LEN; n++) {
		uint8_t *p = malloc(n ? n : 1); // exact size: ASan sees any over-read
		memcpy(p, pkt, n);
		T_CHECK_MSG(weft_defrag_head(d, p, n, 0, out, &out_len) == WEFT_DEFRAG_DROPPED,
		            "len %zu", n);
		free(p);
	}
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_MALFORMED] == 1 + WEFT_PACKET_MIN_LEN);
	T_CHECK(weft_defrag_pending(d) == 0);

	t_case("a head longer than WEFT_PACKET_MAX_LEN is MALFORMED");
	make_packet(pkt, WEFT_PACKET_MAX_LEN + 1, 7);
	weft_packet_set_fragmented(pkt, true);
	T_CHECK(weft_defrag_head(d, pkt, WEFT_PACKET_MAX_LEN + 1, 0, out, &out_len) ==
	        WEFT_DEFRAG_DROPPED);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_MALFORMED] == 2 + WEFT_PACKET_MIN_LEN);

	t_case("a fragment of 16 bytes or less, or without the 0xff indicator, is MALFORMED");
	uint8_t frag[64], data[8] = {0};
	uint64_t before = d->drops[WEFT_DEFRAG_DROP_MALFORMED];
	size_t n = make_fragment(frag, 9, 3, 1, data, 0);
	T_CHECK(weft_defrag_fragment(d, frag, n, 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	T_CHECK(weft_defrag_fragment(d, frag, 10, 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	n = make_fragment(frag, 9, 3, 1, data, sizeof data);
	frag[13] = 0xfe;
	T_CHECK(weft_defrag_fragment(d, frag, n, 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_MALFORMED] == before + 3);
	T_CHECK(weft_defrag_pending(d) == 0);
	T_CHECK(d->completed == 0);

	free(d);
	free(pkt);
	free(out);
}

static void test_too_big(void)
{
	struct weft_defrag *d = defrag_new();
	uint8_t *head = malloc(MTU), *out = malloc(WEFT_PACKET_MAX_LEN);
	uint8_t *data = malloc(WEFT_PACKET_MAX_LEN), *frag = malloc(WEFT_PACKET_MAX_LEN);
	uint8_t *want = malloc(WEFT_PACKET_MAX_LEN);
	size_t out_len = 0, n;
	const uint64_t id = 0x7777000000000001ULL;
	fill_random(data, WEFT_PACKET_MAX_LEN);
	make_packet(head, MTU, id);
	weft_packet_set_fragmented(head, true);

	t_case("an assembly exceeding WEFT_PACKET_MAX_LEN is dropped as TOO_BIG and freed");
	T_CHECK(weft_defrag_head(d, head, MTU, 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	n = make_fragment(frag, id, 3, 1, data, 4500);
	T_CHECK(weft_defrag_fragment(d, frag, n, 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	n = make_fragment(frag, id, 3, 2, data, 4500); // 1432 + 9000 > 10024
	T_CHECK(weft_defrag_fragment(d, frag, n, 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_TOO_BIG] == 1);
	T_CHECK(weft_defrag_pending(d) == 0);
	T_CHECK(d->completed == 0);

	t_case("an assembly of exactly WEFT_PACKET_MAX_LEN completes");
	size_t half = (WEFT_PACKET_MAX_LEN - MTU) / 2; // 4296
	T_CHECK(weft_defrag_head(d, head, MTU, 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	n = make_fragment(frag, id, 3, 2, data + half, half);
	T_CHECK(weft_defrag_fragment(d, frag, n, 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	n = make_fragment(frag, id, 3, 1, data, half);
	T_CHECK(weft_defrag_fragment(d, frag, n, 0, out, &out_len) == WEFT_DEFRAG_COMPLETE);
	memcpy(want, head, MTU);
	memcpy(want + MTU, data, 2 * half);
	T_CHECK(out_len == WEFT_PACKET_MAX_LEN);
	T_CHECK(out_len == WEFT_PACKET_MAX_LEN && !memcmp(out, want, WEFT_PACKET_MAX_LEN));

	t_case("one byte over WEFT_PACKET_MAX_LEN, head arriving last, is TOO_BIG");
	n = make_fragment(frag, id, 3, 1, data, half + 1);
	T_CHECK(weft_defrag_fragment(d, frag, n, 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	n = make_fragment(frag, id, 3, 2, data, half);
	T_CHECK(weft_defrag_fragment(d, frag, n, 0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(weft_defrag_head(d, head, MTU, 0, out, &out_len) == WEFT_DEFRAG_DROPPED);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_TOO_BIG] == 2);
	T_CHECK(weft_defrag_pending(d) == 0);

	free(d);
	free(head);
	free(out);
	free(data);
	free(frag);
	free(want);
}

/* ---- time ---- */

static void test_expiry(void)
{
	struct weft_defrag *d = defrag_new();
	uint8_t *a = malloc(WEFT_PACKET_MAX_LEN), *b = malloc(WEFT_PACKET_MAX_LEN);
	uint8_t *out = malloc(WEFT_PACKET_MAX_LEN);
	size_t len = 1432 + 1416 + 300, out_len = 0;
	const uint64_t id = 0x0bad0bad0bad0badULL;
	const int64_t t0 = 1700000000000;
	struct pieces pa, pb;
	make_packet(a, len, id);
	make_packet(b, len, id); // same packet ID, different bytes
	split(a, len, MTU, &pa);
	split(b, len, MTU, &pb);

	t_case("expire: an assembly lives WEFT_DEFRAG_TIMEOUT_MS, is freed after it");
	T_CHECK(offer(d, pa.p[0], pa.len[0], t0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(weft_defrag_expire(d, t0 + WEFT_DEFRAG_TIMEOUT_MS) == 0);
	T_CHECK(weft_defrag_pending(d) == 1);
	T_CHECK(weft_defrag_expire(d, t0 + WEFT_DEFRAG_TIMEOUT_MS + 1) == 1);
	T_CHECK(weft_defrag_pending(d) == 0);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_EXPIRED] == 1);
	T_CHECK(weft_defrag_expire(d, t0 + 100000) == 0);

	t_case("expire: the rest arriving after expiry does not complete");
	T_CHECK(offer(d, pa.p[1], pa.len[1], t0 + 6000, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, pa.p[2], pa.len[2], t0 + 6000, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(d->completed == 0);
	T_CHECK(weft_defrag_expire(d, t0 + 6000 + WEFT_DEFRAG_TIMEOUT_MS + 1) == 1);

	t_case("a set completing at exactly WEFT_DEFRAG_TIMEOUT_MS still completes");
	T_CHECK(offer(d, pa.p[0], pa.len[0], t0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, pa.p[1], pa.len[1], t0 + 10, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, pa.p[2], pa.len[2], t0 + WEFT_DEFRAG_TIMEOUT_MS, out, &out_len) ==
	        WEFT_DEFRAG_COMPLETE);
	T_CHECK(out_len == len && !memcmp(out, a, len));

	t_case(
	    "a stale assembly of the same packet ID is restarted, not completed with old pieces");
	uint64_t expired = d->drops[WEFT_DEFRAG_DROP_EXPIRED];
	T_CHECK(offer(d, pa.p[0], pa.len[0], t0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, pa.p[1], pa.len[1], t0, out, &out_len) == WEFT_DEFRAG_PENDING);
	int64_t late = t0 + WEFT_DEFRAG_TIMEOUT_MS + 1; // no weft_defrag_expire call in between
	T_CHECK(offer(d, pb.p[2], pb.len[2], late, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_EXPIRED] == expired + 1);
	T_CHECK(weft_defrag_pending(d) == 1);
	T_CHECK(offer(d, pb.p[1], pb.len[1], late, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, pb.p[0], pb.len[0], late, out, &out_len) == WEFT_DEFRAG_COMPLETE);
	T_CHECK(out_len == len && !memcmp(out, b, len));

	t_case("the restarted assembly's age counts from its first new piece");
	T_CHECK(offer(d, pa.p[0], pa.len[0], t0, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, pb.p[1], pb.len[1], late, out, &out_len) == WEFT_DEFRAG_PENDING);
	T_CHECK(weft_defrag_expire(d, late + WEFT_DEFRAG_TIMEOUT_MS) == 0);
	T_CHECK(offer(d, pb.p[0], pb.len[0], late + WEFT_DEFRAG_TIMEOUT_MS, out, &out_len) ==
	        WEFT_DEFRAG_PENDING);
	T_CHECK(offer(d, pb.p[2], pb.len[2], late + WEFT_DEFRAG_TIMEOUT_MS, out, &out_len) ==
	        WEFT_DEFRAG_COMPLETE);
	T_CHECK(out_len == len && !memcmp(out, b, len));
	T_CHECK(weft_defrag_pending(d) == 0);

	pieces_free(&pa);
	pieces_free(&pb);
	free(d);
	free(a);
	free(b);
	free(out);
}

static void flood(bool same_time)
{
	struct weft_defrag *d = defrag_new();
	uint8_t *pkt = malloc(WEFT_PACKET_MAX_LEN), *out = malloc(WEFT_PACKET_MAX_LEN);
	uint8_t frag[64], data[32];
	size_t out_len = 0, len = 1432 + 1416 + 300;
	const unsigned N = 10000;
	int64_t now = 1000;
	unsigned over = 0;
	memset(data, 0x99, sizeof data);

	t_case("flood of %u half-finished sets (%s): pending stays <= %d, evictions counted, a "
	       "later packet reassembles",
	       N, same_time ? "one instant" : "1 ms apart", WEFT_LIMIT_DEFRAG_SLOTS);
	for (unsigned i = 0; i < N; i++) {
		uint64_t id = 0xf100d00000000000ULL + i;
		enum weft_defrag_status st;
		if (i % 2) {
			size_t n = make_fragment(frag, id, 7, 1 + i % 6, data, sizeof data);
			st = weft_defrag_fragment(d, frag, n, now, out, &out_len);
		} else {
			make_packet(pkt, 100, id);
			weft_packet_set_fragmented(pkt, true);
			st = weft_defrag_head(d, pkt, 100, now, out, &out_len);
		}
		over += st != WEFT_DEFRAG_PENDING;
		over += weft_defrag_pending(d) > WEFT_LIMIT_DEFRAG_SLOTS;
		if (!same_time)
			now++;
	}
	T_CHECK(over == 0);
	T_CHECK(weft_defrag_pending(d) == WEFT_LIMIT_DEFRAG_SLOTS);
	T_CHECK(d->drops[WEFT_DEFRAG_DROP_EVICTED] == N - WEFT_LIMIT_DEFRAG_SLOTS);
	T_CHECK(d->completed == 0);

	struct pieces ps;
	make_packet(pkt, len, 0x600d600d600d600dULL);
	split(pkt, len, MTU, &ps);
	const unsigned order[3] = {2, 0, 1};
	T_CHECK(deliver_perm(d, &ps, order, pkt, len, out));
	T_CHECK(weft_defrag_pending(d) <= WEFT_LIMIT_DEFRAG_SLOTS);
	pieces_free(&ps);
	free(d);
	free(pkt);
	free(out);
}

/* ---- randomized comparison with a naive reference ---- */

// The reference: a linked list of assemblies keyed by packet ID, no capacity limit, no clock,
// pieces kept in separate buffers and concatenated at the end; the validity rules of §3.7.
struct ref_asm {
	struct ref_asm *next;
	uint64_t id;
	unsigned total; // 0 until a fragment names it
	bool have[MAXP];
	uint8_t *piece[MAXP];
	size_t plen[MAXP];
};

struct ref {
	struct ref_asm *head;
	uint64_t drops[WEFT_DEFRAG_DROP_COUNT];
	uint64_t completed;
};

static struct ref_asm *ref_find(struct ref *r, uint64_t id)
{
	for (struct ref_asm *a = r->head; a; a = a->next)
		if (a->id == id)
			return a;
	return NULL;
}

static unsigned ref_count(const struct ref *r)
{
	unsigned n = 0;
	for (const struct ref_asm *a = r->head; a; a = a->next)
		n++;
	return n;
}

static void ref_remove(struct ref *r, struct ref_asm *victim)
{
	for (struct ref_asm **pp = &r->head; *pp; pp = &(*pp)->next) {
		if (*pp == victim) {
			*pp = victim->next;
			for (int i = 0; i < MAXP; i++)
				free(victim->piece[i]);
			free(victim);
			return;
		}
	}
}

static void ref_clear(struct ref *r)
{
	while (r->head)
		ref_remove(r, r->head);
	memset(r, 0, sizeof *r);
}

static enum weft_defrag_status ref_drop(struct ref *r, enum weft_defrag_drop why)
{
	r->drops[why]++;
	return WEFT_DEFRAG_DROPPED;
}

static enum weft_defrag_status ref_add(struct ref *r, struct ref_asm *a, unsigned num,
                                       const uint8_t *p, size_t n, uint8_t *out, size_t *out_len)
{
	if (a->have[num])
		return ref_drop(r, WEFT_DEFRAG_DROP_DUPLICATE);
	size_t size = 0;
	for (int i = 0; i < MAXP; i++)
		size += a->have[i] ? a->plen[i] : 0;
	if (size + n > WEFT_PACKET_MAX_LEN) {
		ref_remove(r, a);
		return ref_drop(r, WEFT_DEFRAG_DROP_TOO_BIG);
	}
	a->piece[num] = malloc(n ? n : 1);
	memcpy(a->piece[num], p, n);
	a->plen[num] = n;
	a->have[num] = true;
	if (!a->total)
		return WEFT_DEFRAG_PENDING;
	for (unsigned i = 0; i < a->total; i++)
		if (!a->have[i])
			return WEFT_DEFRAG_PENDING;
	size_t at = 0;
	for (unsigned i = 0; i < a->total; i++) {
		memcpy(out + at, a->piece[i], a->plen[i]);
		at += a->plen[i];
	}
	*out_len = at;
	ref_remove(r, a);
	r->completed++;
	return WEFT_DEFRAG_COMPLETE;
}

static struct ref_asm *ref_get(struct ref *r, uint64_t id)
{
	struct ref_asm *a = ref_find(r, id);
	if (!a) {
		a = calloc(1, sizeof *a);
		a->id = id;
		a->next = r->head;
		r->head = a;
	}
	return a;
}

static enum weft_defrag_status ref_offer(struct ref *r, const uint8_t *p, size_t len, uint8_t *out,
                                         size_t *out_len)
{
	if (len > 16 && p[13] == 0xff) {
		if (len > WEFT_PACKET_MAX_LEN)
			return ref_drop(r, WEFT_DEFRAG_DROP_MALFORMED);
		unsigned total = p[14] >> 4, num = p[14] & 15;
		if (total < 2 || total > 7 || num < 1 || num >= total)
			return ref_drop(r, WEFT_DEFRAG_DROP_BAD_NUMBERS);
		struct ref_asm *a = ref_get(r, load_be64(p));
		if (a->total && a->total != total) {
			ref_remove(r, a);
			return ref_drop(r, WEFT_DEFRAG_DROP_INCONSISTENT);
		}
		a->total = total;
		return ref_add(r, a, num, p + 16, len - 16, out, out_len);
	}
	if (len < 28 || len > WEFT_PACKET_MAX_LEN || !(p[18] & 0x40))
		return ref_drop(r, WEFT_DEFRAG_DROP_MALFORMED);
	return ref_add(r, ref_get(r, load_be64(p)), 0, p, len, out, out_len);
}

struct datagram {
	uint64_t id;
	size_t len;
	uint8_t *p;
};

struct schedule {
	struct datagram *d;
	size_t n, cap;
};

static void sched_push(struct schedule *s, uint64_t id, const uint8_t *p, size_t len)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->d = realloc(s->d, s->cap * sizeof *s->d);
	}
	s->d[s->n].id = id;
	s->d[s->n].len = len;
	s->d[s->n].p = malloc(len ? len : 1);
	memcpy(s->d[s->n].p, p, len);
	s->n++;
}

// The datagrams of one packet, with random trouble: duplicates (exact or altered), a lost
// piece, a conflicting total, impossible numbers, a head without the flag, runts, oversize.
static void gen_packet(struct schedule *s, uint64_t id, uint8_t *buf)
{
	unsigned total = 2 + (unsigned)rnd_below(MAXP - 1);
	bool big = rnd_below(8) == 0;
	size_t hlen = 28 + rnd_below(big ? 6000 : MTU - 27);
	uint8_t *head = buf;
	fill_random(head, hlen);
	store_be64(head, id);
	head[13] = (uint8_t)rnd_below(0xff); // never 0xff: a head, not a fragment
	head[18] = (uint8_t)(head[18] | 0x40);
	if (rnd_below(40) == 0)
		head[18] &= (uint8_t)~0x40; // malformed head
	unsigned lost = rnd_below(6) == 0 ? (unsigned)rnd_below(total) : MAXP;
	if (lost != 0)
		sched_push(s, id, head, hlen);
	uint8_t *frag = buf + WEFT_PACKET_MAX_LEN;
	for (unsigned k = 1; k < total; k++) {
		size_t n = 1 + rnd_below(big ? 5000 : PER);
		uint8_t data[5000];
		fill_random(data, n);
		size_t fl = make_fragment(frag, id, total, k, data, n);
		if (k != lost)
			sched_push(s, id, frag, fl);
		if (rnd_below(10) == 0) { // duplicate, sometimes with different bytes
			if (rnd_below(2))
				frag[16] ^= 0x5a;
			sched_push(s, id, frag, fl);
		}
		if (rnd_below(40) == 0) { // another total for the same packet
			unsigned t2 = 2 + (unsigned)rnd_below(MAXP - 1);
			unsigned n2 = 1 + (unsigned)rnd_below(t2 - 1);
			fl = make_fragment(frag, id, t2, n2, data, n);
			sched_push(s, id, frag, fl);
		}
		if (rnd_below(40) == 0) { // impossible numbers
			fl = make_fragment(frag, id, (unsigned)rnd_below(16),
			                   (unsigned)rnd_below(16), data, n);
			sched_push(s, id, frag, fl);
		}
	}
	if (rnd_below(20) == 0)
		sched_push(s, id, head, rnd_below(28)); // runt
	if (rnd_below(20) == 0)
		sched_push(s, id, head, hlen); // duplicate head
}

struct rand_stats {
	uint64_t offered, completed, skipped, mismatches, pending_mismatch;
	uint64_t drops[WEFT_DEFRAG_DROP_COUNT];
};

static void run_sequence(struct weft_defrag *d, struct ref *r, uint8_t *buf, uint8_t *out1,
                         uint8_t *out2, struct rand_stats *st)
{
	struct schedule s = {0};
	unsigned npk = 1 + (unsigned)rnd_below(40);
	uint64_t ids[40];
	for (unsigned i = 0; i < npk; i++) {
		// a few IDs repeat within a sequence, so sets also meet after completion
		ids[i] = i > 0 && rnd_below(10) == 0 ? ids[rnd_below(i)] : next_u64();
		gen_packet(&s, ids[i], buf);
	}
	// shuffle all datagrams of all packets together
	for (size_t i = s.n; i > 1; i--) {
		size_t j = rnd_below(i);
		struct datagram t = s.d[i - 1];
		s.d[i - 1] = s.d[j];
		s.d[j] = t;
	}
	weft_defrag_init(d);
	ref_clear(r);
	int64_t now = 5000;
	for (size_t i = 0; i < s.n; i++) {
		const struct datagram *g = &s.d[i];
		// keep at most WEFT_LIMIT_DEFRAG_SLOTS sets in flight: no eviction may happen
		if (ref_count(r) >= WEFT_LIMIT_DEFRAG_SLOTS && !ref_find(r, g->id)) {
			st->skipped++;
			continue;
		}
		size_t l1 = 0, l2 = 0;
		enum weft_defrag_status a = offer(d, g->p, g->len, now, out1, &l1);
		enum weft_defrag_status b = ref_offer(r, g->p, g->len, out2, &l2);
		st->offered++;
		if (a != b || (a == WEFT_DEFRAG_COMPLETE && (l1 != l2 || memcmp(out1, out2, l1)))) {
			if (st->mismatches++ < 5)
				t_fail(__FILE__, __LINE__,
				       "datagram %zu (len %zu): weft %d (len %zu), reference %d "
				       "(len %zu)",
				       i, g->len, a, l1, b, l2);
		}
		st->completed += a == WEFT_DEFRAG_COMPLETE;
		if (weft_defrag_pending(d) != ref_count(r))
			st->pending_mismatch++;
		now += (int64_t)rnd_below(3); // a few ms per datagram: far below the timeout
	}
	for (int k = 0; k < WEFT_DEFRAG_DROP_COUNT; k++) {
		if (d->drops[k] != r->drops[k] && st->mismatches++ < 5)
			t_fail(__FILE__, __LINE__, "drop counter %d: weft %llu, reference %llu", k,
			       (unsigned long long)d->drops[k], (unsigned long long)r->drops[k]);
		st->drops[k] += r->drops[k];
	}
	if (d->completed != r->completed)
		st->mismatches++;
	for (size_t i = 0; i < s.n; i++)
		free(s.d[i].p);
	free(s.d);
}

static void test_random_vs_reference(void)
{
	struct weft_defrag *d = defrag_new();
	struct ref r = {0};
	uint8_t *buf = malloc(2 * WEFT_PACKET_MAX_LEN);
	uint8_t *out1 = malloc(WEFT_PACKET_MAX_LEN), *out2 = malloc(WEFT_PACKET_MAX_LEN);
	struct rand_stats st = {0};
	const unsigned sequences = 3000;

	t_case("%u random sequences: weft_defrag and the naive reference agree on every datagram",
	       sequences);
	for (unsigned i = 0; i < sequences; i++)
		run_sequence(d, &r, buf, out1, out2, &st);
	T_CHECK(st.mismatches == 0);
	T_CHECK(st.pending_mismatch == 0);
	T_CHECK(st.drops[WEFT_DEFRAG_DROP_EVICTED] == 0 && st.drops[WEFT_DEFRAG_DROP_EXPIRED] == 0);

	t_case("the random sequences exercised completion and every in-table drop reason");
	T_CHECK(st.completed > 1000);
	T_CHECK(st.drops[WEFT_DEFRAG_DROP_MALFORMED] > 0);
	T_CHECK(st.drops[WEFT_DEFRAG_DROP_BAD_NUMBERS] > 0);
	T_CHECK(st.drops[WEFT_DEFRAG_DROP_INCONSISTENT] > 0);
	T_CHECK(st.drops[WEFT_DEFRAG_DROP_DUPLICATE] > 0);
	T_CHECK(st.drops[WEFT_DEFRAG_DROP_TOO_BIG] > 0);
	T_CHECK(st.skipped > 0);

	ref_clear(&r);
	free(d);
	free(buf);
	free(out1);
	free(out2);
}

int main(void)
{
	t_init("unit/fragment");
	test_count_encode();
	test_degenerate_mtu();
	test_orders();
	test_duplicates();
	test_bad_numbers();
	test_inconsistent();
	test_malformed();
	test_too_big();
	test_expiry();
	flood(false);
	flood(true);
	test_random_vs_reference();
	return t_done();
}
