/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp16 tiles on NVIDIA tensor cores (sm_80 and later): mma.sync m16n8k16,
 * fp16 operands, fp32 accumulators.
 *
 * Operands come packed K-major and padded to the tile grid (hip_launch.h),
 * so tile loads need no bounds checks: 16-byte cp.async copies into a ring
 * of STAGES shared-memory steps of K = 32, the copies of later steps in
 * flight while the tensor cores work on the current one. A step's rows are
 * 64 bytes (4 chunks of 16); chunk c of row r is stored at c ^ ((r / 2) % 4),
 * so the 8 rows an ldmatrix reads at once fall into 8 different bank groups.
 *
 * 8 warps per block. mma128: 128 x 128 tile, warps 2 (M) x 4 (N), each
 * 64 x 32 (4 x 4 mma tiles). mma256: 256 x 128, warps 4 x 2, each 64 x 64.
 * Blocks are ordered in groups of 8 tile rows so that blocks running
 * together share their A and B panels in L2. Where C's columns do not start
 * on 32-byte sectors, C goes out through the ring's shared memory, 64
 * columns at a time (store_c.h).
 *
 * Other platforms (AMD) build the launcher only; it reports that the kernel
 * is not there (pgemm_hip_isa_present says so before any launch).
 */
#include "hgemm_families.h"
#include "async_copy.h"
#include "store_c.h"

namespace {

constexpr int BK = 32, WARPS = 8;
constexpr pgemm_hgemm_family FAMILY = pgemm_hgemm_family::mma;

/* What the kernel takes of a row: K steps of 32 (the 64-byte rows that the
 * chunk swizzle and the ldmatrix loads assume), 8 warps whose warp tiles
 * hold whole 16 x 8 mma tiles, the shared memory the host states. */
constexpr bool runs(const pgemm_hgemm_row &r)
{
    return r.tile_k == BK && r.warps_m > 0 && WARPS % r.warps_m == 0 &&
           r.tile_m % (r.warps_m * 16) == 0 && r.tile_n % (WARPS / r.warps_m * 8) == 0 &&
           r.stages >= 2 && r.local_bytes == r.stages * (r.tile_m + r.tile_n) * BK * 2;
}
static_assert(pgemm_hgemm_rows_all(FAMILY, runs),
              "an mma row of hip_variant_table.h that hgemm_mma.hip cannot run");

} // namespace

#if defined(PGEMM_HIP_NVIDIA)

namespace {

constexpr int THREADS = WARPS * 32, GROUP = 8;

__device__ inline void ldmatrix_x4(unsigned (&r)[4], const void *p)
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(pgemm_smem_addr(p)));
}

