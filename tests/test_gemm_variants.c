/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Correctness of every kernel variant of the context's backend, forced one
 * at a time, in all 8 layout x transpose combinations.
 *
 * Not every size x scalar x ld x offset x API combination is run: for
 * variant v, case l (0 <= l < 8 * ROUNDS) takes combination l % 8 and picks
 * every other parameter from its list with an index that walks the list
 * with a step coprime to its length, so that across the 8 * ROUNDS cases of
 * each variant every size occurs as m, as n and as k, and every scalar pair,
 * padding, offset, sentinel and API is used. The rotation is shifted by v,
 * so different variants see different pairings. Deterministic.
 *
 * Then 8 * ALIGNED_ROUNDS cases per variant whose offsets, leading
 * dimensions and batch strides are all multiples of 4 elements, with sizes
 * around the large tiles (63 ... 257): the OpenCL tiled variants run those
 * in their aligned builds (float4 loads and stores), full tiles and ragged
 * edges both. Then 8 * C_ONLY_ROUNDS cases of the same sizes where C's
 * layout allows vectors and A's or B's does not: the OpenCL reg tiles store
 * C as float4s there from their unaligned build, and the fp16 mma.sync
 * tiles stage C through shared memory where ldc is not a multiple of 8.
 *
 * fp16 variants ("h16...", on backends with fp16 tiles) run every case with
 * FP16_MIXED precision, and one case in five with fp16 operands
 * (pgemm_gemm_ex); C is checked against the reference on fp16-rounded inputs.
 *
 * usage: test_gemm_variants [variant-name ...]   (default: all)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_case.h"
#include "test_util.h"

/* Sizes around every tile multiple the variants use (8, 16, 20, 24, 64, 96,
 * 128) and primes. */
static const size_t k_sizes[] = {1,  2,  3,  5,  7,  9,  11, 13, 17, 19, 21, 23,
                                 25, 31, 33, 37, 47, 49, 63, 65, 95, 97, 127, 129};
#define NSIZES (sizeof k_sizes / sizeof k_sizes[0])

static const struct {
    float alpha, beta;
} k_scalars[] = {{1.0f, 0.0f},  {1.0f, 1.0f},   {-1.0f, 0.5f}, {0.5f, -2.25f}, {-2.25f, 0.0f},
                 {1.0f, -1.0f}, {0.5f, 1.0f},   {3.0f, 0.25f}, {0.0f, 0.5f},   {0.0f, 0.0f}};
#define NSCALARS (sizeof k_scalars / sizeof k_scalars[0])

static const size_t k_pads[] = {0, 1, 3, 17};
static const size_t k_offsets[] = {0, 1, 5, 33};

/* Cases per combination per variant; 8 * ROUNDS >= NSIZES and >= NSCALARS. */
#define ROUNDS 6

/* What one variant's cases covered; checked after its run so that the
 * rotation provably hits every value of every list. */
typedef struct coverage {
    unsigned char m[NSIZES], n[NSIZES], k[NSIZES], scalars[NSCALARS], pad[4], off[4];
    unsigned char api[2], nan_sentinel[2], combo[8], fp16[2];
} coverage;

static size_t index_of(const size_t *list, size_t count, size_t value)
{
    for (size_t i = 0; i < count; i++)
        if (list[i] == value) return i;
    return 0;
}

static void cover(coverage *c, const test_gemm_case *gc, int combo)
{
    c->m[index_of(k_sizes, NSIZES, gc->m)] = 1;
    c->n[index_of(k_sizes, NSIZES, gc->n)] = 1;
    c->k[index_of(k_sizes, NSIZES, gc->k)] = 1;
    for (size_t i = 0; i < NSCALARS; i++)
        if (k_scalars[i].alpha == gc->alpha && k_scalars[i].beta == gc->beta) c->scalars[i] = 1;
    c->pad[index_of(k_pads, 4, gc->pad_a)] = c->pad[index_of(k_pads, 4, gc->pad_b)] =
        c->pad[index_of(k_pads, 4, gc->pad_c)] = 1;
    c->off[index_of(k_offsets, 4, gc->off_a)] = c->off[index_of(k_offsets, 4, gc->off_b)] =
        c->off[index_of(k_offsets, 4, gc->off_c)] = 1;
    c->api[gc->api == TEST_API_BUFFER] = 1;
    c->nan_sentinel[gc->sentinel != gc->sentinel] = 1;
    c->combo[combo] = 1;
    /* fp16 variants always run FP16_MIXED; their "fp16" slot is fp16 operands. */
    c->fp16[test_variant_is_fp16(gc->expect_variant) ? gc->half_ab != 0
                                                     : gc->precision == PGEMM_PRECISION_FP16_MIXED] = 1;
}

