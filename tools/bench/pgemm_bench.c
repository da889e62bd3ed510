/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `pgemm bench`: times every pgemm kernel variant, pgemm's own choice and
 * CLBlast on one device, for a sweep of GEMM shapes; a table, a CSV and a
 * PNG of the sweep (bench_plot.c).
 *
 * Method, per shape and kernel:
 *   1. one untimed call from a known C (triggers kernel compilation / cache
 *      loading); its result is checked on a sample of C entries against the
 *      fp64 reference (pgemm_ref_element). A wrong result is reported loudly
 *      and the kernel gets no time for this shape.
 *   2. calibration: groups of back-to-back calls, growing until one group
 *      takes at least --min-time seconds (small problems are timed as a
 *      group so launch latency does not dominate). These are warm-ups too.
 *   3. --repeat timed samples of that many calls each: host wall clock
 *      around (enqueue all ... pgemm_synchronize / clFinish). The median
 *      per-call time is reported; GFLOP/s = 2 m n k / median.
 *
 * CLBlast is loaded at run time (dlopen libclblast.so.1) and runs in its own
 * OpenCL context on the device pgemm chose, found by matching the platform
 * and device names of pgemm_context_info().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "pgemm_bench.h"
#include "pgemm_tune.h"
#include "plot.h"

static const char *layout_name(pgemm_layout l) { return l == PGEMM_ROW_MAJOR ? "row" : "col"; }

/* ------------------------------------------------------------- output */

typedef struct summary_row {
    shape s;
    char best[PGEMM_NAME_LEN];
    double best_gflops;
    char choice[PGEMM_NAME_LEN];
    double choice_gflops;
    double clblast_gflops;
    int failures;
} summary_row;

static void print_shape_table(const problem *p, const kernel *ks, const result *rs, size_t nk,
                              const result *clb, summary_row *sum)
{
    char tn[3];
    bench_trans_text(p->ta, p->tb, tn);
    double flops = 2.0 * (double)p->m * (double)p->n * (double)p->k;
    printf("\n== %zux%zux%zu  (%s-major, %s, alpha %g, beta %g, lda %zu ldb %zu ldc %zu; "
           "%.3f GFLOP per call)\n",
           p->m, p->n, p->k, layout_name(p->layout), tn, (double)p->alpha, (double)p->beta, p->lda,
           p->ldb, p->ldc, flops * 1e-9);
    printf("  %-20s %10s %10s %10s %10s %11s %9s  %s\n", "kernel", "GFLOP/s", "median", "min",
           "1st call", "calls x n", "/CLBlast", "check / note");
    double clg = clb && clb->state == RES_OK ? clb->gflops : 0.0;
    for (size_t i = 0; i < nk; i++) {
        const result *r = &rs[i];
        char label[PGEMM_NAME_LEN + 16], med[32], mn[32], first[32], calls[32], ratio[16];
        if (ks[i].kind == KIND_CHOICE)
            snprintf(label, sizeof label, "choice[%s]", r->ran[0] ? r->ran : "?");
        else
            snprintf(label, sizeof label, "%s", ks[i].name);
        if (r->state == RES_OK) {
            bench_print_time(med, sizeof med, r->median);
            bench_print_time(mn, sizeof mn, r->min);
            bench_print_time(first, sizeof first, r->first);
            snprintf(calls, sizeof calls, "%zu x %zu", r->group, r->samples);
            if (clg > 0) snprintf(ratio, sizeof ratio, "%.2f", r->gflops / clg);
            else snprintf(ratio, sizeof ratio, "-");
            char check[64];
            snprintf(check, sizeof check, "ok (err %.3f of bound)", r->max_scaled_err);
            printf("  %-20s %10.2f %10s %10s %10s %11s %9s  %s%s%s\n", label, r->gflops, med, mn,
                   first, calls, ratio, check, r->note[0] ? "; " : "", r->note);
        } else {
            const char *tag = r->state == RES_WRONG     ? "WRONG"
                              : r->state == RES_SKIPPED ? "skipped"
                                                        : "ERROR";
            printf("  %-20s %10s %10s %10s %10s %11s %9s  %s\n", label, tag, "-", "-", "-", "-",
                   "-", r->note);
        }
    }
    for (size_t i = 0; i < nk; i++)
        if (ks[i].kind == KIND_CHOICE && rs[i].why[0])
            printf("  pgemm chose %s: %s\n", rs[i].ran[0] ? rs[i].ran : "?", rs[i].why);

    /* summary row */
    memset(sum, 0, sizeof *sum);
    sum->s = (shape){p->m, p->n, p->k};
    sum->clblast_gflops = clg;
    for (size_t i = 0; i < nk; i++) {
        const result *r = &rs[i];
        if (ks[i].kind != KIND_CLBLAST && (r->state == RES_WRONG || r->state == RES_ERROR))
            sum->failures++;
        if (r->state != RES_OK) continue;
        if (ks[i].kind == KIND_VARIANT && r->gflops > sum->best_gflops) {
            sum->best_gflops = r->gflops;
            snprintf(sum->best, sizeof sum->best, "%s", ks[i].name);
        }
        if (ks[i].kind == KIND_CHOICE) {
            sum->choice_gflops = r->gflops;
            snprintf(sum->choice, sizeof sum->choice, "%s", r->ran);
        }
    }
    fflush(stdout);
}

