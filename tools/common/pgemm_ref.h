/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An fp64 reference GEMM and helpers shared by the tests, the pgemm tool and
 * the benchmarks. Not part of the library.
 *
 * Error model: a float GEMM result c(i,j) is accepted when
 *
 *     |c - ref| <= tol * (k + 2) * 2^-24 * mag(i,j)
 *     mag(i,j)  = |alpha| * sum_p |op(A)(i,p)| * |op(B)(p,j)| + |beta| * |C0(i,j)|
 *
 * the classical componentwise bound for a dot product of length k in fp32
 * (tol = 1 is the worst-case bound; summation order changes nothing
 * beyond it). NaN in the reference must be NaN in the result and vice versa;
 * infinities must match exactly.
 */
#ifndef PGEMM_REF_H
#define PGEMM_REF_H

#include <stddef.h>
#include <stdint.h>

#include "pgemm.h"

/* Index of element (i, j) of a matrix stored in `layout` with leading dimension ld. */
static inline size_t pgemm_ref_index(pgemm_layout layout, size_t i, size_t j, size_t ld)
{
    return layout == PGEMM_COL_MAJOR ? i + j * ld : i * ld + j;
}

/* Reference result and magnitude, both m x n column-major with ld = m.
 * c0 is C before the call (not read when beta == 0). Returns 0, or -1 if
 * memory ran out. */
int pgemm_ref_gemm(pgemm_layout layout, pgemm_transpose ta, pgemm_transpose tb, size_t m,
                   size_t n, size_t k, float alpha, const float *a, size_t lda, const float *b,
                   size_t ldb, float beta, const float *c0, size_t ldc, double *ref, double *mag);

/* The reference for one element (i, j) only; *mag_out receives its magnitude. */
double pgemm_ref_element(pgemm_layout layout, pgemm_transpose ta, pgemm_transpose tb, size_t i,
                         size_t j, size_t k, float alpha, const float *a, size_t lda,
                         const float *b, size_t ldb, float beta, const float *c0, size_t ldc,
                         double *mag_out);

/* One activation of the epilogue in fp64 (pgemm.h gives the formulas). */
double pgemm_ref_activate(pgemm_activation activation, double x);

/* The epilogue on a reference element: *ref (the sum) becomes
 * act(*ref + bias), and *mag grows to bound what the epilogue adds to the
 * error, in the units of the bound above: the bias sum's rounding, the sum's
 * own error carried through the activation (whose slope is at most 1.13),
 * and the activation's evaluation in fp32 (16 ulps of |x|, which covers
 * tanh's and exp's error bounds in OpenCL C and CUDA). */
void pgemm_ref_epilogue(pgemm_activation activation, double bias, double *ref, double *mag);

typedef struct pgemm_ref_report {
    size_t checked, bad;
    size_t first_bad_i, first_bad_j;
    double first_bad_got, first_bad_want;
    double max_scaled_err; /* max |c - ref| / ((k + 2) 2^-24 mag); <= tol passes */
    double rel_fro_err;    /* ||c - ref||_F / ||ref||_F over finite elements */
    double sum_err2, sum_ref2; /* running sums behind rel_fro_err */
} pgemm_ref_report;

/* Compares the m x n window of c (layout, ldc) with ref/mag (column-major,
 * ld = m). Returns the number of elements outside the bound. */
size_t pgemm_ref_compare(pgemm_layout layout, size_t m, size_t n, size_t k, const float *c,
                         size_t ldc, const double *ref, const double *mag, double tol,
                         pgemm_ref_report *report);

/* Accumulates one element's comparison into report (zeroed first by the
 * caller), for sampled checks. */
void pgemm_ref_compare_one(size_t i, size_t j, size_t k, double got, double want, double mag,
                           double tol, pgemm_ref_report *report);
/* Computes rel_fro_err from the running sums. */
void pgemm_ref_finish(pgemm_ref_report *report);

/* Uniform floats in [-1, 1) from a xorshift state (never 0 state). */
void pgemm_fill_random(float *x, size_t count, uint64_t *state);
/* One random integer in [0, bound). */
uint64_t pgemm_random_below(uint64_t *state, uint64_t bound);

/* IEEE binary16 conversions, portable (no _Float16 or F16C needed).
 * pgemm_ref_to_half rounds to nearest, ties to even; magnitudes >= 65520
 * (65504 + half an ulp) become +-inf; results below 2^-14 are subnormal
 * halves (2^-25 and less round to +-0, 2^-25 itself being a tie to 0); the
 * sign of zero is kept; NaN stays NaN (quiet, sign and the top payload bits
 * kept). pgemm_ref_from_half is exact for every half. */
uint16_t pgemm_ref_to_half(float x);
float pgemm_ref_from_half(uint16_t h);
/* x rounded to the nearest half and back: pgemm_ref_from_half(pgemm_ref_to_half(x)). */
float pgemm_ref_round_half(float x);

/* Monotonic seconds. */
double pgemm_now_seconds(void);

#endif
