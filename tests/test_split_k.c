/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split-K (pgemm_set_split_k, src/split_k.h) through the public API, each
 * product checked against the fp64 reference with its surroundings
 * (gemm_case.h), and pgemm_last_call().split_k checked against the parts
 * the documented rule gives:
 *
 *   1. forced splits of 2, 3, 5 and 64 parts on the 8 layout x transpose
 *      combinations, ragged sizes (k from 2 to 1000, the last part shorter
 *      or not), padded leading dimensions and offsets, beta 0 with NaN in
 *      C, 1 and -0.5, alpha -1.5, every activation x bias pair (applied in
 *      the second pass), the host and buffer calls, and FP16_MIXED and fp16
 *      operands where the context has fp16 tiles;
 *   2. calls that must not split: batched ones, k = 1, a depth rounding
 *      that covers k in one part, alpha = 0, and pgemm_set_split_k(1);
 *   3. the same split call twice gives the same bits;
 *   4. the automatic rule: never on a CPU device; on a GPU, a 64 x 64 C
 *      with k = 8192 (one tile for every compute unit) is split;
 *   5. on the stub backend, a split whose workspace cannot be allocated
 *      runs unsplit, and right;
 *   6. refusals: more than PGEMM_SPLIT_K_MAX parts, and PGEMM_SPLIT_K
 *      values that are not auto, off or a count.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_case.h"
#include "test_util.h"

/* The parts a forced split of k into `asked` gives (docs/API.md): `asked`
 * parts of depth floor(k / asked) rounded down to a multiple of 4 (at least
 * 4; fewer parts where k holds fewer), and one more for the rest of k
 * (1: no split). */
static size_t expected_parts(size_t k, size_t asked)
{
    if (asked < 2 || k < 2) return 1;
    size_t depth = k / asked / 4 * 4;
    if (depth < 4) depth = 4;
    size_t parts = k / depth < asked ? k / depth : asked;
    size_t slices = parts + (k > parts * depth);
    return parts == 0 || slices < 2 ? 1 : slices;
}

static void check_split(pgemm_context *ctx, const test_gemm_case *gc, size_t want)
{
    pgemm_call_info call;
    if (pgemm_last_call(ctx, &call) != PGEMM_SUCCESS) {
        CHECK_MSG(0, "no last call after a successful GEMM");
        return;
    }
    char desc[512];
    CHECK_MSG(call.split_k == want, "%s: split_k %zu, want %zu (why: %s)",
              test_gemm_describe(gc, desc, sizeof desc), call.split_k, want, call.why);
    if (want > 1) CHECK_CONTAINS(call.why, "split-K");
}

/* Runs gc with `asked` parts set on ctx and checks the split reported. */
static void run_split(pgemm_context *ctx, const test_gemm_case *gc, size_t asked, size_t want,
                      test_gemm_stats *st)
{
    CHECK_OK(ctx, pgemm_set_split_k(ctx, asked));
    if (test_gemm_run(ctx, gc, st) == 0) check_split(ctx, gc, want);
}

static void forced_splits(pgemm_context *ctx, int fp16_tiles, test_gemm_stats *st)
{
    static const size_t sizes[] = {1, 7, 33, 65};
    static const size_t depths[] = {2, 5, 9, 130, 257, 1000};
    static const size_t asks[] = {2, 3, 5, 64};
    static const float betas[] = {0.0f, 1.0f, -0.5f};
    size_t n = 0;
    for (int combo = 0; combo < 8; combo++)
        for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++, n++) {
            test_gemm_case gc;
            test_gemm_case_init(&gc);
            test_gemm_set_combo(&gc, combo);
            gc.seed = 1000 + n;
            gc.m = sizes[n % 4];
            gc.n = sizes[(n / 4 + combo) % 4];
            gc.k = depths[d];
            gc.alpha = n % 5 == 0 ? -1.5f : 1.0f;
            gc.beta = betas[n % 3];
            gc.nan_c = gc.beta == 0.0f;
            gc.pad_a = n % 3;
            gc.pad_b = (n + 1) % 3;
            gc.pad_c = n % 2;
            gc.off_a = n % 4;
            gc.off_c = (n + 2) % 3;
            gc.api = n % 2 ? TEST_API_BUFFER : TEST_API_HOST;
            gc.activation = (pgemm_activation)(n % 4);
            gc.bias = (pgemm_bias)((n / 4) % 3);
            gc.off_bias = n % 3;
            if (fp16_tiles && n % 3 == 1) {
                gc.precision = PGEMM_PRECISION_FP16_MIXED;
                if (gc.api == TEST_API_BUFFER && n % 2) gc.half_ab = 1;
            }
            size_t asked = asks[n % 4];
            run_split(ctx, &gc, asked, expected_parts(gc.k, asked), st);
        }
}

