/* SPDX-License-Identifier: BSD-3-Clause */
/* vs_cublas.h: what the files of pgemm_vs_cublas share: options, cuBLAS, problems, columns. */
#ifndef PGEMM_VS_CUBLAS_H
#define PGEMM_VS_CUBLAS_H

#include <stddef.h>

#include "bench_args.h"
#include "bench_common.h"
#include "pgemm.h"

#define VS_PROG "pgemm_vs_cublas"
#define VS_MAX_SHAPES 64
#define VS_MAX_SAMPLES 200
#define VS_MAX_SETS 32

/* ------------------------------------------------------------- options */

typedef struct vs_args {
    /* the options `pgemm bench` takes too (bench_args.h); --repeat: timed
     * samples per column */
    bench_common_args common;
    const char *backend;    /* --backend; NULL: PGEMM_BACKEND, else hip */
    int cuda_device;        /* cuBLAS's device; -1: PGEMM_DEVICE, else 0 */
    int pedantic;           /* cuBLAS math mode PEDANTIC instead of DEFAULT */
    int fp16;               /* run the three fp16 columns */
    const char *fp32_variant, *fp16_variant; /* forced pgemm variants (NULL: selector) */
    double l2_mb;           /* last-level cache; inputs smaller than 2x rotate */
    size_t batch;           /* --batch: strided-batched calls of this many products */
    int rotate;
} vs_args;

/* vs_options.c: 1 to run, 0 on a bad command line (after a message). */
int vs_parse_args(int argc, char **argv, vs_args *a);

/* ------------------------------------------------------ CUDA and cuBLAS */

/*
 * The CUDA runtime and cuBLAS, dlopen'ed at run time (vs_cuda.c). Handles,
 * events and streams are pointers in the CUDA ABI (void * here); enums are
 * ints. Values checked against CUDA 13.0's cublas_api.h, library_types.h and
 * driver_types.h; all of them are unchanged since CUDA 11.
 */
enum {
    VS_CUBLAS_OP_N = 0,
    VS_CUBLAS_OP_T = 1,
    VS_CUDA_R_32F = 0,
    VS_CUDA_R_16F = 2,
    VS_CUBLAS_COMPUTE_32F = 68,
    VS_CUBLAS_GEMM_DEFAULT = -1,
    VS_CUBLAS_DEFAULT_MATH = 0,  /* no TF32 for FP32 data; tensor cores for FP16 */
    VS_CUBLAS_PEDANTIC_MATH = 2,
    VS_CUDA_MEMCPY_H2D = 1,
    VS_CUDA_MEMCPY_D2H = 2
};

typedef struct vs_cuda {
    void *cudart, *cublas; /* dlopen handles */
    char cudart_path[512], cublas_path[512];
    /* CUDA runtime (cudaError_t: 0 = success) */
    int (*malloc_)(void **ptr, size_t bytes);
    int (*free_)(void *ptr);
    int (*memcpy_)(void *dst, const void *src, size_t bytes, int kind);
    int (*device_synchronize)(void);
    int (*set_device)(int device);
    int (*get_device_properties)(void *prop, int device);
    int (*runtime_get_version)(int *version);
    int (*driver_get_version)(int *version);
    const char *(*get_error_string)(int err);
    int (*event_create)(void **event);
    int (*event_destroy)(void *event);
    int (*event_record)(void *event, void *stream);
    int (*event_synchronize)(void *event);
    int (*event_elapsed_time)(float *ms, void *start, void *end);
    /* cuBLAS (cublasStatus_t: 0 = success) */
    int (*create)(void **handle);
    int (*destroy)(void *handle);
    int (*set_math_mode)(void *handle, int mode);
    int (*get_version)(void *handle, int *version);
    const char *(*status_string)(int status); /* may be NULL */
    int (*sgemm)(void *handle, int ta, int tb, int m, int n, int k, const float *alpha,
                 const float *a, int lda, const float *b, int ldb, const float *beta, float *c,
                 int ldc);
    int (*gemm_ex)(void *handle, int ta, int tb, int m, int n, int k, const void *alpha,
                   const void *a, int a_type, int lda, const void *b, int b_type, int ldb,
                   const void *beta, void *c, int c_type, int ldc, int compute_type, int algo);
    int (*sgemm_strided_batched)(void *handle, int ta, int tb, int m, int n, int k,
                                 const float *alpha, const float *a, int lda, long long stride_a,
                                 const float *b, int ldb, long long stride_b, const float *beta,
                                 float *c, int ldc, long long stride_c, int batch);
    int (*gemm_strided_batched_ex)(void *handle, int ta, int tb, int m, int n, int k,
                                   const void *alpha, const void *a, int a_type, int lda,
                                   long long stride_a, const void *b, int b_type, int ldb,
                                   long long stride_b, const void *beta, void *c, int c_type,
                                   int ldc, long long stride_c, int batch, int compute_type,
                                   int algo);
    /* state */
    void *handle;
    void *ev_start, *ev_stop;
    int device;
    int math_mode;
    char device_name[256];
    int runtime_version, driver_version, cublas_version;
} vs_cuda;

/* vs_cuda.c */
/* dlopen's the first of stem.so.13, .12, .so that loads, from the loader's
 * search path or /usr/local/cuda/lib64 (and two more folders); its file name
 * goes to path. NULL with "cannot load <what> (...): <dlerror>" in why. */
void *vs_cuda_load_library(const char *what, const char *stem, char *path, size_t cap, char *why,
                           size_t why_cap);
/* dlsym(lib, symbol) into the function pointer *fn (any function pointer
 * type). 0 with "<path> has no <symbol>" in why when it is missing and
 * required; else 1 (*fn NULL when missing). */
