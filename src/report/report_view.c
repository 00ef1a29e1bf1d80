/* report_view.c - builds the model the views render: report.json parsed
 * once; items.jsonl streamed twice, first into histograms and a compact list
 * of items with evidence (a few bytes each), then again to keep only the
 * lines of the items shown. So a 100,000-item benchmark costs megabytes, not
 * the size of items.jsonl. */
#include <stdlib.h>
#include <string.h>

#include "report/report_view_internal.h"

static contam_status bad_report(contam_err *err, const char *what)
{
    return contam_err_set(err, CONTAM_ERR_FORMAT, "report.json", 0,
                          "not a contam report.json: %s", what);
}

void rv_counts_read(const cJSON *o, rv_counts *c)
{
    c->items = rv_u64(o, "items");
    c->clean = rv_u64(o, "clean");
    c->dirty = rv_u64(o, "dirty");
    c->too_short = rv_u64(o, "too_short");
    c->not_clean = rv_u64(o, "not_clean");
}

static contam_status read_methods(rv_view *v, contam_err *err)
{
    const cJSON *arr = rv_get(rv_get(v->root, "parameters"), "methods");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1)
        return bad_report(err, "no parameters.methods");
    const cJSON *me;
    cJSON_ArrayForEach(me, arr)
    {
        if (v->nm == RV_MAX_METHODS)
            return bad_report(err, "more methods than contam supports");
        rv_method *m = &v->m[v->nm++];
        m->name = rv_str(me, "name", NULL);
        if (!m->name)
            return bad_report(err, "a method without a name");
        m->unit = rv_str(me, "unit", "word");
        m->rule_text = rv_str(me, "rule", "");
        m->source = rv_str(me, "source", "");
        double n = rv_num(me, "n", 0);
        m->n = n >= 1 && n <= 100000 ? (unsigned)n : 1;
        m->corpus_df = rv_u64(me, "corpus_df_max");
        m->bench_filter = cJSON_IsTrue(rv_get(me, "benchmark_boilerplate_filter"));
        /* the members present say which rule it is (report_json.c writes
         * threshold / dirty_at / samples for exactly these rules) */
        if (rv_get(me, "dirty_at")) {
            m->rule = RV_COVERAGE;
            m->threshold = rv_num(me, "dirty_at", 0.8);
            m->clean_below = rv_num(me, "clean_below", 0.2);
        } else if (rv_get(me, "threshold")) {
            m->rule = RV_FRACTION;
            m->threshold = rv_num(me, "threshold", 0);
        } else if (rv_get(me, "samples")) {
            m->rule = RV_SAMPLED;
            m->samples = (unsigned)rv_u64(me, "samples");
        } else {
            m->rule = RV_ANY;
        }
    }
    return CONTAM_OK;
}

static int by_rate(const void *a, const void *b)
{
    const rv_group *x = a, *y = b;
    double rx = rv_rate(x->c[0].dirty, x->c[0].items), ry = rv_rate(y->c[0].dirty, y->c[0].items);
    if (rx != ry)
        return rx > ry ? -1 : 1;
    if (x->c[0].dirty != y->c[0].dirty)
        return x->c[0].dirty > y->c[0].dirty ? -1 : 1;
    /* then by the other methods' dirty counts, so ties read sensibly */
    for (size_t m = 1; m < x->nm; m++)
        if (x->c[m].dirty != y->c[m].dirty)
            return x->c[m].dirty > y->c[m].dirty ? -1 : 1;
    return strcmp(x->name, y->name);
}

static contam_status read_groups(rv_view *v, const cJSON *obj, int from_inputs, rv_group **out,
                                 size_t *nout, contam_err *err)
{
    size_t n = (size_t)cJSON_GetArraySize(obj);
    *out = contam_calloc(n + 1, sizeof **out);
    if (!*out)
        return contam_err_set(err, CONTAM_ERR_NOMEM, "report.json", 0, "out of memory");
    const cJSON *g;
    size_t k = 0;
    cJSON_ArrayForEach(g, obj)
    {
        rv_group *gr = &(*out)[k++];
        const cJSON *per = from_inputs ? rv_get(g, "verdicts") : g;
        gr->nm = v->nm;
        gr->name = from_inputs ? rv_str(g, "path", "?") : (g->string ? g->string : "?");
        for (size_t m = 0; m < v->nm; m++)
            rv_counts_read(rv_get(per, v->m[m].name), &gr->c[m]);
    }
    *nout = k;
    return CONTAM_OK;
}

