// SPDX-License-Identifier: MPL-2.0
// The `weft` command: a table of subcommands, each in its own file.
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

struct weft_cli_cmd {
	const char *name;
	int (*run)(const char *argv0, int argc, char **argv); // argv[0] is the command name
	const char *args;
	const char *help;
};

int weft_cli_idtool(const char *argv0, int argc, char **argv);

#endif
