/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_args.h: the command line of `pgemm bench` and pgemm_vs_cublas. The
 * options both programs take are read here, with one meaning, one default
 * and one message each; a program adds its own options through two hooks
 * and keeps its own --help text and limits.
 */
#ifndef PGEMM_BENCH_ARGS_H
#define PGEMM_BENCH_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench_common.h"
#include "pgemm.h"

#define BENCH_MAX_SHAPES 256 /* room for shapes; a program may allow fewer */

/* The options both programs take, and the program they belong to. */
typedef struct bench_common_args {
    const char *prog; /* begins every message: "pgemm bench: ..." */
    shape shapes[BENCH_MAX_SHAPES];
    size_t nshapes;
    size_t max_shapes;  /* the program's limit, at most BENCH_MAX_SHAPES */
    int shapes_given;   /* --sizes or --shapes was given (even an empty list) */
    size_t repeat;      /* timed samples (median reported) */
    double min_time;    /* seconds one timed sample lasts at least */
    int min_time_given; /* --min-time was given */
    double time_budget; /* seconds per call; above it one timed call only (0: none) */
    pgemm_transpose ta, tb;
    float alpha, beta;
    size_t pad;           /* added to every leading dimension */
    size_t check_samples; /* random C entries checked (plus the four corners) */
    uint64_t seed;
    const char *csv; /* --csv FILE; NULL: none */
} bench_common_args;

/* Zeroes c and sets the defaults both programs share: no shapes yet (at
 * most max_shapes), --repeat 0 (the program sets its own), --min-time 0.05,
 * NN, alpha 1, beta 0, --check-samples 64, --seed 1. */
void bench_args_defaults(bench_common_args *c, const char *prog, size_t max_shapes);

/*
 * What a program adds to the shared command line. Each hook returns 1 when
 * o is one of the program's own options (flag: one without a value; option:
 * one with the value v, clearing *ok when v is bad), else 0; a NULL hook adds
 * none. self is passed to both.
 */
typedef struct bench_cli {
    void (*usage)(FILE *f);   /* the --help text */
    size_t max_repeat;        /* --repeat takes 1 .. max_repeat */
    size_t max_check_samples; /* --check-samples takes 1 .. max_check_samples */
    const char *missing_note; /* ends "unknown option or missing value: X" ("" for none) */
    int (*flag)(void *self, const char *o);
    int (*option)(void *self, const char *o, const char *v, int *ok);
    void *self;
} bench_cli;

/*
 * Reads argv[1 ..] into c and the program's hooks: --help or -h prints the
 * usage on stdout and exits 0. Returns 1, or 0 after one line on stderr:
 *     pgemm bench: unknown option --x (see --help)
 *     pgemm bench: unknown option or missing value: --x
 *     pgemm bench: bad value for --repeat: "0"
 */
int bench_args_parse(const bench_cli *cli, int argc, char **argv, bench_common_args *c);

/* Appends the shapes of text ("256,512" when square, else "MxNxK,...") to
 * c's shapes; 0 after a message on a bad list (bench_parse_shapes). */
int bench_args_add_shapes(bench_common_args *c, const char *text, int square);

/* "NN", "NT", "TN" or "TT": op(A), op(B) as --trans writes them. */
void bench_trans_text(pgemm_transpose ta, pgemm_transpose tb, char out[3]);

#endif
