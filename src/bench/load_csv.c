/* load_csv.c - one CSV benchmark file to items: finds the delimiter, decides
 * whether the first row is a header (it is when every field named by a
 * non-numeric name appears in it), maps field names or 0-based numbers to
 * columns and checks every row has the first row's field count. */
#include <stdlib.h>
#include <string.h>

#include "bench/bench_internal.h"

#define NO_COL ((size_t)-1)

typedef struct {
    size_t *text;
    size_t ntext;
    size_t label, subject, id;
} csv_cols;

static int is_number(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 9)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Header cells are compared without surrounding blanks ("a, b" headers). */
static size_t find_cell(const bench_csv_rec *rec, const char *name)
{
    size_t nlen = strlen(name);
    for (size_t i = 0; i < rec->nf; i++) {
        const char *b = bench_csv_field(rec, i);
        const char *e = b + rec->f[i].len;
        while (b < e && is_space(*b))
            b++;
        while (e > b && is_space(e[-1]))
            e--;
        if ((size_t)(e - b) == nlen && memcmp(b, name, nlen) == 0)
            return i;
    }
    return NO_COL;
}

static contam_status resolve(const bench_csv_rec *first, int header, const char *name,
                             size_t *col, const char *path, contam_err *err)
{
    size_t c = header ? find_cell(first, name) : NO_COL;
    if (c == NO_COL && is_number(name))
        c = (size_t)strtoul(name, NULL, 10);
    if (c == NO_COL)
        return contam_err_set(err, CONTAM_ERR_FIELD, path, first->line,
                              "column '%s' not found in the first row (named columns need "
                              "a header row)",
                              name);
    if (c >= first->nf)
        return contam_err_set(err, CONTAM_ERR_FIELD, path, first->line,
                              "column %zu out of range: the file has %zu columns", c,
                              first->nf);
    *col = c;
    return CONTAM_OK;
}

static contam_status map_columns(const bench_layout *lay, const bench_fieldlist *text,
                                 const bench_csv_rec *first, csv_cols *cols, int *header,
                                 const char *path, contam_err *err)
{
    const char *single[3] = {lay->label, lay->subject, lay->id};
    size_t *dest[3] = {&cols->label, &cols->subject, &cols->id};
    *header = 0;
    for (size_t i = 0; i < text->n + 3; i++) {
        const char *name = i < text->n ? text->v[i] : single[i - text->n];
        if (name && !is_number(name)) {
            if (find_cell(first, name) == NO_COL)
                return contam_err_set(err, CONTAM_ERR_FIELD, path, first->line,
                                      "column '%s' not found in the first row (named columns "
                                      "need a header row)",
                                      name);
            *header = 1;
        }
    }
    cols->ntext = text->n;
    cols->text = contam_malloc(text->n * sizeof *cols->text);
    if (!cols->text)
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    contam_status st = CONTAM_OK;
    for (size_t i = 0; i < text->n && st == CONTAM_OK; i++)
        st = resolve(first, *header, text->v[i], &cols->text[i], path, err);
    for (size_t k = 0; k < 3 && st == CONTAM_OK; k++) {
        *dest[k] = NO_COL;
        if (single[k])
            st = resolve(first, *header, single[k], dest[k], path, err);
    }
    return st;
}

static contam_status row_to_item(bench_loader *L, const bench_layout *lay, const csv_cols *cols,
                                 const bench_csv_rec *rec, bench_item_meta *m,
                                 const char *stem_subject, contam_err *err)
{
    const char *path = L->set->files[m->file].path;
    bench_text_reset(L);
    for (size_t i = 0; i < cols->ntext; i++) {
        size_t c = cols->text[i];
        if (bench_text_add(L, bench_csv_field(rec, c), rec->f[c].len,
                           i == 0 ? BENCH_PART_QUESTION : BENCH_PART_ANSWER))
            return contam_err_set(err, CONTAM_ERR_NOMEM, path, rec->line, "out of memory");
    }
    m->label = NULL;
    if (cols->label != NO_COL) {
        m->label = bench_label_transform(L, lay->label_kind, bench_csv_field(rec, cols->label),
                                         rec->f[cols->label].len);
        if (!m->label)
            return contam_err_set(err, CONTAM_ERR_NOMEM, path, rec->line, "out of memory");
    }
    m->subject = cols->subject != NO_COL ? bench_csv_field(rec, cols->subject) : stem_subject;
    m->id = cols->id != NO_COL ? bench_csv_field(rec, cols->id) : NULL;
    return bench_item_push(L, m, err);
}

contam_status bench_load_csv(bench_loader *L, size_t fi, size_t start, contam_err *err)
{
    bench_file *f = &L->set->files[fi];
    const bench_layout *lay = &L->def.csv;
    char delim = bench_csv_detect(f->raw.ptr, f->raw.size, start);
    if (!delim)
        return contam_err_set(err, CONTAM_ERR_NOMEM, f->path, 0, "out of memory");
    f->is_csv = 1;
    f->delim = delim;
    f->header_len = start;

    bench_csv_reader r;
    bench_csv_rec rec = {0};
    bench_fieldlist text = {0};
    csv_cols cols = {0};
    int got, header = 0;
    char subject[sizeof L->stem];
    bench_stem_subject(L->stem, subject, sizeof subject);
    bench_csv_init(&r, f->raw.ptr, f->raw.size, start, delim);
    contam_status st = bench_csv_next(&r, &rec, &got, f->path, err);
    if (st == CONTAM_OK && !got)
        st = contam_err_set(err, CONTAM_ERR_EMPTY, f->path, 0, "no CSV records");
    if (st == CONTAM_OK) {
        const char *p = f->raw.ptr;
        f->eol = rec.end >= 2 && p[rec.end - 1] == '\n' && p[rec.end - 2] == '\r' ? "\r\n" : "\n";
        st = bench_fieldlist_parse(lay->text, &text, err);
    }
    if (st == CONTAM_OK)
        st = map_columns(lay, &text, &rec, &cols, &header, f->path, err);
    size_t expect = rec.nf;
    uint64_t record = 0;
    if (st == CONTAM_OK && header) {
        f->header_len = rec.end;
        st = bench_csv_next(&r, &rec, &got, f->path, err);
    }
    while (st == CONTAM_OK && got) {
        if (rec.nf != expect) {
            st = contam_err_set(err, CONTAM_ERR_CSV, f->path, rec.line,
                                "expected %zu fields, found %zu", expect, rec.nf);
            break;
        }
        bench_item_meta m = {fi, ++record, rec.line, rec.start, rec.end - rec.start,
                             NULL, NULL, NULL};
        st = row_to_item(L, lay, &cols, &rec, &m, lay->subject_from_stem ? subject : NULL, err);
        if (st == CONTAM_OK)
            st = bench_csv_next(&r, &rec, &got, f->path, err);
    }
    contam_free(cols.text);
    bench_fieldlist_free(&text);
    bench_csv_rec_free(&rec);
    return st;
}
