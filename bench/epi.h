/* SPDX-License-Identifier: BSD-3-Clause */
/* epi.h: what the files of epilogue_vs_cublaslt share: options, cuBLASLt, problems, columns. */
#ifndef PGEMM_EPI_H
#define PGEMM_EPI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vs_cublas.h"

#define EPI_PROG "epilogue_vs_cublaslt"
#define EPI_MAX_ACTS 3

/* ------------------------------------------------------------- options */

typedef struct epi_args {
    /* what pgemm_vs_cublas takes too: shapes, timing, the problem, pgemm's
     * backend and forced variants, input rotation; vs.fp16: the fp16 rows */
    vs_args vs;
    int fp32; /* the fp32 rows */
    pgemm_activation acts[EPI_MAX_ACTS];
    size_t nacts;
    double workspace_mb;          /* cuBLASLt's workspace */
    const char *tokens, *weights; /* --tokens, --weights (NULL: not given) */
    int quick;
} epi_args;

/* epi_options.c: 1 to run, 0 on a bad command line (after a message). */
int epi_parse_args(int argc, char **argv, epi_args *a);

/* ------------------------------------------------------------ cuBLASLt */

/*
 * cuBLASLt, dlopen'ed at run time (epi_lt.c). Descriptors and handles are
 * pointers (void * here), enums ints. Values checked against CUDA 13.0's
 * cublasLt.h (cuBLAS 13.1); the VS_CUBLAS_* and VS_CUDA_* ones of
 * vs_cublas.h serve for operations, types and the compute type.
 */
enum {
    EPI_LT_EPILOGUE_DEFAULT = 1,         /* CUBLASLT_EPILOGUE_DEFAULT: none */
    EPI_LT_EPILOGUE_RELU_BIAS = 6,       /* CUBLASLT_EPILOGUE_RELU_BIAS: bias, then ReLU */
    EPI_LT_EPILOGUE_GELU_BIAS = 36,      /* CUBLASLT_EPILOGUE_GELU_BIAS: bias, then GELU */
    EPI_LT_DESC_TRANSA = 3,              /* cublasLtMatmulDescAttributes_t, int32_t */
    EPI_LT_DESC_TRANSB = 4,              /* int32_t */
    EPI_LT_DESC_EPILOGUE = 7,            /* uint32_t */
    EPI_LT_DESC_BIAS_POINTER = 8,        /* const void *: one value per row of D */
    EPI_LT_PREF_MAX_WORKSPACE_BYTES = 1, /* cublasLtMatmulPreferenceAttributes_t, uint64_t */
    EPI_CUBLAS_STATUS_NOT_SUPPORTED = 15
};

typedef struct epi_lt {
    void *lib; /* dlopen handle */
    char path[512];
    /* cublasStatus_t (0 = success) unless said otherwise */
    int (*create)(void **handle);
    int (*destroy)(void *handle);
    size_t (*get_version)(void);
    int (*desc_create)(void **desc, int compute_type, int scale_type);
    int (*desc_destroy)(void *desc);
    int (*desc_set)(void *desc, int attr, const void *buf, size_t bytes);
    int (*layout_create)(void **layout, int type, uint64_t rows, uint64_t cols, int64_t ld);
    int (*layout_destroy)(void *layout);
    int (*pref_create)(void **pref);
    int (*pref_destroy)(void *pref);
    int (*pref_set)(void *pref, int attr, const void *buf, size_t bytes);
    int (*heuristic)(void *handle, void *desc, void *a, void *b, void *c, void *d, void *pref,
                     int requested, void *results, int *returned);
    int (*matmul)(void *handle, void *desc, const void *alpha, const void *a, void *a_layout,
                  const void *b, void *b_layout, const void *beta, const void *c, void *c_layout,
                  void *d, void *d_layout, const void *algo, void *workspace,
                  size_t workspace_bytes, void *stream);
    /* state */
    void *handle;
    void *workspace; /* cudaMalloc'ed */
    size_t workspace_bytes;
    size_t version; /* cublasLtGetVersion: major * 10000 + minor * 100 + patch */
} epi_lt;

/* One matmul in cuBLASLt's terms: D (m x n, column-major, fp32, written in
 * place of C) = epilogue(alpha op(A) op(B) + beta D). */
typedef struct epi_lt_gemm {
    int trans_a, trans_b; /* VS_CUBLAS_OP_N or _T */
    uint64_t m, n;
    uint64_t a_rows, a_cols, b_rows, b_cols; /* A and B as stored (k is their other size) */
    int64_t lda, ldb, ldd;
    int ab_type;      /* VS_CUDA_R_32F or VS_CUDA_R_16F */
    int epilogue;     /* EPI_LT_EPILOGUE_* */
    const void *bias; /* m fp32 values, with a bias epilogue */
} epi_lt_gemm;

/* The descriptors and the algorithm of one epi_lt_gemm. */
typedef struct epi_lt_plan {
    void *desc, *a_layout, *b_layout, *d_layout;
    uint64_t algo[8]; /* cublasLtMatmulAlgo_t */
} epi_lt_plan;

/* epi_lt.c. open: 1, or 0 with why set (after closing what was opened). */
int epi_lt_open(epi_lt *lt, vs_cuda *cu, size_t workspace_bytes, char *why, size_t cap);
void epi_lt_close(epi_lt *lt, vs_cuda *cu);
/* 1: planned; -1: cuBLASLt offers no algorithm for it; 0: an error. Either
 * way but 1, err says why and the plan holds nothing. */
