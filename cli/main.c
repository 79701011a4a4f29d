// SPDX-License-Identifier: MPL-2.0
// `weft` entry point: picks the personality from argv[0], then dispatches on the table.
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crypto.h"
#include "weft/weft.h"

static int cmd_help(const char *argv0, int argc, char **argv);
static int cmd_version(const char *argv0, int argc, char **argv);

static const struct weft_cli_cmd commands[] = {
    {"idtool", weft_cli_idtool, "<command> [<args>]",
     "identity tool: generate, validate, getpublic, sign, verify"},
    {"info", weft_cli_info, "", "Display status info"},
    {"status", weft_cli_info, "", "Same as info"},
    {"listpeers", weft_cli_listpeers, "", "List all peers"},
    {"peers", weft_cli_peers, "", "List all peers (prettier)"},
    {"listnetworks", weft_cli_listnetworks, "", "List all networks"},
    {"join", weft_cli_join, "<network ID>", "Join a network"},
    {"leave", weft_cli_leave, "<network ID>", "Leave a network"},
    {"listmoons", weft_cli_listmoons, "", "List moons (federated root sets)"},
    {"orbit", weft_cli_orbit, "<world ID> <seed>", "Join a moon via any member root"},
    {"deorbit", weft_cli_deorbit, "<world ID>", "Leave a moon"},
    {"rules", weft_cli_rules, "test|compile [<args>]",
     "evaluate a frame against rules (--help); compile the rules language"},
    {"ping", weft_cli_ping, "<address> [count]", "ECHO a node over VL1 (weft extension)"},
    {"version", cmd_version, "", "print the version"},
    {"help", cmd_help, "", "list commands"},
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
	fprintf(f, "weft %s — ZeroTier-compatible network virtualization\n", WEFT_VERSION_STRING);
	fprintf(f, "Usage: %s [-switches] <command> [<args>]\n\n", argv0);
	// Switch lines keep zerotier-cli's layout (service.md §3.2.1).
	fprintf(f, "Available switches:\n"
	           "  -h                      - Display this help\n"
	           "  -v                      - Show version\n"
	           "  -j                      - Display full raw JSON output\n"
	           "  -D<path>                - weftd home path for parameter auto-detect\n"
	           "  -p<port>                - HTTP port (default: auto)\n"
	           "  -T<token>               - Authentication token (default: auto)\n\n"
	           "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %-20s %s\n", commands[i].name, commands[i].args,
		        commands[i].help);
}

static int cmd_help(const char *argv0, int argc, char **argv)
{
	(void)argc, (void)argv;
	weft_cli_usage(stdout, argv0);
	return 0;
}

// No command, maybe switches: -h, -v and bad switches act as zerotier-cli's do.
static int no_command(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	int r = argc < 2 ? -1 : weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	weft_cli_usage(stderr, argv0);
	return 1;
}

int main(int argc, char **argv)
{
	const char *argv0 = argc > 0 ? argv[0] : "weft";
	if (weft_crypto_init() != WEFT_OK) {
		fprintf(stderr, "%s: crypto library failed to initialise\n", argv0);
		return 1;
	}
	// Installed as weft-idtool or zerotier-idtool, behave as the identity tool.
	if (strstr(argv0, "idtool"))
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
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argv0, argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s' (try --help)\n", argv0, argv[1]);
	return 1;
}
