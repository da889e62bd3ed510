/* SPDX-License-Identifier: BSD-3-Clause */
#include "staging.h"

#include <stdlib.h>

#include "common/text.h"

pgemm_status pgemm_stage(pgemm_context *ctx, int slot, size_t bytes, pgemm_err *err)
{
    pgemm_buffer **buf = &ctx->staging.buf[slot];
    if (*buf && (*buf)->bytes >= bytes) return PGEMM_SUCCESS;
    const pgemm_backend_iface *be = ctx->plugin.iface;
    if (*buf) {
        /* A queued kernel may still use it: the backends release device
         * memory only once the work queued before is done. */
        be->buffer_destroy(ctx->bctx, (*buf)->bbuf);
        (*buf)->bbuf = NULL;
        (*buf)->bytes = 0;
    } else {
        *buf = calloc(1, sizeof **buf);
        if (!*buf) {
            pgemm_err_set(err, "cannot allocate a staging handle");
            return PGEMM_ERROR_OUT_OF_MEMORY;
        }
        (*buf)->ctx = ctx;
    }
    pgemm_status st = be->buffer_create(ctx->bctx, bytes, &(*buf)->bbuf, err);
    if (st != PGEMM_SUCCESS) {
        free(*buf);
        *buf = NULL;
        return st;
    }
    (*buf)->bytes = bytes;
    return PGEMM_SUCCESS;
}

void pgemm_staging_free(pgemm_context *ctx)
{
    for (size_t i = 0; i < PGEMM_STAGE_SLOTS; i++) pgemm_buffer_destroy(ctx->staging.buf[i]);
}
