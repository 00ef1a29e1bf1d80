#!/usr/bin/env bash
# contam lint on the real HellaSwag, ARC and TruthfulQA files in
# ../shared/data: what docs/FINDINGS.md reports.
. "$(dirname "$0")/lib.sh"
B=$SHARED/bench

# 1. the other benchmarks run and find what docs/FINDINGS.md reports
run 0 "$CONTAM" lint --preset hellaswag --bench "$B/hellaswag" --out "$T/l4" -q
[ "$(jget "$T/l4/report.json" 'd["lint"]["by_check"]["C012"]["count"]')" = 1 ] || fail "hellaswag U+FFFD"
grep -q '"id":"9990".*"code":"C012"' "$T/l4/lint.jsonl" || fail "hellaswag 9990"
# gold endings that repeat a sentence of the context
[ "$(jget "$T/l4/report.json" 'sorted(int(e["id"]) for e in d["lint"]["examples"] if e["code"] == "C010")')" = "[77, 619, 1879, 3067]" ] || fail "hellaswag C010"
[ "$(jget "$T/l4/report.json" 'd["duplicates"]["groups"]')" = 0 ] || fail "hellaswag duplicates"; ok
run 0 "$CONTAM" lint --preset arc --bench "$B/arc" --out "$T/l5" -q
[ "$(jget "$T/l5/report.json" 'd["lint"]["by_check"]["C005"]["count"]')" = 7 ] || fail "ARC option counts"
python3 - "$T/l5" <<'PY' || fail "ARC duplicate pairs"
import json, sys
groups = [json.loads(l) for l in open(sys.argv[1] + "/duplicates.jsonl")]
pairs = sorted(tuple(sorted(m["id"] for m in g["members"])) for g in groups)
assert pairs == [("LEAP_2000_8_2", "LEAP__8_10365"), ("LEAP_2002_4_10247", "LEAP__4_10225"),
                 ("Mercury_406639", "Mercury_7116183")], pairs
assert not any(g["conflicting_labels"] for g in groups)
PY
ok
run 0 "$CONTAM" lint --preset truthfulqa --bench "$B/truthfulqa" --out "$T/l6" -q
[ "$(jget "$T/l6/report.json" 'd["benchmark"]["items"]')" = 817 ] || fail "truthfulqa items"
[ "$(jget "$T/l6/report.json" '(d["lint"]["findings"], d["duplicates"]["near_groups"])')" = "(0, 2)" ] || fail "truthfulqa findings"; ok
finish
