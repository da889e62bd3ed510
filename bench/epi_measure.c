/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * epi_measure.c: the columns of epilogue_vs_cublaslt. Each is checked
 * against fp64 before it is timed (the unfused one also against the fused
 * result over all of C), then warmed up, calibrated and sampled as
 * pgemm_vs_cublas samples its columns: the host clock around a group of calls
 * and the wait for all of them (pgemm_synchronize, cudaDeviceSynchronize),
 * cuBLASLt's groups also bracketed by CUDA events on its stream.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "epi.h"
#include "pgemm_ref.h"

/* Multipliers of pgemm_ref.h's bound: fp32's worst case, and for fp16
 * operands the bound on the fp16-rounded inputs with room for matrix units
 * that round their fp32 accumulation differently (as pgemm_vs_cublas). */
#define EPI_TOL_F32 1.0
#define EPI_TOL_F16 2.0
/* fp32 accumulation lands near 1e-7 .. 1e-6 relative error on the sample,
 * TF32 near 3e-4: above this a note says so. */
#define EPI_REL_NOTE 5e-5
/* ulps of fp32 the fused and unfused results of one kernel may differ by:
 * the sum's rounding before the bias is added, the activation's slope (at
 * most 1.13) and its evaluation. */
#define EPI_AGREE_ULPS 16.0

static const char *const kind_names[EPI_NKINDS] = {"plain", "cuBLASLt plain", "fused", "unfused",
                                                   "cuBLASLt"};

const char *epi_kind_name(epi_kind kind) { return kind_names[kind]; }
int epi_kind_is_lt(epi_kind kind) { return kind == EPI_LT || kind == EPI_LT_PLAIN; }

size_t epi_slot_index(int prec, epi_kind kind, size_t act_index)
{
    size_t base = (size_t)prec * EPI_PER_PREC;
    if (kind == EPI_PLAIN || kind == EPI_LT_PLAIN) return base + (kind == EPI_LT_PLAIN);
    return base + 2 + 3 * act_index + (size_t)(kind - EPI_FUSED);
}

/* One column's calls: which input set the next reads, and what the last did. */
typedef struct epi_call {
    epi_problem *p;
    epi_slot *s;
    int rotate; /* 0: always set 0 (the checked call) */
    size_t next;
    pgemm_status pst;
    int started;                /* cuBLASLt: this group's start event is recorded */
    double event_s;             /* cuBLASLt: the last group's seconds by the events */
    pgemm_call_info *gemm_info; /* unfused, when set: what its GEMM (not the pass) ran */
} epi_call;

static int pgemm_enqueue(epi_call *c, const vs_set *set, char *err, size_t cap)
{
    vs_problem *v = &c->p->vp;
    const epi_col *col = &c->s->col;
    int half = col->prec == EPI_FP16;
    pgemm_datatype t = half ? PGEMM_F16 : PGEMM_F32;
    const pgemm_buffer *a = half ? set->a16 : set->a32, *b = half ? set->b16 : set->b32;
    pgemm_epilogue ep;
    pgemm_epilogue_init(&ep);
    ep.activation = col->act;
    ep.bias = PGEMM_BIAS_PER_COLUMN;
    ep.bias_buffer = c->p->bias_pg;
    const char *what = col->kind == EPI_FUSED ? "pgemm_gemm_epilogue" : "pgemm_gemm_ex";
    if (col->kind == EPI_FUSED)
        c->pst = pgemm_gemm_epilogue(v->ctx, PGEMM_COL_MAJOR, v->ta, v->tb, v->s.m, v->s.n, v->s.k,
                                     v->alpha, a, t, 0, v->lda, b, t, 0, v->ldb, v->beta, set->c, 0,
                                     v->ldc, &ep);
    else
        c->pst =
            pgemm_gemm_ex(v->ctx, PGEMM_COL_MAJOR, v->ta, v->tb, v->s.m, v->s.n, v->s.k, v->alpha,
                          a, t, 0, v->lda, b, t, 0, v->ldb, v->beta, set->c, 0, v->ldc);
    /* unfused: a second call that only reads C, adds the bias, activates and writes C */
    if (c->pst == PGEMM_SUCCESS && col->kind == EPI_UNFUSED) {
        if (c->gemm_info) pgemm_last_call(v->ctx, c->gemm_info);
        what = "pgemm_gemm_epilogue with k 0 (the bias + activation pass)";
        c->pst =
            pgemm_gemm_epilogue(v->ctx, PGEMM_COL_MAJOR, v->ta, v->tb, v->s.m, v->s.n, 0, 0.0f, a,
                                t, 0, v->lda, b, t, 0, v->ldb, 1.0f, set->c, 0, v->ldc, &ep);
    }
    if (c->pst == PGEMM_SUCCESS) return 1;
    snprintf(err, cap, "%s: %s: %s", what, pgemm_status_string(c->pst), pgemm_last_error(v->ctx));
    return 0;
}

