/* SPDX-License-Identifier: BSD-3-Clause */
#define _POSIX_C_SOURCE 200809L
#include "pgemm_ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EPS32 (1.0 / 16777216.0)

/* Strides of op(X)(r, s) in the stored array, for X of `layout` with `trans`. */
static void op_strides(pgemm_layout layout, pgemm_transpose trans, size_t ld, size_t *sr,
                       size_t *ss)
{
    int col = layout == PGEMM_COL_MAJOR;
    int t = trans == PGEMM_TRANS;
    /* Stored element (x, y) is at x + y*ld (col) or x*ld + y (row); op swaps x, y. */
    size_t sx = col ? 1 : ld, sy = col ? ld : 1;
    *sr = t ? sy : sx;
    *ss = t ? sx : sy;
}

int pgemm_ref_gemm(pgemm_layout layout, pgemm_transpose ta, pgemm_transpose tb, size_t m,
                   size_t n, size_t k, float alpha, const float *a, size_t lda, const float *b,
                   size_t ldb, float beta, const float *c0, size_t ldc, double *ref, double *mag)
{
    size_t ai, ap, bp, bj;
    op_strides(layout, ta, lda, &ai, &ap);
    op_strides(layout, tb, ldb, &bp, &bj);
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < m; i++) {
            double c = beta == 0.0f ? 0.0 : (double)beta * c0[pgemm_ref_index(layout, i, j, ldc)];
            ref[i + j * m] = c;
            mag[i + j * m] = fabs(c);
        }
    if (k == 0 || alpha == 0.0f) return 0;
    /* op(A) copied column-major (contiguous in i) so the inner loop streams. */
    double *ad = malloc(sizeof(double) * m * k);
    if (!ad) return -1;
    for (size_t p = 0; p < k; p++)
        for (size_t i = 0; i < m; i++) ad[i + p * m] = a[i * ai + p * ap];
    for (size_t j = 0; j < n; j++) {
        double *rj = ref + j * m, *mj = mag + j * m;
        for (size_t p = 0; p < k; p++) {
            double bv = (double)alpha * b[p * bp + j * bj];
            double ba = fabs(bv);
            const double *ac = ad + p * m;
            for (size_t i = 0; i < m; i++) {
                rj[i] += ac[i] * bv;
                mj[i] += fabs(ac[i]) * ba;
            }
        }
    }
    free(ad);
    return 0;
}

double pgemm_ref_element(pgemm_layout layout, pgemm_transpose ta, pgemm_transpose tb, size_t i,
                         size_t j, size_t k, float alpha, const float *a, size_t lda,
                         const float *b, size_t ldb, float beta, const float *c0, size_t ldc,
                         double *mag_out)
{
    size_t ai, ap, bp, bj;
    op_strides(layout, ta, lda, &ai, &ap);
    op_strides(layout, tb, ldb, &bp, &bj);
    double c = beta == 0.0f ? 0.0 : (double)beta * c0[pgemm_ref_index(layout, i, j, ldc)];
    /* k == 0 or alpha == 0: C = beta * C, whatever alpha is (NaN included). */
    if (k == 0 || alpha == 0.0f) {
        *mag_out = fabs(c);
        return c;
    }
    double sum = 0.0, mag = 0.0;
    for (size_t p = 0; p < k; p++) {
        double t = (double)a[i * ai + p * ap] * b[p * bp + j * bj];
        sum += t;
        mag += fabs(t);
    }
    *mag_out = fabs((double)alpha) * mag + fabs(c);
    return (double)alpha * sum + c;
}

void pgemm_ref_compare_one(size_t i, size_t j, size_t k, double got, double want, double mag,
                           double tol, pgemm_ref_report *r)
{
    r->checked++;
    int ok;
    double scaled = 0.0;
    if (isnan(want) || isnan(got)) ok = isnan(want) && isnan(got);
    else if (isinf(want) || isinf(got)) ok = got == want;
    else {
        double unit = (double)(k + 2) * EPS32 * mag;
        double err = fabs(got - want);
        scaled = unit > 0.0 ? err / unit : (err == 0.0 ? 0.0 : INFINITY);
        ok = scaled <= tol;
        r->sum_err2 += err * err;
        r->sum_ref2 += want * want;
    }
    if (scaled > r->max_scaled_err) r->max_scaled_err = scaled;
    if (!ok) {
        if (r->bad == 0) {
            r->first_bad_i = i;
            r->first_bad_j = j;
            r->first_bad_got = got;
            r->first_bad_want = want;
        }
        r->bad++;
    }
}

