// SPDX-License-Identifier: MPL-2.0
// armor.json: every suite's armored packets byte for byte, dearmoring, every tampered copy,
// and the fragmentation cases (split for sending, reassembled in any order).
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "fragment.h"
#include "packet.h"
#include "t.h"
#include "vec.h"

static void check_case(const json_t *c, unsigned suite, size_t i)
{
	uint8_t key[48], exp[WEFT_PACKET_MAX_LEN];
	size_t plen = 0, alen = 0, dlen = 0, paylen = 0;
	struct weft_cipher_key k;
	t_case("armor suite %u [%zu] %s", suite, i, vec_str(c, "name"));
	T_CHECK(vec_hex_into(c, "key", key, 48));
	weft_cipher_key_init(&k, key);
	uint8_t *plain = vec_hex(c, "plaintext_packet", &plen);
	uint8_t *armored = vec_hex(c, "armored_packet", &alen);
	uint8_t *dearmored = vec_hex(c, "dearmored_packet", &dlen);
	uint8_t *payload = vec_hex(c, "payload", &paylen);
	T_CHECK(plain && armored && dearmored && payload && plen == alen && dlen == alen);
	if (!plain || !armored || !dearmored || !payload || plen != alen || dlen != alen)
		goto done;

	// the plaintext packet is our header encoding of the given fields
	struct weft_packet_header h = {.id = vec_u64hex(c, "packet_id"),
	                               .dest = vec_u64hex(c, "destination"),
	                               .source = vec_u64hex(c, "source"),
	                               .flags = 0,
	                               .verb = (uint8_t)vec_int(c, "verb")};
	weft_packet_header_encode(exp, &h);
	memcpy(exp + WEFT_WIRE_IDX_PAYLOAD, payload, paylen);
	T_CHECK(WEFT_WIRE_IDX_PAYLOAD + paylen == plen);
	T_CHECK_MEM(exp, plain, plen);

	memcpy(exp, plain, plen);
	T_CHECK(weft_packet_arm(exp, plen, &k, (enum weft_cipher)suite) == WEFT_OK);
	T_CHECK_MEM(exp, armored, alen);

	memcpy(exp, armored, alen);
	bool ok = weft_packet_disarm(exp, alen, &k) == WEFT_OK;
	T_CHECK(ok == vec_bool(c, "dearmor_ok"));
	if (ok)
		T_CHECK_MEM(exp, dearmored, dlen);

	size_t ti;
	json_t *t;
	json_array_foreach (json_object_get(c, "tampered"), ti, t) {
		size_t tl = 0;
		uint8_t *tp = vec_hex(t, "packet", &tl);
		struct weft_cipher_key tk;
		uint8_t tkey[48];
		if (json_object_get(t, "key"))
			T_CHECK(vec_hex_into(t, "key", tkey, 48));
		else
			memcpy(tkey, key, 48);
		weft_cipher_key_init(&tk, tkey);
		T_CHECK(tp != NULL);
		if (tp) {
			memcpy(exp, tp, tl);
			bool tok = weft_packet_disarm(exp, tl, &tk) == WEFT_OK;
			T_CHECK_MSG(tok == vec_bool(t, "dearmor_ok"), "tampered '%s': got %d",
			            vec_str(t, "name"), tok);
			if (!tok)
				T_CHECK_MSG(!memcmp(exp, tp, tl), "rejected packet was modified");
		}
		weft_cipher_key_clear(&tk);
		free(tp);
	}
done:
	weft_cipher_key_clear(&k);
	free(plain);
	free(armored);
	free(dearmored);
	free(payload);
}

static void reassemble(struct weft_defrag *d, uint8_t **dg, size_t *dl, size_t n,
                       const size_t *order, const uint8_t *exp, size_t explen)
{
	uint8_t out[WEFT_PACKET_MAX_LEN];
	size_t outlen = 0;
	enum weft_defrag_status st = WEFT_DEFRAG_DROPPED;
	for (size_t i = 0; i < n; i++) {
		size_t j = order[i];
		if (j == 0)
			st = weft_defrag_head(d, dg[j], dl[j], 1000, out, &outlen);
		else
			st = weft_defrag_fragment(d, dg[j], dl[j], 1000, out, &outlen);
		T_CHECK(st == (i + 1 == n ? WEFT_DEFRAG_COMPLETE : WEFT_DEFRAG_PENDING));
	}
	T_CHECK(st == WEFT_DEFRAG_COMPLETE && outlen == explen);
	if (st == WEFT_DEFRAG_COMPLETE && outlen == explen)
		T_CHECK_MEM(out, exp, explen);
}

