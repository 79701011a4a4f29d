// SPDX-License-Identifier: MPL-2.0
// Fragmentation and reassembly (vl1.md §3.7). Pieces are appended to a per-slot arena in
// arrival order and put in order only when the set is complete, so a head may come before or
// after its fragments. There is no per-fragment authentication: the MAC over the assembled
// packet is the only check, done by the caller.
#include "fragment.h"

unsigned weft_fragment_count(size_t len, size_t mtu)
{
	if (len <= mtu)
		return 1;
	if (mtu <= WEFT_FRAGMENT_HEADER_LEN)
		return 0; // no room for data: cannot be split
	size_t per = mtu - WEFT_FRAGMENT_HEADER_LEN;
	return (unsigned)(1 + (len - mtu + per - 1) / per);
}

size_t weft_fragment_encode(const uint8_t *pkt, size_t len, size_t mtu, unsigned n, uint8_t *out,
                            size_t cap)
{
	if (mtu <= WEFT_FRAGMENT_HEADER_LEN)
		return 0;
	unsigned total = weft_fragment_count(len, mtu);
	size_t per = mtu - WEFT_FRAGMENT_HEADER_LEN;
	// Receivers (1.14 and weft) accept at most 7 pieces; a larger split would be dropped.
	if (n >= total || total > WEFT_FRAGMENTS_MAX)
		return 0;
	if (n == 0) {
		size_t h = len < mtu ? len : mtu;
		if (cap < h)
			return 0;
		memcpy(out, pkt, h);
		return h;
	}
	size_t start = mtu + (n - 1) * per;
	size_t chunk = len - start < per ? len - start : per;
	if (cap < WEFT_FRAGMENT_HEADER_LEN + chunk)
		return 0;
	memcpy(out, pkt, 13); // packet ID and destination
	out[WEFT_WIRE_FRAG_IDX_INDICATOR] = 0xff;
	out[WEFT_WIRE_FRAG_IDX_NUMBERS] = (uint8_t)((total << 4) | n);
	out[WEFT_WIRE_FRAG_IDX_HOPS] = 0;
	memcpy(out + WEFT_FRAGMENT_HEADER_LEN, pkt + start, chunk);
	return WEFT_FRAGMENT_HEADER_LEN + chunk;
}

void weft_defrag_init(struct weft_defrag *d)
{
	for (size_t i = 0; i < WEFT_LIMIT_DEFRAG_SLOTS; i++)
		d->slots[i].have = 0;
	memset(d->drops, 0, sizeof d->drops);
	d->completed = 0;
}

static enum weft_defrag_status drop(struct weft_defrag *d, enum weft_defrag_drop why)
{
	d->drops[why]++;
	return WEFT_DEFRAG_DROPPED;
}

static void slot_free(struct weft_defrag_slot *s)
{
	s->have = 0;
}

// The slot for this packet ID, a free one, or the oldest (evicted and counted).
static struct weft_defrag_slot *slot_for(struct weft_defrag *d, uint64_t id, int64_t now_ms)
{
	struct weft_defrag_slot *free_slot = NULL, *oldest = NULL;
	for (size_t i = 0; i < WEFT_LIMIT_DEFRAG_SLOTS; i++) {
		struct weft_defrag_slot *s = &d->slots[i];
		if (!s->have) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (s->packet_id == id) {
			if (now_ms - s->created_ms <= WEFT_DEFRAG_TIMEOUT_MS)
				return s;
			d->drops[WEFT_DEFRAG_DROP_EXPIRED]++;
			free_slot = s; // stale assembly of the same ID: start over in place
			break;
		}
		if (!oldest || s->created_ms < oldest->created_ms)
			oldest = s;
	}
	struct weft_defrag_slot *s = free_slot;
	if (!s) {
		s = oldest;
		d->drops[WEFT_DEFRAG_DROP_EVICTED]++;
	}
	s->packet_id = id;
	s->created_ms = now_ms;
	s->have = 0;
	s->total = 0;
	s->used = 0;
	return s;
}

static bool is_complete(const struct weft_defrag_slot *s)
{
	return s->total && s->have == (uint8_t)((1u << s->total) - 1);
}

