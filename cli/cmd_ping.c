// SPDX-License-Identifier: MPL-2.0
// `weft ping <address> [count]`: ECHO another node over VL1 through weftd's API and report
// each answer's round trip and whether it came direct or through a relay (weft extension).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hex.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

// Sends one probe and waits up to 1 s for its answer. 1 answered, 0 not, <0 failed (exit -r).
static int probe(struct weft_cli_api *a, const char *addr, unsigned seq)
{
	char path[96];
	json_t *sent, *st = NULL;
	snprintf(path, sizeof path, "/peer/%s/ping", addr);
	int r = weft_cli_api_call(a, "POST", path, &sent);
	if (r)
		return -r;
	const char *cookie = json_string_value(json_object_get(sent, "cookie"));
	snprintf(path, sizeof path, "/peer/%s/ping/%s", addr, cookie ? cookie : "0");
	json_decref(sent);
	for (int i = 0; i < 20; i++) {
		sleep_ms(50);
		if (weft_cli_api_get(a, path, &st))
			return -1;
		if (json_is_true(json_object_get(st, "replied")))
			break;
		json_decref(st);
		st = NULL;
	}
	if (!st) {
		printf("no reply from %s: seq=%u\n", addr, seq);
		return 0;
	}
	printf("reply from %s: seq=%u time=%lld ms %s\n", addr, seq,
	       (long long)json_integer_value(json_object_get(st, "latency")),
	       json_is_true(json_object_get(st, "direct")) ? "direct" : "relayed");
	json_decref(st);
	return 1;
}

int weft_cli_ping(const char *argv0, int argc, char **argv)
{
	struct weft_cli_api a;
	uint64_t addr;
	int r = weft_cli_api_parse(&a, argv0, argc, argv);
	if (r >= 0)
		return r;
	if (!a.args[0] || strlen(a.args[0]) != 10 || !weft_hex_u64(&addr, a.args[0], 10)) {
		fprintf(stderr, "usage: %s ping <10-hex-digit address> [count]\n", argv0);
		return 1;
	}
	long count = a.args[1] ? strtol(a.args[1], NULL, 10) : 4;
	if (count < 1 || count > 1000)
		count = 4;
	unsigned got = 0;
	for (long i = 1; i <= count; i++) {
		int p = probe(&a, a.args[0], (unsigned)i);
		if (p < 0)
			return -p;
		got += (unsigned)p;
		if (i < count)
			sleep_ms(200);
	}
	printf("%ld sent, %u answered\n", count, got);
	return got ? 0 : 1;
}
