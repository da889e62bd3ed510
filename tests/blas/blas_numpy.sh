#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libpgemm_blas.so under numpy (Debian's python3-numpy, which calls
# cblas_sgemm from libblas.so.3 for float32 matrix products), with every
# SGEMM forced onto pgemm (LD_PRELOAD, PGEMM_BLAS=gpu PGEMM_BLAS_STATS=1):
#   1. numpy's own tests of matmul and dot (test_multiarray.py -k "matmul
#      or dot", less test_huge_vectordot: a float64/complex128 vector dot
#      over 16 GiB, no SGEMM in it, too much memory beside other tests);
#   2. float32 a @ b against a float64 reference for a set of shapes and
#      layouts: C and Fortran order, transposed views, slices with a leading
#      dimension beyond the width, strided slices, 1xN, Nx1, k = 1, empty
#      and 0-size operands, batches, out= over NaN, a @ a.T (SYRK, forwarded);
#      preloaded, then with the shim as numpy's libblas.so.3 (a folder with
#      the link libblas.so.3 -> SHIM_LIB first on LD_LIBRARY_PATH), then
#      preloaded with PGEMM_BLAS=cpu: the same calls, none on pgemm;
#   3. a product in a child forked after the parent made one (os.fork, as
#      multiprocessing's default start method does): right, within 60 s;
#   4. 240 products from 6 Python threads at once: right.
# Each passes when its program passes and the shim's stats line (printed
# at process exit, after pytest has given back the real stderr) counts
# more than 0 calls on pgemm, none on the CPU BLAS and none refused.
#
#   blas_numpy.sh SHIM_LIB
#
# The OpenCL device comes from the environment (CTest: PoCL). Exits 1 when a
# check failed, 77 (skipped) without numpy or pytest for PYTHON (default
# /usr/bin/python3, Debian's interpreter).
set -u
if [ $# -ne 1 ]; then
  echo "usage: $0 SHIM_LIB" >&2
  exit 2
fi
shim=$(readlink -f -- "$1")
py=${PYTHON:-/usr/bin/python3}
if ! "$py" -c 'import numpy, pytest' 2>/dev/null; then
  echo "SKIP: $py cannot import numpy and pytest (python3-numpy, python3-pytest)"
  exit 77
fi
if [ ! -f "$shim" ]; then
  echo "FAIL: no shim library at $1"
  exit 1
fi
# numpy >= 2 keeps its core tests in numpy/_core/tests.
tests=$("$py" -c '
import os, numpy
d = os.path.dirname(numpy.__file__)
for sub in ("core", "_core"):
    f = os.path.join(d, sub, "tests", "test_multiarray.py")
    if os.path.isfile(f):
        print(f)
        break')
if [ -z "$tests" ]; then
  echo "SKIP: numpy's test_multiarray.py is not installed"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pgemm-blas-numpy.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
checks=0
check() { # check "what" command...
  checks=$((checks + 1))
  if "${@:2}"; then
    echo "PASS: $1"
  else
    echo "FAIL: $1"
    failed=$((failed + 1))
  fi
}

stats_re='^pgemm_blas: sgemm calls: ([0-9]+) on pgemm \((.*)\), ([0-9]+) on the CPU BLAS, ([0-9]+) refused, ([0-9]+) with nothing to do$'
# read_stats STDERR_FILE: st_lines (how many stats lines), st_pgemm,
# st_where (what the parentheses say), st_cpu, st_refused ('' if no line).
read_stats() {
  local line
  st_lines=$(grep -c '^pgemm_blas: sgemm calls:' "$1")
  line=$(grep '^pgemm_blas: sgemm calls:' "$1" | tail -1)
  st_pgemm='' st_where='' st_cpu='' st_refused='' st_quick=''
  if [[ $line =~ $stats_re ]]; then
    st_pgemm=${BASH_REMATCH[1]} st_where=${BASH_REMATCH[2]}
    st_cpu=${BASH_REMATCH[3]} st_refused=${BASH_REMATCH[4]} st_quick=${BASH_REMATCH[5]}
  fi
}
check_stats() { # check_stats LABEL STDERR_FILE: the PGEMM_BLAS=gpu counts
  check "$1: nothing on stderr but the stats line" \
    bash -c '! grep -q -v "^pgemm_blas: sgemm calls:" "$1"' _ "$2"
  read_stats "$2"
  check "$1: one stats line on stderr (it has $st_lines)" test "$st_lines" = 1
  if [ -n "$st_pgemm" ]; then
    echo "      $(grep '^pgemm_blas: sgemm calls:' "$2" | tail -1)"
    check "$1: calls on pgemm ($st_pgemm) > 0" test "$st_pgemm" -gt 0
    check "$1: none on the CPU BLAS ($st_cpu)" test "$st_cpu" = 0
    check "$1: none refused ($st_refused)" test "$st_refused" = 0
    if [ -n "${PGEMM_BACKEND:-}" ]; then
      check "$1: pgemm ran on $PGEMM_BACKEND ($st_where)" test "${st_where%%,*}" = "$PGEMM_BACKEND"
    fi
  else
    check "$1: the stats line has the documented form" false
    tail -5 "$2" | sed 's/^/      /'
  fi
}

# No bytecode or pytest cache written into the system's numpy.
shim_env=(env PYTHONDONTWRITEBYTECODE=1 LD_PRELOAD="$shim" PGEMM_BLAS=gpu PGEMM_BLAS_STATS=1)
# numpy's conftest.py needs hypothesis (python3-hypothesis), which the tests
# of matmul and dot do not use: without it, run without the conftest.
# A RuntimeWarning is an error: numpy reads the floating-point flags after
# each product, and one the shim or pgemm left raised would be reported as
# an overflow or invalid value of the caller's.
pytest_args=(-q -p no:cacheprovider -W error::RuntimeWarning
             -k "(matmul or dot) and not huge_vectordot")
if ! "$py" -c 'import hypothesis' 2>/dev/null; then
  pytest_args+=(--noconftest -W ignore::pytest.PytestUnknownMarkWarning)
  echo "note: no hypothesis module: numpy's conftest.py left out"
fi

# ---- 1. numpy's tests
echo "---- pytest $tests ${pytest_args[*]}"
t0=$SECONDS
(cd "$work" && "${shim_env[@]}" "$py" -m pytest "${pytest_args[@]}" "$tests" \
  > pytest.out 2> pytest.err)
rc=$?
tail -3 "$work/pytest.out"
echo "      ($((SECONDS - t0)) s)"
check "pytest: exit status 0 (it is $rc)" test "$rc" = 0
check "pytest: tests passed, none failed" \
  bash -c 'grep -Eq "^[0-9]+ passed" "$1" && ! grep -Eq "[0-9]+ (failed|error)" "$1"' _ "$work/pytest.out"
[ "$rc" = 0 ] || { grep -E '^(FAILED|ERROR)' "$work/pytest.out" | head -20; tail -20 "$work/pytest.err"; }
check_stats pytest "$work/pytest.err"

# ---- 2. float32 products against float64
products=$(cat <<'PY'
import sys
import numpy as np

rng = np.random.default_rng(20240607)
eps = np.finfo(np.float32).eps
cases = failures = 0


def rand(*shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


def check(name, a, b, got):
    """got must be a @ b in float32, within k * eps * (|a| @ |b|)."""
    global cases, failures
    cases += 1
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    want = a64 @ b64
    k = a.shape[-1]
    bound = (k + 2) * eps * (np.abs(a64) @ np.abs(b64)) + 1e-30
    why = None
    if got.dtype != np.float32:
        why = "dtype %s" % got.dtype
    elif got.shape != want.shape:
        why = "shape %s, want %s" % (got.shape, want.shape)
    elif not np.all(np.isfinite(got)):
        why = "non-finite values"
    elif np.any(np.abs(got - want) > bound):
        i = np.unravel_index(np.argmax(np.abs(got - want) - bound), want.shape)
        why = "at %s: %r, want %r (bound %.3g)" % (i, got[i], want[i], bound[i])
    if why:
        failures += 1
        print("FAIL: %s: %s @ %s: %s" % (name, a.shape, b.shape, why))


shapes = [(1, 1, 1), (2, 3, 4), (5, 1, 7), (1, 40, 33), (33, 40, 1), (1, 64, 1),
          (17, 33, 9), (64, 64, 64), (127, 65, 129), (200, 3, 150), (96, 255, 80),
          (517, 301, 263), (0, 5, 3), (4, 0, 3), (4, 5, 0), (0, 0, 0)]
for m, k, n in shapes:
    a, b = rand(m, k), rand(k, n)
    check("C order", a, b, a @ b)
    check("np.dot", a, b, np.dot(a, b))
    fa, fb = np.asfortranarray(a), np.asfortranarray(b)
    check("Fortran order", fa, fb, fa @ fb)
    check("mixed order", a, fb, a @ fb)
    at, bt = rand(k, m).T, rand(n, k).T          # transposed views
    check("a.T view", at, b, at @ b)
    check("b.T view", a, bt, a @ bt)
    check("both views", at, bt, at @ bt)
    # Leading dimensions beyond the width: columns 3.. of wider arrays.
    wa, wb = rand(m, k + 7)[:, 3:3 + k], rand(k, n + 5)[:, 2:2 + n]
    check("ld > width", wa, wb, wa @ wb)
    # Strided in both dimensions (numpy copies or loops itself).
    sa, sb = rand(2 * m, 3 * k)[::2, ::3], rand(2 * k, 2 * n)[::2, 1::2]
    check("strided slices", sa, sb, sa @ sb)
    # out= over NaN: beta = 0 must not read C.
    out = np.full((m, n), np.nan, np.float32)
    np.matmul(a, b, out=out)
    check("out= over NaN", a, b, out)
    big = np.full((m + 3, n + 4), np.nan, np.float32)
    np.matmul(a, b, out=big[1:1 + m, 2:2 + n])
    check("out= a slice of a wider array", a, b, big[1:1 + m, 2:2 + n])
    if np.any(~np.isnan(big[:1])) or np.any(~np.isnan(big[:, :2])):
        failures += 1
        print("FAIL: out= a slice: wrote outside the slice, %s" % ((m, k, n),))
    # Batches: numpy runs one GEMM per matrix.
    ba, bb = rand(3, m, k), rand(3, k, n)
    check("batch of 3", ba, bb, ba @ bb)
    bb2 = rand(2, k, n)
    check("broadcast batch", a, bb2, a @ bb2)
    # a @ a.T is SYRK in numpy: the shim forwards it to the CPU BLAS.
    check("a @ a.T (syrk)", a, a.T, a @ a.T)

print("numpy products: %d cases, %d failed" % (cases, failures))
sys.exit(1 if failures else 0)
PY
)
echo "---- float32 products against float64"
(cd "$work" && "${shim_env[@]}" "$py" -W error -c "$products" > products.out 2> products.err)
rc=$?
cat "$work/products.out"
check "products: exit status 0 (it is $rc)" test "$rc" = 0
[ "$rc" = 0 ] || tail -20 "$work/products.err"
check_stats products "$work/products.err"
gpu_calls=$st_pgemm

# The same with the shim as numpy's libblas.so.3 (what update-alternatives
# does; LAPACK, which numpy.linalg loads, then finds its BLAS in the shim).
mkdir "$work/libblas"
ln -s "$shim" "$work/libblas/libblas.so.3"
echo "---- the same with the shim as libblas.so.3"
(cd "$work" && env -u LD_PRELOAD PYTHONDONTWRITEBYTECODE=1 PGEMM_BLAS=gpu PGEMM_BLAS_STATS=1 \
  LD_LIBRARY_PATH="$work/libblas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  "$py" -W error -c "$products" > libblas.out 2> libblas.err)
rc=$?
cat "$work/libblas.out"
check "products, libblas.so.3: exit status 0 (it is $rc)" test "$rc" = 0
[ "$rc" = 0 ] || tail -20 "$work/libblas.err"
check_stats "products, libblas.so.3" "$work/libblas.err"
check "products, libblas.so.3: the same calls as preloaded ($st_pgemm = ${gpu_calls:-?})" \
  test "${st_pgemm:-x}" = "${gpu_calls:-y}"

# The same under PGEMM_BLAS=cpu: the same calls, all on the CPU BLAS.
echo "---- the same with PGEMM_BLAS=cpu"
(cd "$work" && "${shim_env[@]}" PGEMM_BLAS=cpu "$py" -W error -c "$products" > cpu.out 2> cpu.err)
rc=$?
cat "$work/cpu.out"
check "products, cpu: exit status 0 (it is $rc)" test "$rc" = 0
read_stats "$work/cpu.err"
echo "      $(grep '^pgemm_blas: sgemm calls:' "$work/cpu.err")"
check "products, cpu: none on pgemm (${st_pgemm:-?})" test "${st_pgemm:-x}" = 0
check "products, cpu: the same calls on the CPU BLAS (${st_cpu:-?} = ${gpu_calls:-?})" \
  test "${st_cpu:-x}" = "${gpu_calls:-y}"

# ---- 3. a product in a child forked after the parent's (os.fork, as
# multiprocessing's default start method does): right, and within 60 s.
# OpenCL drivers do not survive a fork; a hung child is killed.
forked=$(cat <<'PY'
import os, signal, sys, time
import numpy as np

a = np.arange(64 * 64, dtype=np.float32).reshape(64, 64) / 4096
want = a.astype(np.float64) @ a.astype(np.float64)
ok = lambda c: np.allclose(c, want, rtol=1e-5, atol=1e-5)
print("parent before the fork:", "right" if ok(a @ a) else "WRONG")
pid = os.fork()
if pid == 0:
    os._exit(0 if ok(a @ a) else 1)  # no atexit: the parent's stats line only
deadline = time.time() + 60
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
        print("child:", "right" if code == 0 else "WRONG (exit %d)" % code)
        break
    if time.time() > deadline:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        print("child: no product within 60 s, killed")
        code = -1
        break
    time.sleep(0.05)
print("parent after the fork:", "right" if ok(a @ a) else "WRONG")
sys.exit(0 if code == 0 and ok(a @ a) else 1)
PY
)
echo "---- a product in a forked child"
(cd "$work" && "${shim_env[@]}" "$py" -W error -c "$forked" > fork.out 2> fork.err)
rc=$?
cat "$work/fork.out"
check "fork: parent and child products right, the child's within 60 s (exit $rc)" test "$rc" = 0
[ "$rc" = 0 ] || tail -20 "$work/fork.err"
check_stats fork "$work/fork.err"

# ---- 4. products from 6 Python threads at once (numpy lets go of the GIL
# around its BLAS calls, so they reach the shim together).
threads=$(cat <<'PY'
import sys, threading
import numpy as np

wrong = []

def work(seed):
    rng = np.random.default_rng(seed)
    for i in range(40):
        m, k, n = (int(x) for x in rng.integers(1, 130, 3))
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        got = a @ b
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        bound = (k + 2) * np.finfo(np.float32).eps * (np.abs(a64) @ np.abs(b64)) + 1e-30
        if np.any(np.abs(got - a64 @ b64) > bound):
            wrong.append((seed, i, m, k, n))

ts = [threading.Thread(target=work, args=(s,)) for s in range(6)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("threads: 240 products, %d wrong %s" % (len(wrong), wrong[:4]))
sys.exit(1 if wrong else 0)
PY
)
echo "---- products from 6 threads"
(cd "$work" && "${shim_env[@]}" "$py" -W error -c "$threads" > threads.out 2> threads.err)
rc=$?
cat "$work/threads.out"
check "threads: every product right (exit $rc)" test "$rc" = 0
[ "$rc" = 0 ] || tail -20 "$work/threads.err"
check_stats threads "$work/threads.err"

if [ "$failed" -gt 0 ]; then
  echo "blas_numpy: FAIL ($failed of $checks checks failed)"
  exit 1
fi
echo "blas_numpy: PASS ($checks checks)"
