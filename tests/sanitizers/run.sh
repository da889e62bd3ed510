#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds pgemm with sanitizers in its own folder and runs some of its tests:
#   tests/sanitizers/run.sh SOURCE_DIR BUILD_DIR SANITIZERS [-DVAR=VALUE...] CTEST_ARGS...
# e.g. SANITIZERS "address,undefined" or "thread"; -D arguments go to cmake. A report from any of them
# fails the test it happens in (-fno-sanitize-recover, halt_on_error), and so
# this script. The build is incremental: a second run rebuilds only changes.
set -euo pipefail
src=$1 dir=$2 sanitize=$3
shift 3
defines=()
while [ $# -gt 0 ] && [ "${1#-D}" != "$1" ]; do defines+=("$1"); shift; done
supp=$src/tests/sanitizers
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
# The OpenCL tests need PoCL and rusticl only. Mesa's Clover ICD, probed by
# the ICD loader, loads a gallium driver and unloads it again, and what that
# driver leaks can no longer be named by LeakSanitizer: leave Clover out.
mkdir -p "$dir/icd"
for icd in pocl rusticl; do
    [ -f "/etc/OpenCL/vendors/$icd.icd" ] && cp "/etc/OpenCL/vendors/$icd.icd" "$dir/icd/"
done
export OCL_ICD_VENDORS=$dir/icd
cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGEMM_WITH_HIP=OFF \
    -DPGEMM_BUILD_BENCH=OFF "-DPGEMM_SANITIZE=$sanitize" "${defines[@]}" >/dev/null
cmake --build "$dir" >"$dir.build.log" 2>&1 || { tail -40 "$dir.build.log"; exit 1; }
ctest --test-dir "$dir" --output-on-failure --no-label-summary "$@"
