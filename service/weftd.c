// SPDX-License-Identifier: MPL-2.0
// weftd: runs a node. Takes zerotier-one's command line (-p<port>, -U, -d, HOME last) so
// service files written for it start weftd unchanged; binds UDP on the primary and a
// secondary port, loads state from HOME, and runs one epoll loop until SIGTERM/SIGINT.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "auth.h"
#include "cli.h"
#include "crypto.h"
#include "fs.h"
#include "http.h"
#include "inetaddr.h"
#include "wire.h"
#include "log.h"
#include "loop.h"
#include "network_port.h"
#include "random.h"
#include "service.h"
#include "state.h"
#include "workers.h"
#include "udp.h"
#include "udp_batch.h"

#define DEFAULT_HOME "/var/lib/zerotier-one"

struct options {
	char personality; // 'q': the CLI, 'i': the identity tool (service.md §3.1)
	long port;
	bool no_root_check, daemonize;
	const char *home;
};

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
	        "weftd %s — weft node service (ZeroTier One 1.14 compatible)\n"
	        "Usage: %s [-switches] [home directory]\n\n"
	        "  -h        this help\n"
	        "  -v        print the version\n"
	        "  -U        run without root; do not drop privileges\n"
	        "  -p<port>  primary UDP port (default 9993; 0 picks a random one)\n"
	        "  -d        fork into the background\n"
	        "  -q ...    run the rest as `weft ...` (the CLI)\n"
	        "  -i ...    run the rest as `weft idtool ...`\n"
	        "Home defaults to %s. Log threshold: WEFT_LOG=debug|info|warn|error.\n",
	        WEFT_VERSION_STRING, argv0, DEFAULT_HOME);
}

// Returns -1 to go on, or the exit status.
static int parse_args(int argc, char **argv, struct options *o)
{
	*o = (struct options){.port = WEFT_DEFAULT_PORT, .home = NULL};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-') {
			if (o->home) {
				usage(stdout, argv[0]);
				return 0;
			}
			o->home = a;
		} else if (a[1] == 'p') {
			char *end;
			o->port = strtol(a + 2, &end, 10);
			if (!a[2] || *end || o->port < 0 || o->port > 65535) {
				usage(stdout, argv[0]);
				return 1;
			}
		} else if (!strcmp(a, "-q") || !strcmp(a, "-i")) {
			o->personality = a[1];
			return -1;
		} else if (!strcmp(a, "-U")) {
			o->no_root_check = true;
		} else if (!strcmp(a, "-d")) {
			o->daemonize = true;
		} else if (!strcmp(a, "-v")) {
			printf("%s\n", WEFT_VERSION_STRING);
			return 0;
		} else {
			usage(stdout, argv[0]);
			return 0;
		}
	}
	if (!o->home)
		o->home = DEFAULT_HOME;
	return -1;
}

static void write_small(const char *home, const char *name, long value)
{
	char path[4200], text[32];
	snprintf(path, sizeof path, "%s/%s", home, name);
	int n = snprintf(text, sizeof text, "%ld", value);
	if (weft_fs_write_atomic(path, text, (size_t)n, 0644) != 0)
		weft_log(WEFT_LOG_WARN, "cannot write %s", path);
}

static uint16_t random_port(void)
{
	uint32_t r;
	weft_os_random(NULL, &r, sizeof r);
	return (uint16_t)(20000 + r % 45500);
}

// Primary port: local.conf's primaryPort over -p; 0 picks a random usable one. Secondary:
// settings.secondaryPort, or a random one unless allowSecondaryPort is false.
static int choose_ports(struct weft_service *s, long wanted)
{
	const struct weft_localconf *c = &s->conf;
	if (c->primary_port >= 0)
		wanted = c->primary_port;
	if (wanted == 0) {
		for (int i = 0; i < 256 && !s->primary_port; i++) {
			uint16_t p = random_port();
			if (weft_udp_port_usable(p))
				s->primary_port = p;
		}
	} else if (weft_udp_port_usable((uint16_t)wanted)) {
		s->primary_port = (uint16_t)wanted;
	}
	if (!s->primary_port)
		return -1;
	if (c->secondary_port > 0 || c->tertiary_port > 0)
		weft_log(WEFT_LOG_WARN, "using manually-specified secondary and/or tertiary ports. "
		                        "This can cause NAT issues.");
	if (!c->allow_secondary_port)
		return 0;
	if (c->secondary_port > 0 && c->secondary_port != s->primary_port) {
		s->secondary_port = (uint16_t)c->secondary_port;
		return 0;
	}
	uint16_t p = random_port();
	for (int i = 0; i < 1000 && !s->secondary_port; i++, p++) {
		if (p < 20000)
			p = 20000; // wrapped past 65535
		if (p != s->primary_port && weft_udp_port_usable(p))
			s->secondary_port = p;
	}
	return 0;
}

