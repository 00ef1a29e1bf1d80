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

REPO=$(cd "$(dirname "$0")/.." && pwd)
CONTAM_BIN=${CONTAM:-$REPO/build/contam}
SHARED=$(cd "$REPO/.." && pwd)/shared/data
REPS=3
METHODS=""
KEEP=0

usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) REPS=1 ;;
    --methods) [[ $# -ge 2 ]] || usage; METHODS=$2; shift ;;
    --contam) [[ $# -ge 2 ]] || usage; CONTAM_BIN=$2; shift ;;
    --shared) [[ $# -ge 2 ]] || usage; SHARED=$2; shift ;;
    --keep) KEEP=1 ;;
    -h | --help) usage ;;
    *) echo "bench_scan: unknown argument '$1'" >&2; usage ;;
    esac
    shift
done

die() { echo "bench_scan: $*" >&2; exit 2; }
[[ -x $CONTAM_BIN ]] || die "no contam binary at $CONTAM_BIN (build it, or pass --contam BIN)"
[[ -d $SHARED ]] || die "no shared data directory $SHARED (pass --shared DIR)"
# Absolute paths: the x4 corpus is scanned from inside TMP (below).
CONTAM_BIN=$(cd "$(dirname "$CONTAM_BIN")" && pwd)/$(basename "$CONTAM_BIN")
SHARED=$(cd "$SHARED" && pwd)
command -v zstd >/dev/null || die "zstd not found"
command -v sha256sum >/dev/null || die "sha256sum not found"
shopt -s nullglob
SHARDS=("$SHARED"/corpus/shard-*.jsonl.zst)
shopt -u nullglob
[[ ${#SHARDS[@]} -gt 0 ]] || die "no $SHARED/corpus/shard-*.jsonl.zst"
BENCH=$SHARED/bench/mmlu/test
[[ -d $BENCH ]] || die "no $BENCH"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench_scan.XXXXXX")
if [[ $KEEP == 0 ]]; then trap 'rm -rf "$TMP"' EXIT; else echo "keeping $TMP"; fi

METHOD_ARGS=()
[[ -n $METHODS ]] && METHOD_ARGS=(--method "$METHODS")

# ---- timing and memory ----------------------------------------------------

now() { if [[ -n ${EPOCHREALTIME:-} ]]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }

# GNU time gives the exact peak RSS (getrusage of the child). Without it the
# command runs in the background and its VmHWM is polled, which can miss a
# peak in the last 20 ms and adds up to 20 ms to the wall time ("~").
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o "$TMP/probe" true 2>/dev/null; then
    RSS_HOW="/usr/bin/time %M"
else
    RSS_HOW="~VmHWM polling"
fi

# run_timed CMD... : sets SEC (wall seconds), CPU (user + system seconds, or
# n/a) and RSS (KiB, or n/a); CMD's exit status is returned. Caller redirects
# CMD's stdout. CPU time is the steadier figure on a loaded machine.
run_timed() {
    local t0 t1 rc=0
    if [[ $RSS_HOW == /usr/bin/time* ]]; then
        t0=$(now)
        /usr/bin/time -f '%M %U %S' -o "$TMP/rss" "$@" || rc=$?
        t1=$(now)
        read -r RSS CPU < <(tail -n 1 "$TMP/rss" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }')
    else
        local pid v hwm=0 st
        t0=$(now)
        "$@" &
        pid=$!
        while st=$(cat "/proc/$pid/status" 2>/dev/null) && ! grep -q '^State:.*Z' <<<"$st"; do
            v=$(awk '/^VmHWM:/ {print $2}' <<<"$st")
            [[ -n $v && $v -gt $hwm ]] && hwm=$v
            sleep 0.02
        done
        wait "$pid" || rc=$?
        t1=$(now)
        if [[ $hwm -gt 0 ]]; then RSS=$hwm; else RSS=n/a; fi
        CPU=n/a
    fi
    SEC=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    return $rc
}

# best_of NAME CMD... : best of REPS; sets BEST_SEC, BEST_CPU and BEST_RSS
# (CPU and RSS of the fastest run).
best_of() {
    local name=$1 r
    shift
    BEST_SEC=""
    BEST_RSS=n/a
    BEST_CPU=n/a
    for ((r = 0; r < REPS; r++)); do
        run_timed "$@" || die "$name failed (exit $?): $*"
        if [[ -z $BEST_SEC ]] || awk -v a="$SEC" -v b="$BEST_SEC" 'BEGIN { exit !(a < b) }'; then
            BEST_SEC=$SEC
            BEST_RSS=$RSS
            BEST_CPU=$CPU
        fi
    done
}

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
# contam_case LABEL THREADS CORPUS... : best of REPS; sets C_SEC C_CPU C_RSS
# C_SHA C_BYTES; every repetition must produce the same items.jsonl.
contam_case() {
    local label=$1 threads=$2 r sha first=""
    shift 2
    C_SEC=""
    C_RSS=n/a
    C_CPU=n/a
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
        if [[ -z $C_SEC ]] || awk -v a="$SEC" -v b="$C_SEC" 'BEGIN { exit !(a < b) }'; then
            C_SEC=$SEC
            C_RSS=$RSS
            C_CPU=$CPU
        fi
    done
    C_SHA=$first
    C_BYTES=$(corpus_bytes "$TMP/out/report.json")
}

mbs() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / 1e6 / s; else print "inf" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
mib() { if [[ $1 == n/a ]]; then echo n/a; else awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; fi; }
# Throughput of the corpus pass alone: wall time minus the fixed cost.
netmbs() { awk -v b="$1" -v s="$2" -v f="$3" 'BEGIN { d = s - f; if (d > 0) printf "%.1f", b / 1e6 / d; else print "n/a" }'; }

# ---- header -----------------------------------------------------------------

CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
[[ -n $CPU_MODEL ]] || CPU_MODEL=$(uname -m)
NPROC=$(nproc)
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)
echo "bench_scan: $DATE  nproc=$NPROC  cpu: $CPU_MODEL  load: $LOAD"
echo "contam: $CONTAM_BIN ($("$CONTAM_BIN" --version | head -n 1)); zstd $(zstd --version 2>&1 | grep -o 'v[0-9][0-9.]*' | head -n 1)"
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
    best_of "zstd -dc" zstd -q -dc "${files[@]}" >/dev/null
    SEC_OF[$set.zstd]=$BEST_SEC
    CPU_OF[$set.zstd]=$BEST_CPU
    RSS_OF[$set.zstd]=$BEST_RSS
    for t in 1 2; do
        contam_case "$set t$t" "$t" "${files[@]}"
        SEC_OF[$set.t$t]=$C_SEC
        CPU_OF[$set.t$t]=$C_CPU
        RSS_OF[$set.t$t]=$C_RSS
        SHA_OF[$set.t$t]=$C_SHA
        if [[ $C_BYTES != "$bytes" ]]; then
            echo "MISMATCH: $set: contam read $C_BYTES bytes, zstd -dc gave $bytes" >&2
            FAIL=1
        fi
    done
done
for t in 1 2; do
    contam_case "fixed t$t" "$t" tiny.jsonl
    SEC_OF[fixed.t$t]=$C_SEC
    CPU_OF[fixed.t$t]=$C_CPU
    RSS_OF[fixed.t$t]=$C_RSS
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
