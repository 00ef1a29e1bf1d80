/* csv.c - RFC 4180 record reader over a memory buffer. It keeps the exact
 * byte range and starting line of every record so subsets can be written
 * back byte for byte and errors can name the line, and it guesses the
 * delimiter (',' or ';') from the first records. */
#include <string.h>

#include "bench/bench_internal.h"

#define DETECT_RECORDS 20

void bench_csv_init(bench_csv_reader *r, const char *p, size_t n, size_t start, char delim)
{
    r->p = p;
    r->n = n;
    r->pos = start;
    r->line = 1;
    r->delim = delim;
}

void bench_csv_rec_free(bench_csv_rec *rec)
{
    if (!rec)
        return;
    contam_buf_free(&rec->val);
    contam_free(rec->f);
    memset(rec, 0, sizeof *rec);
}

static int push_field(bench_csv_rec *rec, size_t off)
{
    if (contam_array_grow(&rec->f, &rec->fcap, rec->nf + 1, sizeof *rec->f, 16))
        return -1;
    rec->f[rec->nf].off = off;
    rec->f[rec->nf].len = rec->val.size - off;
    rec->nf++;
    /* The NUL lets callers use a value as a C string (ids, labels, names). */
    return contam_buf_append(&rec->val, "", 1);
}

/* True at a record terminator: "\n" or "\r\n". A lone CR is data. */
static int at_eol(const bench_csv_reader *r, size_t i)
{
    return r->p[i] == '\n' || (r->p[i] == '\r' && i + 1 < r->n && r->p[i + 1] == '\n');
}

static void skip_eol(bench_csv_reader *r)
{
    r->pos += r->p[r->pos] == '\r' ? 2 : 1;
    r->line++;
}

/* Bytes up to the next delimiter or terminator, appended as they are. */
static int read_bare(bench_csv_reader *r, bench_csv_rec *rec)
{
    size_t i = r->pos;
    while (i < r->n && r->p[i] != r->delim && !at_eol(r, i))
        i++;
    int rc = contam_buf_append(&rec->val, r->p + r->pos, i - r->pos);
    r->pos = i;
    return rc;
}

/* A quoted field from its opening quote. Returns 1 if the closing quote is
 * missing, -1 without memory. Bytes between the closing quote and the next
 * delimiter are kept as data, as most readers do, rather than rejected. */
static int read_quoted(bench_csv_reader *r, bench_csv_rec *rec)
{
    size_t i = r->pos + 1;
    for (;;) {
        const char *q = memchr(r->p + i, '"', r->n - i);
        size_t end = q ? (size_t)(q - r->p) : r->n;
        for (const char *c = r->p + i; (c = memchr(c, '\n', (size_t)(r->p + end - c))); c++)
            r->line++;
        if (contam_buf_append(&rec->val, r->p + i, end - i))
            return -1;
        if (!q)
            return 1;
        if (end + 1 < r->n && r->p[end + 1] == '"') {
            if (contam_buf_append(&rec->val, "\"", 1))
                return -1;
            i = end + 2;
            continue;
        }
        r->pos = end + 1;
        return read_bare(r, rec);
    }
}

contam_status bench_csv_next(bench_csv_reader *r, bench_csv_rec *rec, int *got,
                             const char *path, contam_err *err)
{
    *got = 0;
    /* Blank lines separate nothing in a CSV; they belong to no record. */
    while (r->pos < r->n && at_eol(r, r->pos))
        skip_eol(r);
    if (r->pos >= r->n)
        return CONTAM_OK;
    rec->start = r->pos;
    rec->line = r->line;
    rec->nf = 0;
    contam_buf_reset(&rec->val);
    for (;;) {
        size_t off = rec->val.size;
        int rc;
        if (r->p[r->pos] == '"') {
            uint64_t qline = r->line;
            rc = read_quoted(r, rec);
            if (rc == 1)
                return contam_err_set(err, CONTAM_ERR_CSV, path, qline,
                                      "unterminated quoted field (opened on line %llu)",
                                      (unsigned long long)qline);
        } else {
            rc = read_bare(r, rec);
        }
        if (rc || push_field(rec, off))
            return contam_err_set(err, CONTAM_ERR_NOMEM, path, rec->line,
                                  "out of memory reading a CSV record");
        if (r->pos >= r->n)
            break;
        if (r->p[r->pos] == r->delim) {
            r->pos++;
            continue;
        }
        skip_eol(r);
        break;
    }
    rec->end = r->pos;
    *got = 1;
    return CONTAM_OK;
}

/* Number of records parsed the same way with delim before a count change,
 * the limit, an error or the end; *nf gets their field count. */
static int consistent_records(const char *p, size_t n, size_t start, char delim,
                              bench_csv_rec *rec, size_t *nf, int *nomem)
{
    bench_csv_reader r;
    bench_csv_init(&r, p, n, start, delim);
    int count = 0;
    *nf = 0;
    while (count < DETECT_RECORDS) {
        int got;
        contam_err e;
        contam_status st = bench_csv_next(&r, rec, &got, NULL, &e);
        if (st == CONTAM_ERR_NOMEM)
            *nomem = 1;
        if (st != CONTAM_OK || !got)
            break;
        if (count && rec->nf != *nf)
            return 0;
        *nf = rec->nf;
        count++;
    }
    return count;
}

char bench_csv_detect(const char *p, size_t n, size_t start)
{
    bench_csv_rec rec = {0};
    int nomem = 0;
    size_t nf_comma, nf_semi;
    int comma = consistent_records(p, n, start, ',', &rec, &nf_comma, &nomem);
    int semi = consistent_records(p, n, start, ';', &rec, &nf_semi, &nomem);
    bench_csv_rec_free(&rec);
    if (nomem)
        return 0;
    int comma_ok = comma > 0 && nf_comma > 1;
    int semi_ok = semi > 0 && nf_semi > 1;
    return semi_ok && !comma_ok ? ';' : ',';
}
