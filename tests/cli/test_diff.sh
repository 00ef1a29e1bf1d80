#!/usr/bin/env bash
# contam diff OLD NEW: exit 0 for two runs of the same audit (different
# directories, different --threads), 1 with the changes listed when inputs or
# parameters differ (golden text and JSON on the demo), 2 for usage errors
# and unreadable directories, as diff(1).
. "$(dirname "$0")/lib.sh"
cd "$CONTAM_SRC"
A=(scan --preset arc --bench corpora/bench --doc-field meta.source -q
   --method gpt3,lmeval,palm,llama2,gpt4)
run 0 "$CONTAM" "${A[@]}" --threads 1 --out "$T/full" corpora/shards
run 0 "$CONTAM" "${A[@]}" --threads 2 --out "$T/again" corpora/shards
run 0 "$CONTAM" diff "$T/full" "$T/again"
[ "$(cat "$T/out")" = "no differences: 40 items, methods gpt3,lmeval,palm,llama2,gpt4" ] \
  || fail "equal runs: $(cat "$T/out")"
run 0 "$CONTAM" diff --json "$T/full" "$T/again"
[ "$(jget "$T/out" 'd["equal"]')" = True ] || fail "--json equal"; ok

# one shard fewer: 7 planted items are no longer found (golden)
run 0 "$CONTAM" "${A[@]}" --out "$T/web0" corpora/shards/web-00.jsonl.zst
run 1 "$CONTAM" diff "$T/full" "$T/web0"
golden=tests/golden/demo_diff.txt
if [ "${CONTAM_UPDATE_GOLDEN:-}" = 1 ]; then cp "$T/out" "$golden"; fi
diff -u "$golden" "$T/out" || fail "diff output differs from $golden"; ok
run 1 "$CONTAM" diff --json "$T/full" "$T/web0"
golden=tests/golden/demo_diff.json
if [ "${CONTAM_UPDATE_GOLDEN:-}" = 1 ]; then cp "$T/out" "$golden"; fi
diff -u "$golden" "$T/out" || fail "diff --json differs from $golden"
python3 - "$T/out" <<'PY' || fail "diff --json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["equal"] is False and d["items_changed_verdict"] == 7
gpt3 = {v["id"] for v in d["verdicts"] if v["method"] == "gpt3"}
assert gpt3 == {"demo-004", "demo-006", "demo-008", "demo-011", "demo-017", "demo-019", "demo-030"}, gpt3
assert all(v["old"] == "dirty" and v["new"] == "clean" for v in d["verdicts"] if v["method"] == "gpt3")
removed = sorted(i["path"] for i in d["inputs"] if i["change"] == "removed")
assert removed == ["corpora/shards/books-00.jsonl.gz", "corpora/shards/web-01.jsonl.zst"], removed
r = [x for x in d["rates"] if x["method"] == "gpt3" and x["subject"] is None][0]
assert (r["old"]["dirty"], r["new"]["dirty"]) == (13, 6), r
PY
ok
# --max-lines caps the text listing
run 1 "$CONTAM" diff --max-lines 2 "$T/full" "$T/web0"
expect_out '^  \.\.\. 5 more items \(--json lists all\)$'

# parameters: fewer methods and another corpus-df; the reverse direction
run 0 "$CONTAM" "${A[@]}" --method gpt3,palm --corpus-df 1 --out "$T/params" corpora/shards
run 1 "$CONTAM" diff "$T/params" "$T/full"
expect_out '^parameters: 5 differ$'
expect_out '^  parameters.methods\(order\): "gpt3,palm" -> "gpt3,lmeval,palm,llama2,gpt4"$'
expect_out '^  parameters.methods\[gpt3\].corpus_df_max: 1 -> 10$'
expect_out '^  parameters.methods\[lmeval\]: \(absent\) -> \(run\)$'
! grep -q '^verdicts' "$T/out" || fail "no verdict changed for the shared methods"; ok

# items added / removed (a benchmark with one item fewer)
head -n 39 corpora/bench/demo_test.jsonl >"$T/bench39.jsonl"
run 0 "$CONTAM" scan --preset arc --bench "$T/bench39.jsonl" --doc-field meta.source -q \
    --method gpt3,lmeval,palm,llama2,gpt4 --out "$T/b39" corpora/shards
run 1 "$CONTAM" diff "$T/full" "$T/b39"
expect_out '^items: 0 added, 1 removed$'; expect_out '^  - demo-040$'
expect_out '^  benchmark removed: corpora/bench/demo_test.jsonl$'

# trouble and usage: 2
run 2 "$CONTAM" diff "$T/full" "$T/missing"; expect_err "$T/missing/report.json: cannot open"
cp -r "$T/full" "$T/broken"; sed -i '3s/.*/not json/' "$T/broken/items.jsonl"
run 2 "$CONTAM" diff "$T/full" "$T/broken"; expect_err 'items.jsonl:3: not a JSON object'
run 2 "$CONTAM" diff "$T/full"; expect_err 'two output directories expected'
run 2 "$CONTAM" diff a b c; expect_err 'got a third'
run 2 "$CONTAM" diff --max-lines 0 a b; expect_err -- '--max-lines'
run 0 "$CONTAM" diff --help; expect_out '^Usage: contam diff'; expect_out 'diff\(1\)'
run 0 "$CONTAM" help diff; expect_out '^Usage: contam diff'
finish
