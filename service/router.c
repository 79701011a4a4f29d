// SPDX-License-Identifier: MPL-2.0
// The endpoint table of the local API (service.md §2.4) and exact whole-path matching.
// Patterns are literal segments and placeholders: {ADDR} is 10 hex digits, {NWID} 16, either
// case; {NEW} is 10 hex digits and six underscores (a controller's "make me an ID" form). Where a
// POST handler exists, PUT reaches it too (§2.1).
#include <string.h>

#include "api.h"

struct route {
	unsigned methods; // enum weft_api_method bits
	const char *pattern;
	weft_api_handler handler;
};

static const struct route routes[] = {
    {WEFT_API_GET, "/status", weft_api_status},
    {WEFT_API_GET, "/health", weft_api_health},
    {WEFT_API_GET, "/network", weft_api_network_list},
    {WEFT_API_GET, "/network/{NWID}", weft_api_network_get},
    {WEFT_API_POST | WEFT_API_PUT, "/network/{NWID}", weft_api_network_join},
    {WEFT_API_DELETE, "/network/{NWID}", weft_api_network_leave},
    {WEFT_API_GET, "/peer", weft_api_peer_list},
    {WEFT_API_GET, "/peer/{ADDR}", weft_api_peer_get},
    {WEFT_API_GET, "/moon", weft_api_moon_list},
    {WEFT_API_GET, "/moon/{ADDR}", weft_api_moon_get},
    {WEFT_API_POST | WEFT_API_PUT, "/moon/{ADDR}", weft_api_moon_orbit},
    {WEFT_API_DELETE, "/moon/{ADDR}", weft_api_moon_deorbit},
    {WEFT_API_GET, "/unstable/counters", weft_api_counters},
    {WEFT_API_GET, "/config", weft_api_config_get},
    {WEFT_API_POST | WEFT_API_PUT, "/config/settings", weft_api_config_settings},
    {WEFT_API_GET, "/metrics", weft_api_metrics},
    // weft extension: a VL1 reachability probe (ECHO), sent, then its answer looked up.
    {WEFT_API_POST | WEFT_API_PUT, "/peer/{ADDR}/ping", weft_api_ping_send},
    {WEFT_API_GET, "/peer/{ADDR}/ping/{NWID}", weft_api_ping_get},
    {WEFT_API_GET, "/controller", weft_api_controller_status},
    {WEFT_API_GET, "/controller/network", weft_api_controller_networks},
    {WEFT_API_POST | WEFT_API_PUT, "/controller/network", weft_api_controller_network_create},
    {WEFT_API_POST | WEFT_API_PUT, "/controller/network/{NEW}", weft_api_controller_network_create},
    {WEFT_API_GET, "/controller/network/{NWID}", weft_api_controller_network_get},
    {WEFT_API_POST | WEFT_API_PUT, "/controller/network/{NWID}", weft_api_controller_network_post},
    {WEFT_API_DELETE, "/controller/network/{NWID}", weft_api_controller_network_delete},
    {WEFT_API_GET, "/controller/network/{NWID}/member", weft_api_controller_member_list},
    {WEFT_API_GET, "/controller/network/{NWID}/member/{ADDR}", weft_api_controller_member_get},
    {WEFT_API_POST | WEFT_API_PUT, "/controller/network/{NWID}/member/{ADDR}",
     weft_api_controller_member_post},
    {WEFT_API_DELETE, "/controller/network/{NWID}/member/{ADDR}",
     weft_api_controller_member_delete},
    {WEFT_API_GET, "/unstable/controller/network", weft_api_controller_bulk_networks},
    {WEFT_API_GET, "/unstable/controller/network/{NWID}/member", weft_api_controller_bulk_members},
};

#define NROUTES (sizeof routes / sizeof routes[0])

static bool all_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
			return false;
	return true;
}

// Length of the placeholder's value, or 0 if the pattern segment is a literal.
static size_t placeholder_len(const char *seg, size_t n)
{
	if (n == 6 && !memcmp(seg, "{ADDR}", 6))
		return 10;
	if (n == 6 && !memcmp(seg, "{NWID}", 6))
		return 16;
	if (n == 5 && !memcmp(seg, "{NEW}", 5))
		return 16;
	return 0;
}

static bool placeholder_ok(const char *seg, const char *p, size_t want)
{
	if (seg[1] == 'N' && seg[2] == 'E') // {NEW}: ADDR______
		return all_hex(p, 10) && !memcmp(p + 10, "______", 6);
	return all_hex(p, want);
}

// Matches path against pattern segment by segment, collecting placeholder values.
static bool match(const char *pattern, const char *path, struct weft_api_request *req)
{
	req->n_args = 0;
	while (*pattern && *path) {
		size_t pn = strcspn(pattern + 1, "/") + 1, n = strcspn(path + 1, "/") + 1;
		size_t want = placeholder_len(pattern + 1, pn - 1);
		if (want) {
			if (n - 1 != want || !placeholder_ok(pattern + 1, path + 1, want) ||
			    req->n_args == WEFT_API_MAX_ARGS)
				return false;
			req->args[req->n_args++] = (struct weft_api_arg){path + 1, want};
		} else if (pn != n || memcmp(pattern, path, n) != 0) {
			return false;
		}
		pattern += pn;
		path += n;
	}
	return !*pattern && !*path;
}

void weft_router_dispatch(struct weft_api_request *req, struct weft_api_response *resp)
{
	*resp = (struct weft_api_response){.status = 200};
	// Two families of paths are matched by prefix: the web UI's files and the bond commands.
	if (!strcmp(req->path, "/app") || !strncmp(req->path, "/app/", 5)) {
		weft_api_app(req, resp);
		return;
	}
	if (!strncmp(req->path, "/bond/", 6)) {
		weft_api_bond(req, resp);
		return;
	}
	for (size_t i = 0; i < NROUTES; i++) {
		if (!(routes[i].methods & req->method) || !match(routes[i].pattern, req->path, req))
			continue;
		routes[i].handler(req, resp);
		return;
	}
	*resp = (struct weft_api_response){.status = 404, .no_body = true};
}

bool weft_router_is_open(const char *path)
{
	return !strcmp(path, "/health") || !strcmp(path, "/sso") || !strcmp(path, "/app") ||
	       !strncmp(path, "/app/", 5);
}
