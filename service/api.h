// SPDX-License-Identifier: MPL-2.0
// The local HTTP API as its handlers see it (service.md §2): a parsed request in, a status and
// a JSON value out. Handlers know nothing of HTTP; http.c does transport, access and encoding,
// router.c maps method and path to a handler.
#ifndef WEFT_SERVICE_API_H
#define WEFT_SERVICE_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service.h"

enum weft_api_method {
	WEFT_API_GET = 1,
	WEFT_API_POST = 2,
	WEFT_API_PUT = 4,
	WEFT_API_DELETE = 8,
};

#define WEFT_API_MAX_ARGS 4

struct weft_api_arg {
	const char *p; // points into the request path; not NUL-terminated
	size_t len;
};

struct weft_api_request {
	struct weft_service *svc;
	int64_t now_ms;
	unsigned method; // one enum weft_api_method bit
	const char *path;
	unsigned n_args; // the path's placeholder segments, in order
	struct weft_api_arg args[WEFT_API_MAX_ARGS];
	const char *body; // NUL-terminated; "" when the request had none
	size_t body_len;
	void *conn; // http.c's connection, for weft_api_query
};

struct weft_api_response {
	unsigned status;
	json_t *json;    // owned by the response; NULL sends {} (§2.3)
	bool no_body;    // send no body and no Content-Type (unknown routes, §2.3)
	char *text;      // malloc'd, owned; when set, sent verbatim (GET /controller, §2.7.1)
	size_t text_len; // of text; 0: strlen(text)
	const char *content_type; // of text; NULL: application/json
};

typedef void (*weft_api_handler)(const struct weft_api_request *req,
                                 struct weft_api_response *resp);

// Routes the request to its handler, or answers 404 with no body (§2.3). resp is filled in.
void weft_router_dispatch(struct weft_api_request *req, struct weft_api_response *resp);
// The query parameter `name` of the request, or NULL (http.c).
const char *weft_api_query(const struct weft_api_request *req, const char *name);
// The request's body as a JSON object ({} when empty), or NULL with a 400 answered.
json_t *weft_api_body_object(const struct weft_api_request *req, struct weft_api_response *resp);
// True for paths that need no token, only a permitted source address (§2.2).
bool weft_router_is_open(const char *path);

// Handlers, one file per resource.
void weft_api_status(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_health(const struct weft_api_request *req, struct weft_api_response *resp);
// /network (api_network.c).
void weft_api_network_list(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_network_get(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_network_join(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_network_leave(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_peer_list(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_peer_get(const struct weft_api_request *req, struct weft_api_response *resp);
#define WEFT_LIMIT_MOONS_API 16
void weft_api_moon_list(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_moon_get(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_moon_orbit(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_moon_deorbit(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_counters(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_config_get(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_config_settings(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_metrics(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_bond(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_app(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_ping_send(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_ping_get(const struct weft_api_request *req, struct weft_api_response *resp);
// /controller (api_controller.c, api_controller_bulk.c).
void weft_api_controller_status(const struct weft_api_request *req, struct weft_api_response *resp);
void weft_api_controller_networks(const struct weft_api_request *req,
                                  struct weft_api_response *resp);
void weft_api_controller_network_create(const struct weft_api_request *req,
                                        struct weft_api_response *resp);
void weft_api_controller_network_get(const struct weft_api_request *req,
                                     struct weft_api_response *resp);
void weft_api_controller_network_post(const struct weft_api_request *req,
                                      struct weft_api_response *resp);
void weft_api_controller_network_delete(const struct weft_api_request *req,
                                        struct weft_api_response *resp);
void weft_api_controller_member_list(const struct weft_api_request *req,
                                     struct weft_api_response *resp);
void weft_api_controller_member_get(const struct weft_api_request *req,
                                    struct weft_api_response *resp);
void weft_api_controller_member_post(const struct weft_api_request *req,
                                     struct weft_api_response *resp);
void weft_api_controller_member_delete(const struct weft_api_request *req,
                                       struct weft_api_response *resp);
void weft_api_controller_bulk_networks(const struct weft_api_request *req,
                                       struct weft_api_response *resp);
void weft_api_controller_bulk_members(const struct weft_api_request *req,
                                      struct weft_api_response *resp);

#endif
