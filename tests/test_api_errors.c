/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Invalid arguments: each must return PGEMM_ERROR_INVALID_ARGUMENT with a
 * message naming the argument, and change nothing (host C bytes, C buffer
 * contents, out pointers set to NULL). NULL contexts must not crash. fp16
 * operands on a backend without fp16 tiles are PGEMM_ERROR_UNSUPPORTED.
 *
 * Runs on whatever backend the environment selects (CTest: the CPU stub,
 * PoCL and rusticl).
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgemm_ref.h"
#include "test_util.h"

enum { M = 20, N = 24, K = 16, CAP = 64 * 64 };

static pgemm_context *ctx;
static float A[CAP], B[CAP], C[CAP], C_before[CAP];

/* Host GEMM that must fail with `want` and a message containing `needle`,
 * leaving C (and A, B) exactly as they were. */
#define HOST_FAILS(want, needle, ...) host_fails(__LINE__, want, needle, __VA_ARGS__)
static void host_fails(int line, pgemm_status want, const char *needle, pgemm_layout layout,
                       pgemm_transpose ta, pgemm_transpose tb, size_t m, size_t n, size_t k,
                       float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                       float beta, float *c, size_t ldc)
{
    memcpy(C_before, C, sizeof C);
    pgemm_call_info call_before, call_after;
    int had = pgemm_last_call(ctx, &call_before) == PGEMM_SUCCESS;
    pgemm_status st = pgemm_sgemm_host(ctx, layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta,
                                       c, ldc);
    const char *msg = pgemm_last_error(ctx);
    g_test_checks += 4;
    if (st != want)
        test_fail_at(__FILE__, line, "status %s, want %s (message: %s)", pgemm_status_string(st),
                     pgemm_status_string(want), msg);
    if (!msg || !strstr(msg, needle))
        test_fail_at(__FILE__, line, "message \"%s\" does not contain \"%s\"", msg ? msg : "(null)",
                     needle);
    if (memcmp(C, C_before, sizeof C) != 0)
        test_fail_at(__FILE__, line, "a failing call changed host C");
    int has = pgemm_last_call(ctx, &call_after) == PGEMM_SUCCESS;
    if (had != has || (had && strcmp(call_before.variant, call_after.variant) != 0))
        test_fail_at(__FILE__, line, "a failing call changed pgemm_last_call");
}

/* The message for ld too small, as check.c words it. */
static const char *ld_message(char op, pgemm_layout layout, pgemm_transpose t, size_t rows,
                              const char *rows_name, size_t cols, const char *cols_name,
                              size_t ld, char *buf, size_t cap)
{
    int col = layout == PGEMM_COL_MAJOR;
    size_t run = col ? rows : cols;
    const char *run_name = col ? rows_name : cols_name;
    char what[64];
    if (op == 'C') snprintf(what, sizeof what, "%s C", col ? "column-major" : "row-major");
    else
        snprintf(what, sizeof what, "%s %c, %s", col ? "column-major" : "row-major", op,
                 t == PGEMM_TRANS ? "transposed" : "no transpose");
    snprintf(buf, cap, "ld%c (%zu) < %s (%zu) for %s", op + 32, ld, run > 1 ? run_name : "1",
             run > 1 ? run : 1, what);
    return buf;
}

