/* fuzz_bench.h - the benchmark-loading properties shared by fuzz_csv and
 * fuzz_jsonl. The input bytes are a benchmark file; it is loaded with each of
 * a target's option sets and then:
 *  - on failure: the error has the returned code, a message, names the file
 *    and (for record errors) a line inside it;
 *  - on success: the file bytes are kept exactly; records are in order, do
 *    not overlap, start at line starts and only blank lines lie between them,
 *    so header + records (the clean/dirty writer's output when every record
 *    goes to one side) is the file minus its blank lines; line and record
 *    numbers match the bytes; segments tile the text; the target's oracle
 *    re-derives each item from its raw bytes;
 *  - the records written back rotated (last one first, so the file's eol is
 *    appended to a last record without terminator, as report_splits.c does)
 *    load again into the same items, where the format promises that: one
 *    JSONL layout; CSV whose delimiter guess cannot change, whose last byte
 *    is no lone CR and whose new first record starts with neither '{', '['
 *    nor EF BB BF (content sniffing would read it as JSONL, a JSON array or
 *    a BOM; see fuzz_same_kind and fuzz_bench_order_free).
 */
#ifndef CONTAM_FUZZ_BENCH_H
#define CONTAM_FUZZ_BENCH_H

#include <sys/stat.h>

#include "bench/bench.h"
#include "io/io.h"

#include "fuzz_util.h"

typedef struct fuzz_bench_case fuzz_bench_case;

/* Target-specific check of every item of a successful load. */
typedef void (*fuzz_bench_oracle)(const bench_set *set, const fuzz_bench_case *c);

struct fuzz_bench_case {
    const char *name;
    bench_options opt;
    int one_layout; /* JSONL preset with one layout: record order cannot matter */
    fuzz_bench_oracle oracle;
};

static inline int fuzz_compressed_magic(const uint8_t *d, size_t n)
{
    if (n >= 2 && d[0] == 0x1F && d[1] == 0x8B)
        return 1;
    if (n >= 4 && d[1] == 0x2A && d[2] == 0x4D && d[3] == 0x18 && (d[0] & 0xF0) == 0x50)
        return 1;
    return n >= 4 && d[0] == 0x28 && d[1] == 0xB5 && d[2] == 0x2F && d[3] == 0xFD;
}

static inline uint64_t fuzz_count_nl(const char *p, size_t n)
{
    uint64_t k = 0;
    for (const char *c = p; (c = memchr(c, '\n', (size_t)(p + n - c))) != NULL; c++)
        k++;
    return k;
}

/* Only blank lines between records: CSV skips empty lines ("\n", "\r\n"),
 * JSONL lines holding nothing but spaces, tabs and CRs. */
static inline int fuzz_blank_gap(const char *p, size_t n, int is_csv)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (is_csv) {
            if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
                continue;
            if (c != '\n')
                return 0;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            return 0;
        }
    }
    return 1;
}

static inline void fuzz_bench_check_err(const fuzz_bench_case *c, contam_status st,
                                        const contam_err *err, const char *path,
                                        const uint8_t *data, size_t size)
{
    char msg[1200];
    contam_err_format(err, msg, sizeof msg);
    FUZZ_CHECK(err->code == st, "[%s] err.code %d != status %d", c->name, err->code, st);
    FUZZ_CHECK(err->msg[0] != '\0', "[%s] empty error message", c->name);
    int compressed = fuzz_compressed_magic(data, size);
    FUZZ_CHECK(st == CONTAM_ERR_CSV || st == CONTAM_ERR_JSON || st == CONTAM_ERR_FIELD ||
                   st == CONTAM_ERR_EMPTY || st == CONTAM_ERR_FORMAT ||
                   (compressed && (st == CONTAM_ERR_CORRUPT || st == CONTAM_ERR_TRUNCATED)),
               "[%s] unexpected status %s: %s", c->name, contam_status_name(st), msg);
    FUZZ_CHECK(strcmp(err->file, path) == 0, "[%s] error does not name the file: %s", c->name,
               msg);
    FUZZ_CHECK(strstr(msg, path) != NULL, "[%s] formatted error lacks the path: %s", c->name,
               msg);
    if (!compressed && (st == CONTAM_ERR_CSV || st == CONTAM_ERR_JSON || st == CONTAM_ERR_FIELD)) {
        uint64_t lines = fuzz_count_nl((const char *)data, size) + 1;
        FUZZ_CHECK(err->line >= 1 && err->line <= lines,
                   "[%s] record error names line %llu of a %llu-line file: %s", c->name,
                   (unsigned long long)err->line, (unsigned long long)lines, msg);
    }
    if (!compressed && st == CONTAM_ERR_JSON)
        FUZZ_CHECK(err->has_offset && err->offset <= size,
                   "[%s] JSON error without a valid byte offset: %s", c->name, msg);
}