static int lt_enqueue(epi_call *c, size_t q, char *err, size_t cap)
{
    epi_problem *p = c->p;
    vs_cuda *cu = p->vp.cu;
    const vs_set *set = &p->vp.sets[q];
    int half = c->s->col.prec == EPI_FP16;
    if (!c->started &&
        !vs_cuda_ok(cu, cu->event_record(cu->ev_start, NULL), "cudaEventRecord", err, cap))
        return 0;
    c->started = 1;
    /* D = C^T: cuBLASLt's A is pgemm's B, its B pgemm's A. */
    int st = epi_lt_run(p->lt, &c->s->plan, p->vp.alpha, half ? set->cb16 : set->cb32,
                        half ? set->ca16 : set->ca32, p->vp.beta, p->d_sets[q]);
    return vs_cublas_ok(cu, st, "cublasLtMatmul", err, cap);
}

static int call_enqueue(void *self, char *err, size_t cap)
{
    epi_call *c = self;
    size_t q = c->rotate ? c->next : 0;
    if (c->rotate) c->next = (c->next + 1) % c->p->vp.nsets;
    if (epi_kind_is_lt(c->s->col.kind)) return lt_enqueue(c, q, err, cap);
    return pgemm_enqueue(c, &c->p->vp.sets[q], err, cap);
}

static int call_sync(void *self, char *err, size_t cap)
{
    epi_call *c = self;
    vs_problem *v = &c->p->vp;
    if (!epi_kind_is_lt(c->s->col.kind)) {
        c->pst = pgemm_synchronize(v->ctx);
        if (c->pst != PGEMM_SUCCESS)
            snprintf(err, cap, "pgemm_synchronize: %s", pgemm_last_error(v->ctx));
        return c->pst == PGEMM_SUCCESS;
    }
    vs_cuda *cu = v->cu;
    int timed = c->started;
    float ms = 0.0f;
    c->started = 0;
    if (timed &&
        !vs_cuda_ok(cu, cu->event_record(cu->ev_stop, NULL), "cudaEventRecord (stop)", err, cap))
        return 0;
    if (!vs_cuda_ok(cu, cu->device_synchronize(), "cudaDeviceSynchronize", err, cap)) return 0;
    if (timed && !vs_cuda_ok(cu, cu->event_elapsed_time(&ms, cu->ev_start, cu->ev_stop),
                             "cudaEventElapsedTime", err, cap))
        return 0;
    if (timed) c->event_s = 1e-3 * ms;
    return 1;
}

/* pgemm's precision for the row (FP16_MIXED for fp16 operands, as
 * pgemm_vs_cublas runs them) and the forced variant, before each group. */
static int use_precision(epi_problem *p, const epi_col *col, char *err, size_t cap)
{
    if (epi_kind_is_lt(col->kind)) return 1;
    vs_problem *v = &p->vp;
    int half = col->prec == EPI_FP16;
    pgemm_status st =
        pgemm_set_precision(v->ctx, half ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32);
    if (st == PGEMM_SUCCESS)
        st = pgemm_force_variant(v->ctx, half ? v->fp16_variant : v->fp32_variant);
    if (st == PGEMM_SUCCESS) return 1;
    snprintf(err, cap, "pgemm precision or forced variant: %s", pgemm_last_error(v->ctx));
    return 0;
}

