#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One visit to an NVIDIA machine for pgemm's HIP backend: the correctness
# tests against the HIP backend, then pgemm_vs_cublas (pgemm and cuBLAS, FP32
# and FP16, in one process), then epilogue_vs_cublaslt (the fused bias +
# activation epilogue against plain, unfused and cuBLASLt). Builds nothing:
# run bench/build_hip_nvidia.sh here first and carry build-hip-nv/bin and
# build-hip-nv/lib. From the project root on the GPU machine:
#
#   bench/nvidia_hip.sh [pgemm_vs_cublas options]     (default: the full sweep)
#
# Logs, rc files and the CSVs go to $OUT (default ./bench-out); the benches'
# summary tables are printed last. Environment: BUILD (default build-hip-nv),
# TEST_TIMEOUT (s per test, default 180), BENCH_TIMEOUT (s, default 330),
# EPI_TIMEOUT (s, default 200; less when the visit has less left of
# VISIT_LIMIT, default 570 s), EPI_ARGS (epilogue_vs_cublaslt's options).
# Kept well under 10 minutes on an H100: the tests run side by side, the
# benches alone after them.
set -u
BUILD=${BUILD:-build-hip-nv}
OUT=${OUT:-$PWD/bench-out}
TEST_TIMEOUT=${TEST_TIMEOUT:-180}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-330}
EPI_TIMEOUT=${EPI_TIMEOUT:-200}
VISIT_LIMIT=${VISIT_LIMIT:-570}
EPI_ARGS=${EPI_ARGS:-}
mkdir -p "$OUT"
start=$(date +%s)

# Binaries built here carry this machine's absolute rpath: point the loader
# at the carried libraries. libpgemm finds libpgemm_hip.so beside itself.
export LD_LIBRARY_PATH=$PWD/$BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
unset PGEMM_OPENCL_PLATFORM PGEMM_TEST_PLATFORM PGEMM_VARIANT PGEMM_PLUGIN_DIR PGEMM_MODEL_DIR
export PGEMM_BACKEND=hip PGEMM_CACHE_DIR=/tmp/pgemm-cache

nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu,power.draw \
  --format=csv,noheader 2>&1 | tee "$OUT/gpu.txt"
[ -f "$BUILD/bin/build-info.txt" ] && cat "$BUILD/bin/build-info.txt"
for f in "$BUILD/lib/libpgemm.so" "$BUILD/lib/libpgemm_hip.so" "$BUILD/bin/pgemm_vs_cublas"; do
  if [ ! -e "$f" ]; then
    echo "nvidia_hip.sh: $f missing: build with bench/build_hip_nvidia.sh and carry" \
      "$BUILD/bin and $BUILD/lib" >&2
    exit 2
  fi
done

# ------------------------------------------------------------------ tests
# Every test that creates its context through test_context(), on the HIP
# backend (test_context() checks the context really runs on it). The
# OpenCL-only tests (kernel cache, OpenCL interop) are left out; test_hip_interop
# makes its own context on its own stream.
tests=()
for t in test_gemm_variants test_gemm_special test_gemm_batched test_gemm_large \
         test_api_errors test_gemm_ex test_precision_fp16 test_gemm_epilogue test_split_k \
         test_hip_interop; do
  [ -x "$BUILD/bin/$t" ] && tests+=("$t")
done
echo "== tests (PGEMM_BACKEND=hip): ${tests[*]}"
for t in "${tests[@]}"; do
  (timeout "$TEST_TIMEOUT" "$BUILD/bin/$t" > "$OUT/$t.log" 2>&1; echo $? > "$OUT/$t.rc") &
done
wait
failed=0
test_lines=()
for t in "${tests[@]}"; do
  rc=$(cat "$OUT/$t.rc" 2>/dev/null || echo "?")
  [ "$rc" = 0 ] || failed=$((failed + 1))
  [ "$rc" = 124 ] && rc="124 (timeout ${TEST_TIMEOUT}s)"
  line=$(printf '%-20s rc=%s: %s' "$t" "$rc" "$(tail -1 "$OUT/$t.log" | cut -c1-150)")
  test_lines+=("$line")
  echo "$line"
  # The first failures of a failing test, for the reply's tail.
  [ "${rc%% *}" = 0 ] ||
    grep -m 5 -E "FAIL|WRONG|error" "$OUT/$t.log" | cut -c1-200 | sed 's/^/    /'
done
elapsed=$(( $(date +%s) - start ))
echo "tests: $(( ${#tests[@]} - failed )) of ${#tests[@]} passed (${elapsed} s so far)"

# ------------------------------------------------------------------ bench
echo "== pgemm_vs_cublas $*"
timeout "$BENCH_TIMEOUT" "$BUILD/bin/pgemm_vs_cublas" --time-budget 2 --csv "$OUT/vs_cublas.csv" \
  "$@" > "$OUT/vs_cublas.txt" 2> "$OUT/vs_cublas.err"
brc=$?
[ $brc = 124 ] && echo "pgemm_vs_cublas: timeout after ${BENCH_TIMEOUT}s (partial CSV kept)"
# Columns that failed, then the header lines that say what ran.
grep -E "WRONG|ERROR|unsupported|cannot|unavailable|warning" "$OUT/vs_cublas.err" | head -20
sed -n '2,4p' "$OUT/vs_cublas.txt"

# ------------------------------------------------------------- epilogue
# Its own timeout, cut to what is left of the visit; a build without it is said, not fatal.
erc=skipped
left=$(( VISIT_LIMIT - ($(date +%s) - start) ))
elimit=$(( left < EPI_TIMEOUT ? left : EPI_TIMEOUT ))
if [ ! -x "$BUILD/bin/epilogue_vs_cublaslt" ]; then
  echo "epilogue_vs_cublaslt: $BUILD/bin/epilogue_vs_cublaslt missing (bench/build_hip_nvidia.sh)"
elif [ "$elimit" -lt 30 ]; then
  echo "epilogue_vs_cublaslt: skipped, ${left} s left of the visit's ${VISIT_LIMIT} s"
else
  echo "== epilogue_vs_cublaslt $EPI_ARGS (timeout ${elimit}s)"
  # shellcheck disable=SC2086 # EPI_ARGS holds several options
  timeout "$elimit" "$BUILD/bin/epilogue_vs_cublaslt" --csv "$OUT/epilogue.csv" $EPI_ARGS \
    > "$OUT/epilogue.txt" 2> "$OUT/epilogue.err"
  erc=$?
  [ $erc = 124 ] && echo "epilogue_vs_cublaslt: timeout after ${elimit}s (partial CSV kept)"
  grep -E "WRONG|ERROR|cannot|unavailable|warning" "$OUT/epilogue.err" | head -20
  sed -n '2,4p' "$OUT/epilogue.txt"
fi
echo
for line in "${test_lines[@]}"; do echo "$line"; done
echo "pgemm_vs_cublas rc=$brc; epilogue_vs_cublaslt rc=$erc; $(( $(date +%s) - start )) s in all;" \
  "logs and CSVs in $OUT"
sed -n '/^Summary/,$p' "$OUT/vs_cublas.txt"
if [ -f "$OUT/epilogue.txt" ]; then
  echo
  sed -n '/^Summary/,$p' "$OUT/epilogue.txt"
fi
