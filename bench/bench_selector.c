/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_selector: how long the selector's model takes to decide, per model
 * file: the median over 9 rounds of 20000 uncached decisions (the variant
 * with the highest prediction and its predicted GFLOP/s, as select.c asks
 * for them) on shapes spread over 1 .. 8192 per dimension.
 *
 *   bench_selector MODEL...          (e.g. the files in selector/models)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "selector/model.h"

/* Keeps the decisions from being optimised away. */
static volatile double g_sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    enum { ROUNDS = 9, DECISIONS = 20000 };
    if (argc < 2) {
        fprintf(stderr, "usage: bench_selector MODEL...\n");
        return 2;
    }
    int rc = 0;
    printf("%-64s %8s %14s\n", "model", "variants", "us/decision");
    for (int a = 1; a < argc; a++) {
        pgemm_err err = {{0}};
        pgemm_model *m = pgemm_model_load(argv[a], &err);
        if (!m) {
            fprintf(stderr, "bench_selector: %s\n", err.msg);
            rc = 1;
            continue;
        }
        int fp16 = m->key.precision[2] == '1';
        double t[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            double t0 = now();
            for (size_t i = 0; i < DECISIONS; i++) {
                pgemm_shape s = {1 + (i * 7919) % 8192, 1 + (i * 104729) % 8192,
                                 1 + (i * 1299709) % 8192, 1, (int)(i & 1), (int)((i >> 1) & 1),
                                 fp16, fp16, (unsigned)(i >> 2) & 7u};
                double g;
                g_sink += (double)pgemm_model_best(m, &s, &g) + g;
            }
            t[r] = (now() - t0) / DECISIONS * 1e6;
        }
        qsort(t, ROUNDS, sizeof *t, cmp_double);
        printf("%-64s %8zu %14.2f\n", argv[a], m->variant_count, t[ROUNDS / 2]);
        pgemm_model_free(m);
    }
    return rc;
}
