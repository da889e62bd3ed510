/* SPDX-License-Identifier: BSD-3-Clause */
/* OpenCL interop entry points (include/pgemm_opencl.h). The core handles the
 * OpenCL objects only as opaque pointers; the OpenCL plugin checks them. */
#include "internal.h"
#include "pgemm_opencl.h"

pgemm_status pgemm_context_create_opencl(cl_command_queue queue, const pgemm_options *opts,
                                         pgemm_context **out)
{
    if (out) *out = NULL;
    if (!queue) {
        pgemm_clear_error(NULL);
        return pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT, "queue is NULL");
    }
    pgemm_native_target native = {PGEMM_BACKEND_OPENCL, (void *)queue, -1};
    return pgemm_context_create_on(opts, &native, out);
}

pgemm_status pgemm_buffer_wrap_opencl(pgemm_context *ctx, cl_mem mem, pgemm_buffer **out)
{
    if (out) *out = NULL;
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    if (!out) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "out is NULL");
    if (!mem) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "mem is NULL");
    return pgemm_interop_wrap(ctx, PGEMM_BACKEND_OPENCL, "OpenCL", (void *)mem, 0, "a cl_mem", out);
}

pgemm_status pgemm_opencl_queue(const pgemm_context *ctx, cl_command_queue *queue)
{
    if (queue) *queue = NULL;
    if (!ctx || !queue) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_status st = pgemm_interop_check(ctx, PGEMM_BACKEND_OPENCL, "OpenCL");
    if (st != PGEMM_SUCCESS) return st;
    *queue = (cl_command_queue)ctx->plugin.iface->native_queue(ctx->bctx);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_buffer_opencl_mem(const pgemm_buffer *buf, cl_mem *mem)
{
    if (mem) *mem = NULL;
    if (!buf || !mem) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_status st = pgemm_interop_check(buf->ctx, PGEMM_BACKEND_OPENCL, "OpenCL");
    if (st != PGEMM_SUCCESS) return st;
    *mem = (cl_mem)buf->ctx->plugin.iface->native_buffer(buf->ctx->bctx, buf->bbuf);
    return PGEMM_SUCCESS;
}
