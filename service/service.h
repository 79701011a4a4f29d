// SPDX-License-Identifier: MPL-2.0
// weftd's running state: the node, its sockets and home, shared by the service's files.
#ifndef WEFT_SERVICE_H
#define WEFT_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "weft/weft.h"

#define WEFT_SERVICE_MAX_SOCKETS 4

struct weft_service {
	const char *home;
	struct weft_node *node;
	unsigned n_socks;
	int socks[WEFT_SERVICE_MAX_SOCKETS];
	uint8_t sock_family[WEFT_SERVICE_MAX_SOCKETS];
	uint16_t primary_port, secondary_port;
	int64_t deadline_ms;
	volatile bool stop;
};

// Node callbacks bound to the service (service/callbacks.c).
void weft_service_callbacks(struct weft_service *s, struct weft_node_callbacks *cb);

#endif
