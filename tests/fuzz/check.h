// SPDX-License-Identifier: MPL-2.0
// The fuzz targets' invariant check: abort (so libFuzzer saves the input) with a location.
#ifndef WEFT_FUZZ_CHECK_H
#define WEFT_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);      \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
