// SPDX-License-Identifier: MPL-2.0
// Root throughput on loopback (vl1.md §6.3, §5.4): packets per second a real weftd root relays
// from node A to node B, beside a plain UDP forwarder doing the same socket calls (the ceiling)
// and their ratio; then HELLOs from a known peer answered per second, beside a UDP echo, and
// the cost of validating a new identity. A and B are in-process nodes that come online first.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sodium.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "fs.h"
#include "hello.h"
#include "identity.h"
#include "loop.h"
#include "packet.h"
#include "random.h"
#include "udp.h"
#include "world.h"

#define RUNS           31   // bursts per figure and server; the figure is their median
#define BURST          32   // packets per sendmmsg
#define BURST_MAX      4000 // packets queued at a stopped server, at most
#define COLLECT_IDLE_S 0.05 // a burst is over when nothing more came for this long
#define RX_BATCH       32
#define RX_MAX         2048 // every datagram measured is smaller
#define N_PACKETS      1024 // distinct packets per size, sent in a cycle
#define N_HELLOS       2000
#define SETUP_MS       5000 // weftd bound, then both nodes online
#define PROBE_MS       3000 // the root relays a first packet
#define ID_SAMPLES     5
#define PLANET_ID      0x7765667462656e63ULL // "weftbenc"

static const size_t sizes[] = {100, 1000, 1400};
#define N_SIZES (sizeof sizes / sizeof sizes[0])

// An in-process node with its own UDP socket and state kept in memory.
struct host {
	int fd;
	struct weft_inetaddr addr; // 127.0.0.1:port
	struct weft_node *node;
	int64_t deadline_ms;
	const uint8_t *planet;
	size_t planet_len;
	char secret[WEFT_IDENTITY_STR_SECRET_LEN + 2];
	size_t secret_len;
	struct weft_identity id; // with its secret
};

// Same-length packets, back to back.
struct batch {
	size_t n, len;
	uint8_t *data;
};

// Datagrams from `src` to `dst` (header fields) that arrived on one socket in a burst.
struct tally {
	uint64_t src, dst;
	uint64_t got;
	double first, last; // kernel receive timestamps (SO_TIMESTAMPNS), seconds
	size_t sample_len;  // the first one, kept for a validity check
	uint8_t sample[RX_MAX];
};

// recvmmsg buffers with room for a timestamp each.
struct rx {
	struct mmsghdr mh[RX_BATCH];
	struct iovec iov[RX_BATCH];
	uint8_t data[RX_BATCH][RX_MAX];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct timespec))];
	} ctl[RX_BATCH];
};

struct outcome {
	double pps;    // datagrams per second out of the server, 0 if too few came
	double cpu_ns; // server CPU time per datagram
	uint64_t sent, got;
};

struct bench {
	char home[64];
	const char *weftd;
	cpu_set_t server_cpus;
	bool pinned;
	pid_t root_pid, fwd_pid[2]; // forwarder 0 sends to B, forwarder 1 back to A
	struct weft_inetaddr root_addr, fwd_addr[2];
	struct weft_identity root_id;
	uint8_t planet[WEFT_WORLD_MAX_LEN];
	size_t planet_len;
	struct host a, b;
	bool probe_seen;
	struct batch msgs[N_SIZES], hellos;
	struct tally tally;
	struct rx rx;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void pause_us(long us)
{
	struct timespec ts = {0, us * 1000};
	nanosleep(&ts, NULL);
}

static _Noreturn void die(struct bench *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void loopback(struct weft_inetaddr *a, uint16_t port)
{
	static const uint8_t ip[4] = {127, 0, 0, 1};
	weft_inetaddr_set_v4(a, ip, port);
}

// A UDP socket on a kernel-chosen port; *addr is how loopback senders reach it.
static int open_socket(struct weft_inetaddr *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd = weft_udp_bind(WEFT_INET_V4, 0);
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	weft_inet_from_sockaddr(addr, &ss);
	loopback(addr, addr->port);
	return fd;
}

// Nanoseconds a process has run, all its threads, softirq work done in its context included.
// -1 if the kernel does not say.
static double cpu_ns(pid_t pid)
{
	char path[300];
	unsigned long long ns, sum = 0;
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
		FILE *f = fopen(path, "r");
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		if (f)
			fclose(f);
	}
	closedir(d);
	return sum ? (double)sum : -1;
}

// ---- the root: a weftd in a temporary home -------------------------------------------------

static void write_file(struct bench *b, const char *name, const void *data, size_t len, mode_t mode)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", b->home, name);
	if (weft_fs_write_atomic(path, data, len, mode) != 0)
		die(b, "cannot write %s", path);
}

