/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OpenCL kernel variants: each is a family's source plus a parameter
 * set, turned into build options. Pure data: no OpenCL calls here, so tools
 * (the Clover resource check) can list the exact builds without a device.
 */
#ifndef PGEMM_CL_VARIANTS_H
#define PGEMM_CL_VARIANTS_H

#include <stddef.h>

#include "backend.h"

typedef enum cl_family_source {
    CL_SOURCE_DIRECT = 0, /* cl_kernels/direct.cl */
    CL_SOURCE_TILED = 1,  /* cl_kernels/tiled.cl */
    CL_SOURCE_VECTOR = 2, /* cl_kernels/vector.cl */
    CL_SOURCE_SUM = 3     /* cl_kernels/sum_parts.cl: split-K's sum, not a variant */
} cl_family_source;

typedef struct cl_variant {
    pgemm_variant_desc desc;
    cl_family_source source;
    unsigned local_vector;   /* tiled: local-memory read width LVW (1 or 4) */
    unsigned lane_m;         /* tiled: 8 = each 32 work-items 8 along M x 4 along N;
                                0 = the work-group's rows of wg_m */
    int unroll_k;            /* tiled: unroll the multiply's K loop fully on GPUs */
    int whole_last_step;     /* tiled, where the K loop is unrolled: the last step of a
                                ragged K multiplies its whole slab, zeros included */
    int vector_c;            /* tiled: float4 stores of full C tiles wherever C's layout
                                allows them, in either build */
} cl_variant;

size_t pgemm_cl_variant_count(void);
const cl_variant *pgemm_cl_variant(size_t index);

/* Split-K's second pass (cl_kernels/sum_parts.cl), built and launched as a
 * variant is, with A the partial sums and K their count; not in the variant
 * list (the selector never sees it). */
const cl_variant *pgemm_cl_sum_kernel(void);

/* The family's file name under cl_kernels/ ("tiled.cl"). */
const char *pgemm_cl_source_file(cl_family_source source);

/* Whether the variant has a separate build for operands that allow 16-byte
 * vector accesses (tiled with float4 global loads). */
int pgemm_cl_variant_has_aligned_build(const cl_variant *v);

/* What a build is for, besides the transposes. */
enum {
    /* A, B and C, offsets, leading dimensions and batch strides are
     * multiples of 4 floats (only for variants with an aligned build; the
     * backend asks for it on GPUs only, cl_backend.c says why). */
    PGEMM_CL_BUILD_ALIGNED = 1,
    /* The device is a GPU: variants with unroll_k unroll their K loop (on
     * CPU drivers a full unroll multiplies the compile time, PoCL's by ten). */
    PGEMM_CL_BUILD_GPU = 2
};

/* The epilogue of a build, as PGEMM_CL_BUILD_* bits: an activation
 * (pgemm_activation) and a bias kind (pgemm_bias, column-major), 12 pairs
 * (cl_kernels/common.cl: EPI_ACT, EPI_BIAS). Pair 0 is the plain GEMM. */
#define PGEMM_CL_EPILOGUES 12u
#define PGEMM_CL_BUILD_EPILOGUE(act, bias) ((((unsigned)(act)) | ((unsigned)(bias) << 2)) << 4)
#define PGEMM_CL_EPILOGUE_OF(build) (((build) >> 4) & 15u)

/* Build options for one variant, transpose pair and PGEMM_CL_BUILD_* flags:
 * "-cl-std=CL1.1 -DTRANS_A=0 ...". Returns dst. */
char *pgemm_cl_build_options(const cl_variant *v, int trans_a, int trans_b, unsigned build,
                             char *dst, size_t cap);

/* Global and local NDRange sizes for an m x n x batch problem. */
void pgemm_cl_ndrange(const cl_variant *v, size_t m, size_t n, size_t batch, size_t global[3],
                      size_t local[3]);

/* Checks a variant's invariants (tile = work-group x thread tile, loads
 * split evenly, local memory <= 32 KiB, work-group <= 256). Returns NULL if
 * sound, else a description of the first violation. */
const char *pgemm_cl_variant_invalid(const cl_variant *v);

#endif
