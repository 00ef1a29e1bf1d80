#!/usr/bin/env bash
# bench_index_compare.sh - interleaved timing of `contam index build` on the
# shared corpus for one or more contam binaries (before and after a change),
# with `zstd -dc` of the same shards run in the same rounds. On a shared host
# whose speed drifts by a third within minutes, runs that take turns are the
# fair comparison: each round runs zstd, then every binary once; the summary
# gives the minimum and median of each, and the build's own split of its
# time into reading and merging (from its summary line).
# Prints figures, asserts nothing about speed; exits 1 if the binaries'
# indexes differ (partitions and manifest), as a faster wrong build must
# not look like progress.
#
# Usage: tools/bench_index_compare.sh [--rounds N] [--threads N] [--shared DIR] [--keep] BIN...
set -euo pipefail

BENCH_NAME=bench_index_compare
# shellcheck source-path=SCRIPTDIR source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
ROUNDS=5
THREADS=2
BINS=()
while [[ $# -gt 0 ]]; do
    case $1 in
    --rounds) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]?$ ]] || usage; ROUNDS=$2; shift ;;
    --threads) [[ $# -ge 2 && $2 =~ ^[1-9]$ ]] || usage; THREADS=$2; shift ;;
    --shared) [[ $# -ge 2 ]] || usage; SHARED=$2; shift ;;
    --keep) KEEP=1 ;;
    -h | --help) usage ;;
    -*) echo "$BENCH_NAME: unknown argument '$1'" >&2; usage ;;
    *) [[ -x $1 ]] || die "not an executable: $1"; BINS+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")") ;;
    esac
    shift
done
[[ ${#BINS[@]} -gt 0 ]] || usage
CONTAM_BIN=${BINS[0]}
bench_check python3
bench_tmp
bench_header

echo "rounds: $ROUNDS, each: zstd -dc, then every binary (index build -q --method gpt3 --threads $THREADS --mem 1G)"
: >"$TMP/times"
for ((r = 0; r < ROUNDS; r++)); do
    t0=$(now)
    zstd -q -dc "${SHARDS[@]}" >/dev/null
    t1=$(now)
    echo "zstd $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') 0 0" >>"$TMP/times"
    for k in "${!BINS[@]}"; do
        rm -rf "$TMP/i$k"
        "${BINS[$k]}" index build --method gpt3 --threads "$THREADS" --mem 1G --out "$TMP/i$k" \
            "${SHARDS[@]}" 2>"$TMP/err" || die "${BINS[$k]} failed: $(cat "$TMP/err")"
        # "...; 1.23 s (read 0.90 s, merge 0.33 s)"
        sed -n "s/.* \([0-9.]*\) s (read \([0-9.]*\) s, merge \([0-9.]*\) s).*/bin$k \1 \2 \3/p" \
            "$TMP/err" | head -n 1 >>"$TMP/times"
    done
done

python3 - "$TMP/times" "${BINS[@]}" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, *vals = line.split()
    rows.setdefault(name, []).append([float(v) for v in vals])
zmin = min(v[0] for v in rows["zstd"])
print("%-8s %-40s %7s %7s %9s %9s %9s" % ("", "", "min s", "med s", "x zstd", "read min", "merge min"))
print("%-8s %-40s %7.3f %7.3f %9s" % ("zstd", "zstd -dc", zmin,
      statistics.median(v[0] for v in rows["zstd"]), "1.00"))
for k, path in enumerate(sys.argv[2:]):
    v = rows.get("bin%d" % k, [])
    if not v:
        print("bin%d: no timings (its summary line was not found)" % k)
        continue
    tot = [x[0] for x in v]
    print("%-8s %-40s %7.3f %7.3f %9.2f %9.3f %9.3f" % ("bin%d" % k, path[-40:], min(tot),
          statistics.median(tot), zmin / min(tot), min(x[1] for x in v), min(x[2] for x in v)))
PY

FAIL=0
for k in "${!BINS[@]}"; do
    [[ $k == 0 ]] && continue
    for f in "$TMP/i0"/manifest.json "$TMP/i0"/part-*.cidx; do
        cmp -s "$f" "$TMP/i$k/$(basename "$f")" || { echo "MISMATCH: bin$k: $(basename "$f") differs from bin0's" >&2; FAIL=1; break; }
    done
done
exit $FAIL
