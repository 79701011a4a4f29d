// SPDX-License-Identifier: MPL-2.0
// `weft idtool` world commands: initmoon/genmoon with the messages of ZeroTier's identity tool
// (service.md §3.3), and initplanet/genplanet for private planets (vl1.md §7.7). A JSON
// template names the roots and a signing key pair; gen* turns it into a signed world file.
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "fs.h"
#include "hex.h"
#include "identity.h"
#include "random.h"
#include "world.h"

#define MAX_JSON_FILE (1u << 20)
#define KEY_HEX_LEN   (2 * WEFT_IDENTITY_KEY_LEN)

// Same layout as identity keys: X25519 public ‖ Ed25519 public, X25519 secret ‖ Ed25519 seed.
struct signing_pair {
	uint8_t pub[WEFT_IDENTITY_KEY_LEN];
	uint8_t sec[WEFT_IDENTITY_KEY_LEN];
};

__attribute__((format(printf, 1, 2))) static bool fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

// A literal identity (longer than 32 chars, ':' at index 10) or a file holding one; it must
// pass full validation. Only the public half is kept.
static bool identity_arg(const char *arg, struct weft_identity *id)
{
	size_t len = strlen(arg);
	char *text = NULL;
	if (len <= 32 || arg[10] != ':') {
		text = weft_fs_read(arg, 4096, &len);
		if (!text)
			return false;
		while (len && strchr("\r\n\t ", text[len - 1]))
			len--;
		arg = text;
	}
	bool ok = weft_identity_from_string(id, arg, len, NULL) == WEFT_OK &&
	          weft_identity_validate(id) == WEFT_OK;
	if (text) {
		sodium_memzero(text, len);
		free(text);
	}
	id->has_secret = false;
	sodium_memzero(id->sec, sizeof id->sec);
	return ok;
}

// A world signing key needs no proof of work: 64 random bytes and the public keys they give.
static void new_signing_pair(struct signing_pair *k)
{
	uint8_t ed_sk[crypto_sign_SECRETKEYBYTES];
	weft_os_random(NULL, k->sec, sizeof k->sec);
	crypto_scalarmult_base(k->pub, k->sec);
	crypto_sign_seed_keypair(k->pub + 32, ed_sk, k->sec + 32);
	sodium_memzero(ed_sk, sizeof ed_sk);
}

