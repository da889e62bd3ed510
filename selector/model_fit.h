/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two model families' fitting and evaluation (model_gbt.c,
 * model_knn.c) and the models' feature rows (model_predict.c), shared by
 * training (model_train.c) and prediction (model_predict.c).
 */
#ifndef PGEMM_SELECTOR_MODEL_FIT_H
#define PGEMM_SELECTOR_MODEL_FIT_H

#include "model.h"

/* gbt: least-squares gradient boosting of y over the rows of x (n rows of
 * PGEMM_FEATURES) into e's trees and base. Returns 0, or -1 out of memory. */
int pgemm_gbt_fit(pgemm_ensemble *e, const double *x, const double *y, size_t n,
                  const pgemm_train_options *o);
double pgemm_gbt_eval(const pgemm_ensemble *e, const double *f);

/* knn: the standardisation of the features over n rows of x, into m's mean
 * and scale. */
void pgemm_knn_standardise(pgemm_model *m, const double *x, size_t n);
/* Keeps n rows of x (standardised with m's mean and scale) and y as vm's
 * points. Returns 0, or -1 out of memory. */
int pgemm_knn_fit(const pgemm_model *m, pgemm_variant_model *vm, const double *x,
                  const double *y, size_t n);
/* The inverse-distance-weighted mean of the m->knn_k nearest points' y. */
double pgemm_knn_eval(const pgemm_model *m, const pgemm_variant_model *vm, const double *f);

/* The relative part of a variant never measured successfully. */
#define PGEMM_NEVER_MEASURED (-30.0)

/* The feature row of variant v's relative model, and of the level model,
 * at shape s on a device of `units` compute units. */
void pgemm_model_variant_features(const pgemm_variant_model *v, const pgemm_shape *s,
                                  unsigned units, double *f);
void pgemm_model_level_features(const pgemm_shape *s, unsigned units, double *f);

#endif
