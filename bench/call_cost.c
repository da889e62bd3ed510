/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * call_cost: what one pgemm_sgemm call on device buffers costs the host, on
 * whatever backend the environment picks (PGEMM_BACKEND, ...). R calls of
 * the same n^3 product are queued back to back, then one
 * pgemm_synchronize; the time over R is the cost per call wherever the
 * device finishes each product sooner than the host queues the next. With
 * the stub backend of the tests (PGEMM_PLUGIN_DIR=build/tests/plugins/ok,
 * PGEMM_BACKEND=opencl), which computes nothing for n = 1, it is the core
 * alone: argument checks, the selector's decision, the call record.
 * Prints the best of 7 rounds, in nanoseconds per call.
 *
 *   call_cost [n [R]]   (defaults: 1 and 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pgemm.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
    long calls = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
    if (n == 0 || n > 4096 || calls < 1) {
        fprintf(stderr, "usage: call_cost [n (1..4096) [calls (>= 1)]]\n");
        return 2;
    }
    pgemm_context *ctx = NULL;
    if (pgemm_context_create(NULL, &ctx) != PGEMM_SUCCESS) {
        fprintf(stderr, "call_cost: no context: %s\n", pgemm_last_error(NULL));
        return 2;
    }
    pgemm_info info;
    pgemm_context_info(ctx, &info);
    pgemm_buffer *a = NULL, *b = NULL, *c = NULL;
    size_t bytes = n * n * sizeof(float);
    float *zeros = calloc(n * n, sizeof *zeros);
    int ok = zeros && pgemm_buffer_create(ctx, bytes, &a) == PGEMM_SUCCESS &&
             pgemm_buffer_create(ctx, bytes, &b) == PGEMM_SUCCESS &&
             pgemm_buffer_create(ctx, bytes, &c) == PGEMM_SUCCESS &&
             pgemm_buffer_write(a, 0, bytes, zeros) == PGEMM_SUCCESS &&
             pgemm_buffer_write(b, 0, bytes, zeros) == PGEMM_SUCCESS;
    double best = 0;
    for (int round = 0; ok && round < 8; round++) {
        double t0 = now();
        for (long i = 0; ok && i < calls; i++)
            ok = pgemm_sgemm(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, n, n, n, 1.0f,
                             a, 0, n, b, 0, n, 0.0f, c, 0, n) == PGEMM_SUCCESS;
        ok = ok && pgemm_synchronize(ctx) == PGEMM_SUCCESS;
        double t = (now() - t0) / (double)calls;
        if (round > 0 && (best == 0 || t < best)) best = t; /* round 0 warms up */
    }
    if (!ok) {
        fprintf(stderr, "call_cost: %s\n", pgemm_last_error(ctx));
        pgemm_context_destroy(ctx);
        return 1;
    }
    pgemm_call_info call;
    pgemm_last_call(ctx, &call);
    printf("%s \"%s\", %zu^3, %s: %.0f ns per call (best of 7 rounds of %ld)\n",
           info.backend_name, info.device, n, call.variant, best * 1e9, calls);
    pgemm_buffer_destroy(a);
    pgemm_buffer_destroy(b);
    pgemm_buffer_destroy(c);
    free(zeros);
    pgemm_context_destroy(ctx);
    return 0;
}
