/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bounded fuzzer of the GEMM API: random calls from a fixed seed, for at
 * most a given number of calls and seconds, each checked.
 *
 *  - Valid calls, random in every argument (layout, transposes, sizes 0-48,
 *    leading-dimension padding, offsets, alpha and beta among 0, 1, -1,
 *    NaN, inf and random values, NaN in C where beta == 0, NaN or NULL A and
 *    B where they are not read, host, buffer, batched and typed APIs, batches
 *    with gaps and zero strides, FP16_MIXED allowed; one call in three on a
 *    variant forced at random, one in four split along K): run through the GEMM
 *    case runner (gemm_case.c), which checks C against the fp64 reference,
 *    A and B unchanged and every element around the matrices bit for bit.
 *  - Invalid calls: a valid call with one argument broken (an enum out of
 *    range, a leading dimension one short or zero, a missing operand, a
 *    buffer one element too small, an offset or size whose extent overflows
 *    size_t, an empty or overlapping batch, a bad datatype, a NULL context,
 *    a buffer of another context): each must fail with
 *    INVALID_ARGUMENT, a message, and every byte of A, B and C (host arrays
 *    and device buffers) as it was.
 *  - Absurd sizes through the host API (m, n or k near SIZE_MAX or 2^40 with
 *    matching leading dimensions over small arrays): the call must fail
 *    (the library cannot know the arrays' sizes, but must never read or
 *    allocate that much) and leave C alone.
 *
 * Prints how many calls of each class ran.
 *
 * usage: test_fuzz_api [SEED [MAX_CALLS [SECONDS]]]   (defaults: 1, 4000, 60)
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_case.h"
#include "pgemm_ref.h"
#include "test_util.h"

static uint64_t g_rng;

static size_t below(size_t n) { return (size_t)pgemm_random_below(&g_rng, n); }

/* alpha and beta: specials, and random values in [-4, 4]. NaN and infinite
 * values appear only where their result is the same in any order of
 * summation: an infinite alpha times a sum near 0 could take either sign.
 * Subnormals are left out: OpenCL devices may flush them to zero. */
static float pick_scalar(int may_be_odd)
{
    static const float specials[] = {0.0f, 1.0f, -1.0f, 0.5f, 2.0f};
    size_t r = below(20);
    if (r < 5) return specials[r];
    if (may_be_odd && r == 5) return NAN;
    if (may_be_odd && r == 6) return INFINITY;
    if (may_be_odd && r == 7) return -INFINITY;
    return (float)below(2001) / 250.0f - 4.0f;
}

static size_t pick_size(void)
{
    size_t r = below(10);
    if (r == 0) return 0;
    if (r == 1) return 1;
    if (r < 4) return 1 + below(8);
    return 1 + below(48);
}

/* ------------------------------------------------------------ valid calls */

