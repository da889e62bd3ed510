/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SGEMM entry points: Fortran sgemm_ and CBLAS cblas_sgemm, with the
 * reference BLAS's argument checks, parameter numbers and quick returns,
 * run on pgemm or on the CPU BLAS as route.h decides.
 */
#include <fenv.h>
#include <stddef.h>
#include <stdio.h>

#include "common/text.h"
#include "cpu_blas.h"
#include "pgemm.h"
#include "route.h"
#include "shim.h"
#include "xerbla.h"

#define EXPORT __attribute__((visibility("default")))

/* The CBLAS enums' values (cblas.h). */
enum {
    CBLAS_ROW_MAJOR = 101,
    CBLAS_COL_MAJOR = 102,
    CBLAS_NO_TRANS = 111,
    CBLAS_TRANS = 112,
    CBLAS_CONJ_TRANS = 113
};

static char upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c; }
static int max1(int x) { return x > 1 ? x : 1; }

/* The reference SGEMM's checks, in its order: the parameter number of the
 * first illegal argument, or 0. 'C' is 'T' for real data. */
static int check(char ta, char tb, int m, int n, int k, int lda, int ldb, int ldc)
{
    int nota = upper(ta) == 'N', notb = upper(tb) == 'N';
    int nrowa = nota ? m : k, nrowb = notb ? k : n;
    if (!nota && upper(ta) != 'T' && upper(ta) != 'C') return 1;
    if (!notb && upper(tb) != 'T' && upper(tb) != 'C') return 2;
    if (m < 0) return 3;
    if (n < 0) return 4;
    if (k < 0) return 5;
    if (lda < max1(nrowa)) return 8;
    if (ldb < max1(nrowb)) return 10;
    if (ldc < max1(m)) return 13;
    return 0;
}

/* "sgemm 64x64x64 NN -> pgemm (why)", at PGEMM_LOG=1. */
static void log_call(int m, int n, int k, char ta, char tb, const char *where,
                     const pgemm_blas_route *route, const char *detail)
{
    if (pgemm_blas_settings()->log_level < 1) return;
    char why[256];
    if (route) pgemm_blas_route_describe(route, why, sizeof why);
    pgemm_blas_log(1, "sgemm %dx%dx%d %c%c -> %s (%s)", m, n, k, upper(ta), upper(tb), where,
                   route ? why : detail);
}

/* The product on pgemm; C is changed only when it succeeds. pgemm's host
 * work (a driver may build kernels on this thread) leaves the caller's
 * floating-point flags as they were: numpy, for one, reads them after every
 * product and would warn of an overflow that was never its own. */
static pgemm_status on_pgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
                             const float *a, int lda, const float *b, int ldb, float beta,
                             float *c, int ldc, char *why, size_t cap)
{
    fenv_t caller;
    feholdexcept(&caller);
    pgemm_context *ctx = pgemm_blas_context();
    pgemm_status st = PGEMM_ERROR_NO_BACKEND;
    if (ctx) {
        st = pgemm_sgemm_host(ctx, PGEMM_COL_MAJOR, trans_a ? PGEMM_TRANS : PGEMM_NO_TRANS,
                              trans_b ? PGEMM_TRANS : PGEMM_NO_TRANS, (size_t)m, (size_t)n,
                              (size_t)k, alpha, a, (size_t)lda, b, (size_t)ldb, beta, c,
                              (size_t)ldc);
        if (st != PGEMM_SUCCESS)
            pgemm_text_format(why, cap, "%s: %s", pgemm_status_string(st), pgemm_last_error(ctx));
    } else {
        pgemm_text_copy(why, cap, "no pgemm context");
    }
    fesetenv(&caller);
    return st;
}

