/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The typed API, pgemm_gemm_ex and pgemm_gemm_strided_batched_ex, on any
 * backend:
 *
 *   - fp16 A and B, and mixed f16/f32 operands, in all 8 layout x transpose
 *     combinations, ragged sizes, padded leading dimensions, offsets (all
 *     counting halves for fp16 operands), alpha/beta pairs including
 *     beta == 0 over NaN in C and alpha == 0 over NaN in A and B, k == 0,
 *     m == 0, batches with gapped and zero strides. Every case runs through
 *     the case runner (gemm_case.c): sentinels around every matrix (halves
 *     for fp16 operands) must survive, and C is checked against the fp64
 *     reference on the half values.
 *       With fp16 tiles (pgemm_info.has_fp16_tiles) the calls must succeed
 *     on an fp16 variant (precision used FP16_MIXED), for the selector's
 *     choice and for every "h16" variant forced; forcing an fp32 variant
 *     with fp16 operands is an invalid argument.
 *       Without fp16 tiles (OpenCL) every call with an fp16 operand must be
 *     refused with PGEMM_ERROR_UNSUPPORTED and a message naming fp16, with
 *     A, B, C and pgemm_last_call untouched.
 *   - fp32 operands through the typed API: run and checked like pgemm_sgemm.
 *   - invalid datatype values: PGEMM_ERROR_INVALID_ARGUMENT, nothing changed.
 *   - buffer extents counted in halves for fp16 operands.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_case.h"
#include "pgemm_ref.h"
#include "test_util.h"

static int g_has16;
static test_gemm_stats g_stats;

static const size_t k_sizes[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 64, 65, 100, 127, 129};
#define NSIZES (sizeof k_sizes / sizeof k_sizes[0])

static const struct {
    float alpha, beta;
} k_scalars[] = {{1.0f, 0.0f},  {1.0f, 1.0f},  {-1.0f, 0.5f}, {0.5f, -2.25f},
                 {0.0f, 0.5f},  {0.0f, 0.0f},  {2.0f, -1.0f}, {-1.5f, 0.0f}, {0.25f, 1.0f}};
#define NSCALARS (sizeof k_scalars / sizeof k_scalars[0])

static const size_t k_pads[] = {0, 1, 3, 17};
static const size_t k_offsets[] = {0, 1, 5, 33};

/* Type pairs: 0 f16/f16, 1 f16/f32, 2 f32/f16. */
static void set_types(test_gemm_case *gc, int pair)
{
    gc->half_ab = pair == 0;
    gc->half_a = pair == 1;
    gc->half_b = pair == 2;
}

/* What a case with an fp16 operand must return here. */
static void expect_for_backend(test_gemm_case *gc)
{
    int half = test_gemm_a_type(gc) == PGEMM_F16 || test_gemm_b_type(gc) == PGEMM_F16;
    if (half && !g_has16) {
        gc->expect_status = PGEMM_ERROR_UNSUPPORTED;
        gc->expect_error = "fp16";
    }
}

static void run(pgemm_context *ctx, test_gemm_case *gc)
{
    expect_for_backend(gc);
    test_gemm_run(ctx, gc, &g_stats);
}

