/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Family "vec": explicit vectors inside each work-item, no local memory, no
 * barriers. Made for CPU devices (PoCL, rusticl/llvmpipe), where a
 * work-group runs as a loop over its work-items on one core: there the
 * vectors must be in the kernel itself, and C must stay in registers.
 *
 *          TN columns                work-item (x, y) owns the VM x TN block
 *        +---------+                 at rows i0 = (group.x*WGM + x)*VM and
 *     VM |a a a a a|  <- acc[c],     columns j0 = (group.y*WGN + y)*TN.
 *        |a a a a a|     one VM-wide Per step p: one VM-wide load of op(A)
 *        +---------+     vector per  (contiguous when A is not transposed),
 *                        column      TN scalars of op(B), TN vector FMAs.
 *
 * Parameters: VM (4, 8 or 16), TN, WGM, WGN.
 */
#if VM == 16
typedef float16 floatm;
#define VLOADM vload16
#elif VM == 8
typedef float8 floatm;
#define VLOADM vload8
#elif VM == 4
typedef float4 floatm;
#define VLOADM vload4
#else
#error "VM must be 4, 8 or 16"
#endif

/* Lane e of a floatm, for the edges. */
#define LANE(v, e) (((float *)&(v))[e])

__kernel __attribute__((reqd_work_group_size(WGM, WGN, 1)))
void pgemm_gemm(PGEMM_KERNEL_ARGS)
{
    PGEMM_SELECT_BATCH();
    const int i0 = ((int)get_group_id(0) * WGM + (int)get_local_id(0)) * VM;
    const int j0 = ((int)get_group_id(1) * WGN + (int)get_local_id(1)) * TN;
    if (i0 >= M || j0 >= N) return;

    floatm acc[TN];
    for (int c = 0; c < TN; c++) acc[c] = (floatm)(0.0f);

#if !TRANS_A
    /* Inner blocks: op(A)'s rows are contiguous, one vector load per step. */
    if (i0 + VM <= M && j0 + TN <= N) {
        for (int p = 0; p < K; p++) {
            const floatm a = VLOADM(0, &A_AT(i0, p));
            for (int c = 0; c < TN; c++) acc[c] = fma(a, (floatm)(B_AT(p, j0 + c)), acc[c]);
        }
    } else
#endif
    {
        for (int p = 0; p < K; p++) {
            floatm a;
            for (int e = 0; e < VM; e++) LANE(a, e) = i0 + e < M ? A_AT(i0 + e, p) : 0.0f;
            for (int c = 0; c < TN; c++) {
                const float b = j0 + c < N ? B_AT(p, j0 + c) : 0.0f;
                acc[c] = fma(a, (floatm)(b), acc[c]);
            }
        }
    }

    /* The stores unroll (common.cl, PGEMM_UNROLL, says why). */
    PGEMM_UNROLL
    for (int c = 0; c < TN; c++) {
        const int j = j0 + c;
        if (j >= N) break;
        PGEMM_UNROLL
        for (int e = 0; e < VM; e++) {
            const int i = i0 + e;
            if (i < M) PGEMM_STORE_SUM(i, j, LANE(acc[c], e));
        }
    }
#if EPI_ACT
    /* The activation, on what the loop above stored (this work-item's own
     * writes, in cache): inside that loop it makes the loop too large to
     * unroll, and a rolled loop indexes acc at run time, which keeps acc in
     * scratch memory (Clover: 576 bytes per lane). This family runs on CPU
     * drivers, where the second pass reads the cache. */
    for (int c = 0; c < TN && j0 + c < N; c++)
        for (int e = 0; e < VM && i0 + e < M; e++) {
            __global float *dst = C + i0 + e + (j0 + c) * ldc;
            float v = *dst;
            PGEMM_ACTIVATE(v, float);
            *dst = v;
        }
#endif
}
