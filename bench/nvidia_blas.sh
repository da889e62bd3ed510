#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One visit to an NVIDIA machine for libpgemm_blas.so and the HIP and OpenCL
# backends' tests. Builds nothing: run bench/build_hip_nvidia.sh here first
# and carry build-hip-nv/bin, build-hip-nv/lib and .devdeps (the OpenCL ICD
# loader, ../shared/device/prep.sh, and Debian 12's python3.11, python3-numpy
# and OpenBLAS: the machine's own numpy may bundle a BLAS under other names
# that no sgemm_ interposes). From the project root on the GPU machine:
#
#   bench/nvidia_blas.sh
#
# 1. the HIP backend's tests, test_threads and test_blas_shim on HIP;
# 2. the OpenCL tests that depend on the device kind (aligned builds, the
#    kernel cache) on NVIDIA's OpenCL;
# 3. blas_threads (one shared context against one per thread) on HIP;
# 4. bench/blas_numpy.sh: numpy float32 a @ b, n = 1024 ... 8192, numpy on
#    its OpenBLAS, the shim (auto, gpu, gpu fp16) on HIP, cuBLAS through
#    PyTorch with the transfers counted.
# STEPS (default "1 2 3 4") picks the parts. Logs and CSVs go to $OUT; the
# summary is printed last.
set -u
BUILD=${BUILD:-build-hip-nv}
OUT=${OUT:-$PWD/bench-out}
mkdir -p "$OUT"
start=$(date +%s)
export LD_LIBRARY_PATH=$PWD/$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
unset PGEMM_OPENCL_PLATFORM PGEMM_TEST_PLATFORM PGEMM_VARIANT PGEMM_PLUGIN_DIR PGEMM_MODEL_DIR \
  PGEMM_BLAS PGEMM_BLAS_THRESHOLD PGEMM_BLAS_PRECISION LD_PRELOAD
export PGEMM_CACHE_DIR=/tmp/pgemm-cache
nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv,noheader 2>&1 | tee "$OUT/gpu.txt"
cat "$BUILD/bin/build-info.txt" 2>/dev/null
summary=()
STEPS=${STEPS:-1 2 3 4}
step() { [[ " $STEPS " == *" $1 "* ]]; }

# run_tests LABEL ENV... -- TESTS...: side by side, 240 s each.
run_tests() {
  local label=$1 t; shift
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  for t in "$@"; do
    local name=${t%%:*} arg=${t#*:}
    [ "$arg" = "$t" ] && arg=
    (env "${envs[@]}" timeout 240 "$BUILD/bin/$name" $arg > "$OUT/$label-$name$arg.log" 2>&1
     echo $? > "$OUT/$label-$name$arg.rc") &
  done
  wait
  for t in "$@"; do
    local name=${t%%:*} arg=${t#*:}
    [ "$arg" = "$t" ] && arg=
    local rc; rc=$(cat "$OUT/$label-$name$arg.rc")
    local line; line=$(printf '%-8s %-26s rc=%s: %s' "$label" "$name $arg" "$rc" \
      "$(tail -1 "$OUT/$label-$name$arg.log" | cut -c1-120)")
    summary+=("$line")
    echo "$line"
    [ "$rc" = 0 ] || grep -m 4 -E "FAIL|error" "$OUT/$label-$name$arg.log" | cut -c1-200 | sed 's/^/    /'
  done
}

step 1 && echo "== 1. HIP"
step 1 && run_tests hip PGEMM_BACKEND=hip -- test_gemm_special test_gemm_variants test_gemm_batched \
  test_api_errors test_gemm_ex test_precision_fp16 test_threads
step 1 && run_tests hip PGEMM_BACKEND=hip PGEMM_BLAS=gpu -- test_blas_shim:gpu
step 1 && run_tests hip PGEMM_BACKEND=hip PGEMM_BLAS=auto PGEMM_BLAS_THRESHOLD=40 -- test_blas_shim:threshold

source .devdeps/prep.sh
step 2 && echo "== 2. OpenCL on NVIDIA"
step 2 && run_tests opencl PGEMM_BACKEND=opencl PGEMM_OPENCL_PLATFORM=nvidia PGEMM_TEST_PLATFORM=nvidia -- \
  test_kernel_cache test_gemm_special test_opencl_interop test_threads

step 3 && echo "== 3. blas_threads (HIP)"
step 3 && PGEMM_BACKEND=hip timeout 120 "$BUILD/bin/blas_threads" --threads 1,2,4,8 --sizes 256,1024,4096 \
  --repeat 20 2>&1 | tee "$OUT/blas_threads.txt"

if step 4; then
echo "== 4. numpy (HIP)"
py=/tmp/devroot/usr/bin/python3.11
export PYTHONHOME=/tmp/devroot/usr
export LD_LIBRARY_PATH=/tmp/devroot/usr/lib/x86_64-linux-gnu/openblas-pthread:$LD_LIBRARY_PATH
"$py" -c "import numpy; print('numpy', numpy.__version__, 'from', numpy.__file__)"
(unset PYTHONHOME; python3 -c "import numpy, torch; print('system numpy', numpy.__version__, 'torch', torch.__version__)")
PGEMM_BACKEND=hip OUT=$OUT CUBLAS_PYTHON=python3 \
  CONFIGS="numpy shim-auto shim-gpu shim-gpu-fp16 cublas" \
  timeout 300 bench/blas_numpy.sh "$PWD/$BUILD/lib/libpgemm_blas.so" 1024,2048,4096,8192 "$py" \
  2>&1 | tee "$OUT/blas_numpy.txt"
fi

echo
for line in "${summary[@]}"; do echo "$line"; done
echo "$(( $(date +%s) - start )) s in all"
