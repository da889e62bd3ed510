/* SPDX-License-Identifier: BSD-3-Clause */
/* Device buffers: thin checked wrappers over the backend's buffers. */
#include <stdlib.h>

#include "common/text.h"
#include "internal.h"

pgemm_status pgemm_buffer_create(pgemm_context *ctx, size_t bytes, pgemm_buffer **out)
{
    if (out) *out = NULL;
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    if (!out) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (bytes == 0) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "bytes is 0");
    if (bytes > ctx->info.max_buffer_bytes && ctx->info.max_buffer_bytes)
        return pgemm_fail(ctx, PGEMM_ERROR_OUT_OF_MEMORY,
                          "bytes (%zu) exceeds the largest buffer the device allows (%llu)",
                          bytes, (unsigned long long)ctx->info.max_buffer_bytes);
    pgemm_buffer *buf = calloc(1, sizeof *buf);
    if (!buf) return pgemm_fail(ctx, PGEMM_ERROR_OUT_OF_MEMORY, "cannot allocate a handle");
    pgemm_err err = {{0}};
    pthread_mutex_lock(&ctx->lock);
    pgemm_status st = ctx->plugin.iface->buffer_create(ctx->bctx, bytes, &buf->bbuf, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st != PGEMM_SUCCESS) {
        free(buf);
        return pgemm_fail(ctx, st, "buffer of %zu bytes: %s", bytes, err.msg);
    }
    buf->ctx = ctx;
    buf->bytes = bytes;
    *out = buf;
    return PGEMM_SUCCESS;
}

void pgemm_buffer_destroy(pgemm_buffer *buf)
{
    if (!buf) return;
    pgemm_context *ctx = buf->ctx;
    pthread_mutex_lock(&ctx->lock);
    ctx->plugin.iface->buffer_destroy(ctx->bctx, buf->bbuf);
    pthread_mutex_unlock(&ctx->lock);
    free(buf);
}

size_t pgemm_buffer_size(const pgemm_buffer *buf) { return buf ? buf->bytes : 0; }

static pgemm_status check_range(pgemm_buffer *buf, size_t offset, size_t bytes, const void *host,
                                const char *host_name)
{
    size_t end;
    if (__builtin_add_overflow(offset, bytes, &end) || end > buf->bytes)
        return pgemm_fail(buf->ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "offset (%zu) + bytes (%zu) exceeds the buffer's %zu bytes", offset,
                          bytes, buf->bytes);
    if (bytes && !host)
        return pgemm_fail(buf->ctx, PGEMM_ERROR_INVALID_ARGUMENT, "%s is NULL", host_name);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_buffer_write(pgemm_buffer *buf, size_t offset, size_t bytes, const void *src)
{
    if (!buf) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_context *ctx = buf->ctx;
    pgemm_clear_error(ctx);
    pgemm_status st = check_range(buf, offset, bytes, src, "src");
    if (st != PGEMM_SUCCESS || bytes == 0) return st;
    pgemm_err err = {{0}};
    pthread_mutex_lock(&ctx->lock);
    st = ctx->plugin.iface->buffer_write(ctx->bctx, buf->bbuf, offset, bytes, src, &err);
    pthread_mutex_unlock(&ctx->lock);
    return st == PGEMM_SUCCESS ? st : pgemm_fail(ctx, st, "buffer write: %s", err.msg);
}

pgemm_status pgemm_buffer_read(pgemm_buffer *buf, size_t offset, size_t bytes, void *dst)
{
    if (!buf) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_context *ctx = buf->ctx;
    pgemm_clear_error(ctx);
    pgemm_status st = check_range(buf, offset, bytes, dst, "dst");
    if (st != PGEMM_SUCCESS || bytes == 0) return st;
    pgemm_err err = {{0}};
    pthread_mutex_lock(&ctx->lock);
    st = ctx->plugin.iface->buffer_read(ctx->bctx, buf->bbuf, offset, bytes, dst, &err);
    pthread_mutex_unlock(&ctx->lock);
    return st == PGEMM_SUCCESS ? st : pgemm_fail(ctx, st, "buffer read: %s", err.msg);
}

pgemm_status pgemm_synchronize(pgemm_context *ctx)
{
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    pgemm_err err = {{0}};
    pthread_mutex_lock(&ctx->lock);
    pgemm_status st = ctx->plugin.iface->synchronize(ctx->bctx, &err);
    pthread_mutex_unlock(&ctx->lock);
    return st == PGEMM_SUCCESS ? st : pgemm_fail(ctx, st, "synchronize: %s", err.msg);
}
