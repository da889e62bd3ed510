#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `pgemm bench` end to end on the device the environment names (CTest: PoCL):
# a small sweep writes its table, a CSV row per (shape, kernel) with every
# kernel checked and timed, and the PNG beside the CSV; --plot names another
# picture; a picture asked for where it cannot be written fails the run with
# the reason, and --no-plot draws none; --replot draws a CSV again and
# refuses a file that is not one of pgemm bench's.
#
# With FP16_STUB_DIR (the fp16 CPU stub plugin's folder), on that stub:
# the default fp32 sweep forces no fp16 variant, --precision fp16 forces
# them too and checks them against the fp16-rounded inputs' reference, and
# an fp16 variant named at fp32 is refused before anything runs.
#
#   bench_plot.sh PGEMM_BINARY [FP16_STUB_DIR]
set -u
pgemm=$1
stub=${2:-}
work=$(mktemp -d /tmp/pgemm-bench-plot.XXXXXX)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
is_png() { [ "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
quick=(--repeat 1 --min-time 0.001 --no-clblast --variants direct,tile16)

"$pgemm" bench --sizes 16,32,64 "${quick[@]}" --csv "$work/sweep.csv" > "$work/out.txt" 2>&1
rc=$?
[ $rc = 0 ] || { cat "$work/out.txt"; fail "the sweep exits $rc"; }
# 3 shapes x (2 variants + pgemm's choice), each measured and checked.
ok=$(grep -c ',ok,' "$work/sweep.csv")
[ "$ok" = 9 ] || fail "$ok rows measured, expected 9"
grep -q ',col,NN,64,64,64,"pgemm choice",choice,"[a-z0-9_]*",ok,' "$work/sweep.csv" ||
  fail "no measured row of pgemm's choice at 64"
grep -q "plot      $work/sweep.png" "$work/out.txt" || fail "the picture is not named"
is_png "$work/sweep.png" || fail "sweep.png is not a PNG"

"$pgemm" bench --shapes 33x17x9,9x33x17 "${quick[@]}" --plot "$work/shapes.png" \
  > "$work/out2.txt" 2>&1 || fail "the --plot run exits $?"
is_png "$work/shapes.png" || fail "shapes.png is not a PNG"

"$pgemm" bench --sizes 16 "${quick[@]}" --plot "$work/no-such-folder/x.png" \
  > "$work/out3.txt" 2> "$work/err3.txt"
rc=$?
[ $rc = 1 ] || fail "a picture that cannot be written exits $rc, expected 1"
grep -q "pgemm bench: cannot plot: " "$work/err3.txt" || fail "no reason: $(cat "$work/err3.txt")"

"$pgemm" bench --sizes 16 "${quick[@]}" --csv "$work/quiet.csv" --no-plot > /dev/null 2>&1 ||
  fail "the --no-plot run exits $?"
[ ! -e "$work/quiet.png" ] || fail "--no-plot drew a picture"

# A sweep drawn again from its CSV, as from another machine's run.
"$pgemm" bench --replot "$work/sweep.csv" --plot "$work/again.png" > "$work/out5.txt" 2>&1 ||
  fail "--replot exits $?: $(cat "$work/out5.txt")"
is_png "$work/again.png" || fail "again.png is not a PNG"
echo "m,n,k" > "$work/other.csv"
"$pgemm" bench --replot "$work/other.csv" > /dev/null 2> "$work/err6.txt"
rc=$?
[ $rc = 1 ] || fail "--replot of another CSV exits $rc, expected 1"
grep -q "not a CSV of pgemm bench" "$work/err6.txt" || fail "no reason: $(cat "$work/err6.txt")"

if [ -n "$stub" ]; then
  on_stub() { PGEMM_BACKEND=hip PGEMM_PLUGIN_DIR=$stub PGEMM_OPENCL_PLATFORM= "$pgemm" "$@"; }
  on_stub bench --sizes 16,40 --repeat 1 --min-time 0.001 --csv "$work/s32.csv" --no-plot \
    > "$work/s32.txt" 2>&1 || fail "the fp32 sweep on the stub exits $?"
  ! grep -q '"h16' "$work/s32.csv" || fail "the fp32 sweep forced an fp16 variant"
  on_stub bench --sizes 16,40 --repeat 1 --min-time 0.001 --precision fp16 \
    --csv "$work/s16.csv" --no-plot > "$work/s16.txt" 2>&1 || fail "the fp16 sweep exits $?"
  n16=$(grep -c '"h16stub[a-z_]*",variant,"h16stub[a-z_]*",ok,' "$work/s16.csv")
  [ "$n16" = 4 ] || fail "$n16 fp16 variant rows measured and checked, expected 4"
  on_stub bench --sizes 16 --variants h16stub > /dev/null 2> "$work/s.err"
  rc=$?
  [ $rc = 2 ] || fail "an fp16 variant at fp32 exits $rc, expected 2"
  grep -q "h16stub runs on fp16 tiles: add --precision fp16" "$work/s.err" ||
    fail "no reason: $(cat "$work/s.err")"
fi

echo "bench_plot: $([ $failed = 0 ] && echo PASS || echo "FAIL ($failed)")"
[ $failed = 0 ]
