#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libpgemm_blas.so under Debian's reference BLAS testers (package
# libblas-test), with every SGEMM forced onto pgemm (PGEMM_BLAS=gpu):
#   - xblat3s < sblat3.in   Fortran SGEMM, SSYMM, STRMM, STRSM, SSYRK, SSYR2K;
#   - xscblat3 < sin3       the same through CBLAS, column- and row-major;
# both with the tests of error exits on (illegal arguments must reach the
# program's own XERBLA / cblas_xerbla with the routine's name and the
# argument's number). SGEMM runs on pgemm; the other five are forwarded to
# the CPU BLAS.
#
# Each runs two ways:
#   (a) LD_PRELOAD=SHIM_LIB over the program's libblas.so.3 as the system
#       resolves it;
#   (b) SHIM_LIB as the libblas.so.3 the program loads: a folder holding the
#       link libblas.so.3 -> SHIM_LIB first on LD_LIBRARY_PATH. This is what
#       Debian's update-alternatives does when the libblas.so.3-<triplet>
#       alternative names another library: the program's DT_NEEDED
#       libblas.so.3 is the shim, and no other library provides a BLAS name.
# and both ways again with PGEMM_BLAS=cpu, which must run every SGEMM on the
# CPU BLAS (the counters mean something).
#
# Checked for each run: exit status 0; the summary holds, for every routine
# the input file enables, the tester's "PASSED THE TESTS OF ERROR-EXITS" and
# "PASSED THE [COLUMN-MAJOR|ROW-MAJOR] COMPUTATIONAL TESTS" lines and "END OF
# TESTS"; no line of the summary, stdout or stderr says FAIL or *****;
# nothing on stderr but the shim's PGEMM_BLAS_STATS=1 line, exactly one,
# which counts every SGEMM call the tester made ("N CALLS" in its summary)
# on pgemm, none on the CPU BLAS, and more than 0 refused (the error exits),
# the same number both ways; with PGEMM_BLAS=cpu none on pgemm and every
# call on the CPU BLAS.
#
# Then forwarding alone: the other 22 testers of libblas-test (levels 1, 2
# and 3; s, d, c, z; Fortran and CBLAS), both ways: exit status 0, the same
# PASS lines as the tester gives on the reference BLAS, no FAIL or *****,
# nothing else on stderr and no SGEMM counted.
#
#   blas_reference.sh SHIM_LIB
#
# The OpenCL device comes from the environment (CTest: PGEMM_BACKEND=opencl
# PGEMM_OPENCL_PLATFORM=pocl|rusticl). Prints PASS/FAIL per check; exits 1
# when any check failed, 77 (skipped) when the SGEMM testers are not
# installed. BLAS_TEST_DIR names another folder of testers and inputs;
# KEEP_WORK=1 keeps the work folder.
set -u
if [ $# -ne 1 ]; then
  echo "usage: $0 SHIM_LIB" >&2
  exit 2
fi
shim=$(readlink -f -- "$1")
testdir=${BLAS_TEST_DIR:-/usr/lib/$(uname -m)-linux-gnu/blas}

for f in xblat3s sblat3.in xscblat3 sin3; do
  if [ ! -e "$testdir/$f" ]; then
    echo "SKIP: $testdir/$f is missing (Debian package libblas-test)"
    exit 77
  fi
done
if [ ! -f "$shim" ]; then
  echo "FAIL: no shim library at $1"
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pgemm-blas-reference.XXXXXX")
if [ "${KEEP_WORK:-0}" = 1 ]; then
  echo "work folder: $work"
else
  trap 'rm -rf "$work"' EXIT
fi
# (b): the program's libblas.so.3 is the shim.
mkdir "$work/libblas"
ln -s "$shim" "$work/libblas/libblas.so.3"

failed=0
checks=0
pass() { checks=$((checks + 1)); echo "PASS: $1"; }
fail() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $1"; }
check() { # check "what" command...
  if "${@:2}"; then pass "$1"; else fail "$1"; fi
}

# The shim's counters: sets st_lines (how many stats lines), st_pgemm,
# st_where (what the parentheses say), st_cpu, st_refused.
stats_re='^pgemm_blas: sgemm calls: ([0-9]+) on pgemm \((.*)\), ([0-9]+) on the CPU BLAS, ([0-9]+) refused, ([0-9]+) with nothing to do$'
read_stats() { # read_stats STDERR_FILE
  local line
  st_lines=$(grep -c '^pgemm_blas: sgemm calls:' "$1")
  st_pgemm='' st_where='' st_cpu='' st_refused='' st_quick=''
  line=$(grep '^pgemm_blas: sgemm calls:' "$1" | tail -1)
  if [[ $line =~ $stats_re ]]; then
    st_pgemm=${BASH_REMATCH[1]} st_where=${BASH_REMATCH[2]}
    st_cpu=${BASH_REMATCH[3]} st_refused=${BASH_REMATCH[4]} st_quick=${BASH_REMATCH[5]}
  fi
}

# What an input file asks for: summary (the summary file, or "" for stdout),
# routines (those set to T), errexits (T or F), layouts (CBLAS: 0 or F
# column-major, 1 or T row-major, 2 both; "" for the Fortran testers).
read_input() { # read_input INPUT_FILE
  summary=$(sed -n "1s/^'\([^']*\)'.*NAME OF SUMMARY OUTPUT FILE.*/\1/p" "$1")
  routines=$(awk '$2 == "T" && /PUT F FOR NO TEST/ { print $1 }' "$1")
  errexits=$(awk '/T TO TEST ERROR EXITS/ { print $1 }' "$1")
  layouts=$(awk '/TO TEST ROW-MAJOR|TO TEST COLUMN-MAJOR/ { print $1 }' "$1")
}

# expected_lines: the summary lines that say each routine passed, one per
# line, as grep patterns.
expected_lines() {
  local r
  for r in $routines; do
    [ "$errexits" = T ] && echo "^ *$r  *PASSED THE TESTS OF ERROR-EXITS *\$"
    case $layouts in
      '') echo "^ *$r  *PASSED THE COMPUTATIONAL TESTS (" ;;
      0 | F) echo "^ *$r  *PASSED THE COLUMN-MAJOR COMPUTATIONAL TESTS (" ;;
      1 | T) echo "^ *$r  *PASSED THE ROW-MAJOR  *COMPUTATIONAL TESTS (" ;;
      *) echo "^ *$r  *PASSED THE COLUMN-MAJOR COMPUTATIONAL TESTS ("
         echo "^ *$r  *PASSED THE ROW-MAJOR  *COMPUTATIONAL TESTS (" ;;
    esac
  done
}

