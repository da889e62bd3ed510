/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HIP kernel variants, one row each. Everything else about a variant
 * comes from its row: the kernel enums (hip_launch.h), the host descriptors
 * the selector reads and the operand padding (src/hip/hip_variants.c), the
 * launch dispatch (sgemm_tile.hip, fp16/hgemm.hip) and the geometry each
 * family's kernel is instantiated with (fp16/hgemm_rows.h). A row that its
 * kernel cannot run fails the build: every family checks its rows with
 * static_assert, on AMD and NVIDIA builds alike.
 *
 * Plain preprocessor and one enum: read by C and HIP C++.
 */
#ifndef PGEMM_HIP_VARIANT_TABLE_H
#define PGEMM_HIP_VARIANT_TABLE_H

/*
 * FP32 tiles (sgemm_tile.hip): 256 threads as 16 x 16, so a thread computes
 * (tile_m / 16) x (tile_n / 16) outputs; float4 global loads; op(A) and op(B)
 * slices K-major in two alternating shared buffers (rows padded by 4
 * floats), the next step's loads held in registers during the multiply; C
 * stored as float4s.
 *
 *   X(id,      name,      tile_m, tile_n, tile_k)
 */
#define PGEMM_HIP_SGEMM_VARIANTS(X)     \
    X(T128K16, "t128k16", 128, 128, 16) \
    X(T64,     "t64",      64,  64, 16) \
    X(T128X64, "t128x64", 128,  64, 16)

/* Shared memory of an FP32 tile: two buffers of op(A) and op(B) slices. */
#define PGEMM_HIP_SGEMM_LOCAL(tm, tn, tk) (2 * (tk) * (((tm) + 4) + ((tn) + 4)) * 4)

/* What an fp16 kernel's instructions need of the device
 * (pgemm_hip_isa_present, src/hip/hip_variants.c). */
typedef enum pgemm_hip_isa {
    PGEMM_HIP_ISA_ANY,   /* fp16 loads, fp32 FMA: every GPU */
    PGEMM_HIP_ISA_DOT2,  /* v_dot2_f32_f16 (gfx906, gfx908, gfx90a, gfx1030); two FMAs on NVIDIA */
    PGEMM_HIP_ISA_MFMA,  /* v_mfma_f32_32x32x8f16: CDNA 1 and 2 (gfx908, gfx90a) */
    PGEMM_HIP_ISA_SM80,  /* mma.sync m16n8k16 with fp16 operands: NVIDIA sm_80 and later */
    PGEMM_HIP_ISA_SM90A  /* wgmma: sm_90a code, compute capability 9.0 only */
} pgemm_hip_isa;

/*
 * FP16 tiles (fp16/): packed K-major operands (hip_launch.h), fp32
 * accumulation, 256 threads, 16-byte global loads.
 *
 *   kernel   the family that runs the row: wgmma (hgemm_wgmma.hip), mma
 *            (hgemm_mma.hip), mfma (hgemm_mfma.hip), fma and dot2
 *            (hgemm_fma.hip)
 *   stages   K steps held in shared memory at once (a ring, or two buffers)
 *   warps_m  mma: warps along M (the other of the 8 along N); 0 where the
 *            family arranges its warps itself
 *   unit     what does the arithmetic (pgemm_variant_desc.unit)
 *   tier     the unit's peak rate among the fp16 units, a faster one
 *            higher: the selector weighs by it
 *   store    floats per C store (pgemm_variant_desc.c_store_width: wgmma
 *            its fragments' pairs, mma 128-byte runs staged in shared memory
 *            (store_c.h) taken as float4s, dot2 and fma single floats; 0 not
 *            stated)
 *   isa      the instructions it needs (pgemm_hip_isa)
 *
 *   X(id,     name,        kernel, tile_m, tile_n, tile_k, stages, warps_m, unit,       tier, store, isa)
 */
#define PGEMM_HIP_HGEMM_VARIANTS(X)                                                        \
    X(WGMMA,  "h16wgmma",  wgmma, 128, 256, 64, 4, 0, "wgmma",    15, 2, PGEMM_HIP_ISA_SM90A) \
    X(MMA128, "h16mma128", mma,   128, 128, 32, 4, 2, "mma.sync", 10, 4, PGEMM_HIP_ISA_SM80)  \
    X(MMA256, "h16mma256", mma,   256, 128, 32, 3, 4, "mma.sync", 10, 4, PGEMM_HIP_ISA_SM80)  \
    X(MFMA,   "h16mfma",   mfma,  128, 128, 32, 2, 0, "mfma",      8, 0, PGEMM_HIP_ISA_MFMA)  \
    X(DOT2,   "h16dot2",   dot2,   64,  64, 32, 2, 0, "dot2",      2, 1, PGEMM_HIP_ISA_DOT2)  \
    X(FMA,    "h16fma",    fma,    64,  64, 32, 2, 0, "fma",       1, 1, PGEMM_HIP_ISA_ANY)

/* Shared memory of an fp16 row, by family: a ring of `stages` steps of
 * op(A) and op(B) halves (wgmma also 1 KiB to align the ring to the
 * 1024-byte swizzle; mfma two steps), or for fma and dot2 `stages` buffers
 * of fp16 pairs along K with rows padded by 4 pairs. */
#define PGEMM_HIP_HGEMM_RING(tm, tn, tk, stages) ((stages) * ((tm) + (tn)) * (tk) * 2)
#define PGEMM_HIP_HGEMM_PAIRS(tm, tn, tk, stages) \
    ((stages) * ((tk) / 2) * (((tm) + 4) + ((tn) + 4)) * 4)
#define PGEMM_HIP_HGEMM_LOCAL_wgmma(tm, tn, tk, st) (PGEMM_HIP_HGEMM_RING(tm, tn, tk, st) + 1024)
#define PGEMM_HIP_HGEMM_LOCAL_mma(tm, tn, tk, st) PGEMM_HIP_HGEMM_RING(tm, tn, tk, st)
#define PGEMM_HIP_HGEMM_LOCAL_mfma(tm, tn, tk, st) PGEMM_HIP_HGEMM_RING(tm, tn, tk, st)
#define PGEMM_HIP_HGEMM_LOCAL_dot2(tm, tn, tk, st) PGEMM_HIP_HGEMM_PAIRS(tm, tn, tk, st)
#define PGEMM_HIP_HGEMM_LOCAL_fma(tm, tn, tk, st) PGEMM_HIP_HGEMM_PAIRS(tm, tn, tk, st)
#define PGEMM_HIP_HGEMM_LOCAL(kernel, tm, tn, tk, st) PGEMM_HIP_HGEMM_LOCAL_##kernel(tm, tn, tk, st)

#endif
