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
             "sentinel=%g prec=%s variant=%s seed=%llu]",
             gc->layout == PGEMM_ROW_MAJOR ? "row" : "col", gc->ta == PGEMM_TRANS ? "T" : "N",
             gc->tb == PGEMM_TRANS ? "T" : "N", gc->m, gc->n, gc->k, gc->alpha, gc->beta,
             api_name(gc->api), gc->batch, gc->pad_a, gc->pad_b, gc->pad_c, gc->off_a, gc->off_b,
             gc->off_c, gc->gap_a, gc->gap_b, gc->gap_c, gc->zero_stride_a, gc->zero_stride_b,
             gc->nan_c, gc->nan_ab, gc->null_ab, gc->sentinel,
             gc->precision == PGEMM_PRECISION_FP16_MIXED ? "fp16" : "fp32",
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
    char what[512], desc[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    test_fail_at(__FILE__, __LINE__, "%s %s", what, test_gemm_describe(gc, desc, sizeof desc));
}

/* Writes host arrays into fresh buffers. */
static int make_buffer(pgemm_context *ctx, const float *x, size_t count, pgemm_buffer **out)
{
    *out = NULL;
    if (pgemm_buffer_create(ctx, count * sizeof(float), out) != PGEMM_SUCCESS) return 0;
    return pgemm_buffer_write(*out, 0, count * sizeof(float), x) == PGEMM_SUCCESS;
}