# quick_note INPUT_FILE: ", of which Q quick returns", Q the calls of the
# tester's SGEMM loops (m, n, k over the N values, 3 x 3 transposes, alpha,
# beta; twice for both CBLAS layouts) that the reference returns from at
# once (m or n 0, or alpha or k 0 with beta 1): for a message only.
quick_note() {
  awk -v layouts="$layouts" '
    /NUMBER OF VALUES OF N$/ { nn = $1 }
    /NUMBER OF VALUES OF ALPHA$/ { na = $1 }
    /NUMBER OF VALUES OF BETA$/ { nb = $1 }
    / VALUES OF N$/ && !/NUMBER/ { split($0, nv) }
    / VALUES OF ALPHA$/ && !/NUMBER/ { split($0, av) }
    / VALUES OF BETA$/ && !/NUMBER/ { split($0, bv) }
    END {
      q = 0
      for (m = 1; m <= nn; m++) for (n = 1; n <= nn; n++) for (k = 1; k <= nn; k++)
        for (a = 1; a <= na; a++) for (b = 1; b <= nb; b++)
          if (nv[m] == 0 || nv[n] == 0 || ((av[a] == 0 || nv[k] == 0) && bv[b] == 1)) q++
      q *= 9 * (layouts == 2 ? 2 : 1)
      printf ", of which %d quick returns", q
    }' "$1"
}

