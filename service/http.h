// SPDX-License-Identifier: MPL-2.0
// weftd's local HTTP API server (service.md §2.1): libmicrohttpd on 127.0.0.1 and ::1 at the
// primary port, polled from weftd's own loop (no threads of its own).
#ifndef WEFT_SERVICE_HTTP_H
#define WEFT_SERVICE_HTTP_H

#include <stdint.h>

#include "loop.h"
#include "service.h"

struct weft_http;

// Listens on TCP 127.0.0.1 and ::1 at s->primary_port and stores the server in s->http.
// One family failing is logged; 0 if at least one listens, else -EADDRINUSE.
int weft_http_start(struct weft_service *s);
// Hands the server's descriptors to the loop. 0 or -errno.
int weft_http_attach(struct weft_http *h, struct weft_loop *loop);
// Runs timer work that is due and returns wait_ms (ms the loop means to wait; negative passes
// through), lowered to when the server next needs to run. Call once per turn, before waiting.
int64_t weft_http_bound_wait(struct weft_http *h, int64_t wait_ms);
// Closes every connection and listener. NULL is ignored.
void weft_http_stop(struct weft_http *h);

#endif
