/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FP16_MIXED precision contract (docs/PRECISION.md), on a backend with
 * fp16 tiles (pgemm_info.has_fp16_tiles). Elsewhere it exits 77 (skipped)
 * with a one-line reason; with PGEMM_TEST_REQUIRE_FP16=1 in the environment
 * that is a failure instead (for runs on a machine that must have them).
 *
 * For every fp16 variant ("h16...", forced) and for the selector's own
 * choice, FP16_MIXED on fp32 operands:
 *
 *   (a) error vs K. K in {16, 64, 256, 1024, 4096}, m = n = 128, A and B
 *       uniform in [-1, 1), alpha 1, beta 0. Against the fp64 reference on
 *       the UNROUNDED inputs every element must satisfy
 *
 *           |c - ref| <= (2^-10 + (k + 2) * 2^-23) * mag,
 *           mag = sum_p |a_ip| |b_pj|
 *
 *       Why: rounding a and b to binary16 (round to nearest, unit roundoff
 *       u16 = 2^-11) changes each product a*b by a relative (1+d1)(1+d2) - 1,
 *       at most 2 u16 + u16^2 = 2^-10 + 2^-22; the product of two halves is
 *       exact in fp32 (22 significant bits), and the sum of k of them in fp32
 *       adds at most (k + 2) 2^-24 mag (the FP32 bound, with alpha); the factor
 *       2 on that term (2^-23) leaves room for tensor-core accumulation,
 *       whose order and rounding are not IEEE's sequential ones, and absorbs
 *       the 2^-22 term (k >= 16). Inputs in the subnormal range of binary16
 *       (|x| < 2^-14, rare here) err by at most 2^-25 absolutely, negligible
 *       against mag. Every element must also be within the FP32 bound
 *       (tolerance 2) of the reference on the fp16-ROUNDED inputs, which
 *       checks rounding mode and fp32 accumulation exactly. Prints the table
 *       K, max |c - ref| / mag, the bound, the relative Frobenius error
 *       ||C - ref||_F / ||ref||_F, and the error against the rounded
 *       reference as a fraction of its FP32 bound.
 *   (b) overflow: A elements 70000 and -70000 (> 65520) become -+inf in the
 *       tiles: their rows of C are +-inf (signs as the reference says), a B
 *       element 1e5 makes its column inf, every other element finite and
 *       within the bound; 65504 stays finite and exact (a row holding only
 *       65504 gives exactly 65504 * b), 65519 rounds to 65504, 65520 to inf.
 *   (c) NaN in A gives NaN in exactly its row; an A element that becomes inf
 *       times a zero B element gives NaN at that (i, j), inf in the rest of
 *       the row.
 *   (d) tiny values: A around the smallest normal half (6.1e-5) and around
 *       the smallest subnormal (6e-8), including 2^-25 (a tie, rounds to 0)
 *       and 0.75 * 2^-24 (rounds to 2^-24): checked against the rounded
 *       reference under the FP32 bound, so subnormals must be kept and
 *       rounded to nearest even (a flush to zero fails).
 *   (e) FP32 precision on the same context: the selector never chooses an
 *       fp16 variant (precision used FP32, C within the FP32 bound of the
 *       unrounded reference, sizes where fp16 rounding would show), and a
 *       forced fp16 variant is refused with INVALID_ARGUMENT, C untouched.
 *
 * (b)-(d) run in two layout/transpose combinations (column-major NN and
 * row-major TT) so that the special values pass through both load paths.
 *
 * usage: test_precision_fp16 [name ...]   (default: everything; a name is an
 *        fp16 variant, "selector" for the selector's choice, "fp32" for (e))
 * On the device: PGEMM_BACKEND=hip ./test_precision_fp16
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_case.h"
#include "pgemm_ref.h"
#include "test_util.h"

#define U16 (1.0 / 2048.0)          /* binary16 unit roundoff 2^-11 */
#define EPS32 (1.0 / 16777216.0)    /* 2^-24 */

static const size_t k_ks[] = {16, 64, 256, 1024, 4096};
#define NKS (sizeof k_ks / sizeof k_ks[0])

/* count, or 1 for an empty matrix (malloc(0) may return NULL). */
static size_t at_least_1(size_t count) { return count > 0 ? count : 1; }

/* A problem in logical form: op(A) m x k, op(B) k x n, C m x n, all
 * column-major with ld = rows. */
typedef struct problem {
    size_t m, n, k;
    float alpha, beta;
    float *a, *b, *c0;
} problem;

static problem problem_new(size_t m, size_t n, size_t k)
{
    problem p = {m, n, k, 1.0f, 0.0f, NULL, NULL, NULL};
    p.a = calloc(at_least_1(m * k), sizeof(float));
    p.b = calloc(at_least_1(k * n), sizeof(float));
    p.c0 = calloc(m * n, sizeof(float));
    REQUIRE(p.a && p.b && p.c0);
    return p;
}

static void problem_free(problem *p)
{
    free(p->a);
    free(p->b);
    free(p->c0);
}

/* Stores the logical rows x cols matrix x (column-major) as the operand of
 * `layout` with transpose `trans`: stored(r, s) = x(s, r) when trans. */
static float *store(pgemm_layout layout, int trans, size_t rows, size_t cols, const float *x,
                    size_t *ld)
{
    size_t srows = trans ? cols : rows, scols = trans ? rows : cols;
    *ld = layout == PGEMM_COL_MAJOR ? (srows ? srows : 1) : (scols ? scols : 1);
    float *s = malloc(at_least_1(srows * scols) * sizeof(float));
    REQUIRE(s);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            size_t r = trans ? j : i, c = trans ? i : j;
            s[pgemm_ref_index(layout, r, c, *ld)] = x[i + j * rows];
        }
    return s;
}

