/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpgemm_blas.so linked directly (the third of its three uses; the
 * reference testers, numpy and ScaLAPACK in tests/blas and tests/scalapack
 * use the other two):
 *
 *   a) sgemm_ and cblas_sgemm against the fp64 reference: ragged sizes,
 *      every transpose letter in both cases ('C' is 'T'), padded leading
 *      dimensions (padding untouched), alpha 0 over NaN A and B,
 *      beta 0 over NaN C, beta 1 with nothing to do, row- and column-major;
 *   b) every illegal argument reaches this program's own xerbla_ or
 *      cblas_xerbla with the reference's parameter number (row-major in the
 *      reference's numbering, RowMajorStrg set) and leaves C untouched;
 *   c) where each call ran, from the log: all on pgemm (gpu), split by
 *      PGEMM_BLAS_THRESHOLD (threshold), small ones on the CPU (auto);
 *   d) forwarded names keep their arguments and return values: sdot_
 *      (float in a register), dgemm_ (15 arguments, most on the stack),
 *      cblas_ddot, LAPACK's sgesv_;
 *   e) (gpu) 4 threads at once, a child after fork(), and the caller's
 *      floating-point flags left as they were.
 *
 *   test_blas_shim gpu|threshold|auto   (PGEMM_BLAS and PGEMM_BLAS_THRESHOLD
 *                                        set to match by CTest)
 */
#include <fenv.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pgemm_ref.h"
#include "test_util.h"

/* The BLAS as a Fortran or C program sees it. */
void sgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
            const float *alpha, const float *a, const int *lda, const float *b, const int *ldb,
            const float *beta, float *c, const int *ldc, size_t la, size_t lb);
void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
            const double *alpha, const double *a, const int *lda, const double *b,
            const int *ldb, const double *beta, double *c, const int *ldc, size_t la, size_t lb);
float sdot_(const int *n, const float *x, const int *incx, const float *y, const int *incy);
void sgesv_(const int *n, const int *nrhs, float *a, const int *lda, int *ipiv, float *b,
            const int *ldb, int *info);
double cblas_ddot(int n, const double *x, int incx, const double *y, int incy);
void cblas_sgemm(int layout, int ta, int tb, int m, int n, int k, float alpha, const float *a,
                 int lda, const float *b, int ldb, float beta, float *c, int ldc);
enum { ROW = 101, COL = 102, NOTRANS = 111, TRANS = 112, CONJTRANS = 113 };
extern int RowMajorStrg;

/* ------------------------------------------------ this program's handlers */

/* Exported (the build hides symbols by default): the library calls the
 * first xerbla_ of the process, which must be visible to be this one. */
#define EXPORT __attribute__((visibility("default")))

static char seen_name[32];
static int seen_info, seen_calls, seen_row_major;

EXPORT void xerbla_(const char *name, const int *info, size_t len)
{
    snprintf(seen_name, sizeof seen_name, "%.*s", (int)len, name);
    seen_info = *info;
    seen_calls++;
}

EXPORT void cblas_xerbla(int info, const char *rout, const char *form, ...)
{
    snprintf(seen_name, sizeof seen_name, "%s", rout);
    seen_info = info;
    seen_row_major = RowMajorStrg;
    seen_calls++;
}

/* ------------------------------------------------------- stderr capture */

static int saved_stderr = -1;
static FILE *capture;

static void capture_begin(void)
{
    fflush(stderr);
    capture = tmpfile();
    saved_stderr = dup(2);
    dup2(fileno(capture), 2);
}

/* The captured text (malloc'd). */
static char *capture_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    long len = ftell(capture);
    char *text = calloc(1, (size_t)(len > 0 ? len : 0) + 1);
    rewind(capture);
    if (len > 0 && fread(text, 1, (size_t)len, capture) != (size_t)len) text[0] = '\0';
    fclose(capture);
    return text;
}

