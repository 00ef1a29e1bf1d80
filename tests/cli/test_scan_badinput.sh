#!/usr/bin/env bash
# Bad input never gives silently wrong output: each case either stops with an
# error naming the file and line or byte offset (and leaves no output), or is
# skipped and counted in report.json, as docs/FORMATS.md says.
. "$(dirname "$0")/lib.sh"

Q1="The committee decided after a long and careful debate that the old stone bridge over the river would be rebuilt next spring"
Q2="Which planet in our solar system has the longest day measured against its own year and rotates backwards compared with most others"
mkdir -p "$T/bench" "$T/c"
printf '{"id":"q1","question":"%s","answer":"Yes"}\n{"id":"q2","question":"%s","answer":"Venus"}\n' "$Q1" "$Q2" >"$T/bench/b.jsonl"
doc() { python3 -c 'import json,sys; print(json.dumps({"text": sys.argv[1], "meta": {"src": sys.argv[2]}}))' "$1" "$2"; }
{ doc "filler text here. $Q1. more filler" d1
  python3 -c 'import json
for i in range(1, 3001): print(json.dumps({"text": "unrelated document number %d about gardening and tea" % i, "meta": {"src": "f%d" % i}}))'
} >"$T/good.jsonl"
zstd -q -19 "$T/good.jsonl" -o "$T/c/good.jsonl.zst"
S=(scan --text-fields question,answer --id-field id --bench "$T/bench" -q)

# 1. baseline: the planted item is found, with file/line provenance
run 0 "$CONTAM" "${S[@]}" --doc-field meta.src --out "$T/o1" "$T/c"
[ "$(jget "$T/o1/report.json" 'd["summary"]["gpt3"]["dirty"]')" = 1 ] || fail "baseline dirty count"
grep -q '"id":"q1".*"verdict":"dirty".*"record":1,.*"doc":"d1"' "$T/o1/items.jsonl" || fail "q1 provenance"; ok

# 2. truncated zstd: error names the file and byte offset; no output dir
size=$(stat -c %s "$T/c/good.jsonl.zst")
head -c $((size * 6 / 10)) "$T/c/good.jsonl.zst" >"$T/trunc.jsonl.zst"
run 1 "$CONTAM" "${S[@]}" --out "$T/o2" "$T/trunc.jsonl.zst"
expect_err "error: $T/trunc.jsonl.zst.*truncated.*byte offset [0-9]+"
[ ! -e "$T/o2" ] || fail "truncated input left an output directory"; ok

# 3. --keep-going: the good shard finishes, the report lists the failed one, exit 1
run 1 "$CONTAM" "${S[@]}" --keep-going --out "$T/o3" "$T/c/good.jsonl.zst" "$T/trunc.jsonl.zst"
[ "$(jget "$T/o3/report.json" 'd["corpus"]["failed_files"]')" = 1 ] || fail "failed_files"
jget "$T/o3/report.json" '[f["error"] for f in d["corpus"]["inputs"] if f["failed"]][0]' | grep -q "truncated" || fail "error text"
[ "$(jget "$T/o3/report.json" 'd["summary"]["gpt3"]["dirty"]')" = 1 ] || fail "keep-going lost the good shard"; ok

# 4. corrupt zstd (bytes flipped inside the frame)
cp "$T/c/good.jsonl.zst" "$T/corrupt.zst"
printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$T/corrupt.zst" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run 1 "$CONTAM" "${S[@]}" --out "$T/o4" "$T/corrupt.zst"
expect_err "error: $T/corrupt.zst.*(corrupt|truncated|checksum).*byte offset"

# 5. truncated gzip
gzip -c "$T/good.jsonl" >"$T/full.gz"; head -c $(( $(stat -c %s "$T/full.gz") / 2 )) "$T/full.gz" >"$T/trunc.gz"
run 1 "$CONTAM" "${S[@]}" --out "$T/o5" "$T/trunc.gz"; expect_err "error: $T/trunc.gz.*byte offset"