/* A checked column-major product, run where the router sends it. */
static void run(char ta, char tb, int m, int n, int k, float alpha, const float *a, int lda,
                const float *b, int ldb, float beta, float *c, int ldc)
{
    /* The reference's quick return: nothing to do. */
    if (m == 0 || n == 0 || ((alpha == 0.0f || k == 0) && beta == 1.0f)) {
        pgemm_blas_count(PGEMM_BLAS_NOTHING_TO_DO);
        return;
    }
    int trans_a = upper(ta) != 'N', trans_b = upper(tb) != 'N';
    /* Only C scaled (alpha 0 or k 0): done here, as the reference does it,
     * unless pgemm is asked for, so that A and B are never read (OpenBLAS
     * 0.3.21's small kernels read them with alpha 0: a NaN there would reach
     * C). */
    if ((alpha == 0.0f || k == 0) && pgemm_blas_settings()->mode != PGEMM_BLAS_GPU) {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                float *x = &c[(size_t)j * (size_t)ldc + (size_t)i];
                *x = beta == 0.0f ? 0.0f : beta * *x;
            }
        pgemm_blas_count(PGEMM_BLAS_RAN_CPU);
        log_call(m, n, k, ta, tb, "cpu", NULL, "scales C only: alpha 0 or k 0");
        return;
    }
    pgemm_blas_route route;
    pgemm_blas_route_sgemm((size_t)m, (size_t)n, alpha == 0.0f ? 0 : (size_t)k, beta != 0.0f,
                           &route);
    pgemm_blas_sgemm_fn cpu = pgemm_blas_cpu_sgemm();
    if (route.to_pgemm) {
        char why[PGEMM_REASON_LEN + 64];
        if (on_pgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, why,
                     sizeof why) == PGEMM_SUCCESS) {
            pgemm_blas_count(PGEMM_BLAS_RAN_PGEMM);
            log_call(m, n, k, ta, tb, "pgemm", &route, NULL);
            return;
        }
        /* pgemm refused (a size past its 32-bit indexing, no device memory,
         * a lost device): C is as it was, and the CPU BLAS does it. */
        if (!cpu) {
            fprintf(stderr,
                    "pgemm_blas: sgemm %dx%dx%d failed on pgemm (%s) and there is no CPU BLAS to "
                    "run it; C is unchanged\n",
                    m, n, k, why);
            return;
        }
        char detail[sizeof why + 32];
        pgemm_text_format(detail, sizeof detail, "pgemm failed: %s", why);
        log_call(m, n, k, ta, tb, "cpu", NULL, detail);
    } else {
        log_call(m, n, k, ta, tb, "cpu", &route, NULL);
    }
    cpu(&ta, &tb, &m, &n, &k, &alpha, a, &lda, b, &ldb, &beta, c, &ldc, 1, 1);
    pgemm_blas_count(PGEMM_BLAS_RAN_CPU);
}

EXPORT void sgemm_(const char *transa, const char *transb, const int *m, const int *n,
                   const int *k, const float *alpha, const float *a, const int *lda,
                   const float *b, const int *ldb, const float *beta, float *c, const int *ldc,
                   size_t transa_len, size_t transb_len)
{
    int info = check(*transa, *transb, *m, *n, *k, *lda, *ldb, *ldc);
    if (info) {
        pgemm_blas_report_fortran("SGEMM ", info);
        return;
    }
    run(*transa, *transb, *m, *n, *k, *alpha, a, *lda, b, *ldb, *beta, c, *ldc);
}

static char trans_char(int t)
{
    return t == CBLAS_NO_TRANS ? 'N' : t == CBLAS_TRANS ? 'T' : t == CBLAS_CONJ_TRANS ? 'C' : 0;
}

EXPORT void cblas_sgemm(int layout, int trans_a, int trans_b, int m, int n, int k, float alpha,
                        const float *a, int lda, const float *b, int ldb, float beta, float *c,
                        int ldc)
{
    const char *rout = "cblas_sgemm";
    if (layout != CBLAS_COL_MAJOR && layout != CBLAS_ROW_MAJOR) {
        pgemm_blas_report_cblas(1, 0, rout, "Illegal layout setting, %d\n", layout);
        return;
    }
    int row = layout == CBLAS_ROW_MAJOR;
    char ta = trans_char(trans_a), tb = trans_char(trans_b);
    if (!ta) {
        pgemm_blas_report_cblas(2, row, rout, "Illegal TransA setting, %d\n", trans_a);
        return;
    }
    if (!tb) {
        pgemm_blas_report_cblas(3, row, rout, "Illegal TransB setting, %d\n", trans_b);
        return;
    }
    /* Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: the
     * reference makes that column-major call and numbers its errors so. */
    int info = row ? check(tb, ta, n, m, k, ldb, lda, ldc) : check(ta, tb, m, n, k, lda, ldb, ldc);
    if (info) {
        pgemm_blas_report_cblas(info + 1, row, rout, "", 0);
        return;
    }
    if (row) run(tb, ta, n, m, k, alpha, b, ldb, a, lda, beta, c, ldc);
    else run(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
