// SPDX-License-Identifier: MPL-2.0
// rules-language/: every NAME.ztrules compiles to NAME.json (compared as JSON, and also as the
// reference wrapper's exact text: JSON.stringify with a one-space indent), or, for NAME.error,
// is refused at the same line and column with the same message (spec rules-language.md 12).
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rulesc.h"
#include "t.h"

#define MAX_CASES 256

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
		b[n] = 0;
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static void check_json(const char *dir, const char *name, const json_t *got)
{
	char path[2200], *want_text, *got_text;
	size_t len;
	json_error_t jerr;
	json_t *want;
	snprintf(path, sizeof path, "%s/%s.json", dir, name);
	want_text = slurp(path, &len);
	T_CHECK_MSG(want_text, "%s: unreadable", path);
	if (!want_text)
		return;
	want = json_loads(want_text, 0, &jerr);
	T_CHECK_MSG(want, "%s: %s", path, jerr.text);
	T_CHECK_MSG(json_equal(want, got), "%s: compiled JSON differs", name);
	got_text = json_dumps(got, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	T_CHECK_MSG(got_text && !strncmp(got_text, want_text, strlen(got_text)) &&
	                !strcmp(want_text + strlen(got_text), "\n"),
	            "%s: text differs from the reference's", name);
	free(got_text);
	json_decref(want);
	free(want_text);
}

// .error: "ERROR parsing NAME.ztrules line L column C: MESSAGE\n".
static void check_error(const char *dir, const char *name, const char *err)
{
	char path[2200], want_file[256], got_file[256], *text;
	size_t len;
	int wl, wc, gl, gc, wn = 0, gn = 0;
	snprintf(path, sizeof path, "%s/%s.error", dir, name);
	text = slurp(path, &len);
	T_CHECK_MSG(text, "%s: unreadable", path);
	if (!text)
		return;
	T_CHECK_MSG(sscanf(text, "ERROR parsing %255s line %d column %d: %n", want_file, &wl, &wc,
	                   &wn) == 3 &&
	                wn > 0,
	            "%s: unparsable", path);
	T_CHECK_MSG(sscanf(err, "%255[^:]:%d:%d: %n", got_file, &gl, &gc, &gn) == 3 && gn > 0,
	            "%s: error without position: %s", name, err);
	if (wn > 0 && gn > 0) {
		size_t mlen = strcspn(text + wn, "\n");
		T_CHECK_MSG(gl == wl && gc == wc, "%s: error at %d:%d, reference at %d:%d (%s)",
		            name, gl, gc, wl, wc, err);
		T_CHECK_MSG(!strncmp(err + gn, text + wn, mlen),
		            "%s: message \"%s\", reference \"%.*s\"", name, err + gn, (int)mlen,
		            text + wn);
	}
	free(text);
}

// Where weft departs from the reference on purpose (spec DEFECT notes): compact JSON of
// config.rules, or NULL and the position of the refusal.
static const struct departure {
	const char *src, *rules;
	int line, col;
} departures[] = {
    {"accept;\ndrop;\n", "[{\"type\":\"ACTION_ACCEPT\"},{\"type\":\"ACTION_DROP\"}]", 0, 0},
    {"accept ;\ndrop ;\n", "[{\"type\":\"ACTION_ACCEPT\"},{\"type\":\"ACTION_DROP\"}]", 0, 0},
    {"drop ipprotocol tcp accept\n", NULL, 1,
     20}, // the open drop block is kept, so `accept` is a match name
    {"accept chr inbound,multicast;",
     "[{\"type\":\"MATCH_CHARACTERISTICS\",\"not\":false,\"or\":false,\"mask\":"
     "\"c000000000000000\"},{\"type\":\"ACTION_ACCEPT\"}]",
     0, 0},
    {"drop ipprotocol icmp;",
     "[{\"type\":\"MATCH_IP_PROTOCOL\",\"not\":false,\"or\":false,\"ipProtocol\":1},{"
     "\"type\":\"ACTION_DROP\"}]",
     0, 0},
    {"tag t id 7 flag 31 top;\naccept teq t top;",
     "[{\"type\":\"MATCH_TAGS_EQUAL\",\"not\":false,\"or\":false,\"id\":7,\"value\":"
     "2147483648},{\"type\":\"ACTION_ACCEPT\"}]",
     0, 0},
    {"drop vlan 4096;", NULL, 1, 10},
    {"drop ethertype 0x10000;", NULL, 1, 15},
    {"drop dport 100abc;", NULL, 1, 11},
    {"tee x beefbeef01;", NULL, 1, 6},
    {"tee 5 ZZZZZZZZZZ;", NULL, 1, 6},
    {"drop ipsrc 10.0.0.0/33;", NULL, 1, 11},
    {"tee 5;", NULL, 1, 0},
    {"macro m include m;\n;\ninclude m\n", NULL, 1, 16},
    {"tag t id 1 flag 1, f;", NULL, 1, 16},
};

static void check_departures(void)
{
	for (size_t i = 0; i < sizeof departures / sizeof departures[0]; i++) {
		const struct departure *d = &departures[i];
		char err[256], *text = NULL;
		int l = -1, col = -1;
		json_t *got = weft_rulesc_compile(d->src, strlen(d->src), "x", err, sizeof err);
		t_case("departure %zu", i);
		if (got)
			text = json_dumps(json_object_get(json_object_get(got, "config"), "rules"),
			                  JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (d->rules) {
			T_CHECK_MSG(text && !strcmp(text, d->rules), "%s: got %s", d->src,
			            text ? text : err);
		} else {
			T_CHECK_MSG(!got, "%s: compiled to %s", d->src, text);
			T_CHECK_MSG(!got && sscanf(err, "x:%d:%d:", &l, &col) == 2 &&
			                l == d->line && col == d->col,
			            "%s: %s, expected %d:%d", d->src, err, d->line, d->col);
		}
		free(text);
		json_decref(got);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *vec = getenv("VECTORS");
	char dir[1024], *names[MAX_CASES];
	size_t n = 0;
	struct dirent *d;
	DIR *dp;
	t_init("vectors/rules_language");
	snprintf(dir, sizeof dir, "%s/rules-language", vec && *vec ? vec : "../shared/vectors");
	dp = opendir(dir);
	t_case("open %s", dir);
	T_CHECK_MSG(dp, "cannot open %s", dir);
	if (!dp)
		return t_done();
	while ((d = readdir(dp)) && n < MAX_CASES) {
		size_t l = strlen(d->d_name);
		if (l > 8 && !strcmp(d->d_name + l - 8, ".ztrules"))
			names[n++] = strndup(d->d_name, l - 8);
	}
	closedir(dp);
	qsort(names, n, sizeof *names, by_name);
	T_CHECK_MSG(n >= 19, "only %zu cases in %s", n, dir);
	for (size_t i = 0; i < n; i++) {
		char path[1100], file[300], err[512];
		size_t len = 0;
		char *src;
		json_t *got;
		FILE *probe;
		bool want_error;
		t_case("%s", names[i]);
		snprintf(path, sizeof path, "%s/%s.error", dir, names[i]);
		probe = fopen(path, "r");
		want_error = probe != NULL;
		if (probe)
			fclose(probe);
		snprintf(path, sizeof path, "%s/%s.ztrules", dir, names[i]);
		snprintf(file, sizeof file, "%s.ztrules", names[i]);
		src = slurp(path, &len);
		T_CHECK_MSG(src, "%s: unreadable", path);
		got = src ? weft_rulesc_compile(src, len, file, err, sizeof err) : NULL;
		if (src && want_error) {
			T_CHECK_MSG(!got, "%s: compiled, the reference refuses it", names[i]);
			if (!got)
				check_error(dir, names[i], err);
		} else if (src) {
			T_CHECK_MSG(got, "%s: refused: %s", names[i], err);
			if (got)
				check_json(dir, names[i], got);
		}
		json_decref(got);
		free(src);
		free(names[i]);
	}
	check_departures();
	return t_done();
}