# 6. invalid JSON and missing text field: skipped, counted, named by line
{ doc "ok document" a; echo '{"text": "unterminated'; echo '{"body": "no text field"}'; echo '[1,2]'; echo; doc "$Q2" b; } >"$T/mixed.jsonl"
run 0 "$CONTAM" "${S[@]}" --out "$T/o6" "$T/mixed.jsonl"
f='d["corpus"]["inputs"][0]'
[ "$(jget "$T/o6/report.json" "$f[\"invalid_json\"]")" = 1 ] || fail "invalid_json count"
[ "$(jget "$T/o6/report.json" "$f[\"missing_text\"]")" = 2 ] || fail "missing_text count"
[ "$(jget "$T/o6/report.json" "$f[\"blank_lines\"]")" = 1 ] || fail "blank count"
[ "$(jget "$T/o6/report.json" "[b['line'] for b in $f['bad_records']]")" = "[2, 3, 4]" ] || fail "bad record lines"
[ "$(jget "$T/o6/report.json" 'd["summary"]["gpt3"]["dirty"]')" = 1 ] || fail "record after bad lines lost"; ok

# 7. --strict makes the first bad record fatal, naming file:line
run 1 "$CONTAM" "${S[@]}" --strict --out "$T/o7" "$T/mixed.jsonl"
expect_err "error: $T/mixed.jsonl:2: invalid JSON"
[ ! -e "$T/o7" ] || fail "strict failure left output"; ok

# 8. invalid UTF-8 is replaced and counted, never fatal
printf '{"text": "caf\xe9 \xff\xfe broken bytes then %s"}\n' "$Q2" >"$T/utf8.jsonl"
run 0 "$CONTAM" "${S[@]}" --out "$T/o8" "$T/utf8.jsonl"
[ "$(jget "$T/o8/report.json" 'd["corpus"]["inputs"][0]["invalid_utf8"]')" -ge 2 ] || fail "invalid_utf8 count"
[ "$(jget "$T/o8/report.json" 'd["summary"]["gpt3"]["dirty"]')" = 1 ] || fail "text after invalid bytes lost"; ok

# 9. a line over --max-line stops with the line number
{ doc "short" a; python3 -c 'import json; print(json.dumps({"text": "x" * 5000}))'; } >"$T/long.jsonl"
run 1 "$CONTAM" "${S[@]}" --max-line 4K --out "$T/o9" "$T/long.jsonl"
expect_err "error: $T/long.jsonl:2: .*max-line"

# 10. an empty corpus file is counted (zero records); a corpus with no document
#     at all, or read with the wrong --text-field, is an error, not "all clean"
: >"$T/empty.jsonl"
run 0 "$CONTAM" "${S[@]}" --out "$T/o10" "$T/empty.jsonl" "$T/c/good.jsonl.zst"
[ "$(jget "$T/o10/report.json" '[f["records"] for f in d["corpus"]["inputs"] if f["path"].endswith("empty.jsonl")][0]')" = 0 ] || fail "empty records"; ok
run 1 "$CONTAM" "${S[@]}" --out "$T/o10b" "$T/empty.jsonl"; expect_err "no corpus document was read"
run 1 "$CONTAM" "${S[@]}" --text-field body --out "$T/o10b" "$T/c/good.jsonl.zst"
expect_err "good.jsonl.zst: none of its 3001 records has a string field 'body'"
[ ! -e "$T/o10b" ] || fail "empty corpus left output"

# 11. benchmark errors are fatal and named: wrong CSV shape, invalid JSONL, empty file
mkdir -p "$T/bcsv" && printf 'a,b,c,d,e,A\nf,g,h,i,j\n' >"$T/bcsv/x_test.csv"
run 1 "$CONTAM" scan --preset mmlu --bench "$T/bcsv" --out "$T/o11" -q "$T/c"
expect_err "error: $T/bcsv/x_test.csv:2: .*expected 6 fields, found 5"
mkdir -p "$T/bj" && printf '{"question":"a","answer":"b"}\n{"question": oops}\n' >"$T/bj/t.jsonl"
run 1 "$CONTAM" scan --preset gsm8k --bench "$T/bj" --out "$T/o11" -q "$T/c"; expect_err "error: $T/bj/t.jsonl:2: invalid JSON"
: >"$T/bj/t.jsonl"
run 1 "$CONTAM" scan --preset gsm8k --bench "$T/bj/t.jsonl" --out "$T/o11" -q "$T/c"; expect_err "error: $T/bj/t.jsonl"
[ ! -e "$T/o11" ] || fail "benchmark error left output"

# 11b. '-' reads the corpus from stdin (compressed or not)
run 0 bash -c '"$0" "$@" < "'"$T/c/good.jsonl.zst"'"' "$CONTAM" "${S[@]}" --out "$T/o11b" -
[ "$(jget "$T/o11b/report.json" 'd["summary"]["gpt3"]["dirty"]')" = 1 ] || fail "stdin corpus"
[ "$(jget "$T/o11b/report.json" 'd["corpus"]["inputs"][0]["format"]')" = zstd ] || fail "stdin format"; ok

# 12. outputs are replaced atomically; a failed rerun leaves the old result intact,
#     and a directory that is not contam's is never overwritten
before=$(cat "$T/o1/report.json" | md5sum)
run 1 "$CONTAM" "${S[@]}" --out "$T/o1" "$T/trunc.jsonl.zst"
[ "$(md5sum <"$T/o1/report.json")" = "$before" ] || fail "failed rerun changed old output"
ls "$T" | grep -q 'o1\.tmp-' && fail "staging directory left behind"
mkdir -p "$T/mine" && echo precious >"$T/mine/notes.txt"
run 1 "$CONTAM" "${S[@]}" --out "$T/mine" "$T/c"; expect_err "refusing|not .*contam"
[ "$(cat "$T/mine/notes.txt")" = precious ] || fail "foreign dir touched"
finish
