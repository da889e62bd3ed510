/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Family "direct": no local memory; each work-item reads its rows of op(A)
 * and columns of op(B) straight from global memory (the caches provide the
 * reuse). Made for small and skinny products, where a tiled kernel's local
 * memory round trip and barriers cost more than they save.
 *
 *              N
 *        +-----------+        work-group WGM x WGN; work-item (x, y) owns
 *        | x . x . x |        C(i0 + x + r*WGM, j0 + y + c*WGN)
 *     M  | . . . . . |        for r < TPM, c < TPN (strided, so that
 *        | x . x . x |        neighbouring work-items read neighbouring
 *        +-----------+        addresses of A).
 *
 * Parameters: WGM, WGN (work-group), TPM, TPN (outputs per work-item).
 */
__kernel __attribute__((reqd_work_group_size(WGM, WGN, 1)))
void pgemm_gemm(PGEMM_KERNEL_ARGS)
{
    PGEMM_SELECT_BATCH();
    const int i0 = (int)get_group_id(0) * (WGM * TPM) + (int)get_local_id(0);
    const int j0 = (int)get_group_id(1) * (WGN * TPN) + (int)get_local_id(1);

    float acc[TPM][TPN];
    for (int r = 0; r < TPM; r++)
        for (int c = 0; c < TPN; c++) acc[r][c] = 0.0f;

    for (int p = 0; p < K; p++) {
        float a[TPM], b[TPN];
        for (int r = 0; r < TPM; r++) {
            const int i = i0 + r * WGM;
            a[r] = i < M ? A_AT(i, p) : 0.0f;
        }
        for (int c = 0; c < TPN; c++) {
            const int j = j0 + c * WGN;
            b[c] = j < N ? B_AT(p, j) : 0.0f;
        }
        for (int r = 0; r < TPM; r++)
            for (int c = 0; c < TPN; c++) acc[r][c] += a[r] * b[c];
    }

    for (int r = 0; r < TPM; r++) {
        const int i = i0 + r * WGM;
        if (i >= M) break;
        for (int c = 0; c < TPN; c++) {
            const int j = j0 + c * WGN;
            if (j < N) PGEMM_STORE(i, j, acc[r][c]);
        }
    }
}
