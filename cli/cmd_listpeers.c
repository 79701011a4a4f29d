// SPDX-License-Identifier: MPL-2.0
// `weft listpeers` and `weft peers`: GET /peer as `200 listpeers ...` lines or as the peers
// table (service.md §3.2.4); -j prints the JSON. Times are shown as ms ago, -1 for never.
#include <stdio.h>
#include <string.h>

#include "cli.h"

static long long ago(int64_t now_ms, const json_t *ts)
{
	json_int_t t = json_integer_value(ts);
	return t ? (long long)(now_ms - t) : -1;
}

// The first path marked preferred, the only one the CLI shows; NULL if none.
static const json_t *preferred_path(const json_t *peer)
{
	size_t i;
	const json_t *p;
	json_array_foreach (json_object_get(peer, "paths"), i, p)
		if (json_is_true(json_object_get(p, "preferred")))
			return p;
	return NULL;
}

static void version_text(const json_t *peer, char *out, size_t cap)
{
	json_int_t maj = json_integer_value(json_object_get(peer, "versionMajor"));
	if (!json_is_integer(json_object_get(peer, "versionMajor")) || maj < 0) {
		snprintf(out, cap, "-");
		return;
	}
	snprintf(out, cap, "%lld.%lld.%lld", (long long)maj,
	         (long long)json_integer_value(json_object_get(peer, "versionMinor")),
	         (long long)json_integer_value(json_object_get(peer, "versionRev")));
}

static const char *str_or_dash(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

// Runs GET /peer; 0 with *peers an array, or the exit status (failure printed).
static int fetch(struct weft_cli_api *a, const char *argv0, int argc, char **argv, json_t **peers)
{
	*peers = NULL;
	int r = weft_cli_api_parse(a, argv0, argc, argv);
	if (r >= 0)
		return r;
	r = weft_cli_api_get(a, "/peer", peers);
	if (r == 0 && !json_is_array(*peers) && !a->json) {
		printf("200 %s invalid JSON response (not an array)\n", a->cmd);
		json_decref(*peers);
		return 1;
	}
	if (r == 0 && a->json) {
		weft_cli_print_json(*peers);
		json_decref(*peers);
		*peers = NULL;
	}
	return r;
}

int weft_cli_listpeers(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	json_t *peers, *peer;
	size_t i;
	int r = fetch(&a, argv0, argc, argv, &peers);
	if (r || !peers)
		return r;
	int64_t now = weft_cli_now_ms();
	printf("200 listpeers <ztaddr> <path> <latency> <version> <role>\n");
	json_array_foreach (peers, i, peer) {
		char path[128] = "-", version[48];
		const json_t *p = preferred_path(peer);
		if (p)
			snprintf(path, sizeof path, "%s;%lld;%lld", str_or_dash(p, "address"),
			         ago(now, json_object_get(p, "lastSend")),
			         ago(now, json_object_get(p, "lastReceive")));
		version_text(peer, version, sizeof version);
		printf("200 listpeers %s %s %lld %s %s\n", str_or_dash(peer, "address"), path,
		       (long long)json_integer_value(json_object_get(peer, "latency")), version,
		       str_or_dash(peer, "role"));
	}
	json_decref(peers);
	return 0;
}

int weft_cli_peers(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	json_t *peers, *peer;
	size_t i;
	bool tunneled = false;
	int r = fetch(&a, argv0, argc, argv, &peers);
	if (r || !peers)
		return r;
	int64_t now = weft_cli_now_ms();
	printf("200 peers\n<ztaddr>   <ver>  <role> <lat> <link>   <lastTX> <lastRX> <path>\n");
	json_array_foreach (peers, i, peer) {
		char link[160] = "RELAY", version[48];
		const json_t *p = preferred_path(peer);
		bool tun = json_is_true(json_object_get(peer, "tunneled"));
		tunneled |= tun;
		if (p)
			snprintf(
			    link, sizeof link, "%s%-8lld %-8lld %s", tun ? "RELAY " : "DIRECT   ",
			    ago(now, json_object_get(p, "lastSend")),
			    ago(now, json_object_get(p, "lastReceive")), str_or_dash(p, "address"));
		version_text(peer, version, sizeof version);
		printf("%s %-6s %-6s %5d %s\n", str_or_dash(peer, "address"), version,
		       str_or_dash(peer, "role"),
		       (int)json_integer_value(json_object_get(peer, "latency")), link);
	}
	if (tunneled)
		printf("NOTE: Currently tunneling through a TCP relay. Ensure that UDP is not "
		       "blocked.\n");
	json_decref(peers);
	return 0;
}
