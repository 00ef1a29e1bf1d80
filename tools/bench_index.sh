#!/usr/bin/env bash
# bench_index.sh - `contam index` figures on the shared corpus, relative to
# the machine's own `zstd -dc` speed measured in the same run:
#   - build throughput (MB of decompressed text per second) with --threads 1
#     and 2, next to zstd -dc of the same shards;
#   - peak RSS against --mem on a corpus several times larger than the
#     budget (the shards concatenated 4 times: zstd frames concatenate);
#   - index bytes per distinct n-gram and per corpus token, and the
#     false-match rate, for the gpt3 (word 13, --df), lmeval (no df) and
#     palm (word 8, --df) indexes;
#   - query time for MMLU test: `contam scan --index` when the binary has
#     it, else "n/a".
# Checks correctness, not speed: the indexes built with 1 and 2 threads, and
# with a small and a large --mem, must be byte-identical, and verify must
# pass; otherwise the exit status is 1.
#
# Usage: tools/bench_index.sh [--quick] [--contam BIN] [--shared DIR] [--keep]
#   --quick  one repetition instead of three, and no x4 corpus at --mem 1G
set -euo pipefail

BENCH_NAME=bench_index
# shellcheck source-path=SCRIPTDIR source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
MIB_DIGITS=0
RATIO_DIGITS=2
bench_args -- "$@"
bench_check python3
shopt -s nullglob
ALL=("$SHARED"/corpus/*)
shopt -u nullglob
bench_tmp

info() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

FAIL=0
same_index() { # same_index A B LABEL
    local f
    for f in "$1"/manifest.json "$1"/part-*.cidx; do
        cmp -s "$f" "$2/$(basename "$f")" || { echo "MISMATCH: $3: $(basename "$f") differs" >&2; FAIL=1; return; }
    done
}

bench_header
echo "best of $REPS; MB = 10^6 bytes of decompressed text; RSS by ${HAVE_TIME/1//usr/bin/time}"
echo

# ---- build throughput vs zstd -dc ----------------------------------------------
TEXT=$(zstd -q -dc "${SHARDS[@]}" | wc -c)
best zstd sh -c 'zstd -q -dc "$@" >/dev/null' sh "${SHARDS[@]}"
Z_SEC=$B_SEC Z_CPU=$B_CPU
Z_MBS=$(mbs "$TEXT" "$Z_SEC")
echo "corpus: ${#SHARDS[@]} shards, $(awk -v b="$TEXT" 'BEGIN { printf "%.1f", b / 1e6 }') MB of text"
printf '%-34s %8s %8s %9s %8s %9s\n' "" "wall s" "cpu s" "MB/s" "x zstd" "RSS MiB"
printf '%-34s %8s %8s %9s %8s %9s\n' "zstd -dc" "$Z_SEC" "$Z_CPU" "$Z_MBS" "1.00" "-"
for t in 1 2; do
    PRE="rm -rf '$TMP/b$t'"
    best "build t$t" "$CONTAM_BIN" index build -q --method gpt3 --threads "$t" --mem 1G --out "$TMP/b$t" "${SHARDS[@]}"
    PRE=""
    m=$(mbs "$TEXT" "$B_SEC")
    printf '%-34s %8s %8s %9s %8s %9s\n' "index build gpt3, --threads $t" "$B_SEC" "$B_CPU" "$m" "$(ratio "$m" "$Z_MBS")" "$(mib "$B_RSS")"
done
same_index "$TMP/b1" "$TMP/b2" "--threads 1 vs 2"

# ---- memory: a corpus several times the budget -------------------------------------
BIG=$TMP/corpus-x4.jsonl.zst
for ((r = 0; r < 4; r++)); do cat "${SHARDS[@]}"; done >"$BIG"
echo
echo "x4 corpus (the shards concatenated 4 times): $(awk -v b="$TEXT" 'BEGIN { printf "%.1f", 4 * b / 1e6 }') MB of text"
printf '%-34s %8s %8s %9s %9s %8s\n' "" "wall s" "cpu s" "MB/s" "RSS MiB" "runs"
mems=(64M 256M)
[[ $QUICK == 0 ]] && mems+=(1G)
for mem in "${mems[@]}"; do
    rm -rf "$TMP/x$mem"
    run_timed "$CONTAM_BIN" index build --method gpt3 --threads 2 --mem "$mem" --out "$TMP/x$mem" "$BIG" 2>"$TMP/err" ||
        die "x4 build at --mem $mem failed: $(cat "$TMP/err")"
    runs=$(sed -n 's/.* \([0-9]*\) runs spilled.*/\1/p' "$TMP/err")
    printf '%-34s %8s %8s %9s %9s %8s\n' "index build --mem $mem, --threads 2" "$SEC" "$CPU" "$(mbs $((4 * TEXT)) "$SEC")" "$(mib "$RSS")" "$runs"
    if [[ $RSS != n/a ]]; then
        if [[ $mem == *G ]]; then lim=$(( ${mem%G} * 1048576 )); else lim=$(( ${mem%M} * 1024 )); fi
        [[ $RSS -le $lim ]] || { echo "OVER BUDGET: peak RSS $RSS KiB > --mem $mem" >&2; FAIL=1; }
    fi
done
same_index "$TMP/x64M" "$TMP/x256M" "x4 --mem 64M vs 256M"
"$CONTAM_BIN" index verify -q "$TMP/x64M" || FAIL=1

# ---- size per method ----------------------------------------------------------------
echo
echo "index size on the whole shared corpus (${#ALL[@]} files)"
printf '%-8s %-10s %12s %6s %10s %9s %9s %10s\n' method grams keys bits fp-rate "MB" "B/key" "B/token"
for method in gpt3 lmeval palm; do
    rm -rf "$TMP/s-$method"
    "$CONTAM_BIN" index build -q --method "$method" --threads 2 --mem 1G --out "$TMP/s-$method" "${ALL[@]}" ||
        die "build $method failed"
    "$CONTAM_BIN" index info --json "$TMP/s-$method" >"$TMP/i.json"
    printf '%-8s %-10s %12s %6s %10s %9s %9s %10s\n' "$method" \
        "$(info "$TMP/i.json" 'd["params"]["unit"] + "/" + str(d["params"]["n"]) + ("+df" if d["keys"]["df"] else "")')" \
        "$(info "$TMP/i.json" 'd["keys"]["count"]')" "$(info "$TMP/i.json" 'd["keys"]["fingerprint_bits"]')" \
        "$(info "$TMP/i.json" '"%.2g" % d["keys"]["false_match_rate"]')" \
        "$(info "$TMP/i.json" '"%.1f" % (d["size"]["index_bytes"] / 1e6)')" \
        "$(info "$TMP/i.json" 'd["size"]["bytes_per_key"]')" "$(info "$TMP/i.json" 'd["size"]["bytes_per_token"]')"
done

# ---- query -------------------------------------------------------------------------
echo
if "$CONTAM_BIN" scan --help | grep -q -- '--index'; then
    PRE="rm -rf '$TMP/q'"
    best "scan --index" "$CONTAM_BIN" scan -q --preset mmlu --bench "$BENCH" --index "$TMP/s-gpt3" --out "$TMP/q"
    Q=$B_SEC QC=$B_CPU
    best "scan direct" "$CONTAM_BIN" scan -q --preset mmlu --bench "$BENCH" --threads 2 --out "$TMP/q" "${ALL[@]}"
    PRE=""
    echo "MMLU test (14,079 items), gpt3: scan --index $Q s wall ($QC s cpu), direct scan $B_SEC s wall ($B_CPU s cpu)"
else
    echo "MMLU test query: n/a (this contam has no 'scan --index')"
fi

if [[ $FAIL != 0 ]]; then
    echo "bench_index: FAILED (see MISMATCH / OVER BUDGET above)" >&2
    exit 1
fi