static void check_coverage(const coverage *c, const char *name)
{
    const unsigned char *bytes = (const unsigned char *)c;
    size_t missing = 0;
    for (size_t i = 0; i < sizeof *c; i++) missing += bytes[i] == 0;
    CHECK_MSG(missing == 0, "variant %s: the rotation missed %zu list values", name, missing);
}

static size_t gcd(size_t a, size_t b) { return b ? gcd(b, a % b) : a; }

/* The smallest step >= want that is coprime to n. */
static size_t coprime_step(size_t want, size_t n)
{
    while (gcd(want, n) != 1) want++;
    return want;
}

static void make_case(test_gemm_case *gc, size_t v, size_t l, const char *name)
{
    static size_t step_n, step_k;
    if (!step_n) {
        step_n = coprime_step(5, NSIZES);
        step_k = coprime_step(7, NSIZES);
    }
    test_gemm_case_init(gc);
    test_gemm_set_combo(gc, (int)(l % 8));
    gc->m = k_sizes[(l + 3 * v) % NSIZES];
    gc->n = k_sizes[(l * step_n + 7 + v) % NSIZES];
    gc->k = k_sizes[(l * step_k + 3 + 2 * v) % NSIZES];
    gc->alpha = k_scalars[(l + v) % NSCALARS].alpha;
    gc->beta = k_scalars[(l + v) % NSCALARS].beta;
    gc->api = ((l / 8) + (l % 8) + v) % 2 ? TEST_API_BUFFER : TEST_API_HOST;
    gc->pad_a = k_pads[(l / 2 + v) % 4];
    gc->pad_b = k_pads[(l / 3 + 1) % 4];
    gc->pad_c = k_pads[(l / 5 + 2 + v) % 4];
    gc->off_a = k_offsets[(l / 4 + v) % 4];
    gc->off_b = k_offsets[(l / 3 + 2) % 4];
    gc->off_c = k_offsets[(l / 2 + 1 + v) % 4];
    gc->sentinel = l % 3 == 1 ? NAN : -777.0f;
    /* CBLAS: beta == 0 does not read C, alpha == 0 does not read A and B. */
    gc->nan_c = gc->beta == 0.0f;
    gc->nan_ab = gc->alpha == 0.0f;
    gc->null_ab = gc->alpha == 0.0f && gc->api == TEST_API_HOST && l % 2 == 0;
    gc->precision = l % 5 == 2 ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32;
    gc->seed = 1000 * (v + 1) + l;
    gc->expect_variant = name;
    if (test_variant_is_fp16(name)) {
        /* An fp16 variant runs only with FP16_MIXED allowed, or on fp16
         * operands (buffer API); the case runner then checks C against the
         * reference on fp16-rounded inputs. */
        gc->precision = PGEMM_PRECISION_FP16_MIXED;
        if (l % 5 == 2) {
            gc->half_ab = 1;
            gc->api = TEST_API_BUFFER;
            gc->null_ab = 0;
        }
    }
}

/* Sizes for the aligned cases: full 64- and 128-tiles plus ragged edges. */
static const size_t k_aligned_sizes[] = {63, 64, 65, 127, 128, 129, 131, 200, 257};
#define NALIGNED (sizeof k_aligned_sizes / sizeof k_aligned_sizes[0])
#define ALIGNED_ROUNDS 3

/* The smallest leading dimension of a rows x cols matrix, plus pad, rounded
 * up to a multiple of 4. */
static size_t aligned_pad(pgemm_layout layout, size_t rows, size_t cols, size_t extra)
{
    size_t ld = layout == PGEMM_COL_MAJOR ? rows : cols;
    return (4 - ld % 4) % 4 + extra;
}

