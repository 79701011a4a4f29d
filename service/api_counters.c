// SPDX-License-Identifier: MPL-2.0
// weft extension: GET /unstable/counters — the node's named counters (packets in and out,
// drops by reason), for diagnosis until /metrics exists.
#include "api.h"

void weft_api_counters(const struct weft_api_request *req, struct weft_api_response *resp)
{
	const char *names[128];
	uint64_t values[128];
	size_t n = weft_node_counters(req->svc->node, names, values, 128);
	json_t *o = json_object();
	for (size_t i = 0; i < n && i < 128 && o; i++)
		json_object_set_new(o, names[i], json_integer((json_int_t)values[i]));
	resp->json = o;
}
