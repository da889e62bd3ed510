#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `pgemm bench` end to end on the device the environment names (CTest: PoCL):
# a small sweep writes its table, a CSV row per (shape, kernel) with every
# kernel checked and timed, and the PNG beside the CSV; --plot names another
# picture; a picture asked for where it cannot be written fails the run with
# the reason, and --no-plot draws none.
#
#   bench_plot.sh PGEMM_BINARY
set -u
pgemm=$1
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

echo "bench_plot: $([ $failed = 0 ] && echo PASS || echo "FAIL ($failed)")"
[ $failed = 0 ]
