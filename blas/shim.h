/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpgemm_blas.so's shared state: its settings from the environment, the
 * pgemm contexts of the calling threads, the call counters and the log.
 */
#ifndef PGEMM_BLAS_SHIM_H
#define PGEMM_BLAS_SHIM_H

#include <stddef.h>

#include "pgemm.h"

typedef enum pgemm_blas_mode {
    PGEMM_BLAS_AUTO, /* the routing model decides (route.h) */
    PGEMM_BLAS_GPU,  /* every SGEMM on pgemm */
    PGEMM_BLAS_CPU   /* every SGEMM on the CPU BLAS */
} pgemm_blas_mode;

typedef struct pgemm_blas_config {
    pgemm_blas_mode mode;      /* PGEMM_BLAS=auto|gpu|cpu (default auto) */
    double threshold;          /* PGEMM_BLAS_THRESHOLD=N: m*n*k >= N^3 on pgemm; 0: none */
    pgemm_precision precision; /* PGEMM_BLAS_PRECISION=fp32|fp16 (default fp32) */
    int log_level;             /* PGEMM_LOG (0 quiet, 1 a line per routed call) */
    int stats;                 /* PGEMM_BLAS_STATS=1: the counts at exit */
} pgemm_blas_config;

/* The settings, read from the environment once; a value that cannot be
 * read is reported on stderr once and its default used. */
const pgemm_blas_config *pgemm_blas_settings(void);

/* The calling thread's context: one per thread up to 4, in the order of
 * their first call, then shared round robin (pgemm serialises the calls on
 * each); created on first need with the configured precision. NULL when
 * none can be made, after a message saying why (on stderr when PGEMM_BLAS=gpu
 * asked for pgemm, else at PGEMM_LOG=1), and in a child of fork() whose
 * parent had started pgemm. */
pgemm_context *pgemm_blas_context(void);

/* "opencl, <device>" of the shared context, or "no pgemm context". */
const char *pgemm_blas_context_name(void);

/* Where one SGEMM went, for the counts PGEMM_BLAS_STATS prints at exit. */
typedef enum pgemm_blas_outcome {
    PGEMM_BLAS_RAN_PGEMM,
    PGEMM_BLAS_RAN_CPU,
    PGEMM_BLAS_REFUSED,
    PGEMM_BLAS_NOTHING_TO_DO, /* the reference's quick return */
    PGEMM_BLAS_OUTCOMES
} pgemm_blas_outcome;
void pgemm_blas_count(pgemm_blas_outcome outcome);

/* A line "pgemm_blas: ..." on stderr when PGEMM_LOG >= level. */
void pgemm_blas_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
