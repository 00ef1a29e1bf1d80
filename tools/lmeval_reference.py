#!/usr/bin/env python3
"""lmeval_reference.py - an independent re-implementation of the 13-gram
decontamination rule of lm-evaluation-harness v0.3 (its "janitor"), written
only to cross-check `contam scan --method lmeval`.

Rule, as in the harness:
    normalize(s) = s.translate(str.maketrans(ascii_lowercase + ascii_uppercase,
                                             ascii_lowercase * 2, punctuation))
    tokens = normalize(s).split(); n-grams = consecutive 13-token tuples.
A benchmark item is "dirty" when any of its 13-grams occurs in any corpus
document, "too_short" when it has fewer than 13 tokens, else "clean". There is
no frequency filter.

Memory: the benchmark 13-grams are put in one set first; the corpus is then
streamed document by document and each document's 13-grams are only looked
up in that set (a set of corpus n-grams is never built).

Python 3 standard library only (plus the `zstd` command for .zst files).

Usage:
    python3 tools/lmeval_reference.py --preset mmlu \
        --bench ../shared/data/bench/mmlu/test ../shared/data/corpus/ > ref.tsv
Output: one "id<TAB>verdict" line per item, in input order.
"""
import argparse
import csv
import gzip
import io
import json
import os
import string
import subprocess
import sys
import time

N = 13
TABLE = str.maketrans(string.ascii_lowercase + string.ascii_uppercase,
                      string.ascii_lowercase * 2, string.punctuation)

# Directory members are taken only when their name says they are data, so a
# LICENSE or README beside the data is not read as a benchmark.
DATA_EXT = (".jsonl", ".json", ".ndjson", ".csv")
ZIP_EXT = (".gz", ".zst", ".zstd")


def normalize(s):
    return s.translate(TABLE)


def tokens_of(s):
    return normalize(s).split()


def ngrams(tokens):
    """Every window of N consecutive tokens, as tuples (built by zip in C)."""
    if len(tokens) < N:
        return iter(())
    return zip(*(tokens[i:] for i in range(N)))


# ---------------------------------------------------------------- file access

def strip_zip(name):
    low = name.lower()
    for z in ZIP_EXT:
        if low.endswith(z):
            return name[:-len(z)]
    return name


def open_bytes(path):
    """A binary stream of the decompressed content and a closer."""
    low = path.lower()
    if low.endswith((".zst", ".zstd")):
        proc = subprocess.Popen(["zstd", "-dcf", "--", path], stdout=subprocess.PIPE,
                                bufsize=1 << 20)

        def close():
            proc.stdout.close()
            if proc.wait() != 0:
                sys.exit("lmeval_reference: zstd failed on %s" % path)
        return proc.stdout, close
    if low.endswith(".gz"):
        f = gzip.open(path, "rb")
        return f, f.close
    f = open(path, "rb", buffering=1 << 20)
    return f, f.close


def expand(paths, data_only):
    """Files named directly are taken as they are; directories are walked
    recursively, hidden entries skipped, files sorted by full path."""
    out = []
    for p in paths:
        if not os.path.isdir(p):
            out.append(p)
            continue
        found = []
        for root, dirs, files in os.walk(p):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for f in files:
                if f.startswith("."):
                    continue
                if data_only and not strip_zip(f).lower().endswith(DATA_EXT):
                    continue
                found.append(os.path.join(root, f))
        out.extend(sorted(found))
    return out


def stem(path):
    base = strip_zip(os.path.basename(path))
    dot = base.rfind(".")
    return base[:dot] if dot > 0 else base


# ------------------------------------------------------------- benchmark items

def items_mmlu(path):
    f, close = open_bytes(path)
    try:
        text = f.read().decode("utf-8", errors="replace")
    finally:
        close()
    st = stem(path)
    for rec, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
        if len(row) < 6:
            sys.exit("lmeval_reference: %s: record %d has %d fields, want 6"
                     % (path, rec, len(row)))
        yield "%s:%d" % (st, rec), "\n".join(row[:5])