static void make_planet(struct bench *b)
{
	struct weft_world w = {.type = WEFT_WORLD_PLANET, .id = PLANET_ID, .timestamp = 1};
	struct weft_wbuf out;
	memcpy(w.update_key, b->root_id.pub, sizeof w.update_key);
	w.n_roots = 1;
	w.roots[0].identity = b->root_id;
	memset(w.roots[0].identity.sec, 0, WEFT_IDENTITY_KEY_LEN);
	w.roots[0].identity.has_secret = false;
	w.roots[0].n_endpoints = 1;
	w.roots[0].endpoints[0] = b->root_addr;
	if (weft_world_sign(&w, b->root_id.pub, b->root_id.sec) != WEFT_OK)
		die(b, "cannot sign the planet");
	wbuf_init(&out, b->planet, sizeof b->planet);
	weft_world_encode(&w, &out);
	if (out.bad)
		die(b, "planet does not fit");
	b->planet_len = out.len;
	write_file(b, "planet", b->planet, b->planet_len, 0644);
}

static void make_root_home(struct bench *b)
{
	char s[WEFT_IDENTITY_STR_SECRET_LEN + 1];
	strcpy(b->home, "/tmp/weft-bench-vl1-XXXXXX");
	if (!mkdtemp(b->home))
		die(b, "cannot create a temporary directory");
	if (weft_identity_generate(&b->root_id, weft_os_random, NULL) != WEFT_OK)
		die(b, "cannot generate the root identity");
	size_t n = weft_identity_to_string(&b->root_id, true, s, sizeof s);
	write_file(b, "identity.secret", s, n, 0600);
	n = weft_identity_to_string(&b->root_id, false, s, sizeof s);
	write_file(b, "identity.public", s, n, 0644);
	for (int i = 0; i < 256 && !b->root_addr.port; i++) {
		uint16_t p;
		weft_os_random(NULL, &p, sizeof p);
		p = (uint16_t)(20000 + p % 40000);
		if (weft_udp_port_usable(p))
			loopback(&b->root_addr, p);
	}
	if (!b->root_addr.port)
		die(b, "no free UDP port for the root");
	make_planet(b);
}

// Forks a child that dies with us, runs on the server CPU, and never returns from `fn`.
static pid_t spawn(struct bench *b, void (*fn)(struct bench *b, void *arg), void *arg)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (b->pinned)
		sched_setaffinity(0, sizeof b->server_cpus, &b->server_cpus);
	fn(b, arg);
	_exit(127);
}

static void exec_weftd(struct bench *b, void *arg)
{
	char port[16], path[128];
	(void)arg;
	snprintf(port, sizeof port, "-p%u", b->root_addr.port);
	snprintf(path, sizeof path, "%s/weftd.log", b->home);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	setenv("WEFT_ALLOW_LOOPBACK", "1", 1);
	execl(b->weftd, b->weftd, "-U", port, b->home, (char *)NULL);
	fprintf(stderr, "exec %s: %s\n", b->weftd, strerror(errno));
}

// True once some socket is bound to UDP `port` (read from /proc/net/udp).
static bool port_bound(uint16_t port)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/net/udp", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof line, f)) {
		unsigned p;
		found = sscanf(line, " %*u: %*x:%x", &p) == 1 && p == port;
	}
	fclose(f);
	return found;
}

static void start_root(struct bench *b)
{
	int status;
	if (access(b->weftd, X_OK) != 0)
		die(b, "%s not found: build it first, or set WEFT_WEFTD", b->weftd);
	b->root_pid = spawn(b, exec_weftd, NULL);
	if (b->root_pid < 0)
		die(b, "cannot fork");
	for (double t0 = now_s(); !port_bound(b->root_addr.port); pause_us(10000)) {
		if (waitpid(b->root_pid, &status, WNOHANG) == b->root_pid) {
			b->root_pid = 0;
			die(b, "%s exited at start", b->weftd);
		}
		if (now_s() - t0 > SETUP_MS / 1e3)
			die(b, "%s did not bind UDP port %u", b->weftd, b->root_addr.port);
	}
}

