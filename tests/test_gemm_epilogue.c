/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fused epilogue, C = act(alpha op(A) op(B) + beta C + bias), checked
 * against the fp64 reference (pgemm_ref_epilogue) through every entry point:
 *
 *   1. every kernel variant, forced, on two cases of one build that reach
 *      both of its store paths: whole tiles with C's columns on 4-float
 *      boundaries (the float4 stores of the OpenCL reg tiles), and ragged
 *      sizes (the element stores), batched with a stride between the bias
 *      vectors and NaN in C under beta = 0;
 *   2. the first variant (OpenCL: direct) on every activation x bias pair,
 *      twice each, walking the 8 layout x transpose combinations, ragged
 *      sizes, beta in {0 with NaN in C, 1, -0.5}, alpha 0 and k 0 (where
 *      the epilogue still applies), offsets, and the host, buffer and
 *      batched calls (one bias for the whole batch, and one per product);
 *   3. refusals that leave everything untouched: a bias buffer one float
 *      short, a NULL bias, an unknown activation or bias kind.
 *
 * Each case also checks that the bias array and A and B are unchanged and
 * that pgemm_last_call reports the epilogue as fused. --full runs part 2 on
 * every variant and every combination (for GPUs, whose builds are fast).
 *
 * usage: test_gemm_epilogue [--full] [variant-name ...]   (default: all)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gemm_case.h"
#include "test_util.h"

static const pgemm_activation k_acts[] = {PGEMM_ACTIVATION_NONE, PGEMM_ACTIVATION_RELU,
                                          PGEMM_ACTIVATION_GELU_TANH, PGEMM_ACTIVATION_SILU};
static const pgemm_bias k_biases[] = {PGEMM_BIAS_NONE, PGEMM_BIAS_PER_ROW, PGEMM_BIAS_PER_COLUMN};
static const size_t k_sizes[] = {1, 3, 7, 17, 33, 65, 70, 129};
#define NSIZES (sizeof k_sizes / sizeof k_sizes[0])

/* A case for variant `name` (NULL: the selector's choice) in the context's
 * precision rules: fp16 variants run with FP16_MIXED. */
static void base_case(test_gemm_case *gc, const char *name, uint64_t seed)
{
    test_gemm_case_init(gc);
    gc->expect_variant = name;
    gc->seed = seed;
    if (test_variant_is_fp16(name)) gc->precision = PGEMM_PRECISION_FP16_MIXED;
    /* Arguments in [-1, 1) give sums of a few units: the activations' bends
     * near 0 are crossed. Values of +-8 are reached by the scale below. */
    gc->alpha = 2.0f;
}

/* Part 1's two cases for variant v: one build each (column-major NN, an
 * activation and a bias kind that rotate with v, so that across the
 * variants both kinds reach the float4 stores). */
static void store_path_cases(pgemm_context *ctx, const char *name, size_t v, test_gemm_stats *st)
{
    static const pgemm_activation acts[] = {PGEMM_ACTIVATION_GELU_TANH, PGEMM_ACTIVATION_SILU,
                                            PGEMM_ACTIVATION_RELU};
    test_gemm_case gc;
    base_case(&gc, name, 100 + v);
    gc.m = 128;
    gc.n = 64;
    gc.k = 40;
    gc.beta = 0.5f;
    gc.api = TEST_API_BUFFER;
    gc.activation = acts[v % 3];
    gc.bias = v % 2 ? PGEMM_BIAS_PER_COLUMN : PGEMM_BIAS_PER_ROW;
    gc.off_bias = 3;
    test_gemm_run(ctx, &gc, st);

    gc.seed = 200 + v;
    gc.m = 65;
    gc.n = 33;
    gc.k = 17;
    gc.beta = 0.0f;
    gc.nan_c = 1;
    gc.api = TEST_API_BATCHED;
    gc.batch = 3;
    gc.gap_c = 5;
    gc.pad_a = 1;
    gc.off_c = 2;
    gc.off_bias = 0;
    gc.gap_bias = 2;
    test_gemm_run(ctx, &gc, st);
}

/* Part 2: case l of pair (act, bias) on variant `name`. */
static void pair_case(test_gemm_case *gc, const char *name, size_t pair, size_t l, int combo)
{
    base_case(gc, name, 1000 + 10 * pair + l);
    test_gemm_set_combo(gc, combo);
    gc->activation = k_acts[pair % 4];
    gc->bias = k_biases[pair / 4];
    size_t r = pair * 2 + l;
    gc->m = k_sizes[r % NSIZES];
    gc->n = k_sizes[(r * 3 + 1) % NSIZES];
    gc->k = k_sizes[(r * 5 + 2) % NSIZES];
    static const float betas[] = {0.0f, 1.0f, -0.5f};
    gc->beta = betas[r % 3];
    gc->nan_c = gc->beta == 0.0f;
    if (r % 7 == 3) { /* C = act(beta C + bias): A and B are not read */
        gc->alpha = 0.0f;
        gc->nan_ab = 1;
    }
    if (r % 11 == 5) gc->k = 0;
    gc->api = (test_api)(r % 3);
    if (gc->api == TEST_API_BATCHED) {
        gc->batch = 2 + r % 3;
        gc->zero_stride_bias = r % 2;
        gc->gap_bias = 1;
        gc->gap_a = gc->gap_b = 1;
    }
    gc->off_a = r % 4;
    gc->off_b = (r + 1) % 3;
    gc->off_c = (r + 2) % 5;
    gc->off_bias = r % 3;
    gc->pad_c = r % 2;
    gc->sentinel = r % 4 == 1 ? NAN : -777.0f;
    if (test_variant_is_fp16(name) && gc->api == TEST_API_HOST) gc->api = TEST_API_BUFFER;
}