static void leading_dimensions(void)
{
    char msg[160];
    for (int combo = 0; combo < 8; combo++) {
        pgemm_layout L = combo & 4 ? PGEMM_ROW_MAJOR : PGEMM_COL_MAJOR;
        pgemm_transpose ta = combo & 2 ? PGEMM_TRANS : PGEMM_NO_TRANS;
        pgemm_transpose tb = combo & 1 ? PGEMM_TRANS : PGEMM_NO_TRANS;
        int col = L == PGEMM_COL_MAJOR;
        /* Stored shapes in the caller's layout. */
        size_t ar = ta == PGEMM_TRANS ? K : M, ac = ta == PGEMM_TRANS ? M : K;
        const char *arn = ta == PGEMM_TRANS ? "k" : "m", *acn = ta == PGEMM_TRANS ? "m" : "k";
        size_t br = tb == PGEMM_TRANS ? N : K, bc = tb == PGEMM_TRANS ? K : N;
        const char *brn = tb == PGEMM_TRANS ? "n" : "k", *bcn = tb == PGEMM_TRANS ? "k" : "n";
        size_t lda = col ? ar : ac, ldb = col ? br : bc, ldc = col ? M : N;

        /* The smallest valid leading dimensions work. */
        CHECK_OK(ctx, pgemm_sgemm_host(ctx, L, ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C,
                                       ldc));
        CHECK_MSG(pgemm_last_error(ctx)[0] == '\0', "success leaves an error message: %s",
                  pgemm_last_error(ctx));
        HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT,
                   ld_message('A', L, ta, ar, arn, ac, acn, lda - 1, msg, sizeof msg), L, ta, tb,
                   M, N, K, 1.0f, A, lda - 1, B, ldb, 0.0f, C, ldc);
        HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT,
                   ld_message('B', L, tb, br, brn, bc, bcn, ldb - 1, msg, sizeof msg), L, ta, tb,
                   M, N, K, 1.0f, A, lda, B, ldb - 1, 0.0f, C, ldc);
        HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT,
                   ld_message('C', L, PGEMM_NO_TRANS, M, "m", N, "n", ldc - 1, msg, sizeof msg),
                   L, ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 1.0f, C, ldc - 1);
        /* ld is checked even when the operand is not read (CBLAS does). */
        HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "lda (0)", L, ta, tb, M, N, K, 0.0f, A, 0, B,
                   ldb, 1.0f, C, ldc);
        /* A run of 1 element: ld must still be >= 1. */
        HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "ldc (0) < 1 (1)", L, ta, tb, 1, 1, K, 1.0f, A,
                   lda, B, ldb, 0.0f, C, 0);
    }
    /* The example from the documentation of the messages. */
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "lda (12) < k (16) for row-major A, no transpose",
               PGEMM_ROW_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K, 1.0f, A, 12, B, N, 0.0f,
               C, N);
}

static void enums_and_pointers(void)
{
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "layout (100)", (pgemm_layout)100, PGEMM_NO_TRANS,
               PGEMM_NO_TRANS, M, N, K, 1.0f, A, M, B, K, 0.0f, C, M);
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "layout (0)", (pgemm_layout)0, PGEMM_NO_TRANS,
               PGEMM_NO_TRANS, M, N, K, 1.0f, A, M, B, K, 0.0f, C, M);
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "ta (113)", PGEMM_COL_MAJOR, (pgemm_transpose)113,
               PGEMM_NO_TRANS, M, N, K, 1.0f, A, M, B, K, 0.0f, C, M);
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "tb (110)", PGEMM_COL_MAJOR, PGEMM_NO_TRANS,
               (pgemm_transpose)110, M, N, K, 1.0f, A, M, B, K, 0.0f, C, M);
    /* CblasConjTrans (113) is not supported for real GEMM here either. */
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "tb (113)", PGEMM_ROW_MAJOR, PGEMM_TRANS,
               (pgemm_transpose)113, M, N, K, 1.0f, A, M, B, N, 0.0f, C, N);
    /* Even an empty call checks its enums. */
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "layout (7)", (pgemm_layout)7, PGEMM_NO_TRANS,
               PGEMM_NO_TRANS, 0, 0, 0, 1.0f, NULL, 1, NULL, 1, 0.0f, NULL, 1);

    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "A is NULL", PGEMM_COL_MAJOR, PGEMM_NO_TRANS,
               PGEMM_NO_TRANS, M, N, K, 1.0f, NULL, M, B, K, 0.0f, C, M);
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "B is NULL", PGEMM_COL_MAJOR, PGEMM_NO_TRANS,
               PGEMM_NO_TRANS, M, N, K, 1.0f, A, M, NULL, K, 0.0f, C, M);
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "C is NULL", PGEMM_COL_MAJOR, PGEMM_NO_TRANS,
               PGEMM_NO_TRANS, M, N, K, 1.0f, A, M, B, K, 0.0f, NULL, M);
    /* CBLAS: A and B may be NULL when they are not read; everything may be
     * NULL in an empty call. */
    CHECK_OK(ctx, pgemm_sgemm_host(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K,
                                   0.0f, NULL, M, NULL, K, 0.5f, C, M));
    CHECK_OK(ctx, pgemm_sgemm_host(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, 0,
                                   1.0f, NULL, M, NULL, 1, 2.0f, C, M));
    CHECK_OK(ctx, pgemm_sgemm_host(ctx, PGEMM_ROW_MAJOR, PGEMM_TRANS, PGEMM_TRANS, 0, N, K, 1.0f,
                                   NULL, 1, NULL, K, 0.0f, NULL, N));

    /* Beyond 32-bit indexing: unsupported, not invalid; C untouched. */
    HOST_FAILS(PGEMM_ERROR_UNSUPPORTED, "m, n, k", PGEMM_COL_MAJOR, PGEMM_NO_TRANS,
               PGEMM_NO_TRANS, (size_t)INT_MAX + 1, 1, 1, 1.0f, A, (size_t)INT_MAX + 1, B, 1,
               0.0f, C, (size_t)INT_MAX + 1);
    /* A footprint beyond SIZE_MAX: invalid, and no overflow. */
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "A spans more than SIZE_MAX", PGEMM_COL_MAJOR,
               PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K, 1.0f, A, SIZE_MAX / 4, B, K, 0.0f, C, M);
    HOST_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "C spans more than SIZE_MAX", PGEMM_ROW_MAJOR,
               PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K, 1.0f, A, K, B, N, 0.0f, C, SIZE_MAX / 2);
}