/* cuBLASLt's problem: D (n x m) = C^T = op(B)^T op(A)^T, bias per row of D. */
static int plan_lt(epi_problem *p, epi_slot *s, char *err, size_t cap)
{
    const vs_problem *v = &p->vp;
    const epi_col *col = &s->col;
    if (col->kind == EPI_LT && col->act != PGEMM_ACTIVATION_RELU &&
        col->act != PGEMM_ACTIVATION_GELU_TANH) {
        snprintf(err, cap, "cuBLASLt has no %s epilogue", pgemm_activation_name(col->act));
        return -1;
    }
    int bt = v->tb == PGEMM_TRANS, at = v->ta == PGEMM_TRANS;
    epi_lt_gemm g = {
        .trans_a = bt ? VS_CUBLAS_OP_N : VS_CUBLAS_OP_T,
        .trans_b = at ? VS_CUBLAS_OP_N : VS_CUBLAS_OP_T,
        .m = v->s.n,
        .n = v->s.m,
        .a_rows = bt ? v->s.n : v->s.k,
        .a_cols = bt ? v->s.k : v->s.n,
        .b_rows = at ? v->s.k : v->s.m,
        .b_cols = at ? v->s.m : v->s.k,
        .lda = (int64_t)v->ldb,
        .ldb = (int64_t)v->lda,
        .ldd = (int64_t)p->ldd,
        .ab_type = col->prec == EPI_FP16 ? VS_CUDA_R_16F : VS_CUDA_R_32F,
        .epilogue = col->kind == EPI_LT_PLAIN           ? EPI_LT_EPILOGUE_DEFAULT
                    : col->act == PGEMM_ACTIVATION_RELU ? EPI_LT_EPILOGUE_RELU_BIAS
                                                        : EPI_LT_EPILOGUE_GELU_BIAS,
        .bias = p->bias_cu,
    };
    return epi_lt_plan_make(p->lt, v->cu, &g, &s->plan, err, cap);
}

/* Before the checked call: C poisoned (NaN; C0 when beta reads it), or D = D0. */
static int reset_output(epi_problem *p, const epi_col *col, char *err, size_t cap)
{
    vs_problem *v = &p->vp;
    if (epi_kind_is_lt(col->kind))
        return vs_cuda_ok(v->cu,
                          v->cu->memcpy_(p->d_sets[0], p->d0, p->ldd * v->s.m * sizeof(float),
                                         VS_CUDA_MEMCPY_H2D),
                          "cudaMemcpy to D", err, cap);
    for (size_t i = 0; i < v->nc; i++) v->c[i] = v->beta == 0.0f ? NAN : v->c0[i];
    pgemm_status st = pgemm_buffer_write(v->sets[0].c, 0, v->nc * sizeof(float), v->c);
    if (st != PGEMM_SUCCESS) snprintf(err, cap, "pgemm_buffer_write: %s", pgemm_last_error(v->ctx));
    return st == PGEMM_SUCCESS;
}

/* After it: C into vp.c, or D into p->d. */
static int read_output(epi_problem *p, const epi_col *col, char *err, size_t cap)
{
    vs_problem *v = &p->vp;
    if (epi_kind_is_lt(col->kind))
        return vs_cuda_ok(
            v->cu,
            v->cu->memcpy_(p->d, p->d_sets[0], p->ldd * v->s.m * sizeof(float), VS_CUDA_MEMCPY_D2H),
            "cudaMemcpy from D", err, cap);
    pgemm_status st = pgemm_buffer_read(v->sets[0].c, 0, v->nc * sizeof(float), v->c);
    if (st != PGEMM_SUCCESS) snprintf(err, cap, "pgemm_buffer_read: %s", pgemm_last_error(v->ctx));
    return st == PGEMM_SUCCESS;
}

/* What the checked pgemm call ran (pgemm_last_call): its variant, for
 * unfused also the pass's, and whether the epilogue ran in the kernel's
 * store as asked. */
static int record_call(epi_problem *p, epi_slot *s, const pgemm_call_info *gemm, char *err,
                       size_t cap)
{
    pgemm_call_info ci;
    epi_result *er = &s->res;
    if (pgemm_last_call(p->vp.ctx, &ci) != PGEMM_SUCCESS) {
        snprintf(err, cap, "pgemm_last_call: %s", pgemm_last_error(p->vp.ctx));
        return 0;
    }
    const pgemm_call_info *main_call = s->col.kind == EPI_UNFUSED ? gemm : &ci;
    snprintf(er->r.variant, sizeof er->r.variant, "%s", main_call->variant);
    er->r.precision_used = main_call->precision_used;
    if (s->col.kind == EPI_UNFUSED)
        snprintf(er->pass_variant, sizeof er->pass_variant, "%s", ci.variant);
    er->epilogue_fused = ci.epilogue_fused;
    if (s->col.kind == EPI_PLAIN ||
        (ci.epilogue_fused && ci.activation == s->col.act && ci.bias == PGEMM_BIAS_PER_COLUMN))
        return 1;
    snprintf(err, cap,
             "pgemm_last_call: epilogue_fused %d, %s, bias %s: not the epilogue asked "
             "for, in the kernel's store",
             ci.epilogue_fused, pgemm_activation_name(ci.activation), pgemm_bias_name(ci.bias));
    return 0;
}

