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

#ifdef __cplusplus
extern "C" {
#endif

/* FP32 tile kernels (hip_kernels/sgemm_tile.hip), one per shipped shape. */
typedef enum pgemm_hip_sgemm_kernel {
    PGEMM_HIP_SGEMM_T128K16 = 0, /* 128 x 128 tile, K steps of 16, 8 x 8 per thread */
    PGEMM_HIP_SGEMM_T64,       /* 64 x 64, K steps of 16, 4 x 4 per thread */
    PGEMM_HIP_SGEMM_T128X64,   /* 128 x 64, K steps of 16, 8 x 4 per thread */
    PGEMM_HIP_SGEMM_COUNT
} pgemm_hip_sgemm_kernel;

/* Column-major C(m x n) = alpha op(A) op(B) + beta C, batch_count times.
 * beta == 0: C is not read. k == 0: C = beta C. */
typedef struct pgemm_hip_sgemm_args {
    int trans_a, trans_b;
    int m, n, k;
    float alpha, beta;
    const float *a; long long lda, stride_a;
    const float *b; long long ldb, stride_b;
    float *c; long long ldc, stride_c;
    int batch;
} pgemm_hip_sgemm_args;

int pgemm_hip_sgemm(pgemm_hip_sgemm_kernel kernel, const pgemm_hip_sgemm_args *args,
                    void *stream);

/*
 * FP16 tiles work on packed operands: op(A) as rows_a x kp halves, row i
 * holding op(A)(i, 0..k-1) followed by zeros, and op(B)^T the same way
 * (row j holds op(B)(0..k-1, j)); "K-major" for both. Rows past m (n) up to
 * the padded row count are zero too. pgemm_hip_pack writes such a copy from
 * any fp32 or fp16 matrix (fp32 rounds to nearest even; beyond 65504 gives
 * infinity).
 */
typedef enum pgemm_hip_hgemm_kernel {
    PGEMM_HIP_HGEMM_MMA128 = 0, /* NVIDIA mma.sync m16n8k16 (sm_80+), 128 x 128 x 32 */
    PGEMM_HIP_HGEMM_MMA256,     /* the same with 256 x 128 tiles */
    PGEMM_HIP_HGEMM_FMA,        /* fp16 in shared memory, fp32 FMA: any GPU (gfx803/gfx900) */
    PGEMM_HIP_HGEMM_DOT2,       /* pairs along K: v_dot2_f32_f16 on gfx906/gfx1030 */
    PGEMM_HIP_HGEMM_WGMMA,      /* NVIDIA wgmma (sm_90a), 128 x 256 x 64 */
    PGEMM_HIP_HGEMM_MFMA,       /* AMD MFMA 32x32x8 f16 (gfx908, gfx90a), 128 x 128 x 32 */
    PGEMM_HIP_HGEMM_COUNT
} pgemm_hip_hgemm_kernel;

/* The padding each packed operand needs for a kernel: rows to a multiple of
 * *row_align (tile edge), K to a multiple of *k_align. */
void pgemm_hip_hgemm_alignment(pgemm_hip_hgemm_kernel kernel, int *row_align_a,
                               int *row_align_b, int *k_align);

typedef struct pgemm_hip_hgemm_args {
    int m, n, k;              /* logical sizes; k may be 0 */
    int kp;                   /* packed row length (multiple of k_align, >= k) */
    float alpha, beta;
    const void *a; long long stride_a;  /* packed op(A), halves */
    const void *b; long long stride_b;  /* packed op(B)^T, halves */
    float *c; long long ldc, stride_c;
    int batch;
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