static void valid_call(pgemm_context *ctx, const pgemm_info *info, test_gemm_stats *st,
                       size_t *ran)
{
    test_gemm_case gc;
    test_gemm_case_init(&gc);
    test_gemm_set_combo(&gc, (int)below(8));
    gc.m = pick_size();
    gc.n = pick_size();
    gc.k = pick_size();
    gc.beta = pick_scalar(1);
    gc.alpha = pick_scalar(gc.k == 0 || below(4) == 0);
    if (gc.k > 0 && isinf(gc.alpha)) gc.alpha = NAN;
    gc.api = (test_api)below(3);
    gc.pad_a = below(3) ? 0 : below(9);
    gc.pad_b = below(3) ? 0 : below(9);
    gc.pad_c = below(3) ? 0 : below(9);
    if (gc.api != TEST_API_HOST) {
        gc.off_a = below(2) ? 0 : below(40);
        gc.off_b = below(2) ? 0 : below(40);
        gc.off_c = below(2) ? 0 : below(40);
    }
    if (gc.api == TEST_API_BATCHED) {
        gc.batch = 1 + below(4);
        gc.gap_a = below(5);
        gc.gap_b = below(5);
        gc.gap_c = below(5);
        gc.zero_stride_a = below(4) == 0;
        gc.zero_stride_b = below(4) == 0;
    }
    gc.sentinel = below(2) ? NAN : -777.0f;
    gc.nan_c = gc.beta == 0.0f && below(2);
    gc.nan_ab = (gc.alpha == 0.0f || gc.k == 0) && below(2);
    gc.null_ab = gc.api == TEST_API_HOST && (gc.alpha == 0.0f || gc.k == 0) && below(2);
    gc.typed_api = gc.api != TEST_API_HOST && below(4) == 0;
    if (info->has_fp16_tiles && gc.api != TEST_API_HOST && below(4) == 0) {
        gc.half_ab = 1;
        gc.typed_api = 1;
    }
    gc.precision = below(4) == 0 ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32;
    gc.seed = g_rng;
    /* One call in three on a variant of the fuzzer's choice, not the
     * selector's, so that every kernel meets the odd arguments. */
    size_t count = pgemm_variant_count(ctx);
    const char *forced = below(3) == 0 ? pgemm_variant_name(ctx, below(count)) : NULL;
    if (forced && !test_variant_is_fp16(forced) && gc.half_ab) forced = NULL;
    if (forced && test_variant_is_fp16(forced)) gc.precision = PGEMM_PRECISION_FP16_MIXED;
    CHECK_OK(ctx, pgemm_force_variant(ctx, forced));
    gc.expect_variant = forced;
    /* One call in four split along K into 2 to 6 parts (batched ones and
     * k < 2 are not split, and must still come out right). */
    CHECK_OK(ctx, pgemm_set_split_k(ctx, below(4) == 0 ? 2 + below(5) : 0));
    /* A NaN or infinite alpha or beta makes C NaN or infinite where it
     * multiplies something: the runner compares those bit-exactly with the
     * reference, which follows the same rules. */
    test_gemm_run(ctx, &gc, st);
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));
    CHECK_OK(ctx, pgemm_set_split_k(ctx, 0));
    (*ran)++;
}

/* ---------------------------------------------------------- invalid calls */

enum {
    BAD_LAYOUT, BAD_TRANS_A, BAD_TRANS_B, LDA_SHORT, LDB_SHORT, LDC_SHORT, LD_ZERO, NULL_C,
    NULL_A, BUFFER_SHORT, OFFSET_OVERFLOW, BATCH_ZERO, BATCH_OVERLAP, BAD_TYPE, NULL_CTX,
    FOREIGN_BUFFER, HUGE_HOST, N_KINDS
};
static const char *const k_kind_names[N_KINDS] = {
    "layout", "trans_a", "trans_b", "lda short", "ldb short", "ldc short", "ld zero", "C NULL",
    "A NULL", "buffer short", "extent overflow", "batch 0", "batch overlap", "datatype",
    "NULL context", "foreign buffer", "huge host sizes"};

/* A call's arguments, in the caller's terms. */
typedef struct call {
    int api; /* 0 host, 1 buffer, 2 batched, 3 typed */
    pgemm_layout layout;
    pgemm_transpose ta, tb;
    size_t m, n, k, lda, ldb, ldc, off_a, off_b, off_c, sa, sb, sc, batch;
    float alpha, beta;
    pgemm_datatype at, bt;
} call;

/* Elements a rows x cols operand stored with leading dimension ld spans. */
static size_t span(pgemm_layout L, size_t rows, size_t cols, size_t ld)
{
    if (rows == 0 || cols == 0) return 0;
    return L == PGEMM_COL_MAJOR ? (cols - 1) * ld + rows : (rows - 1) * ld + cols;
}

static size_t min_ld(pgemm_layout L, size_t rows, size_t cols)
{
    size_t run = L == PGEMM_COL_MAJOR ? rows : cols;
    return run > 1 ? run : 1;
}

static void shapes(const call *c, size_t *ar, size_t *ac, size_t *br, size_t *bc)
{
    *ar = c->ta == PGEMM_TRANS ? c->k : c->m;
    *ac = c->ta == PGEMM_TRANS ? c->m : c->k;
    *br = c->tb == PGEMM_TRANS ? c->n : c->k;
    *bc = c->tb == PGEMM_TRANS ? c->k : c->n;
}

static uint64_t checksum(const void *p, size_t bytes)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < bytes; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

typedef struct side {
    float *a, *b, *c;
    size_t na, nb, nc;
    pgemm_buffer *da, *db, *dc;
} side;