/* The sample against the fp64 reference (of the fp16-rounded inputs for
 * fp16 operands), and all of the output for NaN / Inf (the poison). */
static int check_output(const epi_problem *p, const epi_col *col, vs_result *r)
{
    const vs_problem *v = &p->vp;
    int lt = epi_kind_is_lt(col->kind), half = col->prec == EPI_FP16;
    int plain = col->kind == EPI_PLAIN || col->kind == EPI_LT_PLAIN;
    const double *want =
        plain ? (half ? v->want16 : v->want32) : p->want[col->prec][col->act_index];
    const double *mag = plain ? (half ? v->mag16 : v->mag32) : p->mag[col->prec][col->act_index];
    /* C(i, j) is out[i * si + j * sj]: D holds C^T. */
    const float *out = lt ? p->d : v->c;
    size_t si = lt ? p->ldd : 1, sj = lt ? 1 : v->ldc;
    r->tol = half ? EPI_TOL_F16 : EPI_TOL_F32;
    pgemm_ref_report rep = {0};
    for (size_t q = 0; q < v->nsample; q++)
        pgemm_ref_compare_one(v->si[q], v->sj[q], v->s.k, out[v->si[q] * si + v->sj[q] * sj],
                              want[q], mag[q], r->tol, &rep);
    pgemm_ref_finish(&rep);
    if (rep.bad)
        snprintf(r->note, sizeof r->note,
                 "%zu of %zu sampled entries beyond %g x the bound (%s reference): C(%zu,%zu) = "
                 "%.7g, want %.7g",
                 rep.bad, rep.checked, r->tol, half ? "fp16" : "fp32", rep.first_bad_i,
                 rep.first_bad_j, rep.first_bad_got, rep.first_bad_want);
    r->max_scaled_err = rep.max_scaled_err;
    r->rel_err = rep.rel_fro_err;
    if (rep.bad) return 0;
    for (size_t j = 0; j < v->s.n; j++)
        for (size_t i = 0; i < v->s.m; i++)
            if (!isfinite(out[i * si + j * sj])) {
                snprintf(r->note, sizeof r->note, "C(%zu,%zu) = %g: never written, or overflow", i,
                         j, (double)out[i * si + j * sj]);
                return 0;
            }
    if (r->rel_err > EPI_REL_NOTE)
        snprintf(r->note, sizeof r->note,
                 "relative error %.1e over the sample: more than fp32 accumulation gives "
                 "(TF32?)",
                 r->rel_err);
    return 1;
}

static void add_note(vs_result *r, const char *text)
{
    size_t len = strlen(r->note);
    snprintf(r->note + len, sizeof r->note - len, "%s%s", len ? "; " : "", text);
}

/* One timed group of `calls` calls, as a per-call sample. */
static void keep_sample(vs_result *r, const epi_call *c, double seconds, size_t calls)
{
    r->event_sample[r->samples] = c->event_s / (double)calls;
    r->sample[r->samples++] = seconds / (double)calls;
}

/* The checked call (on set 0, into the poisoned output) and its wait, timed:
 * 1, or 0 on an error, -1 when pgemm refuses it as unsupported. */
static int checked_call(epi_call *c, vs_result *r, char *err, size_t cap)
{
    double t0 = pgemm_now_seconds();
    int ran = call_enqueue(c, err, cap) && call_sync(c, err, cap);
    r->first = pgemm_now_seconds() - t0;
    return ran ? 1 : c->pst == PGEMM_ERROR_UNSUPPORTED ? -1 : 0;
}