static size_t count_lines(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* ------------------------------------------------------------- products */

static const float SENTINEL = -777.0f;

/* One product through sgemm_ (cblas < 0) or cblas_sgemm (layout cblas),
 * checked against the reference; the padding of C must keep its sentinel.
 * Returns 1 if the call did work (not a quick return). */
static int product(int cblas, char ta, char tb, int m, int n, int k, float alpha, float beta,
                   int pad, uint64_t *state)
{
    pgemm_layout layout = cblas == ROW ? PGEMM_ROW_MAJOR : PGEMM_COL_MAJOR;
    int tra = ta != 'N' && ta != 'n', trb = tb != 'N' && tb != 'n';
    int ar = tra ? k : m, ac = tra ? m : k, br = trb ? n : k, bc = trb ? k : n;
    int row = layout == PGEMM_ROW_MAJOR;
    int lda = (row ? ac : ar) + pad, ldb = (row ? bc : br) + pad, ldc = (row ? n : m) + pad;
    if (lda < 1) lda = 1;
    if (ldb < 1) ldb = 1;
    if (ldc < 1) ldc = 1;
    size_t na = (size_t)lda * (size_t)(row ? ar : ac), nb = (size_t)ldb * (size_t)(row ? br : bc);
    size_t nc = (size_t)ldc * (size_t)(row ? m : n);
    float *a = malloc((na ? na : 1) * sizeof *a), *b = malloc((nb ? nb : 1) * sizeof *b);
    float *c = malloc((nc ? nc : 1) * sizeof *c), *c0 = malloc((nc ? nc : 1) * sizeof *c0);
    double *ref = malloc(((size_t)m * n + 1) * sizeof *ref), *mag = malloc(((size_t)m * n + 1) * sizeof *mag);
    pgemm_fill_random(a, na ? na : 1, state);
    pgemm_fill_random(b, nb ? nb : 1, state);
    for (size_t i = 0; i < nc; i++) c0[i] = SENTINEL;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            size_t at = pgemm_ref_index(layout, (size_t)i, (size_t)j, (size_t)ldc);
            c0[at] = beta == 0.0f ? NAN : (float)((i * 3 + j * 5) % 11) * 0.25f - 1.0f;
        }
    memcpy(c, c0, (nc ? nc : 1) * sizeof *c);
    pgemm_transpose pta = tra ? PGEMM_TRANS : PGEMM_NO_TRANS, ptb = trb ? PGEMM_TRANS : PGEMM_NO_TRANS;
    CHECK(pgemm_ref_gemm(layout, pta, ptb, (size_t)m, (size_t)n, (size_t)k, alpha, a, (size_t)lda,
                         b, (size_t)ldb, beta, c0, (size_t)ldc, ref, mag) == 0);
    /* alpha 0: A and B "need not be set" (the reference's words): NaN in
     * them must not reach C. */
    if (alpha == 0.0f) {
        for (size_t i = 0; i < na; i++) a[i] = NAN;
        for (size_t i = 0; i < nb; i++) b[i] = NAN;
    }
    const float *pa = a, *pb = b;
    if (cblas < 0) {
        sgemm_(&ta, &tb, &m, &n, &k, &alpha, pa, &lda, pb, &ldb, &beta, c, &ldc, 1, 1);
    } else {
        int cta = tra ? (ta == 'C' || ta == 'c' ? CONJTRANS : TRANS) : NOTRANS;
        int ctb = trb ? (tb == 'C' || tb == 'c' ? CONJTRANS : TRANS) : NOTRANS;
        cblas_sgemm(cblas, cta, ctb, m, n, k, alpha, pa, lda, pb, ldb, beta, c, ldc);
    }
    pgemm_ref_report rep = {0};
    size_t bad = pgemm_ref_compare(layout, (size_t)m, (size_t)n, (size_t)k, c, (size_t)ldc, ref,
                                   mag, 4.0, &rep);
    CHECK_MSG(bad == 0, "%s %c%c %dx%dx%d alpha %g beta %g pad %d: %zu bad, (%zu,%zu) %g want %g",
              cblas < 0 ? "sgemm_" : cblas == ROW ? "cblas row" : "cblas col", ta, tb, m, n, k,
              alpha, beta, pad, bad, rep.first_bad_i, rep.first_bad_j, rep.first_bad_got,
              rep.first_bad_want);
    /* Padding: every element outside the m x n window kept its sentinel. */
    size_t touched = 0;
    for (size_t i = 0; i < nc; i++) {
        size_t run = i % (size_t)ldc, index = i / (size_t)ldc;
        int inside = row ? (index < (size_t)m && run < (size_t)n) : (index < (size_t)n && run < (size_t)m);
        if (!inside && c[i] != SENTINEL) touched++;
    }
    CHECK_MSG(touched == 0, "%zu padding elements of C changed", touched);
    free(a), free(b), free(c), free(c0), free(ref), free(mag);
    return !(m == 0 || n == 0 || ((alpha == 0.0f || k == 0) && beta == 1.0f));
}

