#!/usr/bin/env bash
# Builds nnplay. Usage: build.sh [wasm|native|all|test|bench] (default all; test is all but the
# benchmark programs; bench is all plus the Google Benchmark package for
# build/native/nnplay_kernels). Incremental: with nothing changed it only asks CMake, which takes
# a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
case "$what" in
  wasm) bash scripts/ensure-deps.sh start ;;
  native | all | test) bash scripts/ensure-deps.sh test ;;
  bench) bash scripts/ensure-deps.sh bench && what=all ;;
  *) echo "usage: $0 [wasm|native|all|test|bench]" >&2; exit 2 ;;
esac

jobs=$(nproc 2>/dev/null || echo 2)
# Emscripten 3.1.6 links at -O2+ only when Node finds Debian's acorn.
export NODE_PATH=/usr/share/nodejs

if [ "$what" != native ]; then
  [ -f build/wasm/CMakeCache.txt ] ||
    emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/wasm -j"$jobs"
  node scripts/vendor.mjs
  node scripts/breast-cancer.mjs
  node scripts/mnist-data.mjs
fi
if [ "$what" != wasm ]; then
  [ -f build/native/CMakeCache.txt ] || cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
  if [ "$what" = test ]; then
    cmake --build build/native -j"$jobs" --target nnplay nnplay_tests
  else
    cmake --build build/native -j"$jobs"
  fi
fi
