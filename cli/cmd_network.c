// SPDX-License-Identifier: MPL-2.0
// `weft join <nwid>`, `weft leave <nwid>`, `weft listnetworks` over /network, with
// zerotier-cli's outputs and exit codes (service.md §3.2.4).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *str_or_dash(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

// The assigned addresses joined with ',' ("-" if none), in a buffer the caller frees.
static char *address_list(const json_t *net)
{
	size_t i, len = 0;
	const json_t *a;
	const json_t *arr = json_object_get(net, "assignedAddresses");
	json_array_foreach (arr, i, a)
		len += strlen(json_string_value(a) ? json_string_value(a) : "") + 1;
	char *out = calloc(1, len + 2);
	if (!out)
		return NULL;
	json_array_foreach (arr, i, a) {
		if (!json_is_string(a))
			continue;
		if (out[0])
			strcat(out, ",");
		strcat(out, json_string_value(a));
	}
	if (!out[0])
		strcpy(out, "-");
	return out;
}

int weft_cli_listnetworks(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	json_t *nets, *net;
	size_t i;
	int r = weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	r = weft_cli_api_get(&a, "/network", &nets);
	if (r)
		return r;
	if (a.json) {
		weft_cli_print_json(nets);
		json_decref(nets);
		return 0;
	}
	if (!json_is_array(nets)) {
		printf("200 listnetworks invalid JSON response (not an array)\n");
		json_decref(nets);
		return 1;
	}
	printf("200 listnetworks <nwid> <name> <mac> <status> <type> <dev> <ZT assigned ips>\n");
	json_array_foreach (nets, i, net) {
		char *ips = address_list(net);
		printf("200 listnetworks %s %s %s %s %s %s %s\n", str_or_dash(net, "nwid"),
		       str_or_dash(net, "name"), str_or_dash(net, "mac"),
		       str_or_dash(net, "status"), str_or_dash(net, "type"),
		       str_or_dash(net, "portDeviceName"), ips ? ips : "-");
		free(ips);
	}
	json_decref(nets);
	return 0;
}

// join and leave: one request, "200 <cmd> OK" or (-j) the body as it came.
static int network_action(const char *argv0, int argc, char **argv, const char *method,
                          const char *body)
{
	struct weft_cli_api a;
	char path[64], *reply;
	int r = weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	if (!a.args[0] || strlen(a.args[0]) != 16) {
		printf("invalid network id\n");
		return 2;
	}
	snprintf(path, sizeof path, "/network/%s", a.args[0]);
	r = weft_cli_api_action(&a, method, path, body, &reply);
	if (r)
		return r;
	if (a.json)
		fputs(reply, stdout);
	else
		printf("200 %s OK\n", a.cmd);
	free(reply);
	return 0;
}

int weft_cli_join(const char *argv0, int argc, char **argv)
{
	return network_action(argv0, argc, argv, "POST", "{}");
}

int weft_cli_leave(const char *argv0, int argc, char **argv)
{
	return network_action(argv0, argc, argv, "DELETE", NULL);
}
