// SPDX-License-Identifier: MPL-2.0
// `weft`: the CLI (dispatch.c holds the command table, shared with `weftd -q`).
#include "cli.h"

int main(int argc, char **argv)
{
	return weft_cli_main(argc, argv);
}
