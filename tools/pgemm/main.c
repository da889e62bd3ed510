/* SPDX-License-Identifier: BSD-3-Clause */
/* pgemm — command-line front end of the library. */
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "pgemm_bench.h"
#include "tool.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: pgemm <command> [options]\n"
               "\n"
               "commands:\n"
               "  info                 backends and devices found, what AUTO picks and why,\n"
               "                       and the kernel variants of the chosen backend\n"
               "  run M N K            C = alpha*op(A)*op(B) + beta*C on random data: checks the\n"
               "                       result against an fp64 CPU reference, prints GFLOP/s and\n"
               "                       the kernel chosen (pgemm run --help for options)\n"
               "  tune                 measures every candidate variant on a shape set, trains\n"
               "                       the selector's model for this device and precision\n"
               "                       (pgemm tune --help)\n"
               "  explain M N K        each variant's predicted GFLOP/s for a shape, and with\n"
               "                       --measure the measured ones (pgemm explain --help)\n"
               "  bench                times every variant, pgemm's choice and CLBlast on a\n"
               "                       sweep of shapes: table, CSV and PNG (pgemm bench --help)\n"
               "  version              library version\n"
               "\n"
               "numbers are decimal: digits, '-' where negative values are allowed, a fraction\n"
               "and exponent for real values (1.5e-3); no '+', hex or spaces. alpha and beta\n"
               "also take nan, inf and -inf, but no value that overflows a float.\n"
               "\n"
               "exit status: 0 done, 1 failed while running (no device, a library error, a\n"
               "failed check), 2 command line refused (unknown option, bad value, or a shape\n"
               "beyond the library's or the device's limits, refused before any allocation)\n"
               "\n"
               "environment: PGEMM_BACKEND, PGEMM_OPENCL_PLATFORM, PGEMM_DEVICE, PGEMM_VARIANT,\n"
               "PGEMM_LOG, PGEMM_CACHE_DIR (see docs/API.md; man pgemm)\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return PGEMM_TOOL_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "info")) return pgemm_cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "run")) return pgemm_cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "tune")) return pgemm_cmd_tune(argc - 1, argv + 1);
    if (!strcmp(cmd, "explain")) return pgemm_cmd_explain(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return pgemm_bench_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
            printf("usage: pgemm version\nprints the version of the libpgemm in use\n");
            return 0;
        }
        if (argc > 2) {
            char shown[80];
            fprintf(stderr, "pgemm version: takes no arguments (got %s)\n",
                    pgemm_parse_shown(argv[2], shown, sizeof shown));
            return PGEMM_TOOL_USAGE;
        }
        printf("pgemm %s\n", pgemm_version_string());
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    char shown[80];
    fprintf(stderr, "pgemm: unknown command %s (pgemm help lists them)\n",
            pgemm_parse_shown(cmd, shown, sizeof shown));
    return PGEMM_TOOL_USAGE;
}