/* Runs p through pgemm_sgemm in combination `combo` (test_gemm_set_combo);
 * c (m x n, column-major) receives the result, or C0 when the call fails;
 * *call what ran. Returns the status; *why the message of a failure. */
static pgemm_status run_problem(pgemm_context *ctx, const problem *p, int combo, float *c,
                                pgemm_call_info *call, char *why, size_t why_cap)
{
    test_gemm_case gc;
    test_gemm_case_init(&gc);
    test_gemm_set_combo(&gc, combo);
    size_t lda, ldb, ldc;
    float *as = store(gc.layout, gc.ta == PGEMM_TRANS, p->m, p->k, p->a, &lda);
    float *bs = store(gc.layout, gc.tb == PGEMM_TRANS, p->k, p->n, p->b, &ldb);
    float *cs = store(gc.layout, 0, p->m, p->n, p->c0, &ldc);
    size_t na = at_least_1(p->m * p->k), nb = at_least_1(p->k * p->n);
    size_t nc = p->m * p->n;
    pgemm_buffer *da = NULL, *db = NULL, *dc = NULL;
    CHECK_OK(ctx, pgemm_buffer_create(ctx, na * sizeof(float), &da));
    CHECK_OK(ctx, pgemm_buffer_create(ctx, nb * sizeof(float), &db));
    CHECK_OK(ctx, pgemm_buffer_create(ctx, nc * sizeof(float), &dc));
    REQUIRE(da && db && dc);
    CHECK_OK(ctx, pgemm_buffer_write(da, 0, na * sizeof(float), as));
    CHECK_OK(ctx, pgemm_buffer_write(db, 0, nb * sizeof(float), bs));
    CHECK_OK(ctx, pgemm_buffer_write(dc, 0, nc * sizeof(float), cs));
    pgemm_status st = pgemm_sgemm(ctx, gc.layout, gc.ta, gc.tb, p->m, p->n, p->k, p->alpha, da, 0,
                                  lda, db, 0, ldb, p->beta, dc, 0, ldc);
    if (why) snprintf(why, why_cap, "%s", pgemm_last_error(ctx));
    CHECK_OK(ctx, pgemm_buffer_read(dc, 0, nc * sizeof(float), cs));
    for (size_t j = 0; j < p->n; j++)
        for (size_t i = 0; i < p->m; i++) c[i + j * p->m] = cs[pgemm_ref_index(gc.layout, i, j, ldc)];
    if (call) {
        memset(call, 0, sizeof *call);
        if (st == PGEMM_SUCCESS) CHECK_OK(ctx, pgemm_last_call(ctx, call));
    }
    pgemm_buffer_destroy(da);
    pgemm_buffer_destroy(db);
    pgemm_buffer_destroy(dc);
    free(as);
    free(bs);
    free(cs);
    return st;
}