static void refusals(pgemm_context *ctx, const char *name, test_gemm_stats *st)
{
    test_gemm_case gc;
    for (int which = 0; which < 6; which++) {
        base_case(&gc, name, 300 + (uint64_t)which);
        gc.m = 9;
        gc.n = 5;
        gc.k = 4;
        gc.beta = 1.0f;
        gc.api = which % 2 ? TEST_API_BATCHED : TEST_API_BUFFER;
        gc.batch = 2;
        gc.bias = which < 2 ? PGEMM_BIAS_PER_ROW : PGEMM_BIAS_PER_COLUMN;
        gc.activation = PGEMM_ACTIVATION_RELU;
        gc.expect_status = PGEMM_ERROR_INVALID_ARGUMENT;
        switch (which) {
        case 0:
            gc.bias_short = 1;
            gc.expect_error = "bias buffer holds";
            break;
        case 1:
            gc.bias_short = 1;
            gc.expect_error = "stride_bias";
            break;
        case 2:
            gc.null_bias = 1;
            gc.expect_error = "bias is NULL";
            break;
        case 3:
            gc.null_bias = 1;
            gc.api = TEST_API_HOST;
            gc.expect_error = "bias is NULL";
            break;
        case 4:
            gc.activation = (pgemm_activation)7;
            gc.expect_error = "activation (7)";
            break;
        case 5:
            gc.bias = (pgemm_bias)-1;
            gc.expect_error = "bias (-1)";
            break;
        }
        if (test_variant_is_fp16(name) && gc.api == TEST_API_HOST) gc.api = TEST_API_BUFFER;
        test_gemm_run(ctx, &gc, st);
    }
}

static void check_names(void)
{
    CHECK(!strcmp(pgemm_activation_name(PGEMM_ACTIVATION_GELU_TANH), "gelu_tanh"));
    CHECK(!strcmp(pgemm_activation_name(PGEMM_ACTIVATION_SILU), "silu"));
    CHECK(pgemm_activation_name((pgemm_activation)4) == NULL);
    CHECK(!strcmp(pgemm_bias_name(PGEMM_BIAS_PER_COLUMN), "per_column"));
    CHECK(pgemm_bias_name((pgemm_bias)3) == NULL);
    pgemm_epilogue ep;
    memset(&ep, 0xff, sizeof ep);
    pgemm_epilogue_init(&ep);
    CHECK(ep.activation == PGEMM_ACTIVATION_NONE && ep.bias == PGEMM_BIAS_NONE &&
          ep.bias_buffer == NULL && ep.bias_offset == 0 && ep.stride_bias == 0);
}

/* Whether variant `name` is among the names on the command line (all when
 * none is given). */
static int selected(const char *name, int argc, char **argv, int first)
{
    if (argc <= first) return 1;
    for (int i = first; i < argc; i++)
        if (!strcmp(argv[i], name)) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    test_begin("test_gemm_epilogue");
    int full = argc > 1 && !strcmp(argv[1], "--full"), first = 1 + full;
    check_names();
    pgemm_context *ctx = test_context();
    size_t count = pgemm_variant_count(ctx);
    REQUIRE(count > 0);
    test_gemm_stats all = {0};

    for (size_t v = 0; v < count; v++) {
        const char *name = pgemm_variant_name(ctx, v);
        if (!selected(name, argc, argv, first)) continue;
        CHECK_OK(ctx, pgemm_force_variant(ctx, name));
        test_gemm_stats st = {0};
        store_path_cases(ctx, name, v, &st);
        char label[96];
        snprintf(label, sizeof label, "store paths, %s", name);
        test_gemm_print_stats(label, &st);
        test_gemm_stats_merge(&all, &st);
    }

    for (size_t v = 0; v < (full ? count : 1); v++) {
        const char *name = pgemm_variant_name(ctx, v);
        if (full && !selected(name, argc, argv, first)) continue;
        CHECK_OK(ctx, pgemm_force_variant(ctx, name));
        test_gemm_stats st = {0};
        for (size_t pair = 0; pair < 12; pair++)
            for (size_t l = 0; l < (full ? 8u : 2u); l++) {
                test_gemm_case gc;
                pair_case(&gc, name, pair, l, full ? (int)l : (int)((pair * 2 + l) % 8));
                test_gemm_run(ctx, &gc, &st);
            }
        refusals(ctx, name, &st);
        char label[96];
        snprintf(label, sizeof label, "every epilogue, %s", name);
        test_gemm_print_stats(label, &st);
        test_gemm_stats_merge(&all, &st);
    }
    test_gemm_print_stats("all", &all);
    pgemm_context_destroy(ctx);
    return test_finish();
}
