/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the selector knows of operand layout, and how regret counts repeated
 * measurements, without a GPU:
 *
 *   a) pgemm_shape_packed_vectors: the vector bits of gap-free operands,
 *      per transpose;
 *   b) the features carry shape->vectors (all three, and each operand);
 *   c) a model trained where one variant is fast only when every operand
 *      allows vector accesses picks it exactly there, and the selector's
 *      decision cache keeps apart two calls that differ only in layout;
 *   d) pgemm_regret_of over several passes: one entry per shape, each
 *      pass scored on its own, the median over the passes.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "selector/features.h"
#include "selector/model.h"
#include "selector/selector.h"
#include "test_util.h"

enum { NV = 2, SHAPES = 160 };

static const pgemm_variant_desc g_desc[NV] = {
    {"t32", "tile", 32, 32, 8, 8, 8, 4, 4, 2, 2048, 0, 0, "fma", 0, 0, 1, PGEMM_TRAIT_LOCAL_TILES},
    {"t64v", "tile", 64, 64, 16, 16, 16, 4, 4, 4, 8192, 1, 0, "fma", 0, 0, 4,
     PGEMM_TRAIT_LOCAL_TILES},
};
static const pgemm_variant_desc *g_var[NV] = {&g_desc[0], &g_desc[1]};
static const pgemm_info g_info = {.backend = PGEMM_BACKEND_OPENCL, .backend_name = "opencl",
                                  .device = "Test GPU", .driver = "1.0", .compute_units = 16};

static void packed_vectors(void)
{
    static const struct {
        size_t m, n, k;
        int ta, tb;
        unsigned want;
    } cases[] = {
        {8, 5, 12, 0, 0, PGEMM_VECTORS_A | PGEMM_VECTORS_B | PGEMM_VECTORS_C},
        {6, 8, 8, 0, 0, PGEMM_VECTORS_B},                   /* lda = ldc = 6 */
        {8, 6, 5, 1, 1, PGEMM_VECTORS_C},                   /* lda = k = 5, ldb = n = 6 */
        {8, 12, 7, 0, 1, 7u},                               /* k odd, but no ld is k */
        {9, 12, 8, 1, 0, PGEMM_VECTORS_A | PGEMM_VECTORS_B}, /* ldc = 9 */
        {9, 7, 3, 0, 0, 0u},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pgemm_shape s = {cases[i].m, cases[i].n, cases[i].k, 1, cases[i].ta, cases[i].tb, 0, 0, 0};
        unsigned got = pgemm_shape_packed_vectors(&s);
        CHECK_MSG(got == cases[i].want, "%zux%zux%zu t%d%d: vector bits %u, want %u", s.m, s.n,
                  s.k, s.trans_a, s.trans_b, got, cases[i].want);
    }
}

static void features_carry_vectors(void)
{
    pgemm_shape s = {100, 200, 300, 1, 0, 0, 0, 0, 0};
    double f[PGEMM_FEATURES];
    for (unsigned bits = 0; bits < 8; bits++) {
        s.vectors = bits;
        pgemm_features(g_var[0], &s, g_info.compute_units, f);
        CHECK_MSG(f[14] == (bits == 7u) && f[15] == !!(bits & PGEMM_VECTORS_A) &&
                      f[16] == !!(bits & PGEMM_VECTORS_B) && f[17] == !!(bits & PGEMM_VECTORS_C),
                  "vectors %u: features 14-17 are %g %g %g %g", bits, f[14], f[15], f[16], f[17]);
    }
}

/* "Measured" GFLOP/s: t64v runs at twice t32's speed when every operand
 * allows vector accesses, and at half of it otherwise. */
