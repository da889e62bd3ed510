#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The pgemm Python package (python/), as a user installs it: `pip install`
# of the tree into a fresh virtual environment of Debian's /usr/bin/python3
# (numpy and pytest from python3-numpy, python3-pytest), then its tests
# (python/tests) against the libpgemm just built:
#   1. on PoCL (AUTO finds no HIP device here), the library named by
#      PGEMM_LIBRARY;
#   2. on the fp16 CPU stub (fp16 tiles), the library found by the dynamic
#      linker (LD_LIBRARY_PATH), with PGEMM_TEST_FP16=1.
# Usage: python_package.sh SOURCE_DIR LIBPGEMM FP16_STUB_DIR SCRATCH_DIR
# Exits 77 (skipped) when /usr/bin/python3 lacks numpy, pytest or pip.
set -euo pipefail
src=$(realpath "$1")
lib=$(realpath "$2")
stub=$(realpath "$3")
scratch=$4
py=/usr/bin/python3
fail() { echo "FAIL: $*" >&2; exit 1; }
if ! "$py" -c 'import setuptools, numpy, pytest, pip' 2>/dev/null; then
    echo "SKIP: $py cannot import numpy, pytest, pip and setuptools" \
         "(python3-numpy python3-pytest python3-pip python3-setuptools)"
    exit 77
fi

rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(realpath "$scratch")
# A copy: a build writes its metadata beside the sources.
cp -r "$src/python" "$scratch/tree"
"$py" -m venv --system-site-packages --without-pip "$scratch/venv"
"$py" -m pip --python "$scratch/venv/bin/python" install --no-build-isolation --no-deps \
    --no-index --quiet "$scratch/tree" || fail "pip install of python/"
installed=$(cd "$scratch" && PGEMM_LIBRARY=$lib venv/bin/python -c \
    'import pgemm; print(pgemm.__file__)')
[[ $installed == "$scratch/venv/"* ]] || fail "imported pgemm from $installed, not the venv"

cd "$scratch"
echo "== PoCL, PGEMM_LIBRARY=$lib"
PGEMM_LIBRARY=$lib PGEMM_OPENCL_PLATFORM=pocl \
    venv/bin/python -m pytest -p no:cacheprovider -q "$src/python/tests" ||
    fail "the package's tests on PoCL"
echo "== the fp16 stub, libpgemm on LD_LIBRARY_PATH"
LD_LIBRARY_PATH=$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} PGEMM_TEST_FP16=1 \
    PGEMM_BACKEND=hip PGEMM_PLUGIN_DIR=$stub \
    venv/bin/python -m pytest -p no:cacheprovider -q "$src/python/tests" ||
    fail "the package's tests on the fp16 stub"
