/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_measure.c: one shape's problem and the checked, warmed-up, timed calls of a kernel. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgemm_ref.h"
#include "bench.h"

/* ------------------------------------------------------------ kernels */

static size_t stored_ld(pgemm_layout layout, size_t rows, size_t cols, size_t pad)
{
    return (layout == PGEMM_COL_MAJOR ? rows : cols) + pad;
}

static size_t stored_elems(pgemm_layout layout, size_t rows, size_t cols, size_t ld)
{
    return ld * (layout == PGEMM_COL_MAJOR ? cols : rows);
}

/* One GEMM call, enqueued. */
static int k_enqueue(problem *p, const kernel *k, char *err, size_t cap)
{
    if (k->kind != KIND_CLBLAST) {
        pgemm_status st = pgemm_sgemm(p->ctx, p->layout, p->ta, p->tb, p->m, p->n, p->k, p->alpha,
                                      p->da, 0, p->lda, p->db, 0, p->ldb, p->beta, p->dc, 0, p->ldc);
        if (st != PGEMM_SUCCESS) {
            snprintf(err, cap, "pgemm_sgemm: %s: %s", pgemm_status_string(st),
                     pgemm_last_error(p->ctx));
            return 0;
        }
        return 1;
    }
#ifdef PGEMM_BENCH_OPENCL
    clblast_state *s = p->cb;
    cl_event ev = NULL;
    int st = s->sgemm((int)p->layout, (int)p->ta, (int)p->tb, p->m, p->n, p->k, p->alpha, s->a, 0,
                      p->lda, s->b, 0, p->ldb, p->beta, s->c, 0, p->ldc, &s->queue, &ev);
    if (ev) bench_cl.ReleaseEvent(ev);
    if (st != 0) {
        snprintf(err, cap, "CLBlastSgemm: status %d (%s)", st, clblast_status_text(st));
        return 0;
    }
    return 1;
#else
    snprintf(err, cap, "built without OpenCL");
    return 0;
#endif
}

static int k_sync(problem *p, const kernel *k, char *err, size_t cap)
{
    if (k->kind != KIND_CLBLAST) {
        pgemm_status st = pgemm_synchronize(p->ctx);
        if (st != PGEMM_SUCCESS) {
            snprintf(err, cap, "pgemm_synchronize: %s: %s", pgemm_status_string(st),
                     pgemm_last_error(p->ctx));
            return 0;
        }
        return 1;
    }
#ifdef PGEMM_BENCH_OPENCL
    /* The same wait as pgemm_synchronize: Mesa rusticl 22.3's clFinish can
     * return while kernels are still queued; a marker event cannot. */
    cl_event marker = NULL;
    cl_int rc = bench_cl.EnqueueMarker(p->cb->queue, &marker);
    if (rc == CL_SUCCESS) rc = bench_cl.WaitForEvents(1, &marker);
    if (marker) bench_cl.ReleaseEvent(marker);
    if (rc == CL_SUCCESS) rc = bench_cl.Finish(p->cb->queue);
    if (rc != CL_SUCCESS) {
        snprintf(err, cap, "waiting for CLBlast: error %d", rc);
        return 0;
    }
#endif
    return 1;
}

/* Copies host C0 into the kernel's C buffer. */
static int k_write_c(problem *p, const kernel *k, char *err, size_t cap)
{
    if (k->kind != KIND_CLBLAST) {
        pgemm_status st = pgemm_buffer_write(p->dc, 0, p->nc * sizeof(float), p->c0);
        if (st != PGEMM_SUCCESS) {
            snprintf(err, cap, "pgemm_buffer_write: %s", pgemm_last_error(p->ctx));
            return 0;
        }
        return 1;
    }
#ifdef PGEMM_BENCH_OPENCL
    cl_int rc = bench_cl.EnqueueWriteBuffer(p->cb->queue, p->cb->c, CL_TRUE, 0,
                                            p->nc * sizeof(float), p->c0, 0, NULL, NULL);
    if (rc != CL_SUCCESS) {
        snprintf(err, cap, "clEnqueueWriteBuffer: error %d", rc);
        return 0;
    }
#endif
    return 1;
}

static int k_read_c(problem *p, const kernel *k, char *err, size_t cap)
{
    if (k->kind != KIND_CLBLAST) {
        pgemm_status st = pgemm_buffer_read(p->dc, 0, p->nc * sizeof(float), p->c);
        if (st != PGEMM_SUCCESS) {
            snprintf(err, cap, "pgemm_buffer_read: %s", pgemm_last_error(p->ctx));
            return 0;
        }
        return 1;
    }
#ifdef PGEMM_BENCH_OPENCL
    cl_int rc = bench_cl.EnqueueReadBuffer(p->cb->queue, p->cb->c, CL_TRUE, 0,
                                           p->nc * sizeof(float), p->c, 0, NULL, NULL);
    if (rc != CL_SUCCESS) {
        snprintf(err, cap, "clEnqueueReadBuffer: error %d", rc);
        return 0;
    }
#endif
    return 1;
}

