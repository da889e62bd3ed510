/* SPDX-License-Identifier: BSD-3-Clause */
/* A context's device buffers of its own, grown on demand (pgemm_staging). */
#ifndef PGEMM_STAGING_H
#define PGEMM_STAGING_H

#include "internal.h"

/* Makes ctx->staging.buf[slot] hold at least `bytes`. With the lock held. */
pgemm_status pgemm_stage(pgemm_context *ctx, int slot, size_t bytes, pgemm_err *err);

/* Frees every staging buffer. */
void pgemm_staging_free(pgemm_context *ctx);

#endif