static inline void fuzz_bench_check_item(const fuzz_bench_case *c, const bench_file *f,
                                         const bench_item *it, size_t i)
{
    FUZZ_CHECK(it->text && it->id && it->subject && it->label, "[%s] item %zu: NULL string",
               c->name, i);
    FUZZ_CHECK(it->text[it->text_len] == '\0', "[%s] item %zu: text not NUL-terminated",
               c->name, i);
    size_t pos = 0;
    int answer = 0;
    for (size_t k = 0; k < it->nseg; k++) {
        const bench_segment *s = &it->seg[k];
        FUZZ_CHECK(s->start == pos && s->end >= s->start && s->end <= it->text_len,
                   "[%s] item %zu: segment %zu [%u,%u) does not follow %zu", c->name, i, k,
                   s->start, s->end, pos);
        FUZZ_CHECK(s->part == BENCH_PART_QUESTION || s->part == BENCH_PART_ANSWER,
                   "[%s] item %zu: bad part", c->name, i);
        FUZZ_CHECK(!(answer && s->part == BENCH_PART_QUESTION),
                   "[%s] item %zu: question segment after an answer", c->name, i);
        answer = s->part == BENCH_PART_ANSWER;
        if (s->end > s->start)
            FUZZ_CHECK(bench_item_part_at(it, s->start) == s->part,
                       "[%s] item %zu: bench_item_part_at disagrees", c->name, i);
        pos = s->end;
        if (k + 1 < it->nseg) {
            FUZZ_CHECK(pos < it->text_len && it->text[pos] == '\n',
                       "[%s] item %zu: segments not joined by '\\n'", c->name, i);
            pos++;
        }
    }
    FUZZ_CHECK(pos == it->text_len, "[%s] item %zu: segments end at %zu, text at %zu", c->name,
               i, pos, it->text_len);
    FUZZ_CHECK(it->raw_len > 0 && it->raw_off <= f->raw.size &&
                   it->raw_len <= f->raw.size - it->raw_off,
               "[%s] item %zu: raw range [%zu,+%zu) outside %zu bytes", c->name, i, it->raw_off,
               it->raw_len, f->raw.size);
    const char *raw = f->raw.ptr;
    FUZZ_CHECK(it->raw_off == f->header_len || (it->raw_off > 0 && raw[it->raw_off - 1] == '\n'),
               "[%s] item %zu: record does not start a line", c->name, i);
    uint64_t line = 1 + fuzz_count_nl(raw, it->raw_off);
    FUZZ_CHECK(it->line == line, "[%s] item %zu: line %llu, bytes say %llu", c->name, i,
               (unsigned long long)it->line, (unsigned long long)line);
    if (!f->is_csv) {
        FUZZ_CHECK(it->record == it->line, "[%s] item %zu: JSONL record %llu != line %llu",
                   c->name, i, (unsigned long long)it->record, (unsigned long long)it->line);
        const char *nl = memchr(raw + it->raw_off, '\n', it->raw_len);
        FUZZ_CHECK(!nl || nl == raw + it->raw_off + it->raw_len - 1,
                   "[%s] item %zu: JSONL record spans lines", c->name, i);
    }
}

/* The records of set (one file) written as report_splits.c writes a half
 * holding all of them, but starting with the last record. */
static inline void fuzz_bench_rotated(const bench_set *set, contam_buf *out)
{
    const bench_file *f = &set->files[0];
    contam_buf_reset(out);
    int pending = 0;
    int ok = contam_buf_append(out, f->raw.ptr, f->header_len) == 0;
    for (size_t k = 0; k < set->nitems && ok; k++) {
        const bench_item *it = &set->items[(k + set->nitems - 1) % set->nitems];
        if (pending)
            ok = contam_buf_puts(out, f->eol) == 0;
        ok = ok && contam_buf_append(out, f->raw.ptr + it->raw_off, it->raw_len) == 0;
        pending = f->raw.ptr[it->raw_off + it->raw_len - 1] != '\n';
    }
    if (!ok || contam_buf_append(out, "", 0))
        abort();
}

