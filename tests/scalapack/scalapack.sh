#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ScaLAPACK's psgemm on 2 and 4 MPI ranks of this machine, each rank's local
# products running on pgemm through libpgemm_blas.so (LD_PRELOAD through
# mpirun -x), checked by psgemm_check against an fp64 product.
#
#   scalapack.sh SHIM_LIB PSGEMM_CHECK
#
# Runs, each under mpirun with every rank's stdout and stderr in files of
# their own (--output-filename):
#   plain    4 ranks (2x2), no preload: psgemm_check passes on the CPU BLAS
#            alone and no rank prints a pgemm_blas line
#   gpu      2 ranks (1x2) and 4 ranks (2x2), PGEMM_BLAS=gpu: psgemm_check
#            passes, and every rank prints exactly one stats line with more
#            than 0 calls on pgemm (of the backend PGEMM_BACKEND names), 0 on
#            the CPU BLAS and 0 refused (psgemm makes only valid calls)
#   cpu      4 ranks (2x2), PGEMM_BLAS=cpu: passes, every rank 0 on pgemm and
#            as many calls on the CPU BLAS as it made on pgemm in the gpu run
#            (the same program makes the same calls: the counters count calls)
# pgemm runs on PoCL unless PGEMM_BACKEND / PGEMM_OPENCL_PLATFORM say
# otherwise; MPIRUN names the launcher (default: mpirun in PATH). Exits 77
# (skipped) when mpirun or the ScaLAPACK library is missing, 1 when a check
# failed.
set -u
if [ $# -ne 2 ]; then
  echo "usage: scalapack.sh SHIM_LIB PSGEMM_CHECK" >&2
  exit 2
fi
shim=$1
check=$2

mpirun=${MPIRUN:-mpirun}
if ! command -v "$mpirun" > /dev/null 2>&1; then
  echo "skipped: $mpirun not found (Debian: openmpi-bin)"
  exit 77
fi
if [ ! -x "$check" ]; then
  echo "FAIL: $check is not an executable"
  exit 1
fi
if ldd "$check" 2> /dev/null | grep -q 'scalapack.*not found'; then
  echo "skipped: $check does not find the ScaLAPACK library (Debian: libscalapack-openmpi2.2)"
  exit 77
fi
if [ ! -f "$shim" ]; then
  echo "FAIL: no shim library at $shim"
  exit 1
fi

work=$(mktemp -d /tmp/pgemm-scalapack.XXXXXX)
trap 'rm -rf "$work"' EXIT

# This script alone decides what is preloaded where (mpirun -x), and how.
unset LD_PRELOAD PGEMM_BLAS PGEMM_BLAS_STATS PGEMM_BLAS_THRESHOLD PGEMM_BLAS_PRECISION
# One host, shared memory only: no network transports probed (TCP, UCX,
# InfiniBand, OFI), the runtime's own channel on loopback, no single-copy
# mechanism that a container's ptrace rules could refuse with a warning.
export OMPI_MCA_btl=self,vader
export OMPI_MCA_pml=ob1
export OMPI_MCA_osc=^ucx
export OMPI_MCA_mtl=^ofi
export OMPI_MCA_oob_tcp_if_include=lo
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# 4 ranks on a machine of 2 cores: one CPU BLAS thread per rank.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export PGEMM_BACKEND=${PGEMM_BACKEND:-opencl}
export PGEMM_OPENCL_PLATFORM=${PGEMM_OPENCL_PLATFORM:-pocl}
# Forwarded to every rank; mpirun -x is what carries them to other hosts.
forward=()
for var in PGEMM_BACKEND PGEMM_OPENCL_PLATFORM PGEMM_DEVICE PGEMM_CACHE_DIR PGEMM_LOG \
           XDG_CACHE_HOME POCL_CACHE_DIR OPENBLAS_NUM_THREADS OMP_NUM_THREADS; do
  if [ -n "${!var+set}" ]; then
    forward+=(-x "$var")
  fi
done

# Seconds one mpirun may take: warm, a run takes well under a second; cold,
# each rank also builds its kernels. CTest's TIMEOUT covers the four runs.
run_limit=60
stats_re='^pgemm_blas: sgemm calls: ([0-9]+) on pgemm \((.*)\), ([0-9]+) on the CPU BLAS, ([0-9]+) refused, ([0-9]+) with nothing to do$'
failed=0
fail() {
  echo "FAIL: $*"
  failed=1
}

# run NAME NPROW NPCOL MODE: psgemm_check on an NPROW x NPCOL grid; MODE is
# gpu or cpu (PGEMM_BLAS, with the shim preloaded) or plain (no preload).
# Leaves each rank's output in $work/NAME/rank.R.{stdout,stderr}.
run() {
  local name=$1 nprow=$2 npcol=$3 mode=$4 np=$(($2 * $3)) t0 t1 rc r bad=0
  local dir=$work/$name preload=()
  mkdir -p "$dir"
  if [ "$mode" != plain ]; then
    preload=(-x "LD_PRELOAD=$shim" -x "PGEMM_BLAS=$mode" -x PGEMM_BLAS_STATS=1)
  fi
  t0=$(date +%s%N)
  timeout -k 10 $run_limit "$mpirun" --allow-run-as-root --oversubscribe -np "$np" \
    --output-filename "$dir/out" "${preload[@]}" "${forward[@]}" \
    "$check" "$nprow" "$npcol" > "$dir.log" 2>&1
  rc=$?
  t1=$(date +%s%N)
  echo "$name $np ranks (${nprow}x$npcol): exit $rc, $(((t1 - t0) / 1000000)) ms"
  for ((r = 0; r < np; r++)); do
    for stream in stdout stderr; do
      # Open MPI 4.1 writes DIR/<job>/rank.R/<stream>.
      cat "$dir"/out/*/rank.$r/$stream > "$dir/rank.$r.$stream" 2> /dev/null
    done
  done
  # Rank 0's lines: each case's time and the verdict.
  sed 's/^/  /' "$dir/rank.0.stdout"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    fail "$name: mpirun still running after $run_limit s, stopped"
    bad=1
  elif [ $rc -ne 0 ]; then
    fail "$name: mpirun exited with $rc"
    bad=1
  fi
  if ! grep -q "^psgemm_check: PASS: " "$dir/rank.0.stdout"; then
    fail "$name: psgemm_check did not pass"
    bad=1
  fi
  grep -h "FAIL" "$dir"/rank.*.stdout
  if [ $bad -ne 0 ]; then
    echo "--- $name: mpirun's output"
    cat "$dir.log"
  fi
}

# stats NAME NP: parses every rank's stats line into pg[r], ctx[r], cpu[r],
# ref[r]; a rank without exactly one such line fails.
declare -a pg ctx cpu ref
stats() {
  local name=$1 np=$2 r line n
  for ((r = 0; r < np; r++)); do
    pg[r]=-1 ctx[r]= cpu[r]=-1 ref[r]=-1
    n=$(grep -c '^pgemm_blas: ' "$work/$name/rank.$r.stderr" 2> /dev/null)
    n=${n:-0}
    line=$(grep '^pgemm_blas: ' "$work/$name/rank.$r.stderr" 2> /dev/null | head -n 1)
    if [ "$n" -ne 1 ]; then
      # (The shim prints none in a process that made no SGEMM call.)
      fail "$name: rank $r printed $n pgemm_blas lines, not 1"
      tail -n 20 "$work/$name/rank.$r.stderr"
      continue
    fi
    if [[ ! $line =~ $stats_re ]]; then
      fail "$name: rank $r: stats line of another form: $line"
      continue
    fi
    pg[r]=${BASH_REMATCH[1]} ctx[r]=${BASH_REMATCH[2]} cpu[r]=${BASH_REMATCH[3]} ref[r]=${BASH_REMATCH[4]}
    echo "  rank $r: $line"
  done
}

# The program on the CPU BLAS alone: a failure below is the shim's.
run plain 2 2 plain
for ((r = 0; r < 4; r++)); do
  if grep -q '^pgemm_blas: ' "$work/plain/rank.$r.stderr"; then
    fail "plain: rank $r printed a pgemm_blas line without the shim preloaded"
  fi
done

declare -a gpu_total
for grid in "1 2" "2 2"; do
  set -- $grid
  np=$(($1 * $2))
  run gpu$np "$1" "$2" gpu
  stats gpu$np $np
  for ((r = 0; r < np; r++)); do
    [ "${pg[r]}" -ge 0 ] || continue
    if [ "${pg[r]}" -eq 0 ]; then
      fail "gpu$np: rank $r made no call on pgemm"
    fi
    if [[ ${ctx[r]} != "$PGEMM_BACKEND, "* ]]; then
      fail "gpu$np: rank $r ran on \"${ctx[r]}\", not on $PGEMM_BACKEND"
    fi
    if [ "${cpu[r]}" -ne 0 ]; then
      fail "gpu$np: rank $r made ${cpu[r]} calls on the CPU BLAS with PGEMM_BLAS=gpu"
    fi
    if [ "${ref[r]}" -ne 0 ]; then
      fail "gpu$np: rank $r: ${ref[r]} calls refused (psgemm makes only valid calls)"
    fi
    [ $np -eq 4 ] && gpu_total[r]=$((pg[r] + cpu[r] + ref[r]))
  done
done

run cpu 2 2 cpu
stats cpu 4
for ((r = 0; r < 4; r++)); do
  [ "${pg[r]}" -ge 0 ] || continue
  if [ "${pg[r]}" -ne 0 ]; then
    fail "cpu: rank $r made ${pg[r]} calls on pgemm with PGEMM_BLAS=cpu"
  fi
  if [ "${ref[r]}" -ne 0 ]; then
    fail "cpu: rank $r: ${ref[r]} calls refused"
  fi
  if [ -n "${gpu_total[r]:-}" ] && [ "${cpu[r]}" -ne "${gpu_total[r]}" ]; then
    fail "cpu: rank $r made ${cpu[r]} calls on the CPU BLAS, ${gpu_total[r]} in the gpu run"
  fi
done

if [ $failed -ne 0 ]; then
  echo "scalapack: FAIL"
  exit 1
fi
echo "scalapack: PASS"
