/* SPDX-License-Identifier: BSD-3-Clause */
/* pgemm run M N K: one checked, timed GEMM on random data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "pgemm_ref.h"
#include "sizes.h"
#include "tool.h"

/* Timed runs at most: a bound on the timings' array and on the time taken. */
enum { RUN_MAX_REPEAT = 100000 };

typedef struct run_args {
    size_t m, n, k, pad, repeat, samples;
    pgemm_layout layout;
    pgemm_transpose ta, tb;
    float alpha, beta;
    const char *variant;
    uint64_t seed;
    int check; /* 0 none, 1 auto (full when affordable), 2 full */
} run_args;

static void run_usage(FILE *f)
{
    fprintf(f,
            "usage: pgemm run M N K [options]\n"
            "  --layout row|col        storage order (default col)\n"
            "  --trans NN|NT|TN|TT     op(A), op(B) (default NN)\n"
            "  --alpha X --beta Y      scalars (default 1 and 0): decimal numbers within\n"
            "                          float range, or nan, inf, -inf\n"
            "  --pad P                 add P to every leading dimension (default 0)\n"
            "  --repeat R              timed runs, 1 to 100000; the median is reported\n"
            "                          (default 10)\n"
            "  --variant NAME          force a kernel variant (default: the selector's choice)\n"
            "  --check auto|full|none  fp64 reference check (auto: full up to 2^31\n"
            "                          multiply-adds, else a random sample of entries)\n"
            "  --seed S                random seed (default 1)\n"
            "  --backend auto|hip|opencl --platform P --device N --precision fp32|fp16 --log L\n"
            "M, N, K are 0 to 2147483647; A, B and C must fit the device (largest buffer,\n"
            "global memory) and the library's 32-bit indexing, else the run is refused\n"
            "(status 2) before anything is allocated. pgemm help: exit statuses.\n");
}

static int parse(int argc, char **argv, run_args *r, pgemm_options *opts)
{
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int c = pgemm_tool_context_option("run", argc, argv, &i, opts);
        if (c < 0) return 0;
        if (c > 0) continue;
        size_t *const mnk[3] = {&r->m, &r->n, &r->k};
        int p = pgemm_tool_shape_arg("run", a, &pos, mnk, 0);
        if (p < 0) return 0;
        if (p > 0) continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            run_usage(stdout);
            exit(0);
        }
        static const char *const known[] = {"--layout", "--trans",   "--alpha", "--beta", "--pad",
                                            "--repeat", "--variant", "--seed",  "--check"};
        const char *v = pgemm_parse_option_value("run", argc, argv, &i, known,
                                                 sizeof known / sizeof known[0]);
        if (!v) return 0;
        int ok = 1;
        if (!strcmp(a, "--layout")) {
            if (strcmp(v, "row") && strcmp(v, "col")) return pgemm_parse_refuse_word("run", a, v, "row or col");
            r->layout = !strcmp(v, "row") ? PGEMM_ROW_MAJOR : PGEMM_COL_MAJOR;
        } else if (!strcmp(a, "--trans")) {
            int ta, tb;
            if (!pgemm_tool_parse_trans(v, &ta, &tb)) return pgemm_parse_refuse_word("run", a, v, "NN, NT, TN or TT");
            r->ta = ta ? PGEMM_TRANS : PGEMM_NO_TRANS;
            r->tb = tb ? PGEMM_TRANS : PGEMM_NO_TRANS;
        } else if (!strcmp(a, "--alpha")) {
            ok = pgemm_parse_float("run", a, v, &r->alpha);
        } else if (!strcmp(a, "--beta")) {
            ok = pgemm_parse_float("run", a, v, &r->beta);
        } else if (!strcmp(a, "--pad")) {
            ok = pgemm_parse_size("run", a, v, 0, PGEMM_TOOL_MAX_INDEX, &r->pad);
        } else if (!strcmp(a, "--repeat")) {
            ok = pgemm_parse_size("run", a, v, 1, RUN_MAX_REPEAT, &r->repeat);
        } else if (!strcmp(a, "--variant")) {
            r->variant = v;
        } else if (!strcmp(a, "--seed")) {
            ok = pgemm_parse_u64("run", a, v, 0, UINT64_MAX, &r->seed);
        } else {
            if (strcmp(v, "auto") && strcmp(v, "full") && strcmp(v, "none"))
                return pgemm_parse_refuse_word("run", a, v, "auto, full or none");
            r->check = !strcmp(v, "none") ? 0 : !strcmp(v, "full") ? 2 : 1;
        }
        if (!ok) return 0;
    }
    if (pos != 3) {
        fprintf(stderr, "pgemm run: expected M N K (pgemm run --help lists the options)\n");
        return 0;
    }
    return 1;
}