/* ---------------------------------------------------------------- buffers */

static pgemm_buffer *make(size_t floats)
{
    pgemm_buffer *buf = NULL;
    CHECK_OK(ctx, pgemm_buffer_create(ctx, floats * sizeof(float), &buf));
    REQUIRE(buf != NULL);
    float *tmp = malloc(floats * sizeof(float));
    REQUIRE(tmp);
    uint64_t seed = floats;
    pgemm_fill_random(tmp, floats, &seed);
    CHECK_OK(ctx, pgemm_buffer_write(buf, 0, floats * sizeof(float), tmp));
    free(tmp);
    return buf;
}

static float g_snapshot[CAP * 4], g_now[CAP * 4];

/* Batched GEMM that must fail; the C buffer must keep its contents. */
#define BATCH_FAILS(want, needle, ...) batch_fails(__LINE__, want, needle, __VA_ARGS__)
static void batch_fails(int line, pgemm_status want, const char *needle, pgemm_layout L,
                        size_t m, size_t n, size_t k, const pgemm_buffer *a, size_t a_off,
                        size_t lda, size_t sa, const pgemm_buffer *b, size_t b_off, size_t ldb,
                        size_t sb, pgemm_buffer *c, size_t c_off, size_t ldc, size_t sc,
                        size_t batch)
{
    size_t bytes = pgemm_buffer_size(c);
    REQUIRE(bytes <= sizeof g_snapshot);
    CHECK_OK(ctx, pgemm_buffer_read(c, 0, bytes, g_snapshot));
    pgemm_status st = pgemm_sgemm_strided_batched(ctx, L, PGEMM_NO_TRANS, PGEMM_NO_TRANS, m, n,
                                                  k, 1.0f, a, a_off, lda, sa, b, b_off, ldb, sb,
                                                  0.0f, c, c_off, ldc, sc, batch);
    const char *msg = pgemm_last_error(ctx);
    g_test_checks += 3;
    if (st != want)
        test_fail_at(__FILE__, line, "status %s, want %s (message: %s)", pgemm_status_string(st),
                     pgemm_status_string(want), msg);
    if (!strstr(msg, needle))
        test_fail_at(__FILE__, line, "message \"%s\" does not contain \"%s\"", msg, needle);
    CHECK_OK(ctx, pgemm_buffer_read(c, 0, bytes, g_now));
    if (memcmp(g_snapshot, g_now, bytes) != 0)
        test_fail_at(__FILE__, line, "a failing call changed the C buffer");
}

