#!/usr/bin/env bash
# Builds pgemm and runs the whole test suite with CTest: the OpenCL tests on
# PoCL and on Mesa rusticl (llvmpipe), the stub-backend loader tests, and the
# Clover resource check (clang-15 + libclc for Polaris). Installs the Debian
# packages it needs when they are missing. Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
pgemm_need "${PGEMM_BUILD_PACKAGES[@]}" pocl-opencl-icd mesa-opencl-icd clang-15 libclc-15 libclc-15-dev
pgemm_build build
ctest --test-dir build --output-on-failure --no-label-summary -j2 "$@"
