/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Trained selector models: one per (backend, device, precision), predicting
 * each candidate variant's GFLOP/s from the features of features.h. The
 * selector runs the variant with the highest prediction.
 *
 * A prediction is the sum of two parts, both in log GFLOP/s:
 *   level(shape)            how fast the shape runs on this device, the mean
 *                           over the variants (always boosted trees);
 *   relative(variant, shape) the variant's offset from that mean.
 * Only the relative part decides which variant runs. Learning it apart from
 * the level keeps the model's capacity on what separates the variants (a
 * few percent to a factor of two) rather than on what separates shapes (four
 * orders of magnitude).
 *
 * The relative part comes in two families, chosen per device by measurement
 * when the model is trained (model_train.c): gradient-boosted regression
 * trees, one ensemble per variant ("gbt", model_gbt.c), and inverse-
 * distance-weighted nearest neighbours in standardised feature space
 * ("knn", model_knn.c). Training is deterministic: the same samples give the
 * same model, byte for byte.
 *
 * File format (text, model_io.c): a header naming what the model was
 * trained for, the trees or the neighbours, and an FNV-1a checksum of every
 * line before it. docs/TUNING.md describes it.
 */
#ifndef PGEMM_SELECTOR_MODEL_H
#define PGEMM_SELECTOR_MODEL_H

#include <stddef.h>

#include "features.h"

/* Files of version 2 (no arch line) are read too: they serve their own
 * device only. */
enum {
    PGEMM_MODEL_VERSION = 3,
    PGEMM_MODEL_OLDEST_VERSION = 2,
    PGEMM_MODEL_MAX_VARIANTS = PGEMM_MAX_VARIANTS
};

typedef enum pgemm_model_family {
    PGEMM_MODEL_GBT = 0,
    PGEMM_MODEL_KNN = 1,
    PGEMM_MODEL_AUTO = 2 /* training only: the family with the better cross-validated regret */
} pgemm_model_family;

/* What a model was trained for. A model is used only where backend, device,
 * precision and kernel set match (pgemm_model_mismatch). */
typedef struct pgemm_model_key {
    char backend[32];
    char device[PGEMM_NAME_LEN];
    char driver[PGEMM_NAME_LEN];
    char precision[16];                /* "fp32" or "fp16" */
    char arch[64];                     /* pgemm_info.arch; "" unknown (written "-") */
    unsigned compute_units;
    char kernel_set[17];               /* hex hash of the candidate variants' descriptions */
} pgemm_model_key;

/* One measurement: a shape and a variant's GFLOP/s on it (<= 0: failed). */
typedef struct pgemm_sample {
    pgemm_shape shape;
    size_t variant;                    /* index into the model's variant list */
    double gflops;
} pgemm_sample;

typedef struct pgemm_tree_node {
    int feature;                       /* -1: leaf */
    double threshold;                  /* go left when feature <= threshold */
    int left, right;
    double value;                      /* leaf: the tree's contribution */
} pgemm_tree_node;

/* A boosted-tree ensemble: base plus the sum of its trees' leaves. */
typedef struct pgemm_ensemble {
    double base;
    size_t trees, nodes;               /* trees x nodes_per_tree nodes */
    pgemm_tree_node *node;
} pgemm_ensemble;

typedef struct pgemm_variant_model {
    char name[PGEMM_NAME_LEN];
    unsigned tile_m, tile_n, tile_k;   /* what the features need of the variant */
    pgemm_ensemble gbt;                /* gbt: the relative part */
    /* knn: the training points of this variant */
    size_t points;
    double *x;                         /* points x PGEMM_FEATURES, standardised */
    double *y;                         /* relative log GFLOP/s */
} pgemm_variant_model;

typedef struct pgemm_model {
    pgemm_model_key key;
    pgemm_model_family family;
    unsigned knn_k;
    double mean[PGEMM_FEATURES], scale[PGEMM_FEATURES]; /* knn standardisation */
    pgemm_ensemble level;              /* the level part, over the features of a
                                          1 x 1 x 1 tile */
    size_t variant_count;
    pgemm_variant_model variant[PGEMM_MODEL_MAX_VARIANTS];
    char trained[160];                 /* free text: date, shapes, cross-validation */
} pgemm_model;

/* Training settings (pgemm_train_defaults). */
typedef struct pgemm_train_options {
    pgemm_model_family family;
    unsigned trees, depth, min_leaf;
    double shrinkage;
    unsigned knn_k;
    unsigned folds;                    /* cross-validation folds for AUTO and the report */
} pgemm_train_options;

void pgemm_train_defaults(pgemm_train_options *o);

/* Cross-validated quality of a family on the training shapes: each shape's
 * regret (best measured GFLOP/s over the chosen variant's) when its fold was
 * held out. */
typedef struct pgemm_regret_stats {
    size_t shapes;
    double geomean;                    /* geometric mean of chosen / best (<= 1) */
    double worst;
    double exact;                      /* fraction of shapes where the best was chosen */
} pgemm_regret_stats;

/* Trains a model on samples (variants[0 .. count-1] are the candidates the
 * samples index). On failure returns NULL with the reason in err. cv (may
 * be NULL) receives the cross-validated regret of the family kept. */
pgemm_model *pgemm_model_fit(const pgemm_model_key *key,
                               const pgemm_variant_desc *const *variants, size_t count,
                               const pgemm_sample *samples, size_t n,
                               const pgemm_train_options *opts, pgemm_regret_stats *cv,
                               pgemm_err *err);

/* Predicted GFLOP/s of model variant i on shape s: exp(level + relative). */
double pgemm_model_predict(const pgemm_model *m, size_t i, const pgemm_shape *s);

/* The model variant with the highest relative part, and (gflops, may be
 * NULL) its predicted GFLOP/s. */
size_t pgemm_model_best(const pgemm_model *m, const pgemm_shape *s, double *gflops);

/* Regret of a chooser over measured samples: per shape, the GFLOP/s of the
 * variant choose() returns over the best variant's. Samples may come in any
 * order and in several passes over a set: a variant's k-th sample on a
 * shape belongs to pass k, each pass is scored on its own, and the shape
 * counts with the median over its passes. Out of memory: out->shapes is 0. */
void pgemm_regret_of(const pgemm_sample *samples, size_t n,
                     size_t (*choose)(const pgemm_shape *s, void *ctx), void *ctx,
                     pgemm_regret_stats *out);
/* pgemm_regret_of, and each scored shape's ratio in share[0 .. min(shapes,
 * cap) - 1], in shape order. */
void pgemm_regret_shares_of(const pgemm_sample *samples, size_t n,
                            size_t (*choose)(const pgemm_shape *s, void *ctx), void *ctx,
                            pgemm_regret_stats *out, double *share, size_t cap);

/* Hex hash of the candidate variants' descriptions (names, tiles, units):
 * a kernel set that changes gets a new hash. */
void pgemm_kernel_set_hash(const pgemm_variant_desc *const *variants, size_t count,
                           char out[17]);

int pgemm_model_save(const pgemm_model *m, const char *path, pgemm_err *err);
/* Reads and checks a model file (format, version, checksum, consistency). */
pgemm_model *pgemm_model_load(const char *path, pgemm_err *err);
void pgemm_model_free(pgemm_model *m);

/* NULL when m fits `key` (same backend, device, precision and kernel set);
 * else why not. A different driver is not a mismatch (*driver_differs says
 * so). */
const char *pgemm_model_mismatch(const pgemm_model *m, const pgemm_model_key *key,
                                 int *driver_differs, char *why, size_t cap);

#endif
