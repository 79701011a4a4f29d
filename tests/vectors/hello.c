// SPDX-License-Identifier: MPL-2.0
// hello.json: HELLO packets (encrypted tail, suite-0 armor) and OK(HELLO) replies (suites 1
// and 3, with and without a world update) byte for byte, decoded back, and the world rule.
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "hello.h"
#include "t.h"
#include "vec.h"
#include "world.h"

static bool endpoint(const json_t *o, struct weft_inetaddr *a)
{
	char text[80];
	if (!strcmp(vec_str(o, "family"), "none")) {
		memset(a, 0, sizeof *a);
		return true;
	}
	snprintf(text, sizeof text, "%s/%lld", vec_str(o, "ip"), vec_int(o, "port"));
	return weft_inetaddr_from_string(a, text);
}

static bool ident(const json_t *o, const char *k, struct weft_identity *id)
{
	const char *s = vec_str(o, k);
	return weft_identity_from_string(id, s, strlen(s), NULL) == WEFT_OK;
}

static void check_hello(const json_t *c, size_t i)
{
	struct weft_hello h = {0}, back;
	struct weft_identity recv;
	uint8_t key[48], pkt[WEFT_PACKET_MAX_LEN];
	size_t plen = 0, alen = 0, elen = 0, tail = 0;
	t_case("hello[%zu] %s", i, vec_str(c, "name"));
	const json_t *ver = json_object_get(c, "version");
	h.proto = (uint8_t)vec_int(c, "protocol_version");
	h.major = (uint8_t)json_integer_value(json_array_get(ver, 0));
	h.minor = (uint8_t)json_integer_value(json_array_get(ver, 1));
	h.revision = (uint16_t)json_integer_value(json_array_get(ver, 2));
	h.timestamp = (uint64_t)vec_int(c, "timestamp");
	T_CHECK(ident(c, "sender_public", &h.identity) && ident(c, "receiver_public", &recv));
	T_CHECK(endpoint(json_object_get(c, "physical_destination"), &h.dest));
	h.planet_id = vec_u64hex(c, "planet_world_id");
	h.planet_timestamp = (uint64_t)vec_int(c, "planet_world_timestamp");
	size_t mi;
	json_t *m;
	json_array_foreach (json_object_get(c, "moons"), mi, m) {
		h.moons[h.n_moons].type = (uint8_t)vec_int(m, "type");
		h.moons[h.n_moons].id = vec_u64hex(m, "id");
		h.moons[h.n_moons].timestamp = (uint64_t)vec_int(m, "timestamp");
		h.n_moons++;
	}
	T_CHECK(vec_hex_into(c, "key", key, 48));
	uint8_t *enc = vec_hex(c, "after_encrypting_portion", &elen);
	uint8_t *arm = vec_hex(c, "armored_packet", &alen);
	uint8_t *plain = vec_hex(c, "plaintext_packet", &plen);
	size_t n = weft_hello_encode(pkt, sizeof pkt, vec_u64hex(c, "packet_id"), recv.address, &h,
	                             key, &tail);
	T_CHECK(n == elen && tail == (size_t)vec_int(c, "encrypted_portion_offset"));
	if (n == elen)
		T_CHECK_MEM(pkt, enc, n);
	struct weft_cipher_key k;
	weft_cipher_key_init(&k, key);
	T_CHECK(weft_packet_arm(pkt, n, &k, WEFT_CIPHER_POLY1305_NONE) == WEFT_OK);
	if (n == alen)
		T_CHECK_MEM(pkt, arm, n);

	// receive side: MAC, head, key from the identity, tail
	memcpy(pkt, arm, alen);
	T_CHECK(weft_packet_disarm(pkt, alen, &k) == WEFT_OK);
	T_CHECK(weft_hello_decode_head(pkt, alen, &back, &tail) == WEFT_OK);
	T_CHECK(weft_identity_equal_public(&back.identity, &h.identity));
	T_CHECK(weft_inetaddr_equal(&back.dest, &h.dest));
	T_CHECK(back.has_planet && back.planet_id == h.planet_id &&
	        back.planet_timestamp == h.planet_timestamp);
	weft_hello_decode_tail(pkt, alen, tail, &back, key);
	T_CHECK(back.n_moons == h.n_moons);
	T_CHECK(!memcmp(back.moons, h.moons, sizeof h.moons[0] * h.n_moons));
	if (plen == alen)
		T_CHECK_MEM(pkt + 27, plain + 27, plen - 27);
	weft_cipher_key_clear(&k);
	free(enc);
	free(arm);
	free(plain);
}

