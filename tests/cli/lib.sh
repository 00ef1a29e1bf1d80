# lib.sh - helpers sourced by the CLI tests (run by ctest with CONTAM,
# CONTAM_SRC, CONTAM_SHARED_DATA and CONTAM_TEST_TMP set).
set -euo pipefail
: "${CONTAM:?path to the contam binary}"
: "${CONTAM_SRC:?repository root}"
: "${CONTAM_SHARED_DATA:=$CONTAM_SRC/../shared/data}"
: "${CONTAM_TEST_TMP:=/tmp/contam-tests}"
mkdir -p "$CONTAM_TEST_TMP"
T=$(mktemp -d "$CONTAM_TEST_TMP/$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$T"' EXIT
SHARED=$CONTAM_SHARED_DATA
DEMO=$CONTAM_SRC/corpora
passed=0

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { passed=$((passed + 1)); }

# run EXPECTED_EXIT CMD...: runs CMD, stdout -> $T/out, stderr -> $T/err
run() {
  local want=$1; shift
  set +e
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  set -e
  if [ "$got" != "$want" ]; then
    echo "--- stdout"; head -c 2000 "$T/out"; echo "--- stderr"; head -c 2000 "$T/err"
    fail "exit $got, expected $want: $*"
  fi
  ok
}

# expect_err PATTERN: stderr of the last run matches the extended regex
expect_err() { grep -Eq -- "$1" "$T/err" || { cat "$T/err"; fail "stderr lacks /$1/"; }; ok; }
expect_out() { grep -Eq -- "$1" "$T/out" || { head -c 3000 "$T/out"; fail "stdout lacks /$1/"; }; ok; }

# jq-like field access with python: jget FILE EXPR (EXPR uses d for the document)
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

finish() { echo "$passed passed, 0 failed"; }
