/* SPDX-License-Identifier: BSD-3-Clause */
/* bench.h: what the files of `pgemm bench` share: options, kernels, results, problems. */
#ifndef PGEMM_BENCH_H
#define PGEMM_BENCH_H

#include <stddef.h>

#include "bench_args.h"
#include "bench_common.h"
#include "pgemm.h"

#ifdef PGEMM_BENCH_OPENCL
#include "bench_opencl.h"
#endif

#define MAX_SHAPES BENCH_MAX_SHAPES
#define MAX_KERNELS 128
#define MAX_SAMPLES 1000

/* ------------------------------------------------------------- options */

typedef struct bench_args {
    /* the options pgemm_vs_cublas takes too (bench_args.h); --repeat 0: the
     * default for the device */
    bench_common_args common;
    const char *variants;   /* "all" or a comma list */
    int clblast;
    pgemm_layout layout;
    int list;
    int interleave;         /* round-robin timed samples across kernels */
    const char *plot;       /* --plot FILE.png; NULL: beside --csv's file */
    const char *replot;     /* --replot FILE.csv: draw that sweep, measure nothing */
    pgemm_precision precision; /* --precision fp32|fp16 (FP16_MIXED) */
    int no_plot;            /* --no-plot */
} bench_args;

/* bench_options.c: bench_defaults fills in the defaults; parse_args then reads
 * argv: 1 to run, 0 on a bad command line (after a message). */
void bench_defaults(bench_args *a);
int parse_args(int argc, char **argv, bench_args *a);

/* ------------------------------------------------------------- CLBlast */

#ifdef PGEMM_BENCH_OPENCL
/*
 * The few CLBlast declarations used here, written after CLBlast's public C
 * header clblast_c.h (CLBlast 1.5 / 1.6): CLBlastSgemm takes layout and
 * transposes as enums whose values equal CBLAS's (row major 101, column
 * major 102, no transpose 111, transpose 112), returns a CLBlastStatusCode
 * (0 = success, negative = error; OpenCL codes above -1000, CLBlast's own
 * below), and takes the queue and an (output) event by pointer.
 * CLBlastClearCache() drops CLBlast's cached programs.
 */
typedef int (*clblast_sgemm_fn)(int layout, int a_transpose, int b_transpose, size_t m, size_t n,
                                size_t k, float alpha, cl_mem a_buffer, size_t a_offset,
                                size_t a_ld, cl_mem b_buffer, size_t b_offset, size_t b_ld,
                                float beta, cl_mem c_buffer, size_t c_offset, size_t c_ld,
                                cl_command_queue *queue, cl_event *event);
typedef int (*clblast_clear_cache_fn)(void);

typedef struct clblast_state {
    void *lib;
    clblast_sgemm_fn sgemm;
    clblast_clear_cache_fn clear_cache;
    cl_context context;
    cl_command_queue queue;
    cl_device_id device;
    cl_mem a, b, c;
} clblast_state;

/* bench_clblast.c */
const char *clblast_status_text(int st);
int clblast_open(clblast_state *s, const pgemm_info *info, char *why, size_t cap);
void clblast_free_buffers(clblast_state *s);
void clblast_close(clblast_state *s);
int clblast_buffer(clblast_state *s, cl_mem *out, const float *src, size_t count, char *err,
                   size_t cap);
#else
typedef struct clblast_state {
    void *lib;
} clblast_state;
#endif

/* ------------------------------------------------------------ kernels */

typedef enum kernel_kind { KIND_VARIANT, KIND_CHOICE, KIND_CLBLAST } kernel_kind;

typedef struct kernel {
    kernel_kind kind;
    char name[PGEMM_NAME_LEN]; /* the variant, "pgemm choice" or "CLBlast" */
    double best_gflops;        /* best so far, for the time budget */
} kernel;

typedef enum result_state { RES_OK, RES_WRONG, RES_ERROR, RES_SKIPPED } result_state;

typedef struct result {
    result_state state;
    double median, min, first; /* seconds per call; first: the untimed checked call */
    size_t samples, group;
    double gflops;
    double max_scaled_err;
    char ran[PGEMM_NAME_LEN];  /* variant pgemm reported */
    int ran_fp16;              /* ... and it ran on fp16 tiles */
    char why[PGEMM_REASON_LEN]; /* pgemm's reason for its choice */
    double sample[MAX_SAMPLES]; /* seconds per call, in the order taken */
    double cal;                /* seconds per call in the last warm-up group */
    int single;                /* over the time budget: one sample only */
    char note[PGEMM_REASON_LEN + 128];
} result;

/* Everything about one shape's problem. */
typedef struct problem {
    size_t m, n, k, lda, ldb, ldc, na, nb, nc;
    pgemm_layout layout;
    pgemm_transpose ta, tb;
    float alpha, beta;
    int fp16; /* run under FP16_MIXED (--precision fp16) */
    float *a, *b, *c0, *c;
    /* check sample */
    size_t nsample;
    size_t *si, *sj;
    double *want, *mag;
    double *want16, *mag16; /* from A and B rounded to fp16 (--precision fp16), else NULL */
    /* device */
    pgemm_context *ctx;
    pgemm_buffer *da, *db, *dc;
    clblast_state *cb;
} problem;

/* bench_plot.c: the sweep's PNG; gflops[shape * nk + kernel] (<= 0: none).
 * Returns 1, or 0 with the reason in why. bench_plot_title writes the
 * picture's title of a sweep on that device. */
int bench_plot_sweep(const char *png, const char *title, const shape *shapes, size_t nshapes,
                     const kernel *ks, size_t nk, const double *gflops, char *why, size_t cap);
void bench_plot_title(char *dst, size_t cap, const char *device, const char *backend,
                      const char *platform, pgemm_layout layout, pgemm_transpose ta,
                      pgemm_transpose tb);

/* bench_replot.c: the PNG of a sweep from the CSV a run wrote (--replot),
 * on a machine other than the one that measured it. Returns 1, or 0 with
 * the reason in why. */
int bench_replot(const char *csv, const char *png, char *why, size_t cap);

/* bench_measure.c */
void measure_prepare(problem *p, const kernel *k, const bench_args *args, result *r);
void measure_sample(problem *p, const kernel *k, result *r);
void measure_finish(const problem *p, kernel *k, result *r);
void problem_free(problem *p);
int problem_setup(problem *p, const bench_args *args, shape s, int *clblast_ok, char *err,
                  size_t cap);

#endif
