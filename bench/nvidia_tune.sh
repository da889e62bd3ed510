#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One visit to an NVIDIA machine that tunes the selector: `pgemm tune
# --evaluate` for each backend and precision named, with the measurements
# kept in a directory that travels both ways, so a visit cut short resumes
# on the next one. Builds nothing: run bench/build_hip_nvidia.sh here first
# and carry $BUILD/bin and $BUILD/lib (plus .devdeps for OpenCL, see
# bench/nvidia_opencl.sh). From the project root on the GPU machine:
#
#   bench/nvidia_tune.sh [TARGET...] [-- pgemm tune options]
#
# TARGET is backend:precision, default "hip:fp32 hip:fp16 opencl:fp32".
# The CSVs and models go to $TUNE_DIR (default bench/results/tune-<gpu>);
# a copy of that directory comes back as $OUT/tune.tar.gz. Environment:
# BUILD (default build-hip-nv), TUNE_BUDGET (seconds of measuring per set,
# default 110), TUNE_TIMEOUT (hard limit per target, default 290).
set -u
BUILD=${BUILD:-build-hip-nv}
OUT=${OUT:-$PWD/bench-out}
budget=${TUNE_BUDGET:-110}
limit=${TUNE_TIMEOUT:-290}
targets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do targets+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#targets[@]} -gt 0 ] || targets=(hip:fp32 hip:fp16 opencl:fp32)
mkdir -p "$OUT"
start=$(date +%s)

gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
slug=$(echo "$gpu" | tr 'A-Z' 'a-z' | sed 's/nvidia //; s/[^a-z0-9]\+/-/g; s/-$//')
DIR=${TUNE_DIR:-$PWD/bench/results/tune-$slug}
mkdir -p "$DIR"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu \
  --format=csv,noheader
[ -f "$BUILD/bin/build-info.txt" ] && cat "$BUILD/bin/build-info.txt"
case " ${targets[*]}" in *" opencl:"*) source .devdeps/prep.sh ;; esac
export LD_LIBRARY_PATH=$PWD/$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
unset PGEMM_VARIANT PGEMM_PLUGIN_DIR PGEMM_MODEL_DIR PGEMM_BACKEND
# The kernel cache lives outside $DIR; the models are read from $DIR only.
export PGEMM_CACHE_DIR=/tmp/pgemm-tune-cache PGEMM_OPENCL_PLATFORM=nvidia

for t in "${targets[@]}"; do
  backend=${t%%:*} precision=${t#*:}
  log="$OUT/tune-$backend-$precision.txt"
  echo "== pgemm tune --backend $backend --precision $precision (budget ${budget}s per set)"
  timeout "$limit" "$BUILD/bin/pgemm" tune --backend "$backend" --precision "$precision" \
    --dir "$DIR" --budget "$budget" --evaluate --no-progress "$@" > "$log" 2>&1
  rc=$?
  [ $rc = 124 ] && echo "  stopped after ${limit}s: run again to go on"
  grep -E "candidates|measuring|budget|model |geomean|held-out|error|refused|failed" "$log" |
    cut -c1-160 | sed 's/^/  /'
  echo "  rc=$rc, $(( $(date +%s) - start )) s so far"
done
tar -C "$DIR" -czf "$OUT/tune.tar.gz" .
echo "$DIR -> $OUT/tune.tar.gz ($(( $(date +%s) - start )) s in all)"