// ---- the ceiling: recvmmsg(32) + one sendto per datagram, in weftd's epoll loop ------------

struct forwarder {
	int fd;
	struct weft_inetaddr to;
};

static void forward(void *ctx, int fd)
{
	static struct weft_udp_msg msgs[WEFT_UDP_BATCH];
	struct forwarder *f = ctx;
	int n = weft_udp_recv(fd, msgs, WEFT_UDP_BATCH);
	for (int i = 0; i < n; i++)
		weft_udp_send(fd, &f->to, msgs[i].data, msgs[i].len, 0);
}

static void run_forwarder(struct bench *b, void *arg)
{
	struct weft_loop *loop = weft_loop_new();
	(void)b;
	if (!loop || weft_loop_add(loop, ((struct forwarder *)arg)->fd, forward, arg) != 0)
		return;
	for (;;)
		weft_loop_run_once(loop, 1000);
}

// Before any thread exists: forked children then only run code that is theirs.
static void start_forwarder(struct bench *b, int i, const struct weft_inetaddr *to)
{
	struct forwarder f = {.to = *to};
	f.fd = open_socket(&b->fwd_addr[i]);
	if (f.fd < 0)
		die(b, "cannot open the forwarder's socket");
	b->fwd_pid[i] = spawn(b, run_forwarder, &f);
	close(f.fd);
	if (b->fwd_pid[i] < 0)
		die(b, "cannot fork");
}

static void stop_child(pid_t *pid)
{
	int status;
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	kill(*pid, SIGCONT); // in case it was stopped mid-burst
	for (int i = 0; i < 200 && waitpid(*pid, &status, WNOHANG) == 0; i++)
		pause_us(10000);
	if (waitpid(*pid, &status, WNOHANG) == 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, &status, 0);
	}
	*pid = 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void cleanup(struct bench *b)
{
	stop_child(&b->root_pid);
	stop_child(&b->fwd_pid[0]);
	stop_child(&b->fwd_pid[1]);
	if (b->home[0])
		nftw(b->home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	b->home[0] = 0;
}

static void die(struct bench *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "bench/vl1: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	if (b->home[0]) { // show the root's log, if any, before it goes
		char path[128];
		snprintf(path, sizeof path, "%s/weftd.log", b->home);
		char *log = weft_fs_read(path, 1 << 16, NULL);
		if (log && *log)
			fprintf(stderr, "--- weftd.log\n%s", log);
		free(log);
	}
	cleanup(b);
	exit(1);
}

// ---- nodes A and B -------------------------------------------------------------------------

static int host_send(void *ctx, int64_t sock, const struct weft_inetaddr *to, const void *data,
                     size_t len, unsigned ttl)
{
	struct host *h = ctx;
	(void)sock;
	return to->family == WEFT_INET_V4 ? weft_udp_send(h->fd, to, data, len, ttl) : -1;
}

static void host_put(void *ctx, enum weft_state_object type, uint64_t id, const void *data,
                     size_t len)
{
	struct host *h = ctx;
	(void)id;
	if (type == WEFT_STATE_IDENTITY_SECRET && data && len < sizeof h->secret) {
		memcpy(h->secret, data, len);
		h->secret_len = len;
	}
}

static long host_get(void *ctx, enum weft_state_object type, uint64_t id, void *buf, size_t cap)
{
	struct host *h = ctx;
	(void)id;
	if (type == WEFT_STATE_PLANET && h->planet_len <= cap) {
		memcpy(buf, h->planet, h->planet_len);
		return (long)h->planet_len;
	}
	if (type == WEFT_STATE_IDENTITY_SECRET && h->secret_len && h->secret_len <= cap) {
		memcpy(buf, h->secret, h->secret_len);
		return (long)h->secret_len;
	}
	return -1;
}

static void host_event(void *ctx, enum weft_event ev, const void *data)
{
	(void)ctx, (void)ev, (void)data;
}

