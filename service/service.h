// SPDX-License-Identifier: MPL-2.0
// weftd's running state: the node, its sockets and home, shared by the service's files.
#ifndef WEFT_SERVICE_H
#define WEFT_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "weft/weft.h"

struct weft_controller;
struct weft_loop;
struct weft_ports;

#define WEFT_SERVICE_MAX_SOCKETS 4
#define WEFT_SERVICE_MAX_PINGS   64

// One ECHO probe sent for the API (POST /peer/ADDR/ping) and its answer, if any.
struct weft_ping {
	uint64_t cookie; // 0: free
	uint64_t dest;
	int64_t sent_ms, reply_ms; // reply_ms 0 until answered
	bool direct;
};

struct weft_service {
	const char *home;
	struct weft_node *node;
	unsigned n_socks;
	int socks[WEFT_SERVICE_MAX_SOCKETS];
	uint8_t sock_family[WEFT_SERVICE_MAX_SOCKETS];
	uint16_t primary_port, secondary_port;
	int64_t deadline_ms;
	volatile bool stop;
	char authtoken[WEFT_AUTH_TOKEN_MAX];            // trimmed authtoken.secret (§1.2)
	char metricstoken[WEFT_AUTH_TOKEN_MAX];         // trimmed metricstoken.secret
	struct weft_http *http;                         // the local API (http.c)
	struct weft_controller *controller;             // NULL if controller.d cannot be used
	struct weft_ping pings[WEFT_SERVICE_MAX_PINGS]; // outstanding `weft ping` probes
	unsigned next_ping;
	struct weft_loop *loop;   // the event loop; TAP descriptors join it (network_port.c)
	struct weft_ports *ports; // joined networks' ports; NULL until the first join
};

// Records an ECHO reply against its probe (service/api_ping.c).
void weft_service_ping_reply(struct weft_service *s, const struct weft_echo_reply *e);

// The embedded controller over HOME/controller.d (service/controller_host.c). Open logs and
// leaves s->controller NULL when the directory cannot be used.
void weft_service_controller_open(struct weft_service *s);
void weft_service_controller_close(struct weft_service *s);
// A member's config request, from the node's callback.
void weft_service_controller_request(struct weft_service *s, const struct weft_config_request *rq,
                                     int64_t now_ms);

// Node callbacks bound to the service (service/callbacks.c).
void weft_service_callbacks(struct weft_service *s, struct weft_node_callbacks *cb);

#endif
