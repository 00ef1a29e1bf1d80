#!/usr/bin/env bash
# bench_scan.sh - end-to-end throughput and memory of `contam scan` against
# `zstd -dc` on the same files in the same run, so the figures are relative
# to the machine's own decompression speed rather than absolute.
#
# Measures (best wall time of REPS runs each; peak RSS of the best run):
#   zstd -dc over the 8 corpus shards, contam scan --threads 1 and 2 on them,
#   the same on a 4x larger corpus (the shards concatenated 4 times into one
#   .zst: zstd frames concatenate) to show memory does not grow with corpus
#   size, and contam's fixed cost (benchmark loading, planning, reports) on a
#   one-record corpus, which gives the "net" corpus-pass throughput.
# Checks correctness, not speed: items.jsonl must be byte-identical for 1 and
# 2 threads and over repetitions, and zstd and contam must agree on the
# decompressed size; otherwise the exit status is 1. The printed sha256 of
# items.jsonl compares across runs and builds given the same --shared path
# (items.jsonl records corpus paths), so a faster wrong answer shows.
#
# Usage: tools/bench_scan.sh [--quick] [--methods LIST] [--contam BIN]
#                            [--shared DIR] [--keep]
#   BIN defaults to $CONTAM or build/contam, DIR to ../shared/data (relative
#   to the repository). MB = 10^6 bytes of decompressed text.
set -euo pipefail

BENCH_NAME=bench_scan
# shellcheck source-path=SCRIPTDIR source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
MIB_DIGITS=1
RATIO_DIGITS=3
RSS_POLL=1
METHODS=""
bench_args --methods=METHODS -- "$@"
bench_check sha256sum
[[ -d $BENCH ]] || die "no $BENCH"
bench_tmp
# "~": without GNU time the peak RSS is polled (run_timed in bench_lib.sh).
if [[ $HAVE_TIME == 1 ]]; then RSS_HOW="/usr/bin/time %M"; else RSS_HOW="~VmHWM polling"; fi

METHOD_ARGS=()
[[ -n $METHODS ]] && METHOD_ARGS=(--method "$METHODS")

# ---- contam runs ----------------------------------------------------------

# report.json corpus.bytes: jq when present, else the first "bytes" at the
# corpus object's own indentation.
corpus_bytes() {
    if command -v jq >/dev/null; then
        jq -r '.corpus.bytes' "$1"
    else
        awk '/^  "corpus": \{/ { c = 1; next } c && /^    "bytes":/ { gsub(/[^0-9]/, ""); print; exit }' "$1"
    fi
}

FAIL=0
# contam_case LABEL THREADS CORPUS... : best of REPS; sets B_SEC B_CPU B_RSS
# (as best does), C_SHA and C_BYTES; every repetition must produce the same
# items.jsonl.
contam_case() {
    local label=$1 threads=$2 r sha first=""
    shift 2
    B_SEC=""
    B_CPU=n/a
    B_RSS=n/a
    for ((r = 0; r < REPS; r++)); do
        rm -rf "$TMP/out"
        run_timed "$CONTAM_BIN" scan --preset mmlu --bench "$BENCH" "${METHOD_ARGS[@]}" -q \
            --threads "$threads" --out "$TMP/out" "$@" >/dev/null ||
            die "contam scan failed (exit $?) for $label"
        sha=$(sha256sum <"$TMP/out/items.jsonl" | cut -c1-64)
        if [[ -z $first ]]; then
            first=$sha
        elif [[ $sha != "$first" ]]; then
            echo "MISMATCH: $label items.jsonl differs between repetitions" >&2
            FAIL=1
        fi
        keep_best
    done
    C_SHA=$first
    C_BYTES=$(corpus_bytes "$TMP/out/report.json")
}

# Throughput of the corpus pass alone: wall time minus the fixed cost.
netmbs() { awk -v b="$1" -v s="$2" -v f="$3" 'BEGIN { d = s - f; if (d > 0) printf "%.1f", b / 1e6 / d; else print "n/a" }'; }

# ---- header -----------------------------------------------------------------

bench_header
echo "benchmark: mmlu test (${METHODS:-preset default method}); corpus: ${#SHARDS[@]} shards in $SHARED/corpus"
echo "best of $REPS; peak RSS by $RSS_HOW; MB = 10^6 decompressed bytes"

# ---- measurements -------------------------------------------------------------

# items.jsonl names the corpus files as given, so the x4 corpus is passed by
# a relative name from inside TMP: its checksum then compares across runs.
BIG=corpus-x4.jsonl.zst
for ((r = 0; r < 4; r++)); do cat "${SHARDS[@]}"; done >"$TMP/$BIG"
cd "$TMP"
printf '{"text":"one short record"}\n' >"$TMP/tiny.jsonl"