/* Rotating cases: all combinations x type pairs x 4 rounds. */
static void rotating_cases(pgemm_context *ctx, const char *variant)
{
    for (size_t l = 0; l < 8 * 3 * 4; l++) {
        int combo = (int)(l % 8), pair = (int)((l / 8) % 3);
        test_gemm_case gc;
        test_gemm_case_init(&gc);
        test_gemm_set_combo(&gc, combo);
        set_types(&gc, pair);
        gc.m = k_sizes[(l * 5 + 1) % NSIZES];
        gc.n = k_sizes[(l * 7 + 3) % NSIZES];
        gc.k = k_sizes[(l * 11 + 2) % NSIZES];
        gc.alpha = k_scalars[l % NSCALARS].alpha;
        gc.beta = k_scalars[l % NSCALARS].beta;
        gc.nan_c = gc.beta == 0.0f;
        gc.nan_ab = gc.alpha == 0.0f;
        gc.pad_a = k_pads[(l / 2) % 4];
        gc.pad_b = k_pads[(l / 3 + 1) % 4];
        gc.pad_c = k_pads[(l / 5 + 2) % 4];
        gc.off_a = k_offsets[(l / 4) % 4];
        gc.off_b = k_offsets[(l / 3 + 2) % 4];
        gc.off_c = k_offsets[(l / 2 + 1) % 4];
        gc.sentinel = l % 3 == 1 ? NAN : -777.0f;
        /* fp16 operands use fp16 tiles whatever the context's precision. */
        gc.precision = l % 2 ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32;
        if ((l / 24) % 2) {
            gc.api = TEST_API_BATCHED;
            gc.batch = 1 + l % 4;
            size_t kind = (l / 3) % 4; /* packed, gapped, A shared, B shared */
            gc.gap_a = kind == 1 ? 5 : 0;
            gc.gap_b = kind == 1 ? 3 : 0;
            gc.gap_c = kind == 1 ? 7 : 0;
            gc.zero_stride_a = kind == 2;
            gc.zero_stride_b = kind == 3;
        } else {
            gc.api = TEST_API_BUFFER;
        }
        gc.seed = 9000 + l;
        gc.expect_variant = variant;
        run(ctx, &gc);
    }
}

/* The CBLAS corners with fp16 operands, for each type pair and both APIs. */
static void corner_cases(pgemm_context *ctx, const char *variant)
{
    for (int pair = 0; pair < 3; pair++)
        for (int api = 0; api < 2; api++) {
            test_gemm_case gc;
            uint64_t seed = 300 + 10 * (uint64_t)pair + (uint64_t)api;
#define BASE(mm, nn, kk, combo)                                                          \
    do {                                                                                 \
        test_gemm_case_init(&gc);                                                        \
        test_gemm_set_combo(&gc, (combo));                                               \
        set_types(&gc, pair);                                                            \
        gc.api = api ? TEST_API_BATCHED : TEST_API_BUFFER;                               \
        gc.batch = api ? 3 : 1;                                                          \
        gc.m = (mm); gc.n = (nn); gc.k = (kk);                                           \
        gc.pad_a = 2; gc.pad_b = 1; gc.pad_c = 3;                                        \
        gc.off_a = 3; gc.off_b = 1; gc.off_c = 2;                                        \
        gc.gap_a = 1; gc.gap_b = 2; gc.gap_c = 3;                                        \
        gc.expect_variant = variant;                                                     \
        gc.seed = seed++;                                                                \
    } while (0)
            /* beta == 0: C holds NaN and must not be read. */
            BASE(33, 17, 21, 1);
            gc.alpha = -1.5f; gc.beta = 0.0f; gc.nan_c = 1; gc.sentinel = NAN;
            run(ctx, &gc);
            /* alpha == 0: A and B hold NaN and must not be read. */
            BASE(19, 31, 25, 6);
            gc.alpha = 0.0f; gc.beta = -2.25f; gc.nan_ab = 1;
            run(ctx, &gc);
            /* alpha == 0 and beta == 0: zeros over NaN. */
            BASE(5, 23, 13, 3);
            gc.alpha = 0.0f; gc.beta = 0.0f; gc.nan_ab = 1; gc.nan_c = 1;
            run(ctx, &gc);
            /* k == 0: C = beta * C. */
            BASE(21, 9, 0, 4);
            gc.alpha = 1.0f; gc.beta = 0.5f;
            run(ctx, &gc);
            /* m == 0, n == 0: no-op (refused all the same without fp16 tiles). */
            BASE(0, 13, 7, 2);
            run(ctx, &gc);
            BASE(13, 0, 7, 5);
            gc.beta = 2.0f;
            run(ctx, &gc);
            /* alpha == 0, beta == 1: nothing runs. */
            BASE(9, 11, 5, 7);
            gc.alpha = 0.0f; gc.beta = 1.0f; gc.nan_ab = 1;
            run(ctx, &gc);
            /* Batches sharing A, B or both (zero strides). */
            if (api) {
                for (int shared = 1; shared <= 3; shared++) {
                    BASE(23, 14, 37, shared + 3);
                    gc.batch = 5;
                    gc.alpha = 0.75f; gc.beta = shared == 2 ? 0.0f : -0.5f;
                    gc.nan_c = gc.beta == 0.0f;
                    gc.zero_stride_a = shared & 1;
                    gc.zero_stride_b = (shared >> 1) & 1;
                    run(ctx, &gc);
                }
            }
            /* One larger product, past any tile size. */
            BASE(257, 130, 300, pair + 2 * api);
            gc.alpha = 1.0f; gc.beta = 0.5f;
            run(ctx, &gc);
#undef BASE
        }
}

