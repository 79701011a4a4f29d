// SPDX-License-Identifier: MPL-2.0
// Hosts the embedded controller in weftd: its records in HOME/controller.d (service.md §1.5),
// loaded once the node's address is known; members' config requests reach it from the node,
// and what it sends goes back out through the node. Diagnostics go to weftd's log.
#include <stdio.h>

#include "controller.h"
#include "log.h"
#include "node.h"
#include "random.h"
#include "service.h"

static void log_line(void *ctx, const char *msg)
{
	(void)ctx;
	weft_log(WEFT_LOG_WARN, "%s", msg);
}

static void send_config(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id,
                        const void *dict, size_t len, int64_t now_ms)
{
	struct weft_service *s = ctx;
	enum weft_result r =
	    weft_node_send_config(s->node, now_ms, nwid, member, request_id, dict, len);
	if (r != WEFT_OK)
		weft_log(WEFT_LOG_WARN, "controller: config for %010llx not sent: %s",
		         (unsigned long long)member, weft_result_str(r));
}

static void send_error(void *ctx, uint64_t nwid, uint64_t member, uint64_t request_id,
                       unsigned code, int64_t now_ms)
{
	struct weft_service *s = ctx;
	weft_node_send_config_error(s->node, now_ms, nwid, member, request_id, code);
}

static void send_credentials(void *ctx, uint64_t member, const void *payload, size_t len,
                             int64_t now_ms)
{
	struct weft_service *s = ctx;
	weft_node_send_credentials(s->node, now_ms, member, payload, len);
}

void weft_service_controller_open(struct weft_service *s)
{
	char dir[4200];
	struct weft_store store;
	struct weft_controller_env env = {
	    .address = weft_node_address(s->node),
	    .random = weft_os_random,
	    .log = log_line,
	    .signer = weft_node_identity(s->node),
	    .send_ctx = s,
	    .send_config = send_config,
	    .send_error = send_error,
	    .send_credentials = send_credentials,
	};
	if (s->conf.controller_db_path) // settings.controllerDbPath (§4.1)
		snprintf(dir, sizeof dir, "%s", s->conf.controller_db_path);
	else
		snprintf(dir, sizeof dir, "%s/controller.d", s->home);
	enum weft_result r = weft_store_fs_open(&store, dir);
	if (r == WEFT_OK)
		r = weft_controller_new(&s->controller, &env, store);
	if (r != WEFT_OK)
		weft_log(WEFT_LOG_ERROR,
		         "controller: %s cannot be used (%s); /controller answers 503", dir,
		         weft_result_str(r));
}

void weft_service_controller_request(struct weft_service *s, const struct weft_config_request *rq,
                                     int64_t now_ms)
{
	if (!s->controller) { // as a node without a controller answers
		weft_node_send_config_error(s->node, now_ms, rq->network_id, rq->requester,
		                            rq->request_id, 5);
		return;
	}
	struct weft_ctl_request q = {
	    .nwid = rq->network_id,
	    .member = rq->requester,
	    .request_id = rq->request_id,
	    .identity = rq->requester_identity,
	    .metadata = rq->metadata,
	    .metadata_len = rq->metadata_len,
	    .physical = rq->physical,
	};
	weft_controller_request(s->controller, &q, now_ms);
}

void weft_service_controller_close(struct weft_service *s)
{
	weft_controller_free(s->controller);
	s->controller = NULL;
}
