/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp16 tiles for GPUs without matrix units: 64 x 64 tiles, K steps of 32,
 * 256 threads with 4 x 4 outputs each, operands packed K-major
 * (hip_launch.h). Shared memory holds fp16 pairs along K, double-buffered,
 * with the next step's global loads (16 bytes per thread per operand) held
 * in registers during the multiply.
 *
 * Two inner products over a pair (a0 a1) . (b0 b1):
 *   FMA   converts both pairs to fp32 and issues two FMAs. On gfx803/gfx900
 *         (fp16 arithmetic at the fp32 rate) this is the honest use of fp16:
 *         it halves the bytes moved and the shared memory per tile, nothing
 *         more.
 *   DOT2  v_dot2_f32_f16 where the target has it (gfx906, gfx908, gfx90a,
 *         gfx1030): one instruction for both products and the fp32 sum.
 *         Elsewhere (NVIDIA, other AMD targets) DOT2 compiles to the FMA
 *         pair, so the family's indexing is tested where it can run.
 */
#include "hgemm_families.h"

#if defined(__gfx906__) || defined(__gfx908__) || defined(__gfx90a__) || defined(__gfx1030__)
#define PGEMM_HAS_DOT2 1
typedef _Float16 pgemm_h2 __attribute__((ext_vector_type(2)));
#endif

namespace {

/* The rows of both families (hip_variant_table.h): the kernel is written
 * for 64 x 64 tiles of 4 x 4 per thread, K steps of 32 halves and two
 * shared buffers. */
constexpr pgemm_hgemm_row FMA_ROW = pgemm_hgemm_row_of(pgemm_hgemm_family::fma);
constexpr pgemm_hgemm_row DOT2_ROW = pgemm_hgemm_row_of(pgemm_hgemm_family::dot2);
constexpr bool runs(const pgemm_hgemm_row &r)
{
    return r.tile_m == 64 && r.tile_n == 64 && r.tile_k == 32 && r.stages == 2 &&
           r.local_bytes == 2 * 2 * (32 / 2) * (64 + 4) * 4;
}
static_assert(pgemm_hgemm_rows_of(pgemm_hgemm_family::fma) == 1 &&
                  pgemm_hgemm_rows_of(pgemm_hgemm_family::dot2) == 1,
              "hgemm_fma.hip instantiates one row of each family");
static_assert(runs(FMA_ROW) && runs(DOT2_ROW),
              "an fma or dot2 row of hip_variant_table.h that hgemm_fma.hip cannot run");

constexpr int TILE = FMA_ROW.tile_m, BK = FMA_ROW.tile_k, THREADS = 256;
constexpr int PAIRS = BK / 2;   /* fp16 pairs along K per step */
constexpr int ROW = TILE + 4;   /* shared row length in pairs (padded) */

__device__ inline float2 pair_to_float2(unsigned bits)
{
    __half2 h;
    __builtin_memcpy(&h, &bits, sizeof h);
    return __half22float2(h);
}

/* One operand's step: row r = q / 4 of the tile, 8 halves (4 pairs) of K. */
struct Step {
    uint4 v;
    __device__ void load(const __half *rows, int kp, int step)
    {
        int q = (int)threadIdx.x, r = q / 4, c = q % 4;
        v = *(const uint4 *)(rows + (long long)r * kp + step * BK + c * 8);
    }
    __device__ void store(unsigned *s) const
    {
        int q = (int)threadIdx.x, r = q / 4, c = q % 4;
        s[(c * 4 + 0) * ROW + r] = v.x;
        s[(c * 4 + 1) * ROW + r] = v.y;
        s[(c * 4 + 2) * ROW + r] = v.z;
        s[(c * 4 + 3) * ROW + r] = v.w;
    }
};

template <bool DOT2, bool EPI>
__global__ void __launch_bounds__(THREADS) hgemm_fma(pgemm_hip_hgemm_args g, int batch0)
{
    static_assert(TILE * BK / 8 == THREADS, "one 16-byte load per thread per operand");
    __shared__ __align__(16) unsigned sa[2][PAIRS * ROW];
    __shared__ __align__(16) unsigned sb[2][PAIRS * ROW];
    const long long batch = batch0 + (long long)blockIdx.y;
    const int grid_m = (g.m + TILE - 1) / TILE;
    const int m0 = ((int)blockIdx.x % grid_m) * TILE, n0 = ((int)blockIdx.x / grid_m) * TILE;
    const __half *a = (const __half *)g.a + batch * g.stride_a + (long long)m0 * g.kp;
    const __half *b = (const __half *)g.b + batch * g.stride_b + (long long)n0 * g.kp;
    const int tm = (int)threadIdx.x % 16, tn = (int)threadIdx.x / 16;

    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;

    const int steps = g.kp / BK;
    Step la, lb;
    if (steps > 0) {
        la.load(a, g.kp, 0);
        lb.load(b, g.kp, 0);
        la.store(sa[0]);
        lb.store(sb[0]);
    }
    __syncthreads();
    for (int s = 0; s < steps; s++) {
        const int cur = s & 1;
        const bool more = s + 1 < steps;
        if (more) {
            la.load(a, g.kp, s + 1);
            lb.load(b, g.kp, s + 1);
        }
#pragma unroll 4
        for (int p = 0; p < PAIRS; p++) {
            uint4 va = *(const uint4 *)(sa[cur] + p * ROW + tm * 4);
            uint4 vb = *(const uint4 *)(sb[cur] + p * ROW + tn * 4);
            unsigned ra[4] = {va.x, va.y, va.z, va.w}, rb[4] = {vb.x, vb.y, vb.z, vb.w};
#if defined(PGEMM_HAS_DOT2)
            if (DOT2) {
#pragma unroll
                for (int i = 0; i < 4; i++)
#pragma unroll
                    for (int j = 0; j < 4; j++)
                        acc[i][j] = __builtin_amdgcn_fdot2(__builtin_bit_cast(pgemm_h2, ra[i]),
                                                           __builtin_bit_cast(pgemm_h2, rb[j]),
                                                           acc[i][j], false);
                continue;
            }
#endif
            float2 fa[4], fb[4];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                fa[i] = pair_to_float2(ra[i]);
                fb[i] = pair_to_float2(rb[i]);
            }
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++)
                    acc[i][j] = fmaf(fa[i].y, fb[j].y, fmaf(fa[i].x, fb[j].x, acc[i][j]));
        }
        if (more) {
            la.store(sa[cur ^ 1]);
            lb.store(sb[cur ^ 1]);
        }
        __syncthreads();
    }

    float *c = g.c + batch * g.stride_c;
    const float *bias = pgemm_hip_bias_of(g.epi, batch);
    pgemm_hgemm_store_tile<EPI>(g, c, bias, [&](auto &&f) {
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const int col = n0 + tn * 4 + j;
#pragma unroll
            for (int i = 0; i < 4; i++) {
                const int row = m0 + tm * 4 + i;
                f(row, col, acc[i][j]);
            }
        }
    });
}

