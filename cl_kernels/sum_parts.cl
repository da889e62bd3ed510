/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split-K's second pass (src/split_k.h): A holds K column-major M x N
 * partial sums, partial p at A + a_off + p * stride_a with leading
 * dimension lda, and each work-item gives one element of C its value,
 *
 *     C(i, j) = epilogue(alpha * (W_0(i, j) + ... + W_{K-1}(i, j)) + beta * C(i, j)),
 *
 * adding the partials in that order, so that the result does not depend on
 * timing. B is not read. Work-groups of WGM x WGN items, item (x, y) at
 * element (x, y) of the group's block.
 */
__kernel __attribute__((reqd_work_group_size(WGM, WGN, 1)))
void pgemm_gemm(PGEMM_KERNEL_ARGS)
{
    PGEMM_SELECT_BATCH();
    const int i = (int)get_global_id(0), j = (int)get_global_id(1);
    if (i >= M || j >= N) return;
    __global const float *w = A + i + (ulong)j * lda;
    float acc = 0.0f;
    for (int p = 0; p < K; p++) acc += w[p * stride_a];
    PGEMM_STORE(i, j, acc);
}
