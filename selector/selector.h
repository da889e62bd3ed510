/*
 * Choosing a kernel variant for a call.
 *
 * The selector sees the backend's variant list (pgemm_variant_desc), the
 * shape, and the device. Today it is a documented heuristic
 * (selector/heuristic.c); a learned model plugs in behind the same function
 * and falls back to the heuristic when it has no answer.
 */
#ifndef PGEMM_SELECTOR_H
#define PGEMM_SELECTOR_H

#include <stddef.h>

#include "backend.h"
#include "pgemm.h"

typedef struct pgemm_shape {
    size_t m, n, k;      /* column-major form; k == 0: only C is scaled */
    size_t batch;
    int trans_a, trans_b;
    int fp16_operands;   /* A or B holds fp16: only fp16 variants can run it */
    int fp16_allowed;    /* FP16_MIXED precision: fp16 variants are preferred */
} pgemm_shape;

typedef struct pgemm_selection {
    size_t variant;                /* index into the variant list */
    char why[PGEMM_REASON_LEN];
} pgemm_selection;

/* Picks a variant among variants[0 .. count-1] (count >= 1). */
void pgemm_select(const pgemm_variant_desc *const *variants, size_t count,
                  const pgemm_shape *shape, const pgemm_info *device, pgemm_selection *out);

/* The heuristic alone (what pgemm_select falls back to). */
void pgemm_select_heuristic(const pgemm_variant_desc *const *variants, size_t count,
                            const pgemm_shape *shape, const pgemm_info *device,
                            pgemm_selection *out);

/* The heuristic's score of one variant (higher is better), for `explain`. */
double pgemm_heuristic_score(const pgemm_variant_desc *variant, const pgemm_shape *shape,
                             const pgemm_info *device);

#endif