/* Compares c with the reference on p's inputs, rounded to halves first when
 * `rounded`, under tol times the FP32 bound. */
static size_t compare(const problem *p, const float *c, int rounded, double tol,
                      pgemm_ref_report *rep)
{
    size_t na = p->m * p->k, nb = p->k * p->n, nc = p->m * p->n;
    float *a = malloc(at_least_1(na) * sizeof(float)), *b = malloc(at_least_1(nb) * sizeof(float));
    double *ref = malloc(nc * sizeof(double)), *mag = malloc(nc * sizeof(double));
    REQUIRE(a && b && ref && mag);
    for (size_t i = 0; i < na; i++) a[i] = rounded ? pgemm_ref_round_half(p->a[i]) : p->a[i];
    for (size_t i = 0; i < nb; i++) b[i] = rounded ? pgemm_ref_round_half(p->b[i]) : p->b[i];
    REQUIRE(pgemm_ref_gemm(PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, p->m, p->n, p->k,
                           p->alpha, a, p->m, b, p->k, p->beta, p->c0, p->m, ref, mag) == 0);
    size_t bad = pgemm_ref_compare(PGEMM_COL_MAJOR, p->m, p->n, p->k, c, p->m, ref, mag, tol, rep);
    free(a);
    free(b);
    free(ref);
    free(mag);
    return bad;
}

/* The variant that ran must be the forced one (or any fp16 one for the
 * selector), with FP16_MIXED used. */
static void check_call(const pgemm_call_info *call, const char *variant, const char *what)
{
    CHECK_MSG(call->precision_requested == PGEMM_PRECISION_FP16_MIXED,
              "%s: precision requested %d", what, (int)call->precision_requested);
    if (variant) {
        CHECK_MSG(!strcmp(call->variant, variant), "%s: ran \"%s\", forced \"%s\"", what,
                  call->variant, variant);
        CHECK_MSG(call->precision_used == PGEMM_PRECISION_FP16_MIXED,
                  "%s: forced fp16 variant %s, but precision used %d (why: %s)", what, variant,
                  (int)call->precision_used, call->why);
    }
    CHECK_MSG((call->precision_used == PGEMM_PRECISION_FP16_MIXED) ==
                  test_variant_is_fp16(call->variant),
              "%s: variant \"%s\" with precision used %d", what, call->variant,
              (int)call->precision_used);
}

/* (a) */
static void error_vs_k(pgemm_context *ctx, const char *variant)
{
    const size_t m = 128, n = 128;
    printf("\n(a) error vs K, FP16_MIXED, %s, m = n = %zu, A and B uniform in [-1, 1), "
           "alpha 1, beta 0\n",
           variant ? variant : "selector's choice", m);
    printf("  %5s  %-10s  %-14s  %-14s  %-14s  %s\n", "K", "variant", "max|c-ref|/mag",
           "bound", "rel Frobenius", "rounded-ref err / fp32 bound");
    for (size_t t = 0; t < NKS; t++) {
        size_t k = k_ks[t];
        problem p = problem_new(m, n, k);
        uint64_t seed = 0x5eed0000u + k;
        pgemm_fill_random(p.a, m * k, &seed);
        pgemm_fill_random(p.b, k * n, &seed);
        float *c = malloc(m * n * sizeof(float));
        REQUIRE(c);
        pgemm_call_info call;
        char why[PGEMM_REASON_LEN];
        pgemm_status st = run_problem(ctx, &p, (int)(t % 2) * 5, c, &call, why, sizeof why);
        CHECK_MSG(st == PGEMM_SUCCESS, "(a) K = %zu: %s: %s", k, pgemm_status_string(st), why);
        if (st == PGEMM_SUCCESS) {
            char what[64];
            snprintf(what, sizeof what, "(a) K = %zu", k);
            check_call(&call, variant, what);
            double bound = 2.0 * U16 + (double)(k + 2) * 2.0 * EPS32;
            double tol = bound / ((double)(k + 2) * EPS32);
            pgemm_ref_report unr, rnd;
            size_t bad = compare(&p, c, 0, tol, &unr);
            CHECK_MSG(bad == 0,
                      "(a) K = %zu, %s: %zu elements beyond (2^-10 + (k+2) 2^-23) mag of the "
                      "unrounded reference; first (%zu, %zu) = %.9g, want %.9g",
                      k, call.variant, bad, unr.first_bad_i, unr.first_bad_j, unr.first_bad_got,
                      unr.first_bad_want);
            /* Against the rounded inputs: the fp32 bound (fp16 tiles), or
             * the same for an fp32 variant the selector may have chosen. */
            size_t bad_r = compare(&p, c, call.precision_used == PGEMM_PRECISION_FP16_MIXED,
                                   2.0, &rnd);
            CHECK_MSG(bad_r == 0,
                      "(a) K = %zu, %s: %zu elements beyond the fp32 bound of the reference on "
                      "the %s inputs; first (%zu, %zu) = %.9g, want %.9g",
                      k, call.variant, bad_r,
                      call.precision_used == PGEMM_PRECISION_FP16_MIXED ? "fp16-rounded" : "fp32",
                      rnd.first_bad_i, rnd.first_bad_j, rnd.first_bad_got, rnd.first_bad_want);
            double max_rel = unr.max_scaled_err * (double)(k + 2) * EPS32;
            printf("  %5zu  %-10s  %-14.4g  %-14.4g  %-14.4g  %.3g\n", k, call.variant, max_rel,
                   bound, unr.rel_fro_err, rnd.max_scaled_err);
        }
        free(c);
        problem_free(&p);
    }
}

