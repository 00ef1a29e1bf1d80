/* report_splits.c - clean/ and dirty/: the benchmark's own bytes, split by the
 * first method's verdict, in the input's file layout, so an eval harness
 * loads them unchanged. A CSV header is repeated in both halves; a last
 * record without a line terminator gets the file's own terminator when
 * another record follows it. */
#include <string.h>

#include "report/report_internal.h"

int report_is_dirty(scan_verdict v) { return v == SCAN_DIRTY || v == SCAN_NOT_CLEAN; }

static contam_status write_half(io_outdir *d, const bench_set *b, const scan_result *r,
                                size_t fi, const size_t *first_item, int dirty, contam_err *err)
{
    const bench_file *f = &b->files[fi];
    char rel[4200];
    int n = snprintf(rel, sizeof rel, "%s/%s", dirty ? "dirty" : "clean", f->rel);
    if (n < 0 || (size_t)n >= sizeof rel)
        return contam_err_set(err, CONTAM_ERR_ARG, f->path, 0, "benchmark path too long");
    FILE *fp;
    contam_status st = io_outdir_open(d, rel, &fp, err);
    if (st != CONTAM_OK)
        return st;
    size_t nm = r->opt.nmethods;
    int pending_eol = 0;
    if (f->header_len)
        fwrite(f->raw.ptr, 1, f->header_len, fp);
    for (size_t i = first_item[fi]; i < first_item[fi + 1]; i++) {
        const bench_item *it = &b->items[i];
        if (report_is_dirty((scan_verdict)r->stats[i * nm].verdict) != dirty)
            continue;
        if (pending_eol)
            fputs(f->eol, fp);
        fwrite(f->raw.ptr + it->raw_off, 1, it->raw_len, fp);
        pending_eol = it->raw_len == 0 || f->raw.ptr[it->raw_off + it->raw_len - 1] != '\n';
    }
    return io_outdir_close(d, rel, fp, err);
}

contam_status report_write_splits(io_outdir *d, const bench_set *b, const scan_result *r,
                                  contam_err *err)
{
    /* items are grouped by file in input order: find each file's range */
    size_t *first = contam_calloc(b->nfiles + 1, sizeof *first);
    if (!first)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    size_t i = 0;
    for (size_t f = 0; f < b->nfiles; f++) {
        first[f] = i;
        while (i < b->nitems && b->items[i].file == f)
            i++;
    }
    first[b->nfiles] = i;
    contam_status st = CONTAM_OK;
    for (size_t f = 0; f < b->nfiles && st == CONTAM_OK; f++) {
        st = write_half(d, b, r, f, first, 0, err);
        if (st == CONTAM_OK)
            st = write_half(d, b, r, f, first, 1, err);
    }
    contam_free(first);
    return st;
}