static json_t *template_roots(const struct weft_identity *roots, unsigned n)
{
	json_t *a = json_array();
	for (unsigned i = 0; a && i < n; i++) {
		char s[WEFT_IDENTITY_STR_PUBLIC_LEN + 1];
		weft_identity_to_string(&roots[i], false, s, sizeof s);
		json_t *r = json_pack("{s:s, s:[]}", "identity", s, "stableEndpoints");
		if (!r || json_array_append_new(a, r) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

// Prints the template: 1-space indent, sorted keys, trailing newline (service.md §3.3).
static int print_template(const char *id_text, const char *world_type,
                          const struct weft_identity *roots, unsigned n)
{
	struct signing_pair k;
	char pub[KEY_HEX_LEN + 1], sec[KEY_HEX_LEN + 1];
	new_signing_pair(&k);
	weft_hex_encode(pub, k.pub, sizeof k.pub);
	weft_hex_encode(sec, k.sec, sizeof k.sec);
	sodium_memzero(&k, sizeof k);
	json_t *o =
	    json_pack("{s:s, s:s, s:o*, s:s, s:s, s:s, s:s}", "id", id_text, "objtype", "world",
	              "roots", template_roots(roots, n), "signingKey", pub, "signingKey_SECRET",
	              sec, "updatesMustBeSignedBy", pub, "worldType", world_type);
	sodium_memzero(sec, sizeof sec);
	char *text = o ? json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (!text) {
		fail("out of memory");
		return 1;
	}
	printf("%s\n", text);
	sodium_memzero(text, strlen(text));
	free(text);
	return 0;
}

int weft_cli_idtool_initmoon(int argc, char **argv)
{
	struct weft_identity id;
	char id_text[17];
	(void)argc;
	if (!identity_arg(argv[1], &id)) {
		fail("%s is not a valid identity", argv[1]);
		return 1;
	}
	// The conventional moon ID is the seed's 40-bit address (vl1.md §7.5).
	snprintf(id_text, sizeof id_text, "%010llx", (unsigned long long)id.address);
	return print_template(id_text, "moon", &id, 1);
}

int weft_cli_idtool_initplanet(int argc, char **argv)
{
	struct weft_identity ids[WEFT_WORLD_MAX_ROOTS];
	unsigned n = (unsigned)argc - 1;
	uint64_t wid = 0;
	char id_text[17];
	if (n > WEFT_WORLD_MAX_ROOTS) {
		fail("a planet has at most %d roots (%u given)", WEFT_WORLD_MAX_ROOTS, n);
		return 1;
	}
	for (unsigned i = 0; i < n; i++) {
		bool ok = identity_arg(argv[i + 1], &ids[i]);
		if (!ok)
			fail("%s is not a valid identity", argv[i + 1]);
		for (unsigned j = 0; ok && j < i; j++)
			if (ids[j].address == ids[i].address)
				ok = fail("%s: root %010llx is given twice", argv[i + 1],
				          (unsigned long long)ids[i].address);
		if (!ok)
			return 1;
	}
	// Any 64-bit ID but zero (no world) and the public Earth's (vl1.md §7.7 step 2).
	while (wid == 0 || wid == WEFT_WORLD_ID_EARTH)
		weft_os_random(NULL, &wid, sizeof wid);
	snprintf(id_text, sizeof id_text, "%016llx", (unsigned long long)wid);
	return print_template(id_text, "planet", ids, n);
}

// ---- genmoon / genplanet: JSON in, signed world out ----------------------------------------

static bool parse_id(json_t *o, const char *path, uint64_t *id)
{
	const char *s = json_string_value(json_object_get(o, "id"));
	if (!s || !weft_hex_u64(id, s, strlen(s)) || *id == 0)
		return fail("ID in %s is invalid", path);
	return true;
}

// "ip/port" with a non-zero port; a bare IP is not a usable endpoint.
static bool parse_endpoint(json_t *j, struct weft_inetaddr *a, const char *path, size_t i, size_t e)
{
	const char *s = json_string_value(j);
	if (!s || !strchr(s, '/') || !weft_inetaddr_from_string(a, s) || a->port == 0)
		return fail("%s: roots[%zu].stableEndpoints[%zu] %s%s%s is not ip/port", path, i, e,
		            s ? "\"" : "", s ? s : "(not a string)", s ? "\"" : "");
	return true;
}

static bool parse_root(json_t *j, struct weft_world_root *root, const char *path, size_t i)
{
	const char *why = "not a string";
	const char *s = json_string_value(json_object_get(j, "identity"));
	if (!json_is_object(j))
		return fail("%s: roots[%zu] is not an object", path, i);
	if (s && weft_identity_from_string(&root->identity, s, strlen(s), &why) == WEFT_OK)
		why =
		    weft_identity_validate(&root->identity) == WEFT_OK ? NULL : "fails validation";
	if (why)
		return fail("%s: roots[%zu].identity is not a valid identity (%s)", path, i, why);
	root->identity.has_secret = false; // a world carries public identities only
	sodium_memzero(root->identity.sec, sizeof root->identity.sec);
	json_t *eps = json_object_get(j, "stableEndpoints");
	if (eps && !json_is_array(eps))
		return fail("%s: roots[%zu].stableEndpoints is not an array", path, i);
	size_t n = json_array_size(eps);
	if (n > WEFT_WORLD_MAX_ENDPOINTS)
		return fail("%s: roots[%zu] has %zu stableEndpoints (at most %d)", path, i, n,
		            WEFT_WORLD_MAX_ENDPOINTS);
	root->n_endpoints = (unsigned)n;
	for (size_t e = 0; e < n; e++) {
		if (!parse_endpoint(json_array_get(eps, e), &root->endpoints[e], path, i, e))
			return false;
		for (size_t k = 0; k < e; k++)
			if (weft_inetaddr_equal(&root->endpoints[k], &root->endpoints[e]))
				return fail("%s: roots[%zu].stableEndpoints[%zu] repeats [%zu]",
				            path, i, e, k);
	}
	return true;
}

static bool parse_roots(json_t *o, struct weft_world *w, const char *path)
{
	json_t *roots = json_object_get(o, "roots");
	size_t n = json_array_size(roots);
	if (!json_is_array(roots) || n == 0 || n > WEFT_WORLD_MAX_ROOTS)
		return fail("%s: roots must be an array of 1 to %d roots", path,
		            WEFT_WORLD_MAX_ROOTS);
	w->n_roots = (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		if (!parse_root(json_array_get(roots, i), &w->roots[i], path, i))
			return false;
		for (size_t k = 0; k < i; k++)
			if (w->roots[k].identity.address == w->roots[i].identity.address)
				return fail("%s: roots[%zu] repeats the identity of roots[%zu]",
				            path, i, k);
	}
	return true;
}

// Endpoints sort by their wire form (type byte, IP bytes, port, all big-endian): IPv4 before
// IPv6, then by address, then by port. Zero padding keeps the shorter IPv4 form comparable.
static int cmp_endpoint(const void *a, const void *b)
{
	uint8_t x[32] = {0}, y[32] = {0};
	struct weft_wbuf wx, wy;
	wbuf_init(&wx, x, sizeof x);
	wbuf_init(&wy, y, sizeof y);
	weft_inetaddr_encode(a, &wx);
	weft_inetaddr_encode(b, &wy);
	return memcmp(x, y, sizeof x);
}

// Roots sort by identity: 40-bit address, then public key bytes (addresses are unique here).
static int cmp_root(const void *a, const void *b)
{
	const struct weft_identity *x = &((const struct weft_world_root *)a)->identity;
	const struct weft_identity *y = &((const struct weft_world_root *)b)->identity;
	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	return memcmp(x->pub, y->pub, sizeof x->pub);
}

static void sort_world(struct weft_world *w)
{
	for (unsigned i = 0; i < w->n_roots; i++)
		qsort(w->roots[i].endpoints, w->roots[i].n_endpoints,
		      sizeof w->roots[i].endpoints[0], cmp_endpoint);
	qsort(w->roots, w->n_roots, sizeof w->roots[0], cmp_root);
}

// WEFT_OK, WEFT_ERR_NOT_FOUND (absent), or WEFT_ERR_INVALID (present but not 128 hex digits).
static enum weft_result get_key(json_t *o, const char *name, uint8_t key[WEFT_IDENTITY_KEY_LEN],
                                const char *path)
{
	json_t *j = json_object_get(o, name);
	const char *s = json_string_value(j);
	if (!j)
		return WEFT_ERR_NOT_FOUND;
	if (!s || !weft_hex_decode(key, WEFT_IDENTITY_KEY_LEN, s, strlen(s))) {
		fail("%s: %s must be %d hex digits", path, name, KEY_HEX_LEN);
		return WEFT_ERR_INVALID;
	}
	return WEFT_OK;
}

// Reads `name` and `name`_SECRET as a pair whose secret derives its public key.
static enum weft_result get_pair(json_t *o, const char *name, struct signing_pair *k,
                                 const char *path)
{
	char sname[64];
	snprintf(sname, sizeof sname, "%s_SECRET", name);
	enum weft_result rp = get_key(o, name, k->pub, path);
	enum weft_result rs = get_key(o, sname, k->sec, path);
	if (rp == WEFT_ERR_INVALID || rs == WEFT_ERR_INVALID)
		return WEFT_ERR_INVALID;
	if (rp != rs) {
		fail("%s: %s and %s must both be given", path, name, sname);
		return WEFT_ERR_INVALID;
	}
	if (rp == WEFT_ERR_NOT_FOUND)
		return WEFT_ERR_NOT_FOUND;
	struct weft_identity t = {.has_secret = true};
	memcpy(t.pub, k->pub, sizeof t.pub);
	memcpy(t.sec, k->sec, sizeof t.sec);
	bool match = weft_identity_secret_matches(&t);
	weft_identity_clear(&t);
	if (!match) {
		fail("%s: %s does not match %s", path, sname, name);
		return WEFT_ERR_INVALID;
	}
	return WEFT_OK;
}

// The signer and the next signer (vl1.md §7.2, §7.7). Normally the pair signingKey signs and
// updatesMustBeSignedBy names the next signer. With previousSigningKey the previous pair signs
// and signingKey (the current key) becomes the next signer: a key rotation.
static bool parse_keys(json_t *o, struct weft_world *w, struct signing_pair *signer,
                       const char *path)
{
	struct signing_pair cur;
	bool ok = false;
	enum weft_result rc = get_pair(o, "signingKey", &cur, path);
	enum weft_result ru = get_key(o, "updatesMustBeSignedBy", w->update_key, path);
	enum weft_result rp = get_pair(o, "previousSigningKey", signer, path);
	if (rc == WEFT_ERR_NOT_FOUND)
		fail("%s: signingKey and signingKey_SECRET are missing", path);
	if (rc != WEFT_OK || ru == WEFT_ERR_INVALID || rp == WEFT_ERR_INVALID)
		goto out;
	if (rp == WEFT_OK) {
		if (ru == WEFT_OK && memcmp(w->update_key, cur.pub, sizeof cur.pub) != 0) {
			fail("%s: with previousSigningKey, updatesMustBeSignedBy must equal "
			     "signingKey (the key that signs the next revision)",
			     path);
			goto out;
		}
		memcpy(w->update_key, cur.pub, sizeof cur.pub);
	} else if (ru == WEFT_ERR_NOT_FOUND) {
		fail("%s: updatesMustBeSignedBy is missing", path);
		goto out;
	} else {
		*signer = cur;
	}
	ok = true;
out:
	sodium_memzero(&cur, sizeof cur);
	return ok;
}

static bool parse_world(json_t *o, struct weft_world *w, struct signing_pair *signer,
                        const char *path)
{
	const char *type = json_string_value(json_object_get(o, "worldType"));
	memset(w, 0, sizeof *w);
	if (!json_is_object(o))
		return fail("%s: not a JSON object", path);
	if (!parse_id(o, path, &w->id))
		return false;
	if (type && !strcmp(type, "moon"))
		w->type = WEFT_WORLD_MOON;
	else if (type && !strcmp(type, "planet"))
		w->type = WEFT_WORLD_PLANET;
	else
		return fail("invalid worldType");
	if (!parse_roots(o, w, path) || !parse_keys(o, w, signer, path))
		return false;
	sort_world(w);
	return true;
}

// Reads and checks the whole file before anything is built or written.
static bool read_world_json(const char *path, struct weft_world *w, struct signing_pair *signer)
{
	size_t len;
	json_error_t err;
	char *text = weft_fs_read(path, MAX_JSON_FILE, &len);
	if (!text)
		return fail("cannot read %s", path);
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	sodium_memzero(text, len);
	free(text);
	if (!o)
		return fail("%s: invalid JSON at line %d: %s", path, err.line, err.text);
	bool ok = parse_world(o, w, signer, path);
	json_decref(o);
	return ok;
}

// Wall-clock milliseconds: the revision stamp of a generated world (service.md §3.3).
static uint64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

// Stamps, signs and serializes; then checks the bytes re-parse to the same world and verify.
static bool seal_world(struct weft_world *w, const struct signing_pair *signer, uint8_t *out,
                       size_t cap, size_t *len, const char *path)
{
	struct weft_world back;
	uint8_t again[WEFT_WORLD_MAX_LEN];
	struct weft_wbuf wb, wa;
	struct weft_rbuf r;
	w->timestamp = wall_ms();
	if (weft_world_sign(w, signer->pub, signer->sec) != WEFT_OK)
		return fail("%s: signing the world failed", path);
	wbuf_init(&wb, out, cap);
	weft_world_encode(w, &wb);
	if (wb.bad)
		return fail("%s: the world is larger than %d bytes", path, WEFT_WORLD_MAX_LEN);
	rbuf_init(&r, out, wb.len);
	bool ok = weft_world_decode(&back, &r) == WEFT_OK && r.pos == wb.len;
	wbuf_init(&wa, again, sizeof again);
	if (ok)
		weft_world_encode(&back, &wa);
	ok = ok && !wa.bad && wa.len == wb.len && memcmp(again, out, wb.len) == 0 &&
	     weft_world_verify(&back, signer->pub);
	if (!ok)
		return fail("%s: internal error: the signed world does not re-parse or verify",
		            path);
	*len = wb.len;
	return true;
}

// want_type 0 takes the type from the JSON; out_path NULL means "<16-hex id>.moon".
static int generate(const char *path, const char *out_path, uint8_t want_type)
{
	struct weft_world w;
	struct signing_pair signer;
	uint8_t bytes[WEFT_WORLD_MAX_LEN];
	char name[32];
	size_t len = 0;
	int rc = 1;
	if (!read_world_json(path, &w, &signer))
		goto out;
	if (want_type && w.type != want_type) {
		fail("%s: worldType must be \"planet\" for genplanet (use genmoon for moons)",
		     path);
		goto out;
	}
	if (!seal_world(&w, &signer, bytes, sizeof bytes, &len, path))
		goto out;
	if (!out_path) {
		snprintf(name, sizeof name, "%016llx.moon", (unsigned long long)w.id);
		out_path = name;
	}
	int err = weft_fs_write_atomic(out_path, bytes, len, 0644);
	if (err != 0) {
		fail("cannot write %s: %s", out_path, strerror(-err));
		goto out;
	}
	printf("wrote %s (signed world with timestamp %llu)\n", out_path,
	       (unsigned long long)w.timestamp);
	rc = 0;
out:
	sodium_memzero(&signer, sizeof signer);
	return rc;
}

int weft_cli_idtool_genmoon(int argc, char **argv)
{
	(void)argc;
	return generate(argv[1], NULL, 0);
}

int weft_cli_idtool_genplanet(int argc, char **argv)
{
	return generate(argv[1], argc >= 3 ? argv[2] : "planet", WEFT_WORLD_PLANET);
}
