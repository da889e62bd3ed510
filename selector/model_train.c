/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Training of the selector models (model.h); their inference is
 * model_predict.c.
 *
 * A shape's level is the mean log GFLOP/s of the variants measured on it; a
 * sample's relative value is its log GFLOP/s minus its shape's level. The
 * level model (boosted trees over the features of a 1 x 1 x 1 tile) learns
 * the levels, one row per shape; each variant's gbt ensemble or knn points
 * learn the relative values.
 *
 * AUTO trains both families on `folds` - 1 folds of the shapes, scores the
 * held-out fold by regret (the measured GFLOP/s of the variant each picks
 * over the best measured one), and keeps the family with the higher
 * geometric mean.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "model_fit.h"

void pgemm_train_defaults(pgemm_train_options *o)
{
    o->family = PGEMM_MODEL_AUTO;
    o->trees = 80;
    o->depth = 4;
    o->min_leaf = 3;
    o->shrinkage = 0.1;
    o->knn_k = 4;
    o->folds = 5;
}

/* --------------------------------------------------------------- regret */

static int shape_cmp(const pgemm_shape *a, const pgemm_shape *b)
{
    size_t x[6] = {a->m, a->n, a->k, a->batch, (size_t)a->trans_a, (size_t)a->trans_b};
    size_t y[6] = {b->m, b->n, b->k, b->batch, (size_t)b->trans_a, (size_t)b->trans_b};
    for (int i = 0; i < 6; i++)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

/* Samples by shape, then variant, then their order in the input. */
static int cmp_sample(const void *a, const void *b)
{
    const pgemm_sample *x = *(const pgemm_sample *const *)a, *y = *(const pgemm_sample *const *)b;
    int c = shape_cmp(&x->shape, &y->shape);
    if (c) return c;
    if (x->variant != y->variant) return x->variant < y->variant ? -1 : 1;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The ratio of a shape whose samples are p[0 .. n-1] (sorted by variant,
 * then input order): per pass, the pick's GFLOP/s over the best of that
 * pass, then the median over the passes every variant took part in (the
 * first MAX_PASSES of them). 0 when nothing was measured, 1e-3 where the
 * pick failed or is missing. */
enum { MAX_PASSES = 16 };
static double shape_ratio(const pgemm_sample *const *p, size_t n, size_t pick)
{
    size_t first[PGEMM_MODEL_MAX_VARIANTS], count[PGEMM_MODEL_MAX_VARIANTS] = {0};
    size_t passes = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t v = p[i]->variant;
        if (v >= PGEMM_MODEL_MAX_VARIANTS) continue;
        if (!count[v]++) first[v] = i;
    }
    for (size_t v = 0; v < PGEMM_MODEL_MAX_VARIANTS; v++)
        if (count[v] && count[v] < passes) passes = count[v];
    if (passes == SIZE_MAX) return 0;
    double ratio[MAX_PASSES];
    size_t used = 0;
    for (size_t pass = 0; pass < passes && used < MAX_PASSES; pass++) {
        double best = 0, got = 0;
        for (size_t v = 0; v < PGEMM_MODEL_MAX_VARIANTS; v++) {
            if (!count[v]) continue;
            double g = p[first[v] + pass]->gflops;
            if (g > best) best = g;
            if (v == pick) got = g;
        }
        if (best > 0) ratio[used++] = got > 0 ? got / best : 1e-3;
    }
    if (!used) return 0;
    qsort(ratio, used, sizeof *ratio, cmp_double);
    return used % 2 ? ratio[used / 2] : 0.5 * (ratio[used / 2 - 1] + ratio[used / 2]);
}

void pgemm_regret_of(const pgemm_sample *samples, size_t n,
                     size_t (*choose)(const pgemm_shape *s, void *ctx), void *ctx,
                     pgemm_regret_stats *out)
{
    pgemm_regret_shares_of(samples, n, choose, ctx, out, NULL, 0);
}

void pgemm_regret_shares_of(const pgemm_sample *samples, size_t n,
                            size_t (*choose)(const pgemm_shape *s, void *ctx), void *ctx,
                            pgemm_regret_stats *out, double *share, size_t cap)
{
    memset(out, 0, sizeof *out);
    const pgemm_sample **p = malloc((n ? n : 1) * sizeof *p);
    if (!p) return;
    for (size_t i = 0; i < n; i++) p[i] = &samples[i];
    qsort(p, n, sizeof *p, cmp_sample);
    double logsum = 0;
    size_t exact = 0;
    out->worst = 1.0;
    for (size_t i = 0, end; i < n; i = end) {
        for (end = i; end < n && !shape_cmp(&p[end]->shape, &p[i]->shape); end++) continue;
        double ratio = shape_ratio(p + i, end - i, choose(&p[i]->shape, ctx));
        if (ratio <= 0) continue; /* no variant ran */
        if (out->shapes < cap) share[out->shapes] = ratio;
        logsum += log(ratio);
        if (ratio < out->worst) out->worst = ratio;
        if (ratio >= 1.0) exact++;
        out->shapes++;
    }
    free(p);
    if (out->shapes) {
        out->geomean = exp(logsum / (double)out->shapes);
        out->exact = (double)exact / (double)out->shapes;
    } else {
        out->worst = 0;
    }
}

/* ------------------------------------------------------------- training */

void pgemm_model_free(pgemm_model *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->variant_count; i++) {
        free(m->variant[i].gbt.node);
        free(m->variant[i].x);
        free(m->variant[i].y);
    }
    free(m->level.node);
    free(m);
}

