// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for the embedded controller serving members (vl2.md §9): the metadata,
// identity text and address of NETWORK_CONFIG_REQUESTs, interleaved with API updates whose JSON
// bodies are fuzz bytes. Each input starts from the same snapshot (one network with members,
// one SSO network) in an in-memory store, so findings reproduce from the input alone. Checked:
// exactly one answer per request that is not dropped, with the error code the request earns;
// every config decodes as a member would, is issued to the requester and carries a COM the
// controller signed; no two members get the same pool IP; a refused update changes nothing.
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "credential.h"
#include "dict.h"
#include "identity.h"
#include "inetaddr.h"
#include "limits.h"
#include "netconf.h"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_IDS    4    // real member identities; the other addresses are fabricated
#define N_ADDRS  64   // distinct member addresses an input can use
#define META_LEN 1100 // past the controller's 1024 so oversized metadata is tried too
#define T0_MS    1764000000000LL
#define STEP_MS  1001 // past the one-request-per-second limit
#define MAX_SEEN 512  // configs whose IPs are remembered per input

enum { ERR_OBJ_NOT_FOUND = 3, ERR_ACCESS_DENIED = 7, ERR_AUTHENTICATION_REQUIRED = 9 };

static const char network_body[] =
    "{\"name\":\"fuzz\",\"private\":true,\"v4AssignMode\":{\"zt\":true},"
    "\"v6AssignMode\":{\"rfc4193\":true,\"6plane\":true,\"zt\":true},"
    "\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.0.0.1\",\"ipRangeEnd\":\"10.0.0.40\"},"
    "{\"ipRangeStart\":\"fd00::1\",\"ipRangeEnd\":\"fd00::ffff\"}],"
    "\"routes\":[{\"target\":\"10.0.0.0/24\",\"via\":null},"
    "{\"target\":\"0.0.0.0/0\",\"via\":\"10.0.0.1\"},{\"target\":\"fd00::/64\"}],"
    "\"rules\":[{\"type\":\"MATCH_ETHERTYPE\",\"not\":true,\"etherType\":2048},"
    "{\"type\":\"ACTION_DROP\"},{\"type\":\"MATCH_TAGS_EQUAL\",\"id\":1,\"value\":5},"
    "{\"type\":\"ACTION_TEE\",\"address\":\"0123456789\",\"flags\":0,\"length\":64},"
    "{\"type\":\"ACTION_ACCEPT\"}],"
    "\"tags\":[{\"id\":1,\"default\":5},{\"id\":2,\"default\":null}],"
    "\"capabilities\":[{\"id\":1,\"default\":true,\"rules\":[{\"type\":\"ACTION_ACCEPT\"}]},"
    "{\"id\":2,\"default\":false,\"rules\":[{\"type\":\"ACTION_DROP\"}]}],"
    "\"authTokens\":{\"secret\":0,\"old\":1},"
    "\"dns\":{\"domain\":\"fuzz.example\",\"servers\":[\"10.0.0.1\",\"fd00::1\"]}}";
// Members 0..2 exist (0 authorized, 1 an authorized active bridge with a static IP, 2 not
// authorized); member 3 and the fabricated addresses are unknown until they ask.
static const char *const member_bodies[N_IDS - 1] = {
    "{\"authorized\":true,\"tags\":[[1,7]],\"capabilities\":[2]}",
    "{\"authorized\":true,\"activeBridge\":true,\"ipAssignments\":[\"10.0.0.5\"]}",
    "{\"authorized\":false}",
};

// ---- deterministic randomness (splitmix64) ----

static void det_random(void *ctx, void *buf, size_t len)
{
	uint64_t *s = ctx;
	uint8_t *p = buf;
	while (len) {
		uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		size_t n = len < 8 ? len : 8;
		memcpy(p, &z, n);
		p += n;
		len -= n;
	}
}

// ---- an in-memory store: {"%016x": {"rec": ..., "members": {"%010x": ...}}} ----

struct mem_store {
	json_t *nets;
	bool fail; // every write is refused
};

static void key16(char k[17], uint64_t v)
{
	snprintf(k, 17, "%016" PRIx64, v);
}

static void key10(char k[11], uint64_t v)
{
	snprintf(k, 11, "%010" PRIx64, (uint64_t)(v & 0xffffffffffULL));
}

