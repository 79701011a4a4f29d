// SPDX-License-Identifier: MPL-2.0
// Packet crypto and identity costs (vl1.md §1.2, §4.2, §4.3): weft_packet_arm + disarm per
// cipher suite and payload size, beside the same cryptographic work done with bare libsodium
// (suites 0, 1) or OpenSSL EVP (suite 3) calls — the ceiling — and their ratio; then identity
// generation and address derivation times. Aim: arm/disarm at 90% or more of the ceiling.
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crypto.h"
#include "identity.h"
#include "limits.h"
#include "packet.h"
#include "random.h"

#define RUN_SECONDS       0.2 // one timed run; each figure is the best of RUNS
#define RUNS              3
#define CALIBRATE_SECONDS 0.02
#define ID_SAMPLES        10
#define MAX_PAYLOAD       1400

static const size_t sizes[] = {64, 512, 1400};

// OpenSSL contexts keyed once, as weft keeps them per peer (cipher.h).
struct aes_ceiling {
	EVP_CIPHER_CTX *gcm; // AES-256-GCM, 12-byte IV
	EVP_CIPHER_CTX *ecb_enc;
	EVP_CIPHER_CTX *ecb_dec;
	EVP_CIPHER_CTX *ctr;
};

struct bench {
	enum weft_cipher suite;
	size_t plen; // payload bytes after the verb byte
	uint8_t pkt[WEFT_PACKET_MIN_LEN + MAX_PAYLOAD];
	struct weft_cipher_key key;
	struct aes_ceiling aes;
	unsigned failures; // any non-OK result makes the run invalid
};

typedef void (*work_fn)(struct bench *b, size_t iters);

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// One unit of work: the packet armed, then disarmed (which also decrypts it back).
static void weft_work(struct bench *b, size_t iters)
{
	size_t len = WEFT_PACKET_MIN_LEN + b->plen;
	for (size_t i = 0; i < iters; i++) {
		b->pkt[WEFT_WIRE_IDX_FLAGS] = 0; // hops 0, unfragmented; arm sets the suite bits
		if (weft_packet_arm(b->pkt, len, &b->key, b->suite) != WEFT_OK ||
		    weft_packet_disarm(b->pkt, len, &b->key) != WEFT_OK)
			b->failures++;
	}
}

// Suites 0 and 1 as bare libsodium calls: per direction a 32-byte Salsa20/12 keystream for
// the Poly1305 key, Poly1305 over verb+payload, and (suite 1) Salsa20/12 XOR over them.
static void salsa_ceiling(struct bench *b, size_t iters)
{
	uint8_t *t = b->pkt + WEFT_WIRE_IDX_VERB;
	unsigned long long tlen = b->plen + 1;
	const uint8_t *nonce = b->pkt, *k = b->key.key;
	bool enc = b->suite == WEFT_CIPHER_POLY1305_SALSA2012;
	uint8_t poly_key[32], tag[16];
	for (size_t i = 0; i < iters; i++) {
		crypto_stream_salsa2012(poly_key, sizeof poly_key, nonce, k);
		if (enc)
			crypto_stream_salsa2012_xor(t, t, tlen, nonce, k);
		crypto_onetimeauth_poly1305(tag, t, tlen, poly_key);

		crypto_stream_salsa2012(poly_key, sizeof poly_key, nonce, k);
		crypto_onetimeauth_poly1305(tag, t, tlen, poly_key);
		if (enc)
			crypto_stream_salsa2012_xor(t, t, tlen, nonce, k);
	}
}

// GMAC = GCM tag of an empty plaintext. The AAD is pkt[11..len): 16 bytes standing in for
// the address/flags/padding block, then verb+payload, contiguous so one update covers both.
static bool gmac(EVP_CIPHER_CTX *g, const uint8_t *pkt, size_t len, uint8_t tag[16])
{
	static const uint8_t iv[12];
	int outl = 0;
	return EVP_EncryptInit_ex(g, NULL, NULL, NULL, iv) == 1 &&
	       EVP_EncryptUpdate(g, NULL, &outl, pkt + 11, (int)(len - 11)) == 1 &&
	       EVP_EncryptFinal_ex(g, tag, &outl) == 1 &&
	       EVP_CIPHER_CTX_ctrl(g, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
}

static bool aes_block(EVP_CIPHER_CTX *c, const uint8_t in[16], uint8_t out[16])
{
	int outl = 0;
	return EVP_CipherUpdate(c, out, &outl, in, 16) == 1;
}

static bool ctr(EVP_CIPHER_CTX *c, const uint8_t iv[16], uint8_t *p, size_t n)
{
	int outl = 0;
	return EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) == 1 &&
	       EVP_EncryptUpdate(c, p, &outl, p, (int)n) == 1;
}

