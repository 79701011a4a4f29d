// SPDX-License-Identifier: MPL-2.0
// `weft rules compile FILE`: the rules language (rules-language.md) to the JSON the reference
// compiler's wrapper prints, byte for byte; `--config` prints only the {"rules", "capabilities",
// "tags"} object a controller network takes. Errors go to stderr as FILE:LINE:COL: message.
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rulesc.h"

#define MAX_SOURCE (16u << 20)

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap), *nb;
	while (b) {
		n += fread(b + n, 1, cap - n, f);
		if (n < cap || cap >= MAX_SOURCE)
			break;
		nb = realloc(b, cap * 2);
		if (!nb)
			free(b);
		b = nb;
		cap *= 2;
	}
	if (b && (ferror(f) || n >= MAX_SOURCE)) {
		free(b);
		b = NULL;
	}
	*len = n;
	return b;
}

int weft_cli_rules_compile(int argc, char **argv)
{
	const char *path = NULL;
	bool config_only = false;
	char err[512], *src, *text;
	size_t len;
	json_t *out;
	FILE *f;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config"))
			config_only = true;
		else if (!path && (argv[i][0] != '-' || !strcmp(argv[i], "-")))
			path = argv[i];
		else
			path = NULL, argc = 0;
	}
	if (!path) {
		fprintf(stderr, "Usage: weft rules compile [--config] FILE|-\n");
		return 1;
	}
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		perror(path);
		return 1;
	}
	src = read_all(f, &len);
	if (f != stdin)
		fclose(f);
	if (!src) {
		fprintf(stderr, "%s: cannot read (or larger than %u bytes)\n", path, MAX_SOURCE);
		return 1;
	}
	out = weft_rulesc_compile(src, len, path, err, sizeof err);
	free(src);
	if (!out) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	// One-space indent and insertion order: the reference's JSON.stringify(value, null, 1).
	text = json_dumps(config_only ? json_object_get(out, "config") : out,
	                  JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(out);
	if (!text)
		return 1;
	printf("%s\n", text);
	free(text);
	return 0;
}