static void start_host(struct bench *b, struct host *h)
{
	struct weft_node_callbacks cb = {.ctx = h,
	                                 .wire_send = host_send,
	                                 .random = weft_os_random,
	                                 .state_put = host_put,
	                                 .state_get = host_get,
	                                 .event = host_event};
	h->planet = b->planet;
	h->planet_len = b->planet_len;
	h->fd = open_socket(&h->addr);
	if (h->fd < 0)
		die(b, "cannot open a node socket");
	int64_t now = weft_os_now_ms();
	if (weft_node_new(&h->node, &cb, now) != WEFT_OK)
		die(b, "weft_node_new failed");
	weft_node_allow_loopback_paths(h->node, true);
	if (weft_identity_from_string(&h->id, h->secret, h->secret_len, NULL) != WEFT_OK)
		die(b, "node identity unreadable");
	weft_node_process_background(h->node, now, &h->deadline_ms);
}

// The probe is the first packet of the smallest batch; it reaches B only through the root.
static bool is_probe(const struct bench *b, const struct weft_udp_msg *m)
{
	return m->len == b->msgs[0].len && !memcmp(m->data, b->msgs[0].data, 8);
}

static void feed(struct bench *b, struct host *h)
{
	static struct weft_udp_msg msgs[WEFT_UDP_BATCH];
	int n = weft_udp_recv(h->fd, msgs, WEFT_UDP_BATCH);
	int64_t now = weft_os_now_ms();
	for (int i = 0; i < n; i++) {
		if (h == &b->b && is_probe(b, &msgs[i])) {
			b->probe_seen = true; // kept from B: no RENDEZVOUS-driven direct path
			continue;
		}
		weft_node_process_wire_packet(h->node, now, 0, &msgs[i].from, msgs[i].data,
		                              msgs[i].len, &h->deadline_ms);
	}
}

// One turn of the nodes' event loop: at most 10 ms.
static void pump(struct bench *b)
{
	struct pollfd p[2] = {{.fd = b->a.fd, .events = POLLIN}, {.fd = b->b.fd, .events = POLLIN}};
	struct host *h[2] = {&b->a, &b->b};
	poll(p, 2, 10);
	for (int i = 0; i < 2; i++) {
		if (p[i].revents & POLLIN)
			feed(b, h[i]);
		int64_t now = weft_os_now_ms();
		if (now >= h[i]->deadline_ms)
			weft_node_process_background(h[i]->node, now, &h[i]->deadline_ms);
	}
}

