// SPDX-License-Identifier: MPL-2.0
// Log lines: "LEVEL message" on stderr, filtered by the WEFT_LOG threshold.
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum weft_log_level threshold = WEFT_LOG_INFO;

void weft_log_init(void)
{
	const char *v = getenv("WEFT_LOG");
	static const char *names[] = {"debug", "info", "warn", "error"};
	for (int i = 0; v && i < 4; i++)
		if (!strcmp(v, names[i]))
			threshold = (enum weft_log_level)i;
}

void weft_log(enum weft_log_level level, const char *fmt, ...)
{
	static const char *tags[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	va_list ap;
	if (level < threshold)
		return;
	fprintf(stderr, "%s ", tags[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