# baseline PROGRAM [INPUT]: the tester without the shim, on the reference
# BLAS it was built for (this folder's libblas.so.3) where that is
# installed, once; its PASS lines in base-PROGRAM/passes.txt.
baseline() {
  local d=$work/base-$1 sum
  [ -d "$d" ] && return
  mkdir "$d"
  [ -z "$2" ] || cp "$testdir/$2" "$d/"
  (cd "$d" && env -u LD_PRELOAD ${refblas:+LD_LIBRARY_PATH="$refblas"} "$testdir/$1" \
     < "${2:-/dev/null}" > stdout.txt 2> stderr.txt)
  sum=stdout.txt
  [ -z "$2" ] || sum=$(sed -n "1s/^'\([^']*\)'.*NAME OF SUMMARY OUTPUT FILE.*/\1/p" "$d/$2")
  grep -h 'PASS' "$d/${sum:-stdout.txt}" | sort > "$d/passes.txt"
}
refblas=
[ -e "$testdir/libblas.so.3" ] && refblas=$testdir

# run_tester LABEL KIND HOW PGEMM_BLAS PROGRAM [INPUT]: runs PROGRAM (< INPUT)
# in a folder of its own and checks its output. KIND: sgemm (the SGEMM
# testers: a check per routine, the counts against the tester's), forward
# (another tester: every routine passed, no SGEMM counted); HOW: preload,
# libblas or none (no shim). Sets refused_<LABEL>.
run_tester() {
  local label=$1 kind=$2 how=$3 mode=$4 prog=$5 input=${6:-}
  local dir=$work/$label rc t0 t1 pat what gemm='' calls=0 n r sumfile
  local -a env=(env -u LD_PRELOAD "PGEMM_BLAS=$mode" PGEMM_BLAS_STATS=1)
  mkdir "$dir"
  case $how in
    preload) env+=(LD_PRELOAD="$shim") ;;
    libblas) env+=(LD_LIBRARY_PATH="$work/libblas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}") ;;
    none) env=(env -u LD_PRELOAD) ;;
  esac
  summary='' routines='' errexits='' layouts=''
  if [ -n "$input" ]; then
    cp "$testdir/$input" "$dir/"
    read_input "$dir/$input"
  fi
  t0=$(date +%s%N)
  (cd "$dir" && "${env[@]}" "$testdir/$prog" < "${input:-/dev/null}" > stdout.txt 2> stderr.txt)
  rc=$?
  t1=$(date +%s%N)
  sumfile=$dir/${summary:-stdout.txt}
  [ -f "$sumfile" ] || : > "$sumfile"
  echo "---- $label: $prog${input:+ < $input}, $how, PGEMM_BLAS=$mode: exit $rc, $(((t1 - t0) / 1000000)) ms"
  check "$label: exit status 0" test "$rc" = 0
  if [ "$kind" = forward ]; then
    # The lines saying PASS(ED) must be those of the same tester on the
    # reference BLAS (whatever its quirks: the complex level-2 CBLAS
    # testers, for one, name cblas_cgeru twice and no layout).
    baseline "$prog" "$input"
    grep -h 'PASS' "$sumfile" | sort > "$dir/passes.txt"
    check "$label: the $(wc -l < "$dir/passes.txt") PASS lines of the tester on the reference BLAS ($(wc -l < "$work/base-$prog/passes.txt"))" \
      cmp -s "$dir/passes.txt" "$work/base-$prog/passes.txt"
    [ -z "$input" ] || check "$label: END OF TESTS in ${summary:-stdout}" grep -q '^ *END OF TESTS' "$sumfile"
  else
    check "$label: END OF TESTS in ${summary:-stdout}" grep -q '^ *END OF TESTS' "$sumfile"
    while IFS= read -r pat; do
      what=$(echo "$pat" | sed 's/^^ \*//; s/  \*/ /g; s/ \*\$$//; s/ ($//')
      check "$label: $what" grep -q "$pat" "$sumfile"
    done < <(expected_lines)
  fi
  check "$label: no FAIL or ***** line in the summary, stdout or stderr" \
    bash -c '! grep -q -e FAIL -e "[*][*][*][*][*]" "$@"' _ "$sumfile" "$dir/stdout.txt" "$dir/stderr.txt"
  if [ "$how" != none ]; then
    check "$label: nothing on stderr but the stats line" \
      bash -c '! grep -q -v "^pgemm_blas: sgemm calls:" "$1"' _ "$dir/stderr.txt"
  fi
  # Every SGEMM the tester counted, row- and column-major: "( 17496 CALLS)".
  if [ "$kind" = sgemm ]; then
    for r in $routines; do
      case $r in *[gG][eE][mM][mM]*) gemm=$r ;; esac
    done
    for n in $(sed -n "s/^ *$gemm  *PASSED THE .*COMPUTATIONAL TESTS ( *\([0-9]*\) CALLS).*/\1/p" "$sumfile"); do
      calls=$((calls + n))
    done
  fi
  if [ "$how" != none ] && [ "$kind" = forward ]; then
    # The shim prints no stats line for a process that made no SGEMM call.
    read_stats "$dir/stderr.txt"
    check "$label: no SGEMM counted (no stats line, or one of zeros: ${st_pgemm:--} ${st_cpu:--} ${st_refused:--})" \
      test "$st_lines" = 0 -o "$st_lines $st_pgemm $st_cpu $st_refused $st_quick" = "1 0 0 0 0"
  elif [ "$how" != none ]; then
    read_stats "$dir/stderr.txt"
    check "$label: one stats line on stderr (it has $st_lines)" test "$st_lines" = 1
    echo "      stats: pgemm ${st_pgemm:-?} ($st_where), CPU BLAS ${st_cpu:-?}, refused ${st_refused:-?}${gemm:+; the tester counted $calls $gemm calls}"
    if [ -z "$st_pgemm" ]; then
      fail "$label: the stats line has the documented form"
    elif [ "$mode" = gpu ]; then
      check "$label: $gemm calls on pgemm ($st_pgemm) > 0" test "$st_pgemm" -gt 0
      check "$label: every $gemm call on pgemm or a quick return ($st_pgemm + $st_quick = $calls$(quick_note "$dir/$input"))" \
        test "$((st_pgemm + st_quick))" = "$calls"
      check "$label: none on the CPU BLAS ($st_cpu)" test "$st_cpu" = 0
      check "$label: refused calls ($st_refused) > 0 (the error exits)" test "$st_refused" -gt 0
      if [ -n "${PGEMM_BACKEND:-}" ]; then
        check "$label: pgemm ran on $PGEMM_BACKEND ($st_where)" \
          test "${st_where%%,*}" = "$PGEMM_BACKEND"
      fi
      if [ "${PGEMM_OPENCL_PLATFORM:-}" = rusticl ]; then
        check "$label: rusticl's device is llvmpipe ($st_where)" \
          bash -c '[[ $1 == *llvmpipe* ]]' _ "$st_where"
      fi
    else
      check "$label: none on pgemm ($st_pgemm)" test "$st_pgemm" = 0
      check "$label: every $gemm call on the CPU BLAS or a quick return ($st_cpu + $st_quick = $calls$(quick_note "$dir/$input"))" \
        test "$((st_cpu + st_quick))" = "$calls"
    fi
    printf -v "refused_$label" %s "$st_refused"
  fi
  if [ "$failed" -gt "$failed_before" ]; then
    echo "      ---- $sumfile (failing lines and the end):"
    grep -n -e FAIL -e '[*][*][*][*][*]' "$sumfile" | head -20 | sed 's/^/      /'
    tail -8 "$sumfile" | sed 's/^/      /'
    echo "      ---- stderr (end):"
    tail -8 "$dir/stderr.txt" | sed 's/^/      /'
  fi
  failed_before=$failed
}

