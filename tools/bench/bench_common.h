/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_common.h: what every bench program shares: shapes and their parsing,
 * numbers on the command line, and the timing of groups of calls (warm-up,
 * calibration, median), whatever library the calls go to.
 */
#ifndef PGEMM_BENCH_COMMON_H
#define PGEMM_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_GROUP 100000 /* calls in one timed group, at most */

typedef struct shape {
    size_t m, n, k;
} shape;

/* A decimal size ("4096"): 1 on success. */
int bench_parse_size(const char *s, size_t *out);
/* A finite number: 1 on success. */
int bench_parse_double(const char *s, double *out);

/* Appends the shapes of `text` to out[*count .. max-1]: "256,512" (square,
 * when `square`) or "MxNxK,...". Returns 0 after a message (prefixed with
 * prog) on a bad list, a zero size or too many shapes. */
int bench_parse_shapes(const char *prog, const char *text, int square, shape *out, size_t *count,
                       size_t max);

/*
 * One timed thing: `enqueue` queues one call (it may rotate among input sets
 * between calls), `sync` waits until every queued call has finished. Both
 * return 1, or 0 with a message in err. The host clock is read before the
 * first enqueue and after the wait, so every library is timed the same way.
 */
typedef struct bench_call {
    int (*enqueue)(void *self, char *err, size_t cap);
    int (*sync)(void *self, char *err, size_t cap);
    void *self;
} bench_call;

/* Seconds for `calls` back-to-back calls and one final wait; < 0 on error. */
double bench_time_group(const bench_call *c, size_t calls, char *err, size_t cap);

/*
 * Warm-up and calibration: times groups of calls, growing the group until
 * one lasts min_time (or MAX_GROUP calls, or, with budget > 0, one group
 * lasts longer than budget seconds). *group receives the group size and the
 * return value the seconds of the last group (< 0 on error).
 */
double bench_calibrate(const bench_call *c, double min_time, double budget, size_t *group,
                       char *err, size_t cap);

/* Median and minimum of n > 0 values (x is left as it was). Returns 0 if
 * host memory ran out. */
int bench_median_min(const double *x, size_t n, double *median, double *min);

/* "12.3 us", "4.56 ms", "1.23 s"; "-" for s <= 0. */
void bench_print_time(char *dst, size_t cap, double s);
/* A CSV field in double quotes (inner quotes doubled). */
void bench_csv_field(FILE *f, const char *s);

/* The random state (pgemm_fill_random) a shape's inputs start from: the
 * seed and the shape mixed, so each shape gets its own data; never 0. */
uint64_t bench_input_state(uint64_t seed, shape s);

/* 2 m n k / seconds, in units of 10^9 FLOP/s. */
double bench_gflops(shape s, double seconds);

#endif
