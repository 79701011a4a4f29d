// SPDX-License-Identifier: MPL-2.0
// GET /peer and GET /peer/ADDR (service.md §2.5.4): the core's peer list as JSON objects.
// weft has no multipath bonding and no TCP relay yet, so isBonded and tunneled are false.
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "hex.h"
#include "inetaddr.h"

static const char *role_name(enum weft_peer_role r)
{
	switch (r) {
	case WEFT_PEER_MOON: return "MOON";
	case WEFT_PEER_PLANET: return "PLANET";
	case WEFT_PEER_LEAF: break;
	}
	return "LEAF";
}

static json_t *path_json(const struct weft_service *s, const struct weft_path_info *p)
{
	char addr[WEFT_INETADDR_STR_MAX];
	const struct weft_localconf_physical *ph =
	    weft_localconf_physical_for(&s->conf, &p->address);
	weft_inetaddr_to_string(&p->address, addr, sizeof addr);
	json_t *o = json_object();
	json_object_set_new(o, "address", json_string(addr));
	json_object_set_new(o, "lastSend", json_integer(p->last_send_ms));
	json_object_set_new(o, "lastReceive", json_integer(p->last_receive_ms));
	json_object_set_new(o, "trustedPathId",
	                    json_integer(ph ? (json_int_t)ph->trusted_path_id : 0));
	json_object_set_new(o, "active", json_boolean(!p->expired));
	json_object_set_new(o, "expired", json_boolean(p->expired));
	json_object_set_new(o, "preferred", json_boolean(p->preferred));
	json_object_set_new(o, "localSocket", json_integer(p->local_socket));
	json_object_set_new(o, "localPort", json_integer(0)); // as the reference reports on Linux
	return o;
}

static json_t *peer_json(const struct weft_service *s, const struct weft_peer_info *p)
{
	char addr[16], version[48];
	snprintf(addr, sizeof addr, "%010llx", (unsigned long long)p->address);
	snprintf(version, sizeof version, "%d.%d.%d", p->version_major, p->version_minor,
	         p->version_revision);
	json_t *o = json_object(), *paths = json_array();
	json_object_set_new(o, "address", json_string(addr));
	json_object_set_new(o, "versionMajor", json_integer(p->version_major));
	json_object_set_new(o, "versionMinor", json_integer(p->version_minor));
	json_object_set_new(o, "versionRev", json_integer(p->version_revision));
	json_object_set_new(o, "version", json_string(version));
	json_object_set_new(o, "latency", json_integer(p->latency_ms));
	json_object_set_new(o, "role", json_string(role_name(p->role)));
	json_object_set_new(o, "isBonded", json_false());
	json_object_set_new(o, "tunneled", json_false());
	for (unsigned i = 0; i < p->n_paths && i < WEFT_PEER_INFO_MAX_PATHS; i++)
		json_array_append_new(paths, path_json(s, &p->paths[i]));
	json_object_set_new(o, "paths", paths);
	return o;
}

// Every peer the node knows, in ascending address order; NULL when out of memory. The node is
// single-threaded with the service, so the count cannot change between the two calls.
static struct weft_peer_info *all_peers(const struct weft_api_request *req, size_t *n)
{
	struct weft_peer_info probe;
	*n = weft_node_peers(req->svc->node, req->now_ms, &probe, 1);
	struct weft_peer_info *list = calloc(*n ? *n : 1, sizeof *list);
	if (list && *n)
		*n = weft_node_peers(req->svc->node, req->now_ms, list, *n);
	return list;
}

static void out_of_memory(struct weft_api_response *resp)
{
	resp->status = 500;
	resp->json = json_pack("{s:i,s:s}", "error", 500, "description", "out of memory");
}

void weft_api_peer_list(const struct weft_api_request *req, struct weft_api_response *resp)
{
	size_t n;
	struct weft_peer_info *list = all_peers(req, &n);
	if (!list) {
		out_of_memory(resp);
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, peer_json(req->svc, &list[i]));
	free(list);
	resp->json = arr;
}

// An unknown peer is {} with status 200, as the reference answers (§2.5.4).
void weft_api_peer_get(const struct weft_api_request *req, struct weft_api_response *resp)
{
	uint64_t want;
	size_t n;
	if (!weft_hex_u64(&want, req->args[0].p, req->args[0].len))
		return; // the router only passes 10 hex digits
	struct weft_peer_info *list = all_peers(req, &n);
	if (!list) {
		out_of_memory(resp);
		return;
	}
	for (size_t i = 0; i < n && !resp->json; i++)
		if (list[i].address == want)
			resp->json = peer_json(req->svc, &list[i]);
	free(list);
}
