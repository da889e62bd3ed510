/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm_sgemm_strided_batched for every variant (forced), all 8 layout x
 * transpose combinations: packed and gapped strides (the gaps hold NaN or
 * -777 and must survive), stride 0 for A, for B, for both, batch counts
 * 1..6, tightly packed C matrices (stride_c == span), k == 0 and
 * alpha == 0 over a batch, each product checked against its own fp64
 * reference. fp16 variants ("h16...") run with FP16_MIXED, half of their
 * cases on fp16 operands.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gemm_case.h"
#include "test_util.h"

static const size_t k_sizes[] = {1, 3, 7, 16, 17, 20, 23, 31, 33, 47, 64, 65};
#define NSIZES (sizeof k_sizes / sizeof k_sizes[0])

/* Stride kinds: 0 packed, 1 gapped, 2 A shared, 3 B shared, 4 both shared. */
static void make_case(test_gemm_case *gc, size_t v, size_t l, const char *name)
{
    test_gemm_case_init(gc);
    test_gemm_set_combo(gc, (int)(l % 8));
    gc->api = TEST_API_BATCHED;
    gc->m = k_sizes[(l + v) % NSIZES];
    gc->n = k_sizes[(5 * l + 2 + v) % NSIZES];
    gc->k = k_sizes[(7 * l + 5 + 2 * v) % NSIZES];
    gc->batch = 1 + (l + v) % 6;
    size_t kind = (l / 2 + v) % 5;
    gc->gap_a = kind == 1 ? 5 : 0;
    gc->gap_b = kind == 1 ? 3 : 0;
    gc->gap_c = kind == 1 ? 7 : 0;
    gc->zero_stride_a = kind == 2 || kind == 4;
    gc->zero_stride_b = kind == 3 || kind == 4;
    gc->pad_a = (l % 3);
    gc->pad_b = (l % 2) * 4;
    gc->pad_c = (l / 3) % 2;
    gc->off_a = (l % 4) * 3;
    gc->off_b = (l % 3) * 5;
    gc->off_c = (l % 5);
    static const float alphas[] = {1.0f, -0.5f, 2.0f, 1.0f};
    static const float betas[] = {0.0f, 1.0f, -2.25f, 0.5f};
    gc->alpha = alphas[(l + v) % 4];
    gc->beta = betas[(l / 4 + v) % 4];
    gc->nan_c = gc->beta == 0.0f;
    gc->sentinel = l % 2 ? NAN : -777.0f;
    gc->seed = 5000 + 100 * v + l;
    gc->expect_variant = name;
    if (test_variant_is_fp16(name)) {
        /* fp16 variants: FP16_MIXED on fp32 operands, or fp16 operands
         * (pgemm_gemm_strided_batched_ex) every other case. */
        gc->precision = PGEMM_PRECISION_FP16_MIXED;
        gc->half_ab = (int)(l % 2);
    }
}

int main(void)
{
    test_begin("test_gemm_batched");
    pgemm_context *ctx = test_context();
    size_t count = pgemm_variant_count(ctx);
    REQUIRE(count > 0);
    test_gemm_stats all = {0};
    for (size_t v = 0; v < count; v++) {
        const char *name = pgemm_variant_name(ctx, v);
        CHECK_OK(ctx, pgemm_force_variant(ctx, name));
        test_gemm_stats st = {0};
        double t0 = test_elapsed();
        /* 16 rotating cases: each combination twice, every stride kind. */
        for (size_t l = 0; l < 16; l++) {
            test_gemm_case gc;
            make_case(&gc, v, l, name);
            test_gemm_run(ctx, &gc, &st);
        }
        /* k == 0 and alpha == 0 over a batch: every C scaled, A/B unread. */
        test_gemm_case gc;
        test_gemm_case_init(&gc);
        test_gemm_set_combo(&gc, (int)(v % 8));
        gc.api = TEST_API_BATCHED;
        gc.batch = 4; gc.m = 17; gc.n = 9; gc.k = 0; gc.beta = -0.5f; gc.gap_c = 2;
        gc.expect_variant = name;
        if (test_variant_is_fp16(name)) gc.precision = PGEMM_PRECISION_FP16_MIXED;
        test_gemm_run(ctx, &gc, &st);
        gc.k = 13; gc.alpha = 0.0f; gc.beta = 0.0f; gc.nan_ab = 1; gc.nan_c = 1;
        test_gemm_run(ctx, &gc, &st);
        /* m == 0: nothing happens to any matrix of the batch. */
        gc.m = 0; gc.alpha = 1.0f; gc.nan_ab = 0;
        test_gemm_run(ctx, &gc, &st);

        char label[96];
        snprintf(label, sizeof label, "batched %s (%.2f s)", name, test_elapsed() - t0);
        test_gemm_print_stats(label, &st);
        test_gemm_stats_merge(&all, &st);
    }
    test_gemm_print_stats("all variants", &all);
    pgemm_context_destroy(ctx);
    return test_finish();
}
