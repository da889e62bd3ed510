/* SPDX-License-Identifier: BSD-3-Clause */
/* HIP interop entry points (include/pgemm_hip.h). The core builds without
 * the HIP runtime: it passes streams and device pointers through as opaque
 * pointers, and the HIP plugin checks them. */
#define PGEMM_HIP_STREAM_OPAQUE 1
#include "internal.h"
#include "pgemm_hip.h"

pgemm_status pgemm_context_create_hip(int device, pgemm_hip_stream_t stream,
                                      const pgemm_options *opts, pgemm_context **out)
{
    if (out) *out = NULL;
    if (device < 0) {
        pgemm_clear_error(NULL);
        return pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                          "device %d: a HIP device ordinal is 0 or more", device);
    }
    pgemm_native_target native = {PGEMM_BACKEND_HIP, (void *)stream, device};
    return pgemm_context_create_on(opts, &native, out);
}

pgemm_status pgemm_buffer_wrap_hip(pgemm_context *ctx, void *ptr, size_t bytes, pgemm_buffer **out)
{
    if (out) *out = NULL;
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    if (!out) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "out is NULL");
    if (!ptr) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "ptr is NULL");
    if (bytes == 0) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "bytes is 0");
    return pgemm_interop_wrap(ctx, PGEMM_BACKEND_HIP, "HIP", ptr, bytes, "a device pointer", out);
}

pgemm_status pgemm_hip_stream(const pgemm_context *ctx, pgemm_hip_stream_t *stream)
{
    if (stream) *stream = NULL;
    if (!ctx || !stream) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_status st = pgemm_interop_check(ctx, PGEMM_BACKEND_HIP, "HIP");
    if (st != PGEMM_SUCCESS) return st;
    *stream = (pgemm_hip_stream_t)ctx->plugin.iface->native_queue(ctx->bctx);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_buffer_hip_pointer(const pgemm_buffer *buf, void **ptr)
{
    if (ptr) *ptr = NULL;
    if (!buf || !ptr) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_status st = pgemm_interop_check(buf->ctx, PGEMM_BACKEND_HIP, "HIP");
    if (st != PGEMM_SUCCESS) return st;
    *ptr = buf->ctx->plugin.iface->native_buffer(buf->ctx->bctx, buf->bbuf);
    return PGEMM_SUCCESS;
}