static pgemm_status issue(pgemm_context *ctx, const call *c, side *s, int null_a, int null_c,
                          pgemm_buffer *foreign)
{
    if (c->api == 0)
        return pgemm_sgemm_host(ctx, c->layout, c->ta, c->tb, c->m, c->n, c->k, c->alpha,
                                null_a ? NULL : s->a, c->lda, s->b, c->ldb, c->beta,
                                null_c ? NULL : s->c, c->ldc);
    const pgemm_buffer *a = null_a ? NULL : foreign ? foreign : s->da;
    pgemm_buffer *cb = null_c ? NULL : s->dc;
    if (c->api == 1)
        return pgemm_sgemm(ctx, c->layout, c->ta, c->tb, c->m, c->n, c->k, c->alpha, a,
                           c->off_a, c->lda, s->db, c->off_b, c->ldb, c->beta, cb, c->off_c,
                           c->ldc);
    if (c->api == 2)
        return pgemm_sgemm_strided_batched(ctx, c->layout, c->ta, c->tb, c->m, c->n, c->k,
                                           c->alpha, a, c->off_a, c->lda, c->sa, s->db,
                                           c->off_b, c->ldb, c->sb, c->beta, cb, c->off_c,
                                           c->ldc, c->sc, c->batch);
    return pgemm_gemm_strided_batched_ex(ctx, c->layout, c->ta, c->tb, c->m, c->n, c->k,
                                         c->alpha, a, c->at, c->off_a, c->lda, c->sa, s->db,
                                         c->bt, c->off_b, c->ldb, c->sb, c->beta, cb, c->off_c,
                                         c->ldc, c->sc, c->batch);
}

/* A valid call of small sizes (m, n, k >= 1 so that every rule applies). */
static void base_call(call *c, int api)
{
    memset(c, 0, sizeof *c);
    c->api = api;
    c->layout = below(2) ? PGEMM_ROW_MAJOR : PGEMM_COL_MAJOR;
    c->ta = below(2) ? PGEMM_TRANS : PGEMM_NO_TRANS;
    c->tb = below(2) ? PGEMM_TRANS : PGEMM_NO_TRANS;
    c->m = 2 + below(12);
    c->n = 2 + below(12);
    c->k = 2 + below(12);
    size_t ar, ac, br, bc;
    shapes(c, &ar, &ac, &br, &bc);
    c->lda = min_ld(c->layout, ar, ac) + below(3);
    c->ldb = min_ld(c->layout, br, bc) + below(3);
    c->ldc = min_ld(c->layout, c->m, c->n) + below(3);
    c->alpha = 1.5f;
    c->beta = 0.5f;
    c->batch = api >= 2 ? 1 + below(3) : 1;
    c->sa = span(c->layout, ar, ac, c->lda) + below(3);
    c->sb = span(c->layout, br, bc, c->ldb) + below(3);
    c->sc = span(c->layout, c->m, c->n, c->ldc) + below(3);
    if (api >= 1) {
        c->off_a = below(5);
        c->off_b = below(5);
        c->off_c = below(5);
    }
    c->at = c->bt = PGEMM_F32;
}

/* Elements an operand needs in its buffer: offset + the batch's extent. */
static size_t need(size_t off, size_t stride, size_t batch, size_t one)
{
    return off + (batch - 1) * stride + one;
}

