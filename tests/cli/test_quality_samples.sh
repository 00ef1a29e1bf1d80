#!/usr/bin/env bash
# contam impact on real benchmark items: MMLU samples in the HF layout joined
# by content to the hendrycks CSV rows (per-task, per-subject and (all)
# rows), and GSM8K generation samples with two filters per doc.
. "$(dirname "$0")/lib.sh"
S=$CONTAM_SRC/tests/data/samples
D=2024-05-13T12-00-00.000001

# 1. MMLU: HF-layout docs of two tasks joined to the hendrycks CSV rows;
#    per-task, per-subject and (all) rows
mkdir -p "$T/mmlu"
cp "$SHARED/bench/mmlu/test/abstract_algebra_test.csv" "$SHARED/bench/mmlu/test/anatomy_test.csv" "$T/mmlu/"
run 0 "$CONTAM" scan --preset mmlu --bench "$T/mmlu" --out "$T/ms" -q "$DEMO/shards"
run 0 "$CONTAM" impact --samples "$S"/mmlu/model-a/*.jsonl --items "$T/ms/items.jsonl" --out "$T/mi" -q
python3 - "$T/mi" <<'PY' || fail "MMLU impact"
import json, sys
im = json.load(open(sys.argv[1] + "/impact.json"))
rows = [(r["task"], r["subject"], r["n_all"], r["acc_all"]) for r in im["rows"]]
assert rows == [("(all)", "(all)", 10, 0.7), ("(all)", "abstract_algebra", 6, 0.666667),
                ("(all)", "anatomy", 4, 0.75),
                ("mmlu_abstract_algebra", "(all)", 6, 0.666667),
                ("mmlu_abstract_algebra", "abstract_algebra", 6, 0.666667),
                ("mmlu_anatomy", "(all)", 4, 0.75), ("mmlu_anatomy", "anatomy", 4, 0.75)], rows
assert im["not_joined"] == 0 and all(r["n_dirty"] == 0 and r["acc_dirty"] is None for r in im["rows"])
PY
ok

# 2. GSM8K generation samples (two filters per doc): the filter decides
run 0 "$CONTAM" scan --preset gsm8k --bench "$SHARED/bench/gsm8k/test.jsonl" --out "$T/gs" -q "$DEMO/shards"
G=$S/gsm8k/model-a/samples_gsm8k_$D.jsonl
run 0 "$CONTAM" impact --samples "$G" --items "$T/gs/items.jsonl" --out "$T/g1" -q
run 0 "$CONTAM" impact --samples "$G" --filter flexible-extract --items "$T/gs/items.jsonl" --out "$T/g2" -q
[ "$(jget "$T/g1/impact.json" 'd["rows"][0]["acc_all"]')" = 0.5 ] || fail "strict-match accuracy"
[ "$(jget "$T/g2/impact.json" 'd["rows"][0]["acc_all"]')" = 0.75 ] || fail "flexible-extract accuracy"
[ "$(jget "$T/g2/report.json" 'd["samples"]["inputs"][0]["filter"]')" = flexible-extract ] || fail "filter recorded"; ok
finish
