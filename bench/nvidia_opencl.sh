#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One visit to an NVIDIA machine: the OpenCL correctness tests against the
# NVIDIA driver, cuBLAS FP32 (TF32 off) as the vendor reference, and
# `pgemm bench` with CLBlast side by side. Run from the project root on the GPU
# machine, with a build/ made on Debian 12 and .devdeps/ holding
# ocl-icd-libopencl1, clinfo and libclblast1 .debs plus prep.sh (which
# registers NVIDIA's ICD). Results go to $OUT (default ./bench-out).
#   bench/nvidia_opencl.sh [SIZES] [SHAPES]
# Environment: BUILD, the build folder to run from (default build).
set -u
BUILD=${BUILD:-build}
OUT=${OUT:-$PWD/bench-out}
mkdir -p "$OUT"
sizes=${1:-256,512,1024,2048,4096,8192}
shapes=${2:-1000x1000x1000,1023x1023x1023,1025x1025x1025,3000x3000x3000,4096x64x4096,64x4096x4096,8192x8192x256}
source .devdeps/prep.sh
export LD_LIBRARY_PATH=$PWD/$BUILD/lib:$LD_LIBRARY_PATH
export PGEMM_BACKEND=opencl PGEMM_OPENCL_PLATFORM=nvidia PGEMM_TEST_PLATFORM=nvidia
export PGEMM_CACHE_DIR=/tmp/pgemm-cache
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader
echo "== tests (NVIDIA OpenCL)"
for t in test_gemm_variants test_gemm_special test_gemm_batched test_gemm_large test_api_errors; do
  $BUILD/bin/$t > "$OUT/$t.log" 2>&1
  echo "$t rc=$?: $(tail -1 "$OUT/$t.log")"
done
$BUILD/bin/test_kernel_cache /tmp/pgemm-kc > "$OUT/test_kernel_cache.log" 2>&1
echo "test_kernel_cache rc=$?: $(tail -1 "$OUT/test_kernel_cache.log")"
echo "== cuBLAS FP32 reference"
python3 bench/cublas_reference.py "$sizes" 2>&1 | tee "$OUT/cublas.txt"
echo "== pgemm bench"
$BUILD/bin/pgemm bench --sizes "$sizes" --shapes "$shapes" --repeat 10 --time-budget 0.5 \
  --csv "$OUT/bench.csv" > "$OUT/bench.txt" 2>&1
echo "pgemm bench rc=$?"
sed -n '/^Summary/,$p' "$OUT/bench.txt"
