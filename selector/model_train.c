/*
 * Training and prediction of the selector models (model.h).
 *
 * gbt: per variant, least-squares gradient boosting of log GFLOP/s with
 * regression trees of fixed depth (every split tried on every feature, ties
 * broken by feature index, so training is deterministic); a tree lives in
 * the slots of a complete binary tree of depth `depth` (2^(depth+1) - 1
 * nodes; node i's children at 2i + 1 and 2i + 2), and a node that no split
 * improves is a leaf.
 * knn: per variant, the training points; a prediction is the
 * inverse-distance-weighted mean of the k nearest points' log GFLOP/s.
 *
 * AUTO trains both on `folds` - 1 folds of the shapes, scores the held-out
 * fold by regret (the measured GFLOP/s of the variant each picks over the
 * best measured one), and keeps the family with the higher geometric mean.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "model.h"

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

static void variant_features(const pgemm_variant_model *v, const pgemm_shape *s, unsigned units,
                             double *f)
{
    pgemm_variant_desc d;
    memset(&d, 0, sizeof d);
    d.name = v->name;
    d.family = "";
    d.tile_m = v->tile_m;
    d.tile_n = v->tile_n;
    d.tile_k = v->tile_k;
    pgemm_features(&d, s, units, f);
}

/* ------------------------------------------------------------------ gbt */

typedef struct {
    double v, r;
    size_t i;
} vr;

static int cmp_vr(const void *a, const void *b)
{
    const vr *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Grows node `at` of a complete tree over samples idx[0 .. n-1]. */
static void grow(pgemm_tree_node *tree, size_t at, unsigned depth_left, const double *x,
                 const double *r, size_t *idx, size_t n, unsigned min_leaf, double shrink,
                 vr *buf)
{
    pgemm_tree_node *node = &tree[at];
    double total = 0;
    for (size_t i = 0; i < n; i++) total += r[idx[i]];
    node->feature = -1;
    node->value = shrink * (n ? total / (double)n : 0.0);
    node->left = node->right = -1;
    if (depth_left == 0) return;
    size_t l = 2 * at + 1, rr = 2 * at + 2;
    int best_f = -1;
    double best_gain = 1e-12, best_t = 0;
    if (n >= 2 * (size_t)min_leaf) {
        for (int f = 0; f < PGEMM_FEATURES; f++) {
            for (size_t i = 0; i < n; i++) {
                buf[i].v = x[idx[i] * PGEMM_FEATURES + f];
                buf[i].r = r[idx[i]];
                buf[i].i = idx[i];
            }
            qsort(buf, n, sizeof *buf, cmp_vr);
            double left = 0;
            for (size_t i = 0; i + 1 < n; i++) {
                left += buf[i].r;
                size_t nl = i + 1, nr = n - nl;
                if (nl < min_leaf || nr < min_leaf || buf[i].v == buf[i + 1].v) continue;
                double right = total - left;
                /* Reduction of the squared error: sum^2/n per side minus the parent's. */
                double gain = left * left / (double)nl + right * right / (double)nr -
                              total * total / (double)n;
                if (gain > best_gain) {
                    best_gain = gain;
                    best_f = f;
                    best_t = 0.5 * (buf[i].v + buf[i + 1].v);
                }
            }
        }
    }
    if (best_f < 0) return; /* a leaf; its subtree's slots stay unused */
    node->left = (int)l;
    node->right = (int)rr;
    node->feature = best_f;
    node->threshold = best_t;
    /* Partition idx in place, stable. */
    size_t nl = 0;
    size_t *tmp = malloc(n * sizeof *tmp);
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[idx[i] * PGEMM_FEATURES + best_f] <= best_t) idx[nl++] = idx[i];
        else tmp[nt++] = idx[i];
    }
    memcpy(idx + nl, tmp, nt * sizeof *tmp);
    free(tmp);
    grow(tree, l, depth_left - 1, x, r, idx, nl, min_leaf, shrink, buf);
    grow(tree, rr, depth_left - 1, x, r, idx + nl, n - nl, min_leaf, shrink, buf);
}

static double tree_eval(const pgemm_tree_node *tree, const double *f)
{
    size_t at = 0;
    for (;;) {
        const pgemm_tree_node *node = &tree[at];
        if (node->feature < 0 || node->left < 0) return node->value;
        at = (size_t)(f[node->feature] <= node->threshold ? node->left : node->right);
    }
}

