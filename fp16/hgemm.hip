/*
 * pgemm_hip_hgemm: the fp16 tile families behind one entry, their operand
 * padding, and which devices have the instructions each one is built on.
 */
#include "hgemm_families.h"

extern "C" void pgemm_hip_hgemm_alignment(pgemm_hip_hgemm_kernel kernel, int *row_align_a,
                                          int *row_align_b, int *k_align)
{
    *k_align = PGEMM_HGEMM_BK;
    switch (kernel) {
    case PGEMM_HIP_HGEMM_MMA128: *row_align_a = 128; *row_align_b = 128; return;
    case PGEMM_HIP_HGEMM_MMA256: *row_align_a = 256; *row_align_b = 128; return;
    case PGEMM_HIP_HGEMM_WGMMA:
        *row_align_a = 128; *row_align_b = 256; *k_align = PGEMM_HGEMM_WGMMA_BK;
        return;
    default: *row_align_a = *row_align_b = PGEMM_HGEMM_FMA_TILE; return;
    }
}

extern "C" int pgemm_hip_hgemm_supported(pgemm_hip_hgemm_kernel kernel, int nvidia, int arch)
{
    switch (kernel) {
    case PGEMM_HIP_HGEMM_MMA128:
    case PGEMM_HIP_HGEMM_MMA256:
        /* mma.sync m16n8k16 with fp16 operands: Ampere (sm_80) and later. */
        return nvidia && arch >= 80;
    case PGEMM_HIP_HGEMM_WGMMA:
        /* wgmma: sm_90a code, which runs on compute capability 9.0 only. */
        return nvidia && arch == 90;
    case PGEMM_HIP_HGEMM_FMA:
        return 1;
    case PGEMM_HIP_HGEMM_DOT2:
        /* v_dot2_f32_f16 on AMD: gfx906, gfx908, gfx90a (910 here), gfx1030.
         * NVIDIA runs the same pair loop with two FMAs: offered there so the
         * family's indexing is tested on the GPU that is available. */
        return nvidia || arch == 906 || arch == 908 || arch == 910 || arch == 1030;
    case PGEMM_HIP_HGEMM_COUNT:
        break;
    }
    return 0;
}

extern "C" int pgemm_hip_hgemm(pgemm_hip_hgemm_kernel kernel, const pgemm_hip_hgemm_args *args,
                               void *stream)
{
    hipStream_t s = (hipStream_t)stream;
    switch (kernel) {
    case PGEMM_HIP_HGEMM_MMA128: return pgemm_hgemm_mma_launch(0, args, s);
    case PGEMM_HIP_HGEMM_MMA256: return pgemm_hgemm_mma_launch(1, args, s);
    case PGEMM_HIP_HGEMM_WGMMA: return pgemm_hgemm_wgmma_launch(args, s);
    case PGEMM_HIP_HGEMM_FMA: return pgemm_hgemm_fma_launch(0, args, s);
    case PGEMM_HIP_HGEMM_DOT2: return pgemm_hgemm_fma_launch(1, args, s);
    case PGEMM_HIP_HGEMM_COUNT: break;
    }
    return hipErrorInvalidValue;
}
