/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the router knows of both sides: the CPU BLAS's SGEMM rate and
 * pgemm's per-call cost, transfer bandwidth and kernel rate, measured once
 * per machine and kept in <cache>/blas (PGEMM_CACHE_DIR, docs/BLAS.md).
 *
 * The CPU side is timed on square products of 32 to 4096, up to the first
 * one taking more than 50 ms (about half a second in all with OpenBLAS).
 * The pgemm side times a tiny product (the fixed cost of a call: staging,
 * launch, the wait), a 32 MiB write and read (the bandwidth) and square
 * products of 64 to 4096 through the host API, up to the first taking 0.2 s;
 * each size's time minus the call's fixed cost and its transfers is what
 * its kernel took. A product of another shape is priced at the rates of the
 * square one with as many multiply-adds, and its own transfers.
 *
 * A profile is keyed by what changes the result: for the CPU, the BLAS
 * library file, its thread settings and the processor; for pgemm, the
 * backend, device, driver, unit count, precision and library version.
 */
#ifndef PGEMM_BLAS_PROFILE_H
#define PGEMM_BLAS_PROFILE_H

#include <stddef.h>

#include "pgemm.h"

/* Predicted seconds of the CPU BLAS's sgemm_ on m x n x k; measures (or
 * reads) the CPU profile on first use. */
double pgemm_blas_cpu_seconds(size_t m, size_t n, size_t k);

/* Predicted seconds of pgemm_sgemm_host on ctx, transfers included (C is
 * uploaded when reads_c); measures (or reads) the pgemm profile on first
 * use. */
double pgemm_blas_pgemm_seconds(pgemm_context *ctx, size_t m, size_t n, size_t k, int reads_c);

#endif
