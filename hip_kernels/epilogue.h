/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The epilogue in the HIP kernels' stores (hip_launch.h, pgemm_hip_epilogue):
 * each element of C gets its bias and activation in registers, between the
 * sum and the store, so a fused layer costs no second pass over C. The
 * tests are uniform across a launch, so a plain GEMM pays three predicated
 * branches per stored element and nothing else.
 */
#ifndef PGEMM_HIP_EPILOGUE_H
#define PGEMM_HIP_EPILOGUE_H

#include "hip_launch.h"
#include "pgemm_hip_platform.h"

/* Product `batch`'s bias vector (NULL without a bias). */
__device__ inline const float *pgemm_hip_bias_of(const pgemm_hip_epilogue &e, long long batch)
{
    return e.bias_kind ? e.bias + batch * e.stride_bias : nullptr;
}

/* The formulas of include/pgemm.h, in fp32. */
__device__ inline float pgemm_hip_activate(int activation, float x)
{
    switch (activation) {
    case 1: return x < 0.0f ? 0.0f : x;
    case 2: return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case 3: return x / (1.0f + expf(-x));
    default: return x;
    }
}

/* The stored value of C(i, j) from its sum v; bias is pgemm_hip_bias_of's. */
__device__ inline float pgemm_hip_finish(const pgemm_hip_epilogue &e, const float *bias, int i,
                                         int j, float v)
{
    if (e.bias_kind == 1)
        v += bias[i];
    else if (e.bias_kind == 2)
        v += bias[j];
    return e.activation ? pgemm_hip_activate(e.activation, v) : v;
}

#endif