static contam_status read_report(rv_view *v, const char *json, size_t len, contam_err *err)
{
    const char *end = NULL;
    v->root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!v->root) {
        /* cJSON has no error position API that is thread-safe; end is unset on
         * failure, so report the byte count instead of guessing a line */
        if (!json || len == 0)
            return contam_err_set(err, CONTAM_ERR_JSON, "report.json", 0, "empty file");
        return contam_err_set(err, CONTAM_ERR_JSON, "report.json", 0,
                              "invalid JSON (or out of memory)");
    }
    if (!cJSON_IsObject(v->root))
        return bad_report(err, "the top level is not an object");
    v->version = rv_str(v->root, "version", "?");
    v->command = rv_str(v->root, "command", "scan");
    v->normalizer = rv_str(v->root, "normalizer", "?");
    v->hash = rv_str(v->root, "hash", "?");
    v->seed = rv_str(v->root, "seed", "?");
    v->preset = rv_str(rv_get(v->root, "benchmark"), "preset", "generic");
    contam_status st = read_methods(v, err);
    if (st != CONTAM_OK)
        return st;
    const cJSON *sum = rv_get(v->root, "summary");
    if (!cJSON_IsObject(sum))
        return bad_report(err, "no summary");
    for (size_t m = 0; m < v->nm; m++)
        rv_counts_read(rv_get(sum, v->m[m].name), &v->total[m]);
    st = read_groups(v, rv_get(v->root, "by_subject"), 0, &v->subjects, &v->nsubjects, err);
    if (st == CONTAM_OK)
        st = read_groups(v, rv_get(rv_get(v->root, "benchmark"), "inputs"), 1, &v->files,
                         &v->nfiles, err);
    if (st != CONTAM_OK)
        return st;
    qsort(v->subjects, v->nsubjects, sizeof *v->subjects, by_rate);
    v->has_subjects = v->nsubjects > 1 || (v->nsubjects == 1 && strcmp(v->subjects[0].name, "(none)"));
    v->duplicates = rv_get(v->root, "duplicates");
    v->lint = rv_get(v->root, "lint");
    v->impact = rv_get(v->root, "impact");
    return CONTAM_OK;
}

/* ---- items.jsonl ---------------------------------------------------------------- */

typedef struct {
    size_t index;
    unsigned ndirty;
    double overlap, coverage;
    uint32_t longest;
} candidate;

