/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Launchers of the fp16 tile families, behind pgemm_hip_hgemm (hgemm.hip).
 * Each returns hipErrorInvalidDeviceFunction when its family was not built
 * for the platform (mma.sync and wgmma exist only in NVIDIA builds, MFMA
 * only in AMD ones), hipErrorInvalidValue for a row of another family.
 */
#ifndef PGEMM_HGEMM_FAMILIES_H
#define PGEMM_HGEMM_FAMILIES_H

#include "batch_slices.h"
#include "epilogue.h"
#include "hgemm_rows.h"
#include "hip_launch.h"
#include "pgemm_hip_platform.h"

/* Byte offset of 16-byte chunk c of row r in a shared step of K = 32 halves
 * (64-byte rows) with chunk c stored at c ^ ((r / 2) % 4): the 8 rows read
 * by one 16-byte-per-lane access (ldmatrix, ds_read_b128) at the same chunk
 * fall into 8 different 16-byte bank groups. */
__device__ inline int pgemm_hgemm_chunk_offset(int r, int c)
{
    return (r * 4 + (c ^ ((r >> 1) & 3))) * 16;
}

/* C(row, col) = epilogue(alpha * acc + beta * C(row, col)), C column-major
 * with g.ldc and bias this product's (pgemm_hip_bias_of); C is not read when
 * beta == 0. The callers check row < m and col < n. */
__device__ inline void pgemm_hgemm_put_c(const pgemm_hip_hgemm_args &g, float *c, const float *bias,
                                         int row, int col, float acc)
{
    float *dst = c + row + (long long)col * g.ldc;
    const float v = g.alpha * acc;
    *dst = pgemm_hip_finish(g.epi, bias, row, col, g.beta != 0.0f ? fmaf(g.beta, *dst, v) : v);
}

/* One per family of hip_variant_table.h, taking the row to run. */
hipError_t pgemm_hgemm_wgmma_launch(pgemm_hip_hgemm_kernel row, const pgemm_hip_hgemm_args *args,
                                    hipStream_t stream);
hipError_t pgemm_hgemm_mma_launch(pgemm_hip_hgemm_kernel row, const pgemm_hip_hgemm_args *args,
                                  hipStream_t stream);
hipError_t pgemm_hgemm_mfma_launch(pgemm_hip_hgemm_kernel row, const pgemm_hip_hgemm_args *args,
                                   hipStream_t stream);
hipError_t pgemm_hgemm_dot2_launch(pgemm_hip_hgemm_kernel row, const pgemm_hip_hgemm_args *args,
                                   hipStream_t stream);
hipError_t pgemm_hgemm_fma_launch(pgemm_hip_hgemm_kernel row, const pgemm_hip_hgemm_args *args,
                                  hipStream_t stream);

#endif
