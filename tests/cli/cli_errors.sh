#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The pgemm tool's bad command lines, every subcommand: each is refused with
# its documented exit status (2: the command line is refused; 1: a failure
# while running), by an exit and never a signal, with one line on stderr
# naming the problem, nothing on stdout, and within seconds. Sizes the
# library or the device would refuse must be refused before anything is
# allocated: the cases run under a virtual memory limit far below what they
# would allocate, so an allocation fails differently ("out of host memory",
# a crash) and the case fails. A few good command lines must still work.
#
#   cli_errors.sh PGEMM_BINARY
#
# Prints each failed case and exits 1 when any failed.
set -u
pgemm=$1
work=$(mktemp -d /tmp/pgemm-cli-errors.XXXXXX)
trap 'rm -rf "$work"' EXIT
tdir=$work/tune # where a tune that wrongly starts would write
failed=0
bad_count=0
good_count=0
max_seconds=5

# A limit of 1 GiB of address space: the refused shapes below need 3.6 GB
# and more. The OpenCL runtime needs a few hundred MB itself; where it needs
# more than the limit (PoCL starts a thread per core), the cases run
# without it and only the time limit stands for "no allocation".
vmem_kib=1048576
limit_ok=0
if (ulimit -v $vmem_kib && "$pgemm" run 7 5 3 --repeat 1 --check full) > "$work/probe.txt" 2>&1
then
  limit_ok=1
else
  echo "note: 'pgemm run 7 5 3' does not run under ulimit -v $vmem_kib; no memory limit"
fi

# run_case OUT ERR ARGS...: the command under the limits; sets rc, ms.
run_case() {
  local out=$1 err=$2 t0 t1
  shift 2
  t0=$(date +%s%N)
  if [ $limit_ok = 1 ]; then
    (ulimit -v $vmem_kib; exec timeout -s KILL 30 "$pgemm" "$@") > "$out" 2> "$err"
  else
    timeout -s KILL 30 "$pgemm" "$@" > "$out" 2> "$err"
  fi
  rc=$?
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
}

fail() { # fail "what" "why"
  echo "FAIL: pgemm ${1% }: $2"
  failed=$((failed + 1))
}

# bad STATUS FRAGMENT ARGS...: refused with STATUS, one line on stderr that
# holds FRAGMENT, nothing on stdout, in under max_seconds.
bad() {
  local status=$1 fragment=$2
  shift 2
  bad_count=$((bad_count + 1))
  local what out=$work/out.txt err=$work/err.txt lines
  printf -v what '%q ' "$@" # one line, as a shell would take it
  run_case "$out" "$err" "$@"
  lines=$(wc -l < "$err")
  if [ $rc -ge 128 ]; then
    fail "$what" "killed by signal $((rc - 128))"
  elif [ $rc != "$status" ]; then
    fail "$what" "exit status $rc, expected $status"
  elif ! grep -qF -- "$fragment" "$err"; then
    fail "$what" "stderr lacks \"$fragment\""
  elif [ "$status" = 2 ] && [ "$lines" != 1 ]; then
    fail "$what" "$lines lines on stderr, expected 1"
  elif [ -s "$out" ]; then
    fail "$what" "printed on stdout: $(head -c 200 "$out")"
  elif [ $ms -ge $((max_seconds * 1000)) ]; then
    fail "$what" "took $ms ms"
  else
    return 0
  fi
  sed 's/^/    stderr: /' "$err" | head -5
  return 1
}

# good FRAGMENT ARGS...: exits 0 with FRAGMENT on stdout.
good() {
  local fragment=$1
  shift
  good_count=$((good_count + 1))
  local what out=$work/out.txt err=$work/err.txt
  printf -v what '%q ' "$@"
  run_case "$out" "$err" "$@"
  if [ $rc != 0 ]; then
    fail "$what" "exit status $rc, expected 0"
  elif ! grep -qF -- "$fragment" "$out"; then
    fail "$what" "stdout lacks \"$fragment\""
  else
    return 0
  fi
  sed 's/^/    out: /' "$out" "$err" | tail -8
  return 1
}

range_mnk="expected a whole number from 0 to 2147483647"
float_range="or nan, inf, -inf"

# ---- the command itself
bad 2 'unknown command bogus' bogus
bad 2 'unknown command RUN' RUN