// Both nodes online with the root, and the root relaying A -> B: then it holds both paths.
static void bring_up(struct bench *b)
{
	double t0 = now_s(), last_probe = 0;
	while (!weft_node_online(b->a.node) || !weft_node_online(b->b.node)) {
		if (now_s() - t0 > SETUP_MS / 1e3)
			die(b, "nodes not online with the root after %d ms", SETUP_MS);
		pump(b);
	}
	for (t0 = now_s(); !b->probe_seen; pump(b)) {
		if (now_s() - t0 > PROBE_MS / 1e3)
			die(b, "the root relayed nothing from A to B in %d ms", PROBE_MS);
		if (now_s() - last_probe > 0.1) {
			last_probe = now_s();
			weft_udp_send(b->a.fd, &b->root_addr, b->msgs[0].data, b->msgs[0].len, 0);
		}
	}
	// From here on the nodes rest and the bench reads their sockets, with receive times.
	int on = 1;
	setsockopt(b->a.fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
	setsockopt(b->b.fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

// ---- the packets ---------------------------------------------------------------------------

static void batch_alloc(struct bench *b, struct batch *bt, size_t n, size_t len)
{
	bt->n = n;
	bt->len = len;
	bt->data = malloc(n * len);
	if (!bt->data)
		die(b, "out of memory");
}

static void agree(struct bench *b, const struct weft_identity *them, struct weft_cipher_key *k)
{
	uint8_t key[WEFT_CIPHER_KEY_LEN];
	if (weft_identity_agree(&b->a.id, them, key) != WEFT_OK)
		die(b, "key agreement failed");
	weft_cipher_key_init(k, key);
	sodium_memzero(key, sizeof key);
}

// USER_MESSAGEs of `len` bytes on the wire from A to B, suite 3 as 1.14 peers use.
static void build_messages(struct bench *b, struct batch *bt, size_t len)
{
	struct weft_cipher_key k;
	agree(b, &b->b.id, &k);
	batch_alloc(b, bt, N_PACKETS, len);
	for (size_t i = 0; i < bt->n; i++) {
		uint8_t *p = bt->data + i * len;
		struct weft_packet_header h = {.dest = b->b.id.address,
		                               .source = b->a.id.address,
		                               .verb = WEFT_VERB_USER_MESSAGE};
		weft_os_random(NULL, &h.id, sizeof h.id);
		weft_os_random(NULL, p + WEFT_WIRE_IDX_PAYLOAD, len - WEFT_WIRE_IDX_PAYLOAD);
		weft_packet_header_encode(p, &h);
		if (weft_packet_arm(p, len, &k, WEFT_CIPHER_AES_GMAC_SIV) != WEFT_OK)
			die(b, "arming failed");
	}
	weft_cipher_key_clear(&k);
}

// HELLOs from A to the root as A's node sends them (suite 0), each with its own packet ID.
static void build_hellos(struct bench *b)
{
	struct weft_cipher_key k;
	struct weft_hello h = {.proto = WEFT_PROTO_VERSION,
	                       .major = WEFT_VERSION_MAJOR,
	                       .minor = WEFT_VERSION_MINOR,
	                       .revision = WEFT_VERSION_REVISION,
	                       .identity = b->a.id,
	                       .dest = b->root_addr,
	                       .has_planet = true,
	                       .planet_id = PLANET_ID,
	                       .planet_timestamp = 1};
	uint8_t pkt[512];
	memset(h.identity.sec, 0, sizeof h.identity.sec);
	h.identity.has_secret = false;
	agree(b, &b->root_id, &k);
	for (size_t i = 0; i < N_HELLOS; i++) {
		uint64_t id;
		weft_os_random(NULL, &id, sizeof id);
		h.timestamp = (uint64_t)weft_os_now_ms();
		size_t len =
		    weft_hello_encode(pkt, sizeof pkt, id, b->root_id.address, &h, k.key, NULL);
		if (!len || weft_packet_arm(pkt, len, &k, WEFT_CIPHER_POLY1305_NONE) != WEFT_OK)
			die(b, "cannot build a HELLO");
		if (!i)
			batch_alloc(b, &b->hellos, N_HELLOS, len);
		memcpy(b->hellos.data + i * len, pkt, len);
	}
	weft_cipher_key_clear(&k);
}

// ---- one burst -----------------------------------------------------------------------------

static double timestamp_of(struct msghdr *mh)
{
	struct timespec ts;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(c), sizeof ts);
			return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
		}
	}
	clock_gettime(CLOCK_REALTIME, &ts); // the kernel's clock for SCM_TIMESTAMPNS
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void tally_one(struct tally *t, const uint8_t *d, size_t len, struct msghdr *mh)
{
	if (len < WEFT_PACKET_MIN_LEN || len > RX_MAX ||
	    load_be40(d + WEFT_WIRE_IDX_DEST) != t->dst ||
	    load_be40(d + WEFT_WIRE_IDX_SOURCE) != t->src)
		return;
	double ts = timestamp_of(mh);
	if (!t->got++) {
		t->first = ts;
		memcpy(t->sample, d, len);
		t->sample_len = len;
	}
	t->last = ts;
}

// Receives what is queued on fd without waiting; counts into t. Returns how many came.
static int rx_batch(struct rx *r, int fd, struct tally *t)
{
	memset(r->mh, 0, sizeof r->mh);
	for (unsigned i = 0; i < RX_BATCH; i++) {
		r->iov[i] = (struct iovec){.iov_base = r->data[i], .iov_len = RX_MAX};
		r->mh[i].msg_hdr.msg_iov = &r->iov[i];
		r->mh[i].msg_hdr.msg_iovlen = 1;
		r->mh[i].msg_hdr.msg_control = r->ctl[i].buf;
		r->mh[i].msg_hdr.msg_controllen = sizeof r->ctl[i].buf;
	}
	int n = recvmmsg(fd, r->mh, RX_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; t && i < n; i++)
		tally_one(t, r->data[i], r->mh[i].msg_len, &r->mh[i].msg_hdr);
	return n;
}

// Sends packets of the batch in a cycle, BURST per sendmmsg, from packet `from`.
static uint64_t send_burst(int fd, const struct batch *bt, const struct weft_inetaddr *to,
                           uint64_t from, unsigned count)
{
	struct mmsghdr mh[BURST];
	struct iovec iov[BURST];
	struct sockaddr_storage ss;
	socklen_t sl;
	weft_sockaddr_from_inet(&ss, &sl, to);
	memset(mh, 0, sizeof mh);
	for (unsigned i = 0; i < count; i++) {
		iov[i].iov_base = bt->data + (size_t)((from + i) % bt->n) * bt->len;
		iov[i].iov_len = bt->len;
		mh[i].msg_hdr.msg_iov = &iov[i];
		mh[i].msg_hdr.msg_iovlen = 1;
		mh[i].msg_hdr.msg_name = &ss;
		mh[i].msg_hdr.msg_namelen = sl;
	}
	int n = sendmmsg(fd, mh, count, 0);
	return n > 0 ? (uint64_t)n : 0;
}

// As many packets as the server's socket buffer surely holds (weftd and the forwarder set
// theirs as ours), at the kernel's cost per datagram: ~0.8 KiB to 256 bytes, ~2.3 KiB above.
static uint64_t burst_len(int fd, size_t len)
{
	int rcvbuf = 0;
	socklen_t sl = sizeof rcvbuf;
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &sl);
	uint64_t k = (uint64_t)rcvbuf * 3 / 4 / (len <= 256 ? 1024 : 2560);
	return k > BURST_MAX ? BURST_MAX : k < BURST ? BURST : k;
}