static int fit_gbt(pgemm_variant_model *vm, const double *x, const double *y, size_t n,
                   const pgemm_train_options *o)
{
    size_t per_tree = ((size_t)2 << o->depth) - 1;
    vm->trees = o->trees;
    vm->nodes = per_tree;
    vm->node = calloc(o->trees * per_tree, sizeof *vm->node);
    double *r = malloc((n ? n : 1) * sizeof *r);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    vr *buf = malloc((n ? n : 1) * sizeof *buf);
    if (!vm->node || !r || !idx || !buf) {
        free(r); free(idx); free(buf);
        return -1;
    }
    double base = 0;
    for (size_t i = 0; i < n; i++) base += y[i];
    vm->base = n ? base / (double)n : 0.0;
    for (size_t i = 0; i < n; i++) r[i] = y[i] - vm->base;
    for (unsigned t = 0; t < o->trees; t++) {
        pgemm_tree_node *tree = vm->node + (size_t)t * per_tree;
        for (size_t i = 0; i < n; i++) idx[i] = i;
        grow(tree, 0, o->depth, x, r, idx, n, o->min_leaf, o->shrinkage, buf);
        for (size_t i = 0; i < n; i++) r[i] -= tree_eval(tree, x + i * PGEMM_FEATURES);
    }
    free(r);
    free(idx);
    free(buf);
    return 0;
}

/* ------------------------------------------------------------------ knn */

static double knn_eval(const pgemm_model *m, const pgemm_variant_model *vm, const double *f)
{
    double z[PGEMM_FEATURES];
    for (int j = 0; j < PGEMM_FEATURES; j++) z[j] = (f[j] - m->mean[j]) / m->scale[j];
    enum { KMAX = 16 };
    unsigned k = m->knn_k < KMAX ? m->knn_k : KMAX;
    double bd[KMAX];
    size_t bi[KMAX];
    unsigned have = 0;
    for (size_t p = 0; p < vm->points; p++) {
        double d = 0;
        for (int j = 0; j < PGEMM_FEATURES; j++) {
            double t = z[j] - vm->x[p * PGEMM_FEATURES + j];
            d += t * t;
        }
        /* Insert into the sorted k best (ties keep the earlier point). */
        unsigned at = have < k ? have : k;
        while (at > 0 && bd[at - 1] > d) at--;
        if (at >= k) continue;
        unsigned last = have < k ? have : k - 1;
        for (unsigned q = last; q > at; q--) {
            bd[q] = bd[q - 1];
            bi[q] = bi[q - 1];
        }
        bd[at] = d;
        bi[at] = p;
        if (have < k) have++;
    }
    if (have == 0) return 0.0;
    double wsum = 0, ysum = 0;
    for (unsigned q = 0; q < have; q++) {
        double w = 1.0 / (sqrt(bd[q]) + 1e-3);
        wsum += w;
        ysum += w * vm->y[bi[q]];
    }
    return ysum / wsum;
}

/* ------------------------------------------------------------ prediction */

double pgemm_model_predict(const pgemm_model *m, size_t i, const pgemm_shape *s)
{
    const pgemm_variant_model *vm = &m->variant[i];
    double f[PGEMM_FEATURES];
    variant_features(vm, s, m->key.compute_units, f);
    double y;
    if (m->family == PGEMM_MODEL_KNN) {
        y = knn_eval(m, vm, f);
    } else {
        y = vm->base;
        for (size_t t = 0; t < vm->trees; t++) y += tree_eval(vm->node + t * vm->nodes, f);
    }
    return exp(y);
}

size_t pgemm_model_best(const pgemm_model *m, const pgemm_shape *s, double *gflops)
{
    size_t best = 0;
    double bv = -1;
    for (size_t i = 0; i < m->variant_count; i++) {
        double g = pgemm_model_predict(m, i, s);
        if (g > bv) {
            bv = g;
            best = i;
        }
    }
    if (gflops) *gflops = bv;
    return best;
}

/* --------------------------------------------------------------- regret */

static int same_shape(const pgemm_shape *a, const pgemm_shape *b)
{
    return a->m == b->m && a->n == b->n && a->k == b->k && a->batch == b->batch &&
           a->trans_a == b->trans_a && a->trans_b == b->trans_b;
}

