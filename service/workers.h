// SPDX-License-Identifier: MPL-2.0
// Worker threads for a multi-queue TAP (one per further core): each owns one queue of every
// port and carries the frames it reads into the core and out as datagrams. The core is not
// thread-safe, so one lock covers it and all service state; the loop thread holds it except
// while waiting, a worker only while the core handles what it read. What runs in parallel
// is the system calls: TAP reads and datagram sends on the workers beside the loop's work.
#ifndef WEFT_SERVICE_WORKERS_H
#define WEFT_SERVICE_WORKERS_H

#include "service.h"

#define WEFT_WORKERS_MAX 4

struct weft_port;

// How many workers to run: WEFT_WORKERS if set (0..WEFT_WORKERS_MAX), else one per online
// CPU beyond the first, at most WEFT_WORKERS_MAX.
unsigned weft_workers_wanted(void);
// Starts n workers; the calling (loop) thread holds the lock from now on. 0, or -1 if
// threads could not be made (then none run and no lock is needed).
int weft_workers_start(struct weft_service *s, unsigned n);
// Stops and joins the workers (they close their queues); call from the loop thread.
void weft_workers_stop(struct weft_service *s);
unsigned weft_workers_count(const struct weft_service *s);
// With the lock held: each worker gets a queue of p's multi-queue TAP (p->tap.multi).
void weft_workers_add_port(struct weft_service *s, struct weft_port *p);
// With the lock held, before p goes: the workers stop reading p's queues and close them.
void weft_workers_drop_port(struct weft_service *s, struct weft_port *p);
// The datagram batch of the calling thread: a worker's own, else s->txb.
struct weft_udp_batch *weft_workers_batch(struct weft_service *s);

#endif
