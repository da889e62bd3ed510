/* SPDX-License-Identifier: BSD-3-Clause */
/* The shape sets `pgemm tune` measures (tune.h). */
#include <math.h>

#include "tune.h"

void tune_space_for(const pgemm_info *info, int wide, tune_space *out)
{
    /* A CPU runs GEMM at tens of GFLOP/s: products up to 2^31 flops keep a
     * measurement under a second. A GPU gets sizes up to 8192. */
    if (info->device_is_cpu) {
        out->max_dim = wide ? 2048 : 1536;
        out->max_flops = wide ? 4.0e9 : 2.2e9;
    } else {
        out->max_dim = wide ? 12288 : 8192;
        out->max_flops = wide ? 3.0e12 : 1.2e12;
    }
    out->wide = wide;
}

static uint64_t next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s) { return (double)(next(s) >> 11) * (1.0 / 9007199254740992.0); }

/* A size log-uniform in [lo, hi]; odd (not a multiple of 4) with
 * probability p_odd, else rounded to a multiple of 16 or 64. */
static size_t draw(uint64_t *s, double lo, double hi, double p_odd)
{
    double v = exp(log(lo) + uniform(s) * (log(hi) - log(lo)));
    size_t n = (size_t)v;
    if (n < 1) n = 1;
    if (uniform(s) >= p_odd && n >= 32) {
        size_t q = n >= 512 && uniform(s) < 0.5 ? 64 : 16;
        n = (n + q / 2) / q * q;
    }
    return n;
}

size_t tune_shapes(const tune_space *sp, uint64_t seed, size_t count, tune_shape *out)
{
    size_t n = 0;
    uint64_t s = seed * 0x2545f4914f6cdd1dull + 1;
    double hi = (double)sp->max_dim;
    /* Log-spaced squares (training sets only: the held-out set is all random). */
    if (!sp->wide)
        for (double d = 64; d <= hi && 2 * d * d * d <= sp->max_flops && n < count / 4; d *= 1.5) {
            size_t v = (size_t)d / 16 * 16;
            tune_shape t = {v, v, v, 0, 0};
            out[n++] = t;
        }
    /* The held-out set: sizes up to 1.5x larger (tune_space_for), more odd
     * sizes and more skinny shapes. */
    double p_odd = sp->wide ? 0.45 : 0.33, p_skinny = sp->wide ? 1.0 / 3 : 0.25;
    while (n < count) {
        double r = uniform(&s);
        tune_shape t;
        t.m = draw(&s, 32, hi, p_odd);
        t.n = draw(&s, 32, hi, p_odd);
        t.k = draw(&s, 16, hi, p_odd);
        if (r < p_skinny) {
            /* Skinny: one of m, n, k small, down to 1 (k = 1: an outer product). */
            size_t small = draw(&s, 1, 64, p_odd);
            int which = (int)(next(&s) % 3);
            if (which == 0) t.m = small;
            else if (which == 1) t.n = small;
            else t.k = small;
        }
        double t4 = uniform(&s);
        t.trans_a = t4 < 0.25 || (t4 >= 0.5 && t4 < 0.625);
        t.trans_b = t4 >= 0.25 && t4 < 0.625;
        /* Keep the product affordable: shrink the largest dimension. */
        while (2.0 * (double)t.m * (double)t.n * (double)t.k > sp->max_flops) {
            size_t *big = t.m >= t.n && t.m >= t.k ? &t.m : t.n >= t.k ? &t.n : &t.k;
            *big = *big * 3 / 4;
        }
        if (t.m == 0 || t.n == 0 || t.k == 0) continue;
        out[n++] = t;
    }
    return n;
}
