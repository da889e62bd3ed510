/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An OpenCL device's architecture (pgemm_info.arch), from what the driver
 * reports, so that a model trained on one device can serve another of the
 * same architecture (docs/TUNING.md, "Which model a context uses"):
 *
 *   NVIDIA (cl_nv_device_attribute_query)  "sm_<major><minor>"
 *   AMD, ROCm names the target             "gfx90a:sramecc+:xnack-" -> "gfx90a"
 *   AMD under Clover names the chip        "AMD Radeon RX 590 (polaris10, LLVM ...)" -> "gfx803"
 *   PoCL's CPU device                      "pthread-skylake-avx512-Intel(R) Xeon(R) ..."
 *                                          -> "cpu-skylake-avx512" (the LLVM CPU it compiles for)
 *   llvmpipe                               "llvmpipe (LLVM 15.0.6, 256 bits)" -> "llvmpipe-256"
 *   anything else                          ""
 */
#ifndef PGEMM_CL_ARCH_H
#define PGEMM_CL_ARCH_H

#include <stddef.h>

/* nv_major < 0: no NVIDIA compute capability reported. pocl: the platform
 * is PoCL. */
void pgemm_cl_arch(const char *device_name, int nv_major, int nv_minor, int pocl, char *out,
                   size_t cap);

#endif
