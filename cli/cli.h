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

// `weft idtool` world subcommands (cmd_idtool_world.c); argv[0] is the subcommand.
int weft_cli_idtool_initmoon(int argc, char **argv);
int weft_cli_idtool_genmoon(int argc, char **argv);
int weft_cli_idtool_initplanet(int argc, char **argv);
int weft_cli_idtool_genplanet(int argc, char **argv);

#endif
