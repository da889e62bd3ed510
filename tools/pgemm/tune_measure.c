/* SPDX-License-Identifier: BSD-3-Clause */
/* Timing variants on one shape, for `pgemm tune` and `pgemm explain`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgemm_ref.h"
#include "tune.h"

double tune_now(void) { return pgemm_now_seconds(); }

void tune_bench_init(tune_bench *t, pgemm_context *ctx, double min_time, int samples)
{
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
    t->min_time = min_time > 0 ? min_time : 0.05;
    t->samples = samples > 0 ? samples : 3;
}

void tune_bench_free(tune_bench *t)
{
    pgemm_buffer_destroy(t->a);
    pgemm_buffer_destroy(t->b);
    pgemm_buffer_destroy(t->c);
    memset(t, 0, sizeof *t);
}

/* Makes *buf hold at least bytes, filled with small values of the element
 * size (fp32 or fp16 in [-1, 1]). */
static pgemm_status ensure(tune_bench *t, pgemm_buffer **buf, size_t *have, size_t bytes,
                           int half)
{
    if (*buf && *have >= bytes && bytes) return PGEMM_SUCCESS;
    pgemm_buffer_destroy(*buf);
    *buf = NULL;
    *have = 0;
    pgemm_status st = pgemm_buffer_create(t->ctx, bytes ? bytes : 4, buf);
    if (st != PGEMM_SUCCESS) return st;
    size_t count = (bytes ? bytes : 4) / 4;
    float *host = malloc(count * sizeof *host);
    if (!host) return PGEMM_ERROR_OUT_OF_MEMORY;
    uint64_t state = 12345;
    if (half) {
        /* Two halves in each float's bytes. */
        uint16_t *h = (uint16_t *)host;
        for (size_t i = 0; i < count * 2; i++)
            h[i] = pgemm_ref_to_half((float)((int)(i % 17) - 8) / 8.0f);
    } else {
        pgemm_fill_random(host, count, &state);
    }
    st = pgemm_buffer_write(*buf, 0, count * 4, host);
    free(host);
    if (st == PGEMM_SUCCESS) *have = count * 4;
    return st;
}

/* rows * cols * elem_size into *out; 1 when it does not fit in size_t. */
static int bytes_of(size_t rows, size_t cols, size_t elem_size, size_t *out)
{
    return __builtin_mul_overflow(rows, cols, out) || __builtin_mul_overflow(*out, elem_size, out);
}

