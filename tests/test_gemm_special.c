/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CBLAS corner cases, for every variant (forced) in all 8 layout x
 * transpose combinations, through the host and the buffer API:
 *
 *   beta == 0 with NaN in C           C is not read: no NaN in the result
 *   alpha == 0 with NaN in A and B    A and B are not read (host: even NULL)
 *   k == 0                            C = beta * C (beta 0: zeros over NaN),
 *                                     also with alpha NaN or +-inf
 *   m == 0 or n == 0                  a no-op: nothing changes
 *   alpha == 0 (or k == 0), beta == 1 nothing runs; last_call says so
 *   repeated calls, beta == 1         asynchronous GEMMs on one buffer run
 *                                     in order: C = C0 + 3 * A * B
 *
 * and, once per context, the precision report, the selector's own choice
 * and PGEMM_VARIANT at context creation. fp16 variants ("h16...") run with
 * FP16_MIXED precision (checked on fp16-rounded inputs).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_case.h"
#include "pgemm_ref.h"
#include "test_util.h"

static test_gemm_stats g_stats;

static void run(pgemm_context *ctx, test_gemm_case *gc) { test_gemm_run(ctx, gc, &g_stats); }

/* The corner cases for one variant and one combination. */
static void corner_cases(pgemm_context *ctx, const char *name, size_t v, int combo)
{
    test_gemm_case gc;
    for (int api = 0; api < 2; api++) {
        test_api which = api ? TEST_API_BUFFER : TEST_API_HOST;
        uint64_t seed = 100 * v + 10 * (uint64_t)combo + (uint64_t)api + 1;
#define BASE(mm, nn, kk)                                                                 \
    do {                                                                                 \
        test_gemm_case_init(&gc);                                                        \
        test_gemm_set_combo(&gc, combo);                                                 \
        gc.api = which;                                                                  \
        gc.m = (mm); gc.n = (nn); gc.k = (kk);                                           \
        gc.pad_a = 2; gc.pad_b = 1; gc.pad_c = 3;                                        \
        gc.off_a = 3; gc.off_b = 1; gc.off_c = 2;                                        \
        gc.expect_variant = name;                                                        \
        gc.precision = test_variant_is_fp16(name) ? PGEMM_PRECISION_FP16_MIXED          \
                                                  : PGEMM_PRECISION_FP32;                \
        gc.seed = seed++;                                                                \
    } while (0)

        /* beta == 0: C holds NaN and must not be read. */
        BASE(33, 17, 21);
        gc.alpha = -1.5f; gc.beta = 0.0f; gc.nan_c = 1; gc.sentinel = NAN;
        run(ctx, &gc);

        /* alpha == 0: A and B hold NaN and must not be read. */
        BASE(19, 31, 25);
        gc.alpha = 0.0f; gc.beta = -2.25f; gc.nan_ab = 1;
        run(ctx, &gc);
        if (which == TEST_API_HOST) {
            BASE(7, 65, 9);
            gc.alpha = 0.0f; gc.beta = 0.5f; gc.null_ab = 1;
            run(ctx, &gc);
        }

        /* alpha == 0 and beta == 0: zeros over NaN. */
        BASE(5, 23, 13);
        gc.alpha = 0.0f; gc.beta = 0.0f; gc.nan_ab = 1; gc.nan_c = 1;
        run(ctx, &gc);

        /* k == 0: C = beta * C, A and B not read. */
        BASE(21, 9, 0);
        gc.alpha = 1.0f; gc.beta = 0.5f; gc.nan_ab = 1;
        run(ctx, &gc);
        BASE(17, 3, 0);
        gc.alpha = 2.0f; gc.beta = 0.0f; gc.nan_c = 1; gc.null_ab = which == TEST_API_HOST;
        run(ctx, &gc);
        /* k == 0 with alpha NaN or infinite: still beta * C (alpha multiplies
         * an empty sum, which reference BLAS never computes). */
        static const float odd_alpha[] = {NAN, INFINITY, -INFINITY};
        for (int a = 0; a < 3; a++) {
            BASE(11 + a, 6, 0);
            gc.alpha = odd_alpha[a]; gc.beta = a == 1 ? 0.0f : -0.75f;
            gc.nan_c = a == 1; gc.nan_ab = 1;
            run(ctx, &gc);
        }

        /* m == 0 or n == 0: no-op; every C element keeps its bits. */
        BASE(0, 13, 7);
        gc.beta = 0.0f; gc.null_ab = which == TEST_API_HOST;
        run(ctx, &gc);
        BASE(13, 0, 7);
        gc.alpha = -1.0f; gc.beta = 2.0f;
        run(ctx, &gc);
        BASE(0, 0, 0);
        run(ctx, &gc);

        /* alpha == 0, beta == 1 and k == 0, beta == 1: nothing to do. */
        BASE(9, 11, 5);
        gc.alpha = 0.0f; gc.beta = 1.0f; gc.nan_ab = 1;
        run(ctx, &gc);
        BASE(9, 11, 0);
        gc.alpha = 1.0f; gc.beta = 1.0f;
        run(ctx, &gc);
#undef BASE
    }
}

