// SPDX-License-Identifier: MPL-2.0
// The `weft` command table and dispatch, shared by the weft binary and `weftd -q` / `weftd -i`
// (service.md §3.1): picks the personality from argv[0], moves switches given before the
// command behind it, and runs the command.
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crypto.h"
#include "weft/weft.h"

static int cmd_help(const char *argv0, int argc, char **argv);
static int cmd_version(const char *argv0, int argc, char **argv);

static const struct weft_cli_cmd commands[] = {
    {"info", weft_cli_info, "", "Display status info"},
    {"status", weft_cli_info, "", "Same as info"},
    {"listpeers", weft_cli_listpeers, "", "List all peers"},
    {"peers", weft_cli_peers, "", "List all peers (prettier)"},
    {"listnetworks", weft_cli_listnetworks, "", "List all networks"},
    {"join", weft_cli_join, "<network ID>", "Join a network"},
    {"leave", weft_cli_leave, "<network ID>", "Leave a network"},
    {"set", weft_cli_set, "<network ID> <setting>", "Set a network setting"},
    {"get", weft_cli_get, "<network ID> <setting>", "Get a network setting"},
    {"listmoons", weft_cli_listmoons, "", "List moons (federated root sets)"},
    {"orbit", weft_cli_orbit, "<world ID> <seed>", "Join a moon via any member root"},
    {"deorbit", weft_cli_deorbit, "<world ID>", "Leave a moon"},
    {"dump", weft_cli_dump, "", "Debug settings dump for support"},
    {"ping", weft_cli_ping, "<address> [count]", "ECHO a node over VL1"},
    {"rules", weft_cli_rules, "test|compile ...", "Test or compile rules (rules --help)"},
    {"idtool", weft_cli_idtool, "<command> ...", "Identity tool (idtool with no args)"},
    {"version", cmd_version, "", "Show version"},
    {"help", cmd_help, "", "Display this help"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static int cmd_version(const char *argv0, int argc, char **argv)
{
	(void)argv0, (void)argc, (void)argv;
	printf("%s\n", WEFT_VERSION_STRING);
	return 0;
}

void weft_cli_usage(FILE *f, const char *argv0)
{
	fprintf(f,
	        "weft %s - ZeroTier One %s compatible network virtualization\n"
	        "Licensed under the Mozilla Public License 2.0\n"
	        "Usage: %s [-switches] <command/path> [<args>]\n\n",
	        WEFT_VERSION_STRING, WEFT_VERSION_STRING, argv0);
	// Switch and command lines keep zerotier-cli's layout (service.md §3.2.1).
	fprintf(f, "Available switches:\n"
	           "  -h                      - Display this help\n"
	           "  -v                      - Show version\n"
	           "  -j                      - Display full raw JSON output\n"
	           "  -D<path>                - weftd home path for parameter auto-detect\n"
	           "  -p<port>                - HTTP port (default: auto)\n"
	           "  -T<token>               - Authentication token (default: auto)\n"
	           "  -H<host>                - API host address (default: 127.0.0.1)\n\n"
	           "Available commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char left[64];
		snprintf(left, sizeof left, "%s%s%s", commands[i].name,
		         *commands[i].args ? " " : "", commands[i].args);
		fprintf(f, "  %-26s - %s\n", left, commands[i].help);
	}
	fprintf(f, "  /<path>                    - GET a local API path, print the body\n\n"
	           "Available settings:\n"
	           "  Settings to use with [get/set] may include property names from\n"
	           "  the JSON output of \"weft -j listnetworks\". Additionally,\n"
	           "  (ip, ip4, ip6, ip6plane, and ip6prefix can be used). For instance:\n"
	           "  weft get <network ID> ip6plane will return the 6PLANE address\n"
	           "  assigned to this node.\n");
}

static int cmd_help(const char *argv0, int argc, char **argv)
{
	(void)argc, (void)argv;
	weft_cli_usage(stdout, argv0);
	return 0;
}

// No command, maybe switches: -h, -v and bad switches act as zerotier-cli's do; nothing at
// all is a usage error.
static int no_command(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	int r = argc < 2 ? -1 : weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	weft_cli_usage(stderr, argv0);
	return 1;
}

int weft_cli_main(int argc, char **argv)
{
	const char *argv0 = argc > 0 ? argv[0] : "weft";
	if (weft_crypto_init() != WEFT_OK) {
		fprintf(stderr, "%s: crypto library failed to initialise\n", argv0);
		return 1;
	}
	// Installed as weft-idtool or zerotier-idtool, behave as the identity tool.
	if (strstr(argv0, "idtool") || strstr(argv0, "IDTOOL"))
		return weft_cli_idtool(argv0, argc, argv);
	// Switches may come before the command (zerotier-cli style): move the command to argv[1].
	int ci = 1;
	while (ci < argc && argv[ci][0] == '-')
		ci++;
	if (ci == argc)
		return no_command(argv0, argc, argv);
	char *cmd = argv[ci];
	memmove(&argv[2], &argv[1], (size_t)(ci - 1) * sizeof *argv);
	argv[1] = cmd;
	if (cmd[0] == '/')
		return weft_cli_path(argv0, argc - 1, argv + 1);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argv0, argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", argv0, cmd);
	weft_cli_usage(stderr, argv0);
	return 1;
}
