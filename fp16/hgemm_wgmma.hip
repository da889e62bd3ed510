/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp16 tiles on Hopper's warpgroup tensor-core instructions (wgmma, sm_90a).
 *
 * A block of two warpgroups (256 threads) computes a 128 x 256 tile of C;
 * each warpgroup owns 64 rows and issues wgmma.m64n128k16 twice per 16 of K
 * (columns 0-127 and 128-255), 128 fp32 accumulators per thread. Both
 * operands are read by the tensor cores straight from shared memory,
 * K-major, in the 128-byte swizzled layout (16-byte chunk c of a 128-byte
 * row r sits at chunk c ^ (r % 8); each stage is 1024-byte aligned, as the
 * swizzle requires). Operands come packed and padded (hip_launch.h), so the
 * cp.async copies of later K steps (64 each, STAGES deep) need no bounds
 * checks. cp.async writes through the generic proxy and wgmma reads through
 * the async proxy: each thread fences between its copies landing and the
 * barrier before the multiply.
 *
 * Built for sm_90a only; on any other target the kernel traps instead of
 * computing (pgemm_hip_isa_present offers it only on compute capability
 * 9.0).
 */
#include <stdint.h>

#include "hgemm_families.h"
#include "async_copy.h"

namespace {

/* The family's one row (hip_variant_table.h). The kernel is written for
 * its shape: two warpgroups of 64 rows, two m64n128k16 per 16 of K, K steps
 * of 64 halves (one 128-byte swizzled row); the ring holds at least 3
 * steps (one being copied while one is multiplied, one in flight). */
constexpr pgemm_hgemm_family FAMILY = pgemm_hgemm_family::wgmma;
constexpr pgemm_hgemm_row ROW = pgemm_hgemm_row_of(FAMILY);
constexpr int BM = ROW.tile_m, BN = ROW.tile_n, BK = ROW.tile_k, THREADS = 256, STAGES = ROW.stages;
constexpr int A_BYTES = BM * BK * 2, B_BYTES = BN * BK * 2, STAGE_BYTES = A_BYTES + B_BYTES;
constexpr int SMEM = STAGES * STAGE_BYTES + 1024; /* + room to align the ring to 1024 */
static_assert(pgemm_hgemm_rows_of(FAMILY) == 1, "hgemm_wgmma.hip instantiates one row");
static_assert(BM == 128 && BN == 256 && BK == 64 && STAGES >= 3,
              "the wgmma row of hip_variant_table.h is not the shape hgemm_wgmma.hip runs");
static_assert(SMEM == ROW.local_bytes, "wgmma's shared memory differs from its host descriptor");

} // namespace

#if defined(PGEMM_HIP_NVIDIA)

namespace {

#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
constexpr int GROUP = 8;



/* Shared-memory matrix descriptor: K-major, 128-byte swizzle, 8-row groups
 * 1024 bytes apart. */
__device__ inline uint64_t descriptor(const void *p)
{
    uint64_t addr = pgemm_smem_addr(p);
    return ((addr & 0x3FFFF) >> 4) | ((uint64_t)1 << 16) | ((uint64_t)(1024 >> 4) << 32) |
           ((uint64_t)1 << 62);
}

__device__ inline void wgmma_m64n128k16(float (&d)[64], uint64_t da, uint64_t db, int accumulate)
{
    asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 "
                 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, %64, %65, p, 1, 1, 0, 0;\n}\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
                   "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
                   "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
                   "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]),
                   "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]),
                   "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]),
                   "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]),
                   "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
                 : "l"(da), "l"(db), "r"(accumulate));
}

/* Byte offset of 16-byte chunk c of row r in a 128-byte swizzled panel. */
__device__ inline int chunk_offset(int r, int c) { return r * 128 + ((c ^ (r & 7)) << 4); }

template <int ROWS>
__device__ inline void load_panel(char *s, const __half *panel, int kp, int step)
{
#pragma unroll
    for (int q = (int)threadIdx.x; q < ROWS * 8; q += THREADS) {
        int r = q / 8, c = q % 8;
        pgemm_cp_async16(s + chunk_offset(r, c),
                         panel + (long long)r * kp + step * BK + c * 8);
    }
}
#endif

