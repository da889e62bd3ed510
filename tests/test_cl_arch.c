/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm_info.arch of OpenCL devices (src/opencl/cl_arch.c) from the names
 * real drivers report, without a device: the architecture the selector's
 * model tiers match on (docs/TUNING.md).
 */
#include <string.h>

#include "cl_arch.h"
#include "test_util.h"

static void expect(const char *name, int nv_major, int nv_minor, int pocl, const char *want)
{
    char got[64];
    pgemm_cl_arch(name, nv_major, nv_minor, pocl, got, sizeof got);
    CHECK_MSG(!strcmp(got, want), "\"%s\": arch \"%s\", want \"%s\"", name, got, want);
}

int main(void)
{
    test_begin("test_cl_arch");
    /* NVIDIA: the compute capability the driver reports, whatever the name. */
    expect("NVIDIA H200", 9, 0, 0, "sm_90");
    expect("NVIDIA H100 80GB HBM3", 9, 0, 0, "sm_90");
    expect("NVIDIA GeForce RTX 3090", 8, 6, 0, "sm_86");
    /* AMD under ROCm: the target, without its features. */
    expect("gfx90a:sramecc+:xnack-", -1, 0, 0, "gfx90a");
    expect("gfx1030", -1, 0, 0, "gfx1030");
    /* AMD under Clover: the chip in parentheses, as a target. */
    expect("AMD Radeon RX 590 Series (polaris10, LLVM 15.0.6, DRM 3.49, 6.1.0-13-amd64)", -1, 0,
           0, "gfx803");
    expect("AMD Radeon RX 6800 (sienna_cichlid, LLVM 15.0.6, DRM 3.49, 6.1.0)", -1, 0, 0,
           "gfx1030");
    expect("AMD Radeon Vega 8 Graphics (raven, LLVM 15.0.6, DRM 3.49)", -1, 0, 0, "gfx902");
    expect("AMD Radeon (unknownchip, LLVM 15.0.6)", -1, 0, 0, "");
    /* PoCL: the LLVM CPU, which may hold '-', before the model name. */
    expect("pthread-skylake-avx512-Intel(R) Xeon(R) Processor", -1, 0, 1, "cpu-skylake-avx512");
    expect("pthread-skylake-avx512-AMD EPYC", -1, 0, 1, "cpu-skylake-avx512");
    expect("cpu-x86-64-v3-AMD Ryzen 7 5800X 8-Core Processor", -1, 0, 1, "cpu-x86-64-v3");
    expect("pthread-znver3-AMD EPYC 7B13 64-Core Processor", -1, 0, 1, "cpu-znver3");
    /* Not PoCL: the same name says nothing. */
    expect("pthread-skylake-avx512-AMD EPYC", -1, 0, 0, "");
    /* llvmpipe: its vector width. */
    expect("llvmpipe (LLVM 15.0.6, 256 bits)", -1, 0, 0, "llvmpipe-256");
    expect("llvmpipe (LLVM 15.0.6, 128 bits)", -1, 0, 0, "llvmpipe-128");
    /* Unknown. */
    expect("Intel(R) UHD Graphics 620", -1, 0, 0, "");
    expect("", -1, 0, 0, "");
    return test_finish();
}
