// SPDX-License-Identifier: MPL-2.0
// The embedded controller at scale (vl2.md §9, service.md §2.7): config requests answered per
// second for one private network of 10,000 members, served in process from the file store —
// the first sweep (IPs assigned, every member saved) and steady sweeps (nothing saved) — beside
// the ceiling set by signing alone (4 signatures per config) and their ratio; then the start-up
// time to load the 10,000 member documents, and the cost of creating them through the API.
#include <ftw.h>
#include <sodium.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "controller.h"
#include "crypto.h"
#include "dict.h"
#include "identity.h"
#include "random.h"

#define N_MEMBERS       10000
#define POOL            16 // real identities; the other members reuse their public keys
#define STEADY_SWEEPS   3
#define LOAD_RUNS       3   // start-up figure: their median
#define SIGN_SECONDS    0.2 // one timed signing run; the figure is the best of SIGN_RUNS
#define SIGN_RUNS       3
#define SIGN_MSG_LEN    300             // about a COM, tag or capability as signed
#define SIGS_PER_CONFIG 4               // COM, COO, one tag, one capability (checked in each phase)
#define T0_MS           1764000000000LL // the virtual clock's start
#define SWEEP_STEP_MS   1001            // past the controller's one-request-per-second limit
#define MAX_LOGS        5               // controller log lines shown; the rest only counted

static const char network_body[] =
    "{\"private\":true,\"v4AssignMode\":{\"zt\":true},"
    "\"v6AssignMode\":{\"rfc4193\":true,\"6plane\":true},"
    "\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.0.0.1\",\"ipRangeEnd\":\"10.0.255.254\"}],"
    "\"routes\":[{\"target\":\"10.0.0.0/16\",\"via\":null}],"
    "\"rules\":[{\"type\":\"ACTION_ACCEPT\"}],\"tags\":[{\"id\":1,\"default\":5}],"
    "\"capabilities\":[{\"id\":1,\"default\":false,\"rules\":[{\"type\":\"ACTION_ACCEPT\"}]}]}";
static const char member_body[] = "{\"authorized\":true,\"capabilities\":[1]}";
// What a 1.14 node sends (hex values): protocol 12, version 1.14.1, full rules engine.
static const char metadata[] = "v=7\nvend=1\npv=c\nmajv=1\nminv=e\nrevv=1\nmr=400\nmc=80\n"
                               "mcr=40\nmt=80\nf=0\nrevr=1";

// The file store with its writes counted: put_* calls reach the disk (one fsync'd file each).
struct counted {
	struct weft_store inner;
	uint64_t puts;
};

struct bench {
	char dir[64];
	struct weft_identity signer;
	uint64_t nwid;
	uint64_t addr[N_MEMBERS];
	char (*ids)[WEFT_IDENTITY_STR_PUBLIC_LEN + 1];
	struct counted store;
	struct weft_controller *c;
	// Tallies of what left through the env's callbacks.
	uint64_t configs, config_bytes, errors, credentials, logs;
	bool inspect;                            // check the next config for its credentials
	bool has_com, has_coo, has_tag, has_cap; // what the inspected config held
};

struct phase {
	uint64_t requests, answered, refused, dropped, writes, bytes;
	double wall_s, cpu_s;
};

