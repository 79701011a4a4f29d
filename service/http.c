// SPDX-License-Identifier: MPL-2.0
// The local API's transport (service.md §2.1-2.3): libmicrohttpd in external epoll mode, one
// daemon per loopback family, run from weftd's loop when its epoll fd is readable or a timer
// is due. Here: access control, request bodies, JSON encoding and JSONP; routes are router.c's.
#include "http.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "auth.h"
#include "inetaddr.h"
#include "log.h"
#include "udp.h"

#define MAX_CONNECTIONS 32            // per listener; more wait in the kernel's backlog
#define IDLE_TIMEOUT_S  5             // the reference advertises Keep-Alive: timeout=5
#define MAX_BODY        (1024 * 1024) // request bodies beyond this are refused with 413
#define MAX_JSONP       64

struct weft_http {
	struct weft_service *svc;
	unsigned n;
	struct MHD_Daemon *d[2];
};

// One request, across the calls libmicrohttpd makes while its body arrives.
enum access { ACCESS_OK, ACCESS_NO_TOKEN, ACCESS_FORBIDDEN };

struct request {
	enum access access; // source and token checks of §2.2
	bool too_big;
	size_t len, cap;
	char *body;
};

// Loopback, or a source inside settings.allowManagementFrom.
static bool source_allowed(const struct weft_http *h, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct sockaddr_storage ss = {0};
	struct weft_inetaddr a;
	if (!ci || !ci->client_addr)
		return false;
	int fam = ci->client_addr->sa_family;
	if (fam != AF_INET && fam != AF_INET6)
		return false;
	memcpy(&ss, ci->client_addr,
	       fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	weft_inet_from_sockaddr(&a, &ss); // v4-mapped addresses come back as IPv4
	return weft_localconf_mgmt_allowed(&h->svc->conf, &a);
}

// "Bearer <token>": two words split on runs of spaces, the first any case (§2.2).
static bool bearer(const char *v, char *out, size_t cap)
{
	v += strspn(v, " ");
	size_t w = strcspn(v, " ");
	if (w != 6 || strncasecmp(v, "bearer", 6) != 0)
		return false;
	v += w + strspn(v + w, " ");
	size_t t = strcspn(v, " ");
	if (!t || t >= cap || v[t + strspn(v + t, " ")] != 0)
		return false;
	memcpy(out, v, t);
	out[t] = 0;
	return true;
}

// The token the request presents: the first of header, query, bearer that is present.
static const char *presented_token(struct MHD_Connection *c, char *buf, size_t cap)
{
	const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-ZT1-Auth");
	if (!t)
		t = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "auth");
	if (!t) {
		const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
		if (v)
			t = bearer(v, buf, cap) ? buf : "";
	}
	return t;
}

// A source outside loopback and allowManagementFrom gets 403 (the reference answers 401 for
// both; 403 tells the user which of the two to fix). /metrics is open to any source.
static enum access allowed(const struct weft_http *h, struct MHD_Connection *c, const char *url)
{
	char buf[WEFT_AUTH_TOKEN_MAX];
	bool metrics = !strcmp(url, "/metrics");
	if (!metrics && !source_allowed(h, c))
		return ACCESS_FORBIDDEN;
	if (weft_router_is_open(url))
		return ACCESS_OK;
	const char *t = presented_token(c, buf, sizeof buf);
	if (!t)
		return ACCESS_NO_TOKEN;
	bool ok = weft_auth_token_equal(h->svc->authtoken, t) ||
	          (metrics && weft_auth_token_equal(h->svc->metricstoken, t));
	return ok ? ACCESS_OK : ACCESS_NO_TOKEN;
}

static void append_body(struct request *r, const char *data, size_t len)
{
	if (r->too_big || len > MAX_BODY - r->len) {
		r->too_big = true;
		return;
	}
	if (r->len + len + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 1024;
		while (cap < r->len + len + 1)
			cap *= 2;
		char *nb = realloc(r->body, cap);
		if (!nb) {
			r->too_big = true;
			return;
		}
		r->body = nb, r->cap = cap;
	}
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = 0;
}

// Takes ownership of text (malloc'd, or NULL for an empty body).
static enum MHD_Result send_bytes(struct MHD_Connection *c, unsigned status, char *text, size_t len,
                                  const char *content_type)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer_with_free_callback(len, text, text ? free : NULL);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	if (content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, char *text,
                                 const char *content_type)
{
	return send_bytes(c, status, text, text ? strlen(text) : 0, content_type);
}

// Compact JSON with sorted keys; NULL is sent as {}. With jsonp: NAME(<json>); (§2.3).
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, const json_t *j,
                                 const char *jsonp)
{
	char *text =
	    j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : strdup("{}");
	if (!text)
		return MHD_NO;
	if (!jsonp)
		return send_text(c, status, text, "application/json");
	char *wrapped = NULL;
	int n = asprintf(&wrapped, "%s(%s);", jsonp, text);
	free(text);
	if (n < 0)
		return MHD_NO;
	return send_text(c, status, wrapped, "application/javascript");
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	json_t *j = json_pack("{s:i,s:s}", "error", (int)status, "description", msg);
	enum MHD_Result ok = send_json(c, status, j, NULL);
	json_decref(j);
	return ok;
}

// A JSONP callback must be a plain (dotted) identifier: it is echoed into script.
static bool valid_callback(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$.");
	return n > 0 && n <= MAX_JSONP && !s[n];
}

static unsigned method_bit(const char *m)
{
	static const char *const names[] = {"GET", "POST", "PUT", "DELETE"};
	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(m, names[i]))
			return 1u << i; // enum weft_api_method order
	return 0;
}

