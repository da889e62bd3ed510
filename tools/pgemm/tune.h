/* SPDX-License-Identifier: BSD-3-Clause */
/* What `pgemm tune` and `pgemm explain` share: shape sets and timing. */
#ifndef PGEMM_TOOL_TUNE_H
#define PGEMM_TOOL_TUNE_H

#include <stddef.h>
#include <stdint.h>

#include "pgemm.h"

typedef struct tune_shape {
    size_t m, n, k;
    int trans_a, trans_b;
} tune_shape;

/* The sizes a device affords: largest dimension and flop count per product. */
typedef struct tune_space {
    size_t max_dim;
    double max_flops;
    int wide; /* the held-out distribution: wider size range, more odd and skinny shapes */
} tune_space;

/* The space for ctx's device (a CPU gets sizes that keep a tune in minutes). */
void tune_space_for(const pgemm_info *info, int wide, tune_space *out);

/* count shapes drawn from space with seed (deterministic): log-spaced
 * squares first, then random shapes, log-uniform per dimension, a quarter
 * of them skinny (one dimension 1..64), a third with odd sizes, random
 * transposes. Returns how many were written. */
size_t tune_shapes(const tune_space *space, uint64_t seed, size_t count, tune_shape *out);

/* Device buffers reused across measurements (grown on demand). */
typedef struct tune_bench {
    pgemm_context *ctx;
    pgemm_buffer *a, *b, *c;
    size_t a_bytes, b_bytes, c_bytes;
    double min_time;   /* seconds one timed sample lasts at least */
    int samples;       /* timed samples, median reported */
} tune_bench;

void tune_bench_init(tune_bench *t, pgemm_context *ctx, double min_time, int samples);
void tune_bench_free(tune_bench *t);

/* What tune_time_shape measured of one variant. */
typedef struct tune_result {
    double gflops, seconds; /* median GFLOP/s and seconds per call */
    int failed;
    char err[512];          /* the library's message when failed */
} tune_result;

/* Times variants[0 .. count-1] (backend variant names) on shape s: fp32
 * operands under FP32, fp16 operands (pgemm_gemm_ex) under FP16_MIXED.
 * After a warm-up call each, the timed samples (each at least min_time)
 * take turns over the variants; out[v] gets variant v's median. */
void tune_time_shape(tune_bench *t, pgemm_precision precision, const tune_shape *s,
                     const char *const *variants, size_t count, tune_result *out);

double tune_now(void);

/* One way of choosing scored on a held-out set: each shape's share of the
 * best (tune_plot sorts them) and their geometric mean. */
typedef struct tune_shares {
    double *share;
    size_t n;
    double geomean;
} tune_shares;

/* tune_plot.c: the evaluation's PNG at png. Returns 1, or 0 with the reason
 * in why. */
int pgemm_tune_plot(const char *png, const char *device, const char *precision, tune_shares *model,
                    tune_shares *heuristic, char *why, size_t cap);

#endif
