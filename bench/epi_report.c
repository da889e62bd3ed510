/* SPDX-License-Identifier: BSD-3-Clause */
/* epi_report.c: epilogue_vs_cublaslt's output: the header, a block per shape, the CSV, the summary.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "epi.h"

/* The fused call may take this much longer than the plain one (time ratio). */
#define EPI_TARGET 1.03

static const char *const state_words[] = {"ok", "WRONG", "ERROR", "unsupported", "-"};
static const char *const prec_words[EPI_NPREC] = {"fp32", "fp16"};

static int prec_active(const epi_args *a, int prec)
{
    return prec == EPI_FP16 ? a->vs.fp16 : a->fp32;
}

static const epi_slot *slot_of(const epi_slot *slots, int prec, epi_kind kind, size_t ai)
{
    return &slots[epi_slot_index(prec, kind, ai)];
}

/* x's median time over y's, and x's TFLOP/s over y's; NaN unless both were timed. */
static double time_ratio(const epi_slot *x, const epi_slot *y)
{
    int ok = x->res.r.state == VS_OK && y->res.r.state == VS_OK && y->res.r.median > 0;
    return ok ? x->res.r.median / y->res.r.median : NAN;
}

static double speed_ratio(const epi_slot *x, const epi_slot *y)
{
    int ok = x->res.r.state == VS_OK && y->res.r.state == VS_OK && y->res.r.tflops > 0;
    return ok ? x->res.r.tflops / y->res.r.tflops : NAN;
}

/* What a slot is measured against for each ratio (NULL: none). */
static const epi_slot *plain_of(const epi_slot *slots, const epi_slot *s)
{
    switch (s->col.kind) {
    case EPI_FUSED:
    case EPI_UNFUSED: return slot_of(slots, s->col.prec, EPI_PLAIN, 0);
    case EPI_LT: return slot_of(slots, s->col.prec, EPI_LT_PLAIN, 0);
    default: return NULL;
    }
}

static const epi_slot *lt_of(const epi_slot *slots, const epi_slot *s)
{
    switch (s->col.kind) {
    case EPI_FUSED:
    case EPI_UNFUSED: return slot_of(slots, s->col.prec, EPI_LT, s->col.act_index);
    case EPI_PLAIN: return slot_of(slots, s->col.prec, EPI_LT_PLAIN, 0);
    default: return NULL;
    }
}

void epi_print_header(const epi_run_info *ri)
{
    const vs_cuda *cu = ri->vs.cu;
    const epi_args *a = ri->args;
    const bench_common_args *c = &a->vs.common;
    size_t v = ri->lt->version;
    char tr[3], acts[64] = "";
    bench_trans_text(c->ta, c->tb, tr);
    for (size_t i = 0; i < a->nacts; i++)
        snprintf(acts + strlen(acts), sizeof acts - strlen(acts), "%s%s", i ? ", " : "",
                 pgemm_activation_name(a->acts[i]));
    printf(EPI_PROG ": pgemm %s fused epilogue against cuBLASLt, %s, host %s\n",
           pgemm_version_string(), ri->vs.date, ri->vs.host);
    printf("pgemm   : backend %s, device \"%s\" (%s), fp16 tiles %s\n", ri->vs.pgemm.backend_name,
           ri->vs.pgemm.device, ri->vs.pgemm.driver, ri->vs.pgemm.has_fp16_tiles ? "yes" : "no");
    printf("          %s\n", ri->vs.pgemm.why);
    printf("cuBLASLt: %zu.%zu.%zu (cublasLtGetVersion %zu, %s), workspace %.0f MiB; CUDA runtime "
           "%d, driver %d, device %d \"%s\"\n",
           v / 10000, v / 100 % 100, v % 100, v, ri->lt->path, a->workspace_mb, cu->runtime_version,
           cu->driver_version, cu->device, cu->device_name);
    printf("          CUBLAS_COMPUTE_32F (no TF32), fp32 scale, bias and D; A and B CUDA_R_32F "
           "or CUDA_R_16F. Its bias is per row of D, so it computes D = C^T (n x m) = "
           "op(B)^T op(A)^T from the same A and B\n");
    printf("problem : C = act(alpha op(A) op(B) + beta C + bias), column-major %s, alpha %g, "
           "beta %g, pad %zu; bias per column of C (n values); activations %s; inputs uniform "
           "in [-1, 1), the bias in +-sqrt(k/9)\n",
           tr, (double)c->alpha, (double)c->beta, c->pad, acts);
    printf("columns : plain = pgemm_gemm_ex; fused = pgemm_gemm_epilogue (PGEMM_BIAS_PER_COLUMN "
           "+ activation); unfused = pgemm_gemm_ex, then pgemm_gemm_epilogue with k 0, alpha 0, "
           "beta 1 (one pass: read C, add the bias, activate, write C); cuBLASLt = "
           "cublasLtMatmul with CUBLASLT_EPILOGUE_RELU_BIAS / _GELU_BIAS; Lt plain = "
           "CUBLASLT_EPILOGUE_DEFAULT. fp16: fp16 A and B, fp32 C (pgemm precision "
           "FP16_MIXED)\n");
    printf("timing  : host clock around groups of calls ending in pgemm_synchronize / "
           "cudaDeviceSynchronize (cuBLASLt also by CUDA events, in the CSV); a group lasts >= "
           "%g s; median of %zu groups, round-robin over one library's columns of one precision "
           "at a time; inputs under %g MB "
           "rotate among sets filling %g MB%s\n",
           c->min_time, c->repeat, 2 * a->vs.l2_mb, 4 * a->vs.l2_mb, a->vs.rotate ? "" : " (off)");
    printf("check   : before timing, %zu entries of C (4 corners + random) against fp64 with "
           "the epilogue (tools/common/pgemm_ref.h; fp32 tol 1, fp16 on the rounded inputs tol "
           "2); the output poisoned first and scanned for NaN; unfused against fused over all "
           "of C\n",
           c->check_samples + 4);
    printf("ratios  : fused/plain = fused time over plain time (target <= %.2f); fused/Lt = "
           "fused TFLOP/s over cuBLASLt's; TFLOP/s = 2 m n k / median time\n\n",
           EPI_TARGET);
}