static void check_fragmentation(const json_t *c, size_t i, struct weft_defrag *d)
{
	uint8_t key[48];
	size_t plen = 0, flen = 0, rlen = 0;
	struct weft_cipher_key k;
	t_case("fragmentation[%zu] %s", i, vec_str(c, "name"));
	T_CHECK(vec_hex_into(c, "key", key, 48));
	weft_cipher_key_init(&k, key);
	unsigned suite = (unsigned)vec_int(c, "cipher_suite");
	size_t mtu = (size_t)vec_int(c, "physical_mtu");
	uint8_t *plain = vec_hex(c, "plaintext_packet", &plen);
	uint8_t *flagged = vec_hex(c, "plaintext_packet_with_fragmented_flag", &flen);
	uint8_t *whole = vec_hex(c, "reassembled_armored_packet", &rlen);
	json_t *wire = json_object_get(c, "wire_datagrams");
	size_t n = json_array_size(wire);
	T_CHECK(plain && flagged && whole && plen == flen && plen == rlen && n >= 2);
	if (!plain || !flagged || !whole || plen != flen || plen != rlen || n < 2 || n > 16)
		goto done;

	uint8_t *pkt = malloc(plen);
	memcpy(pkt, plain, plen);
	unsigned count = weft_fragment_count(plen, mtu);
	T_CHECK(count == n);
	weft_packet_set_fragmented(pkt, count > 1);
	T_CHECK_MEM(pkt, flagged, plen);
	T_CHECK(weft_packet_arm(pkt, plen, &k, (enum weft_cipher)suite) == WEFT_OK);
	T_CHECK_MEM(pkt, whole, plen);

	uint8_t *dg[16];
	size_t dl[16], order[16];
	for (size_t j = 0; j < n; j++) {
		uint8_t buf[WEFT_PHYSMTU_MAX];
		const char *hex = json_string_value(json_array_get(wire, j));
		dg[j] = t_unhex(hex ? hex : "", &dl[j]);
		size_t got = weft_fragment_encode(pkt, plen, mtu, (unsigned)j, buf, sizeof buf);
		T_CHECK(got == dl[j]);
		if (got == dl[j])
			T_CHECK_MEM(buf, dg[j], got);
	}
	for (size_t j = 0; j < n; j++) // in order
		order[j] = j;
	reassemble(d, dg, dl, n, order, whole, plen);
	for (size_t j = 0; j < n; j++) // head last
		order[j] = n - 1 - j;
	reassemble(d, dg, dl, n, order, whole, plen);

	uint8_t *back = malloc(plen);
	memcpy(back, whole, plen);
	T_CHECK(weft_packet_disarm(back, plen, &k) == WEFT_OK);
	// the receiver sees the plaintext with flags and header as received (suite 3 rewrote the
	// packet ID and MAC), so compare the payload region
	T_CHECK_MEM(back + WEFT_WIRE_IDX_VERB, plain + WEFT_WIRE_IDX_VERB,
	            plen - WEFT_WIRE_IDX_VERB);
	for (size_t j = 0; j < n; j++)
		free(dg[j]);
	free(back);
	free(pkt);
done:
	weft_cipher_key_clear(&k);
	free(plain);
	free(flagged);
	free(whole);
}

int main(void)
{
	t_init("vectors/armor");
	weft_crypto_init();
	json_t *j = vec_load("armor.json");
	size_t i, si;
	json_t *c, *s;
	json_array_foreach (json_object_get(j, "suites"), si, s) {
		unsigned suite = (unsigned)vec_int(s, "cipher_suite");
		json_array_foreach (json_object_get(s, "cases"), i, c)
			check_case(c, suite, i);
	}
	struct weft_defrag *d = malloc(sizeof *d);
	weft_defrag_init(d);
	json_array_foreach (json_object_get(j, "fragmentation"), i, c)
		check_fragmentation(c, i, d);
	free(d);
	json_decref(j);
	return t_done();
}
