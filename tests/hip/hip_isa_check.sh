#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Checks that each fp16 tile family compiles to the instructions it is named
# for, on the targets that have them, and only there (no GPU needed).
#
# Usage: hip_isa_check.sh [--platform amd|nvidia|all] [SOURCE_DIR]
#
# AMD (hipcc, device assembly):
#   fp16/hgemm_mfma.hip  v_mfma_f32_32x32x8f16 on gfx908 and gfx90a (16 per
#                        K step: 2 x 2 blocks x 4 K quads, times any
#                        unrolling up to 4); none on gfx906
#   fp16/hgemm_fma.hip   v_dot2(c)_f32_f16 on gfx906, gfx908, gfx90a, gfx1030;
#                        none on gfx803, gfx900, gfx1010
# NVIDIA (nvcc, PTX; skipped without nvcc):
#   fp16/hgemm_wgmma.hip wgmma.mma_async for sm_90a
#   fp16/hgemm_mma.hip   mma.sync.aligned.m16n8k16 for sm_80
#
# A compiler that silently turns an intrinsic into a scalar loop, or a
# preprocessor guard that drops a family on its own target, fails here.
#
# Environment: HIPCC (default hipcc), NVCC (default nvcc from PATH, else
# /usr/local/cuda/bin/nvcc).
# Exit status: 0 pass; 1 an instruction is missing or misplaced, or a compile
# failed; 2 usage error; 3 hipcc missing; 77 --platform nvidia without nvcc.
set -euo pipefail

prog=${0##*/}
platform=all
src=$(cd "$(dirname "$0")/../.." && pwd)
while (($#)); do
    case $1 in
    --platform) platform=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "$0"; exit 0 ;;
    -*) echo "$prog: unknown option $1" >&2; exit 2 ;;
    *) src=$1; shift ;;
    esac
done
case $platform in amd | nvidia | all) ;; *) echo "$prog: --platform amd|nvidia|all" >&2; exit 2 ;; esac
cd "$src"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# count KIND FILE TARGET REGEX: how many instructions match REGEX in FILE's
# device code for TARGET (KIND amd: hipcc assembly, where a suffix _e32 or
# _e64 may follow; nvidia: nvcc PTX). -1 when FILE does not compile (the
# compiler's messages go to stderr): the caller runs in a subshell, so the
# failure has to travel in the number.
count() {
    local out=$work/${2##*/}.$3.$1 ok=1 suffix=
    if [[ ! -e $out ]]; then
        if [[ $1 == amd ]]; then
            HIP_PLATFORM=amd "$HIPCC" -x hip -std=c++17 -O3 --offload-arch="$3" --cuda-device-only \
                -S -o "$out" -I hip_kernels -I fp16 "$2" >"$out.log" 2>&1 || ok=0
        else
            "$NVCC" -x cu -std=c++17 -O3 -DPGEMM_HIP_NVIDIA -arch="$3" --ptx -o "$out" \
                -I hip_kernels -I fp16 "$2" >"$out.log" 2>&1 || ok=0
        fi
    fi
    if ((!ok)); then
        cat "$out.log" >&2
        rm -f "$out"
        echo -1
        return
    fi
    [[ $1 == amd ]] && suffix='(_e32|_e64)?\s'
    grep -cE "^\s*$4$suffix" "$out" || true
}

# expect KIND FILE TARGET REGEX MIN MAX: MIN <= count <= MAX.
expect() {
    local n
    n=$(count "$1" "$2" "$3" "$4")
    if ((n < 0)); then
        echo "$prog: FAIL: $2 does not compile for $3"
        failed=1
    elif ((n < $5 || n > $6)); then
        echo "$prog: FAIL: $2 on $3: $n of $4 (want $5..$6)"
        failed=1
    else
        echo "$prog: ok: $2 on $3: $n of $4"
    fi
}

if [[ $platform != nvidia ]]; then
    HIPCC=${HIPCC:-hipcc}
    command -v "$HIPCC" >/dev/null || { echo "$prog: $HIPCC not found" >&2; exit 3; }
    mfma='v_mfma_f32_32x32x8f?16'
    for t in gfx908 gfx90a; do expect amd fp16/hgemm_mfma.hip "$t" "$mfma" 16 64; done
    expect amd fp16/hgemm_mfma.hip gfx906 "$mfma" 0 0
    dot2='v_dot2c?_f32_f16'
    for t in gfx906 gfx908 gfx90a gfx1030; do expect amd fp16/hgemm_fma.hip "$t" "$dot2" 16 100000; done
    for t in gfx803 gfx900 gfx1010; do expect amd fp16/hgemm_fma.hip "$t" "$dot2" 0 0; done
fi

if [[ $platform != amd ]]; then
    NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
    if [[ ! -x $NVCC ]]; then
        echo "$prog: nvcc not found: NVIDIA instructions not checked"
        [[ $platform == nvidia ]] && exit 77
    else
        expect nvidia fp16/hgemm_wgmma.hip sm_90a 'wgmma\.mma_async' 1 100000
        expect nvidia fp16/hgemm_mma.hip sm_80 'mma\.sync\.aligned\.m16n8k16' 1 100000
    fi
fi
exit $failed