static void stop_server(struct bench *b, pid_t pid)
{
	int status;
	if (kill(pid, SIGSTOP) != 0 || waitpid(pid, &status, WUNTRACED) != pid ||
	    !WIFSTOPPED(status))
		die(b, "cannot stop the server (pid %d)", (int)pid);
}

// Receives on fd until k datagrams are counted or none came for COLLECT_IDLE_S.
static void collect(struct bench *b, int fd, uint64_t k)
{
	double t0 = now_s(), seen = t0;
	while (b->tally.got < k && now_s() - seen < COLLECT_IDLE_S && now_s() - t0 < 2) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uint64_t before = b->tally.got;
		poll(&p, 1, 10);
		while (rx_batch(&b->rx, fd, &b->tally) > 0)
			;
		if (b->tally.got != before)
			seen = now_s();
	}
}

// One burst: the server is stopped, k packets are queued at its socket, and it is resumed; it
// then drains them as fast as it can. Rate: datagrams counted on rx_fd over the span of their
// kernel receive timestamps (taken as the server hands each to the loopback device).
static void burst_once(struct bench *b, const struct batch *bt, const struct weft_inetaddr *to,
                       pid_t pid, int rx_fd, uint64_t src, uint64_t dst, struct outcome *o)
{
	uint64_t k = burst_len(b->a.fd, bt->len), sent = 0;
	while (rx_batch(&b->rx, rx_fd, NULL) > 0)
		; // stale datagrams
	memset(&b->tally, 0, sizeof b->tally);
	b->tally.src = src;
	b->tally.dst = dst;
	stop_server(b, pid);
	for (double t0 = now_s(); sent < k && now_s() - t0 < 1;)
		sent += send_burst(b->a.fd, bt, to, sent,
		                   (unsigned)(k - sent < BURST ? k - sent : BURST));
	double c0 = cpu_ns(pid);
	kill(pid, SIGCONT);
	collect(b, rx_fd, sent);
	double c1 = cpu_ns(pid);
	o->cpu_ns = c0 >= 0 && c1 >= 0 && b->tally.got ? (c1 - c0) / (double)b->tally.got : -1;
	const struct tally *t = &b->tally;
	o->sent = sent;
	o->got = t->got;
	o->pps = t->got > 1 && t->last > t->first ? (double)(t->got - 1) / (t->last - t->first) : 0;
}

