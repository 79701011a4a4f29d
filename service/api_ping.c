// SPDX-License-Identifier: MPL-2.0
// weft extension to the local API: POST /peer/ADDR/ping sends an ECHO through the node
// (direct or relayed, resolving the address through the roots if needed) and returns a cookie;
// GET /peer/ADDR/ping/COOKIE says whether and how it was answered. `weft ping` uses both.
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "hex.h"
#include "loop.h"
#include "random.h"

static uint64_t arg_hex(const struct weft_api_arg *a)
{
	uint64_t v = 0;
	weft_hex_u64(&v, a->p, a->len);
	return v;
}

static json_t *ping_json(const struct weft_ping *p)
{
	char cookie[17];
	snprintf(cookie, sizeof cookie, "%016llx", (unsigned long long)p->cookie);
	return json_pack("{s:s, s:b, s:I, s:b}", "cookie", cookie, "replied", p->reply_ms != 0,
	                 "latency", (json_int_t)(p->reply_ms ? p->reply_ms - p->sent_ms : -1),
	                 "direct", p->direct);
}

void weft_api_ping_send(const struct weft_api_request *req, struct weft_api_response *resp)
{
	struct weft_service *s = req->svc;
	struct weft_ping *p = &s->pings[s->next_ping++ % WEFT_SERVICE_MAX_PINGS];
	uint64_t dest = arg_hex(&req->args[0]), cookie = 0;
	while (!cookie)
		weft_os_random(NULL, &cookie, sizeof cookie);
	enum weft_result r = weft_node_ping(s->node, req->now_ms, dest, cookie);
	if (r != WEFT_OK) {
		resp->status = 400;
		resp->json = json_pack("{s:s}", "error", weft_result_str(r));
		return;
	}
	*p = (struct weft_ping){.cookie = cookie, .dest = dest, .sent_ms = req->now_ms};
	resp->json = ping_json(p);
}

void weft_api_ping_get(const struct weft_api_request *req, struct weft_api_response *resp)
{
	struct weft_service *s = req->svc;
	uint64_t dest = arg_hex(&req->args[0]), cookie = arg_hex(&req->args[1]);
	for (unsigned i = 0; i < WEFT_SERVICE_MAX_PINGS; i++) {
		if (s->pings[i].cookie == cookie && s->pings[i].dest == dest && cookie) {
			resp->json = ping_json(&s->pings[i]);
			return;
		}
	}
	resp->status = 404;
}

void weft_service_ping_reply(struct weft_service *s, const struct weft_echo_reply *e)
{
	for (unsigned i = 0; i < WEFT_SERVICE_MAX_PINGS; i++) {
		struct weft_ping *p = &s->pings[i];
		if (p->cookie == e->cookie && p->dest == e->source && !p->reply_ms) {
			p->reply_ms = weft_os_now_ms();
			p->direct = e->direct;
		}
	}
}
