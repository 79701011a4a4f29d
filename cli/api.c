// SPDX-License-Identifier: MPL-2.0
// What the service commands share (service.md §3.2.1-3.2.3): zerotier-cli's switches, finding
// the service from HOME, one GET with the errors printed as the reference prints them, and
// the -j JSON form.
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cli.h"
#include "fs.h"
#include "http_client.h"
#include "weft/weft.h"

#define DEFAULT_HOME "/var/lib/zerotier-one"
#define TIMEOUT_MS   60000

// Help and exit status for a bad switch (§3.2.1): -1 never, to tell "go on" apart.
static int help(const char *argv0, int status)
{
	weft_cli_usage(stdout, argv0);
	return status;
}

// One switch; returns -1 to go on, or the exit status.
static int parse_switch(struct weft_cli_api *a, const char *s)
{
	const char *v = s + 2;
	switch (s[1]) {
	case 'v':
		if (*v)
			return help(a->argv0, 1);
		printf("%s\n", WEFT_VERSION_STRING);
		return 0;
	case 'j': a->json = true; return *v ? help(a->argv0, 1) : -1;
	case 'q': return *v ? help(a->argv0, 1) : -1;
	case 'p': {
		char *end;
		long p = strtol(v, &end, 10);
		if (!*v || *end || p < 1 || p > 65535)
			return help(a->argv0, 1);
		a->port = (uint16_t)p;
		return -1;
	}
	case 'T':
		if (!*v || strlen(v) >= sizeof a->token)
			return help(a->argv0, 1);
		snprintf(a->token, sizeof a->token, "%s", v);
		return -1;
	case 'D': a->home = v; return *v ? -1 : help(a->argv0, 1);
	case 'H': a->host = v; return *v ? -1 : help(a->argv0, 1);
	default: return help(a->argv0, 0); // -h, -? and every unknown letter
	}
}

int weft_cli_api_parse(struct weft_cli_api *a, const char *argv0, int argc, char **argv)
{
	*a = (struct weft_cli_api){.argv0 = argv0, .home = DEFAULT_HOME, .host = "127.0.0.1"};
	a->cmd = argc > 0 ? argv[0] : "";
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			int r = parse_switch(a, argv[i]);
			if (r >= 0)
				return r;
		} else if (!a->args[0]) {
			a->args[0] = argv[i];
		} else {
			a->args[1] = argv[i]; // further ones overwrite arg2, as the reference does
		}
	}
	return -1;
}

// Reads a small file, trimmed of surrounding whitespace. 0, or an errno (ENODATA: empty).
static int read_trimmed(const char *path, char *out, size_t cap)
{
	size_t len = 0;
	char *d = weft_fs_read(path, cap * 4, &len);
	if (!d)
		return errno;
	size_t a = strspn(d, " \t\r\n"), b = len;
	while (b > a && strchr(" \t\r\n", d[b - 1]))
		b--;
	int r = b == a ? ENODATA : b - a >= cap ? EFBIG : 0;
	if (!r) {
		memcpy(out, d + a, b - a);
		out[b - a] = 0;
	}
	sodium_memzero(d, len);
	free(d);
	return r;
}