/* Fills x with values of magnitude in [0.5, 1) and random signs: never 0,
 * and exact halves (11 significant bits), so that products are exact. */
static void fill_halves_away_from_zero(float *x, size_t count, uint64_t *seed)
{
    for (size_t i = 0; i < count; i++) {
        float v = 0.5f + (float)pgemm_random_below(seed, 1024) / 2048.0f;
        x[i] = pgemm_random_below(seed, 2) ? -v : v;
    }
}

/* One special-values product: run it, compare with the rounded reference
 * (which carries the infinities and NaNs where they must be), and check
 * the pattern given by `pattern(i, j)`: 0 finite, 1 +-inf, 2 NaN, 3 inf or
 * NaN. */
typedef int (*pattern_fn)(size_t i, size_t j);

static void run_special(pgemm_context *ctx, const char *variant, const char *what,
                        const problem *p, int combo, pattern_fn pattern)
{
    float *c = malloc(p->m * p->n * sizeof(float));
    REQUIRE(c);
    pgemm_call_info call;
    char why[PGEMM_REASON_LEN], label[160];
    snprintf(label, sizeof label, "%s (%s, %s)", what, variant ? variant : "selector",
             test_combo_name(combo));
    pgemm_status st = run_problem(ctx, p, combo, c, &call, why, sizeof why);
    CHECK_MSG(st == PGEMM_SUCCESS, "%s: %s: %s", label, pgemm_status_string(st), why);
    if (st == PGEMM_SUCCESS) {
        check_call(&call, variant, label);
        int used16 = call.precision_used == PGEMM_PRECISION_FP16_MIXED;
        pgemm_ref_report rep;
        size_t bad = compare(p, c, used16, 2.0, &rep);
        CHECK_MSG(bad == 0,
                  "%s: %zu elements differ from the reference on the %s inputs; first (%zu, "
                  "%zu) = %.9g, want %.9g",
                  label, bad, used16 ? "fp16-rounded" : "fp32", rep.first_bad_i, rep.first_bad_j,
                  rep.first_bad_got, rep.first_bad_want);
        if (pattern && used16) {
            size_t wrong = 0;
            for (size_t j = 0; j < p->n; j++)
                for (size_t i = 0; i < p->m; i++) {
                    float v = c[i + j * p->m];
                    int want = pattern(i, j);
                    int ok = want == 0   ? isfinite(v)
                             : want == 1 ? isinf(v)
                             : want == 2 ? isnan(v)
                                         : !isfinite(v);
                    if (!ok && wrong++ < 3)
                        CHECK_MSG(0, "%s: C(%zu, %zu) = %g, want %s", label, i, j, (double)v,
                                  want == 0   ? "finite"
                                  : want == 1 ? "+-inf"
                                  : want == 2 ? "NaN"
                                              : "inf or NaN");
                }
            CHECK_MSG(wrong == 0, "%s: %zu elements with the wrong finite/inf/NaN pattern", label,
                      wrong);
        }
        if (!used16)
            printf("  %s: the selector ran %s (FP32): fp16 special values not exercised\n", label,
                   call.variant);
    }
    free(c);
}

