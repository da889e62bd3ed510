/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the selector's models see of a (variant, shape, device) triple, and
 * which variants compete for a call.
 */
#ifndef PGEMM_SELECTOR_FEATURES_H
#define PGEMM_SELECTOR_FEATURES_H

#include "selector.h"

/*
 * Features, in this order (the model file stores their count; a model
 * trained on another feature set is refused):
 *   0-3   log2 m, log2 n, log2 k, log2 batch
 *   4     fill: m n over the C elements the tile grid covers
 *   5     log2 (work-groups / compute units)
 *   6     wave efficiency: work-groups / (compute units x waves of them)
 *   7     K fill: k over k rounded up to the variant's K step
 *   8, 9  op(A) transposed, op(B) transposed
 *   10    how many of m, n, k are multiples of 4 (vector paths), over 3
 *   11    log2 (m n k)
 *   12    log2 (1 + arithmetic intensity): 2 m n k / (m k + k n + m n)
 *   13    log2 (m n): the size of C, which bounds a product with a small k
 *   14    every operand allows vector accesses (shape->vectors, all three)
 *   15-17 A, B, C allow vector accesses, each on its own
 *   18-20 wave efficiency (as 6) with 2, 3 and 4 work-groups resident per
 *         compute unit: how many fit depends on the variant's registers and
 *         local memory, which the selector does not know, so each variant's
 *         model uses the one that matches it
 *   21-24 useful share of the slots: fill (4) times wave efficiency with
 *         1 (6), 2, 3 and 4 (18-20) work-groups resident
 */
enum { PGEMM_FEATURES = 25 };

void pgemm_features(const pgemm_variant_desc *v, const pgemm_shape *s, unsigned compute_units,
                    double *f);

/* The vector bits of operands stored without gaps (leading dimension = rows,
 * offset 0), the layout `pgemm tune` measures: A's lda is k transposed,
 * else m; B's ldb is n transposed, else k; C's ldc is m. */
unsigned pgemm_shape_packed_vectors(const pgemm_shape *s);

/* Whether a problem is "small": fewer than 2^18 flops per product, k < 8,
 * or k == 0. */
int pgemm_shape_is_small(const pgemm_shape *s);
/* Whether a product has k < k_min or fewer than `flops` flops (2 m n k). */
int pgemm_shape_below(const pgemm_shape *s, double flops, size_t k_min);

/* Whether a shape calls for the fp16 variants: fp16 operands, or FP16_MIXED
 * on a device with fp16 tiles and a problem that is not small. */
int pgemm_shape_wants_fp16(const pgemm_shape *s, const pgemm_info *dev);

/* Whether variant v competes for calls of precision fp16 (1) or fp32 (0)
 * on dev: every fp16 variant for fp16; for fp32, the fp32 variants whose
 * family suits the device's execution model (features.c says why). */
int pgemm_is_candidate(const pgemm_variant_desc *v, int fp16, const pgemm_info *dev);

#endif
