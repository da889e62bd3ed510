/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The core's own work, without OpenCL: argument reduction of row-major and
 * transposed calls to the column-major form backends see, host-pointer
 * staging (packing padded matrices into staging buffers and back), strided
 * batches, the CBLAS corner cases, the selector's choice, and concurrent use
 * of one context. The backend is the CPU stub plugin
 * (tests/stub/stub_backend.c), which computes a plain column-major GEMM and
 * fails any call that breaks the backend contract of src/backend.h.
 *
 * usage: test_core_stub STUB_DIR
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_case.h"
#include "pgemm_ref.h"
#include "test_util.h"
#ifdef PGEMM_HAVE_OPENCL_INTEROP
#include "pgemm_opencl.h"
#endif
/* Streams as opaque pointers: this test has no HIP runtime. */
#define PGEMM_HIP_STREAM_OPAQUE 1
#include "pgemm_hip.h"

static const size_t k_sizes[] = {1, 2, 3, 5, 8, 13, 17, 31, 33, 64, 65, 100};
#define NSIZES (sizeof k_sizes / sizeof k_sizes[0])

static test_gemm_stats g_stats;

static void rotation(pgemm_context *ctx)
{
    static const char *variants[] = {"stub_a", "stub_b", NULL};
    static const float alphas[] = {1.0f, -0.5f, 2.0f, 0.0f, 1.0f};
    static const float betas[] = {0.0f, 1.0f, -2.25f, 0.5f};
    for (size_t l = 0; l < 3 * 8 * 6; l++) {
        test_gemm_case gc;
        test_gemm_case_init(&gc);
        test_gemm_set_combo(&gc, (int)(l % 8));
        const char *v = variants[l / 8 % 3];
        CHECK_OK(ctx, pgemm_force_variant(ctx, v));
        gc.expect_variant = v;
        gc.api = (test_api)(l / 24 % 3);
        gc.m = k_sizes[l % NSIZES];
        gc.n = k_sizes[(5 * l + 3) % NSIZES];
        gc.k = k_sizes[(7 * l + 1) % NSIZES];
        gc.alpha = alphas[l % 5];
        gc.beta = betas[l / 5 % 4];
        gc.nan_c = gc.beta == 0.0f;
        gc.nan_ab = gc.alpha == 0.0f;
        gc.null_ab = gc.nan_ab && gc.api == TEST_API_HOST;
        gc.pad_a = l % 3;
        gc.pad_b = (l / 3) % 4;
        gc.pad_c = (l / 2) % 3;
        gc.off_a = l % 4;
        gc.off_b = (l / 4) % 3;
        gc.off_c = (l / 6) % 5;
        gc.sentinel = l % 2 ? NAN : -777.0f;
        gc.batch = 1 + l % 4;
        gc.zero_stride_a = l % 5 == 1;
        gc.zero_stride_b = l % 7 == 2;
        gc.gap_c = l % 3;
        gc.precision = l % 4 == 3 ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32;
        gc.seed = 10 + l;
        test_gemm_run(ctx, &gc, &g_stats);
    }
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));
}

static void corner_cases(pgemm_context *ctx)
{
    for (int combo = 0; combo < 8; combo++)
        for (int api = 0; api < 3; api++) {
            test_gemm_case gc;
#define BASE(mm, nn, kk)                                                                 \
    do {                                                                                 \
        test_gemm_case_init(&gc);                                                        \
        test_gemm_set_combo(&gc, combo);                                                 \
        gc.api = (test_api)api;                                                          \
        gc.batch = api == TEST_API_BATCHED ? 3 : 1;                                      \
        gc.m = (mm); gc.n = (nn); gc.k = (kk);                                           \
        gc.pad_a = 1; gc.pad_c = 2; gc.off_b = 3; gc.off_c = 1;                          \
        gc.seed = 100 + 10 * (uint64_t)combo + (uint64_t)api;                            \
    } while (0)
            BASE(9, 7, 5);
            gc.beta = 0.0f; gc.nan_c = 1;
            test_gemm_run(ctx, &gc, &g_stats);
            BASE(9, 7, 5);
            gc.alpha = 0.0f; gc.beta = -1.0f; gc.nan_ab = 1; gc.null_ab = api == TEST_API_HOST;
            test_gemm_run(ctx, &gc, &g_stats);
            BASE(9, 7, 0);
            gc.beta = 0.5f; gc.null_ab = api == TEST_API_HOST;
            test_gemm_run(ctx, &gc, &g_stats);
            BASE(0, 7, 5);
            test_gemm_run(ctx, &gc, &g_stats);
            BASE(9, 0, 5);
            gc.beta = 2.0f;
            test_gemm_run(ctx, &gc, &g_stats);
            BASE(9, 7, 5);
            gc.alpha = 0.0f; gc.beta = 1.0f;
            test_gemm_run(ctx, &gc, &g_stats);
#undef BASE
        }
}

