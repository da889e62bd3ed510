/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HIP names pgemm uses, on both platforms.
 *
 * AMD (hipcc, ROCm): the real HIP headers.
 * NVIDIA (nvcc; PGEMM_HIP_NVIDIA defined by the build): Debian's HIP headers
 * for the NVIDIA platform do not compile against current CUDA, so this header
 * maps the HIP runtime names the project uses onto CUDA directly. Only names
 * the project uses are mapped; a new use fails to compile until it is added
 * here, which keeps the list honest.
 *
 * Usable from C (the plugin's host code: the runtime API only) and from
 * HIP/CUDA C++ (the kernels).
 */
#ifndef PGEMM_HIP_PLATFORM_H
#define PGEMM_HIP_PLATFORM_H

#if defined(PGEMM_HIP_NVIDIA)

#include <cuda_runtime_api.h>
#if defined(__CUDACC__)
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#endif

typedef cudaError_t hipError_t;
typedef cudaStream_t hipStream_t;
typedef cudaEvent_t hipEvent_t;
typedef struct cudaDeviceProp hipDeviceProp_t;

#define hipSuccess cudaSuccess
#define hipErrorNoDevice cudaErrorNoDevice
#define hipErrorInsufficientDriver cudaErrorInsufficientDriver
#define hipErrorInvalidValue cudaErrorInvalidValue
#define hipErrorNotReady cudaErrorNotReady
#define hipErrorInvalidDeviceFunction cudaErrorInvalidDeviceFunction
#define hipErrorMemoryAllocation cudaErrorMemoryAllocation
#define hipErrorOutOfMemory cudaErrorMemoryAllocation
#define hipMemcpyHostToDevice cudaMemcpyHostToDevice
#define hipMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define hipMemcpyDeviceToDevice cudaMemcpyDeviceToDevice
#define hipStreamNonBlocking cudaStreamNonBlocking
#define hipFuncAttributeMaxDynamicSharedMemorySize cudaFuncAttributeMaxDynamicSharedMemorySize

#define hipGetErrorString cudaGetErrorString
#define hipGetErrorName cudaGetErrorName
#define hipGetLastError cudaGetLastError
#define hipGetDeviceCount cudaGetDeviceCount
#define hipGetDeviceProperties cudaGetDeviceProperties
#define hipSetDevice cudaSetDevice
#define hipDriverGetVersion cudaDriverGetVersion
#define hipRuntimeGetVersion cudaRuntimeGetVersion
#define hipMalloc cudaMalloc
#define hipFree cudaFree
#define hipMemcpy cudaMemcpy
#define hipMemcpyAsync cudaMemcpyAsync
#define hipMemcpy2DAsync cudaMemcpy2DAsync
#define hipMemsetAsync cudaMemsetAsync
#define hipStreamCreateWithFlags cudaStreamCreateWithFlags
#define hipStreamDestroy cudaStreamDestroy
#define hipStreamSynchronize cudaStreamSynchronize
#define hipStreamQuery cudaStreamQuery
#define hipFuncSetAttribute(f, attr, value) cudaFuncSetAttribute(f, attr, value)
#define hipLaunchKernelGGL(kernel, grid, block, shmem, stream, ...) \
    kernel<<<(grid), (block), (shmem), (stream)>>>(__VA_ARGS__)

/* __launch_bounds__ with a minimum of blocks per multiprocessor on NVIDIA.
 * HIP reads the second argument as waves per execution unit instead, so the
 * AMD definition leaves it out. */
#define PGEMM_LAUNCH_BOUNDS(threads, nvidia_min_blocks) \
    __launch_bounds__(threads, nvidia_min_blocks)

/* The device name field AMD calls gcnArchName has no CUDA twin: the plugin
 * reads the compute capability instead (major, minor). */
#define PGEMM_HIP_PLATFORM_NAME "nvidia"

#else /* AMD */

#ifndef __HIP_PLATFORM_AMD__
#define __HIP_PLATFORM_AMD__ 1
#endif
#if defined(__HIPCC__)
#include <hip/hip_fp16.h>
#include <hip/hip_runtime.h>
#else
#include <hip/hip_runtime_api.h>
#endif
#define PGEMM_HIP_PLATFORM_NAME "amd"
#define PGEMM_LAUNCH_BOUNDS(threads, nvidia_min_blocks) __launch_bounds__(threads)

#endif

#endif /* PGEMM_HIP_PLATFORM_H */
