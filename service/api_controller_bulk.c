// SPDX-License-Identifier: MPL-2.0
// /unstable/controller/... (service.md §2.7.11): whole records in bulk, with their counts.
// Beyond the reference, ?offset=N&limit=N select a window of the ascending list; meta keeps
// the counts of the whole list.
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "controller.h"
#include "hex.h"

// ?name= as a non-negative decimal, dflt when absent; false if present and malformed.
static bool query_count(const struct weft_api_request *req, const char *name, size_t dflt,
                        size_t *out)
{
	const char *s = weft_api_query(req, name);
	char *end;
	*out = dflt;
	if (!s)
		return true;
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return false;
	*out = (size_t)strtoul(s, &end, 10);
	return true;
}

// The window [*first, *first + *n) of a list of total entries; false with 400 answered.
static bool window(const struct weft_api_request *req, struct weft_api_response *resp, size_t total,
                   size_t *first, size_t *n)
{
	size_t limit;
	const char *bad = !query_count(req, "offset", 0, first)       ? "offset"
	                  : !query_count(req, "limit", total, &limit) ? "limit"
	                                                              : NULL;
	if (bad) {
		resp->status = 400;
		resp->json = json_pack("{s:i, s:s+}", "error", 400, "description", bad,
		                       ": must be a non-negative decimal number");
		return false;
	}
	if (*first > total)
		*first = total;
	*n = total - *first < limit ? total - *first : limit;
	return true;
}

static uint64_t *all_ids(struct weft_controller *c, uint64_t nwid, bool members, size_t *n,
                         size_t *authorized)
{
	*n = members ? weft_controller_members(c, nwid, NULL, 0, NULL)
	             : weft_controller_networks(c, NULL, 0);
	uint64_t *ids = calloc(*n ? *n : 1, sizeof *ids);
	if (ids)
		*n = members ? weft_controller_members(c, nwid, ids, *n, authorized)
		             : weft_controller_networks(c, ids, *n);
	return ids;
}

static void no_memory(struct weft_api_response *resp)
{
	resp->status = 500;
	resp->json = json_pack("{s:i, s:s}", "error", 500, "description", "out of memory");
}

void weft_api_controller_bulk_networks(const struct weft_api_request *req,
                                       struct weft_api_response *resp)
{
	struct weft_controller *c = req->svc->controller;
	size_t total, first, n;
	uint64_t *ids;
	if (!c) {
		*resp = (struct weft_api_response){.status = 503, .no_body = true};
		return;
	}
	if (!(ids = all_ids(c, 0, false, &total, NULL))) {
		no_memory(resp);
		return;
	}
	if (!window(req, resp, total, &first, &n)) {
		free(ids);
		return;
	}
	json_t *data = json_array();
	for (size_t i = first; i < first + n; i++) {
		size_t auth, members = weft_controller_members(c, ids[i], NULL, 0, &auth);
		json_t *rec = json_copy((json_t *)weft_controller_network(c, ids[i]));
		json_object_set_new(rec, "meta",
		                    json_pack("{s:I, s:I}", "authorizedMemberCount",
		                              (json_int_t)auth, "totalMemberCount",
		                              (json_int_t)members));
		json_array_append_new(data, rec);
	}
	free(ids);
	resp->json =
	    json_pack("{s:o, s:{s:I}}", "data", data, "meta", "networkCount", (json_int_t)total);
}

void weft_api_controller_bulk_members(const struct weft_api_request *req,
                                      struct weft_api_response *resp)
{
	struct weft_controller *c = req->svc->controller;
	uint64_t nwid = 0, *ids;
	size_t total, auth, first, n;
	weft_hex_u64(&nwid, req->args[0].p, 16);
	if (!c || !weft_controller_network(c, nwid)) {
		*resp = (struct weft_api_response){.status = c ? 404 : 503, .no_body = true};
		return;
	}
	if (!(ids = all_ids(c, nwid, true, &total, &auth))) {
		no_memory(resp);
		return;
	}
	if (!window(req, resp, total, &first, &n)) {
		free(ids);
		return;
	}
	json_t *data = json_array();
	for (size_t i = first; i < first + n; i++) {
		json_t *m = json_copy((json_t *)weft_controller_member(c, nwid, ids[i]));
		weft_controller_member_observed(c, nwid, ids[i], req->now_ms, m);
		json_array_append_new(data, m);
	}
	free(ids);
	resp->json = json_pack("{s:o, s:{s:I, s:I}}", "data", data, "meta", "authorizedCount",
	                       (json_int_t)auth, "totalCount", (json_int_t)total);
}
