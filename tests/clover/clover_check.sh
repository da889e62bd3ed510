#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Clover compatibility check of pgemm's OpenCL kernels.
#
# Compiles every program build the OpenCL plugin can make (each variant for
# each TRANS_A/TRANS_B pair) the way Mesa's Clover does for AMD Polaris
# (clang, amdgcn-mesa-mesa3d, polaris10, libclc linked, -O2), reads clang's
# kernel-resource-usage remarks and prints a table of SGPRs, VGPRs, scratch,
# spills, LDS and occupancy per build.
#
# Usage: clover_check.sh [options] BUILD_LIST SOURCE_DIR
#
#   BUILD_LIST   the pgemm_cl_build_list program (tests/clover/cl_build_list.c)
#   SOURCE_DIR   the pgemm source tree (the one holding cl_kernels/), or
#                cl_kernels/ itself
#
# Options:
#   --markdown FILE   also write the table to FILE as Markdown
#   --update-doc FILE replace the table between the lines
#                     <!-- clover-table:begin --> and <!-- clover-table:end -->
#                     of FILE (docs/CLOVER.md) with the Markdown table
#   --header MODE     declarations of the OpenCL C builtins:
#                       clc       libclc's clc/clc.h, as Clover does
#                                 (package libclc-15-dev)
#                       opencl-c  clang's opencl-c.h (-finclude-default-header)
#                       auto      clc when its headers are installed, else
#                                 opencl-c (default)
#   -j, --jobs N      parallel compiles (default: number of CPUs)
#   -q, --quiet       print only failures and the summary line
#   -h, --help        this text
#
# Environment: CLANG (default clang-15), LIBCLC_BC (default
# /usr/lib/clc/polaris10-amdgcn-mesa-mesa3d.bc), LIBCLC_INCLUDE (default
# /usr/include), CLOVER_MCPU (default polaris10).
#
# A build fails the check when it does not compile (with every OpenCL
# extension switched off), compiles with a warning (-Wall -Wextra), uses
# scratch memory or spills registers, uses more than 32768 bytes of LDS or
# more than the variant table declares, has a work-group of more than 256
# items, or yields no resource report.
#
# Exit status: 0 all builds pass; 1 some build fails; 2 usage error or bad
# input (build list, kernel sources); 3 the toolchain is missing or broken
# (clang-15, libclc-15).
set -euo pipefail

prog=${0##*/}

usage() { sed -n '/^# Usage:/,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; s/^#$//; p}' "$0"; }
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 2; }
no_toolchain() { printf '%s: %s\n' "$prog" "$*" >&2; exit 3; }

