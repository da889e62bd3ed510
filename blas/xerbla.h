/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Illegal arguments, reported as the reference BLAS and CBLAS report them:
 * through the xerbla_ and cblas_xerbla found at run time, so that a
 * program's own handler (the reference testers have one) is the one
 * called; this library's own (xerbla.c) otherwise.
 */
#ifndef PGEMM_BLAS_XERBLA_H
#define PGEMM_BLAS_XERBLA_H

/* xerbla_("SGEMM ", &info). */
void pgemm_blas_report_fortran(const char *name6, int info);

/* cblas_xerbla(info, rout, form, value) with the reference CBLAS's
 * conventions: for a row-major call, info counts the arguments of the
 * column-major call it becomes (M and N, lda and ldb swapped places), and
 * RowMajorStrg, where the program defines it, says so. */
void pgemm_blas_report_cblas(int info, int row_major, const char *rout, const char *form,
                             int value);

#endif
