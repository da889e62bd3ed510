/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp16 tiles on AMD matrix cores (CDNA: gfx908, gfx90a): MFMA
 * v_mfma_f32_32x32x8f16, fp16 operands, fp32 accumulators.
 *
 * 128 x 128 tiles, K steps of 32, 256 threads = 4 wavefronts of 64 lanes
 * laid out 2 x 2, each wavefront 64 x 64 = 2 x 2 MFMA blocks of 32 x 32.
 * Operands come packed K-major and padded to the tile grid (hip_launch.h),
 * so tile loads need no bounds checks. Shared memory holds two steps of
 * each operand, 32 KiB in all so that two blocks fit in a CU's 64 KiB:
 * rows of 32 halves with their 16-byte chunks swizzled
 * (pgemm_hgemm_chunk_offset) so that the 8 rows read in one LDS cycle fall
 * on distinct banks. The next step's global loads wait in registers during
 * the multiply.
 *
 * One v_mfma_f32_32x32x8f16 takes, per lane l, four halves of A's row
 * l % 32 and four of B's column l % 32, lanes 0-31 holding the first four
 * K indices of the instruction and lanes 32-63 the next four. A sum over K
 * does not care which K indices go together, as long as A and B pair them
 * the same way: lane l reads the 16 halves K = 16 (l / 32) ... + 15 of its
 * row and column once per step (two 16-byte LDS reads each), and feeds them
 * to four instructions, four halves at a time.
 *
 * The result, 16 floats per lane: float r of lane l is row
 * 8 (r / 4) + 4 (l / 32) + r % 4, column l % 32 of the 32 x 32 block.
 *
 * AMD targets without MFMA build an empty kernel, NVIDIA builds only the
 * launcher, which reports that the kernel is not there;
 * pgemm_hip_isa_present keeps either from being launched.
 */
#include "hgemm_families.h"

namespace {

/* The family's one row (hip_variant_table.h): the kernel is written for
 * square 128-row tiles of 2 x 2 wavefronts and K steps of 32 halves (the
 * 64-byte rows the chunk swizzle assumes), two steps in shared memory. */
constexpr pgemm_hgemm_family FAMILY = pgemm_hgemm_family::mfma;
constexpr pgemm_hgemm_row ROW = pgemm_hgemm_row_of(FAMILY);
static_assert(pgemm_hgemm_rows_of(FAMILY) == 1, "hgemm_mfma.hip instantiates one row");
static_assert(ROW.tile_m == 128 && ROW.tile_n == 128 && ROW.tile_k == 32 && ROW.stages == 2,
              "the mfma row of hip_variant_table.h is not the shape hgemm_mfma.hip runs");
static_assert(ROW.local_bytes == 2 * 2 * 128 * 32 * 2,
              "mfma's shared memory differs from its host descriptor");

} // namespace

#if !defined(PGEMM_HIP_NVIDIA)

#if defined(__gfx908__) || defined(__gfx90a__)
#define PGEMM_HAS_MFMA 1
#endif

