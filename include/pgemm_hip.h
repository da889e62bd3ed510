/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm HIP interop: run pgemm on a HIP stream the program already has, and
 * multiply matrices that already live in its device memory, without copies.
 * The only pgemm header that names HIP (or CUDA) types.
 *
 * Ordering: pgemm queues its kernels on the caller's stream and returns
 * without waiting, so they are ordered with the caller's own work on that
 * stream like any other launch: a kernel the caller queues after a pgemm call
 * sees its result, with no host synchronisation. pgemm_synchronize waits for
 * the stream. pgemm_buffer_write and pgemm_buffer_read, and the host-pointer
 * calls (pgemm_sgemm_host...), return when their copies are done, as on any
 * context; so does the first fp16-mixed call that needs a larger packing
 * workspace than the context has.
 *
 * The stream type: HIP's hipStream_t; CUDA's cudaStream_t (the same object
 * pgemm's NVIDIA build runs on) when the program includes the CUDA runtime
 * header before this one and no HIP header, or defines PGEMM_HIP_CUDA.
 */
#ifndef PGEMM_HIP_H
#define PGEMM_HIP_H

#include <stddef.h>

#include "pgemm.h"

#if defined(PGEMM_HIP_STREAM_OPAQUE)
/* Code that includes neither runtime's header (pgemm's core; a program that
 * only passes streams through): a stream is a pointer to the runtime's
 * stream object either way. */
typedef struct pgemm_hip_stream_object *pgemm_hip_stream_t;
#elif defined(PGEMM_HIP_CUDA) || (defined(CUDART_VERSION) && !defined(HIP_VERSION_MAJOR))
#include <cuda_runtime_api.h>
typedef cudaStream_t pgemm_hip_stream_t;
#else
#include <hip/hip_runtime_api.h>
typedef hipStream_t pgemm_hip_stream_t;
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A context on the HIP backend that runs on `stream` of HIP device `device`
 * (the runtime's ordinal, as hipSetDevice takes it). stream NULL is that
 * device's null stream. The stream stays the caller's: it must outlive the
 * context, and pgemm_context_destroy waits for it but does not destroy it.
 * opts may be NULL; its backend and device fields are ignored (the stream
 * decides). Fails with PGEMM_ERROR_INVALID_ARGUMENT for a device that does
 * not exist (or, where the runtime can tell, a stream of another device)
 * and PGEMM_ERROR_BACKEND_UNAVAILABLE where the HIP backend cannot run. Each
 * call makes `device` current on the calling thread, as hipSetDevice does. */
PGEMM_API pgemm_status pgemm_context_create_hip(int device, pgemm_hip_stream_t stream,
                                                const pgemm_options *opts, pgemm_context **out);

/* A pgemm buffer over `bytes` bytes of device memory at `ptr` (from
 * hipMalloc or cudaMalloc, managed memory, or a pointer inside such an
 * allocation), on ctx's device. No copy is made: pgemm's kernels read and
 * write the caller's memory, and the extent checks of every call hold
 * against `bytes`. ptr must stay allocated while work that uses it is
 * queued; pgemm_buffer_destroy frees the handle only. Refused with
 * PGEMM_ERROR_INVALID_ARGUMENT: a NULL ptr, bytes 0, host memory, memory of
 * another device, or a range that runs past the end of ptr's allocation.
 * Works on any context of the HIP backend, also one on pgemm's own stream.
 */
PGEMM_API pgemm_status pgemm_buffer_wrap_hip(pgemm_context *ctx, void *ptr, size_t bytes,
                                             pgemm_buffer **out);

/* The stream ctx runs on: the caller's, or the one pgemm created for a
 * context of pgemm_context_create (e.g. to queue the caller's work after
 * pgemm's). */
PGEMM_API pgemm_status pgemm_hip_stream(const pgemm_context *ctx, pgemm_hip_stream_t *stream);

/* The device address behind a pgemm buffer of a HIP context (created by
 * pgemm or wrapped); NULL for a buffer of 0 bytes. */
PGEMM_API pgemm_status pgemm_buffer_hip_pointer(const pgemm_buffer *buf, void **ptr);

#ifdef __cplusplus
}
#endif

#endif /* PGEMM_HIP_H */