# ---- run: M N K (sizes are multiplied: none may wrap)
bad 2 "M 4611686018427387904: bad value (out of range); $range_mnk" run 4611686018427387904 1 1
bad 2 "N 18446744073709551616: bad value (out of range" run 1 18446744073709551616 1
bad 2 "K 99999999999999999999999999: bad value (out of range" run 1 1 99999999999999999999999999
bad 2 "M 2147483648: bad value (out of range" run 2147483648 1 1
bad 2 'M 12abc: bad value (not a whole decimal number' run 12abc 1 1
bad 2 'M -5: bad value (negative' run -5 1 1
bad 2 'K -0: bad value (negative' run 1 1 -0
bad 2 'M "": bad value (empty' run "" 1 1
bad 2 'M +5: bad value (not a whole decimal number' run +5 1 1
bad 2 'M " 5": bad value (not a whole decimal number' run " 5" 1 1
bad 2 'N "5 ": bad value (not a whole decimal number' run 1 "5 " 1
bad 2 'M 0x10: bad value (not a whole decimal number' run 0x10 1 1
bad 2 'M 1e3: bad value (not a whole decimal number' run 1e3 1 1
bad 2 'K 1.0: bad value (not a whole decimal number' run 1 1 1.0
bad 2 "expected M N K" run 1 2
bad 2 "expected M N K" run
bad 2 'unexpected argument 4 after M N K' run 1 2 3 4

# ---- run: options
bad 2 "unknown option --bogus" run 1 2 3 --bogus
bad 2 "unknown option -x" run 1 2 3 -x
bad 2 "--alpha needs a value" run 1 2 3 --alpha
bad 2 "--repeat needs a value" run 1 2 3 --repeat
bad 2 "--device needs a value" run 1 2 3 --device
bad 2 "--repeat 2305843009213693952: bad value (out of range); expected a whole number from 1 to 100000" \
  run 8 8 8 --repeat 2305843009213693952
bad 2 '--repeat 0: bad value (out of range' run 1 2 3 --repeat 0
bad 2 '--repeat 100001: bad value (out of range' run 1 2 3 --repeat 100001
bad 2 '--repeat -1: bad value (negative' run 1 2 3 --repeat -1
bad 2 '--pad 2147483648: bad value (out of range' run 1 2 3 --pad 2147483648
bad 2 '--pad 3x: bad value (not a whole decimal number' run 1 2 3 --pad 3x
bad 2 '--seed 18446744073709551616: bad value (out of range' run 1 2 3 --seed 18446744073709551616
bad 2 '--seed -1: bad value (negative' run 1 2 3 --seed -1
bad 2 '--device 4294967296: bad value (out of range); expected a whole number from 0 to 2147483647' \
  run 8 8 8 --device 4294967296
bad 2 '--device -1: bad value (negative' run 1 2 3 --device -1
bad 2 '--log 4294967297: bad value (out of range); expected a whole number from 0 to 2' \
  run 8 8 8 --log 4294967297
bad 2 '--log 3: bad value (out of range' run 1 2 3 --log 3
bad 2 '--alpha 1e39: bad value (out of float range' run 8 8 8 --alpha 1e39
bad 2 "--beta -1e39: bad value (out of float range); expected a decimal number of magnitude at most" \
  run 8 8 8 --beta -1e39
bad 2 '--alpha 1e99999999999999999999: bad value (out of float range' run 1 2 3 --alpha 1e99999999999999999999
bad 2 '--alpha 1e-50: bad value (too small for a float' run 1 2 3 --alpha 1e-50
bad 2 "--alpha NaN: bad value (not a decimal number); expected a decimal number of magnitude at most 3.40282347e+38 (float), $float_range" \
  run 1 2 3 --alpha NaN
bad 2 '--alpha infinity: bad value (not a decimal number' run 1 2 3 --alpha infinity
bad 2 '--beta -nan: bad value (not a decimal number' run 1 2 3 --beta -nan
bad 2 '--alpha 0x1p3: bad value (not a decimal number' run 1 2 3 --alpha 0x1p3
bad 2 '--alpha +1: bad value (not a decimal number' run 1 2 3 --alpha +1
bad 2 '--alpha "": bad value (empty' run 1 2 3 --alpha ""
bad 2 '--alpha 1.5x: bad value (not a decimal number' run 1 2 3 --alpha 1.5x
bad 2 '--alpha " 1": bad value (not a decimal number' run 1 2 3 --alpha " 1"
bad 2 '--beta 1e: bad value (not a decimal number' run 1 2 3 --beta 1e
bad 2 '--beta .: bad value (not a decimal number' run 1 2 3 --beta .
bad 2 '--alpha "a?b": bad value (not a decimal number' run 1 2 3 --alpha "$(printf 'a\nb')"
bad 2 '--layout diag: bad value; expected row or col' run 1 2 3 --layout diag
bad 2 '--trans XY: bad value; expected NN, NT, TN or TT' run 1 2 3 --trans XY
bad 2 '--check maybe: bad value; expected auto, full or none' run 1 2 3 --check maybe
bad 2 '--backend cuda: bad value; expected auto, hip or opencl' run 1 2 3 --backend cuda
bad 2 '--precision fp64: bad value; expected fp32 or fp16' run 1 2 3 --precision fp64
bad 1 'no variant "nosuch"' run 8 8 8 --variant nosuch

