#!/usr/bin/env bash
# Builds pgemm and runs it on the best backend present:
#   tools/run.sh                 pgemm info, then pgemm run 1024 1024 1024
#   tools/run.sh M N K [opts]    pgemm info, then pgemm run M N K [opts]
# Installs the Debian packages it needs when they are missing (PoCL gives a
# CPU-only machine an OpenCL device).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
pgemm_need "${PGEMM_BUILD_PACKAGES[@]}" pocl-opencl-icd
pgemm_build build
build/bin/pgemm info
echo
if [ $# -eq 0 ]; then set -- 1024 1024 1024; fi
build/bin/pgemm run "$@"
