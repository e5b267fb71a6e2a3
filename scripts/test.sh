#!/usr/bin/env bash
# npm test: builds native + WASM, then runs every suite; each runner ends with its summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh test

echo "== C++ tests (ctest)"
ctest --test-dir build/native --output-on-failure -j"$(nproc 2>/dev/null || echo 2)"

echo "== C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer"
[ -f build/sanitize/CMakeCache.txt ] ||
  cmake -S . -B build/sanitize -DNNPLAY_SANITIZE=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/sanitize -j"$(nproc 2>/dev/null || echo 2)" --target nnplay_tests
# The pretrained model's full MNIST test run (ctest above) takes 45 s under the sanitizers and
# runs no code the conv tests do not.
build/sanitize/nnplay_tests --gtest_brief=1 --gtest_filter='-Pretrained.*'

echo "== Node tests of the WASM API"
node --test --test-reporter=spec tests/node/

echo "== Browser tests (headless Chromium)"
node --test --test-reporter=spec --test-concurrency=1 tests/browser/
