/* SPDX-License-Identifier: BSD-3-Clause */
#define _POSIX_C_SOURCE 200809L
#include "gemm_case.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgemm_ref.h"
#include "test_util.h"

#define TAIL 13 /* sentinel elements after the last matrix */

void test_gemm_case_init(test_gemm_case *gc)
{
    memset(gc, 0, sizeof *gc);
    gc->layout = PGEMM_COL_MAJOR;
    gc->ta = gc->tb = PGEMM_NO_TRANS;
    gc->m = gc->n = gc->k = 1;
    gc->alpha = 1.0f;
    gc->beta = 0.0f;
    gc->api = TEST_API_HOST;
    gc->batch = 1;
    gc->sentinel = -777.0f;
    gc->seed = 1;
    gc->precision = PGEMM_PRECISION_FP32;
    gc->tol = 2.0;
}

void test_gemm_set_combo(test_gemm_case *gc, int combo)
{
    gc->layout = (combo & 4) ? PGEMM_ROW_MAJOR : PGEMM_COL_MAJOR;
    gc->ta = (combo & 2) ? PGEMM_TRANS : PGEMM_NO_TRANS;
    gc->tb = (combo & 1) ? PGEMM_TRANS : PGEMM_NO_TRANS;
}

const char *test_combo_name(int combo)
{
    static const char *names[8] = {"col NN", "col NT", "col TN", "col TT",
                                   "row NN", "row NT", "row TN", "row TT"};
    return names[combo & 7];
}

static const char *api_name(test_api api)
{
    return api == TEST_API_HOST ? "host" : api == TEST_API_BUFFER ? "buffer" : "batched";
}

const char *test_gemm_describe(const test_gemm_case *gc, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "[%s %s%s m=%zu n=%zu k=%zu alpha=%g beta=%g api=%s batch=%zu ld+=%zu/%zu/%zu "
             "off=%zu/%zu/%zu gap=%zu/%zu/%zu stride0=%d/%d nanC=%d nanAB=%d nullAB=%d "
             "sentinel=%g prec=%s types=%s/%s%s epilogue=%s/%s off=%zu gap=%zu stride0=%d "
             "variant=%s seed=%llu]",
             gc->layout == PGEMM_ROW_MAJOR ? "row" : "col", gc->ta == PGEMM_TRANS ? "T" : "N",
             gc->tb == PGEMM_TRANS ? "T" : "N", gc->m, gc->n, gc->k, gc->alpha, gc->beta,
             api_name(gc->api), gc->batch, gc->pad_a, gc->pad_b, gc->pad_c, gc->off_a, gc->off_b,
             gc->off_c, gc->gap_a, gc->gap_b, gc->gap_c, gc->zero_stride_a, gc->zero_stride_b,
             gc->nan_c, gc->nan_ab, gc->null_ab, gc->sentinel,
             gc->precision == PGEMM_PRECISION_FP16_MIXED ? "fp16" : "fp32",
             test_gemm_a_type(gc) == PGEMM_F16 ? "f16" : "f32",
             test_gemm_b_type(gc) == PGEMM_F16 ? "f16" : "f32", gc->typed_api ? " ex" : "",
             pgemm_bias_name(gc->bias) ? pgemm_bias_name(gc->bias) : "?",
             pgemm_activation_name(gc->activation) ? pgemm_activation_name(gc->activation) : "?",
             gc->off_bias, gc->gap_bias, gc->zero_stride_bias,
             gc->expect_variant ? gc->expect_variant : "(any)", (unsigned long long)gc->seed);
    return buf;
}

/* An operand as stored: `runs` runs of `run` elements, `ld` apart, matrix z
 * at off + z * stride, inside an array of `total` elements. */
typedef struct plan {
    size_t run, runs, ld, span, stride, off, total, count;
} plan;

