/* SPDX-License-Identifier: BSD-3-Clause */
/* vs_report.c: pgemm_vs_cublas's output: the header, one block per shape, the CSV, the summary. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vs_cublas.h"

static const char *state_word(vs_state s)
{
    switch (s) {
    case VS_OK: return "ok";
    case VS_WRONG: return "WRONG";
    case VS_ERROR: return "ERROR";
    case VS_UNSUPPORTED: return "unsupported";
    default: return "skipped";
    }
}

static const char *precision_word(pgemm_precision p)
{
    return p == PGEMM_PRECISION_FP16_MIXED ? "fp16_mixed" : "fp32";
}

static void version_text(int v, char *dst, size_t cap)
{
    snprintf(dst, cap, "%d.%d", v / 1000, v % 1000 / 10);
}

/* The cuBLAS column a pgemm column is compared with (-1: none). */
static int reference_col(vs_col col)
{
    return col == COL_PGEMM_F32 ? COL_CUBLAS_F32
           : col == COL_PGEMM_F16 || col == COL_PGEMM_F16C ? COL_CUBLAS_F16 : -1;
}

static double ratio(const vs_result *x, const vs_result *y)
{
    return x->state == VS_OK && y->state == VS_OK && y->tflops > 0 ? x->tflops / y->tflops : NAN;
}

void vs_print_header(const vs_run_info *ri)
{
    const vs_cuda *cu = ri->cu;
    const vs_args *a = ri->args;
    char rt[16], drv[16], tr[3];
    version_text(cu->runtime_version, rt, sizeof rt);
    version_text(cu->driver_version, drv, sizeof drv);
    bench_trans_text(a->common.ta, a->common.tb, tr);
    printf("pgemm_vs_cublas: pgemm %s against cuBLAS, %s, host %s\n", pgemm_version_string(),
           ri->date, ri->host);
    printf("pgemm : backend %s, device \"%s\" (%s), fp16 tiles %s\n", ri->pgemm.backend_name,
           ri->pgemm.device, ri->pgemm.driver, ri->pgemm.has_fp16_tiles ? "yes" : "no");
    printf("        %s\n", ri->pgemm.why);
    printf("cuBLAS: %d (%s), CUDA runtime %s (%s), driver %s, device %d \"%s\"\n",
           cu->cublas_version, cu->cublas_path, rt, cu->cudart_path, drv, cu->device,
           cu->device_name);
    printf("        math mode %s: FP32 = cublasSgemm without TF32; FP16 = cublasGemmEx, "
           "CUDA_R_16F A and B, CUDA_R_32F C, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT\n",
           cu->math_mode == VS_CUBLAS_PEDANTIC_MATH ? "CUBLAS_PEDANTIC_MATH"
                                                     : "CUBLAS_DEFAULT_MATH");
    printf("problem: column-major, op %s, alpha %g, beta %g, pad %zu; inputs uniform in "
           "[-1, 1), the same values in both libraries' buffers\n",
           tr, (double)a->common.alpha, (double)a->common.beta, a->common.pad);
    printf("timing: host clock around groups of calls ending in pgemm_synchronize / "
           "cudaDeviceSynchronize (cuBLAS also by CUDA events, in brackets); a group lasts "
           ">= %g s; median of %zu groups, taken round-robin over the columns once each is "
           "checked and warmed up; inputs under %g MB rotate among sets filling %g MB%s\n",
           a->common.min_time, a->common.repeat, 2 * a->l2_mb, 4 * a->l2_mb,
           a->rotate ? "" : " (off)");
    printf("check: before timing, %zu entries of C (4 corners + random) against fp64; C "
           "poisoned with NaN first; fp32 bound tol 1; fp16: reference on the fp16-rounded "
           "inputs, tol 2 (tools/common/pgemm_ref.h)\n\n",
           a->common.check_samples + 4);
}