/* Three asynchronous GEMMs accumulating into one buffer, read once. */
static void repeated_accumulation(pgemm_context *ctx, const char *name, int combo)
{
    test_gemm_case gc;
    test_gemm_case_init(&gc);
    test_gemm_set_combo(&gc, combo);
    const size_t m = 65, n = 33, k = 47, reps = 3;
    int row = gc.layout == PGEMM_ROW_MAJOR, ta = gc.ta == PGEMM_TRANS, tb = gc.tb == PGEMM_TRANS;
    size_t lda = row ? (ta ? m : k) : (ta ? k : m), ldb = row ? (tb ? k : n) : (tb ? n : k);
    size_t ldc = row ? n : m;
    size_t na = lda * (row ? (ta ? k : m) : (ta ? m : k));
    size_t nb = ldb * (row ? (tb ? n : k) : (tb ? k : n)), nc = m * n;
    float *a = malloc(na * 4), *b = malloc(nb * 4), *c0 = malloc(nc * 4), *c = malloc(nc * 4);
    float *cur = malloc(nc * 4);
    double *ref = malloc(nc * 8), *mag = malloc(nc * 8), *mag_sum = calloc(nc, 8);
    REQUIRE(a && b && c0 && c && cur && ref && mag && mag_sum);
    uint64_t seed = 77 + (uint64_t)combo;
    pgemm_fill_random(a, na, &seed);
    pgemm_fill_random(b, nb, &seed);
    pgemm_fill_random(c0, nc, &seed);
    int fp16 = test_variant_is_fp16(name);
    if (fp16) {
        /* fp16 tiles (FP16_MIXED) see A and B rounded to halves: give them
         * halves, so that the fp32 reference below applies unchanged. */
        for (size_t i = 0; i < na; i++) a[i] = pgemm_ref_round_half(a[i]);
        for (size_t i = 0; i < nb; i++) b[i] = pgemm_ref_round_half(b[i]);
    }
    CHECK_OK(ctx, pgemm_set_precision(ctx, fp16 ? PGEMM_PRECISION_FP16_MIXED
                                                : PGEMM_PRECISION_FP32));
    pgemm_buffer *da, *db, *dc;
    CHECK_OK(ctx, pgemm_buffer_create(ctx, na * 4, &da));
    CHECK_OK(ctx, pgemm_buffer_create(ctx, nb * 4, &db));
    CHECK_OK(ctx, pgemm_buffer_create(ctx, nc * 4, &dc));
    REQUIRE(da && db && dc);
    CHECK_OK(ctx, pgemm_buffer_write(da, 0, na * 4, a));
    CHECK_OK(ctx, pgemm_buffer_write(db, 0, nb * 4, b));
    CHECK_OK(ctx, pgemm_buffer_write(dc, 0, nc * 4, c0));
    for (size_t r = 0; r < reps; r++)
        CHECK_OK(ctx, pgemm_sgemm(ctx, gc.layout, gc.ta, gc.tb, m, n, k, 1.0f, da, 0, lda, db, 0,
                                  ldb, 1.0f, dc, 0, ldc));
    CHECK_OK(ctx, pgemm_synchronize(ctx));
    CHECK_OK(ctx, pgemm_buffer_read(dc, 0, nc * 4, c));
    CHECK_OK(ctx, pgemm_set_precision(ctx, PGEMM_PRECISION_FP32));

    /* The reference chains the three steps, rounding to float in between;
     * the error bound adds up over the steps. */
    memcpy(cur, c0, nc * 4);
    for (size_t r = 0; r < reps; r++) {
        REQUIRE(pgemm_ref_gemm(gc.layout, gc.ta, gc.tb, m, n, k, 1.0f, a, lda, b, ldb, 1.0f, cur,
                               ldc, ref, mag) == 0);
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < m; i++) {
                cur[pgemm_ref_index(gc.layout, i, j, ldc)] = (float)ref[i + j * m];
                mag_sum[i + j * m] += mag[i + j * m];
            }
    }
    pgemm_ref_report rep;
    size_t bad = pgemm_ref_compare(gc.layout, m, n, k, c, ldc, ref, mag_sum, 2.0, &rep);
    CHECK_MSG(bad == 0,
              "variant %s, %s: %zu GEMMs accumulating into one buffer: %zu elements wrong, first "
              "(%zu, %zu) = %g want %g (a call lost or run out of order?)",
              name, test_combo_name(combo), reps, bad, rep.first_bad_i, rep.first_bad_j,
              rep.first_bad_got, rep.first_bad_want);
    if (rep.max_scaled_err > g_stats.max_scaled_err) g_stats.max_scaled_err = rep.max_scaled_err;
    pgemm_buffer_destroy(da);
    pgemm_buffer_destroy(db);
    pgemm_buffer_destroy(dc);
    free(a); free(b); free(c0); free(c); free(cur); free(ref); free(mag); free(mag_sum);
}