// The first datagram of the last burst authenticates with A's key for `them` and carries
// `verb` (and, for an OK, `in_re`): the server passed or made real packets.
static bool sample_valid(struct bench *b, const struct weft_identity *them, uint8_t verb, int in_re)
{
	struct tally *t = &b->tally;
	struct weft_cipher_key k;
	agree(b, them, &k);
	bool ok = t->sample_len >= WEFT_PACKET_MIN_LEN + 1 &&
	          weft_packet_disarm(t->sample, t->sample_len, &k) == WEFT_OK &&
	          (t->sample[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_MASK) == verb &&
	          (in_re < 0 || t->sample[WEFT_WIRE_IDX_PAYLOAD] == in_re);
	weft_cipher_key_clear(&k);
	return ok;
}

// ---- the figures ---------------------------------------------------------------------------

// One row: what is sent, where it comes out, and what the root's output must look like.
struct figure {
	const char *label;
	const struct batch *bt;
	int fwd;                          // which forwarder is the ceiling
	int rx_fd;                        // where the output arrives
	uint64_t src[2], dst[2];          // header of the output of [0] weft, [1] the forwarder
	const struct weft_identity *peer; // A's peer for the sample check, its verb and in-re
	uint8_t verb;
	int in_re;
};

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, c = *(const double *)y;
	return (a > c) - (a < c);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof v[0], cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// [0] weft, [1] forwarder: median CPU ns per datagram and wall-clock pps; weft's loss.
static void print_row(const char *label, double cpu[2][RUNS], double wall[2][RUNS], uint64_t sent,
                      uint64_t got)
{
	double wc = median(cpu[0], RUNS), fc = median(cpu[1], RUNS);
	double ww = median(wall[0], RUNS), fw = median(wall[1], RUNS);
	double wp = wc > 0 && fc > 0 ? 1e9 / wc : ww, fp = wc > 0 && fc > 0 ? 1e9 / fc : fw;
	double lost = sent ? 100.0 * (double)(sent - got) / (double)sent : 0;
	printf("%-6s %10.0f %10.0f %7.1f%% %7.0f  | %10.0f %10.0f %7.1f%% %7.2f%%\n", label, wp, fp,
	       100.0 * wp / fp, 1e9 / wp - 1e9 / fp, ww, fw, 100.0 * ww / fw, lost);
	fflush(stdout);
}

// RUNS bursts each of the root and of the forwarder, alternating so drift hits both alike.
static void compare(struct bench *b, const struct figure *f)
{
	double cpu[2][RUNS], wall[2][RUNS];
	pid_t pid[2] = {b->root_pid, b->fwd_pid[f->fwd]};
	const struct weft_inetaddr *to[2] = {&b->root_addr, &b->fwd_addr[f->fwd]};
	uint64_t sent = 0, got = 0;
	for (int r = 0; r < RUNS; r++) {
		for (int s = 0; s < 2; s++) {
			struct outcome o;
			burst_once(b, f->bt, to[s], pid[s], f->rx_fd, f->src[s], f->dst[s], &o);
			cpu[s][r] = o.cpu_ns;
			wall[s][r] = o.pps;
			if (s)
				continue;
			if (!sample_valid(b, f->peer, f->verb, f->in_re))
				die(b, "%s: the root's output does not authenticate", f->label);
			sent += o.sent;
			got += o.got;
		}
	}
	print_row(f->label, cpu, wall, sent, got);
}

// Root relaying A -> B against forwarder 0 (-> B), then HELLOs answered with OK(HELLO)
// against forwarder 1 returning each HELLO to A.
static void bench_root(struct bench *b)
{
	uint64_t a = b->a.id.address, d = b->b.id.address, root = b->root_id.address;
	char labels[N_SIZES][16];
	for (size_t i = 0; i < N_SIZES; i++) {
		snprintf(labels[i], sizeof labels[i], "%zu", sizes[i]);
		struct figure f = {labels[i], &b->msgs[i], 0,        b->b.fd,
		                   {a, a},    {d, d},      &b->b.id, WEFT_VERB_USER_MESSAGE,
		                   -1};
		compare(b, &f);
	}
	struct figure h = {"HELLO",     &b->hellos,   1,
	                   b->a.fd,     {root, a},    {a, root},
	                   &b->root_id, WEFT_VERB_OK, WEFT_VERB_HELLO};
	compare(b, &h);
}

static void bench_validate(struct bench *b)
{
	double ms[ID_SAMPLES];
	for (int i = 0; i < ID_SAMPLES; i++) {
		double t0 = now_s();
		if (weft_identity_validate(&b->a.id) != WEFT_OK)
			die(b, "node A's identity does not validate");
		ms[i] = (now_s() - t0) * 1e3;
	}
	double med = median(ms, ID_SAMPLES);
	printf(
	    "new identity: weft_identity_validate median %.2f ms (min %.2f, max %.2f): at most\n"
	    "~%.0f HELLOs/s per core from unknown identities; 1.14 also allows only one per 2 s\n"
	    "per source /24 (vl1.md §6.8).\n",
	    med, ms[0], ms[ID_SAMPLES - 1], 1e3 / med);
}

// ---- setup and main ------------------------------------------------------------------------

// With two CPUs or more, the server (weftd or a forwarder) gets the last one to itself and
// this process, which sends and counts, the rest.
static void pin(struct bench *b)
{
	cpu_set_t all, rest;
	size_t last = 0;
	if (sched_getaffinity(0, sizeof all, &all) != 0 || CPU_COUNT(&all) < 2)
		return;
	for (size_t i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &all))
			last = i;
	rest = all;
	CPU_CLR(last, &rest);
	CPU_ZERO(&b->server_cpus);
	CPU_SET(last, &b->server_cpus);
	b->pinned = sched_setaffinity(0, sizeof rest, &rest) == 0;
}

