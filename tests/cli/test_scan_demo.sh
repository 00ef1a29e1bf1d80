#!/usr/bin/env bash
# The embedded demo: the scan finds exactly the items planted in corpora/
# (corpora/PLANTED.md), in the shard and document they were planted in, and
# the outputs are byte-identical for every thread count.
. "$(dirname "$0")/lib.sh"

args=(scan --preset arc --bench "$DEMO/bench" --doc-field meta.source -q)
run 0 "$CONTAM" "${args[@]}" --method gpt3,lmeval,palm,llama2,gpt4 --threads 1 --out "$T/t1" "$DEMO/shards"
run 0 "$CONTAM" "${args[@]}" --method gpt3,lmeval,palm,llama2,gpt4 --threads 2 --out "$T/t2" "$DEMO/shards"
run 0 "$CONTAM" "${args[@]}" --method gpt3,lmeval,palm,llama2,gpt4 --threads 3 --out "$T/t3" "$DEMO/shards"
diff -r "$T/t1" "$T/t2" >/dev/null || fail "threads 1 and 2 differ"
diff -r "$T/t1" "$T/t3" >/dev/null || fail "threads 1 and 3 differ"; ok

python3 - "$DEMO/PLANTED.md" "$T/t1" <<'PY' || fail "planted items check"
import json, re, sys
planted = {}
for line in open(sys.argv[1]):
    m = re.match(r"\| (demo-\d+) \| (\S+) \| (\S+) \| (\S+) \|", line)
    if m:
        planted[m.group(1)] = (m.group(2), m.group(3))
items = [json.loads(l) for l in open(sys.argv[2] + "/items.jsonl")]
assert len(items) == 40 and len(planted) == 13, (len(items), len(planted))
for method in ("gpt3", "lmeval"):
    dirty = {it["id"] for it in items if it["verdicts"][method] == "dirty"}
    assert dirty == set(planted), (method, sorted(dirty ^ set(planted)))
for it in items:
    if it["id"] in planted:
        shard, doc = planted[it["id"]]
        assert it["matches"], it["id"]
        m = it["matches"][0]
        assert m["file"].endswith("/" + shard) and m["doc"] == doc, (it["id"], m["file"], m["doc"])
        assert m["words"] and m["snippet"], it["id"]
    else:
        assert not it["matches"] and it["matched"] == 0, it["id"]
report = json.load(open(sys.argv[2] + "/report.json"))
assert report["summary"]["gpt3"]["dirty"] == 13 and report["splits"]["dirty"] == 13
PY
orig="$DEMO/bench/demo_test.jsonl"
[ "$(cat "$T/t1/clean/demo_test.jsonl" "$T/t1/dirty/demo_test.jsonl" | sort | md5sum)" = "$(sort "$orig" | md5sum)" ] || fail "clean+dirty != original"
[ "$(wc -l <"$T/t1/dirty/demo_test.jsonl")" = 13 ] || fail "dirty split size"
# the clean split keeps input order: it is the original minus the dirty lines
grep -vxF -f "$T/t1/dirty/demo_test.jsonl" "$orig" | cmp - "$T/t1/clean/demo_test.jsonl" || fail "clean order"; ok
finish
