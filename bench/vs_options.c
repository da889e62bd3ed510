/* SPDX-License-Identifier: BSD-3-Clause */
/* vs_options.c: pgemm_vs_cublas's command line: --help text, defaults and its own options. */
#include <stdio.h>
#include <string.h>

#include "vs_cublas.h"

/* The default sweep: squares, ragged cubes, and skinny / flat shapes. */
static const char *const default_sizes = "512,1024,2048,4096,8192";
static const char *const default_shapes =
    "1000x1000x1000,1023x1023x1023,3000x3000x3000,4097x4097x4097,8192x8192x256,"
    "4096x64x4096,64x4096x4096,8192x1024x8192";
static const char *const quick_sizes = "1024,4096";
static const char *const quick_shapes = "1023x1023x1023,4096x64x4096,8192x8192x256";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " VS_PROG " [options]\n"
            "Times pgemm (FP32, FP16 operands, FP16 from FP32 operands) and cuBLAS (SGEMM,\n"
            "GemmEx FP16 in / FP32 out) on the same problems in one process.\n"
            "  --sizes N,N,...        square sizes (default %s)\n"
            "  --shapes MxNxK,...     further shapes (default %s)\n"
            "                         (giving --sizes or --shapes drops both defaults)\n"
            "  --quick                sizes %s and shapes %s, --min-time 0.02\n"
            "  --repeat R             timed samples per column, median reported (default 10)\n"
            "  --min-time S           seconds one timed sample lasts at least (default 0.05)\n"
            "  --time-budget S        a call longer than S seconds gets one timed call only\n"
            "                         (default 0: no budget)\n"
            "  --trans NN|NT|TN|TT    op(A), op(B) (default NN; storage is column-major)\n"
            "  --alpha X --beta Y     scalars (default 1 and 0)\n"
            "  --pad P                add P to every leading dimension (default 0)\n"
            "  --check-samples N      C entries checked per column, plus the corners (default 64)\n"
            "  --seed S               random seed (default 1)\n"
            "  --no-fp16              FP32 columns only\n"
            "  --batch B              strided-batched calls of B products each, the matrices\n"
            "                         packed one after another (default 1: plain calls)\n"
            "  --l2-mb X              last-level cache in MB (default 50, H100/H200): inputs\n"
            "                         under 2X MB rotate among input sets filling 4X MB\n"
            "  --no-rotate            one input set whatever its size\n"
            "  --backend hip|opencl|auto  pgemm's backend (default: PGEMM_BACKEND, else hip)\n"
            "  --cuda-device I        cuBLAS's device (default: PGEMM_DEVICE, else 0)\n"
            "  --fp32-variant NAME    force pgemm's FP32 column to a variant (default: selector)\n"
            "  --fp16-variant NAME    force pgemm's two FP16 columns to a variant\n"
            "  --pedantic             cuBLAS in CUBLAS_PEDANTIC_MATH (default\n"
            "                         CUBLAS_DEFAULT_MATH: no TF32 for FP32, tensor cores\n"
            "                         for FP16)\n"
            "  --csv FILE             one row per (shape, column), with device and date\n"
            "Exit status: 0 all checked and timed, 1 a wrong result or a failed call,\n"
            "2 a bad command line, or CUDA, cuBLAS or a pgemm context unavailable.\n",
            default_sizes, default_shapes, quick_sizes, quick_shapes);
}

static void defaults(vs_args *a)
{
    memset(a, 0, sizeof *a);
    bench_args_defaults(&a->common, VS_PROG, VS_MAX_SHAPES);
    a->common.repeat = 10;
    a->cuda_device = -1;
    a->fp16 = 1;
    a->l2_mb = 50.0;
    a->rotate = 1;
    a->batch = 1;
}

/* pgemm_vs_cublas's own options, beside the shared ones of tools/bench/bench_args.c. */
typedef struct vs_cli {
    vs_args *a;
    int quick;
} vs_cli;

static int vs_flag(void *self, const char *o)
{
    vs_cli *c = self;
    if (!strcmp(o, "--quick"))
        c->quick = 1;
    else if (!strcmp(o, "--no-fp16"))
        c->a->fp16 = 0;
    else if (!strcmp(o, "--no-rotate"))
        c->a->rotate = 0;
    else if (!strcmp(o, "--pedantic"))
        c->a->pedantic = 1;
    else
        return 0;
    return 1;
}

static int vs_option(void *self, const char *o, const char *v, int *ok)
{
    vs_args *a = ((vs_cli *)self)->a;
    size_t z = 0;
    if (!strcmp(o, "--l2-mb")) {
        *ok = bench_parse_double(v, &a->l2_mb) && a->l2_mb >= 0;
    } else if (!strcmp(o, "--fp32-variant")) {
        a->fp32_variant = v;
    } else if (!strcmp(o, "--fp16-variant")) {
        a->fp16_variant = v;
    } else if (!strcmp(o, "--backend")) {
        *ok = !strcmp(v, "hip") || !strcmp(v, "opencl") || !strcmp(v, "auto");
        a->backend = v;
    } else if (!strcmp(o, "--batch")) {
        *ok = bench_parse_size(v, &a->batch) && a->batch >= 1 && a->batch <= 65536;
    } else if (!strcmp(o, "--cuda-device")) {
        *ok = bench_parse_size(v, &z) && z < 1024;
        a->cuda_device = (int)z;
    } else {
        return 0;
    }
    return 1;
}

int vs_parse_args(int argc, char **argv, vs_args *a)
{
    defaults(a);
    vs_cli self = {a, 0};
    const bench_cli cli = {
        .usage = usage,
        .max_repeat = VS_MAX_SAMPLES,
        .max_check_samples = 100000,
        .missing_note = " (see --help)",
        .flag = vs_flag,
        .option = vs_option,
        .self = &self,
    };
    if (!bench_args_parse(&cli, argc, argv, &a->common)) return 0;
    if (!a->common.shapes_given) {
        const char *sizes = self.quick ? quick_sizes : default_sizes;
        const char *shapes = self.quick ? quick_shapes : default_shapes;
        if (!bench_args_add_shapes(&a->common, sizes, 1) ||
            !bench_args_add_shapes(&a->common, shapes, 0))
            return 0;
    }
    if (self.quick && !a->common.min_time_given) a->common.min_time = 0.02;
    return 1;
}
