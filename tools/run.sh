#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds pgemm and runs it on the best backend present:
#   tools/run.sh                 pgemm info, then pgemm run 1024 1024 1024
#   tools/run.sh M N K [opts]    pgemm info, then pgemm run M N K [opts]
# Installs the Debian packages it needs when they are missing (PoCL gives a
# CPU-only machine an OpenCL device). Where the kernel exposes an AMD GPU to
# ROCm (/dev/kfd), it also installs Debian's HIP packages and builds the HIP
# plugin, which AUTO then prefers.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
if [ -e /dev/kfd ]; then
    pgemm_need "${PGEMM_BUILD_PACKAGES[@]}" "${PGEMM_HIP_PACKAGES[@]}" pocl-opencl-icd
    pgemm_build build -DPGEMM_WITH_HIP=ON -DPGEMM_HIP_PLATFORM=amd
else
    pgemm_need "${PGEMM_BUILD_PACKAGES[@]}" pocl-opencl-icd
    pgemm_build build
fi
build/bin/pgemm info
echo
if [ $# -eq 0 ]; then set -- 1024 1024 1024; fi
build/bin/pgemm run "$@"
