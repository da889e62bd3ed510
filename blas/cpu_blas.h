/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CPU BLAS and LAPACK behind libpgemm_blas.so: where every forwarded
 * name goes, and where the SGEMMs not run on pgemm go.
 *
 * A name is looked up, in this order:
 *   1. with PGEMM_BLAS_CPU=PATH: in that library, then in PGEMM_BLAS_CPU_LAPACK
 *      (default: liblapack.so.3 beside it), and nowhere else;
 *   2. else in the libraries loaded after this one (dlsym RTLD_NEXT): under
 *      LD_PRELOAD, the BLAS and LAPACK the program was linked with; then in
 *      every library loaded by the time of the first call, local ones too
 *      (the BLAS of a Python extension, loaded RTLD_LOCAL);
 *   3. else in the Debian way's libraries: the libblas.so.3 and
 *      liblapack.so.3 that update-alternatives selects (unless that is this
 *      library), then OpenBLAS, BLIS, ATLAS and the reference BLAS in their
 *      Debian folders, the first that loads.
 * A definition inside this library itself is never taken (no loops when
 * this library is the libblas.so.3 that another library depends on).
 */
#ifndef PGEMM_BLAS_CPU_BLAS_H
#define PGEMM_BLAS_CPU_BLAS_H

#include <stddef.h>

/* The Fortran SGEMM (with gfortran's hidden lengths of the two strings). */
typedef void (*pgemm_blas_sgemm_fn)(const char *ta, const char *tb, const int *m, const int *n,
                                    const int *k, const float *alpha, const float *a,
                                    const int *lda, const float *b, const int *ldb,
                                    const float *beta, float *c, const int *ldc, size_t la,
                                    size_t lb);

/* The CPU's definition of name, or NULL. Thread-safe; loads the libraries
 * of step 3 on first need. */
void *pgemm_blas_cpu_symbol(const char *name);

/* The CPU BLAS's sgemm_, or NULL when none was found. */
pgemm_blas_sgemm_fn pgemm_blas_cpu_sgemm(void);

/* Where names go, for messages: "RTLD_NEXT, then /usr/lib/.../libblas.so.3
 * and .../liblapack.so.3", or what was not found. */
const char *pgemm_blas_cpu_describe(void);

/* A short name of the library sgemm_ comes from (its path), or "none". */
const char *pgemm_blas_cpu_sgemm_origin(void);

#endif
