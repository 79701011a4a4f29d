// SPDX-License-Identifier: MPL-2.0
// HELLO / OK(HELLO) codecs. The tail (moon list) is Salsa20/12-encrypted with the unmangled
// peer key and the packet ID with its low 3 bits cleared as nonce (vl1.md §4.5).
#include "hello.h"

#include "salsa2012.h"

static void tail_xor(uint8_t *pkt, size_t len, size_t off, const uint8_t key[48])
{
	uint8_t nonce[8];
	memcpy(nonce, pkt, 8);
	nonce[7] &= 0xf8;
	weft_salsa2012_xor(pkt + off, len - off, nonce, 0, key);
}

size_t weft_hello_encode(uint8_t *pkt, size_t cap, uint64_t packet_id, uint64_t dest,
                         const struct weft_hello *h, const uint8_t key[48], size_t *tail_offset)
{
	struct weft_wbuf w;
	struct weft_packet_header hdr = {
	    .id = packet_id, .dest = dest, .source = h->identity.address, .verb = WEFT_VERB_HELLO};
	if (cap < WEFT_PACKET_MIN_LEN)
		return 0;
	weft_packet_header_encode(pkt, &hdr);
	wbuf_init(&w, pkt, cap);
	wbuf_put(&w, WEFT_WIRE_IDX_PAYLOAD);
	wbuf_u8(&w, h->proto);
	wbuf_u8(&w, h->major);
	wbuf_u8(&w, h->minor);
	wbuf_u16(&w, h->revision);
	wbuf_u64(&w, h->timestamp);
	weft_identity_encode(&h->identity, false, &w);
	weft_inetaddr_encode(&h->dest, &w);
	wbuf_u64(&w, h->planet_id);
	wbuf_u64(&w, h->planet_timestamp);
	size_t tail = w.len;
	wbuf_u16(&w, (uint16_t)h->n_moons);
	for (unsigned i = 0; i < h->n_moons; i++) {
		wbuf_u8(&w, h->moons[i].type);
		wbuf_u64(&w, h->moons[i].id);
		wbuf_u64(&w, h->moons[i].timestamp);
	}
	if (w.bad)
		return 0;
	tail_xor(pkt, w.len, tail, key);
	if (tail_offset)
		*tail_offset = tail;
	return w.len;
}

enum weft_result weft_hello_decode_head(const uint8_t *pkt, size_t len, struct weft_hello *h,
                                        size_t *tail_offset)
{
	struct weft_rbuf r;
	if (len < WEFT_PACKET_MIN_LEN)
		return WEFT_ERR_INVALID;
	memset(h, 0, sizeof *h);
	rbuf_init(&r, pkt + WEFT_WIRE_IDX_PAYLOAD, len - WEFT_WIRE_IDX_PAYLOAD);
	h->proto = rbuf_u8(&r);
	h->major = rbuf_u8(&r);
	h->minor = rbuf_u8(&r);
	h->revision = rbuf_u16(&r);
	h->timestamp = rbuf_u64(&r);
	if (r.bad || weft_identity_decode(&h->identity, &r) != WEFT_OK || h->identity.has_secret)
		return WEFT_ERR_INVALID;
	// Everything after the identity is optional for old senders.
	if (rbuf_left(&r) && weft_inetaddr_decode(&h->dest, &r) != WEFT_OK)
		return WEFT_ERR_INVALID;
	if (rbuf_left(&r) >= 16) {
		h->has_planet = true;
		h->planet_id = rbuf_u64(&r);
		h->planet_timestamp = rbuf_u64(&r);
	}
	*tail_offset = WEFT_WIRE_IDX_PAYLOAD + r.pos;
	return WEFT_OK;
}

void weft_hello_decode_tail(uint8_t *pkt, size_t len, size_t tail_offset, struct weft_hello *h,
                            const uint8_t key[48])
{
	struct weft_rbuf r;
	h->n_moons = 0;
	if (tail_offset >= len)
		return;
	tail_xor(pkt, len, tail_offset, key);
	rbuf_init(&r, pkt + tail_offset, len - tail_offset);
	unsigned n = rbuf_u16(&r);
	for (unsigned i = 0; i < n && !r.bad; i++) {
		struct weft_hello_moon m;
		m.type = rbuf_u8(&r);
		m.id = rbuf_u64(&r);
		m.timestamp = rbuf_u64(&r);
		if (!r.bad && h->n_moons < WEFT_HELLO_MAX_MOONS)
			h->moons[h->n_moons++] = m;
	}
}

void weft_ok_hello_encode(struct weft_wbuf *w, const struct weft_ok_hello *ok)
{
	wbuf_u8(w, WEFT_VERB_HELLO);
	wbuf_u64(w, ok->in_re_id);
	wbuf_u64(w, ok->timestamp_echo);
	wbuf_u8(w, ok->proto);
	wbuf_u8(w, ok->major);
	wbuf_u8(w, ok->minor);
	wbuf_u16(w, ok->revision);
	weft_inetaddr_encode(&ok->observed, w);
	wbuf_u16(w, (uint16_t)ok->worlds_len);
	wbuf_bytes(w, ok->worlds, ok->worlds_len);
}

enum weft_result weft_ok_hello_decode(const uint8_t *payload, size_t len, struct weft_ok_hello *ok)
{
	struct weft_rbuf r;
	memset(ok, 0, sizeof *ok);
	rbuf_init(&r, payload, len);
	if (rbuf_u8(&r) != WEFT_VERB_HELLO)
		return WEFT_ERR_INVALID;
	ok->in_re_id = rbuf_u64(&r);
	ok->timestamp_echo = rbuf_u64(&r);
	ok->proto = rbuf_u8(&r);
	ok->major = rbuf_u8(&r);
	ok->minor = rbuf_u8(&r);
	ok->revision = rbuf_u16(&r);
	if (r.bad)
		return WEFT_ERR_INVALID;
	if (rbuf_left(&r) && weft_inetaddr_decode(&ok->observed, &r) != WEFT_OK)
		return WEFT_ERR_INVALID;
	if (rbuf_left(&r) >= 2) {
		ok->worlds_len = rbuf_u16(&r);
		ok->worlds = rbuf_take(&r, ok->worlds_len);
		if (!ok->worlds)
			return WEFT_ERR_INVALID;
	}
	return WEFT_OK;
}