void pgemm_ref_finish(pgemm_ref_report *r)
{
    r->rel_fro_err = r->sum_ref2 > 0.0 ? sqrt(r->sum_err2 / r->sum_ref2) : sqrt(r->sum_err2);
}

size_t pgemm_ref_compare(pgemm_layout layout, size_t m, size_t n, size_t k, const float *c,
                         size_t ldc, const double *ref, const double *mag, double tol,
                         pgemm_ref_report *r)
{
    memset(r, 0, sizeof *r);
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < m; i++)
            pgemm_ref_compare_one(i, j, k, c[pgemm_ref_index(layout, i, j, ldc)],
                                  ref[i + j * m], mag[i + j * m], tol, r);
    pgemm_ref_finish(r);
    return r->bad;
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

void pgemm_fill_random(float *x, size_t count, uint64_t *state)
{
    for (size_t i = 0; i < count; i++)
        x[i] = (float)((double)(xorshift(state) >> 40) / 8388608.0 - 1.0);
}

uint64_t pgemm_random_below(uint64_t *state, uint64_t bound)
{
    return bound ? xorshift(state) % bound : 0;
}

uint16_t pgemm_ref_to_half(float x)
{
    uint32_t f;
    memcpy(&f, &x, sizeof f);
    uint16_t sign = (uint16_t)((f >> 16) & 0x8000u);
    uint32_t exp = (f >> 23) & 0xffu, man = f & 0x7fffffu;
    if (exp == 0xffu) /* inf stays inf; NaN keeps its top payload bits and is quieted */
        return (uint16_t)(sign | 0x7c00u | (man ? 0x200u | (man >> 13) : 0u));
    int e = (int)exp - 127 + 15; /* biased half exponent */
    if (e >= 31) return (uint16_t)(sign | 0x7c00u);
    uint32_t q, rem, halfway;
    if (e <= 0) {
        /* Subnormal half: units of 2^-24. |x| < 2^-25 (e < -10) rounds to 0;
         * exp == 0 (float subnormals) falls in there too. */
        if (e < -10) return sign;
        uint32_t m = man | 0x800000u; /* |x| = m * 2^(e - 15 - 23) */
        unsigned shift = (unsigned)(14 - e); /* 14 .. 24 bits dropped */
        q = m >> shift;
        rem = m & ((1u << shift) - 1u);
        halfway = 1u << (shift - 1u);
    } else {
        q = ((uint32_t)e << 10) | (man >> 13);
        rem = man & 0x1fffu;
        halfway = 0x1000u;
    }
    /* A carry out of the mantissa lands in the exponent, which is right:
     * subnormal -> smallest normal, 65504 + tie -> 0x7c00 = inf. */
    if (rem > halfway || (rem == halfway && (q & 1u))) q++;
    return (uint16_t)(sign | q);
}

float pgemm_ref_from_half(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, f;
    if (exp == 0x1fu)
        f = sign | 0x7f800000u | (man << 13);
    else if (exp == 0) {
        if (man == 0)
            f = sign;
        else { /* subnormal: man * 2^-24, normalised for fp32 */
            int e = -14;
            while (!(man & 0x400u)) {
                man <<= 1;
                e--;
            }
            f = sign | ((uint32_t)(e + 127) << 23) | ((man & 0x3ffu) << 13);
        }
    } else
        f = sign | ((exp - 15u + 127u) << 23) | (man << 13);
    float x;
    memcpy(&x, &f, sizeof x);
    return x;
}

float pgemm_ref_round_half(float x)
{
    return pgemm_ref_from_half(pgemm_ref_to_half(x));
}

double pgemm_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

double pgemm_ref_activate(pgemm_activation activation, double x)
{
    switch (activation) {
    case PGEMM_ACTIVATION_NONE: return x;
    case PGEMM_ACTIVATION_RELU: return x < 0.0 ? 0.0 : x;
    case PGEMM_ACTIVATION_GELU_TANH:
        return 0.5 * x * (1.0 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    case PGEMM_ACTIVATION_SILU: return x / (1.0 + exp(-x));
    }
    return x;
}

void pgemm_ref_epilogue(pgemm_activation activation, double bias, double *ref, double *mag)
{
    double x = *ref + bias;
    if (activation == PGEMM_ACTIVATION_NONE) {
        *mag += fabs(bias) + fabs(x);
    } else {
        *mag = 1.13 * (*mag + fabs(bias) + fabs(x)) + 16.0 * fabs(x);
    }
    *ref = pgemm_ref_activate(activation, x);
}