const char *weft_api_query(const struct weft_api_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result respond(struct weft_http *h, struct MHD_Connection *c, const char *url,
                               const char *method, struct request *st)
{
	const char *jsonp = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "jsonp");
	if (jsonp && !valid_callback(jsonp))
		return send_error(c, 400, "jsonp: callback must be 1-64 of [A-Za-z0-9_$.]");
	if (st->access != ACCESS_OK)
		return send_json(c, st->access == ACCESS_FORBIDDEN ? 403 : 401, NULL, jsonp);
	if (st->too_big)
		return send_error(c, 413, "request body larger than 1048576 bytes");
	struct weft_api_request req = {
	    .svc = h->svc,
	    .now_ms = weft_os_now_ms(),
	    .method = method_bit(method),
	    .path = url,
	    .body = st->body ? st->body : "",
	    .body_len = st->len,
	    .conn = c,
	};
	struct weft_api_response resp = {.status = 404, .no_body = true};
	if (req.method)
		weft_router_dispatch(&req, &resp);
	if (resp.text)
		return send_bytes(c, resp.status, resp.text,
		                  resp.text_len ? resp.text_len : strlen(resp.text),
		                  resp.content_type ? resp.content_type : "application/json");
	if (resp.no_body)
		return send_text(c, resp.status, NULL, NULL);
	enum MHD_Result ok = send_json(c, resp.status, resp.json, jsonp);
	json_decref(resp.json);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **state)
{
	struct weft_http *h = cls;
	struct request *st = *state;
	(void)version;
	if (!st) { // headers are in: decide access now, so refused bodies are not kept
		st = calloc(1, sizeof *st);
		if (!st)
			return MHD_NO;
		st->access = allowed(h, c, url);
		*state = st;
		return MHD_YES;
	}
	if (*upload_size) {
		if (st->access == ACCESS_OK)
			append_body(st, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return respond(h, c, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
	struct request *st = *state;
	(void)cls, (void)c, (void)why;
	if (st)
		free(st->body);
	free(st);
	*state = NULL;
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = 0;
	weft_log(WEFT_LOG_WARN, "http: %s", line);
}

// Loopback only, unless allowManagementFrom names networks to manage the node from.
static struct MHD_Daemon *listen_api(struct weft_http *h, int family, uint16_t port)
{
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	bool wide = h->svc->conf.n_mgmt > 0;
	a4.sin_addr.s_addr = htonl(wide ? INADDR_ANY : INADDR_LOOPBACK);
	a6.sin6_addr = wide ? in6addr_any : in6addr_loopback;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	const struct sockaddr *sa = (const struct sockaddr *)&a4;
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6, sa = (const struct sockaddr *)&a6;
	return MHD_start_daemon(flags, port, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER,
	                        on_log, h, // first, so it sees all
	                        MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_CONNECTION_LIMIT,
	                        (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
	                        (unsigned)IDLE_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	                        h, MHD_OPTION_END);
}

int weft_http_start(struct weft_service *s)
{
	static const int families[2] = {AF_INET, AF_INET6};
	struct weft_http *h = calloc(1, sizeof *h);
	if (!h)
		return -ENOMEM;
	h->svc = s;
	for (int i = 0; i < 2; i++) {
		struct MHD_Daemon *d = listen_api(h, families[i], s->primary_port);
		if (d)
			h->d[h->n++] = d;
		else
			weft_log(WEFT_LOG_WARN, "cannot listen on TCP %s port %u",
			         families[i] == AF_INET ? "IPv4" : "IPv6", s->primary_port);
	}
	if (!h->n) {
		free(h);
		return -EADDRINUSE;
	}
	s->http = h;
	return 0;
}

static unsigned connections(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di =
	    MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return di ? di->num_connections : 0;
}

// libmicrohttpd closes finished connections at the end of a run but re-arms a listener it
// parked at the connection limit only at the start of one; with nothing else to wake the loop
// the backlog would wait forever. So a run that closed connections is followed by another.
static void run_daemon(struct MHD_Daemon *d)
{
	unsigned before = connections(d);
	MHD_run(d);
	if (connections(d) < before)
		MHD_run(d);
}

static void on_ready(void *ctx, int fd)
{
	(void)fd;
	run_daemon(ctx);
}

int weft_http_attach(struct weft_http *h, struct weft_loop *loop)
{
	for (unsigned i = 0; i < h->n; i++) {
		const union MHD_DaemonInfo *di =
		    MHD_get_daemon_info(h->d[i], MHD_DAEMON_INFO_EPOLL_FD);
		if (!di)
			return -EINVAL;
		int r = weft_loop_add(loop, di->epoll_fd, on_ready, h->d[i]);
		if (r)
			return r;
	}
	return 0;
}

int64_t weft_http_bound_wait(struct weft_http *h, int64_t wait_ms)
{
	for (unsigned i = 0; h && i < h->n; i++) {
		MHD_UNSIGNED_LONG_LONG t;
		if (MHD_get_timeout(h->d[i], &t) != MHD_YES)
			continue;
		if (t == 0) { // due now: connection timeouts, or data it could not finish
			run_daemon(h->d[i]);
			if (MHD_get_timeout(h->d[i], &t) != MHD_YES)
				continue;
		}
		if (wait_ms >= 0 && t < (MHD_UNSIGNED_LONG_LONG)wait_ms)
			wait_ms = (int64_t)t;
	}
	return wait_ms;
}

void weft_http_stop(struct weft_http *h)
{
	if (!h)
		return;
	for (unsigned i = 0; i < h->n; i++)
		MHD_stop_daemon(h->d[i]);
	free(h);
}
