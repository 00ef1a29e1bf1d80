/* report_diff.c - `contam diff OLD NEW`: what changed between two audits.
 * Parameters and versions (every leaf of report.json's parameter members),
 * inputs (benchmark and corpus files by path and checksum, corpus totals),
 * rates per method overall and per subject, items whose verdict changed
 * per method, items added or removed, items whose statistics moved without
 * a verdict change, and any other report.json section that differs. The
 * text form is for people and golden tests; --json lists everything. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"
#include "report/report_diff_internal.h"

/* Members compared leaf by leaf as "parameters". */
static const char *const PARAM_KEYS[] = {"tool",  "version",    "command", "normalizer", "hash",
                                         "seed",  "parameters", "benchmark.preset",
                                         "benchmark.args", NULL};
/* Top-level members handled explicitly (everything else: "other sections"). */
static const char *const HANDLED[] = {"tool",   "version",   "command",    "normalizer",
                                      "hash",   "seed",      "parameters", "benchmark",
                                      "corpus", "summary",   "by_subject", "how", NULL};
static const char *const TOTALS[] = {"files", "failed_files", "documents", "records",
                                     "bad_records", "bytes", NULL};

typedef struct {
    char *path;
    char *old, *new_; /* compact JSON, NULL when absent */
} kv;

typedef struct {
    const char *kind, *path, *change, *old, *new_;
} input_change;

typedef struct {
    const char *name; /* NULL = all items */
    const char *method;
    rv_counts o, n;
} rate_change;

typedef struct {
    const char *id;
    uint32_t occ;
    const char *method;
    rv_verdict o, n;
} verdict_change;

typedef struct {
    kv *params;
    size_t nparams, cparams;
    kv *totals;
    size_t ntotals, ctotals;
    input_change *inputs;
    size_t ninputs, cinputs;
    rate_change *rates;
    size_t nrates, crates;
    verdict_change *verdicts;
    size_t nverdicts, cverdicts;
    const diff_item **added, **removed;
    size_t nadded, cadded, nremoved, cremoved;
    size_t stats_changed;
    const char *stats_example[5];
    const char **sections;
    size_t nsections, csections;
    size_t changed_items;                 /* items with any verdict change */
    size_t per_method[RV_MAX_METHODS];    /* verdict changes per old method */
    int failed;
} diff;

/* Appends one element of size sz to a growable array (sticky failure). */
static void *push(diff *d, void **arr, size_t *n, size_t *cap, size_t sz)
{
    if (d->failed)
        return NULL;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        void *p = contam_realloc(*arr, nc * sz);
        if (!p) {
            d->failed = 1;
            return NULL;
        }
        *arr = p;
        *cap = nc;
    }
    char *e = (char *)*arr + (*n)++ * sz;
    memset(e, 0, sz);
    return e;
}

#define PUSH(d, field) push((d), (void **)&(d)->field, &(d)->n##field, &(d)->c##field, sizeof *(d)->field)

/* ---- Leaves of JSON values ------------------------------------------------------ */

typedef struct {
    char *path, *val;
} leaf;

typedef struct {
    leaf *v;
    size_t n, cap;
    int failed;
} leaves;

static void leaf_add(leaves *l, const char *path, const cJSON *node)
{
    if (l->failed)
        return;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        leaf *p = contam_realloc(l->v, nc * sizeof *p);
        if (!p) {
            l->failed = 1;
            return;
        }
        l->v = p;
        l->cap = nc;
    }
    char *val = cJSON_PrintUnformatted(node), *pa = contam_strdup(path);
    if (!val || !pa) {
        cJSON_free(val);
        contam_free(pa);
        l->failed = 1;
        return;
    }
    l->v[l->n++] = (leaf){pa, val};
}

