// SPDX-License-Identifier: MPL-2.0
// `weft listmoons`, `weft orbit <world ID> <seed>`, `weft deorbit <world ID>` over /moon, with
// zerotier-cli's outputs (service.md §3.2.4).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hex.h"

int weft_cli_listmoons(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	json_t *moons;
	int r = weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	r = weft_cli_api_get(&a, "/moon", &moons);
	if (r)
		return r;
	weft_cli_print_json(moons); // always the pretty form, -j or not
	json_decref(moons);
	return 0;
}

static bool nonzero_hex(const char *s)
{
	uint64_t v = 0;
	return s && weft_hex_u64(&v, s, strlen(s)) && v != 0;
}

int weft_cli_orbit(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	char path[64], body[64], *reply;
	int r = weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	if (!nonzero_hex(a.args[0]) || !nonzero_hex(a.args[1]))
		return 0; // as the reference: nothing printed, success
	snprintf(path, sizeof path, "/moon/%.20s", a.args[0]);
	snprintf(body, sizeof body, "{\"seed\":\"%.20s\"}", a.args[1]);
	r = weft_cli_api_action(&a, "POST", path, body, &reply);
	if (r)
		return r;
	if (a.json)
		fputs(reply, stdout);
	else
		printf("200 orbit OK\n");
	free(reply);
	return 0;
}

int weft_cli_deorbit(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	char path[64], *reply;
	int r = weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	if (!a.args[0]) {
		weft_cli_usage(stdout, argv0);
		return 1;
	}
	snprintf(path, sizeof path, "/moon/%.20s", a.args[0]);
	r = weft_cli_api_action(&a, "DELETE", path, NULL, &reply);
	if (r)
		return r;
	if (a.json)
		fputs(reply, stdout);
	else
		printf("200 deorbit OK\n");
	free(reply);
	return 0;
}