/* Can reordering records change what the loader makes of them? */
static inline int fuzz_bench_order_free(const fuzz_bench_case *c, const bench_file *f)
{
    if (!f->is_csv)
        return c->one_layout;
    /* The delimiter is guessed from the first records; with the other
     * candidate absent from the file the guess cannot change. */
    char other = f->delim == ',' ? ';' : ',';
    if (memchr(f->raw.ptr, other, f->raw.size))
        return 0;
    /* A last record ending in a lone CR (data, not a terminator) gains an
     * eol when written back before other records, and "\r"+"\n" is then a
     * CRLF terminator: the CR is lost. Reported; excluded here. */
    return !(f->raw.size && f->raw.ptr[f->raw.size - 1] == '\r');
}

/* JSONL or CSV is decided by the first non-blank byte ('{' JSONL, '['
 * rejected as a JSON array): a CSV whose first written record starts with
 * one of them is not read back as that CSV (reported). */
static inline int fuzz_same_kind(const bench_file *f, const contam_buf *rot)
{
    size_t i = rot->size >= 3 && memcmp(rot->ptr, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < rot->size && (rot->ptr[i] == ' ' || rot->ptr[i] == '\t' || rot->ptr[i] == '\r' ||
                             rot->ptr[i] == '\n'))
        i++;
    if (i < rot->size && rot->ptr[i] == '[')
        return 0;
    /* A record starting with EF BB BF becomes a BOM when written first. */
    int rot_bom = rot->size >= 3 && memcmp(rot->ptr, "\xEF\xBB\xBF", 3) == 0;
    int raw_bom = f->raw.size >= 3 && memcmp(f->raw.ptr, "\xEF\xBB\xBF", 3) == 0;
    if (rot_bom != raw_bom)
        return 0;
    return (i < rot->size && rot->ptr[i] == '{') == !f->is_csv;
}

static inline void fuzz_bench_check_same(const fuzz_bench_case *c, const bench_set *a,
                                         const bench_set *b)
{
    FUZZ_CHECK(b->nitems == a->nitems, "[%s] rotated: %zu items, expected %zu", c->name,
               b->nitems, a->nitems);
    FUZZ_CHECK(b->files[0].header_len == a->files[0].header_len &&
                   memcmp(b->files[0].raw.ptr, a->files[0].raw.ptr, a->files[0].header_len) == 0,
               "[%s] rotated: header differs", c->name);
    for (size_t k = 0; k < a->nitems; k++) {
        const bench_item *x = &a->items[(k + a->nitems - 1) % a->nitems];
        const bench_item *y = &b->items[k];
        char sx[200], sy[200];
        FUZZ_CHECK(x->text_len == y->text_len && memcmp(x->text, y->text, x->text_len) == 0,
                   "[%s] rotated item %zu: text \"%s\" became \"%s\"", c->name, k,
                   fuzz_show(x->text, x->text_len, sx, sizeof sx),
                   fuzz_show(y->text, y->text_len, sy, sizeof sy));
        FUZZ_CHECK(x->nseg == y->nseg, "[%s] rotated item %zu: %zu segments, then %zu",
                   c->name, k, x->nseg, y->nseg);
        /* Field by field: the struct has padding. */
        for (size_t g = 0; g < x->nseg; g++)
            FUZZ_CHECK(x->seg[g].start == y->seg[g].start && x->seg[g].end == y->seg[g].end &&
                           x->seg[g].part == y->seg[g].part,
                       "[%s] rotated item %zu: segment %zu differs", c->name, k, g);
        FUZZ_CHECK(strcmp(x->label, y->label) == 0, "[%s] rotated item %zu: label %s -> %s",
                   c->name, k, x->label, y->label);
        FUZZ_CHECK(strcmp(x->subject, y->subject) == 0, "[%s] rotated item %zu: subject differs",
                   c->name, k);
        if (c->opt.id_field)
            FUZZ_CHECK(strcmp(x->id, y->id) == 0, "[%s] rotated item %zu: id differs", c->name,
                       k);
    }
}