static void flatten(leaves *l, const cJSON *node, contam_buf *path)
{
    size_t keep = path->size;
    int container = (cJSON_IsObject(node) || cJSON_IsArray(node)) && node->child;
    if (!container) {
        leaf_add(l, path->ptr ? path->ptr : "", node);
        return;
    }
    const cJSON *c;
    /* arrays of named objects (parameters.methods) are keyed by name, so a
     * method added in front does not make every later one "differ"; their
     * order is a leaf of its own (the first method decides the split) */
    int named = cJSON_IsArray(node);
    cJSON_ArrayForEach(c, node)
    {
        named &= rv_str(c, "name", NULL) != NULL;
    }
    if (named) {
        contam_buf order = {0};
        cJSON_ArrayForEach(c, node)
        {
            if (contam_buf_printf(&order, "%s%s", order.size ? "," : "", rv_str(c, "name", "")))
                l->failed = 1;
        }
        cJSON *str = l->failed ? NULL : cJSON_CreateString(order.ptr);
        if (!str || contam_buf_puts(path, "(order)")) {
            l->failed = 1;
        } else {
            leaf_add(l, path->ptr, str);
            path->size = keep;
            path->ptr[keep] = '\0';
        }
        cJSON_Delete(str);
        contam_buf_free(&order);
    }
    size_t i = 0;
    cJSON_ArrayForEach(c, node)
    {
        int bad = named                 ? contam_buf_printf(path, "[%s]", rv_str(c, "name", ""))
                  : cJSON_IsArray(node) ? contam_buf_printf(path, "[%zu]", i)
                                        : contam_buf_printf(path, ".%s", c->string ? c->string : "?");
        i++;
        if (bad) {
            l->failed = 1;
            return;
        }
        flatten(l, c, path);
        path->size = keep;
        path->ptr[keep] = '\0';
    }
}

static const cJSON *get_dotted(const cJSON *root, const char *key)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", key);
    char *dot = strchr(buf, '.');
    if (!dot)
        return rv_get(root, buf);
    *dot = '\0';
    return rv_get(rv_get(root, buf), dot + 1);
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const leaf *)a)->path, ((const leaf *)b)->path);
}

static void collect_params(leaves *l, const cJSON *root)
{
    contam_buf path = {0};
    for (size_t k = 0; PARAM_KEYS[k]; k++) {
        const cJSON *node = get_dotted(root, PARAM_KEYS[k]);
        if (!node)
            continue;
        contam_buf_reset(&path);
        if (contam_buf_puts(&path, PARAM_KEYS[k])) {
            l->failed = 1;
            break;
        }
        flatten(l, node, &path);
    }
    contam_buf_free(&path);
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, by_path);
}

static void leaves_free(leaves *l)
{
    for (size_t i = 0; i < l->n; i++) {
        contam_free(l->v[i].path);
        cJSON_free(l->v[i].val);
    }
    contam_free(l->v);
}

static char *dup_or_null(const char *s, diff *d)
{
    if (!s)
        return NULL;
    char *p = contam_strdup(s);
    if (!p)
        d->failed = 1;
    return p;
}

static void add_kv(diff *d, kv **arr, size_t *n, size_t *cap, const char *path, const char *o,
                   const char *nw)
{
    kv *e = push(d, (void **)arr, n, cap, sizeof **arr);
    if (!e)
        return;
    e->path = dup_or_null(path, d);
    e->old = dup_or_null(o, d);
    e->new_ = dup_or_null(nw, d);
}

/* The first element of arr whose string member key is value, or NULL. */
static const cJSON *find_by(const cJSON *arr, const char *key, const char *value)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        if (!strcmp(rv_str(e, key, ""), value))
            return e;
    }
    return NULL;
}

/* A method run on one side only is one line, not one per parameter. */
static void one_sided_methods(diff *d, const cJSON *ma, const cJSON *mb, int old_side)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, ma)
    {
        const char *name = rv_str(e, "name", NULL);
        if (!name || find_by(mb, "name", name))
            continue;
        char path[96], *val = cJSON_PrintUnformatted(e);
        snprintf(path, sizeof path, "parameters.methods[%s]", name);
        if (!val)
            d->failed = 1;
        else if (old_side)
            add_kv(d, &d->params, &d->nparams, &d->cparams, path, val, NULL);
        else
            add_kv(d, &d->params, &d->nparams, &d->cparams, path, NULL, val);
        cJSON_free(val);
    }
}