static plan make_plan(pgemm_layout layout, size_t rows, size_t cols, size_t pad, size_t off,
                      size_t gap, int zero_stride, size_t batch)
{
    plan p;
    p.run = layout == PGEMM_COL_MAJOR ? rows : cols;
    p.runs = layout == PGEMM_COL_MAJOR ? cols : rows;
    p.ld = (p.run ? p.run : 1) + pad;
    p.span = p.run && p.runs ? p.ld * (p.runs - 1) + p.run : 0;
    p.stride = zero_stride ? 0 : p.span + gap;
    p.off = off;
    p.count = zero_stride ? 1 : batch;
    p.total = off + (batch - 1) * p.stride + p.span + TAIL;
    return p;
}

/* Fills the array with the sentinel and the windows with random values
 * (or NaN); marks the windows in mask (may be NULL). */
static void fill(float *x, unsigned char *mask, const plan *p, float sentinel, int nan,
                 uint64_t *seed)
{
    for (size_t i = 0; i < p->total; i++) x[i] = sentinel;
    if (mask) memset(mask, 0, p->total);
    float v;
    for (size_t z = 0; z < p->count; z++)
        for (size_t s = 0; s < p->runs; s++)
            for (size_t r = 0; r < p->run; r++) {
                size_t idx = p->off + z * p->stride + s * p->ld + r;
                if (nan) v = NAN;
                else pgemm_fill_random(&v, 1, seed);
                x[idx] = v;
                if (mask) mask[idx] = 1;
            }
}

/* Index of the first element that differs bitwise, or SIZE_MAX. */
static size_t first_diff(const float *x, const float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!test_same_bits(x[i], y[i])) return i;
    return (size_t)-1;
}

