#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds pgemm with the HIP backend for NVIDIA GPUs (the HIP kernels compiled
# as CUDA by nvcc, through hip_kernels/pgemm_hip_platform.h) into
# build-hip-nv/, on this machine (Debian 12, nvcc at /usr/local/cuda/bin).
# bench/nvidia_hip.sh then runs the tests and pgemm_vs_cublas from that
# folder on the lent GPU machine, which builds nothing.
#
#   bench/build_hip_nvidia.sh [extra cmake arguments, e.g. -DPGEMM_NVIDIA_ARCHS=90a]
#
# Environment: BUILD (default build-hip-nv).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-hip-nv}
export PATH=/usr/local/cuda/bin:$PATH
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPGEMM_WITH_HIP=ON -DPGEMM_HIP_PLATFORM=nvidia "$@"
ninja -C "$BUILD"
# What this build is, for the device's log (the device machine gets no .git).
{
  echo "built $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(hostname)"
  rev=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
  git diff --quiet HEAD 2>/dev/null || rev="$rev + uncommitted changes"
  echo "source $rev"
  nvcc --version | tail -2 | head -1
} > "$BUILD/bin/build-info.txt"
cat "$BUILD/bin/build-info.txt"
# The device needs only bin/ and lib/ (the carry limit is 64 MiB).
du -sh "$BUILD/bin" "$BUILD/lib"
for f in "$BUILD/lib/libpgemm_hip.so" "$BUILD/bin/pgemm_vs_cublas"; do
  [ -e "$f" ] || { echo "build_hip_nvidia.sh: $f was not built" >&2; exit 1; }
done
echo "device call: run(command=\"bench/nvidia_hip.sh\"," \
  "carry=[\"$BUILD/bin\", \"$BUILD/lib\"], timeout_s=600)"
