// SPDX-License-Identifier: MPL-2.0
// Minimal test harness. A test binary runs cases; each case passes unless a check fails in it.
// At exit it prints one machine line `T-RESULT <name> <passed> <failed> <skipped>` that
// tools/run-tests.sh adds up, and exits non-zero if anything failed.
#ifndef WEFT_TEST_T_H
#define WEFT_TEST_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void t_init(const char *suite);
// Starts a case; a case left open is closed by the next t_case or t_done.
void t_case(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// Records a failure in the current case.
void t_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
// Marks the current case as not covered (counted as skipped, named in the output).
void t_skip(const char *why);
int t_done(void);

#define T_CHECK(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			t_fail(__FILE__, __LINE__, "%s", #cond);                                   \
	} while (0)
#define T_CHECK_MSG(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond))                                                                       \
			t_fail(__FILE__, __LINE__, __VA_ARGS__);                                   \
	} while (0)
// Compares n bytes; on mismatch reports both as hex.
// In a check helper returning bool: on failure, reports and returns false.
#define T_EXPECT(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			t_fail(__FILE__, __LINE__, __VA_ARGS__);                                   \
			return false;                                                              \
		}                                                                                  \
	} while (0)
#define T_CHECK_MEM(got, exp, n) t_check_mem(__FILE__, __LINE__, #got, (got), (exp), (n))
void t_check_mem(const char *file, int line, const char *what, const void *got, const void *exp,
                 size_t n);

// Hex helpers for tests: decode into a new malloc'd buffer (NULL on bad hex).
uint8_t *t_unhex(const char *hex, size_t *len);
// The next value of a splitmix64 sequence (*state advances): reproducible test data.
uint64_t t_splitmix64(uint64_t *state);

#endif
