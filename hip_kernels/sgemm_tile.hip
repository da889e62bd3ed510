/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FP32 tile kernels: one template, instantiated per row of
 * hip_variant_table.h and per transpose combination.
 *
 * A block of (BM / TM) x (BN / TN) threads computes a BM x BN tile of C in
 * K steps of BK. Each step's slices of op(A) (BM x BK) and op(B) (BK x BN)
 * sit in shared memory K-major (row p holds the slice's column p), so that
 * a thread reads its TM and TN operands as float4s. Two shared buffers
 * alternate: while the block multiplies one step, its threads hold the next
 * step's global loads in registers, stored into the other buffer after the
 * multiply — one barrier per step.
 *
 * Measured on an H100 and an H200 (docs/PERFORMANCE.md): K steps of 16 beat
 * steps of 8 by 11% for the 128 x 128 tile (43.4 against 38.9 TFLOP/s at
 * n = 4096 on the H200), so steps of 8 do not ship; the warp's lane shape
 * (8 x 4 or 16 x 2 threads) makes no difference.
 *
 * A thread's TM rows are TM / 4 runs of 4, BM / (TM / 4) apart (TN columns
 * likewise): neighbouring threads read neighbouring float4s, so a warp's
 * shared reads are contiguous and its C stores coalesce.
 *
 * Global loads move 4 floats per thread per group, along the operand's
 * contiguous direction. Where the launch's pointers and leading dimensions
 * allow float4 accesses and the tile lies inside the matrix, they are
 * float4 loads; on ragged edges and the last, partial K step the same
 * groups are loaded element by element with bounds checks (zeros outside),
 * so every shape, transpose, leading dimension and offset works.
 */
#include "batch_slices.h"
#include "epilogue.h"
#include "hip_launch.h"
#include "pgemm_hip_platform.h"

/* How far the multiply loop over a K step unrolls. Fully on NVIDIA. On AMD a
 * full unroll lets the compiler hoist every shared load of the step ahead of
 * the multiplies: 8 x 8 tiles then spill (gfx803, K steps of 16: 256 VGPRs
 * and 440-500 spilled); pairs of steps keep them in registers. */
#if defined(PGEMM_HIP_NVIDIA)
#define PGEMM_UNROLL_K _Pragma("unroll")
#else
#define PGEMM_UNROLL_K _Pragma("unroll 2")
#endif

namespace {

/* One operand's slice for one K step: W elements wide (BM for A, BN for B)
 * by BK deep. Element (w, p) of the operand is at base[w + p * ld] when
 * CONTIG_W (contiguous along w), else at base[p + w * ld]. */
template <int W, int BK, int THREADS, bool CONTIG_W>
struct Slice {
    static constexpr int GROUPS = W * BK / 4 / THREADS; /* float4 groups per thread */
    static_assert(GROUPS >= 1 && GROUPS * 4 * THREADS == W * BK, "slice must split evenly");
    static constexpr int PER_LINE = CONTIG_W ? W / 4 : BK / 4; /* groups per contiguous line */
    static constexpr int ROW = W + 4; /* shared row length: padded, float4 aligned */

    float4 r[GROUPS];

    __device__ static void place(int q, int &w, int &p)
    {
        if (CONTIG_W) { w = (q % PER_LINE) * 4; p = q / PER_LINE; }
        else { p = (q % PER_LINE) * 4; w = q / PER_LINE; }
    }

    /* Loads the slice whose corner is base (already at (w0, p0)); w_left and
     * p_left are the valid extents from that corner. */
    __device__ void load(const float *__restrict__ base, long long ld, int w_left, int p_left,
                         bool vec)
    {
#pragma unroll
        for (int g = 0; g < GROUPS; g++) {
            int w, p;
            place((int)threadIdx.x + g * THREADS, w, p);
            if (vec) {
                r[g] = CONTIG_W ? *(const float4 *)(base + w + p * ld)
                                : *(const float4 *)(base + p + w * ld);
                continue;
            }
            float v[4];
#pragma unroll
            for (int e = 0; e < 4; e++) {
                int we = CONTIG_W ? w + e : w, pe = CONTIG_W ? p : p + e;
                v[e] = we < w_left && pe < p_left ? base[CONTIG_W ? we + pe * ld : pe + we * ld]
                                                  : 0.0f;
            }
            r[g] = make_float4(v[0], v[1], v[2], v[3]);
        }
    }

