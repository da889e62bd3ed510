/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gbt: least-squares gradient boosting with regression trees of fixed depth
 * (model_fit.h). Every split of every feature is tried and ties are broken
 * by feature index and sample order, so training is deterministic. A tree
 * lives in the slots of a complete binary tree of depth `depth`
 * (2^(depth+1) - 1 nodes; node i's children at 2i + 1 and 2i + 2), and a
 * node that no split improves is a leaf.
 */
#include <stdlib.h>
#include <string.h>

#include "model_fit.h"

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

/* Grows node `at` of a complete tree over samples idx[0 .. n-1]; buf and
 * tmp are scratch space for n entries. */
static void grow(pgemm_tree_node *tree, size_t at, unsigned depth_left, const double *x,
                 const double *r, size_t *idx, size_t n, unsigned min_leaf, double shrink,
                 vr *buf, size_t *tmp)
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
    size_t nl = 0, nt = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[idx[i] * PGEMM_FEATURES + best_f] <= best_t) idx[nl++] = idx[i];
        else tmp[nt++] = idx[i];
    }
    memcpy(idx + nl, tmp, nt * sizeof *tmp);
    grow(tree, l, depth_left - 1, x, r, idx, nl, min_leaf, shrink, buf, tmp);
    grow(tree, rr, depth_left - 1, x, r, idx + nl, n - nl, min_leaf, shrink, buf, tmp);
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

double pgemm_gbt_eval(const pgemm_ensemble *e, const double *f)
{
    double y = e->base;
    for (size_t t = 0; t < e->trees; t++) y += tree_eval(e->node + t * e->nodes, f);
    return y;
}

int pgemm_gbt_fit(pgemm_ensemble *e, const double *x, const double *y, size_t n,
                  const pgemm_train_options *o)
{
    size_t per_tree = ((size_t)2 << o->depth) - 1;
    e->trees = o->trees;
    e->nodes = per_tree;
    e->node = calloc(o->trees * per_tree, sizeof *e->node);
    double *r = malloc((n ? n : 1) * sizeof *r);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    vr *buf = malloc((n ? n : 1) * sizeof *buf);
    int rc = e->node && r && idx && tmp && buf ? 0 : -1;
    if (!rc) {
        double base = 0;
        for (size_t i = 0; i < n; i++) base += y[i];
        e->base = n ? base / (double)n : 0.0;
        for (size_t i = 0; i < n; i++) r[i] = y[i] - e->base;
    }
    for (unsigned t = 0; t < o->trees && !rc; t++) {
        pgemm_tree_node *tree = e->node + (size_t)t * per_tree;
        for (size_t i = 0; i < n; i++) idx[i] = i;
        grow(tree, 0, o->depth, x, r, idx, n, o->min_leaf, o->shrinkage, buf, tmp);
        for (size_t i = 0; i < n; i++) r[i] -= tree_eval(tree, x + i * PGEMM_FEATURES);
    }
    free(r);
    free(idx);
    free(tmp);
    free(buf);
    return rc;
}
