/* SPDX-License-Identifier: BSD-3-Clause */
/* pgemm explain M N K: what the selector predicts for each variant, and with
 * --measure what each one really runs at. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "pgemm_tune.h"
#include "sizes.h"
#include "tool.h"
#include "tune.h"

enum { EXPLAIN_MAX = 64 };

static void explain_usage(FILE *f)
{
    fprintf(f,
            "usage: pgemm explain M N K [options]\n"
            "  --trans NN|NT|TN|TT     op(A), op(B) (default NN)\n"
            "  --measure               also time every competing variant on the shape\n"
            "  --repeat R              timed samples per variant, 1 to 1000, median reported\n"
            "                          (default 3)\n"
            "  --min-time S            seconds one timed sample lasts at least, 0 to 60\n"
            "                          (default 0.05)\n"
            "  --backend auto|hip|opencl --platform P --device N --precision fp32|fp16 --log L\n"
            "Rows are sorted by prediction; '*' marks the selector's pick, '+' the\n"
            "measured best.\n");
}

typedef struct explain_args {
    size_t m, n, k, repeat;
    int ta, tb, measure;
    double min_time;
} explain_args;

static int parse(int argc, char **argv, explain_args *r, pgemm_options *opts)
{
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int c = pgemm_tool_context_option("explain", argc, argv, &i, opts);
        if (c < 0) return 0;
        if (c > 0) continue;
        size_t *const mnk[3] = {&r->m, &r->n, &r->k};
        /* M and N at least 1: the selector predicts for a shape with work in it. */
        int p = pgemm_tool_shape_arg("explain", a, &pos, mnk, 1);
        if (p < 0) return 0;
        if (p > 0) continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            explain_usage(stdout);
            exit(0);
        }
        if (!strcmp(a, "--measure")) {
            r->measure = 1;
            continue;
        }
        static const char *const known[] = {"--trans", "--repeat", "--min-time"};
        const char *v = pgemm_parse_option_value("explain", argc, argv, &i, known,
                                                 sizeof known / sizeof known[0]);
        if (!v) return 0;
        if (!strcmp(a, "--trans")) {
            if (!pgemm_tool_parse_trans(v, &r->ta, &r->tb))
                return pgemm_parse_refuse_word("explain", a, v, "NN, NT, TN or TT");
        } else if (!strcmp(a, "--repeat")) {
            if (!pgemm_parse_size("explain", a, v, 1, 1000, &r->repeat)) return 0;
        } else if (!pgemm_parse_double("explain", a, v, 0, 60, &r->min_time)) {
            return 0;
        }
    }
    if (pos != 3) {
        fprintf(stderr, "pgemm explain: expected M N K (pgemm explain --help lists the options)\n");
        return 0;
    }
    return 1;
}

static const double *g_pred; /* for the qsort comparison */

static int by_prediction(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double px = isnan(g_pred[x]) ? -INFINITY : g_pred[x];
    double py = isnan(g_pred[y]) ? -INFINITY : g_pred[y];
    if (px != py) return px > py ? -1 : 1;
    return x < y ? -1 : x > y;
}