// Port and token from HOME unless -p / -T gave them (§3.2.2). -1 to go on, or 2 after one
// line saying which file was looked at and why it did not do.
static int locate(struct weft_cli_api *a)
{
	char path[4200], text[32];
	if (!a->port) {
		snprintf(path, sizeof path, "%s/zerotier-one.port", a->home);
		char *end = text;
		unsigned long p = 0;
		int e = read_trimmed(path, text, sizeof text);
		if (!e)
			p = strtoul(text, &end, 10);
		if (e || !p || *end || p > 65535) {
			fprintf(stderr,
			        "%s: cannot find weftd's port: %s: %s (is weftd running with this "
			        "home? -D<home> or -p<port> name another)\n",
			        a->argv0, path, e ? strerror(e) : "not a port number");
			return 2;
		}
		a->port = (uint16_t)p;
		a->port_from_file = true;
	}
	if (a->token[0])
		return -1;
	snprintf(path, sizeof path, "%s/authtoken.secret", a->home);
	int e = read_trimmed(path, a->token, sizeof a->token);
	if (!e)
		return -1;
	const char *user_home = getenv("HOME");
	char upath[4200];
	snprintf(upath, sizeof upath, "%s/.zeroTierOneAuthToken", user_home ? user_home : "");
	if (user_home && !read_trimmed(upath, a->token, sizeof a->token))
		return -1;
	fprintf(stderr,
	        "%s: cannot read the API token: %s: %s (try again as root, or give -T<token>)\n",
	        a->argv0, path, strerror(e));
	return 2;
}

// Where the CLI looked for weftd, for failure messages: "127.0.0.1:9993 (port from
// /var/lib/zerotier-one/zerotier-one.port)".
static void where(const struct weft_cli_api *a, char *out, size_t cap)
{
	if (a->port_from_file)
		snprintf(out, cap, "%s:%u (port from %s/zerotier-one.port)", a->host, a->port,
		         a->home);
	else
		snprintf(out, cap, "%s:%u (port from -p)", a->host, a->port);
}

int weft_cli_api_send(struct weft_cli_api *a, const char *method, const char *path,
                      const char *body, struct weft_http_reply *reply)
{
	char header[sizeof a->token + 16], at[4400];
	memset(reply, 0, sizeof *reply);
	int r = locate(a);
	if (r >= 0)
		return r;
	snprintf(header, sizeof header, "X-ZT1-Auth: %s", a->token);
	const char *headers[] = {header, "Content-Type: application/json", NULL};
	r = weft_http_client_request(a->host, a->port, method, path, headers, body,
	                             body ? strlen(body) : 0, TIMEOUT_MS, reply);
	sodium_memzero(header, sizeof header);
	if (r == 0)
		return 0;
	// One line: where it looked and why it failed. The state-changing commands keep the
	// reference's leading status 0 (service.md §3.2.3).
	where(a, at, sizeof at);
	const char *why = r == -EPROTO ? "malformed HTTP reply" : strerror(-r);
	if (a->action)
		printf("0 %s cannot reach weftd at %s: %s\n", a->cmd, at, why);
	else
		printf("Error connecting to weftd at %s: %s\n", at, why);
	return 1;
}

int weft_cli_api_call(struct weft_cli_api *a, const char *method, const char *path, json_t **out)
{
	struct weft_http_reply reply;
	json_error_t err;
	*out = NULL;
	int r = weft_cli_api_send(a, method, path, NULL, &reply);
	if (r)
		return r;
	if (reply.status != 200) {
		printf("%u %s %s\n", reply.status, a->cmd, reply.body);
		free(reply.body);
		return 1;
	}
	*out = json_loadb(reply.body, reply.len, JSON_DECODE_ANY, &err);
	if (!*out)
		printf("%u %s invalid JSON response (%s)\n", reply.status, a->cmd, err.text);
	free(reply.body);
	return *out ? 0 : 1;
}

void weft_cli_print_json(const json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (text)
		printf("%s\n", text);
	free(text);
}

int64_t weft_cli_now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int weft_cli_api_get(struct weft_cli_api *a, const char *path, json_t **out)
{
	return weft_cli_api_call(a, "GET", path, out);
}

int weft_cli_api_action(struct weft_cli_api *a, const char *method, const char *path,
                        const char *body, char **reply_body)
{
	struct weft_http_reply reply;
	*reply_body = NULL;
	a->action = true;
	int r = weft_cli_api_send(a, method, path, body, &reply);
	if (r)
		return r;
	if (reply.status != 200) {
		printf("%u %s %s\n", reply.status, a->cmd, reply.body);
		free(reply.body);
		return 1;
	}
	*reply_body = reply.body;
	return 0;
}
