/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threads, as docs/API.md promises them:
 *
 *  1. One context shared by 8 threads, half of them making valid GEMMs
 *     (checked against the fp64 reference) and half making calls that fail
 *     with a message of their own (lda too small, numbers that name the
 *     thread and the call). Right after its call each thread reads
 *     pgemm_last_error and pgemm_last_call: they must describe its own
 *     call, never another thread's ("" after a success, its own message
 *     after a failure, its own variant after a success).
 *  2. Many contexts: 6 threads each create contexts, run GEMMs on forced
 *     variants and destroy them, at the same time, in a fresh kernel cache:
 *     results correct, and no temporary file is left in the cache.
 *  3. Records per context: a new context (often at a destroyed one's
 *     address) starts with no error and no last call; one thread using 20
 *     contexts keeps the records of the 16 it used last (records.h).
 *
 * usage: test_threads [SCRATCH_DIR] [ITERATIONS]   (defaults: $TMPDIR, 40)
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pgemm_ref.h"
#include "test_util.h"

enum { SHARED_THREADS = 8, CONTEXT_THREADS = 6 };

static int g_iterations = 40;

/* What one thread saw; checked by main (CHECK is not thread-safe). */
typedef struct worker {
    pgemm_context *ctx;
    int id;
    size_t calls, failures;
    char first[512];
} worker;

static void worker_fail(worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void worker_fail(worker *w, const char *fmt, ...)
{
    if (w->failures++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->first, sizeof w->first, fmt, ap);
        va_end(ap);
    }
}

/* A valid column-major GEMM of its own size; checks C and the records. */
static void good_call(worker *w, int it, uint64_t *seed)
{
    size_t m = 5 + (size_t)((w->id * 7 + it * 3) % 29), n = 3 + (size_t)((it * 5) % 23);
    size_t k = 1 + (size_t)((w->id + it) % 19), lda = m + 1, ldb = k, ldc = m + 2;
    float *a = malloc(lda * k * 4), *b = malloc(ldb * n * 4), *c = malloc(ldc * n * 4);
    float *c0 = malloc(ldc * n * 4);
    double *ref = malloc(m * n * 8), *mag = malloc(m * n * 8);
    if (!a || !b || !c || !c0 || !ref || !mag) {
        worker_fail(w, "out of memory");
        goto out;
    }
    pgemm_fill_random(a, lda * k, seed);
    pgemm_fill_random(b, ldb * n, seed);
    pgemm_fill_random(c0, ldc * n, seed);
    memcpy(c, c0, ldc * n * 4);
    pgemm_status st = pgemm_sgemm_host(w->ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS,
                                       m, n, k, 1.5f, a, lda, b, ldb, -0.5f, c, ldc);
    const char *err = pgemm_last_error(w->ctx);
    pgemm_call_info call;
    pgemm_status lc = pgemm_last_call(w->ctx, &call);
    w->calls++;
    if (st != PGEMM_SUCCESS) {
        worker_fail(w, "thread %d call %d (%zux%zux%zu) failed: %s: %s", w->id, it, m, n, k,
                    pgemm_status_string(st), err);
        goto out;
    }
    if (err[0]) worker_fail(w, "thread %d call %d succeeded, but last_error is \"%s\"", w->id, it, err);
    if (lc != PGEMM_SUCCESS || !call.variant[0] || !call.why[0])
        worker_fail(w, "thread %d call %d: last_call %s, variant \"%s\"", w->id, it,
                    pgemm_status_string(lc), call.variant);
    pgemm_ref_gemm(PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k, 1.5f, a, lda, b, ldb,
                   -0.5f, c0, ldc, ref, mag);
    pgemm_ref_report rep;
    size_t bad = pgemm_ref_compare(PGEMM_COL_MAJOR, m, n, k, c, ldc, ref, mag, 2.0, &rep);
    if (bad) worker_fail(w, "thread %d call %d: %zu elements of C wrong", w->id, it, bad);
out:
    free(a); free(b); free(c); free(c0); free(ref); free(mag);
}

/* A call that fails with a message only this thread and call produce:
 * lda = 1 + id + 10 * it is smaller than m = lda + 1 + it. C must stay. */
static void bad_call(worker *w, int it)
{
    size_t lda = 1 + (size_t)w->id + 10 * (size_t)it, m = lda + 1 + (size_t)it, n = 2, k = 3;
    float a[4] = {0}, b[16] = {0}, c[2] = {42.0f, -7.0f};
    pgemm_status st = pgemm_sgemm_host(w->ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS,
                                       m, n, k, 1.0f, a, lda, b, k, 0.0f, c, m);
    const char *err = pgemm_last_error(w->ctx);
    char want[64];
    snprintf(want, sizeof want, "lda (%zu) < m (%zu)", lda, m);
    pgemm_call_info call;
    w->calls++;
    if (st != PGEMM_ERROR_INVALID_ARGUMENT)
        worker_fail(w, "thread %d call %d: status %s, want invalid argument", w->id, it,
                    pgemm_status_string(st));
    else if (!strstr(err, want))
        worker_fail(w, "thread %d call %d: last_error \"%s\", want its own \"%s\"", w->id, it, err,
                    want);
    if (c[0] != 42.0f || c[1] != -7.0f) worker_fail(w, "thread %d call %d: C changed", w->id, it);
    /* This thread never made a successful GEMM on the context. */
    if (pgemm_last_call(w->ctx, &call) != PGEMM_ERROR_INVALID_ARGUMENT)
        worker_fail(w, "thread %d: last_call reports \"%s\", another thread's call", w->id,
                    call.variant);
}