/* Is the leaf inside a method that the other side did not run? */
static int in_one_sided(const char *path, const cJSON *other)
{
    static const char pre[] = "parameters.methods[";
    if (strncmp(path, pre, sizeof pre - 1))
        return 0;
    const char *name = path + sizeof pre - 1, *end = strchr(name, ']');
    if (!end || end == name)
        return 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", (int)(end - name), name);
    return !find_by(other, "name", buf);
}

static void compare_params(diff *d, const cJSON *a, const cJSON *b)
{
    leaves la = {0}, lb = {0};
    const cJSON *ma = rv_get(rv_get(a, "parameters"), "methods");
    const cJSON *mb = rv_get(rv_get(b, "parameters"), "methods");
    collect_params(&la, a);
    collect_params(&lb, b);
    if (la.failed || lb.failed)
        d->failed = 1;
    size_t i = 0, j = 0;
    while (!d->failed && (i < la.n || j < lb.n)) {
        int c = i == la.n ? 1 : j == lb.n ? -1 : strcmp(la.v[i].path, lb.v[j].path);
        if (c < 0) {
            if (!in_one_sided(la.v[i].path, mb))
                add_kv(d, &d->params, &d->nparams, &d->cparams, la.v[i].path, la.v[i].val, NULL);
            i++;
        } else if (c > 0) {
            if (!in_one_sided(lb.v[j].path, ma))
                add_kv(d, &d->params, &d->nparams, &d->cparams, lb.v[j].path, NULL, lb.v[j].val);
            j++;
        } else {
            if (strcmp(la.v[i].val, lb.v[j].val))
                add_kv(d, &d->params, &d->nparams, &d->cparams, la.v[i].path, la.v[i].val,
                       lb.v[j].val);
            i++;
            j++;
        }
    }
    leaves_free(&la);
    leaves_free(&lb);
    one_sided_methods(d, ma, mb, 1);
    one_sided_methods(d, mb, ma, 0);
}

/* ---- Inputs ------------------------------------------------------------------- */

static void compare_inputs(diff *d, const char *kind, const cJSON *a, const cJSON *b)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, a)
    {
        const char *path = rv_str(f, "path", "?");
        const cJSON *g = find_by(b, "path", path);
        input_change *e = NULL;
        if (!g) {
            e = PUSH(d, inputs);
            if (e)
                *e = (input_change){kind, path, "removed", rv_str(f, "xxh3_128", NULL), NULL};
        } else if (strcmp(rv_str(f, "xxh3_128", ""), rv_str(g, "xxh3_128", "")) ||
                   cJSON_IsTrue(rv_get(f, "failed")) != cJSON_IsTrue(rv_get(g, "failed"))) {
            e = PUSH(d, inputs);
            if (e)
                *e = (input_change){kind, path, "changed", rv_str(f, "xxh3_128", NULL),
                                    rv_str(g, "xxh3_128", NULL)};
        }
    }
    cJSON_ArrayForEach(f, b)
    {
        const char *path = rv_str(f, "path", "?");
        if (find_by(a, "path", path))
            continue;
        input_change *e = PUSH(d, inputs);
        if (e)
            *e = (input_change){kind, path, "added", NULL, rv_str(f, "xxh3_128", NULL)};
    }
}

static void compare_totals(diff *d, const cJSON *a, const cJSON *b)
{
    for (size_t k = 0; TOTALS[k]; k++) {
        const cJSON *x = rv_get(a, TOTALS[k]), *y = rv_get(b, TOTALS[k]);
        if ((x || y) && !cJSON_Compare(x, y, 1)) {
            char path[64];
            char *vx = x ? cJSON_PrintUnformatted(x) : NULL, *vy = y ? cJSON_PrintUnformatted(y) : NULL;
            snprintf(path, sizeof path, "corpus.%s", TOTALS[k]);
            if ((x && !vx) || (y && !vy))
                d->failed = 1;
            else
                add_kv(d, &d->totals, &d->ntotals, &d->ctotals, path, vx, vy);
            cJSON_free(vx);
            cJSON_free(vy);
        }
    }
}

/* ---- Rates -------------------------------------------------------------------------- */

static int counts_differ(const rv_counts *a, const rv_counts *b)
{
    return a->items != b->items || a->dirty != b->dirty || a->too_short != b->too_short ||
           a->not_clean != b->not_clean;
}