# ---- run: shapes beyond the library's 32-bit indexing, refused before any
# allocation (each would allocate gigabytes first)
bad 2 "A (100000 x 100000, lda 100000) spans 10000000000 elements; the library indexes at most 2147483647" \
  run 100000 100000 100000
bad 2 "spans 4611686014132420609 elements" run 2147483647 2147483647 2147483647
bad 2 "C (65536 x 65536, ldc 65536) spans 4294967296 elements" run 65536 65536 1
bad 2 "C (46341 x 46341, ldc 46341) spans 2147488281 elements" run 46341 46341 1 --layout row
bad 2 'N 3000000000: bad value (out of range' run 1 3000000000 1
bad 2 "lda 2147483657): lda is more than the library indexes" run 10 1 1 --pad 2147483647
bad 2 "A (70000 x 40000, lda 70000) spans 2800000000 elements" run 40000 8 70000 --trans TN

# ---- run: shapes beyond the device, from what `pgemm info` reports
"$pgemm" info > "$work/info.txt" 2>&1
have_device=$?
if [ $have_device = 0 ]; then
  # "  memory       4.1 GiB global, 2048 MiB largest buffer, 512 KiB local"
  read -r global_gib buffer_mib < <(awk '/^  memory/ {print $2, $5}' "$work/info.txt")
  # A (s x s) of 1.25x the largest buffer, N = 1, within the 32-bit index.
  s=$(awk -v b="$buffer_mib" 'BEGIN { s = int(sqrt(b * 1048576 * 1.25 / 4)) + 1;
      print (s * s <= 2147483647) ? s : 0 }')
  if [ "$s" != 0 ]; then
    bad 2 "A ($s x $s, lda $s) needs $((s * s * 4)) bytes, more than the largest buffer the device allows" \
      run "$s" 1 "$s"
    bad 2 "more than the largest buffer the device allows" explain "$s" 1 "$s" --measure
  else
    echo "note: largest buffer $buffer_mib MiB is beyond the 32-bit index: no buffer case"
  fi
  # A, B, C of s x s each within the largest buffer, together over global memory.
  s=$(awk -v b="$buffer_mib" -v g="$global_gib" 'BEGIN { s = int(sqrt(b * 1048576 * 0.97 / 4));
      print (s * s <= 2147483647 && 3 * s * s * 4 > g * 1073741824 * 1.05) ? s : 0 }')
  if [ "$s" != 0 ]; then
    bad 2 "A, B and C need $((3 * s * s * 4)) bytes together, more than the device's global memory" \
      run "$s" "$s" "$s"
  else
    echo "note: three largest buffers fit in global memory: no global memory case"
  fi
else
  echo "note: no device (pgemm info failed): no device limit cases"
fi

# ---- explain
bad 2 'M 0: bad value (out of range); expected a whole number from 1 to 2147483647' explain 0 1 1
bad 2 'N 0: bad value (out of range' explain 1 0 1
bad 2 'M 4611686018427387904: bad value (out of range' explain 4611686018427387904 1 1 --measure
bad 2 'K -1: bad value (negative' explain 1 1 -1
bad 2 "expected M N K" explain 1 1
bad 2 'unexpected argument 1 after M N K' explain 1 1 1 1
bad 2 '--repeat 0: bad value (out of range); expected a whole number from 1 to 1000' explain 1 1 1 --repeat 0
bad 2 '--repeat 1001: bad value (out of range' explain 1 1 1 --repeat 1001
bad 2 '--repeat 4294967297: bad value (out of range' explain 1 1 1 --repeat 4294967297
bad 2 '--min-time 61: bad value (out of range); expected a decimal number from 0 to 60' \
  explain 1 1 1 --min-time 61
bad 2 '--min-time -1: bad value (out of range' explain 1 1 1 --min-time -1
bad 2 '--min-time nan: bad value (not a decimal number' explain 1 1 1 --min-time nan
bad 2 '--min-time 1e999: bad value (out of range' explain 1 1 1 --min-time 1e999
bad 2 '--trans nn: bad value; expected NN, NT, TN or TT' explain 1 1 1 --trans nn
bad 2 "unknown option --bogus" explain 1 1 1 --bogus
bad 2 "--min-time needs a value" explain 1 1 1 --min-time
bad 2 '--device 4294967296: bad value (out of range' explain 1 1 1 --device 4294967296
bad 2 "C (46341 x 46341, ldc 46341) spans 2147488281 elements" explain 46341 46341 1 --measure

# ---- tune (each refused before it measures or writes anything)
bad 2 '--shapes 4611686018427387904: bad value (out of range); expected a whole number from 1 to 100000' \
  tune --dir "$tdir" --shapes 4611686018427387904
