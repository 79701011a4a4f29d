// SPDX-License-Identifier: MPL-2.0
// LZ4 block compression of packet payloads (vl1.md §4.7), over liblz4.
#include <lz4.h>

#include "packet.h"

size_t weft_packet_compress(uint8_t *pkt, size_t len, uint8_t *scratch)
{
	size_t plen = len - WEFT_WIRE_IDX_PAYLOAD;
	if (len <= WEFT_WIRE_IDX_PAYLOAD || plen < WEFT_COMPRESS_MIN_PAYLOAD ||
	    len > WEFT_PACKET_MAX_LEN)
		return len;
	// Capacity plen - 1: liblz4 returns 0 unless the result is strictly smaller.
	int n = LZ4_compress_fast((const char *)pkt + WEFT_WIRE_IDX_PAYLOAD, (char *)scratch,
	                          (int)plen, (int)plen - 1, 1);
	if (n <= 0)
		return len;
	memcpy(pkt + WEFT_WIRE_IDX_PAYLOAD, scratch, (size_t)n);
	pkt[WEFT_WIRE_IDX_VERB] |= WEFT_WIRE_VERB_COMPRESSED;
	return WEFT_WIRE_IDX_PAYLOAD + (size_t)n;
}

enum weft_result weft_packet_decompress(uint8_t *pkt, size_t *len, size_t cap, uint8_t *scratch)
{
	if (*len < WEFT_PACKET_MIN_LEN)
		return WEFT_ERR_INVALID;
	if (!(pkt[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_COMPRESSED))
		return WEFT_OK;
	size_t clen = *len - WEFT_WIRE_IDX_PAYLOAD;
	int n = LZ4_decompress_safe((const char *)pkt + WEFT_WIRE_IDX_PAYLOAD, (char *)scratch,
	                            (int)clen, WEFT_PAYLOAD_MAX_LEN);
	if (n < 0)
		return WEFT_ERR_INVALID;
	if (WEFT_WIRE_IDX_PAYLOAD + (size_t)n > cap)
		return WEFT_ERR_TOO_BIG;
	memcpy(pkt + WEFT_WIRE_IDX_PAYLOAD, scratch, (size_t)n);
	pkt[WEFT_WIRE_IDX_VERB] &= (uint8_t)~WEFT_WIRE_VERB_COMPRESSED;
	*len = WEFT_WIRE_IDX_PAYLOAD + (size_t)n;
	return WEFT_OK;
}