static void make_aligned_case(test_gemm_case *gc, size_t v, size_t l, const char *name)
{
    static const size_t extras[] = {0, 4, 16}, offsets[] = {0, 4, 36};
    make_case(gc, v, l, name);
    gc->m = k_aligned_sizes[(l + v) % NALIGNED];
    gc->n = k_aligned_sizes[(l * 2 + 3 + v) % NALIGNED];
    gc->k = k_aligned_sizes[(l * 4 + 5 + 2 * v) % NALIGNED];
    int ta = gc->ta != PGEMM_NO_TRANS, tb = gc->tb != PGEMM_NO_TRANS;
    gc->pad_a = aligned_pad(gc->layout, ta ? gc->k : gc->m, ta ? gc->m : gc->k, extras[l % 3]);
    gc->pad_b = aligned_pad(gc->layout, tb ? gc->n : gc->k, tb ? gc->k : gc->n,
                            extras[(l + 1) % 3]);
    gc->pad_c = aligned_pad(gc->layout, gc->m, gc->n, extras[(l + 2) % 3]);
    gc->off_a = offsets[(l / 3) % 3];
    gc->off_b = offsets[(l / 3 + 1) % 3];
    gc->off_c = offsets[(l / 3 + 2) % 3];
    gc->null_ab = 0;
}

/* An aligned case with A's leading dimension (even l) or B's offset (odd l)
 * moved off the multiple of 4, and both for l % 4 == 3. */
#define C_ONLY_ROUNDS 1
static void make_c_only_case(test_gemm_case *gc, size_t v, size_t l, const char *name)
{
    make_aligned_case(gc, v, l, name);
    if (l % 2 == 0 || l % 4 == 3) gc->pad_a += 1;
    if (l % 2 == 1) gc->off_b += 1;
}

static int selected(const char *name, int argc, char **argv)
{
    if (argc < 2) return 1;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name)) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    test_begin("test_gemm_variants");
    pgemm_context *ctx = test_context();

    size_t count = pgemm_variant_count(ctx);
    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));
    CHECK(count > 0);
    CHECK(count == info.variant_count);
    CHECK(pgemm_variant_name(ctx, count) == NULL);
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < i; j++)
            CHECK_MSG(strcmp(pgemm_variant_name(ctx, i), pgemm_variant_name(ctx, j)) != 0,
                      "variants %zu and %zu are both named \"%s\"", j, i,
                      pgemm_variant_name(ctx, i));

    test_gemm_stats all = {0};
    size_t ran = 0;
    for (size_t v = 0; v < count; v++) {
        const char *name = pgemm_variant_name(ctx, v);
        REQUIRE(name && *name);
        if (!selected(name, argc, argv)) continue;
        ran++;
        CHECK_OK(ctx, pgemm_force_variant(ctx, name));
        test_gemm_stats st = {0};
        coverage cov;
        memset(&cov, 0, sizeof cov);
        double t0 = test_elapsed();
        for (size_t l = 0; l < 8 * ROUNDS; l++) {
            test_gemm_case gc;
            make_case(&gc, v, l, name);
            cover(&cov, &gc, (int)(l % 8));
            test_gemm_run(ctx, &gc, &st);
        }
        check_coverage(&cov, name);
        for (size_t l = 0; l < 8 * ALIGNED_ROUNDS; l++) {
            test_gemm_case gc;
            make_aligned_case(&gc, v, l, name);
            test_gemm_run(ctx, &gc, &st);
        }
        for (size_t l = 0; l < 8 * C_ONLY_ROUNDS; l++) {
            test_gemm_case gc;
            make_c_only_case(&gc, v, l, name);
            test_gemm_run(ctx, &gc, &st);
        }
        char label[96];
        snprintf(label, sizeof label, "variant %s (%.2f s)", name, test_elapsed() - t0);
        test_gemm_print_stats(label, &st);
        test_gemm_stats_merge(&all, &st);
    }
    CHECK_MSG(ran > 0, "no variant matched the names given on the command line");
    test_gemm_print_stats("all variants", &all);
    pgemm_context_destroy(ctx);
    return test_finish();
}
