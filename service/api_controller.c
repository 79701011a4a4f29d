// SPDX-License-Identifier: MPL-2.0
// /controller (service.md §2.6-2.7): networks of the embedded controller, over controller/.
// Errors the reference answers with no body (404, the ADDR______ mismatch, 503) stay bodiless;
// refused values, broken JSON (weft: 400, the reference 500) and store failures say why.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "controller.h"
#include "hex.h"

static uint64_t arg_u64(const struct weft_api_arg *a, size_t digits)
{
	uint64_t v = 0;
	weft_hex_u64(&v, a->p, digits);
	return v;
}

static void bodiless(struct weft_api_response *resp, unsigned status)
{
	resp->status = status;
	resp->no_body = true;
}

static void error(struct weft_api_response *resp, unsigned status, const char *why)
{
	resp->status = status;
	resp->json = json_pack("{s:i, s:s}", "error", (int)status, "description", why);
}

// Maps a controller result to the response; OK leaves `rec` (owned) as the body.
static void answer(struct weft_api_response *resp, enum weft_result r, json_t *rec, const char *why)
{
	switch (r) {
	case WEFT_OK: resp->json = rec; return;
	case WEFT_ERR_NOT_FOUND: bodiless(resp, 404); return;
	case WEFT_ERR_INVALID: error(resp, 400, why); return;
	case WEFT_ERR_AUTH: error(resp, 409, why); return; // a corrupt document is kept
	case WEFT_ERR_FULL: bodiless(resp, 503); return;
	default: error(resp, 500, why[0] ? why : weft_result_str(r)); return;
	}
}

// The request body as JSON, or NULL with a 400 answered (an empty body is not JSON, §2.3).
static json_t *body_json(const struct weft_api_request *req, struct weft_api_response *resp)
{
	json_error_t err;
	char why[256];
	json_t *j = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, &err);
	if (!j) {
		snprintf(why, sizeof why, "body: line %d, column %d: %s", err.line, err.column,
		         err.text);
		error(resp, 400, why);
	}
	return j;
}

void weft_api_controller_status(const struct weft_api_request *req, struct weft_api_response *resp)
{
	char *text = NULL;
	if (asprintf(&text,
	             "{\n\t\"controller\": true,\n\t\"apiVersion\": 4,\n\t\"clock\": %" PRId64
	             ",\n\t\"databaseReady\": %s\n}\n",
	             req->now_ms, req->svc->controller ? "true" : "false") < 0) {
		error(resp, 500, "out of memory");
		return;
	}
	resp->status = req->svc->controller ? 200 : 503;
	resp->text = text;
}

// The controller, or NULL with 503 answered (its store could not be opened at start).
static struct weft_controller *ctl(const struct weft_api_request *req,
                                   struct weft_api_response *resp)
{
	if (!req->svc->controller)
		bodiless(resp, 503);
	return req->svc->controller;
}

void weft_api_controller_networks(const struct weft_api_request *req,
                                  struct weft_api_response *resp)
{
	struct weft_controller *c = ctl(req, resp);
	if (!c)
		return;
	size_t n = weft_controller_networks(c, NULL, 0);
	uint64_t *ids = calloc(n ? n : 1, sizeof *ids);
	if (!ids) {
		error(resp, 500, "out of memory");
		return;
	}
	n = weft_controller_networks(c, ids, n);
	resp->json = json_array();
	for (size_t i = 0; i < n; i++) {
		char k[17];
		snprintf(k, sizeof k, "%016" PRIx64, ids[i]);
		json_array_append_new(resp->json, json_string(k));
	}
	free(ids);
}

static void network_update(const struct weft_api_request *req, struct weft_api_response *resp,
                           struct weft_controller *c, uint64_t nwid)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	json_t *rec = NULL, *body = body_json(req, resp);
	if (!body)
		return;
	enum weft_result r = weft_controller_network_update(c, nwid, body, req->now_ms, &rec, why);
	json_decref(body);
	answer(resp, r, rec, why);
}

// POST /controller/network and /controller/network/ADDR______ (§2.7.3).
void weft_api_controller_network_create(const struct weft_api_request *req,
                                        struct weft_api_response *resp)
{
	struct weft_controller *c = ctl(req, resp);
	uint64_t nwid;
	if (!c)
		return;
	if (req->n_args == 1) {
		char mine[11];
		snprintf(mine, sizeof mine, "%010" PRIx64, weft_controller_address(c));
		if (memcmp(req->args[0].p, mine, 10) != 0) {
			bodiless(resp, 400); // as formatted by the controller: lower case
			return;
		}
	}
	if (weft_controller_free_id(c, &nwid) != WEFT_OK) {
		bodiless(resp, 503);
		return;
	}
	network_update(req, resp, c, nwid);
}