static void add_socket(struct weft_service *s, const struct weft_inetaddr *at)
{
	char text[WEFT_INETADDR_STR_MAX];
	if (s->n_socks == WEFT_SERVICE_MAX_SOCKETS)
		return;
	int fd = weft_udp_bind_addr(at);
	if (fd < 0) {
		weft_inetaddr_to_string(at, text, sizeof text);
		weft_log(WEFT_LOG_WARN, "cannot bind UDP %s: %s", text, strerror(-fd));
		return;
	}
	s->sock_family[s->n_socks] = at->family;
	s->socks[s->n_socks++] = fd;
}

// Wildcard sockets per family and port, or with settings.bind one per address and port.
static void bind_sockets(struct weft_service *s)
{
	static const uint8_t fams[2] = {WEFT_INET_V4, WEFT_INET_V6};
	uint16_t ports[2] = {s->primary_port, s->secondary_port};
	for (int pi = 0; pi < 2; pi++) {
		if (!ports[pi])
			continue;
		for (unsigned bi = 0; bi < s->conf.n_bind; bi++) {
			struct weft_inetaddr at = s->conf.bind[bi];
			at.port = ports[pi];
			add_socket(s, &at);
		}
		for (int fi = 0; fi < 2 && !s->conf.n_bind; fi++) {
			struct weft_inetaddr any = {.family = fams[fi], .port = ports[pi]};
			add_socket(s, &any);
		}
	}
}

static void on_udp(void *ctx, int fd)
{
	static struct weft_udp_msg msgs[WEFT_UDP_BATCH];
	struct weft_service *s = ctx;
	int64_t sock = 0;
	for (unsigned i = 0; i < s->n_socks; i++)
		if (s->socks[i] == fd)
			sock = i;
	int n = weft_udp_recv(fd, msgs, WEFT_UDP_BATCH);
	int64_t now = weft_os_now_ms();
	for (int i = 0; i < n; i++) {
		s->udp_rx_bytes += msgs[i].len;
		size_t seg = msgs[i].seg ? msgs[i].seg : msgs[i].len;
		for (size_t off = 0; off < msgs[i].len; off += seg) // each datagram of a GRO run
			weft_node_process_wire_packet(
			    s->node, now, sock, &msgs[i].from, msgs[i].data + off,
			    msgs[i].len - off < seg ? msgs[i].len - off : seg, &s->deadline_ms);
	}
	weft_service_flush(s);
}

static void on_signal(void *ctx, int fd)
{
	struct weft_service *s = ctx;
	struct signalfd_siginfo si;
	if (read(fd, &si, sizeof si) == (ssize_t)sizeof si &&
	    (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGQUIT)) {
		weft_log(WEFT_LOG_INFO, "signal %u: shutting down", si.ssi_signo);
		s->stop = true;
	}
}