/* fp32 operands through the typed API: run here like pgemm_sgemm. */
static void typed_fp32(pgemm_context *ctx)
{
    for (int combo = 0; combo < 8; combo++)
        for (int api = 0; api < 2; api++) {
            test_gemm_case gc;
            test_gemm_case_init(&gc);
            test_gemm_set_combo(&gc, combo);
            gc.typed_api = 1;
            gc.api = api ? TEST_API_BATCHED : TEST_API_BUFFER;
            gc.batch = api ? 2 + combo % 3 : 1;
            gc.zero_stride_b = api && combo % 2;
            gc.m = k_sizes[(combo * 3 + api) % NSIZES];
            gc.n = k_sizes[(combo * 5 + 4) % NSIZES];
            gc.k = k_sizes[(combo * 7 + 2 * api + 1) % NSIZES];
            gc.alpha = k_scalars[combo].alpha;
            gc.beta = k_scalars[combo].beta;
            gc.nan_c = gc.beta == 0.0f;
            gc.nan_ab = gc.alpha == 0.0f;
            gc.pad_a = (size_t)combo % 3; gc.pad_c = 1;
            gc.off_a = 1; gc.off_b = (size_t)api * 4; gc.off_c = 7;
            gc.precision = combo % 3 == 1 ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32;
            gc.seed = 400 + (uint64_t)(combo * 2 + api);
            run(ctx, &gc);
        }
}

/* Reads a buffer of count floats and checks it against want, bitwise. */
static void check_buffer(pgemm_context *ctx, pgemm_buffer *buf, const float *want, size_t count,
                         const char *what)
{
    float *got = malloc(count * sizeof(float));
    REQUIRE(got);
    CHECK_OK(ctx, pgemm_buffer_read(buf, 0, count * sizeof(float), got));
    size_t d;
    for (d = 0; d < count; d++)
        if (!test_same_bits(got[d], want[d])) break;
    CHECK_MSG(d == count, "%s: C changed at element %zu: %g -> %g", what, d,
              d < count ? want[d] : 0.0, d < count ? got[d] : 0.0);
    free(got);
}

