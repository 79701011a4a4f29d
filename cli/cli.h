// SPDX-License-Identifier: MPL-2.0
// The `weft` command: a table of subcommands, each in its own file.
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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

// `weft rules test` (cmd_rules.c): a frame through a rule set, verdict and deciding rule.
int weft_cli_rules(const char *argv0, int argc, char **argv);
// `weft rules compile FILE` (cmd_rules_compile.c): the rules language to controller JSON.
int weft_cli_rules_compile(int argc, char **argv);

// Help text of `weft` (dispatch.c).
void weft_cli_usage(FILE *f, const char *argv0);
// The whole CLI: personality from argv[0], then the command table. Returns the exit status.
int weft_cli_main(int argc, char **argv);

// Commands that talk to weftd's local API (service.md §3.2).
int weft_cli_info(const char *argv0, int argc, char **argv);
int weft_cli_listpeers(const char *argv0, int argc, char **argv);
int weft_cli_peers(const char *argv0, int argc, char **argv);
int weft_cli_ping(const char *argv0, int argc, char **argv);
int weft_cli_listnetworks(const char *argv0, int argc, char **argv);
int weft_cli_join(const char *argv0, int argc, char **argv);
int weft_cli_leave(const char *argv0, int argc, char **argv);
int weft_cli_listmoons(const char *argv0, int argc, char **argv);
int weft_cli_orbit(const char *argv0, int argc, char **argv);
int weft_cli_deorbit(const char *argv0, int argc, char **argv);
int weft_cli_set(const char *argv0, int argc, char **argv);
int weft_cli_get(const char *argv0, int argc, char **argv);
int weft_cli_dump(const char *argv0, int argc, char **argv);
// `weft /some/path`: GET it and print the body as it came.
int weft_cli_path(const char *argv0, int argc, char **argv);

// Their shared switches and connection (api.c): -j -p<port> -T<token> -D<home> -H<host>.
struct weft_cli_api {
	const char *argv0, *cmd;
	const char *home, *host;
	uint16_t port;   // 0: read HOME/zerotier-one.port
	char token[256]; // "": read HOME/authtoken.secret
	bool json;
	bool port_from_file; // for failure messages
	bool action;         // a state-changing command: failures print "0 <cmd> ..."
	const char *args[2]; // the command's first and second arguments, if given
};
// Parses the switches and arguments after the command name (argv[0]). Returns -1 to go on,
// or the exit status once help or the version has been printed.
int weft_cli_api_parse(struct weft_cli_api *a, const char *argv0, int argc, char **argv);
// GETs path and parses the JSON reply into *out (caller frees). Returns 0, or the exit status
// after printing the failure as service.md §3.2.2-3.2.3 say.
int weft_cli_api_get(struct weft_cli_api *a, const char *path, json_t **out);
// The same with another method (no request body).
int weft_cli_api_call(struct weft_cli_api *a, const char *method, const char *path, json_t **out);
// Sends a state-changing request (optional JSON body) and hands back the raw reply body
// (caller frees). Returns 0, or the exit status after printing the failure the way
// join/leave/orbit/deorbit do (service.md §3.2.3).
int weft_cli_api_action(struct weft_cli_api *a, const char *method, const char *path,
                        const char *body, char **reply_body);
// Sends a request and hands back the reply whatever its status (caller frees reply->body).
// Returns 0, or the exit status after printing why weftd could not be found or reached.
struct weft_http_reply;
int weft_cli_api_send(struct weft_cli_api *a, const char *method, const char *path,
                      const char *body, struct weft_http_reply *reply);
// -j output: 1-space indentation, sorted keys, newline.
void weft_cli_print_json(const json_t *j);
// Wall-clock milliseconds, for "ms ago" columns.
int64_t weft_cli_now_ms(void);

#endif
