/* SPDX-License-Identifier: BSD-3-Clause */
#include "features.h"

#include <math.h>
#include <string.h>

static double ceil_div(double a, double b) { return ceil(a / b); }

void pgemm_features(const pgemm_variant_desc *v, const pgemm_shape *s, unsigned compute_units,
                    double *f)
{
    double m = (double)s->m, n = (double)s->n, k = (double)s->k;
    double batch = s->batch ? (double)s->batch : 1.0;
    double units = compute_units ? compute_units : 1;
    double tm = v->tile_m, tn = v->tile_n, tk = v->tile_k ? v->tile_k : 1;
    double gm = ceil_div(m, tm), gn = ceil_div(n, tn);
    double groups = gm * gn * batch;
    double waves = ceil_div(groups, units);
    f[0] = log2(m > 1 ? m : 1);
    f[1] = log2(n > 1 ? n : 1);
    f[2] = log2(k > 1 ? k : 1);
    f[3] = log2(batch);
    f[4] = m * n / (gm * tm * gn * tn);
    f[5] = log2(groups / units);
    f[6] = groups / (waves * units);
    f[7] = k > 0 ? k / (ceil_div(k, tk) * tk) : 1.0;
    f[8] = s->trans_a ? 1.0 : 0.0;
    f[9] = s->trans_b ? 1.0 : 0.0;
    f[10] = ((s->m % 4 == 0) + (s->n % 4 == 0) + (s->k % 4 == 0)) / 3.0;
    f[11] = f[0] + f[1] + f[2];
    /* Flops per element moved (A, B and C once each): below a few dozen a
     * product is bound by memory, whatever the tile. */
    f[12] = log2(2.0 * m * n * k / (m * k + k * n + m * n) + 1.0);
    f[13] = f[0] + f[1];
    unsigned vec = s->vectors;
    f[14] = (vec & 7u) == 7u ? 1.0 : 0.0;
    f[15] = vec & PGEMM_VECTORS_A ? 1.0 : 0.0;
    f[16] = vec & PGEMM_VECTORS_B ? 1.0 : 0.0;
    f[17] = vec & PGEMM_VECTORS_C ? 1.0 : 0.0;
    for (int resident = 2; resident <= 4; resident++) {
        double slots = units * resident;
        f[16 + resident] = groups / (ceil_div(groups, slots) * slots);
    }
    /* The share of the device's work-group slots that computes C: a tile
     * grid that fits m x n loosely and a last wave that runs half empty
     * cost together, which depth-4 trees on the two factors apart miss. */
    f[21] = f[4] * f[6];
    for (int resident = 2; resident <= 4; resident++)
        f[20 + resident] = f[4] * f[16 + resident];
}

unsigned pgemm_shape_packed_vectors(const pgemm_shape *s)
{
    size_t lda = s->trans_a ? s->k : s->m, ldb = s->trans_b ? s->n : s->k;
    return (lda % 4 == 0 ? PGEMM_VECTORS_A : 0u) | (ldb % 4 == 0 ? PGEMM_VECTORS_B : 0u) |
           (s->m % 4 == 0 ? PGEMM_VECTORS_C : 0u);
}

int pgemm_shape_below(const pgemm_shape *s, double flops, size_t k_min)
{
    return s->k < k_min || 2.0 * (double)s->m * (double)s->n * (double)s->k < flops;
}

int pgemm_shape_is_small(const pgemm_shape *s) { return pgemm_shape_below(s, 262144.0, 8); }

int pgemm_shape_wants_fp16(const pgemm_shape *s, const pgemm_info *dev)
{
    return dev->has_fp16_tiles &&
           (s->fp16_operands || (s->fp16_allowed && !pgemm_shape_is_small(s)));
}

/* fp16 calls: every fp16 variant. fp32 calls: where a driver runs a
 * work-group's items as a loop on one CPU core, the variants written for
 * such drivers (PGEMM_TRAIT_LOOP_DRIVERS: the vec family), whose vectors
 * only they keep; elsewhere every other one, and a CPU that maps work-items
 * onto SIMD lanes (llvmpipe) holds few accumulators per lane. Measured: the
 * vec family on PoCL (AVX-512, 2 cores, n = 1024) at 60-75 GFLOP/s against
 * 10-16 for the best local-memory tile, and on llvmpipe at 0.07 GFLOP/s
 * (its vectors scalarised); reg128 (8 x 8 per work-item) on llvmpipe at 0.7
 * GFLOP/s at n = 512 against 5.4 for reg64x128 (4 x 8). */
int pgemm_is_candidate(const pgemm_variant_desc *v, int fp16, const pgemm_info *dev)
{
    if (fp16 || v->fp16) return fp16 && v->fp16;
    int for_loops = (v->traits & PGEMM_TRAIT_LOOP_DRIVERS) != 0;
    if (dev->work_items_as_loops) return for_loops;
    if (dev->device_is_cpu && v->thread_m * v->thread_n > 32) return 0;
    return !for_loops;
}
