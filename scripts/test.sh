#!/usr/bin/env bash
# npm test: builds native + WASM, then runs every suite; each runner ends with its summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh test
jobs=$(nproc 2>/dev/null || echo 2)

# The C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer need a build of their own.
# It compiles in the background at the lowest priority while the other suites run (the browser
# tests leave about half the CPU idle), and its tests run last.
[ -f build/sanitize/CMakeCache.txt ] ||
  cmake -S . -B build/sanitize -DNNPLAY_SANITIZE=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
# Its own session (so a failing suite stops the compilers too) is its own scheduler autogroup
# on Linux, and Chromium runs in another: nice only counts within a group, so the group itself
# gets nice 19 as well.
setsid bash -c 'echo 19 >/proc/self/autogroup 2>/dev/null || true
  exec nice -n 19 cmake --build build/sanitize -j"$1" --target nnplay_tests' _ "$jobs" \
  >build/sanitize/build.log 2>&1 &
sanitize_build=$!
trap 'kill -- "-$sanitize_build" 2>/dev/null || true' EXIT

echo "== C++ tests (ctest)"
ctest --test-dir build/native --output-on-failure -j"$jobs"

echo "== Node tests of the WASM API"
node --test --test-reporter=spec tests/node/

echo "== Browser tests (headless Chromium; Firefox ESR in engines.test.mjs)"
node --test --test-reporter=spec --test-concurrency=1 tests/browser/

echo "== C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer"
if ! wait "$sanitize_build"; then
  cat build/sanitize/build.log
  exit 1
fi
# The pretrained model's full MNIST test run (ctest above) takes 45 s under the sanitizers and
# runs no code the conv tests do not.
build/sanitize/nnplay_tests --gtest_brief=1 --gtest_filter='-Pretrained.*'