static void write_csv_rows(FILE *f, const pgemm_info *info, const problem *p, const kernel *ks,
                           const result *rs, size_t nk, const result *clb)
{
    char tn[3];
    bench_trans_text(p->ta, p->tb, tn);
    double clg = clb && clb->state == RES_OK ? clb->gflops : 0.0;
    for (size_t i = 0; i < nk; i++) {
        const result *r = &rs[i];
        const char *kind = ks[i].kind == KIND_VARIANT  ? "variant"
                           : ks[i].kind == KIND_CHOICE ? "choice"
                                                       : "clblast";
        const char *state = r->state == RES_OK      ? "ok"
                            : r->state == RES_WRONG ? "wrong"
                            : r->state == RES_SKIPPED ? "skipped"
                                                      : "error";
        bench_csv_field(f, info->platform);
        fputc(',', f);
        bench_csv_field(f, info->device);
        fprintf(f, ",%s,%s,%zu,%zu,%zu,", layout_name(p->layout), tn, p->m, p->n, p->k);
        bench_csv_field(f, ks[i].kind == KIND_CHOICE ? "pgemm choice" : ks[i].name);
        fprintf(f, ",%s,", kind);
        bench_csv_field(f, r->ran);
        fprintf(f, ",%s,", state);
        if (r->state == RES_OK) {
            fprintf(f, "%.4f,%.9g,%.9g,%.9g,%zu,%zu,", r->gflops, r->median, r->min, r->first,
                    r->samples, r->group);
            if (clg > 0) fprintf(f, "%.4f", r->gflops / clg);
        } else {
            fprintf(f, ",,,,,,");
        }
        fputc(',', f);
        bench_csv_field(f, r->note);
        fputc(',', f);
        bench_csv_field(f, r->why);
        fprintf(f, ",%s\n", p->fp16 ? "fp16" : "fp32");
    }
    fflush(f);
}

/* ------------------------------------------------------------- main */

/* fp16[i]: whether variant i runs on fp16 tiles (it competes for
 * FP16_MIXED calls). */
static void fp16_variants(pgemm_context *ctx, char fp16[PGEMM_MAX_VARIANTS])
{
    size_t idx[PGEMM_MAX_VARIANTS];
    size_t n = pgemm_candidates(ctx, PGEMM_PRECISION_FP16_MIXED, idx, PGEMM_MAX_VARIANTS);
    memset(fp16, 0, PGEMM_MAX_VARIANTS);
    for (size_t c = 0; c < n; c++)
        if (idx[c] < PGEMM_MAX_VARIANTS) fp16[idx[c]] = 1;
}

