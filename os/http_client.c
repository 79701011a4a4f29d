// SPDX-License-Identifier: MPL-2.0
// Blocking HTTP client over a non-blocking socket and poll(2), so one deadline covers connect,
// send and receive. Requests say Connection: close; the reply ends at Content-Length or EOF.
#include "http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// Waits for `events` on fd until the deadline. 0, -ETIMEDOUT or -errno.
static int wait_for(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int connect_to(const char *host, uint16_t port, int64_t deadline)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET, s4->sin_port = htons(port), len = sizeof *s4;
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6, s6->sin6_port = htons(port), len = sizeof *s6;
	} else {
		return -EINVAL;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int err = 0;
	socklen_t elen = sizeof err;
	if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
		err = errno == EINPROGRESS ? -wait_for(fd, POLLOUT, deadline) : errno;
		if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
			err = errno;
	}
	if (err) {
		close(fd);
		return -err;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_for(fd, POLLOUT, deadline);
			if (r)
				return r;
			continue;
		}
		if (w < 0)
			return -errno;
		p += w, len -= (size_t)w;
	}
	return 0;
}

// The request head; NULL on a header line that would break the framing.
static char *request_head(const char *host, uint16_t port, const char *method, const char *path,
                          const char *const *headers, size_t body_len, size_t *len)
{
	char *head = NULL;
	FILE *f = open_memstream(&head, len);
	if (!f)
		return NULL;
	bool bad = strpbrk(method, "\r\n ") || strpbrk(path, "\r\n ");
	fprintf(f, "%s %s HTTP/1.1\r\nHost: %s%s%s:%u\r\n", method, path,
	        strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", port);
	for (size_t i = 0; headers && headers[i]; i++) {
		bad |= strpbrk(headers[i], "\r\n") != NULL;
		fprintf(f, "%s\r\n", headers[i]);
	}
	if (body_len || strcmp(method, "GET") != 0)
		fprintf(f, "Content-Length: %zu\r\n", body_len);
	fputs("Connection: close\r\n\r\n", f);
	if (fclose(f) != 0 || bad) {
		free(head);
		return NULL;
	}
	return head;
}

// Value of the first header `name` in the head (which ends at CRLF CRLF), or NULL.
static const char *header_value(const char *head, const char *end, const char *name)
{
	size_t n = strlen(name);
	for (const char *l = strstr(head, "\r\n"); l && l + 2 < end; l = strstr(l + 2, "\r\n"))
		if (!strncasecmp(l + 2, name, n) && l[2 + n] == ':')
			return l + 3 + n + strspn(l + 3 + n, " \t");
	return NULL;
}

// 1 and *out filled if buf holds a whole reply (by its Content-Length, or everything up to
// EOF without one), 0 if more is needed, -EPROTO if it is malformed or ended early.
static int parse_reply(const char *buf, size_t len, bool eof, struct weft_http_reply *out)
{
	const char *end = strstr(buf, "\r\n\r\n");
	if (!end)
		return eof ? -EPROTO : 0;
	unsigned status;
	char sp;
	if (sscanf(buf, "HTTP/1.%*1[01] %3u%c", &status, &sp) != 2 || (sp != ' ' && sp != '\r') ||
	    status < 100)
		return -EPROTO;
	const char *te = header_value(buf, end, "Transfer-Encoding");
	if (te && strncasecmp(te, "identity", 8) != 0)
		return -EPROTO;
	const char *cl = header_value(buf, end, "Content-Length");
	size_t have = len - (size_t)(end + 4 - buf), want = have;
	if (cl) {
		char *e;
		unsigned long long v = strtoull(cl, &e, 10);
		if (e == cl || (*e != '\r' && *e != ' ') || v > WEFT_HTTP_CLIENT_MAX_REPLY)
			return -EPROTO;
		want = (size_t)v;
	}
	if (have < want || (!cl && !eof))
		return eof ? -EPROTO : 0;
	out->status = status;
	out->len = want;
	out->body = malloc(want + 1);
	if (!out->body)
		return -ENOMEM;
	memcpy(out->body, end + 4, want);
	out->body[want] = 0;
	return 1;
}

// Reads until the reply is complete (Content-Length) or the server closes.
static int recv_reply(int fd, int64_t deadline, struct weft_http_reply *out)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap + 1);
	int r = buf ? 0 : -ENOMEM;
	while (!r) {
		if (len == cap) {
			char *nb = NULL;
			if (cap < WEFT_HTTP_CLIENT_MAX_REPLY)
				nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				r = -EFBIG;
				break;
			}
			buf = nb, cap *= 2;
		}
		ssize_t n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			r = wait_for(fd, POLLIN, deadline);
			continue;
		}
		if (n < 0) {
			r = -errno;
			break;
		}
		len += (size_t)n;
		buf[len] = 0;
		r = parse_reply(buf, len, n == 0, out);
	}
	free(buf);
	return r < 0 ? r : 0;
}

int weft_http_client_request(const char *host, uint16_t port, const char *method, const char *path,
                             const char *const *headers, const char *body, size_t body_len,
                             int timeout_ms, struct weft_http_reply *out)
{
	int64_t deadline = mono_ms() + timeout_ms;
	size_t head_len;
	*out = (struct weft_http_reply){0};
	char *head = request_head(host, port, method, path, headers, body_len, &head_len);
	if (!head)
		return -EINVAL;
	int fd = connect_to(host, port, deadline);
	int r = fd < 0 ? fd : send_all(fd, head, head_len, deadline);
	if (!r && body_len)
		r = send_all(fd, body, body_len, deadline);
	if (!r)
		r = recv_reply(fd, deadline, out);
	if (fd >= 0)
		close(fd);
	free(head);
	if (r) {
		free(out->body);
		*out = (struct weft_http_reply){0};
	}
	return r;
}