static void buffer_gemm_errors(pgemm_context *other)
{
    /* Column-major NN, m x k A (span M*K), k x n B, m x n C. */
    pgemm_buffer *a = make(M * K), *b = make(K * N), *c = make(M * N);
    pgemm_buffer *c2 = make(2 * M * N), *big = make(4 * CAP);
    pgemm_buffer *foreign = NULL;
    CHECK_OK(other, pgemm_buffer_create(other, M * N * sizeof(float), &foreign));
    REQUIRE(foreign);
    char msg[200];

    /* Exactly fitting buffers work; one element short does not. */
    CHECK_OK(ctx, pgemm_sgemm(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K,
                              1.0f, a, 0, M, b, 0, K, 0.0f, c, 0, M));
    snprintf(msg, sizeof msg, "buffer A holds %d floats, but a_offset 1 + %d spanned by A", M * K,
             M * K);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, msg, PGEMM_COL_MAJOR, M, N, K, a, 1, M, 0, b, 0,
                K, 0, c, 0, M, 0, 1);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "buffer B holds", PGEMM_COL_MAJOR, M, N, K, a, 0,
                M, 0, b, 0, K + 1, 0, c, 0, M, 0, 1);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "buffer C holds", PGEMM_COL_MAJOR, M, N, K, a, 0,
                M, 0, b, 0, K, 0, c, 3, M, 0, 1);
    /* Offsets, ld and strides that overflow size_t. */
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "buffer A holds", PGEMM_COL_MAJOR, M, N, K, a,
                SIZE_MAX - 5, M, 0, b, 0, K, 0, c, 0, M, 0, 1);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "buffer C holds", PGEMM_COL_MAJOR, M, N, K, a, 0,
                M, 0, b, 0, K, 0, c, SIZE_MAX, M, 0, 1);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "B spans more than SIZE_MAX", PGEMM_COL_MAJOR, M,
                N, K, a, 0, M, 0, b, 0, SIZE_MAX / 3, 0, c, 0, M, 0, 1);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "stride_a", PGEMM_COL_MAJOR, M, N, K, a, 0, M,
                SIZE_MAX / 2, b, 0, K, 0, big, 0, M, M * N, 3);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "buffer C holds", PGEMM_COL_MAJOR, M, N, K, a, 0,
                M, 0, b, 0, K, 0, c2, 0, M, M * N, SIZE_MAX);
    /* An ld far beyond the buffer, without size_t overflow: the buffer is
     * too small, which is an invalid argument (not "unsupported"). */
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "buffer A holds", PGEMM_COL_MAJOR, M, N, K, a, 0,
                (size_t)1 << 40, 0, b, 0, K, 0, c, 0, M, 0, 1);

    /* Batches. */
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "batch_count is 0", PGEMM_COL_MAJOR, M, N, K, a,
                0, M, 0, b, 0, K, 0, c, 0, M, M * N, 0);
    snprintf(msg, sizeof msg, "stride_c (%d) < %d elements spanned by each C", M * N - 1, M * N);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, msg, PGEMM_COL_MAJOR, M, N, K, a, 0, M, 0, b, 0, K,
                0, c2, 0, M, M * N - 1, 2);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "stride_c (0)", PGEMM_ROW_MAJOR, M, N, K, a, 0, K,
                0, b, 0, N, 0, c2, 0, N, 0, 2);
    /* Padded C: the span excludes the last column's padding. */
    snprintf(msg, sizeof msg, "stride_c (%d) < %d elements", (M + 3) * (N - 1) + M - 1,
             (M + 3) * (N - 1) + M);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, msg, PGEMM_COL_MAJOR, M, N, K, a, 0, M, 0, b, 0, K,
                0, big, 0, M + 3, (M + 3) * (N - 1) + M - 1, 2);
    CHECK_OK(ctx, pgemm_sgemm_strided_batched(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS,
                                              PGEMM_NO_TRANS, M, N, K, 1.0f, a, 0, M, 0, b, 0, K,
                                              0, 0.0f, c2, 0, M, M * N, 2));
    /* The second C of the batch does not fit. */
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "batch_count 2", PGEMM_COL_MAJOR, M, N, K, a, 0, M,
                0, b, 0, K, 0, c2, 1, M, M * N, 2);

    /* NULL buffers and buffers of another context. */
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "A is NULL", PGEMM_COL_MAJOR, M, N, K, NULL, 0, M,
                0, b, 0, K, 0, c, 0, M, 0, 1);
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "B is NULL", PGEMM_COL_MAJOR, M, N, K, a, 0, M, 0,
                NULL, 0, K, 0, c, 0, M, 0, 1);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_sgemm(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K, 1.0f,
                             a, 0, M, b, 0, K, 0.0f, NULL, 0, M));
    CHECK_CONTAINS(pgemm_last_error(ctx), "C is NULL");
    BATCH_FAILS(PGEMM_ERROR_INVALID_ARGUMENT, "buffer A belongs to another context",
                PGEMM_COL_MAJOR, M, N, K, foreign, 0, M, 0, b, 0, K, 0, c, 0, M, 0, 1);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_sgemm(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K, 1.0f,
                             a, 0, M, b, 0, K, 0.0f, foreign, 0, M));
    CHECK_CONTAINS(pgemm_last_error(ctx), "buffer C belongs to another context");
    CHECK_OK(ctx, pgemm_synchronize(ctx));

    pgemm_buffer_destroy(foreign);
    pgemm_buffer_destroy(a);
    pgemm_buffer_destroy(b);
    pgemm_buffer_destroy(c);
    pgemm_buffer_destroy(c2);
    pgemm_buffer_destroy(big);
}