static enum weft_defrag_status finish(struct weft_defrag *d, struct weft_defrag_slot *s,
                                      uint8_t *out, size_t *out_len)
{
	size_t n = 0;
	for (unsigned i = 0; i < s->total; i++) {
		memcpy(out + n, s->data + s->off[i], s->len[i]);
		n += s->len[i];
	}
	*out_len = n;
	slot_free(s);
	d->completed++;
	return WEFT_DEFRAG_COMPLETE;
}

// Stores piece `num` into slot `s`; the slot is new or already holds other pieces.
static enum weft_defrag_status add_piece(struct weft_defrag *d, struct weft_defrag_slot *s,
                                         unsigned num, const uint8_t *p, size_t n, uint8_t *out,
                                         size_t *out_len)
{
	if (s->have & (1u << num))
		return drop(d, WEFT_DEFRAG_DROP_DUPLICATE);
	if (n > (size_t)WEFT_PACKET_MAX_LEN - s->used) {
		slot_free(s);
		return drop(d, WEFT_DEFRAG_DROP_TOO_BIG);
	}
	memcpy(s->data + s->used, p, n);
	s->off[num] = s->used;
	s->len[num] = (uint16_t)n;
	s->used = (uint16_t)(s->used + n);
	s->have |= (uint8_t)(1u << num);
	if (is_complete(s))
		return finish(d, s, out, out_len);
	return WEFT_DEFRAG_PENDING;
}

enum weft_defrag_status weft_defrag_head(struct weft_defrag *d, const uint8_t *pkt, size_t len,
                                         int64_t now_ms, uint8_t *out, size_t *out_len)
{
	if (len < WEFT_PACKET_MIN_LEN || len > WEFT_PACKET_MAX_LEN ||
	    !(pkt[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_FRAGMENTED))
		return drop(d, WEFT_DEFRAG_DROP_MALFORMED);
	struct weft_defrag_slot *s = slot_for(d, load_be64(pkt), now_ms);
	return add_piece(d, s, 0, pkt, len, out, out_len);
}

enum weft_defrag_status weft_defrag_fragment(struct weft_defrag *d, const uint8_t *frag, size_t len,
                                             int64_t now_ms, uint8_t *out, size_t *out_len)
{
	if (!weft_fragment_is_fragment(frag, len) || len > WEFT_PACKET_MAX_LEN)
		return drop(d, WEFT_DEFRAG_DROP_MALFORMED);
	unsigned total = frag[WEFT_WIRE_FRAG_IDX_NUMBERS] >> 4;
	unsigned num = frag[WEFT_WIRE_FRAG_IDX_NUMBERS] & 0x0f;
	if (total < 2 || total > WEFT_FRAGMENTS_MAX || num < 1 || num >= total)
		return drop(d, WEFT_DEFRAG_DROP_BAD_NUMBERS);
	struct weft_defrag_slot *s = slot_for(d, load_be64(frag), now_ms);
	if (s->total && s->total != total) {
		slot_free(s);
		return drop(d, WEFT_DEFRAG_DROP_INCONSISTENT);
	}
	s->total = (uint8_t)total;
	return add_piece(d, s, num, frag + WEFT_FRAGMENT_HEADER_LEN, len - WEFT_FRAGMENT_HEADER_LEN,
	                 out, out_len);
}

unsigned weft_defrag_expire(struct weft_defrag *d, int64_t now_ms)
{
	unsigned n = 0;
	for (size_t i = 0; i < WEFT_LIMIT_DEFRAG_SLOTS; i++) {
		struct weft_defrag_slot *s = &d->slots[i];
		if (s->have && now_ms - s->created_ms > WEFT_DEFRAG_TIMEOUT_MS) {
			slot_free(s);
			n++;
		}
	}
	d->drops[WEFT_DEFRAG_DROP_EXPIRED] += n;
	return n;
}

unsigned weft_defrag_pending(const struct weft_defrag *d)
{
	unsigned n = 0;
	for (size_t i = 0; i < WEFT_LIMIT_DEFRAG_SLOTS; i++)
		n += d->slots[i].have != 0;
	return n;
}
