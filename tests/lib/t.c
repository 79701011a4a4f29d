// SPDX-License-Identifier: MPL-2.0
// Test harness implementation: counts cases, prints failures with their location.
#include "t.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *suite_name = "tests";
static char case_name[256];
static bool case_open, case_failed, case_skipped;
static unsigned passed, failed, skipped;

void t_init(const char *suite)
{
	suite_name = suite;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static void close_case(void)
{
	if (!case_open)
		return;
	if (case_failed)
		failed++;
	else if (case_skipped)
		skipped++;
	else
		passed++;
	case_open = false;
}

void t_case(const char *fmt, ...)
{
	va_list ap;
	close_case();
	va_start(ap, fmt);
	vsnprintf(case_name, sizeof case_name, fmt, ap);
	va_end(ap);
	case_open = true;
	case_failed = false;
	case_skipped = false;
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("FAIL %s: %s (%s:%d): ", suite_name, case_name, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	case_failed = true;
}

void t_skip(const char *why)
{
	printf("NOT COVERED %s: %s: %s\n", suite_name, case_name, why);
	case_skipped = true;
}

static void print_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && i < 96; i++)
		printf("%02x", p[i]);
	if (n > 96)
		printf("...");
}

void t_check_mem(const char *file, int line, const char *what, const void *got, const void *exp,
                 size_t n)
{
	const uint8_t *g = got, *e = exp;
	if (!memcmp(got, exp, n))
		return;
	size_t at = 0;
	while (g[at] == e[at])
		at++;
	t_fail(file, line, "%s differs at byte %zu of %zu", what, at, n);
	printf("  got:      ");
	print_hex(g + at, n - at);
	printf("\n  expected: ");
	print_hex(e + at, n - at);
	printf("\n");
}

uint8_t *t_unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	if (n % 2)
		return NULL;
	uint8_t *out = malloc(n / 2 + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(out);
			return NULL;
		}
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return out;
}

int t_done(void)
{
	close_case();
	printf("T-RESULT %s %u %u %u\n", suite_name, passed, failed, skipped);
	return failed ? 1 : 0;
}

uint64_t t_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
