// SPDX-License-Identifier: MPL-2.0
// The event loop over epoll. Handlers are kept in a small table indexed by slot; the epoll
// user data carries the slot, so dispatch needs no lookup. A removed slot has fd -1 and is
// skipped if an event for it is still in the batch being dispatched.
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
	void (*before)(void *), (*after)(void *);
	void *hook_ctx;
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
	unsigned slot = 0;
	while (slot < l->n && l->h[slot].fd >= 0)
		slot++;
	if (slot == MAX_HANDLERS)
		return -ENOSPC;
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = slot};
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
		return -errno;
	l->h[slot] = (struct handler){fd, fn, ctx};
	if (slot == l->n)
		l->n++;
	return 0;
}

void weft_loop_del(struct weft_loop *l, int fd)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (l->h[i].fd != fd)
			continue;
		epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
		l->h[i] = (struct handler){.fd = -1};
		return;
	}
}

int weft_loop_run_once(struct weft_loop *l, int timeout_ms)
{
	struct epoll_event ev[MAX_EVENTS];
	if (l->before)
		l->before(l->hook_ctx);
	int n = epoll_wait(l->ep, ev, MAX_EVENTS, timeout_ms);
	if (l->after)
		l->after(l->hook_ctx);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct handler *h = &l->h[ev[i].data.u32];
		if (h->fd >= 0)
			h->fn(h->ctx, h->fd);
	}
	return n;
}

void weft_loop_set_wait_hooks(struct weft_loop *l, void (*before)(void *), void (*after)(void *),
                              void *ctx)
{
	l->before = before;
	l->after = after;
	l->hook_ctx = ctx;
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