static int signals_fd(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void orbit_one(void *ctx, uint64_t id)
{
	struct weft_service *s = ctx;
	if (weft_node_orbit(s->node, weft_os_now_ms(), id, 0) != WEFT_OK)
		weft_log(WEFT_LOG_WARN, "moons.d/%016llx.moon could not be loaded",
		         (unsigned long long)id);
}

// A networks.d/NWID.conf found at start: join it again (§1.3 step 9).
static void rejoin_one(void *ctx, uint64_t nwid)
{
	struct weft_service *s = ctx;
	enum weft_result r;
	if (!weft_ports_join(s, nwid, &r))
		weft_log(WEFT_LOG_WARN, "networks.d/%016llx.conf: cannot join: %s",
		         (unsigned long long)nwid, weft_result_str(r));
}

static int run(struct weft_service *s)
{
	struct weft_loop *loop = s->loop;
	int sfd = signals_fd();
	if (!loop || sfd < 0 || weft_loop_add(loop, sfd, on_signal, s) != 0 ||
	    weft_http_attach(s->http, loop) != 0)
		return 1;
	for (unsigned i = 0; i < s->n_socks; i++)
		weft_loop_add(loop, s->socks[i], on_udp, s);
	weft_node_process_background(s->node, weft_os_now_ms(), &s->deadline_ms);
	while (!s->stop) {
		int64_t now = weft_os_now_ms();
		if (now >= s->deadline_ms)
			weft_node_process_background(s->node, now, &s->deadline_ms);
		weft_ports_tick(s, now);
		weft_service_conf_tick(s, now);
		weft_service_flush(s);
		int64_t wait = weft_http_bound_wait(s->http, s->deadline_ms - weft_os_now_ms());
		weft_loop_run_once(loop, wait < 0 ? 0 : wait > 1000 ? 1000 : (int)wait);
		weft_service_flush(s);
	}
	close(sfd);
	return 0;
}

// `weftd -i <idtool args>`: the identity tool with -i standing where its command name would.
static int weftd_idtool(int argc, char **argv)
{
	int at = 1;
	while (strcmp(argv[at], "-i") != 0)
		at++;
	memmove(&argv[at], &argv[at + 1], (size_t)(argc - at) * sizeof *argv); // moves the NULL too
	if (weft_crypto_init() != WEFT_OK)
		return 1;
	return weft_cli_idtool(argv[0], argc - 1, argv);
}

static int fatal(const char *argv0, const char *msg)
{
	fprintf(stderr, "%s: fatal error: %s\n", argv0, msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct options o;
	struct weft_service s = {0};
	struct weft_node_callbacks cb;
	char path[4200];
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (o.personality == 'q')
		return weft_cli_main(argc, argv); // the CLI ignores -q
	if (o.personality == 'i')
		return weftd_idtool(argc, argv);
	weft_log_init();
	if (!o.no_root_check && geteuid() != 0) {
		fprintf(stderr, "%s: must be run as root (uid 0)\n", argv[0]);
		return 1;
	}
	s.home = o.home;
	if (weft_state_prepare(o.home) != 0)
		return fatal(argv[0], "home path does not exist, and could not create it");
	if (weft_service_conf_load(&s, path, sizeof path) != 0)
		return fatal(argv[0], path);
	if (o.daemonize && daemon(1, 1) != 0)
		return fatal(argv[0], "could not fork into the background");
	write_small(o.home, "zerotier-one.pid", (long)getpid());
	if (weft_auth_prepare(&s) != 0)
		return fatal(argv[0], "authtoken.secret could not be written (try running with -U "
		                      "to prevent dropping of privileges)");
	if (choose_ports(&s, o.port) != 0) {
		snprintf(path, sizeof path, "cannot bind to local control interface port %ld",
		         o.port);
		return fatal(argv[0], path);
	}
	write_small(o.home, "zerotier-one.port", s.primary_port);
	bind_sockets(&s);
	weft_service_callbacks(&s, &cb);
	enum weft_result r = weft_node_new(&s.node, &cb, weft_os_now_ms());
	if (r == WEFT_ERR_BAD_IDENTITY)
		return fatal(argv[0],
		             "invalid identity loaded from disk. Please remove "
		             "identity.public and identity.secret from HOME and try again");
	if (r != WEFT_OK)
		return fatal(argv[0], weft_result_str(r));
	weft_log(WEFT_LOG_INFO, "node %010llx listening on UDP %u (secondary %u)",
	         (unsigned long long)weft_node_address(s.node), s.primary_port, s.secondary_port);
	// Single-host tests and benchmarks run every node on loopback, which 1.14 refuses.
	weft_node_allow_loopback_paths(s.node, getenv("WEFT_ALLOW_LOOPBACK") != NULL);
	weft_service_conf_apply(&s);
	weft_service_controller_open(&s);
	if (weft_http_start(&s) != 0) {
		snprintf(path, sizeof path, "cannot bind to local control interface port %u",
		         s.primary_port);
		return fatal(argv[0], path);
	}
	s.loop = weft_loop_new();
	s.txb = calloc(1, sizeof *s.txb);
	if (!s.loop || !s.txb)
		return fatal(argv[0], "cannot create the event loop");
	if (weft_workers_start(&s, weft_workers_wanted()) != 0)
		weft_log(WEFT_LOG_WARN, "no TAP worker threads could be started; running on one");
	weft_state_each_network(o.home, rejoin_one, &s);
	weft_state_each_moon(o.home, orbit_one, &s);
	rc = run(&s);
	weft_workers_stop(&s);
	weft_service_flush(&s);
	free(s.txb);
	weft_ports_close_all(&s);
	weft_loop_free(s.loop);
	weft_http_stop(s.http);
	weft_service_controller_close(&s);
	weft_auth_clear(&s);
	weft_node_free(s.node);
	weft_localconf_free(&s.conf);
	for (unsigned i = 0; i < s.n_socks; i++)
		close(s.socks[i]);
	snprintf(path, sizeof path, "%s/zerotier-one.pid", o.home);
	unlink(path);
	return rc;
}