/* A kernel of a problem as a bench_call (bench_common.h). */
typedef struct k_call_self {
    problem *p;
    const kernel *k;
} k_call_self;

static int k_call_enqueue(void *self, char *err, size_t cap)
{
    k_call_self *s = self;
    return k_enqueue(s->p, s->k, err, cap);
}

static int k_call_sync(void *self, char *err, size_t cap)
{
    k_call_self *s = self;
    return k_sync(s->p, s->k, err, cap);
}

/* Checks the m x n window of p->c: the sample against the fp64 reference,
 * and every entry for NaN / Inf (inputs are in [-1, 1), so none is expected). */
static int check_result(problem *p, result *r)
{
    pgemm_ref_report rep;
    memset(&rep, 0, sizeof rep);
    /* On fp16 tiles: against the reference of the rounded inputs, within
     * the fp32 bound (docs/PRECISION.md). */
    const double *want = r->ran_fp16 && p->want16 ? p->want16 : p->want;
    const double *mag = r->ran_fp16 && p->mag16 ? p->mag16 : p->mag;
    for (size_t s = 0; s < p->nsample; s++) {
        size_t i = p->si[s], j = p->sj[s];
        pgemm_ref_compare_one(i, j, p->k, p->c[pgemm_ref_index(p->layout, i, j, p->ldc)], want[s],
                              mag[s], 1.0, &rep);
    }
    pgemm_ref_finish(&rep);
    r->max_scaled_err = rep.max_scaled_err;
    if (rep.bad) {
        snprintf(r->note, sizeof r->note,
                 "WRONG: %zu of %zu sampled entries off; C(%zu,%zu) = %.7g, want %.7g", rep.bad,
                 rep.checked, rep.first_bad_i, rep.first_bad_j, rep.first_bad_got,
                 rep.first_bad_want);
        return 0;
    }
    for (size_t j = 0; j < p->n; j++)
        for (size_t i = 0; i < p->m; i++) {
            float v = p->c[pgemm_ref_index(p->layout, i, j, p->ldc)];
            if (!isfinite(v)) {
                snprintf(r->note, sizeof r->note, "WRONG: C(%zu,%zu) = %g (not finite)", i, j,
                         (double)v);
                return 0;
            }
        }
    return 1;
}

static int force_for(problem *p, const kernel *k, char *err, size_t cap)
{
    if (k->kind == KIND_CLBLAST) return 1;
    pgemm_status st = pgemm_force_variant(p->ctx, k->kind == KIND_VARIANT ? k->name : NULL);
    if (st != PGEMM_SUCCESS) {
        snprintf(err, cap, "pgemm_force_variant: %s", pgemm_last_error(p->ctx));
        return 0;
    }
    return 1;
}

/* Steps 1 and 2 for one kernel: the checked first call, then warm-up groups
 * growing until one lasts min_time. Leaves r->state RES_OK (ready for
 * samples), RES_WRONG or RES_ERROR. A kernel over the time budget gets its
 * warm calibration call as its only sample (r->single). */
void measure_prepare(problem *p, const kernel *k, const bench_args *args, result *r)
{
    char err[PGEMM_REASON_LEN + 64];
    memset(r, 0, sizeof *r);
    if (!force_for(p, k, err, sizeof err)) goto fail;

    /* 1. The first call from C0, checked; its time is shown, never used. */
    if (!k_write_c(p, k, err, sizeof err)) goto fail;
    double t0 = pgemm_now_seconds();
    if (!k_enqueue(p, k, err, sizeof err) || !k_sync(p, k, err, sizeof err)) goto fail;
    r->first = pgemm_now_seconds() - t0;
    if (k->kind != KIND_CLBLAST) {
        pgemm_call_info ci;
        if (pgemm_last_call(p->ctx, &ci) == PGEMM_SUCCESS) {
            snprintf(r->ran, sizeof r->ran, "%s", ci.variant);
            r->ran_fp16 = ci.precision_used == PGEMM_PRECISION_FP16_MIXED;
            if (k->kind == KIND_CHOICE) snprintf(r->why, sizeof r->why, "%s", ci.why);
        }
        if (k->kind == KIND_VARIANT && strcmp(r->ran, k->name))
            fprintf(stderr, "pgemm bench: warning: forced \"%s\" but pgemm reports \"%s\" ran\n",
                    k->name, r->ran);
    }
    if (!k_read_c(p, k, err, sizeof err)) goto fail;
    if (!check_result(p, r)) {
        r->state = RES_WRONG;
        return;
    }

    /* 2. Calibration (warm): grow the group until it lasts min_time. */
    k_call_self self = {p, k};
    bench_call call = {k_call_enqueue, k_call_sync, &self};
    size_t group = 1;
    double t = bench_calibrate(&call, args->common.min_time, args->common.time_budget, &group, err,
                               sizeof err);
    if (t < 0) goto fail;
    r->group = group;
    r->cal = t / (double)group;
    r->state = RES_OK;
    if (args->common.time_budget > 0 && t / (double)group > args->common.time_budget) {
        r->single = 1;
        r->sample[r->samples++] = t / (double)group; /* the warm calibration call */
        snprintf(r->note + strlen(r->note), sizeof r->note - strlen(r->note),
                 "%sone timed call only: %.2f s > budget %.2f s", r->note[0] ? "; " : "",
                 t / (double)group, args->common.time_budget);
    }
    return;

fail:
    r->state = RES_ERROR;
    snprintf(r->note, sizeof r->note, "ERROR: %s", err);
}

