// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for fragmentation and reassembly (vl1.md §3.7). Stream mode replays an
// input-chosen sequence of datagrams on a virtual clock against weft_defrag and a naive,
// unbounded reference model, comparing every status, output and drop counter until the first
// eviction (which the model does not imitate). Round-trip mode splits a packet at an input-chosen
// MTU, feeds the pieces shuffled (and some twice) and checks the reassembled bytes.
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"
#include "fragment.h"
#include "packet.h"
#include "check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Filler for synthetic pieces, built once: a per-byte loop at each use would dominate the run
// time under comparison tracing.
static uint8_t pattern[WEFT_PACKET_MAX_LEN + 64 + 256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	CHECK(weft_crypto_init() == WEFT_OK);
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i * 7u + (i >> 8));
	return 0;
}

// The reference: one entry per packet ID with each piece kept in its own buffer. Sized for the
// compared prefix of a run: while there has been no eviction at most 32 entries are live.
#define MODEL_ENTRIES (WEFT_LIMIT_DEFRAG_SLOTS + 1)

struct model_entry {
	bool live;
	uint64_t id;
	int64_t created_ms;
	unsigned total;
	bool have[WEFT_FRAGMENTS_MAX];
	size_t len[WEFT_FRAGMENTS_MAX];
	uint8_t data[WEFT_FRAGMENTS_MAX][WEFT_PACKET_MAX_LEN];
};

static struct {
	struct weft_defrag real;
	struct model_entry entries[MODEL_ENTRIES];
	uint64_t drops[WEFT_DEFRAG_DROP_COUNT];
	uint64_t completed;
	bool comparing; // false once the real table has evicted something
	int64_t now_ms;
	unsigned completions; // COMPLETE results seen in this input
	uint8_t model_out[WEFT_PACKET_MAX_LEN];
	size_t out_len;
} st;

// Reassembled packets land here: a global of its own, so ASan's redzone catches an overrun.
static uint8_t out[WEFT_PACKET_MAX_LEN];

static void reset(int64_t now_ms)
{
	weft_defrag_init(&st.real);
	for (size_t i = 0; i < MODEL_ENTRIES; i++)
		st.entries[i].live = false;
	memset(st.drops, 0, sizeof st.drops);
	st.completed = 0;
	st.comparing = true;
	st.now_ms = now_ms;
	st.completions = 0;
	st.out_len = 0;
}

static enum weft_defrag_status model_drop(enum weft_defrag_drop why)
{
	st.drops[why]++;
	return WEFT_DEFRAG_DROPPED;
}

static struct model_entry *model_find(uint64_t id)
{
	struct model_entry *e = NULL;
	for (size_t i = 0; i < MODEL_ENTRIES; i++) {
		if (st.entries[i].live && st.entries[i].id == id) {
			e = &st.entries[i];
			if (st.now_ms - e->created_ms <= WEFT_DEFRAG_TIMEOUT_MS)
				return e;
			st.drops[WEFT_DEFRAG_DROP_EXPIRED]++;
			break;
		}
	}
	if (!e) {
		for (size_t i = 0; i < MODEL_ENTRIES && !e; i++)
			if (!st.entries[i].live)
				e = &st.entries[i];
		CHECK(e != NULL); // more than 32 live entries means the real table evicted
	}
	memset(e->have, 0, sizeof e->have);
	e->live = true;
	e->id = id;
	e->created_ms = st.now_ms;
	e->total = 0;
	return e;
}

// Bytes held for packet `id` (0 if none, or once the model no longer follows the table).
static size_t model_used(uint64_t id)
{
	size_t used = 0;
	for (size_t i = 0; i < MODEL_ENTRIES && st.comparing; i++) {
		const struct model_entry *e = &st.entries[i];
		if (!e->live || e->id != id)
			continue;
		for (unsigned n = 0; n < WEFT_FRAGMENTS_MAX; n++)
			used += e->have[n] ? e->len[n] : 0;
	}
	return used;
}