bad 2 '--shapes 0: bad value (out of range' tune --dir "$tdir" --shapes 0
bad 2 '--shapes 12abc: bad value (not a whole decimal number' tune --dir "$tdir" --shapes 12abc
bad 2 '--samples 4294967297: bad value (out of range); expected a whole number from 1 to 16' \
  tune --dir "$tdir" --samples 4294967297
bad 2 '--samples 0: bad value (out of range' tune --dir "$tdir" --samples 0
bad 2 '--samples 17: bad value (out of range' tune --dir "$tdir" --samples 17
bad 2 '--eval-passes 0: bad value (out of range); expected a whole number from 1 to 9' \
  tune --dir "$tdir" --eval-passes 0
bad 2 '--eval-passes 10: bad value (out of range' tune --dir "$tdir" --eval-passes 10
bad 2 '--eval-shapes -3: bad value (negative' tune --dir "$tdir" --eval-shapes -3
bad 2 '--budget -1: bad value (out of range); expected a decimal number from 0 to 1e+06' \
  tune --dir "$tdir" --budget -1
bad 2 '--budget 1e7: bad value (out of range' tune --dir "$tdir" --budget 1e7
bad 2 '--budget inf: bad value (not a decimal number' tune --dir "$tdir" --budget inf
bad 2 '--budget "": bad value (empty' tune --dir "$tdir" --budget ""
bad 2 '--min-time 0x1: bad value (not a decimal number' tune --dir "$tdir" --min-time 0x1
bad 2 '--seed 18446744073709551616: bad value (out of range' tune --dir "$tdir" --seed 18446744073709551616
bad 2 '--seed +1: bad value (not a whole decimal number' tune --dir "$tdir" --seed +1
bad 2 '--family svm: bad value; expected auto, gbt or knn' tune --dir "$tdir" --family svm
bad 2 '--precision fp64: bad value; expected fp32, fp16 or all' tune --dir "$tdir" --precision fp64
bad 2 "--precision needs a value" tune --dir "$tdir" --precision
bad 2 "--shapes needs a value" tune --dir "$tdir" --shapes
bad 2 "unknown option --bogus" tune --dir "$tdir" --bogus
bad 2 "unknown option stray" tune --dir "$tdir" stray
bad 2 '--dir "": bad value; expected a folder' tune --dir ""
bad 2 '--log -1: bad value (negative' tune --dir "$tdir" --log -1
bad 2 '--device 99999999999: bad value (out of range' tune --dir "$tdir" --device 99999999999
if [ -e "$tdir" ]; then fail "tune (refused)" "$tdir was written"; fi

# ---- info
bad 2 "unknown option --bogus" info --bogus
bad 2 '--device 4294967296: bad value (out of range' info --device 4294967296
bad 2 '--device 1.5: bad value (not a whole decimal number' info --device 1.5
bad 2 '--log 3: bad value (out of range' info --log 3
bad 2 "--backend needs a value" info --backend
bad 2 '--precision FP32: bad value; expected fp32 or fp16' info --precision FP32

# ---- bench and version
bad 2 "unknown option or missing value: --bogus" bench --bogus
bad 2 "unknown option or missing value: --plot" bench --plot
bad 2 'bad value for --repeat: "0"' bench --repeat 0
bad 2 "pgemm version: takes no arguments (got x)" version x

# ---- good command lines
good "usage: pgemm run" run --help
good "usage: pgemm explain" explain --help
good "usage: pgemm tune" tune --help
good "usage: pgemm info" info --help
good "usage: pgemm bench" bench --help
good "usage: pgemm version" version --help
good "exit status" help
if [ $have_device = 0 ]; then
  good "result       PASS" run 7 5 3 --check full
  good "result       PASS" run 7 5 3 --layout row --trans TN --alpha -1.5 --beta 0.25 --pad 3 \
    --repeat 2 --seed 18446744073709551615 --device 0 --log 0 --check full
  good "alpha nan beta -0" run 7 5 3 --alpha nan --beta -0 --repeat 1 --check full
  good "alpha 9.99995e-41 beta 1e+38" run 7 5 3 --alpha 1e-40 --beta 1e38 --repeat 1 --check full
  good "result       PASS" run 0 0 0 --repeat 1 --check full
  # alpha 0: A and B (400 MB each) are never read, so never allocated.
  good "result       PASS" run 100 100 100000000 --alpha 0 --repeat 1 --check full
  good "selector's pick" explain 64 64 64
  good "chosen:" info
else
  echo "note: no device: the good runs are left out"
fi

echo "cli_errors: $bad_count bad command lines, $good_count good ones, $failed failed"
[ $failed = 0 ]
