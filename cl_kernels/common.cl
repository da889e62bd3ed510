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
 *
 * The epilogue, fixed at build time, gives each element its final value
 * before it is stored: EPI_BIAS 1 adds bias[i] (a value per row of this
 * column-major C), 2 adds bias[j]; EPI_ACT 1 is ReLU, 2 GELU (tanh form), 3
 * SiLU. Without them (0, the default) the kernels store the sum as it is,
 * and take no bias arguments.
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

#ifndef EPI_ACT
#define EPI_ACT 0
#endif
#ifndef EPI_BIAS
#define EPI_BIAS 0
#endif
#ifndef EPI_UNROLL
#define EPI_UNROLL 0
#endif

#if EPI_BIAS
#define PGEMM_BIAS_ARGS                                                          \
    , __global const float *restrict bias, const ulong bias_off, const ulong stride_bias
#else
#define PGEMM_BIAS_ARGS
#endif

#define PGEMM_KERNEL_ARGS                                                        \
    const int M, const int N, const int K, const float alpha, const float beta,  \
    __global const float *restrict A, const ulong a_off, const int lda,          \
    const ulong stride_a, __global const float *restrict B, const ulong b_off,   \
    const int ldb, const ulong stride_b, __global float *restrict C,             \
    const ulong c_off, const int ldc, const ulong stride_c PGEMM_BIAS_ARGS

/* Moves A, B and C to this work-group's matrix of the batch. */
#define PGEMM_SELECT_BATCH()                                                     \
    do {                                                                         \
        const ulong z_ = get_group_id(2);                                        \
        A += a_off + z_ * stride_a;                                              \
        B += b_off + z_ * stride_b;                                              \
        C += c_off + z_ * stride_c;                                              \
        PGEMM_SELECT_BIAS(z_);                                                   \
    } while (0)

#if EPI_BIAS
#define PGEMM_SELECT_BIAS(z) bias += bias_off + (z) * stride_bias
#else
#define PGEMM_SELECT_BIAS(z) (void)0
#endif

/* The epilogue in place on v, a float or (T float4) four rows of a column:
 * PGEMM_ADD_BIAS (PGEMM_ADD_BIAS4 for four rows from i), then
 * PGEMM_ACTIVATE. Macros, not functions: Clover's compiler keeps a program's
 * functions as calls, with their stack in scratch memory. */
#if EPI_BIAS == 1
#define PGEMM_ADD_BIAS(v, i, j) v += bias[i]
#define PGEMM_ADD_BIAS4(v, i, j)                                                 \
    v += (float4)(bias[i], bias[(i) + 1], bias[(i) + 2], bias[(i) + 3])
#elif EPI_BIAS == 2
#define PGEMM_ADD_BIAS(v, i, j) v += bias[j]
#define PGEMM_ADD_BIAS4(v, i, j) v += (float4)(bias[j])
#else
#define PGEMM_ADD_BIAS(v, i, j) (void)0
#define PGEMM_ADD_BIAS4(v, i, j) (void)0
#endif
#if EPI_ACT == 1
#define PGEMM_ACTIVATE(v, T) v = v < (T)(0.0f) ? (T)(0.0f) : v
#elif EPI_ACT == 2
#define PGEMM_ACTIVATE(v, T)                                                     \
    v = 0.5f * v * (1.0f + tanh(0.7978845608028654f * (v + 0.044715f * v * v * v)))
#elif EPI_ACT == 3
#define PGEMM_ACTIVATE(v, T) v = v / (1.0f + exp(-v))
#else
#define PGEMM_ACTIVATE(v, T) (void)0
#endif

/* Before the loops that store a work-item's outputs, in a GPU build with
 * an epilogue (EPI_UNROLL 1): its bias and activation make the loop body
 * outgrow the compiler's unroll budget, and a rolled loop indexes the
 * accumulator array at run time, which moves it to scratch memory (Clover:
 * up to 576 bytes per lane). CPU drivers keep such arrays on the stack at no
 * cost, and there a forced unroll of the epilogue's stores triples PoCL's
 * compile time, so plain and CPU builds do not force it. */
#if EPI_UNROLL
#define PGEMM_UNROLL _Pragma("unroll")
#else
#define PGEMM_UNROLL
#endif

/* C(i, j) = epilogue(alpha * acc + beta * C(i, j)); C is not read when
 * beta == 0. PGEMM_STORE_SUM stops before the activation. */
#define PGEMM_STORE_WITH(i, j, acc, ACT)                                         \
    do {                                                                         \
        __global float *dst_ = C + (i) + (j) * ldc;                              \
        float v_ = beta == 0.0f ? alpha * (acc) : alpha * (acc) + beta * *dst_;  \
        PGEMM_ADD_BIAS(v_, i, j);                                                \
        ACT(v_, float);                                                          \
        *dst_ = v_;                                                              \
    } while (0)
#define PGEMM_NO_ACTIVATION(v, T) (void)0
#define PGEMM_STORE(i, j, acc) PGEMM_STORE_WITH(i, j, acc, PGEMM_ACTIVATE)
#define PGEMM_STORE_SUM(i, j, acc) PGEMM_STORE_WITH(i, j, acc, PGEMM_NO_ACTIVATION)
