#!/usr/bin/env bash
# contam lint on the real GSM8K files in ../shared/data: the rationale
# errors docs/FINDINGS.md reports.
. "$(dirname "$0")/lib.sh"
B=$SHARED/bench

# 1. GSM8K: written arithmetic and answers that contradict their rationale
run 0 "$CONTAM" lint --preset gsm8k --bench "$B/gsm8k/train.jsonl" --out "$T/l2" -q
run 0 "$CONTAM" lint --preset gsm8k --bench "$B/gsm8k/test.jsonl" --out "$T/l3" -q
python3 - "$T/l2" "$T/l3" <<'PY' || fail "GSM8K lint"
import json, sys
def load(d):
    by = {}
    for l in open(d + "/lint.jsonl"):
        f = json.loads(l)
        by.setdefault(f["code"], {})[f["id"]] = f["message"]
    return by
tr, te = load(sys.argv[1]), load(sys.argv[2])
assert "'14*20= 140' is 280" in tr["C025"]["train:7445"]
assert "train:357" in tr["C022"] and "train:2771" in tr["C022"]   # 64 vs 66, 108 vs 106
assert "C020" not in tr and "C020" not in te                     # every annotation evaluates
assert "test:320" in te["C021"]                                  # <<3/4=3/4>>
assert "C019" not in tr and "C019" not in te
PY
ok

finish
