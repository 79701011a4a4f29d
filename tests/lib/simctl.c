// SPDX-License-Identifier: MPL-2.0
// The real controller beside a simulated node (simctl.h): what the service's controller host
// does, with the sim host's node as the wire and a temp dir as the store.
#include "simctl.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "t.h"

// The sim host's on_config_request hook has no context pointer: find its controller here.
#define MAX_SERVED 8
static struct sim_ctl *served[MAX_SERVED];

static struct sim_ctl *serving(const struct sim_host *h)
{
	for (unsigned i = 0; i < MAX_SERVED; i++)
		if (served[i] && served[i]->host == h)
			return served[i];
	return NULL;
}

static void ctl_random(void *ctx, void *buf, size_t len)
{
	struct sim_ctl *sc = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		sc->rng ^= sc->rng >> 12, sc->rng ^= sc->rng << 25, sc->rng ^= sc->rng >> 27;
		p[i] = (uint8_t)((sc->rng * 0x2545f4914f6cdd1dULL) >> 56);
	}
}

static void env_send_config(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id,
                            const void *dict, size_t len, int64_t now_ms)
{
	struct sim_ctl *sc = ctx;
	if (!sc->hooks.config || sc->hooks.config(sc->hooks.ctx, nwid, member, request_id))
		weft_node_send_config(sc->host->node, now_ms, nwid, member, request_id, dict, len);
}

static void env_send_error(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id,
                           unsigned code, int64_t now_ms)
{
	struct sim_ctl *sc = ctx;
	if (!sc->hooks.error || sc->hooks.error(sc->hooks.ctx, nwid, member, request_id, code))
		weft_node_send_config_error(sc->host->node, now_ms, nwid, member, request_id, code);
}

static void env_send_credentials(void *ctx, uint64_t member, const void *payload, size_t len,
                                 int64_t now_ms)
{
	struct sim_ctl *sc = ctx;
	if (!sc->hooks.credentials || sc->hooks.credentials(sc->hooks.ctx, member, payload, len))
		weft_node_send_credentials(sc->host->node, now_ms, member, payload, len);
}

static void env_log(void *ctx, const char *msg)
{
	(void)ctx;
	printf("controller log: %s\n", msg);
}

// What the service's controller host does with a request the node hands up.
static void on_config_request(struct sim_host *h, const struct weft_config_request *r)
{
	struct sim_ctl *sc = serving(h);
	struct weft_ctl_request q = {
	    .nwid = r->network_id,
	    .member = r->requester,
	    .request_id = r->request_id,
	    .identity = r->requester_identity,
	    .metadata = r->metadata,
	    .metadata_len = r->metadata_len,
	    .physical = r->physical,
	};
	if (!sc)
		return;
	if (sc->hooks.request)
		sc->hooks.request(sc->hooks.ctx, r, h->net->now_ms);
	if (sc->c)
		weft_controller_request(sc->c, &q, h->net->now_ms);
}

enum weft_result sim_ctl_open(struct sim_ctl *sc)
{
	struct weft_store st;
	struct weft_controller_env env = {
	    .address = sc->host->address,
	    .random = ctl_random,
	    .random_ctx = sc,
	    .log = env_log,
	    .signer = weft_node_identity(sc->host->node),
	    .send_ctx = sc,
	    .send_config = env_send_config,
	    .send_error = env_send_error,
	    .send_credentials = env_send_credentials,
	};
	enum weft_result r = weft_store_fs_open(&st, sc->dir);
	return r != WEFT_OK ? r : weft_controller_new(&sc->c, &env, st);
}

void sim_ctl_close(struct sim_ctl *sc)
{
	weft_controller_free(sc->c);
	sc->c = NULL;
}

struct sim_ctl *sim_ctl_start(struct sim_host *h, uint64_t seed, const struct sim_ctl_hooks *hooks)
{
	struct sim_ctl *sc = calloc(1, sizeof *sc);
	struct sim_ctl **slot = NULL;
	for (unsigned i = 0; i < MAX_SERVED && !slot; i++)
		if (!served[i])
			slot = &served[i];
	if (!sc || !slot)
		goto fail_alloc;
	snprintf(sc->dir, sizeof sc->dir, "/tmp/weft-simctl-XXXXXX");
	if (!mkdtemp(sc->dir))
		goto fail_alloc;
	sc->host = h;
	sc->rng = seed;
	if (hooks)
		sc->hooks = *hooks;
	if (sim_ctl_open(sc) != WEFT_OK)
		goto fail_open;
	*slot = sc;
	h->on_config_request = on_config_request;
	return sc;

fail_open:
	sim_ctl_free(sc);
	return NULL;
fail_alloc:
	free(sc);
	return NULL;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

void sim_ctl_free(struct sim_ctl *sc)
{
	if (!sc)
		return;
	for (unsigned i = 0; i < MAX_SERVED; i++)
		if (served[i] == sc)
			served[i] = NULL;
	if (sc->host->on_config_request == on_config_request && !serving(sc->host))
		sc->host->on_config_request = NULL;
	sim_ctl_close(sc);
	nftw(sc->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(sc);
}

static json_t *doc(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);
	if (!j)
		t_fail(__FILE__, __LINE__, "bad test JSON: %s", err.text);
	return j;
}

enum weft_result sim_ctl_network(struct sim_ctl *sc, uint64_t nwid, const char *json)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	json_t *b = doc(json), *out = NULL;
	if (!b)
		return WEFT_ERR_INVALID;
	enum weft_result r =
	    weft_controller_network_update(sc->c, nwid, b, sc->host->net->now_ms, &out, why);
	T_CHECK_MSG(r == WEFT_OK, "network update %s: %s", json, why);
	json_decref(b);
	json_decref(out);
	return r;
}

enum weft_result sim_ctl_member(struct sim_ctl *sc, uint64_t nwid, uint64_t addr, const char *json)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	json_t *b = doc(json), *out = NULL;
	if (!b)
		return WEFT_ERR_INVALID;
	enum weft_result r =
	    weft_controller_member_update(sc->c, nwid, addr, b, sc->host->net->now_ms, &out, why);
	T_CHECK_MSG(r == WEFT_OK, "member update %s: %s", json, why);
	json_decref(b);
	json_decref(out);
	return r;
}
