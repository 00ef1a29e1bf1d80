#!/usr/bin/env bash
# Real data: MMLU test (14,079 items) against the shared corpus shards. A
# handful of history items quote real speeches (State of the Union, the
# Declaration of Independence) and a Dickens opening; the scan must find them,
# with provenance, and nothing else; outputs must not depend on --threads.
. "$(dirname "$0")/lib.sh"
B=(scan --preset mmlu --bench "$SHARED/bench/mmlu/test" --doc-field meta.pile_set_name -q)
run 0 "$CONTAM" "${B[@]}" --threads 2 --out "$T/t2" "$SHARED/corpus"
run 0 "$CONTAM" "${B[@]}" --threads 1 --out "$T/t1" "$SHARED/corpus"
diff -r "$T/t1" "$T/t2" >/dev/null || fail "outputs differ between --threads 1 and 2"; ok

python3 - "$T/t2" "$SHARED/bench/mmlu/test" <<'PY' || fail "MMLU expectations"
import csv, glob, json, os, sys
out, bench = sys.argv[1], sys.argv[2]
items = [json.loads(l) for l in open(out + "/items.jsonl")]
assert len(items) == 14079
by_id = {it["id"]: it for it in items}
dirty = sorted(it["id"] for it in items if it["verdict"] == "dirty")
# golden: the 23 items the gpt3 rule finds (22 history passages + one law
# item quoting the Constitution's copyright clause); pinned deliberately
expected = ["high_school_european_history_test:%d" % i for i in (124, 135, 151)] + \
    ["high_school_us_history_test:%d" % i for i in (114, 126, 135, 169, 17, 173, 176, 188, 191, 195, 59, 73)] + \
    ["high_school_world_history_test:%d" % i for i in (111, 199, 31, 52, 6, 83, 95)] + ["professional_law_test:77"]
assert dirty == sorted(expected), sorted(set(dirty) ^ set(expected))

def first(i):
    return by_id[i]["matches"][0]
m = first("high_school_us_history_test:17")      # Carter, State of the Union 1980
assert m["file"].endswith("shard-00.jsonl.zst") and m["record"] == 732 and m["doc"] == "SOTU", m
assert "have been born in turmoil" in m["words"] and "born in turmoil" in m["snippet"], m
assert by_id["high_school_us_history_test:17"]["leaked"] == "question"
m = first("high_school_world_history_test:6")     # Dickens, A Tale of Two Cities
assert "best of times" in m["words"] and m["doc"] == "Emails (SpamAssassin)", m
assert any("levy war" in x["words"].lower() for x in by_id["high_school_us_history_test:114"]["matches"])
for it in items:                                   # provenance is ordered and bounded
    ms = it["matches"]
    assert len(ms) <= 5
    keys = [(x["file"], x["record"]) for x in ms]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), it["id"]

r = json.load(open(out + "/report.json"))
assert r["summary"]["gpt3"]["dirty"] == 23 and r["summary"]["gpt3"]["items"] == 14079
assert r["by_subject"]["high_school_us_history"]["gpt3"]["dirty"] == 12
assert r["by_subject"]["anatomy"]["gpt3"]["dirty"] == 0
top = r["boilerplate"]["gpt3"]["top"][0]            # the moral-scenarios template
assert top["items"] == 895 and "main character" in top["text"], top
assert r["corpus"]["documents"] == 24401 and r["corpus"]["files"] == 9
assert all(len(f["xxh3_128"]) == 32 for f in r["corpus"]["inputs"] + r["benchmark"]["inputs"])

# clean/ + dirty/: each subject file split by verdict, rows byte-identical, order kept
n_clean = n_dirty = 0
for path in sorted(glob.glob(bench + "/*.csv")):
    name = os.path.basename(path)
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    clean = list(csv.reader(open(out + "/clean/" + name, newline="", encoding="utf-8")))
    dirt = list(csv.reader(open(out + "/dirty/" + name, newline="", encoding="utf-8")))
    stem = name[:-4]
    want_dirty = [row for k, row in enumerate(rows) if by_id["%s:%d" % (stem, k + 1)]["verdict"] == "dirty"]
    want_clean = [row for k, row in enumerate(rows) if by_id["%s:%d" % (stem, k + 1)]["verdict"] != "dirty"]
    assert clean == want_clean and dirt == want_dirty, name
    n_clean += len(clean); n_dirty += len(dirt)
assert (n_clean, n_dirty) == (14079 - 23, 23)
PY
ok
finish
