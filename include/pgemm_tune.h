/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm_tune.h: the selector's tuning interface, for `pgemm tune`,
 * `pgemm explain` and programs that train their own models.
 *
 * A model predicts each candidate variant's GFLOP/s for a shape; it is
 * trained per backend, device and precision from measurements, and used by
 * every context on a matching device (docs/TUNING.md).
 */
#ifndef PGEMM_TUNE_H
#define PGEMM_TUNE_H

#include <stddef.h>

#include "pgemm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One measurement: variant (a backend variant index) on a column-major
 * shape with operands stored without gaps, as `pgemm tune` measures them,
 * in GFLOP/s (<= 0: the variant failed there). */
typedef struct pgemm_measurement {
    size_t m, n, k;
    int trans_a, trans_b;
    size_t variant;
    double gflops;
} pgemm_measurement;

/* Regret of a way of choosing over measured shapes: chosen variant's
 * GFLOP/s over the best measured one's. */
typedef struct pgemm_regret_report {
    size_t shapes;
    double geomean, worst, exact;      /* exact: fraction of shapes where the best was chosen */
} pgemm_regret_report;

typedef struct pgemm_train_report {
    char family[8];                    /* "gbt" or "knn" */
    pgemm_regret_report cv;            /* cross-validated, of the family kept */
    pgemm_regret_report heuristic;     /* the heuristic on the same shapes */
} pgemm_train_report;

/* The variants that compete for calls of `precision` on ctx's device, as
 * backend indices (what the tuner measures). Returns how many (<= cap). */
PGEMM_API size_t pgemm_candidates(const pgemm_context *ctx, pgemm_precision precision,
                                  size_t *index, size_t cap);

/* Where ctx's selector takes its decisions for `precision` from: "model
 * <file>" or "heuristic (why)". */
PGEMM_API pgemm_status pgemm_selector_source(const pgemm_context *ctx, pgemm_precision precision,
                                             char *text, size_t cap);

/* Trains a model from measurements of ctx's candidates for `precision` and
 * writes it to path. family: NULL or "auto" (chosen by cross-validation),
 * "gbt" or "knn". report may be NULL. */
PGEMM_API pgemm_status pgemm_model_train(pgemm_context *ctx, pgemm_precision precision,
                                         const pgemm_measurement *rows, size_t count,
                                         const char *family, const char *path,
                                         pgemm_train_report *report);

/* Makes ctx use the model at path for its precision; a damaged file or one
 * trained for another device or kernel set is refused (the selector stays
 * as it was). */
PGEMM_API pgemm_status pgemm_model_use(pgemm_context *ctx, const char *path);

/* Predicted GFLOP/s of every backend variant for a column-major shape under
 * `precision`, with operands stored without gaps (leading dimensions equal
 * to the rows; NaN for variants that do not compete), from the model in
 * use; without one, from the heuristic's score (not GFLOP/s: *source says
 * "heuristic ..."). *chosen receives what the selector would run. */
PGEMM_API pgemm_status pgemm_predict(pgemm_context *ctx, pgemm_precision precision, size_t m,
                                     size_t n, size_t k, int trans_a, int trans_b,
                                     double *gflops, size_t cap, size_t *chosen, char *source,
                                     size_t source_cap);

/* Regret of the model at `model_path` (NULL: the one in use; "heuristic":
 * the heuristic) over measurements of `precision`. The rows may hold several
 * passes over a shape set: a variant's k-th row on a shape belongs to pass
 * k, each pass is scored on its own, and a shape counts with the median over
 * its passes. */
PGEMM_API pgemm_status pgemm_regret(pgemm_context *ctx, pgemm_precision precision,
                                    const pgemm_measurement *rows, size_t count,
                                    const char *model_path, pgemm_regret_report *out);

/* pgemm_regret, and each shape's share of the best (the chosen variant's
 * GFLOP/s over the best one's, in (0, 1]) in share[0 .. min(out->shapes,
 * cap) - 1], the shapes in the order of their sizes and transposes. */
PGEMM_API pgemm_status pgemm_regret_shares(pgemm_context *ctx, pgemm_precision precision,
                                           const pgemm_measurement *rows, size_t count,
                                           const char *model_path, pgemm_regret_report *out,
                                           double *share, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
