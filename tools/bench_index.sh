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

REPO=$(cd "$(dirname "$0")/.." && pwd)
CONTAM_BIN=${CONTAM:-$REPO/build/contam}
SHARED=$(cd "$REPO/.." && pwd)/shared/data
REPS=3
QUICK=0
KEEP=0

usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) REPS=1; QUICK=1 ;;
    --contam) [[ $# -ge 2 ]] || usage; CONTAM_BIN=$2; shift ;;
    --shared) [[ $# -ge 2 ]] || usage; SHARED=$2; shift ;;
    --keep) KEEP=1 ;;
    -h | --help) usage ;;
    *) echo "bench_index: unknown argument '$1'" >&2; usage ;;
    esac
    shift
done

die() { echo "bench_index: $*" >&2; exit 2; }
[[ -x $CONTAM_BIN ]] || die "no contam binary at $CONTAM_BIN (build it, or pass --contam BIN)"
[[ -d $SHARED ]] || die "no shared data directory $SHARED (pass --shared DIR)"
CONTAM_BIN=$(cd "$(dirname "$CONTAM_BIN")" && pwd)/$(basename "$CONTAM_BIN")
SHARED=$(cd "$SHARED" && pwd)
command -v zstd >/dev/null || die "zstd not found"
command -v python3 >/dev/null || die "python3 not found"
shopt -s nullglob
SHARDS=("$SHARED"/corpus/shard-*.jsonl.zst)
ALL=("$SHARED"/corpus/*)
shopt -u nullglob
[[ ${#SHARDS[@]} -gt 0 ]] || die "no $SHARED/corpus/shard-*.jsonl.zst"
BENCH=$SHARED/bench/mmlu/test

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench_index.XXXXXX")
if [[ $KEEP == 0 ]]; then trap 'rm -rf "$TMP"' EXIT; else echo "keeping $TMP"; fi

now() { if [[ -n ${EPOCHREALTIME:-} ]]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }
HAVE_TIME=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o "$TMP/probe" true 2>/dev/null; then HAVE_TIME=1; fi

# run_timed CMD... : SEC (wall), CPU (user+sys) and RSS (KiB) of CMD.
run_timed() {
    local t0 t1 rc=0
    t0=$(now)
    if [[ $HAVE_TIME == 1 ]]; then
        /usr/bin/time -f '%M %U %S' -o "$TMP/rss" "$@" || rc=$?
        read -r RSS CPU < <(tail -n 1 "$TMP/rss" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }')
    else
        "$@" || rc=$?
        RSS=n/a
        CPU=n/a
    fi
    t1=$(now)
    SEC=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    return $rc
}

# best NAME CMD... : best wall time of REPS runs (B_SEC, B_CPU, B_RSS of it);
# PRE, when set, is run before every repetition (removes the last output).
best() {
    local name=$1 r
    shift
    B_SEC=""
    for ((r = 0; r < REPS; r++)); do
        [[ -n ${PRE:-} ]] && eval "$PRE"
        run_timed "$@" || die "$name failed (exit $?): $*"
        if [[ -z $B_SEC ]] || awk -v a="$SEC" -v b="$B_SEC" 'BEGIN { exit !(a < b) }'; then
            B_SEC=$SEC
            B_CPU=$CPU
            B_RSS=$RSS
        fi
    done
}

mbs() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / 1e6 / s; else print "inf" }'; }
mib() { if [[ $1 == n/a ]]; then echo n/a; else awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
info() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

FAIL=0
same_index() { # same_index A B LABEL
    local f
    for f in "$1"/manifest.json "$1"/part-*.cidx; do
        cmp -s "$f" "$2/$(basename "$f")" || { echo "MISMATCH: $3: $(basename "$f") differs" >&2; FAIL=1; return; }
    done
}

CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || uname -m)
echo "bench_index: $(date -u +%Y-%m-%dT%H:%M:%SZ)  nproc=$(nproc)  cpu: $CPU_MODEL  load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
echo "contam: $CONTAM_BIN ($("$CONTAM_BIN" --version | head -n 1)); zstd $(zstd --version 2>&1 | grep -o 'v[0-9][0-9.]*' | head -n 1)"
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
