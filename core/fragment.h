// SPDX-License-Identifier: MPL-2.0
// Splitting armored packets into datagrams and reassembling them (vl1.md §3.7).
// The reassembly table is fixed-size: a flood of half-finished sets evicts the oldest and is
// counted, never grows memory.
#ifndef WEFT_FRAGMENT_H
#define WEFT_FRAGMENT_H

#include "buf.h"
#include "limits.h"
#include "wire.h"
#include "weft/weft.h"

// Number of datagrams a packet of `len` bytes needs at `mtu` (1 = no fragmentation; 0 if mtu
// leaves no room for data). More than WEFT_FRAGMENTS_MAX means the packet cannot be sent.
unsigned weft_fragment_count(size_t len, size_t mtu);

// Writes datagram `n` (0 = head) of the packet into out[0..cap); returns its length, or 0 if
// n is out of range, the packet needs more than WEFT_FRAGMENTS_MAX pieces, or cap is too small. The
// head is the first `mtu` bytes as armored; the fragmented flag must have been set before armoring
// when count > 1.
size_t weft_fragment_encode(const uint8_t *pkt, size_t len, size_t mtu, unsigned n, uint8_t *out,
                            size_t cap);

// True if the datagram is a fragment (not a packet head), per vl1.md §3.1.
static inline bool weft_fragment_is_fragment(const uint8_t *d, size_t len)
{
	return len > WEFT_FRAGMENT_HEADER_LEN && d[WEFT_WIRE_FRAG_IDX_INDICATOR] == 0xff;
}

// Why a piece was dropped; counted in weft_defrag.drops.
enum weft_defrag_drop {
	WEFT_DEFRAG_DROP_MALFORMED,    // too short, or a head without the fragmented flag
	WEFT_DEFRAG_DROP_BAD_NUMBERS,  // total outside 2..7 or number outside 1..total-1
	WEFT_DEFRAG_DROP_INCONSISTENT, // fragments of one packet disagree on the total
	WEFT_DEFRAG_DROP_DUPLICATE,    // that piece already arrived
	WEFT_DEFRAG_DROP_TOO_BIG,      // the assembly would exceed WEFT_PACKET_MAX_LEN
	WEFT_DEFRAG_DROP_EXPIRED,      // an incomplete assembly timed out (counted per assembly)
	WEFT_DEFRAG_DROP_EVICTED,      // an incomplete assembly lost its slot to a newer one
	WEFT_DEFRAG_DROP_COUNT
};

enum weft_defrag_status {
	WEFT_DEFRAG_PENDING,  // kept; waiting for the rest
	WEFT_DEFRAG_COMPLETE, // the whole packet is in the output buffer
	WEFT_DEFRAG_DROPPED,  // discarded and counted
};

struct weft_defrag_slot {
	uint64_t packet_id; // wire value; the slot is free when `have` is 0
	int64_t created_ms;
	uint8_t have;  // bit 0 head, bit n fragment n
	uint8_t total; // 0 until a fragment names it
	uint16_t used; // bytes of `data` in use
	uint16_t off[WEFT_FRAGMENTS_MAX];
	uint16_t len[WEFT_FRAGMENTS_MAX];
	uint8_t data[WEFT_PACKET_MAX_LEN];
};

struct weft_defrag {
	struct weft_defrag_slot slots[WEFT_LIMIT_DEFRAG_SLOTS];
	uint64_t drops[WEFT_DEFRAG_DROP_COUNT];
	uint64_t completed;
};

void weft_defrag_init(struct weft_defrag *d);

// Offers a packet head that has the fragmented flag, or a fragment. When the set completes the
// packet is written to out (WEFT_PACKET_MAX_LEN bytes) and its length to *out_len.
enum weft_defrag_status weft_defrag_head(struct weft_defrag *d, const uint8_t *pkt, size_t len,
                                         int64_t now_ms, uint8_t *out, size_t *out_len);
enum weft_defrag_status weft_defrag_fragment(struct weft_defrag *d, const uint8_t *frag, size_t len,
                                             int64_t now_ms, uint8_t *out, size_t *out_len);

// Frees assemblies older than WEFT_DEFRAG_TIMEOUT_MS; returns how many.
unsigned weft_defrag_expire(struct weft_defrag *d, int64_t now_ms);

// Assemblies in progress.
unsigned weft_defrag_pending(const struct weft_defrag *d);

#endif