// Suite 3 as bare OpenSSL calls: per direction one GMAC, one AES block, one CTR pass.
static bool aes_arm(struct aes_ceiling *a, uint8_t *pkt, size_t len)
{
	uint8_t tag[16], siv[16];
	return gmac(a->gcm, pkt, len, tag) && aes_block(a->ecb_enc, tag, siv) &&
	       ctr(a->ctr, siv, pkt + WEFT_WIRE_IDX_VERB, len - WEFT_WIRE_IDX_VERB);
}

static bool aes_disarm(struct aes_ceiling *a, uint8_t *pkt, size_t len)
{
	uint8_t siv[16] = {0}, x[16], tag[16];
	return ctr(a->ctr, siv, pkt + WEFT_WIRE_IDX_VERB, len - WEFT_WIRE_IDX_VERB) &&
	       aes_block(a->ecb_dec, siv, x) && gmac(a->gcm, pkt, len, tag);
}

static void aes_ceiling(struct bench *b, size_t iters)
{
	size_t len = WEFT_PACKET_MIN_LEN + b->plen;
	for (size_t i = 0; i < iters; i++) {
		if (!aes_arm(&b->aes, b->pkt, len) || !aes_disarm(&b->aes, b->pkt, len))
			b->failures++;
	}
}

static double time_iters(work_fn f, struct bench *b, size_t iters)
{
	double t0 = now_s();
	f(b, iters);
	return now_s() - t0;
}

// Iterations that take about RUN_SECONDS, found by doubling a short run.
static size_t calibrate(work_fn f, struct bench *b)
{
	size_t n = 16;
	for (;;) {
		double t = time_iters(f, b, n);
		if (t >= CALIBRATE_SECONDS)
			return (size_t)((double)n * RUN_SECONDS / t) + 1;
		n *= 2;
	}
}

// Best-of-RUNS MB/s (payload bytes per arm+disarm pair, 10^6 B/s) of weft and of its
// ceiling; the runs alternate so drift in machine load hits both alike.
static void compare(struct bench *b, work_fn ceiling, double *weft_mbs, double *ceil_mbs)
{
	size_t nw = calibrate(weft_work, b), nc = calibrate(ceiling, b);
	double bw = 1e30, bc = 1e30;
	for (int r = 0; r < RUNS; r++) {
		double tw = time_iters(weft_work, b, nw);
		double tc = time_iters(ceiling, b, nc);
		bw = tw < bw ? tw : bw;
		bc = tc < bc ? tc : bc;
	}
	*weft_mbs = (double)b->plen * (double)nw / bw / 1e6;
	*ceil_mbs = (double)b->plen * (double)nc / bc / 1e6;
}

static EVP_CIPHER_CTX *keyed(const EVP_CIPHER *c, const uint8_t key[32], int enc)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	if (!x || EVP_CipherInit_ex(x, c, NULL, key, NULL, enc) != 1) {
		fprintf(stderr, "crypto: OpenSSL context setup failed\n");
		exit(1);
	}
	EVP_CIPHER_CTX_set_padding(x, 0);
	return x;
}

