/* SPDX-License-Identifier: BSD-3-Clause */
/* What the interop entry points of every backend share (interop_opencl.c,
 * interop_hip.c): the check that a context runs on the backend an entry
 * point names, and wrapping the caller's memory as a pgemm buffer. */
#include <stdlib.h>

#include "internal.h"

pgemm_status pgemm_interop_check(const pgemm_context *ctx, pgemm_backend backend, const char *api)
{
    const pgemm_backend_iface *be = ctx->plugin.iface;
    if (ctx->info.backend != backend)
        return pgemm_fail((pgemm_context *)ctx, PGEMM_ERROR_UNSUPPORTED,
                          "%s interop on a context of backend %s (it needs backend %s)", api,
                          ctx->info.backend_name, pgemm_backend_name(backend));
    if (be->buffer_wrap && be->native_queue && be->native_buffer) return PGEMM_SUCCESS;
    return pgemm_fail((pgemm_context *)ctx, PGEMM_ERROR_UNSUPPORTED, "backend %s has no %s interop",
                      ctx->info.backend_name, api);
}

pgemm_status pgemm_interop_wrap(pgemm_context *ctx, pgemm_backend backend, const char *api,
                                void *native, size_t bytes, const char *what, pgemm_buffer **out)
{
    pgemm_status st = pgemm_interop_check(ctx, backend, api);
    if (st != PGEMM_SUCCESS) return st;
    pgemm_buffer *buf = calloc(1, sizeof *buf);
    if (!buf) return pgemm_fail(ctx, PGEMM_ERROR_OUT_OF_MEMORY, "cannot allocate a handle");
    pgemm_err err = {{0}};
    buf->bytes = bytes;
    pthread_mutex_lock(&ctx->lock);
    st = ctx->plugin.iface->buffer_wrap(ctx->bctx, native, &buf->bytes, &buf->bbuf, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != PGEMM_SUCCESS) {
        free(buf);
        return pgemm_fail(ctx, st, "wrapping %s: %s", what, err.msg);
    }
    buf->ctx = ctx;
    *out = buf;
    return PGEMM_SUCCESS;
}
