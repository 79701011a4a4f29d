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

static void usage(FILE *f, const char *argv0)
{
	fprintf(f, "weft %s — ZeroTier-compatible network virtualization\n", WEFT_VERSION_STRING);
	fprintf(f, "Usage: %s <command> [<args>]\n\nCommands:\n", argv0);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %-20s %s\n", commands[i].name, commands[i].args, commands[i].help);
}

static int cmd_help(const char *argv0, int argc, char **argv)
{
	(void)argc, (void)argv;
	usage(stdout, argv0);
	return 0;
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
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout, argv0);
		return argc < 2 ? 1 : 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argv0, argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s' (try --help)\n", argv0, argv[1]);
	return 1;
}
