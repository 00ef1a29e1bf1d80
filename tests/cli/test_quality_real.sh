#!/usr/bin/env bash
# contam dedup and lint on the real benchmarks in ../shared/data: the known
# MMLU duplicates (129 byte-identical rows), the nine MMLU test items with
# duplicate options, GSM8K rationale errors, deterministic outputs, and the
# documented output members.
. "$(dirname "$0")/lib.sh"
B=$SHARED/bench

# 1. dedup MMLU test: 130 exact groups of two (129 byte-identical pairs and
#    one whitespace variant), no conflicting labels; byte-identical reruns
run 0 "$CONTAM" dedup --preset mmlu --bench "$B/mmlu/test" --out "$T/d1" -q
run 0 "$CONTAM" dedup --preset mmlu --bench "$B/mmlu/test" --out "$T/d2" -q
diff -r "$T/d1" "$T/d2" >/dev/null || fail "dedup is not deterministic"; ok
python3 - "$T/d1" "$B/mmlu/test" <<'PY' || fail "MMLU duplicate groups"
import csv, glob, json, os, sys
out, src = sys.argv[1], sys.argv[2]
rep = json.load(open(out + "/report.json"))
d = rep["duplicates"]
assert d["exact_groups"] == 130 and d["conflicting_groups"] == 0, d
# 198 rows repeat an earlier row's question byte for byte; 2 more up to whitespace
assert (d["question_groups"], d["repeated_questions"]) == (178, 200), d
assert rep["command"] == "dedup" and rep["benchmark"]["items"] == 14079
assert all(len(f["xxh3_128"]) == 32 for f in rep["benchmark"]["inputs"])
rows = {}
for f in sorted(glob.glob(src + "/*.csv")):
    stem = os.path.basename(f)[:-4]
    for i, r in enumerate(csv.reader(open(f, newline="", encoding="utf-8"))):
        rows[f"{stem}:{i + 1}"] = tuple(r)
groups = [json.loads(l) for l in open(out + "/duplicates.jsonl")]
assert len(groups) == d["groups"]
assert [g["group"] for g in groups] == list(range(1, len(groups) + 1))
exact_ids = set()
for g in groups:
    assert g["kind"] in ("exact", "near") and isinstance(g["conflicting_labels"], bool)
    for m in g["members"]:
        assert set(("id", "source", "record", "label")) <= set(m), m
    if g["kind"] == "exact":
        exact_ids |= {m["id"] for m in g["members"]}
# every row that repeats an earlier row byte for byte is in an exact group
seen, repeats = {}, 0
for k, r in rows.items():
    if r in seen:
        repeats += 1
        assert k in exact_ids and seen[r] in exact_ids, k
    seen.setdefault(r, k)
assert repeats == 129, repeats
PY
ok

# 2. across splits: MMLU test against val and dev
run 0 "$CONTAM" dedup --preset mmlu --bench "$B/mmlu/test" --against "$B/mmlu/val" --against "$B/mmlu/dev" --out "$T/d3" -q
python3 - "$T/d3" <<'PY' || fail "cross-split groups"
import json, sys
rep = json.load(open(sys.argv[1] + "/report.json"))
d = rep["duplicates"]
assert d["cross_set_groups"] >= 60 and d["against_items_in_groups"] >= 60, d
assert len(rep["against"]) == 2 and len(d["against"]) == 2
roles = {m["role"] for l in open(sys.argv[1] + "/duplicates.jsonl") for m in json.loads(l)["members"]}
assert roles == {"benchmark", "against"}, roles
PY
ok

# 3. lint MMLU test: the nine items with duplicate options, real mojibake
run 0 "$CONTAM" lint --preset mmlu --bench "$B/mmlu/test" --out "$T/l1" -q
python3 - "$T/l1" <<'PY' || fail "MMLU lint"
import json, sys
fs = [json.loads(l) for l in open(sys.argv[1] + "/lint.jsonl")]
for f in fs:
    assert set(f) >= {"id", "source", "record", "subject", "code", "severity", "message"}, f
c7 = sorted(f["id"] for f in fs if f["code"] == "C007")
assert c7 == sorted(["business_ethics_test:3", "electrical_engineering_test:22",
                     "elementary_mathematics_test:114", "high_school_chemistry_test:142",
                     "high_school_macroeconomics_test:185", "high_school_physics_test:102",
                     "international_law_test:52", "public_relations_test:88",
                     "sociology_test:198"]), c7
by = {}
for f in fs:
    by.setdefault(f["code"], set()).add(f["id"])
assert "professional_law_test:1395" in by["C013"]          # rÃ©sumÃ©
assert "computer_security_test:1" in by["C009"]            # "the following program" is missing
assert "formal_logic_test:59" not in by.get("C007", set())  # Sc / sC are different formulas
assert "C001" not in by and "C011" not in by
rep = json.load(open(sys.argv[1] + "/report.json"))
lint = rep["lint"]
assert lint["findings"] == len(fs)
assert set(lint["by_check"]) == {"C%03d" % k for k in range(1, 26)}
assert lint["by_check"]["C007"]["count"] == 9 and lint["by_check"]["C007"]["severity"] == "error"
assert lint["by_subject"]["sociology"]["C007"] == 1
assert 0 < len(lint["examples"]) <= 50
assert "duplicates" in rep
PY
ok

finish
