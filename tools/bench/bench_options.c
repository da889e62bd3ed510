/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_options.c: `pgemm bench`'s command line: --help text, defaults and its own options. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* ------------------------------------------------------------- options */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pgemm bench [options]\n"
            "Times every kernel variant of the device pgemm chooses, pgemm's own choice and\n"
            "CLBlast (OpenCL devices, where libclblast.so.1 is installed) on a sweep of\n"
            "shapes, each call checked against an fp64 reference first.\n"
            "  --sizes N,N,...          square sizes (default 256,512,1024 on a CPU device,\n"
            "                           256,512,1024,2048,4096 otherwise; none if --shapes)\n"
            "  --shapes MxNxK,...       further shapes, e.g. 1023x1023x1023,4096x64x4096\n"
            "  --repeat R               timed samples per kernel; median reported\n"
            "                           (default 3 on a CPU device, 10 otherwise)\n"
            "  --min-time S             seconds one timed sample lasts at least: small\n"
            "                           problems are timed as groups of calls (default 0.05)\n"
            "  --variants all|A,B,...   pgemm variants to force (default all that run at the\n"
            "                           precision)\n"
            "  --precision fp32|fp16    fp16: FP16_MIXED, fp16 tiles where the backend has\n"
            "                           them (fp32 operands rounded, fp32 accumulation), and\n"
            "                           the fp16 variants among those forced (default fp32)\n"
            "  --no-clblast             do not run CLBlast\n"
            "  --no-interleave          time each kernel's samples back to back (default:\n"
            "                           after every kernel is checked and warmed up, take the\n"
            "                           samples round-robin over the kernels)\n"
            "  --csv FILE               one row per (shape, kernel); and, unless --no-plot,\n"
            "                           FILE's name ending .png: GFLOP/s against the size\n"
            "                           per kernel (gnuplot; Debian: gnuplot-nox)\n"
            "  --plot FILE.png          the picture there (with or without --csv)\n"
            "  --no-plot                no picture\n"
            "  --replot FILE.csv        measure nothing: draw the sweep FILE holds (a run's\n"
            "                           --csv, from any machine) beside it, or at --plot\n"
            "  --time-budget S          a kernel whose single call takes more than S seconds\n"
            "                           gets one timed call only, and forced variants predicted\n"
            "                           (from their best GFLOP/s so far) to exceed S are\n"
            "                           skipped on later shapes (default: no budget)\n"
            "  --layout row|col         storage order (default col)\n"
            "  --trans NN|NT|TN|TT      op(A), op(B) (default NN)\n"
            "  --alpha X --beta Y       scalars (default 1 and 0)\n"
            "  --pad P                  add P to every leading dimension (default 0)\n"
            "  --check-samples N        C entries checked per kernel (default 64)\n"
            "  --seed S                 random seed (default 1)\n"
            "  --list                   list the device and variants, then exit\n"
            "Device: PGEMM_BACKEND, PGEMM_OPENCL_PLATFORM (pocl, rusticl, nvidia, or an\n"
            "index), PGEMM_DEVICE (index), PGEMM_LOG (pgemm help, man pgemm).\n");
}

/* `pgemm bench`'s own options, beside the shared ones of bench_args.c. */
static int bench_flag(void *self, const char *o)
{
    bench_args *a = self;
    if (!strcmp(o, "--no-clblast"))
        a->clblast = 0;
    else if (!strcmp(o, "--no-interleave"))
        a->interleave = 0;
    else if (!strcmp(o, "--list"))
        a->list = 1;
    else if (!strcmp(o, "--no-plot"))
        a->no_plot = 1;
    else
        return 0;
    return 1;
}

static int bench_option(void *self, const char *o, const char *v, int *ok)
{
    bench_args *a = self;
    if (!strcmp(o, "--variants")) {
        a->variants = v;
    } else if (!strcmp(o, "--plot")) {
        *ok = *v != '\0';
        a->plot = v;
    } else if (!strcmp(o, "--precision")) {
        *ok = !strcmp(v, "fp32") || !strcmp(v, "fp16");
        a->precision = !strcmp(v, "fp16") ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32;
    } else if (!strcmp(o, "--replot")) {
        *ok = *v != '\0';
        a->replot = v;
    } else if (!strcmp(o, "--layout")) {
        *ok = !strcmp(v, "row") || !strcmp(v, "col");
        a->layout = !strcmp(v, "row") ? PGEMM_ROW_MAJOR : PGEMM_COL_MAJOR;
    } else {
        return 0;
    }
    return 1;
}

void bench_defaults(bench_args *a)
{
    bench_args_defaults(&a->common, "pgemm bench", MAX_SHAPES);
    a->variants = "all";
    a->clblast = 1;
    a->interleave = 1;
    a->layout = PGEMM_COL_MAJOR;
}

int parse_args(int argc, char **argv, bench_args *a)
{
    const bench_cli cli = {
        .usage = usage,
        .max_repeat = MAX_SAMPLES,
        .max_check_samples = SIZE_MAX,
        .missing_note = "",
        .flag = bench_flag,
        .option = bench_option,
        .self = a,
    };
    return bench_args_parse(&cli, argc, argv, &a->common);
}