template <bool DOT2> hipError_t launch(const pgemm_hip_hgemm_args *args, hipStream_t stream)
{
    if (args->kp % BK != 0) return hipErrorInvalidValue;
    const unsigned tiles = (unsigned)(((args->m + TILE - 1) / TILE) * ((args->n + TILE - 1) / TILE));
    auto kernel = pgemm_hgemm_has_epilogue(*args) ? hgemm_fma<DOT2, true> : hgemm_fma<DOT2, false>;
    return pgemm_in_batch_slices(args->batch, [&](int first, int count) {
        hipLaunchKernelGGL(kernel, dim3(tiles, (unsigned)count), dim3(THREADS), 0, stream, *args,
                           first);
    });
}

} // namespace

hipError_t pgemm_hgemm_fma_launch(pgemm_hip_hgemm_kernel row, const pgemm_hip_hgemm_args *args,
                                  hipStream_t stream)
{
    return row == FMA_ROW.id ? launch<false>(args, stream) : hipErrorInvalidValue;
}

hipError_t pgemm_hgemm_dot2_launch(pgemm_hip_hgemm_kernel row, const pgemm_hip_hgemm_args *args,
                                   hipStream_t stream)
{
    return row == DOT2_ROW.id ? launch<true>(args, stream) : hipErrorInvalidValue;
}