/* (b) rows 3, 7 hold +-70000, row 11 holds 65520, B(2, 5) holds 1e5;
 * row 13 holds only 65504 (exact), row 17 65519 (rounds to 65504), zeros
 * elsewhere: 0 * inf makes (13, 5) and (17, 5) NaN. Where an infinite row
 * meets the infinite column, infinities of either sign may meet. */
static int overflow_pattern(size_t i, size_t j)
{
    int row = i == 3 || i == 7 || i == 11, col = j == 5;
    if (col && (i == 13 || i == 17)) return 2;
    if (row && col) return 3;
    return row || col;
}

static void overflow(pgemm_context *ctx, const char *variant)
{
    const size_t m = 40, n = 24, k = 37;
    for (int combo = 0; combo < 8; combo += 7) {
        problem p = problem_new(m, n, k);
        uint64_t seed = 99 + (uint64_t)combo;
        fill_halves_away_from_zero(p.a, m * k, &seed);
        fill_halves_away_from_zero(p.b, k * n, &seed);
        p.a[3 + 4 * m] = 70000.0f;
        p.a[7 + 30 * m] = -70000.0f;
        p.a[11 + 0 * m] = 65520.0f;
        p.b[2 + 5 * k] = 1e5f;
        for (size_t q = 0; q < k; q++) p.a[13 + q * m] = q == 9 ? 65504.0f : 0.0f;
        for (size_t q = 0; q < k; q++) p.a[17 + q * m] = q == 20 ? 65519.0f : 0.0f;
        p.beta = 0.0f;
        run_special(ctx, variant, "(b) overflow above 65504", &p, combo, overflow_pattern);
        /* Row 13: exactly 65504 * b(9, j); row 17: 65504 * b(20, j). */
        float *c = malloc(m * n * sizeof(float));
        REQUIRE(c);
        pgemm_call_info call;
        if (run_problem(ctx, &p, combo, c, &call, NULL, 0) == PGEMM_SUCCESS &&
            call.precision_used == PGEMM_PRECISION_FP16_MIXED) {
            size_t wrong = 0;
            for (size_t j = 0; j < n; j++) {
                if (j == 5) continue; /* the column of 1e5 */
                float w13 = 65504.0f * p.b[9 + j * k], w17 = 65504.0f * p.b[20 + j * k];
                if (c[13 + j * m] != w13 || c[17 + j * m] != w17) {
                    if (wrong++ < 3)
                        CHECK_MSG(0,
                                  "(b) %s: C(13, %zu) = %.9g want %.9g (65504 exact), C(17, %zu) "
                                  "= %.9g want %.9g (65519 -> 65504)",
                                  test_combo_name(combo), j, (double)c[13 + j * m], (double)w13,
                                  j, (double)c[17 + j * m], (double)w17);
                }
            }
            CHECK_MSG(wrong == 0, "(b) %zu columns where 65504 / 65519 came out wrong", wrong);
        }
        free(c);
        problem_free(&p);
    }
}

/* (c) row 2 holds NaN; row 6 holds 1e6 (-> inf) at p = 8 where B(8, 4) = 0:
 * NaN at (6, 4), inf elsewhere in row 6; row 9 holds +inf itself. */
static int nan_pattern(size_t i, size_t j)
{
    if (i == 2) return 2;
    if (i == 6) return j == 4 ? 2 : 1;
    if (i == 9) return 1;
    return 0;
}

static void nan_and_inf(pgemm_context *ctx, const char *variant)
{
    const size_t m = 33, n = 19, k = 45;
    for (int combo = 0; combo < 8; combo += 7) {
        problem p = problem_new(m, n, k);
        uint64_t seed = 7 + (uint64_t)combo;
        fill_halves_away_from_zero(p.a, m * k, &seed);
        fill_halves_away_from_zero(p.b, k * n, &seed);
        p.a[2 + 17 * m] = NAN;
        p.a[6 + 8 * m] = 1e6f;
        p.b[8 + 4 * k] = 0.0f;
        p.a[9 + 44 * m] = INFINITY;
        p.alpha = -0.5f;
        p.beta = 0.0f;
        run_special(ctx, variant, "(c) NaN and inf * 0", &p, combo, nan_pattern);
        problem_free(&p);
    }
}

