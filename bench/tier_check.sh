#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The selector's pick against the measured best on a list of shapes, as
# `pgemm explain --measure` reports it (the pick's measured GFLOP/s over the
# best's), with the models as they are found and, with HEURISTIC_TOO=1, with
# the shipped models folder moved aside for a second pass (the heuristic's
# picks on the same shapes, measured in the same run). Prints one line per
# shape and the geometric mean and worst of each.
#
#   bench/tier_check.sh PGEMM_BINARY [explain options...]
# Environment: SHAPES ("MxNxK ..."), HEURISTIC_TOO, MODELS (the shipped
# models folder, default selector/models).
set -u
pgemm=$1
shift
shapes=${SHAPES:-"37x720x896 117x9x344 1091x762x19 64x64x64 100x100x100 256x256x256 512x512x512
1000x10x1000 10x1000x1000 1000x1000x10 333x444x555 257x255x129 768x768x64 64x768x768
2048x32x2048 1024x1024x256 96x1024x96 500x500x500 129x129x129 700x300x50 50x700x300 300x50x700
31x31x1023 1023x31x31"}
models=${MODELS:-selector/models}
arms="found"
[ "${HEURISTIC_TOO:-0}" = 1 ] && arms="found heuristic"
declare -A ratio
for s in $shapes; do
  IFS=x read -r m n k <<< "$s"
  for arm in $arms; do
    [ $arm = heuristic ] && mv "$models" "$models.aside"
    out=$("$pgemm" explain "$m" "$n" "$k" --measure "$@" 2>&1)
    [ $arm = heuristic ] && mv "$models.aside" "$models"
    r=$(sed -n "s/^selector's pick runs at \([0-9.]*\) of the measured best.*/\1/p" <<< "$out")
    [ -z "$r" ] && r=nan
    ratio[$arm,$s]=$r
    [ "$s" = "${shapes%% *}" ] && echo "$arm: $(grep '^selector' <<< "$out" | head -1)"
  done
  line="$s"
  for arm in $arms; do line="$line $arm ${ratio[$arm,$s]}"; done
  echo "$line"
done
for arm in $arms; do
  printf '%s\n' "${!ratio[@]}" | grep "^$arm," | while read -r key; do echo "${ratio[$key]}"; done |
    awk -v arm="$arm" '$1 != "nan" { n++; l += log($1); if (w == "" || $1 < w) w = $1 }
      END { printf "%s: %d shapes, geomean %.3f, worst %.3f\n", arm, n, exp(l / n), w }'
done
