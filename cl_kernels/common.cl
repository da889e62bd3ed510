/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm OpenCL C 1.1 prelude, prepended to every kernel family.
 *
 * Every family computes, in column-major form,
 *
 *     C(M x N) = alpha * op(A)(M x K) * op(B)(K x N) + beta * C
 *
 * with TRANS_A / TRANS_B (0 or 1) fixed at build time. The host reduces
 * row-major calls to this form. Matrix z of a strided batch is at
 * X + x_off + z * stride_x; the batch index is get_group_id(2).
 * beta == 0 means C is not read; K == 0 means C = beta * C.
 */
#ifndef TRANS_A
#error "TRANS_A must be defined (0 or 1)"
#endif
#ifndef TRANS_B
#error "TRANS_B must be defined (0 or 1)"
#endif

/* op(A)(i, p) and op(B)(p, j). */
#if TRANS_A
#define A_AT(i, p) A[(p) + (i) * lda]
#else
#define A_AT(i, p) A[(i) + (p) * lda]
#endif
#if TRANS_B
#define B_AT(p, j) B[(j) + (p) * ldb]
#else
#define B_AT(p, j) B[(p) + (j) * ldb]
#endif

#define PGEMM_KERNEL_ARGS                                                        \
    const int M, const int N, const int K, const float alpha, const float beta,  \
    __global const float *restrict A, const ulong a_off, const int lda,          \
    const ulong stride_a, __global const float *restrict B, const ulong b_off,   \
    const int ldb, const ulong stride_b, __global float *restrict C,             \
    const ulong c_off, const int ldc, const ulong stride_c

/* Moves A, B and C to this work-group's matrix of the batch. */
#define PGEMM_SELECT_BATCH()                                                     \
    do {                                                                         \
        const ulong z_ = get_group_id(2);                                        \
        A += a_off + z_ * stride_a;                                              \
        B += b_off + z_ * stride_b;                                              \
        C += c_off + z_ * stride_c;                                              \
    } while (0)

/* C(i, j) = alpha * acc + beta * C(i, j); C is not read when beta == 0. */
#define PGEMM_STORE(i, j, acc)                                                   \
    do {                                                                         \
        __global float *dst_ = C + (i) + (j) * ldc;                              \
        *dst_ = beta == 0.0f ? alpha * (acc) : alpha * (acc) + beta * *dst_;     \
    } while (0)