typedef struct {
    pgemm_shape shape;
    size_t i;
} shape_ref;

static int cmp_ref(const void *a, const void *b)
{
    const shape_ref *x = a, *y = b;
    int c = shape_cmp(&x->shape, &y->shape);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Whether sample i takes part: kept and measured successfully. */
#define USED(i) (keep[i] && samples[i].gflops > 0)

/* The level of every used sample (level[i]) and the level model's rows: one
 * per shape, in shape order. Returns the number of shapes, or -1 out of
 * memory. */
static long shape_levels(const pgemm_sample *samples, size_t n, const char *keep,
                         unsigned units, double *level, double *lx, double *ly)
{
    shape_ref *order = malloc((n ? n : 1) * sizeof *order);
    size_t used = 0;
    if (!order) return -1;
    for (size_t i = 0; i < n; i++)
        if (USED(i)) {
            order[used].shape = samples[i].shape;
            order[used++].i = i;
        }
    qsort(order, used, sizeof *order, cmp_ref);
    long shapes = 0;
    for (size_t a = 0, b; a < used; a = b) {
        double sum = 0;
        for (b = a; b < used && !shape_cmp(&order[b].shape, &order[a].shape); b++)
            sum += log(samples[order[b].i].gflops);
        double mean = sum / (double)(b - a);
        for (size_t q = a; q < b; q++) level[order[q].i] = mean;
        pgemm_model_level_features(&order[a].shape, units, lx + (size_t)shapes * PGEMM_FEATURES);
        ly[shapes++] = mean;
    }
    free(order);
    return shapes;
}

/* Fits a model of `family` on the samples whose keep[] is set. */
static pgemm_model *fit(const pgemm_model_key *key, const pgemm_variant_desc *const *variants,
                        size_t count, const pgemm_sample *samples, size_t n, const char *keep,
                        pgemm_model_family family, const pgemm_train_options *o, pgemm_err *err)
{
    pgemm_model *m = calloc(1, sizeof *m);
    size_t rows = n ? n : 1;
    double *x = malloc(rows * PGEMM_FEATURES * sizeof *x), *y = malloc(rows * sizeof *y);
    double *level = malloc(rows * sizeof *level), *lx = malloc(rows * PGEMM_FEATURES * sizeof *lx);
    double *ly = malloc(rows * sizeof *ly);
    if (!m || !x || !y || !level || !lx || !ly) goto oom;
    m->key = *key;
    m->family = family;
    m->knn_k = o->knn_k;
    m->variant_count = count;
    for (size_t v = 0; v < count; v++) {
        pgemm_text_copy(m->variant[v].name, sizeof m->variant[v].name, variants[v]->name);
        m->variant[v].tile_m = variants[v]->tile_m;
        m->variant[v].tile_n = variants[v]->tile_n;
        m->variant[v].tile_k = variants[v]->tile_k;
    }
    for (int j = 0; j < PGEMM_FEATURES; j++) {
        m->mean[j] = 0;
        m->scale[j] = 1;
    }

    long shapes = shape_levels(samples, n, keep, key->compute_units, level, lx, ly);
    if (shapes < 0 || pgemm_gbt_fit(&m->level, lx, ly, (size_t)shapes, o) != 0) goto oom;

    if (family == PGEMM_MODEL_KNN) {
        /* Standardisation over every used sample (knn distances). */
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (USED(i))
                pgemm_model_variant_features(&m->variant[samples[i].variant], &samples[i].shape,
                                             key->compute_units, x + k++ * PGEMM_FEATURES);
        pgemm_knn_standardise(m, x, k);
    }
    for (size_t v = 0; v < count; v++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (!USED(i) || samples[i].variant != v) continue;
            pgemm_model_variant_features(&m->variant[v], &samples[i].shape, key->compute_units,
                                         x + k * PGEMM_FEATURES);
            y[k++] = log(samples[i].gflops) - level[i];
        }
        pgemm_variant_model *vm = &m->variant[v];
        int rc = family == PGEMM_MODEL_KNN ? pgemm_knn_fit(m, vm, x, y, k)
                                           : pgemm_gbt_fit(&vm->gbt, x, y, k, o);
        if (rc != 0) goto oom;
        if (k == 0) vm->gbt.base = PGEMM_NEVER_MEASURED;
    }
    goto done;
oom:
    pgemm_model_free(m);
    m = NULL;
    pgemm_err_set(err, "out of memory");
done:
    free(x);
    free(y);
    free(level);
    free(lx);
    free(ly);
    return m;
}