echo "shim: $shim"
echo "libblas.so.3 of this system: $(readlink -f "/usr/lib/$(uname -m)-linux-gnu/libblas.so.3")"
# Without the shim first, for information: does the tester run here at all?
# (Debian's CBLAS testers need RowMajorStrg, a variable of the reference
# CBLAS, from their libblas.so.3; OpenBLAS's lacks it, the shim has it.)
for t in "xblat3s sblat3.in" "xscblat3 sin3"; do
  set -- $t
  (d=$work/plain-$1 && mkdir "$d" && cp "$testdir/$2" "$d/" && cd "$d" &&
    env -u LD_PRELOAD "$testdir/$1" < "$2" > stdout.txt 2> stderr.txt)
  echo "note: $1 without the shim: exit $? $(head -c 200 "$work/plain-$1/stderr.txt")"
done

failed_before=0
# ---- SGEMM on pgemm: (a) preloaded, (b) as libblas.so.3
run_tester f77_preload sgemm preload gpu xblat3s sblat3.in
run_tester f77_libblas sgemm libblas gpu xblat3s sblat3.in
run_tester cblas_preload sgemm preload gpu xscblat3 sin3
run_tester cblas_libblas sgemm libblas gpu xscblat3 sin3
check "Fortran: the same refused count both ways (${refused_f77_preload:-?}, ${refused_f77_libblas:-?})" \
  test "${refused_f77_preload:-x}" = "${refused_f77_libblas:-y}"
