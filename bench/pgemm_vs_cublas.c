/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm_vs_cublas: pgemm (HIP backend by default) and cuBLAS side by side in
 * one process, on the same GPU and the same problems: FP32 (pgemm_sgemm vs
 * cublasSgemm without TF32) and FP16 operands with fp32 accumulation and C
 * (pgemm_gemm_ex vs cublasGemmEx), plus pgemm's FP16_MIXED on fp32 operands
 * (its fp16 conversion included). Every column is checked against fp64
 * before it is timed. CUDA and cuBLAS are dlopen'ed: no link-time CUDA
 * dependency. See bench/README.md.
 *
 *   pgemm_vs_cublas [--quick] [--sizes N,..] [--shapes MxNxK,..] [--csv FILE]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vs_cublas.h"

/* cuBLAS's device: --cuda-device, else PGEMM_DEVICE (pgemm's HIP device
 * index is the CUDA index on NVIDIA), else 0. */
static int cuda_device(const vs_args *a)
{
    if (a->cuda_device >= 0) return a->cuda_device;
    const char *env = getenv("PGEMM_DEVICE");
    size_t d = 0;
    if (env && *env && bench_parse_size(env, &d) && d < 1024) return (int)d;
    return 0;
}

static pgemm_context *open_pgemm(const vs_args *a)
{
    if (a->backend) setenv("PGEMM_BACKEND", a->backend, 1); /* the env overrides options */
    pgemm_options opts;
    pgemm_options_init(&opts);
    opts.backend = PGEMM_BACKEND_HIP; /* unless PGEMM_BACKEND says otherwise */
    pgemm_context *ctx = NULL;
    pgemm_status st = pgemm_context_create(&opts, &ctx);
    if (st != PGEMM_SUCCESS) {
        const char *env = getenv("PGEMM_BACKEND");
        fprintf(stderr,
                VS_PROG ": cannot create a pgemm context on backend %s: %s: %s\n"
                "  (the HIP backend is libpgemm_hip.so beside libpgemm.so, or in "
                "PGEMM_PLUGIN_DIR=%s; build it with bench/build_hip_nvidia.sh)\n",
                env && *env ? env : "hip", pgemm_status_string(st), pgemm_last_error(NULL),
                getenv("PGEMM_PLUGIN_DIR") ? getenv("PGEMM_PLUGIN_DIR") : "(unset)");
        return NULL;
    }
    return ctx;
}

/* Checks, warms up and times the five columns on one shape. */
static void run_shape(vs_problem *p, const vs_args *args, vs_result rs[VS_NCOLS])
{
    int active[VS_NCOLS];
    for (int c = 0; c < VS_NCOLS; c++) {
        active[c] = args->fp16 || !vs_col_is_fp16((vs_col)c);
        memset(&rs[c], 0, sizeof rs[c]);
        rs[c].state = VS_SKIPPED;
    }
    for (int c = 0; c < VS_NCOLS; c++) {
        if (!active[c]) continue;
        fprintf(stderr, "  %s: check and warm-up\n", vs_col_name((vs_col)c));
        vs_prepare(p, (vs_col)c, args, &rs[c]);
        if (rs[c].state == VS_WRONG || rs[c].state == VS_ERROR)
            fprintf(stderr, VS_PROG ": %zux%zux%zu %s: %s: %s\n", p->s.m, p->s.n, p->s.k,
                    vs_col_name((vs_col)c), rs[c].state == VS_WRONG ? "WRONG" : "ERROR",
                    rs[c].note);
    }
    /* Round-robin: a change of load or clocks during the shape hits every
     * column alike. */
    for (size_t i = 0; i < args->common.repeat; i++)
        for (int c = 0; c < VS_NCOLS; c++)
            if (active[c]) vs_sample(p, (vs_col)c, &rs[c]);
    for (int c = 0; c < VS_NCOLS; c++)
        if (active[c]) vs_finish(p, &rs[c]);
}

