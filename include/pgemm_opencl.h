/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm OpenCL interop: run pgemm on an OpenCL command queue the program
 * already has, and multiply matrices that already live in its cl_mem
 * buffers. The only pgemm header that names OpenCL types.
 *
 * Ordering: pgemm enqueues its work on the caller's queue, so it is ordered
 * with the caller's own commands on that queue like any other command. The
 * queue must be in-order.
 */
#ifndef PGEMM_OPENCL_H
#define PGEMM_OPENCL_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 110
#endif
#include <CL/cl.h>

#include "pgemm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A context on the OpenCL backend that runs on `queue` (its OpenCL context
 * and device). pgemm retains the queue and releases it in
 * pgemm_context_destroy. opts may be NULL; its backend, device and platform
 * fields are ignored (the queue decides). Out-of-order queues are refused
 * with PGEMM_ERROR_UNSUPPORTED. */
PGEMM_API pgemm_status pgemm_context_create_opencl(cl_command_queue queue,
                                                   const pgemm_options *opts,
                                                   pgemm_context **out);

/* A pgemm buffer over the caller's `mem`, which must belong to the OpenCL
 * context of ctx's queue. pgemm retains mem; pgemm_buffer_destroy releases
 * pgemm's reference only. The size is the cl_mem's size. */
PGEMM_API pgemm_status pgemm_buffer_wrap_opencl(pgemm_context *ctx, cl_mem mem,
                                                pgemm_buffer **out);

/* The queue ctx runs on (not retained), e.g. to enqueue a wait on pgemm's work. */
PGEMM_API pgemm_status pgemm_opencl_queue(const pgemm_context *ctx, cl_command_queue *queue);

/* The cl_mem behind a pgemm buffer (created by pgemm or wrapped; not retained). */
PGEMM_API pgemm_status pgemm_buffer_opencl_mem(const pgemm_buffer *buf, cl_mem *mem);

#ifdef __cplusplus
}
#endif

#endif /* PGEMM_OPENCL_H */