static void bench_init(struct bench *b)
{
	uint8_t key[WEFT_CIPHER_KEY_LEN];
	struct weft_packet_header h = {.dest = 0x1122334455, .source = 0x6677889900, .verb = 6};
	memset(b, 0, sizeof *b);
	randombytes_buf(key, sizeof key);
	randombytes_buf(&h.id, sizeof h.id);
	weft_cipher_key_init(&b->key, key);
	randombytes_buf(b->pkt, sizeof b->pkt);
	weft_packet_header_encode(b->pkt, &h);
	b->aes.gcm = keyed(EVP_aes_256_gcm(), key, 1);
	b->aes.ecb_enc = keyed(EVP_aes_256_ecb(), key + 16, 1);
	b->aes.ecb_dec = keyed(EVP_aes_256_ecb(), key + 16, 0);
	b->aes.ctr = keyed(EVP_aes_256_ctr(), key + 16, 1);
	if (EVP_CIPHER_CTX_ctrl(b->aes.gcm, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1)
		exit(1);
	sodium_memzero(key, sizeof key);
}

static void bench_clear(struct bench *b)
{
	EVP_CIPHER_CTX_free(b->aes.gcm);
	EVP_CIPHER_CTX_free(b->aes.ecb_enc);
	EVP_CIPHER_CTX_free(b->aes.ecb_dec);
	EVP_CIPHER_CTX_free(b->aes.ctr);
	weft_cipher_key_clear(&b->key);
}

static void bench_suite(struct bench *b, enum weft_cipher suite, const char *name)
{
	work_fn ceiling = suite == WEFT_CIPHER_AES_GMAC_SIV ? aes_ceiling : salsa_ceiling;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		double w, c;
		b->suite = suite;
		b->plen = sizes[i];
		compare(b, ceiling, &w, &c);
		if (b->failures) {
			fprintf(stderr, "crypto: suite %u: %u failed calls\n", (unsigned)suite,
			        b->failures);
			exit(1);
		}
		printf("%u %-19s %5zu %10.1f %13.1f %7.1f%%\n", (unsigned)suite, name, sizes[i], w,
		       c, 100.0 * w / c);
		fflush(stdout);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

// Sorts ms[0..ID_SAMPLES) and prints median (mean of the middle two), min and max.
static void print_times(const char *what, double ms[ID_SAMPLES])
{
	qsort(ms, ID_SAMPLES, sizeof ms[0], cmp_double);
	printf("%-44s median %8.1f ms   min %8.1f ms   max %8.1f ms\n", what,
	       (ms[ID_SAMPLES / 2 - 1] + ms[ID_SAMPLES / 2]) / 2, ms[0], ms[ID_SAMPLES - 1]);
}

static void bench_identity(void)
{
	double gen[ID_SAMPLES], hash[ID_SAMPLES];
	struct weft_identity id;
	uint8_t digest[WEFT_IDENTITY_DIGEST_LEN];
	uint8_t *scratch = malloc(WEFT_IDENTITY_HASH_MEMORY);
	if (!scratch)
		exit(1);
	for (int i = 0; i < ID_SAMPLES; i++) {
		double t0 = now_s();
		if (weft_identity_generate(&id, weft_os_random, NULL) != WEFT_OK)
			exit(1);
		gen[i] = (now_s() - t0) * 1e3;
	}
	for (int i = 0; i < ID_SAMPLES; i++) {
		double t0 = now_s();
		if (weft_identity_hash(id.pub, digest, scratch) != WEFT_OK)
			exit(1);
		hash[i] = (now_s() - t0) * 1e3;
	}
	print_times("identity generation (10 identities)", gen);
	print_times("address derivation (hash, 2 MiB scratch)", hash);
	weft_identity_clear(&id);
	free(scratch);
}

int main(void)
{
	static struct bench b;
	if (weft_crypto_init() != WEFT_OK)
		return 1;
	printf("arm+disarm: MB/s = payload bytes of one packet armed then disarmed, per second\n"
	       "(10^6 B/s; the packet is 28 header bytes + payload). ceiling = the same crypto\n"
	       "as bare libsodium (suites 0, 1) or OpenSSL EVP (suite 3) calls. Best of %d.\n\n",
	       RUNS);
	printf("suite                  size  weft MB/s  ceiling MB/s    ratio\n");
	bench_init(&b);
	bench_suite(&b, WEFT_CIPHER_POLY1305_SALSA2012, "salsa2012+poly1305");
	bench_suite(&b, WEFT_CIPHER_POLY1305_NONE, "poly1305");
	bench_suite(&b, WEFT_CIPHER_AES_GMAC_SIV, "aes-gmac-siv");
	bench_clear(&b);
	printf("\n");
	bench_identity();
	return 0;
}
