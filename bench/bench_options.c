/* bench_options.c: pgemm_bench's command line: --help text and option parsing. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* ------------------------------------------------------------- options */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pgemm_bench [options]\n"
            "  --sizes N,N,...          square sizes (default 256,512,1024 on a CPU device,\n"
            "                           256,512,1024,2048,4096 otherwise; none if --shapes)\n"
            "  --shapes MxNxK,...       further shapes, e.g. 1023x1023x1023,4096x64x4096\n"
            "  --repeat R               timed samples per kernel; median reported\n"
            "                           (default 3 on a CPU device, 10 otherwise)\n"
            "  --min-time S             seconds one timed sample lasts at least: small\n"
            "                           problems are timed as groups of calls (default 0.05)\n"
            "  --variants all|A,B,...   pgemm variants to force (default all)\n"
            "  --no-clblast             do not run CLBlast\n"
            "  --no-interleave          time each kernel's samples back to back (default:\n"
            "                           after every kernel is checked and warmed up, take the\n"
            "                           samples round-robin over the kernels)\n"
            "  --csv FILE               one row per (shape, kernel)\n"
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
            "index), PGEMM_DEVICE (index), PGEMM_LOG; see pgemm.h.\n");
}

/* "256,512" (square) or "MxNxK,..." */
int parse_shape_list(bench_args *a, const char *text, int square)
{
    return bench_parse_shapes("pgemm_bench", text, square, a->shapes, &a->nshapes, MAX_SHAPES);
}

int parse_args(int argc, char **argv, bench_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            exit(0);
        }
        if (!strcmp(o, "--no-clblast")) {
            a->clblast = 0;
            continue;
        }
        if (!strcmp(o, "--no-interleave")) {
            a->interleave = 0;
            continue;
        }
        if (!strcmp(o, "--list")) {
            a->list = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "pgemm_bench: unknown option or missing value: %s\n", o);
            return 0;
        }
        const char *v = argv[++i];
        int ok = 1;
        if (!strcmp(o, "--sizes")) ok = parse_shape_list(a, v, 1);
        else if (!strcmp(o, "--shapes")) ok = parse_shape_list(a, v, 0);
        else if (!strcmp(o, "--repeat"))
            ok = bench_parse_size(v, &a->repeat) && a->repeat > 0 && a->repeat <= MAX_SAMPLES;
        else if (!strcmp(o, "--min-time"))
            ok = bench_parse_double(v, &a->min_time) && a->min_time >= 0;
        else if (!strcmp(o, "--variants")) a->variants = v;
        else if (!strcmp(o, "--csv")) a->csv = v;
        else if (!strcmp(o, "--time-budget"))
            ok = bench_parse_double(v, &a->time_budget) && a->time_budget >= 0;
        else if (!strcmp(o, "--layout")) {
            ok = !strcmp(v, "row") || !strcmp(v, "col");
            a->layout = !strcmp(v, "row") ? PGEMM_ROW_MAJOR : PGEMM_COL_MAJOR;
        } else if (!strcmp(o, "--trans")) {
            ok = strlen(v) == 2 && strchr("NTnt", v[0]) && strchr("NTnt", v[1]);
            if (ok) {
                a->ta = toupper((unsigned char)v[0]) == 'T' ? PGEMM_TRANS : PGEMM_NO_TRANS;
                a->tb = toupper((unsigned char)v[1]) == 'T' ? PGEMM_TRANS : PGEMM_NO_TRANS;
            }
        } else if (!strcmp(o, "--alpha") || !strcmp(o, "--beta")) {
            double d = 0;
            ok = bench_parse_double(v, &d);
            *(o[2] == 'a' ? &a->alpha : &a->beta) = (float)d;
        } else if (!strcmp(o, "--pad")) ok = bench_parse_size(v, &a->pad);
        else if (!strcmp(o, "--check-samples"))
            ok = bench_parse_size(v, &a->check_samples) && a->check_samples > 0;
        else if (!strcmp(o, "--seed")) {
            size_t s = 0;
            ok = bench_parse_size(v, &s);
            a->seed = s;
        } else {
            fprintf(stderr, "pgemm_bench: unknown option %s (see --help)\n", o);
            return 0;
        }
        if (!ok) {
            fprintf(stderr, "pgemm_bench: bad value for %s: \"%s\"\n", o, v);
            return 0;
        }
    }
    return 1;
}
