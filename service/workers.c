// SPDX-License-Identifier: MPL-2.0
#include "workers.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "gso.h"
#include "log.h"
#include "loop.h"
#include "network_port.h"
#include "udp_batch.h"

#define READS_PER_WAKE 64 // TAP reads before a worker flushes its datagrams
// A worker wakes the loop only when the core's next deadline moved this much earlier: later
// or slightly earlier deadlines are met by the loop's own wait well enough.
#define WAKE_EARLIER_MS 10

struct queue {
	struct queue *next;
	int fd;
	struct weft_port *port; // NULL once dropped: the worker closes fd and frees this
};

struct worker {
	struct weft_service *s;
	pthread_t thread;
	int ep, wake;         // the worker's epoll; eventfd: stop, or queues dropped
	struct queue *queues; // changed and walked with the lock held
	atomic_bool dropped;  // some queue waits to be closed
	struct weft_udp_batch txb;
	uint8_t buf[WEFT_TAP_READ_MAX], scratch[WEFT_GSO_SCRATCH];
};

struct weft_workers {
	pthread_mutex_t lock;
	unsigned n;
	struct worker *w[WEFT_WORKERS_MAX];
	int wake_loop;            // eventfd in the loop: the deadline moved earlier
	int64_t loop_deadline_ms; // what the loop's current wait runs to (lock held)
	atomic_bool stop;
};

static _Thread_local struct weft_udp_batch *thread_batch;

unsigned weft_workers_wanted(void)
{
	const char *e = getenv("WEFT_WORKERS");
	long n = e && *e ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN) - 1;
	return n < 0 ? 0 : n > WEFT_WORKERS_MAX ? WEFT_WORKERS_MAX : (unsigned)n;
}

unsigned weft_workers_count(const struct weft_service *s)
{
	return s->workers ? s->workers->n : 0;
}

struct weft_udp_batch *weft_workers_batch(struct weft_service *s)
{
	return thread_batch ? thread_batch : s->txb;
}

static void lock(void *ctx)
{
	pthread_mutex_lock(&((struct weft_service *)ctx)->workers->lock);
}

static void unlock(void *ctx)
{
	pthread_mutex_unlock(&((struct weft_service *)ctx)->workers->lock);
}

// The loop thread's wait hooks: it lets the workers in while it waits, noting the deadline
// its wait was computed from.
static void loop_waits(void *ctx)
{
	struct weft_service *s = ctx;
	s->workers->loop_deadline_ms = s->deadline_ms;
	unlock(s);
}

static void loop_wakes(void *ctx)
{
	lock(ctx);
}

static void poke(int fd)
{
	uint64_t one = 1;
	(void)!write(fd, &one, sizeof one);
}

static void drain(int fd)
{
	uint64_t v;
	(void)!read(fd, &v, sizeof v);
}

// Lock held: closes the queues dropped since the last look.
static void reap(struct worker *w)
{
	atomic_store(&w->dropped, false);
	for (struct queue **qq = &w->queues; *qq;) {
		struct queue *q = *qq;
		if (q->port) {
			qq = &q->next;
			continue;
		}
		*qq = q->next;
		epoll_ctl(w->ep, EPOLL_CTL_DEL, q->fd, NULL);
		close(q->fd);
		free(q);
	}
}

// Reads what waits on q; the core sees each packet's frames under the lock.
static void read_queue(struct worker *w, struct queue *q)
{
	static const struct weft_tap vnet = {.vnet = true};
	struct weft_service *s = w->s;
	struct virtio_net_hdr h;
	for (int i = 0; i < READS_PER_WAKE; i++) {
		ssize_t n = weft_tap_recv(&vnet, q->fd, &h, w->buf, sizeof w->buf);
		if (n == -EBADMSG)
			continue;
		if (n == -EBADFD || n == -EIO) { // the device went (deleted from outside):
			epoll_ctl(w->ep, EPOLL_CTL_DEL, q->fd, NULL); // stop watching, or spin
			return;
		}
		if (n <= 0)
			return;
		lock(s);
		if (q->port && q->port->tap.fd >= 0)
			weft_tap_deliver(&q->port->tap, &h, w->buf, (size_t)n, w->scratch,
			                 sizeof w->scratch, weft_ports_frame_in, q->port);
		weft_ports_flush(s);
		if (s->deadline_ms < s->workers->loop_deadline_ms - WAKE_EARLIER_MS) {
			s->workers->loop_deadline_ms = s->deadline_ms;
			poke(s->workers->wake_loop);
		}
		unlock(s);
	}
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct weft_service *s = w->s;
	struct epoll_event ev[16];
	thread_batch = &w->txb;
	while (!atomic_load(&s->workers->stop)) {
		int n = epoll_wait(w->ep, ev, 16, 1000);
		for (int i = 0; i < n; i++) {
			if (ev[i].data.ptr)
				read_queue(w, ev[i].data.ptr);
			else
				drain(w->wake);
			if (w->txb.n)
				weft_udp_batch_flush(&w->txb);
		}
		if (atomic_load(&w->dropped)) {
			lock(s);
			reap(w);
			unlock(s);
		}
	}
	return NULL;
}

