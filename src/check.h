/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Argument checks for the GEMM entry points, and the reduction of a call to
 * column-major form. Everything is checked before any work starts, so a bad
 * call changes nothing.
 */
#ifndef PGEMM_CHECK_H
#define PGEMM_CHECK_H

#include "backend.h"
#include "internal.h"

/* The public arguments of one GEMM call, host or buffer form. */
typedef struct pgemm_gemm_call {
    pgemm_layout layout;
    pgemm_transpose ta, tb;
    size_t m, n, k;
    float alpha, beta;
    const void *a, *b; void *c;  /* pgemm_buffer* or host float* */
    size_t a_offset, lda, stride_a;
    size_t b_offset, ldb, stride_b;
    size_t c_offset, ldc, stride_c;
    size_t batch_count;
    int host;                    /* a, b, c are host pointers */
    pgemm_datatype a_type, b_type; /* C is always fp32 */
    pgemm_activation activation;
    pgemm_bias bias;      /* in the caller's layout */
    const void *bias_ptr; /* pgemm_buffer* or host float* */
    size_t bias_offset, stride_bias;
} pgemm_gemm_call;

/* Shape of an operand as stored: `runs` contiguous runs of `run` elements,
 * `ld` apart. */
typedef struct pgemm_stored {
    size_t run, runs, ld;
} pgemm_stored;

/* Checks call; on success fills *out in column-major form (a, b, c still the
 * caller's pointers, variant unset). On failure records the reason on ctx. */
pgemm_status pgemm_check_gemm(pgemm_context *ctx, const pgemm_gemm_call *call,
                              pgemm_gemm_args *out);

/* Stored shape of A, B and C of column-major args. */
pgemm_stored pgemm_stored_a(const pgemm_gemm_args *g);
pgemm_stored pgemm_stored_b(const pgemm_gemm_args *g);
pgemm_stored pgemm_stored_c(const pgemm_gemm_args *g);

#endif