namespace {

constexpr int TILE = ROW.tile_m, BK = ROW.tile_k, THREADS = 256;

#if defined(PGEMM_HAS_MFMA)
constexpr int PANEL_BYTES = TILE * BK * 2;
constexpr int CHUNKS = TILE * BK * 2 / 16;  /* 16-byte pieces per operand step */
constexpr int LOADS = CHUNKS / THREADS;     /* per thread per operand */
static_assert(CHUNKS % THREADS == 0, "whole loads per thread");
typedef _Float16 pgemm_h4 __attribute__((ext_vector_type(4)));
typedef float pgemm_f16x __attribute__((ext_vector_type(16)));

/* One operand's step of 32 halves per row, in registers between the global
 * load and the shared store. */
struct Step {
    uint4 v[LOADS];
    __device__ void load(const __half *rows, int kp, int step)
    {
#pragma unroll
        for (int i = 0; i < LOADS; i++) {
            int q = (int)threadIdx.x + i * THREADS, r = q / 4, c = q % 4;
            v[i] = *(const uint4 *)(rows + (long long)r * kp + step * BK + c * 8);
        }
    }
    __device__ void store(char *s) const
    {
#pragma unroll
        for (int i = 0; i < LOADS; i++) {
            int q = (int)threadIdx.x + i * THREADS, r = q / 4, c = q % 4;
            *(uint4 *)(s + pgemm_hgemm_chunk_offset(r, c)) = v[i];
        }
    }
};

/* The lane's 16 halves of shared row r: K = 16 (lane / 32) ... + 15. */
__device__ inline void read_row(uint4 (&f)[2], const char *s, int r, int khalf)
{
    f[0] = *(const uint4 *)(s + pgemm_hgemm_chunk_offset(r, khalf * 2));
    f[1] = *(const uint4 *)(s + pgemm_hgemm_chunk_offset(r, khalf * 2 + 1));
}

/* Halves 4 kk ... 4 kk + 3 of the lane's 16 as an MFMA operand. */
__device__ inline pgemm_h4 quad(const uint4 (&f)[2], int kk)
{
    const uint4 &u = f[kk / 2];
    unsigned lo = (kk % 2) ? u.z : u.x, hi = (kk % 2) ? u.w : u.y;
    unsigned long long bits = (unsigned long long)lo | ((unsigned long long)hi << 32);
    return __builtin_bit_cast(pgemm_h4, bits);
}
#endif

template <bool EPI>
__global__ void __launch_bounds__(THREADS) hgemm_mfma(pgemm_hip_hgemm_args g, int batch0)
{
#if defined(PGEMM_HAS_MFMA)
    __shared__ __align__(16) char sa[2][PANEL_BYTES];
    __shared__ __align__(16) char sb[2][PANEL_BYTES];
    const long long batch = batch0 + (long long)blockIdx.y;
    const int grid_m = (g.m + TILE - 1) / TILE;
    const int m0 = ((int)blockIdx.x % grid_m) * TILE, n0 = ((int)blockIdx.x / grid_m) * TILE;
    const __half *a = (const __half *)g.a + batch * g.stride_a + (long long)m0 * g.kp;
    const __half *b = (const __half *)g.b + batch * g.stride_b + (long long)n0 * g.kp;

    const int lane = (int)threadIdx.x % 64, wave = (int)threadIdx.x / 64;
    const int wm = wave % 2, wn = wave / 2, l32 = lane % 32, khalf = lane / 32;

    pgemm_f16x acc[2][2];
#pragma unroll
    for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 2; j++)
#pragma unroll
            for (int e = 0; e < 16; e++) acc[i][j][e] = 0.0f;

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
        uint4 fa[2][2], fb[2][2];
#pragma unroll
        for (int i = 0; i < 2; i++) {
            read_row(fa[i], sa[cur], wm * 64 + i * 32 + l32, khalf);
            read_row(fb[i], sb[cur], wn * 64 + i * 32 + l32, khalf);
        }
#pragma unroll
        for (int kk = 0; kk < 4; kk++)
#pragma unroll
            for (int i = 0; i < 2; i++)
#pragma unroll
                for (int j = 0; j < 2; j++)
                    acc[i][j] = __builtin_amdgcn_mfma_f32_32x32x8f16(quad(fa[i], kk),
                                                                     quad(fb[j], kk),
                                                                     acc[i][j], 0, 0, 0);
        if (more) {
            la.store(sa[cur ^ 1]);
            lb.store(sb[cur ^ 1]);
        }
        __syncthreads();
    }

    float *c = g.c + batch * g.stride_c;
    const float *bias = pgemm_hip_bias_of(g.epi, batch);
    /* Eight values of one 32 x 32 accumulator at a time (an epilogue over
     * more needs more registers than the plain kernel's occupancy allows),
     * as plain floats: vector elements take no references. */
#pragma unroll
    for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) {
            float sums[16];
#pragma unroll
            for (int r = 0; r < 16; r++) sums[r] = acc[i][j][r];
            const int col = n0 + wn * 64 + j * 32 + l32;
#pragma unroll
            for (int q = 0; q < 16; q += 8)
                pgemm_hgemm_store_tile<EPI>(g, c, bias, [&](auto &&f) {
#pragma unroll
                    for (int r = q; r < q + 8; r++) {
                        const int row = m0 + wm * 64 + i * 32 + 8 * (r / 4) + 4 * khalf + r % 4;
                        f(row, col, sums[r]);
                    }
                });
        }
#else
    (void)g;
    (void)batch0;
#endif
}

} // namespace

hipError_t pgemm_hgemm_mfma_launch(pgemm_hip_hgemm_kernel row, const pgemm_hip_hgemm_args *args,
                                   hipStream_t stream)
{
    if (row != ROW.id) return hipErrorInvalidValue;
    if (args->kp % BK != 0) return hipErrorInvalidValue;
    const unsigned tiles =
        (unsigned)(((args->m + TILE - 1) / TILE) * ((args->n + TILE - 1) / TILE));
    auto kernel = pgemm_hgemm_has_epilogue(*args) ? hgemm_mfma<true> : hgemm_mfma<false>;
    return pgemm_in_batch_slices(args->batch, [&](int first, int count) {
        hipLaunchKernelGGL(kernel, dim3(tiles, (unsigned)count), dim3(THREADS), 0, stream, *args,
                           first);
    });
}

#else

hipError_t pgemm_hgemm_mfma_launch(pgemm_hip_hgemm_kernel, const pgemm_hip_hgemm_args *,
                                   hipStream_t)
{
    return hipErrorInvalidDeviceFunction;
}

#endif