/* "  12.34   123.4" (TFLOP/s, microseconds) or the state's word, 16 wide. */
static void cell(char *dst, size_t cap, const epi_slot *s)
{
    const vs_result *r = &s->res.r;
    if (r->state == VS_OK)
        snprintf(dst, cap, "%7.2f %8.1f", r->tflops, r->median * 1e6);
    else
        snprintf(dst, cap, "%16s", state_words[r->state]);
}

static void ratio_cell(char *dst, size_t cap, double q, int width)
{
    if (isnan(q))
        snprintf(dst, cap, "%*s", width, "-");
    else
        snprintf(dst, cap, "%*.3f", width, q);
}

/* "tile_x" when plain and fused ran one variant, else both; and the pass's. */
static void variants_text(char *dst, size_t cap, const epi_slot *plain, const epi_slot *fused,
                          const epi_slot *unfused)
{
    const char *pv = plain->res.r.variant, *fv = fused->res.r.variant;
    if (!strcmp(pv, fv))
        snprintf(dst, cap, "%s (plain = fused)", pv[0] ? pv : "-");
    else
        snprintf(dst, cap, "plain %s, fused %s", pv[0] ? pv : "-", fv[0] ? fv : "-");
    if (unfused->res.pass_variant[0])
        snprintf(dst + strlen(dst), cap - strlen(dst), "; pass %s", unfused->res.pass_variant);
}

void epi_print_shape(const epi_run_info *ri, const epi_problem *p, const epi_slot *slots)
{
    const epi_args *a = ri->args;
    const vs_problem *v = &p->vp;
    printf("== %zux%zux%zu (m x n x k; %zu input set%s of %.3g MB)\n", v->s.m, v->s.n, v->s.k,
           v->nsets, v->nsets == 1 ? "" : "s", v->set_mb);
    printf("  %-4s %-9s %16s %16s %16s %16s %16s %7s %8s  %s\n", "", "", "plain", "fused",
           "unfused", "cuBLASLt", "Lt plain", "fused/", "fused/", "pgemm variants");
    printf("  %-4s %-9s", "prec", "act");
    for (int i = 0; i < 5; i++) printf(" %16s", "TFLOP/s      us");
    printf(" %7s %8s\n", "plain", "Lt");
    for (int prec = 0; prec < EPI_NPREC; prec++) {
        if (!prec_active(a, prec)) continue;
        const epi_slot *plain = slot_of(slots, prec, EPI_PLAIN, 0);
        const epi_slot *ltp = slot_of(slots, prec, EPI_LT_PLAIN, 0);
        for (size_t ai = 0; ai < a->nacts; ai++) {
            const epi_slot *f = slot_of(slots, prec, EPI_FUSED, ai);
            const epi_slot *u = slot_of(slots, prec, EPI_UNFUSED, ai);
            const epi_slot *lt = slot_of(slots, prec, EPI_LT, ai);
            char c[5][32], q1[16], q2[16], var[2 * PGEMM_NAME_LEN + 64];
            const epi_slot *row[5] = {plain, f, u, lt, ltp};
            for (int i = 0; i < 5; i++) cell(c[i], sizeof c[i], row[i]);
            ratio_cell(q1, sizeof q1, time_ratio(f, plain), 7);
            ratio_cell(q2, sizeof q2, speed_ratio(f, lt), 8);
            variants_text(var, sizeof var, plain, f, u);
            printf("  %-4s %-9s %s %s %s %s %s %s %s  %s\n", prec_words[prec],
                   pgemm_activation_name(a->acts[ai]), c[0], c[1], c[2], c[3], c[4], q1, q2, var);
        }
    }
    /* What went wrong or deserves a word, column by column. */
    for (size_t i = 0; i < EPI_SLOTS; i++) {
        const epi_slot *s = &slots[i];
        if (!s->active || !s->res.r.note[0]) continue;
        const char *act =
            s->col.act == PGEMM_ACTIVATION_NONE ? "" : pgemm_activation_name(s->col.act);
        printf("  %s %s%s%s: %s: %s\n", prec_words[s->col.prec], act, act[0] ? " " : "",
               epi_kind_name(s->col.kind), state_words[s->res.r.state], s->res.r.note);
    }
    printf("\n");
    fflush(stdout);
}