/* Invalid datatypes, and extents counted in halves. */
static void arguments(pgemm_context *ctx)
{
    CHECK(pgemm_datatype_name(PGEMM_F32) && !strcmp(pgemm_datatype_name(PGEMM_F32), "f32"));
    CHECK(pgemm_datatype_name(PGEMM_F16) && !strcmp(pgemm_datatype_name(PGEMM_F16), "f16"));
    CHECK(pgemm_datatype_name((pgemm_datatype)2) == NULL);
    CHECK(pgemm_datatype_name((pgemm_datatype)-1) == NULL);

    const size_t m = 12, n = 10, k = 9; /* column-major NN, packed */
    float a[12 * 9], b[9 * 10], c0[12 * 10];
    uint64_t seed = 55;
    pgemm_fill_random(a, m * k, &seed);
    pgemm_fill_random(b, k * n, &seed);
    pgemm_fill_random(c0, m * n, &seed);
    uint16_t ah[12 * 9], bh[9 * 10];
    for (size_t i = 0; i < m * k; i++) ah[i] = pgemm_ref_to_half(a[i]);
    for (size_t i = 0; i < k * n; i++) bh[i] = pgemm_ref_to_half(b[i]);
    pgemm_buffer *da, *db, *dah, *dbh, *dc;
    CHECK_OK(ctx, pgemm_buffer_create(ctx, sizeof a, &da));
    CHECK_OK(ctx, pgemm_buffer_create(ctx, sizeof b, &db));
    CHECK_OK(ctx, pgemm_buffer_create(ctx, sizeof ah, &dah)); /* exactly m*k halves */
    CHECK_OK(ctx, pgemm_buffer_create(ctx, sizeof bh, &dbh));
    CHECK_OK(ctx, pgemm_buffer_create(ctx, sizeof c0, &dc));
    REQUIRE(da && db && dah && dbh && dc);
    CHECK_OK(ctx, pgemm_buffer_write(da, 0, sizeof a, a));
    CHECK_OK(ctx, pgemm_buffer_write(db, 0, sizeof b, b));
    CHECK_OK(ctx, pgemm_buffer_write(dah, 0, sizeof ah, ah));
    CHECK_OK(ctx, pgemm_buffer_write(dbh, 0, sizeof bh, bh));
    CHECK_OK(ctx, pgemm_buffer_write(dc, 0, sizeof c0, c0));

    /* A known last call, which refused calls must leave alone. */
    CHECK_OK(ctx, pgemm_set_precision(ctx, PGEMM_PRECISION_FP32));
    CHECK_OK(ctx, pgemm_sgemm(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k, 0.0f,
                              da, 0, m, db, 0, k, 1.0f, dc, 0, m));
    pgemm_call_info before, after;
    CHECK_OK(ctx, pgemm_last_call(ctx, &before));
    CHECK(before.variant[0] == '\0'); /* alpha 0, beta 1: nothing ran */

    static const int bad_types[] = {2, 3, -1, 100};
    for (size_t t = 0; t < sizeof bad_types / sizeof bad_types[0]; t++) {
        pgemm_datatype bad = (pgemm_datatype)bad_types[t];
        CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                     pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k,
                                   1.0f, da, bad, 0, m, db, PGEMM_F32, 0, k, 0.0f, dc, 0, m));
        CHECK_CONTAINS(pgemm_last_error(ctx), "a_type");
        CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                     pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k,
                                   1.0f, dah, PGEMM_F16, 0, m, db, bad, 0, k, 0.0f, dc, 0, m));
        CHECK_CONTAINS(pgemm_last_error(ctx), "b_type");
        CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                     pgemm_gemm_strided_batched_ex(ctx, PGEMM_ROW_MAJOR, PGEMM_TRANS,
                                                   PGEMM_NO_TRANS, m, n, k, 1.0f, da, bad, 0, m,
                                                   0, db, bad, 0, n, 0, 1.0f, dc, 0, n, 0, 1));
        /* Even with nothing to compute, a bad type is a bad argument. */
        CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                     pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, 0, n, k,
                                   1.0f, da, bad, 0, m, db, PGEMM_F32, 0, k, 0.0f, dc, 0, m));
    }
    check_buffer(ctx, dc, c0, m * n, "invalid datatypes");

    /* Extents in halves: an fp16 A of exactly m*k halves (2 bytes each)
     * fits; one more element (offset 1) does not, whatever the backend. */
    pgemm_status want = g_has16 ? PGEMM_SUCCESS : PGEMM_ERROR_UNSUPPORTED;
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k,
                               1.0f, dah, PGEMM_F16, 1, m, db, PGEMM_F32, 0, k, 0.0f, dc, 0, m));
    CHECK_CONTAINS(pgemm_last_error(ctx), "halves");
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k,
                               1.0f, da, PGEMM_F32, 0, m, dbh, PGEMM_F16, 0, k + 1, 0.0f, dc, 0,
                               m));
    /* The fp16 buffer read as floats would be too small: types matter. */
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k,
                               1.0f, dah, PGEMM_F32, 0, m, db, PGEMM_F32, 0, k, 0.0f, dc, 0, m));
    check_buffer(ctx, dc, c0, m * n, "buffers too small");
    CHECK_OK(ctx, pgemm_last_call(ctx, &after));
    CHECK_MSG(!strcmp(after.variant, before.variant) && !strcmp(after.why, before.why),
              "refused calls changed pgemm_last_call to \"%s\" (%s)", after.variant, after.why);

    CHECK_STATUS(ctx, want,
                 pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k,
                               1.0f, dah, PGEMM_F16, 0, m, dbh, PGEMM_F16, 0, k, 0.0f, dc, 0, m));
    if (!g_has16) {
        CHECK_CONTAINS(pgemm_last_error(ctx), "fp16");
        check_buffer(ctx, dc, c0, m * n, "fp16 refused");
    } else {
        /* C = A_h B_h, checked against the reference on the halves. */
        float ar[12 * 9], br[9 * 10], c[12 * 10];
        double ref[12 * 10], mag[12 * 10];
        for (size_t i = 0; i < m * k; i++) ar[i] = pgemm_ref_from_half(ah[i]);
        for (size_t i = 0; i < k * n; i++) br[i] = pgemm_ref_from_half(bh[i]);
        CHECK_OK(ctx, pgemm_buffer_read(dc, 0, sizeof c, c));
        REQUIRE(pgemm_ref_gemm(PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k, 1.0f, ar,
                               m, br, k, 0.0f, c0, m, ref, mag) == 0);
        pgemm_ref_report rep;
        CHECK_MSG(pgemm_ref_compare(PGEMM_COL_MAJOR, m, n, k, c, m, ref, mag, 2.0, &rep) == 0,
                  "fp16 operands in exactly-sized buffers: max err %.3g of the bound",
                  rep.max_scaled_err);
        CHECK_OK(ctx, pgemm_last_call(ctx, &after));
        CHECK(after.precision_used == PGEMM_PRECISION_FP16_MIXED);
        CHECK(test_variant_is_fp16(after.variant));
    }
    pgemm_buffer_destroy(da);
    pgemm_buffer_destroy(db);
    pgemm_buffer_destroy(dah);
    pgemm_buffer_destroy(dbh);
    pgemm_buffer_destroy(dc);
}

