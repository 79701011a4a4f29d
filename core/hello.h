// SPDX-License-Identifier: MPL-2.0
// HELLO and OK(HELLO) payloads (vl1.md §5.4, §4.5): encoding with the encrypted moon-list
// tail, and tolerant decoding of what older and newer senders put there.
#ifndef WEFT_HELLO_H
#define WEFT_HELLO_H

#include "identity.h"
#include "inetaddr.h"
#include "packet.h"

#define WEFT_HELLO_MAX_MOONS 16

struct weft_hello_moon {
	uint8_t type;
	uint64_t id;
	uint64_t timestamp; // 0: wanted, not held
};

struct weft_hello {
	uint8_t proto;
	uint8_t major, minor;
	uint16_t revision;
	uint64_t timestamp;
	struct weft_identity identity; // sender, public
	struct weft_inetaddr dest;     // where the sender sent it; family NONE if absent
	bool has_planet;
	uint64_t planet_id, planet_timestamp;
	unsigned n_moons;
	struct weft_hello_moon moons[WEFT_HELLO_MAX_MOONS];
};

// Writes a whole plaintext HELLO packet (header, payload, encrypted tail; MAC not yet set).
// Arm it with suite 0 afterwards. Returns the packet length, 0 if it does not fit.
size_t weft_hello_encode(uint8_t *pkt, size_t cap, uint64_t packet_id, uint64_t dest,
                         const struct weft_hello *h, const uint8_t key[48], size_t *tail_offset);

// Reads everything before the encrypted tail; *tail_offset is where it starts (== len when
// there is none). The identity must then be checked and the key computed by the caller.
enum weft_result weft_hello_decode_head(const uint8_t *pkt, size_t len, struct weft_hello *h,
                                        size_t *tail_offset);
// Decrypts the tail in place with the peer key and reads the moon list (bytes after it are
// ignored; a short or absent tail leaves n_moons 0).
void weft_hello_decode_tail(uint8_t *pkt, size_t len, size_t tail_offset, struct weft_hello *h,
                            const uint8_t key[48]);

struct weft_ok_hello {
	uint64_t in_re_id;
	uint64_t timestamp_echo;
	uint8_t proto, major, minor;
	uint16_t revision;
	struct weft_inetaddr observed;
	const uint8_t *worlds; // borrowed from the packet
	size_t worlds_len;
};

// OK(HELLO) payload after the OK verb byte: in-re verb and ID, then the reply fields.
void weft_ok_hello_encode(struct weft_wbuf *w, const struct weft_ok_hello *ok);
// `payload` starts after the OK verb byte (at the in-re verb).
enum weft_result weft_ok_hello_decode(const uint8_t *payload, size_t len, struct weft_ok_hello *ok);

#endif
