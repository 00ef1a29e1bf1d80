#!/usr/bin/env bash
# Many corpus files: every finished file leaves a run, and past 48 runs the
# builder compacts them (after making them durable). The partitions must not
# depend on how the corpus was cut into files: 70 slices of a shard index to
# the same partition bytes as the shard's text in one file (record ordinals
# continue across files, so even --provenance agrees). A simulated power loss
# after a compaction (a non-durable run truncated) is recovered by resuming.
. "$(dirname "$0")/lib.sh"
SRC=$SHARED/corpus/shard-00.jsonl.zst
NS=70
python3 - "$SRC" "$T/slices" "$NS" <<'PY'
import os, subprocess, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = subprocess.run(["zstd", "-dc", src], check=True, capture_output=True).stdout.splitlines(True)
lines = lines[:1400]  # 20 records per slice: small and quick
os.makedirs(out)
per = len(lines) // n
for k in range(n):
    part = lines[k * per:(k + 1) * per] if k < n - 1 else lines[k * per:]
    open(os.path.join(out, "s%03d.jsonl" % k), "wb").write(b"".join(part))
open(os.path.join(out, "..", "whole.jsonl"), "wb").write(b"".join(lines))
PY
SLICES=("$T"/slices/s*.jsonl)
[ ${#SLICES[@]} -eq $NS ] || fail "made ${#SLICES[@]} slices"; ok
ARGS=(index build --method gpt3 --provenance)

same_parts() {
  local n=0
  for f in "$1"/part-*.cidx; do cmp -s "$f" "$2/$(basename "$f")" || fail "$(basename "$f") differs"; n=$((n + 1)); done
  [ "$n" -gt 0 ] || fail "no partitions in $1"
  [ "$(jget "$1/manifest.json" 'd["counts"]["keys"]')" = "$(jget "$2/manifest.json" 'd["counts"]["keys"]')" ] ||
    fail "key counts differ"
  ok
}

run 0 "$CONTAM" "${ARGS[@]}" --threads 1 --out "$T/whole" "$T/whole.jsonl"
run 0 "$CONTAM" "${ARGS[@]}" --threads 1 --out "$T/sliced" "${SLICES[@]}"
same_parts "$T/whole" "$T/sliced"
run 0 "$CONTAM" "${ARGS[@]}" --threads 2 --out "$T/sliced2" "${SLICES[@]}"
same_parts "$T/whole" "$T/sliced2"

# Killed once a compaction has happened (a durable run in the journal) and
# while later files are still pending; then a non-durable run is truncated.
"$CONTAM" "${ARGS[@]}" -q --threads 1 --out "$T/p" "${SLICES[@]}" 2>/dev/null & pid=$!
for _ in $(seq 1 1500); do
  grep -q '"durable":true' "$T/p.partial/journal.json" 2>/dev/null &&
    grep -q '"durable":false' "$T/p.partial/journal.json" 2>/dev/null && break
  [ -e "$T/p" ] && break
  sleep 0.01
done
kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
if [ -e "$T/p" ]; then
  echo "note: the build finished before a compaction could be interrupted"
else
  read -r lost run < <(python3 - "$T/p.partial/journal.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
runs = [r for r in j["runs"] if not r["durable"]]
r = min(runs, key=lambda r: r["file"])
print(r["file"], r["name"])
PY
  )
  n=$(jget "$T/p.partial/journal.json" 'len(d["files"])')
  truncate -s 0 "$T/p.partial/$run"
  run 0 "$CONTAM" "${ARGS[@]}" --threads 2 --out "$T/p" "${SLICES[@]}"
  expect_err "\($lost finished before an interruption, not read again\)"
  expect_err "\($((n - lost)) finished before an interruption but read again"
fi
same_parts "$T/whole" "$T/p"
finish
