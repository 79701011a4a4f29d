// SPDX-License-Identifier: MPL-2.0
// The event loop over epoll. Handlers are kept in a small table indexed by slot; the epoll
// user data carries the slot, so dispatch needs no lookup.
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define MAX_HANDLERS 64
#define MAX_EVENTS   32

struct handler {
	int fd;
	weft_loop_fn fn;
	void *ctx;
};

struct weft_loop {
	int ep;
	unsigned n;
	struct handler h[MAX_HANDLERS];
};

struct weft_loop *weft_loop_new(void)
{
	struct weft_loop *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void weft_loop_free(struct weft_loop *l)
{
	if (!l)
		return;
	close(l->ep);
	free(l);
}

int weft_loop_add(struct weft_loop *l, int fd, weft_loop_fn fn, void *ctx)
{
	if (l->n == MAX_HANDLERS)
		return -ENOSPC;
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = l->n};
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
		return -errno;
	l->h[l->n++] = (struct handler){fd, fn, ctx};
	return 0;
}

int weft_loop_run_once(struct weft_loop *l, int timeout_ms)
{
	struct epoll_event ev[MAX_EVENTS];
	int n = epoll_wait(l->ep, ev, MAX_EVENTS, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct handler *h = &l->h[ev[i].data.u32];
		h->fn(h->ctx, h->fd);
	}
	return n;
}

int64_t weft_os_now_ms(void)
{
	static int64_t offset;
	struct timespec mono;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	int64_t m = (int64_t)mono.tv_sec * 1000 + mono.tv_nsec / 1000000;
	if (!offset) {
		struct timespec wall;
		clock_gettime(CLOCK_REALTIME, &wall);
		offset = (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000 - m;
	}
	return m + offset;
}
