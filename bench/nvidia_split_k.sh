#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Split-K on an NVIDIA GPU, HIP backend: pgemm_vs_cublas on the shapes
# whose tile grids leave the GPU idle, once per PGEMM_SPLIT_K setting (off,
# fixed part counts, and the automatic rule), cuBLAS in every run. Builds
# nothing: carry build-hip-nv/bin and build-hip-nv/lib
# (bench/build_hip_nvidia.sh). From the project root on the GPU machine:
#
#   bench/nvidia_split_k.sh [SETTINGS...]    (default: off 2 4 8 16 auto)
#
# Environment: BUILD (default build-hip-nv), SHAPES (pgemm_vs_cublas
# --shapes), BACKEND (hip or opencl, default hip), ARGS (further options).
# CSVs and logs go to $OUT (default ./bench-out).
set -u
BUILD=${BUILD:-build-hip-nv}
OUT=${OUT:-$PWD/bench-out}
BACKEND=${BACKEND:-hip}
SHAPES=${SHAPES:-4096x64x4096,64x4096x4096,1000x1000x1000,1024x1024x1024,512x512x512,128x128x8192,256x4096x4096,4096x4096x256,4096x128x4096,32x4096x11008}
ARGS=${ARGS:---repeat 5 --min-time 0.02}
settings=("$@")
[ ${#settings[@]} -gt 0 ] || settings=(off 2 4 8 16 auto)
mkdir -p "$OUT"
export LD_LIBRARY_PATH=$PWD/$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
unset PGEMM_OPENCL_PLATFORM PGEMM_TEST_PLATFORM PGEMM_VARIANT PGEMM_PLUGIN_DIR PGEMM_MODEL_DIR
export PGEMM_CACHE_DIR=/tmp/pgemm-cache
status=0
for s in "${settings[@]}"; do
  echo "== PGEMM_SPLIT_K=$s ($BACKEND)"
  # shellcheck disable=SC2086
  PGEMM_SPLIT_K=$s "$BUILD/bin/pgemm_vs_cublas" --backend "$BACKEND" --shapes "$SHAPES" $ARGS \
    --csv "$OUT/split_k_${BACKEND}_$s.csv" > "$OUT/split_k_${BACKEND}_$s.log" 2>&1 || status=1
  grep -vE '^\s*$' "$OUT/split_k_${BACKEND}_$s.log" | tail -n 14
done
exit $status
