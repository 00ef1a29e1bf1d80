/* report_views.c - where report.html and report.md come from and go to:
 * items.jsonl lines read back from a directory or generated from a scan in
 * memory (the same bytes either way, so `contam report DIR` reproduces the
 * files a scan wrote), rendering both views, and writing them. */
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "report/report_view_internal.h"

#define ITEMS_MAX_LINE (256u << 20) /* an items.jsonl line holds <= 100 snippets */

contam_status report_render(const char *report_json, size_t len, const report_items_src *items,
                            contam_buf *html, contam_buf *md, contam_err *err)
{
    rv_view v;
    contam_status st = rv_build(&v, report_json, len, items, RV_TOP_HTML, err);
    if (st != CONTAM_OK)
        return st;
    if (html)
        contam_buf_reset(html);
    if (md)
        contam_buf_reset(md);
    if ((html && rv_render_html(&v, html)) || (md && rv_render_md(&v, md)))
        st = contam_err_set(err, CONTAM_ERR_NOMEM, "report.html", 0, "out of memory");
    rv_free(&v);
    return st;
}

static contam_status put_file(io_outdir *d, const char *name, const contam_buf *b,
                              contam_err *err)
{
    FILE *fp;
    contam_status st = io_outdir_open(d, name, &fp, err);
    if (st != CONTAM_OK)
        return st;
    if (b->size)
        fwrite(b->ptr, 1, b->size, fp); /* io_outdir_close reports a short write */
    return io_outdir_close(d, name, fp, err);
}

contam_status report_write_views(io_outdir *d, const char *report_json, size_t len,
                                 const report_items_src *items, contam_err *err)
{
    contam_buf html = {0}, md = {0};
    contam_status st = report_render(report_json, len, items, &html, &md, err);
    if (st == CONTAM_OK)
        st = put_file(d, "report.html", &html, err);
    if (st == CONTAM_OK)
        st = put_file(d, "report.md", &md, err);
    contam_buf_free(&html);
    contam_buf_free(&md);
    return st;
}

/* ---- items.jsonl from a file ----------------------------------------------- */

typedef struct {
    const char *path;
    io_lines *lines;
} file_src;

static contam_status file_rewind(void *user, contam_err *err)
{
    file_src *f = user;
    io_lines_free(f->lines);
    f->lines = NULL;
    return io_lines_open(f->path, ITEMS_MAX_LINE, &f->lines, err);
}

static contam_status file_next(void *user, const char **line, size_t *len, contam_err *err)
{
    file_src *f = user;
    uint64_t lineno, off;
    return io_lines_next(f->lines, line, len, &lineno, &off, err);
}

contam_status report_read_file(const char *path, contam_buf *out, contam_err *err)
{
    return io_read_all(path, (uint64_t)1 << 30, out, NULL, err);
}

contam_status report_regenerate(const char *dir, contam_err *err)
{
    char *rj = io_path_join(dir, "report.json"), *ij = io_path_join(dir, "items.jsonl");
    char *hp = io_path_join(dir, "report.html"), *mp = io_path_join(dir, "report.md");
    contam_buf json = {0}, html = {0}, md = {0};
    file_src fs = {ij, NULL};
    report_items_src src = {file_rewind, file_next, &fs, ij};
    contam_status st;
    if (!rj || !ij || !hp || !mp)
        st = contam_err_set(err, CONTAM_ERR_NOMEM, dir, 0, "out of memory");
    else
        st = report_read_file(rj, &json, err);
    if (st == CONTAM_OK)
        st = report_render(json.ptr, json.size, &src, &html, &md, err);
    /* both rendered before either is replaced: a failure changes nothing */
    if (st == CONTAM_OK)
        st = io_write_atomic(hp, html.ptr, html.size, err);
    if (st == CONTAM_OK)
        st = io_write_atomic(mp, md.ptr, md.size, err);
    io_lines_free(fs.lines);
    contam_buf_free(&json);
    contam_buf_free(&html);
    contam_buf_free(&md);
    contam_free(rj);
    contam_free(ij);
    contam_free(hp);
    contam_free(mp);
    return st;
}

/* ---- items.jsonl generated from a scan --------------------------------------- */

typedef struct {
    const bench_set *b;
    const scan_result *r;
    const report_extra *extra;
    size_t next;
    contam_buf line;
} scan_src;

static contam_status scan_rewind(void *user, contam_err *err)
{
    (void)err;
    ((scan_src *)user)->next = 0;
    return CONTAM_OK;
}

static contam_status scan_next(void *user, const char **line, size_t *len, contam_err *err)
{
    scan_src *s = user;
    *line = NULL;
    *len = 0;
    if (s->next >= s->b->nitems)
        return CONTAM_OK;
    contam_buf_reset(&s->line);
    if (report_item_json(&s->line, s->b, s->r, s->next, s->extra))
        return contam_err_set(err, CONTAM_ERR_NOMEM, "items.jsonl", 0, "out of memory");
    s->next++;
    *line = s->line.ptr;
    *len = s->line.size && s->line.ptr[s->line.size - 1] == '\n' ? s->line.size - 1 : s->line.size;
    return CONTAM_OK;
}

contam_status report_write_views_scan(io_outdir *d, const char *report_json, size_t len,
                                      const bench_set *b, const scan_result *r,
                                      const report_extra *extra, contam_err *err)
{
    scan_src s = {b, r, extra, 0, {0}};
    report_items_src src = {scan_rewind, scan_next, &s, "items.jsonl"};
    contam_status st = report_write_views(d, report_json, len, &src, err);
    contam_buf_free(&s.line);
    return st;
}
