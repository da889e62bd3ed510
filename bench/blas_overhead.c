/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blas_overhead: what libpgemm_blas.so adds to a call it routes to the CPU
 * BLAS. The shim's sgemm_ and the CPU BLAS's own, loaded side by side, in
 * turns on the same n^3 product; the best of 7 rounds of R calls each.
 *
 *   blas_overhead SHIM_LIB CPU_BLAS_LIB [n ...]   (default n: 64 128 256 512)
 *
 * Run it with PGEMM_BLAS=auto or cpu: with gpu it times pgemm instead.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*sgemm_fn)(const char *, const char *, const int *, const int *, const int *,
                         const float *, const float *, const int *, const float *, const int *,
                         const float *, float *, const int *, size_t, size_t);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static sgemm_fn load(const char *path, int flags)
{
    void *h = dlopen(path, flags);
    void *p = h ? dlsym(h, "sgemm_") : NULL;
    if (!p) {
        fprintf(stderr, "blas_overhead: %s: %s\n", path, dlerror());
        exit(1);
    }
    sgemm_fn fn;
    memcpy(&fn, &p, sizeof fn);
    return fn;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: blas_overhead SHIM_LIB CPU_BLAS_LIB [n ...]\n");
        return 2;
    }
    sgemm_fn shim = load(argv[1], RTLD_NOW | RTLD_GLOBAL);
    sgemm_fn cpu = load(argv[2], RTLD_NOW | RTLD_LOCAL);
    static const int defaults[] = {64, 128, 256, 512};
    int count = argc > 3 ? argc - 3 : 4;
    printf("%6s %12s %12s %12s %8s\n", "n", "shim us", "CPU BLAS us", "added us", "added");
    for (int i = 0; i < count; i++) {
        int n = argc > 3 ? atoi(argv[3 + i]) : defaults[i];
        if (n <= 0) return 2;
        size_t e = (size_t)n * (size_t)n;
        float *a = malloc(e * sizeof *a), *b = malloc(e * sizeof *b), *c = malloc(e * sizeof *c);
        if (!a || !b || !c) return 1;
        for (size_t j = 0; j < e; j++) a[j] = 1.0f, b[j] = 0.5f, c[j] = 0.0f;
        float alpha = 1, beta = 0;
        char nn = 'N';
        double one = now();
        cpu(&nn, &nn, &n, &n, &n, &alpha, a, &n, b, &n, &beta, c, &n, 1, 1);
        one = now() - one;
        int reps = one > 0 ? (int)(0.05 / one) + 1 : 1000;
        if (reps > 2000) reps = 2000;
        for (int w = 0; w < 20; w++) {
            shim(&nn, &nn, &n, &n, &n, &alpha, a, &n, b, &n, &beta, c, &n, 1, 1);
            cpu(&nn, &nn, &n, &n, &n, &alpha, a, &n, b, &n, &beta, c, &n, 1, 1);
        }
        double ts = 1e30, tc = 1e30;
        for (int round = 0; round < 7; round++) {
            double t = now();
            for (int r = 0; r < reps; r++)
                shim(&nn, &nn, &n, &n, &n, &alpha, a, &n, b, &n, &beta, c, &n, 1, 1);
            t = (now() - t) / reps;
            if (t < ts) ts = t;
            t = now();
            for (int r = 0; r < reps; r++)
                cpu(&nn, &nn, &n, &n, &n, &alpha, a, &n, b, &n, &beta, c, &n, 1, 1);
            t = (now() - t) / reps;
            if (t < tc) tc = t;
        }
        printf("%6d %12.2f %12.2f %12.2f %7.1f%%\n", n, ts * 1e6, tc * 1e6, (ts - tc) * 1e6,
               100 * (ts - tc) / tc);
        free(a), free(b), free(c);
    }
    return 0;
}
