// SPDX-License-Identifier: MPL-2.0
// `weft set <nwid> <name>=<value>` and `weft get <nwid> <property>` (service.md §3.2.4): the
// member-side settings through POST /network/NWID, and one field of the network object (or
// its assigned addresses by family) from GET /network.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ASSIGNED 32 // addresses get considers, as the reference does

static const char *const settings[] = {"allowManaged", "allowGlobal", "allowDefault", "allowDNS"};

// The argument checks set and get share; -1 to go on, or 2 after the message.
static int check_args(const struct weft_cli_api *a, const char *verb)
{
	if (!a->args[0] || strlen(a->args[0]) != 16) {
		fprintf(stderr, "invalid format: must be a 16-digit (network) ID\n");
		return 2;
	}
	if (!a->args[1] || !a->args[1][0]) {
		fprintf(stderr, "invalid format: include a property name to %s\n", verb);
		return 2;
	}
	return -1;
}

int weft_cli_set(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	char name[64], body[96], path[64], *reply;
	int r = weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	if ((r = check_args(&a, "set")) >= 0)
		return r;
	const char *eq = strchr(a.args[1], '=');
	if (!eq) {
		weft_cli_usage(stderr, argv0);
		return 2;
	}
	size_t n = (size_t)(eq - a.args[1]);
	if (n >= sizeof name)
		return 0; // not a setting weftd has: nothing to send, as the reference
	memcpy(name, a.args[1], n);
	name[n] = 0;
	bool known = false;
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
		known |= !strcmp(name, settings[i]);
	if (!known)
		return 0;
	bool on = eq[1] == 't' || eq[1] == '1';
	snprintf(body, sizeof body, "{\"%s\":%s}", name, on ? "true" : "false");
	snprintf(path, sizeof path, "/network/%s", a.args[0]);
	r = weft_cli_api_action(&a, "POST", path, body, &reply);
	if (r)
		return r;
	fputs(reply, stdout); // the network object as it came, -j or not
	free(reply);
	return 0;
}

// Assigned addresses for ip, ip4, ip6, ip6plane or ip6prefix, without their /bits, one per line.
static void print_addresses(const json_t *net, const char *prop)
{
	const json_t *list = json_object_get(net, "assignedAddresses");
	bool first = true;
	for (size_t i = 0; i < json_array_size(list) && i < MAX_ASSIGNED; i++) {
		const char *s = json_string_value(json_array_get(list, i));
		if (!s)
			continue;
		bool v4 = strchr(s, '.') != NULL, v6 = strchr(s, ':') != NULL;
		bool plane = !strncmp(prop, "ip6p", 4);
		if ((!strcmp(prop, "ip4") && !v4) || (!strncmp(prop, "ip6", 3) && !v6) ||
		    (plane && strncmp(s, "fc", 2) != 0))
			continue;
		int len = (int)strcspn(s, "/");
		if (!strcmp(prop, "ip6prefix") && len > 24)
			len = 24; // the 6PLANE prefix, as text
		printf("%s%.*s", first ? "" : "\n", len, s);
		first = false;
	}
	printf("\n");
}

// One scalar field as the reference's to-string gives it; false if missing or not a scalar.
static bool print_field(const json_t *v)
{
	if (json_is_string(v))
		printf("%s\n", json_string_value(v));
	else if (json_is_boolean(v))
		printf("%d\n", json_is_true(v) ? 1 : 0);
	else if (json_is_integer(v))
		printf("%lld\n", (long long)json_integer_value(v));
	else if (json_is_real(v))
		printf("%g\n", json_real_value(v));
	else
		return false;
	return true;
}

int weft_cli_get(const char *argv0, int argc, char **argv)
{
	static const char *const addr_props[] = {"ip", "ip4", "ip6", "ip6plane", "ip6prefix"};
	struct weft_cli_api a;
	json_t *nets, *net;
	size_t i;
	int r = weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	if ((r = check_args(&a, "get")) >= 0)
		return r;
	if ((r = weft_cli_api_get(&a, "/network", &nets)))
		return r;
	bool found = false, addr_prop = false;
	for (size_t k = 0; k < sizeof addr_props / sizeof addr_props[0]; k++)
		addr_prop |= !strcmp(a.args[1], addr_props[k]);
	json_array_foreach (nets, i, net) {
		const char *id = json_string_value(json_object_get(net, "id"));
		if (!id || strcmp(id, a.args[0]) != 0)
			continue;
		found = true;
		if (addr_prop)
			print_addresses(net, a.args[1]);
		else if (!print_field(json_object_get(net, a.args[1])))
			printf("error, unknown property name\n");
		break;
	}
	if (!found)
		fprintf(stderr, "unknown network ID, check that you are a member of the network\n");
	json_decref(nets);
	return 0; // the reference answers 0 whenever the service did
}