static enum weft_result refuse(struct mem_store *m, char *why)
{
	(void)m;
	if (why)
		snprintf(why, WEFT_STORE_WHY_MAX, "mem: write refused (injected)");
	return WEFT_ERR_FULL;
}

static enum weft_result mem_load(void *priv, const struct weft_store_sink *sink, char *why)
{
	struct mem_store *m = priv;
	const char *nk, *mk;
	json_t *e, *r;
	(void)why;
	json_object_foreach (m->nets, nk, e) { // copies, as a backend that parses would give
		uint64_t nwid = strtoull(nk, NULL, 16);
		json_t *copy = json_deep_copy(json_object_get(e, "rec"));
		sink->network(sink->ctx, nwid, copy);
		json_decref(copy);
		json_object_foreach (json_object_get(e, "members"), mk, r) {
			copy = json_deep_copy(r);
			sink->member(sink->ctx, nwid, strtoull(mk, NULL, 16), copy);
			json_decref(copy);
		}
	}
	return WEFT_OK;
}

static json_t *mem_get_network(void *priv, uint64_t nwid)
{
	struct mem_store *m = priv;
	char k[17];
	key16(k, nwid);
	return json_deep_copy(json_object_get(json_object_get(m->nets, k), "rec"));
}

static enum weft_result mem_put_network(void *priv, uint64_t nwid, const json_t *rec, char *why)
{
	struct mem_store *m = priv;
	char k[17];
	if (m->fail)
		return refuse(m, why);
	key16(k, nwid);
	json_t *e = json_object_get(m->nets, k);
	if (!e)
		json_object_set_new(m->nets, k, e = json_pack("{s:{}}", "members"));
	json_object_set_new(e, "rec", json_deep_copy(rec));
	return WEFT_OK;
}

static enum weft_result mem_delete_network(void *priv, uint64_t nwid, char *why)
{
	struct mem_store *m = priv;
	char k[17];
	if (m->fail)
		return refuse(m, why);
	key16(k, nwid);
	json_object_del(m->nets, k);
	return WEFT_OK;
}

static json_t *mem_members(struct mem_store *m, uint64_t nwid)
{
	char k[17];
	key16(k, nwid);
	return json_object_get(json_object_get(m->nets, k), "members");
}

static json_t *mem_get_member(void *priv, uint64_t nwid, uint64_t addr)
{
	char k[11];
	key10(k, addr);
	return json_deep_copy(json_object_get(mem_members(priv, nwid), k));
}

static enum weft_result mem_put_member(void *priv, uint64_t nwid, uint64_t addr, const json_t *rec,
                                       char *why)
{
	struct mem_store *m = priv;
	json_t *ms = mem_members(m, nwid);
	char k[11];
	if (m->fail)
		return refuse(m, why);
	CHECK(ms != NULL); // the controller saves members of networks it has only
	key10(k, addr);
	json_object_set_new(ms, k, json_deep_copy(rec));
	return WEFT_OK;
}

