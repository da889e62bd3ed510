/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * knn: inverse-distance-weighted nearest neighbours in standardised feature
 * space (model_fit.h). Ties in distance keep the earlier point, so a
 * prediction does not depend on anything but the points' order.
 */
#include <math.h>
#include <stdlib.h>

#include "model_fit.h"

void pgemm_knn_standardise(pgemm_model *m, const double *x, size_t n)
{
    for (int j = 0; j < PGEMM_FEATURES; j++) {
        double s1 = 0, s2 = 0;
        for (size_t i = 0; i < n; i++) {
            s1 += x[i * PGEMM_FEATURES + j];
            s2 += x[i * PGEMM_FEATURES + j] * x[i * PGEMM_FEATURES + j];
        }
        double mean = n ? s1 / (double)n : 0.0;
        double var = n ? s2 / (double)n - mean * mean : 0.0;
        m->mean[j] = mean;
        m->scale[j] = var > 1e-12 ? sqrt(var) : 1.0;
    }
}

int pgemm_knn_fit(const pgemm_model *m, pgemm_variant_model *vm, const double *x,
                  const double *y, size_t n)
{
    vm->points = n;
    vm->x = malloc((n ? n : 1) * PGEMM_FEATURES * sizeof *vm->x);
    vm->y = malloc((n ? n : 1) * sizeof *vm->y);
    if (!vm->x || !vm->y) return -1;
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < PGEMM_FEATURES; j++)
            vm->x[i * PGEMM_FEATURES + j] = (x[i * PGEMM_FEATURES + j] - m->mean[j]) / m->scale[j];
        vm->y[i] = y[i];
    }
    return 0;
}

double pgemm_knn_eval(const pgemm_model *m, const pgemm_variant_model *vm, const double *f)
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