static struct bench bench;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void cleanup(struct bench *b)
{
	weft_controller_free(b->c);
	b->c = NULL;
	if (b->dir[0])
		nftw(b->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	b->dir[0] = 0;
	weft_identity_clear(&b->signer);
	free(b->ids);
	b->ids = NULL;
}

static _Noreturn void die(struct bench *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void die(struct bench *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "bench/controller: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	cleanup(b);
	exit(1);
}

// --- the store, counted ---------------------------------------------------------------------

static enum weft_result c_load(void *p, const struct weft_store_sink *s, char *why)
{
	struct counted *x = p;
	return x->inner.ops->load(x->inner.priv, s, why);
}

static json_t *c_get_network(void *p, uint64_t nwid)
{
	struct counted *x = p;
	return x->inner.ops->get_network(x->inner.priv, nwid);
}

static enum weft_result c_put_network(void *p, uint64_t nwid, const json_t *rec, char *why)
{
	struct counted *x = p;
	x->puts++;
	return x->inner.ops->put_network(x->inner.priv, nwid, rec, why);
}

static enum weft_result c_delete_network(void *p, uint64_t nwid, char *why)
{
	struct counted *x = p;
	return x->inner.ops->delete_network(x->inner.priv, nwid, why);
}

static json_t *c_get_member(void *p, uint64_t nwid, uint64_t addr)
{
	struct counted *x = p;
	return x->inner.ops->get_member(x->inner.priv, nwid, addr);
}

static enum weft_result c_put_member(void *p, uint64_t nwid, uint64_t addr, const json_t *rec,
                                     char *why)
{
	struct counted *x = p;
	x->puts++;
	return x->inner.ops->put_member(x->inner.priv, nwid, addr, rec, why);
}

static enum weft_result c_delete_member(void *p, uint64_t nwid, uint64_t addr, char *why)
{
	struct counted *x = p;
	return x->inner.ops->delete_member(x->inner.priv, nwid, addr, why);
}

static size_t c_list_networks(void *p, uint64_t *ids, size_t cap)
{
	struct counted *x = p;
	return x->inner.ops->list_networks(x->inner.priv, ids, cap);
}

static size_t c_list_members(void *p, uint64_t nwid, uint64_t *ids, size_t cap)
{
	struct counted *x = p;
	return x->inner.ops->list_members(x->inner.priv, nwid, ids, cap);
}

// The wrapper lives in struct bench: only the file store goes.
static void c_free(void *p)
{
	struct counted *x = p;
	x->inner.ops->free(x->inner.priv);
	x->inner.ops = NULL;
}

static const struct weft_store_ops counted_ops = {
    .name = "fs (counted)",
    .load = c_load,
    .get_network = c_get_network,
    .put_network = c_put_network,
    .delete_network = c_delete_network,
    .get_member = c_get_member,
    .put_member = c_put_member,
    .delete_member = c_delete_member,
    .list_networks = c_list_networks,
    .list_members = c_list_members,
    .free = c_free,
};

// --- the controller's environment -----------------------------------------------------------

static void on_log(void *ctx, const char *msg)
{
	struct bench *b = ctx;
	if (b->logs++ < MAX_LOGS)
		fprintf(stderr, "controller log: %s\n", msg);
}

static bool dict_has(const struct weft_dict *d, const char *key)
{
	return weft_dict_get(d, key, NULL, 0) != WEFT_DICT_ABSENT;
}

static void on_config(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id,
                      const void *dict, size_t len, int64_t now_ms)
{
	struct bench *b = ctx;
	(void)nwid, (void)member, (void)request_id, (void)now_ms;
	b->configs++;
	b->config_bytes += len;
	if (b->inspect) {
		struct weft_dict d;
		weft_dict_view(&d, dict, len);
		b->has_com = dict_has(&d, "C");
		b->has_coo = dict_has(&d, "COO");
		b->has_tag = dict_has(&d, "TAG");
		b->has_cap = dict_has(&d, "CAP");
		b->inspect = false;
	}
}

static void on_error(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id, unsigned code,
                     int64_t now_ms)
{
	struct bench *b = ctx;
	(void)nwid, (void)member, (void)request_id, (void)code, (void)now_ms;
	b->errors++;
}

static void on_credentials(void *ctx, uint64_t member, const void *payload, size_t len,
                           int64_t now_ms)
{
	struct bench *b = ctx;
	(void)member, (void)payload, (void)len, (void)now_ms;
	b->credentials++;
}

// A controller over the bench directory; the store's counter survives it.
static double open_controller(struct bench *b)
{
	struct weft_controller_env env = {
	    .address = b->signer.address,
	    .random = weft_os_random,
	    .log = on_log,
	    .log_ctx = b,
	    .signer = &b->signer,
	    .send_ctx = b,
	    .send_config = on_config,
	    .send_error = on_error,
	    .send_credentials = on_credentials,
	};
	double t0 = now_s();
	if (weft_store_fs_open(&b->store.inner, b->dir) != WEFT_OK)
		die(b, "%s: cannot open the file store", b->dir);
	struct weft_store st = {&counted_ops, &b->store};
	enum weft_result r = weft_controller_new(&b->c, &env, st);
	if (r != WEFT_OK)
		die(b, "weft_controller_new: %s", weft_result_str(r));
	return now_s() - t0;
}

// --- setup ----------------------------------------------------------------------------------

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

// POOL real identities, then N_MEMBERS - POOL made from their public keys under random
// addresses (the controller parses a requester's identity and matches its address, but does
// not re-derive the address: VL1 did that before the request reached it). Random, not
// sequential, addresses, so IPv4 assignment meets collisions as in a real network.
static void make_identities(struct bench *b)
{
	struct weft_identity pool[POOL];
	uint64_t seed = 0x77656674, sorted[N_MEMBERS + 1];
	b->ids = calloc(N_MEMBERS, sizeof *b->ids);
	if (!b->ids)
		die(b, "out of memory");
	for (size_t i = 0; i < POOL; i++) {
		if (weft_identity_generate(&pool[i], weft_os_random, NULL) != WEFT_OK)
			die(b, "identity generation failed");
		pool[i].has_secret = false;
		sodium_memzero(pool[i].sec, sizeof pool[i].sec);
	}
	for (size_t i = 0; i < N_MEMBERS; i++) {
		struct weft_identity id = pool[i % POOL];
		while (i >= POOL &&
		       weft_address_is_reserved(id.address = splitmix64(&seed) & 0xffffffffffULL))
			;
		b->addr[i] = id.address;
		if (!weft_identity_to_string(&id, false, b->ids[i], sizeof b->ids[i]))
			die(b, "identity string does not fit");
	}
	memcpy(sorted, b->addr, sizeof b->addr);
	sorted[N_MEMBERS] = b->signer.address;
	qsort(sorted, N_MEMBERS + 1, sizeof sorted[0], cmp_u64);
	for (size_t i = 1; i <= N_MEMBERS; i++)
		if (sorted[i] == sorted[i - 1])
			die(b, "address %010" PRIx64 " drawn twice; run again", sorted[i]);
}

static json_t *parse(struct bench *b, const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, 0, &err);
	if (!v)
		die(b, "bench JSON: %s", err.text);
	return v;
}

// The network and its members through the API, as an operator would: each a written document.
// Returns the seconds creating the members took; *writes counts the member documents written.
static double create_records(struct bench *b, uint64_t *writes)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	json_t *net = parse(b, network_body), *mem = parse(b, member_body), *out;
	enum weft_result r = weft_controller_network_update(b->c, b->nwid, net, T0_MS, &out, why);
	if (r != WEFT_OK)
		die(b, "network update: %s %s", weft_result_str(r), why);
	json_decref(out);
	uint64_t w0 = b->store.puts;
	double t0 = now_s();
	for (size_t i = 0; i < N_MEMBERS; i++) {
		r = weft_controller_member_update(b->c, b->nwid, b->addr[i], mem, T0_MS, &out, why);
		if (r != WEFT_OK)
			die(b, "member update: %s %s", weft_result_str(r), why);
		json_decref(out);
	}
	double t = now_s() - t0;
	*writes = b->store.puts - w0;
	json_decref(net);
	json_decref(mem);
	return t;
}