int epi_lt_plan_make(epi_lt *lt, const vs_cuda *cu, const epi_lt_gemm *g, epi_lt_plan *plan,
                     char *err, size_t cap);
void epi_lt_plan_free(epi_lt *lt, epi_lt_plan *plan);
/* Queues the planned matmul on the legacy default stream; a cublasStatus_t. */
int epi_lt_run(const epi_lt *lt, const epi_lt_plan *plan, float alpha, const void *a, const void *b,
               float beta, void *d);

/* ------------------------------------------------------------ problems */

/* Row precisions: index 0 fp32, 1 fp16 operands (fp32 C and accumulation). */
enum { EPI_FP32 = 0, EPI_FP16 = 1, EPI_NPREC = 2 };

/*
 * One shape: vs_problem's inputs, sets and sampled references of the plain
 * product, and what the epilogue adds: a bias per column of C, cuBLASLt's
 * output, and the epilogue's references. cuBLASLt adds its bias per row of
 * D, so it computes D = C^T (n x m) = op(B)^T op(A)^T from the same A and B.
 */
typedef struct epi_problem {
    vs_problem vp;
    epi_lt *lt;
    float *bias; /* n values */
    pgemm_buffer *bias_pg;
    void *bias_cu;
    size_t ldd;                /* cuBLASLt's D: n x m, ld n + pad */
    void *d_sets[VS_MAX_SETS]; /* cuBLASLt's D of each input set */
    float *d0;                 /* what D holds before a checked call: C0^T, or NaN (beta 0) */
    float *d;                  /* D read back */
    float *fused_c;            /* the fused call's C, for the unfused one to agree with */
    /* per precision: act(sum + bias) and its error magnitude on vp's sample,
     * per activation of the run; the RMS and largest magnitude of the sums */
    double *want[EPI_NPREC][EPI_MAX_ACTS], *mag[EPI_NPREC][EPI_MAX_ACTS];
    double sum_rms[EPI_NPREC], mag_max[EPI_NPREC];
} epi_problem;

/* epi_problem.c; vp.ctx, vp.cu and lt set by the caller. */
int epi_problem_setup(epi_problem *p, const epi_args *a, shape s, char *err, size_t cap);
void epi_problem_free(epi_problem *p);

/* ------------------------------------------------------------- columns */

typedef enum epi_kind {
    EPI_PLAIN,    /* pgemm_gemm_ex, no epilogue */
    EPI_LT_PLAIN, /* cublasLtMatmul, CUBLASLT_EPILOGUE_DEFAULT */
    EPI_FUSED,    /* pgemm_gemm_epilogue: bias per column + activation */
    EPI_UNFUSED,  /* pgemm_gemm_ex, then pgemm_gemm_epilogue with k 0, alpha 0, beta 1 */
    EPI_LT,       /* cublasLtMatmul with CUBLASLT_EPILOGUE_{RELU,GELU}_BIAS */
    EPI_NKINDS
} epi_kind;

/* The columns of one shape: per precision the two plain ones, then three per activation. */
#define EPI_PER_PREC (2 + 3 * EPI_MAX_ACTS)
#define EPI_SLOTS (EPI_NPREC * EPI_PER_PREC)

typedef struct epi_col {
    epi_kind kind;
    int prec;             /* EPI_FP32 or EPI_FP16 */
    size_t act_index;     /* into epi_args.acts (epilogue columns) */
    pgemm_activation act; /* NONE for the plain ones */
} epi_col;

typedef struct epi_result {
    vs_result r;                       /* state, times, samples, check figures, variant, note */
    char pass_variant[PGEMM_NAME_LEN]; /* unfused: the bias + activation pass's variant */
    int epilogue_fused;                /* pgemm_last_call's epilogue_fused */
    double agree; /* unfused: largest |unfused - fused| over C, of its bound (-1: not compared) */
} epi_result;

/* A column of a shape with what it holds while the shape runs. */
typedef struct epi_slot {
    int active;
    epi_col col;
    epi_result res;
    epi_lt_plan plan;
} epi_slot;

/* epi_measure.c */
size_t epi_slot_index(int prec, epi_kind kind, size_t act_index);
const char *epi_kind_name(epi_kind kind);
int epi_kind_is_lt(epi_kind kind);
/* Plans (cuBLASLt), checks, warms up and calibrates one column. */
void epi_prepare(epi_problem *p, epi_slot *s, const epi_args *a);
/* The unfused column's C (just checked, in p->vp.c) against p->fused_c. */
void epi_agree(const epi_problem *p, epi_slot *unfused, const epi_slot *fused);
void epi_sample(epi_problem *p, epi_slot *s);
void epi_finish(epi_problem *p, epi_slot *s);

/* ------------------------------------------------------------- reports */

typedef struct epi_run_info {
    vs_run_info vs; /* date, host, pgemm_info, CUDA */
    const epi_lt *lt;
    const epi_args *args;
} epi_run_info;

/* epi_report.c */
void epi_print_header(const epi_run_info *ri);
/* One row per precision and activation of a shape. */
void epi_print_shape(const epi_run_info *ri, const epi_problem *p, const epi_slot *slots);
void epi_csv_header(FILE *f);
void epi_csv_rows(FILE *f, const epi_run_info *ri, const epi_problem *p, const epi_slot *slots);
/* The summary table, printed last. slots: nshapes x EPI_SLOTS. */
void epi_print_summary(const epi_run_info *ri, const shape *shapes, size_t nshapes,
                       const epi_slot *slots);

#endif
