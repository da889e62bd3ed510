/* vs_options.c: pgemm_vs_cublas's command line: --help text, defaults and option parsing. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
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

static int add_list(vs_args *a, const char *text, int square)
{
    return bench_parse_shapes(VS_PROG, text, square, a->shapes, &a->nshapes, VS_MAX_SHAPES);
}

static void defaults(vs_args *a)
{
    memset(a, 0, sizeof *a);
    a->repeat = 10;
    a->min_time = 0.05;
    a->ta = a->tb = PGEMM_NO_TRANS;
    a->alpha = 1.0f;
    a->beta = 0.0f;
    a->check_samples = 64;
    a->seed = 1;
    a->cuda_device = -1;
    a->fp16 = 1;
    a->l2_mb = 50.0;
    a->rotate = 1;
}

int vs_parse_args(int argc, char **argv, vs_args *a)
{
    defaults(a);
    int quick = 0, listed = 0, min_time_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            exit(0);
        }
        if (!strcmp(o, "--quick")) {
            quick = 1;
            continue;
        }
        if (!strcmp(o, "--no-fp16")) {
            a->fp16 = 0;
            continue;
        }
        if (!strcmp(o, "--no-rotate")) {
            a->rotate = 0;
            continue;
        }
        if (!strcmp(o, "--pedantic")) {
            a->pedantic = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, VS_PROG ": unknown option or missing value: %s (see --help)\n", o);
            return 0;
        }
        const char *v = argv[++i];
        int ok = 1;
        size_t z = 0;
        double d = 0;
        if (!strcmp(o, "--sizes") || !strcmp(o, "--shapes")) {
            ok = add_list(a, v, o[3] == 'i');
            listed = 1;
        }
        else if (!strcmp(o, "--repeat"))
            ok = bench_parse_size(v, &a->repeat) && a->repeat > 0 && a->repeat <= VS_MAX_SAMPLES;
        else if (!strcmp(o, "--min-time")) {
            ok = bench_parse_double(v, &a->min_time) && a->min_time >= 0;
            min_time_given = 1;
        }
        else if (!strcmp(o, "--time-budget"))
            ok = bench_parse_double(v, &a->time_budget) && a->time_budget >= 0;
        else if (!strcmp(o, "--trans")) {
            ok = strlen(v) == 2 && strchr("NTnt", v[0]) && strchr("NTnt", v[1]);
            if (ok) {
                a->ta = toupper((unsigned char)v[0]) == 'T' ? PGEMM_TRANS : PGEMM_NO_TRANS;
                a->tb = toupper((unsigned char)v[1]) == 'T' ? PGEMM_TRANS : PGEMM_NO_TRANS;
            }
        } else if (!strcmp(o, "--alpha") || !strcmp(o, "--beta")) {
            ok = bench_parse_double(v, &d);
            *(o[2] == 'a' ? &a->alpha : &a->beta) = (float)d;
        } else if (!strcmp(o, "--pad")) ok = bench_parse_size(v, &a->pad);
        else if (!strcmp(o, "--check-samples"))
            ok = bench_parse_size(v, &a->check_samples) && a->check_samples > 0 &&
                 a->check_samples <= 100000;
        else if (!strcmp(o, "--seed")) {
            ok = bench_parse_size(v, &z);
            a->seed = z;
        } else if (!strcmp(o, "--l2-mb")) ok = bench_parse_double(v, &a->l2_mb) && a->l2_mb >= 0;
        else if (!strcmp(o, "--fp32-variant"))
            a->fp32_variant = v;
        else if (!strcmp(o, "--fp16-variant"))
            a->fp16_variant = v;
        else if (!strcmp(o, "--backend")) {
            ok = !strcmp(v, "hip") || !strcmp(v, "opencl") || !strcmp(v, "auto");
            a->backend = v;
        } else if (!strcmp(o, "--cuda-device")) {
            ok = bench_parse_size(v, &z) && z < 1024;
            a->cuda_device = (int)z;
        } else if (!strcmp(o, "--csv")) a->csv = v;
        else {
            fprintf(stderr, VS_PROG ": unknown option %s (see --help)\n", o);
            return 0;
        }
        if (!ok) {
            fprintf(stderr, VS_PROG ": bad value for %s: \"%s\"\n", o, v);
            return 0;
        }
    }
    if (!listed) {
        const char *sizes = quick ? quick_sizes : default_sizes;
        const char *shapes = quick ? quick_shapes : default_shapes;
        if (!add_list(a, sizes, 1) || !add_list(a, shapes, 0)) return 0;
    }
    if (quick && !min_time_given) a->min_time = 0.02;
    return 1;
}