static double speed(size_t v, const pgemm_shape *s)
{
    double base = 1000.0 * log2((double)(s->m * s->n));
    if (v == 0) return base;
    return s->vectors == 7u ? 2 * base : 0.5 * base;
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static pgemm_shape random_shape(uint64_t *st)
{
    pgemm_shape s = {64 + lcg(st) % 2000, 64 + lcg(st) % 2000, 64 + lcg(st) % 2000, 1,
                     (int)(lcg(st) & 1), (int)(lcg(st) & 1), 0, 0, 0};
    s.vectors = (unsigned)(lcg(st) % 8);
    return s;
}

static void layout_decides(void)
{
    pgemm_sample *s = calloc(SHAPES * NV, sizeof *s);
    REQUIRE(s);
    uint64_t st = 5;
    for (size_t i = 0; i < SHAPES; i++) {
        pgemm_shape sh = random_shape(&st);
        for (size_t v = 0; v < NV; v++) {
            s[i * NV + v].shape = sh;
            s[i * NV + v].variant = v;
            s[i * NV + v].gflops = speed(v, &sh);
        }
    }
    pgemm_model_key key;
    pgemm_selector_key(&key, g_var, NV, &g_info, 0);
    pgemm_train_options o;
    pgemm_train_defaults(&o);
    o.family = PGEMM_MODEL_GBT;
    pgemm_err err = {{0}};
    pgemm_model *m = pgemm_model_fit(&key, g_var, NV, s, SHAPES * NV, &o, NULL, &err);
    free(s);
    CHECK_MSG(m != NULL, "training failed: %s", err.msg);
    if (!m) return;

    pgemm_selector sel;
    memset(&sel, 0, sizeof sel);
    sel.p[0].model = m;
    sel.p[0].map[0] = 0;
    sel.p[0].map[1] = 1;
    pgemm_text_copy(sel.p[0].source, sizeof sel.p[0].source, "model test");
    st = 77;
    for (int i = 0; i < 40; i++) {
        pgemm_shape sh = random_shape(&st);
        /* The same sizes with every layout, twice: the second round comes
         * from the cache and must still follow the layout. */
        for (int round = 0; round < 2; round++)
            for (unsigned bits = 0; bits < 8; bits++) {
                sh.vectors = bits;
                pgemm_selection got;
                pgemm_select(&sel, g_var, NV, &sh, &g_info, &got);
                size_t want = bits == 7u ? 1 : 0;
                CHECK_MSG(got.variant == want, "%zux%zux%zu vectors %u (round %d): ran %s (%s)",
                          sh.m, sh.n, sh.k, bits, round, g_desc[got.variant].name, got.why);
            }
    }
    pgemm_selector_free(&sel);
}

/* Picks variant 1 on shapes with m = 464, else variant 0. */
static size_t choose_by_m(const pgemm_shape *s, void *ctx)
{
    (void)ctx;
    return s->m == 464 ? 1 : 0;
}

static void regret_over_passes(void)
{
    /* Three shapes, three passes, written pass after pass: {v0, v1}. */
    pgemm_shape a = {100, 100, 100, 1, 0, 0, 0, 0, 7};
    pgemm_shape b = {300, 50, 20, 1, 1, 0, 0, 0, 0};
    pgemm_shape c = {464, 112, 8, 1, 1, 0, 0, 0, 0};
    const double runs[3][3][2] = {
        /* a: v0 wins passes 1 and 2 (the pick: 1, 1, 10/11): median 1. */
        {{12, 11}, {100, 11}, {10, 11}},
        /* b: v0 failed once (0), then half of v1: median 0.5. */
        {{0, 60}, {30, 60}, {30, 60}},
        /* c: the device runs at another speed in each pass; the pick v1
         * scores 66/102, 93/101, 76/80 in its passes: median 93/101. A
         * median of each variant over the passes would mix passes: 76/101. */
        {{102, 66}, {101, 93}, {80, 76}},
    };
    const pgemm_shape *shape[3] = {&a, &b, &c};
    pgemm_sample s[18];
    size_t n = 0;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < 3; i++)
            for (size_t v = 0; v < NV; v++) {
                s[n].shape = *shape[i];
                s[n].variant = v;
                s[n++].gflops = runs[i][pass][v];
            }
    pgemm_regret_stats r;
    pgemm_regret_of(s, n, choose_by_m, NULL, &r);
    double want_geo = cbrt(1.0 * 0.5 * (93.0 / 101.0));
    CHECK_MSG(r.shapes == 3, "%zu shapes counted, want 3", r.shapes);
    CHECK_MSG(fabs(r.worst - 0.5) < 1e-12 && fabs(r.geomean - want_geo) < 1e-12 &&
                  fabs(r.exact - 1.0 / 3) < 1e-12,
              "worst %g, geomean %.9g, exact %g; want 0.5, %.9g, 1/3", r.worst, r.geomean,
              r.exact, want_geo);
    /* One pass alone: the plain ratios, 10/11, 30/60 and 76/80. */
    pgemm_regret_of(s + 12, 6, choose_by_m, NULL, &r);
    want_geo = cbrt(10.0 / 11 * 0.5 * (76.0 / 80));
    CHECK_MSG(r.shapes == 3 && fabs(r.geomean - want_geo) < 1e-12 && r.exact == 0,
              "third pass: %zu shapes, geomean %.9g, exact %g; want 3, %.9g, 0", r.shapes,
              r.geomean, r.exact, want_geo);
}

int main(void)
{
    test_begin("test_selector_vectors");
    packed_vectors();
    features_carry_vectors();
    layout_decides();
    regret_over_passes();
    return test_finish();
}
