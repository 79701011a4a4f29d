// SPDX-License-Identifier: MPL-2.0
// weftd's running state: the node, its sockets and home, shared by the service's files.
#ifndef WEFT_SERVICE_H
#define WEFT_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "localconf.h"
#include "weft/weft.h"

struct weft_controller;
struct weft_loop;
struct weft_ports;

#define WEFT_SERVICE_MAX_SOCKETS 32 // primary and secondary port on up to 16 bind addresses
#define WEFT_SERVICE_MAX_BLOCKED 32 // subnets of interfaces in interfacePrefixBlacklist
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

	struct weft_localconf conf; // local.conf as in effect (localconf_host.c)
	int64_t conf_mtime_ns;      // of the file last read; -1: there was none
	int64_t conf_check_ms, try_ms;
	unsigned n_blocked; // subnets of blacklisted interfaces, refreshed with the conf check
	struct weft_localconf_net blocked[WEFT_SERVICE_MAX_BLOCKED];
	uint64_t udp_rx_bytes, udp_tx_bytes; // for /metrics
	struct weft_udp_batch *txb;          // datagrams of this loop turn (callbacks.c)
	struct weft_workers *workers;        // TAP worker threads (workers.c), NULL if none
};

// Sends the datagrams the node produced so far (callbacks.c); called at the end of each
// batch of input and each loop turn.
void weft_service_flush(struct weft_service *s);

// local.conf in weftd (service/localconf_host.c). Load at start: 0, or -1 with err naming
// the file and the setting (the file is left as it is).
int weft_service_conf_load(struct weft_service *s, char *err, size_t cap);
// Every loop turn: re-reads local.conf when it changed (a bad file is reported and the settings
// in use kept), tries configured peer addresses.
void weft_service_conf_tick(struct weft_service *s, int64_t now_ms);
// Settings that take effect while running (physical networks, blacklists).
void weft_service_conf_apply(struct weft_service *s);
// POST /config/settings: merges the keys of `settings` into local.conf's settings, checks the
// whole, writes it atomically (4-space indentation) and applies it. 0, or -1 with err.
int weft_service_conf_merge(struct weft_service *s, const json_t *settings, char *err, size_t cap);
// The node's path_check callback: local.conf blacklists and blacklisted interfaces' subnets.
bool weft_service_path_check(void *ctx, uint64_t address, int64_t local_socket,
                             const struct weft_inetaddr *remote);

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
