/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PGEMM_AUTOTUNE=1 on the stub backend (two variants): the first call of a
 * shape times the candidates and runs the fastest, with C right (beta != 0:
 * the trials wrote a scratch C, not the caller's); the winner is written to
 * <cache>/autotune/ and a later context takes it from there, also a winner
 * the file names that the selector would not pick; malformed lines, unknown
 * variants and another device's file are passed over; without the variable
 * nothing is timed.
 *
 *   test_autotune STUB_DIR SCRATCH_DIR
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pgemm.h"
#include "test_util.h"

static char g_file[4200];

/* One column-major NN product with alpha 1.5, beta 0.5, checked against a
 * double reference; returns the call's record. */
static pgemm_call_info run(pgemm_context *ctx, size_t m, size_t n, size_t k)
{
    float *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b),
          *c = malloc(m * n * sizeof *c);
    double *want = malloc(m * n * sizeof *want);
    pgemm_call_info call;
    memset(&call, 0, sizeof call);
    REQUIRE(a && b && c && want);
    for (size_t i = 0; i < m * k; i++) a[i] = (float)((int)(i * 7 % 13) - 6) / 8.0f;
    for (size_t i = 0; i < k * n; i++) b[i] = (float)((int)(i * 5 % 11) - 5) / 4.0f;
    for (size_t i = 0; i < m * n; i++) c[i] = (float)((int)(i % 9) - 4);
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < m; i++) {
            double s = 0;
            for (size_t p = 0; p < k; p++) s += (double)a[i + p * m] * b[p + j * k];
            want[i + j * m] = 1.5 * s + 0.5 * c[i + j * m];
        }
    CHECK_OK(ctx, pgemm_sgemm_host(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n,
                                   k, 1.5f, a, m, b, k, 0.5f, c, m));
    double worst = 0;
    for (size_t i = 0; i < m * n; i++) {
        double e = fabs(c[i] - want[i]) / (1.0 + fabs(want[i]));
        if (e > worst) worst = e;
    }
    CHECK_MSG(worst < 1e-5, "%zux%zux%zu: C off by %g", m, n, k, worst);
    CHECK_OK(ctx, pgemm_last_call(ctx, &call));
    free(a);
    free(b);
    free(c);
    free(want);
    return call;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *text = calloc(1, 65536);
    if (text) fread(text, 1, 65535, f);
    fclose(f);
    return text;
}

static void write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fputs(text, f);
    fclose(f);
}

int main(int argc, char **argv)
{
    test_begin("test_autotune");
    if (argc < 3) {
        fprintf(stderr, "usage: test_autotune STUB_DIR SCRATCH_DIR\n");
        return 2;
    }
    test_setenv("PGEMM_PLUGIN_DIR", argv[1]);
    char cache[4096];
    snprintf(cache, sizeof cache, "%s/cache", argv[2]);
    char cmd[3 * 4096 + 4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && chmod 700 '%s' '%s'", cache, cache,
             argv[2], cache);
    REQUIRE(system(cmd) == 0);
    test_setenv("PGEMM_CACHE_DIR", cache);
    snprintf(g_file, sizeof g_file, "%s/autotune/opencl-stub-cpu.txt", cache);

    /* Off: the selector decides, nothing is written. */
    pgemm_context *ctx = test_context();
    pgemm_call_info call = run(ctx, 200, 150, 40);
    CHECK_MSG(strncmp(call.why, "autotune", 8) != 0, "autotune without PGEMM_AUTOTUNE: %s",
              call.why);
    pgemm_context_destroy(ctx);
    struct stat st;
    CHECK_MSG(stat(g_file, &st) != 0, "%s written without PGEMM_AUTOTUNE", g_file);

    /* On: timed on the first call, kept for the second. */
    test_setenv("PGEMM_AUTOTUNE", "1");
    ctx = test_context();
    call = run(ctx, 200, 150, 40);
    CHECK_CONTAINS(call.why, "timed now");
    CHECK_CONTAINS(call.why, "stub_a");
    CHECK_CONTAINS(call.why, "stub_b");
    char first[PGEMM_NAME_LEN];
    snprintf(first, sizeof first, "%s", call.variant);
    call = run(ctx, 200, 150, 40);
    CHECK_CONTAINS(call.why, "kept in");
    CHECK_MSG(!strcmp(call.variant, first), "kept %s, ran %s", first, call.variant);
    pgemm_context_destroy(ctx);
    char *text = read_all(g_file);
    REQUIRE(text);
    char line[256];
    snprintf(line, sizeof line, "\n200 150 40 1 56 %s\n", first);
    CHECK_CONTAINS(text, "# pgemm autotune 1; backend opencl; device stub-cpu; driver stub 1.0\n");
    CHECK_CONTAINS(text, line);

    /* A later context takes the file's winners, whatever the selector
     * would pick; lines it cannot use are passed over. */
    const char *other = strcmp(first, "stub_a") ? "stub_a" : "stub_b";
    char edited[1024];
    snprintf(edited, sizeof edited,
             "# pgemm autotune 1; backend opencl; device stub-cpu; driver stub 1.0\n"
             "200 150 40 1 56 %s\n"
             "garbage line\n"
             "96 96 96 1 56 no_such_variant\n"
             "96 96 96 1 56 %s trailing\n"
             "0 5 5 1 56 stub_a\n",
             other, first);
    write_all(g_file, edited);
    ctx = test_context();
    call = run(ctx, 200, 150, 40);
    CHECK_CONTAINS(call.why, "kept in");
    CHECK_MSG(!strcmp(call.variant, other), "the file names %s, ran %s", other, call.variant);
    call = run(ctx, 96, 96, 96);
    CHECK_CONTAINS(call.why, "timed now");
    pgemm_context_destroy(ctx);
    free(text);

    /* Another driver's file is not used (and is replaced). */
    write_all(g_file, "# pgemm autotune 1; backend opencl; device stub-cpu; driver stub 0.9\n"
                      "200 150 40 1 56 stub_a\n");
    ctx = test_context();
    call = run(ctx, 200, 150, 40);
    CHECK_CONTAINS(call.why, "timed now");
    pgemm_context_destroy(ctx);
    text = read_all(g_file);
    REQUIRE(text);
    CHECK_CONTAINS(text, "driver stub 1.0\n");
    free(text);
    return test_finish();
}