/* The variants to force: "all" (at FP32, every one but the fp16 ones),
 * "none", or a list; an fp16 variant at FP32 is refused before anything
 * runs. */
static int select_kernels(pgemm_context *ctx, const char *list, pgemm_precision precision,
                          kernel *ks, size_t *nk)
{
    size_t nv = pgemm_variant_count(ctx);
    int fp32 = precision == PGEMM_PRECISION_FP32;
    char fp16[PGEMM_MAX_VARIANTS];
    fp16_variants(ctx, fp16);
    *nk = 0;
    if (!list || !strcmp(list, "all")) {
        for (size_t i = 0; i < nv && *nk < MAX_KERNELS - 2; i++) {
            if (fp32 && fp16[i]) continue;
            ks[*nk].kind = KIND_VARIANT;
            snprintf(ks[*nk].name, sizeof ks[*nk].name, "%s", pgemm_variant_name(ctx, i));
            ks[(*nk)++].best_gflops = 0;
        }
        return 1;
    }
    if (!strcmp(list, "none")) return 1;
    char *copy = strdup(list), *save = NULL;
    if (!copy) return 0;
    int ok = 1;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < nv; i++)
            if (!strcmp(tok, pgemm_variant_name(ctx, i))) break;
        if (i == nv) {
            fprintf(stderr, "pgemm bench: no variant \"%s\"; this backend has:", tok);
            for (i = 0; i < nv; i++) fprintf(stderr, " %s", pgemm_variant_name(ctx, i));
            fprintf(stderr, "\n");
            ok = 0;
            break;
        }
        if (fp32 && fp16[i]) {
            fprintf(stderr, "pgemm bench: %s runs on fp16 tiles: add --precision fp16\n", tok);
            ok = 0;
            break;
        }
        if (*nk >= MAX_KERNELS - 2) break;
        ks[*nk].kind = KIND_VARIANT;
        snprintf(ks[*nk].name, sizeof ks[*nk].name, "%s", tok);
        ks[(*nk)++].best_gflops = 0;
    }
    free(copy);
    return ok;
}

/* Where the picture goes: --plot, else beside --csv's file, else none. */
static const char *plot_path(const bench_args *a, char *buf, size_t cap)
{
    if (a->no_plot) return NULL;
    if (a->plot) return a->plot;
    return a->common.csv ? pgemm_plot_png_beside(a->common.csv, buf, cap) : NULL;
}