static int invalid_call(pgemm_context *ctx, pgemm_context *other, int kind, size_t *ran)
{
    call c;
    int api = (int)below(4);
    if (kind == NULL_CTX || kind == HUGE_HOST) api = 0;
    if (kind == BUFFER_SHORT || kind == OFFSET_OVERFLOW || kind == FOREIGN_BUFFER) api = 1 + (int)below(3);
    if (kind == BATCH_ZERO || kind == BATCH_OVERLAP) api = 2 + (int)below(2);
    if (kind == BAD_TYPE) api = 3;
    base_call(&c, api);
    if (kind == BATCH_OVERLAP && c.batch < 2) c.batch = 2;
    size_t ar, ac, br, bc;
    shapes(&c, &ar, &ac, &br, &bc);
    size_t one_a = span(c.layout, ar, ac, c.lda), one_b = span(c.layout, br, bc, c.ldb);
    size_t one_c = span(c.layout, c.m, c.n, c.ldc);
    side s = {0};
    s.na = need(c.off_a, c.sa, c.batch, one_a) + 8;
    s.nb = need(c.off_b, c.sb, c.batch, one_b) + 8;
    s.nc = need(c.off_c, c.sc, c.batch, one_c) + 8;
    s.a = malloc(s.na * 4);
    s.b = malloc(s.nb * 4);
    s.c = malloc(s.nc * 4);
    REQUIRE(s.a && s.b && s.c);
    pgemm_fill_random(s.a, s.na, &g_rng);
    pgemm_fill_random(s.b, s.nb, &g_rng);
    pgemm_fill_random(s.c, s.nc, &g_rng);
    pgemm_buffer *foreign = NULL;
    int null_a = 0, null_c = 0;
    const char *want = NULL; /* a fragment the message must hold */
    switch (kind) {
    case BAD_LAYOUT: c.layout = (pgemm_layout)(below(2) ? 0 : 103 + (int)below(100)); want = "layout"; break;
    case BAD_TRANS_A: c.ta = (pgemm_transpose)(113 + (int)below(5)); want = "ta ("; break;
    case BAD_TRANS_B: c.tb = (pgemm_transpose)(below(2) ? -1 : 110); want = "tb ("; break;
    case LDA_SHORT: c.lda = min_ld(c.layout, ar, ac) - 1; want = "lda"; break;
    case LDB_SHORT: c.ldb = min_ld(c.layout, br, bc) - 1; want = "ldb"; break;
    case LDC_SHORT: c.ldc = min_ld(c.layout, c.m, c.n) - 1; want = "ldc"; break;
    case LD_ZERO: c.lda = 0; want = "lda"; break;
    case NULL_C: null_c = 1; want = "C"; break;
    case NULL_A: null_a = 1; want = "A"; break;
    case BUFFER_SHORT: {
        /* C's buffer one element short of its last element. */
        c.off_c = s.nc - (need(0, c.sc, c.batch, one_c)) + 1;
        want = "C";
        break;
    }
    case OFFSET_OVERFLOW:
        if (below(2)) c.off_b = SIZE_MAX - below(4);
        else c.lda = SIZE_MAX / 2 + below(1000);
        want = "";
        break;
    case BATCH_ZERO: c.batch = 0; want = "batch_count"; break;
    case BATCH_OVERLAP: c.sc = one_c - 1; want = "stride_c"; break;
    case BAD_TYPE:
        if (below(2)) c.at = (pgemm_datatype)(2 + (int)below(5));
        else c.bt = (pgemm_datatype)-1;
        want = "_type (";
        break;
    case NULL_CTX: break;
    case FOREIGN_BUFFER: want = "context"; break;
    case HUGE_HOST: {
        static const size_t huge[] = {SIZE_MAX, SIZE_MAX / 2, (size_t)1 << 62, (size_t)1 << 40,
                                      (size_t)1 << 33};
        size_t h = huge[below(5)];
        size_t which = below(3);
        if (which == 0) c.m = h;
        else if (which == 1) c.n = h;
        else c.k = h;
        shapes(&c, &ar, &ac, &br, &bc);
        c.lda = min_ld(c.layout, ar, ac);
        c.ldb = min_ld(c.layout, br, bc);
        c.ldc = min_ld(c.layout, c.m, c.n);
        break;
    }
    }
    if (api >= 1) {
        pgemm_context *owner = ctx;
        REQUIRE(pgemm_buffer_create(owner, s.na * 4, &s.da) == PGEMM_SUCCESS);
        REQUIRE(pgemm_buffer_create(owner, s.nb * 4, &s.db) == PGEMM_SUCCESS);
        REQUIRE(pgemm_buffer_create(owner, s.nc * 4, &s.dc) == PGEMM_SUCCESS);
        REQUIRE(pgemm_buffer_write(s.da, 0, s.na * 4, s.a) == PGEMM_SUCCESS);
        REQUIRE(pgemm_buffer_write(s.db, 0, s.nb * 4, s.b) == PGEMM_SUCCESS);
        REQUIRE(pgemm_buffer_write(s.dc, 0, s.nc * 4, s.c) == PGEMM_SUCCESS);
        if (kind == FOREIGN_BUFFER)
            REQUIRE(pgemm_buffer_create(other, s.na * 4, &foreign) == PGEMM_SUCCESS);
    }
    uint64_t ha = checksum(s.a, s.na * 4), hb = checksum(s.b, s.nb * 4), hc = checksum(s.c, s.nc * 4);
    pgemm_status st = issue(kind == NULL_CTX ? NULL : ctx, &c, &s, null_a, null_c, foreign);
    const char *msg = kind == NULL_CTX ? "(no context)" : pgemm_last_error(ctx);
    int ok = 1;
    if (kind == HUGE_HOST) {
        CHECK_MSG(st != PGEMM_SUCCESS, "%s: m=%zu n=%zu k=%zu succeeded over small arrays",
                  k_kind_names[kind], c.m, c.n, c.k);
        ok = st != PGEMM_SUCCESS;
    } else {
        CHECK_MSG(st == PGEMM_ERROR_INVALID_ARGUMENT, "%s (api %d, m=%zu n=%zu k=%zu): status %s, "
                  "want invalid argument; message: %s", k_kind_names[kind], api, c.m, c.n, c.k,
                  pgemm_status_string(st), msg);
        ok = st == PGEMM_ERROR_INVALID_ARGUMENT;
    }
    if (kind != NULL_CTX) {
        CHECK_MSG(msg[0] != '\0', "%s: failed without a message", k_kind_names[kind]);
        if (want && *want && ok) CHECK_CONTAINS(msg, want);
    }
    CHECK_MSG(checksum(s.a, s.na * 4) == ha && checksum(s.b, s.nb * 4) == hb &&
                  checksum(s.c, s.nc * 4) == hc,
              "%s: a failed call changed host memory", k_kind_names[kind]);
    if (api >= 1) {
        float *back = malloc(s.nc * 4);
        REQUIRE(back);
        REQUIRE(pgemm_buffer_read(s.dc, 0, s.nc * 4, back) == PGEMM_SUCCESS);
        CHECK_MSG(checksum(back, s.nc * 4) == hc, "%s: a failed call changed the C buffer",
                  k_kind_names[kind]);
        free(back);
        float *back_a = malloc(s.na * 4), *back_b = malloc(s.nb * 4);
        REQUIRE(back_a && back_b);
        REQUIRE(pgemm_buffer_read(s.da, 0, s.na * 4, back_a) == PGEMM_SUCCESS);
        REQUIRE(pgemm_buffer_read(s.db, 0, s.nb * 4, back_b) == PGEMM_SUCCESS);
        CHECK_MSG(checksum(back_a, s.na * 4) == ha && checksum(back_b, s.nb * 4) == hb,
                  "%s: a failed call changed the A or B buffer", k_kind_names[kind]);
        free(back_a);
        free(back_b);
        pgemm_buffer_destroy(s.da);
        pgemm_buffer_destroy(s.db);
        pgemm_buffer_destroy(s.dc);
        pgemm_buffer_destroy(foreign);
    }
    free(s.a);
    free(s.b);
    free(s.c);
    ran[kind]++;
    return ok;
}