def jsonl_records(path):
    f, close = open_bytes(path)
    try:
        for line_no, raw in enumerate(f, 1):
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                yield line_no, json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit("lmeval_reference: %s:%d: invalid JSON: %s" % (path, line_no, e))
    finally:
        close()


def items_gsm8k(path):
    st = stem(path)
    for line_no, r in jsonl_records(path):
        yield "%s:%d" % (st, line_no), r["question"] + "\n" + r["answer"]


def items_arc(path):
    st = stem(path)
    for line_no, r in jsonl_records(path):
        parts = [r["question"]] + [o["text"] for o in r.get("options", [])]
        rid = r.get("id")
        yield (str(rid) if rid is not None else "%s:%d" % (st, line_no)), "\n".join(parts)


PRESETS = {"mmlu": items_mmlu, "gsm8k": items_gsm8k, "arc": items_arc}


# ---------------------------------------------------------------------- corpus

def corpus_texts(path):
    """The "text" of every JSONL record; invalid lines and records without a
    string text are skipped. Invalid UTF-8 becomes U+FFFD like in contam."""
    f, close = open_bytes(path)
    try:
        for raw in f:
            try:
                rec = json.loads(raw.decode("utf-8", errors="replace"))
            except ValueError:
                continue
            t = rec.get("text") if isinstance(rec, dict) else None
            if isinstance(t, str):
                yield t
    finally:
        close()


# ------------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", required=True, choices=sorted(PRESETS))
    ap.add_argument("--bench", required=True, action="append",
                    help="benchmark file or directory (repeatable)")
    ap.add_argument("--out", help="write the verdicts here instead of stdout")
    ap.add_argument("corpus", nargs="+", help="corpus files or directories")
    a = ap.parse_args()
    t0 = time.monotonic()

    items = []  # (id, number of 13-grams or -1 when too short)
    owners = {}  # 13-gram tuple -> item index, or a list of them when shared
    for path in expand(a.bench, True):
        for iid, text in PRESETS[a.preset](path):
            idx = len(items)
            toks = tokens_of(text)
            items.append((iid, len(toks) >= N))
            for g in ngrams(toks):
                o = owners.get(g)
                if o is None:
                    owners[g] = idx
                elif isinstance(o, list):
                    if o[-1] != idx:
                        o.append(idx)
                elif o != idx:
                    owners[g] = [o, idx]
    t1 = time.monotonic()

    # set.intersection(iterable) walks the iterable in C, looking each window
    # up in the bench set: no set of the document's n-grams is made.
    bench = set(owners)
    found = set()
    ndocs = ntok = 0
    for path in expand(a.corpus, False):
        for text in corpus_texts(path):
            ndocs += 1
            toks = text.translate(TABLE).split()
            ntok += len(toks)
            if len(toks) >= N:
                hits = bench.intersection(ngrams(toks))
                if hits:
                    found |= hits
    t2 = time.monotonic()

    dirty = bytearray(len(items))
    for g in found:
        o = owners[g]
        for idx in (o if isinstance(o, list) else (o,)):
            dirty[idx] = 1

    counts = {"clean": 0, "dirty": 0, "too_short": 0}
    lines = []
    for idx, (iid, long_enough) in enumerate(items):
        v = "dirty" if dirty[idx] else ("clean" if long_enough else "too_short")
        counts[v] += 1
        lines.append("%s\t%s\n" % (iid, v))
    out = open(a.out, "w", encoding="utf-8") if a.out else sys.stdout
    out.writelines(lines)
    if a.out:
        out.close()
    print("lmeval_reference: %d items (%d clean, %d dirty, %d too_short); "
          "%d distinct bench 13-grams, %d found; corpus %d docs, %d tokens; "
          "load %.1fs, scan %.1fs" % (len(items), counts["clean"], counts["dirty"],
                                      counts["too_short"], len(owners), len(found),
                                      ndocs, ntok, t1 - t0, t2 - t1),
          file=sys.stderr)


if __name__ == "__main__":
    main()