int pgemm_cmd_explain(int argc, char **argv)
{
    explain_args r = {0, 0, 0, 3, 0, 0, 0, 0.05};
    pgemm_options opts;
    pgemm_options_init(&opts);
    if (!parse(argc, argv, &r, &opts)) return PGEMM_TOOL_USAGE;
    pgemm_context *ctx = pgemm_tool_open(&opts);
    if (!ctx) return PGEMM_TOOL_FAILURE;

    pgemm_info info;
    pgemm_context_info(ctx, &info);
    /* Without fp16 tiles FP16_MIXED runs FP32: explain (and time) that. */
    pgemm_precision prec = opts.precision == PGEMM_PRECISION_FP16_MIXED && info.has_fp16_tiles
                               ? PGEMM_PRECISION_FP16_MIXED
                               : PGEMM_PRECISION_FP32;
    if (r.measure) {
        /* What tune_time_shape allocates, tight column-major operands, is
         * checked before it does. */
        size_t es = prec == PGEMM_PRECISION_FP16_MIXED ? 2 : 4;
        size_t ar = r.ta ? r.k : r.m, ac = r.ta ? r.m : r.k;
        size_t br = r.tb ? r.n : r.k, bc = r.tb ? r.k : r.n;
        tool_matrix mats[3] = {{'A', ar, ac, ar ? ar : 1, 1, es, 1, 0},
                               {'B', br, bc, br ? br : 1, 1, es, 1, 0},
                               {'C', r.m, r.n, r.m, 1, sizeof(float), 1, 0}};
        if (!pgemm_tool_check_matrices("explain", mats, 3, &info)) {
            pgemm_context_destroy(ctx);
            return PGEMM_TOOL_USAGE;
        }
    }
    size_t count = pgemm_variant_count(ctx), chosen = 0;
    if (count > EXPLAIN_MAX) count = EXPLAIN_MAX;
    double pred[EXPLAIN_MAX], meas[EXPLAIN_MAX];
    char source[PGEMM_REASON_LEN], errs[EXPLAIN_MAX][160];
    pgemm_status st = pgemm_predict(ctx, prec, r.m, r.n, r.k, r.ta, r.tb, pred, count, &chosen,
                                    NULL, 0);
    if (st == PGEMM_SUCCESS) st = pgemm_selector_source(ctx, prec, source, sizeof source);
    if (st != PGEMM_SUCCESS) {
        fprintf(stderr, "pgemm explain: %s: %s\n", pgemm_status_string(st),
                pgemm_last_error(ctx));
        pgemm_context_destroy(ctx);
        return PGEMM_TOOL_FAILURE;
    }
    int heuristic = !strncmp(source, "heuristic", 9);
    printf("device     %s: %s (%s), %u compute units\n", info.backend_name, info.device,
           info.platform, info.compute_units);
    printf("problem    %zu x %zu x %zu (column-major), op(A)=%s op(B)=%s, %s%s\n", r.m, r.n,
           r.k, r.ta ? "A^T" : "A", r.tb ? "B^T" : "B",
           prec == PGEMM_PRECISION_FP32 ? "fp32" : "fp16-mixed",
           opts.precision != prec ? " (no fp16 tiles here: FP16_MIXED runs fp32)" : "");
    printf("selector   %s\n\n", source);

    size_t row[EXPLAIN_MAX], nrow = 0, best = SIZE_MAX;
    for (size_t i = 0; i < count; i++) {
        meas[i] = 0;
        errs[i][0] = '\0';
        if (!isnan(pred[i]) || i == chosen) row[nrow++] = i;
    }
    g_pred = pred;
    qsort(row, nrow, sizeof *row, by_prediction);

    if (r.measure) {
        tune_bench t;
        tune_bench_init(&t, ctx, r.min_time, (int)r.repeat);
        tune_shape sh = {r.m, r.n, r.k, r.ta, r.tb};
        const char *names[EXPLAIN_MAX];
        tune_result res[EXPLAIN_MAX];
        for (size_t j = 0; j < nrow; j++) names[j] = pgemm_variant_name(ctx, row[j]);
        tune_time_shape(&t, prec, &sh, names, nrow, res);
        for (size_t j = 0; j < nrow; j++) {
            size_t i = row[j];
            if (res[j].failed) {
                snprintf(errs[i], sizeof errs[i], "%s",
                         res[j].err[0] ? res[j].err : "unknown error");
                continue;
            }
            meas[i] = res[j].gflops;
            if (best == SIZE_MAX || meas[i] > meas[best]) best = i;
        }
        tune_bench_free(&t);
    }

    printf("  %-24s %18s%s\n", "variant", heuristic ? "heuristic score" : "predicted GFLOP/s",
           r.measure ? "     measured GFLOP/s" : "");
    for (size_t j = 0; j < nrow; j++) {
        size_t i = row[j];
        printf("%c%c%-24s ", i == chosen ? '*' : ' ', i == best ? '+' : ' ',
               pgemm_variant_name(ctx, i));
        if (isnan(pred[i])) printf("%18s", "-");
        else printf(heuristic ? "%18.3f" : "%18.1f", pred[i]);
        if (r.measure && errs[i][0]) printf("   failed: %s", errs[i]);
        else if (r.measure) printf("   %18.1f", meas[i]);
        printf("\n");
    }
    printf("\n* the selector's pick: %s\n", pgemm_variant_name(ctx, chosen));
    if (r.measure && best == SIZE_MAX) {
        printf("no variant ran on this shape\n");
    } else if (r.measure) {
        printf("+ the measured best: %s, %.1f GFLOP/s\n", pgemm_variant_name(ctx, best),
               meas[best]);
        if (errs[chosen][0])
            printf("selector's pick failed to run here\n");
        else
            printf("selector's pick runs at %.3f of the measured best\n",
                   meas[chosen] / meas[best]);
    }
    pgemm_context_destroy(ctx);
    return 0;
}