// --- measurements ---------------------------------------------------------------------------

// One request from every member at now_ms, each with a fresh request ID.
static void sweep(struct bench *b, int64_t now_ms, uint64_t *request_id)
{
	for (size_t i = 0; i < N_MEMBERS; i++) {
		struct weft_ctl_request q = {
		    .nwid = b->nwid,
		    .member = b->addr[i],
		    .request_id = ++*request_id,
		    .identity = b->ids[i],
		    .metadata = metadata,
		    .metadata_len = sizeof metadata - 1,
		};
		weft_controller_request(b->c, &q, now_ms);
	}
}

// `sweeps` sweeps from *now_ms on, the clock advanced past the rate limit after each.
static struct phase run_sweeps(struct bench *b, unsigned sweeps, int64_t *now_ms,
                               uint64_t *request_id)
{
	struct phase p = {0};
	uint64_t a0, r0, d0, a1, r1, d1;
	uint64_t w0 = b->store.puts, bytes0 = b->config_bytes;
	weft_controller_counts(b->c, &a0, &r0, &d0);
	b->inspect = true;
	double t0 = now_s(), c0 = cpu_s();
	for (unsigned s = 0; s < sweeps; s++) {
		sweep(b, *now_ms, request_id);
		*now_ms += SWEEP_STEP_MS;
	}
	p.wall_s = now_s() - t0;
	p.cpu_s = cpu_s() - c0;
	weft_controller_counts(b->c, &a1, &r1, &d1);
	p.requests = (uint64_t)sweeps * N_MEMBERS;
	p.answered = a1 - a0;
	p.refused = r1 - r0;
	p.dropped = d1 - d0;
	p.writes = b->store.puts - w0;
	p.bytes = b->config_bytes - bytes0;
	if (p.answered != p.requests || p.refused || p.dropped)
		die(b,
		    "%" PRIu64 " requests: %" PRIu64 " answered, %" PRIu64 " refused, %" PRIu64
		    " dropped",
		    p.requests, p.answered, p.refused, p.dropped);
	if (!b->has_com || !b->has_coo || !b->has_tag || !b->has_cap)
		die(b, "a config lacks a credential: COM %d COO %d TAG %d CAP %d", b->has_com,
		    b->has_coo, b->has_tag, b->has_cap);
	return p;
}

