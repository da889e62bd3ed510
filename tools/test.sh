#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds pgemm, with the HIP plugin for AMD, and runs the whole test suite
# with CTest: the OpenCL tests on PoCL and on Mesa rusticl (llvmpipe), the
# stub-backend loader tests, the HIP plugin's host-side tests (no GPU), the
# Clover resource check (clang-15 + libclc for Polaris) and the HIP kernel
# resource check (hipcc for every AMD target; nvcc for NVIDIA when it is
# installed, else skipped), libpgemm_blas.so under the reference BLAS
# testers, numpy and ScaLAPACK, pgemm in consumer projects (CMake,
# pkg-config), the Python package, and the pictures `pgemm bench` and
# `pgemm tune` draw (gnuplot). Installs the Debian packages it needs when
# they are missing. Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
pgemm_need "${PGEMM_BUILD_PACKAGES[@]}" "${PGEMM_HIP_PACKAGES[@]}" \
    "${PGEMM_BLAS_TEST_PACKAGES[@]}" pocl-opencl-icd mesa-opencl-icd clang-15 libclc-15 \
    libclc-15-dev gnuplot-nox pkgconf
pgemm_build build -DPGEMM_WITH_HIP=ON -DPGEMM_HIP_PLATFORM=amd
ctest --test-dir build --output-on-failure --no-label-summary -j2 "$@"
