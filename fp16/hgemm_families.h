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

/* Whether a launch has an epilogue: which of a kernel's two instantiations
 * runs it. */
inline bool pgemm_hgemm_has_epilogue(const pgemm_hip_hgemm_args &g)
{
    return g.epi.activation != 0 || g.epi.bias_kind != 0;
}

/*
 * Stores a tile the thread holds in registers: visit(f) calls f(row, col,
 * value) for each of its elements (value a reference to the accumulator),
 * also those outside C, which are not stored. EPI says whether the launch
 * has an epilogue (pgemm_hgemm_has_epilogue): the kernels are compiled
 * twice, so that a plain GEMM runs none of the epilogue's code and keeps
 * the registers it needs. A plain GEMM stores each alpha acc + beta C in
 * one walk. With an epilogue, the first walk turns
 * every sum into its final value (alpha, beta C, bias, the activation fixed
 * at compile time) and only loads, with no branch per element (elements
 * outside C read C and the bias at the nearest element inside); the second
 * only stores. So the elements' loads and arithmetic overlap, and no load
 * of the bias waits behind a store the compiler cannot prove is elsewhere:
 * either would expose a latency per element.
 */
template <bool EPI, typename Visit>
__device__ inline void pgemm_hgemm_store_tile(const pgemm_hip_hgemm_args &g, float *c,
                                              const float *bias, Visit &&visit)
{
    if constexpr (!EPI) {
        visit([&](int row, int col, float &v) {
            if (row >= g.m || col >= g.n) return;
            float *dst = c + row + (long long)col * g.ldc;
            const float s = g.alpha * v;
            *dst = g.beta != 0.0f ? fmaf(g.beta, *dst, s) : s;
        });
        return;
    }
    pgemm_hip_for_activation(g.epi.activation, [&](auto act) {
        constexpr int ACT = decltype(act)::value;
        visit([&](int row, int col, float &v) {
            const int i = min(row, g.m - 1), j = min(col, g.n - 1);
            const float s = g.alpha * v;
            v = pgemm_hip_finish_as<ACT>(
                g.epi, bias, i, j, g.beta != 0.0f ? fmaf(g.beta, c[i + (long long)j * g.ldc], s) : s);
        });
    });
    visit([&](int row, int col, float &v) {
        if (row < g.m && col < g.n) c[row + (long long)col * g.ldc] = v;
    });
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
