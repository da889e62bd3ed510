/* SPDX-License-Identifier: BSD-3-Clause */
/* epi_options.c: epilogue_vs_cublaslt's command line: --help text, defaults and its own options. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "epi.h"

/* Linear layers of an inference, m tokens against a K x N weight matrix:
 * the default sweep and --quick's. */
static const struct sweep {
    const char *tokens, *weights;
} sweeps[2] = {{"1,8,32,128,512", "4096x4096,4096x11008"}, {"1,32,512", "4096x4096"}};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " EPI_PROG " [options]\n"
            "Times C = act(alpha A B + beta C + bias), bias per column of C, on pgemm (plain,\n"
            "fused, unfused) and cuBLASLt (bias epilogues) in one process, FP32 and FP16\n"
            "operands with FP32 C and accumulation. C is m x n, column-major; A m x k; B k x n.\n"
            "  --tokens M,...         m of each shape (default %s)\n"
            "  --weights KxN,...      k and n of each shape (default %s)\n"
            "  --shapes MxNxK,...     further shapes; alone, they replace the default ones\n"
            "  --act LIST             activations: relu, gelu_tanh (or gelu), silu (default\n"
            "                         relu,gelu_tanh; cuBLASLt has no SiLU epilogue)\n"
            "  --quick                tokens %s, weights %s, --repeat 5, --min-time 0.02\n"
            "  --no-fp32, --no-fp16   leave out the FP32 or the FP16 rows\n"
            "  --repeat R             timed samples per column, median reported (default 7)\n"
            "  --min-time S           seconds one timed sample lasts at least (default 0.04)\n"
            "  --time-budget S        a call longer than S seconds gets one timed call only\n"
            "  --trans NN|NT|TN|TT    op(A), op(B) (default NN)\n"
            "  --alpha X --beta Y     scalars (default 1 and 0)\n"
            "  --pad P                add P to every leading dimension (default 0)\n"
            "  --check-samples N      C entries checked per column, plus the corners\n"
            "                         (default 1020)\n"
            "  --seed S               random seed (default 1)\n"
            "  --l2-mb X              last-level cache in MB (default 50, H100/H200): inputs\n"
            "                         under 2X MB rotate among input sets filling 4X MB\n"
            "  --no-rotate            one input set whatever its size\n"
            "  --workspace-mb X       cuBLASLt's workspace (default 32)\n"
            "  --backend hip|opencl|auto  pgemm's backend (default: PGEMM_BACKEND, else hip)\n"
            "  --cuda-device I        cuBLASLt's device (default: PGEMM_DEVICE, else 0)\n"
            "  --fp32-variant NAME    force pgemm's FP32 columns to a variant (default: selector)\n"
            "  --fp16-variant NAME    force pgemm's FP16 columns to a variant\n"
            "  --csv FILE             one row per (shape, precision, activation, column)\n"
            "Exit status: 0 all checked and timed, 1 a wrong result or a failed call,\n"
            "2 a bad command line, or CUDA, cuBLASLt or a pgemm context unavailable.\n",
            sweeps[0].tokens, sweeps[0].weights, sweeps[1].tokens, sweeps[1].weights);
}

/* The options this program adds to bench_args.h's, and where they go in epi_args. */
enum opt_kind { OPT_TEXT, OPT_NUMBER, OPT_DEVICE, OPT_BACKEND, OPT_ACTS };

static const struct value_option {
    const char *name;
    enum opt_kind kind;
    size_t offset;
} value_options[] = {
    {"--tokens", OPT_TEXT, offsetof(epi_args, tokens)},
    {"--weights", OPT_TEXT, offsetof(epi_args, weights)},
    {"--act", OPT_ACTS, 0},
    {"--workspace-mb", OPT_NUMBER, offsetof(epi_args, workspace_mb)},
    {"--l2-mb", OPT_NUMBER, offsetof(epi_args, vs.l2_mb)},
    {"--backend", OPT_BACKEND, offsetof(epi_args, vs.backend)},
    {"--cuda-device", OPT_DEVICE, offsetof(epi_args, vs.cuda_device)},
    {"--fp32-variant", OPT_TEXT, offsetof(epi_args, vs.fp32_variant)},
    {"--fp16-variant", OPT_TEXT, offsetof(epi_args, vs.fp16_variant)},
};

static const struct flag_option {
    const char *name;
    size_t offset; /* an int in epi_args */
    int value;
} flag_options[] = {
    {"--quick", offsetof(epi_args, quick), 1},
    {"--no-fp32", offsetof(epi_args, fp32), 0},
    {"--no-fp16", offsetof(epi_args, vs.fp16), 0},
    {"--no-rotate", offsetof(epi_args, vs.rotate), 0},
};

/* "relu,gelu_tanh": each activation once, NONE refused. */
static int parse_acts(const char *text, epi_args *a)
{
    a->nacts = 0;
    char item[32];
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof item) return 0;
        memcpy(item, p, len);
        item[len] = '\0';
        p += len + (p[len] == ',');
        pgemm_activation act = PGEMM_ACTIVATION_NONE;
        for (int v = PGEMM_ACTIVATION_RELU; v <= PGEMM_ACTIVATION_SILU; v++)
            if (!strcmp(item, pgemm_activation_name((pgemm_activation)v)))
                act = (pgemm_activation)v;
        if (!strcmp(item, "gelu")) act = PGEMM_ACTIVATION_GELU_TANH;
        if (act == PGEMM_ACTIVATION_NONE || a->nacts == EPI_MAX_ACTS) return 0;
        for (size_t i = 0; i < a->nacts; i++)
            if (a->acts[i] == act) return 0;
        a->acts[a->nacts++] = act;
    }
    return a->nacts > 0;
}

