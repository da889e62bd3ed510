/* SPDX-License-Identifier: BSD-3-Clause */
/* The caller's kernels of test_hip_interop (interop_kernels.hip), callable
 * from C. Each returns the launch's hipError_t (0: queued). */
#ifndef PGEMM_TEST_INTEROP_KERNELS_H
#define PGEMM_TEST_INTEROP_KERNELS_H

#include "pgemm_hip_platform.h"

/* Element i of a filled array: a multiple of 1/8 in [-6/8, 6/8], exact in
 * fp16 and fp32, so that products of such values sum exactly. */
#if defined(__HIPCC__) || defined(__CUDACC__)
__host__ __device__
#endif
    static inline float
    interop_value(long long i, int seed)
{
    return (float)((i * 7 + seed * 13) % 13 - 6) / 8.0f;
}

#ifdef __cplusplus
extern "C" {
#endif

/* x[0..n) = interop_value(i, seed) on `stream`, after spinning `spin` clock
 * cycles on the device. */
int interop_fill(float *x, long long n, int seed, long long spin, hipStream_t stream);
/* dst[0..n) = src[0..n) on `stream`. */
int interop_copy(const float *src, float *dst, long long n, hipStream_t stream);

#ifdef __cplusplus
}
#endif

#endif
