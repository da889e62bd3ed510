/* Timing one variant on one shape, for `pgemm tune` and `pgemm explain`. */
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

int tune_time(tune_bench *t, pgemm_precision precision, const tune_shape *s,
              const char *variant, double *gflops, double *seconds, char *err, size_t cap)
{
    int half = precision == PGEMM_PRECISION_FP16_MIXED;
    size_t es = half ? 2 : 4;
    *gflops = 0;
    *seconds = 0;
    pgemm_status st = ensure(t, &t->a, &t->a_bytes, s->m * s->k * es, half);
    if (st == PGEMM_SUCCESS) st = ensure(t, &t->b, &t->b_bytes, s->k * s->n * es, half);
    if (st == PGEMM_SUCCESS) st = ensure(t, &t->c, &t->c_bytes, s->m * s->n * 4, 0);
    if (st == PGEMM_SUCCESS) st = pgemm_set_precision(t->ctx, precision);
    if (st == PGEMM_SUCCESS) st = pgemm_force_variant(t->ctx, variant);
    /* Warm-up (kernel builds, first-touch), then how many calls fill min_time. */
    double t0 = tune_now();
    if (st == PGEMM_SUCCESS) st = call(t, precision, s);
    if (st == PGEMM_SUCCESS) st = pgemm_synchronize(t->ctx);
    double once = tune_now() - t0;
    if (st == PGEMM_SUCCESS) {
        t0 = tune_now();
        st = call(t, precision, s);
        if (st == PGEMM_SUCCESS) st = pgemm_synchronize(t->ctx);
        once = tune_now() - t0;
    }
    double times[16];
    int samples = t->samples < 16 ? t->samples : 16;
    long reps = once > 0 ? (long)ceil(t->min_time / once) : 1;
    if (reps < 1) reps = 1;
    if (reps > 100000) reps = 100000;
    for (int r = 0; r < samples && st == PGEMM_SUCCESS; r++) {
        t0 = tune_now();
        for (long i = 0; i < reps && st == PGEMM_SUCCESS; i++) st = call(t, precision, s);
        if (st == PGEMM_SUCCESS) st = pgemm_synchronize(t->ctx);
        times[r] = (tune_now() - t0) / (double)reps;
    }
    if (st != PGEMM_SUCCESS) {
        snprintf(err, cap, "%s: %s", pgemm_status_string(st), pgemm_last_error(t->ctx));
        pgemm_force_variant(t->ctx, NULL);
        return -1;
    }
    pgemm_force_variant(t->ctx, NULL);
    qsort(times, (size_t)samples, sizeof *times, cmp_double);
    *seconds = times[samples / 2];
    *gflops = *seconds > 0 ? 2.0 * (double)s->m * (double)s->n * (double)s->k / *seconds * 1e-9 : 0;
    return 0;
}