static int epi_flag(void *self, const char *o)
{
    size_t n = sizeof flag_options / sizeof flag_options[0];
    for (size_t i = 0; i < n; i++)
        if (!strcmp(o, flag_options[i].name)) {
            *(int *)((char *)self + flag_options[i].offset) = flag_options[i].value;
            return 1;
        }
    return 0;
}

static int epi_option(void *self, const char *o, const char *v, int *ok)
{
    epi_args *a = self;
    size_t n = sizeof value_options / sizeof value_options[0], z = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(o, value_options[i].name)) continue;
        char *field = (char *)a + value_options[i].offset;
        pgemm_backend be;
        switch (value_options[i].kind) {
        case OPT_TEXT: *(const char **)field = v; break;
        case OPT_NUMBER:
            *ok = bench_parse_double(v, (double *)field) && *(double *)field >= 0;
            break;
        case OPT_DEVICE:
            *ok = bench_parse_size(v, &z) && z < 1024;
            *(int *)field = (int)z;
            break;
        case OPT_BACKEND:
            *ok = pgemm_backend_from_name(v, &be);
            *(const char **)field = v;
            break;
        case OPT_ACTS: *ok = parse_acts(v, a); break;
        }
        return 1;
    }
    return 0;
}

/* Size lists "1,8,32" (count > 0 each) and "KxN,..." pairs; 0 on a bad one. */
static int parse_list(const char *text, size_t *out, size_t *count, size_t max, int pairs)
{
    char item[64];
    *count = 0;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof item || *count + (size_t)pairs >= max) return 0;
        memcpy(item, p, len);
        item[len] = '\0';
        p += len + (p[len] == ',');
        char *x = pairs ? strchr(item, 'x') : NULL;
        if (pairs && !x) return 0;
        if (x) *x = '\0';
        if (!bench_parse_size(item, &out[*count]) || out[*count] == 0) return 0;
        ++*count;
        if (!x) continue;
        if (!bench_parse_size(x + 1, &out[*count]) || out[*count] == 0) return 0;
        ++*count;
    }
    return *count > 0;
}

/* Appends tokens x weights (each weight matrix, every m) to the shapes. */
static int add_layers(epi_args *a, const char *tokens, const char *weights)
{
    bench_common_args *c = &a->vs.common;
    size_t m[VS_MAX_SHAPES], kn[2 * VS_MAX_SHAPES], nm = 0, nkn = 0;
    if (!parse_list(tokens, m, &nm, VS_MAX_SHAPES, 0)) {
        fprintf(stderr, EPI_PROG ": bad value for --tokens: \"%s\"\n", tokens);
        return 0;
    }
    if (!parse_list(weights, kn, &nkn, 2 * VS_MAX_SHAPES, 1)) {
        fprintf(stderr, EPI_PROG ": bad value for --weights (KxN,...): \"%s\"\n", weights);
        return 0;
    }
    for (size_t w = 0; w < nkn; w += 2)
        for (size_t i = 0; i < nm; i++) {
            if (c->nshapes >= c->max_shapes) {
                fprintf(stderr, EPI_PROG ": more than %zu shapes\n", c->max_shapes);
                return 0;
            }
            c->shapes[c->nshapes++] = (shape){m[i], kn[w + 1], kn[w]};
        }
    return 1;
}

int epi_parse_args(int argc, char **argv, epi_args *a)
{
    memset(a, 0, sizeof *a);
    bench_args_defaults(&a->vs.common, EPI_PROG, VS_MAX_SHAPES);
    a->vs.common.min_time = 0.04;
    a->vs.common.check_samples = 1020;
    a->vs.cuda_device = -1;
    a->vs.fp16 = 1;
    a->vs.l2_mb = 50.0;
    a->vs.rotate = 1;
    a->fp32 = 1;
    a->acts[0] = PGEMM_ACTIVATION_RELU;
    a->acts[1] = PGEMM_ACTIVATION_GELU_TANH;
    a->nacts = 2;
    a->workspace_mb = 32.0;
    /* bench_args.h's hooks: the usage, the limits of --repeat and --check-samples, the
     * note after a missing value, the flags, the options with a value, and their target */
    const bench_cli cli = {usage, VS_MAX_SAMPLES, 100000, " (see --help)", epi_flag, epi_option, a};
    if (!bench_args_parse(&cli, argc, argv, &a->vs.common)) return 0;
    if (!a->fp32 && !a->vs.fp16) {
        fprintf(stderr, EPI_PROG ": --no-fp32 and --no-fp16 leave nothing to run\n");
        return 0;
    }
    if (a->tokens || a->weights || !a->vs.common.shapes_given) {
        const struct sweep *sw = &sweeps[a->quick != 0];
        if (!add_layers(a, a->tokens ? a->tokens : sw->tokens,
                        a->weights ? a->weights : sw->weights))
            return 0;
    }
    if (a->quick && !a->vs.common.min_time_given) a->vs.common.min_time = 0.02;
    if (a->vs.common.repeat == 0) a->vs.common.repeat = a->quick ? 5 : 7;
    return 1;
}