static void precision_and_selector(pgemm_context *ctx)
{
    /* FP16_MIXED on a backend without fp16 tiles: FP32 runs, and says so. */
    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));
    test_gemm_case gc;
    test_gemm_case_init(&gc);
    gc.m = 40; gc.n = 50; gc.k = 60; gc.beta = 0.5f;
    gc.precision = PGEMM_PRECISION_FP16_MIXED;
    test_gemm_run(ctx, &gc, &g_stats);
    pgemm_call_info call;
    CHECK_OK(ctx, pgemm_last_call(ctx, &call));
    CHECK(call.backend == info.backend);
    CHECK(call.precision_requested == PGEMM_PRECISION_FP16_MIXED);
    if (!info.has_fp16_tiles) {
        CHECK(call.precision_used == PGEMM_PRECISION_FP32);
        CHECK_CONTAINS(call.why, "FP16_MIXED");
        CHECK_CONTAINS(call.why, "FP32");
    }
    /* The selector's own choice: one of the variants, not "forced". */
    int known = 0;
    for (size_t i = 0; i < pgemm_variant_count(ctx); i++)
        known |= !strcmp(call.variant, pgemm_variant_name(ctx, i));
    CHECK_MSG(known, "the selector chose \"%s\", which is not a variant", call.variant);
    CHECK_MSG(strstr(call.why, "forced") == NULL,
              "force_variant(NULL) should give the choice back to the selector; why: %s",
              call.why);
    printf("selector: 40x50x60 -> %s (%s)\n", call.variant, call.why);

    /* Back to FP32: the note about FP16 is gone. */
    gc.precision = PGEMM_PRECISION_FP32;
    test_gemm_run(ctx, &gc, &g_stats);
    CHECK_OK(ctx, pgemm_last_call(ctx, &call));
    CHECK(call.precision_requested == PGEMM_PRECISION_FP32);
    CHECK(strstr(call.why, "FP16") == NULL);
}

/* PGEMM_VARIANT at context creation forces the variant. */
static void variant_from_environment(const char *name)
{
    test_setenv("PGEMM_VARIANT", name);
    pgemm_context *ctx = test_context_opts(NULL, 1);
    test_setenv("PGEMM_VARIANT", NULL);
    CHECK_MSG(ctx != NULL, "PGEMM_VARIANT=%s: %s", name, pgemm_last_error(NULL));
    if (!ctx) return;
    test_gemm_case gc;
    test_gemm_case_init(&gc);
    gc.m = 300; gc.n = 200; gc.k = 100; /* large enough for the selector to want a tile */
    gc.layout = PGEMM_ROW_MAJOR;
    gc.expect_variant = name;
    if (test_variant_is_fp16(name)) gc.precision = PGEMM_PRECISION_FP16_MIXED;
    test_gemm_run(ctx, &gc, &g_stats);
    pgemm_context_destroy(ctx);
}

int main(void)
{
    test_begin("test_gemm_special");
    pgemm_context *ctx = test_context();
    size_t count = pgemm_variant_count(ctx);
    REQUIRE(count > 0);
    for (size_t v = 0; v < count; v++) {
        const char *name = pgemm_variant_name(ctx, v);
        CHECK_OK(ctx, pgemm_force_variant(ctx, name));
        size_t before = g_stats.failed;
        double t0 = test_elapsed();
        for (int combo = 0; combo < 8; combo++) corner_cases(ctx, name, v, combo);
        repeated_accumulation(ctx, name, (int)(v % 8));
        printf("variant %-10s corner cases in 8 combinations: %s (%.2f s)\n", name,
               g_stats.failed == before ? "ok" : "FAILED", test_elapsed() - t0);
    }
    precision_and_selector(ctx);
    variant_from_environment(pgemm_variant_name(ctx, count - 1));
    test_gemm_print_stats("corner cases", &g_stats);
    pgemm_context_destroy(ctx);
    return test_finish();
}