/* Forced variants: fp16 operands run on every h16 variant; an fp32 variant
 * cannot read them (with fp16 tiles: invalid argument; without: the
 * backend refuses fp16 first). */
static void forced_variants(pgemm_context *ctx)
{
    size_t count = pgemm_variant_count(ctx), fp16_variants = 0;
    for (size_t v = 0; v < count; v++) {
        const char *name = pgemm_variant_name(ctx, v);
        REQUIRE(name);
        int fp16 = test_variant_is_fp16(name);
        fp16_variants += fp16;
        CHECK_OK(ctx, pgemm_force_variant(ctx, name));
        for (int pair = 0; pair < 3; pair++) {
            test_gemm_case gc;
            test_gemm_case_init(&gc);
            test_gemm_set_combo(&gc, (int)(v + (size_t)pair) % 8);
            set_types(&gc, pair);
            gc.api = pair == 1 ? TEST_API_BATCHED : TEST_API_BUFFER;
            gc.batch = 3;
            gc.m = 45; gc.n = 38; gc.k = 71;
            gc.alpha = -1.0f; gc.beta = pair == 2 ? 0.0f : 0.5f;
            gc.nan_c = gc.beta == 0.0f;
            gc.pad_a = 1; gc.pad_b = 2; gc.pad_c = 3;
            gc.off_a = 7; gc.off_b = 2; gc.off_c = 1;
            gc.seed = 700 + 3 * v + (uint64_t)pair;
            gc.expect_variant = name;
            if (g_has16 && !fp16) {
                gc.expect_status = PGEMM_ERROR_INVALID_ARGUMENT;
                gc.expect_error = "fp16";
            }
            run(ctx, &gc);
        }
        if (fp16) {
            printf("variant %-10s: fp16 operands\n", name);
            rotating_cases(ctx, name);
        }
    }
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));
    if (g_has16)
        CHECK_MSG(fp16_variants > 0, "fp16 tiles reported, but no \"h16\" variant is listed");
    else
        CHECK_MSG(fp16_variants == 0, "%zu \"h16\" variants listed without fp16 tiles",
                  fp16_variants);
}

int main(void)
{
    test_begin("test_gemm_ex");
    pgemm_context *ctx = test_context();
    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));
    g_has16 = info.has_fp16_tiles;
    printf("%s: fp16 tiles %s: fp16 operands must %s\n", info.backend_name,
           g_has16 ? "present" : "absent", g_has16 ? "run" : "be refused (UNSUPPORTED)");

    arguments(ctx);
    rotating_cases(ctx, NULL);
    test_gemm_print_stats("selector, rotating cases", &g_stats);
    corner_cases(ctx, NULL);
    typed_fp32(ctx);
    forced_variants(ctx);
    test_gemm_print_stats("all cases", &g_stats);
    pgemm_context_destroy(ctx);
    return test_finish();
}
