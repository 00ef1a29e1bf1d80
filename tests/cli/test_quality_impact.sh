#!/usr/bin/env bash
# contam impact and contam audit on the embedded demo with the lm-eval
# --log_samples files in tests/data/samples (hand-checked numbers: see the
# README there).
. "$(dirname "$0")/lib.sh"
S=$CONTAM_SRC/tests/data/samples
D=2024-05-13T12-00-00.000001
A=$S/demo/model-a/samples_arc_challenge_$D.jsonl
M=$S/demo/model-b/samples_arc_challenge_$D.jsonl

# 1. scan the demo, then impact from its items.jsonl (benchmark read from the
#    report.json next to it)
run 0 "$CONTAM" scan --preset arc --bench "$DEMO/bench" --out "$T/scan" -q "$DEMO/shards"
run 0 "$CONTAM" impact --samples "$A" --samples "$M" --items "$T/scan/items.jsonl" --out "$T/i1"
expect_err "model-a arc_challenge: all 0.7500 \(n=40\), clean 0.6296 \(n=27\), dirty 1.0000 \(n=13\)  FLAG"
expect_err "2 records matched no benchmark item"
python3 - "$T/i1" <<'PY' || fail "impact numbers"
import json, sys
im = json.load(open(sys.argv[1] + "/impact.json"))
rep = json.load(open(sys.argv[1] + "/report.json"))
assert rep["impact"] == im and rep["command"] == "impact"
rows = {(r["model"], r["task"], r["subject"]): r for r in im["rows"]}
assert len(rows) == 2
a = rows[("model-a", "arc_challenge", "(all)")]
assert (a["n_all"], a["n_clean"], a["n_dirty"]) == (40, 27, 13)
assert a["acc_all"] == 0.75 and a["acc_clean"] == 0.62963 and a["acc_dirty"] == 1.0
assert a["clean_minus_all"] == -0.12037 and a["flag"] is True
assert a["ci_dirty"] == [1.0, 1.0] and a["ci_all"][0] <= 0.75 <= a["ci_all"][1]
b = rows[("model-b", "arc_challenge", "(all)")]
assert b["acc_all"] == 0.625 and b["acc_clean"] == 0.666667 and b["acc_dirty"] == 0.538462
assert b["clean_minus_all"] == 0.041667 and b["flag"] is False
assert im["bootstrap"] == {"samples": 1000, "seed": 20240101, "level": 0.95,
                           "method": im["bootstrap"]["method"]}
assert (im["records"], im["joined"], im["not_joined"], im["flagged_rows"]) == (82, 80, 2, 1)
ins = rep["samples"]["inputs"]
assert [i["model"] for i in ins] == ["model-a", "model-b"] and all(len(i["xxh3_128"]) == 32 for i in ins)
assert rep["items"]["path"].endswith("items.jsonl") and len(rep["items"]["xxh3_128"]) == 32
PY
ok

# 2. the same with the benchmark given; reruns are byte-identical; another
#    bootstrap seed moves the intervals, not the accuracies
run 0 "$CONTAM" impact --preset arc --bench "$DEMO/bench" --samples "$A" --samples "$M" --items "$T/scan/items.jsonl" --out "$T/i2" -q
cmp "$T/i1/impact.json" "$T/i2/impact.json" || fail "impact with --bench differs"; ok
# (accuracies are multiples of 1/n, so 95% bounds from 1000 resamples often
# coincide across seeds: 20 resamples make the seed visible)
run 0 "$CONTAM" impact "$A" "$M" --items "$T/scan/items.jsonl" --out "$T/i3" --bootstrap-seed 1 --bootstrap 20 -q
run 0 "$CONTAM" impact "$A" "$M" --items "$T/scan/items.jsonl" --out "$T/i4" --bootstrap-seed 2 --bootstrap 20 -q
python3 - "$T/i1" "$T/i3" "$T/i4" <<'PY' || fail "bootstrap seed"
import json, sys
x, y, z = (json.load(open(d + "/impact.json")) for d in sys.argv[1:])
assert [r["acc_clean"] for r in x["rows"]] == [r["acc_clean"] for r in y["rows"]]
ci = lambda d: [(r["ci_all"], r["ci_clean"], r["ci_dirty"]) for r in d["rows"]]
assert ci(y) != ci(z)
assert y["bootstrap"]["samples"] == 20 and y["bootstrap"]["seed"] == 1
PY
ok

# 3. audit = scan + dedup + lint + impact in one directory; thread counts agree
for t in 1 2; do
  run 0 "$CONTAM" audit --preset arc --bench "$DEMO/bench" --samples "$A" --samples "$M" --threads $t --out "$T/a$t" "$DEMO/shards"
done
expect_err "contam audit: 5 lint findings, C023 1, C024 4"
diff -r "$T/a1" "$T/a2" >/dev/null || fail "audit differs across --threads"; ok
for f in items.jsonl report.json duplicates.jsonl lint.jsonl impact.json clean dirty; do
  [ -e "$T/a1/$f" ] || fail "audit did not write $f"
done
diff -r "$T/scan/clean" "$T/a1/clean" >/dev/null && diff -r "$T/scan/dirty" "$T/a1/dirty" >/dev/null || fail "audit splits differ from scan's"
cmp "$T/i1/impact.json" "$T/a1/impact.json" || fail "audit impact differs from impact's"; ok
python3 - "$T/a1" "$T/scan" <<'PY' || fail "audit outputs"
import json, sys
items = [json.loads(l) for l in open(sys.argv[1] + "/items.jsonl")]
scan = [json.loads(l) for l in open(sys.argv[2] + "/items.jsonl")]
assert len(items) == 40
for it, sc in zip(items, scan):
    assert "duplicate_group" in it and isinstance(it["lint"], list)
    extra = {k: v for k, v in it.items() if k not in ("duplicate_group", "lint")}
    assert extra == sc, it["id"]           # scan's members, unchanged
l22 = next(it for it in items if it["id"] == "demo-022")["lint"]
assert l22 == [{"code": "C023", "severity": "warning"}, {"code": "C024", "severity": "info"}], l22
rep = json.load(open(sys.argv[1] + "/report.json"))
for k in ("duplicates", "lint", "impact", "samples", "summary", "splits"):
    assert k in rep, k
assert rep["command"] == "audit"
assert rep["lint"]["by_check"]["C023"]["count"] == 1 and rep["lint"]["models"]["given"] == 2
PY
ok

# 4. audit without samples: no impact, the evidence checks marked as not run
run 0 "$CONTAM" audit --preset arc --bench "$DEMO/bench" --out "$T/a3" -q "$DEMO/shards"
[ ! -e "$T/a3/impact.json" ] || fail "impact.json without samples"
[ "$(jget "$T/a3/report.json" 'd["lint"]["by_check"]["C023"]["ran"]')" = False ] || fail "C023 ran"
[ "$(jget "$T/a3/report.json" '"impact" in d')" = False ] || fail "impact section without samples"; ok

finish
