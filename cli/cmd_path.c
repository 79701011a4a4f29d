// SPDX-License-Identifier: MPL-2.0
// `weft /<path>`: GET any local API path and print the body exactly as it came (service.md
// §3.2.4); a status other than 200 prints `<status> <path> <body>` and exits 1.
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "http_client.h"

int weft_cli_path(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	struct weft_http_reply reply;
	int r = weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	if ((r = weft_cli_api_send(&a, "GET", a.cmd, NULL, &reply)))
		return r;
	if (reply.status == 200)
		fwrite(reply.body, 1, reply.len, stdout);
	else
		printf("%u %s %s\n", reply.status, a.cmd, reply.body);
	free(reply.body);
	return reply.status == 200 ? 0 : 1;
}
