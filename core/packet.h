// SPDX-License-Identifier: MPL-2.0
// VL1 packets (vl1.md §3, §4): the 28-byte header, arming and disarming with cipher suites
// 0, 1 and 3, and LZ4 compression of payloads. Everything works in place on one buffer.
#ifndef WEFT_PACKET_H
#define WEFT_PACKET_H

#include "buf.h"
#include "cipher.h"
#include "wire.h"

struct weft_packet_header {
	uint64_t id;   // 64-bit packet ID (the wire bytes, read big-endian)
	uint64_t dest; // 40-bit addresses
	uint64_t source;
	uint8_t flags; // hops, cipher suite, fragmented, legacy encrypted bit
	uint8_t verb;  // verb byte including the compressed bit (plaintext only)
};

// Writes the header and verb byte; the MAC field is zeroed. `pkt` holds at least 28 bytes.
void weft_packet_header_encode(uint8_t *pkt, const struct weft_packet_header *h);
// Reads the header of a packet head; WEFT_ERR_INVALID if shorter than 28 bytes.
enum weft_result weft_packet_header_decode(const uint8_t *pkt, size_t len,
                                           struct weft_packet_header *h);

static inline unsigned weft_packet_cipher(const uint8_t *pkt)
{
	return (pkt[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_CIPHER_MASK) >>
	       WEFT_WIRE_FLAG_CIPHER_SHIFT;
}
static inline unsigned weft_packet_hops(const uint8_t *pkt)
{
	return pkt[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_HOPS_MASK;
}
static inline bool weft_packet_is_fragmented(const uint8_t *pkt)
{
	return (pkt[WEFT_WIRE_IDX_FLAGS] & WEFT_WIRE_FLAG_FRAGMENTED) != 0;
}
static inline void weft_packet_set_fragmented(uint8_t *pkt, bool on)
{
	if (on)
		pkt[WEFT_WIRE_IDX_FLAGS] |= WEFT_WIRE_FLAG_FRAGMENTED;
	else
		pkt[WEFT_WIRE_IDX_FLAGS] &= (uint8_t)~WEFT_WIRE_FLAG_FRAGMENTED;
}

// Suite 2, trusted path (vl1.md §4.4): no crypto; the MAC field carries the path ID, big-endian.
// Sets the cipher bits as arming would (legacy 0x80 clear, fragmented bit and hops kept).
static inline void weft_packet_set_trusted(uint8_t *pkt, uint64_t trusted_path_id)
{
	pkt[WEFT_WIRE_IDX_FLAGS] = (uint8_t)((pkt[WEFT_WIRE_IDX_FLAGS] & 0x47) |
	                                     (WEFT_CIPHER_NONE << WEFT_WIRE_FLAG_CIPHER_SHIFT));
	store_be64(pkt + WEFT_WIRE_IDX_MAC, trusted_path_id);
}
static inline uint64_t weft_packet_trusted_id(const uint8_t *pkt)
{
	return load_be64(pkt + WEFT_WIRE_IDX_MAC);
}

// Arms pkt[0..len) in place with `suite` (0, 1 or 3): sets the cipher bits, authenticates and,
// for suites 1 and 3, encrypts bytes 27..len. The fragmented bit must already be final, the
// hop count zero, and for suite 3 the packet ID random (it becomes the SIV's first half).
enum weft_result weft_packet_arm(uint8_t *pkt, size_t len, struct weft_cipher_key *key,
                                 enum weft_cipher suite);

// Checks and decrypts in place with the suite named in the flags byte. On failure the buffer
// is unchanged and the result says why: WEFT_ERR_AUTH (bad MAC), WEFT_ERR_UNSUPPORTED (suite 2
// or undefined), WEFT_ERR_INVALID (shorter than 28 bytes).
enum weft_result weft_packet_disarm(uint8_t *pkt, size_t len, struct weft_cipher_key *key);

// LZ4-compresses the payload (bytes 28..len) when longer than 64 bytes and the result is
// strictly smaller, as 1.14 does (vl1.md §4.7); sets the verb's compressed bit. `scratch`
// holds WEFT_PACKET_MAX_LEN bytes. Returns the new packet length (len if left alone).
size_t weft_packet_compress(uint8_t *pkt, size_t len, uint8_t *scratch);

// Undoes weft_packet_compress if the compressed bit is set. The result may be up to
// WEFT_PACKET_MAX_LEN bytes and must fit `cap`. On error the buffer is unchanged.
enum weft_result weft_packet_decompress(uint8_t *pkt, size_t *len, size_t cap, uint8_t *scratch);

#endif