static enum weft_result mem_delete_member(void *priv, uint64_t nwid, uint64_t addr, char *why)
{
	struct mem_store *m = priv;
	char k[11];
	if (m->fail)
		return refuse(m, why);
	key10(k, addr);
	json_object_del(mem_members(m, nwid), k);
	return WEFT_OK;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static size_t list_keys(const json_t *obj, uint64_t *ids, size_t cap)
{
	size_t n = json_object_size(obj), i = 0;
	uint64_t *all = calloc(n ? n : 1, sizeof *all);
	const char *k;
	json_t *v;
	CHECK(all != NULL);
	json_object_foreach ((json_t *)obj, k, v)
		all[i++] = strtoull(k, NULL, 16);
	qsort(all, n, sizeof *all, cmp_u64);
	if (cap)
		memcpy(ids, all, (n < cap ? n : cap) * sizeof *ids);
	free(all);
	return n;
}

static size_t mem_list_networks(void *priv, uint64_t *ids, size_t cap)
{
	return list_keys(((struct mem_store *)priv)->nets, ids, cap);
}

static size_t mem_list_members(void *priv, uint64_t nwid, uint64_t *ids, size_t cap)
{
	return list_keys(mem_members(priv, nwid), ids, cap);
}

static void mem_free(void *priv)
{
	struct mem_store *m = priv;
	json_decref(m->nets);
	free(m);
}

static const struct weft_store_ops mem_ops = {
    .name = "mem",
    .load = mem_load,
    .get_network = mem_get_network,
    .put_network = mem_put_network,
    .delete_network = mem_delete_network,
    .get_member = mem_get_member,
    .put_member = mem_put_member,
    .delete_member = mem_delete_member,
    .list_networks = mem_list_networks,
    .list_members = mem_list_members,
    .free = mem_free,
};

// ---- what leaves the controller ----

struct seen_ip {
	struct weft_inetaddr ip;
	uint64_t member;
};

struct outbox {
	uint64_t configs, errors, pushes, credentials;
	unsigned last_code;
	uint64_t last_member, last_nwid;
	struct seen_ip ips[MAX_SEEN];
	size_t n_ips;
	bool ips_manual; // an update may have given two members the same IP: no uniqueness check
};

static struct weft_identity signer, ids[N_IDS];
static char id_text[N_IDS][WEFT_IDENTITY_STR_PUBLIC_LEN + 1];
static uint64_t addrs[N_ADDRS], nwid_main, nwid_sso;
static json_t *snapshot; // the store every input starts from
static struct outbox box;
static struct weft_netconf nc;
static uint8_t nc_scratch[WEFT_LIMIT_CFG_DICT];

static bool same_ip(const struct weft_inetaddr *a, const struct weft_inetaddr *b)
{
	char x[WEFT_INETADDR_STR_MAX], y[WEFT_INETADDR_STR_MAX];
	weft_inetaddr_to_string(a, x, sizeof x);
	weft_inetaddr_to_string(b, y, sizeof y);
	return !strcmp(x, y);
}

static void remember_ips(uint64_t member)
{
	for (unsigned i = 0; i < nc.n_static_ips; i++) {
		const struct weft_inetaddr *ip = &nc.static_ips[i];
		bool known = false;
		for (size_t j = 0; j < box.n_ips; j++) {
			if (!same_ip(&box.ips[j].ip, ip))
				continue;
			if (box.ips[j].member != member && !box.ips_manual) {
				char t[WEFT_INETADDR_STR_MAX];
				weft_inetaddr_to_string(ip, t, sizeof t);
				fprintf(stderr, "%s given to %010" PRIx64 " and %010" PRIx64 "\n",
				        t, box.ips[j].member, member);
				CHECK(false && "one IP for two members");
			}
			known = true;
		}
		if (!known && box.n_ips < MAX_SEEN)
			box.ips[box.n_ips++] = (struct seen_ip){*ip, member};
	}
}

static void on_config(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id,
                      const void *dict, size_t len, int64_t now_ms)
{
	struct weft_dict d;
	(void)ctx;
	CHECK(len > 0 && len <= WEFT_LIMIT_CFG_DICT);
	uint8_t *copy = malloc(len); // exact size, so ASan sees any read past it
	CHECK(copy != NULL);
	memcpy(copy, dict, len);
	weft_dict_view(&d, copy, len);
	CHECK(weft_netconf_decode(&nc, &d, nc_scratch, sizeof nc_scratch) == WEFT_OK);
	free(copy);
	CHECK(nc.nwid == nwid && nc.issued_to == (member & 0xffffffffffULL));
	CHECK(nc.timestamp_ms == now_ms);
	CHECK(nc.has_com && nc.com.signed_by == signer.address);
	CHECK(weft_com_verify(&nc.com, weft_credential_lookup_one, &signer) == WEFT_VERIFY_OK);
	remember_ips(member);
	if (request_id) {
		box.configs++;
		box.last_member = member;
		box.last_nwid = nwid;
	} else {
		box.pushes++;
	}
}

static void on_error(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id, unsigned code,
                     int64_t now_ms)
{
	(void)ctx, (void)now_ms;
	CHECK(request_id != 0); // pushes are never refused out loud
	CHECK(code == ERR_OBJ_NOT_FOUND || code == ERR_ACCESS_DENIED ||
	      code == ERR_AUTHENTICATION_REQUIRED);
	box.errors++;
	box.last_code = code;
	box.last_member = member;
	box.last_nwid = nwid;
}

static void on_credentials(void *ctx, uint64_t member, const void *payload, size_t len,
                           int64_t now_ms)
{
	(void)ctx, (void)member, (void)now_ms;
	CHECK(payload != NULL && len > 0);
	box.credentials++;
}

static struct weft_controller_env env = {
    .random = det_random,
    .log = NULL,
    .signer = &signer,
    .send_config = on_config,
    .send_error = on_error,
    .send_credentials = on_credentials,
};
static uint64_t rnd_state;
static struct mem_store *cur_store; // the open controller's, for failure injection

static struct weft_controller *open_controller(json_t *nets)
{
	struct weft_controller *c;
	struct mem_store *m = calloc(1, sizeof *m);
	CHECK(m != NULL);
	m->nets = nets;
	cur_store = m;
	rnd_state = 42;
	CHECK(weft_controller_new(&c, &env, (struct weft_store){&mem_ops, m}) == WEFT_OK);
	return c;
}

static void update_network(struct weft_controller *c, uint64_t nwid, const char *body)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	json_t *b = json_loads(body, 0, NULL), *out = NULL;
	CHECK(b != NULL);
	if (weft_controller_network_update(c, nwid, b, T0_MS - 10000, &out, why) != WEFT_OK) {
		fprintf(stderr, "setup: network: %s\n", why);
		abort();
	}
	json_decref(out);
	json_decref(b);
}