/* Distance between the runs of a stored operand in the caller's layout. */
static size_t stored_ld(pgemm_layout layout, size_t rows, size_t cols, size_t pad)
{
    /* run and pad are each at most PGEMM_TOOL_MAX_INDEX: the sum fits. */
    size_t run = layout == PGEMM_COL_MAJOR ? rows : cols;
    return (run ? run : 1) + pad;
}

static int compare_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Checks C against the fp64 reference; prints and returns the report. */
static pgemm_ref_report check_result(const run_args *r, const float *a, size_t lda,
                                     const float *b, size_t ldb, const float *c0, const float *c,
                                     size_t ldc)
{
    pgemm_ref_report rep;
    memset(&rep, 0, sizeof rep);
    double macs = (double)r->m * (double)r->n * (double)r->k;
    if (r->check == 2 || (r->check == 1 && macs <= 2147483648.0)) {
        double *ref = malloc(sizeof(double) * r->m * r->n);
        double *mag = malloc(sizeof(double) * r->m * r->n);
        if (ref && mag &&
            pgemm_ref_gemm(r->layout, r->ta, r->tb, r->m, r->n, r->k, r->alpha, a, lda, b, ldb,
                           r->beta, c0, ldc, ref, mag) == 0) {
            pgemm_ref_compare(r->layout, r->m, r->n, r->k, c, ldc, ref, mag, 1.0, &rep);
            printf("check        full: %zu entries against fp64\n", rep.checked);
        } else {
            printf("check        skipped: no memory for the full reference\n");
        }
        free(ref);
        free(mag);
        return rep;
    }
    uint64_t state = r->seed * 7919 + 17;
    size_t samples = r->samples;
    for (size_t s = 0; s < samples; s++) {
        size_t i = pgemm_random_below(&state, r->m), j = pgemm_random_below(&state, r->n);
        double mag;
        double want = pgemm_ref_element(r->layout, r->ta, r->tb, i, j, r->k, r->alpha, a, lda, b,
                                        ldb, r->beta, c0, ldc, &mag);
        pgemm_ref_compare_one(i, j, r->k, c[pgemm_ref_index(r->layout, i, j, ldc)], want, mag,
                              1.0, &rep);
    }
    pgemm_ref_finish(&rep);
    printf("check        sampled: %zu random entries against fp64\n", rep.checked);
    return rep;
}

