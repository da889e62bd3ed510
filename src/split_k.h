/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split-K: a product whose tile grid leaves most of a GPU's compute units
 * idle (m x n small, k large) runs as `parts` partial products along K,
 * launched as one strided batch into a workspace of partial sums, and a
 * second pass (the backend's sum_parts) that adds them in a fixed order and
 * applies alpha, beta C and the epilogue. The same inputs give the same
 * bits on every run: no atomics, no order that depends on timing.
 */
#ifndef PGEMM_SPLIT_K_H
#define PGEMM_SPLIT_K_H

#include <stddef.h>

#include "internal.h"

/* How a product is split: `parts` partial products of depth `depth` (one
 * batched launch), then, where rest > 0, one of depth `rest` for the end of
 * K. parts == 1 and rest == 0: no split. */
typedef struct pgemm_split {
    size_t parts, depth, rest;
    size_t tiles;          /* the unsplit variant's tile grid (automatic rule) */
} pgemm_split;

/* The partial sums a split produces: parts, and one more for the rest. */
size_t pgemm_split_slices(const pgemm_split *s);

/* The split for column-major args g, whose unsplit pick is `unsplit`:
 * ctx->split_k's forced count, else the automatic rule (split_k.c). */
pgemm_split pgemm_split_plan(const pgemm_context *ctx, const pgemm_gemm_args *g,
                             const pgemm_variant_desc *unsplit);

/* Makes the context's workspace hold plan's partial sums: 1, or 0 where it
 * cannot be had, with *plan made "no split" and call->why saying so (the
 * product then runs whole). With the lock held. */
int pgemm_split_reserve(pgemm_context *ctx, const pgemm_gemm_args *g, pgemm_call_info *call,
                        pgemm_split *plan);

/* Runs g as plan says (two slices or more, the workspace reserved): the
 * partial products with the variant `choose` picks for their shape, then
 * the sum. With the lock held. choose fills call (variant, why) as for an
 * unsplit call. */
typedef pgemm_status (*pgemm_choose_fn)(pgemm_context *ctx, pgemm_gemm_args *g,
                                        pgemm_call_info *call);
pgemm_status pgemm_split_run(pgemm_context *ctx, const pgemm_gemm_args *g, pgemm_split plan,
                             pgemm_choose_fn choose, pgemm_call_info *call);

#endif
