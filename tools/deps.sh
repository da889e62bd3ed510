# SPDX-License-Identifier: BSD-3-Clause
# Sourced by tools/run.sh and tools/test.sh: installs missing Debian packages.
# pgemm_need PKG...  installs those of PKG... that are not installed yet
# (apt-get as root, or through sudo), and fails with the list otherwise.
pgemm_need() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "pgemm: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
            return 1
        fi
    fi
    echo "pgemm: installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# Packages every build needs.
PGEMM_BUILD_PACKAGES=(cmake ninja-build gcc libc6-dev ocl-icd-opencl-dev opencl-c-headers
    nettle-dev)

# Packages the HIP plugin needs for AMD (Debian 12's HIP 5.2 and clang 15),
# also used by the HIP kernel resource check (tests/hip).
PGEMM_HIP_PACKAGES=(hipcc libamdhip64-dev rocm-device-libs)

# The real clients libpgemm_blas.so is tested under (tests/blas,
# tests/scalapack): the reference BLAS testers, numpy and its tests, and
# ScaLAPACK on Open MPI; and what the Python package's test installs it with
# (tests/python: pip into a venv).
PGEMM_BLAS_TEST_PACKAGES=(libblas-test python3-numpy python3-pytest libscalapack-openmpi-dev
    libopenmpi-dev openmpi-bin python3-pip python3-setuptools python3-venv)

# Configures and builds into $1 (default build/); further arguments go to
# cmake's configure step (-DPGEMM_WITH_HIP=ON ...).
pgemm_build() {
    local dir=${1:-build}
    [ $# -gt 0 ] && shift
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    cmake --build "$dir"
}
