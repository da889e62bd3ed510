/* SPDX-License-Identifier: BSD-3-Clause */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgemm_ref.h"

const char *g_test_name = "test";
size_t g_test_checks, g_test_failures;
static double g_t0;

void test_begin(const char *name)
{
    g_test_name = name;
    g_t0 = pgemm_now_seconds();
    /* Failure lines and the summary must interleave correctly with library
     * logging on stderr. */
    setvbuf(stdout, NULL, _IOLBF, 0);
}

double test_elapsed(void) { return pgemm_now_seconds() - g_t0; }

int test_finish(void)
{
    int failed = g_test_failures != 0;
    printf("%s: %s (%zu checks, %zu failed, %.2f s)\n", g_test_name, failed ? "FAIL" : "PASS",
           g_test_checks, g_test_failures, test_elapsed());
    fflush(stdout);
    return failed;
}

void test_exit(void)
{
    if (g_test_failures == 0) g_test_failures = 1;
    exit(test_finish());
}

void test_fail_at(const char *file, int line, const char *fmt, ...)
{
    g_test_failures++;
    /* Long runs fail loudly but not endlessly. */
    if (g_test_failures > 200) {
        if (g_test_failures == 201) printf("%s: more than 200 failures; not printing more\n",
                                           g_test_name);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    printf("%s:%d: FAIL: ", file, line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

pgemm_context *test_context_opts(const pgemm_options *opts, int verbose)
{
    pgemm_context *ctx = NULL;
    pgemm_status st = pgemm_context_create(opts, &ctx);
    if (st != PGEMM_SUCCESS) {
        if (verbose)
            printf("%s: cannot create a pgemm context: %s: %s\n"
                   "  PGEMM_BACKEND=%s PGEMM_OPENCL_PLATFORM=%s PGEMM_PLUGIN_DIR=%s "
                   "RUSTICL_ENABLE=%s\n",
                   g_test_name, pgemm_status_string(st), pgemm_last_error(NULL),
                   env_or("PGEMM_BACKEND", "(unset)"), env_or("PGEMM_OPENCL_PLATFORM", "(unset)"),
                   env_or("PGEMM_PLUGIN_DIR", "(unset)"), env_or("RUSTICL_ENABLE", "(unset)"));
        return NULL;
    }
    return ctx;
}

static int contains_nocase(const char *hay, const char *needle)
{
    if (!hay || !needle) return 0;
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n)) return 1;
    return n == 0;
}

pgemm_context *test_context(void)
{
    pgemm_context *ctx = test_context_opts(NULL, 1);
    if (!ctx) {
        const char *platform = getenv("PGEMM_OPENCL_PLATFORM");
        if (platform && *platform)
            printf("%s: FAIL: the OpenCL platform \"%s\" is not usable here. The test setup "
                   "(see the README's test command) installs PoCL and Mesa rusticl; a missing "
                   "platform is a broken setup, not a skipped test.\n",
                   g_test_name, platform);
        if (contains_nocase(platform, "rusticl") && !getenv("RUSTICL_ENABLE"))
            printf("%s: note: rusticl lists no device unless RUSTICL_ENABLE names a driver "
                   "(RUSTICL_ENABLE=llvmpipe for the CPU)\n",
                   g_test_name);
        test_exit();
    }
    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));
    const char *want = getenv("PGEMM_BACKEND");
    if (want && *want && strcmp(want, "auto") != 0) {
        CHECK_MSG(!strcmp(info.backend_name, want),
                  "PGEMM_BACKEND=%s but the context runs on backend \"%s\"", want,
                  info.backend_name);
    }
    /* CTest names the platform a test is registered for; make sure the
     * context did not silently land on another one. PoCL's platform name is
     * "Portable Computing Language" (its vendor says "pocl"). */
    const char *want_platform = getenv("PGEMM_TEST_PLATFORM");
    if (want_platform && *want_platform) {
        int on_it = contains_nocase(info.platform, want_platform) ||
                    (contains_nocase(want_platform, "pocl") &&
                     contains_nocase(info.platform, "Portable Computing Language"));
        CHECK_MSG(on_it, "registered for platform \"%s\", but the context is on \"%s\"",
                  want_platform, info.platform);
        if (!on_it) test_exit();
    }
    printf("%s: backend %s, platform \"%s\", device \"%s\" (%s), %zu variants\n", g_test_name,
           info.backend_name, info.platform, info.device, info.driver, info.variant_count);
    return ctx;
}

void test_setenv(const char *name, const char *value)
{
    int rc = value ? setenv(name, value, 1) : unsetenv(name);
    if (rc != 0) {
        printf("%s: FAIL: cannot set %s\n", g_test_name, name);
        test_exit();
    }
}

int test_same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }
