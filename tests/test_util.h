/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers shared by the pgemm tests: CHECK macros that print
 * file:line (and the context's last error), context creation that fails
 * loudly, string and timing helpers, and the one-line summary.
 *
 * Every CHECK counts; test_finish() prints "<name>: PASS ..." or
 * "<name>: FAIL ..." and returns the exit status for main().
 */
#ifndef PGEMM_TEST_UTIL_H
#define PGEMM_TEST_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "pgemm.h"

/* Exit status CTest treats as "skipped" (SKIP_RETURN_CODE). */
#define TEST_SKIP 77

extern const char *g_test_name;
extern size_t g_test_checks, g_test_failures;

/* Starts the clock and names the test for messages and the summary. */
void test_begin(const char *name);
/* Prints the one-line summary; returns 0 (pass) or 1 (fail). */
int test_finish(void);
/* Seconds since test_begin(). */
double test_elapsed(void);

void test_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define CHECK(cond)                                                                   \
    do {                                                                              \
        g_test_checks++;                                                              \
        if (!(cond)) test_fail_at(__FILE__, __LINE__, "CHECK(%s) failed", #cond);      \
    } while (0)

#define CHECK_MSG(cond, ...)                                                          \
    do {                                                                              \
        g_test_checks++;                                                              \
        if (!(cond)) test_fail_at(__FILE__, __LINE__, __VA_ARGS__);                   \
    } while (0)

/* Evaluates `call` (a pgemm_status) and expects `want`; on mismatch prints
 * both statuses and pgemm_last_error(ctx) (ctx may be NULL). */
#define CHECK_STATUS(ctx, want, call)                                                 \
    do {                                                                              \
        pgemm_status got_ = (call);                                                   \
        g_test_checks++;                                                              \
        if (got_ != (want))                                                           \
            test_fail_at(__FILE__, __LINE__, "%s returned %d (%s), want %d (%s); last error: %s", \
                         #call, (int)got_, pgemm_status_string(got_), (int)(want),    \
                         pgemm_status_string(want), pgemm_last_error(ctx));           \
    } while (0)

#define CHECK_OK(ctx, call) CHECK_STATUS(ctx, PGEMM_SUCCESS, call)

/* Substring test with a readable failure. */
#define CHECK_CONTAINS(text, needle)                                                  \
    do {                                                                              \
        const char *t_ = (text), *n_ = (needle);                                      \
        g_test_checks++;                                                              \
        if (!t_ || !strstr(t_, n_))                                                   \
            test_fail_at(__FILE__, __LINE__, "%s = \"%s\" does not contain \"%s\"", #text, \
                         t_ ? t_ : "(null)", n_);                                     \
    } while (0)

/* Stops the test at once (prints the summary, exits 1) when cond fails. */
#define REQUIRE(cond)                                                                 \
    do {                                                                              \
        g_test_checks++;                                                              \
        if (!(cond)) {                                                                \
            test_fail_at(__FILE__, __LINE__, "REQUIRE(%s) failed; stopping", #cond);   \
            test_exit();                                                              \
        }                                                                             \
    } while (0)

void test_exit(void) __attribute__((noreturn));

/*
 * A context with the default options (the environment decides: CTest sets
 * PGEMM_BACKEND, PGEMM_OPENCL_PLATFORM, ...). Failure to create one is a
 * test failure with a message saying which platform was asked for and why
 * it is not usable; the process exits. With PGEMM_BACKEND set, the context
 * must be on that backend. Prints one line naming the device.
 */
pgemm_context *test_context(void);
/* The same with explicit options; returns NULL (no exit) on failure and
 * prints the reason when `verbose`. */
pgemm_context *test_context_opts(const pgemm_options *opts, int verbose);

/* setenv/unsetenv that abort the test on failure; value NULL unsets. */
void test_setenv(const char *name, const char *value);

/* Bitwise float equality (NaN == NaN with the same payload). */
int test_same_bits(float a, float b);

#endif