__device__ inline void mma_16816(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1)
{
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
                 "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

template <int BM, int BN, int WARPS_M, int STAGES>
struct Config {
    static constexpr int WARPS_N = WARPS / WARPS_M;
    static constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N; /* warp tile */
    static constexpr int MT = WM / 16, NT = WN / 8;            /* mma tiles per warp */
    static constexpr int A_BYTES = BM * BK * 2, B_BYTES = BN * BK * 2;
    static constexpr int STAGE_BYTES = A_BYTES + B_BYTES;
    static constexpr int SMEM = STAGES * STAGE_BYTES;
    static constexpr int COLS = 64; /* C columns per pass through the stage */
    static_assert(pgemm_c_stage<BM>::bytes(COLS) <= SMEM, "the C stage must fit in the ring");
    static_assert(BN % COLS == 0 && COLS % WN == 0, "whole passes, whole warp tiles");
};

/* Copies step `step` of the block's A and B panels into stage buffer s. */
template <int ROWS>
__device__ inline void load_panel(char *s, const __half *panel, int kp, int step)
{
    constexpr int CHUNKS = ROWS * 4;
#pragma unroll
    for (int q = (int)threadIdx.x; q < CHUNKS; q += THREADS) {
        int r = q / 4, c = q % 4;
        pgemm_cp_async16(s + pgemm_hgemm_chunk_offset(r, c),
                         panel + (long long)r * kp + step * BK + c * 8);
    }
}

/* 128 x 128 tiles: two blocks per SM (at most 128 registers per thread);
 * 256 x 128 tiles hold 128 accumulators per thread: one block. */
template <int BM, int BN, int WARPS_M, int STAGES, bool EPI>
__global__ void PGEMM_LAUNCH_BOUNDS(THREADS, BM * BN > 128 * 128 ? 1 : 2)
    hgemm_mma(pgemm_hip_hgemm_args g, int batch0)
{
    using C = Config<BM, BN, WARPS_M, STAGES>;
    extern __shared__ __align__(128) char smem[];

    /* Grouped block order: GROUP tile rows share each B panel in turn. */
    const int grid_m = (g.m + BM - 1) / BM, grid_n = (g.n + BN - 1) / BN;
    const int pid = (int)blockIdx.x, per_group = GROUP * grid_n;
    const int first_m = (pid / per_group) * GROUP;
    const int rows = grid_m - first_m < GROUP ? grid_m - first_m : GROUP;
    const int bm = first_m + (pid % per_group) % rows, bn = (pid % per_group) / rows;

    const long long batch = batch0 + (long long)blockIdx.y;
    const __half *a = (const __half *)g.a + batch * g.stride_a + (long long)bm * BM * g.kp;
    const __half *b = (const __half *)g.b + batch * g.stride_b + (long long)bn * BN * g.kp;

    const int lane = (int)threadIdx.x % 32, warp = (int)threadIdx.x / 32;
    const int wm = warp % WARPS_M, wn = warp / WARPS_M;

    float acc[C::MT][C::NT][4];
#pragma unroll
    for (int i = 0; i < C::MT; i++)
#pragma unroll
        for (int j = 0; j < C::NT; j++)
#pragma unroll
            for (int e = 0; e < 4; e++) acc[i][j][e] = 0.0f;

    const int steps = g.kp / BK;
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (s < steps) {
            load_panel<BM>(smem + s * C::STAGE_BYTES, a, g.kp, s);
            load_panel<BN>(smem + s * C::STAGE_BYTES + C::A_BYTES, b, g.kp, s);
        }
        pgemm_cp_async_commit();
    }

    for (int s = 0; s < steps; s++) {
        pgemm_cp_async_wait<STAGES - 2>();
        __syncthreads(); /* step s is in place; stage (s - 1) % STAGES is free */
        const int next = s + STAGES - 1;
        if (next < steps) {
            char *st = smem + (next % STAGES) * C::STAGE_BYTES;
            load_panel<BM>(st, a, g.kp, next);
            load_panel<BN>(st + C::A_BYTES, b, g.kp, next);
        }
        pgemm_cp_async_commit();

        const char *sa = smem + (s % STAGES) * C::STAGE_BYTES, *sb = sa + C::A_BYTES;
#pragma unroll
        for (int kk = 0; kk < BK / 16; kk++) {
            unsigned fa[C::MT][4], fb[C::NT][2];
#pragma unroll
            for (int i = 0; i < C::MT; i++) {
                /* x4: rows 0-7 / 8-15 of the mma tile, K halves 0-7 / 8-15. */
                int r = wm * C::WM + i * 16 + (lane & 15);
                ldmatrix_x4(fa[i], sa + pgemm_hgemm_chunk_offset(r, kk * 2 + (lane >> 4)));
            }
#pragma unroll
            for (int j = 0; j < C::NT; j += 2) {
                /* x4: columns 0-7 (K 0-7, 8-15), then columns 8-15. */
                int r = wn * C::WN + j * 8 + (lane & 7) + ((lane >> 4) << 3);
                unsigned t[4];
                ldmatrix_x4(t, sb + pgemm_hgemm_chunk_offset(r, kk * 2 + ((lane >> 3) & 1)));
                fb[j][0] = t[0]; fb[j][1] = t[1]; fb[j + 1][0] = t[2]; fb[j + 1][1] = t[3];
            }
#pragma unroll
            for (int i = 0; i < C::MT; i++)
#pragma unroll
                for (int j = 0; j < C::NT; j++) mma_16816(acc[i][j], fa[i], fb[j][0], fb[j][1]);
        }
    }
    pgemm_cp_async_wait<0>();

    /* Accumulator e of mma tile (i, j): row lane / 4 (+ 8 for e >= 2),
     * column 2 (lane % 4) (+ 1 for odd e). Where C's columns start on
     * 32-byte sectors, straight from the registers; elsewhere COLS columns
     * of the tile at a time through the ring (store_c.h). */
    float *c = g.c + batch * g.stride_c;
    const float *bias = pgemm_hip_bias_of(g.epi, batch);
    if (g.ldc % 8 == 0 && ((unsigned long long)c & 31u) == 0) {
        const int r0 = bm * BM + wm * C::WM + lane / 4;
        const int c0 = bn * BN + wn * C::WN + 2 * (lane % 4);
        /* One row of mma tiles at a time: an epilogue over all of them
         * would need more registers than there are. */
#pragma unroll
        for (int i = 0; i < C::MT; i++)
            pgemm_hgemm_store_tile<EPI>(g, c, bias, [&](auto &&f) {
#pragma unroll
                for (int j = 0; j < C::NT; j++)
#pragma unroll
                    for (int e = 0; e < 4; e++) {
                        const int row = r0 + i * 16 + (e >= 2 ? 8 : 0), col = c0 + j * 8 + (e & 1);
                        f(row, col, acc[i][j][e]);
                    }
            });
        return;
    }
    __syncthreads(); /* every warp is done with the ring: it becomes the C stage */
    using Stage = pgemm_c_stage<BM>;
    float *stage = (float *)smem;
    const int row0 = wm * C::WM + lane / 4, col0 = wn * C::WN % C::COLS + 2 * (lane % 4);
#pragma unroll 1
    for (int part = 0; part < BN / C::COLS; part++) {
        if (wn * C::WN / C::COLS == part) /* the warp's columns are in this part */
#pragma unroll
            for (int i = 0; i < C::MT; i++)
#pragma unroll
                for (int j = 0; j < C::NT; j++)
#pragma unroll
                    for (int e = 0; e < 4; e++)
                        Stage::put(stage, row0 + i * 16 + (e >= 2 ? 8 : 0), col0 + j * 8 + (e & 1),
                                   acc[i][j][e]);
        __syncthreads();
        Stage::template store<C::COLS, THREADS, EPI>(stage, g, c, bias, bm * BM,
                                                     bn * BN + part * C::COLS);
        __syncthreads();
    }
}

