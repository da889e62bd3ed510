/*
 * pgemm_hip_hgemm: the fp16 tile families behind one entry, and their
 * operand padding. Which devices have each family's instructions is host
 * data (pgemm_hip_hgemm_supported, src/hip/hip_variants.c).
 */
#include "hgemm_families.h"

extern "C" void pgemm_hip_hgemm_alignment(pgemm_hip_hgemm_kernel kernel, int *row_align_a,
                                          int *row_align_b, int *k_align)
{
    *k_align = PGEMM_HGEMM_BK;
    switch (kernel) {
    case PGEMM_HIP_HGEMM_MMA128:
    case PGEMM_HIP_HGEMM_MFMA: *row_align_a = 128; *row_align_b = 128; return;
    case PGEMM_HIP_HGEMM_MMA256: *row_align_a = 256; *row_align_b = 128; return;
    case PGEMM_HIP_HGEMM_WGMMA:
        *row_align_a = 128; *row_align_b = 256; *k_align = PGEMM_HGEMM_WGMMA_BK;
        return;
    default: *row_align_a = *row_align_b = PGEMM_HGEMM_FMA_TILE; return;
    }
}

extern "C" int pgemm_hip_hgemm(pgemm_hip_hgemm_kernel kernel, const pgemm_hip_hgemm_args *args,
                               void *stream)
{
    hipStream_t s = (hipStream_t)stream;
    switch (kernel) {
    case PGEMM_HIP_HGEMM_MMA128: return pgemm_hgemm_mma_launch(0, args, s);
    case PGEMM_HIP_HGEMM_MMA256: return pgemm_hgemm_mma_launch(1, args, s);
    case PGEMM_HIP_HGEMM_WGMMA: return pgemm_hgemm_wgmma_launch(args, s);
    case PGEMM_HIP_HGEMM_MFMA: return pgemm_hgemm_mfma_launch(args, s);
    case PGEMM_HIP_HGEMM_FMA: return pgemm_hgemm_fma_launch(0, args, s);
    case PGEMM_HIP_HGEMM_DOT2: return pgemm_hgemm_fma_launch(1, args, s);
    case PGEMM_HIP_HGEMM_COUNT: break;
    }
    return hipErrorInvalidValue;
}
