/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Error reporting (xerbla.h) and this library's own xerbla_ and
 * cblas_xerbla, which a program that defines neither gets.
 */
#include "xerbla.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cpu_blas.h"
#include "shim.h"

#define EXPORT __attribute__((visibility("default")))

/* The reference CBLAS's two globals. Programs built against it refer to
 * them (its testers do, by copy relocation: they do not start without a
 * library that defines them), so this library defines them too; they are
 * set as the reference sets them while a cblas_sgemm error is reported. */
EXPORT int RowMajorStrg;
EXPORT int CBLAS_CallFromC;

typedef void (*xerbla_fn)(const char *name, const int *info, size_t len);

EXPORT void xerbla_(const char *name, const int *info, size_t len);
EXPORT void cblas_xerbla(int info, const char *rout, const char *form, ...);

/* Set while this library reports a row-major cblas_sgemm, for its own
 * cblas_xerbla (the reference's reads its RowMajorStrg for the same). */
static _Thread_local int reporting_row_major;

/* The handlers are called by name, through the PLT: the dynamic linker
 * binds the first definition in the process, the program's own where the
 * program exports one (as the reference testers do; with the reference
 * BLAS too, a handler the program keeps to itself is never called), else
 * this library's. */
void pgemm_blas_report_fortran(const char *name6, int info)
{
    pgemm_blas_count(PGEMM_BLAS_REFUSED);
    xerbla_(name6, &info, strlen(name6));
}

void pgemm_blas_report_cblas(int info, int row_major, const char *rout, const char *form,
                             int value)
{
    pgemm_blas_count(PGEMM_BLAS_REFUSED);
    /* The globals too are the program's where it has its own copies. */
    RowMajorStrg = row_major;
    CBLAS_CallFromC = 1;
    reporting_row_major = row_major;
    cblas_xerbla(info, rout, form, value);
    reporting_row_major = 0;
    RowMajorStrg = 0;
    CBLAS_CallFromC = 0;
}

/* The reference XERBLA's message; then the CPU BLAS's own handler decides
 * what follows (the reference BLAS stops the program, OpenBLAS returns).
 * Without a CPU BLAS: the message, and back to the caller. */
EXPORT void xerbla_(const char *name, const int *info, size_t len)
{
    xerbla_fn next;
    void *p = pgemm_blas_cpu_symbol("xerbla_");
    memcpy(&next, &p, sizeof next);
    if (next) {
        next(name, info, len);
        return;
    }
    while (len > 0 && name[len - 1] == ' ') len--;
    fprintf(stderr, " ** On entry to %.*s parameter number %2d had an illegal value\n", (int)len,
            name, *info);
}

/* The reference CBLAS's message ("Parameter 4 to routine cblas_sgemm was
 * incorrect" and the detail), with info as the caller numbers the
 * arguments. Unlike the reference, which ends the program, it returns: the
 * call it reports has done nothing. */
EXPORT void cblas_xerbla(int info, const char *rout, const char *form, ...)
{
    if (info) {
        if (reporting_row_major && rout && strstr(rout, "gemm")) {
            if (info == 4) info = 5;
            else if (info == 5) info = 4;
            else if (info == 9) info = 11;
            else if (info == 11) info = 9;
        }
        fprintf(stderr, "Parameter %d to routine %s was incorrect\n", info, rout ? rout : "?");
    }
    if (form && *form) {
        va_list ap;
        va_start(ap, form);
        vfprintf(stderr, form, ap);
        va_end(ap);
    }
}
