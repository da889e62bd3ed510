#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The man page (docs/pgemm.1.in, configured into the build) against the
# tool it describes: it renders without a warning, carries the tool's
# version, and names every subcommand and every option each subcommand's
# --help lists.
#
#   man_page.sh PGEMM_BINARY PGEMM_1
set -u
pgemm=$1
page=$2
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
[ -s "$page" ] || { echo "FAIL: no man page at $page"; exit 1; }
if command -v groff > /dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  [ -z "$warnings" ] || fail "groff: $warnings"
fi
version=$("$pgemm" version | sed 's/^pgemm //')
grep -q "^\.TH PGEMM 1 .*\"pgemm $version\"" "$page" || fail "the page's .TH is not version $version"
for cmd in info run explain tune bench version; do
  grep -q "^\.B.* $cmd\b\|^\.B $cmd$\|^\.BI $cmd " "$page" || fail "subcommand $cmd not described"
  for opt in $("$pgemm" $cmd --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    [ "$opt" = --help ] && continue
    grep -qF -- "${opt//-/\\-}" "$page" || fail "$cmd's option $opt is not in the page"
  done
done
echo "man_page: $([ $failed = 0 ] && echo PASS || echo "FAIL ($failed)")"
[ $failed = 0 ]
