/* pgemm — command-line front end of the library. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "sizes.h"
#include "tool.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pgemm <command> [options]\n"
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
            "PGEMM_LOG, PGEMM_CACHE_DIR (see docs/API.md)\n");
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
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
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

int pgemm_tool_context_option(const char *cmd, int argc, char **argv, int *i,
                              pgemm_options *opts)
{
    const char *opt = argv[*i];
    static const char *const names[] = {"--backend", "--platform", "--device", "--precision",
                                        "--log"};
    int which = -1;
    for (int n = 0; n < 5; n++)
        if (!strcmp(opt, names[n])) which = n;
    if (which < 0) return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "pgemm %s: %s needs a value\n", cmd, opt);
        return -1;
    }
    const char *val = argv[++*i];
    switch (which) {
    case 0:
        if (!strcmp(val, "auto")) opts->backend = PGEMM_BACKEND_AUTO;
        else if (!strcmp(val, "hip")) opts->backend = PGEMM_BACKEND_HIP;
        else if (!strcmp(val, "opencl")) opts->backend = PGEMM_BACKEND_OPENCL;
        else {
            pgemm_parse_refuse_word(cmd, opt, val, "auto, hip or opencl");
            return -1;
        }
        return 1;
    case 1: opts->opencl_platform = val; return 1;
    case 2: return pgemm_parse_int(cmd, opt, val, 0, INT_MAX, &opts->device_index) ? 1 : -1;
    case 3:
        if (!strcmp(val, "fp32")) opts->precision = PGEMM_PRECISION_FP32;
        else if (!strcmp(val, "fp16") || !strcmp(val, "fp16-mixed"))
            opts->precision = PGEMM_PRECISION_FP16_MIXED;
        else {
            pgemm_parse_refuse_word(cmd, opt, val, "fp32 or fp16");
            return -1;
        }
        return 1;
    default: return pgemm_parse_int(cmd, opt, val, 0, 2, &opts->log_level) ? 1 : -1;
    }
}

int pgemm_tool_parse_trans(const char *v, int *ta, int *tb)
{
    if (strlen(v) != 2 || !strchr("NT", v[0]) || !strchr("NT", v[1])) return 0;
    *ta = v[0] == 'T';
    *tb = v[1] == 'T';
    return 1;
}

int pgemm_tool_shape_arg(const char *cmd, const char *a, int *pos, size_t *const mnk[3],
                         size_t min_mn)
{
    if (a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')) return 0;
    if (*pos >= 3) {
        char shown[80];
        fprintf(stderr, "pgemm %s: unexpected argument %s after M N K\n", cmd,
                pgemm_parse_shown(a, shown, sizeof shown));
        return -1;
    }
    static const char *const names[] = {"M", "N", "K"};
    if (!pgemm_parse_size(cmd, names[*pos], a, *pos < 2 ? min_mn : 0, PGEMM_TOOL_MAX_INDEX,
                          mnk[*pos]))
        return -1;
    (*pos)++;
    return 1;
}

pgemm_context *pgemm_tool_open(const pgemm_options *opts)
{
    pgemm_context *ctx = NULL;
    pgemm_status st = pgemm_context_create(opts, &ctx);
    if (st != PGEMM_SUCCESS) {
        fprintf(stderr, "pgemm: no context: %s: %s\n", pgemm_status_string(st),
                pgemm_last_error(NULL));
        return NULL;
    }
    return ctx;
}
