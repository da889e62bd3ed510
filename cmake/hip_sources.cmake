# SPDX-License-Identifier: BSD-3-Clause
# The HIP kernel sources, listed once: the plugin build (src/hip) and any
# tool that compiles the kernels on their own include this file.
#   PGEMM_HIP_KERNEL_SOURCES  every .hip file, FP32 and fp16
#   PGEMM_HIP_INCLUDE_DIRS    the folders the kernels include from
set(PGEMM_HIP_FP32_SOURCES
  ${PROJECT_SOURCE_DIR}/hip_kernels/sgemm_tile.hip
  ${PROJECT_SOURCE_DIR}/hip_kernels/sum_parts.hip)
set(PGEMM_HIP_FP16_SOURCES
  ${PROJECT_SOURCE_DIR}/fp16/hgemm.hip
  ${PROJECT_SOURCE_DIR}/fp16/hgemm_mma.hip
  ${PROJECT_SOURCE_DIR}/fp16/hgemm_wgmma.hip
  ${PROJECT_SOURCE_DIR}/fp16/hgemm_mfma.hip
  ${PROJECT_SOURCE_DIR}/fp16/hgemm_fma.hip
  ${PROJECT_SOURCE_DIR}/fp16/pack.hip)
set(PGEMM_HIP_KERNEL_SOURCES ${PGEMM_HIP_FP32_SOURCES} ${PGEMM_HIP_FP16_SOURCES})
set(PGEMM_HIP_INCLUDE_DIRS ${PROJECT_SOURCE_DIR}/hip_kernels ${PROJECT_SOURCE_DIR}/fp16)