/* Step 3: one timed sample of r->group calls. */
void measure_sample(problem *p, const kernel *k, result *r)
{
    char err[PGEMM_REASON_LEN + 64];
    if (r->state != RES_OK || r->single || r->samples >= MAX_SAMPLES) return;
    k_call_self self = {p, k};
    bench_call call = {k_call_enqueue, k_call_sync, &self};
    double t = -1.0;
    if (force_for(p, k, err, sizeof err)) t = bench_time_group(&call, r->group, err, sizeof err);
    if (t < 0) {
        r->state = RES_ERROR;
        snprintf(r->note, sizeof r->note, "ERROR: %s", err);
        return;
    }
    r->sample[r->samples++] = t / (double)r->group;
}

/* Median, min and GFLOP/s from the samples. */
void measure_finish(const problem *p, kernel *k, result *r)
{
    if (r->state != RES_OK) return;
    if (r->samples == 0) {
        r->state = RES_ERROR;
        snprintf(r->note, sizeof r->note, "ERROR: no timed sample");
        return;
    }
    if (!bench_median_min(r->sample, r->samples, &r->median, &r->min)) {
        r->state = RES_ERROR;
        snprintf(r->note, sizeof r->note, "ERROR: out of host memory");
        return;
    }
    r->gflops = bench_gflops((shape){p->m, p->n, p->k}, r->median);
    if (r->gflops > k->best_gflops) k->best_gflops = r->gflops;
}

/* ------------------------------------------------------------- problem */

void problem_free(problem *p)
{
    if (p->da) pgemm_buffer_destroy(p->da);
    if (p->db) pgemm_buffer_destroy(p->db);
    if (p->dc) pgemm_buffer_destroy(p->dc);
#ifdef PGEMM_BENCH_OPENCL
    if (p->cb && p->cb->lib) clblast_free_buffers(p->cb);
#endif
    free(p->a);
    free(p->b);
    free(p->c0);
    free(p->c);
    free(p->si);
    free(p->sj);
    free(p->want);
    free(p->mag);
    free(p->want16);
    free(p->mag16);
    p->da = p->db = p->dc = NULL;
    p->a = p->b = p->c0 = p->c = NULL;
    p->si = p->sj = NULL;
    p->want = p->mag = p->want16 = p->mag16 = NULL;
}

/* Host data, the check sample and device buffers for one shape. Returns 0
 * with a message on failure. clblast_ok is cleared if only CLBlast's
 * buffers failed. */