static pgemm_status call(tune_bench *t, pgemm_precision p, const tune_shape *s)
{
    pgemm_transpose ta = s->trans_a ? PGEMM_TRANS : PGEMM_NO_TRANS;
    pgemm_transpose tb = s->trans_b ? PGEMM_TRANS : PGEMM_NO_TRANS;
    size_t lda = s->trans_a ? s->k : s->m, ldb = s->trans_b ? s->n : s->k;
    if (lda == 0) lda = 1;
    if (ldb == 0) ldb = 1;
    if (p == PGEMM_PRECISION_FP16_MIXED)
        return pgemm_gemm_ex(t->ctx, PGEMM_COL_MAJOR, ta, tb, s->m, s->n, s->k, 1.0f, t->a,
                             PGEMM_F16, 0, lda, t->b, PGEMM_F16, 0, ldb, 0.0f, t->c, 0, s->m);
    return pgemm_sgemm(t->ctx, PGEMM_COL_MAJOR, ta, tb, s->m, s->n, s->k, 1.0f, t->a, 0, lda,
                       t->b, 0, ldb, 0.0f, t->c, 0, s->m);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Marks r failed with st and msg. */
static void mark_failed(tune_result *r, pgemm_status st, const char *msg)
{
    r->failed = 1;
    snprintf(r->err, sizeof r->err, "%s: %s", pgemm_status_string(st), msg);
}

/* Forces `variant` and times `reps` calls of it: seconds per call, or -1
 * with r marked failed and the library's message. */
static double timed(tune_bench *t, pgemm_precision p, const tune_shape *s, const char *variant,
                    long reps, tune_result *r)
{
    pgemm_status st = pgemm_force_variant(t->ctx, variant);
    double t0 = tune_now();
    for (long i = 0; i < reps && st == PGEMM_SUCCESS; i++) st = call(t, p, s);
    if (st == PGEMM_SUCCESS) st = pgemm_synchronize(t->ctx);
    if (st == PGEMM_SUCCESS) return (tune_now() - t0) / (double)reps;
    mark_failed(r, st, pgemm_last_error(t->ctx));
    return -1.0;
}

void tune_time_shape(tune_bench *t, pgemm_precision precision, const tune_shape *s,
                     const char *const *variants, size_t count, tune_result *out)
{
    enum { MAX_SAMPLES = 16 };
    int half = precision == PGEMM_PRECISION_FP16_MIXED;
    size_t es = half ? 2 : 4;
    size_t a_bytes, b_bytes, c_bytes;
    pgemm_status st = PGEMM_SUCCESS;
    const char *why = NULL;
    /* A product that wraps would make small buffers for a large shape. */
    if (bytes_of(s->m, s->k, es, &a_bytes) || bytes_of(s->k, s->n, es, &b_bytes) ||
        bytes_of(s->m, s->n, 4, &c_bytes)) {
        st = PGEMM_ERROR_INVALID_ARGUMENT;
        why = "the shape's operands need more bytes than size_t holds";
    }
    if (st == PGEMM_SUCCESS) st = ensure(t, &t->a, &t->a_bytes, a_bytes, half);
    if (st == PGEMM_SUCCESS) st = ensure(t, &t->b, &t->b_bytes, b_bytes, half);
    if (st == PGEMM_SUCCESS) st = ensure(t, &t->c, &t->c_bytes, c_bytes, 0);
    if (st == PGEMM_SUCCESS) st = pgemm_set_precision(t->ctx, precision);
    int samples = t->samples < 1 ? 1 : t->samples > MAX_SAMPLES ? MAX_SAMPLES : t->samples;
    double *times = calloc(count ? count * MAX_SAMPLES : 1, sizeof *times);
    long *reps = calloc(count ? count : 1, sizeof *reps);
    if (!why) why = pgemm_last_error(t->ctx);
    if (st == PGEMM_SUCCESS && (!times || !reps)) {
        st = PGEMM_ERROR_OUT_OF_MEMORY;
        why = "no memory for the timings";
    }
    for (size_t v = 0; v < count; v++) {
        memset(&out[v], 0, sizeof out[v]);
        if (st != PGEMM_SUCCESS) mark_failed(&out[v], st, why);
    }
    /* Per variant: a warm-up call (kernel builds, first touch), then how
     * many calls fill min_time. */
    for (size_t v = 0; v < count && st == PGEMM_SUCCESS; v++) {
        if (timed(t, precision, s, variants[v], 1, &out[v]) < 0) continue;
        double once = timed(t, precision, s, variants[v], 1, &out[v]);
        if (once < 0) continue;
        reps[v] = once > 0 ? (long)ceil(t->min_time / once) : 1;
        if (reps[v] < 1) reps[v] = 1;
        if (reps[v] > 100000) reps[v] = 100000;
    }
    /* The samples round-robin over the variants, each round starting one
     * variant later: a slow spell of the device (clocks, another process)
     * then spoils one sample of several variants, which the median drops,
     * rather than every sample of one. */
    for (int r = 0; r < samples && st == PGEMM_SUCCESS; r++)
        for (size_t q = 0; q < count; q++) {
            size_t v = (q + (size_t)r) % count;
            if (out[v].failed) continue;
            double sec = timed(t, precision, s, variants[v], reps[v], &out[v]);
            if (sec >= 0) times[v * MAX_SAMPLES + (size_t)r] = sec;
        }
    pgemm_force_variant(t->ctx, NULL);
    double flops = 2.0 * (double)s->m * (double)s->n * (double)s->k;
    for (size_t v = 0; v < count && times; v++) {
        if (out[v].failed) continue;
        double *tv = times + v * MAX_SAMPLES;
        qsort(tv, (size_t)samples, sizeof *tv, cmp_double);
        out[v].seconds = tv[samples / 2];
        out[v].gflops = out[v].seconds > 0 ? flops / out[v].seconds * 1e-9 : 0;
    }
    free(times);
    free(reps);
}
