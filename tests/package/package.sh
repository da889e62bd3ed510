#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# pgemm as a user's project gets it, end to end on PoCL:
#   1. add_subdirectory: a consumer project builds pgemm from SOURCE_DIR
#      inside its own build (Debian's multiarch libdir) and runs; so does
#      one that gets it with FetchContent;
#   2. that build is installed into a prefix, which is then moved;
#   3. the moved prefix: bin/pgemm runs and searches the shipped models in
#      the moved prefix (never the source tree); the plugins carry no
#      RUNPATH, the tool finds libpgemm relative to itself;
#   4. find_package(pgemm CONFIG) and pkg-config consumers build against the
#      moved prefix and run on its libpgemm.
# Each consumer checks its product against a loop and prints the variant
# pgemm ran. Usage: package.sh SOURCE_DIR SCRATCH_DIR
set -euo pipefail
src=$(realpath "$1")
scratch=$2
consumer=$src/tests/package/consumer
multiarch=$(gcc -print-multiarch 2>/dev/null || true)
libdir=lib${multiarch:+/$multiarch}
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(realpath "$scratch")
export PGEMM_BACKEND=opencl PGEMM_OPENCL_PLATFORM=pocl

echo "== add_subdirectory($src), libdir $libdir"
cmake -S "$consumer" -B "$scratch/sub" -G Ninja -DPGEMM_SOURCE_DIR="$src" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_LIBDIR="$libdir" >"$scratch/sub.log" 2>&1 ||
    { cat "$scratch/sub.log"; fail "configuring with add_subdirectory"; }
cmake --build "$scratch/sub" >>"$scratch/sub.log" 2>&1 ||
    { tail -40 "$scratch/sub.log"; fail "building with add_subdirectory"; }
# Only the library, its plugins and the tool: no tests or benchmarks of pgemm's.
[[ ! -e $scratch/sub/pgemm/tests && ! -e $scratch/sub/pgemm/bin/selector_replay ]] ||
    fail "a subproject build configured pgemm's tests or benchmark programs"
"$scratch/sub/consumer" || fail "the add_subdirectory consumer"

echo "== FetchContent from $src"
cmake -S "$consumer" -B "$scratch/fetch" -G Ninja -DPGEMM_FETCH_DIR="$src" \
    -DCMAKE_BUILD_TYPE=Release >"$scratch/fetch.log" 2>&1 ||
    { cat "$scratch/fetch.log"; fail "configuring with FetchContent"; }
cmake --build "$scratch/fetch" >>"$scratch/fetch.log" 2>&1 ||
    { tail -40 "$scratch/fetch.log"; fail "building with FetchContent"; }
"$scratch/fetch/consumer" || fail "the FetchContent consumer"

echo "== installed, then moved"
cmake --install "$scratch/sub" --prefix "$scratch/prefix" >"$scratch/install.log" 2>&1 ||
    { cat "$scratch/install.log"; fail "installing"; }
mv "$scratch/prefix" "$scratch/moved"
moved=$scratch/moved
for f in "$moved/$libdir/libpgemm.so.0" "$moved/$libdir/pgemm/libpgemm_opencl.so" \
         "$moved/$libdir/cmake/pgemm/pgemmConfig.cmake" "$moved/$libdir/pkgconfig/pgemm.pc" \
         "$moved/share/doc/pgemm/LICENSE" "$moved/share/doc/pgemm/docs/API.md" \
         "$moved/share/man/man1/pgemm.1" "$moved/bin/pgemm" "$moved/bin/consumer"; do
    [[ -e $f ]] || fail "not installed: ${f#$moved/}"
done
if readelf -d "$moved/$libdir/pgemm/libpgemm_opencl.so" | grep -E 'RPATH|RUNPATH'; then
    fail "the OpenCL plugin carries a RUNPATH"
fi
runpath=$(readelf -d "$moved/bin/pgemm" | sed -n 's/.*R\(UN\)\?PATH.*\[\(.*\)\]/\2/p')
[[ $runpath == "\$ORIGIN/../$libdir" ]] || fail "bin/pgemm RUNPATH is '$runpath'"
"$moved/bin/consumer" || fail "the installed consumer, moved"
if command -v man > /dev/null; then
    page=$(MANPATH=$moved/share/man man -P cat pgemm 2>/dev/null || true)
    grep -q "pgemm bench" <<<"$page" || fail "man pgemm does not show the installed page"
fi

info=$(PGEMM_LOG=2 "$moved/bin/pgemm" info 2>&1) || { echo "$info"; fail "moved bin/pgemm info"; }
grep -q "passed over $moved/share/pgemm/models/" <<<"$info" ||
    { echo "$info"; fail "the moved prefix's shipped models were not searched"; }
if grep -q "$src/selector/models" <<<"$info"; then
    echo "$info"; fail "an installed pgemm searched the source tree's models"
fi
grep -q "loaded $moved/$libdir/pgemm/libpgemm_opencl.so" <<<"$info" ||
    { echo "$info"; fail "the plugin did not come from the moved prefix"; }

echo "== find_package(pgemm CONFIG) against the moved prefix"
cmake -S "$consumer" -B "$scratch/pkg" -G Ninja -DCMAKE_PREFIX_PATH="$moved" \
    >"$scratch/pkg.log" 2>&1 || { cat "$scratch/pkg.log"; fail "find_package"; }
cmake --build "$scratch/pkg" >>"$scratch/pkg.log" 2>&1 ||
    { cat "$scratch/pkg.log"; fail "building against the package"; }
# (ldd's output is kept first: grep -q ending the pipe early would fail it under pipefail)
linked=$(ldd "$scratch/pkg/consumer")
grep -qF "$moved/$libdir/libpgemm.so.0" <<<"$linked" ||
    { echo "$linked"; fail "the find_package consumer does not use the moved libpgemm"; }
"$scratch/pkg/consumer" || fail "the find_package consumer"

echo "== pkg-config against the moved prefix"
command -v pkg-config > /dev/null || fail "no pkg-config (Debian: pkgconf)"
flags=$(PKG_CONFIG_PATH=$moved/$libdir/pkgconfig pkg-config --cflags --libs pgemm)
# shellcheck disable=SC2086
cc -std=c11 -o "$scratch/pc-consumer" "$consumer/consumer.c" $flags -lm \
    -Wl,-rpath,"$moved/$libdir" || fail "building with pkg-config's flags ($flags)"
"$scratch/pc-consumer" || fail "the pkg-config consumer"
echo "package: all consumers ran pgemm from $moved"
