#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Resource check of pgemm's HIP kernels (no GPU needed).
#
# Compiles every .hip file under hip_kernels/ and fp16/ for each AMD target
# with hipcc, one target per compile, and reads clang's kernel-resource-usage
# remarks (SGPRs, VGPRs, AGPRs, scratch, occupancy, spills, LDS); and, when
# nvcc is installed, for NVIDIA sm_80 and sm_90a through the project's
# platform header (-DPGEMM_HIP_NVIDIA), reading ptxas -v (registers, shared
# memory, stack frame, spill stores and loads). Prints a compact table.
#
# Usage: hip_resources.sh [options] [SOURCE_DIR]
#
#   SOURCE_DIR   the pgemm source tree (holding hip_kernels/ and fp16/);
#                default: the tree this script is in
#
# Options:
#   --platform P        amd, nvidia or all (default all). With all, a
#                       machine without nvcc checks AMD only and says so.
#   --targets LIST      AMD targets, separated by spaces, commas or
#                       semicolons (default: gfx803 gfx900 gfx906 gfx908
#                       gfx90a gfx1010 gfx1030)
#   --update-doc FILE   (re)write FILE (docs/HIP_RESOURCES.md) from the
#                       results; without nvcc, its NVIDIA section is kept.
#                       The doc always shows the default AMD targets.
#   --check-doc FILE    fail when FILE differs from what --update-doc would
#                       write (sections made by another compiler version
#                       than the one here are not compared)
#   --results DIR       also save the parsed results (amd.tsv, nvidia.tsv)
#                       in DIR
#   --from-results DIR  compile nothing: use results saved by --results
#                       (for --check-doc or --update-doc)
#   -j, --jobs N        parallel compiles (default 2)
#   -q, --quiet         print only failures and the summary
#   -h, --help          this text
#
# Environment: HIPCC (default hipcc), NVCC (default nvcc from PATH, else
# /usr/local/cuda/bin/nvcc), HIPCC_FLAGS and NVCC_FLAGS (added to the
# compile commands).
#
# The check fails on: a missing kernel file (hip_kernels/sgemm_tile.hip,
# fp16/hgemm_mma.hip, fp16/hgemm_fma.hip, fp16/pack.hip, and every .hip
# file that cmake/hip_sources.cmake lists), any compile error, any spilled
# VGPR or SGPR or scratch memory (AMD), any spill store, spill load or stack
# frame (NVIDIA), a target for which no file reports a function. Compiler
# warnings are shown but do not fail it. --update-doc writes the doc even
# when the check fails (with the figures that fail it).
#
# Exit status: 0 pass; 1 the check fails (or the doc is out of date);
# 2 usage error or bad input; 3 hipcc is missing or broken; 77 skipped:
# --platform nvidia without nvcc, or --check-doc with nothing to compare.
set -euo pipefail

prog=${0##*/}
script_dir=$(cd "$(dirname "$0")" && pwd)

DEFAULT_TARGETS="gfx803 gfx900 gfx906 gfx908 gfx90a gfx1010 gfx1030"
REQUIRED_FILES="hip_kernels/sgemm_tile.hip fp16/hgemm_mma.hip fp16/hgemm_fma.hip fp16/pack.hip"
NV_SMS="sm_80 sm_90a"
DOC_CMD="tests/hip/hip_resources.sh --update-doc docs/HIP_RESOURCES.md"

usage() { sed -n '/^# Usage:/,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; s/^#$//; p}' "$0"; }
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 2; }
no_toolchain() { printf '%s: %s\n' "$prog" "$*" >&2; exit 3; }
note() { printf '%s: %s\n' "$prog" "$*" >&2; }

