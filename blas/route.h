/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where one SGEMM runs: on pgemm or on the CPU BLAS.
 *
 * PGEMM_BLAS=gpu and =cpu send every call one way; PGEMM_BLAS_THRESHOLD=N
 * sends a product to pgemm when m*n*k >= N^3. Otherwise (auto) a product of
 * at most 64^3 multiply-adds stays on the CPU without anything measured or
 * opened (no device round trip is that short), so does one the CPU BLAS is
 * predicted to finish in under 20 us, and a larger one goes to pgemm when
 * its predicted time there, the transfers of A, B and C counted, is below
 * 0.9 of the CPU BLAS's (profile.h): a product near the break-even point
 * stays where nothing needs moving. The last decision of
 * each thread is kept: a loop over one shape decides once.
 */
#ifndef PGEMM_BLAS_ROUTE_H
#define PGEMM_BLAS_ROUTE_H

#include <stddef.h>

typedef enum pgemm_blas_reason {
    PGEMM_BLAS_NO_CPU_BLAS, /* none found: pgemm it is */
    PGEMM_BLAS_FORCED,      /* PGEMM_BLAS=gpu or cpu */
    PGEMM_BLAS_BY_THRESHOLD,
    PGEMM_BLAS_SMALL,
    PGEMM_BLAS_CPU_FLOOR, /* the CPU BLAS is predicted under 20 us */
    PGEMM_BLAS_NO_CONTEXT,
    PGEMM_BLAS_BY_MODEL
} pgemm_blas_reason;

typedef struct pgemm_blas_route {
    int to_pgemm;
    pgemm_blas_reason reason;
    double pgemm_seconds, cpu_seconds; /* PGEMM_BLAS_BY_MODEL: the predictions */
} pgemm_blas_route;

/* k is 0 for a product that only scales C (alpha == 0); reads_c: beta != 0. */
void pgemm_blas_route_sgemm(size_t m, size_t n, size_t k, int reads_c, pgemm_blas_route *out);

/* Why, for the log: "PGEMM_BLAS=gpu", "predicted 1.2 ms on pgemm ...". */
void pgemm_blas_route_describe(const pgemm_blas_route *route, char *buf, size_t cap);

#endif
