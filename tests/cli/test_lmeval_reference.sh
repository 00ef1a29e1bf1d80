#!/usr/bin/env bash
# test_lmeval_reference.sh - cross-checks `contam scan --method lmeval` against
# tools/lmeval_reference.py, an independent Python re-implementation of the
# lm-evaluation-harness v0.3 13-gram rule, item by item on the real MMLU test
# split and the shared corpus. Any difference in any item's verdict fails.
# Env (set by ctest): CONTAM, CONTAM_SRC, CONTAM_SHARED_DATA, CONTAM_TEST_TMP.
set -euo pipefail

: "${CONTAM:?path to the contam binary}"
: "${CONTAM_SRC:?repository root}"
: "${CONTAM_SHARED_DATA:?shared data directory}"
: "${CONTAM_TEST_TMP:?scratch directory}"

BENCH="$CONTAM_SHARED_DATA/bench/mmlu/test"
CORPUS="$CONTAM_SHARED_DATA/corpus"
mkdir -p "$CONTAM_TEST_TMP"
TMP="$(mktemp -d "$CONTAM_TEST_TMP/lmeval_reference.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# Both run at once: the machine has two cores.
python3 "$CONTAM_SRC/tools/lmeval_reference.py" --preset mmlu --bench "$BENCH" \
    --out "$TMP/ref.tsv" "$CORPUS" 2>"$TMP/ref.err" &
ref_pid=$!
"$CONTAM" scan --preset mmlu --bench "$BENCH" --method lmeval --out "$TMP/out" -q "$CORPUS"
if ! wait "$ref_pid"; then
    echo "FAIL: lmeval_reference.py failed:" >&2
    cat "$TMP/ref.err" >&2
    exit 1
fi
cat "$TMP/ref.err"

python3 -c '
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as o:
    for line in f:
        if line.strip():
            r = json.loads(line)
            o.write("%s\t%s\n" % (r["id"], r["verdicts"]["lmeval"]))
' "$TMP/out/items.jsonl" "$TMP/contam.tsv"

if ! cmp -s "$TMP/ref.tsv" "$TMP/contam.tsv"; then
    echo "FAIL: contam --method lmeval differs from the reference" \
         "($(wc -l <"$TMP/ref.tsv") reference lines, $(wc -l <"$TMP/contam.tsv") contam lines)"
    echo "first differences (< reference, > contam):"
    diff "$TMP/ref.tsv" "$TMP/contam.tsv" | head -n 20 || true
    exit 1
fi

dirty=$(grep -c $'\tdirty$' "$TMP/ref.tsv" || true)
total=$(wc -l <"$TMP/ref.tsv")
if [ "$dirty" -le 0 ]; then
    echo "FAIL: no dirty item; the corpus holds real MMLU history passages"
    exit 1
fi
echo "lmeval verdicts agree on all $total items ($dirty dirty)"
