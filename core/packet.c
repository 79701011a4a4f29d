// SPDX-License-Identifier: MPL-2.0
// Packet header encoding and decoding (vl1.md §3.2).
#include "packet.h"

void weft_packet_header_encode(uint8_t *pkt, const struct weft_packet_header *h)
{
	store_be64(pkt + WEFT_WIRE_IDX_ID, h->id);
	store_be40(pkt + WEFT_WIRE_IDX_DEST, h->dest);
	store_be40(pkt + WEFT_WIRE_IDX_SOURCE, h->source);
	pkt[WEFT_WIRE_IDX_FLAGS] = h->flags;
	memset(pkt + WEFT_WIRE_IDX_MAC, 0, 8);
	pkt[WEFT_WIRE_IDX_VERB] = h->verb;
}

enum weft_result weft_packet_header_decode(const uint8_t *pkt, size_t len,
                                           struct weft_packet_header *h)
{
	if (len < WEFT_PACKET_MIN_LEN)
		return WEFT_ERR_INVALID;
	h->id = load_be64(pkt + WEFT_WIRE_IDX_ID);
	h->dest = load_be40(pkt + WEFT_WIRE_IDX_DEST);
	h->source = load_be40(pkt + WEFT_WIRE_IDX_SOURCE);
	h->flags = pkt[WEFT_WIRE_IDX_FLAGS];
	h->verb = pkt[WEFT_WIRE_IDX_VERB];
	return WEFT_OK;
}
