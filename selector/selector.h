/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Choosing a kernel variant for a call.
 *
 * The selector sees the backend's variant list (pgemm_variant_desc), the
 * shape, and the device. Per precision it uses a trained model
 * (selector/model.h) when one matches the backend, device and kernel set
 * (selector/model_find.c), else the documented heuristic
 * (selector/heuristic.c). Decisions are cached per shape.
 */
#ifndef PGEMM_SELECTOR_H
#define PGEMM_SELECTOR_H

#include <stddef.h>

#include "common/text.h"
#include "common/variant.h"
#include "pgemm.h"

typedef struct pgemm_shape {
    size_t m, n, k;      /* column-major form; k == 0: only C is scaled */
    size_t batch;
    int trans_a, trans_b;
    int fp16_operands;   /* A or B holds fp16: only fp16 variants can run it */
    int fp16_allowed;    /* FP16_MIXED precision: fp16 variants are preferred */
    unsigned vectors;    /* PGEMM_VECTORS_*: operands a kernel may load 4 elements at a time */
} pgemm_shape;

/* pgemm_shape.vectors: the operand's offset and leading dimension (and its
 * batch stride, batched) are multiples of 4 elements, which the float4
 * paths of the kernels need (OpenCL's aligned builds, HIP's vector loads). */
enum { PGEMM_VECTORS_A = 1, PGEMM_VECTORS_B = 2, PGEMM_VECTORS_C = 4 };

typedef struct pgemm_selection {
    size_t variant;                /* index into the variant list */
    char why[PGEMM_REASON_LEN];
} pgemm_selection;

struct pgemm_model;

enum { PGEMM_DECISION_CACHE = 512 };

/* A context's selector: the model in use per precision (0 fp32, 1 fp16),
 * where it came from or why there is none, and the decision cache. */
typedef struct pgemm_decision {
    size_t m, n, k, batch;
    int flags;                         /* 1 | trans_a << 1 | trans_b << 2 | fp16 << 3 |
                                          vectors << 4; 0: empty */
    size_t variant;                    /* the model's variant index */
} pgemm_decision;

typedef struct pgemm_selector {
    struct {
        struct pgemm_model *model;
        char source[PGEMM_REASON_LEN]; /* "model <file>" or "heuristic (why)" */
        size_t map[PGEMM_MAX_VARIANTS]; /* model variant -> backend variant index */
    } p[2];
    pgemm_decision cache[PGEMM_DECISION_CACHE];
    /* The last shape decided (its variant a backend index) and the text a
     * repeat of it gets, written once: a loop over one shape formats
     * nothing per call. */
    pgemm_decision last;
    char last_why[PGEMM_REASON_LEN];
} pgemm_selector;

/* Where pgemm_selector_init looks for models, in this order; NULL (or
 * empty) entries are skipped. */
typedef struct pgemm_model_dirs {
    const char *user;       /* pgemm_options.model_dir, PGEMM_MODEL_DIR */
    const char *cache;      /* the cache folder: its models/ subfolder */
    const char *shipped;    /* the shipped models (src/paths.h: the source tree's in a
                               build folder, <datadir>/pgemm/models installed) */
} pgemm_model_dirs;

/* Finds models for both precisions (model_find.c) in dirs. Never fails:
 * without a model a precision uses the heuristic, and p[i].source says
 * why. */
void pgemm_selector_init(pgemm_selector *sel, const pgemm_variant_desc *const *variants,
                         size_t count, const pgemm_info *device, const pgemm_model_dirs *dirs);
/* Uses the model file at path for its precision (replacing any other).
 * Returns 0, or -1 with the reason in err (the selector is unchanged). */
int pgemm_selector_use(pgemm_selector *sel, const char *path,
                       const pgemm_variant_desc *const *variants, size_t count,
                       const pgemm_info *device, pgemm_err *err);
void pgemm_selector_free(pgemm_selector *sel);

/* The key a model for this backend, device and precision must carry. */
struct pgemm_model_key;
void pgemm_selector_key(struct pgemm_model_key *key, const pgemm_variant_desc *const *variants,
                        size_t count, const pgemm_info *device, int fp16);

/* The candidates for one precision (pgemm_is_candidate), as backend
 * indices into idx (up to PGEMM_MAX_VARIANTS). Returns how many. */
size_t pgemm_selector_candidates(const pgemm_variant_desc *const *variants, size_t count,
                                 const pgemm_info *device, int fp16, size_t *idx);

/* Picks a variant among variants[0 .. count-1] (count >= 1). sel may be
 * NULL: the heuristic alone, uncached. */
void pgemm_select(pgemm_selector *sel, const pgemm_variant_desc *const *variants, size_t count,
                  const pgemm_shape *shape, const pgemm_info *device, pgemm_selection *out);

/* The candidates for the shape, best predicted first (the model's
 * prediction where the precision has one, else the heuristic's rank), as
 * backend indices into idx, at most cap of them. Returns how many. */
size_t pgemm_select_ranked(const pgemm_selector *sel, const pgemm_variant_desc *const *variants,
                           size_t count, const pgemm_shape *shape, const pgemm_info *device,
                           size_t *idx, size_t cap);

/* The heuristic alone (what pgemm_select falls back to). */
void pgemm_select_heuristic(const pgemm_variant_desc *const *variants, size_t count,
                            const pgemm_shape *shape, const pgemm_info *device,
                            pgemm_selection *out);

/* The heuristic's predicted time of one variant, arbitrary units (lower is
 * better); fp16 = 1 weighs the unit's tier among fp16 variants. */
double pgemm_heuristic_cost(const pgemm_variant_desc *variant, const pgemm_shape *shape,
                            const pgemm_info *device, int fp16);

/* What the heuristic ranks candidates by (higher is better): the product's
 * multiply-adds over the predicted time. */
double pgemm_heuristic_rank(const pgemm_variant_desc *variant, const pgemm_shape *shape,
                            const pgemm_info *device, int fp16);

#endif