static void unsplit_calls(pgemm_context *ctx, test_gemm_stats *st)
{
    test_gemm_case gc;
    test_gemm_case_init(&gc);
    gc.m = 33;
    gc.n = 17;
    gc.k = 300;
    gc.api = TEST_API_BATCHED;
    gc.batch = 3;
    gc.gap_c = 2;
    gc.beta = 0.5f;
    run_split(ctx, &gc, 4, 1, st); /* batched: never split */

    test_gemm_case_init(&gc);
    gc.m = 9;
    gc.n = 9;
    gc.k = 1;
    gc.api = TEST_API_BUFFER;
    run_split(ctx, &gc, 8, 1, st); /* k = 1 */
    gc.k = 3;
    run_split(ctx, &gc, 2, 1, st); /* depth 4 covers k = 3 */
    gc.k = 500;
    run_split(ctx, &gc, 1, 1, st); /* never */
    gc.alpha = 0.0f;
    gc.beta = 2.0f;
    run_split(ctx, &gc, 4, 1, st); /* alpha 0: C = beta C, no product */
}

/* The bits of C after a split call on fixed inputs. */
static int split_bits(pgemm_context *ctx, size_t m, size_t n, size_t k, size_t parts, float *c)
{
    float *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return -1;
    }
    for (size_t i = 0; i < m * k; i++) a[i] = (float)((i * 7919) % 2001) / 1000.0f - 1.0f;
    for (size_t i = 0; i < k * n; i++) b[i] = (float)((i * 104729) % 1999) / 999.0f - 1.0f;
    for (size_t i = 0; i < m * n; i++) c[i] = 0.25f;
    CHECK_OK(ctx, pgemm_set_split_k(ctx, parts));
    pgemm_status s = pgemm_sgemm_host(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k,
                                      1.0f, a, m, b, k, 1.0f, c, m);
    free(a);
    free(b);
    return s == PGEMM_SUCCESS ? 0 : -1;
}

static void same_bits_twice(pgemm_context *ctx)
{
    const size_t m = 65, n = 33, k = 1000;
    float *c1 = malloc(m * n * sizeof *c1), *c2 = malloc(m * n * sizeof *c2);
    REQUIRE(c1 && c2);
    CHECK(split_bits(ctx, m, n, k, 7, c1) == 0);
    pgemm_call_info call;
    CHECK(pgemm_last_call(ctx, &call) == PGEMM_SUCCESS && call.split_k == expected_parts(k, 7));
    CHECK(split_bits(ctx, m, n, k, 7, c2) == 0);
    size_t differ = 0;
    for (size_t i = 0; i < m * n; i++) differ += !test_same_bits(c1[i], c2[i]);
    CHECK_MSG(differ == 0, "a split call gave other bits the second time in %zu of %zu elements",
              differ, m * n);
    free(c1);
    free(c2);
}