static void setup(struct bench *b)
{
	pin(b);
	make_root_home(b);
	start_root(b);
	start_host(b, &b->a);
	start_host(b, &b->b);
	for (size_t i = 0; i < N_SIZES; i++)
		build_messages(b, &b->msgs[i], sizes[i]);
	build_hellos(b);
	start_forwarder(b, 0, &b->b.addr);
	start_forwarder(b, 1, &b->a.addr);
	bring_up(b);
}

static void print_header(const struct bench *b)
{
	printf("root relaying and HELLO handling on loopback (vl1.md §6.3, §5.4)\n"
	       "root: %s, node %010llx at 127.0.0.1/%u%s\n"
	       "nodes A %010llx and B %010llx online with it, in this process\n\n",
	       b->weftd, (unsigned long long)b->root_id.address, b->root_addr.port,
	       b->pinned ? " (weftd and forwarders on a CPU of their own)" : "",
	       (unsigned long long)b->a.id.address, (unsigned long long)b->b.id.address);
	printf(
	    "A burst: the server is stopped (SIGSTOP), up to %d packets are queued at its socket,\n"
	    "it is resumed and drains them flat out, so the sender's speed does not enter. Per\n"
	    "row %d bursts per server, weft and ceiling alternating; medians. pps: 1e9 / server\n"
	    "CPU ns per datagram out (its rate with a CPU to itself; other load hardly changes\n"
	    "it); extra: CPU ns per datagram weft adds. wall: datagrams out per second between\n"
	    "the first and last kernel receive times at the destination (lower when the machine\n"
	    "is busy). lost: weft's, all bursts. forwarder (the ceiling): recvmmsg(32) + one\n"
	    "sendto per datagram, unchanged, in weftd's epoll loop with the same os/udp calls.\n"
	    "size: bytes on the wire of USER_MESSAGEs A -> root -> B (suite 3, A-B key). HELLO:\n"
	    "%zu-byte HELLOs (suite 0) from known peer A, answered with OK(HELLO); its ceiling\n"
	    "returns each HELLO to A unchanged.\n\n",
	    BURST_MAX, RUNS, b->hellos.len);
	printf("%-6s %10s %10s %8s %7s  | %10s %10s %8s %8s\n", "size", "weft pps", "forwarder",
	       "ratio", "extra", "wall weft", "forwarder", "ratio", "lost");
}

int main(void)
{
	static struct bench b;
	b.root_pid = b.fwd_pid[0] = b.fwd_pid[1] = 0;
	b.weftd = getenv("WEFT_WEFTD") ? getenv("WEFT_WEFTD") : "build/weftd";
	if (weft_crypto_init() != WEFT_OK)
		return 1;
	signal(SIGPIPE, SIG_IGN); // a closed stdout must not skip the cleanup
	setup(&b);
	print_header(&b);
	bench_root(&b);
	printf("\n");
	bench_validate(&b);
	weft_node_free(b.a.node);
	weft_node_free(b.b.node);
	cleanup(&b);
	return 0;
}
