/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The C interface between the HIP plugin's host code (C) and the kernels
 * (HIP C++ in hip_kernels/ and fp16/). Every launcher queues its kernel on
 * `stream` and returns the launch's hipError_t as an int (0 = success).
 *
 * All sizes fit in int (the core refuses larger); offsets and strides are
 * 64-bit. Pointers already include the caller's offsets.
 */
#ifndef PGEMM_HIP_LAUNCH_H
#define PGEMM_HIP_LAUNCH_H

#include "hip_variant_table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kernels, one per row of hip_variant_table.h, in the table's order. */
#define PGEMM_HIP_SGEMM_ENUM(id, ...) PGEMM_HIP_SGEMM_##id,
typedef enum pgemm_hip_sgemm_kernel {
    PGEMM_HIP_SGEMM_VARIANTS(PGEMM_HIP_SGEMM_ENUM) PGEMM_HIP_SGEMM_COUNT
} pgemm_hip_sgemm_kernel;
#undef PGEMM_HIP_SGEMM_ENUM

/* The epilogue (backend.h): activation (pgemm_activation: 0 none, 1 ReLU,
 * 2 GELU tanh, 3 SiLU) and bias_kind (0 none, 1 bias[i] per row of the
 * column-major C, 2 bias[j] per column); bias has the call's offset applied,
 * and product z reads bias + z * stride_bias. */
typedef struct pgemm_hip_epilogue {
    int activation, bias_kind;
    const float *bias;
    long long stride_bias;
} pgemm_hip_epilogue;

/* Column-major C(m x n) = epilogue(alpha op(A) op(B) + beta C), batch_count
 * times. beta == 0: C is not read. k == 0: C = epilogue(beta C). */
typedef struct pgemm_hip_sgemm_args {
    int trans_a, trans_b;
    int m, n, k;
    float alpha, beta;
    const float *a; long long lda, stride_a;
    const float *b; long long ldb, stride_b;
    float *c; long long ldc, stride_c;
    int batch;
    pgemm_hip_epilogue epi;
} pgemm_hip_sgemm_args;

int pgemm_hip_sgemm(pgemm_hip_sgemm_kernel kernel, const pgemm_hip_sgemm_args *args,
                    void *stream);

/* Split-K's second pass (backend.h, pgemm_sum_args): C = epilogue(alpha *
 * (W_0 + ... + W_{parts-1}) + beta C), W_p the column-major m x n partial
 * sums at work + p * m * n (leading dimension m). beta == 0: C is not read. */
typedef struct pgemm_hip_sum_args {
    int m, n, parts;
    float alpha, beta;
    const float *work;
    float *c; long long ldc;
    pgemm_hip_epilogue epi; /* as for pgemm_hip_sgemm_args; one product */
} pgemm_hip_sum_args;

int pgemm_hip_sum_parts(const pgemm_hip_sum_args *args, void *stream);

/*
 * FP16 tiles work on packed operands: op(A) as rows_a x kp halves, row i
 * holding op(A)(i, 0..k-1) followed by zeros, and op(B)^T the same way
 * (row j holds op(B)(0..k-1, j)); "K-major" for both. Rows past m (n) up to
 * the padded row count are zero too; a kernel's row in hip_variant_table.h
 * gives the padding: A's rows to a multiple of tile_m, B's to tile_n, K to
 * tile_k. pgemm_hip_pack writes such a copy from
 * any fp32 or fp16 matrix (fp32 rounds to nearest even; beyond 65504 gives
 * infinity).
 */
#define PGEMM_HIP_HGEMM_ENUM(id, ...) PGEMM_HIP_HGEMM_##id,
typedef enum pgemm_hip_hgemm_kernel {
    PGEMM_HIP_HGEMM_VARIANTS(PGEMM_HIP_HGEMM_ENUM) PGEMM_HIP_HGEMM_COUNT
} pgemm_hip_hgemm_kernel;
#undef PGEMM_HIP_HGEMM_ENUM

typedef struct pgemm_hip_hgemm_args {
    int m, n, k;              /* logical sizes; k may be 0 */
    int kp;                   /* packed row length (a multiple of tile_k, >= k) */
    float alpha, beta;
    const void *a; long long stride_a;  /* packed op(A), halves */
    const void *b; long long stride_b;  /* packed op(B)^T, halves */
    float *c; long long ldc, stride_c;
    int batch;
    pgemm_hip_epilogue epi; /* as for pgemm_hip_sgemm_args */
} pgemm_hip_hgemm_args;

int pgemm_hip_hgemm(pgemm_hip_hgemm_kernel kernel, const pgemm_hip_hgemm_args *args,
                    void *stream);

/* dst[b][r][p] (rows_p x kp halves per matrix, dst_stride halves apart) =
 * src[b * src_stride + r * rs + p * ks] for r < rows and p < k, else 0. */
typedef struct pgemm_hip_pack_args {
    const void *src; int src_is_half;
    long long rs, ks, src_stride;
    int rows, k;
    void *dst; int rows_p, kp; long long dst_stride;
    int batch;
} pgemm_hip_pack_args;

int pgemm_hip_pack(const pgemm_hip_pack_args *args, void *stream);

#ifdef __cplusplus
}
#endif

#endif /* PGEMM_HIP_LAUNCH_H */