static void fail_case(const test_gemm_case *gc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail_case(const test_gemm_case *gc, const char *fmt, ...)
{
    char what[512], desc[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    test_fail_at(__FILE__, __LINE__, "%s %s", what, test_gemm_describe(gc, desc, sizeof desc));
}

int test_gemm_has_epilogue(const test_gemm_case *gc)
{
    return gc->activation != PGEMM_ACTIVATION_NONE || gc->bias != PGEMM_BIAS_NONE;
}

pgemm_datatype test_gemm_a_type(const test_gemm_case *gc)
{
    return gc->half_ab || gc->half_a ? PGEMM_F16 : PGEMM_F32;
}

pgemm_datatype test_gemm_b_type(const test_gemm_case *gc)
{
    return gc->half_ab || gc->half_b ? PGEMM_F16 : PGEMM_F32;
}

int test_variant_is_fp16(const char *name)
{
    return name && strncmp(name, "h16", 3) == 0;
}

/* Writes a host array into a fresh buffer. */
static int make_buffer(pgemm_context *ctx, const void *x, size_t bytes, pgemm_buffer **out)
{
    *out = NULL;
    if (pgemm_buffer_create(ctx, bytes, out) != PGEMM_SUCCESS) return 0;
    return pgemm_buffer_write(*out, 0, bytes, x) == PGEMM_SUCCESS;
}

/* An A or B operand: its values as floats (v0: before, v: read back) and,
 * for an fp16 operand, as halves (h0, h); v0 then holds the half values. */
typedef struct operand {
    plan p;
    int half;
    float *v0, *v, *rounded;
    uint16_t *h0, *h;
    pgemm_buffer *dev;
} operand;

static int operand_alloc(operand *o)
{
    o->v0 = malloc(o->p.total * sizeof(float));
    o->v = malloc(o->p.total * sizeof(float));
    o->rounded = malloc(o->p.total * sizeof(float));
    if (o->half) {
        o->h0 = malloc(o->p.total * sizeof(uint16_t));
        o->h = malloc(o->p.total * sizeof(uint16_t));
    }
    return o->v0 && o->v && o->rounded && (!o->half || (o->h0 && o->h));
}

static void operand_free(operand *o)
{
    pgemm_buffer_destroy(o->dev);
    free(o->v0); free(o->v); free(o->rounded); free(o->h0); free(o->h);
}

/* After fill(): the half copy and the values it stands for; the copy of
 * the values rounded to halves (what fp16 tiles see). */
static void operand_prepare(operand *o)
{
    for (size_t i = 0; i < o->p.total; i++) {
        if (o->half) {
            o->h0[i] = pgemm_ref_to_half(o->v0[i]);
            o->v0[i] = pgemm_ref_from_half(o->h0[i]);
        }
        o->rounded[i] = pgemm_ref_round_half(o->v0[i]);
    }
    memcpy(o->v, o->v0, o->p.total * sizeof(float));
    if (o->half) memcpy(o->h, o->h0, o->p.total * sizeof(uint16_t));
}

static const void *operand_host(const operand *o) { return o->half ? (const void *)o->h0 : o->v0; }
static size_t operand_bytes(const operand *o)
{
    return o->p.total * (o->half ? sizeof(uint16_t) : sizeof(float));
}
static pgemm_status operand_read(operand *o)
{
    return pgemm_buffer_read(o->dev, 0, operand_bytes(o), o->half ? (void *)o->h : o->v);
}

/* Reports the first element of the operand that changed. */
static void operand_check_unchanged(const test_gemm_case *gc, const operand *o, char name)
{
    g_test_checks++;
    if (o->half) {
        for (size_t i = 0; i < o->p.total; i++)
            if (o->h[i] != o->h0[i]) {
                fail_case(gc, "%c (fp16) changed at element %zu: 0x%04x -> 0x%04x", name, i,
                          o->h0[i], o->h[i]);
                return;
            }
    } else {
        size_t d = first_diff(o->v, o->v0, o->p.total);
        if (d != (size_t)-1)
            fail_case(gc, "%c changed at element %zu: %g -> %g", name, d, o->v0[d], o->v[d]);
    }
}

int test_gemm_run(pgemm_context *ctx, const test_gemm_case *gc, test_gemm_stats *stats)
{
    size_t failures_before = g_test_failures;
    double t0 = pgemm_now_seconds();
    size_t batch = gc->api == TEST_API_BATCHED ? gc->batch : 1;
    int ta = gc->ta == PGEMM_TRANS, tb = gc->tb == PGEMM_TRANS;
    pgemm_datatype a_type = test_gemm_a_type(gc), b_type = test_gemm_b_type(gc);
    int half_ops = a_type == PGEMM_F16 || b_type == PGEMM_F16;
    int typed = half_ops || gc->typed_api;
    operand A, B;
    memset(&A, 0, sizeof A);
    memset(&B, 0, sizeof B);
    A.p = make_plan(gc->layout, ta ? gc->k : gc->m, ta ? gc->m : gc->k, gc->pad_a, gc->off_a,
                    gc->gap_a, gc->zero_stride_a, batch);
    B.p = make_plan(gc->layout, tb ? gc->n : gc->k, tb ? gc->k : gc->n, gc->pad_b, gc->off_b,
                    gc->gap_b, gc->zero_stride_b, batch);
    A.half = a_type == PGEMM_F16;
    B.half = b_type == PGEMM_F16;
    plan pc = make_plan(gc->layout, gc->m, gc->n, gc->pad_c, gc->off_c, gc->gap_c, 0, batch);
    int epilogue = test_gemm_has_epilogue(gc);
    int per_row = gc->bias == PGEMM_BIAS_PER_ROW;
    plan pv = make_plan(PGEMM_COL_MAJOR, gc->bias ? (per_row ? gc->m : gc->n) : 0, 1, 0,
                        gc->off_bias, gc->gap_bias, gc->zero_stride_bias, batch);
    float *v0 = malloc(pv.total * sizeof(float)), *v = malloc(pv.total * sizeof(float));
    pgemm_buffer *dv = NULL;

    int ok_a = operand_alloc(&A), ok_b = operand_alloc(&B);
    float *c0 = malloc(pc.total * sizeof(float)), *c = malloc(pc.total * sizeof(float));
    unsigned char *mask = malloc(pc.total);
    size_t mn = gc->m && gc->n ? gc->m * gc->n : 1;
    double *ref = malloc(mn * sizeof(double)), *mag = malloc(mn * sizeof(double));
    pgemm_buffer *dc = NULL;
    REQUIRE(ok_a && ok_b && c0 && c && mask && ref && mag && v0 && v);

    uint64_t seed = gc->seed ? gc->seed : 1;
    fill(A.v0, NULL, &A.p, gc->sentinel, gc->nan_ab, &seed);
    fill(B.v0, NULL, &B.p, gc->sentinel, gc->nan_ab, &seed);
    fill(c0, mask, &pc, gc->sentinel, gc->nan_c, &seed);
    fill(v0, NULL, &pv, gc->sentinel, 0, &seed);
    memcpy(v, v0, pv.total * sizeof(float));
    operand_prepare(&A);
    operand_prepare(&B);
    memcpy(c, c0, pc.total * sizeof(float));

    pgemm_info cinfo;
    int has16 = 0;
    if (pgemm_context_info(ctx, &cinfo) == PGEMM_SUCCESS) has16 = cinfo.has_fp16_tiles;
    CHECK_OK(ctx, pgemm_set_precision(ctx, gc->precision));
    pgemm_call_info before;
    int had_before = pgemm_last_call(ctx, &before) == PGEMM_SUCCESS;

    pgemm_status st;
    char errmsg[1024];
    if (gc->api == TEST_API_HOST) {
        if (half_ops) {
            fail_case(gc, "test setup: fp16 operands need the buffer or batched API");
            goto out;
        }
        if (epilogue)
            st = pgemm_sgemm_host_epilogue(ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k,
                                           gc->alpha, gc->null_ab ? NULL : A.v + A.p.off, A.p.ld,
                                           gc->null_ab ? NULL : B.v + B.p.off, B.p.ld, gc->beta,
                                           c + pc.off, pc.ld, gc->activation, gc->bias,
                                           gc->null_bias ? NULL : v + pv.off);
        else
            st = pgemm_sgemm_host(ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k, gc->alpha,
                                  gc->null_ab ? NULL : A.v + A.p.off, A.p.ld,
                                  gc->null_ab ? NULL : B.v + B.p.off, B.p.ld, gc->beta, c + pc.off,
                                  pc.ld);
        snprintf(errmsg, sizeof errmsg, "%s", pgemm_last_error(ctx));
    } else {
        if (!make_buffer(ctx, operand_host(&A), operand_bytes(&A), &A.dev) ||
            !make_buffer(ctx, operand_host(&B), operand_bytes(&B), &B.dev) ||
            !make_buffer(ctx, c, pc.total * sizeof(float), &dc)) {
            fail_case(gc, "creating buffers: %s", pgemm_last_error(ctx));
            goto out;
        }
        pgemm_epilogue ep;
        pgemm_epilogue_init(&ep);
        if (epilogue) {
            size_t bytes = (pv.total - (gc->bias_short ? TAIL + 1 : 0)) * sizeof(float);
            if (!make_buffer(ctx, v, bytes, &dv)) {
                fail_case(gc, "creating the bias buffer: %s", pgemm_last_error(ctx));
                goto out;
            }
            ep.activation = gc->activation;
            ep.bias = gc->bias;
            ep.bias_buffer = gc->null_bias ? NULL : dv;
            ep.bias_offset = pv.off;
            ep.stride_bias = pv.stride;
        }
        if (epilogue && gc->api == TEST_API_BUFFER)
            st = pgemm_gemm_epilogue(ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k,
                                     gc->alpha, A.dev, a_type, A.p.off, A.p.ld, B.dev, b_type,
                                     B.p.off, B.p.ld, gc->beta, dc, pc.off, pc.ld, &ep);
        else if (epilogue)
            st = pgemm_gemm_strided_batched_epilogue(
                ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k, gc->alpha, A.dev, a_type,
                A.p.off, A.p.ld, A.p.stride, B.dev, b_type, B.p.off, B.p.ld, B.p.stride, gc->beta,
                dc, pc.off, pc.ld, pc.stride, batch, &ep);
        else if (gc->api == TEST_API_BUFFER && typed)
            st = pgemm_gemm_ex(ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k, gc->alpha,
                               A.dev, a_type, A.p.off, A.p.ld, B.dev, b_type, B.p.off, B.p.ld,
                               gc->beta, dc, pc.off, pc.ld);
        else if (gc->api == TEST_API_BUFFER)
            st = pgemm_sgemm(ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k, gc->alpha,
                             A.dev, A.p.off, A.p.ld, B.dev, B.p.off, B.p.ld, gc->beta, dc, pc.off,
                             pc.ld);
        else if (typed)
            st = pgemm_gemm_strided_batched_ex(
                ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k, gc->alpha, A.dev, a_type,
                A.p.off, A.p.ld, A.p.stride, B.dev, b_type, B.p.off, B.p.ld, B.p.stride, gc->beta,
                dc, pc.off, pc.ld, pc.stride, batch);
        else
            st = pgemm_sgemm_strided_batched(ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n,
                                             gc->k, gc->alpha, A.dev, A.p.off, A.p.ld,
                                             A.p.stride, B.dev, B.p.off, B.p.ld, B.p.stride,
                                             gc->beta, dc, pc.off, pc.ld, pc.stride, batch);
        /* The call's message, before the reads below replace it. */
        snprintf(errmsg, sizeof errmsg, "%s", pgemm_last_error(ctx));
        /* Reads wait for the GEMM; A and B are read back to prove they were
         * not written (also after a refused call: nothing may change). */
        pgemm_status r1 = pgemm_buffer_read(dc, 0, pc.total * sizeof(float), c);
        pgemm_status r2 = operand_read(&A);
        pgemm_status r3 = operand_read(&B);
        size_t bias_bytes = (pv.total - (gc->bias_short ? TAIL + 1 : 0)) * sizeof(float);
        pgemm_status r4 = dv ? pgemm_buffer_read(dv, 0, bias_bytes, v) : PGEMM_SUCCESS;
        if (r1 || r2 || r3 || r4) {
            fail_case(gc, "reading buffers back: %s", pgemm_last_error(ctx));
            goto out;
        }
    }
    g_test_checks++;
    if (st != gc->expect_status) {
        fail_case(gc, "GEMM returned %s, want %s: %s", pgemm_status_string(st),
                  pgemm_status_string(gc->expect_status), errmsg);
        goto out;
    }
    if (gc->expect_error && st != PGEMM_SUCCESS) {
        g_test_checks++;
        if (!strstr(errmsg, gc->expect_error))
            fail_case(gc, "the error \"%s\" does not mention \"%s\"", errmsg,
                      gc->expect_error);
    }

    operand_check_unchanged(gc, &A, 'A');
    operand_check_unchanged(gc, &B, 'B');
    g_test_checks++;
    size_t dv_diff = first_diff(v, v0, pv.total);
    if (dv_diff != (size_t)-1)
        fail_case(gc, "the bias array changed at element %zu: %g -> %g", dv_diff, v0[dv_diff],
                  v[dv_diff]);

    if (st != PGEMM_SUCCESS) {
        /* A refused call: C untouched, window and all, and the last call
         * report unchanged. */
        size_t d = first_diff(c, c0, pc.total);
        g_test_checks += 2;
        if (d != (size_t)-1)
            fail_case(gc, "a refused GEMM changed C at element %zu: %g -> %g", d, c0[d], c[d]);
        pgemm_call_info after;
        int had_after = pgemm_last_call(ctx, &after) == PGEMM_SUCCESS;
        if (had_after != had_before || (had_before && strcmp(after.variant, before.variant)))
            fail_case(gc, "a refused GEMM changed pgemm_last_call (\"%s\" -> \"%s\")",
                      had_before ? before.variant : "(none)", had_after ? after.variant : "(none)");
        goto out;
    }

    size_t outside = 0, first_out = 0;
    g_test_checks++;
    for (size_t i = 0; i < pc.total; i++)
        if (!mask[i] && !test_same_bits(c[i], c0[i]) && outside++ == 0) first_out = i;
    if (outside)
        fail_case(gc,
                  "%zu elements of C outside the m x n windows changed; first at %zu "
                  "(off %zu, ld %zu, stride %zu): %g -> %g",
                  outside, first_out, pc.off, pc.ld, pc.stride, c0[first_out], c[first_out]);

    pgemm_call_info info;
    pgemm_status lc = pgemm_last_call(ctx, &info);
    int used16 = 0;
    if (!gc->m || !gc->n) {
        /* A no-op: nothing ran, so what the last call reports is unchanged. */
        g_test_checks++;
        if ((lc == PGEMM_SUCCESS) != had_before ||
            (had_before && strcmp(info.variant, before.variant) != 0))
            fail_case(gc, "an empty GEMM changed pgemm_last_call (\"%s\" -> \"%s\")",
                      had_before ? before.variant : "(none)",
                      lc == PGEMM_SUCCESS ? info.variant : "(none)");
    } else {
        g_test_checks++;
        if (lc != PGEMM_SUCCESS) {
            fail_case(gc, "pgemm_last_call after a successful GEMM: %s", pgemm_status_string(lc));
        } else {
            int nothing = (gc->alpha == 0.0f || gc->k == 0) && gc->beta == 1.0f && !epilogue;
            g_test_checks++;
            if (epilogue ? !info.epilogue_fused || info.activation != gc->activation ||
                               info.bias != gc->bias || !strstr(info.why, "fused")
                         : info.epilogue_fused || info.activation || info.bias)
                fail_case(gc,
                          "pgemm_last_call epilogue: fused %d, activation %d, bias %d (why: %s)",
                          info.epilogue_fused, (int)info.activation, (int)info.bias, info.why);
            const char *want = nothing ? "" : gc->expect_variant;
            used16 = info.precision_used == PGEMM_PRECISION_FP16_MIXED;
            g_test_checks += 4;
            if (want && strcmp(info.variant, want) != 0)
                fail_case(gc, "pgemm_last_call variant \"%s\", want \"%s\" (why: %s)",
                          info.variant, want, info.why);
            if (info.precision_requested != gc->precision)
                fail_case(gc, "pgemm_last_call precision requested %d, want %d",
                          (int)info.precision_requested, (int)gc->precision);
            /* What precision must have been used: FP32 when nothing ran or
             * there are no fp16 tiles; FP16_MIXED on an fp16 variant (fp16
             * operands or a forced h16 variant); FP32 on a forced fp32
             * variant or under FP32 precision with fp32 operands; either
             * when the selector chose under FP16_MIXED. Whichever it was,
             * it must agree with the variant's kind. */
            int want_used = -1;
            if (nothing || !has16) want_used = PGEMM_PRECISION_FP32;
            else if (half_ops || test_variant_is_fp16(gc->expect_variant))
                want_used = PGEMM_PRECISION_FP16_MIXED;
            else if (gc->expect_variant || gc->precision == PGEMM_PRECISION_FP32)
                want_used = PGEMM_PRECISION_FP32;
            if (want_used >= 0 && (int)info.precision_used != want_used)
                fail_case(gc, "pgemm_last_call precision used %d, want %s (variant \"%s\", why: %s)",
                          (int)info.precision_used,
                          want_used == PGEMM_PRECISION_FP32 ? "FP32" : "FP16_MIXED",
                          info.variant, info.why);
            if (!nothing && has16 && used16 != test_variant_is_fp16(info.variant))
                fail_case(gc, "precision used %d does not match variant \"%s\"",
                          (int)info.precision_used, info.variant);
            if (!nothing && !used16 && !half_ops &&
                gc->precision == PGEMM_PRECISION_FP16_MIXED && !strstr(info.why, "FP16_MIXED"))
                fail_case(gc, "FP16_MIXED requested, FP32 used, but why does not say so: \"%s\"",
                          info.why);
            if (!nothing && half_ops && !strstr(info.why, "fp16"))
                fail_case(gc, "fp16 operands, but why does not mention fp16: \"%s\"", info.why);
            if (info.why[0] == '\0') fail_case(gc, "pgemm_last_call why is empty");
        }
    }

    if (gc->m && gc->n) {
        /* fp16 tiles see A and B rounded to halves (fp16 operands are halves
         * already: rounding them changes nothing). */
        const float *as = used16 ? A.rounded : A.v0, *bs = used16 ? B.rounded : B.v0;
        for (size_t z = 0; z < batch; z++) {
            const float *az = as + A.p.off + z * A.p.stride, *bz = bs + B.p.off + z * B.p.stride;
            const float *cz0 = c0 + pc.off + z * pc.stride, *cz = c + pc.off + z * pc.stride;
            REQUIRE(pgemm_ref_gemm(gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k, gc->alpha,
                                   az, A.p.ld, bz, B.p.ld, gc->beta, cz0, pc.ld, ref, mag) == 0);
            if (epilogue) {
                const float *vz = v0 + pv.off + z * pv.stride;
                for (size_t j = 0; j < gc->n; j++)
                    for (size_t i = 0; i < gc->m; i++)
                        pgemm_ref_epilogue(gc->activation,
                                           gc->bias == PGEMM_BIAS_NONE ? 0.0 : vz[per_row ? i : j],
                                           &ref[i + j * gc->m], &mag[i + j * gc->m]);
            }
            pgemm_ref_report rep;
            size_t bad = pgemm_ref_compare(gc->layout, gc->m, gc->n, gc->k, cz, pc.ld, ref, mag,
                                           gc->tol > 0 ? gc->tol : 2.0, &rep);
            g_test_checks++;
            if (bad)
                fail_case(gc,
                          "matrix %zu of C: %zu of %zu elements outside the bound%s; first (%zu, "
                          "%zu) = %.9g, want %.9g; max err %.3g of the bound",
                          z, bad, rep.checked, used16 ? " (reference on fp16-rounded inputs)" : "",
                          rep.first_bad_i, rep.first_bad_j, rep.first_bad_got,
                          rep.first_bad_want, rep.max_scaled_err);
            if (stats) {
                stats->elements += rep.checked;
                if (rep.max_scaled_err > stats->max_scaled_err)
                    stats->max_scaled_err = rep.max_scaled_err;
                if (rep.rel_fro_err > stats->max_rel_fro) stats->max_rel_fro = rep.rel_fro_err;
            }
        }
    }

out:
    operand_free(&A);
    operand_free(&B);
    pgemm_buffer_destroy(dc);
    pgemm_buffer_destroy(dv);
    free(v0);
    free(v);
    free(c0); free(c);
    free(mask); free(ref); free(mag);
    int failed = g_test_failures != failures_before;
    if (stats) {
        stats->cases++;
        stats->failed += failed;
        double dt = pgemm_now_seconds() - t0;
        if (dt > stats->max_case_seconds) stats->max_case_seconds = dt;
    }
    return failed;
}

void test_gemm_stats_merge(test_gemm_stats *total, const test_gemm_stats *part)
{
    total->cases += part->cases;
    total->failed += part->failed;
    total->elements += part->elements;
    if (part->max_scaled_err > total->max_scaled_err) total->max_scaled_err = part->max_scaled_err;
    if (part->max_rel_fro > total->max_rel_fro) total->max_rel_fro = part->max_rel_fro;
    if (part->max_case_seconds > total->max_case_seconds)
        total->max_case_seconds = part->max_case_seconds;
}

void test_gemm_print_stats(const char *label, const test_gemm_stats *s)
{
    printf("%-28s %4zu cases, %zu failed, %9zu elements, max err %.3g of the fp32 bound, "
           "max rel Frobenius %.3g, slowest case %.3f s\n",
           label, s->cases, s->failed, s->elements, s->max_scaled_err, s->max_rel_fro,
           s->max_case_seconds);
}