void vs_print_shape(const vs_problem *p, const vs_result rs[VS_NCOLS])
{
    char batch[32] = "";
    if (p->batch > 1) snprintf(batch, sizeof batch, ", batch %zu", p->batch);
    printf("== %zux%zux%zu%s (%zu input set%s of %.3g MB)\n", p->s.m, p->s.n, p->s.k, batch,
           p->nsets, p->nsets == 1 ? "" : "s", p->set_mb);
    printf("  %-17s %9s %10s %10s %10s %11s %6s  %s\n", "column", "TFLOP/s", "median", "min",
           "1st call", "calls x n", "/cuBLAS", "check, variant, note");
    for (int c = 0; c < VS_NCOLS; c++) {
        const vs_result *r = &rs[c];
        if (r->state == VS_SKIPPED) continue;
        char med[32], mn[32], first[32], calls[32], tf[32], rel[16], ev[48] = "";
        bench_print_time(med, sizeof med, r->state == VS_OK ? r->median : 0);
        bench_print_time(mn, sizeof mn, r->state == VS_OK ? r->min : 0);
        bench_print_time(first, sizeof first, r->first);
        snprintf(calls, sizeof calls, "%zu x %zu", r->group, r->samples);
        snprintf(tf, sizeof tf, r->state == VS_OK ? "%.2f" : "-", r->tflops);
        int rc = reference_col((vs_col)c);
        double q = rc >= 0 ? ratio(r, &rs[rc]) : NAN;
        snprintf(rel, sizeof rel, isnan(q) ? "" : "%.2f", q);
        if (vs_col_is_cublas((vs_col)c) && r->state == VS_OK && r->event_median > 0)
            snprintf(ev, sizeof ev, " [events %.2f]",
                     2e-12 * (double)p->s.m * (double)p->s.n * (double)p->s.k * (double)p->batch /
                         r->event_median);
        printf("  %-17s %9s %10s %10s %10s %11s %6s  ", vs_col_name((vs_col)c), tf, med, mn,
               first, calls, rel);
        if (r->state == VS_OK)
            printf("ok (%.3f of bound, rel %.1e)%s", r->max_scaled_err / r->tol, r->rel_err, ev);
        else
            printf("%s", state_word(r->state));
        if (r->variant[0])
            printf(", %s/%s", r->variant, precision_word(r->precision_used));
        if (r->note[0] && r->state != VS_OK) printf(": %s", r->note);
        else if (r->note[0]) printf("; %s", r->note);
        printf("\n");
    }
    printf("\n");
    fflush(stdout);
}

void vs_csv_header(FILE *f)
{
    fprintf(f, "date,host,device,cuda_device,pgemm_backend,cuda_runtime,cuda_driver,"
               "cublas_version,cublas_math,m,n,k,trans,alpha,beta,input_sets,set_mb,column,"
               "library,status,tflops,median_s,min_s,first_s,calls_per_sample,samples,"
               "cublas_event_tflops,ratio_to_cublas,variant,precision_used,max_scaled_err,"
               "rel_err,tol,note,batch\n");
}

void vs_csv_rows(FILE *f, const vs_run_info *ri, const vs_problem *p,
                 const vs_result rs[VS_NCOLS])
{
    const vs_cuda *cu = ri->cu;
    char tr[3];
    bench_trans_text(ri->args->common.ta, ri->args->common.tb, tr);
    for (int c = 0; c < VS_NCOLS; c++) {
        const vs_result *r = &rs[c];
        if (r->state == VS_SKIPPED) continue;
        int ok = r->state == VS_OK;
        bench_csv_field(f, ri->date);
        fputc(',', f);
        bench_csv_field(f, ri->host);
        fputc(',', f);
        bench_csv_field(f, ri->pgemm.device);
        fputc(',', f);
        bench_csv_field(f, cu->device_name);
        fprintf(f, ",%s,%d,%d,%d,%s,%zu,%zu,%zu,%s,%g,%g,%zu,%.4g,", ri->pgemm.backend_name,
                cu->runtime_version, cu->driver_version, cu->cublas_version,
                cu->math_mode == VS_CUBLAS_PEDANTIC_MATH ? "pedantic" : "default", p->s.m, p->s.n,
                p->s.k, tr, (double)ri->args->common.alpha, (double)ri->args->common.beta, p->nsets,
                p->set_mb);
        bench_csv_field(f, vs_col_name((vs_col)c));
        fprintf(f, ",%s,%s,", vs_col_is_cublas((vs_col)c) ? "cublas" : "pgemm",
                state_word(r->state));
        if (ok)
            fprintf(f, "%.4f,%.6e,%.6e,", r->tflops, r->median, r->min);
        else
            fprintf(f, ",,,");
        fprintf(f, "%.6e,%zu,%zu,", r->first, r->group, r->samples);
        if (ok && vs_col_is_cublas((vs_col)c) && r->event_median > 0)
            fprintf(f, "%.4f",
                    2e-12 * (double)p->s.m * (double)p->s.n * (double)p->s.k * (double)p->batch /
                        r->event_median);
        int rc = reference_col((vs_col)c);
        double q = rc >= 0 ? ratio(r, &rs[rc]) : NAN;
        if (!isnan(q)) fprintf(f, ",%.4f,", q);
        else fprintf(f, ",,");
        bench_csv_field(f, r->variant);
        fprintf(f, ",%s,", r->state == VS_OK || r->state == VS_WRONG
                               ? precision_word(r->precision_used) : "");
        if (r->state == VS_OK || r->state == VS_WRONG)
            fprintf(f, "%.4g,%.3e,%g,", r->max_scaled_err, r->rel_err, r->tol);
        else
            fprintf(f, ",,,");
        bench_csv_field(f, r->note);
        fprintf(f, ",%zu\n", p->batch);
    }
    fflush(f);
}