static enum weft_defrag_status model_add(struct model_entry *e, unsigned num, const uint8_t *p,
                                         size_t n, size_t *out_len)
{
	if (e->have[num])
		return model_drop(WEFT_DEFRAG_DROP_DUPLICATE);
	if (model_used(e->id) + n > WEFT_PACKET_MAX_LEN) {
		e->live = false;
		return model_drop(WEFT_DEFRAG_DROP_TOO_BIG);
	}
	memcpy(e->data[num], p, n);
	e->len[num] = n;
	e->have[num] = true;
	if (!e->total)
		return WEFT_DEFRAG_PENDING;
	for (unsigned i = 0; i < e->total; i++)
		if (!e->have[i])
			return WEFT_DEFRAG_PENDING;
	size_t k = 0;
	for (unsigned i = 0; i < e->total; i++) {
		memcpy(st.model_out + k, e->data[i], e->len[i]);
		k += e->len[i];
	}
	*out_len = k;
	e->live = false;
	st.completed++;
	return WEFT_DEFRAG_COMPLETE;
}

static enum weft_defrag_status model_head(const uint8_t *p, size_t len, size_t *out_len)
{
	if (len < WEFT_PACKET_MIN_LEN || len > WEFT_PACKET_MAX_LEN ||
	    !(p[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_FRAGMENTED))
		return model_drop(WEFT_DEFRAG_DROP_MALFORMED);
	return model_add(model_find(load_be64(p)), 0, p, len, out_len);
}

static enum weft_defrag_status model_fragment(const uint8_t *p, size_t len, size_t *out_len)
{
	if (len <= WEFT_FRAGMENT_HEADER_LEN || p[13] != 0xff || len > WEFT_PACKET_MAX_LEN)
		return model_drop(WEFT_DEFRAG_DROP_MALFORMED);
	unsigned total = p[14] >> 4, num = p[14] & 15;
	if (total < 2 || total > WEFT_FRAGMENTS_MAX || num < 1 || num >= total)
		return model_drop(WEFT_DEFRAG_DROP_BAD_NUMBERS);
	struct model_entry *e = model_find(load_be64(p));
	if (e->total && e->total != total) {
		e->live = false;
		return model_drop(WEFT_DEFRAG_DROP_INCONSISTENT);
	}
	e->total = total;
	return model_add(e, num, p + WEFT_FRAGMENT_HEADER_LEN, len - WEFT_FRAGMENT_HEADER_LEN,
	                 out_len);
}

static void compare_counters(void)
{
	unsigned live = 0;
	for (size_t i = 0; i < MODEL_ENTRIES; i++)
		live += st.entries[i].live;
	CHECK(weft_defrag_pending(&st.real) == live);
	CHECK(st.real.completed == st.completed);
	CHECK(memcmp(st.real.drops, st.drops, sizeof st.drops) == 0);
}

// Offers one datagram the way the receive path would: a fragment if it looks like one
// (vl1.md §3.1), otherwise a head. Returns the status of the real table.
static enum weft_defrag_status offer(const uint8_t *d, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1); // exact size so ASan sees any overread
	size_t out_len = 0, model_len = 0;
	enum weft_defrag_status got, want = WEFT_DEFRAG_DROPPED;
	bool frag = weft_fragment_is_fragment(d, len);
	CHECK(copy != NULL);
	if (len)
		memcpy(copy, d, len);
	if (frag)
		got = weft_defrag_fragment(&st.real, copy, len, st.now_ms, out, &out_len);
	else
		got = weft_defrag_head(&st.real, copy, len, st.now_ms, out, &out_len);
	CHECK(len == 0 || memcmp(copy, d, len) == 0);
	free(copy);

