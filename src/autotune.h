/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Refinement in use (PGEMM_AUTOTUNE=1, docs/TUNING.md "Autotune"): the
 * first call of a shape times the best-predicted candidates on the call's
 * own operands, into a scratch C, and runs the fastest; the winner is kept
 * per shape, in memory and in <cache>/autotune/<backend>-<device>.txt, where
 * later contexts on the same device and driver find it.
 */
#ifndef PGEMM_AUTOTUNE_H
#define PGEMM_AUTOTUNE_H

#include <stddef.h>

#include "backend.h"
#include "selector/selector.h"

/* The candidates a first call times, and the winners a file keeps. */
enum { PGEMM_AUTOTUNE_CANDIDATES = 3, PGEMM_AUTOTUNE_MAX_ENTRIES = 4096 };

typedef struct pgemm_autotune_entry {
    size_t m, n, k, batch;
    int flags;                       /* trans_a | trans_b << 1 | fp16 << 2 | vectors << 3 */
    size_t variant;                  /* backend index */
} pgemm_autotune_entry;

typedef struct pgemm_autotune {
    int on;                          /* PGEMM_AUTOTUNE=1 */
    char path[4200];                 /* "" when there is no trusted cache folder */
    char header[3 * PGEMM_NAME_LEN + 64];
    pgemm_autotune_entry *entry;
    size_t count, cap;
} pgemm_autotune;

/* Reads PGEMM_AUTOTUNE and, when it is on, the winners file of this device
 * (lines that do not parse, or name a variant this backend does not have,
 * are skipped and logged). Never fails: without memory or a cache folder
 * the winners live only as long as the context. */
void pgemm_autotune_init(pgemm_autotune *t, const pgemm_info *info,
                         const pgemm_variant_desc *const *variants, size_t count,
                         const char *cache_dir);
void pgemm_autotune_free(pgemm_autotune *t);

struct pgemm_context;

/* With the context's lock held, for a call the selector would decide:
 * returns 1 with sel filled when autotune decided (a kept winner, or the
 * fastest of the best-predicted candidates, timed now), 0 when it did not
 * (off, one candidate, or every timing failed: the selector decides). */
int pgemm_autotune_choose(struct pgemm_context *ctx, const pgemm_gemm_args *g,
                          const pgemm_variant_desc *const *variants, size_t count,
                          const pgemm_shape *shape, pgemm_selection *sel);

#endif