int pgemm_bench_main(int argc, char **argv)
{
    static bench_args args; /* large: static */
    bench_defaults(&args);
    if (!parse_args(argc, argv, &args)) return 2;
    if (args.replot) {
        char buf[4096], why[PGEMM_REASON_LEN];
        const char *png = args.plot ? args.plot : pgemm_plot_png_beside(args.replot, buf, sizeof buf);
        if (!png || !bench_replot(args.replot, png, why, sizeof why)) {
            fprintf(stderr, "pgemm bench: --replot %s: %s\n", args.replot,
                    png ? why : "the picture's name is too long");
            return 1;
        }
        printf("plot      %s\n", png);
        return 0;
    }

    pgemm_context *ctx = NULL;
    pgemm_status st = pgemm_context_create(NULL, &ctx);
    if (st != PGEMM_SUCCESS) {
        fprintf(stderr, "pgemm bench: no pgemm context: %s: %s\n", pgemm_status_string(st),
                pgemm_last_error(NULL));
        return 1;
    }
    pgemm_info info;
    if (pgemm_context_info(ctx, &info) != PGEMM_SUCCESS) {
        fprintf(stderr, "pgemm bench: pgemm_context_info: %s\n", pgemm_last_error(ctx));
        pgemm_context_destroy(ctx);
        return 1;
    }
    if (args.common.nshapes == 0) {
        bench_args_add_shapes(&args.common,
                              info.device_is_cpu ? "256,512,1024" : "256,512,1024,2048,4096", 1);
    }
    if (args.common.repeat == 0) args.common.repeat = info.device_is_cpu ? 3 : 10;

    static kernel ks[MAX_KERNELS];
    size_t nk;
    if (pgemm_set_precision(ctx, args.precision) != PGEMM_SUCCESS ||
        !select_kernels(ctx, args.variants, args.precision, ks, &nk)) {
        pgemm_context_destroy(ctx);
        return 2;
    }
    ks[nk].kind = KIND_CHOICE;
    snprintf(ks[nk++].name, sizeof ks[0].name, "pgemm choice");

    /* Header: what, where, when. */
    char date[64], host[128] = "?";
    time_t now = time(NULL);
    struct tm tmv;
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", localtime_r(&now, &tmv));
    gethostname(host, sizeof host - 1);
    printf("pgemm bench  pgemm %s  %s  host %s\n", pgemm_version_string(), date, host);
    printf("backend   %s\nplatform  %s\ndevice    %s (%s, %u compute units, %.1f GiB)\n"
           "driver    %s\nchosen    %s\n",
           info.backend_name, info.platform, info.device, info.device_is_cpu ? "CPU" : "GPU/accel",
           info.compute_units, (double)info.global_mem_bytes / 1073741824.0, info.driver,
           info.why);
    printf("variants ");
    for (size_t i = 0; i < pgemm_variant_count(ctx); i++) printf(" %s", pgemm_variant_name(ctx, i));
    printf("\n");
    if (args.list) {
        pgemm_context_destroy(ctx);
        return 0;
    }

    clblast_state cb;
    memset(&cb, 0, sizeof cb);
    int have_clblast = 0;
    if (args.clblast) {
#ifdef PGEMM_BENCH_OPENCL
        char why[512];
        have_clblast = clblast_open(&cb, &info, why, sizeof why);
        printf("CLBlast   %s%s\n", have_clblast ? "" : "not run: ", why);
#else
        printf("CLBlast   not run: pgemm was built without the OpenCL headers\n");
#endif
    } else {
        printf("CLBlast   not run (--no-clblast)\n");
    }
    if (have_clblast) {
        ks[nk].kind = KIND_CLBLAST;
        snprintf(ks[nk++].name, sizeof ks[0].name, "CLBlast");
    }
    char tn[3];
    bench_trans_text(args.common.ta, args.common.tb, tn);
    printf("precision %s\n", args.precision == PGEMM_PRECISION_FP32 ? "fp32"
                             : info.has_fp16_tiles ? "fp16 (FP16_MIXED: fp16 tiles, fp32 "
                                                     "accumulation; checked against the "
                                                     "fp16-rounded inputs' reference)"
                                                   : "fp16 asked for; this device has no "
                                                     "fp16 tiles and runs fp32");
    printf("method    %s-major %s, alpha %g beta %g, inputs uniform in [-1,1); per kernel: one "
           "checked\n          untimed call (%zu sampled entries vs fp64), warm-up groups, then "
           "%zu timed\n          samples of >= %.3g s each (calls grouped; %s); median "
           "reported;\n          wall clock around enqueue ... synchronize/clFinish\n",
           layout_name(args.layout), tn, (double)args.common.alpha, (double)args.common.beta,
           args.common.check_samples + 4, args.common.repeat, args.common.min_time,
           args.interleave ? "round-robin over the kernels" : "kernel after kernel");
    if (args.common.time_budget > 0)
        printf("budget    %.3g s per call (slower kernels: one timed call; forced variants "
               "predicted slower are skipped)\n",
               args.common.time_budget);
    fflush(stdout);

    FILE *csv = NULL;
    if (args.common.csv) {
        csv = fopen(args.common.csv, "w");
        if (!csv) {
            fprintf(stderr, "pgemm bench: cannot write %s: %s\n", args.common.csv, strerror(errno));
#ifdef PGEMM_BENCH_OPENCL
            clblast_close(&cb);
#endif
            pgemm_context_destroy(ctx);
            return 2;
        }
        fprintf(csv, "platform,device,layout,trans,m,n,k,kernel,kind,variant_run,status,gflops,"
                     "median_s,min_s,first_call_s,samples,calls_per_sample,ratio_clblast,note,"
                     "choice_why,precision\n");
    }

    static summary_row sums[MAX_SHAPES];
    static result rs[MAX_KERNELS];
    static double plotted[MAX_SHAPES * MAX_KERNELS]; /* GFLOP/s per shape and kernel */
    int failures = 0;
    for (size_t si = 0; si < args.common.nshapes; si++) {
        shape s = args.common.shapes[si];
        problem p;
        memset(&p, 0, sizeof p);
        p.ctx = ctx;
        p.cb = &cb;
        int clb_ok = have_clblast;
        char err[PGEMM_REASON_LEN + 64];
        double flops = 2.0 * (double)s.m * (double)s.n * (double)s.k;
        if (!problem_setup(&p, &args, s, &clb_ok, err, sizeof err)) {
            fprintf(stderr, "pgemm bench: %zux%zux%zu: %s\n", s.m, s.n, s.k, err);
            printf("\n== %zux%zux%zu  not run: %s\n", s.m, s.n, s.k, err);
            problem_free(&p);
            memset(&sums[si], 0, sizeof sums[si]);
            sums[si].s = s;
            sums[si].failures = 1;
            failures++;
            continue;
        }
        const result *clb = NULL;
        for (size_t ki = 0; ki < nk; ki++) {
            kernel *k = &ks[ki];
            result *r = &rs[ki];
            if (k->kind == KIND_CLBLAST && !clb_ok) {
                memset(r, 0, sizeof *r);
                r->state = RES_ERROR;
                snprintf(r->note, sizeof r->note, "no CLBlast buffers for this shape");
                continue;
            }
            if (k->kind == KIND_VARIANT && args.common.time_budget > 0 && k->best_gflops > 0 &&
                flops / (k->best_gflops * 1e9) > args.common.time_budget) {
                memset(r, 0, sizeof *r);
                r->state = RES_SKIPPED;
                snprintf(r->note, sizeof r->note,
                         "skipped: at its best %.2f GFLOP/s so far, one call would take %.1f s "
                         "> budget %.3g s",
                         k->best_gflops, flops / (k->best_gflops * 1e9), args.common.time_budget);
                fprintf(stderr, "[%zux%zux%zu] %-12s %s\n", s.m, s.n, s.k, k->name, r->note);
                continue;
            }
            fprintf(stderr, "[%zux%zux%zu] %-12s ...", s.m, s.n, s.k, k->name);
            fflush(stderr);
            measure_prepare(&p, k, &args, r);
            if (r->state == RES_OK) {
                char first[32], cal[32];
                bench_print_time(first, sizeof first, r->first);
                bench_print_time(cal, sizeof cal, r->cal);
                fprintf(stderr, " checked; first call %s, warm call ~%s (~%.2f GFLOP/s)%s%s\n",
                        first, cal, flops / r->cal * 1e-9,
                        k->kind == KIND_CHOICE ? ", chose " : "",
                        k->kind == KIND_CHOICE ? r->ran : "");
                if (!args.interleave) {
                    for (size_t rep = 0; rep < args.common.repeat; rep++) measure_sample(&p, k, r);
                    measure_finish(&p, k, r);
                }
            } else {
                fprintf(stderr, " %s\n", r->note);
            }
            if (r->state == RES_WRONG)
                fprintf(stderr, "pgemm bench: *** %s gives WRONG results for %zux%zux%zu: %s\n",
                        k->kind == KIND_CHOICE ? "pgemm's choice" : k->name, s.m, s.n, s.k,
                        r->note);
            if (k->kind == KIND_CLBLAST) clb = r;
        }
        if (args.interleave) {
            /* Round-robin samples: a load change on a shared machine hits
             * every kernel alike instead of a few. */
            for (size_t rep = 0; rep < args.common.repeat; rep++) {
                fprintf(stderr, "[%zux%zux%zu] timed round %zu/%zu\n", s.m, s.n, s.k, rep + 1,
                        args.common.repeat);
                for (size_t ki = 0; ki < nk; ki++) measure_sample(&p, &ks[ki], &rs[ki]);
            }
            for (size_t ki = 0; ki < nk; ki++) measure_finish(&p, &ks[ki], &rs[ki]);
        }
        print_shape_table(&p, ks, rs, nk, clb, &sums[si]);
        for (size_t ki = 0; ki < nk; ki++)
            plotted[si * nk + ki] = rs[ki].state == RES_OK ? rs[ki].gflops : 0.0;
        failures += sums[si].failures;
        if (csv) write_csv_rows(csv, &info, &p, ks, rs, nk, clb);
        problem_free(&p);
    }

    /* Summary. */
    printf("\nSummary (GFLOP/s; %s %s, %s; %s-major %s)\n", info.platform, info.device,
           info.driver, layout_name(args.layout), tn);
    printf("%-18s | %-23s | %-23s | %9s | %14s | %11s\n", "shape", "best variant",
           "pgemm choice", "CLBlast", "choice/CLBlast", "choice/best");
    for (size_t si = 0; si < args.common.nshapes; si++) {
        const summary_row *r = &sums[si];
        char shp[64], best[160], choice[160], clg[32], ratio[32], rbest[32];
        snprintf(shp, sizeof shp, "%zux%zux%zu", r->s.m, r->s.n, r->s.k);
        if (r->best_gflops > 0) snprintf(best, sizeof best, "%-14s %8.2f", r->best, r->best_gflops);
        else snprintf(best, sizeof best, "-");
        if (r->choice_gflops > 0)
            snprintf(choice, sizeof choice, "%-14s %8.2f", r->choice, r->choice_gflops);
        else snprintf(choice, sizeof choice, "-");
        if (r->clblast_gflops > 0) snprintf(clg, sizeof clg, "%.2f", r->clblast_gflops);
        else snprintf(clg, sizeof clg, "-");
        if (r->clblast_gflops > 0 && r->choice_gflops > 0)
            snprintf(ratio, sizeof ratio, "%.2f", r->choice_gflops / r->clblast_gflops);
        else snprintf(ratio, sizeof ratio, "-");
        if (r->best_gflops > 0 && r->choice_gflops > 0)
            snprintf(rbest, sizeof rbest, "%.2f", r->choice_gflops / r->best_gflops);
        else snprintf(rbest, sizeof rbest, "-");
        printf("%-18s | %-23s | %-23s | %9s | %14s | %11s%s\n", shp, best, choice, clg, ratio,
               rbest, r->failures ? "  (failures: see above)" : "");
    }
    if (failures)
        printf("\n%d pgemm kernel run(s) were WRONG or failed: see the tables above\n", failures);

    if (csv && fclose(csv) != 0) {
        fprintf(stderr, "pgemm bench: writing %s failed: %s\n", args.common.csv, strerror(errno));
        failures++;
    }
    char png_buf[4096], why[PGEMM_REASON_LEN];
    const char *png = plot_path(&args, png_buf, sizeof png_buf);
    if (png) {
        char title[1024];
        bench_plot_title(title, sizeof title, info.device, info.backend_name, info.platform,
                         args.layout, args.common.ta, args.common.tb);
        size_t used = strlen(title);
        snprintf(title + used, sizeof title - used, ", alpha %g beta %g%s",
                 (double)args.common.alpha, (double)args.common.beta,
                 args.precision == PGEMM_PRECISION_FP32 ? "" : ", fp16-mixed");
        if (bench_plot_sweep(png, title, args.common.shapes, args.common.nshapes, ks, nk, plotted,
                             why, sizeof why)) {
            printf("plot      %s\n", png);
        } else {
            /* Asked for by name, a missing picture fails the run. */
            fprintf(stderr, "pgemm bench: %s: %s\n", args.plot ? "cannot plot" : "no plot", why);
            if (args.plot) failures++;
        }
    }
#ifdef PGEMM_BENCH_OPENCL
    clblast_close(&cb);
#endif
    pgemm_context_destroy(ctx);
    return failures ? 1 : 0;
}