template <bool EPI>
__global__ void __launch_bounds__(THREADS, 1) hgemm_wgmma(pgemm_hip_hgemm_args g, int batch0)
{
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
    extern __shared__ char smem_raw[];
    char *smem = (char *)(((uintptr_t)smem_raw + 1023) & ~(uintptr_t)1023);

    const int grid_m = (g.m + BM - 1) / BM, grid_n = (g.n + BN - 1) / BN;
    const int pid = (int)blockIdx.x, per_group = GROUP * grid_n;
    const int first_m = (pid / per_group) * GROUP;
    const int rows = grid_m - first_m < GROUP ? grid_m - first_m : GROUP;
    const int bm = first_m + (pid % per_group) % rows, bn = (pid % per_group) / rows;

    const long long batch = batch0 + (long long)blockIdx.y;
    const __half *a = (const __half *)g.a + batch * g.stride_a + (long long)bm * BM * g.kp;
    const __half *b = (const __half *)g.b + batch * g.stride_b + (long long)bn * BN * g.kp;
    const int wg = (int)threadIdx.x / 128;

    float acc[2][64];
#pragma unroll
    for (int h = 0; h < 2; h++)
#pragma unroll
        for (int e = 0; e < 64; e++) acc[h][e] = 0.0f;

    /* The ring holds STAGES steps: step s + STAGES - 2 is copied in while the
     * tensor cores still read steps s - 1 and s, so one group of wgmma stays
     * in flight across the barrier. */
    const int steps = g.kp / BK;
#pragma unroll
    for (int s = 0; s < STAGES - 2; s++) {
        if (s < steps) {
            load_panel<BM>(smem + s * STAGE_BYTES, a, g.kp, s);
            load_panel<BN>(smem + s * STAGE_BYTES + A_BYTES, b, g.kp, s);
        }
        pgemm_cp_async_commit();
    }
    for (int s = 0; s < steps; s++) {
        pgemm_cp_async_wait<STAGES - 3>();
        asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
        /* Step s is in place, and every warpgroup is done with step s - 2,
         * whose stage the copies below refill. */
        __syncthreads();
        const int next = s + STAGES - 2;
        if (next < steps) {
            char *st = smem + (next % STAGES) * STAGE_BYTES;
            load_panel<BM>(st, a, g.kp, next);
            load_panel<BN>(st + A_BYTES, b, g.kp, next);
        }
        pgemm_cp_async_commit();

        const char *sa = smem + (s % STAGES) * STAGE_BYTES + wg * 64 * 128;
        const char *sb = smem + (s % STAGES) * STAGE_BYTES + A_BYTES;
        asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#pragma unroll
        for (int kk = 0; kk < BK / 16; kk++) {
            /* 16 halves of K are 32 bytes along the swizzled row. */
            const uint64_t da = descriptor(sa + kk * 32);
            wgmma_m64n128k16(acc[0], da, descriptor(sb + kk * 32), 1);
            wgmma_m64n128k16(acc[1], da, descriptor(sb + 128 * 128 + kk * 32), 1);
        }
        asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
        /* Step s - 1 finished: its stage may be refilled after the next barrier. */
        asm volatile("wgmma.wait_group.sync.aligned 1;\n" ::: "memory");
    }
    asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
    pgemm_cp_async_wait<0>();

    /* Accumulator 4 i + e of a half: row 16 (warp % 4) + lane / 4 (+ 8 for
     * e >= 2), column 8 i + 2 (lane % 4) (+ 1 for odd e). */
    const int lane = (int)threadIdx.x % 32, warp = ((int)threadIdx.x / 32) % 4;
    float *c = g.c + batch * g.stride_c;
    const float *bias = pgemm_hip_bias_of(g.epi, batch);
    const int row0 = bm * BM + wg * 64 + warp * 16 + lane / 4;
    const int col0 = bn * BN + 2 * (lane % 4);
    /* In parts of PART accumulators: one epilogue over all 128 would need
     * more registers than there are. */
    constexpr int PART = 32;
#pragma unroll
    for (int h = 0; h < 2; h++)
#pragma unroll
        for (int p = 0; p < 64; p += PART)
            pgemm_hgemm_store_tile<EPI>(g, c, bias, [&](auto &&f) {
#pragma unroll
                for (int e = p; e < p + PART; e++) {
                    const int row = row0 + ((e & 2) ? 8 : 0);
                    const int col = col0 + h * 128 + (e / 4) * 8 + (e & 1);
                    f(row, col, acc[h][e]);
                }
            });
#else
    __trap(); /* no wgmma on this target */
#endif
}

} // namespace

hipError_t pgemm_hgemm_wgmma_launch(pgemm_hip_hgemm_kernel row, const pgemm_hip_hgemm_args *args,
                                    hipStream_t stream)
{
    if (row != ROW.id) return hipErrorInvalidValue;
    auto kernel = pgemm_hgemm_has_epilogue(*args) ? hgemm_wgmma<true> : hgemm_wgmma<false>;
    /* Asked for per device (cheap enough to repeat on every launch). */
    hipError_t attr = hipFuncSetAttribute((const void *)kernel,
                                          hipFuncAttributeMaxDynamicSharedMemorySize, SMEM);
    if (attr != hipSuccess) return attr;
    if (args->kp % BK != 0) return hipErrorInvalidValue;
    const unsigned tiles = (unsigned)(((args->m + BM - 1) / BM) * ((args->n + BN - 1) / BN));
    return pgemm_in_batch_slices(args->batch, [&](int first, int count) {
        hipLaunchKernelGGL(kernel, dim3(tiles, (unsigned)count), dim3(THREADS),
                           (size_t)SMEM, stream, *args, first);
    });
}

#else

hipError_t pgemm_hgemm_wgmma_launch(pgemm_hip_hgemm_kernel, const pgemm_hip_hgemm_args *,
                                    hipStream_t)
{
    return hipErrorInvalidDeviceFunction;
}

#endif