static void compare_group(diff *d, const diff_side *A, const diff_side *B, const char *name,
                          const cJSON *ga, const cJSON *gb)
{
    for (size_t m = 0; m < A->nm; m++) {
        if (diff_side_method(B, A->method[m]) < 0)
            continue;
        rv_counts o, n;
        rv_counts_read(rv_get(ga, A->method[m]), &o);
        rv_counts_read(rv_get(gb, A->method[m]), &n);
        if (!counts_differ(&o, &n))
            continue;
        rate_change *e = PUSH(d, rates);
        if (e)
            *e = (rate_change){name, A->method[m], o, n};
    }
}

static void compare_rates(diff *d, const diff_side *A, const diff_side *B)
{
    compare_group(d, A, B, NULL, rv_get(A->root, "summary"), rv_get(B->root, "summary"));
    const cJSON *sa = rv_get(A->root, "by_subject"), *sb = rv_get(B->root, "by_subject"), *g;
    /* a benchmark without subjects has one group, "(none)", that repeats the
     * overall line */
    if (cJSON_GetArraySize(sa) == 1 && cJSON_GetArraySize(sb) == 1 && rv_get(sa, "(none)") &&
        rv_get(sb, "(none)"))
        return;
    cJSON_ArrayForEach(g, sa)
    {
        if (g->string)
            compare_group(d, A, B, g->string, g, rv_get(sb, g->string));
    }
    cJSON_ArrayForEach(g, sb)
    {
        if (g->string && !rv_get(sa, g->string))
            compare_group(d, A, B, g->string, NULL, g);
    }
}

/* ---- Items --------------------------------------------------------------------------- */

static int key_cmp(const diff_item *x, const diff_item *y)
{
    int c = strcmp(x->id, y->id);
    return c ? c : (x->occ < y->occ ? -1 : x->occ > y->occ);
}

static void compare_items(diff *d, const diff_side *A, const diff_side *B)
{
    size_t i = 0, j = 0;
    while (!d->failed && (i < A->n || j < B->n)) {
        int c = i == A->n ? 1 : j == B->n ? -1 : key_cmp(&A->items[i], &B->items[j]);
        if (c < 0) {
            const diff_item **e = PUSH(d, removed);
            if (e)
                *e = &A->items[i];
            i++;
            continue;
        }
        if (c > 0) {
            const diff_item **e = PUSH(d, added);
            if (e)
                *e = &B->items[j];
            j++;
            continue;
        }
        const diff_item *x = &A->items[i++], *y = &B->items[j++];
        int changed = 0, moved = 0;
        for (size_t m = 0; m < A->nm; m++) {
            int mb = diff_side_method(B, A->method[m]);
            if (mb < 0)
                continue;
            if (x->v[m] != y->v[mb]) {
                verdict_change *e = PUSH(d, verdicts);
                if (e)
                    *e = (verdict_change){x->id, x->occ, A->method[m], (rv_verdict)x->v[m],
                                          (rv_verdict)y->v[mb]};
                d->per_method[m]++;
                changed = 1;
            } else if (x->overlap[m] != y->overlap[mb] || x->coverage[m] != y->coverage[mb] ||
                       x->longest[m] != y->longest[mb]) {
                moved = 1;
            }
        }
        d->changed_items += changed;
        if (moved && !changed) {
            if (d->stats_changed < 5)
                d->stats_example[d->stats_changed] = x->id;
            d->stats_changed++;
        }
    }
}

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

static void compare_sections(diff *d, const cJSON *a, const cJSON *b)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, a)
    {
        if (!x->string || in_list(x->string, HANDLED))
            continue;
        if (!cJSON_Compare(x, rv_get(b, x->string), 1)) {
            const char **e = PUSH(d, sections);
            if (e)
                *e = x->string;
        }
    }
    cJSON_ArrayForEach(x, b)
    {
        if (!x->string || in_list(x->string, HANDLED) || rv_get(a, x->string))
            continue;
        const char **e = PUSH(d, sections);
        if (e)
            *e = x->string;
    }
}

static int differs(const diff *d)
{
    return d->nparams || d->ntotals || d->ninputs || d->nrates || d->nverdicts || d->nadded ||
           d->nremoved || d->stats_changed || d->nsections;
}

