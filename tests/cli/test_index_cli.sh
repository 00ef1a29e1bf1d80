#!/usr/bin/env bash
# contam index on real shards: --help and usage errors; build, info, verify;
# verify names the damaged file and block after a flipped byte; truncated
# partitions, newer format versions and mismatched parameters are clear
# errors; merging two halves and appending give the bytes of a full build.
. "$(dirname "$0")/lib.sh"
C=$SHARED/corpus

# ---- manners ------------------------------------------------------------------
run 0 "$CONTAM" index --help;          expect_out '^Usage: contam index COMMAND'
run 0 "$CONTAM" help index;            expect_out 'build +index corpus files'
for sub in build merge info verify; do
  run 0 "$CONTAM" index $sub --help;   expect_out "^Usage: contam index $sub"
done
run 0 "$CONTAM" --help;                expect_out '^  index '
run 2 "$CONTAM" index;                 expect_err 'Usage: contam index'
run 2 "$CONTAM" index frob;            expect_err "unknown command 'frob'"
run 2 "$CONTAM" index build "$C";      expect_err -- '--out is required'
run 2 "$CONTAM" index build --out "$T/x"; expect_err 'no corpus files'
run 2 "$CONTAM" index build --out "$T/x" --partitions 3 "$C"; expect_err 'power of two'
run 2 "$CONTAM" index build --out "$T/x" --mem 1M "$C";       expect_err -- '--mem'
run 2 "$CONTAM" index build --out "$T/x" --fp-bits 70 "$C";   expect_err -- '--fp-bits'
run 2 "$CONTAM" index build --out "$T/x" --fp-rate 2 "$C";    expect_err -- '--fp-rate'
run 2 "$CONTAM" index build --out "$T/x" --method custom "$C"; expect_err -- '--method'
run 2 "$CONTAM" index build --out "$T/x" --unit bytes "$C";   expect_err -- '--unit'
run 2 "$CONTAM" index merge --out "$T/x" "$T/a";              expect_err 'at least two'
run 2 "$CONTAM" index info;            expect_err 'give an index directory'
run 2 "$CONTAM" index verify a b;      expect_err 'give one index directory'
run 1 "$CONTAM" index build --out "$T/x" -q "$T/missing";     expect_err "$T/missing"
run 1 "$CONTAM" index build --out "$T/x" -q --mem 48M --threads 4 "$C"; expect_err 'too small'
[ ! -e "$T/x" ] && [ ! -e "$T/x.partial" ] || fail "a refused build left a directory"; ok
# The smallest budget it names is enough, and one MiB less is not.
least=$(sed -n 's/.*(at least \([0-9]*\) MiB).*/\1/p' "$T/err")
[ -n "$least" ] || fail "no smallest budget in: $(cat "$T/err")"
run 1 "$CONTAM" index build --out "$T/x" -q --mem "$((least - 1))M" --threads 4 "$C"; expect_err "at least $least MiB"
run 0 "$CONTAM" index build --out "$T/least" -q --mem "${least}M" --threads 4 "$C/shard-07.jsonl.zst"

# ---- build, info, verify ---------------------------------------------------------
S0=$C/shard-00.jsonl.zst S1=$C/shard-01.jsonl.zst
run 0 "$CONTAM" index build --out "$T/full" --method gpt3 --mem 256M --threads 2 "$S0" "$S1"
expect_err '2 corpus files'; expect_err 'false-match rate [0-9.e-]+ per query'
expect_err 'bytes per n-gram'
run 0 "$CONTAM" index info "$T/full";  expect_out 'word 13-grams'; expect_out 'document frequency yes'
run 0 "$CONTAM" index info --json "$T/full"
cp "$T/out" "$T/info.json"
python3 - "$T/info.json" <<'PY' || fail "info --json"
import json, sys
d = json.load(open(sys.argv[1]))
k = d["keys"]
assert d["params"]["n"] == 13 and d["params"]["unit"] == "word" and k["df"] is True
assert k["false_match_rate"] <= 1e-9 and k["false_match_rate"] == k["count"] / 2 ** k["fingerprint_bits"]
assert d["size"]["bytes_per_key"] < 5, d["size"]
assert d["corpus"]["files"] == 2 and d["corpus"]["documents"] > 5000
PY
ok
BITS=$(jget "$T/info.json" 'd["keys"]["fingerprint_bits"]')
run 0 "$CONTAM" index verify "$T/full"; expect_out '^ok: .*every checksum matches'
[ ! -e "$T/full.partial" ] || fail "work directory left after a build"; ok
run 1 "$CONTAM" index build --out "$T/full" -q "$S0"; expect_err 'already exists; pass --append'

# ---- halves merged, and append, equal the full build --------------------------------
same() { # same DIR1 DIR2: every file but build.json byte-identical
  (cd "$1" && ls | grep -v '^build.json$') > "$T/l1"; (cd "$2" && ls | grep -v '^build.json$') > "$T/l2"
  cmp -s "$T/l1" "$T/l2" || fail "file lists differ: $1 $2"
  while read -r f; do cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"; done < "$T/l1"
  ok
}
run 0 "$CONTAM" index build -q --out "$T/h0" --method gpt3 --fp-bits "$BITS" --threads 1 "$S0"
run 0 "$CONTAM" index build -q --out "$T/h1" --method gpt3 --fp-bits "$BITS" --threads 2 "$S1"
run 0 "$CONTAM" index merge --out "$T/merged" "$T/h0" "$T/h1"; expect_err '2 indexes, 2 corpus files'
same "$T/full" "$T/merged"
run 0 "$CONTAM" index build -q --append --out "$T/h0" "$S1"
same "$T/full" "$T/h0"
run 1 "$CONTAM" index build -q --append --out "$T/h0" "$S1"; expect_err 'already in the index'
run 0 "$CONTAM" index build -q --out "$T/p8" --method palm --fp-bits "$BITS" "$C/c4-shard-00.json.gz"
run 1 "$CONTAM" index merge --out "$T/bad" "$T/h1" "$T/p8"; expect_err 'parameters differ \(n: 13 vs 8\)'
[ ! -e "$T/bad" ] || fail "a refused merge left an output"; ok
run 1 "$CONTAM" index build -q --append --out "$T/p8" --n 13 "$S0"; expect_err 'other parameters'

# ---- damage: flipped byte, truncation, newer versions ------------------------------------
cp -r "$T/full" "$T/flip"
python3 - "$T/flip/part-0005.cidx" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[80 + 50000] ^= 0x04; open(p, "wb").write(b)
PY
run 1 "$CONTAM" index verify "$T/flip"
expect_err 'part-0005.cidx: block [0-9]+ \(byte offset [0-9]+\): checksum mismatch'
expect_err 'is damaged: 1 problem'
cp -r "$T/full" "$T/trunc"
python3 -c "import os,sys; p=sys.argv[1]; os.truncate(p, os.path.getsize(p) - 7)" "$T/trunc/part-0002.cidx"
run 1 "$CONTAM" index verify "$T/trunc"; expect_err 'part-0002.cidx: truncated partition'
cp -r "$T/full" "$T/newer"
sed -i 's/"format_version":\t1/"format_version":\t7/' "$T/newer/manifest.json"
run 1 "$CONTAM" index info "$T/newer"; expect_err 'index format version 7 is newer than this contam supports'
run 1 "$CONTAM" index verify "$T/newer"; expect_err 'newer'
run 1 "$CONTAM" index info "$T";       expect_err 'not an index: no manifest.json'
finish