/* The products of a); returns how many did work. */
static int products(void)
{
    static const int shapes[][3] = {{1, 1, 1},   {7, 5, 3},     {33, 17, 65}, {64, 64, 64},
                                    {100, 37, 129}, {0, 5, 3}, {5, 0, 3},    {5, 3, 0},
                                    {129, 1, 70}, {1, 90, 45}};
    static const char trans[][2] = {{'N', 'N'}, {'T', 'N'}, {'n', 'c'}, {'C', 't'}, {'t', 'T'}};
    static const float alphas[] = {1.0f, -1.5f, 0.0f}, betas[] = {0.0f, 1.0f, 0.5f};
    uint64_t state = 7;
    int work = 0, i = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t t = 0; t < sizeof trans / sizeof trans[0]; t++, i++) {
            float alpha = alphas[i % 3], beta = betas[(i / 3) % 3];
            int pad = i % 2 ? 3 : 0;
            for (int api = 0; api < 3; api++)
                work += product(api == 0 ? -1 : api == 1 ? COL : ROW, trans[t][0], trans[t][1],
                                shapes[s][0], shapes[s][1], shapes[s][2], alpha, beta, pad, &state);
        }
    return work;
}

/* ------------------------------------------------------ illegal arguments */

static float C_CHECK[16];

static void expect_refusal(const char *what, const char *name, int info, int row_major)
{
    CHECK_MSG(seen_calls == 1, "%s: the handler was called %d times", what, seen_calls);
    CHECK_MSG(!strcmp(seen_name, name), "%s: reported as \"%s\", want \"%s\"", what, seen_name, name);
    CHECK_MSG(seen_info == info, "%s: parameter %d, want %d", what, seen_info, info);
    if (row_major >= 0)
        CHECK_MSG(seen_row_major == row_major, "%s: RowMajorStrg %d, want %d", what, seen_row_major,
                  row_major);
    for (int i = 0; i < 16; i++) CHECK_MSG(C_CHECK[i] == 3.0f, "%s: C[%d] changed", what, i);
    seen_calls = 0;
    seen_info = 0;
    seen_name[0] = '\0';
}

