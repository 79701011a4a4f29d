// SPDX-License-Identifier: MPL-2.0
// `weft info` (alias `status`): GET /status, printed as `200 info <address> <version> <state>`
// or, with -j, as indented JSON (service.md §3.2.4).
#include <stdio.h>

#include "cli.h"

static const char *str_or_dash(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

int weft_cli_info(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	json_t *st;
	int r = weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	r = weft_cli_api_get(&a, "/status", &st);
	if (r)
		return r;
	if (a.json) {
		weft_cli_print_json(st);
	} else {
		const char *state = "OFFLINE";
		if (json_is_true(json_object_get(st, "tcpFallbackActive")))
			state = "TUNNELED";
		else if (json_is_true(json_object_get(st, "online")))
			state = "ONLINE";
		printf("200 info %s %s %s\n", str_or_dash(st, "address"),
		       str_or_dash(st, "version"), state);
	}
	json_decref(st);
	return 0;
}
