/*
 * Where one SGEMM runs: on pgemm or on the CPU BLAS.
 *
 * PGEMM_BLAS=gpu and =cpu send every call one way; PGEMM_BLAS_THRESHOLD=N
 * sends a product to pgemm when m*n*k >= N^3. Otherwise (auto) a product of
 * fewer than 64^3 multiply-adds stays on the CPU without anything measured
 * or opened (no device round trip is that short), and a larger one goes
 * to pgemm when its predicted time there, the transfers of A, B and C
 * counted, is below 0.9 of the CPU BLAS's (profile.h): a product near the
 * break-even point stays where nothing needs moving.
 */
#ifndef PGEMM_BLAS_ROUTE_H
#define PGEMM_BLAS_ROUTE_H

#include <stddef.h>

typedef struct pgemm_blas_route {
    int to_pgemm;
    char why[192]; /* for the log: "PGEMM_BLAS=gpu", "predicted 1.2 ms on pgemm, ..." */
} pgemm_blas_route;

/* k is 0 for a product that only scales C (alpha == 0); reads_c: beta != 0. */
void pgemm_blas_route_sgemm(size_t m, size_t n, size_t k, int trans_a, int trans_b, int reads_c,
                            pgemm_blas_route *out);

#endif
