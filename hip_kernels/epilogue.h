/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The epilogue in the HIP kernels' stores (hip_launch.h, pgemm_hip_epilogue):
 * each element of C gets its bias and activation in registers, between the
 * sum and the store, so a fused layer costs no second pass over C. The
 * tests are uniform across a launch: a plain GEMM pays a few uniform
 * branches per stored element and nothing else.
 */
#ifndef PGEMM_HIP_EPILOGUE_H
#define PGEMM_HIP_EPILOGUE_H

#include <type_traits>

#include "hip_launch.h"
#include "pgemm_hip_platform.h"

/* Product `batch`'s bias vector (NULL without a bias). */
__device__ inline const float *pgemm_hip_bias_of(const pgemm_hip_epilogue &e, long long batch)
{
    return e.bias_kind ? e.bias + batch * e.stride_bias : nullptr;
}

/* The formulas of include/pgemm.h in fp32, the activation fixed at compile
 * time (ACT as pgemm_hip_epilogue.activation). GELU's tanh form is written
 * x / (1 + e^(-2u)), which is x/2 (1 + tanh u) exactly (1/2 (1 + tanh u) =
 * 1 / (1 + e^(-2u))), with one exponential and no tanh; SiLU is
 * x / (1 + e^(-x)). __fdividef is within 2 ulps where the quotient is not
 * negligible (it gives 0 for denominators beyond 2^126, where the exact
 * value is below |x| 2^-126). */
template <int ACT> __device__ inline float pgemm_hip_act(float x)
{
    if (ACT == 1) return x < 0.0f ? 0.0f : x;
    if (ACT == 2) {
        const float u = 0.7978845608028654f * (x + 0.044715f * x * x * x);
        return __fdividef(x, 1.0f + expf(-2.0f * u));
    }
    if (ACT == 3) return __fdividef(x, 1.0f + expf(-x));
    return x;
}

/* Calls f(std::integral_constant<int, ACT>()) for the launch's activation,
 * so that a store loop is compiled once per activation and has no switch
 * per element. */
template <typename F> __device__ inline void pgemm_hip_for_activation(int activation, F &&f)
{
    switch (activation) {
    case 1: f(std::integral_constant<int, 1>()); break;
    case 2: f(std::integral_constant<int, 2>()); break;
    case 3: f(std::integral_constant<int, 3>()); break;
    default: f(std::integral_constant<int, 0>()); break;
    }
}

/* The stored value of C(i, j) from its sum v with activation ACT; bias is
 * pgemm_hip_bias_of's. */
template <int ACT>
__device__ inline float pgemm_hip_finish_as(const pgemm_hip_epilogue &e, const float *bias, int i,
                                            int j, float v)
{
    if (e.bias_kind == 1)
        v += bias[i];
    else if (e.bias_kind == 2)
        v += bias[j];
    return pgemm_hip_act<ACT>(v);
}

/* The same with the launch's activation chosen per element. */
__device__ inline float pgemm_hip_finish(const pgemm_hip_epilogue &e, const float *bias, int i,
                                         int j, float v)
{
    float out = v;
    pgemm_hip_for_activation(e.activation, [&](auto act) {
        out = pgemm_hip_finish_as<decltype(act)::value>(e, bias, i, j, v);
    });
    return out;
}

#endif