void epi_csv_header(FILE *f)
{
    fprintf(f, "date,host,device,cuda_device,pgemm_backend,cuda_runtime,cuda_driver,"
               "cublaslt_version,m,n,k,trans,alpha,beta,input_sets,set_mb,precision,activation,"
               "column,library,status,tflops,median_s,min_s,first_s,calls_per_sample,samples,"
               "event_tflops,time_vs_plain,tflops_vs_cublaslt,variant,pass_variant,"
               "epilogue_fused,precision_used,max_scaled_err,rel_err,tol,agree,note\n");
}

static void csv_ratio(FILE *f, double q)
{
    if (isnan(q))
        fputc(',', f);
    else
        fprintf(f, "%.4f,", q);
}

static void csv_row(FILE *f, const epi_run_info *ri, const epi_problem *p, const epi_slot *slots,
                    const epi_slot *s)
{
    const vs_problem *v = &p->vp;
    const vs_result *r = &s->res.r;
    const bench_common_args *c = &ri->args->vs.common;
    double flop = 2.0 * (double)v->s.m * (double)v->s.n * (double)v->s.k;
    int ok = r->state == VS_OK, checked = ok || r->state == VS_WRONG;
    int lt = epi_kind_is_lt(s->col.kind);
    const epi_slot *plain = plain_of(slots, s), *ref = lt_of(slots, s);
    char tr[3];
    bench_trans_text(c->ta, c->tb, tr);
    const char *texts[4] = {ri->vs.date, ri->vs.host, ri->vs.pgemm.device, ri->vs.cu->device_name};
    for (int i = 0; i < 4; i++) {
        bench_csv_field(f, texts[i]);
        fputc(',', f);
    }
    fprintf(f, "%s,%d,%d,%zu,%zu,%zu,%zu,%s,%g,%g,%zu,%.4g,%s,%s,", ri->vs.pgemm.backend_name,
            ri->vs.cu->runtime_version, ri->vs.cu->driver_version, ri->lt->version, v->s.m, v->s.n,
            v->s.k, tr, (double)c->alpha, (double)c->beta, v->nsets, v->set_mb,
            prec_words[s->col.prec], pgemm_activation_name(s->col.act));
    bench_csv_field(f, epi_kind_name(s->col.kind));
    fprintf(f, ",%s,%s,", lt ? "cublaslt" : "pgemm", state_words[r->state]);
    if (ok)
        fprintf(f, "%.4f,%.6e,%.6e,", r->tflops, r->median, r->min);
    else
        fprintf(f, ",,,");
    fprintf(f, "%.6e,%zu,%zu,", r->first, r->group, r->samples);
    if (ok && lt && r->event_median > 0) fprintf(f, "%.4f", flop * 1e-12 / r->event_median);
    fputc(',', f);
    csv_ratio(f, plain ? time_ratio(s, plain) : NAN);
    csv_ratio(f, ref ? speed_ratio(s, ref) : NAN);
    bench_csv_field(f, r->variant);
    fputc(',', f);
    bench_csv_field(f, s->res.pass_variant);
    fprintf(f, ",%s,%s,",
            lt                      ? ""
            : s->res.epilogue_fused ? "1"
                                    : "0",
            checked ? prec_words[r->precision_used == PGEMM_PRECISION_FP16_MIXED] : "");
    if (checked)
        fprintf(f, "%.4g,%.3e,%g,", r->max_scaled_err, r->rel_err, r->tol);
    else
        fprintf(f, ",,,");
    if (s->res.agree >= 0) fprintf(f, "%.4g", s->res.agree);
    fputc(',', f);
    bench_csv_field(f, r->note);
    fputc('\n', f);
}

void epi_csv_rows(FILE *f, const epi_run_info *ri, const epi_problem *p, const epi_slot *slots)
{
    for (size_t i = 0; i < EPI_SLOTS; i++)
        if (slots[i].active) csv_row(f, ri, p, slots, &slots[i]);
    fflush(f);
}