static void illegal_arguments(void)
{
    float a[16], b[16], one = 1, zero = 0;
    for (int i = 0; i < 16; i++) a[i] = b[i] = 1, C_CHECK[i] = 3;
    struct { const char *what; char ta, tb; int m, n, k, lda, ldb, ldc, info; } f[] = {
        {"transa X", 'X', 'N', 2, 2, 2, 2, 2, 2, 1}, {"transb ?", 'N', '?', 2, 2, 2, 2, 2, 2, 2},
        {"m -1", 'N', 'N', -1, 2, 2, 2, 2, 2, 3},   {"n -1", 'N', 'N', 2, -1, 2, 2, 2, 2, 4},
        {"k -1", 'N', 'N', 2, 2, -1, 2, 2, 2, 5},   {"lda 1 < m", 'N', 'N', 2, 2, 2, 1, 2, 2, 8},
        {"lda 1 < k (T)", 'T', 'N', 1, 2, 2, 1, 2, 2, 8}, {"ldb 1 < k", 'N', 'N', 2, 2, 2, 2, 1, 2, 10},
        {"ldb 1 < n (T)", 'N', 'T', 2, 2, 1, 2, 1, 2, 10}, {"ldc 1 < m", 'N', 'N', 2, 2, 2, 2, 2, 1, 13},
        {"lda 0 with m 0", 'N', 'N', 0, 2, 2, 0, 2, 1, 8},
        {"m -1 before ldc", 'N', 'N', -1, 2, 2, 0, 0, 0, 3}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        sgemm_(&f[i].ta, &f[i].tb, &f[i].m, &f[i].n, &f[i].k, &one, a, &f[i].lda, b, &f[i].ldb,
               &zero, C_CHECK, &f[i].ldc, 1, 1);
        expect_refusal(f[i].what, "SGEMM ", f[i].info, -1);
    }
    /* CBLAS: row-major errors in the numbering of the column-major call they
     * become (M and N, lda and ldb swapped), as the reference reports them. */
    struct { const char *what; int layout, ta, tb, m, n, k, lda, ldb, ldc, info, row; } c[] = {
        {"layout 99", 99, NOTRANS, NOTRANS, 2, 2, 2, 2, 2, 2, 1, 0},
        {"col transa 0", COL, 0, NOTRANS, 2, 2, 2, 2, 2, 2, 2, 0},
        {"col transb 114", COL, NOTRANS, 114, 2, 2, 2, 2, 2, 2, 3, 0},
        {"col M -1", COL, NOTRANS, NOTRANS, -1, 2, 2, 2, 2, 2, 4, 0},
        {"col N -1", COL, NOTRANS, NOTRANS, 2, -1, 2, 2, 2, 2, 5, 0},
        {"col K -1", COL, NOTRANS, NOTRANS, 2, 2, -1, 2, 2, 2, 6, 0},
        {"col lda 1", COL, NOTRANS, NOTRANS, 2, 2, 2, 1, 2, 2, 9, 0},
        {"col ldb 1", COL, NOTRANS, NOTRANS, 2, 2, 2, 2, 1, 2, 11, 0},
        {"col ldc 1", COL, NOTRANS, NOTRANS, 2, 2, 2, 2, 2, 1, 14, 0},
        {"row transa 0", ROW, 0, NOTRANS, 2, 2, 2, 2, 2, 2, 2, 1},
        {"row M -1", ROW, NOTRANS, NOTRANS, -1, 2, 2, 2, 2, 2, 5, 1},
        {"row N -1", ROW, NOTRANS, NOTRANS, 2, -1, 2, 2, 2, 2, 4, 1},
        {"row K -1", ROW, NOTRANS, NOTRANS, 2, 2, -1, 2, 2, 2, 6, 1},
        {"row lda 1 < K", ROW, NOTRANS, NOTRANS, 2, 2, 2, 1, 2, 2, 11, 1},
        {"row ldb 1 < N", ROW, NOTRANS, NOTRANS, 2, 2, 2, 2, 1, 2, 9, 1},
        {"row ldc 1 < N", ROW, NOTRANS, NOTRANS, 2, 2, 2, 2, 2, 1, 14, 1},
        {"row lda 1 < M (T)", ROW, TRANS, NOTRANS, 2, 2, 1, 1, 2, 2, 11, 1}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cblas_sgemm(c[i].layout, c[i].ta, c[i].tb, c[i].m, c[i].n, c[i].k, 1.0f, a, c[i].lda, b,
                    c[i].ldb, 0.0f, C_CHECK, c[i].ldc);
        expect_refusal(c[i].what, "cblas_sgemm", c[i].info, c[i].row);
    }
    CHECK_MSG(RowMajorStrg == 0, "RowMajorStrg left at %d", RowMajorStrg);
}

/* ---------------------------------------------------------- forwarding */

static void forwarded(void)
{
    float x[5] = {1, 2, 3, 4, 5}, y[5] = {2, 2, 2, 2, 0.5f};
    int n = 5, one = 1;
    CHECK_MSG(sdot_(&n, x, &one, y, &one) == 22.5f, "sdot_ gave %g", sdot_(&n, x, &one, y, &one));
    double dx[3] = {1, -2, 4}, dy[3] = {3, 1, 0.25};
    CHECK_MSG(cblas_ddot(3, dx, 1, dy, 1) == 2.0, "cblas_ddot gave %g", cblas_ddot(3, dx, 1, dy, 1));
    /* dgemm_: 2x2 times 2x2 with lda 3 and beta over a C of ones. */
    double da[6] = {1, 2, -9, 3, 4, -9}, db[4] = {1, 0, 1, 1}, dc[4] = {1, 1, 1, 1};
    double alpha = 2, beta = 1;
    int two = 2, three = 3;
    dgemm_("N", "N", &two, &two, &two, &alpha, da, &three, db, &two, &beta, dc, &two, 1, 1);
    /* A = [1 3; 2 4], B = [1 1; 0 1]: A B = [1 4; 2 6]; 2 A B + 1. */
    CHECK_MSG(dc[0] == 3 && dc[1] == 5 && dc[2] == 9 && dc[3] == 13, "dgemm_ gave %g %g %g %g",
              dc[0], dc[1], dc[2], dc[3]);
    /* sgesv_: [2 1; 1 3] x = [3; 5] -> x = [0.8; 1.4]. */
    float sa[4] = {2, 1, 1, 3}, sb[2] = {3, 5};
    int ipiv[2], info = -1;
    sgesv_(&two, &one, sa, &two, ipiv, sb, &two, &info);
    CHECK_MSG(info == 0 && fabsf(sb[0] - 0.8f) < 1e-6f && fabsf(sb[1] - 1.4f) < 1e-6f,
              "sgesv_ info %d x %g %g", info, sb[0], sb[1]);
}