    __device__ void store(float *s) const
    {
#pragma unroll
        for (int g = 0; g < GROUPS; g++) {
            int w, p;
            place((int)threadIdx.x + g * THREADS, w, p);
            if (CONTIG_W) {
                *(float4 *)(s + p * ROW + w) = r[g];
            } else {
                s[(p + 0) * ROW + w] = r[g].x;
                s[(p + 1) * ROW + w] = r[g].y;
                s[(p + 2) * ROW + w] = r[g].z;
                s[(p + 3) * ROW + w] = r[g].w;
            }
        }
    }
};

struct Launch {
    pgemm_hip_sgemm_args g;
    bool vec_a, vec_b, vec_c; /* float4 accesses are aligned for this operand */
    int batch0;               /* first matrix of this launch's batch slice */
};

/* Two blocks per multiprocessor: on NVIDIA this caps the 8 x 8 thread tiles
 * at 128 registers (2 x 256 threads fill the 64K register file).
 *
 * A warp's 32 threads form LM x (32 / LM) along M x N: with LM = 8 a warp
 * reads 8 float4s of A and 4 of B per K index, one shared-memory wavefront
 * each. */
template <int BM, int BN, int BK, int TM, int TN, int LM, bool TA, bool TB>
__global__ void PGEMM_LAUNCH_BOUNDS((BM / TM) * (BN / TN), 2) sgemm_tile(Launch L)
{
    constexpr int THREADS_M = BM / TM, THREADS_N = BN / TN;
    constexpr int THREADS = THREADS_M * THREADS_N;
    constexpr int RM = TM / 4, RN = TN / 4;           /* runs of 4 per thread */
    constexpr int LN = 32 / LM, WARPS_M = THREADS_M / LM;
    static_assert(THREADS_M % LM == 0 && THREADS_N % LN == 0, "warps must tile the block");
    constexpr int SM = LM * 4, SN = LN * 4;           /* distance between runs */
    /* op(A)(i, p): contiguous along i unless transposed. op(B)(p, j):
     * contiguous along j only when transposed. */
    using SliceA = Slice<BM, BK, THREADS, !TA>;
    using SliceB = Slice<BN, BK, THREADS, TB>;
    __shared__ __align__(16) float sa[2][BK * SliceA::ROW];
    __shared__ __align__(16) float sb[2][BK * SliceB::ROW];
    static_assert(sizeof sa + sizeof sb == PGEMM_HIP_SGEMM_LOCAL(BM, BN, BK),
                  "shared memory differs from the host descriptor (hip_variant_table.h)");

    const pgemm_hip_sgemm_args &g = L.g;
    const long long batch = L.batch0 + (long long)blockIdx.z;
    const int m0 = (int)blockIdx.x * BM, n0 = (int)blockIdx.y * BN;
    const float *a = g.a + batch * g.stride_a + (TA ? (long long)m0 * g.lda : m0);
    const float *b = g.b + batch * g.stride_b + (TB ? n0 : (long long)n0 * g.ldb);
    const long long a_step = TA ? BK : (long long)BK * g.lda; /* one K step along p */
    const long long b_step = TB ? (long long)BK * g.ldb : BK;
    const int m_left = g.m - m0, n_left = g.n - n0;
    const bool vec_a = L.vec_a && m_left >= BM, vec_b = L.vec_b && n_left >= BN;

    /* This thread's first row and column within the tile. */
    const int lane = (int)threadIdx.x % 32, warp = (int)threadIdx.x / 32;
    const int tm = (warp % WARPS_M) * (SM * RM) + (lane % LM) * 4;
    const int tn = (warp / WARPS_M) * (SN * RN) + (lane / LM) * 4;
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = 0.0f;

    const int steps = (g.k + BK - 1) / BK;
    SliceA la;
    SliceB lb;
    if (steps > 0) {
        la.load(a, g.lda, m_left, g.k, vec_a && g.k >= BK);
        lb.load(b, g.ldb, n_left, g.k, vec_b && g.k >= BK);
        la.store(sa[0]);
        lb.store(sb[0]);
    }
    __syncthreads();

    for (int s = 0; s < steps; s++) {
        const int cur = s & 1;
        const bool more = s + 1 < steps;
        if (more) {
            const int p_left = g.k - (s + 1) * BK;
            la.load(a + (s + 1) * a_step, g.lda, m_left, p_left, vec_a && p_left >= BK);
            lb.load(b + (s + 1) * b_step, g.ldb, n_left, p_left, vec_b && p_left >= BK);
        }
        const float *pa = sa[cur] + tm, *pb = sb[cur] + tn;
        PGEMM_UNROLL_K
        for (int p = 0; p < BK; p++) {
            float ra[TM], rb[TN];
#pragma unroll
            for (int r = 0; r < RM; r++) {
                float4 v = *(const float4 *)(pa + p * SliceA::ROW + r * SM);
                ra[4 * r] = v.x; ra[4 * r + 1] = v.y; ra[4 * r + 2] = v.z; ra[4 * r + 3] = v.w;
            }
#pragma unroll
            for (int r = 0; r < RN; r++) {
                float4 v = *(const float4 *)(pb + p * SliceB::ROW + r * SN);
                rb[4 * r] = v.x; rb[4 * r + 1] = v.y; rb[4 * r + 2] = v.z; rb[4 * r + 3] = v.w;
            }
#pragma unroll
            for (int i = 0; i < TM; i++)
#pragma unroll
                for (int j = 0; j < TN; j++) acc[i][j] = fmaf(ra[i], rb[j], acc[i][j]);
        }
        if (more) {
            la.store(sa[cur ^ 1]);
            lb.store(sb[cur ^ 1]);
        }
        __syncthreads();
    }

    /* C = epilogue(alpha * acc + beta * C); beta == 0 never reads C. */
    float *c = g.c + batch * g.stride_c;
    const float *bias = pgemm_hip_bias_of(g.epi, batch);
    const bool vec_c = L.vec_c && m_left >= BM && n_left >= BN;
#pragma unroll
    for (int cj = 0; cj < TN; cj++) {
        const int j = n0 + (cj / 4) * SN + tn + cj % 4;
        if (j >= g.n) continue;
        float *col = c + (long long)j * g.ldc;
#pragma unroll
        for (int r = 0; r < RM; r++) {
            const int i = m0 + r * SM + tm;
            float v[4];
#pragma unroll
            for (int e = 0; e < 4; e++) v[e] = g.alpha * acc[4 * r + e][cj];
            if (vec_c) {
                float4 *dst = (float4 *)(col + i);
                if (g.beta != 0.0f) {
                    float4 old = *dst;
                    v[0] = fmaf(g.beta, old.x, v[0]); v[1] = fmaf(g.beta, old.y, v[1]);
                    v[2] = fmaf(g.beta, old.z, v[2]); v[3] = fmaf(g.beta, old.w, v[3]);
                }
#pragma unroll
                for (int e = 0; e < 4; e++) v[e] = pgemm_hip_finish(g.epi, bias, i + e, j, v[e]);
                *dst = make_float4(v[0], v[1], v[2], v[3]);
            } else {
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    if (i + e >= g.m) break;
                    const float s = g.beta != 0.0f ? fmaf(g.beta, col[i + e], v[e]) : v[e];
                    col[i + e] = pgemm_hip_finish(g.epi, bias, i + e, j, s);
                }
            }
        }
    }
}

