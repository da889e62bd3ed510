#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `pgemm tune` end to end on the OpenCL device the environment names (CTest
# runs it on PoCL), with a shape set small enough for CI:
#   - the CSV holds one row per shape and candidate, the model file is
#     written for this device and a context picks it up;
#   - --evaluate measures the held-out set in three passes, a CSV each, and
#     draws the picture of its regret beside them (gnuplot);
#   - a second run measures nothing and retrains the same file, byte for byte;
#   - a run cut by --budget resumes where it stopped;
#   - --quick measures the pool's first shapes, then rounds of the shapes a
#     model is least sure of, in its own CSV, within its budget, resumes,
#     and installs a model a context uses;
#   - --train-only --family knn retrains from the CSV alone, and evaluates
#     on the held-out passes there without measuring more;
#   - a damaged model is refused, and says so, and another decides;
#   - a FIFO named *.model does not hang a context; it and a zeroed file are
#     named in the log with their reasons;
#   - a FIFO in place of the training CSV fails the tune at once, and rows
#     no measurement writes (a size beyond the library's, a rate that is no
#     positive number) are not trained on;
#   - Ctrl-C stops after the shape under way, exits 130 and says what the
#     CSV keeps, and the next run goes on from there;
#   - bad arguments are refused with a message.
#
#   tune_end_to_end.sh PGEMM_BINARY
set -u
pgemm=$1
work=$(mktemp -d /tmp/pgemm-tune-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
failed=0
checks=0
check() { # check "what" command...
  checks=$((checks + 1))
  if ! "${@:2}"; then
    echo "FAIL: $1"
    failed=$((failed + 1))
  fi
}
has() { grep -q -- "$2" "$1"; }
rows() { grep -c -v -e '^#' -e '^m,n,k' "$1"; }

if ! "$pgemm" info > "$work/info.txt" 2>&1 || ! grep -q "backend      opencl" "$work/info.txt"; then
  echo "SKIP: no OpenCL device here"
  cat "$work/info.txt"
  exit 77
fi
small=(--shapes 6 --eval-shapes 4 --min-time 0.001 --samples 3 --no-progress)

# ---- a first tune: measure, train, evaluate
"$pgemm" tune --dir "$work/d" "${small[@]}" --evaluate > "$work/one.txt" 2>&1
check "first tune exits 0" test $? = 0
cat "$work/one.txt"
csv=$(ls "$work"/d/tune/*-fp32-seed1.csv 2>/dev/null | head -1)
held=$(ls "$work"/d/tune/*-fp32-heldout-seed1001.csv 2>/dev/null | head -1)
model=$(ls "$work"/d/models/*-fp32.model 2>/dev/null | head -1)
check "training CSV written" test -n "$csv"
check "held-out CSV written" test -n "$held"
check "model written" test -n "$model"
[ -n "$csv" ] && [ -n "$held" ] && [ -n "$model" ] || { echo "tune_end_to_end: FAIL"; exit 1; }
ncand=$(sed -n 's/.*: \([0-9]*\) candidates$/\1/p' "$work/one.txt" | head -1)
check "candidate count printed" test -n "$ncand"
ncand=${ncand:-0}
check "CSV: 6 shapes x $ncand candidates" test "$(rows "$csv")" = $((6 * ncand))
check "held-out CSV: 4 shapes x $ncand candidates" test "$(rows "$held")" = $((4 * ncand))
check "every measurement ran" test "$(grep -c ',ok$' "$csv")" = $((6 * ncand))
check "CSV header names the backend" has "$csv" "^# pgemm tune 1; backend opencl; device "
device=$(sed -n 's/^  device       \(.*\) (.*)$/\1/p' "$work/info.txt")
check "model is for this device" has "$model" "^device $device\$"
check "model has version and checksum" has "$model" "^pgemm-model "
check "model ends with a checksum" test "$(tail -1 "$model" | cut -c1-9)" = "checksum "
check "regret reported for the model" has "$work/one.txt" "  model: .*geomean"
check "regret reported for the heuristic" has "$work/one.txt" "  heuristic: .*geomean"
for pass in 2 3; do
  f=${held%.csv}-pass$pass.csv
  check "held-out pass $pass: 4 shapes x $ncand candidates" test "$(rows "$f" 2>/dev/null)" = $((4 * ncand))
done
check "no fourth pass" test ! -e "${held%.csv}-pass4.csv"
check "three passes reported" has "$work/one.txt" "3 of 3 passes complete"
png=${held%.csv}.png
check "evaluation picture named" has "$work/one.txt" "  picture: $png"
check "evaluation picture is a PNG" test "$(head -c 8 "$png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a

# ---- a context finds the model
PGEMM_MODEL_DIR="$work/d/models" "$pgemm" explain 200 100 300 > "$work/explain.txt" 2>&1
check "explain exits 0" test $? = 0
check "the selector uses the model" has "$work/explain.txt" "^selector   model $model"
check "explain predicts GFLOP/s" has "$work/explain.txt" "predicted GFLOP/s"

# ---- a second run measures nothing and writes the same model
cp "$model" "$work/first.model"
"$pgemm" tune --dir "$work/d" "${small[@]}" > "$work/two.txt" 2>&1
check "second tune exits 0" test $? = 0
check "second run resumes from the CSV" has "$work/two.txt" "($((6 * ncand)) already in"
check "second run adds no rows" test "$(rows "$csv")" = $((6 * ncand))
check "retraining gives the same model file" cmp -s "$model" "$work/first.model"

# ---- --train-only with another family
"$pgemm" tune --dir "$work/d" "${small[@]}" --train-only --family knn --evaluate \
  --eval-passes 4 > "$work/knn.txt" 2>&1
check "train-only exits 0" test $? = 0
check "train-only measures nothing" sh -c "! grep -q measuring '$work/knn.txt'"
check "train-only measures no fourth pass" test ! -e "${held%.csv}-pass4.csv"
check "train-only evaluates the passes there" has "$work/knn.txt" "3 of 4 passes complete"
check "knn model written" has "$model" "^family knn$"

# ---- a budget cut, then the resume
"$pgemm" tune --dir "$work/b" "${small[@]}" --budget 0.000001 > "$work/cut.txt" 2>&1
check "budget-cut tune exits 0" test $? = 0
check "budget cut reported" has "$work/cut.txt" "budget of .* reached after"
cut_csv=$(ls "$work"/b/tune/*-fp32-seed1.csv 2>/dev/null | head -1)
cut_rows=$(rows "$cut_csv" 2>/dev/null || echo 0)
check "budget cut measured part of the set ($cut_rows rows)" \
  test "$cut_rows" -gt 0 -a "$cut_rows" -lt $((6 * ncand))
"$pgemm" tune --dir "$work/b" "${small[@]}" > "$work/resume.txt" 2>&1
check "resumed tune exits 0" test $? = 0
check "resume starts from the cut" has "$work/resume.txt" "($cut_rows already in"
check "resume completes the set" test "$(rows "$cut_csv")" = $((6 * ncand))

# ---- --quick: active sampling within a budget (here 15 s, a pool of 3000 shapes)
quick=(--quick --shapes 3000 --budget 15 --min-time 0.001 --samples 3)
t0=$(date +%s)
"$pgemm" tune --dir "$work/q" "${quick[@]}" > "$work/quick.txt" 2>&1
rc=$?
t1=$(date +%s)
cat "$work/quick.txt" | tr '\r' '\n' | tail -6
check "quick tune exits 0" test $rc = 0
qcsv=$(ls "$work"/q/tune/*-fp32-quick-seed1.csv 2>/dev/null | head -1)
qmodel=$(ls "$work"/q/models/*-fp32.model 2>/dev/null | head -1)
check "quick tune keeps its own CSV" test -n "$qcsv"
check "quick tune installs a model" test -n "$qmodel"
qrows=$([ -n "$qcsv" ] && rows "$qcsv" || echo 0)
# The first 24 shapes, then at least one round of 12 chosen by the model.
check "quick tune measured the first shapes and a round ($qrows rows)" \
  test "$qrows" -ge $(((24 + 12) * ncand))
check "quick tune measured a whole number of shapes ($qrows rows)" test $((qrows % ncand)) = 0
check "quick tune kept to its budget (15 s: took $((t1 - t0)) s)" test $((t1 - t0)) -le 60
check "quick tune reports its rounds" has "$work/quick.txt" "quick: [0-9]* of the pool.s 3000 shapes measured, [0-9]* rounds"
check "quick tune's round model is removed" \
  bash -c '! ls "$1"/q/models/*.quick-round 2>/dev/null | grep -q .' _ "$work"
PGEMM_MODEL_DIR="$work/q/models" "$pgemm" explain 300 200 100 > "$work/qexplain.txt" 2>&1
check "a context uses the quick model" has "$work/qexplain.txt" "selector   model $work/q/models/"
# A second run goes on from the CSV: more shapes, none measured twice.
"$pgemm" tune --dir "$work/q" "${quick[@]}" --budget 8 > "$work/quick2.txt" 2>&1
check "quick tune resumes" has "$work/quick2.txt" "($qrows measurements already in"
qrows2=$(rows "$qcsv")
check "the resumed quick tune adds shapes ($qrows -> $qrows2 rows)" test "$qrows2" -gt "$qrows"
check "no shape measured twice" test "$(grep -v -e '^#' -e '^m,n,k' "$qcsv" | cut -d, -f1-6 |
  sort | uniq -d | wc -l)" = 0

# ---- a damaged model is refused
head -c 2000 "$work/first.model" > "$model"
PGEMM_MODEL_DIR="$work/d/models" "$pgemm" explain 200 100 300 > "$work/damaged.txt" 2>&1
check "explain with a damaged model exits 0" test $? = 0
# The search goes on past it: to a shipped model for this device where there
# is one, else to the heuristic. Either way the refusal is named.
check "damaged model not used" sh -c "! grep -q '^selector   model $model' '$work/damaged.txt'"
check "the refusal names the file and says why" \
  has "$work/damaged.txt" "^selector   .*refused $model: .*checksum"

# ---- a FIFO and a zeroed file named *.model: refused at once, each named
mkdir -p "$work/odd"
mkfifo "$work/odd/fifo.model"
head -c 4096 /dev/zero > "$work/odd/zeroed.model"
PGEMM_LOG=1 PGEMM_MODEL_DIR="$work/odd" timeout 120 "$pgemm" explain 200 100 300 \
  > "$work/odd.txt" 2>&1
check "explain beside a FIFO model exits 0 (no hang)" test $? = 0
check "the log names the FIFO and says why" \
  has "$work/odd.txt" "model refused: $work/odd/fifo.model: not a regular file (a FIFO)"
check "the log names the zeroed file and says why" \
  has "$work/odd.txt" "model refused: $work/odd/zeroed.model: not a pgemm model file"

# ---- a FIFO where the training CSV goes, and rows a measurement never writes
mkdir -p "$work/f/tune"
fifo_csv="$work/f/tune/$(basename "$csv")"
mkfifo "$fifo_csv"
timeout 60 "$pgemm" tune --dir "$work/f" "${small[@]}" > "$work/fifo.txt" 2>&1
check "tune with a FIFO for its CSV exits 1 (no hang)" test $? = 1
check "the FIFO CSV is named with its reason" \
  has "$work/fifo.txt" "$fifo_csv: not a regular file (a FIFO)"
rm -f "$fifo_csv"
{ head -2 "$csv"; grep -v -e '^#' -e '^m,n,k' "$csv" | head -3
  echo "4294967296,8,8,0,0,$(grep -v -e '^#' -e '^m,n,k' "$csv" | head -1 | cut -d, -f6),1,1,ok"
  echo "-1,8,8,0,0,x,1,1,ok"
  echo "8,8,8,0,0,$(grep -v -e '^#' -e '^m,n,k' "$csv" | head -1 | cut -d, -f6),nan,1,ok"
} > "$fifo_csv"
"$pgemm" tune --dir "$work/f" "${small[@]}" --train-only > "$work/junk.txt" 2>&1
check "--train-only on 3 good rows and 3 junk ones exits 0" test $? = 0
check "only the 3 good rows are trained on" has "$work/junk.txt" "3 measurements"
cat "$work/junk.txt"

# ---- Ctrl-C: the shape under way is written, the tune says what it kept
"$pgemm" tune --dir "$work/i" --shapes 400 --min-time 0.001 --samples 2 --no-progress \
  > "$work/int.txt" 2>&1 &
pid=$!
icsv=$work/i/tune/$(basename "$csv")
for _ in $(seq 600); do # until two shapes are in the CSV (at most 60 s)
  [ -f "$icsv" ] && [ "$(rows "$icsv")" -ge $((2 * ncand)) ] && break
  sleep 0.1
done
kill -INT $pid
wait $pid
check "an interrupted tune exits 130" test $? = 130
check "the interruption says what is kept and how to go on" \
  has "$work/int.txt" "interrupted: .* measurements of this set are kept in $icsv; the same command goes on"
kept=$(rows "$icsv")
check "the CSV keeps whole shapes only ($kept rows, $ncand per shape)" test $((kept % ncand)) = 0
check "no model from an interrupted tune" test ! -e "$work/i/models/$(basename "$model")"
"$pgemm" tune --dir "$work/i" --shapes 400 --min-time 0.001 --samples 2 --no-progress --budget 0.001 \
  > "$work/int2.txt" 2>&1
check "the next run goes on from the kept rows" has "$work/int2.txt" "($kept already in"

# ---- bad arguments
"$pgemm" tune --dir "$work/x" --precision fp64 > "$work/bad.txt" 2>&1
check "--precision fp64 refused with status 2" test $? = 2
check "--precision fp64 names the choices" has "$work/bad.txt" "expected fp32, fp16 or all"
"$pgemm" tune --dir "$work/x" --eval-passes 0 > "$work/passes.txt" 2>&1
check "--eval-passes 0 refused with status 2" test $? = 2
check "--eval-passes 0 named" has "$work/passes.txt" "eval-passes 0: bad value"
"$pgemm" tune --dir "$work/x" --precision fp16 > "$work/nofp16.txt" 2>&1
check "fp16 tune refused without fp16 tiles" test $? = 1
check "fp16 refusal says why" has "$work/nofp16.txt" "no fp16 tiles"

echo "tune_end_to_end: $([ $failed = 0 ] && echo PASS || echo FAIL)" \
  "($checks checks, $failed failed)"
[ $failed = 0 ]