/* A TFLOP/s cell, or the state's word. */
static void cell(char *dst, size_t cap, const vs_result *r)
{
    if (r->state == VS_OK) snprintf(dst, cap, "%.2f", r->tflops);
    else if (r->state == VS_SKIPPED) snprintf(dst, cap, "-");
    else if (r->state == VS_UNSUPPORTED) snprintf(dst, cap, "unsup");
    else snprintf(dst, cap, "%s", r->state == VS_WRONG ? "WRONG" : "ERROR");
}

static void ratio_cell(char *dst, size_t cap, double q)
{
    snprintf(dst, cap, isnan(q) ? "-" : "%.2f", q);
}

typedef struct geo {
    double log_sum;
    size_t n;
} geo;

static void geo_add(geo *g, double q)
{
    if (isnan(q) || q <= 0) return;
    g->log_sum += log(q);
    g->n++;
}

static double geo_mean(const geo *g) { return g->n ? exp(g->log_sum / (double)g->n) : NAN; }

void vs_print_summary(const vs_run_info *ri, const shape *shapes, size_t nshapes,
                      const vs_result *rows)
{
    char tr[3];
    bench_trans_text(ri->args->common.ta, ri->args->common.tb, tr);
    printf("Summary (TFLOP/s, median; %s; pgemm %s vs cuBLAS %d; col-major %s)\n",
           ri->pgemm.device, ri->pgemm.backend_name, ri->cu->cublas_version, tr);
    printf("%-16s|%8s %8s %6s %-16s|%8s %8s %6s|%9s|%8s\n", "shape", "pgemm32", "cuBLAS32",
           "ratio", "pgemm variant", "pgemm16", "cuBLAS16", "ratio", "pg16<-32", "16/32");
    geo g32 = {0, 0}, g16 = {0, 0}, g16c = {0, 0}, gsp = {0, 0};
    for (size_t i = 0; i < nshapes; i++) {
        const vs_result *r = rows + i * VS_NCOLS;
        char sh[48], c[VS_NCOLS][16], q32[16], q16[16], sp[16], var[24];
        if (ri->args->batch > 1)
            snprintf(sh, sizeof sh, "%zux%zux%zu x%zu", shapes[i].m, shapes[i].n, shapes[i].k,
                     ri->args->batch);
        else
            snprintf(sh, sizeof sh, "%zux%zux%zu", shapes[i].m, shapes[i].n, shapes[i].k);
        for (int k = 0; k < VS_NCOLS; k++) cell(c[k], sizeof c[k], &r[k]);
        double r32 = ratio(&r[COL_PGEMM_F32], &r[COL_CUBLAS_F32]);
        double r16 = ratio(&r[COL_PGEMM_F16], &r[COL_CUBLAS_F16]);
        double s16 = ratio(&r[COL_PGEMM_F16], &r[COL_PGEMM_F32]);
        geo_add(&g32, r32);
        geo_add(&g16, r16);
        geo_add(&g16c, ratio(&r[COL_PGEMM_F16C], &r[COL_CUBLAS_F16]));
        geo_add(&gsp, s16);
        ratio_cell(q32, sizeof q32, r32);
        ratio_cell(q16, sizeof q16, r16);
        ratio_cell(sp, sizeof sp, s16);
        snprintf(var, sizeof var, "%.16s",
                 r[COL_PGEMM_F32].variant[0] ? r[COL_PGEMM_F32].variant : "-");
        printf("%-16s|%8s %8s %6s %-16s|%8s %8s %6s|%9s|%8s\n", sh, c[COL_PGEMM_F32],
               c[COL_CUBLAS_F32], q32, var, c[COL_PGEMM_F16], c[COL_CUBLAS_F16], q16,
               c[COL_PGEMM_F16C], sp);
    }
    char m32[16], m16[16], m16c[16], msp[16];
    ratio_cell(m32, sizeof m32, geo_mean(&g32));
    ratio_cell(m16, sizeof m16, geo_mean(&g16));
    ratio_cell(m16c, sizeof m16c, geo_mean(&g16c));
    ratio_cell(msp, sizeof msp, geo_mean(&gsp));
    printf("geometric means: pgemm/cuBLAS fp32 %s, fp16 %s, pgemm fp16<-fp32 / cuBLAS fp16 %s; "
           "pgemm fp16/fp32 %s\n",
           m32, m16, m16c, msp);
}
