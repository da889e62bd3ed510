/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp.async (sm_80 and later): 16-byte copies from global to shared memory
 * that complete in the background, in groups the caller commits and waits
 * for. Shared by the tensor-core tiles (NVIDIA builds only).
 */
#ifndef PGEMM_ASYNC_COPY_H
#define PGEMM_ASYNC_COPY_H

#if defined(PGEMM_HIP_NVIDIA)

__device__ inline unsigned pgemm_smem_addr(const void *p)
{
    return (unsigned)__cvta_generic_to_shared(p);
}

__device__ inline void pgemm_cp_async16(void *dst, const void *src)
{
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(pgemm_smem_addr(dst)),
                 "l"(src));
}

__device__ inline void pgemm_cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

/* Waits until at most N committed groups are still in flight. */
template <int N> __device__ inline void pgemm_cp_async_wait()
{
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

#endif
#endif
