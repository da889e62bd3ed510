/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mma.sync kernels' C store, C = epilogue(alpha * acc + beta * C), through shared
 * memory, for a C whose columns do not start on 32-byte sectors.
 *
 * An mma.sync accumulator fragment holds, per store instruction of a warp,
 * runs of 8 consecutive rows in 4 columns of C. Stored straight from the
 * registers, each run is 32 bytes, and when ldc is not a multiple of 8
 * floats every other run straddles two sectors: stored that way, h16mma128
 * at 6044 x 1610 x 177 runs at 54 TFLOP/s against 71 with m = 6016 or 6080.
 * Staged in shared memory, a column's rows go out as one run per warp
 * (128 bytes), and a misaligned ldc costs one sector in five at most: 73
 * TFLOP/s at 6044 (docs/PERFORMANCE.md). With aligned columns the stage
 * only costs (1-10% at small k), so the kernels take it where it pays.
 * wgmma keeps its direct stores: staged, it loses 12% at 6044 x 1610 x 177.
 *
 * The stage holds COLS columns of the block's BM-row tile, column-major,
 * rows padded by 4 floats: a fragment's 32 values (8 rows x 4 columns 2
 * apart) then fall into 32 different banks.
 */
#ifndef PGEMM_FP16_STORE_C_H
#define PGEMM_FP16_STORE_C_H

#include "hgemm_families.h"

template <int BM>
struct pgemm_c_stage {
    static constexpr int LD = BM + 4;
    /* Bytes of shared memory a stage of `cols` columns takes. */
    static constexpr int bytes(int cols) { return cols * LD * 4; }

    __device__ static void put(float *stage, int row, int col, float v)
    {
        stage[col * LD + row] = v;
    }

    /* All THREADS threads of the block: writes the stage's columns 0 ..
     * cols - 1 to C at (row0, col0), inside m x n, through the epilogue
     * (bias: this product's vector; EPI: pgemm_hgemm_store_tile's). Call
     * between barriers. */
    template <int COLS, int THREADS, bool EPI>
    __device__ static void store(const float *stage, const pgemm_hip_hgemm_args &g, float *c,
                                 const float *bias, int row0, int col0)
    {
        /* Four elements a thread at a time, each group's loads before its
         * stores (pgemm_hgemm_store_tile). */
        constexpr int GROUP = 4;
#pragma unroll 1
        for (int q0 = (int)threadIdx.x; q0 < BM * COLS; q0 += GROUP * THREADS) {
            float v[GROUP];
#pragma unroll
            for (int u = 0; u < GROUP; u++) {
                const int q = q0 + u * THREADS;
                v[u] = q < BM * COLS ? stage[q / BM * LD + q % BM] : 0.0f;
            }
            pgemm_hgemm_store_tile<EPI>(g, c, bias, [&](auto &&f) {
#pragma unroll
                for (int u = 0; u < GROUP; u++) {
                    const int q = q0 + u * THREADS;
                    const int i = row0 + q % BM, j = col0 + q / BM;
                    if (q < BM * COLS) f(i, j, v[u]);
                }
            });
        }
    }
};

#endif
