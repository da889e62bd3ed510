/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inference of the selector models (model.h): a model's prediction for a
 * shape is exp(level + relative), the level (the shape's mean log GFLOP/s
 * over the variants) from one boosted-tree ensemble over the features of a
 * 1 x 1 x 1 tile, the relative part (a variant's log GFLOP/s minus the
 * level) from the variant's ensemble or knn points over its own tile's
 * features (features.c). Training (model_train.c) fits the same functions.
 */
#include <math.h>
#include <string.h>

#include "features.h"
#include "model_fit.h"

static void tile_features(const char *name, unsigned tm, unsigned tn, unsigned tk,
                          const pgemm_shape *s, unsigned units, double *f)
{
    pgemm_variant_desc d;
    memset(&d, 0, sizeof d);
    d.name = name;
    d.family = "";
    d.tile_m = tm;
    d.tile_n = tn;
    d.tile_k = tk;
    pgemm_features(&d, s, units, f);
}

void pgemm_model_variant_features(const pgemm_variant_model *v, const pgemm_shape *s,
                                  unsigned units, double *f)
{
    tile_features(v->name, v->tile_m, v->tile_n, v->tile_k, s, units, f);
}

void pgemm_model_level_features(const pgemm_shape *s, unsigned units, double *f)
{
    tile_features("level", 1, 1, 1, s, units, f);
}

static double relative(const pgemm_model *m, size_t i, const pgemm_shape *s)
{
    const pgemm_variant_model *vm = &m->variant[i];
    double f[PGEMM_FEATURES];
    pgemm_model_variant_features(vm, s, m->key.compute_units, f);
    if (m->family == PGEMM_MODEL_KNN)
        return vm->points ? pgemm_knn_eval(m, vm, f) : PGEMM_NEVER_MEASURED;
    return pgemm_gbt_eval(&vm->gbt, f);
}

static double level(const pgemm_model *m, const pgemm_shape *s)
{
    double f[PGEMM_FEATURES];
    pgemm_model_level_features(s, m->key.compute_units, f);
    return pgemm_gbt_eval(&m->level, f);
}

double pgemm_model_predict(const pgemm_model *m, size_t i, const pgemm_shape *s)
{
    return exp(level(m, s) + relative(m, i, s));
}

size_t pgemm_model_best(const pgemm_model *m, const pgemm_shape *s, double *gflops)
{
    size_t best = 0;
    double bv = -HUGE_VAL;
    for (size_t i = 0; i < m->variant_count; i++) {
        double r = relative(m, i, s);
        if (r > bv) {
            bv = r;
            best = i;
        }
    }
    if (gflops) *gflops = exp(level(m, s) + bv);
    return best;
}
