/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_measure.c: the five columns of pgemm_vs_cublas (pgemm and cuBLAS, FP32
 * and FP16), each checked against fp64 before it is timed, then warmed up,
 * calibrated and sampled the same way for both libraries: the host clock
 * around a group of calls and the wait for all of them (pgemm_synchronize,
 * cudaDeviceSynchronize). cuBLAS's groups are also bracketed by CUDA events,
 * as a cross-check of the host clock.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgemm_ref.h"
#include "vs_cublas.h"

/* Error-bound multipliers (pgemm_ref.h's model): the fp32 worst case, and
 * for fp16 operands the same bound on the fp16-rounded inputs with room for
 * matrix units that round their fp32 accumulation differently. */
#define TOL_F32 1.0
#define TOL_F16 2.0
/* The componentwise bound is a worst case, loose on random data: TF32 or a
 * lossy accumulation stays inside it at large k. Their relative error over
 * the sample does not: fp32 accumulation of exact (or fp32) products lands
 * near 1e-7 .. 1e-6, TF32 near 3e-4. Above this a note says so. */
#define REL_ERR_NOTE 5e-5

static const char *const col_names[VS_NCOLS] = {"pgemm fp32", "cuBLAS fp32", "pgemm fp16",
                                                "cuBLAS fp16", "pgemm fp16<-fp32"};

const char *vs_col_name(vs_col col) { return col_names[col]; }
int vs_col_is_cublas(vs_col col) { return col == COL_CUBLAS_F32 || col == COL_CUBLAS_F16; }
int vs_col_is_fp16(vs_col col) { return col != COL_PGEMM_F32 && col != COL_CUBLAS_F32; }

/* One column's calls on a problem: which set the next call reads. */
typedef struct vs_call {
    vs_problem *p;
    vs_col col;
    int rotate;            /* 0: always set 0 (the checked call) */
    size_t next;           /* the next set, when rotating */
    pgemm_status pst;      /* the last pgemm status */
    int started;           /* cuBLAS: the start event of this group is recorded */
    double event_s;        /* cuBLAS: the last group's seconds by the events */
} vs_call;

static int cublas_op(pgemm_transpose t)
{
    return t == PGEMM_TRANS ? VS_CUBLAS_OP_T : VS_CUBLAS_OP_N;
}