bool aligned16(const void *p) { return ((unsigned long long)p & 15u) == 0; }

template <int BM, int BN, int BK, int TM, int TN, int LM, bool TA, bool TB>
hipError_t launch_one(const Launch &base, int batch, hipStream_t stream)
{
    const pgemm_hip_sgemm_args &g = base.g;
    return pgemm_in_batch_slices(batch, [&](int first, int count) {
        Launch L = base;
        L.batch0 = first;
        dim3 grid((unsigned)((g.m + BM - 1) / BM), (unsigned)((g.n + BN - 1) / BN),
                  (unsigned)count);
        hipLaunchKernelGGL((sgemm_tile<BM, BN, BK, TM, TN, LM, TA, TB>), grid,
                           dim3((BM / TM) * (BN / TN)), 0, stream, L);
    });
}

template <int BM, int BN, int BK, int TM, int TN, int LM = 8>
hipError_t launch_shape(const Launch &L, hipStream_t stream)
{
    const pgemm_hip_sgemm_args &g = L.g;
    if (g.trans_a)
        return g.trans_b ? launch_one<BM, BN, BK, TM, TN, LM, true, true>(L, g.batch, stream)
                         : launch_one<BM, BN, BK, TM, TN, LM, true, false>(L, g.batch, stream);
    return g.trans_b ? launch_one<BM, BN, BK, TM, TN, LM, false, true>(L, g.batch, stream)
                     : launch_one<BM, BN, BK, TM, TN, LM, false, false>(L, g.batch, stream);
}

/* float4 accesses of an operand are aligned when its base, leading
 * dimension and batch stride all are (the kernels add multiples of 4 along
 * the contiguous direction). */
bool vec_ok(const float *p, long long ld, long long stride, int batch)
{
    return aligned16(p) && ld % 4 == 0 && (batch == 1 || stride % 4 == 0);
}

} // namespace

extern "C" int pgemm_hip_sgemm(pgemm_hip_sgemm_kernel kernel, const pgemm_hip_sgemm_args *args,
                               void *stream)
{
    Launch L;
    L.g = *args;
    L.vec_a = vec_ok(args->a, args->lda, args->stride_a, args->batch);
    L.vec_b = vec_ok(args->b, args->ldb, args->stride_b, args->batch);
    L.vec_c = vec_ok(args->c, args->ldc, args->stride_c, args->batch);
    L.batch0 = 0;
    hipStream_t s = (hipStream_t)stream;
    /* One instantiation per row of hip_variant_table.h: 16 x 16 threads. */
    switch (kernel) {
#define PGEMM_SGEMM_CASE(id, name, tm, tn, tk)                                                     \
    case PGEMM_HIP_SGEMM_##id: return launch_shape<tm, tn, tk, (tm) / 16, (tn) / 16>(L, s);
        PGEMM_HIP_SGEMM_VARIANTS(PGEMM_SGEMM_CASE)
#undef PGEMM_SGEMM_CASE
    case PGEMM_HIP_SGEMM_COUNT: break;
    }
    return hipErrorInvalidValue;
}