static size_t choose_model(const pgemm_shape *s, void *ctx)
{
    return pgemm_model_best((const pgemm_model *)ctx, s, NULL);
}

/* Deterministic fold of a shape: a hash of its sizes. */
static unsigned fold_of(const pgemm_shape *s, unsigned folds)
{
    unsigned long long h = 1469598103934665603ull;
    size_t v[5] = {s->m, s->n, s->k, (size_t)s->trans_a * 2 + (size_t)s->trans_b, s->batch};
    for (int i = 0; i < 5; i++) {
        h ^= (unsigned long long)v[i];
        h *= 1099511628211ull;
    }
    return (unsigned)(h % folds);
}

/* Cross-validated regret of a family. */
static int cross_validate(const pgemm_model_key *key, const pgemm_variant_desc *const *variants,
                          size_t count, const pgemm_sample *samples, size_t n,
                          pgemm_model_family family, const pgemm_train_options *o,
                          pgemm_regret_stats *out, pgemm_err *err)
{
    char *keep = malloc(n ? n : 1);
    pgemm_sample *held = malloc((n ? n : 1) * sizeof *held);
    if (!keep || !held) {
        free(keep);
        free(held);
        pgemm_err_set(err, "out of memory");
        return -1;
    }
    double logsum = 0, worst = 1, exact = 0;
    size_t shapes = 0;
    for (unsigned f = 0; f < o->folds; f++) {
        size_t nh = 0;
        for (size_t i = 0; i < n; i++) {
            keep[i] = fold_of(&samples[i].shape, o->folds) != f;
            if (!keep[i]) held[nh++] = samples[i];
        }
        if (nh == 0) continue;
        pgemm_model *m = fit(key, variants, count, samples, n, keep, family, o, err);
        if (!m) {
            free(keep);
            free(held);
            return -1;
        }
        pgemm_regret_stats r;
        pgemm_regret_of(held, nh, choose_model, m, &r);
        pgemm_model_free(m);
        logsum += log(r.geomean > 0 ? r.geomean : 1e-3) * (double)r.shapes;
        if (r.shapes && r.worst < worst) worst = r.worst;
        exact += r.exact * (double)r.shapes;
        shapes += r.shapes;
    }
    free(keep);
    free(held);
    out->shapes = shapes;
    out->geomean = shapes ? exp(logsum / (double)shapes) : 0;
    out->worst = shapes ? worst : 0;
    out->exact = shapes ? exact / (double)shapes : 0;
    return 0;
}