static int call_enqueue(void *self, char *err, size_t cap)
{
    vs_call *c = self;
    vs_problem *p = c->p;
    const vs_set *s = &p->sets[c->rotate ? c->next : 0];
    if (c->rotate) c->next = (c->next + 1) % p->nsets;
    int m = (int)p->s.m, n = (int)p->s.n, k = (int)p->s.k, batch = (int)p->batch;
    /* A batch of one is a plain call on both sides. */
    size_t z = p->batch;
    long long sa = (long long)p->na, sb = (long long)p->nb, sc = (long long)p->nc;
    switch (c->col) {
    case COL_PGEMM_F32:
    case COL_PGEMM_F16C:
        c->pst = z == 1 ? pgemm_sgemm(p->ctx, PGEMM_COL_MAJOR, p->ta, p->tb, p->s.m, p->s.n, p->s.k,
                                      p->alpha, s->a32, 0, p->lda, s->b32, 0, p->ldb, p->beta, s->c,
                                      0, p->ldc)
                        : pgemm_sgemm_strided_batched(p->ctx, PGEMM_COL_MAJOR, p->ta, p->tb, p->s.m,
                                                      p->s.n, p->s.k, p->alpha, s->a32, 0, p->lda,
                                                      p->na, s->b32, 0, p->ldb, p->nb, p->beta,
                                                      s->c, 0, p->ldc, p->nc, z);
        break;
    case COL_PGEMM_F16:
        c->pst = pgemm_gemm_strided_batched_ex(
            p->ctx, PGEMM_COL_MAJOR, p->ta, p->tb, p->s.m, p->s.n, p->s.k, p->alpha, s->a16,
            PGEMM_F16, 0, p->lda, z == 1 ? 0 : p->na, s->b16, PGEMM_F16, 0, p->ldb,
            z == 1 ? 0 : p->nb, p->beta, s->c, 0, p->ldc, z == 1 ? 0 : p->nc, z);
        break;
    case COL_CUBLAS_F32:
    case COL_CUBLAS_F16: {
        vs_cuda *cu = p->cu;
        if (!c->started) {
            if (!vs_cuda_ok(cu, cu->event_record(cu->ev_start, NULL), "cudaEventRecord", err, cap))
                return 0;
            c->started = 1;
        }
        int ta = cublas_op(p->ta), tb = cublas_op(p->tb), st;
        int lda = (int)p->lda, ldb = (int)p->ldb, ldc = (int)p->ldc;
        const char *what;
        if (c->col == COL_CUBLAS_F32 && z == 1) {
            what = "cublasSgemm";
            st = cu->sgemm(cu->handle, ta, tb, m, n, k, &p->alpha, s->ca32, lda, s->cb32, ldb,
                           &p->beta, s->cc, ldc);
        } else if (c->col == COL_CUBLAS_F32) {
            what = "cublasSgemmStridedBatched";
            st = cu->sgemm_strided_batched(cu->handle, ta, tb, m, n, k, &p->alpha, s->ca32, lda, sa,
                                           s->cb32, ldb, sb, &p->beta, s->cc, ldc, sc, batch);
        } else if (z == 1) {
            what = "cublasGemmEx";
            st = cu->gemm_ex(cu->handle, ta, tb, m, n, k, &p->alpha, s->ca16, VS_CUDA_R_16F, lda,
                             s->cb16, VS_CUDA_R_16F, ldb, &p->beta, s->cc, VS_CUDA_R_32F, ldc,
                             VS_CUBLAS_COMPUTE_32F, VS_CUBLAS_GEMM_DEFAULT);
        } else {
            what = "cublasGemmStridedBatchedEx";
            st = cu->gemm_strided_batched_ex(cu->handle, ta, tb, m, n, k, &p->alpha, s->ca16,
                                             VS_CUDA_R_16F, lda, sa, s->cb16, VS_CUDA_R_16F, ldb,
                                             sb, &p->beta, s->cc, VS_CUDA_R_32F, ldc, sc, batch,
                                             VS_CUBLAS_COMPUTE_32F, VS_CUBLAS_GEMM_DEFAULT);
        }
        return vs_cublas_ok(cu, st, what, err, cap);
    }
    default:
        snprintf(err, cap, "no such column");
        return 0;
    }
    if (c->pst != PGEMM_SUCCESS) {
        snprintf(err, cap, "%s: %s: %s", c->col == COL_PGEMM_F16 ? "pgemm_gemm_ex" : "pgemm_sgemm",
                 pgemm_status_string(c->pst), pgemm_last_error(p->ctx));
        return 0;
    }
    return 1;
}

static int call_sync(void *self, char *err, size_t cap)
{
    vs_call *c = self;
    vs_problem *p = c->p;
    if (!vs_col_is_cublas(c->col)) {
        c->pst = pgemm_synchronize(p->ctx);
        if (c->pst == PGEMM_SUCCESS) return 1;
        snprintf(err, cap, "pgemm_synchronize: %s: %s", pgemm_status_string(c->pst),
                 pgemm_last_error(p->ctx));
        return 0;
    }
    vs_cuda *cu = p->cu;
    if (c->started &&
        !vs_cuda_ok(cu, cu->event_record(cu->ev_stop, NULL), "cudaEventRecord", err, cap))
        return 0;
    if (!vs_cuda_ok(cu, cu->device_synchronize(), "cudaDeviceSynchronize", err, cap)) return 0;
    if (c->started) {
        float ms = 0;
        c->started = 0;
        if (!vs_cuda_ok(cu, cu->event_elapsed_time(&ms, cu->ev_start, cu->ev_stop),
                        "cudaEventElapsedTime", err, cap))
            return 0;
        c->event_s = ms * 1e-3;
    }
    return 1;
}

/* pgemm's precision and forced variant for the column, set before each
 * group (outside the timing). */
static int select_precision(vs_problem *p, vs_col col, char *err, size_t cap)
{
    if (vs_col_is_cublas(col)) return 1;
    int fp32 = col == COL_PGEMM_F32;
    pgemm_status st = pgemm_set_precision(p->ctx, fp32 ? PGEMM_PRECISION_FP32
                                                       : PGEMM_PRECISION_FP16_MIXED);
    if (st != PGEMM_SUCCESS) {
        snprintf(err, cap, "pgemm_set_precision: %s", pgemm_last_error(p->ctx));
        return 0;
    }
    st = pgemm_force_variant(p->ctx, fp32 ? p->fp32_variant : p->fp16_variant);
    if (st != PGEMM_SUCCESS) {
        snprintf(err, cap, "pgemm_force_variant: %s", pgemm_last_error(p->ctx));
        return 0;
    }
    return 1;
}

