#!/usr/bin/env bash
# contam scan --index IDX: the same verdicts and statistics as a direct scan
# of the indexed corpus (MMLU test, gpt3, the whole shared corpus), with
# file/record provenance from a --provenance index, and clear refusals when
# the index cannot answer (other n or unit, no --df for gpt3's rule).
# The library side (scan_run_index) is tested in tests/unit/test_index*.c;
# this checks the command-line wiring.
. "$(dirname "$0")/lib.sh"
C=$SHARED/corpus
B=(scan --preset mmlu --bench "$SHARED/bench/mmlu/test" -q)
run 0 "$CONTAM" index build -q --method gpt3 --provenance --out "$T/idx" "$C"
run 0 "$CONTAM" "${B[@]}" --out "$T/direct" "$C"
run 0 "$CONTAM" "${B[@]}" --index "$T/idx" --out "$T/indexed"
python3 - "$T/direct" "$T/indexed" <<'PY' || fail "index mode differs from the direct scan"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1] + "/items.jsonl")]
b = [json.loads(l) for l in open(sys.argv[2] + "/items.jsonl")]
assert len(a) == len(b) == 14079
keys = ("id", "verdict", "verdicts", "tokens", "ngrams", "matched", "coverage", "longest", "leaked")
for x, y in zip(a, b):
    for k in keys:
        assert x[k] == y[k], (x["id"], k, x[k], y[k])
    assert bool(x["matches"]) == bool(y["matches"]), x["id"]
    if x["matches"]:  # the earliest matching document is the same
        assert (x["matches"][0]["file"], x["matches"][0]["record"]) == \
               (y["matches"][0]["file"], y["matches"][0]["record"]), x["id"]
assert sum(x["verdict"] == "dirty" for x in b) == 23
ra, rb = (json.load(open(d + "/report.json")) for d in sys.argv[1:])
assert ra["summary"] == rb["summary"]
assert ra["corpus"]["documents"] == rb["corpus"]["documents"]
PY
ok
run 1 "$CONTAM" "${B[@]}" --method palm --index "$T/idx" --out "$T/x"
expect_err 'method palm needs word 8-grams but the index holds word 13-grams'
run 0 "$CONTAM" index build -q --out "$T/nodf" "$C/c4-shard-00.json.gz"
run 1 "$CONTAM" "${B[@]}" --index "$T/nodf" --out "$T/x"; expect_err 'rebuild it with --df'
[ ! -e "$T/x" ] || fail "a refused scan left an output directory"; ok
finish
