/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm_hip_pack: copies an fp32 or fp16 matrix into the packed K-major fp16
 * layout of the fp16 tiles (hip_launch.h), zero-padded to the tile grid.
 *
 * A block moves a 64 x 64 tile through shared memory: it reads along
 * whichever direction is contiguous in the source (coalesced for every
 * transpose) and writes packed rows 16 bytes at a time. fp32 values round
 * to nearest even; magnitudes from 65520 up become infinity.
 */
#include "hgemm_families.h"

namespace {

constexpr int TILE = 64, THREADS = 256;

template <typename T> __device__ float to_float(T v);
template <> __device__ float to_float<float>(float v) { return v; }
template <> __device__ float to_float<__half>(__half v) { return __half2float(v); }

template <typename T>
__global__ void __launch_bounds__(THREADS) pack_tiles(pgemm_hip_pack_args p, int batch0)
{
    __shared__ float tile[TILE][TILE + 1];
    const long long b = batch0 + (long long)blockIdx.z;
    const int r0 = (int)blockIdx.y * TILE, k0 = (int)blockIdx.x * TILE;
    const T *src = (const T *)p.src + b * p.src_stride;
    /* Read: the index that walks the contiguous direction varies fastest. */
    const bool rows_fast = p.rs == 1 && p.ks != 1;
    for (int e = (int)threadIdx.x; e < TILE * TILE; e += THREADS) {
        int r = rows_fast ? e % TILE : e / TILE, k = rows_fast ? e / TILE : e % TILE;
        int gr = r0 + r, gk = k0 + k;
        tile[r][k] = gr < p.rows && gk < p.k ? to_float(src[gr * p.rs + gk * p.ks]) : 0.0f;
    }
    __syncthreads();
    /* Write: 8 halves (16 bytes) per store along each packed row. */
    __half *dst = (__half *)p.dst + b * p.dst_stride;
    for (int e = (int)threadIdx.x; e < TILE * TILE / 8; e += THREADS) {
        int r = e / (TILE / 8), k = (e % (TILE / 8)) * 8;
        int gr = r0 + r, gk = k0 + k;
        if (gr >= p.rows_p || gk >= p.kp) continue;
        unsigned w[4]; /* two halves per word, the lower K index in the low bits */
#pragma unroll
        for (int i = 0; i < 4; i++)
            w[i] = (unsigned)__half_as_ushort(__float2half_rn(tile[r][k + 2 * i])) |
                   (unsigned)__half_as_ushort(__float2half_rn(tile[r][k + 2 * i + 1])) << 16;
        *(uint4 *)(dst + (long long)gr * p.kp + gk) = make_uint4(w[0], w[1], w[2], w[3]);
    }
}

} // namespace

extern "C" int pgemm_hip_pack(const pgemm_hip_pack_args *args, void *stream)
{
    if (args->rows_p <= 0 || args->kp <= 0 || args->batch <= 0) return hipSuccess;
    if (args->kp % 8 != 0) return hipErrorInvalidValue;
    hipStream_t s = (hipStream_t)stream;
    return pgemm_in_batch_slices(args->batch, [&](int first, int count) {
        dim3 grid((unsigned)((args->kp + TILE - 1) / TILE),
                  (unsigned)((args->rows_p + TILE - 1) / TILE), (unsigned)count);
        if (args->src_is_half)
            hipLaunchKernelGGL(pack_tiles<__half>, grid, dim3(THREADS), 0, s, *args, first);
        else
            hipLaunchKernelGGL(pack_tiles<float>, grid, dim3(THREADS), 0, s, *args, first);
    });
}