check "CBLAS: the same refused count both ways (${refused_cblas_preload:-?}, ${refused_cblas_libblas:-?})" \
  test "${refused_cblas_preload:-x}" = "${refused_cblas_libblas:-y}"
# ---- SGEMM on the CPU BLAS: the counters mean something
run_tester f77_cpu_preload sgemm preload cpu xblat3s sblat3.in
run_tester f77_cpu_libblas sgemm libblas cpu xblat3s sblat3.in
run_tester cblas_cpu_preload sgemm preload cpu xscblat3 sin3
run_tester cblas_cpu_libblas sgemm libblas cpu xscblat3 sin3
# ---- every other tester of libblas-test, levels 1 to 3, s d c z, Fortran
# and CBLAS: all forwarded to the CPU BLAS, both ways.
for t in xblat1s xblat1d xblat1c xblat1z xscblat1 xdcblat1 xccblat1 xzcblat1 \
         xblat2s:sblat2.in xblat2d:dblat2.in xblat2c:cblat2.in xblat2z:zblat2.in \
         xscblat2:sin2 xdcblat2:din2 xccblat2:cin2 xzcblat2:zin2 \
         xblat3d:dblat3.in xblat3c:cblat3.in xblat3z:zblat3.in \
         xdcblat3:din3 xccblat3:cin3 xzcblat3:zin3; do
  prog=${t%%:*} input=
  [[ $t == *:* ]] && input=${t#*:}
  if [ ! -e "$testdir/$prog" ] || { [ -n "$input" ] && [ ! -e "$testdir/$input" ]; }; then
    fail "forwarding: $testdir/$prog${input:+ or $input} is missing"
    continue
  fi
  for how in preload libblas; do
    run_tester "${prog}_$how" forward "$how" gpu "$prog" "$input"
  done
done

if [ "$failed" -gt 0 ]; then
  echo "blas_reference: FAIL ($failed of $checks checks failed)"
  exit 1
fi
echo "blas_reference: PASS ($checks checks)"