/* pgemm_gemm_ex: datatypes are checked like the other enums, and fp16
 * operands need a backend with fp16 tiles (CTest's backends have none). */
static void datatype_errors(void)
{
    pgemm_buffer *a = make(M * K), *b = make(K * N), *c = make(M * N);
    size_t bytes = M * N * sizeof(float);
    CHECK_OK(ctx, pgemm_buffer_read(c, 0, bytes, g_snapshot));
    pgemm_call_info before, after;
    int had = pgemm_last_call(ctx, &before) == PGEMM_SUCCESS;

    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K,
                               1.0f, a, (pgemm_datatype)2, 0, M, b, PGEMM_F32, 0, K, 0.0f, c, 0,
                               M));
    CHECK_CONTAINS(pgemm_last_error(ctx),
                   "a_type (2) and b_type (0) must be PGEMM_F32 (0) or PGEMM_F16 (1)");
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_gemm_strided_batched_ex(ctx, PGEMM_ROW_MAJOR, PGEMM_NO_TRANS,
                                               PGEMM_NO_TRANS, M, N, K, 1.0f, a, PGEMM_F16, 0, K,
                                               0, b, (pgemm_datatype)-1, 0, N, 0, 0.0f, c, 0, N,
                                               0, 1));
    CHECK_CONTAINS(pgemm_last_error(ctx), "b_type (-1)");
    /* Even an empty call checks its datatypes. */
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, 0, 0, 0,
                               1.0f, NULL, PGEMM_F32, 0, 1, NULL, (pgemm_datatype)9, 0, 1, 0.0f,
                               NULL, 0, 1));
    CHECK_CONTAINS(pgemm_last_error(ctx), "b_type (9)");

    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));
    if (!info.has_fp16_tiles) {
        static const pgemm_datatype types[3][2] = {
            {PGEMM_F16, PGEMM_F16}, {PGEMM_F16, PGEMM_F32}, {PGEMM_F32, PGEMM_F16}};
        for (int t = 0; t < 3; t++) {
            CHECK_STATUS(ctx, PGEMM_ERROR_UNSUPPORTED,
                         pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N,
                                       K, 1.0f, a, types[t][0], 0, M, b, types[t][1], 0, K, 0.0f,
                                       c, 0, M));
            CHECK_CONTAINS(pgemm_last_error(ctx), "fp16 operands need fp16 tiles");
            CHECK_CONTAINS(pgemm_last_error(ctx), info.backend_name);
        }
    }
    CHECK_OK(ctx, pgemm_buffer_read(c, 0, bytes, g_now));
    CHECK_MSG(memcmp(g_snapshot, g_now, bytes) == 0, "a refused typed call changed C");
    int has = pgemm_last_call(ctx, &after) == PGEMM_SUCCESS;
    CHECK_MSG(had == has && (!had || !strcmp(before.variant, after.variant)),
              "a refused typed call changed pgemm_last_call");
    pgemm_buffer_destroy(a);
    pgemm_buffer_destroy(b);
    pgemm_buffer_destroy(c);
}