int main(int argc, char **argv)
{
    test_begin("test_fuzz_api");
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    size_t max_calls = argc > 2 ? strtoull(argv[2], NULL, 10) : 4000;
    double seconds = argc > 3 ? atof(argv[3]) : 60.0;
    REQUIRE(max_calls > 0 && seconds > 0);
    g_rng = seed * 0x9e3779b97f4a7c15ull + 1;
    pgemm_context *ctx = test_context();
    pgemm_options o;
    pgemm_options_init(&o);
    pgemm_context *other = test_context_opts(&o, 1);
    REQUIRE(other);
    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));

    size_t valid = 0, ran[N_KINDS] = {0}, calls = 0;
    test_gemm_stats st = {0};
    while (calls < max_calls && test_elapsed() < seconds) {
        if (below(2)) valid_call(ctx, &info, &st, &valid);
        else invalid_call(ctx, other, (int)below(N_KINDS), ran);
        calls++;
        if (g_test_failures > 20) break;
    }
    test_gemm_print_stats("valid calls", &st);
    size_t invalid = 0;
    printf("test_fuzz_api: seed %llu, %zu calls in %.1f s: %zu valid, checked against the "
           "reference;", (unsigned long long)seed, calls, test_elapsed(), valid);
    for (int k = 0; k < N_KINDS; k++) invalid += ran[k];
    printf(" %zu invalid:", invalid);
    for (int k = 0; k < N_KINDS; k++) printf("%s %s %zu", k ? "," : "", k_kind_names[k], ran[k]);
    printf("\n");
    CHECK_MSG(valid > 0 && invalid > 0, "the time limit left no calls of one class");
    pgemm_context_destroy(other);
    pgemm_context_destroy(ctx);
    return test_finish();
}