void epi_prepare(epi_problem *p, epi_slot *s, const epi_args *a)
{
    char err[PGEMM_REASON_LEN + 128];
    epi_result *er = &s->res;
    vs_result *r = &er->r;
    const epi_col *col = &s->col;
    int lt = epi_kind_is_lt(col->kind), step = 1;
    memset(er, 0, sizeof *er);
    er->agree = -1.0;
    r->precision_used = col->prec == EPI_FP16 ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32;
    pgemm_call_info gemm;
    memset(&gemm, 0, sizeof gemm);
    epi_call call = {.p = p, .s = s, .gemm_info = &gemm};
    bench_call bc = {call_enqueue, call_sync, &call};

    /* 1. Plan (cuBLASLt), reset the output, run once and check. */
    if (lt) step = plan_lt(p, s, err, sizeof err);
    if (step > 0)
        step = use_precision(p, col, err, sizeof err) && reset_output(p, col, err, sizeof err);
    if (step > 0) step = checked_call(&call, r, err, sizeof err);
    if (step > 0 && !lt) step = record_call(p, s, &gemm, err, sizeof err);
    if (step > 0) step = read_output(p, col, err, sizeof err);
    if (step <= 0) {
        r->state = step < 0 ? VS_UNSUPPORTED : VS_ERROR;
        snprintf(r->note, sizeof r->note, "%s", err);
        return;
    }
    if (!check_output(p, col, r)) {
        r->state = VS_WRONG;
        return;
    }
    if (col->kind == EPI_FUSED) memcpy(p->fused_c, p->vp.c, p->vp.nc * sizeof(float));

    /* 2. Warm-up and calibration, rotating among the input sets. */
    call.rotate = 1;
    call.gemm_info = NULL;
    size_t group = 1;
    double t = bench_calibrate(&bc, a->vs.common.min_time, a->vs.common.time_budget, &group, err,
                               sizeof err);
    if (t < 0) {
        r->state = VS_ERROR;
        snprintf(r->note, sizeof r->note, "%s", err);
        return;
    }
    r->state = VS_OK;
    r->group = group;
    r->next_set = call.next;
    double budget = a->vs.common.time_budget;
    if (budget > 0 && t / (double)group > budget) {
        char text[96];
        r->single = 1;
        keep_sample(r, &call, t, group);
        snprintf(text, sizeof text, "one timed call only: %.2f s > budget %.2f s",
                 t / (double)group, budget);
        add_note(r, text);
    }
}

void epi_agree(const epi_problem *p, epi_slot *unfused, const epi_slot *fused)
{
    vs_result *r = &unfused->res.r;
    if (r->state != VS_OK || fused->res.r.state != VS_OK) return;
    const vs_problem *v = &p->vp;
    int prec = unfused->col.prec;
    double ulp = ldexp(1.0, -24), floor_mag = 4.0 * p->sum_rms[prec];
    /* Two kernels also differ by their order of summation. */
    double order = strcmp(r->variant, fused->res.r.variant)
                       ? 2.0 * r->tol * (double)(v->s.k + 2) * ulp * p->mag_max[prec]
                       : 0.0;
    double worst = 0.0;
    size_t wi = 0, wj = 0;
    for (size_t j = 0; j < v->s.n; j++)
        for (size_t i = 0; i < v->s.m; i++) {
            double x = v->c[i + j * v->ldc], y = p->fused_c[i + j * v->ldc];
            double bound =
                EPI_AGREE_ULPS * ulp * (fabs(x) + fabs(y) + fabs(p->bias[j]) + floor_mag) + order;
            double e = fabs(x - y) / bound;
            if (e > worst) {
                worst = e;
                wi = i;
                wj = j;
            }
        }
    unfused->res.agree = worst;
    if (worst <= 1.0) return;
    r->state = VS_WRONG;
    snprintf(r->note, sizeof r->note,
             "differs from the fused result: C(%zu,%zu) = %.7g, fused %.7g (%.1f x the bound)", wi,
             wj, v->c[wi + wj * v->ldc], p->fused_c[wi + wj * v->ldc], worst);
}

void epi_sample(epi_problem *p, epi_slot *s)
{
    vs_result *r = &s->res.r;
    if (!s->active || r->state != VS_OK || r->single || r->samples >= VS_MAX_SAMPLES) return;
    char err[PGEMM_REASON_LEN + 128];
    epi_call call = {.p = p, .s = s, .rotate = 1, .next = r->next_set};
    bench_call bc = {call_enqueue, call_sync, &call};
    double t = use_precision(p, &s->col, err, sizeof err)
                   ? bench_time_group(&bc, r->group, err, sizeof err)
                   : -1.0;
    if (t < 0) {
        r->state = VS_ERROR;
        snprintf(r->note, sizeof r->note, "%s", err);
        return;
    }
    r->next_set = call.next;
    keep_sample(r, &call, t, r->group);
}

void epi_finish(epi_problem *p, epi_slot *s)
{
    if (s->active) vs_finish(&p->vp, &s->res.r);
    if (epi_kind_is_lt(s->col.kind)) epi_lt_plan_free(p->lt, &s->plan);
}
