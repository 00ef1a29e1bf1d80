/* fuzz_csv.c - fuzz target for CSV benchmark files (bench_load).
 *
 * The input is the file. It is loaded with the mmlu preset (6 numbered
 * columns, subject from the file stem), generic numbered columns and generic
 * named columns (which need a header row). Beyond the shared properties of
 * fuzz_bench.h, an independent RFC 4180 record parser re-reads every item's
 * raw bytes with the detected delimiter: the record must be exactly one row
 * (its terminator, if any, at its end), every row must have the same field
 * count, and the item's text/label/subject/id must be the chosen fields.
 */
#include "fuzz_bench.h"

typedef struct {
    contam_buf val;     /* field values, each NUL-terminated */
    size_t *off;        /* value offsets in val */
    size_t *len;
    size_t nf, cap;
} ref_row;

static int ref_eol(const char *p, size_t n, size_t i)
{
    return p[i] == '\n' || (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n');
}

static void ref_put(ref_row *r, const char *p, size_t n)
{
    if (contam_buf_append(&r->val, p, n))
        abort();
}

/* Parses p[0, n) as exactly one record. 0 on success, -1 if it is not one. */
static int ref_parse(const char *p, size_t n, char delim, ref_row *r)
{
    contam_buf_reset(&r->val);
    r->nf = 0;
    size_t i = 0;
    for (;;) {
        if (r->nf == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 64;
            r->off = realloc(r->off, r->cap * sizeof *r->off);
            r->len = realloc(r->len, r->cap * sizeof *r->len);
            if (!r->off || !r->len)
                abort();
        }
        size_t off = r->val.size;
        if (i < n && p[i] == '"') {
            i++;
            for (;;) {
                if (i >= n)
                    return -1; /* unterminated */
                if (p[i] == '"') {
                    if (i + 1 < n && p[i + 1] == '"') {
                        ref_put(r, "\"", 1);
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                ref_put(r, p + i, 1);
                i++;
            }
        }
        /* Bare field, or what follows a closing quote: data up to the next
         * delimiter or terminator. */
        while (i < n && p[i] != delim && !ref_eol(p, n, i))
            ref_put(r, p + i++, 1);
        r->off[r->nf] = off;
        r->len[r->nf] = r->val.size - off;
        r->nf++;
        ref_put(r, "", 1);
        if (i >= n)
            return 0;
        if (p[i] == delim) {
            i++;
            continue;
        }
        i += p[i] == '\r' ? 2 : 1;
        return i == n ? 0 : -1;
    }
}

static const char *ref_field(const ref_row *r, size_t k) { return r->val.ptr + r->off[k]; }

/* Header cells match a name without surrounding blanks. */
static size_t ref_find(const ref_row *r, const char *name)
{
    for (size_t k = 0; k < r->nf; k++) {
        const char *b = ref_field(r, k), *e = b + r->len[k];
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((size_t)(e - b) == strlen(name) && memcmp(b, name, strlen(name)) == 0)
            return k;
    }
    return (size_t)-1;
}

typedef struct {
    size_t text[8], ntext;
    size_t label, subject, id; /* (size_t)-1 = none */
    const char *subject_const; /* subject when no column gives it */
} ref_cols;

#define NONE ((size_t)-1)

static ref_row row, head;

/* Columns each case reads; named ones resolved against the header row. */
static void case_cols(const fuzz_bench_case *c, const bench_file *f, ref_cols *rc)
{
    memset(rc, 0, sizeof *rc);
    rc->label = rc->subject = rc->id = NONE;
    rc->subject_const = "";
    if (c->opt.preset) { /* mmlu: question, A-D, answer; subject = stem */
        for (size_t k = 0; k < 5; k++)
            rc->text[k] = k;
        rc->ntext = 5;
        rc->label = 5;
        rc->subject_const = "in";
        return;
    }
    if (strcmp(c->name, "generic-numbers") == 0) {
        rc->text[0] = 0;
        rc->text[1] = 2;
        rc->text[2] = 1;
        rc->ntext = 3;
        rc->label = 1;
        rc->subject = 2;
        rc->id = 0;
        return;
    }
    if (strcmp(c->name, "generic-first") == 0) {
        rc->text[0] = 0;
        rc->ntext = 1;
        return;
    }
    /* generic-named: question, answer; label "label" */
    size_t bom = f->raw.size >= 3 && memcmp(f->raw.ptr, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    FUZZ_CHECK(f->header_len > bom, "[%s] named columns loaded without a header row", c->name);
    /* The header row may follow blank lines. */
    size_t hs = bom;
    while (hs < f->header_len && (f->raw.ptr[hs] == '\n' ||
                                  (f->raw.ptr[hs] == '\r' && hs + 1 < f->header_len &&
                                   f->raw.ptr[hs + 1] == '\n')))
        hs += f->raw.ptr[hs] == '\r' ? 2 : 1;
    FUZZ_CHECK(ref_parse(f->raw.ptr + hs, f->header_len - hs, f->delim, &head) == 0,
               "[%s] header bytes are not one CSV row", c->name);
    rc->text[0] = ref_find(&head, "question");
    rc->text[1] = ref_find(&head, "answer");
    rc->ntext = 2;
    rc->label = ref_find(&head, "label");
    FUZZ_CHECK(rc->text[0] != NONE && rc->text[1] != NONE && rc->label != NONE,
               "[%s] loaded but the header lacks a named column", c->name);
}

/* contam_strdup copies up to a NUL: labels/ids/subjects end at one. */
static void check_str(const fuzz_bench_case *c, size_t i, const char *what, const char *got,
                      const char *want)
{
    char a[200], b[200];
    FUZZ_CHECK(strcmp(got, want) == 0, "[%s] item %zu: %s \"%s\", row says \"%s\"", c->name, i,
               what, fuzz_show(got, strlen(got), a, sizeof a),
               fuzz_show(want, strlen(want), b, sizeof b));
}

static void csv_oracle(const bench_set *set, const fuzz_bench_case *c)
{
    const bench_file *f = &set->files[0];
    if (!f->is_csv) /* compressed input that held JSONL */
        return;
    ref_cols rc;
    case_cols(c, f, &rc);
    size_t nf = 0;
    contam_buf want = {0};
    for (size_t i = 0; i < set->nitems; i++) {
        const bench_item *it = &set->items[i];
        char s[200];
        FUZZ_CHECK(ref_parse(f->raw.ptr + it->raw_off, it->raw_len, f->delim, &row) == 0,
                   "[%s] item %zu: raw bytes \"%s\" are not one CSV row", c->name, i,
                   fuzz_show(f->raw.ptr + it->raw_off, it->raw_len, s, sizeof s));
        if (i == 0)
            nf = row.nf;
        FUZZ_CHECK(row.nf == nf, "[%s] item %zu: %zu fields, first row %zu", c->name, i, row.nf,
                   nf);
        contam_buf_reset(&want);
        for (size_t k = 0; k < rc.ntext; k++) {
            FUZZ_CHECK(rc.text[k] < row.nf, "[%s] item %zu: column %zu of %zu", c->name, i,
                       rc.text[k], row.nf);
            if ((k && contam_buf_append(&want, "\n", 1)) ||
                contam_buf_append(&want, ref_field(&row, rc.text[k]), row.len[rc.text[k]]) ||
                contam_buf_append(&want, "", 0))
                abort();
        }
        char a[200];
        FUZZ_CHECK(it->text_len == want.size && memcmp(it->text, want.ptr, want.size) == 0,
                   "[%s] item %zu: text \"%s\", row says \"%s\"", c->name, i,
                   fuzz_show(it->text, it->text_len, s, sizeof s),
                   fuzz_show(want.ptr, want.size, a, sizeof a));
        FUZZ_CHECK(it->nseg == rc.ntext, "[%s] item %zu: %zu segments", c->name, i, it->nseg);
        check_str(c, i, "label", it->label, rc.label == NONE ? "" : ref_field(&row, rc.label));
        check_str(c, i, "subject", it->subject,
                  rc.subject == NONE ? rc.subject_const : ref_field(&row, rc.subject));
        if (rc.id != NONE) {
            check_str(c, i, "id", it->id, ref_field(&row, rc.id));
        } else {
            char id[64];
            snprintf(id, sizeof id, "in:%zu", i + 1);
            check_str(c, i, "id", it->id, id);
        }
    }
    contam_buf_free(&want);
}

static const fuzz_bench_case cases[] = {
    {"mmlu", {.preset = "mmlu"}, 1, csv_oracle},
    {"generic-first", {.text_fields = "0"}, 1, csv_oracle},
    {"generic-numbers",
     {.text_fields = "0,2,1", .label_field = "1", .subject_field = "2", .id_field = "0"},
     1,
     csv_oracle},
    {"generic-named", {.text_fields = "question, answer", .label_field = "label"}, 1,
     csv_oracle},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        contam_json_init();
        init = 1;
    }
    /* A file starting with '{' is JSONL: fuzz_jsonl's business. */
    size_t i = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < size && data[i] == '{')
        return 0;
    fuzz_bench_run(cases, sizeof cases / sizeof cases[0], "in.csv", data, size);
    return 0;
}