void pgemm_regret_of(const pgemm_sample *samples, size_t n,
                     size_t (*choose)(const pgemm_shape *s, void *ctx), void *ctx,
                     pgemm_regret_stats *out)
{
    memset(out, 0, sizeof *out);
    double logsum = 0;
    size_t exact = 0;
    out->worst = 1.0;
    for (size_t i = 0; i < n; i++) {
        /* The first sample of each shape stands for it (samples of one shape
         * are contiguous, as the tuner writes them). */
        if (i > 0 && same_shape(&samples[i].shape, &samples[i - 1].shape)) continue;
        size_t end = i;
        double best = 0;
        while (end < n && same_shape(&samples[end].shape, &samples[i].shape)) {
            if (samples[end].gflops > best) best = samples[end].gflops;
            end++;
        }
        if (best <= 0) continue;
        size_t pick = choose(&samples[i].shape, ctx);
        double got = 0;
        for (size_t j = i; j < end; j++)
            if (samples[j].variant == pick && samples[j].gflops > 0) got = samples[j].gflops;
        double ratio = got / best;
        if (ratio <= 0) ratio = 1e-3; /* the pick failed or was not measured */
        logsum += log(ratio);
        if (ratio < out->worst) out->worst = ratio;
        if (ratio >= 1.0) exact++;
        out->shapes++;
    }
    if (out->shapes) {
        out->geomean = exp(logsum / (double)out->shapes);
        out->exact = (double)exact / (double)out->shapes;
    } else {
        out->worst = 0;
    }
}

/* ------------------------------------------------------------- training */

static void free_variant(pgemm_variant_model *v)
{
    free(v->node);
    free(v->x);
    free(v->y);
    v->node = NULL;
    v->x = v->y = NULL;
}

void pgemm_model_free(pgemm_model *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->variant_count; i++) free_variant(&m->variant[i]);
    free(m);
}

/* Fits a model of `family` on the samples whose keep[] is set. */
static pgemm_model *fit(const pgemm_model_key *key, const pgemm_variant_desc *const *variants,
                        size_t count, const pgemm_sample *samples, size_t n, const char *keep,
                        pgemm_model_family family, const pgemm_train_options *o, pgemm_err *err)
{
    pgemm_model *m = calloc(1, sizeof *m);
    if (!m) {
        pgemm_err_set(err, "out of memory");
        return NULL;
    }
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
    double *x = malloc((n ? n : 1) * PGEMM_FEATURES * sizeof *x);
    double *y = malloc((n ? n : 1) * sizeof *y);
    if (!x || !y) goto oom;

    /* Standardisation over every kept sample (knn distances). */
    for (int j = 0; j < PGEMM_FEATURES; j++) {
        m->mean[j] = 0;
        m->scale[j] = 1;
    }
    if (family == PGEMM_MODEL_KNN) {
        double s1[PGEMM_FEATURES] = {0}, s2[PGEMM_FEATURES] = {0};
        size_t cnt = 0;
        for (size_t i = 0; i < n; i++) {
            if (!keep[i] || samples[i].gflops <= 0) continue;
            double f[PGEMM_FEATURES];
            variant_features(&m->variant[samples[i].variant], &samples[i].shape,
                             key->compute_units, f);
            for (int j = 0; j < PGEMM_FEATURES; j++) {
                s1[j] += f[j];
                s2[j] += f[j] * f[j];
            }
            cnt++;
        }
        for (int j = 0; j < PGEMM_FEATURES && cnt; j++) {
            m->mean[j] = s1[j] / (double)cnt;
            double var = s2[j] / (double)cnt - m->mean[j] * m->mean[j];
            m->scale[j] = var > 1e-12 ? sqrt(var) : 1.0;
        }
    }

    for (size_t v = 0; v < count; v++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (!keep[i] || samples[i].variant != v || samples[i].gflops <= 0) continue;
            variant_features(&m->variant[v], &samples[i].shape, key->compute_units,
                             x + k * PGEMM_FEATURES);
            y[k++] = log(samples[i].gflops);
        }
        pgemm_variant_model *vm = &m->variant[v];
        if (family == PGEMM_MODEL_KNN) {
            vm->points = k;
            vm->x = malloc((k ? k : 1) * PGEMM_FEATURES * sizeof *vm->x);
            vm->y = malloc((k ? k : 1) * sizeof *vm->y);
            if (!vm->x || !vm->y) goto oom;
            for (size_t i = 0; i < k; i++) {
                for (int j = 0; j < PGEMM_FEATURES; j++)
                    vm->x[i * PGEMM_FEATURES + j] =
                        (x[i * PGEMM_FEATURES + j] - m->mean[j]) / m->scale[j];
                vm->y[i] = y[i];
            }
        } else if (fit_gbt(vm, x, y, k, o) != 0) {
            goto oom;
        }
        if (k == 0) {
            /* Never measured successfully: predicted far below every other. */
            vm->base = log(1e-6);
        }
    }
    free(x);
    free(y);
    return m;
oom:
    free(x);
    free(y);
    pgemm_model_free(m);
    pgemm_err_set(err, "out of memory");
    return NULL;
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