static void on_wake_loop(void *ctx, int fd)
{
	(void)ctx;
	drain(fd); // the loop turn that follows re-reads the deadline
}

static void worker_free(struct worker *w)
{
	for (struct queue *q = w->queues, *next; q; q = next) {
		next = q->next;
		close(q->fd);
		free(q);
	}
	if (w->ep >= 0)
		close(w->ep);
	if (w->wake >= 0)
		close(w->wake);
	free(w);
}

static struct worker *worker_new(struct weft_service *s)
{
	struct worker *w = calloc(1, sizeof *w);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (!w)
		return NULL;
	w->s = s;
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->ep < 0 || w->wake < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev) != 0) {
		worker_free(w);
		return NULL;
	}
	return w;
}

int weft_workers_start(struct weft_service *s, unsigned n)
{
	struct weft_workers *t = calloc(1, sizeof *t);
	if (!t || n == 0) {
		free(t);
		return n == 0 ? 0 : -1;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->wake_loop = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->wake_loop < 0 || weft_loop_add(s->loop, t->wake_loop, on_wake_loop, s) != 0) {
		if (t->wake_loop >= 0)
			close(t->wake_loop);
		free(t);
		return -1;
	}
	s->workers = t;
	lock(s);
	// Workers take no signals: SIGTERM and the like go to the loop thread's signalfd.
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < n; i++) {
		struct worker *w = worker_new(s);
		if (!w)
			break;
		if (pthread_create(&w->thread, NULL, run, w) != 0) {
			worker_free(w);
			break;
		}
		t->w[t->n++] = w;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (t->n == 0) { // no thread could be made: back to one thread, no lock
		unlock(s);
		weft_loop_del(s->loop, t->wake_loop);
		close(t->wake_loop);
		pthread_mutex_destroy(&t->lock);
		free(t);
		s->workers = NULL;
		return -1;
	}
	weft_loop_set_wait_hooks(s->loop, loop_waits, loop_wakes, s);
	weft_log(WEFT_LOG_INFO, "%u TAP worker thread%s", t->n, t->n == 1 ? "" : "s");
	return 0;
}

void weft_workers_stop(struct weft_service *s)
{
	struct weft_workers *t = s->workers;
	if (!t)
		return;
	weft_loop_set_wait_hooks(s->loop, NULL, NULL, NULL);
	atomic_store(&t->stop, true);
	for (unsigned i = 0; i < t->n; i++)
		poke(t->w[i]->wake);
	unlock(s);
	// All joined before any is freed: a worker still finishing a packet may reach another
	// worker's record (a port opened by a config the core fetched on its timers).
	for (unsigned i = 0; i < t->n; i++)
		pthread_join(t->w[i]->thread, NULL);
	for (unsigned i = 0; i < t->n; i++)
		worker_free(t->w[i]);
	weft_loop_del(s->loop, t->wake_loop);
	close(t->wake_loop);
	pthread_mutex_destroy(&t->lock);
	free(t);
	s->workers = NULL;
}

void weft_workers_add_port(struct weft_service *s, struct weft_port *p)
{
	if (s->workers && atomic_load(&s->workers->stop))
		return;
	for (unsigned i = 0; i < weft_workers_count(s); i++) {
		struct worker *w = s->workers->w[i];
		struct queue *q = calloc(1, sizeof *q);
		int fd = q ? weft_tap_open_queue(&p->tap) : -ENOMEM;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = q};
		if (fd >= 0) { // filled in before the worker can see it
			q->fd = fd;
			q->port = p;
		}
		if (fd < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			weft_log(WEFT_LOG_WARN, "%s: no queue for worker %u: %s", p->tap.name, i,
			         strerror(fd < 0 ? -fd : errno));
			if (fd >= 0)
				close(fd);
			free(q);
			continue;
		}
		q->next = w->queues;
		w->queues = q;
	}
}

void weft_workers_drop_port(struct weft_service *s, struct weft_port *p)
{
	for (unsigned i = 0; i < weft_workers_count(s); i++) {
		struct worker *w = s->workers->w[i];
		bool any = false;
		for (struct queue *q = w->queues; q; q = q->next)
			if (q->port == p) {
				q->port = NULL;
				any = true;
			}
		if (any) {
			atomic_store(&w->dropped, true);
			poke(w->wake);
		}
	}
}
