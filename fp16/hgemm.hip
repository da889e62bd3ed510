/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm_hip_hgemm: the fp16 tile families behind one entry, dispatched by
 * the rows of hip_variant_table.h. Which devices have each row's
 * instructions is host data (pgemm_hip_isa_present, src/hip/hip_variants.c).
 */
#include "hgemm_families.h"

extern "C" int pgemm_hip_hgemm(pgemm_hip_hgemm_kernel kernel, const pgemm_hip_hgemm_args *args,
                               void *stream)
{
    hipStream_t s = (hipStream_t)stream;
    switch (kernel) {
#define PGEMM_HGEMM_DISPATCH(id, name, family, ...)                                                \
    case PGEMM_HIP_HGEMM_##id: return pgemm_hgemm_##family##_launch(PGEMM_HIP_HGEMM_##id, args, s);
        PGEMM_HIP_HGEMM_VARIANTS(PGEMM_HGEMM_DISPATCH)
#undef PGEMM_HGEMM_DISPATCH
    case PGEMM_HIP_HGEMM_COUNT: break;
    }
    return hipErrorInvalidValue;
}