/* (d) tiny values. */
static void tiny_values(pgemm_context *ctx, const char *variant)
{
    const size_t m = 36, n = 20, k = 64;
    for (int combo = 0; combo < 8; combo += 7) {
        problem p = problem_new(m, n, k);
        uint64_t seed = 4242 + (uint64_t)combo;
        pgemm_fill_random(p.b, k * n, &seed);
        for (size_t q = 0; q < k; q++)
            for (size_t i = 0; i < m; i++) {
                /* factors in [0.25, 4) around the smallest normal (rows
                 * 0 mod 3), the smallest subnormal (1 mod 3), and exact
                 * boundary values (2 mod 3). */
                double f = 0.25 + 3.75 * (double)pgemm_random_below(&seed, 1u << 20) / 1048576.0;
                double sgn = pgemm_random_below(&seed, 2) ? -1.0 : 1.0;
                float v;
                switch (i % 3) {
                case 0: v = (float)(sgn * 6.1e-5 * f); break;
                case 1: v = (float)(sgn * 6e-8 * f); break;
                default: {
                    /* 2^-25 (tie -> 0), 0.75 * 2^-24 (-> 2^-24), 2^-24,
                     * 1.5 * 2^-24 (tie -> 2 * 2^-24), 2^-14, the largest
                     * subnormal, the tie between it and 2^-14, ... */
                    static const float edges[] = {0x1p-25f,  0x1.8p-25f,  0x1p-24f,
                                                  0x1.8p-24f, 0x1p-14f,   0x1.ff8p-15f,
                                                  0x1.ffcp-15f, 6.1e-5f,  6e-8f, 0x1p-26f};
                    v = (float)(sgn * edges[(q + i) % (sizeof edges / sizeof edges[0])]);
                }
                }
                p.a[i + q * m] = v;
            }
        p.alpha = 1.0f;
        p.beta = 0.0f;
        run_special(ctx, variant, "(d) values near 6.1e-5 and 6e-8", &p, combo, NULL);
        /* The same with the tiny values in B (columns) and A of order 1. */
        problem q = problem_new(n, m, k);
        for (size_t i = 0; i < n * k; i++) q.a[i] = p.b[i % (k * n)];
        for (size_t pp = 0; pp < k; pp++)
            for (size_t j = 0; j < m; j++) q.b[pp + j * k] = p.a[j + pp * m];
        q.beta = 0.0f;
        run_special(ctx, variant, "(d) tiny values in B", &q, combo, NULL);
        problem_free(&q);
        problem_free(&p);
    }
}

/* (e) FP32 on the same context. */
static void fp32_never_fp16(pgemm_context *ctx, char **fp16_names, size_t nfp16)
{
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));
    test_gemm_stats st = {0};
    static const size_t shapes[][3] = {{128, 128, 16},  {256, 256, 64}, {512, 384, 256},
                                       {1024, 256, 128}, {129, 65, 4096}, {33, 17, 7}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int combo = 0; combo < 8; combo += 3) {
            test_gemm_case gc;
            test_gemm_case_init(&gc);
            test_gemm_set_combo(&gc, combo);
            gc.api = TEST_API_BUFFER;
            gc.m = shapes[s][0];
            gc.n = shapes[s][1];
            gc.k = shapes[s][2];
            gc.beta = combo % 2 ? 0.5f : 0.0f;
            gc.nan_c = gc.beta == 0.0f;
            gc.seed = 31 + s * 8 + (uint64_t)combo;
            gc.precision = PGEMM_PRECISION_FP32;
            /* the runner requires precision used FP32, a non-h16 variant,
             * and the FP32 bound against the unrounded reference */
            test_gemm_run(ctx, &gc, &st);
        }
    test_gemm_print_stats("(e) FP32, selector", &st);
    /* A forced fp16 variant under FP32: refused, C untouched. */
    for (size_t v = 0; v < nfp16; v++) {
        CHECK_OK(ctx, pgemm_force_variant(ctx, fp16_names[v]));
        test_gemm_case gc;
        test_gemm_case_init(&gc);
        gc.api = TEST_API_BUFFER;
        gc.m = 64; gc.n = 64; gc.k = 64;
        gc.precision = PGEMM_PRECISION_FP32;
        gc.expect_variant = fp16_names[v];
        gc.expect_status = PGEMM_ERROR_INVALID_ARGUMENT;
        gc.expect_error = "FP32";
        test_gemm_run(ctx, &gc, &st);
    }
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));
}