/* ------------------------------------------------- threads, fork, flags */

static void *thread_products(void *arg)
{
    uint64_t state = 100 + (uint64_t)(size_t)arg;
    for (int i = 0; i < 12; i++) {
        int m = 1 + (int)pgemm_random_below(&state, 80), n = 1 + (int)pgemm_random_below(&state, 80);
        int k = 1 + (int)pgemm_random_below(&state, 80);
        product(i % 2 ? ROW : -1, i % 3 ? 'N' : 'T', 'N', m, n, k, 1.25f, 0.5f, i % 2, &state);
    }
    return NULL;
}

static void threads_fork_flags(void)
{
    pthread_t t[4];
    for (size_t i = 0; i < 4; i++) pthread_create(&t[i], NULL, thread_products, (void *)i);
    for (size_t i = 0; i < 4; i++) pthread_join(t[i], NULL);

    pid_t child = fork();
    if (child == 0) {
        size_t before = g_test_failures;
        uint64_t state = 5;
        product(-1, 'N', 'T', 40, 30, 20, 1.0f, 0.0f, 1, &state);
        _exit(g_test_failures == before ? 0 : 1);
    }
    int status = 0;
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child after fork failed (%d)", status);

    feclearexcept(FE_ALL_EXCEPT);
    uint64_t state = 9;
    product(-1, 'N', 'N', 64, 64, 64, 1.0f, 0.0f, 0, &state);
    CHECK_MSG(!fetestexcept(FE_OVERFLOW | FE_DIVBYZERO | FE_INVALID),
              "a product on pgemm raised the caller's floating-point flags");
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "gpu";
    test_begin(!strcmp(mode, "gpu") ? "blas_shim_gpu" : !strcmp(mode, "threshold")
                                                          ? "blas_shim_threshold"
                                                          : "blas_shim_auto");
    setenv("PGEMM_LOG", "1", 1); /* read by the library at its first call */
    capture_begin();
    int work = products();
    uint64_t state = 3;
    work += product(-1, 'N', 'N', 7, 5, 3, 1.0f, 0.0f, 0, &state);
    work += product(-1, 'N', 'N', 64, 64, 64, 1.0f, 0.0f, 0, &state);
    char *log = capture_end();
    size_t on_pgemm = count_lines(log, "-> pgemm"), on_cpu = count_lines(log, "-> cpu");
    printf("%d products did work: %zu on pgemm, %zu on the CPU BLAS\n", work, on_pgemm, on_cpu);
    CHECK_MSG(on_pgemm + on_cpu == (size_t)work, "%zu + %zu routed, %d did work", on_pgemm, on_cpu,
              work);
    if (!strcmp(mode, "gpu")) {
        CHECK_MSG(on_pgemm == (size_t)work, "PGEMM_BLAS=gpu: %zu of %d on pgemm", on_pgemm, work);
        CHECK_CONTAINS(log, "-> pgemm (PGEMM_BLAS=gpu)");
    } else if (!strcmp(mode, "threshold")) {
        /* PGEMM_BLAS_THRESHOLD=40: 64^3 passes it, 7x5x3 does not. */
        CHECK_CONTAINS(log, "sgemm 64x64x64 NN -> pgemm (m*n*k >= PGEMM_BLAS_THRESHOLD^3 = 40^3)");
        CHECK_CONTAINS(log, "sgemm 7x5x3 NN -> cpu (m*n*k < PGEMM_BLAS_THRESHOLD^3 = 40^3)");
        CHECK(on_pgemm > 0 && on_cpu > 0);
    } else {
        CHECK_CONTAINS(log, "sgemm 7x5x3 NN -> cpu (small: m*n*k at most 64^3)");
        CHECK_MSG(!strstr(log, "7x5x3 NN -> pgemm"), "a small product went to pgemm");
    }
    free(log);
    illegal_arguments();
    forwarded();
    if (!strcmp(mode, "gpu")) threads_fork_flags();
    return test_finish();
}
