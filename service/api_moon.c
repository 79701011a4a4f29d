// SPDX-License-Identifier: MPL-2.0
// /moon (service.md §2.5.5): the moons a node holds, orbiting through a seed, deorbiting.
// The path carries 10 hex digits; moon IDs are 64-bit, conventionally the seed's address.
#include <stdio.h>

#include "api.h"
#include "hex.h"
#include "loop.h"
#include "world.h"

static uint64_t arg_id(const struct weft_api_arg *a)
{
	uint64_t v = 0;
	weft_hex_u64(&v, a->p, a->len);
	return v;
}

static json_t *hexstr(const uint8_t *p, size_t n)
{
	char buf[2 * WEFT_SIGNATURE_LEN + 1];
	weft_hex_encode(buf, p, n);
	return json_string(buf);
}

static json_t *moon_json(const struct weft_world *w)
{
	char id[17], ep[WEFT_INETADDR_STR_MAX], ident[WEFT_IDENTITY_STR_PUBLIC_LEN + 1];
	json_t *roots = json_array();
	snprintf(id, sizeof id, "%016llx", (unsigned long long)w->id);
	for (unsigned i = 0; i < w->n_roots; i++) {
		json_t *eps = json_array();
		for (unsigned e = 0; e < w->roots[i].n_endpoints; e++) {
			weft_inetaddr_to_string(&w->roots[i].endpoints[e], ep, sizeof ep);
			json_array_append_new(eps, json_string(ep));
		}
		weft_identity_to_string(&w->roots[i].identity, false, ident, sizeof ident);
		json_array_append_new(
		    roots, json_pack("{s:s, s:o}", "identity", ident, "stableEndpoints", eps));
	}
	return json_pack("{s:s, s:o, s:o, s:I, s:o, s:b}", "id", id, "roots", roots, "signature",
	                 hexstr(w->signature, sizeof w->signature), "timestamp",
	                 (json_int_t)w->timestamp, "updatesMustBeSignedBy",
	                 hexstr(w->update_key, sizeof w->update_key), "waiting", 0);
}

// The held moon `id` as JSON, or NULL.
static json_t *held(struct weft_service *s, uint64_t id)
{
	uint8_t buf[WEFT_WORLD_MAX_LEN];
	struct weft_world w;
	struct weft_rbuf r;
	size_t n = weft_node_world(s->node, id, buf, sizeof buf);
	if (!n || !id)
		return NULL;
	rbuf_init(&r, buf, n);
	return weft_world_decode(&w, &r) == WEFT_OK ? moon_json(&w) : NULL;
}

void weft_api_moon_list(const struct weft_api_request *req, struct weft_api_response *resp)
{
	uint64_t ids[WEFT_LIMIT_MOONS_API];
	size_t n = weft_node_moons(req->svc->node, ids, WEFT_LIMIT_MOONS_API);
	resp->json = json_array();
	for (size_t i = 0; i < n && i < WEFT_LIMIT_MOONS_API; i++) {
		json_t *m = held(req->svc, ids[i]);
		if (m)
			json_array_append_new(resp->json, m);
	}
}

void weft_api_moon_get(const struct weft_api_request *req, struct weft_api_response *resp)
{
	resp->json = held(req->svc, arg_id(&req->args[0])); // NULL sends {} (§2.3)
}

void weft_api_moon_orbit(const struct weft_api_request *req, struct weft_api_response *resp)
{
	uint64_t id = arg_id(&req->args[0]), seed = 0;
	char idstr[17];
	json_t *body = weft_api_body_object(req, resp);
	if (!body)
		return;
	resp->json = held(req->svc, id);
	if (resp->json) {
		json_decref(body);
		return;
	}
	const char *s = json_string_value(json_object_get(body, "seed"));
	if (s && !weft_hex_u64(&seed, s, strlen(s)))
		seed = 0;
	json_decref(body);
	if (!seed || weft_node_orbit(req->svc->node, weft_os_now_ms(), id, seed) != WEFT_OK)
		return; // {} as the reference answers without a usable seed
	snprintf(idstr, sizeof idstr, "%016llx", (unsigned long long)id);
	resp->json = json_pack("{s:s, s:[], s:n, s:i, s:n, s:b}", "id", idstr, "roots", "signature",
	                       "timestamp", 0, "updatesMustBeSignedBy", "waiting", 1);
}

void weft_api_moon_deorbit(const struct weft_api_request *req, struct weft_api_response *resp)
{
	weft_node_deorbit(req->svc->node, weft_os_now_ms(), arg_id(&req->args[0]));
	resp->json = json_pack("{s:b}", "result", 1);
}
