/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_args.c: the options `pgemm bench` and pgemm_vs_cublas share, and the loop that reads argv.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_args.h"

void bench_args_defaults(bench_common_args *c, const char *prog, size_t max_shapes)
{
    memset(c, 0, sizeof *c);
    c->prog = prog;
    c->max_shapes = max_shapes < BENCH_MAX_SHAPES ? max_shapes : BENCH_MAX_SHAPES;
    c->min_time = 0.05;
    c->ta = c->tb = PGEMM_NO_TRANS;
    c->alpha = 1.0f;
    c->beta = 0.0f;
    c->check_samples = 64;
    c->seed = 1;
}

int bench_args_add_shapes(bench_common_args *c, const char *text, int square)
{
    return bench_parse_shapes(c->prog, text, square, c->shapes, &c->nshapes, c->max_shapes);
}

void bench_trans_text(pgemm_transpose ta, pgemm_transpose tb, char out[3])
{
    out[0] = ta == PGEMM_TRANS ? 'T' : 'N';
    out[1] = tb == PGEMM_TRANS ? 'T' : 'N';
    out[2] = '\0';
}

/* A shared option with its value: 1 when o is one (*ok cleared for a bad
 * v), 0 when it is not. */
static int common_option(const bench_cli *cli, bench_common_args *c, const char *o, const char *v,
                         int *ok)
{
    if (!strcmp(o, "--sizes") || !strcmp(o, "--shapes")) {
        *ok = bench_args_add_shapes(c, v, o[3] == 'i');
        c->shapes_given = 1;
    } else if (!strcmp(o, "--repeat")) {
        *ok = bench_parse_size(v, &c->repeat) && c->repeat > 0 && c->repeat <= cli->max_repeat;
    } else if (!strcmp(o, "--min-time")) {
        *ok = bench_parse_double(v, &c->min_time) && c->min_time >= 0;
        c->min_time_given = 1;
    } else if (!strcmp(o, "--time-budget")) {
        *ok = bench_parse_double(v, &c->time_budget) && c->time_budget >= 0;
    } else if (!strcmp(o, "--trans")) {
        *ok = strlen(v) == 2 && strchr("NTnt", v[0]) && strchr("NTnt", v[1]);
        if (*ok) {
            c->ta = toupper((unsigned char)v[0]) == 'T' ? PGEMM_TRANS : PGEMM_NO_TRANS;
            c->tb = toupper((unsigned char)v[1]) == 'T' ? PGEMM_TRANS : PGEMM_NO_TRANS;
        }
    } else if (!strcmp(o, "--alpha") || !strcmp(o, "--beta")) {
        double d = 0;
        *ok = bench_parse_double(v, &d);
        *(o[2] == 'a' ? &c->alpha : &c->beta) = (float)d;
    } else if (!strcmp(o, "--pad")) {
        *ok = bench_parse_size(v, &c->pad);
    } else if (!strcmp(o, "--check-samples")) {
        *ok = bench_parse_size(v, &c->check_samples) && c->check_samples > 0 &&
              c->check_samples <= cli->max_check_samples;
    } else if (!strcmp(o, "--seed")) {
        size_t s = 0;
        *ok = bench_parse_size(v, &s);
        c->seed = s;
    } else if (!strcmp(o, "--csv")) {
        c->csv = v;
    } else {
        return 0;
    }
    return 1;
}

int bench_args_parse(const bench_cli *cli, int argc, char **argv, bench_common_args *c)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            cli->usage(stdout);
            exit(0);
        }
        if (cli->flag && cli->flag(cli->self, o)) continue;
        if (i + 1 >= argc) {
            fprintf(stderr, "%s: unknown option or missing value: %s%s\n", c->prog, o,
                    cli->missing_note);
            return 0;
        }
        const char *v = argv[++i];
        int ok = 1;
        if (!common_option(cli, c, o, v, &ok) &&
            !(cli->option && cli->option(cli->self, o, v, &ok))) {
            fprintf(stderr, "%s: unknown option %s (see --help)\n", c->prog, o);
            return 0;
        }
        if (!ok) {
            fprintf(stderr, "%s: bad value for %s: \"%s\"\n", c->prog, o, v);
            return 0;
        }
    }
    return 1;
}