static int by_evidence(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->ndirty != y->ndirty)
        return x->ndirty > y->ndirty ? -1 : 1;
    if (x->overlap != y->overlap)
        return x->overlap > y->overlap ? -1 : 1;
    if (x->coverage != y->coverage)
        return x->coverage > y->coverage ? -1 : 1;
    if (x->longest != y->longest)
        return x->longest > y->longest ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int by_index(const void *a, const void *b)
{
    const rv_item *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int by_rank(const void *a, const void *b)
{
    const rv_item *x = a, *y = b;
    candidate cx = {x->index, x->ndirty, x->overlap, x->coverage, x->longest};
    candidate cy = {y->index, y->ndirty, y->overlap, y->coverage, y->longest};
    return by_evidence(&cx, &cy);
}

static const char *src_name(const report_items_src *src)
{
    return src->name ? src->name : "items.jsonl";
}

static contam_status item_error(const report_items_src *src, size_t index, contam_status st,
                                const char *msg, contam_err *err)
{
    return contam_err_set(err, st, src_name(src), (uint64_t)index + 1,
                          "%s", msg);
}

static cJSON *parse_item(const char *line, size_t len)
{
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    if (o && !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Pass 1: histograms, agreement, candidates. */
static contam_status pass_stats(rv_view *v, const report_items_src *src, candidate **cand,
                                size_t *ncand, contam_err *err)
{
    size_t cap = 0;
    contam_status st = src->rewind(src->user, err);
    for (size_t index = 0; st == CONTAM_OK; index++) {
        const char *line;
        size_t len;
        st = src->next(src->user, &line, &len, err);
        if (st != CONTAM_OK || !line)
            break;
        cJSON *o = parse_item(line, len);
        if (!o)
            return item_error(src, index, CONTAM_ERR_JSON,
                              "not a JSON object (invalid JSON, or out of memory)", err);
        const cJSON *verdicts = rv_get(o, "verdicts"), *methods = rv_get(o, "methods");
        unsigned ndirty = 0;
        int evidence = 0;
        for (size_t m = 0; m < v->nm; m++) {
            const cJSON *ms = rv_get(methods, v->m[m].name);
            rv_verdict vd = rv_verdict_parse(rv_str(verdicts, v->m[m].name, NULL));
            if (vd == RV_V_UNKNOWN || !ms) {
                cJSON_Delete(o);
                return item_error(src, index, CONTAM_ERR_FIELD,
                                  "item lacks a verdict or statistics for a method of report.json",
                                  err);
            }
            ndirty += vd == RV_V_DIRTY;
            /* shown: dirty or not_clean under some rule, or matched under the
             * first one (the one with provenance); a stray n-gram under
             * another rule is not evidence worth a place on the page */
            evidence |= vd == RV_V_DIRTY || vd == RV_V_NOT_CLEAN ||
                        (m == 0 && rv_num(ms, "matched", 0) > 0);
            double metric = rv_num(ms, rv_metric_name(&v->m[m]), 0);
            v->hist_overlap[m][rv_overlap_bin(metric)]++;
            v->hist_longest[m][rv_longest_bin((uint32_t)rv_u64(ms, "longest"), v->m[m].n)]++;
        }
        v->agreement[ndirty]++;
        if (evidence) {
            if (*ncand == cap) {
                size_t nc = cap ? 2 * cap : 256;
                candidate *p = contam_realloc(*cand, nc * sizeof *p);
                if (!p) {
                    cJSON_Delete(o);
                    return contam_err_set(err, CONTAM_ERR_NOMEM, src_name(src), 0, "out of memory");
                }
                *cand = p;
                cap = nc;
            }
            const cJSON *m0 = rv_get(methods, v->m[0].name);
            (*cand)[(*ncand)++] = (candidate){index, ndirty, rv_num(m0, "overlap", 0),
                                              rv_num(m0, "coverage", 0),
                                              (uint32_t)rv_u64(m0, "longest")};
        }
        cJSON_Delete(o);
        v->nitems++;
    }
    return st;
}

/* Pass 2: keeps the parsed objects of the chosen items. */
static contam_status pass_keep(rv_view *v, const report_items_src *src, contam_err *err)
{
    qsort(v->top, v->ntop, sizeof *v->top, by_index);
    contam_status st = src->rewind(src->user, err);
    size_t want = 0;
    for (size_t index = 0; st == CONTAM_OK && want < v->ntop; index++) {
        const char *line;
        size_t len;
        st = src->next(src->user, &line, &len, err);
        if (st != CONTAM_OK)
            break;
        if (!line)
            return item_error(src, index, CONTAM_ERR_FORMAT, "items.jsonl changed while reading",
                              err);
        if (index != v->top[want].index)
            continue;
        v->top[want].json = parse_item(line, len);
        if (!v->top[want].json)
            return item_error(src, index, CONTAM_ERR_JSON, "invalid JSON or out of memory", err);
        want++;
    }
    qsort(v->top, v->ntop, sizeof *v->top, by_rank);
    return st;
}

contam_status rv_build(rv_view *v, const char *report_json, size_t len,
                       const report_items_src *items, size_t top_cap, contam_err *err)
{
    memset(v, 0, sizeof *v);
    candidate *cand = NULL;
    size_t ncand = 0;
    contam_status st = read_report(v, report_json, len, err);
    if (st == CONTAM_OK)
        st = pass_stats(v, items, &cand, &ncand, err);
    uint64_t expect = rv_u64(rv_get(v->root, "benchmark"), "items");
    if (st == CONTAM_OK && rv_get(rv_get(v->root, "benchmark"), "items") && expect != v->nitems)
        st = contam_err_set(err, CONTAM_ERR_FORMAT, src_name(items), 0,
                            "%llu items, but report.json says %llu: the files are not from the "
                            "same run",
                            (unsigned long long)v->nitems, (unsigned long long)expect);
    if (st == CONTAM_OK && ncand) {
        qsort(cand, ncand, sizeof *cand, by_evidence);
        v->ncandidates = ncand;
        v->ntop = ncand < top_cap ? ncand : top_cap;
        v->top = contam_calloc(v->ntop, sizeof *v->top);
        if (!v->top) {
            v->ntop = 0;
            st = contam_err_set(err, CONTAM_ERR_NOMEM, src_name(items), 0, "out of memory");
        }
        for (size_t k = 0; k < v->ntop; k++)
            v->top[k] = (rv_item){NULL, cand[k].index, cand[k].ndirty, cand[k].overlap,
                                  cand[k].coverage, cand[k].longest};
        if (st == CONTAM_OK)
            st = pass_keep(v, items, err);
    }
    contam_free(cand);
    if (st != CONTAM_OK)
        rv_free(v);
    return st;
}

void rv_free(rv_view *v)
{
    if (!v)
        return;
    for (size_t k = 0; k < v->ntop; k++)
        cJSON_Delete(v->top[k].json);
    contam_free(v->top);
    contam_free(v->subjects);
    contam_free(v->files);
    cJSON_Delete(v->root);
    memset(v, 0, sizeof *v);
}