	CHECK(weft_defrag_pending(&st.real) <= WEFT_LIMIT_DEFRAG_SLOTS);
	if (got == WEFT_DEFRAG_COMPLETE) {
		// The head leads the assembly: at least a header, the flag set, this packet's ID.
		CHECK(out_len >= WEFT_PACKET_MIN_LEN && out_len <= WEFT_PACKET_MAX_LEN);
		CHECK(out[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_FRAGMENTED);
		CHECK(memcmp(out, d, 8) == 0);
		st.completions++;
		st.out_len = out_len;
	}
	if (st.real.drops[WEFT_DEFRAG_DROP_EVICTED])
		st.comparing = false;
	if (!st.comparing)
		return got;
	if (frag)
		want = model_fragment(d, len, &model_len);
	else
		want = model_head(d, len, &model_len);
	CHECK(got == want);
	if (got == WEFT_DEFRAG_COMPLETE)
		CHECK(out_len == model_len && memcmp(out, st.model_out, out_len) == 0);
	compare_counters();
	return got;
}

static void expire(void)
{
	unsigned n = weft_defrag_expire(&st.real, st.now_ms), m = 0;
	CHECK(n <= WEFT_LIMIT_DEFRAG_SLOTS);
	for (size_t i = 0; i < WEFT_LIMIT_DEFRAG_SLOTS; i++)
		CHECK(!st.real.slots[i].have ||
		      st.now_ms - st.real.slots[i].created_ms <= WEFT_DEFRAG_TIMEOUT_MS);
	if (!st.comparing)
		return;
	for (size_t i = 0; i < MODEL_ENTRIES; i++) {
		struct model_entry *e = &st.entries[i];
		if (e->live && st.now_ms - e->created_ms > WEFT_DEFRAG_TIMEOUT_MS) {
			e->live = false;
			m++;
		}
	}
	st.drops[WEFT_DEFRAG_DROP_EXPIRED] += m;
	CHECK(n == m);
	compare_counters();
}

// Deterministic filler so synthetic pieces carry distinguishable bytes without input.
static void fill(uint8_t *p, size_t n, const uint8_t *src, size_t src_len, unsigned seed)
{
	if (src_len > n)
		src_len = n;
	memcpy(p, src, src_len);
	memcpy(p + src_len, pattern + seed % 256u + src_len, n - src_len);
}

// Up to 512 records, each starting with ctl (1): bits 0..1 kind, bit 2 run expire first,
// bits 3..7 clock advance in units of 200 ms.
//   kind 0 raw datagram: len (2), bytes.   kind 1 synthetic head: id (1), len (2), bytes.
//   kind 2 synthetic fragment: id (1), numbers (1), len (2), bytes.
//   kind 3 flood: count (1); that many heads with fresh IDs (0 = just move the clock).
// Synthetic pieces take their bytes from the input as far as it goes, then from a pattern; with
// the top bit of len set they take none, so one record can make a large piece. With bit 14 set
// the piece is sized to what the assembly of its ID has left of WEFT_PACKET_MAX_LEN, give or
// take (len & 3) - 1 bytes, so the size limit is probed at its edge.
static void fuzz_stream(const uint8_t *data, size_t size)
{
	static uint8_t d[WEFT_PACKET_MAX_LEN + 64];
	unsigned flood_id = 0;
	reset(1700000000000);
	for (unsigned records = 0; size > 0 && records < 512; records++) {
		uint8_t ctl = data[0];
		unsigned kind = ctl & 3;
		size_t need = kind == 0 ? 3 : kind == 1 ? 4 : kind == 2 ? 5 : 2;
		if (size < need)
			break;
		st.now_ms += (int64_t)(ctl >> 3) * 200;
		if (ctl & 4)
			expire();
		unsigned v = kind == 3 ? 0 : load_be16(data + need - 2);
		size_t len = kind == 0 ? v : (v & 0x7fffu) % (sizeof d + 1);
		const uint8_t *src = data + need;
		size_t src_len = size - need < len ? size - need : len;
		if (kind != 0 && (v & 0x8000u))
			src_len = 0;
		if ((kind == 1 || kind == 2) && (v & 0x4000u)) {
			size_t hdr = kind == 2 ? WEFT_FRAGMENT_HEADER_LEN : 0;
			len =
			    hdr + WEFT_PACKET_MAX_LEN - model_used(0x0101010101010101ULL * data[1]);
			len += v & 3u;
			len = len ? len - 1 : 0;
			src_len = 0;
		}
		switch (kind) {
		case 0: offer(src, src_len); break;
		case 1:
			if (len < WEFT_PACKET_MIN_LEN)
				len = WEFT_PACKET_MIN_LEN;
			memset(d, data[1], 8);
			fill(d + 8, len - 8, src, src_len, data[1]);
			d[13] = 0x01; // a real source address, not the fragment indicator
			d[WEFT_WIRE_IDX_FLAGS] |= WEFT_WIRE_FLAG_FRAGMENTED;
			offer(d, len);
			break;
		case 2:
			if (len <= WEFT_FRAGMENT_HEADER_LEN)
				len = WEFT_FRAGMENT_HEADER_LEN + 1;
			memset(d, data[1], 8);
			memset(d + 8, 0, 5);
			d[13] = 0xff;
			d[14] = data[2];
			d[15] = 0;
			fill(d + 16, len - 16, src, src_len, data[2]);
			offer(d, len);
			break;
		default:
			// Capped per input: 33 heads already force an eviction, and long floods
			// would only slow the fuzzer down.
			for (unsigned i = 0; i < (data[1] & 63u) && flood_id < 128; i++) {
				memset(d, 0, WEFT_PACKET_MIN_LEN);
				store_be64(d, 0x464c4f4f44000000ULL + flood_id++);
				d[WEFT_WIRE_IDX_SOURCE] = 0x01;
				d[WEFT_WIRE_IDX_FLAGS] = WEFT_WIRE_FLAG_FRAGMENTED;
				offer(d, WEFT_PACKET_MIN_LEN);
			}
			break;
		}
		data += need + src_len;
		size -= need + src_len;
	}
}

// Input: ctl (1), MTU offset (1), shuffle choices (8), then the packet (ID, header, payload).
// ctl bit 1: offer each piece twice; bit 2: offer a stray fragment of another packet first.
static void fuzz_round_trip(uint8_t ctl, const uint8_t *data, size_t size)
{
	static uint8_t pkt[WEFT_PACKET_MAX_LEN];
	uint8_t *piece[WEFT_FRAGMENTS_MAX + 1];
	size_t piece_len[WEFT_FRAGMENTS_MAX + 1];
	unsigned order[WEFT_FRAGMENTS_MAX + 1];
	if (size < 9)
		return;
	size_t mtu = WEFT_PHYSMTU_MIN + data[0] % 101u;
	const uint8_t *choice = data + 1;
	data += 9;
	size -= 9;

	size_t len = size < WEFT_PACKET_MIN_LEN ? WEFT_PACKET_MIN_LEN : size;
	if (len > WEFT_PACKET_MAX_LEN)
		len = WEFT_PACKET_MAX_LEN;
	memset(pkt, 0, WEFT_PACKET_MIN_LEN);
	memcpy(pkt, data, size < len ? size : len);
	pkt[WEFT_WIRE_IDX_SOURCE] = 0x01; // not 0xff: a head must not look like a fragment
	unsigned count = weft_fragment_count(len, mtu);
	CHECK(count >= 1);
	CHECK((count == 1) == (len <= mtu));
	// An MTU with no room past the fragment header cannot split anything.
	CHECK(weft_fragment_count(len, WEFT_FRAGMENT_HEADER_LEN) == (len <= 16 ? 1u : 0u));
	uint8_t tmp[WEFT_PHYSMTU_MAX];
	CHECK(weft_fragment_encode(pkt, len, WEFT_FRAGMENT_HEADER_LEN, 1, tmp, sizeof tmp) == 0);
	if (count > WEFT_FRAGMENTS_MAX) {
		// More pieces than any receiver accepts: the encoder refuses every one of them.
		for (unsigned n = 0; n <= count; n++)
			CHECK(weft_fragment_encode(pkt, len, mtu, n, tmp, sizeof tmp) == 0);
		return;
	}
	weft_packet_set_fragmented(pkt, count > 1);

	size_t sum = 0;
	for (unsigned n = 0; n < count; n++) {
		size_t k = weft_fragment_encode(pkt, len, mtu, n, tmp, sizeof tmp);
		CHECK(k > 0 && k <= mtu);
		CHECK(weft_fragment_encode(pkt, len, mtu, n, tmp, k - 1) == 0);
		piece[n] = malloc(k);
		CHECK(piece[n] != NULL);
		CHECK(weft_fragment_encode(pkt, len, mtu, n, piece[n], k) == k);
		piece_len[n] = k;
		if (n == 0) {
			CHECK(memcmp(piece[0], pkt, k) == 0);
			sum += k;
		} else {
			CHECK(weft_fragment_is_fragment(piece[n], k));
			CHECK(memcmp(piece[n], pkt, 13) == 0);
			CHECK(piece[n][WEFT_WIRE_FRAG_IDX_NUMBERS] == (count << 4 | n));
			CHECK(piece[n][WEFT_WIRE_FRAG_IDX_HOPS] == 0);
			CHECK(memcmp(piece[n] + WEFT_FRAGMENT_HEADER_LEN, pkt + sum,
			             k - WEFT_FRAGMENT_HEADER_LEN) == 0);
			sum += k - WEFT_FRAGMENT_HEADER_LEN;
		}
		if (n + 1 < count)
			CHECK(k == mtu);
	}
	CHECK(sum == len);
	CHECK(weft_fragment_encode(pkt, len, mtu, count, tmp, sizeof tmp) == 0);

	reset(1700000000000);
	if (count == 1) {
		// A whole packet is not for the reassembly table.
		CHECK(offer(piece[0], piece_len[0]) == WEFT_DEFRAG_DROPPED);
		CHECK(st.real.drops[WEFT_DEFRAG_DROP_MALFORMED] == 1);
		free(piece[0]);
		return;
	}
	if (ctl & 4) {
		uint8_t stray[WEFT_FRAGMENT_HEADER_LEN + 1] = {0};
		memcpy(stray, pkt, 8);
		stray[7] ^= 1;
		stray[13] = 0xff;
		stray[14] = 0x21;
		CHECK(offer(stray, sizeof stray) == WEFT_DEFRAG_PENDING);
	}
	for (unsigned i = 0; i < count; i++)
		order[i] = i;
	for (unsigned i = count - 1; i > 0; i--) {
		unsigned j = choice[i] % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned i = 0; i < count; i++) {
		unsigned n = order[i];
		enum weft_defrag_status s = offer(piece[n], piece_len[n]);
		CHECK(s == (i + 1 == count ? WEFT_DEFRAG_COMPLETE : WEFT_DEFRAG_PENDING));
		if ((ctl & 2) && i + 1 < count)
			CHECK(offer(piece[n], piece_len[n]) == WEFT_DEFRAG_DROPPED);
		st.now_ms += choice[i] & 15;
	}
	CHECK(st.completions == 1);
	CHECK(st.out_len == len && memcmp(out, pkt, len) == 0);
	CHECK(weft_defrag_pending(&st.real) == ((ctl & 4) ? 1u : 0u));
	for (unsigned n = 0; n < count; n++)
		free(piece[n]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_round_trip(data[0], data + 1, size - 1);
	else
		fuzz_stream(data + 1, size - 1);
	return 0;
}