/* Host calls whose staging buffers grow and shrink. */
static void staging(pgemm_context *ctx)
{
    static const size_t sizes[] = {5, 129, 3, 200, 1, 64, 130};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        test_gemm_case gc;
        test_gemm_case_init(&gc);
        test_gemm_set_combo(&gc, (int)i);
        gc.m = sizes[i];
        gc.n = sizes[(i + 3) % 7];
        gc.k = sizes[(i + 5) % 7];
        gc.pad_a = i;
        gc.pad_b = 7 - i;
        gc.pad_c = 2 * i;
        gc.beta = i % 2 ? 0.5f : 0.0f;
        gc.nan_c = gc.beta == 0.0f;
        gc.sentinel = NAN;
        gc.seed = 300 + i;
        test_gemm_run(ctx, &gc, &g_stats);
    }
}

static void selector(pgemm_context *ctx)
{
    /* The heuristic predicts the cache-only kernel (stub_a) faster on small
     * problems, where the larger tile (stub_b) pads and stores one float at
     * a time, and stub_b on large ones. */
    static const struct {
        size_t m, n, k;
        const char *want;
    } cases[] = {{8, 8, 8, "stub_a"}, {5, 300, 4, "stub_a"}, {256, 256, 64, "stub_b"}};
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_gemm_case gc;
        test_gemm_case_init(&gc);
        gc.m = cases[i].m;
        gc.n = cases[i].n;
        gc.k = cases[i].k;
        gc.expect_variant = cases[i].want;
        test_gemm_run(ctx, &gc, &g_stats);
    }
}

/* Several threads on one context: calls are serialised, staging buffers
 * are not mixed up. */
typedef struct worker {
    pgemm_context *ctx;
    int id;
    int failures;
    char first[256];
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    uint64_t seed = 900 + (uint64_t)w->id;
    for (int it = 0; it < 25; it++) {
        size_t m = 3 + (size_t)((w->id * 7 + it * 5) % 40), n = 2 + (size_t)((it * 3) % 37);
        size_t k = 1 + (size_t)((w->id + it) % 29);
        pgemm_layout L = (it + w->id) % 2 ? PGEMM_ROW_MAJOR : PGEMM_COL_MAJOR;
        size_t lda = (L == PGEMM_COL_MAJOR ? m : k) + 1, ldb = (L == PGEMM_COL_MAJOR ? k : n);
        size_t ldc = (L == PGEMM_COL_MAJOR ? m : n) + 2;
        size_t na = lda * (L == PGEMM_COL_MAJOR ? k : m), nb = ldb * (L == PGEMM_COL_MAJOR ? n : k);
        size_t nc = ldc * (L == PGEMM_COL_MAJOR ? n : m);
        float *a = malloc(na * 4), *b = malloc(nb * 4), *c = malloc(nc * 4), *c0 = malloc(nc * 4);
        double *ref = malloc(m * n * 8), *mag = malloc(m * n * 8);
        pgemm_fill_random(a, na, &seed);
        pgemm_fill_random(b, nb, &seed);
        pgemm_fill_random(c0, nc, &seed);
        memcpy(c, c0, nc * 4);
        pgemm_status st = pgemm_sgemm_host(w->ctx, L, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k,
                                           1.0f, a, lda, b, ldb, 0.5f, c, ldc);
        pgemm_ref_report rep;
        size_t bad = 0;
        if (st == PGEMM_SUCCESS) {
            pgemm_ref_gemm(L, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n, k, 1.0f, a, lda, b, ldb, 0.5f,
                           c0, ldc, ref, mag);
            bad = pgemm_ref_compare(L, m, n, k, c, ldc, ref, mag, 2.0, &rep);
        }
        if ((st != PGEMM_SUCCESS || bad) && w->failures++ == 0)
            snprintf(w->first, sizeof w->first, "thread %d call %d (%zux%zux%zu): %s, %zu bad",
                     w->id, it, m, n, k, pgemm_status_string(st), bad);
        free(a); free(b); free(c); free(c0); free(ref); free(mag);
    }
    return NULL;
}

