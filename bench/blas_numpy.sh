#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# numpy float32 `a @ b` with libpgemm_blas.so against numpy on its own CPU
# BLAS, and, where PyTorch with CUDA is there, against cuBLAS on the same
# product with the transfers counted (torch: the host arrays copied to the
# GPU, the product, the result copied back; TF32 off). One run, side by
# side: each configuration is a python process of its own over the same
# sizes and data.
#
#   bench/blas_numpy.sh SHIM_LIB [SIZES] [PYTHON]
#     SIZES: comma-separated n (default 64,128,256,512,1024,2048,4096)
#     PYTHON: the interpreter whose numpy is timed (default /usr/bin/python3)
#   Environment: CONFIGS (default "numpy shim-auto shim-gpu cublas"; also
#   shim-gpu-fp16), CUBLAS_PYTHON (the interpreter with PyTorch, default
#   PYTHON; run without PYTHONHOME and PYTHONPATH), OUT (a folder for the CSV,
#   default .), and pgemm's own variables for its device.
#
# Each figure is the median of repeated products after a warm-up product
# (which pays the shim's one-time profile and kernel builds); every result
# is checked on 8 rows against a float64 product. The shim's configurations
# print its counts (PGEMM_BLAS_STATS=1): a numpy that never calls sgemm_ or
# cblas_sgemm (a wheel with a renamed BLAS) shows 0 calls, and the table
# says so instead of timing numpy's own BLAS under the shim's name.
set -u
shim=${1:?usage: blas_numpy.sh SHIM_LIB [SIZES] [PYTHON]}
sizes=${2:-64,128,256,512,1024,2048,4096}
py=${3:-/usr/bin/python3}
configs=${CONFIGS:-numpy shim-auto shim-gpu cublas}
out=${OUT:-.}
mkdir -p "$out"
csv=$out/blas_numpy.csv
work=$(mktemp -d /tmp/pgemm-blas-numpy.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The timing program: one line per size, "n seconds gflops max_rel_err".
cat > "$work/time.py" <<'EOF'
import sys, time
import numpy as np
sizes = [int(x) for x in sys.argv[1].split(",")]
mode = sys.argv[2]
if mode == "cublas":
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.zeros(1).cuda()
for n in sizes:
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    if mode == "cublas":
        def product():
            c = (torch.from_numpy(a).cuda() @ torch.from_numpy(b).cuda()).cpu().numpy()
            torch.cuda.synchronize()
            return c
    else:
        def product():
            return a @ b
    t = time.perf_counter(); c = product(); first = time.perf_counter() - t
    t = time.perf_counter(); c = product(); one = time.perf_counter() - t
    reps = max(3, min(30, int(1.0 / max(one, 1e-6))))
    times = []
    for _ in range(reps):
        t = time.perf_counter(); c = product(); times.append(time.perf_counter() - t)
    times.sort()
    med = times[len(times) // 2]
    rows = np.linspace(0, n - 1, 8).astype(int)
    want = a[rows].astype(np.float64) @ b.astype(np.float64)
    err = float(np.max(np.abs(c[rows] - want)) / max(np.max(np.abs(want)), 1e-30))
    print(n, "%.6g" % med, "%.1f" % (2.0 * n ** 3 / med / 1e9), "%.2e" % err, flush=True)
EOF

declare -A secs gflops errs note
for cfg in $configs; do
  env_args=(env -u LD_PRELOAD -u PGEMM_BLAS -u PGEMM_BLAS_PRECISION -u PGEMM_BLAS_THRESHOLD)
  mode=numpy
  case $cfg in
    numpy) ;;
    shim-auto) env_args+=(LD_PRELOAD="$shim" PGEMM_BLAS=auto PGEMM_BLAS_STATS=1) ;;
    shim-gpu) env_args+=(LD_PRELOAD="$shim" PGEMM_BLAS=gpu PGEMM_BLAS_STATS=1) ;;
    shim-gpu-fp16) env_args+=(LD_PRELOAD="$shim" PGEMM_BLAS=gpu PGEMM_BLAS_PRECISION=fp16
                              PGEMM_BLAS_STATS=1) ;;
    cublas) mode=cublas
            env_args+=(-u PYTHONHOME -u PYTHONPATH)
            "${env_args[@]}" "${CUBLAS_PYTHON:-$py}" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
              2> /dev/null || { echo "blas_numpy: no PyTorch with CUDA: no cuBLAS column"; continue; } ;;
    *) echo "blas_numpy: unknown configuration $cfg" >&2; exit 2 ;;
  esac
  run_py=$py
  [ "$cfg" = cublas ] && run_py=${CUBLAS_PYTHON:-$py}
  "${env_args[@]}" "$run_py" "$work/time.py" "$sizes" "$mode" > "$work/$cfg.txt" 2> "$work/$cfg.err"
  rc=$?
  [ $rc = 0 ] || { echo "blas_numpy: $cfg failed ($rc):"; tail -5 "$work/$cfg.err"; }
  while read -r n s g e; do
    secs[$cfg,$n]=$s; gflops[$cfg,$n]=$g; errs[$cfg,$n]=$e
  done < "$work/$cfg.txt"
  stats=$(grep '^pgemm_blas: sgemm calls:' "$work/$cfg.err" | tail -1)
  if [ -n "$stats" ]; then
    echo "$cfg: ${stats#pgemm_blas: }"
    case $stats in *"calls: 0 on pgemm"*)
      [ "$cfg" = shim-auto ] || note[$cfg]="(numpy's SGEMMs did not reach the shim)" ;;
    esac
  elif [[ $cfg == shim-* ]]; then
    note[$cfg]="(no stats line: numpy never called sgemm_ or cblas_sgemm)"
  fi
  [ -n "${note[$cfg]:-}" ] && echo "$cfg: ${note[$cfg]}"
done

# The table: GFLOP/s per configuration and the ratio to numpy's own BLAS.
echo "config,n,seconds,gflops,max_rel_err,ratio_to_numpy" > "$csv"
printf '%6s' n
for cfg in $configs; do printf ' %16s' "$cfg"; done
echo "   (GFLOP/s; x = time of numpy's own BLAS / this time)"
IFS=, read -ra ns <<< "$sizes"
for n in "${ns[@]}"; do
  printf '%6s' "$n"
  base=${secs[numpy,$n]:-}
  for cfg in $configs; do
    s=${secs[$cfg,$n]:-}
    if [ -z "$s" ]; then printf ' %16s' "-"; continue; fi
    ratio=$( [ -n "$base" ] && awk -v b="$base" -v s="$s" 'BEGIN { printf "%.2f", b / s }' || echo "")
    printf ' %9s %5sx' "${gflops[$cfg,$n]}" "$ratio"
    echo "$cfg,$n,$s,${gflops[$cfg,$n]},${errs[$cfg,$n]},$ratio" >> "$csv"
  done
  echo
done
echo "max relative error per configuration and n is in $csv"