int problem_setup(problem *p, const bench_args *args, shape s, int *clblast_ok,
                  char *err, size_t cap)
{
    p->m = s.m;
    p->n = s.n;
    p->k = s.k;
    p->layout = args->layout;
    p->ta = args->common.ta;
    p->tb = args->common.tb;
    p->alpha = args->common.alpha;
    p->beta = args->common.beta;
    p->fp16 = args->precision == PGEMM_PRECISION_FP16_MIXED;
    size_t ar = p->ta == PGEMM_TRANS ? p->k : p->m, ac = p->ta == PGEMM_TRANS ? p->m : p->k;
    size_t br = p->tb == PGEMM_TRANS ? p->n : p->k, bc = p->tb == PGEMM_TRANS ? p->k : p->n;
    p->lda = stored_ld(p->layout, ar, ac, args->common.pad);
    p->ldb = stored_ld(p->layout, br, bc, args->common.pad);
    p->ldc = stored_ld(p->layout, p->m, p->n, args->common.pad);
    p->na = stored_elems(p->layout, ar, ac, p->lda);
    p->nb = stored_elems(p->layout, br, bc, p->ldb);
    p->nc = stored_elems(p->layout, p->m, p->n, p->ldc);

    p->a = malloc(p->na * sizeof(float));
    p->b = malloc(p->nb * sizeof(float));
    p->c0 = malloc(p->nc * sizeof(float));
    p->c = malloc(p->nc * sizeof(float));
    size_t ns = args->common.check_samples + 4;
    p->si = malloc(ns * sizeof(size_t));
    p->sj = malloc(ns * sizeof(size_t));
    p->want = malloc(ns * sizeof(double));
    p->mag = malloc(ns * sizeof(double));
    if (!p->a || !p->b || !p->c0 || !p->c || !p->si || !p->sj || !p->want || !p->mag) {
        snprintf(err, cap, "out of host memory");
        return 0;
    }
    uint64_t state = bench_input_state(args->common.seed, s);
    pgemm_fill_random(p->a, p->na, &state);
    pgemm_fill_random(p->b, p->nb, &state);
    pgemm_fill_random(p->c0, p->nc, &state);

    /* The four corners (ragged edges) and random entries. */
    size_t corner_i[4] = {0, p->m - 1, 0, p->m - 1}, corner_j[4] = {0, 0, p->n - 1, p->n - 1};
    p->nsample = 0;
    for (size_t q = 0; q < ns; q++) {
        p->si[q] = q < 4 ? corner_i[q] : (size_t)pgemm_random_below(&state, p->m);
        p->sj[q] = q < 4 ? corner_j[q] : (size_t)pgemm_random_below(&state, p->n);
        p->want[q] = pgemm_ref_element(p->layout, p->ta, p->tb, p->si[q], p->sj[q], p->k,
                                       p->alpha, p->a, p->lda, p->b, p->ldb, p->beta, p->c0,
                                       p->ldc, &p->mag[q]);
        p->nsample++;
    }
    if (p->fp16) {
        /* What fp16 tiles multiply: A and B rounded to fp16. */
        float *a16 = malloc(p->na * sizeof(float)), *b16 = malloc(p->nb * sizeof(float));
        p->want16 = malloc(ns * sizeof(double));
        p->mag16 = malloc(ns * sizeof(double));
        if (!a16 || !b16 || !p->want16 || !p->mag16) {
            free(a16);
            free(b16);
            snprintf(err, cap, "out of host memory");
            return 0;
        }
        for (size_t i = 0; i < p->na; i++) a16[i] = pgemm_ref_round_half(p->a[i]);
        for (size_t i = 0; i < p->nb; i++) b16[i] = pgemm_ref_round_half(p->b[i]);
        for (size_t q = 0; q < p->nsample; q++)
            p->want16[q] =
                pgemm_ref_element(p->layout, p->ta, p->tb, p->si[q], p->sj[q], p->k, p->alpha, a16,
                                  p->lda, b16, p->ldb, p->beta, p->c0, p->ldc, &p->mag16[q]);
        free(a16);
        free(b16);
    }

    pgemm_status st;
    if ((st = pgemm_buffer_create(p->ctx, p->na * sizeof(float), &p->da)) != PGEMM_SUCCESS ||
        (st = pgemm_buffer_create(p->ctx, p->nb * sizeof(float), &p->db)) != PGEMM_SUCCESS ||
        (st = pgemm_buffer_create(p->ctx, p->nc * sizeof(float), &p->dc)) != PGEMM_SUCCESS ||
        (st = pgemm_buffer_write(p->da, 0, p->na * sizeof(float), p->a)) != PGEMM_SUCCESS ||
        (st = pgemm_buffer_write(p->db, 0, p->nb * sizeof(float), p->b)) != PGEMM_SUCCESS) {
        snprintf(err, cap, "device buffers: %s: %s", pgemm_status_string(st),
                 pgemm_last_error(p->ctx));
        return 0;
    }
#ifdef PGEMM_BENCH_OPENCL
    if (*clblast_ok) {
        char why[256];
        clblast_state *c = p->cb;
        if (!clblast_buffer(c, &c->a, p->a, p->na, why, sizeof why) ||
            !clblast_buffer(c, &c->b, p->b, p->nb, why, sizeof why) ||
            !clblast_buffer(c, &c->c, p->c0, p->nc, why, sizeof why)) {
            fprintf(stderr, "pgemm bench: CLBlast skipped for this shape: %s\n", why);
            clblast_free_buffers(c);
            *clblast_ok = 0;
        }
    }
#else
    *clblast_ok = 0;
#endif
    return 1;
}
