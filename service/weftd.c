// SPDX-License-Identifier: MPL-2.0
// weftd, the node service. For now it only answers -v and -h; the node itself arrives with
// the VL1 node work (issue 3).
#include <stdio.h>
#include <string.h>

#include "weft/weft.h"

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			printf("%s\n", WEFT_VERSION_STRING);
			return 0;
		}
	}
	printf("weftd %s\nUsage: weftd [-v] [-h]\n(the node service is not built yet)\n",
	       WEFT_VERSION_STRING);
	return 0;
}