static void threads(pgemm_context *ctx)
{
    enum { T = 4 };
    worker w[T];
    pthread_t th[T];
    for (int i = 0; i < T; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].ctx = ctx;
        w[i].id = i;
        REQUIRE(pthread_create(&th[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        CHECK_MSG(w[i].failures == 0, "%d failures; first: %s", w[i].failures, w[i].first);
    }
}

#ifdef PGEMM_HAVE_OPENCL_INTEROP
/* A backend without interop entries answers the interop calls with
 * UNSUPPORTED, before looking at the handles it was given. */
static void no_interop(pgemm_context *ctx)
{
    pgemm_buffer *buf = (pgemm_buffer *)1;
    CHECK_STATUS(ctx, PGEMM_ERROR_UNSUPPORTED,
                 pgemm_buffer_wrap_opencl(ctx, (cl_mem)(uintptr_t)0x1234, &buf));
    CHECK(buf == NULL);
    CHECK_CONTAINS(pgemm_last_error(ctx), "has no OpenCL interop");
    cl_command_queue q = (cl_command_queue)(uintptr_t)1;
    CHECK_STATUS(ctx, PGEMM_ERROR_UNSUPPORTED, pgemm_opencl_queue(ctx, &q));
    CHECK(q == NULL);
}
#endif

/* HIP interop on a context of another backend is refused before the
 * pointer is looked at; a HIP context where no HIP plugin loads is not
 * made. */
static void no_hip_interop(pgemm_context *ctx)
{
    pgemm_buffer *buf = (pgemm_buffer *)1;
    CHECK_STATUS(ctx, PGEMM_ERROR_UNSUPPORTED,
                 pgemm_buffer_wrap_hip(ctx, (void *)(uintptr_t)0x1234, 64, &buf));
    CHECK(buf == NULL);
    CHECK_CONTAINS(pgemm_last_error(ctx), "HIP interop on a context of backend opencl");
    pgemm_hip_stream_t s = (pgemm_hip_stream_t)(uintptr_t)1;
    CHECK_STATUS(ctx, PGEMM_ERROR_UNSUPPORTED, pgemm_hip_stream(ctx, &s));
    CHECK(s == NULL);
    void *ptr = (void *)1;
    pgemm_buffer *own = NULL;
    CHECK_OK(ctx, pgemm_buffer_create(ctx, 64, &own));
    CHECK_STATUS(ctx, PGEMM_ERROR_UNSUPPORTED, pgemm_buffer_hip_pointer(own, &ptr));
    CHECK(ptr == NULL);
    pgemm_buffer_destroy(own);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_wrap_hip(ctx, NULL, 64, &buf));
    CHECK_CONTAINS(pgemm_last_error(ctx), "ptr is NULL");
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_buffer_wrap_hip(ctx, (void *)(uintptr_t)0x1234, 0, &buf));
    CHECK_CONTAINS(pgemm_last_error(ctx), "bytes is 0");

    pgemm_context *hip = (pgemm_context *)1;
    CHECK_STATUS(NULL, PGEMM_ERROR_BACKEND_UNAVAILABLE,
                 pgemm_context_create_hip(0, NULL, NULL, &hip));
    CHECK(hip == NULL);
    CHECK_CONTAINS(pgemm_last_error(NULL), "backend hip requested but not usable");
    CHECK_STATUS(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_context_create_hip(-2, NULL, NULL, &hip));
    CHECK_CONTAINS(pgemm_last_error(NULL), "device -2");
}

int main(int argc, char **argv)
{
    test_begin("test_core_stub");
    if (argc < 2) {
        fprintf(stderr, "usage: test_core_stub STUB_DIR\n");
        return 2;
    }
    test_setenv("PGEMM_PLUGIN_DIR", argv[1]);
    pgemm_context *ctx = test_context();
    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));
    REQUIRE(!strcmp(info.platform, "stub"));

    rotation(ctx);
    test_gemm_print_stats("rotation", &g_stats);
    corner_cases(ctx);
    staging(ctx);
    selector(ctx);
    threads(ctx);
#ifdef PGEMM_HAVE_OPENCL_INTEROP
    no_interop(ctx);
#endif
    no_hip_interop(ctx);
    test_gemm_print_stats("all", &g_stats);
    pgemm_context_destroy(ctx);
    return test_finish();
}
