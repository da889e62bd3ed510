/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blas_threads: what libpgemm_blas.so's choice of one shared context costs
 * against a context per calling thread. T threads each make R host-API
 * products of n^3 (pgemm_sgemm_host, as the shim does), once on one context
 * they share (pgemm serialises the calls) and once on a context each; the
 * first products of each thread, which build or load kernels, are not
 * timed, and neither is context creation, which is reported on its own.
 *
 *   blas_threads [--threads 1,2,4] [--sizes 256,1024] [--repeat R]
 *
 * The device is pgemm's usual choice (PGEMM_BACKEND, PGEMM_OPENCL_PLATFORM,
 * PGEMM_DEVICE). Prints one row per (n, T): products per second both ways
 * and their ratio, and the seconds to create T contexts.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgemm.h"
#include "pgemm_ref.h"

enum { MAX_THREADS = 64 };

typedef struct job {
    pgemm_context *ctx;
    size_t n;
    int repeat;
    float *a, *b, *c;
    pthread_barrier_t *start;
    int failed;
} job;

static void *work(void *arg)
{
    job *j = arg;
    size_t n = j->n;
    /* Warm-up: kernels built or loaded, staging buffers sized. */
    if (pgemm_sgemm_host(j->ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, n, n, n, 1.0f,
                         j->a, n, j->b, n, 0.0f, j->c, n) != PGEMM_SUCCESS)
        j->failed = 1;
    pthread_barrier_wait(j->start);
    for (int r = 0; r < j->repeat && !j->failed; r++)
        if (pgemm_sgemm_host(j->ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, n, n, n,
                             1.0f, j->a, n, j->b, n, 0.0f, j->c, n) != PGEMM_SUCCESS)
            j->failed = 1;
    pthread_barrier_wait(j->start);
    return NULL;
}

/* Products per second of T threads on the given contexts (ctx[i] for thread
 * i), or -1 on a failure. */
static double run(pgemm_context **ctx, int threads, size_t n, int repeat, float *const *bufs)
{
    pthread_t t[MAX_THREADS];
    job jobs[MAX_THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        jobs[i] = (job){ctx[i], n, repeat, bufs[3 * i], bufs[3 * i + 1], bufs[3 * i + 2], &start, 0};
        pthread_create(&t[i], NULL, work, &jobs[i]);
    }
    pthread_barrier_wait(&start); /* all warmed up */
    double t0 = pgemm_now_seconds();
    pthread_barrier_wait(&start); /* all done */
    double seconds = pgemm_now_seconds() - t0;
    int failed = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        failed |= jobs[i].failed;
    }
    pthread_barrier_destroy(&start);
    return failed ? -1 : (double)threads * repeat / seconds;
}

static int parse_list(const char *s, long *out, int cap)
{
    int n = 0;
    for (char *end; *s && n < cap; s = *end ? end + 1 : end) {
        out[n] = strtol(s, &end, 10);
        if (end == s || out[n] <= 0 || (*end && *end != ',')) return -1;
        n++;
    }
    return n;
}

int main(int argc, char **argv)
{
    long threads[8] = {1, 2, 4}, sizes[8] = {256, 1024};
    int nthreads = 3, nsizes = 2, repeat = 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads")) nthreads = parse_list(argv[i + 1], threads, 8);
        else if (!strcmp(argv[i], "--sizes")) nsizes = parse_list(argv[i + 1], sizes, 8);
        else if (!strcmp(argv[i], "--repeat")) repeat = atoi(argv[i + 1]);
        else nthreads = -1;
    }
    if (nthreads <= 0 || nsizes <= 0 || repeat <= 0 || (argc - 1) % 2) {
        fprintf(stderr, "usage: blas_threads [--threads 1,2,4] [--sizes 256,1024] [--repeat R]\n");
        return 2;
    }
    pgemm_context *shared;
    if (pgemm_context_create(NULL, &shared) != PGEMM_SUCCESS) {
        fprintf(stderr, "blas_threads: %s\n", pgemm_last_error(NULL));
        return 1;
    }
    pgemm_info info;
    pgemm_context_info(shared, &info);
    printf("blas_threads: %s, %s; %d products per thread of n^3 after one warm-up each\n",
           info.backend_name, info.device, repeat);
    printf("%6s %3s %14s %14s %9s %16s\n", "n", "T", "shared /s", "per-thread /s", "ratio",
           "create T ctx s");
    int rc = 0;
    for (int s = 0; s < nsizes; s++)
        for (int t = 0; t < nthreads; t++) {
            int T = (int)threads[t];
            size_t n = (size_t)sizes[s];
            if (T > MAX_THREADS) continue;
            float *bufs[3 * MAX_THREADS];
            uint64_t state = 1;
            for (int i = 0; i < 3 * T; i++) {
                bufs[i] = malloc(n * n * sizeof(float));
                if (!bufs[i]) return 1;
                pgemm_fill_random(bufs[i], n * n, &state);
            }
            pgemm_context *ctx[MAX_THREADS];
            for (int i = 0; i < T; i++) ctx[i] = shared;
            double one = run(ctx, T, n, repeat, bufs);
            double t0 = pgemm_now_seconds();
            int made = 0;
            for (int i = 0; i < T && pgemm_context_create(NULL, &ctx[i]) == PGEMM_SUCCESS; i++)
                made++;
            double create = pgemm_now_seconds() - t0;
            double own = made == T ? run(ctx, T, n, repeat, bufs) : -1;
            for (int i = 0; i < made; i++) pgemm_context_destroy(ctx[i]);
            for (int i = 0; i < 3 * T; i++) free(bufs[i]);
            if (one < 0 || own < 0) rc = 1;
            printf("%6zu %3d %14.1f %14.1f %9.3f %16.3f\n", n, T, one, own,
                   one > 0 && own > 0 ? own / one : -1.0, create);
        }
    pgemm_context_destroy(shared);
    return rc;
}