void weft_api_controller_network_get(const struct weft_api_request *req,
                                     struct weft_api_response *resp)
{
	struct weft_controller *c = ctl(req, resp);
	const json_t *rec = c ? weft_controller_network(c, arg_u64(&req->args[0], 16)) : NULL;
	if (c && !rec) {
		bodiless(resp, 404);
		return;
	}
	resp->json = json_incref((json_t *)rec);
}

void weft_api_controller_network_post(const struct weft_api_request *req,
                                      struct weft_api_response *resp)
{
	struct weft_controller *c = ctl(req, resp);
	if (c)
		network_update(req, resp, c, arg_u64(&req->args[0], 16));
}

void weft_api_controller_network_delete(const struct weft_api_request *req,
                                        struct weft_api_response *resp)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	json_t *old = NULL;
	struct weft_controller *c = ctl(req, resp);
	if (!c)
		return;
	enum weft_result r =
	    weft_controller_network_delete(c, arg_u64(&req->args[0], 16), &old, req->now_ms, why);
	answer(resp, r, old, why);
}

void weft_api_controller_member_list(const struct weft_api_request *req,
                                     struct weft_api_response *resp)
{
	struct weft_controller *c = ctl(req, resp);
	uint64_t nwid = arg_u64(&req->args[0], 16);
	if (!c)
		return;
	if (!weft_controller_network(c, nwid)) {
		bodiless(resp, 404);
		return;
	}
	size_t n = weft_controller_members(c, nwid, NULL, 0, NULL);
	uint64_t *ids = calloc(n ? n : 1, sizeof *ids);
	if (!ids) {
		error(resp, 500, "out of memory");
		return;
	}
	n = weft_controller_members(c, nwid, ids, n, NULL);
	resp->json = json_object();
	for (size_t i = 0; i < n; i++) {
		const json_t *m = weft_controller_member(c, nwid, ids[i]);
		const char *id = json_string_value(json_object_get(m, "id"));
		if (id && strlen(id) == 10)
			json_object_set(resp->json, id, json_object_get(m, "revision"));
	}
	free(ids);
}

void weft_api_controller_member_get(const struct weft_api_request *req,
                                    struct weft_api_response *resp)
{
	struct weft_controller *c = ctl(req, resp);
	const json_t *m =
	    c ? weft_controller_member(c, arg_u64(&req->args[0], 16), arg_u64(&req->args[1], 10))
	      : NULL;
	if (c && !m) {
		bodiless(resp, 404);
		return;
	}
	if (!c)
		return;
	resp->json = json_copy((json_t *)m);
	weft_controller_member_observed(c, arg_u64(&req->args[0], 16), arg_u64(&req->args[1], 10),
	                                req->now_ms, resp->json);
}

void weft_api_controller_member_post(const struct weft_api_request *req,
                                     struct weft_api_response *resp)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	struct weft_controller *c = ctl(req, resp);
	uint64_t nwid = arg_u64(&req->args[0], 16);
	json_t *rec = NULL, *body;
	if (!c)
		return;
	if (!weft_controller_network(c, nwid)) {
		bodiless(resp, 404); // checked before the body, as the reference does
		return;
	}
	if (!(body = body_json(req, resp)))
		return;
	enum weft_result r = weft_controller_member_update(c, nwid, arg_u64(&req->args[1], 10),
	                                                   body, req->now_ms, &rec, why);
	json_decref(body);
	if (r == WEFT_OK) {
		json_t *doc = json_copy(rec);
		json_decref(rec);
		rec = doc;
		weft_controller_member_observed(c, nwid, arg_u64(&req->args[1], 10), req->now_ms,
		                                rec);
	}
	answer(resp, r, rec, why);
}

void weft_api_controller_member_delete(const struct weft_api_request *req,
                                       struct weft_api_response *resp)
{
	char why[WEFT_CONTROLLER_WHY_MAX] = "";
	json_t *old = NULL;
	struct weft_controller *c = ctl(req, resp);
	if (!c)
		return;
	enum weft_result r = weft_controller_member_delete(
	    c, arg_u64(&req->args[0], 16), arg_u64(&req->args[1], 10), &old, req->now_ms, why);
	answer(resp, r, old, why);
}