static int wanted(const char *name, int argc, char **argv)
{
    if (argc < 2) return 1;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name)) return 1;
    return 0;
}

static int require_fp16(void)
{
    const char *v = getenv("PGEMM_TEST_REQUIRE_FP16");
    return v && *v && strcmp(v, "0") != 0;
}

int main(int argc, char **argv)
{
    test_begin("test_precision_fp16");
    /* No backend to run on at all (a HIP build on a machine without a GPU):
     * skipped, unless fp16 tiles are required. An OpenCL platform named by
     * the test registration must exist (test_context fails loudly). */
    pgemm_context *probe = NULL;
    pgemm_status pst = pgemm_context_create(NULL, &probe);
    if (pst != PGEMM_SUCCESS) {
        const char *platform = getenv("PGEMM_OPENCL_PLATFORM");
        if (!require_fp16() && !(platform && *platform) &&
            (pst == PGEMM_ERROR_BACKEND_UNAVAILABLE || pst == PGEMM_ERROR_NO_BACKEND)) {
            printf("test_precision_fp16: SKIP: no backend here (%s: %s)\n",
                   pgemm_status_string(pst), pgemm_last_error(NULL));
            return TEST_SKIP;
        }
    }
    pgemm_context_destroy(probe);
    pgemm_context *ctx = test_context();
    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));
    if (!info.has_fp16_tiles) {
        printf("test_precision_fp16: SKIP: the %s backend (%s) has no fp16 tiles\n",
               info.backend_name, info.device);
        pgemm_context_destroy(ctx);
        if (require_fp16()) {
            CHECK_MSG(0, "PGEMM_TEST_REQUIRE_FP16 is set, but there are no fp16 tiles");
            return test_finish();
        }
        return TEST_SKIP;
    }

    size_t count = pgemm_variant_count(ctx), nfp16 = 0;
    char **fp16_names = calloc(count ? count : 1, sizeof *fp16_names);
    REQUIRE(fp16_names);
    for (size_t v = 0; v < count; v++) {
        const char *name = pgemm_variant_name(ctx, v);
        if (test_variant_is_fp16(name)) fp16_names[nfp16++] = (char *)name;
    }
    CHECK_MSG(nfp16 > 0, "fp16 tiles reported, but no \"h16\" variant is listed");
    printf("fp16 variants:");
    for (size_t v = 0; v < nfp16; v++) printf(" %s", fp16_names[v]);
    printf("\n");

    /* Targets: each fp16 variant forced, then the selector (NULL). */
    size_t ran = 0;
    for (size_t t = 0; t <= nfp16; t++) {
        const char *variant = t < nfp16 ? fp16_names[t] : NULL;
        if (!wanted(variant ? variant : "selector", argc, argv)) continue;
        ran++;
        CHECK_OK(ctx, pgemm_force_variant(ctx, variant));
        CHECK_OK(ctx, pgemm_set_precision(ctx, PGEMM_PRECISION_FP16_MIXED));
        size_t before = g_test_failures;
        double t0 = test_elapsed();
        error_vs_k(ctx, variant);
        overflow(ctx, variant);
        nan_and_inf(ctx, variant);
        tiny_values(ctx, variant);
        printf("%s: (a)-(d) %s (%.2f s)\n", variant ? variant : "selector",
               g_test_failures == before ? "ok" : "FAILED", test_elapsed() - t0);
    }
    CHECK_MSG(ran > 0, "no variant matched the names given on the command line");
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));
    if (wanted("fp32", argc, argv) || argc < 2) fp32_never_fp16(ctx, fp16_names, nfp16);
    CHECK_OK(ctx, pgemm_set_precision(ctx, PGEMM_PRECISION_FP32));
    free(fp16_names);
    pgemm_context_destroy(ctx);
    return test_finish();
}