static void buffer_io_errors(void)
{
    pgemm_buffer *buf = (pgemm_buffer *)(uintptr_t)0x1;
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_create(ctx, 0, &buf));
    CHECK_CONTAINS(pgemm_last_error(ctx), "bytes is 0");
    CHECK_MSG(buf == NULL, "pgemm_buffer_create(0 bytes) left *out = %p", (void *)buf);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_create(ctx, 64, NULL));
    CHECK_CONTAINS(pgemm_last_error(ctx), "out is NULL");
    buf = (pgemm_buffer *)(uintptr_t)0x1;
    CHECK_STATUS(ctx, PGEMM_ERROR_OUT_OF_MEMORY, pgemm_buffer_create(ctx, SIZE_MAX, &buf));
    CHECK_MSG(buf == NULL, "a failed pgemm_buffer_create left *out = %p", (void *)buf);

    CHECK_OK(ctx, pgemm_buffer_create(ctx, 64, &buf));
    REQUIRE(buf);
    CHECK(pgemm_buffer_size(buf) == 64);
    unsigned char pattern[64], back[64], dst[64];
    for (int i = 0; i < 64; i++) pattern[i] = (unsigned char)(i * 7 + 1);
    CHECK_OK(ctx, pgemm_buffer_write(buf, 0, 64, pattern));

    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_write(buf, 60, 8, pattern));
    CHECK_CONTAINS(pgemm_last_error(ctx), "offset (60) + bytes (8) exceeds the buffer's 64 bytes");
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_write(buf, SIZE_MAX, 2, pattern));
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_write(buf, 4, SIZE_MAX, pattern));
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_write(buf, 65, 0, pattern));
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_write(buf, 0, 4, NULL));
    CHECK_CONTAINS(pgemm_last_error(ctx), "src is NULL");
    /* Empty transfers at the end are valid no-ops, even without a pointer. */
    CHECK_OK(ctx, pgemm_buffer_write(buf, 64, 0, NULL));
    CHECK_OK(ctx, pgemm_buffer_read(buf, 64, 0, NULL));
    CHECK_OK(ctx, pgemm_buffer_read(buf, 0, 64, back));
    CHECK_MSG(memcmp(back, pattern, 64) == 0, "failed writes changed the buffer");

    memset(dst, 0xab, sizeof dst);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_read(buf, 1, 64, dst));
    CHECK_CONTAINS(pgemm_last_error(ctx), "offset (1) + bytes (64)");
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_read(buf, SIZE_MAX - 1, 4, dst));
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_read(buf, 0, 4, NULL));
    CHECK_CONTAINS(pgemm_last_error(ctx), "dst is NULL");
    int untouched = 1;
    for (int i = 0; i < 64; i++) untouched &= dst[i] == 0xab;
    CHECK_MSG(untouched, "failed reads wrote to dst");
    CHECK_OK(ctx, pgemm_buffer_read(buf, 8, 16, dst));
    CHECK(memcmp(dst, pattern + 8, 16) == 0);
    pgemm_buffer_destroy(buf);
}

static void context_state_errors(void)
{
    size_t count = pgemm_variant_count(ctx);
    REQUIRE(count > 0);
    const char *last = pgemm_variant_name(ctx, count - 1);
    CHECK(pgemm_variant_name(ctx, count) == NULL);
    CHECK(pgemm_variant_name(ctx, SIZE_MAX) == NULL);

    /* A refused variant name keeps the variant forced before. */
    CHECK_OK(ctx, pgemm_force_variant(ctx, last));
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_force_variant(ctx, "no-such-variant"));
    CHECK_CONTAINS(pgemm_last_error(ctx), "no variant \"no-such-variant\"");
    CHECK_CONTAINS(pgemm_last_error(ctx), pgemm_variant_name(ctx, 0));
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_force_variant(ctx, ""));
    /* A precision that is not a pgemm_precision keeps the one before. */
    CHECK_OK(ctx, pgemm_set_precision(ctx, PGEMM_PRECISION_FP16_MIXED));
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_set_precision(ctx, (pgemm_precision)2));
    CHECK_CONTAINS(pgemm_last_error(ctx), "precision (2)");
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_set_precision(ctx, (pgemm_precision)-1));

    CHECK_OK(ctx, pgemm_sgemm_host(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K,
                                   1.0f, A, M, B, K, 0.0f, C, M));
    pgemm_call_info call;
    CHECK_OK(ctx, pgemm_last_call(ctx, &call));
    CHECK_MSG(!strcmp(call.variant, last), "ran \"%s\", want \"%s\"", call.variant, last);
    CHECK(call.precision_requested == PGEMM_PRECISION_FP16_MIXED);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_last_call(ctx, NULL));
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_context_info(ctx, NULL));
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));
    CHECK_OK(ctx, pgemm_set_precision(ctx, PGEMM_PRECISION_FP32));
}