/* Running geometric mean of the finite positive ratios. */
typedef struct epi_mean {
    double log_sum;
    size_t n;
} epi_mean;

static void mean_add(epi_mean *m, double q)
{
    if (q > 0 && isfinite(q)) {
        m->log_sum += log(q);
        m->n++;
    }
}

static double mean_of(const epi_mean *m) { return m->n ? exp(m->log_sum / (double)m->n) : NAN; }

void epi_print_summary(const epi_run_info *ri, const shape *shapes, size_t nshapes,
                       const epi_slot *slots)
{
    const epi_args *a = ri->args;
    printf("Summary (%s, pgemm %s vs cuBLASLt %zu; medians; fused/plain and unfused/fused are "
           "time ratios, fused/Lt a TFLOP/s ratio; * fused/plain above %.2f)\n",
           ri->vs.pgemm.device, ri->vs.pgemm.backend_name, ri->lt->version, EPI_TARGET);
    printf("%-16s %-4s %-9s|%8s %8s %8s %8s|%8s %8s %8s| %s\n", "m x n x k", "prec", "act", "plain",
           "fused", "unfused", "cuBLASLt", "fus/pln", "unf/fus", "fus/Lt",
           "variant (plain = fused?)");
    epi_mean over_plain[EPI_NPREC] = {{0, 0}}, over_lt[EPI_NPREC] = {{0, 0}};
    size_t within[EPI_NPREC] = {0}, rows[EPI_NPREC] = {0};
    for (size_t i = 0; i < nshapes; i++) {
        const epi_slot *ss = slots + i * EPI_SLOTS;
        char sh[48];
        snprintf(sh, sizeof sh, "%zux%zux%zu", shapes[i].m, shapes[i].n, shapes[i].k);
        for (int prec = 0; prec < EPI_NPREC; prec++) {
            if (!prec_active(a, prec)) continue;
            const epi_slot *plain = slot_of(ss, prec, EPI_PLAIN, 0);
            for (size_t ai = 0; ai < a->nacts; ai++) {
                const epi_slot *f = slot_of(ss, prec, EPI_FUSED, ai);
                const epi_slot *u = slot_of(ss, prec, EPI_UNFUSED, ai);
                const epi_slot *lt = slot_of(ss, prec, EPI_LT, ai);
                const epi_slot *row[4] = {plain, f, u, lt};
                char c[4][16], q[3][16], var[2 * PGEMM_NAME_LEN + 32];
                for (int k = 0; k < 4; k++) {
                    const vs_result *r = &row[k]->res.r;
                    if (r->state == VS_OK)
                        snprintf(c[k], sizeof c[k], "%.2f", r->tflops);
                    else
                        snprintf(c[k], sizeof c[k], "%s",
                                 r->state == VS_UNSUPPORTED ? "unsup" : state_words[r->state]);
                }
                double fp = time_ratio(f, plain), fl = speed_ratio(f, lt);
                ratio_cell(q[0], sizeof q[0], fp, 7);
                ratio_cell(q[1], sizeof q[1], time_ratio(u, f), 8);
                ratio_cell(q[2], sizeof q[2], fl, 8);
                mean_add(&over_plain[prec], fp);
                mean_add(&over_lt[prec], fl);
                rows[prec] += !isnan(fp);
                within[prec] += !isnan(fp) && fp <= EPI_TARGET;
                const char *pv = plain->res.r.variant, *fv = f->res.r.variant;
                if (!strcmp(pv, fv))
                    snprintf(var, sizeof var, "%s (same)", pv[0] ? pv : "-");
                else
                    snprintf(var, sizeof var, "%s / %s", pv[0] ? pv : "-", fv[0] ? fv : "-");
                printf("%-16s %-4s %-9s|%8s %8s %8s %8s|%s%s %8s %8s| %s\n", sh, prec_words[prec],
                       pgemm_activation_name(a->acts[ai]), c[0], c[1], c[2], c[3], q[0],
                       !isnan(fp) && fp > EPI_TARGET ? "*" : " ", q[1], q[2], var);
            }
        }
    }
    for (int prec = 0; prec < EPI_NPREC; prec++) {
        if (!prec_active(a, prec)) continue;
        char m1[16], m2[16];
        ratio_cell(m1, sizeof m1, mean_of(&over_plain[prec]), 1);
        ratio_cell(m2, sizeof m2, mean_of(&over_lt[prec]), 1);
        printf("%s: fused/plain time, geometric mean %s (%zu of %zu rows within %.2f); fused/Lt "
               "TFLOP/s, geometric mean %s\n",
               prec_words[prec], m1, within[prec], rows[prec], EPI_TARGET, m2);
    }
}
