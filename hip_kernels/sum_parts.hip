/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm_hip_sum_parts: split-K's second pass (src/split_k.h). Each thread
 * gives elements of C their value from the partial sums,
 *
 *     C(i, j) = epilogue(alpha * (W_0(i, j) + ... + W_{parts-1}(i, j)) + beta * C(i, j)),
 *
 * adding the partials in that order (no atomics: the same inputs give the
 * same bits on every run). Consecutive threads take consecutive elements of
 * the packed partials, so every partial's reads coalesce; the pass is bound
 * by memory, reading parts x m x n floats once.
 */
#include "epilogue.h"
#include "hip_launch.h"

namespace {

constexpr int THREADS = 256;
/* A grid of at most this many blocks, each thread striding over the rest. */
constexpr long long MAX_BLOCKS = 65535LL * 16;

template <int ACT> __global__ void __launch_bounds__(THREADS) sum_parts(pgemm_hip_sum_args s)
{
    const long long area = (long long)s.m * s.n;
    const float *bias = pgemm_hip_bias_of(s.epi, 0);
    const long long step = (long long)gridDim.x * THREADS;
    for (long long e = (long long)blockIdx.x * THREADS + threadIdx.x; e < area; e += step) {
        const int j = (int)(e / s.m), i = (int)(e - (long long)j * s.m);
        float acc = 0.0f;
        for (int p = 0; p < s.parts; p++) acc += s.work[e + p * area];
        float *dst = s.c + i + (long long)j * s.ldc;
        const float v = s.beta == 0.0f ? s.alpha * acc : s.alpha * acc + s.beta * *dst;
        *dst = pgemm_hip_finish_as<ACT>(s.epi, bias, i, j, v);
    }
}

} // namespace

extern "C" int pgemm_hip_sum_parts(const pgemm_hip_sum_args *args, void *stream)
{
    const long long area = (long long)args->m * args->n;
    if (area <= 0 || args->parts <= 0) return hipErrorInvalidValue;
    long long blocks = (area + THREADS - 1) / THREADS;
    if (blocks > MAX_BLOCKS) blocks = MAX_BLOCKS;
    hipStream_t st = (hipStream_t)stream;
    const dim3 grid((unsigned)blocks), block(THREADS);
    switch (args->epi.activation) {
    case 1: sum_parts<1><<<grid, block, 0, st>>>(*args); break;
    case 2: sum_parts<2><<<grid, block, 0, st>>>(*args); break;
    case 3: sum_parts<3><<<grid, block, 0, st>>>(*args); break;
    default: sum_parts<0><<<grid, block, 0, st>>>(*args); break;
    }
    return hipGetLastError();
}
