/* SPDX-License-Identifier: BSD-3-Clause */
/* A user's program: one ragged, transposed product with alpha and beta
 * through the host-pointer API, checked against a plain loop; prints what
 * pgemm ran. Exit status 0 only if pgemm ran a kernel and the result is
 * right. */
#include <math.h>
#include <pgemm.h>
#include <stdio.h>
#include <stdlib.h>

enum { M = 37, N = 21, K = 13, LDA = K + 3, LDB = N + 1, LDC = M + 2 };

int main(void)
{
    static float a[M * LDA], b[K * LDB], c[N * LDC], want[N * LDC];
    for (int i = 0; i < M * LDA; i++) a[i] = (float)((i * 7 % 13) - 6) / 8.0f;
    for (int i = 0; i < K * LDB; i++) b[i] = (float)((i * 5 % 11) - 5) / 4.0f;
    for (int i = 0; i < N * LDC; i++) c[i] = want[i] = (float)(i % 9) - 4.0f;
    const float alpha = 1.5f, beta = -0.5f;
    /* Column-major C = alpha * A^T * B^T + beta * C: A is stored K x M, B
     * N x K, each with padding between its columns. */
    for (int j = 0; j < N; j++)
        for (int i = 0; i < M; i++) {
            double s = 0.0;
            for (int p = 0; p < K; p++) s += (double)a[i * LDA + p] * b[p * LDB + j];
            want[j * LDC + i] = (float)(alpha * s + beta * want[j * LDC + i]);
        }

    pgemm_context *ctx;
    if (pgemm_context_create(NULL, &ctx) != PGEMM_SUCCESS) {
        fprintf(stderr, "consumer: no context: %s\n", pgemm_last_error(NULL));
        return 1;
    }
    pgemm_status st = pgemm_sgemm_host(ctx, PGEMM_COL_MAJOR, PGEMM_TRANS, PGEMM_TRANS, M, N, K,
                                       alpha, a, LDA, b, LDB, beta, c, LDC);
    pgemm_call_info call;
    if (st != PGEMM_SUCCESS || pgemm_last_call(ctx, &call) != PGEMM_SUCCESS || !call.variant[0]) {
        fprintf(stderr, "consumer: sgemm failed: %s\n", pgemm_last_error(ctx));
        pgemm_context_destroy(ctx);
        return 1;
    }
    double worst = 0.0;
    for (int j = 0; j < N; j++)
        for (int i = 0; i < LDC; i++) {
            double d = fabs((double)c[j * LDC + i] - want[j * LDC + i]);
            if (d > worst) worst = d;
        }
    printf("consumer: pgemm %s ran %s on %s; largest error %.3g\n", pgemm_version_string(),
           call.variant, pgemm_backend_name(call.backend), worst);
    pgemm_context_destroy(ctx);
    return worst <= 1e-4 ? 0 : 1;
}