int main(int argc, char **argv)
{
    vs_args args;
    if (!vs_parse_args(argc, argv, &args)) return 2;

    vs_cuda cu;
    char why[1024];
    if (!vs_cuda_open(&cu, cuda_device(&args), args.pedantic, why, sizeof why)) {
        fprintf(stderr, VS_PROG ": cuBLAS unavailable: %s\n", why);
        return 2;
    }
    pgemm_context *ctx = open_pgemm(&args);
    if (!ctx) {
        vs_cuda_close(&cu);
        return 2;
    }

    vs_run_info ri;
    memset(&ri, 0, sizeof ri);
    ri.cu = &cu;
    ri.args = &args;
    pgemm_context_info(ctx, &ri.pgemm);
    time_t now = time(NULL);
    struct tm tmv;
    strftime(ri.date, sizeof ri.date, "%Y-%m-%d %H:%M:%S %Z", localtime_r(&now, &tmv));
    gethostname(ri.host, sizeof ri.host - 1);
    vs_print_header(&ri);
    if (ri.pgemm.backend != PGEMM_BACKEND_HIP)
        fprintf(stderr, VS_PROG ": note: pgemm runs on backend %s, not hip\n",
                ri.pgemm.backend_name);
    if (strcmp(ri.pgemm.device, cu.device_name))
        fprintf(stderr,
                VS_PROG ": warning: pgemm's device \"%s\" and cuBLAS's \"%s\" differ in name; "
                "use PGEMM_DEVICE / --cuda-device to put both on one GPU\n",
                ri.pgemm.device, cu.device_name);

    FILE *csv = NULL;
    if (args.common.csv) {
        csv = fopen(args.common.csv, "w");
        if (!csv) {
            fprintf(stderr, VS_PROG ": cannot write %s: %s\n", args.common.csv, strerror(errno));
            pgemm_context_destroy(ctx);
            vs_cuda_close(&cu);
            return 2;
        }
        vs_csv_header(csv);
    }

    vs_result *rows = calloc(args.common.nshapes * VS_NCOLS, sizeof *rows);
    if (!rows) {
        fprintf(stderr, VS_PROG ": out of host memory\n");
        return 2;
    }
    int failures = 0;
    for (size_t i = 0; i < args.common.nshapes; i++) {
        shape s = args.common.shapes[i];
        vs_result *rs = rows + i * VS_NCOLS;
        vs_problem p;
        memset(&p, 0, sizeof p);
        p.ctx = ctx;
        p.cu = &cu;
        fprintf(stderr, VS_PROG ": %zux%zux%zu (%zu of %zu)\n", s.m, s.n, s.k, i + 1,
                args.common.nshapes);
        char err[PGEMM_REASON_LEN + 128];
        if (!vs_problem_setup(&p, &args, s, err, sizeof err)) {
            fprintf(stderr, VS_PROG ": %zux%zux%zu: %s\n", s.m, s.n, s.k, err);
            for (int c = 0; c < VS_NCOLS; c++) {
                memset(&rs[c], 0, sizeof rs[c]);
                rs[c].state = args.fp16 || !vs_col_is_fp16((vs_col)c) ? VS_ERROR : VS_SKIPPED;
                snprintf(rs[c].note, sizeof rs[c].note, "setup: %s", err);
            }
        } else {
            run_shape(&p, &args, rs);
        }
        vs_print_shape(&p, rs);
        if (csv) vs_csv_rows(csv, &ri, &p, rs);
        for (int c = 0; c < VS_NCOLS; c++)
            failures += rs[c].state == VS_WRONG || rs[c].state == VS_ERROR;
        vs_problem_free(&p);
    }
    if (csv) fclose(csv);

    vs_print_summary(&ri, args.common.shapes, args.common.nshapes, rows);
    if (failures)
        printf("%d column(s) WRONG or failed: see above (exit status 1)\n", failures);
    free(rows);
    pgemm_context_destroy(ctx);
    vs_cuda_close(&cu);
    return failures ? 1 : 0;
}