pgemm_model *pgemm_model_fit(const pgemm_model_key *key,
                               const pgemm_variant_desc *const *variants, size_t count,
                               const pgemm_sample *samples, size_t n,
                               const pgemm_train_options *opts, pgemm_regret_stats *cv,
                               pgemm_err *err)
{
    pgemm_train_options o;
    if (opts) o = *opts;
    else pgemm_train_defaults(&o);
    if (count == 0 || count > PGEMM_MODEL_MAX_VARIANTS) {
        pgemm_err_set(err, "%zu candidate variants (1 .. %d)", count, PGEMM_MODEL_MAX_VARIANTS);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (samples[i].variant >= count) {
            pgemm_err_set(err, "sample %zu names variant %zu of %zu", i, samples[i].variant,
                          count);
            return NULL;
        }
    if (o.folds < 2) o.folds = 2;
    if (o.trees < 1) o.trees = 1;
    if (o.trees > 10000) o.trees = 10000;
    if (o.depth < 1) o.depth = 1;
    if (o.depth > 8) o.depth = 8;
    if (o.knn_k < 1) o.knn_k = 1;
    if (o.knn_k > 16) o.knn_k = 16;

    pgemm_model_family family = o.family;
    pgemm_regret_stats r_gbt = {0}, r_knn = {0}, *kept = NULL;
    if (family == PGEMM_MODEL_AUTO || cv) {
        if ((family == PGEMM_MODEL_AUTO || family == PGEMM_MODEL_GBT) &&
            cross_validate(key, variants, count, samples, n, PGEMM_MODEL_GBT, &o, &r_gbt, err))
            return NULL;
        if ((family == PGEMM_MODEL_AUTO || family == PGEMM_MODEL_KNN) &&
            cross_validate(key, variants, count, samples, n, PGEMM_MODEL_KNN, &o, &r_knn, err))
            return NULL;
        if (family == PGEMM_MODEL_AUTO)
            family = r_knn.geomean > r_gbt.geomean ? PGEMM_MODEL_KNN : PGEMM_MODEL_GBT;
        kept = family == PGEMM_MODEL_KNN ? &r_knn : &r_gbt;
        if (cv) *cv = *kept;
    }
    char *keep = malloc(n ? n : 1);
    if (!keep) {
        pgemm_err_set(err, "out of memory");
        return NULL;
    }
    memset(keep, 1, n ? n : 1);
    pgemm_model *m = fit(key, variants, count, samples, n, keep, family, &o, err);
    free(keep);
    if (m && kept)
        pgemm_text_format(m->trained, sizeof m->trained,
                          "%zu shapes; %u-fold cross-validation: geomean %.3f, worst %.3f, "
                          "exact %.2f%s",
                          kept->shapes, o.folds, kept->geomean, kept->worst, kept->exact,
                          opts && opts->family != PGEMM_MODEL_AUTO
                              ? ""
                              : (family == PGEMM_MODEL_KNN ? " (knn over gbt)"
                                                           : " (gbt over knn)"));
    return m;
}