/* Set 0's C on the device <- p->c (the poison), or device -> p->c. */
static int move_c(vs_problem *p, vs_col col, int to_device, char *err, size_t cap)
{
    size_t bytes = vs_all_c(p) * sizeof(float);
    vs_set *s = &p->sets[0];
    if (vs_col_is_cublas(col)) {
        vs_cuda *cu = p->cu;
        int rc = to_device ? cu->memcpy_(s->cc, p->c, bytes, VS_CUDA_MEMCPY_H2D)
                           : cu->memcpy_(p->c, s->cc, bytes, VS_CUDA_MEMCPY_D2H);
        return vs_cuda_ok(cu, rc, to_device ? "cudaMemcpy to C" : "cudaMemcpy from C", err, cap);
    }
    pgemm_status st = to_device ? pgemm_buffer_write(s->c, 0, bytes, p->c)
                                : pgemm_buffer_read(s->c, 0, bytes, p->c);
    if (st == PGEMM_SUCCESS) return 1;
    snprintf(err, cap, "%s: %s", to_device ? "pgemm_buffer_write" : "pgemm_buffer_read",
             pgemm_last_error(p->ctx));
    return 0;
}

/* The sample against the fp64 reference (fp16 model when fp16 ran), and
 * every entry of C for NaN / Inf: the poison left in an unwritten entry. */
static int check_result(const vs_problem *p, vs_col col, vs_result *r)
{
    /* fp16 operands hold rounded values whatever ran; fp32 operands under
     * FP16_MIXED are rounded only when fp16 tiles ran (pgemm_last_call). */
    int f16 = col == COL_PGEMM_F16 || col == COL_CUBLAS_F16 ||
              (col == COL_PGEMM_F16C && r->precision_used == PGEMM_PRECISION_FP16_MIXED);
    const double *want = f16 ? p->want16 : p->want32, *mag = f16 ? p->mag16 : p->mag32;
    r->tol = f16 ? TOL_F16 : TOL_F32;
    pgemm_ref_report rep;
    memset(&rep, 0, sizeof rep);
    for (size_t q = 0; q < p->nsample; q++) {
        size_t i = p->si[q], j = p->sj[q];
        float got = p->c[p->sz[q] * p->nc + i + j * p->ldc];
        pgemm_ref_compare_one(i, j, p->s.k, got, want[q], mag[q], r->tol, &rep);
    }
    pgemm_ref_finish(&rep);
    r->max_scaled_err = rep.max_scaled_err;
    r->rel_err = rep.rel_fro_err;
    if (rep.bad) {
        snprintf(r->note, sizeof r->note,
                 "%s model, tol %g: %zu of %zu sampled entries off; C(%zu,%zu) = %.7g, "
                 "want %.7g",
                 f16 ? "fp16" : "fp32", r->tol, rep.bad, rep.checked, rep.first_bad_i,
                 rep.first_bad_j, rep.first_bad_got, rep.first_bad_want);
        return 0;
    }
    for (size_t z = 0; z < p->batch; z++)
        for (size_t j = 0; j < p->s.n; j++)
            for (size_t i = 0; i < p->s.m; i++) {
                float v = p->c[z * p->nc + i + j * p->ldc];
                if (!isfinite(v)) {
                    snprintf(r->note, sizeof r->note,
                             "C(%zu,%zu) of product %zu = %g (unwritten or overflow)", i, j, z,
                             (double)v);
                    return 0;
                }
            }
    if (r->rel_err > REL_ERR_NOTE)
        snprintf(r->note, sizeof r->note,
                 "relative error %.1e > %.0e: not fp32 accumulation (TF32? lossy sums?)",
                 r->rel_err, REL_ERR_NOTE);
    return 1;
}

