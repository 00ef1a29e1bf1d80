# shellcheck shell=bash
# bench_lib.sh - shell helpers shared by tools/bench_index.sh and
# tools/bench_scan.sh; sourced, not run:
#   BENCH_NAME=bench_x   # prefix of messages and of the temporary directory
#   . "$(dirname "$0")/bench_lib.sh"
# The sourcing script sets MIB_DIGITS and RATIO_DIGITS (decimals of mib and
# ratio: its table's format) and RSS_POLL=1 to poll VmHWM without GNU time.
# usage prints the sourcing script's own "# Usage:" comment, which must run
# up to its `set -euo pipefail` line.
# Most variables set here are read by the sourcing script only:
# shellcheck disable=SC2034

REPO=$(cd "$(dirname "$0")/.." && pwd)
CONTAM_BIN=${CONTAM:-$REPO/build/contam}
SHARED=$(cd "$REPO/.." && pwd)/shared/data
REPS=3
QUICK=0
KEEP=0
RSS_POLL=0
# Set by the script around best (never taken from the environment: best
# evals it).
PRE=""

usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
die() { echo "$BENCH_NAME: $*" >&2; exit 2; }

# bench_args [--OPT=VAR]... -- ARG... : the options of both scripts
# (--quick, --contam BIN, --shared DIR, --keep, -h/--help) and, per
# --OPT=VAR, an option of the calling script whose value goes into VAR.
bench_args() {
    local opts=(--contam=CONTAM_BIN --shared=SHARED) o var
    while [[ $1 != -- ]]; do
        opts+=("$1")
        shift
    done
    shift
    while [[ $# -gt 0 ]]; do
        case $1 in
        --quick) REPS=1; QUICK=1 ;;
        --keep) KEEP=1 ;;
        -h | --help) usage ;;
        *)
            var=""
            for o in "${opts[@]}"; do
                if [[ $1 == "${o%%=*}" ]]; then var=${o#*=}; fi
            done
            [[ -n $var ]] || { echo "$BENCH_NAME: unknown argument '$1'" >&2; usage; }
            [[ $# -ge 2 ]] || usage
            printf -v "$var" '%s' "$2"
            shift
            ;;
        esac
        shift
    done
}

# bench_check CMD... : the contam binary, the shared data and the commands
# zstd and CMD must exist; makes CONTAM_BIN and SHARED absolute (bench_scan
# runs from inside TMP) and sets SHARDS (the corpus shards) and BENCH (MMLU
# test).
bench_check() {
    local cmd
    [[ -x $CONTAM_BIN ]] || die "no contam binary at $CONTAM_BIN (build it, or pass --contam BIN)"
    [[ -d $SHARED ]] || die "no shared data directory $SHARED (pass --shared DIR)"
    CONTAM_BIN=$(cd "$(dirname "$CONTAM_BIN")" && pwd)/$(basename "$CONTAM_BIN")
    SHARED=$(cd "$SHARED" && pwd)
    for cmd in zstd "$@"; do
        command -v "$cmd" >/dev/null || die "$cmd not found"
    done
    shopt -s nullglob
    SHARDS=("$SHARED"/corpus/shard-*.jsonl.zst)
    shopt -u nullglob
    [[ ${#SHARDS[@]} -gt 0 ]] || die "no $SHARED/corpus/shard-*.jsonl.zst"
    BENCH=$SHARED/bench/mmlu/test
}

# bench_tmp : sets TMP, a temporary directory removed at exit unless --keep,
# and HAVE_TIME (1 when GNU time can report the peak RSS).
bench_tmp() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_NAME.XXXXXX")
    if [[ $KEEP == 0 ]]; then trap 'rm -rf "$TMP"' EXIT; else echo "keeping $TMP"; fi
    HAVE_TIME=0
    if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o "$TMP/probe" true 2>/dev/null; then HAVE_TIME=1; fi
}

# bench_header : the first two lines of the output (host and load; contam and
# zstd versions); sets DATE, NPROC, CPU_MODEL and LOAD.
bench_header() {
    CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
    [[ -n $CPU_MODEL ]] || CPU_MODEL=$(uname -m)
    NPROC=$(nproc)
    DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)
    echo "$BENCH_NAME: $DATE  nproc=$NPROC  cpu: $CPU_MODEL  load: $LOAD"
    echo "contam: $CONTAM_BIN ($("$CONTAM_BIN" --version | head -n 1)); zstd $(zstd --version 2>&1 | grep -o 'v[0-9][0-9.]*' | head -n 1)"
}

# ---- timing and memory ----------------------------------------------------

now() { if [[ -n ${EPOCHREALTIME:-} ]]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }

# run_timed CMD... : sets SEC (wall seconds), CPU (user + system seconds, or
# n/a) and RSS (KiB, or n/a); CMD's exit status is returned. Caller redirects
# CMD's stdout. CPU time is the steadier figure on a loaded machine.
# GNU time gives the exact peak RSS (getrusage of the child). Without it, and
# with RSS_POLL=1, the command runs in the background and its VmHWM is
# polled, which can miss a peak in the last 20 ms and adds up to 20 ms to the
# wall time; with RSS_POLL=0 RSS is n/a.
run_timed() {
    local t0 t1 rc=0
    if [[ $HAVE_TIME == 1 ]]; then
        t0=$(now)
        /usr/bin/time -f '%M %U %S' -o "$TMP/rss" "$@" || rc=$?
        t1=$(now)
        read -r RSS CPU < <(tail -n 1 "$TMP/rss" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }')
    elif [[ $RSS_POLL == 1 ]]; then
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
    else
        t0=$(now)
        "$@" || rc=$?
        t1=$(now)
        RSS=n/a
        CPU=n/a
    fi
    SEC=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    return $rc
}

# keep_best : after run_timed, makes SEC, CPU and RSS the best so far
# (B_SEC, B_CPU, B_RSS) when faster, or when B_SEC is empty (first run).
keep_best() {
    if [[ -z $B_SEC ]] || awk -v a="$SEC" -v b="$B_SEC" 'BEGIN { exit !(a < b) }'; then
        B_SEC=$SEC
        B_CPU=$CPU
        B_RSS=$RSS
    fi
}

# best NAME CMD... : best wall time of REPS runs (B_SEC, B_CPU, B_RSS of it);
# PRE, when set, is run before every repetition (removes the last output).
best() {
    local name=$1 r
    shift
    B_SEC=""
    B_CPU=n/a
    B_RSS=n/a
    for ((r = 0; r < REPS; r++)); do
        [[ -n $PRE ]] && eval "$PRE"
        run_timed "$@" || die "$name failed (exit $?): $*"
        keep_best
    done
}

# ---- figures --------------------------------------------------------------

mbs() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / 1e6 / s; else print "inf" }'; }
mib() { if [[ $1 == n/a ]]; then echo n/a; else awk -v k="$1" -v f="%.${MIB_DIGITS}f" 'BEGIN { printf f, k / 1024 }'; fi; }
ratio() { awk -v a="$1" -v b="$2" -v f="%.${RATIO_DIGITS}f" 'BEGIN { if (b > 0) printf f, a / b; else print "n/a" }'; }