static void null_context(void)
{
    pgemm_buffer *buf = (pgemm_buffer *)(uintptr_t)0x1;
    pgemm_info info;
    pgemm_call_info call;
    CHECK(pgemm_sgemm_host(NULL, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K, 1.0f,
                           A, M, B, K, 0.0f, C, M) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK(pgemm_sgemm(NULL, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K, 1.0f, NULL,
                      0, M, NULL, 0, K, 0.0f, NULL, 0, M) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK(pgemm_sgemm_strided_batched(NULL, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M,
                                      N, K, 1.0f, NULL, 0, M, 0, NULL, 0, K, 0, 0.0f, NULL, 0, M,
                                      0, 1) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK(pgemm_buffer_create(NULL, 64, &buf) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK_MSG(buf == NULL, "pgemm_buffer_create(NULL ctx) left *out = %p", (void *)buf);
    CHECK(pgemm_buffer_write(NULL, 0, 4, A) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK(pgemm_buffer_read(NULL, 0, 4, C) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK(pgemm_buffer_size(NULL) == 0);
    pgemm_buffer_destroy(NULL);
    CHECK(pgemm_synchronize(NULL) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK(pgemm_set_precision(NULL, PGEMM_PRECISION_FP32) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK(pgemm_force_variant(NULL, NULL) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK(pgemm_context_info(NULL, &info) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK(pgemm_last_call(NULL, &call) == PGEMM_ERROR_INVALID_ARGUMENT);
    CHECK(pgemm_variant_count(NULL) == 0);
    CHECK(pgemm_variant_name(NULL, 0) == NULL);
    CHECK(pgemm_last_error(NULL) != NULL);
    pgemm_context_destroy(NULL);
    pgemm_options_init(NULL);
}

static void creation_errors(void)
{
    pgemm_options o;
    pgemm_context *out;
#define TWEAK(text, stmt)                                                             \
    do {                                                                                 \
        pgemm_options_init(&o);                                                          \
        stmt;                                                                            \
        out = (pgemm_context *)(uintptr_t)0x1;                                           \
        CHECK_STATUS(NULL, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_context_create(&o, &out)); \
        CHECK_MSG(out == NULL, "failed creation left *out = %p", (void *)out);           \
        CHECK_CONTAINS(pgemm_last_error(NULL), text);                                    \
    } while (0)
    TWEAK("opts->precision (5)", o.precision = (pgemm_precision)5);
    TWEAK("opts->log_level (3)", o.log_level = 3);
    {
        /* Caller options are validated even when PGEMM_BACKEND overrides
         * them (CTest sets it for the OpenCL runs); and without it. */
        TWEAK("opts->backend (9)", o.backend = (pgemm_backend)9);
        const char *env = getenv("PGEMM_BACKEND");
        char *saved = env ? strdup(env) : NULL;
        test_setenv("PGEMM_BACKEND", saved ? NULL : "opencl");
        TWEAK("opts->backend (9)", o.backend = (pgemm_backend)9);
        test_setenv("PGEMM_BACKEND", saved);
        free(saved);
    }
    TWEAK("opts->device_index (-2)", o.device_index = -2);
#undef TWEAK
    CHECK_STATUS(NULL, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_context_create(NULL, NULL));
    CHECK_CONTAINS(pgemm_last_error(NULL), "out is NULL");

    /* PGEMM_VARIANT naming no variant: creation fails and says why. */
    test_setenv("PGEMM_VARIANT", "no-such-variant");
    out = (pgemm_context *)(uintptr_t)0x1;
    CHECK_STATUS(NULL, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_context_create(NULL, &out));
    CHECK(out == NULL);
    CHECK_CONTAINS(pgemm_last_error(NULL), "PGEMM_VARIANT");
    CHECK_CONTAINS(pgemm_last_error(NULL), "no-such-variant");
    test_setenv("PGEMM_VARIANT", NULL);
}

static void strings(void)
{
    for (int s = 0; s <= PGEMM_ERROR_INTERNAL; s++) {
        const char *text = pgemm_status_string((pgemm_status)s);
        CHECK_MSG(text && *text, "status %d has no text", s);
        for (int t = 0; t < s; t++)
            CHECK_MSG(strcmp(text, pgemm_status_string((pgemm_status)t)) != 0,
                      "statuses %d and %d share the text \"%s\"", t, s, text);
    }
    CHECK(pgemm_status_string((pgemm_status)99) != NULL);
    CHECK(pgemm_status_string((pgemm_status)-1) != NULL);
    CHECK(!strcmp(pgemm_status_string(PGEMM_SUCCESS), "success"));
    CHECK(!strcmp(pgemm_status_string(PGEMM_ERROR_INVALID_ARGUMENT), "invalid argument"));
    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", PGEMM_VERSION_MAJOR, PGEMM_VERSION_MINOR,
             PGEMM_VERSION_PATCH);
    CHECK(!strcmp(pgemm_version_string(), version));
    CHECK(!strcmp(pgemm_backend_name(PGEMM_BACKEND_AUTO), "auto"));
    CHECK(!strcmp(pgemm_backend_name(PGEMM_BACKEND_HIP), "hip"));
    CHECK(!strcmp(pgemm_backend_name(PGEMM_BACKEND_OPENCL), "opencl"));
    CHECK(pgemm_backend_name((pgemm_backend)42) != NULL);
    CHECK(!strcmp(pgemm_backend_names(), "auto, hip or opencl"));
    {
        static const struct {
            const char *name;
            int ok;
            pgemm_backend want;
        } names[] = {{"auto", 1, PGEMM_BACKEND_AUTO},     {"HIP", 1, PGEMM_BACKEND_HIP},
                     {"OpenCL", 1, PGEMM_BACKEND_OPENCL}, {"cuda", 0, PGEMM_BACKEND_HIP},
                     {"", 0, PGEMM_BACKEND_HIP},          {"opencl ", 0, PGEMM_BACKEND_HIP},
                     {NULL, 0, PGEMM_BACKEND_HIP}};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            pgemm_backend b = PGEMM_BACKEND_HIP; /* untouched when refused */
            int ok = pgemm_backend_from_name(names[i].name, &b);
            CHECK_MSG(ok == names[i].ok && b == names[i].want, "\"%s\": %d, backend %d",
                      names[i].name ? names[i].name : "(null)", ok, (int)b);
            if (ok) CHECK(!strcasecmp(pgemm_backend_name(b), names[i].name));
        }
        CHECK(!pgemm_backend_from_name("hip", NULL));
    }

    /* describe_system truncates safely and reports the full length. */
    char small[12];
    size_t needed = 0;
    memset(small, 'x', sizeof small);
    CHECK_OK(NULL, pgemm_describe_system(small, sizeof small, &needed));
    CHECK(strlen(small) < sizeof small);
    CHECK(needed > sizeof small);
    size_t needed2 = 0;
    CHECK_OK(NULL, pgemm_describe_system(NULL, 0, &needed2));
    CHECK(needed2 == needed);
}

int main(void)
{
    test_begin("test_api_errors");
    ctx = test_context();
    pgemm_context *other = test_context_opts(NULL, 1);
    REQUIRE(other != NULL);
    uint64_t seed = 3;
    pgemm_fill_random(A, CAP, &seed);
    pgemm_fill_random(B, CAP, &seed);
    pgemm_fill_random(C, CAP, &seed);

    pgemm_call_info call;
    CHECK_MSG(pgemm_last_call(ctx, &call) != PGEMM_SUCCESS,
              "pgemm_last_call succeeds before any GEMM");

    leading_dimensions();
    enums_and_pointers();
    buffer_gemm_errors(other);
    datatype_errors();
    buffer_io_errors();
    context_state_errors();
    null_context();
    creation_errors();
    strings();

    pgemm_context_destroy(other);
    pgemm_context_destroy(ctx);
    return test_finish();
}
