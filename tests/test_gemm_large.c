/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A few large products with the selector's own choice of variant, checked
 * in full against the fp64 reference: 1000^3 (host API, column-major NN)
 * and 1025 x 999 x 1023 (buffers, row-major TN, padded, offset).
 */
#include <stdio.h>
#include <string.h>

#include "gemm_case.h"
#include "test_util.h"

static void run_large(pgemm_context *ctx, test_gemm_case *gc, const char *label)
{
    test_gemm_stats st = {0};
    double t0 = test_elapsed();
    test_gemm_run(ctx, gc, &st);
    pgemm_call_info call;
    CHECK_OK(ctx, pgemm_last_call(ctx, &call));
    int known = 0;
    for (size_t i = 0; i < pgemm_variant_count(ctx); i++)
        known |= !strcmp(call.variant, pgemm_variant_name(ctx, i));
    CHECK_MSG(known, "%s: the selector chose \"%s\", which is not a variant", label,
              call.variant);
    CHECK(call.why[0] != '\0');
    char text[160];
    snprintf(text, sizeof text, "%s -> %s (%.2f s)", label, call.variant, test_elapsed() - t0);
    test_gemm_print_stats(text, &st);
    printf("  why: %s\n", call.why);
}

int main(void)
{
    test_begin("test_gemm_large");
    pgemm_context *ctx = test_context();
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));

    test_gemm_case gc;
    test_gemm_case_init(&gc);
    gc.m = gc.n = gc.k = 1000;
    gc.alpha = 1.0f;
    gc.beta = 0.0f;
    gc.nan_c = 1;
    gc.seed = 42;
    run_large(ctx, &gc, "1000x1000x1000 col NN host");

    test_gemm_case_init(&gc);
    gc.layout = PGEMM_ROW_MAJOR;
    gc.ta = PGEMM_TRANS;
    gc.m = 1025; gc.n = 999; gc.k = 1023;
    gc.alpha = -0.75f;
    gc.beta = 0.5f;
    gc.api = TEST_API_BUFFER;
    gc.pad_a = 3; gc.pad_b = 1; gc.pad_c = 5;
    gc.off_a = 7; gc.off_b = 1; gc.off_c = 17;
    gc.seed = 43;
    run_large(ctx, &gc, "1025x999x1023 row TN buffer");

    pgemm_context_destroy(ctx);
    return test_finish();
}
