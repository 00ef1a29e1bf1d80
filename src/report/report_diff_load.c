/* report_diff_load.c - reads one output directory for `contam diff`:
 * report.json whole, items.jsonl streamed into a compact array (a few dozen
 * bytes per item) sorted by id so two runs can be merged item by item.
 * Items are matched by id and, for repeated ids, by their order. */
#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "report/report_diff_internal.h"

int diff_side_method(const diff_side *s, const char *name)
{
    for (size_t m = 0; m < s->nm; m++)
        if (!strcmp(s->method[m], name))
            return (int)m;
    return -1;
}

static int by_id(const void *a, const void *b)
{
    const diff_item *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->index < y->index ? -1 : x->index > y->index);
}

static contam_status read_json(diff_side *s, const char *path, contam_err *err)
{
    contam_buf b = {0};
    contam_status st = report_read_file(path, &b, err);
    if (st != CONTAM_OK)
        return st;
    const char *end = NULL;
    s->root = cJSON_ParseWithLengthOpts(b.ptr, b.size, &end, 0);
    contam_buf_free(&b);
    if (!cJSON_IsObject(s->root))
        return contam_err_set(err, CONTAM_ERR_JSON, path, 0,
                              "not a JSON object (invalid JSON, or out of memory)");
    const cJSON *me;
    cJSON_ArrayForEach(me, rv_get(rv_get(s->root, "parameters"), "methods"))
    {
        const char *name = rv_str(me, "name", NULL);
        if (!name || s->nm == RV_MAX_METHODS)
            return contam_err_set(err, CONTAM_ERR_FORMAT, path, 0,
                                  "not a contam report.json: bad parameters.methods");
        s->method[s->nm++] = name;
    }
    if (!s->nm)
        return contam_err_set(err, CONTAM_ERR_FORMAT, path, 0,
                              "not a contam report.json: no parameters.methods");
    return CONTAM_OK;
}

static contam_status add_item(diff_side *s, size_t *cap, const cJSON *o, size_t index,
                              const char *path, contam_err *err)
{
    const char *id = rv_str(o, "id", NULL);
    if (!id)
        return contam_err_set(err, CONTAM_ERR_FIELD, path, (uint64_t)index + 1, "item has no id");
    if (s->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        diff_item *p = contam_realloc(s->items, nc * sizeof *p);
        if (!p)
            return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
        s->items = p;
        *cap = nc;
    }
    diff_item *it = &s->items[s->n];
    memset(it, 0, sizeof *it);
    it->index = index;
    it->id = contam_strdup(id);
    if (!it->id)
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    s->n++;
    const cJSON *verdicts = rv_get(o, "verdicts"), *methods = rv_get(o, "methods");
    for (size_t m = 0; m < s->nm; m++) {
        rv_verdict v = rv_verdict_parse(rv_str(verdicts, s->method[m], NULL));
        if (v == RV_V_UNKNOWN)
            return contam_err_set(err, CONTAM_ERR_FIELD, path, (uint64_t)index + 1,
                                  "item has no verdict for method %s", s->method[m]);
        const cJSON *ms = rv_get(methods, s->method[m]);
        it->v[m] = (uint8_t)v;
        it->overlap[m] = rv_num(ms, "overlap", 0);
        it->coverage[m] = rv_num(ms, "coverage", 0);
        it->longest[m] = (uint32_t)rv_u64(ms, "longest");
    }
    return CONTAM_OK;
}

static contam_status read_items(diff_side *s, const char *path, contam_err *err)
{
    io_lines *l = NULL;
    contam_status st = io_lines_open(path, 256u << 20, &l, err);
    size_t cap = 0;
    for (size_t index = 0; st == CONTAM_OK; index++) {
        const char *line;
        size_t len;
        uint64_t lineno, off;
        st = io_lines_next(l, &line, &len, &lineno, &off, err);
        if (st != CONTAM_OK || !line)
            break;
        const char *end = NULL;
        cJSON *o = cJSON_ParseWithLengthOpts(line, len, &end, 0);
        if (!cJSON_IsObject(o))
            st = contam_err_set(err, CONTAM_ERR_JSON, path, lineno,
                                "not a JSON object (invalid JSON, or out of memory)");
        else
            st = add_item(s, &cap, o, index, path, err);
        cJSON_Delete(o);
    }
    io_lines_free(l);
    if (st != CONTAM_OK)
        return st;
    qsort(s->items, s->n, sizeof *s->items, by_id);
    for (size_t i = 1; i < s->n; i++)
        if (!strcmp(s->items[i].id, s->items[i - 1].id))
            s->items[i].occ = s->items[i - 1].occ + 1;
    return CONTAM_OK;
}

contam_status diff_side_load(diff_side *s, const char *dir, contam_err *err)
{
    memset(s, 0, sizeof *s);
    char *rj = io_path_join(dir, "report.json"), *ij = io_path_join(dir, "items.jsonl");
    contam_status st = rj && ij ? read_json(s, rj, err)
                                : contam_err_set(err, CONTAM_ERR_NOMEM, dir, 0, "out of memory");
    if (st == CONTAM_OK)
        st = read_items(s, ij, err);
    contam_free(rj);
    contam_free(ij);
    if (st != CONTAM_OK)
        diff_side_free(s);
    return st;
}

void diff_side_free(diff_side *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        contam_free(s->items[i].id);
    contam_free(s->items);
    cJSON_Delete(s->root);
    memset(s, 0, sizeof *s);
}
