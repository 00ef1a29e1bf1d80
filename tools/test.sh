#!/usr/bin/env bash
# Runs the whole test suite twice: an optimised build with -Werror, then the
# same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh build -DCONTAM_WERROR=ON
ctest --test-dir build --output-on-failure -j 2
tools/setup.sh build-asan -DCONTAM_WERROR=ON -DCONTAM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j 2