static inline void fuzz_bench_check_set(const fuzz_bench_case *c, const bench_set *set,
                                        const char *path, const uint8_t *data, size_t size)
{
    FUZZ_CHECK(set->nfiles == 1 && set->nitems >= 1 && set->files[0].nitems == set->nitems,
               "[%s] %zu files, %zu items", c->name, set->nfiles, set->nitems);
    const bench_file *f = &set->files[0];
    FUZZ_CHECK(strcmp(f->path, path) == 0, "[%s] file path %s", c->name, f->path);
    char sum[33];
    io_checksum_mem(data, size, sum);
    FUZZ_CHECK(strcmp(sum, f->checksum) == 0, "[%s] checksum %s, expected %s", c->name,
               f->checksum, sum);
    if (!fuzz_compressed_magic(data, size))
        FUZZ_CHECK(f->raw.size == size && memcmp(f->raw.ptr, data, size) == 0,
                   "[%s] raw bytes differ from the file", c->name);
    FUZZ_CHECK(f->raw.ptr[f->raw.size] == '\0', "[%s] raw not NUL-terminated", c->name);
    FUZZ_CHECK(f->eol && (strcmp(f->eol, "\n") == 0 || strcmp(f->eol, "\r\n") == 0),
               "[%s] bad eol", c->name);
    FUZZ_CHECK(!f->is_csv || f->delim == ',' || f->delim == ';', "[%s] bad delimiter",
               c->name);
    FUZZ_CHECK(f->header_len <= f->raw.size, "[%s] header_len %zu > %zu", c->name,
               f->header_len, f->raw.size);
    if (f->raw.size >= 3 && memcmp(f->raw.ptr, "\xEF\xBB\xBF", 3) == 0)
        FUZZ_CHECK(f->header_len >= 3, "[%s] BOM not in the header", c->name);
    size_t prev = f->header_len;
    for (size_t i = 0; i < set->nitems; i++) {
        const bench_item *it = &set->items[i];
        FUZZ_CHECK(it->file == 0, "[%s] item %zu: file %zu", c->name, i, it->file);
        fuzz_bench_check_item(c, f, it, i);
        FUZZ_CHECK(it->raw_off >= prev, "[%s] item %zu: record at %zu overlaps %zu", c->name, i,
                   it->raw_off, prev);
        FUZZ_CHECK(fuzz_blank_gap(f->raw.ptr + prev, it->raw_off - prev, f->is_csv),
                   "[%s] item %zu: non-blank bytes [%zu,%zu) belong to no record", c->name, i,
                   prev, it->raw_off);
        if (f->is_csv)
            FUZZ_CHECK(it->record == i + 1, "[%s] item %zu: CSV record %llu", c->name, i,
                       (unsigned long long)it->record);
        if (i + 1 < set->nitems)
            FUZZ_CHECK(f->raw.ptr[it->raw_off + it->raw_len - 1] == '\n',
                       "[%s] item %zu: record without terminator before another", c->name, i);
        prev = it->raw_off + it->raw_len;
    }
    FUZZ_CHECK(fuzz_blank_gap(f->raw.ptr + prev, f->raw.size - prev, f->is_csv),
               "[%s] non-blank bytes after the last record", c->name);
    if (c->oracle)
        c->oracle(set, c);
}

/* Loads data (written to <dir>/a/<name>) with every case and checks it. */
static inline void fuzz_bench_run(const fuzz_bench_case *cases, size_t ncases,
                                  const char *name, const uint8_t *data, size_t size)
{
    char dir_a[4200], dir_b[4200], pa[4300], pb[4300];
    fuzz_path(dir_a, sizeof dir_a, "a");
    fuzz_path(dir_b, sizeof dir_b, "b");
    (void)mkdir(dir_a, 0700);
    (void)mkdir(dir_b, 0700);
    /* The same basename in both: subjects and ids derive from the stem. */
    snprintf(pa, sizeof pa, "%s/%s", dir_a, name);
    snprintf(pb, sizeof pb, "%s/%s", dir_b, name);
    fuzz_write(pa, data, size);
    contam_buf rot = {0};
    for (size_t k = 0; k < ncases; k++) {
        const fuzz_bench_case *c = &cases[k];
        const char *paths[1] = {pa};
        bench_set *set = NULL;
        contam_err err;
        contam_err_clear(&err);
        contam_status st = bench_load(paths, 1, &c->opt, &set, &err);
        if (st != CONTAM_OK) {
            FUZZ_CHECK(set == NULL, "[%s] set returned with an error", c->name);
            fuzz_bench_check_err(c, st, &err, pa, data, size);
            continue;
        }
        fuzz_bench_check_set(c, set, pa, data, size);
        fuzz_bench_rotated(set, &rot);
        if (fuzz_bench_order_free(c, &set->files[0]) &&
            fuzz_same_kind(&set->files[0], &rot)) {
            fuzz_write(pb, rot.ptr, rot.size);
            const char *pbs[1] = {pb};
            bench_set *again = NULL;
            st = bench_load(pbs, 1, &c->opt, &again, &err);
            char msg[1200];
            contam_err_format(&err, msg, sizeof msg);
            FUZZ_CHECK(st == CONTAM_OK, "[%s] rotated records do not load: %s", c->name, msg);
            fuzz_bench_check_same(c, set, again);
            bench_set_free(again);
            unlink(pb);
        }
        bench_set_free(set);
    }
    contam_buf_free(&rot);
    unlink(pa);
}

#endif