platform=all
targets=$DEFAULT_TARGETS
update_doc=
check_doc=
results_dir=
from_results=
jobs=2
quiet=0
while (($#)); do
    case $1 in
        --platform) (($# >= 2)) || die "--platform needs amd, nvidia or all"; platform=$2; shift 2 ;;
        --platform=*) platform=${1#*=}; shift ;;
        --targets) (($# >= 2)) || die "--targets needs a list"; targets=$2; shift 2 ;;
        --targets=*) targets=${1#*=}; shift ;;
        --update-doc) (($# >= 2)) || die "--update-doc needs a file name"; update_doc=$2; shift 2 ;;
        --update-doc=*) update_doc=${1#*=}; shift ;;
        --check-doc) (($# >= 2)) || die "--check-doc needs a file name"; check_doc=$2; shift 2 ;;
        --check-doc=*) check_doc=${1#*=}; shift ;;
        --results) (($# >= 2)) || die "--results needs a folder"; results_dir=$2; shift 2 ;;
        --results=*) results_dir=${1#*=}; shift ;;
        --from-results) (($# >= 2)) || die "--from-results needs a folder"; from_results=$2; shift 2 ;;
        --from-results=*) from_results=${1#*=}; shift ;;
        -j|--jobs) (($# >= 2)) || die "$1 needs a number"; jobs=$2; shift 2 ;;
        -j*) jobs=${1#-j}; shift ;;
        --jobs=*) jobs=${1#*=}; shift ;;
        -q|--quiet) quiet=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) break ;;
    esac
done
(($# <= 1)) || { usage >&2; exit 2; }
src_dir=${1:-$script_dir/../..}

case $platform in amd|nvidia|all) ;; *) die "--platform wants amd, nvidia or all, not '$platform'" ;; esac
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, not '$jobs'"
targets=$(printf '%s\n' "$targets" | tr ',;' '  ' | xargs -n1 | awk '!seen[$0]++' | xargs)
[[ -n $targets ]] || die "--targets: empty list"
for t in $targets; do
    [[ $t =~ ^gfx[0-9a-f]+(:[a-z0-9+-]+)*$ ]] || die "--targets: '$t' is not an AMD target (gfx...)"
done
[[ -z $check_doc || -z $update_doc ]] || die "--check-doc and --update-doc do not go together"
if [[ -n $from_results ]]; then
    [[ -n $check_doc || -n $update_doc ]] || die "--from-results is for --check-doc or --update-doc"
    [[ -d $from_results ]] || die "--from-results: no folder '$from_results'"
    from_results=$(cd "$from_results" && pwd)
fi
# Paths given relative to the caller's directory, before the cd below.
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
[[ -z $update_doc ]] || update_doc=$(abspath "$update_doc")
[[ -z $check_doc ]] || check_doc=$(abspath "$check_doc")
[[ -z $results_dir ]] || { mkdir -p "$results_dir" && results_dir=$(cd "$results_dir" && pwd); } ||
    die "cannot create '$results_dir'"

[[ -d $src_dir/hip_kernels ]] || die "no hip_kernels/ folder under '$src_dir'"
cd "$src_dir"

work=$(mktemp -d "${TMPDIR:-/tmp}/hip_resources.XXXXXX")
trap 'rm -rf "$work"' EXIT

failures=""   # lines of text, one per failure
fail() { failures+="$*"$'\n'; }

# ---------------------------------------------------------------- sources
mapfile -t files < <(find hip_kernels fp16 -type f -name '*.hip' 2>/dev/null | LC_ALL=C sort)
# The kernel files that must exist: the four the backend is built on, and
# every .hip file the build lists (cmake/hip_sources.cmake).
listed=""
if [[ -f cmake/hip_sources.cmake ]]; then
    listed=$(grep -o '${PROJECT_SOURCE_DIR}/[^ )"]*\.hip' cmake/hip_sources.cmake |
        sed 's|^${PROJECT_SOURCE_DIR}/||' | xargs) || true
fi
for f in $(printf '%s\n' $REQUIRED_FILES $listed | awk '!seen[$0]++'); do
    if [[ ! -f $f ]]; then
        if [[ " $listed " == *" $f "* ]]; then
            fail "FAIL missing kernel file $f (listed in cmake/hip_sources.cmake)"
        else
            fail "FAIL missing kernel file $f"
        fi
    fi
done
# What the results were computed from: every kernel source and header.
sources_hash() {
    find hip_kernels fp16 -type f \( -name '*.hip' -o -name '*.h' -o -name '*.hpp' -o -name '*.cuh' \
        -o -name '*.inc' \) 2>/dev/null | LC_ALL=C sort | xargs -r sha256sum | sha256sum | cut -c1-16
}
src_hash=$(sources_hash)

# A "#key<TAB>value" line of a results file.
meta() { awk -F'\t' -v k="#$2" '$1 == k { print $2; exit }' "$1"; }
# The files of a results file's "#files" line that no row of ROWS names.
files_without_kernels() {
    meta "$1" files | tr ' ' '\n' | grep -v '^$' | while read -r f; do
        awk -F'\t' -v f="$f" '$3 == f { found = 1; exit } END { exit !found }' "$2" || printf '`%s` ' "$f"
    done | sed 's/ $//; s/` `/`, `/g'
}

# ---------------------------------------------------------------- parsers
# clang's remarks on stdin -> one line per function:
# target file name kind SGPRs VGPRs AGPRs scratch occupancy sgpr_spill vgpr_spill lds
# (kind: kernel, or func for a device function that was not inlined: only
# kernels get an LDS figure; "-" where the compiler gave no figure.)
parse_amd() {
    awk -v target="$1" -v file="$2" '
        function val(k) { return (k in v) ? v[k] : "-" }
        function flush() {
            if (name != "")
                printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", target, file, name,
                    (("LDS Size" in v) ? "kernel" : "func"), val("SGPRs"), val("VGPRs"), val("AGPRs"),
                    val("ScratchSize"), val("Occupancy"), val("SGPRs Spill"), val("VGPRs Spill"),
                    val("LDS Size")
            name = ""; split("", v)
        }
        / remark: Function Name: / {
            flush(); name = $0; sub(/.* remark: Function Name: /, "", name); sub(/ \[-R.*/, "", name)
            next
        }
        / remark: +[A-Za-z][A-Za-z ]*( \[[^]]*\])?: [^ ]+ \[-Rpass-analysis=kernel-resource-usage\]$/ && name != "" {
            line = $0; sub(/.* remark: +/, "", line); sub(/ \[-R.*/, "", line)
            key = line; sub(/( \[[^]]*\])?: [^ ]+$/, "", key)
            value = line; sub(/.*: /, "", value)
            v[key] = value
        }
        END { flush() }'
}

# ptxas -v output on stdin -> one line per function and sm:
# sm file name kind registers smem stack spill_stores spill_loads
parse_nvidia() {
    awk -v file="$1" '
        function num(s, re,   t) {
            if (!match(s, re)) return ""
            t = substr(s, RSTART, RLENGTH); sub(/[^0-9].*/, "", t); return t
        }
        function add(n) {
            k = run SUBSEP n
            if (!(k in seen)) { seen[k] = 1; order[++count] = k; fn[k] = n; rn[k] = run }
            cur = k
        }
        /bytes gmem/ { run++; next }
        /Compiling entry function / {
            n = $0; sub(/.*Compiling entry function \047/, "", n); sub(/\047.*/, "", n)
            sm = $0; sub(/.* for \047/, "", sm); sub(/\047.*/, "", sm)
            if ((run in runsm) && runsm[run] != sm) run++
            runsm[run] = sm
            add(n); entry[cur] = 1
            next
        }
        /Function properties for / {
            n = $0; sub(/.*Function properties for /, "", n); sub(/[ \t\r]+$/, "", n)
            add(n); next
        }
        /bytes stack frame/ && cur != "" {
            stack[cur] = num($0, "[0-9]+ bytes stack frame")
            st[cur] = num($0, "[0-9]+ bytes spill stores")
            ld[cur] = num($0, "[0-9]+ bytes spill loads")
            next
        }
        /Used [0-9]+ registers/ && cur != "" {
            regs[cur] = num($0, "[0-9]+ registers")
            s = num($0, "[0-9]+ bytes smem"); smem[cur] = (s == "" ? 0 : s)
            next
        }
        END {
            for (i = 1; i <= count; i++) {
                k = order[i]
                sm = (rn[k] in runsm) ? runsm[rn[k]] : "?"
                printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sm, file, fn[k],
                    ((k in entry) ? "kernel" : "func"),
                    ((k in regs) ? regs[k] : "-"), ((k in smem) ? smem[k] : "-"),
                    ((k in stack) ? stack[k] : "-"), ((k in st) ? st[k] : "-"), ((k in ld) ? ld[k] : "-")
            }
        }'
}

# Warnings and errors (with their context lines) from a compiler log on
# stdin, without clang's remarks and ptxas' info lines.
diagnostics() {
    awk '
        / remark: / { ctx = 0; next }
        /^ptxas info/ || /^ *[0-9]+ bytes stack frame/ { ctx = 0; next }
        /(^|: |^ptxas )(warning|error|fatal error)( #[0-9-]+[A-Z-]*)?( *): / ||
            /^nvcc (warning|fatal)/ || /^ptxas (error|fatal|warning)/ { print; ctx = 1; next }
        /: note: / { print; ctx = 1; next }
        /^In file included from / { print; next }
        ctx && !/^ *$/ { print; next }
        { ctx = 0 }'
}

# Mangled names on stdin -> "mangled<TAB>short name". Short: no return type,
# no parameter list, no namespaces, no pgemm:: in template arguments, no
# space after commas; names that would collide keep their parameter list.
short_names() {
    local names
    names=$(LC_ALL=C sort -u)
    [[ -n $names ]] || return 0
    paste <(printf '%s\n' "$names") <(printf '%s\n' "$names" | c++filt) | awk -F'\t' '
        function strip_params(s,   i, d, c) {
            if (substr(s, length(s), 1) != ")") return s
            d = 0
            for (i = length(s); i > 0; i--) {
                c = substr(s, i, 1)
                if (c == ")") d++
                else if (c == "(") { d--; if (d == 0) return substr(s, 1, i - 1) }
            }
            return s
        }
        function strip_return(s,   i, d, c, last) {
            d = 0; last = 0
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                if (c == "<" || c == "(") d++
                else if (c == ">" || c == ")") d--
                else if (c == " " && d == 0) last = i
            }
            return last ? substr(s, last + 1) : s
        }
        function strip_scope(s,   i, d, c, last) {
            d = 0; last = 0
            for (i = 1; i < length(s); i++) {
                c = substr(s, i, 1)
                if (c == "<" || c == "(") d++
                else if (c == ">" || c == ")") d--
                else if (c == ":" && d == 0 && substr(s, i + 1, 1) == ":") { last = i + 1; i++ }
            }
            return last ? substr(s, last + 1) : s
        }
        function tidy(s) {
            gsub(/\(anonymous namespace\)::/, "", s); gsub(/pgemm::/, "", s); gsub(/, /, ",", s)
            return s
        }
        {
            m[NR] = $1; d = $2
            long[NR] = tidy(strip_return(d))
            s = tidy(strip_scope(strip_return(strip_params(d))))
            if (s == "") s = $1
            short[NR] = s; uses[s]++
        }
        END {
            for (i = 1; i <= NR; i++)
                printf "%s\t%s\n", m[i], (uses[short[i]] > 1 ? long[i] : short[i])
        }'
}

# ---------------------------------------------------------------- AMD
amd_ok=0        # results for AMD available
amd_version=
nv_ok=0
nv_version=
nv_skip_reason=

# Compile jobs: one line "id<TAB>kind<TAB>target-or-sms<TAB>file" each.
: >"$work/jobs.tsv"
run_jobs() {
    [[ -s $work/jobs.tsv ]] || return 0
    cut -f1 "$work/jobs.tsv" | while read -r id; do : >"$work/$id.log"; done
    export work src_abs HIPCC NVCC
    export HIPCC_FLAGS=${HIPCC_FLAGS:-} NVCC_FLAGS=${NVCC_FLAGS:-}
    cut -f1 "$work/jobs.tsv" | xargs -P "$jobs" -I{} bash -c '
        IFS=$'"'"'\t'"'"' read -r id kind arch file < <(awk -F "\t" -v id="$1" "\$1 == id" "$work/jobs.tsv")
        start=$(date +%s.%N)
        if [[ $kind == amd ]]; then
            # shellcheck disable=SC2086
            HIP_PLATFORM=amd "$HIPCC" -x hip -std=c++17 -O3 --offload-arch="$arch" --cuda-device-only \
                -c -o /dev/null -Rpass-analysis=kernel-resource-usage -I hip_kernels -I fp16 \
                $HIPCC_FLAGS "$file" >"$work/$id.log" 2>&1 && rc=0 || rc=$?
        else
            # shellcheck disable=SC2086
            "$NVCC" -x cu -std=c++17 -O3 -DPGEMM_HIP_NVIDIA \
                -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90a,code=sm_90a \
                -Xptxas -v -c -o /dev/null -I hip_kernels -I fp16 \
                $NVCC_FLAGS "$file" >"$work/$id.log" 2>&1 && rc=0 || rc=$?
        fi
        end=$(date +%s.%N)
        printf "%s %s\n" "$rc" "$(awk -v a="$start" -v b="$end" "BEGIN { printf \"%.1f\", b - a }")" \
            >"$work/$id.rc"' _ {} || true
}
# "exit-status seconds" of a compile job; a job that left no status failed.
job_rc() { if [[ -s $work/$1.rc ]]; then cat "$work/$1.rc"; else echo "255 0"; fi; }
src_abs=$PWD
HIPCC=${HIPCC:-hipcc}
NVCC=${NVCC:-}

want_amd=0 want_nv=0
[[ $platform == nvidia ]] || want_amd=1
[[ $platform == amd ]] || want_nv=1

if [[ -z $from_results ]]; then
    # Largest files first: the longest compiles start early, so that the two
    # job slots finish together.
    job_files=()
    ((${#files[@]} == 0)) || mapfile -t job_files < <(ls -S "${files[@]}")
    if ((want_amd)); then
        command -v "$HIPCC" >/dev/null 2>&1 ||
            no_toolchain "'$HIPCC' not found: install the Debian packages hipcc libamdhip64-dev" \
                "rocm-device-libs (tools/test.sh installs them)"
        amd_version=$(HIP_PLATFORM=amd "$HIPCC" --version 2>/dev/null |
            awk '/^HIP version:/ { h = $3 } /clang version/ && !c { c = $0 }
                 END { sub(/ *\(.*/, "", c); printf "HIP %s, %s", h, c }') || true
        # Toolchain self-test, one per target: a trivial kernel must compile
        # and report no scratch. Its occupancy is the target's maximum.
        mkdir -p "$work/selftest"
        cat >"$work/selftest/selftest.hip" <<'EOF'
#include <hip/hip_runtime.h>
__global__ void pgemm_selftest(float *x) { x[threadIdx.x] *= 2.0f; }
EOF
        for t in $targets; do
            printf 'st_%s\tamd\t%s\t%s\n' "$t" "$t" "$work/selftest/selftest.hip" >>"$work/jobs.tsv"
        done
        i=0
        for f in "${job_files[@]}"; do
            for t in $targets; do
                printf 'amd_%d\tamd\t%s\t%s\n' "$i" "$t" "$f" >>"$work/jobs.tsv"
                i=$((i + 1))
            done
        done
    fi
    if ((want_nv)); then
        if [[ -z $NVCC ]]; then
            NVCC=$(command -v nvcc 2>/dev/null || true)
            [[ -n $NVCC || ! -x /usr/local/cuda/bin/nvcc ]] || NVCC=/usr/local/cuda/bin/nvcc
        fi
        if [[ -z $NVCC ]] || ! command -v "$NVCC" >/dev/null 2>&1; then
            if [[ -n ${NVCC:-} ]]; then
                nv_skip_reason="nvcc '$NVCC' (from NVCC) not found"
            else
                nv_skip_reason="nvcc not found (neither in PATH nor /usr/local/cuda/bin; CUDA is not a Debian package)"
            fi
            NVCC=
        else
            nv_version=$("$NVCC" --version 2>/dev/null | awk '/release/ { sub(/^Cuda compilation tools, /, ""); print "nvcc " $0 }')
            i=0
            for f in "${job_files[@]}"; do
                printf 'nv_%d\tnv\t%s\t%s\n' "$i" "$NV_SMS" "$f" >>"$work/jobs.tsv"
                i=$((i + 1))
            done
        fi
    fi
    t0=$(date +%s)
    run_jobs
    elapsed=$(($(date +%s) - t0))

    # ------------------------------------------------------------ AMD results
    if ((want_amd)); then
        declare -A maxocc=()
        for t in $targets; do
            log=$work/st_$t.log
            read -r rc _ < <(job_rc "st_$t")
            res=$(parse_amd "$t" selftest <"$log")
            IFS=$'\t' read -r _ _ _ _ _ _ _ st_scratch st_occ _ <<<"$res"
            if [[ $rc != 0 || -z $res || ${st_scratch:-} != 0 ]]; then
                sed 's/^/    /' "$log" | head -n 30 >&2
                no_toolchain "toolchain self-test failed for $t: '$HIPCC' cannot compile HIP for it" \
                    "or printed no resource report (needs hipcc, libamdhip64-dev, rocm-device-libs;" \
                    "Debian 12 has no device library for gfx1100 and later)"
            fi
            maxocc[$t]=$st_occ
        done
        {
            printf '#compiler\t%s\n#sources\t%s\n#targets\t%s\n#files\t%s\n' "$amd_version" "$src_hash" \
                "$targets" "${files[*]}"
            printf '#maxocc'; for t in $targets; do printf '\t%s=%s' "$t" "${maxocc[$t]}"; done; printf '\n'
        } >"$work/amd.tsv"
        declare -A nfuncs=()
        amd_compile_s=0
        while IFS=$'\t' read -r id _ t f; do
            [[ $id == amd_* ]] || continue
            log=$work/$id.log
            read -r rc secs < <(job_rc "$id")
            amd_compile_s=$(awk -v a="$amd_compile_s" -v b="$secs" 'BEGIN { print a + b }')
            res=$(parse_amd "$t" "$f" <"$log")
            [[ -z $res ]] || printf '%s\n' "$res" >>"$work/amd.tsv"
            n=0; [[ -z $res ]] || n=$(printf '%s\n' "$res" | wc -l)
            nfuncs[$t]=$(( ${nfuncs[$t]:-0} + n ))
            printf '%s\t%s\t%s\t%s\n' "$t" "$f" "$rc" "$secs" >>"$work/amd_compiles.tsv"
            cmd="HIP_PLATFORM=amd $HIPCC -x hip -std=c++17 -O3 --offload-arch=$t --cuda-device-only -c -o /dev/null -Rpass-analysis=kernel-resource-usage -I hip_kernels -I fp16${HIPCC_FLAGS:+ $HIPCC_FLAGS} $f"
            if [[ $rc != 0 ]]; then
                fail "FAIL $f for $t: compile error (hipcc exit $rc)"
                fail "    $cmd"
                fail "$(diagnostics <"$log" | head -n 40 | sed 's/^/    /')"
            elif grep -q ': warning: ' "$log"; then
                nw=$(grep -c ': warning: ' "$log")
                note "$f for $t: $nw compiler warning(s) (not a failure):"
                diagnostics <"$log" | head -n 20 | sed 's/^/    /' >&2
            fi
        done <"$work/jobs.tsv"
        for t in $targets; do
            ((${nfuncs[$t]:-0} > 0)) || ((${#files[@]} == 0)) ||
                fail "FAIL $t: no function reported by any file (no kernels, or no -Rpass-analysis remarks)"
        done
        amd_ok=1
    fi

    # ------------------------------------------------------------ NVIDIA results
    if ((want_nv)) && [[ -n $NVCC ]]; then
        printf '#compiler\t%s\n#sources\t%s\n#sms\t%s\n#files\t%s\n' "$nv_version" "$src_hash" "$NV_SMS" \
            "${files[*]}" >"$work/nvidia.tsv"
        nv_compile_s=0
        while IFS=$'\t' read -r id _ _ f; do
            [[ $id == nv_* ]] || continue
            log=$work/$id.log
            read -r rc secs < <(job_rc "$id")
            nv_compile_s=$(awk -v a="$nv_compile_s" -v b="$secs" 'BEGIN { print a + b }')
            res=$(parse_nvidia "$f" <"$log")
            [[ -z $res ]] || printf '%s\n' "$res" >>"$work/nvidia.tsv"
            printf '%s\t%s\t%s\n' "$f" "$rc" "$secs" >>"$work/nv_compiles.tsv"
            cmd="$NVCC -x cu -std=c++17 -O3 -DPGEMM_HIP_NVIDIA -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90a,code=sm_90a -Xptxas -v -c -o /dev/null -I hip_kernels -I fp16${NVCC_FLAGS:+ $NVCC_FLAGS} $f"
            if [[ $rc != 0 ]]; then
                fail "FAIL $f for NVIDIA: compile error (nvcc exit $rc)"
                fail "    $cmd"
                fail "$(diagnostics <"$log" | head -n 40 | sed 's/^/    /')"
            elif grep -Eq '(^|: |^ptxas )warning|^nvcc warning' "$log"; then
                note "$f for NVIDIA: compiler warning(s) (not a failure):"
                diagnostics <"$log" | head -n 20 | sed 's/^/    /' >&2
            fi
        done <"$work/jobs.tsv"
        nv_ok=1
    fi

    if [[ -n $results_dir ]]; then
        if ((want_amd)); then
            rm -f "$results_dir/amd.tsv"
            ((amd_ok)) && cp "$work/amd.tsv" "$results_dir/amd.tsv.tmp" &&
                mv "$results_dir/amd.tsv.tmp" "$results_dir/amd.tsv"
        fi
        if ((want_nv)); then
            rm -f "$results_dir/nvidia.tsv"
            ((nv_ok)) && cp "$work/nvidia.tsv" "$results_dir/nvidia.tsv.tmp" &&
                mv "$results_dir/nvidia.tsv.tmp" "$results_dir/nvidia.tsv"
        fi
    fi
else
    # ------------------------------------------------------------ saved results
    if ((want_amd)); then
        [[ -f $from_results/amd.tsv ]] ||
            die "no AMD results in $from_results (run the hip_amd_resources test, or this script with --results)"
        [[ $(meta "$from_results/amd.tsv" sources) == "$src_hash" ]] ||
            die "the AMD results in $from_results are older than the kernel sources (run the hip_amd_resources test again)"
        cp "$from_results/amd.tsv" "$work/amd.tsv"
        amd_version=$(meta "$work/amd.tsv" compiler)
        targets=$(meta "$work/amd.tsv" targets)
        amd_ok=1
    fi
    if ((want_nv)); then
        if [[ ! -f $from_results/nvidia.tsv ]]; then
            nv_skip_reason="no NVIDIA results in $from_results (nvcc not found when they were made)"
        elif [[ $(meta "$from_results/nvidia.tsv" sources) != "$src_hash" ]]; then
            nv_skip_reason="the NVIDIA results in $from_results are older than the kernel sources"
        else
            cp "$from_results/nvidia.tsv" "$work/nvidia.tsv"
            nv_version=$(meta "$work/nvidia.tsv" compiler)
            nv_ok=1
        fi
    fi
fi

# ---------------------------------------------------------------- names
# Short names, made per platform (nvcc and clang mangle anonymous
# namespaces differently), and the rows with the short name in front, sorted
# by source file, then name (numbers in order: sgemm<64> before sgemm<128>).
: >"$work/amd_rows.tsv" ; : >"$work/nv_rows.tsv"
named_rows() {
    grep -v '^#' "$1" | awk -F'\t' -v names="$2" '
        BEGIN { while ((getline l < names) > 0) { split(l, p, "\t"); short[p[1]] = p[2] } }
        { printf "%s\t%s\n", short[$3], $0 }' |
        LC_ALL=C sort -t "$(printf '\t')" -s -k3,3 -k1,1V
}
if ((amd_ok)); then
    grep -v '^#' "$work/amd.tsv" | cut -f3 | short_names >"$work/amd_names.tsv"
    named_rows "$work/amd.tsv" "$work/amd_names.tsv" >"$work/amd_rows.tsv"
fi
if ((nv_ok)); then
    grep -v '^#' "$work/nvidia.tsv" | cut -f3 | short_names >"$work/nv_names.tsv"
    named_rows "$work/nvidia.tsv" "$work/nv_names.tsv" >"$work/nv_rows.tsv"
fi

if [[ -z $from_results ]]; then
    # Spills and scratch, from the parsed results.
    if ((amd_ok)); then
        # shellcheck disable=SC2034  # sgpr, vgpr, occ: read through ${!x}
        while IFS=$'\t' read -r name t f _ _ sgpr vgpr _ scratch occ sspill vspill _; do
            for x in sgpr vgpr scratch occ sspill vspill; do
                [[ ${!x} =~ ^[0-9]+$ ]] || { fail "FAIL $f for $t: $name: the report has no $x figure"; continue 2; }
            done
            p=""
            ((scratch == 0)) || p+="${p:+, }$scratch bytes/lane of scratch"
            ((vspill == 0)) || p+="${p:+, }$vspill VGPRs spilled"
            ((sspill == 0)) || p+="${p:+, }$sspill SGPRs spilled"
            [[ -z $p ]] || fail "FAIL $f for $t: $name: $p"
        done <"$work/amd_rows.tsv"
    fi
    if ((nv_ok)); then
        while IFS=$'\t' read -r name sm f _ _ _ _ stack sst sld; do
            p=""
            for x in stack sst sld; do
                [[ ${!x} =~ ^[0-9]+$ ]] || { fail "FAIL $f for $sm: $name: ptxas gave no $x figure"; continue 2; }
            done
            ((stack == 0)) || p+="${p:+, }$stack bytes stack frame"
            ((sst == 0 && sld == 0)) || p+="${p:+, }spill stores $sst bytes, loads $sld bytes"
            [[ -z $p ]] || fail "FAIL $f for $sm: $name: $p"
        done <"$work/nv_rows.tsv"
    fi

fi

# ---------------------------------------------------------------- console table
# Aligned columns from tab-separated lines on stdin.
columns() {
    awk -F'\t' '
        { for (c = 1; c <= NF; c++) { cell[NR, c] = $c; if (length($c) > w[c]) w[c] = length($c) }
          if (NF > n) n = NF }
        END { for (r = 1; r <= NR; r++) { line = ""
                  for (c = 1; c <= n; c++) line = line sprintf(c < n ? "%-" w[c] "s  " : "%s", cell[r, c])
                  sub(/ +$/, "", line); print line } }'
}

if [[ -z $from_results ]] && ((!quiet)); then
    if ((amd_ok)); then
        printf 'AMD: %s; per target: VGPRs[+AGPRs]/occupancy (waves/SIMD), ! = spill or scratch\n' "$amd_version"
        awk -F'\t' -v targets="$targets" '
            BEGIN {
                nt = split(targets, tl, " ")
                printf "kernel\tsource\tLDS"; for (i = 1; i <= nt; i++) printf "\t%s", tl[i]; printf "\n"
            }
            {
                key = $3 SUBSEP $4
                if (!(key in seen)) { seen[key] = 1; order[++n] = key; nm[key] = $1 ($5 == "func" ? " (function)" : ""); src[key] = $3 }
                cellv = $7 (($8 != "-" && $8 != 0) ? "+" $8 : "") "/" $10
                if ($9 != 0 || $11 != 0 || $12 != 0) cellv = cellv "!"
                cell[key, $2] = cellv
                if ($13 != "-" && (!(key in lds) || $13 + 0 > lds[key] + 0)) lds[key] = $13
            }
            END {
                for (r = 1; r <= n; r++) {
                    key = order[r]
                    printf "%s\t%s\t%s", nm[key], src[key], ((key in lds) ? lds[key] : "-")
                    for (i = 1; i <= nt; i++) printf "\t%s", (((key, tl[i]) in cell) ? cell[key, tl[i]] : "-")
                    printf "\n"
                }
            }' "$work/amd_rows.tsv" | columns
        echo
    fi
    if ((nv_ok)); then
        printf 'NVIDIA: %s; per sm: registers, smem bytes; ! = stack frame or spills\n' "$nv_version"
        awk -F'\t' -v sms="$NV_SMS" '
            BEGIN {
                ns = split(sms, sl, " ")
                printf "kernel\tsource"; for (i = 1; i <= ns; i++) printf "\t%s regs\tsmem", sl[i]; printf "\n"
            }
            {
                key = $3 SUBSEP $4
                if (!(key in seen)) { seen[key] = 1; order[++n] = key; nm[key] = $1 ($5 == "func" ? " (function)" : ""); src[key] = $3 }
                r = $6; if ($8 != 0 || $9 != 0 || $10 != 0) r = r "!"
                regs[key, $2] = r; smem[key, $2] = $7
            }
            END {
                for (r = 1; r <= n; r++) {
                    key = order[r]
                    printf "%s\t%s", nm[key], src[key]
                    for (i = 1; i <= ns; i++)
                        printf "\t%s\t%s", (((key, sl[i]) in regs) ? regs[key, sl[i]] : "-"),
                            (((key, sl[i]) in smem) ? smem[key, sl[i]] : "-")
                    printf "\n"
                }
            }' "$work/nv_rows.tsv" | columns
        echo
    fi
fi

# ---------------------------------------------------------------- the doc
target_desc() {
    case $1 in
        gfx803) echo "Polaris (GCN 4: RX 470–590)" ;;
        gfx900) echo "Vega 10 (GCN 5: RX Vega 56/64, MI25)" ;;
        gfx906) echo "Vega 20 (GCN 5: Radeon VII, MI50/MI60; v_dot2_f32_f16)" ;;
        gfx908) echo "CDNA 1 (MI100; MFMA, AGPRs)" ;;
        gfx90a) echo "CDNA 2 (MI200; MFMA, unified VGPR/AGPR file)" ;;
        gfx1010) echo "RDNA 1 (RX 5700; wave32)" ;;
        gfx1030) echo "RDNA 2 (RX 6800/6900; wave32, v_dot2_f32_f16)" ;;
        *) echo "" ;;
    esac
}

doc_intro() {
    cat <<EOF
# HIP kernel resources

<!-- Generated by tests/hip/hip_resources.sh: do not edit by hand. Regenerate with
     $DOC_CMD -->

What each HIP kernel in \`hip_kernels/\` and \`fp16/\` costs in registers, scratch and shared
memory (LDS), as the compilers report it. Every \`.hip\` file is compiled

* for each AMD target with Debian 12's \`hipcc\`, one target per compile:
  \`hipcc -x hip -std=c++17 -O3 --offload-arch=<target> --cuda-device-only -c -o /dev/null
  -Rpass-analysis=kernel-resource-usage -I hip_kernels -I fp16 <file>\`;
* for NVIDIA sm_80 and sm_90a with \`nvcc\`, through the project's platform header:
  \`nvcc -x cu -std=c++17 -O3 -DPGEMM_HIP_NVIDIA -gencode arch=compute_80,code=sm_80
  -gencode arch=compute_90a,code=sm_90a -Xptxas -v -c -o /dev/null -I hip_kernels -I fp16 <file>\`.

**Zero spills is the bar.** The check fails on any compile error, any spilled VGPR or SGPR or
scratch use (AMD), any spill store or load or stack frame (NVIDIA), and on a missing kernel
file. Compiler warnings are shown but do not fail it.

**The AMD figures are compiler reports** for targets with no GPU here: nothing on this page was
measured on AMD hardware. Occupancy is clang's estimate from registers, LDS and the kernel's
launch bounds, in waves per SIMD; the heading of each target gives its maximum (what a trivial
kernel gets). On gfx1010 and gfx1030 the kernels are compiled for wave32, clang's default there.
Kernels that exist only for NVIDIA (the \`mma.sync\` and \`wgmma\` tiles) are compiled out of
the AMD builds; each section names the files that gave it no kernel.

To regenerate this page after a kernel change (needs the Debian packages hipcc,
libamdhip64-dev and rocm-device-libs; nvcc for the NVIDIA tables, which are kept as they were
when nvcc is not found):

    $DOC_CMD

CTest runs the check as \`hip_amd_resources\` and \`hip_nvidia_resources\` (skipped without nvcc),
and \`hip_resources_doc\` fails when this page no longer matches the kernels
(\`ctest --test-dir build -L hip\`).
EOF
}

render_amd_section() {
    local t
    printf '<!-- hip-resources:amd:begin -->\n\n'
    printf 'Compiler: %s.\n\n' "$amd_version"
    printf 'Columns: VGPRs and AGPRs per lane (AGPRs only on targets with MFMA), SGPRs per wave,\n'
    printf 'scratch in bytes per lane, spilled SGPRs/VGPRs, static LDS in bytes per work-group\n'
    printf '(dynamic LDS, sized at launch, is not included), clang'"'"'s occupancy in waves per SIMD.\n'
    printf '"(function)": a device function that was not inlined.\n'
    local none
    none=$(files_without_kernels "$work/amd.tsv" "$work/amd_rows.tsv")
    [[ -z $none ]] || printf '\nNo kernel for AMD on any target in: %s.\n' "$none"
    for t in $DEFAULT_TARGETS; do
        local desc max
        desc=$(target_desc "$t")
        max=$(awk -F'\t' -v t="$t" '$1 == "#maxocc" { for (i = 2; i <= NF; i++) { split($i, p, "="); if (p[1] == t) print p[2] } }' "$work/amd.tsv")
        printf '\n### %s%s\n\n' "$t" "${desc:+ — $desc}"
        printf 'Maximum occupancy: %s waves/SIMD.\n\n' "${max:-?}"
        printf '| kernel | source | VGPRs | AGPRs | SGPRs | scratch | spills S/V | LDS | occupancy |\n'
        printf '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
        awk -F'\t' -v t="$t" '
            $2 == t {
                n++
                printf "| `%s`%s | %s | %s | %s | %s | %s | %s/%s | %s | %s |\n", $1, ($5 == "func" ? " (function)" : ""), $3, $7, $8, $6, $9,
                    $11, $12, $13, $10
            }
            END { if (!n) print "| (no kernels) | | | | | | | | |" }' "$work/amd_rows.tsv"
    done
    printf '\n<!-- hip-resources:amd:end -->\n'
}

render_nv_section() {
    local sm
    printf '<!-- hip-resources:nvidia:begin -->\n\n'
    printf 'Compiler: %s.\n\n' "$nv_version"
    printf 'Columns: registers per thread, static shared memory in bytes per block (dynamic shared\n'
    printf 'memory, sized at launch, is not included), stack frame and spill stores/loads in bytes\n'
    printf 'per thread, as ptxas -v reports them. "(function)": a device function that was not inlined.\n'
    local none
    none=$(files_without_kernels "$work/nvidia.tsv" "$work/nv_rows.tsv")
    [[ -z $none ]] || printf '\nNo kernel for NVIDIA in: %s.\n' "$none"
    for sm in $NV_SMS; do
        printf '\n### %s\n\n' "$sm"
        printf '| kernel | source | registers | smem | stack | spill stores/loads |\n'
        printf '| --- | --- | ---: | ---: | ---: | ---: |\n'
        awk -F'\t' -v sm="$sm" '
            $2 == sm {
                n++
                printf "| `%s`%s | %s | %s | %s | %s | %s/%s |\n", $1, ($5 == "func" ? " (function)" : ""), $3, $6, $7, $8, $9, $10
            }
            END { if (!n) print "| (no kernels) | | | | | |" }' "$work/nv_rows.tsv"
    done
    printf '\n<!-- hip-resources:nvidia:end -->\n'
}

# The section between <!-- hip-resources:NAME:begin/end --> of a file, or
# nothing.
doc_section() {
    [[ -f $1 ]] || return 0
    awk -v b="<!-- hip-resources:$2:begin -->" -v e="<!-- hip-resources:$2:end -->" '
        $0 == b { on = 1 } on { print } $0 == e { on = 0 }' "$1"
}
section_compiler() { printf '%s\n' "$1" | awk '/^Compiler: / { sub(/^Compiler: /, ""); sub(/\.$/, ""); print; exit }'; }

doc_status=0
doc_notes=()
if [[ -n $update_doc || -n $check_doc ]]; then
    doc=${update_doc:-$check_doc}
    if [[ -n $check_doc && ! -f $check_doc ]]; then
        fail "FAIL $check_doc does not exist: generate it with $DOC_CMD"
        doc_status=1
    else
        compared_amd=0 compared_nv=0
        # AMD section: the default targets must all have been compiled.
        amd_sec=""
        if ((amd_ok)); then
            missing=""
            for t in $DEFAULT_TARGETS; do [[ " $targets " == *" $t "* ]] || missing+=" $t"; done
            if [[ -n $missing ]]; then
                die "the doc shows the default targets; no results for:$missing"
            fi
            amd_sec=$(render_amd_section)
            compared_amd=1
        fi
        old_amd=$(doc_section "$doc" amd)
        if [[ -z $amd_sec ]]; then
            amd_sec=$old_amd
            doc_notes+=("AMD section kept as it was (no AMD results)")
            compared_amd=0
        elif [[ -n $check_doc && -n $old_amd &&
                $(section_compiler "$old_amd") != "$(section_compiler "$amd_sec")" ]]; then
            doc_notes+=("AMD section not compared: made with $(section_compiler "$old_amd"), here $amd_version")
            amd_sec=$old_amd
            compared_amd=0
        fi
        nv_sec=""
        if ((nv_ok)); then
            nv_sec=$(render_nv_section)
            compared_nv=1
        fi
        old_nv=$(doc_section "$doc" nvidia)
        if [[ -z $nv_sec ]]; then
            nv_sec=$old_nv
            doc_notes+=("NVIDIA section ${check_doc:+not compared}${update_doc:+kept as it was}: ${nv_skip_reason:-no NVIDIA results}")
        elif [[ -n $check_doc && -n $old_nv &&
                $(section_compiler "$old_nv") != "$(section_compiler "$nv_sec")" ]]; then
            doc_notes+=("NVIDIA section not compared: made with $(section_compiler "$old_nv"), here $nv_version")
            nv_sec=$old_nv
            compared_nv=0
        fi
        if [[ -z $nv_sec ]]; then
            nv_sec=$(printf '<!-- hip-resources:nvidia:begin -->\n\nNot generated yet: nvcc was not found when this page was made.\n\n<!-- hip-resources:nvidia:end -->')
        fi
        if [[ -z $amd_sec ]]; then
            amd_sec=$(printf '<!-- hip-resources:amd:begin -->\n\nNot generated yet.\n\n<!-- hip-resources:amd:end -->')
        fi
        { doc_intro; printf '\n## AMD\n\n%s\n\n## NVIDIA\n\n%s\n' "$amd_sec" "$nv_sec"; } >"$work/doc.md"
        if [[ -n $update_doc ]]; then
            mkdir -p "$(dirname "$update_doc")"
            cat "$work/doc.md" >"$update_doc" || die "cannot write $update_doc"
            note "wrote $update_doc"
        else
            if cmp -s "$work/doc.md" "$check_doc"; then
                if ((!compared_amd && !compared_nv)); then
                    doc_status=77
                fi
            else
                doc_status=1
                fail "FAIL $check_doc is out of date with the kernels; regenerate it with"
                fail "    $DOC_CMD"
                fail "$(diff -u --label "$check_doc" --label "as generated now" "$check_doc" "$work/doc.md" |
                    head -n 60 | sed 's/^/    /')"
            fi
        fi
        for n in "${doc_notes[@]}"; do note "$n"; done
    fi
fi

# ---------------------------------------------------------------- summary
[[ -z $failures ]] || printf '%s' "$failures" >&2
if [[ -z $from_results ]]; then
    if ((amd_ok)); then
        nk=$(grep -v '^#' "$work/amd.tsv" | cut -f2,3 | sort -u | wc -l)
        printf '%s: AMD: %d files x %d targets, %d kernels, %s (%s s of compiles)\n' "$prog" \
            "${#files[@]}" "$(wc -w <<<"$targets")" "$nk" "$amd_version" "$amd_compile_s"
    fi
    if ((nv_ok)); then
        nk=$(grep -v '^#' "$work/nvidia.tsv" | cut -f2,3 | sort -u | wc -l)
        printf '%s: NVIDIA: %d files x %s, %d kernels, %s (%s s of compiles)\n' "$prog" \
            "${#files[@]}" "$NV_SMS" "$nk" "$nv_version" "$nv_compile_s"
    elif ((want_nv)); then
        printf '%s: NVIDIA: skipped: %s\n' "$prog" "$nv_skip_reason"
    fi
    printf '%s: %d s wall, %d parallel compiles\n' "$prog" "$elapsed" "$jobs"
fi
if [[ -n $failures ]]; then
    printf '%s: FAIL (%d problem(s) above)\n' "$prog" "$(grep -c '^FAIL' <<<"$failures")" >&2
    exit 1
fi
if [[ -n $check_doc ]]; then
    if ((doc_status == 77)); then
        printf '%s: %s: nothing compared (see above): skipped\n' "$prog" "$check_doc"
        exit 77
    fi
    printf '%s: %s is up to date\n' "$prog" "$check_doc"
fi
if [[ -z $from_results && $platform == nvidia && -z $NVCC ]]; then
    printf '%s: skipped: %s\n' "$prog" "$nv_skip_reason"
    exit 77
fi
if [[ -z $from_results ]]; then
    printf '%s: pass: no compile errors, no spills, no scratch\n' "$prog"
fi
exit 0
