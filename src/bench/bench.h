/* bench.h - benchmark loading: JSONL and CSV files (or directories of them),
 * presets that say which fields form an item's text, its gold label, subject
 * and id, and the raw bytes of every record so clean/dirty subsets can be
 * written back byte for byte.
 *
 * Layer: uses io/ and common/. Never prints, never exits.
 * Errors in a benchmark are fatal (a subset with a silently dropped row is
 * wrong output): the first bad record stops the load with FILE:LINE.
 */
#ifndef CONTAM_BENCH_H
#define CONTAM_BENCH_H

#include "common/common.h"

typedef enum { BENCH_PART_QUESTION = 0, BENCH_PART_ANSWER = 1 } bench_part;

const char *bench_part_name(bench_part p); /* "question", "answer" */

/* A span of an item's text that came from one field. */
typedef struct {
    uint32_t start, end; /* byte range in bench_item.text */
    uint8_t part;        /* bench_part */
} bench_segment;

typedef struct {
    char *id;      /* id field, or "<file stem>:<record>" */
    char *subject; /* "" when the benchmark has none */
    char *label;   /* gold label as a string ("" when none); MMLU/ARC letters,
                      GSM8K the text after "####", HellaSwag the ending index */
    char *text;    /* the text fields joined by '\n', NUL-terminated */
    size_t text_len;
    bench_segment *seg;
    size_t nseg;
    size_t file;     /* index into bench_set.files */
    uint64_t record; /* 1-based: JSONL line number / CSV data row (header excluded) */
    uint64_t line;   /* 1-based physical line where the record starts */
    size_t raw_off;  /* record bytes in bench_file.raw, terminator included */
    size_t raw_len;
} bench_item;

typedef struct {
    char *path;        /* as given/expanded */
    char *rel;         /* layout path used under clean/ and dirty/ */
    int is_csv;        /* 0 = JSONL */
    char delim;        /* CSV delimiter (',' or ';') */
    size_t header_len; /* raw bytes before the first record: a UTF-8 BOM and the CSV
                          header row incl. terminator; 0 = none */
    contam_buf raw;    /* the whole decompressed file */
    char checksum[33]; /* XXH3-128 of the file bytes on disk */
    size_t nitems;
    const char *eol;   /* "\n" or "\r\n": what the file uses, for appending to a
                          last record that has no terminator */
} bench_file;

typedef struct bench_set {
    bench_file *files;
    size_t nfiles;
    bench_item *items; /* in input order: files sorted by path, records in order */
    size_t nitems;
    char *preset;      /* preset name or "generic" */
} bench_set;

typedef struct {
    const char *preset;        /* "mmlu", "gsm8k", "arc", "truthfulqa", "hellaswag", or NULL = generic */
    const char *text_fields;   /* generic: comma list of dotted paths (or CSV column names/0-based
                                  numbers); the first is the question part, the rest answers */
    const char *label_field;   /* generic/override, may be NULL */
    const char *subject_field; /* generic/override, may be NULL */
    const char *id_field;      /* generic/override, may be NULL */
    uint64_t max_file;         /* bound on one benchmark file's size (0 = 1 GiB) */
} bench_options;

/* NULL-terminated list of preset names. */
const char *const *bench_preset_names(void);
/* One-line description of a preset's layout, or NULL if unknown. */
const char *bench_preset_describe(const char *name);

/* Loads every file under paths (files or directories, recursively, sorted).
 * Inside a directory only *.jsonl, *.json, *.ndjson and *.csv files (also
 * with .gz/.zst) are read, so a LICENSE or README there is ignored; a file
 * named as an argument is always read.
 * A file named *.csv is CSV; for any other, JSONL vs CSV is decided by
 * content (a first non-blank byte '{' means JSONL). CSV follows RFC 4180 (quoted fields with "" escapes and
 * embedded newlines, CRLF or LF), delimiter ',' or ';' detected from the
 * first records; a row whose field count differs from the first row's is
 * CONTAM_ERR_CSV naming file:line. Blank lines (JSONL and CSV) are skipped
 * and belong to no record (JSONL ones keep their line numbers). A file that
 * is empty or yields no items is CONTAM_ERR_EMPTY naming it. */
CONTAM_NODISCARD contam_status bench_load(const char *const *paths, size_t npaths,
                                          const bench_options *opt, bench_set **out,
                                          contam_err *err);
void bench_set_free(bench_set *b);

/* The part of the item text at byte offset off (QUESTION if outside every segment). */
bench_part bench_item_part_at(const bench_item *it, size_t off);

#endif