static void *shared_work(void *arg)
{
    worker *w = arg;
    uint64_t seed = 500 + (uint64_t)w->id;
    for (int it = 0; it < g_iterations; it++) {
        if (w->id % 2) bad_call(w, it);
        else good_call(w, it, &seed);
    }
    return NULL;
}

static void report(const char *part, worker *w, size_t count)
{
    size_t calls = 0;
    for (size_t i = 0; i < count; i++) {
        calls += w[i].calls;
        CHECK_MSG(w[i].failures == 0, "%s: thread %d: %zu failures; first: %s", part, w[i].id,
                  w[i].failures, w[i].first);
    }
    printf("test_threads: %s: %zu threads, %zu calls\n", part, count, calls);
}

static void shared_context(void)
{
    pgemm_context *ctx = test_context();
    worker w[SHARED_THREADS];
    pthread_t th[SHARED_THREADS];
    for (int i = 0; i < SHARED_THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].ctx = ctx;
        w[i].id = i;
        REQUIRE(pthread_create(&th[i], NULL, shared_work, &w[i]) == 0);
    }
    for (int i = 0; i < SHARED_THREADS; i++) pthread_join(th[i], NULL);
    report("one shared context", w, SHARED_THREADS);
    pgemm_context_destroy(ctx);
}

static void *context_work(void *arg)
{
    worker *w = arg;
    uint64_t seed = 700 + (uint64_t)w->id;
    for (int round = 0; round < 3; round++) {
        pgemm_context *ctx = NULL;
        pgemm_status st = pgemm_context_create(NULL, &ctx);
        if (st != PGEMM_SUCCESS) {
            worker_fail(w, "thread %d: context: %s", w->id, pgemm_last_error(NULL));
            return NULL;
        }
        w->ctx = ctx;
        /* Every thread builds the same few kernels at once. */
        size_t count = pgemm_variant_count(ctx);
        const char *name = pgemm_variant_name(ctx, (size_t)(round + w->id) % (count < 3 ? count : 3));
        if (pgemm_force_variant(ctx, name) != PGEMM_SUCCESS)
            worker_fail(w, "thread %d: forcing %s: %s", w->id, name, pgemm_last_error(ctx));
        for (int it = 0; it < 3; it++) good_call(w, round * 3 + it, &seed);
        pgemm_context_destroy(ctx);
        w->ctx = NULL;
    }
    return NULL;
}

static size_t g_tmp_files;
static int count_tmp(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t len = strlen(path);
    if (type == FTW_F && len > 4 && !strcmp(path + len - 4, ".tmp")) g_tmp_files++;
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

static void many_contexts(const char *scratch)
{
    char cache[1024];
    snprintf(cache, sizeof cache, "%s/pgemm-threads-XXXXXX", scratch);
    REQUIRE(mkdtemp(cache) != NULL);
    test_setenv("PGEMM_CACHE_DIR", cache);
    worker w[CONTEXT_THREADS];
    pthread_t th[CONTEXT_THREADS];
    for (int i = 0; i < CONTEXT_THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].id = i;
        REQUIRE(pthread_create(&th[i], NULL, context_work, &w[i]) == 0);
    }
    for (int i = 0; i < CONTEXT_THREADS; i++) pthread_join(th[i], NULL);
    report("contexts of their own", w, CONTEXT_THREADS);
    g_tmp_files = 0;
    nftw(cache, count_tmp, 16, FTW_PHYS);
    CHECK_MSG(g_tmp_files == 0, "%zu temporary files left in the kernel cache %s", g_tmp_files,
              cache);
    nftw(cache, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    test_setenv("PGEMM_CACHE_DIR", NULL);
}

/* Fails a GEMM on ctx with lda = ld (m = ld + 1). */
static void fail_with(pgemm_context *ctx, size_t ld)
{
    float x[4] = {0};
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_sgemm_host(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, ld + 1,
                                  1, 1, 1.0f, x, ld, x, 1, 0.0f, x, ld + 1));
}

static void records_per_context(void)
{
    pgemm_context *old = test_context();
    fail_with(old, 3);
    pgemm_context_destroy(old);
    pgemm_context *fresh = test_context();
    pgemm_call_info call;
    CHECK_MSG(pgemm_last_error(fresh)[0] == '\0', "a new context starts with the error \"%s\"",
              pgemm_last_error(fresh));
    CHECK_STATUS(fresh, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_last_call(fresh, &call));
    pgemm_context_destroy(fresh);

    enum { N = 20, KEPT = 16 };
    pgemm_context *ctx[N];
    for (size_t i = 0; i < N; i++) {
        ctx[i] = test_context_opts(NULL, 1);
        REQUIRE(ctx[i]);
        fail_with(ctx[i], 10 + i);
    }
    for (size_t i = 0; i < N; i++) {
        char want[64];
        snprintf(want, sizeof want, "lda (%zu) < m (%zu)", 10 + i, 11 + i);
        const char *got = pgemm_last_error(ctx[i]);
        if (i >= N - KEPT) CHECK_CONTAINS(got, want);
        else CHECK_MSG(got[0] == '\0', "context %zu of %d: \"%s\" kept", i, N, got);
    }
    for (size_t i = 0; i < N; i++) pgemm_context_destroy(ctx[i]);
}

int main(int argc, char **argv)
{
    test_begin("test_threads");
    const char *scratch = argc > 1 ? argv[1] : getenv("TMPDIR");
    if (!scratch || !*scratch) scratch = "/tmp";
    mkdir(scratch, 0700);
    if (argc > 2) g_iterations = atoi(argv[2]);
    REQUIRE(g_iterations > 0);
    shared_context();
    many_contexts(scratch);
    records_per_context();
    return test_finish();
}
