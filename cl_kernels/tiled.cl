/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Families "tile" and "reg": local-memory tiling with register blocking.
 *
 * A work-group computes a TM x TN tile of C. For each step of TK along K it
 * copies a TM x TK slab of op(A) and a TK x TN slab of op(B) into local
 * memory, then every work-item multiplies them into its TPM x TPN
 * accumulators (TPM = TM / WGM, TPN = TN / WGN):
 *
 *                      TN
 *                 +----------+
 *              TK |   Bs     |      Bs[k][j]: op(B)(p0 + k, j0 + j)
 *                 +----------+
 *       TK                            work-item (x, y) owns the rows
 *     +----+      +----------+        (x + r*WGM)*LVW + e  (e < LVW)
 *     |    |      | x  .  x  |        and the columns
 *  TM | As |      | .  .  .  |        (y + c*WGN)*LVW + f  (f < LVW)
 *     |    |      | x  .  x  |        of the tile. Neighbours read
 *     +----+      +----------+        neighbouring LVW-vectors of As (no
 *   As[k][i]: op(A)(i0 + i, p0 + k)    bank conflicts) and one of Bs.
 *
 * LVW = 4 reads local memory as float4 (one 128-bit load instead of four
 * 32-bit ones: the local-memory pipe, not the FMA units, bounds an 8 x 8
 * thread tile read with scalar loads on NVIDIA GPUs). LVW = 1 reads floats.
 *
 * Global loads go along each operand's contiguous direction, VW floats at a
 * time (vloadVW), so they coalesce whichever way A and B are transposed.
 * Edge tiles (ragged M, N, K) load element by element and fill zeros.
 *
 * DB = 1 double-buffers local memory: the next slab travels from global
 * memory into registers while the current one is multiplied, with one
 * barrier per step. DB = 0 loads, waits, multiplies, waits: two barriers
 * per step, but half the local memory, so TK can be twice as long (on an
 * H100 a 128 x 128 tile is 15% faster single-buffered with TK = 16 than
 * double-buffered with TK = 8). DB = 2 keeps one local buffer but issues
 * the next slab's global loads before the multiply, into registers: it
 * pays where few work-groups share a compute unit to hide their latency
 * (64 x 64 tile on 4096 x 64 x 4096: +15% on an H100) and costs where
 * they already do (128 x 128: -5%). The "tile" variants are small tiles
 * with DB = 0; each "reg" variant uses whichever is faster for its tile
 * (src/opencl/cl_variants.c).
 *
 * ALIGNED = 1 (the host sets it when A, B and C, their offsets, leading
 * dimensions and batch strides are all multiples of 4 floats) reads the
 * VW = 4 vectors as float4 loads: vload4 only promises 4-byte alignment, so
 * the NVIDIA compiler splits it into four scalar loads (3-8% of a 128 x 128
 * tile's time on an H100). CVEC = 1 stores full tiles of C as float4s
 * wherever C's layout allows it, in either build: C alone can be aligned
 * when A or B is not (an odd k with B not transposed), and there reg64 at
 * 3968 x 8192 x 7 runs at 8.7 TFLOP/s with float4 stores against 2.6 with
 * float stores on an H100.
 *
 * LANE_M = 8 arranges each 32 consecutive work-items as 8 along M by 4 along
 * N (instead of the work-group's rows of WGM): the multiply's float4 reads
 * then touch 8 vectors of As and 4 of Bs per 32 items instead of 16 and 2,
 * fewer local-memory wavefronts on NVIDIA. KU = TK unrolls the multiply's K
 * loop fully; the host asks for it on GPUs only. NVIDIA's compiler leaves
 * the loop rolled by default, and its address arithmetic and branch then
 * cost an 8 x 8 tile about 5%.
 *
 * KTAIL = 1 stops the last step of a K that is not a multiple of TK at K
 * instead of multiplying the zeros its loads filled in (at K = 1 a whole
 * slab is TK times the work); KTAIL = 0 multiplies the whole slab, which
 * some unrolled tiles need to keep their registers (see below).
 *
 * Parameters: TM, TN, TK, WGM, WGN, VW (1, 2 or 4), DB (0, 1 or 2), LVW (1 or
 * 4), ALIGNED, CVEC, LANE_M (0 or 8), KU (0 or TK), KTAIL (0 or 1). Requires
 * TM % (WGM*LVW) == 0, TN % (WGN*LVW) == 0, and that each slab splits evenly
 * into VW-wide loads over the WGM * WGN work-items; LANE_M = 8 needs
 * WGM % 8 == 0 and WGN % 4 == 0.
 */
#define NT (WGM * WGN)
#define TPM (TM / WGM)
#define TPN (TN / WGN)

#ifndef LVW
#define LVW 1
#endif
#ifndef ALIGNED
#define ALIGNED 0
#endif
#ifndef CVEC
#define CVEC 0
#endif
#ifndef LANE_M
#define LANE_M 0
#endif
#ifndef KU
#define KU 0
#endif
#ifndef KTAIL
#define KTAIL 1
#endif
#if LVW == 4
typedef float4 floatl;
#define LSPLIT(dst, v) do { (dst)[0] = (v).s0; (dst)[1] = (v).s1; (dst)[2] = (v).s2; (dst)[3] = (v).s3; } while (0)
#elif LVW == 1
typedef float floatl;
#define LSPLIT(dst, v) do { (dst)[0] = (v); } while (0)
#else
#error "LVW must be 1 or 4"
#endif

/* Local rows are padded by LVW words where they are written with a stride
 * (fewer bank conflicts; rows stay LVW-aligned). */
#if TRANS_A
#define LDA_LOC (TM + LVW)
#else
#define LDA_LOC TM
#endif
#if TRANS_B
#define LDB_LOC TN
#else
#define LDB_LOC (TN + LVW)
#endif

/* Loads per work-item per slab, in vectors of VW floats. */
#define LA (TM * TK / (VW * NT))
#define LB (TK * TN / (VW * NT))

#if (TM * TK) % (VW * NT) != 0 || (TK * TN) % (VW * NT) != 0
#error "slabs must split evenly into VW-wide loads"
#endif
#if TM % (WGM * LVW) != 0 || TN % (WGN * LVW) != 0
#error "TM and TN must be multiples of the work-group shape times LVW"
#endif

#if VW == 4
#if ALIGNED
#define VLOAD(ptr) (*(__global const float4 *)(ptr))
#else
#define VLOAD(ptr) vload4(0, (ptr))
#endif
#define VSPLIT(dst, v) do { (dst)[0] = (v).s0; (dst)[1] = (v).s1; (dst)[2] = (v).s2; (dst)[3] = (v).s3; } while (0)
#elif VW == 2
#define VLOAD(ptr) vload2(0, (ptr))
#define VSPLIT(dst, v) do { (dst)[0] = (v).s0; (dst)[1] = (v).s1; } while (0)
#elif VW == 1
#define VLOAD(ptr) (*(ptr))
#define VSPLIT(dst, v) do { (dst)[0] = (v); } while (0)
#else
#error "VW must be 1, 2 or 4"
#endif

/*
 * Vector v (0 <= v < TM*TK/VW) of the A slab covers VW consecutive elements
 * along A's contiguous direction: rows (no transpose) or K (transposed).
 * Element e of it is op(A)(ai + (TRANS_A ? 0 : e), ap + (TRANS_A ? e : 0)).
 */
#if TRANS_A
#define A_VEC_I(v) ((v) / (TK / VW))
#define A_VEC_P(v) (((v) % (TK / VW)) * VW)
#define A_EI 0
#define A_EP 1
#else
#define A_VEC_I(v) (((v) % (TM / VW)) * VW)
#define A_VEC_P(v) ((v) / (TM / VW))
#define A_EI 1
#define A_EP 0
#endif
#if TRANS_B
#define B_VEC_J(v) (((v) % (TN / VW)) * VW)
#define B_VEC_P(v) ((v) / (TN / VW))
#define B_EJ 1
#define B_EP 0
#else
#define B_VEC_J(v) ((v) / (TK / VW))
#define B_VEC_P(v) (((v) % (TK / VW)) * VW)
#define B_EJ 0
#define B_EP 1
#endif

/* Global slab at K offset p0 -> registers ra[LA*VW], rb[LB*VW]. */
#define LOAD_SLABS(p0)                                                               \
    do {                                                                             \
        const int full_a_ = a_rows_full && (p0) + TK <= K;                           \
        const int full_b_ = b_cols_full && (p0) + TK <= K;                           \
        for (int l = 0; l < LA; l++) {                                               \
            const int v = tid + l * NT;                                              \
            const int i = i0 + A_VEC_I(v), p = (p0) + A_VEC_P(v);                    \
            if (full_a_) {                                                           \
                VSPLIT(ra + l * VW, VLOAD(&A_AT(i, p)));                             \
            } else {                                                                 \
                for (int e = 0; e < VW; e++) {                                       \
                    const int ie = i + e * A_EI, pe = p + e * A_EP;                  \
                    ra[l * VW + e] = (ie < M && pe < K) ? A_AT(ie, pe) : 0.0f;       \
                }                                                                    \
            }                                                                        \
        }                                                                            \
        for (int l = 0; l < LB; l++) {                                               \
            const int v = tid + l * NT;                                              \
            const int j = j0 + B_VEC_J(v), p = (p0) + B_VEC_P(v);                    \
            if (full_b_) {                                                           \
                VSPLIT(rb + l * VW, VLOAD(&B_AT(p, j)));                             \
            } else {                                                                 \
                for (int e = 0; e < VW; e++) {                                       \
                    const int je = j + e * B_EJ, pe = p + e * B_EP;                  \
                    rb[l * VW + e] = (je < N && pe < K) ? B_AT(pe, je) : 0.0f;       \
                }                                                                    \
            }                                                                        \
        }                                                                            \
    } while (0)

/* Local memory is declared in LVW-vectors (so reads are aligned vector
 * loads) and written as floats: element (buf, k, x) of a slab. */
#define AS_AT(buf, k, x) (((__local float *)As)[((buf) * TK + (k)) * LDA_LOC + (x)])
#define BS_AT(buf, k, x) (((__local float *)Bs)[((buf) * TK + (k)) * LDB_LOC + (x)])

/* Registers -> local buffer `buf`. */
#define STORE_SLABS(buf)                                                             \
    do {                                                                             \
        for (int l = 0; l < LA; l++) {                                               \
            const int v = tid + l * NT;                                              \
            for (int e = 0; e < VW; e++)                                             \
                AS_AT(buf, A_VEC_P(v) + e * A_EP, A_VEC_I(v) + e * A_EI) = ra[l * VW + e]; \
        }                                                                            \
        for (int l = 0; l < LB; l++) {                                               \
            const int v = tid + l * NT;                                              \
            for (int e = 0; e < VW; e++)                                             \
                BS_AT(buf, B_VEC_P(v) + e * B_EP, B_VEC_J(v) + e * B_EJ) = rb[l * VW + e]; \
        }                                                                            \
    } while (0)

#if KU == TK
#define UNROLL_K _Pragma("unroll")
#elif KU == 0
#define UNROLL_K
#else
#error "KU must be 0 or TK"
#endif

/* acc += As[buf][k] * Bs[buf][k] for this work-item's rows and columns. */
#define MULTIPLY_K(buf, k)                                                           \
    do {                                                                             \
        float a[TPM], b[TPN];                                                        \
        for (int r = 0; r < TPM / LVW; r++)                                          \
            LSPLIT(a + r * LVW, As[buf][k][tx + r * WGM]);                           \
        for (int c = 0; c < TPN / LVW; c++)                                          \
            LSPLIT(b + c * LVW, Bs[buf][k][ty + c * WGN]);                           \
        for (int r = 0; r < TPM; r++)                                                \
            for (int c = 0; c < TPN; c++) acc[r][c] += a[r] * b[c];                  \
    } while (0)

/* The multiply of a full slab, and of the last slab of a ragged K
 * (KTAIL = 1), which stops at its kn rows along K. */
#define MULTIPLY(buf)                                                                \
    do {                                                                             \
        UNROLL_K                                                                     \
        for (int k = 0; k < TK; k++) MULTIPLY_K(buf, k);                             \
    } while (0)
#define MULTIPLY_TAIL(buf, kn)                                                       \
    do {                                                                             \
        for (int k = 0; k < (kn); k++) MULTIPLY_K(buf, k);                           \
    } while (0)

/* Tile row of accumulator row r (r < TPM), tile column of accumulator column c. */
#define ROW_OF(r) ((tx + ((r) / LVW) * WGM) * LVW + (r) % LVW)
#define COL_OF(c) ((ty + ((c) / LVW) * WGN) * LVW + (c) % LVW)

__kernel __attribute__((reqd_work_group_size(WGM, WGN, 1)))
void pgemm_gemm(PGEMM_KERNEL_ARGS)
{
    __local floatl As[1 + (DB == 1)][TK][LDA_LOC / LVW];
    __local floatl Bs[1 + (DB == 1)][TK][LDB_LOC / LVW];

    PGEMM_SELECT_BATCH();
    const int tid = (int)get_local_id(0) + (int)get_local_id(1) * WGM;
    /* This work-item's place (tx, ty) in the multiply; the slab copies go by tid. */
#if LANE_M == 8
#if WGM % 8 != 0 || WGN % 4 != 0
#error "LANE_M = 8 needs WGM % 8 == 0 and WGN % 4 == 0"
#endif
    const int lane = tid % 32, warp = tid / 32;
    const int tx = (warp % (WGM / 8)) * 8 + lane % 8, ty = (warp / (WGM / 8)) * 4 + lane / 8;
#elif LANE_M == 0
    const int tx = (int)get_local_id(0), ty = (int)get_local_id(1);
#else
#error "LANE_M must be 0 or 8"
#endif
    const int i0 = (int)get_group_id(0) * TM, j0 = (int)get_group_id(1) * TN;
    const int a_rows_full = i0 + TM <= M, b_cols_full = j0 + TN <= N;

    float acc[TPM][TPN];
    for (int r = 0; r < TPM; r++)
        for (int c = 0; c < TPN; c++) acc[r][c] = 0.0f;
    float ra[LA * VW], rb[LB * VW];

    /* `full` steps of TK, then a last one of `tail` if K is ragged. On an
     * H100 the short step runs tile24 at 3980 x 8576 x 7 at 4.4 TFLOP/s
     * against 2.8 for the whole slab, tile20 at 549 x 3954 x 1 1.36x and
     * reg64k32 at 3000 x 3000 x 9 1.56x as fast, and leaves large products
     * as they are (tile16 loses 3-4% at k = 7 and 9). The other unrolled reg
     * tiles keep KTAIL = 0: the extra loop takes reg64 from 47 registers to
     * as many as 66 and costs their large products 2-8%. */
#if KTAIL
    const int full = K / TK, tail = K - full * TK;
#else
    const int full = (K + TK - 1) / TK, tail = 0;
#endif
#if DB == 1
    const int steps = full + (tail > 0);
    if (steps > 0) {
        LOAD_SLABS(0);
        STORE_SLABS(0);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = 0; s < full; s++) {
        const int cur = s & 1;
        if (s + 1 < steps) LOAD_SLABS((s + 1) * TK);
        MULTIPLY(cur);
        /* The other buffer was last read before the previous barrier. */
        if (s + 1 < steps) STORE_SLABS(cur ^ 1);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (tail) MULTIPLY_TAIL(full & 1, tail);
#elif DB == 2
    /* One local buffer; the next slab's global loads are issued before the
     * multiply and land in registers while it runs. */
    const int steps = full + (tail > 0);
    if (steps > 0) LOAD_SLABS(0);
    for (int s = 0; s < full; s++) {
        STORE_SLABS(0);
        barrier(CLK_LOCAL_MEM_FENCE);
        if (s + 1 < steps) LOAD_SLABS((s + 1) * TK);
        MULTIPLY(0);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (tail) {
        STORE_SLABS(0);
        barrier(CLK_LOCAL_MEM_FENCE);
        MULTIPLY_TAIL(0, tail);
    }
#else
    for (int s = 0; s < full; s++) {
        LOAD_SLABS(s * TK);
        STORE_SLABS(0);
        barrier(CLK_LOCAL_MEM_FENCE);
        MULTIPLY(0);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (tail) {
        LOAD_SLABS(full * TK);
        STORE_SLABS(0);
        barrier(CLK_LOCAL_MEM_FENCE);
        MULTIPLY_TAIL(0, tail);
    }
#endif

#if CVEC && LVW == 4
    /* A full tile: each run of 4 rows is one aligned float4 of a column of C,
     * where C allows it: always in the aligned build; in the other one when
     * ldc and this matrix's address are multiples of 4 floats (the same for
     * every work-group of a matrix). Stored as floats instead, the 32
     * work-items of a store instruction write 4 bytes each 16 bytes apart. */
#if ALIGNED
    const int c_vectors = 1;
#else
    const int c_vectors = (ldc & 3) == 0 && ((size_t)C & 15) == 0;
#endif
    if (c_vectors && a_rows_full && b_cols_full) {
        PGEMM_UNROLL
        for (int r = 0; r < TPM; r += 4) {
            PGEMM_UNROLL
            for (int c = 0; c < TPN; c++) {
                const int i = i0 + ROW_OF(r), j = j0 + COL_OF(c);
                __global float4 *dst = (__global float4 *)(C + i + j * ldc);
                float4 v =
                    alpha * (float4)(acc[r][c], acc[r + 1][c], acc[r + 2][c], acc[r + 3][c]);
                if (beta != 0.0f) v += beta * *dst;
                PGEMM_ADD_BIAS4(v, i, j);
                PGEMM_ACTIVATE(v, float4);
                *dst = v;
            }
        }
        return;
    }
#endif
    /* The stores unroll (common.cl, PGEMM_UNROLL, says why). */
    PGEMM_UNROLL
    for (int r = 0; r < TPM; r++) {
        const int i = i0 + ROW_OF(r);
        if (i >= M) continue;
        PGEMM_UNROLL
        for (int c = 0; c < TPN; c++) {
            const int j = j0 + COL_OF(c);
            if (j < N) PGEMM_STORE(i, j, acc[r][c]);
        }
    }
}