static void setup(void)
{
	uint64_t s = 1;
	char why[WEFT_CONTROLLER_WHY_MAX];
	CHECK(weft_identity_generate(&signer, det_random, &s) == WEFT_OK);
	for (unsigned i = 0; i < N_IDS; i++) {
		CHECK(weft_identity_generate(&ids[i], det_random, &s) == WEFT_OK);
		CHECK(weft_identity_to_string(&ids[i], false, id_text[i], sizeof id_text[i]));
		addrs[i] = ids[i].address;
	}
	for (unsigned i = N_IDS; i < N_ADDRS; i++) // unreserved: neither 0x00.. nor 0xff..
		addrs[i] = 0x1a00000000ULL | (uint64_t)i * 0x01010101ULL;
	env.address = signer.address;
	env.random_ctx = &rnd_state;
	nwid_main = signer.address << 24 | 0xabcdefULL;
	nwid_sso = signer.address << 24 | 0x000550ULL;

	struct weft_controller *c = open_controller(json_object());
	update_network(c, nwid_main, network_body);
	update_network(c, nwid_sso,
	               "{\"private\":false,\"v4AssignMode\":{\"zt\":true},"
	               "\"ipAssignmentPools\":[{\"ipRangeStart\":\"10.9.0.1\","
	               "\"ipRangeEnd\":\"10.9.0.9\"}]}");
	for (unsigned i = 0; i + 1 < N_IDS; i++) {
		json_t *b = json_loads(member_bodies[i], 0, NULL), *out = NULL;
		CHECK(b != NULL);
		CHECK(weft_controller_member_update(c, nwid_main, addrs[i], b, T0_MS - 5000, &out,
		                                    why) == WEFT_OK);
		json_decref(out);
		json_decref(b);
	}
	// SSO is not writable through the API: set it in the stored record, as an operator could.
	{
		json_t *b = json_loads("{\"authorized\":true}", 0, NULL), *out = NULL;
		CHECK(weft_controller_member_update(c, nwid_sso, addrs[0], b, T0_MS - 5000, &out,
		                                    why) == WEFT_OK);
		json_decref(out);
		json_decref(b);
	}
	// The controller's store is private to it: take the records back through the ops.
	json_t *nets = json_object();
	uint64_t nw[2];
	CHECK(weft_controller_networks(c, nw, 2) == 2);
	for (unsigned i = 0; i < 2; i++) {
		char k[17], mk[11];
		uint64_t mids[N_IDS];
		json_t *e =
		    json_pack("{s:O, s:{}}", "rec", weft_controller_network(c, nw[i]), "members");
		size_t n = weft_controller_members(c, nw[i], mids, N_IDS, NULL);
		for (size_t j = 0; j < n && j < N_IDS; j++) {
			key10(mk, mids[j]);
			json_object_set(json_object_get(e, "members"), mk,
			                (json_t *)weft_controller_member(c, nw[i], mids[j]));
		}
		if (nw[i] == nwid_sso)
			json_object_set_new(json_object_get(e, "rec"), "ssoEnabled", json_true());
		key16(k, nw[i]);
		json_object_set_new(nets, k, e);
	}
	snapshot = json_deep_copy(nets);
	json_decref(nets);
	weft_controller_free(c);
}