void vs_prepare(vs_problem *p, vs_col col, const vs_args *args, vs_result *r)
{
    char err[PGEMM_REASON_LEN + 128];
    memset(r, 0, sizeof *r);
    vs_call call = {.p = p, .col = col};
    bench_call bc = {call_enqueue, call_sync, &call};

    /* 1. The first call, on set 0, into a poisoned C (NaN when beta == 0:
     * C is not read then, so any NaN left is an entry never written). */
    if (!select_precision(p, col, err, sizeof err)) goto fail;
    if (p->beta == 0.0f)
        for (size_t i = 0; i < vs_all_c(p); i++) p->c[i] = NAN;
    else
        memcpy(p->c, p->c0, vs_all_c(p) * sizeof(float));
    if (!move_c(p, col, 1, err, sizeof err)) goto fail;
    double t0 = pgemm_now_seconds();
    if (!call_enqueue(&call, err, sizeof err)) {
        if (call.pst == PGEMM_ERROR_UNSUPPORTED) {
            r->state = VS_UNSUPPORTED;
            snprintf(r->note, sizeof r->note, "%s", err);
            return;
        }
        goto fail;
    }
    if (!call_sync(&call, err, sizeof err)) goto fail;
    r->first = pgemm_now_seconds() - t0;
    if (!vs_col_is_cublas(col)) {
        pgemm_call_info ci;
        if (pgemm_last_call(p->ctx, &ci) == PGEMM_SUCCESS) {
            snprintf(r->variant, sizeof r->variant, "%s", ci.variant);
            r->precision_used = ci.precision_used;
        }
    } else {
        r->precision_used = vs_col_is_fp16(col) ? PGEMM_PRECISION_FP16_MIXED
                                                : PGEMM_PRECISION_FP32;
    }
    if (!move_c(p, col, 0, err, sizeof err)) goto fail;
    if (!check_result(p, col, r)) {
        r->state = VS_WRONG;
        return;
    }
    if (col == COL_PGEMM_F16C && r->precision_used != PGEMM_PRECISION_FP16_MIXED) {
        size_t len = strlen(r->note);
        snprintf(r->note + len, sizeof r->note - len,
                 "%sFP16_MIXED ran FP32 here (pgemm's choice); checked as FP32",
                 len ? "; " : "");
    }

    /* 2. Warm-up and calibration, rotating among the input sets. */
    call.rotate = 1;
    size_t group = 1;
    double t = bench_calibrate(&bc, args->common.min_time, args->common.time_budget, &group, err,
                               sizeof err);
    if (t < 0) goto fail;
    r->next_set = call.next;
    r->group = group;
    r->state = VS_OK;
    if (args->common.time_budget > 0 && t / (double)group > args->common.time_budget) {
        r->single = 1;
        r->event_sample[r->samples] = call.event_s / (double)group;
        r->sample[r->samples++] = t / (double)group;
        size_t len = strlen(r->note);
        snprintf(r->note + len, sizeof r->note - len,
                 "%sone timed call only: %.2f s > budget %.2f s", len ? "; " : "",
                 t / (double)group, args->common.time_budget);
    }
    return;

fail:
    r->state = VS_ERROR;
    snprintf(r->note, sizeof r->note, "%s", err);
}

void vs_sample(vs_problem *p, vs_col col, vs_result *r)
{
    char err[PGEMM_REASON_LEN + 128];
    if (r->state != VS_OK || r->samples >= VS_MAX_SAMPLES) return;
    if (r->single) return;
    vs_call call = {.p = p, .col = col, .rotate = 1, .next = r->next_set};
    bench_call bc = {call_enqueue, call_sync, &call};
    double t = -1.0;
    if (select_precision(p, col, err, sizeof err))
        t = bench_time_group(&bc, r->group, err, sizeof err);
    if (t < 0) {
        r->state = VS_ERROR;
        snprintf(r->note, sizeof r->note, "%s", err);
        return;
    }
    r->next_set = call.next;
    r->event_sample[r->samples] = call.event_s / (double)r->group;
    r->sample[r->samples++] = t / (double)r->group;
}

void vs_finish(const vs_problem *p, vs_result *r)
{
    if (r->state != VS_OK) return;
    double ev_min = 0;
    if (r->samples == 0 || !bench_median_min(r->sample, r->samples, &r->median, &r->min) ||
        !bench_median_min(r->event_sample, r->samples, &r->event_median, &ev_min)) {
        r->state = VS_ERROR;
        snprintf(r->note, sizeof r->note, "no timed sample");
        return;
    }
    r->tflops = bench_gflops(p->s, r->median) * 1e-3 * (double)p->batch;
}