static void automatic_rule(pgemm_context *ctx, test_gemm_stats *st)
{
    pgemm_info info;
    REQUIRE(pgemm_context_info(ctx, &info) == PGEMM_SUCCESS);
    test_gemm_case gc;
    test_gemm_case_init(&gc);
    gc.m = 64;
    gc.n = 64;
    gc.k = 8192;
    gc.api = TEST_API_BUFFER;
    gc.beta = 1.0f;
    CHECK_OK(ctx, pgemm_set_split_k(ctx, 0));
    if (test_gemm_run(ctx, &gc, st) != 0) return;
    pgemm_call_info call;
    REQUIRE(pgemm_last_call(ctx, &call) == PGEMM_SUCCESS);
    if (info.device_is_cpu)
        CHECK_MSG(call.split_k == 1, "automatic split on a CPU device: %zu parts (why: %s)",
                  call.split_k, call.why);
    else
        CHECK_MSG(call.split_k >= 2, "64x64x8192 on a GPU of %u units was not split (why: %s)",
                  info.compute_units, call.why);
    printf("automatic: 64x64x8192 on %s (%s, %u units): %zu part(s)\n", info.device,
           info.device_is_cpu ? "CPU" : "GPU", info.compute_units, call.split_k);
}

/* On the stub backend, which can be told to refuse large buffers: a split
 * whose workspace cannot be had runs unsplit, and right. */
static void no_workspace(const pgemm_info *info, test_gemm_stats *st)
{
    if (strcmp(info->platform, "stub") != 0) return;
    pgemm_context *ctx = test_context(); /* no workspace yet */
    test_gemm_case gc;
    test_gemm_case_init(&gc);
    gc.m = 64;
    gc.n = 64;
    gc.k = 8;
    gc.api = TEST_API_BUFFER;
    gc.beta = 0.5f;
    /* A, B and C (16 KiB) fit; two partial sums of 64 x 64 (32 KiB) do not. */
    test_setenv("STUB_FAIL_BUFFERS_ABOVE", "24000");
    CHECK_OK(ctx, pgemm_set_split_k(ctx, 2));
    if (test_gemm_run(ctx, &gc, st) == 0) {
        check_split(ctx, &gc, 1);
        pgemm_call_info call;
        if (pgemm_last_call(ctx, &call) == PGEMM_SUCCESS)
            CHECK_CONTAINS(call.why, "not split: no workspace");
    }
    test_setenv("STUB_FAIL_BUFFERS_ABOVE", NULL);
    run_split(ctx, &gc, 2, 2, st); /* with room again, it splits */
    pgemm_context_destroy(ctx);
}

static void refusals(pgemm_context *ctx)
{
    CHECK(pgemm_set_split_k(NULL, 2) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_set_split_k(ctx, PGEMM_SPLIT_K_MAX + 1));
    CHECK_CONTAINS(pgemm_last_error(ctx), "at most");
    static const char *bad[] = {"0", "65", "x", "3x", "-2", "on"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        test_setenv("PGEMM_SPLIT_K", bad[i]);
        pgemm_context *c = NULL;
        pgemm_status s = pgemm_context_create(NULL, &c);
        CHECK_MSG(s == PGEMM_ERROR_INVALID_ARGUMENT && c == NULL,
                  "PGEMM_SPLIT_K=%s: status %s", bad[i], pgemm_status_string(s));
        CHECK_CONTAINS(pgemm_last_error(NULL), "PGEMM_SPLIT_K");
        pgemm_context_destroy(c);
    }
    /* A count from the environment applies to every call. */
    test_setenv("PGEMM_SPLIT_K", "3");
    pgemm_context *c = test_context();
    test_gemm_case gc;
    test_gemm_case_init(&gc);
    gc.m = 5;
    gc.n = 6;
    gc.k = 40;
    test_gemm_stats st = {0};
    if (test_gemm_run(c, &gc, &st) == 0) check_split(c, &gc, expected_parts(40, 3));
    pgemm_context_destroy(c);
    test_setenv("PGEMM_SPLIT_K", NULL);
}

int main(void)
{
    test_begin("test_split_k");
    test_setenv("PGEMM_SPLIT_K", NULL);
    pgemm_context *ctx = test_context();
    pgemm_info info;
    REQUIRE(pgemm_context_info(ctx, &info) == PGEMM_SUCCESS);
    test_gemm_stats st = {0};
    forced_splits(ctx, info.has_fp16_tiles, &st);
    unsplit_calls(ctx, &st);
    same_bits_twice(ctx);
    automatic_rule(ctx, &st);
    no_workspace(&info, &st);
    test_gemm_print_stats("split-K", &st);
    refusals(ctx);
    pgemm_context_destroy(ctx);
    return test_finish();
}
