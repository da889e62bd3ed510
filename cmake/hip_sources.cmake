# SPDX-License-Identifier: BSD-3-Clause
# The HIP kernel sources, listed once: the plugin build (src/hip) and any
# tool that compiles the kernels on their own include this file.
#   PGEMM_HIP_KERNEL_SOURCES  every .hip file, FP32 and fp16
#   PGEMM_HIP_INCLUDE_DIRS    the folders the kernels include from
set(PGEMM_HIP_FP32_SOURCES
  ${CMAKE_SOURCE_DIR}/hip_kernels/sgemm_tile.hip)
set(PGEMM_HIP_FP16_SOURCES
  ${CMAKE_SOURCE_DIR}/fp16/hgemm.hip
  ${CMAKE_SOURCE_DIR}/fp16/hgemm_mma.hip
  ${CMAKE_SOURCE_DIR}/fp16/hgemm_wgmma.hip
  ${CMAKE_SOURCE_DIR}/fp16/hgemm_mfma.hip
  ${CMAKE_SOURCE_DIR}/fp16/hgemm_fma.hip
  ${CMAKE_SOURCE_DIR}/fp16/pack.hip)
set(PGEMM_HIP_KERNEL_SOURCES ${PGEMM_HIP_FP32_SOURCES} ${PGEMM_HIP_FP16_SOURCES})
set(PGEMM_HIP_INCLUDE_DIRS ${CMAKE_SOURCE_DIR}/hip_kernels ${CMAKE_SOURCE_DIR}/fp16)