// Best-of-SIGN_RUNS signatures per second by the controller's identity over SIGN_MSG_LEN bytes.
static double signatures_per_s(struct bench *b)
{
	uint8_t msg[SIGN_MSG_LEN], sig[WEFT_SIGNATURE_LEN] = {0};
	size_t n = 64;
	double best = 0;
	randombytes_buf(msg, sizeof msg);
	for (int run = -1; run < SIGN_RUNS; run++) { // run -1 calibrates
		double t0 = now_s();
		for (size_t i = 0; i < n; i++) {
			msg[i % sizeof msg] ^= sig[0];
			if (weft_identity_sign(&b->signer, msg, sizeof msg, sig) != WEFT_OK)
				die(b, "signing failed");
		}
		double t = now_s() - t0, rate = (double)n / t;
		if (run < 0)
			n = (size_t)(rate * SIGN_SECONDS) + 1;
		else if (rate > best)
			best = rate;
	}
	return best;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

// Start-up: the controller freed and loaded again over the same directory, LOAD_RUNS times
// (warm page cache). Leaves the last one loaded. Sorts t.
static void time_loads(struct bench *b, double t[LOAD_RUNS])
{
	for (int i = 0; i < LOAD_RUNS; i++) {
		weft_controller_free(b->c);
		b->c = NULL;
		t[i] = open_controller(b);
		size_t authorized = 0;
		size_t n = weft_controller_members(b->c, b->nwid, NULL, 0, &authorized);
		if (n != N_MEMBERS || authorized != N_MEMBERS)
			die(b, "loaded %zu members (%zu authorized), expected %d", n, authorized,
			    N_MEMBERS);
	}
	qsort(t, LOAD_RUNS, sizeof t[0], cmp_double);
}

// --- report ---------------------------------------------------------------------------------

static void print_phase(const char *name, const struct phase *p, double ceiling)
{
	double rps = (double)p->requests / p->wall_s;
	printf("%-26s %7" PRIu64 " %9.0f %9.1f %8" PRIu64 " %7.0f %9.0f %6.1f%%\n", name,
	       p->requests, rps, p->cpu_s / (double)p->requests * 1e6, p->writes,
	       (double)p->bytes / (double)p->answered, ceiling, 100.0 * rps / ceiling);
}

static void run(struct bench *b)
{
	double t_start = now_s(), t_id = now_s(), loads[LOAD_RUNS];
	if (weft_identity_generate(&b->signer, weft_os_random, NULL) != WEFT_OK)
		die(b, "identity generation failed");
	b->nwid = (b->signer.address & 0xffffffffffULL) << 24 | 1;
	make_identities(b);
	t_id = now_s() - t_id;
	open_controller(b);
	uint64_t created;
	double t_create = create_records(b, &created);
	time_loads(b, loads);

	int64_t clock_ms = T0_MS + SWEEP_STEP_MS;
	uint64_t request_id = 0;
	struct phase first = run_sweeps(b, 1, &clock_ms, &request_id);
	struct phase steady = run_sweeps(b, STEADY_SWEEPS, &clock_ms, &request_id);
	double sigs = signatures_per_s(b), ceiling = sigs / SIGS_PER_CONFIG;

	printf("setup: %d identities generated + %d made from their keys in %.1f s; %d members "
	       "created through the API: %" PRIu64 " writes in %.2f s = %.0f writes/s\n\n",
	       POOL + 1, N_MEMBERS - POOL, t_id, N_MEMBERS, created, t_create,
	       (double)created / t_create);
	printf("start-up: weft_controller_new over %d member documents (warm page cache), "
	       "median of %d: %.0f ms (min %.0f, max %.0f) = %.0f members loaded/s\n\n",
	       N_MEMBERS, LOAD_RUNS, loads[LOAD_RUNS / 2] * 1e3, loads[0] * 1e3,
	       loads[LOAD_RUNS - 1] * 1e3, N_MEMBERS / loads[LOAD_RUNS / 2]);
	printf("config requests: one private network of %d members; every request answered with "
	       "a config\n(COM, COO, 1 tag, 1 capability signed). ceiling = signing alone: %.0f "
	       "signatures/s / %d per config.\n\n",
	       N_MEMBERS, sigs, SIGS_PER_CONFIG);
	printf("phase                      requests     req/s  CPU us/req   writes  dict B  "
	       "ceiling    ratio\n");
	print_phase("first sweep (IPs, saves)", &first, ceiling);
	print_phase("steady (3 sweeps)", &steady, ceiling);
	printf("\nsteady / first: %.2fx req/s; signing is %.0f%% of steady CPU per request; "
	       "%" PRIu64 " controller log lines; total run %.1f s\n",
	       ((double)steady.requests / steady.wall_s) / ((double)first.requests / first.wall_s),
	       100.0 * SIGS_PER_CONFIG / sigs / (steady.cpu_s / (double)steady.requests), b->logs,
	       now_s() - t_start);
}

int main(void)
{
	struct bench *b = &bench;
	if (weft_crypto_init() != WEFT_OK)
		return 1;
	snprintf(b->dir, sizeof b->dir, "/tmp/weft-bench-ctl.XXXXXX");
	if (!mkdtemp(b->dir)) {
		perror("mkdtemp");
		return 1;
	}
	run(b);
	cleanup(b);
	return 0;
}