template <int BM, int BN, int WARPS_M, int STAGES>
hipError_t launch(const pgemm_hip_hgemm_args *args, hipStream_t stream)
{
    using C = Config<BM, BN, WARPS_M, STAGES>;
    auto kernel = pgemm_hgemm_has_epilogue(*args) ? hgemm_mma<BM, BN, WARPS_M, STAGES, true>
                                                  : hgemm_mma<BM, BN, WARPS_M, STAGES, false>;
    /* More than 48 KB of dynamic shared memory must be asked for, per device
     * (cheap enough to repeat on every launch). */
    hipError_t attr = hipFuncSetAttribute((const void *)kernel,
                                          hipFuncAttributeMaxDynamicSharedMemorySize, C::SMEM);
    if (attr != hipSuccess) return attr;
    if (args->kp % BK != 0) return hipErrorInvalidValue;
    const unsigned tiles =
        (unsigned)(((args->m + BM - 1) / BM) * ((args->n + BN - 1) / BN));
    return pgemm_in_batch_slices(args->batch, [&](int first, int count) {
        hipLaunchKernelGGL(kernel, dim3(tiles, (unsigned)count), dim3(THREADS),
                           (size_t)C::SMEM, stream, *args, first);
    });
}

/* Row I's instantiation; rows of other families are refused. */
template <int I> hipError_t launch_row(const pgemm_hip_hgemm_args *args, hipStream_t stream)
{
    constexpr pgemm_hgemm_row r = pgemm_hgemm_rows[I];
    if constexpr (r.family == FAMILY)
        return launch<r.tile_m, r.tile_n, r.warps_m, r.stages>(args, stream);
    else
        return hipErrorInvalidValue;
}

} // namespace

hipError_t pgemm_hgemm_mma_launch(pgemm_hip_hgemm_kernel row, const pgemm_hip_hgemm_args *args,
                                  hipStream_t stream)
{
    switch (row) {
#define PGEMM_HGEMM_CASE(id, ...)                                                                  \
    case PGEMM_HIP_HGEMM_##id: return launch_row<PGEMM_HIP_HGEMM_##id>(args, stream);
        PGEMM_HIP_HGEMM_VARIANTS(PGEMM_HGEMM_CASE)
#undef PGEMM_HGEMM_CASE
    case PGEMM_HIP_HGEMM_COUNT: break;
    }
    return hipErrorInvalidValue;
}

#else

hipError_t pgemm_hgemm_mma_launch(pgemm_hip_hgemm_kernel, const pgemm_hip_hgemm_args *,
                                  hipStream_t)
{
    return hipErrorInvalidDeviceFunction;
}

#endif
