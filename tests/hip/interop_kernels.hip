// SPDX-License-Identifier: BSD-3-Clause
// The caller's own kernels in test_hip_interop: they run on the caller's
// stream before and after pgemm's, as a program's kernels would.
#include "interop_kernels.h"

// x[i] = interop_value(i, seed), after spinning `spin` clock cycles (so that
// work queued behind it is still waiting when the host looks).
__global__ void fill_kernel(float *x, long long n, int seed, long long spin)
{
    if (spin > 0) {
        long long start = clock64();
        while (clock64() - start < spin) {
        }
    }
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x)
        x[i] = interop_value(i, seed);
}

__global__ void copy_kernel(const float *src, float *dst, long long n)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x)
        dst[i] = src[i];
}

static int blocks_for(long long n)
{
    long long b = (n + 255) / 256;
    return (int)(b < 1 ? 1 : b > 1024 ? 1024 : b);
}

extern "C" int interop_fill(float *x, long long n, int seed, long long spin, hipStream_t stream)
{
    hipLaunchKernelGGL(fill_kernel, dim3(blocks_for(n)), dim3(256), 0, stream, x, n, seed, spin);
    return (int)hipGetLastError();
}

extern "C" int interop_copy(const float *src, float *dst, long long n, hipStream_t stream)
{
    hipLaunchKernelGGL(copy_kernel, dim3(blocks_for(n)), dim3(256), 0, stream, src, dst, n);
    return (int)hipGetLastError();
}