int test_gemm_run(pgemm_context *ctx, const test_gemm_case *gc, test_gemm_stats *stats)
{
    size_t failures_before = g_test_failures;
    double t0 = pgemm_now_seconds();
    size_t batch = gc->api == TEST_API_BATCHED ? gc->batch : 1;
    int ta = gc->ta == PGEMM_TRANS, tb = gc->tb == PGEMM_TRANS;
    plan pa = make_plan(gc->layout, ta ? gc->k : gc->m, ta ? gc->m : gc->k, gc->pad_a, gc->off_a,
                        gc->gap_a, gc->zero_stride_a, batch);
    plan pb = make_plan(gc->layout, tb ? gc->n : gc->k, tb ? gc->k : gc->n, gc->pad_b, gc->off_b,
                        gc->gap_b, gc->zero_stride_b, batch);
    plan pc = make_plan(gc->layout, gc->m, gc->n, gc->pad_c, gc->off_c, gc->gap_c, 0, batch);

    float *a0 = malloc(pa.total * sizeof(float)), *a = malloc(pa.total * sizeof(float));
    float *b0 = malloc(pb.total * sizeof(float)), *b = malloc(pb.total * sizeof(float));
    float *c0 = malloc(pc.total * sizeof(float)), *c = malloc(pc.total * sizeof(float));
    unsigned char *mask = malloc(pc.total);
    size_t mn = gc->m && gc->n ? gc->m * gc->n : 1;
    double *ref = malloc(mn * sizeof(double)), *mag = malloc(mn * sizeof(double));
    pgemm_buffer *da = NULL, *db = NULL, *dc = NULL;
    REQUIRE(a0 && a && b0 && b && c0 && c && mask && ref && mag);

    uint64_t seed = gc->seed ? gc->seed : 1;
    fill(a0, NULL, &pa, gc->sentinel, gc->nan_ab, &seed);
    fill(b0, NULL, &pb, gc->sentinel, gc->nan_ab, &seed);
    fill(c0, mask, &pc, gc->sentinel, gc->nan_c, &seed);
    memcpy(a, a0, pa.total * sizeof(float));
    memcpy(b, b0, pb.total * sizeof(float));
    memcpy(c, c0, pc.total * sizeof(float));

    CHECK_OK(ctx, pgemm_set_precision(ctx, gc->precision));
    pgemm_call_info before;
    int had_before = pgemm_last_call(ctx, &before) == PGEMM_SUCCESS;

    pgemm_status st;
    if (gc->api == TEST_API_HOST) {
        st = pgemm_sgemm_host(ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k, gc->alpha,
                              gc->null_ab ? NULL : a + pa.off, pa.ld,
                              gc->null_ab ? NULL : b + pb.off, pb.ld, gc->beta, c + pc.off,
                              pc.ld);
    } else {
        if (!make_buffer(ctx, a, pa.total, &da) || !make_buffer(ctx, b, pb.total, &db) ||
            !make_buffer(ctx, c, pc.total, &dc)) {
            fail_case(gc, "creating buffers: %s", pgemm_last_error(ctx));
            goto out;
        }
        if (gc->api == TEST_API_BUFFER)
            st = pgemm_sgemm(ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k, gc->alpha, da,
                             pa.off, pa.ld, db, pb.off, pb.ld, gc->beta, dc, pc.off, pc.ld);
        else
            st = pgemm_sgemm_strided_batched(ctx, gc->layout, gc->ta, gc->tb, gc->m, gc->n,
                                             gc->k, gc->alpha, da, pa.off, pa.ld, pa.stride, db,
                                             pb.off, pb.ld, pb.stride, gc->beta, dc, pc.off,
                                             pc.ld, pc.stride, batch);
        if (st == PGEMM_SUCCESS) {
            /* Reads wait for the GEMM; A and B are read back to prove they
             * were not written. */
            pgemm_status r1 = pgemm_buffer_read(dc, 0, pc.total * sizeof(float), c);
            pgemm_status r2 = pgemm_buffer_read(da, 0, pa.total * sizeof(float), a);
            pgemm_status r3 = pgemm_buffer_read(db, 0, pb.total * sizeof(float), b);
            if (r1 || r2 || r3) {
                fail_case(gc, "reading buffers back: %s", pgemm_last_error(ctx));
                goto out;
            }
        }
    }
    g_test_checks++;
    if (st != PGEMM_SUCCESS) {
        fail_case(gc, "GEMM returned %s: %s", pgemm_status_string(st), pgemm_last_error(ctx));
        goto out;
    }

    size_t d;
    g_test_checks += 3;
    if ((d = first_diff(a, a0, pa.total)) != (size_t)-1)
        fail_case(gc, "A changed at element %zu: %g -> %g", d, a0[d], a[d]);
    if ((d = first_diff(b, b0, pb.total)) != (size_t)-1)
        fail_case(gc, "B changed at element %zu: %g -> %g", d, b0[d], b[d]);
    size_t outside = 0, first_out = 0;
    for (size_t i = 0; i < pc.total; i++)
        if (!mask[i] && !test_same_bits(c[i], c0[i]) && outside++ == 0) first_out = i;
    if (outside)
        fail_case(gc,
                  "%zu elements of C outside the m x n windows changed; first at %zu "
                  "(off %zu, ld %zu, stride %zu): %g -> %g",
                  outside, first_out, pc.off, pc.ld, pc.stride, c0[first_out], c[first_out]);

    if (gc->m && gc->n) {
        for (size_t z = 0; z < batch; z++) {
            const float *az = a0 + pa.off + z * pa.stride, *bz = b0 + pb.off + z * pb.stride;
            const float *cz0 = c0 + pc.off + z * pc.stride, *cz = c + pc.off + z * pc.stride;
            REQUIRE(pgemm_ref_gemm(gc->layout, gc->ta, gc->tb, gc->m, gc->n, gc->k, gc->alpha,
                                   az, pa.ld, bz, pb.ld, gc->beta, cz0, pc.ld, ref, mag) == 0);
            pgemm_ref_report rep;
            size_t bad = pgemm_ref_compare(gc->layout, gc->m, gc->n, gc->k, cz, pc.ld, ref, mag,
                                           gc->tol > 0 ? gc->tol : 2.0, &rep);
            g_test_checks++;
            if (bad)
                fail_case(gc,
                          "matrix %zu of C: %zu of %zu elements outside the bound; first (%zu, "
                          "%zu) = %.9g, want %.9g; max err %.3g of the bound",
                          z, bad, rep.checked, rep.first_bad_i, rep.first_bad_j, rep.first_bad_got,
                          rep.first_bad_want, rep.max_scaled_err);
            if (stats) {
                stats->elements += rep.checked;
                if (rep.max_scaled_err > stats->max_scaled_err)
                    stats->max_scaled_err = rep.max_scaled_err;
                if (rep.rel_fro_err > stats->max_rel_fro) stats->max_rel_fro = rep.rel_fro_err;
            }
        }
    }

    pgemm_call_info info;
    pgemm_status lc = pgemm_last_call(ctx, &info);
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
            int nothing = (gc->alpha == 0.0f || gc->k == 0) && gc->beta == 1.0f;
            const char *want = nothing ? "" : gc->expect_variant;
            g_test_checks += 3;
            if (want && strcmp(info.variant, want) != 0)
                fail_case(gc, "pgemm_last_call variant \"%s\", want \"%s\" (why: %s)",
                          info.variant, want, info.why);
            if (info.precision_requested != gc->precision ||
                info.precision_used != PGEMM_PRECISION_FP32)
                fail_case(gc, "pgemm_last_call precision requested %d used %d, want %d and FP32",
                          (int)info.precision_requested, (int)info.precision_used,
                          (int)gc->precision);
            if (!nothing && gc->precision == PGEMM_PRECISION_FP16_MIXED &&
                !strstr(info.why, "FP16_MIXED"))
                fail_case(gc, "FP16_MIXED requested, FP32 used, but why does not say so: \"%s\"",
                          info.why);
            if (info.why[0] == '\0') fail_case(gc, "pgemm_last_call why is empty");
        }
    }

out:
    pgemm_buffer_destroy(da);
    pgemm_buffer_destroy(db);
    pgemm_buffer_destroy(dc);
    free(a0); free(a); free(b0); free(b); free(c0); free(c);
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
