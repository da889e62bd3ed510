/* SPDX-License-Identifier: BSD-3-Clause */
/* OpenCL interop entry points (include/pgemm_opencl.h). The core handles the
 * OpenCL objects only as opaque pointers; the OpenCL plugin checks them. */
#include <stdlib.h>

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
    return pgemm_context_create_on(opts, (void *)queue, out);
}

static pgemm_status require_interop(const pgemm_context *ctx)
{
    const pgemm_backend_iface *be = ctx->plugin.iface;
    if (be->buffer_wrap && be->native_queue && be->native_buffer) return PGEMM_SUCCESS;
    return pgemm_fail((pgemm_context *)ctx, PGEMM_ERROR_UNSUPPORTED,
                      "backend %s has no OpenCL interop", ctx->info.backend_name);
}

pgemm_status pgemm_buffer_wrap_opencl(pgemm_context *ctx, cl_mem mem, pgemm_buffer **out)
{
    if (out) *out = NULL;
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    if (!out) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "out is NULL");
    if (!mem) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "mem is NULL");
    pgemm_status st = require_interop(ctx);
    if (st != PGEMM_SUCCESS) return st;
    pgemm_buffer *buf = calloc(1, sizeof *buf);
    if (!buf) return pgemm_fail(ctx, PGEMM_ERROR_OUT_OF_MEMORY, "cannot allocate a handle");
    pgemm_err err = {{0}};
    pthread_mutex_lock(&ctx->lock);
    st = ctx->plugin.iface->buffer_wrap(ctx->bctx, (void *)mem, &buf->bytes, &buf->bbuf, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != PGEMM_SUCCESS) {
        free(buf);
        return pgemm_fail(ctx, st, "wrapping a cl_mem: %s", err.msg);
    }
    buf->ctx = ctx;
    *out = buf;
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_opencl_queue(const pgemm_context *ctx, cl_command_queue *queue)
{
    if (queue) *queue = NULL;
    if (!ctx || !queue) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_status st = require_interop(ctx);
    if (st != PGEMM_SUCCESS) return st;
    *queue = (cl_command_queue)ctx->plugin.iface->native_queue(ctx->bctx);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_buffer_opencl_mem(const pgemm_buffer *buf, cl_mem *mem)
{
    if (mem) *mem = NULL;
    if (!buf || !mem) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_status st = require_interop(buf->ctx);
    if (st != PGEMM_SUCCESS) return st;
    *mem = (cl_mem)buf->ctx->plugin.iface->native_buffer(buf->ctx->bctx, buf->bbuf);
    return PGEMM_SUCCESS;
}