declare -A SEC_OF CPU_OF RSS_OF SHA_OF BYTES_OF
for set in small big; do
    if [[ $set == small ]]; then files=("${SHARDS[@]}"); else files=("$BIG"); fi
    bytes=$(zstd -q -dc "${files[@]}" | wc -c)
    BYTES_OF[$set]=$bytes
    best "zstd -dc" zstd -q -dc "${files[@]}" >/dev/null
    SEC_OF[$set.zstd]=$B_SEC
    CPU_OF[$set.zstd]=$B_CPU
    RSS_OF[$set.zstd]=$B_RSS
    for t in 1 2; do
        contam_case "$set t$t" "$t" "${files[@]}"
        SEC_OF[$set.t$t]=$B_SEC
        CPU_OF[$set.t$t]=$B_CPU
        RSS_OF[$set.t$t]=$B_RSS
        SHA_OF[$set.t$t]=$C_SHA
        if [[ $C_BYTES != "$bytes" ]]; then
            echo "MISMATCH: $set: contam read $C_BYTES bytes, zstd -dc gave $bytes" >&2
            FAIL=1
        fi
    done
done
for t in 1 2; do
    contam_case "fixed t$t" "$t" tiny.jsonl
    SEC_OF[fixed.t$t]=$B_SEC
    CPU_OF[fixed.t$t]=$B_CPU
    RSS_OF[fixed.t$t]=$B_RSS
done

IDENT=yes
for set in small big; do
    [[ ${SHA_OF[$set.t1]} == "${SHA_OF[$set.t2]}" ]] || IDENT=no
done
[[ $IDENT == yes ]] || { echo "MISMATCH: items.jsonl differs between 1 and 2 threads" >&2; FAIL=1; }

# ---- table --------------------------------------------------------------------

echo
F='%-11s %-12s %8s %7s %8s %8s %8s %8s  %s\n'
# shellcheck disable=SC2059
printf "$F" corpus run wall-s cpu-s MB/s net-MB/s vs-zstd RSS-MiB 'items.jsonl sha256'
for set in small big; do
    if [[ $set == small ]]; then cname="${#SHARDS[@]} shards"; else cname="shards x4"; fi
    b=${BYTES_OF[$set]}
    zs=${SEC_OF[$set.zstd]}
    # shellcheck disable=SC2059
    printf "$F" "$cname" "zstd -dc" "$zs" "${CPU_OF[$set.zstd]}" "$(mbs "$b" "$zs")" - 1.000 \
        "$(mib "${RSS_OF[$set.zstd]}")" -
    for t in 1 2; do
        s=${SEC_OF[$set.t$t]}
        # shellcheck disable=SC2059
        printf "$F" "" "contam -t $t" "$s" "${CPU_OF[$set.t$t]}" "$(mbs "$b" "$s")" \
            "$(netmbs "$b" "$s" "${SEC_OF[fixed.t$t]}")" "$(ratio "$zs" "$s")" \
            "$(mib "${RSS_OF[$set.t$t]}")" "${SHA_OF[$set.t$t]:0:16}"
    done
done
for t in 1 2; do
    # shellcheck disable=SC2059
    printf "$F" "1 record" "contam -t $t" "${SEC_OF[fixed.t$t]}" "${CPU_OF[fixed.t$t]}" - - - \
        "$(mib "${RSS_OF[fixed.t$t]}")" -
done
echo "decompressed bytes: ${BYTES_OF[small]} (8 shards), ${BYTES_OF[big]} (x4)"
echo "vs-zstd = contam MB/s / zstd MB/s; net-MB/s excludes the fixed cost (1-record row)"
echo "RSS growth x4 corpus / 8 shards: t1 $(ratio "${RSS_OF[big.t1]/n\/a/0}" "${RSS_OF[small.t1]/n\/a/0}")," \
    "t2 $(ratio "${RSS_OF[big.t2]/n\/a/0}" "${RSS_OF[small.t2]/n\/a/0}")"
echo "items.jsonl identical for 1 and 2 threads: $IDENT"

# ---- one-line summary -----------------------------------------------------------

num() { if [[ $1 == n/a || -z $1 ]]; then echo null; else echo "$1"; fi; }
S="{\"date\":\"$DATE\",\"nproc\":$NPROC,\"load\":\"$LOAD\",\"cpu\":\"${CPU_MODEL//\"/}\",\"reps\":$REPS"
S+=",\"methods\":\"${METHODS:-default}\""
for set in small big; do
    b=${BYTES_OF[$set]}
    zs=${SEC_OF[$set.zstd]}
    S+=",\"$set\":{\"bytes\":$b,\"zstd_s\":$zs,\"zstd_cpu_s\":$(num "${CPU_OF[$set.zstd]}"),\"zstd_mbs\":$(mbs "$b" "$zs"),\"zstd_rss_kib\":$(num "${RSS_OF[$set.zstd]}")"
    for t in 1 2; do
        s=${SEC_OF[$set.t$t]}
        S+=",\"t${t}_s\":$s,\"t${t}_cpu_s\":$(num "${CPU_OF[$set.t$t]}"),\"t${t}_mbs\":$(mbs "$b" "$s"),\"t${t}_ratio\":$(ratio "$zs" "$s")"
        S+=",\"t${t}_rss_kib\":$(num "${RSS_OF[$set.t$t]}"),\"t${t}_sha256\":\"${SHA_OF[$set.t$t]}\""
    done
    S+="}"
done
S+=",\"fixed_t1_s\":${SEC_OF[fixed.t1]},\"fixed_t2_s\":${SEC_OF[fixed.t2]}"
S+=",\"identical_1_2_threads\":$([[ $IDENT == yes ]] && echo true || echo false)}"
echo "bench_scan_summary: $S"
exit $FAIL
