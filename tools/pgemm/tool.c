/* SPDX-License-Identifier: BSD-3-Clause */
/* The helpers the pgemm commands share: the context options, the
 * positional M N K, the transpose word and opening a context. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "sizes.h"
#include "tool.h"

int pgemm_tool_context_option(const char *cmd, int argc, char **argv, int *i, pgemm_options *opts)
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
        if (!pgemm_backend_from_name(val, &opts->backend)) {
            pgemm_parse_refuse_word(cmd, opt, val, pgemm_backend_names());
            return -1;
        }
        return 1;
    case 1: opts->opencl_platform = val; return 1;
    case 2: return pgemm_parse_int(cmd, opt, val, 0, INT_MAX, &opts->device_index) ? 1 : -1;
    case 3:
        if (!strcmp(val, "fp32"))
            opts->precision = PGEMM_PRECISION_FP32;
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

void pgemm_tool_no_context(pgemm_status st, const char *why)
{
    fprintf(stderr, "pgemm: no context: %s: %s\n", pgemm_status_string(st), why);
}

pgemm_context *pgemm_tool_open(const pgemm_options *opts)
{
    pgemm_context *ctx = NULL;
    pgemm_status st = pgemm_context_create(opts, &ctx);
    if (st != PGEMM_SUCCESS) {
        pgemm_tool_no_context(st, pgemm_last_error(NULL));
        return NULL;
    }
    return ctx;
}
