// SPDX-License-Identifier: MPL-2.0
// One event loop (epoll on Linux): file descriptors with callbacks, a timeout per turn.
#ifndef WEFT_OS_LOOP_H
#define WEFT_OS_LOOP_H

#include <stdint.h>

struct weft_loop;
typedef void (*weft_loop_fn)(void *ctx, int fd);

struct weft_loop *weft_loop_new(void);
void weft_loop_free(struct weft_loop *loop);
// Calls fn(ctx, fd) whenever fd is readable. Returns 0 or -errno.
int weft_loop_add(struct weft_loop *loop, int fd, weft_loop_fn fn, void *ctx);
// Stops watching fd (call before closing it); its slot is reused. Unknown fds are ignored.
void weft_loop_del(struct weft_loop *loop, int fd);
// Waits up to timeout_ms (-1: forever) and dispatches what is ready. Returns the number of
// callbacks run, or -errno (EINTR is reported as 0).
int weft_loop_run_once(struct weft_loop *loop, int timeout_ms);
// Calls before(ctx) as each wait starts and after(ctx) as it ends (weftd releases its core lock
// to worker threads while it waits).
void weft_loop_set_wait_hooks(struct weft_loop *loop, void (*before)(void *), void (*after)(void *),
                              void *ctx);

// Milliseconds: wall-clock at start, advancing monotonically (immune to clock steps).
int64_t weft_os_now_ms(void);

#endif