// ---- the input: a sequence of operations ----

struct input {
	const uint8_t *p;
	size_t left;
};

static unsigned take8(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static size_t take16(struct input *in)
{
	size_t lo = take8(in);
	return lo | (size_t)take8(in) << 8;
}

static const uint8_t *take(struct input *in, size_t *len)
{
	const uint8_t *p = in->p;
	if (*len > in->left)
		*len = in->left;
	in->p += *len;
	in->left -= *len;
	return p;
}

// The identity text with its address replaced by addr (parses, but VL1 would not accept it:
// the controller does not validate, so it must treat it as that member's identity).
static void fabricate(char out[WEFT_IDENTITY_STR_PUBLIC_LEN + 1], unsigned id, uint64_t addr)
{
	char a[11];
	key10(a, addr);
	memcpy(out, id_text[id], sizeof id_text[id]);
	memcpy(out, a, 10);
}

static void request(struct weft_controller *c, struct input *in, int64_t now_ms, uint64_t rid)
{
	static const struct weft_inetaddr zero;
	struct weft_inetaddr phys = zero;
	char idbuf[WEFT_IDENTITY_STR_PUBLIC_LEN + 1], *fuzz_id = NULL;
	unsigned a = take8(in) % N_ADDRS, how = take8(in);
	size_t mlen = take16(in) % (META_LEN + 1);
	const uint8_t *mp = take(in, &mlen);
	uint8_t *meta = malloc(mlen ? mlen : 1);
	CHECK(meta != NULL);
	if (mlen)
		memcpy(meta, mp, mlen);

	struct weft_ctl_request q = {
	    .member = addrs[a], .request_id = rid, .metadata = meta, .metadata_len = mlen};
	switch (how & 3) {
	case 0: // its own identity (fabricated for the made-up addresses)
		if (a < N_IDS)
			q.identity = id_text[a];
		else
			fabricate(idbuf, a % N_IDS, addrs[a]), q.identity = idbuf;
		break;
	case 1: // another node's identity
		q.identity = id_text[(a + 1) % N_IDS];
		break;
	case 2: { // text from the input
		size_t ilen = take8(in) * 2;
		const uint8_t *ip = take(in, &ilen);
		fuzz_id = malloc(ilen + 1);
		CHECK(fuzz_id != NULL);
		memcpy(fuzz_id, ip, ilen);
		fuzz_id[ilen] = 0;
		q.identity = fuzz_id;
		break;
	}
	default: q.identity = NULL;
	}
	unsigned net = (how >> 2) & 7;
	q.nwid = net < 4    ? nwid_main
	         : net == 4 ? nwid_sso
	         : net == 5 ? (signer.address << 24 | 0x123456)     // ours, but no such network
	         : net == 6 ? (signer.address ^ 1) << 24 | 0xabcdef // not ours
	                    : nwid_main;
	if (how & 0x20) {
		uint8_t v4[4] = {198, 51, 100, (uint8_t)a}, v6[16] = {0x20, 0x01, 0x0d, 0xb8};
		if (how & 0x40)
			weft_inetaddr_set_v6(&phys, v6, 9993);
		else
			weft_inetaddr_set_v4(&phys, v4, 9993);
		q.physical = &phys;
	}

	// What the request must earn, as far as it can be told from outside.
	struct weft_identity who;
	bool dropped = (q.nwid >> 24) != signer.address || mlen > 1024;
	bool no_net = !weft_controller_network(c, q.nwid); // the SSO one may be deleted
	bool bad_id =
	    !q.identity ||
	    weft_identity_from_string(&who, q.identity, strlen(q.identity), NULL) != WEFT_OK ||
	    who.address != q.member;
	uint64_t before = box.configs + box.errors;
	box.last_code = 0;
	weft_controller_request(c, &q, now_ms);
	if (dropped) {
		CHECK(box.configs + box.errors == before);
	} else {
		CHECK(box.configs + box.errors == before + 1);
		CHECK(box.last_member == q.member && box.last_nwid == q.nwid);
		if (no_net)
			CHECK(box.last_code == ERR_OBJ_NOT_FOUND);
		else if (bad_id && box.last_code != ERR_ACCESS_DENIED) {
			fprintf(stderr, "bad identity answered with %u\n", box.last_code);
			CHECK(false && "bad identity not refused with 7");
		}
	}
	free(meta);
	free(fuzz_id);
}

// An API update with a body from the input: it succeeds, or it is refused with a reason and
// the record is unchanged.
static void api_update(struct weft_controller *c, struct input *in, bool member, int64_t now_ms)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	unsigned a = take8(in) % N_ADDRS;
	uint64_t nwid = a & 1 ? nwid_sso : nwid_main;
	size_t blen = take16(in) % 4096;
	const uint8_t *bp = take(in, &blen);
	json_t *body = json_loadb((const char *)bp, blen, JSON_DECODE_ANY, NULL), *out = NULL;
	if (!body)
		return;
	const json_t *cur =
	    member ? weft_controller_member(c, nwid, addrs[a]) : weft_controller_network(c, nwid);
	json_t *old = cur ? json_deep_copy(cur) : NULL;
	enum weft_result r =
	    member ? weft_controller_member_update(c, nwid, addrs[a], body, now_ms, &out, why)
	           : weft_controller_network_update(c, nwid, body, now_ms, &out, why);
	if (r == WEFT_OK) {
		CHECK(json_is_object(out));
		if (member)
			box.ips_manual = true;
	} else {
		CHECK(r == WEFT_ERR_INVALID || r == WEFT_ERR_FULL); // FULL: the store refused
		CHECK(why[0] != 0);
		cur = member ? weft_controller_member(c, nwid, addrs[a])
		             : weft_controller_network(c, nwid);
		CHECK(old ? json_equal(old, cur) : cur == NULL);
	}
	json_decref(out);
	json_decref(old);
	json_decref(body);
}

