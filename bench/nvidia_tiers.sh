#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# On an NVIDIA machine without a model of its own GPU: which model each
# backend and precision takes (pgemm info), and bench/tier_check.sh for HIP
# fp32, HIP fp16 and NVIDIA OpenCL fp32, the models found against the
# heuristic on the same shapes. Build with bench/build_hip_nvidia.sh; carry
# build-hip-nv/bin, build-hip-nv/lib and .devdeps (OpenCL, see
# nvidia_blas.sh); selector/models travels with the tree.
set -u
BUILD=${BUILD:-build-hip-nv}
export LD_LIBRARY_PATH=$PWD/$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PGEMM_CACHE_DIR=/tmp/pgemm-cache
unset PGEMM_MODEL_DIR
source .devdeps/prep.sh > /dev/null
pgemm=$BUILD/bin/pgemm
SHAPES=${SHAPES:-"37x720x896 117x9x344 1091x762x19 64x64x64 256x256x256 512x512x512
1000x10x1000 10x1000x1000 1000x1000x10 333x444x555 257x255x129 768x768x64 64x768x768
2048x32x2048 1024x1024x256 96x1024x96 700x300x50 300x50x700 31x31x1023 1000x1000x1000
3000x3000x3000 4096x4096x4096 8192x1024x8192 4096x64x4096"}
export SHAPES HEURISTIC_TOO=1
for set in "hip fp32" "hip fp16" "opencl fp32"; do
  read -r backend precision <<< "$set"
  plat=(); [ "$backend" = opencl ] && plat=(--platform nvidia)
  echo "== $backend $precision"
  PGEMM_BACKEND=$backend "$pgemm" info "${plat[@]}" 2>&1 | grep -E "device  |arch|selector"
  PGEMM_BACKEND=$backend timeout 170 bench/tier_check.sh "$pgemm" --precision "$precision" \
    "${plat[@]}" --repeat 3 --min-time 0.01 2>&1 | tail -30
done
