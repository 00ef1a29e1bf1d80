#!/usr/bin/env bash
# Command-line manners: --help on stdout with exit 0, usage errors on stderr
# with exit 2, numbers checked for range and overflow, stdout errors caught.
. "$(dirname "$0")/lib.sh"

run 0 "$CONTAM" --help;            expect_out '^Usage: contam COMMAND'
run 0 "$CONTAM" scan --help;       expect_out '^Usage: contam scan'; expect_out '--keep-going'
run 0 "$CONTAM" help scan;         expect_out '^Usage: contam scan'
run 0 "$CONTAM" --version;         expect_out '^contam [0-9]+\.[0-9]+'; expect_out '^build: '
run 2 "$CONTAM";                   expect_err 'Usage: contam'
run 2 "$CONTAM" frobnicate;        expect_err "unknown command 'frobnicate'"
run 2 "$CONTAM" scan --bogus;      expect_err "unknown option '--bogus'"
run 2 "$CONTAM" scan --out "$T/o" x;  expect_err -- '--bench is required'
run 2 "$CONTAM" scan --bench x x;  expect_err -- '--out is required'
run 2 "$CONTAM" scan --preset mmlu --bench x --out "$T/o"; expect_err 'no corpus files'
run 2 "$CONTAM" scan --bench x --out "$T/o" c; expect_err 'give --preset or --text-fields'
B=(--preset mmlu --bench "$SHARED/bench/mmlu/dev" --out "$T/o")
run 2 "$CONTAM" scan "${B[@]}" --threads 0 c;  expect_err -- '--threads'
run 2 "$CONTAM" scan "${B[@]}" --threads abc c; expect_err -- "'abc' is not a number"
run 2 "$CONTAM" scan "${B[@]}" --max-line 99999999999999999999999 c; expect_err -- '--max-line'
run 2 "$CONTAM" scan "${B[@]}" --max-line 5G c; expect_err -- '--max-line'
run 2 "$CONTAM" scan "${B[@]}" --method gpt3,nope c; expect_err "unknown method 'nope'"
run 2 "$CONTAM" scan "${B[@]}" --method custom c; expect_err 'custom needs --n'
run 2 "$CONTAM" scan "${B[@]}" --threshold 150% c; expect_err -- '--threshold'
run 2 "$CONTAM" scan "${B[@]}" --short maybe c; expect_err -- '--short must be skip or whole'
run 2 "$CONTAM" scan "${B[@]}" --threads; expect_err -- "needs a value"
run 2 "$CONTAM" scan --preset nope --bench x --out "$T/o" c; expect_err "unknown preset 'nope'"
run 2 "$CONTAM" scan "${B[@]}" --text-fields q c; expect_err -- '--text-fields is for benchmarks without a preset'
run 2 "$CONTAM" scan --text-fields q,,a --bench x --out "$T/o" c; expect_err 'empty field name'
run 2 "$CONTAM" scan "${B[@]}" --n 8 c; expect_err -- '--n and --threshold apply to --method custom only'
run 2 "$CONTAM" scan "${B[@]}" --seed 0xZZ c; expect_err -- "--seed: '0xZZ'"
run 2 "$CONTAM" scan "${B[@]}" --strict=yes c; expect_err -- "takes no value"
# --opt=value and -- work; a missing corpus file is a failure (1), not usage
run 1 "$CONTAM" scan --preset=mmlu --bench="$SHARED/bench/mmlu/dev" --out="$T/o" -q -- "$T/missing"
expect_err "error: .*$T/missing"
[ ! -e "$T/o" ] || fail "a failed run left an output directory"
# stdout write errors are reported (jq's habit)
set +e; "$CONTAM" --help >/dev/full 2>"$T/err"; rc=$?; set -e
[ "$rc" = 1 ] || fail "--help >/dev/full exited $rc"; expect_err 'writing standard output'
finish