int vs_cuda_symbol(void *lib, const char *path, const char *symbol, void *fn, int required,
                   char *why, size_t cap);
int vs_cuda_open(vs_cuda *c, int device, int pedantic, char *why, size_t cap);
void vs_cuda_close(vs_cuda *c);
/* 1 if rc (a cudaError_t) is 0, else 0 with "what: error N (text)" in err. */
int vs_cuda_ok(const vs_cuda *c, int rc, const char *what, char *err, size_t cap);
/* The same for a cublasStatus_t. */
int vs_cublas_ok(const vs_cuda *c, int st, const char *what, char *err, size_t cap);
/* cudaMalloc + cudaMemcpy of `bytes` from src (src may be NULL: no copy). */
int vs_cuda_upload(vs_cuda *c, void **dptr, const void *src, size_t bytes, char *err,
                   size_t cap);

/* ------------------------------------------------------------ problems */

/* One input set, on both libraries; the same values in each. */
typedef struct vs_set {
    pgemm_buffer *a32, *b32, *c, *a16, *b16; /* pgemm's */
    void *ca32, *cb32, *cc, *ca16, *cb16;    /* cuBLAS's (cudaMalloc) */
} vs_set;

typedef struct vs_problem {
    shape s;
    pgemm_transpose ta, tb;
    float alpha, beta;
    size_t lda, ldb, ldc, na, nb, nc; /* column-major, elements of one product */
    size_t batch;                     /* products per call, each na (nb, nc) after the last */
    int fp16;
    const char *fp32_variant, *fp16_variant; /* forced pgemm variants (NULL: selector) */
    /* set 0 on the host: the checked call's inputs */
    float *a, *b, *c0, *c;             /* c: poison before, read-back after a call */
    float *ar, *br;                    /* A and B rounded to fp16, as floats */
    /* the check sample: the fp64 reference on the fp32 inputs and on the
     * fp16-rounded ones, with the magnitudes of the error bound */
    size_t nsample;
    size_t *si, *sj, *sz; /* row, column, product */
    double *want32, *mag32, *want16, *mag16;
    size_t nsets;
    vs_set sets[VS_MAX_SETS];
    double set_mb;                     /* MB of one set's fp32 A, B and C */
    pgemm_context *ctx;
    vs_cuda *cu;
} vs_problem;

/* Elements of A, B and C over the whole batch. */
static inline size_t vs_all_a(const vs_problem *p) { return p->na * p->batch; }
static inline size_t vs_all_b(const vs_problem *p) { return p->nb * p->batch; }
static inline size_t vs_all_c(const vs_problem *p) { return p->nc * p->batch; }

/* vs_problem.c */
int vs_problem_setup(vs_problem *p, const vs_args *args, shape s, char *err, size_t cap);
void vs_problem_free(vs_problem *p);

/* ------------------------------------------------------------- columns */

typedef enum vs_col {
    COL_PGEMM_F32,   /* pgemm_sgemm, precision FP32 */
    COL_CUBLAS_F32,  /* cublasSgemm, CUBLAS_DEFAULT_MATH (no TF32) */
    COL_PGEMM_F16,   /* pgemm_gemm_ex, fp16 A and B, fp32 C (precision FP16_MIXED) */
    COL_CUBLAS_F16,  /* cublasGemmEx, CUDA_R_16F A and B, CUDA_R_32F C, COMPUTE_32F */
    COL_PGEMM_F16C,  /* pgemm_sgemm on fp32 A and B with precision FP16_MIXED */
    VS_NCOLS
} vs_col;

typedef enum vs_state { VS_OK, VS_WRONG, VS_ERROR, VS_UNSUPPORTED, VS_SKIPPED } vs_state;

typedef struct vs_result {
    vs_state state;
    double median, min, first;  /* seconds per call; first: the checked call */
    double tflops;
    double event_median;        /* cuBLAS only: CUDA-event seconds per call (cross-check) */
    size_t group, samples;
    int single;                 /* over the time budget: one timed call only */
    size_t next_set;            /* the input set the next timed call reads */
    double sample[VS_MAX_SAMPLES], event_sample[VS_MAX_SAMPLES];
    double max_scaled_err;      /* of the error bound; <= tol passes */
    double rel_err;             /* ||c - ref|| / ||ref|| over the sampled entries */
    double tol;
    char variant[PGEMM_NAME_LEN];  /* pgemm: what ran (pgemm_last_call) */
    pgemm_precision precision_used;
    char note[PGEMM_REASON_LEN + 256];
} vs_result;

/* vs_measure.c */
const char *vs_col_name(vs_col col);
int vs_col_is_cublas(vs_col col);
int vs_col_is_fp16(vs_col col);
void vs_prepare(vs_problem *p, vs_col col, const vs_args *args, vs_result *r);
void vs_sample(vs_problem *p, vs_col col, vs_result *r);
void vs_finish(const vs_problem *p, vs_result *r);

/* ------------------------------------------------------------- reports */

typedef struct vs_run_info {
    char date[64], host[128];
    pgemm_info pgemm;
    const vs_cuda *cu;
    const vs_args *args;
} vs_run_info;

/* vs_report.c */
void vs_print_header(const vs_run_info *ri);
void vs_print_shape(const vs_problem *p, const vs_result rs[VS_NCOLS]);
void vs_csv_header(FILE *f);
void vs_csv_rows(FILE *f, const vs_run_info *ri, const vs_problem *p,
                 const vs_result rs[VS_NCOLS]);
/* The summary table, printed last; returns nothing. rows: nshapes x VS_NCOLS. */
void vs_print_summary(const vs_run_info *ri, const shape *shapes, size_t nshapes,
                      const vs_result *rows);

#endif
