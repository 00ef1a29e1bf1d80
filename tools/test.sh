#!/usr/bin/env bash
# Runs the whole test suite twice: an optimised build with -Werror, then the
# same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
# Headless Chromium for tests/cli/test_report_browser.sh (the report.html DOM
# and layout check); that test is skipped, saying so, only if this fails.
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "test: installing chromium for the browser test" >&2
  { $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      chromium fonts-dejavu-core >/dev/null; } ||
    echo "test: could not install chromium; the browser test will be skipped" >&2
fi
tools/setup.sh build -DCONTAM_WERROR=ON
ctest --test-dir build --output-on-failure -j 2
tools/setup.sh build-asan -DCONTAM_WERROR=ON -DCONTAM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j 2