int pgemm_cmd_run(int argc, char **argv)
{
    run_args r = {0, 0, 0, 0, 10, 4096, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS,
                  1.0f, 0.0f, NULL, 1, 1};
    pgemm_options opts;
    pgemm_options_init(&opts);
    if (!parse(argc, argv, &r, &opts)) return PGEMM_TOOL_USAGE;

    int col = r.layout == PGEMM_COL_MAJOR;
    size_t ar = r.ta == PGEMM_TRANS ? r.k : r.m, ac = r.ta == PGEMM_TRANS ? r.m : r.k;
    size_t br = r.tb == PGEMM_TRANS ? r.n : r.k, bc = r.tb == PGEMM_TRANS ? r.k : r.n;
    size_t lda = stored_ld(r.layout, ar, ac, r.pad), ldb = stored_ld(r.layout, br, bc, r.pad);
    size_t ldc = stored_ld(r.layout, r.m, r.n, r.pad);
    /* As CBLAS (and the library and the reference): with k == 0 or alpha ==
     * 0 neither A nor B is read, and nothing is when C is empty. */
    int reads_ab = r.m && r.n && r.k && r.alpha != 0.0f;
    tool_matrix mats[3] = {{'A', ar, ac, lda, col, sizeof(float), reads_ab, 0},
                           {'B', br, bc, ldb, col, sizeof(float), reads_ab, 0},
                           {'C', r.m, r.n, ldc, col, sizeof(float), r.m && r.n, 0}};
    /* The sizes first on their own, then against the device, both before any
     * allocation. */
    if (!pgemm_tool_check_matrices("run", mats, 3, NULL)) return PGEMM_TOOL_USAGE;
    pgemm_context *ctx = pgemm_tool_open(&opts);
    if (!ctx) return PGEMM_TOOL_FAILURE;
    pgemm_info info;
    pgemm_context_info(ctx, &info);
    if (!pgemm_tool_check_matrices("run", mats, 3, &info)) {
        pgemm_context_destroy(ctx);
        return PGEMM_TOOL_USAGE;
    }
    size_t na = mats[0].elems, nb = mats[1].elems, nc = mats[2].elems;

    int rc = PGEMM_TOOL_FAILURE;
    float *a = NULL, *b = NULL, *c0 = NULL, *c = NULL;
    double *times = NULL;
    pgemm_buffer *da = NULL, *db = NULL, *dc = NULL;
#define TRY(call)                                                                            \
    do {                                                                                     \
        pgemm_status st_ = (call);                                                           \
        if (st_ != PGEMM_SUCCESS) {                                                          \
            fprintf(stderr, "pgemm run: %s: %s\n", pgemm_status_string(st_),                 \
                    pgemm_last_error(ctx));                                                  \
            goto out;                                                                        \
        }                                                                                    \
    } while (0)
    /* A variant the library refuses is refused before the allocations too. */
    if (r.variant) TRY(pgemm_force_variant(ctx, r.variant));
    a = malloc(na * sizeof(float));
    b = malloc(nb * sizeof(float));
    c0 = malloc(nc * sizeof(float));
    c = malloc(nc * sizeof(float));
    times = calloc(r.repeat, sizeof *times);
    if (!a || !b || !c0 || !c || !times) {
        fprintf(stderr, "pgemm run: out of host memory\n");
        goto out;
    }
    uint64_t state = r.seed ? r.seed : 1;
    pgemm_fill_random(a, na, &state);
    pgemm_fill_random(b, nb, &state);
    pgemm_fill_random(c0, nc, &state);

    TRY(pgemm_buffer_create(ctx, na * sizeof(float), &da));
    TRY(pgemm_buffer_create(ctx, nb * sizeof(float), &db));
    TRY(pgemm_buffer_create(ctx, nc * sizeof(float), &dc));
    TRY(pgemm_buffer_write(da, 0, na * sizeof(float), a));
    TRY(pgemm_buffer_write(db, 0, nb * sizeof(float), b));
    TRY(pgemm_buffer_write(dc, 0, nc * sizeof(float), c0));

    /* First call: builds (or loads) the kernel; its result is the one checked. */
    double t0 = pgemm_now_seconds();
    TRY(pgemm_sgemm(ctx, r.layout, r.ta, r.tb, r.m, r.n, r.k, r.alpha, da, 0, lda, db, 0, ldb,
                    r.beta, dc, 0, ldc));
    TRY(pgemm_buffer_read(dc, 0, nc * sizeof(float), c));
    double first = pgemm_now_seconds() - t0;
    for (size_t i = 0; i < r.repeat; i++) {
        t0 = pgemm_now_seconds();
        TRY(pgemm_sgemm(ctx, r.layout, r.ta, r.tb, r.m, r.n, r.k, r.alpha, da, 0, lda, db, 0,
                        ldb, r.beta, dc, 0, ldc));
        TRY(pgemm_synchronize(ctx));
        times[i] = pgemm_now_seconds() - t0;
    }
#undef TRY
    qsort(times, r.repeat, sizeof *times, compare_cmp);
    double median = times[r.repeat / 2], best = times[0];
    double flops = 2.0 * (double)r.m * (double)r.n * (double)r.k;

    pgemm_call_info call;
    int have_call = pgemm_last_call(ctx, &call) == PGEMM_SUCCESS;
    printf("device       %s: %s (%s)\n", info.backend_name, info.device, info.platform);
    printf("problem      %zu x %zu x %zu, %s, op(A)=%s op(B)=%s, alpha %g beta %g, ld %zu/%zu/%zu\n",
           r.m, r.n, r.k, r.layout == PGEMM_ROW_MAJOR ? "row-major" : "column-major",
           r.ta == PGEMM_TRANS ? "A^T" : "A", r.tb == PGEMM_TRANS ? "B^T" : "B", r.alpha, r.beta,
           lda, ldb, ldc);
    if (have_call) {
        printf("kernel       %s\n", call.variant[0] ? call.variant : "(none)");
        printf("why          %s\n", call.why);
        printf("precision    %s\n",
               call.precision_used == PGEMM_PRECISION_FP32 ? "fp32" : "fp16-mixed");
    }
    printf("first call   %.3f ms (includes kernel build or cache load)\n", first * 1e3);
    printf("time         median %.3f ms, best %.3f ms over %zu runs\n", median * 1e3, best * 1e3,
           r.repeat);
    printf("speed        %.2f GFLOP/s (median), %.2f GFLOP/s (best)\n",
           median > 0 ? flops / median * 1e-9 : 0.0, best > 0 ? flops / best * 1e-9 : 0.0);
    if (r.check) {
        pgemm_ref_report rep = check_result(&r, a, lda, b, ldb, c0, c, ldc);
        printf("error        max %.3g of the fp32 worst-case bound, relative Frobenius %.3g\n",
               rep.max_scaled_err, rep.rel_fro_err);
        if (rep.bad) {
            printf("result       FAIL: %zu entries outside the bound; first at (%zu, %zu): got "
                   "%.9g, want %.9g\n",
                   rep.bad, rep.first_bad_i, rep.first_bad_j, rep.first_bad_got,
                   rep.first_bad_want);
            goto out;
        }
        printf("result       PASS\n");
    }
    rc = 0;
out:
    pgemm_buffer_destroy(da);
    pgemm_buffer_destroy(db);
    pgemm_buffer_destroy(dc);
    pgemm_context_destroy(ctx);
    free(a);
    free(b);
    free(c0);
    free(c);
    free(times);
    return rc;
}
