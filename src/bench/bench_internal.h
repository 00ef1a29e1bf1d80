/* bench_internal.h - pieces shared by the files of the bench module: the
 * preset layouts, the CSV record reader, the item builder and the per-format
 * loaders. Not part of the public API. */
#ifndef CONTAM_BENCH_INTERNAL_H
#define CONTAM_BENCH_INTERNAL_H

#include "bench/bench.h"

struct cJSON;

/* ---- layouts and presets (presets.c) ------------------------------------ */

typedef enum {
    BENCH_LABEL_PLAIN = 0,   /* the value as a string */
    BENCH_LABEL_LETTER,      /* an integer index 0.. becomes "A".. (HF MMLU) */
    BENCH_LABEL_AFTER_HASHES /* the text after the last "####", trimmed (GSM8K) */
} bench_label_kind;

/* Which fields of one file layout make an item. Field specs are dotted JSON
 * paths, CSV column names or 0-based CSV column numbers. */
typedef struct {
    const char *text;    /* comma list; the first is the question part */
    const char *label;   /* NULL = none */
    bench_label_kind label_kind;
    const char *subject; /* NULL = none */
    int subject_from_stem; /* subject = file stem minus _test/_val/_dev/_train */
    const char *id;      /* NULL = "<stem>:<record>" */
    int id_optional;     /* a record without the id field falls back to stem:record */
} bench_layout;

#define BENCH_MAX_LAYOUTS 2

typedef struct {
    const char *name;
    const char *describe;
    int has_csv;
    bench_layout csv;
    size_t njsonl; /* JSONL alternatives, chosen per file from its first record */
    bench_layout jsonl[BENCH_MAX_LAYOUTS];
} bench_preset_def;

const bench_preset_def *bench_preset_find(const char *name);

/* A comma list split into trimmed, non-empty names. */
typedef struct {
    char **v;
    size_t n;
} bench_fieldlist;

CONTAM_NODISCARD contam_status bench_fieldlist_parse(const char *spec, bench_fieldlist *out,
                                                     contam_err *err);
void bench_fieldlist_free(bench_fieldlist *l);

/* ---- CSV reader (csv.c) -------------------------------------------------- */

typedef struct {
    size_t off, len; /* decoded value in bench_csv_rec.val */
} bench_csv_span;

typedef struct {
    size_t start, end; /* raw record bytes, terminator included */
    uint64_t line;     /* physical line where the record starts */
    contam_buf val;    /* decoded values, each followed by a NUL */
    bench_csv_span *f;
    size_t nf, fcap;
} bench_csv_rec;

typedef struct {
    const char *p;
    size_t n, pos;
    uint64_t line; /* line number of p[pos] */
    char delim;
} bench_csv_reader;

void bench_csv_init(bench_csv_reader *r, const char *p, size_t n, size_t start, char delim);
/* Reads the next record into rec, skipping blank lines. *got is 0 at the
 * end. An unterminated quoted field is CONTAM_ERR_CSV naming path and the
 * line where the field started. */
CONTAM_NODISCARD contam_status bench_csv_next(bench_csv_reader *r, bench_csv_rec *rec, int *got,
                                              const char *path, contam_err *err);
void bench_csv_rec_free(bench_csv_rec *rec);
static inline const char *bench_csv_field(const bench_csv_rec *rec, size_t i)
{
    return rec->val.ptr + rec->f[i].off;
}
/* ',' or ';' from the first records; 0 only when out of memory. */
char bench_csv_detect(const char *p, size_t n, size_t start);

/* ---- item building and loading (item.c, load_*.c) ----------------------- */

typedef struct {
    bench_set *set;
    size_t icap;            /* capacity of set->items */
    const bench_options *opt;
    bench_preset_def def;   /* the preset (or generic) with overrides applied */
    contam_buf text;        /* text of the item being built */
    bench_segment *seg;
    size_t nseg, segcap;
    contam_buf tmp;         /* label/id/subject formatting */
    char stem[256];         /* current file's stem */
} bench_loader;

void bench_text_reset(bench_loader *L);
/* Appends one segment (with a '\n' separator after the first). -1 = no memory. */
CONTAM_NODISCARD int bench_text_add(bench_loader *L, const char *s, size_t n, bench_part part);

typedef struct {
    size_t file;
    uint64_t record, line;
    size_t raw_off, raw_len;
    const char *id, *subject, *label; /* NUL-terminated; id NULL = stem:record */
} bench_item_meta;

/* Turns the built text plus meta into a new item of L->set. */
CONTAM_NODISCARD contam_status bench_item_push(bench_loader *L, const bench_item_meta *m,
                                               contam_err *err);
void bench_item_release(bench_item *it);

/* Formats a finite number the way JSON writers do (integers without ".0"). */
void bench_fmt_number(double d, char out[32]);
/* Applies a label transform to a string in place into L->tmp; returns its text. */
CONTAM_NODISCARD const char *bench_label_transform(bench_loader *L, bench_label_kind k,
                                                   const char *s, size_t n);

/* The file stem: basename minus a compression suffix and one extension. */
void bench_path_stem(const char *path, char *out, size_t cap);
/* Strips a trailing _test/_val/_dev/_train from a stem (MMLU subject). */
void bench_stem_subject(const char *stem, char *out, size_t cap);

/* Per-format loaders: items of file fi (raw already read), body from start. */
CONTAM_NODISCARD contam_status bench_load_csv(bench_loader *L, size_t fi, size_t start,
                                              contam_err *err);
CONTAM_NODISCARD contam_status bench_load_jsonl(bench_loader *L, size_t fi, size_t start,
                                                contam_err *err);


#endif