static void check_ok(const json_t *j, const json_t *c, size_t i)
{
	struct weft_ok_hello ok = {0}, back;
	struct weft_identity sender, recv;
	uint8_t key[48], pkt[WEFT_PACKET_MAX_LEN];
	size_t plen = 0, alen = 0, wlen = 0;
	const json_t *f = json_object_get(c, "fields");
	const json_t *hello = json_array_get(json_object_get(j, "hello"),
	                                     (size_t)vec_int(c, "in_reply_to_hello_index"));
	t_case("ok_hello[%zu] %s", i, vec_str(c, "name"));
	T_CHECK(ident(c, "sender_secret", &sender) && ident(c, "receiver_public", &recv));
	T_CHECK(vec_hex_into(c, "key", key, 48));
	ok.in_re_id = vec_u64hex(f, "in_re_packet_id");
	T_CHECK(ok.in_re_id == vec_u64hex(hello, "packet_id"));
	ok.timestamp_echo = (uint64_t)vec_int(f, "timestamp_echo");
	ok.proto = (uint8_t)vec_int(f, "protocol_version");
	ok.major = (uint8_t)vec_int(f, "version_major");
	ok.minor = (uint8_t)vec_int(f, "version_minor");
	ok.revision = (uint16_t)vec_int(f, "version_revision");
	T_CHECK(endpoint(json_object_get(f, "observed_physical_address"), &ok.observed));
	uint8_t *worlds = vec_hex(f, "world_update", &wlen);
	ok.worlds = worlds;
	ok.worlds_len = wlen;
	T_CHECK(wlen == (size_t)vec_int(f, "world_update_length"));

	struct weft_packet_header hdr = {.id = vec_u64hex(c, "packet_id"),
	                                 .dest = recv.address,
	                                 .source = sender.address,
	                                 .verb = WEFT_VERB_OK};
	struct weft_wbuf w;
	weft_packet_header_encode(pkt, &hdr);
	wbuf_init(&w, pkt + WEFT_WIRE_IDX_PAYLOAD, sizeof pkt - WEFT_WIRE_IDX_PAYLOAD);
	weft_ok_hello_encode(&w, &ok);
	size_t n = WEFT_WIRE_IDX_PAYLOAD + w.len;
	uint8_t *plain = vec_hex(c, "plaintext_packet", &plen);
	uint8_t *arm = vec_hex(c, "armored_packet", &alen);
	T_CHECK(n == plen);
	if (n == plen)
		T_CHECK_MEM(pkt, plain, n);
	struct weft_cipher_key k;
	weft_cipher_key_init(&k, key);
	T_CHECK(weft_packet_arm(pkt, n, &k, (enum weft_cipher)vec_int(c, "cipher_suite")) ==
	        WEFT_OK);
	if (n == alen)
		T_CHECK_MEM(pkt, arm, n);

	memcpy(pkt, arm, alen);
	T_CHECK(weft_packet_disarm(pkt, alen, &k) == WEFT_OK);
	T_CHECK(weft_ok_hello_decode(pkt + WEFT_WIRE_IDX_PAYLOAD, alen - WEFT_WIRE_IDX_PAYLOAD,
	                             &back) == WEFT_OK);
	T_CHECK(back.in_re_id == ok.in_re_id && back.timestamp_echo == ok.timestamp_echo);
	T_CHECK(weft_inetaddr_equal(&back.observed, &ok.observed));
	T_CHECK(back.worlds_len == wlen);

	// does the HELLO's sender, holding its planet, adopt what the root sent?
	size_t sl = 0;
	uint8_t *sp = vec_hex(json_object_get(j, "worlds"), "sender_planet", &sl);
	struct weft_world held, upd;
	struct weft_rbuf r;
	rbuf_init(&r, sp, sl);
	T_CHECK(weft_world_decode(&held, &r) == WEFT_OK);
	bool adopts = false;
	rbuf_init(&r, back.worlds, back.worlds_len);
	while (rbuf_left(&r) && weft_world_decode(&upd, &r) == WEFT_OK)
		adopts = adopts || weft_world_should_replace(&held, &upd);
	T_CHECK(adopts == vec_bool(c, "receiver_adopts_world_update"));
	weft_cipher_key_clear(&k);
	weft_identity_clear(&sender);
	free(sp);
	free(worlds);
	free(plain);
	free(arm);
}

int main(void)
{
	t_init("vectors/hello");
	weft_crypto_init();
	json_t *j = vec_load("hello.json");
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(j, "hello"), i, c)
		check_hello(c, i);
	json_array_foreach (json_object_get(j, "ok_hello"), i, c)
		check_ok(j, c, i);
	json_decref(j);
	return t_done();
}