static void misc(struct weft_controller *c, struct mem_store *m, struct input *in, int64_t now_ms)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	unsigned what = take8(in), a = (what >> 3) % N_ADDRS;
	json_t *out = NULL, *body = NULL;
	enum weft_result r;
	switch (what & 7) {
	case 0: // the network goes public or private
	case 1:
		body = json_pack("{s:b}", "private", what & 1);
		r = weft_controller_network_update(c, nwid_main, body, now_ms, &out, why);
		CHECK(r == WEFT_OK || (m->fail && r == WEFT_ERR_FULL));
		break;
	case 2: // (de)authorize through the API
	case 3:
		body = json_pack("{s:b}", "authorized", what & 1);
		r = weft_controller_member_update(c, nwid_main, addrs[a], body, now_ms, &out, why);
		CHECK(r == WEFT_OK || (m->fail && r == WEFT_ERR_FULL));
		break;
	case 4: // delete a member
		r = weft_controller_member_delete(c, nwid_main, addrs[a], &out, now_ms, why);
		CHECK(r == WEFT_OK || r == WEFT_ERR_NOT_FOUND || (m->fail && r == WEFT_ERR_FULL));
		box.ips_manual |= r == WEFT_OK; // its IPs are free again
		break;
	case 5: // the store starts or stops refusing writes
		m->fail = !m->fail;
		break;
	case 6: // delete the SSO network
		r = weft_controller_network_delete(c, nwid_sso, &out, now_ms, why);
		CHECK(r == WEFT_OK || r == WEFT_ERR_NOT_FOUND || (m->fail && r == WEFT_ERR_FULL));
		break;
	default: // look at a member as the API does
		out = json_deep_copy(weft_controller_member(c, nwid_main, addrs[a]));
		if (out)
			weft_controller_member_observed(c, nwid_main, addrs[a], now_ms, out);
	}
	json_decref(out);
	json_decref(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		setup();
		ready = true;
	}
	struct input in = {data, size};
	memset(&box, 0, sizeof box);
	struct weft_controller *c = open_controller(json_deep_copy(snapshot));
	int64_t now_ms = T0_MS;
	uint64_t rid = 1;
	for (unsigned ops = 0; in.left && ops < 64; ops++) {
		unsigned op = take8(&in);
		now_ms += STEP_MS + (op >> 3) * 997; // sometimes past the 120 s online window
		switch (op & 7) {
		case 0:
		case 1:
		case 2:
		case 3: request(c, &in, now_ms, rid++); break;
		case 4: api_update(c, &in, true, now_ms); break;
		case 5: api_update(c, &in, false, now_ms); break;
		default: misc(c, cur_store, &in, now_ms);
		}
	}
	weft_controller_free(c);
	return 0;
}
