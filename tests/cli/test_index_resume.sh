#!/usr/bin/env bash
# A build killed with SIGKILL at any moment and started again with the same
# arguments finishes without reading the corpus files it had finished, and
# writes the bytes an uninterrupted build writes. A killed build never leaves
# something that looks like an index; a rerun with other arguments is refused.
. "$(dirname "$0")/lib.sh"
C=$SHARED/corpus
FILES=("$C"/shard-00.jsonl.zst "$C"/shard-01.jsonl.zst "$C"/shard-02.jsonl.zst)
# sanitizer builds are slow: two files are enough to interrupt
"$CONTAM" --version | grep -q asan && FILES=("${FILES[@]:0:2}")
NF=${#FILES[@]}
ARGS=(index build --method gpt3 --provenance --mem 64M)

same() {
  (cd "$1" && ls | grep -v '^build.json$') > "$T/l1"; (cd "$2" && ls | grep -v '^build.json$') > "$T/l2"
  cmp -s "$T/l1" "$T/l2" || fail "file lists differ: $1 $2"
  while read -r f; do cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"; done < "$T/l1"
  ok
}
finished() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["files"]))' "$1"; }

run 0 "$CONTAM" "${ARGS[@]}" -q --threads 2 --out "$T/ref" "${FILES[@]}"

# 1. killed once the journal records a finished file; resumed with another
#    thread count (not part of the index's identity)
"$CONTAM" "${ARGS[@]}" -q --threads 1 --out "$T/idx" "${FILES[@]}" 2>/dev/null & pid=$!
for _ in $(seq 1 600); do [ -s "$T/idx.partial/journal.json" ] && break; sleep 0.02; done
kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
[ -s "$T/idx.partial/journal.json" ] || fail "no journal after the first corpus file"
[ ! -e "$T/idx" ] || fail "a killed build left an index directory"; ok
n=$(finished "$T/idx.partial/journal.json")
[ "$n" -ge 1 ] && [ "$n" -lt "$NF" ] || fail "journal lists $n finished files"; ok

# a rerun with other arguments does not mix two builds
run 1 "$CONTAM" "${ARGS[@]}" -q --out "$T/idx" --n 12 "${FILES[@]}"
expect_err 'interrupted build with other arguments'
run 1 "$CONTAM" "${ARGS[@]}" -q --out "$T/idx" "${FILES[@]:0:1}"
expect_err 'interrupted build with other arguments'

# 2. resumed, and killed again a moment later (wherever it is by then)
"$CONTAM" "${ARGS[@]}" -q --threads 2 --out "$T/idx" "${FILES[@]}" 2>/dev/null & pid=$!
sleep 0.$((RANDOM % 9 + 1))
kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
if [ -e "$T/idx" ]; then
  echo "note: the second run finished before it was killed"
  [ ! -e "$T/idx.partial" ] || fail "finished build left its work directory"; ok
else
  m=$(finished "$T/idx.partial/journal.json")
  [ "$m" -ge "$n" ] || fail "journal went back from $n to $m files"; ok
  n=$m
  # 3. finished by a third run with the same arguments
  run 0 "$CONTAM" "${ARGS[@]}" --threads 2 --out "$T/idx" "${FILES[@]}"
  if [ "$n" -lt "$NF" ]; then
    expect_err "\($n finished before an interruption, not read again\)"
  fi
fi
same "$T/ref" "$T/idx"
[ ! -e "$T/idx.partial" ] || fail "work directory left after the build"; ok
run 0 "$CONTAM" index verify -q "$T/idx"

# 4. killed during the final merge (the staging directory exists): resumes too
"$CONTAM" "${ARGS[@]}" -q --threads 1 --out "$T/m" "${FILES[@]:0:2}" 2>/dev/null & pid=$!
for _ in $(seq 1 1000); do [ -e "$T/m.partial/out" ] && break; [ -e "$T/m" ] && break; sleep 0.01; done
kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
run 0 "$CONTAM" "${ARGS[@]}" -q --threads 2 --out "$T/m2" "${FILES[@]:0:2}"
if [ -e "$T/m" ]; then
  echo "note: the build finished before it was killed in its merge"
else
  run 0 "$CONTAM" "${ARGS[@]}" -q --threads 2 --out "$T/m" "${FILES[@]:0:2}"
fi
same "$T/m2" "$T/m"

# 5. a power loss: the journal names a run whose data never reached the disk
#    (checkpoints do not fsync). The run is found damaged on resume, and the
#    build goes back to the file it belongs to instead of failing or
#    merging garbage.
"$CONTAM" "${ARGS[@]}" -q --threads 1 --out "$T/p" "${FILES[@]}" 2>/dev/null & pid=$!
for _ in $(seq 1 600); do [ -s "$T/p.partial/journal.json" ] && break; sleep 0.02; done
kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
[ -s "$T/p.partial/journal.json" ] || fail "no journal after the first corpus file"; ok
read -r lost run < <(python3 - "$T/p.partial/journal.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
runs = [r for r in j["runs"] if not r["durable"]]
last = max(r["file"] for r in runs)
print(last, [r["name"] for r in runs if r["file"] == last][0])
PY
)
n=$(finished "$T/p.partial/journal.json")
truncate -s 100 "$T/p.partial/$run"
run 0 "$CONTAM" "${ARGS[@]}" --threads 2 --out "$T/p" "${FILES[@]}"
expect_err "\($((n - lost)) finished before an interruption but read again: their runs had not reached the disk\)"
same "$T/ref" "$T/p"

# 6. the journal of another contam version is refused, not misread
mkdir -p "$T/v.partial"
echo '{"version": 1, "key": "0123456789abcdef", "phase": "read", "files": [], "runs": []}' \
  > "$T/v.partial/journal.json"
run 1 "$CONTAM" "${ARGS[@]}" -q --out "$T/v" "${FILES[@]:0:1}"
expect_err 'journal of an interrupted build by another contam version'
finish
