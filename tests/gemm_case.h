/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One GEMM test case, run through the public API and checked completely:
 *
 *   - every matrix sits inside a larger allocation: `off` elements before
 *     it, `pad` extra elements per leading dimension, `gap` elements between
 *     the matrices of a batch, and a tail after the last one; all of that
 *     is filled with `sentinel` (may be NaN) and must come back bit for bit;
 *   - A and B must come back unchanged;
 *   - every C window is compared with the fp64 reference (pgemm_ref) under
 *     the componentwise bound with tolerance `tol`;
 *   - pgemm_last_call() must name `expect_variant` (or "" when the call had
 *     nothing to compute) and the requested precision; the precision used
 *     must be FP32 on a context without fp16 tiles, and FP16_MIXED when
 *     something ran on an fp16 variant (fp16 operands, or a forced "h16"
 *     variant). When FP16_MIXED was used, C is compared with the reference
 *     computed on A and B rounded to binary16 (pgemm_ref_round_half), under
 *     the same fp32 bound: that checks the rounding of the inputs and the
 *     fp32 accumulation together.
 *
 * fp16 operands (half_ab, half_a, half_b; buffer and batched APIs only, via
 * pgemm_gemm_ex / pgemm_gemm_strided_batched_ex): the operand is stored as
 * binary16, offsets, lds and strides counting halves, its sentinel the
 * sentinel rounded to a half; the reference uses the half values (exact).
 *
 * expect_status other than PGEMM_SUCCESS: the call must return it (with
 * expect_error in pgemm_last_error when given) and leave A, B, C and
 * pgemm_last_call untouched.
 *
 * The host API places the matrices at the same offsets inside host arrays,
 * so memory before and after them is checked there too.
 */
#ifndef PGEMM_TEST_GEMM_CASE_H
#define PGEMM_TEST_GEMM_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "pgemm.h"

typedef enum test_api {
    TEST_API_HOST = 0,    /* pgemm_sgemm_host */
    TEST_API_BUFFER = 1,  /* pgemm_sgemm */
    TEST_API_BATCHED = 2  /* pgemm_sgemm_strided_batched */
} test_api;

typedef struct test_gemm_case {
    pgemm_layout layout;
    pgemm_transpose ta, tb;
    size_t m, n, k;
    float alpha, beta;
    size_t pad_a, pad_b, pad_c;       /* added to the smallest valid ld */
    size_t off_a, off_b, off_c;       /* elements before the (first) matrix */
    test_api api;
    size_t batch;                     /* TEST_API_BATCHED only (>= 1) */
    int zero_stride_a, zero_stride_b; /* one A (B) for the whole batch */
    size_t gap_a, gap_b, gap_c;       /* stride = span + gap */
    int nan_c;                        /* C windows start as NaN */
    int nan_ab;                       /* A and B windows are NaN */
    int null_ab;                      /* host API: pass NULL for A and B */
    float sentinel;                   /* value of everything outside the windows */
    uint64_t seed;
    pgemm_precision precision;        /* set on the context before the call */
    const char *expect_variant;       /* NULL: do not check the variant */
    double tol;                       /* 0: 2.0 */
    int half_ab;                      /* A and B are fp16 (binary16) */
    int half_a, half_b;               /* only A (B) is fp16 */
    int typed_api;                    /* fp32 operands through the _ex functions too */
    /* The epilogue: a case with an activation or a bias runs through the
     * _epilogue calls (pgemm_sgemm_host_epilogue, pgemm_gemm_epilogue,
     * pgemm_gemm_strided_batched_epilogue), its bias vectors (m or n floats)
     * `off_bias` elements into their array and `gap_bias` apart (one for the
     * whole batch with zero_stride_bias), sentinels around them that must
     * stay; pgemm_last_call must say the epilogue was fused. */
    pgemm_activation activation;
    pgemm_bias bias;
    size_t off_bias, gap_bias;
    int zero_stride_bias;
    int bias_short;                   /* the bias buffer is one float too short */
    int null_bias;                    /* pass NULL for the bias */
    pgemm_status expect_status;       /* PGEMM_SUCCESS by default */
    const char *expect_error;         /* substring of pgemm_last_error on failure */
} test_gemm_case;

/* Whether the case runs an epilogue (an activation or a bias). */
int test_gemm_has_epilogue(const test_gemm_case *gc);

/* The operand types the case uses (half_ab / half_a / half_b). */
pgemm_datatype test_gemm_a_type(const test_gemm_case *gc);
pgemm_datatype test_gemm_b_type(const test_gemm_case *gc);

/* Whether a variant name is one of the fp16-tile variants ("h16..."). */
int test_variant_is_fp16(const char *name);

typedef struct test_gemm_stats {
    size_t cases, failed, elements;
    double max_scaled_err;  /* of the fp32 worst-case bound; <= tol passes */
    double max_rel_fro;
    double max_case_seconds;
} test_gemm_stats;

/* Defaults: column-major NN 1x1x1, alpha 1, beta 0, host API, batch 1,
 * sentinel -777, seed 1, FP32, tol 2. */
void test_gemm_case_init(test_gemm_case *gc);

/* combo 0..7: layout (bit 2: row-major), ta (bit 1), tb (bit 0). */
void test_gemm_set_combo(test_gemm_case *gc, int combo);
const char *test_combo_name(int combo); /* "col NN" ... "row TT" */

/* Runs and checks the case; returns 0 if it passed. Failures are printed
 * (with the case's description) and counted by the CHECK machinery. */
int test_gemm_run(pgemm_context *ctx, const test_gemm_case *gc, test_gemm_stats *stats);

/* A one-line description of the case, for messages. */
const char *test_gemm_describe(const test_gemm_case *gc, char *buf, size_t cap);

/* Prints "<label>: N cases, M failed, max err X of the bound, rel Frobenius Y". */
void test_gemm_print_stats(const char *label, const test_gemm_stats *stats);
/* Adds the counts of `part` to `total` and keeps the worst errors and time. */
void test_gemm_stats_merge(test_gemm_stats *total, const test_gemm_stats *part);

#endif