markdown=
update_doc=
header_mode=auto
jobs=
quiet=0
while (($#)); do
    case $1 in
        --markdown) (($# >= 2)) || die "--markdown needs a file name"; markdown=$2; shift 2 ;;
        --markdown=*) markdown=${1#*=}; shift ;;
        --update-doc) (($# >= 2)) || die "--update-doc needs a file name"; update_doc=$2; shift 2 ;;
        --update-doc=*) update_doc=${1#*=}; shift ;;
        --header) (($# >= 2)) || die "--header needs clc, opencl-c or auto"; header_mode=$2; shift 2 ;;
        --header=*) header_mode=${1#*=}; shift ;;
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
(($# == 2)) || { usage >&2; exit 2; }
build_list=$1
src_dir=$2

[[ -z $jobs ]] && jobs=$(nproc 2>/dev/null || echo 2)
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, not '$jobs'"
case $header_mode in auto|clc|opencl-c) ;; *) die "--header wants clc, opencl-c or auto" ;; esac

# ---------------------------------------------------------------- inputs
[[ -x $build_list ]] || die "build list program '$build_list' is not an executable"
if [[ -f $src_dir/cl_kernels/common.cl ]]; then
    kernel_dir=$src_dir/cl_kernels
elif [[ -f $src_dir/common.cl ]]; then
    kernel_dir=$src_dir
else
    die "no cl_kernels/common.cl under '$src_dir'"
fi
# The plugin passes common.cl and the family source as two strings of one
# program; without a final newline their lines would run together.
[[ -s $kernel_dir/common.cl && $(tail -c 1 "$kernel_dir/common.cl" | od -An -tx1) == *0a* ]] ||
    die "$kernel_dir/common.cl is empty or does not end with a newline"

# ---------------------------------------------------------------- toolchain
CLANG=${CLANG:-clang-15}
LIBCLC_BC=${LIBCLC_BC:-/usr/lib/clc/polaris10-amdgcn-mesa-mesa3d.bc}
LIBCLC_INCLUDE=${LIBCLC_INCLUDE:-/usr/include}
CLOVER_MCPU=${CLOVER_MCPU:-polaris10}

command -v "$CLANG" >/dev/null 2>&1 ||
    no_toolchain "'$CLANG' not found: install the clang-15 package (apt-get install clang-15)"
[[ -r $LIBCLC_BC ]] ||
    no_toolchain "libclc bitcode '$LIBCLC_BC' not found: install the libclc-15 package" \
        "(apt-get install libclc-15); without it the work-item functions stay unresolved" \
        "and the resource figures are meaningless"
case $header_mode in
    clc)
        [[ -r $LIBCLC_INCLUDE/clc/clc.h ]] ||
            no_toolchain "'$LIBCLC_INCLUDE/clc/clc.h' not found: install the libclc-15-dev package" ;;
    auto)
        if [[ -r $LIBCLC_INCLUDE/clc/clc.h ]]; then
            header_mode=clc
        else
            header_mode=opencl-c header_why="libclc-15-dev not installed"
        fi ;;
esac
if [[ $header_mode == clc ]]; then
    # What Clover does: libclc's header, cl_clang_storage_class_specifiers
    # defined, no builtin recognition.
    header_flags=(-isystem "$LIBCLC_INCLUDE" -Dcl_clang_storage_class_specifiers -include clc/clc.h)
    header_desc="clc/clc.h (libclc, as Clover)"
else
    header_flags=(-Xclang -finclude-default-header)
    header_desc="clang opencl-c.h (${header_why:-as asked}; libclc's own header not used)"
fi

# -cl-ext=-all: pgemm requires no OpenCL extension, so none is available
# (clang's amdgcn target would otherwise accept cl_khr_fp16 and cl_khr_fp64
# silently); using one is an error, enabling one a warning.
cc_flags=(-target amdgcn-mesa-mesa3d "-mcpu=$CLOVER_MCPU" -fno-builtin "${header_flags[@]}"
          -Xclang -cl-ext=-all
          -Xclang -mlink-bitcode-file -Xclang "$LIBCLC_BC"
          -O2 -Wall -Wextra -Rpass-analysis=kernel-resource-usage)

work=$(mktemp -d "${TMPDIR:-/tmp}/clover_check.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/out"

# Extracts, from clang's output on stdin, one tab-separated line per function:
# name SGPRs VGPRs scratch occupancy sgpr_spill vgpr_spill lds
parse_remarks() {
    awk '
        function flush() {
            if (name != "")
                printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, v["SGPRs"], v["VGPRs"],
                       v["ScratchSize"], v["Occupancy"], v["SGPRs Spill"], v["VGPRs Spill"], v["LDS Size"]
            split("", v)
        }
        /remark: Function Name: / {
            flush(); name = $0; sub(/.*remark: Function Name: /, "", name); sub(/ .*/, "", name); next
        }
        /remark: +[A-Za-z ]+( \[[^]]*\])?: [0-9]+ / && name != "" {
            line = $0; sub(/.*remark: +/, "", line); sub(/ \[-R.*/, "", line)
            key = line; sub(/( \[[^]]*\])?: [0-9]+$/, "", key)
            val = line; sub(/.*: /, "", val)
            v[key] = val
        }
        END { flush() }'
}

# Toolchain self-test: a kernel that only calls work-item functions must
# need no scratch. Without the libclc library those calls stay external
# and clang reports a bogus 16384 bytes of scratch.
cat >"$work/selftest.cl" <<'EOF'
__kernel void selftest(__global float *out)
{
    out[get_global_id(0)] = (float)(get_local_size(0) + get_group_id(1));
}
EOF
if ! "$CLANG" "${cc_flags[@]}" -cl-std=CL1.1 -c "$work/selftest.cl" -o /dev/null \
        >"$work/selftest.log" 2>&1; then
    sed 's/^/    /' "$work/selftest.log" >&2
    no_toolchain "'$CLANG' cannot compile OpenCL C for amdgcn-mesa-mesa3d/$CLOVER_MCPU with" \
        "'$LIBCLC_BC' (needs the clang-15 and libclc-15 packages)"
fi
selftest=$(parse_remarks <"$work/selftest.log")
if [[ -z $selftest ]]; then
    no_toolchain "'$CLANG' printed no kernel-resource-usage remarks (clang 15 or newer is needed)"
fi
IFS=$'\t' read -r _ _ _ st_scratch _ <<<"$selftest"
if [[ $st_scratch != 0 ]]; then
    no_toolchain "toolchain self-test: a trivial kernel reports $st_scratch bytes of scratch;" \
        "'$LIBCLC_BC' does not resolve the work-item functions (is it libclc-15's polaris10 library?)"
fi

# ---------------------------------------------------------------- build list
if ! "$build_list" >"$work/list.tsv" 2>"$work/list.err"; then
    cat "$work/list.err" >&2
    die "'$build_list' failed"
fi
grep -v '^#' "$work/list.tsv" | grep -v '^$' >"$work/builds.tsv" || true
nbuilds=$(wc -l <"$work/builds.tsv")
((nbuilds > 0)) || die "'$build_list' listed no builds"

declare -A sources=()
i=0
while IFS=$'\t' read -r name ta tb file wg lbytes options rest; do
    [[ -n $name && $ta =~ ^[01]$ && $tb =~ ^[01]$ && $wg =~ ^[0-9]+$ && $lbytes =~ ^[0-9]+$ &&
       $file =~ ^[A-Za-z0-9_.-]+\.cl$ && -n $options && -z ${rest:-} ]] ||
        die "malformed build list line $((i + 1)): $name $ta $tb $file $wg $lbytes $options"
    [[ -f $kernel_dir/$file ]] || die "variant $name: no kernel source $kernel_dir/$file"
    if [[ -z ${sources[$file]:-} ]]; then
        # common.cl then the family file, as the plugin passes them; the
        # #line markers only make diagnostics name the real files.
        { printf '#line 1 "common.cl"\n'; cat "$kernel_dir/common.cl"
          printf '#line 1 "%s"\n' "$file"; cat "$kernel_dir/$file"; } >"$work/src/$file"
        sources[$file]=1
    fi
    printf '%s\n' "$file" >"$work/out/$i.src"
    printf '%s\n' "$options" >"$work/out/$i.opts"
    i=$((i + 1))
done <"$work/builds.tsv"

# ---------------------------------------------------------------- compiles
compile_one() {
    local i=$1 file options rc=0
    file=$(<"$work/out/$i.src")
    options=$(<"$work/out/$i.opts")
    local -a opts
    read -r -a opts <<<"$options"
    "$CLANG" "${cc_flags[@]}" "${opts[@]}" -c "$work/src/$file" -o /dev/null \
        >"$work/out/$i.log" 2>&1 || rc=$?
    printf '%s\n' "$rc" >"$work/out/$i.rc"
}
export -f compile_one
CC_FLAGS_SERIAL=$(printf '%s\n' "${cc_flags[@]}")
export CLANG work CC_FLAGS_SERIAL
# Arrays do not cross exec: rebuild cc_flags in each worker.
seq 0 $((nbuilds - 1)) |
    xargs -P "$jobs" -I{} bash -c 'mapfile -t cc_flags <<<"$CC_FLAGS_SERIAL"; compile_one "$1"' _ {}

# ---------------------------------------------------------------- analysis
# Polaris (GFX8) occupancy limits, waves per SIMD (max 10). A CU has 4
# SIMDs, 64 KiB of LDS (allocated in 512-byte blocks) and room for 40 waves
# and 16 multi-wave work-groups; a SIMD has 256 VGPRs per lane (allocated in
# blocks of 4) and 800 SGPRs.
occ_vgpr() { local v=$(( ($1 + 3) / 4 * 4 )); ((v > 0)) || v=4; local w=$((256 / v)); echo $((w > 10 ? 10 : w)); }
occ_sgpr() { if (($1 <= 80)); then echo 10; elif (($1 <= 88)); then echo 9; elif (($1 <= 100)); then echo 8; else echo 7; fi; }
# work-group size, LDS bytes -> waves/SIMD allowed by LDS and work-group slots
occ_groups() {
    local wg=$1 lds=$2 wpg groups slots w
    wpg=$(( (wg + 63) / 64 ))
    if ((wpg == 1)); then slots=40; else slots=$((40 / wpg)); ((slots > 16)) && slots=16; fi
    groups=$slots
    if ((lds > 0)); then
        local by_lds=$((65536 / ((lds + 511) / 512 * 512)))
        ((by_lds < groups)) && groups=$by_lds
    fi
    w=$((groups * wpg / 4))
    echo $((w > 10 ? 10 : w))
}

# clang's warnings and errors (with their source line) from its output on
# stdin, without the remarks.
diagnostics() {
    awk '
        / remark: / { ctx = 0; next }
        /: note: could not determine the original source location/ { ctx = 0; next }
        /(^|: )(warning|error|fatal error): / { print; ctx = 1; next }
        /: note: / { print; ctx = 1; next }
        /^In file included from / { print; next }
        ctx && !/^ *[~^ ]*$/ { print; ctx = 0; next }
        { ctx = 0 }'
}

declare -A shown_diags=()
rows=()      # tab-separated table rows
nfail=0
failures=""
for ((i = 0; i < nbuilds; i++)); do
    IFS=$'\t' read -r name ta tb file wg lbytes options < <(sed -n "$((i + 1))p" "$work/builds.tsv")
    log=$work/out/$i.log
    rc=$(<"$work/out/$i.rc")
    problems=()
    ((wg <= 256)) || problems+=("work-group of $wg items > 256")
    if [[ $rc != 0 ]]; then
        problems+=("compile failed (clang exit $rc)")
    fi
    nwarn=$(grep -c ': warning: ' "$log" || true)
    ((nwarn == 0)) || problems+=("$nwarn warning(s)")
    funcs=$(parse_remarks <"$log")
    if [[ $rc == 0 && -z $funcs ]]; then
        problems+=("no resource report")
    fi
    if [[ -z $funcs ]]; then
        rows+=("$name	$ta	$tb	$file	$wg	-	-	-	-	-	-	-	-	-")
    fi
    while IFS=$'\t' read -r fn sgpr vgpr scratch occ sspill vspill lds; do
        [[ -n $fn ]] || continue
        for x in sgpr vgpr scratch occ sspill vspill lds; do
            [[ ${!x} =~ ^[0-9]+$ ]] || { problems+=("$fn: no $x figure"); printf -v "$x" '%s' 0; }
        done
        ((scratch == 0)) || problems+=("$fn: $scratch bytes/lane of scratch")
        ((sspill == 0 && vspill == 0)) || problems+=("$fn: spills ($sspill SGPRs, $vspill VGPRs)")
        ((lds <= 32768)) || problems+=("$fn: LDS $lds > 32768 bytes")
        ((lds <= lbytes)) || problems+=("$fn: LDS $lds > $lbytes bytes declared in the variant table")
        ov=$(occ_vgpr "$vgpr"); os=$(occ_sgpr "$sgpr"); og=$(occ_groups "$wg" "$lds")
        est=$ov; ((os < est)) && est=$os; ((og < est)) && est=$og
        if ((est >= 10)); then
            limit="-"
        else
            limit=""
            ((ov == est)) && limit+="${limit:+, }VGPRs"
            ((os == est)) && limit+="${limit:+, }SGPRs"
            if ((og == est)); then
                if ((lds > 0 && 65536 / ((lds + 511) / 512 * 512) * ((wg + 63) / 64) / 4 == est)); then
                    limit+="${limit:+, }LDS"
                else
                    limit+="${limit:+, }work-groups/CU"
                fi
            fi
        fi
        rows+=("$name	$ta	$tb	$file	$wg	$sgpr	$vgpr	$scratch	$sspill/$vspill	$lds	$occ	$est	$limit	")
    done <<<"$funcs"
    if ((${#problems[@]})); then
        nfail=$((nfail + 1))
        status=$(IFS=';'; echo "${problems[*]}")
        status=${status//;/; }
        last=$((${#rows[@]} - 1))
        rows[last]="${rows[last]%	*}	FAIL: $status"
        failures+="FAIL $name TRANS_A=$ta TRANS_B=$tb ($file): $status"$'\n'
        failures+="    $CLANG ${cc_flags[*]} $options -c <common.cl + $file>"$'\n'
        diags=$(diagnostics <"$log")
        if [[ -n $diags ]]; then
            if [[ -n ${shown_diags[$diags]:-} ]]; then
                failures+="    (the same diagnostics as ${shown_diags[$diags]})"$'\n'
            else
                shown_diags[$diags]="$name TRANS_A=$ta TRANS_B=$tb"
                failures+=$(printf '%s\n' "$diags" | head -n 40 | sed 's/^/    /')$'\n'
            fi
        fi
    else
        last=$((${#rows[@]} - 1))
        rows[last]="${rows[last]%	*}	ok"
    fi
done

# ---------------------------------------------------------------- output
heads=(variant TA TB source WG SGPRs VGPRs scratch "spill S/V" LDS "occ clang" "occ est" "limited by" status)
clang_version=$("$CLANG" --version | head -n 1)
if ((!quiet)); then
    printf 'Clover check: %s, %s, %s\n' "$clang_version" "amdgcn-mesa-mesa3d/$CLOVER_MCPU" "$header_desc"
    printf 'libclc: %s\n\n' "$LIBCLC_BC"
    { (IFS=$'\t'; echo "${heads[*]}"); printf '%s\n' "${rows[@]}"; } |
        awk -F'\t' '
            { for (c = 1; c <= NF; c++) { cell[NR, c] = $c; if (length($c) > w[c]) w[c] = length($c) } n = NF }
            END { for (r = 1; r <= NR; r++) { line = ""
                      for (c = 1; c <= n; c++) line = line sprintf(c < n ? "%-" w[c] "s  " : "%s", cell[r, c])
                      print line } }'
    echo
fi
[[ -z $failures ]] || printf '%s' "$failures" >&2

{
    printf 'Generated by `tests/clover/clover_check.sh`: %s, amdgcn-mesa-mesa3d/%s, %s.\n\n' \
        "$clang_version" "$CLOVER_MCPU" "$header_desc"
    printf '| %s |\n' "$(IFS='|'; echo "${heads[*]}" | sed 's/|/ | /g')"
    printf '|'; for h in "${heads[@]}"; do
        case $h in variant|source|"limited by"|status) printf ' --- |' ;; *) printf ' ---: |' ;; esac
    done; printf '\n'
    for r in "${rows[@]}"; do
        printf '| %s |\n' "$(printf '%s' "$r" | sed 's/|/\\|/g; s/\t/ | /g')"
    done
} >"$work/table.md"
if [[ -n $markdown ]]; then
    cp "$work/table.md" "$markdown" || die "cannot write $markdown"
fi
if [[ -n $update_doc ]]; then
    begin='<!-- clover-table:begin -->' end='<!-- clover-table:end -->'
    grep -qxF "$begin" "$update_doc" && grep -qxF "$end" "$update_doc" ||
        die "$update_doc lacks the lines $begin and $end"
    awk -v begin="$begin" -v end="$end" -v table="$work/table.md" '
        $0 == begin { print; print ""; while ((getline line < table) > 0) print line; print ""; skip = 1; next }
        $0 == end { skip = 0 }
        !skip { print }' "$update_doc" >"$work/doc.md"
    cat "$work/doc.md" >"$update_doc" || die "cannot write $update_doc"
fi

if ((nfail)); then
    printf '%s: %d of %d builds FAIL\n' "$prog" "$nfail" "$nbuilds" >&2
    exit 1
fi
printf '%s: all %d builds pass (%d variants; %s)\n' "$prog" "$nbuilds" \
    "$(cut -f1 "$work/builds.tsv" | sort -u | wc -l)" "$header_desc"