/* ---- Text ------------------------------------------------------------------------------ */

static void counts_text(rv_out *o, const rv_counts *c)
{
    char pct[32];
    rv_pct(pct, sizeof pct, rv_rate(c->dirty, c->items));
    rv_printf(o, "%llu/%llu (%s)", (unsigned long long)c->dirty, (unsigned long long)c->items, pct);
}

static void write_text(rv_out *o, const diff *d, const diff_side *A, const diff_side *B,
                       size_t max)
{
    if (!differs(d)) {
        rv_printf(o, "no differences: %zu items, methods", A->n);
        for (size_t m = 0; m < A->nm; m++)
            rv_printf(o, "%s%s", m ? "," : " ", A->method[m]);
        rv_raw(o, "\n");
        return;
    }
    if (d->nparams) {
        rv_printf(o, "parameters: %zu differ\n", d->nparams);
        for (size_t k = 0; k < d->nparams; k++) {
            /* a whole method (one side only): "run", its parameters are in --json */
            const char *o_ = d->params[k].old, *n_ = d->params[k].new_;
            rv_printf(o, "  %s: %s -> %s\n", d->params[k].path,
                      !o_ ? "(absent)" : o_[0] == '{' ? "(run)" : o_,
                      !n_ ? "(absent)" : n_[0] == '{' ? "(run)" : n_);
        }
    }
    if (d->ninputs || d->ntotals) {
        rv_printf(o, "inputs: %zu files differ\n", d->ninputs);
        for (size_t k = 0; k < d->ninputs; k++) {
            const input_change *e = &d->inputs[k];
            rv_printf(o, "  %s %s: %s", e->kind, e->change, e->path);
            if (!strcmp(e->change, "changed"))
                rv_printf(o, " (xxh3 %.8s -> %.8s)", e->old ? e->old : "-", e->new_ ? e->new_ : "-");
            rv_raw(o, "\n");
        }
        for (size_t k = 0; k < d->ntotals; k++)
            rv_printf(o, "  %s: %s -> %s\n", d->totals[k].path,
                      d->totals[k].old ? d->totals[k].old : "(absent)",
                      d->totals[k].new_ ? d->totals[k].new_ : "(absent)");
    }
    if (d->nrates) {
        size_t subjects = 0;
        for (size_t k = 0; k < d->nrates; k++)
            subjects += d->rates[k].name != NULL;
        rv_printf(o, "rates: %zu moved", d->nrates);
        if (subjects)
            rv_printf(o, " (%zu per subject)", subjects);
        rv_raw(o, "\n");
        size_t shown = 0;
        for (size_t k = 0; k < d->nrates; k++) {
            const rate_change *e = &d->rates[k];
            if (e->name && shown++ >= max)
                continue;
            rv_raw(o, "  ");
            if (e->name)
                rv_printf(o, "subject %s ", e->name);
            rv_printf(o, "%s dirty ", e->method);
            counts_text(o, &e->o);
            rv_raw(o, " -> ");
            counts_text(o, &e->n);
            double pts = 100 * (rv_rate(e->n.dirty, e->n.items) - rv_rate(e->o.dirty, e->o.items));
            rv_printf(o, ", %+.1f points", fabs(pts) < 0.05 ? 0.0 : pts);
            if (e->o.not_clean != e->n.not_clean)
                rv_printf(o, "; not_clean %llu -> %llu", (unsigned long long)e->o.not_clean,
                          (unsigned long long)e->n.not_clean);
            if (e->o.too_short != e->n.too_short)
                rv_printf(o, "; too_short %llu -> %llu", (unsigned long long)e->o.too_short,
                          (unsigned long long)e->n.too_short);
            rv_raw(o, "\n");
        }
        if (shown > max)
            rv_printf(o, "  ... %zu more subject lines (--json lists all)\n", shown - max);
    }
    if (d->nverdicts) {
        rv_printf(o, "verdicts: %zu items changed (", d->changed_items);
        int first = 1;
        for (size_t m = 0; m < A->nm; m++) {
            if (diff_side_method(B, A->method[m]) < 0)
                continue;
            rv_printf(o, "%s%s %zu", first ? "" : ", ", A->method[m], d->per_method[m]);
            first = 0;
        }
        rv_raw(o, ")\n");
        /* one line per item: consecutive changes of the same item */
        size_t lines = 0;
        for (size_t k = 0; k < d->nverdicts; k++) {
            const verdict_change *c = &d->verdicts[k], *prev = k ? c - 1 : NULL;
            int head = !prev || prev->id != c->id || prev->occ != c->occ;
            int last = k + 1 == d->nverdicts || c[1].id != c->id || c[1].occ != c->occ;
            lines += head;
            if (lines > max)
                continue;
            if (head) {
                rv_printf(o, "  %s", c->id);
                if (c->occ)
                    rv_printf(o, " (#%u)", c->occ + 1);
                rv_raw(o, ":");
            }
            rv_printf(o, "%s %s %s->%s", head ? "" : ",", c->method, rv_verdict_name(c->o),
                      rv_verdict_name(c->n));
            if (last)
                rv_raw(o, "\n");
        }
        if (lines > max)
            rv_printf(o, "  ... %zu more items (--json lists all)\n", lines - max);
    }
    if (d->nadded || d->nremoved) {
        rv_printf(o, "items: %zu added, %zu removed\n", d->nadded, d->nremoved);
        for (size_t k = 0; k < d->nadded && k < max; k++)
            rv_printf(o, "  + %s\n", d->added[k]->id);
        for (size_t k = 0; k < d->nremoved && k < max; k++)
            rv_printf(o, "  - %s\n", d->removed[k]->id);
        if (d->nadded > max || d->nremoved > max)
            rv_raw(o, "  ... (--json lists all)\n");
    }
    if (d->stats_changed) {
        rv_printf(o, "statistics: %zu items changed overlap, coverage or longest run without a "
                     "verdict change (e.g.",
                  d->stats_changed);
        for (size_t k = 0; k < d->stats_changed && k < 5; k++)
            rv_printf(o, " %s", d->stats_example[k]);
        rv_raw(o, ")\n");
    }
    if (d->nsections) {
        rv_raw(o, "other report.json sections differ:");
        for (size_t k = 0; k < d->nsections; k++)
            rv_printf(o, " %s", d->sections[k]);
        rv_raw(o, "\n");
    }
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void jw_counts(jsonw *w, const char *key, const rv_counts *c)
{
    jw_begin_obj(w, key);
    jw_u64(w, "items", c->items);
    jw_u64(w, "dirty", c->dirty);
    jw_u64(w, "too_short", c->too_short);
    jw_u64(w, "not_clean", c->not_clean);
    jw_num(w, "dirty_rate", rv_rate(c->dirty, c->items));
    jw_end_obj(w);
}

static void jw_value(jsonw *w, const char *key, const char *json)
{
    if (json)
        jw_raw(w, key, json);
    else
        jw_null(w, key);
}

static void jw_kvs(jsonw *w, const char *key, const kv *v, size_t n)
{
    jw_begin_arr(w, key);
    for (size_t k = 0; k < n; k++) {
        jw_begin_obj(w, NULL);
        jw_str(w, "path", v[k].path);
        jw_value(w, "old", v[k].old);
        jw_value(w, "new", v[k].new_);
        jw_end_obj(w);
    }
    jw_end_arr(w);
}

static int write_json(contam_buf *out, const diff *d)
{
    jsonw w;
    jw_init(&w, out);
    jw_begin_obj(&w, NULL);
    jw_bool(&w, "equal", !differs(d));
    jw_kvs(&w, "parameters", d->params, d->nparams);
    jw_begin_arr(&w, "inputs");
    for (size_t k = 0; k < d->ninputs; k++) {
        jw_begin_obj(&w, NULL);
        jw_str(&w, "kind", d->inputs[k].kind);
        jw_str(&w, "path", d->inputs[k].path);
        jw_str(&w, "change", d->inputs[k].change);
        jw_str(&w, "old", d->inputs[k].old);
        jw_str(&w, "new", d->inputs[k].new_);
        jw_end_obj(&w);
    }
    jw_end_arr(&w);
    jw_kvs(&w, "corpus_totals", d->totals, d->ntotals);
    jw_begin_arr(&w, "rates");
    for (size_t k = 0; k < d->nrates; k++) {
        jw_begin_obj(&w, NULL);
        jw_str(&w, "subject", d->rates[k].name);
        jw_str(&w, "method", d->rates[k].method);
        jw_counts(&w, "old", &d->rates[k].o);
        jw_counts(&w, "new", &d->rates[k].n);
        jw_end_obj(&w);
    }
    jw_end_arr(&w);
    jw_u64(&w, "items_changed_verdict", d->changed_items);
    jw_begin_arr(&w, "verdicts");
    for (size_t k = 0; k < d->nverdicts; k++) {
        jw_begin_obj(&w, NULL);
        jw_str(&w, "id", d->verdicts[k].id);
        jw_u64(&w, "occurrence", d->verdicts[k].occ + 1);
        jw_str(&w, "method", d->verdicts[k].method);
        jw_str(&w, "old", rv_verdict_name(d->verdicts[k].o));
        jw_str(&w, "new", rv_verdict_name(d->verdicts[k].n));
        jw_end_obj(&w);
    }
    jw_end_arr(&w);
    jw_begin_arr(&w, "items_added");
    for (size_t k = 0; k < d->nadded; k++)
        jw_str(&w, NULL, d->added[k]->id);
    jw_end_arr(&w);
    jw_begin_arr(&w, "items_removed");
    for (size_t k = 0; k < d->nremoved; k++)
        jw_str(&w, NULL, d->removed[k]->id);
    jw_end_arr(&w);
    jw_u64(&w, "items_changed_statistics", d->stats_changed);
    jw_begin_arr(&w, "sections");
    for (size_t k = 0; k < d->nsections; k++)
        jw_str(&w, NULL, d->sections[k]);
    jw_end_arr(&w);
    jw_end_obj(&w);
    if (!w.failed && contam_buf_puts(out, "\n"))
        w.failed = 1;
    return w.failed ? -1 : 0;
}

static void diff_free(diff *d)
{
    for (size_t k = 0; k < d->nparams; k++) {
        contam_free(d->params[k].path);
        contam_free(d->params[k].old);
        contam_free(d->params[k].new_);
    }
    for (size_t k = 0; k < d->ntotals; k++) {
        contam_free(d->totals[k].path);
        contam_free(d->totals[k].old);
        contam_free(d->totals[k].new_);
    }
    contam_free(d->params);
    contam_free(d->totals);
    contam_free(d->inputs);
    contam_free(d->rates);
    contam_free(d->verdicts);
    contam_free(d->added);
    contam_free(d->removed);
    contam_free(d->sections);
}

contam_status report_diff(const char *old_dir, const char *new_dir,
                          const report_diff_options *opt, contam_buf *out, int *different,
                          contam_err *err)
{
    diff_side A, B;
    contam_status st = diff_side_load(&A, old_dir, err);
    if (st != CONTAM_OK)
        return st;
    st = diff_side_load(&B, new_dir, err);
    if (st != CONTAM_OK) {
        diff_side_free(&A);
        return st;
    }
    diff d;
    memset(&d, 0, sizeof d);
    compare_params(&d, A.root, B.root);
    compare_inputs(&d, "benchmark", rv_get(rv_get(A.root, "benchmark"), "inputs"),
                   rv_get(rv_get(B.root, "benchmark"), "inputs"));
    compare_inputs(&d, "corpus", rv_get(rv_get(A.root, "corpus"), "inputs"),
                   rv_get(rv_get(B.root, "corpus"), "inputs"));
    compare_totals(&d, rv_get(A.root, "corpus"), rv_get(B.root, "corpus"));
    compare_rates(&d, &A, &B);
    compare_items(&d, &A, &B);
    compare_sections(&d, A.root, B.root);
    contam_buf_reset(out);
    if (!d.failed) {
        if (opt && opt->json) {
            d.failed = write_json(out, &d);
        } else {
            rv_out o = {out, 0};
            write_text(&o, &d, &A, &B, opt && opt->max_lines ? opt->max_lines : 50);
            d.failed = o.failed;
        }
    }
    *different = differs(&d);
    if (d.failed)
        st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    diff_free(&d);
    diff_side_free(&A);
    diff_side_free(&B);
    return st;
}
