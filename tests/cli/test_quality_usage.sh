#!/usr/bin/env bash
# dedup, lint, impact and audit: --help, usage errors (exit 2, stderr) and
# bad input (exit 1, FILE:LINE, no output directory left behind).
. "$(dirname "$0")/lib.sh"
S=$CONTAM_SRC/tests/data/samples
A=$S/demo/model-a/samples_arc_challenge_2024-05-13T12-00-00.000001.jsonl
BENCH=(--preset arc --bench "$DEMO/bench")

# 1. --help on stdout, exit 0; 'contam help CMD' too
for c in dedup lint impact audit; do
  run 0 "$CONTAM" $c --help
  expect_out "^Usage: contam $c "
  [ ! -s "$T/err" ] || fail "$c --help wrote to stderr"
  run 0 "$CONTAM" help $c
  expect_out "^Usage: contam $c "
done
run 0 "$CONTAM" --help
expect_out "  audit    scan \+ dedup \+ lint"

# 2. usage errors
run 2 "$CONTAM" dedup "${BENCH[@]}"
expect_err "contam dedup: --out is required"
run 2 "$CONTAM" lint --preset arc --out "$T/x"
expect_err "contam lint: --bench is required"
run 2 "$CONTAM" dedup --bench "$DEMO/bench" --out "$T/x"
expect_err "give --preset or --text-fields"
run 2 "$CONTAM" dedup "${BENCH[@]}" --out "$T/x" --jaccard 0
expect_err "--jaccard: '0' is not in \(0, 1\]"
run 2 "$CONTAM" dedup "${BENCH[@]}" --out "$T/x" --jaccard 1.5
run 2 "$CONTAM" dedup "${BENCH[@]}" --out "$T/x" --shingle 0
expect_err "--shingle: '0' is not a number between 1 and 64"
run 2 "$CONTAM" dedup "${BENCH[@]}" --out "$T/x" --samples "$A"
expect_err "unknown option '--samples'"
run 2 "$CONTAM" dedup "${BENCH[@]}" --out "$T/x" extra.jsonl
expect_err "unexpected argument 'extra.jsonl'"
run 2 "$CONTAM" lint "${BENCH[@]}" --out "$T/x" --min-models many
run 2 "$CONTAM" impact --items x --out "$T/x"
expect_err "give --samples FILE"
run 2 "$CONTAM" impact --samples "$A" --out "$T/x"
expect_err "--items is required"
run 2 "$CONTAM" impact --samples "$A" --items x --out "$T/x" --bootstrap 5
run 2 "$CONTAM" impact --samples "$A" --items x --out "$T/x" --flag-points -1
run 2 "$CONTAM" audit "${BENCH[@]}" --out "$T/x" --jaccard nope "$DEMO/shards"
expect_err "contam audit: --jaccard"
run 2 "$CONTAM" audit "${BENCH[@]}" --out "$T/x" --items y "$DEMO/shards"
expect_err "unknown option '--items'"
[ ! -e "$T/x" ] || fail "a usage error left output"

# 3. bad samples: invalid JSON names FILE:LINE; nothing is written
run 0 "$CONTAM" scan "${BENCH[@]}" --out "$T/scan" -q "$DEMO/shards"
mkdir -p "$T/m"
{ head -n 2 "$A"; echo '{"doc_id": 99, "doc": {'; } >"$T/m/samples_x.jsonl"
run 1 "$CONTAM" impact --samples "$T/m/samples_x.jsonl" --items "$T/scan/items.jsonl" --out "$T/o1"
expect_err "error: $T/m/samples_x.jsonl:3: invalid JSON"
[ ! -e "$T/o1" ] || fail "bad samples left an output directory"
run 1 "$CONTAM" lint "${BENCH[@]}" --samples "$T/m/samples_x.jsonl" --out "$T/o1"
expect_err "samples_x.jsonl:3: invalid JSON"
[ ! -e "$T/o1" ] || fail "lint left an output directory"
run 1 "$CONTAM" audit "${BENCH[@]}" --samples "$T/m/samples_x.jsonl" --out "$T/o1" "$DEMO/shards"
expect_err "samples_x.jsonl:3: invalid JSON"
[ ! -e "$T/o1" ] || fail "audit left an output directory"
{ head -n 1 "$A"; head -n 1 "$A"; } >"$T/m/samples_dup.jsonl"
run 1 "$CONTAM" impact --samples "$T/m/samples_dup.jsonl" --items "$T/scan/items.jsonl" --out "$T/o1"
expect_err "samples_dup.jsonl:2: doc_id 0 appears twice for filter 'none' \(first at line 1\)"
run 1 "$CONTAM" impact --samples "$A" --metric acc_norm2 --items "$T/scan/items.jsonl" --out "$T/o1"
expect_err "metric 'acc_norm2' is missing"
run 1 "$CONTAM" impact --samples "$T/m/nope.jsonl" --items "$T/scan/items.jsonl" --out "$T/o1"
expect_err "nope.jsonl"

# 4. an items.jsonl of another benchmark, or none next to a report.json
run 0 "$CONTAM" scan --preset arc --bench "$SHARED/bench/arc" --out "$T/scan2" -q "$DEMO/shards"
run 1 "$CONTAM" impact "${BENCH[@]}" --samples "$A" --items "$T/scan2/items.jsonl" --out "$T/o1"
expect_err "items.jsonl:1: item 'Mercury_7175875' \(record 1\) where the benchmark has 'demo-001'"
mkdir -p "$T/lone" && cp "$T/scan/items.jsonl" "$T/lone/"
run 1 "$CONTAM" impact --samples "$A" --items "$T/lone/items.jsonl" --out "$T/o1"
expect_err "lone/report.json.*give --bench and --preset"
[ ! -e "$T/o1" ] || fail "bad items left an output directory"

# 5. bad benchmark input stops dedup/lint with FILE:LINE
printf '{"q":"a","o":["x","y"],"a":"A"}\n{"q":"b",\n' >"$T/bad.jsonl"
run 1 "$CONTAM" dedup --text-fields q,o --label-field a --bench "$T/bad.jsonl" --out "$T/o2"
expect_err "bad.jsonl:2: invalid JSON"
run 1 "$CONTAM" lint --preset arc --bench "$DEMO/bench" --against "$T/bad.jsonl" --out "$T/o2"
expect_err "bad.jsonl:1"
[ ! -e "$T/o2" ] || fail "bad benchmark left an output directory"

# 6. an existing directory that is not contam's is never replaced
mkdir -p "$T/mine" && echo keep >"$T/mine/notes.txt"
run 1 "$CONTAM" dedup "${BENCH[@]}" --out "$T/mine"
[ -e "$T/mine/notes.txt" ] || fail "dedup replaced a foreign directory"
finish
