/* samples.c - reads lm-evaluation-harness --log_samples files
 * (OUTPUT/<model>/samples_<task>_<date>.jsonl). One record per doc and
 * filter: doc_id, doc (the dataset row), target (str()), filtered_resps
 * (per choice [log-likelihood, is_greedy] as strings for multiple choice;
 * strings for generation), and the metric values (acc, exact_match...).
 * Only the chosen filter's records are kept. Every failure names FILE:LINE;
 * nothing partial is returned. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "quality/quality_internal.h"

#define SAMPLES_MAX_LEAVES 256

static void sample_free(quality_sample *r)
{
    contam_free(r->ll);
    contam_free(r->prob);
    contam_free(r->leaf);
}

static void file_free(quality_samples_file *f)
{
    for (size_t k = 0; k < f->nrec; k++)
        sample_free(&f->rec[k]);
    contam_free(f->rec);
    contam_free(f->path);
    contam_free(f->model);
    contam_free(f->task);
    contam_free(f->filter);
    contam_free(f->metric);
}

void quality_samples_free(quality_samples *s)
{
    if (!s)
        return;
    for (size_t k = 0; k < s->nfiles; k++)
        file_free(&s->files[k]);
    contam_free(s->files);
    for (size_t k = 0; k < s->nmodels; k++)
        contam_free(s->models[k]);
    contam_free(s->models);
    contam_free(s);
}

/* "samples_mmlu_anatomy_2024-05-13T12-00-00.123456.jsonl" -> "mmlu_anatomy". */
static char *task_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    static const char *const suf[] = {".gz", ".zst", ".zstd", ".jsonl", ".json", ".ndjson"};
    for (size_t k = 0; k < sizeof suf / sizeof suf[0]; k++) {
        size_t l = strlen(suf[k]);
        if (n > l && !strcmp(base + n - l, suf[k]))
            n -= l;
    }
    if (n > 8 && !strncmp(base, "samples_", 8)) {
        base += 8;
        n -= 8;
    }
    /* the date lm-eval appends: _YYYY-MM-DDT... */
    for (size_t i = n; i-- > 0;) {
        const char *d = base + i;
        if (d[0] == '_' && n - i >= 12 && d[5] == '-' && d[8] == '-' && d[11] == 'T' &&
            d[1] >= '0' && d[1] <= '9') {
            n = i;
            break;
        }
    }
    return contam_strndup(base, n);
}

/* The directory lm-eval names after the model, else "model". */
static char *model_from_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return contam_strdup("model");
    const char *e = slash, *b = slash;
    while (b > path && b[-1] != '/')
        b--;
    if (e == b || (e - b == 1 && *b == '.'))
        return contam_strdup("model");
    return contam_strndup(b, (size_t)(e - b));
}

typedef struct {
    const char *path;
    uint64_t line;
    contam_err *err;
    ngram_tokenizer *tk;
} rctx;

static contam_status field_err(const rctx *c, const char *what)
{
    return contam_err_set(c->err, CONTAM_ERR_FIELD, c->path, c->line, "%s", what);
}

static int num_value(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return 0;
    }
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v) ? 1 : 0;
        return 0;
    }
    if (cJSON_IsString(v)) {
        /* lm-eval writes log-likelihoods with str(): "-4.25", "-inf" */
        const char *s = v->valuestring;
        char *end;
        double d = strtod(s, &end);
        if (end == s || *end)
            return -1;
        *out = d;
        return 0;
    }
    return -1;
}

static int collect_leaves(const cJSON *v, rctx *c, quality_sample *r, int depth)
{
    if (depth > 16)
        return 0;
    if (cJSON_IsString(v)) {
        if (r->nleaf >= SAMPLES_MAX_LEAVES)
            return 0;
        uint64_t h;
        if (q_word_hash(c->tk, v->valuestring, strlen(v->valuestring), &h))
            return -1;
        if (h)
            r->leaf[r->nleaf++] = h;
        return 0;
    }
    if (cJSON_IsObject(v) || cJSON_IsArray(v))
        for (const cJSON *e = v->child; e; e = e->next)
            if (collect_leaves(e, c, r, depth + 1))
                return -1;
    return 0;
}

/* The metric the file is scored with: the option, else acc, else exact_match,
 * else the first listed metric with a numeric value. */
static const char *pick_metric(const cJSON *root, const char *want)
{
    if (want)
        return want;
    double d;
    if (!num_value(cJSON_GetObjectItemCaseSensitive(root, "acc"), &d))
        return "acc";
    if (!num_value(cJSON_GetObjectItemCaseSensitive(root, "exact_match"), &d))
        return "exact_match";
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "metrics");
    if (cJSON_IsArray(m))
        for (const cJSON *e = m->child; e; e = e->next)
            if (cJSON_IsString(e) &&
                !num_value(cJSON_GetObjectItemCaseSensitive(root, e->valuestring), &d))
                return e->valuestring;
    return NULL;
}

static contam_status parse_record(rctx *c, const cJSON *root, const char *metric,
                                  quality_sample *r)
{
    memset(r, 0, sizeof *r);
    r->line = c->line;
    r->item = -1;
    r->gold = -1;
    r->pred = -1;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "doc_id");
    if (!cJSON_IsNumber(id) || id->valuedouble < 0 || id->valuedouble > 9007199254740992.0 ||
        id->valuedouble != floor(id->valuedouble))
        return field_err(c, "'doc_id' is missing or not a non-negative integer");
    r->doc_id = (uint64_t)id->valuedouble;
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(root, "doc");
    if (!cJSON_IsObject(doc))
        return field_err(c, "'doc' is missing or not an object");
    const cJSON *fr = cJSON_GetObjectItemCaseSensitive(root, "filtered_resps");
    if (!cJSON_IsArray(fr))
        return field_err(c, "'filtered_resps' is missing or not an array");
    double mv;
    if (num_value(cJSON_GetObjectItemCaseSensitive(root, metric), &mv))
        return contam_err_set(c->err, CONTAM_ERR_FIELD, c->path, c->line,
                              "metric '%s' is missing or not a number", metric);
    r->correct = mv;
    int n = cJSON_GetArraySize(fr);
    int mc = n > 0 && cJSON_IsArray(fr->child);
    if (mc) {
        r->ll = contam_malloc((size_t)n * sizeof *r->ll);
        r->prob = contam_malloc((size_t)n * sizeof *r->prob);
        if (!r->ll || !r->prob)
            return contam_err_set(c->err, CONTAM_ERR_NOMEM, c->path, c->line, "out of memory");
        int k = 0;
        for (const cJSON *e = fr->child; e; e = e->next, k++)
            if (!cJSON_IsArray(e) || num_value(e->child, &r->ll[k]) || isnan(r->ll[k]))
                return contam_err_set(c->err, CONTAM_ERR_FIELD, c->path, c->line,
                                      "filtered_resps[%d] is not [log-likelihood, is_greedy]", k);
        r->nchoices = (uint32_t)n;
        double mx = -INFINITY, z = 0;
        for (k = 0; k < n; k++)
            if (r->ll[k] > mx) {
                mx = r->ll[k];
                r->pred = k;
            }
        for (k = 0; k < n; k++)
            z += r->prob[k] = isfinite(mx) ? exp(r->ll[k] - mx) : 1.0;
        for (k = 0; k < n; k++)
            r->prob[k] /= z;
        if (r->pred < 0)
            r->pred = 0;
        r->conf = r->prob[r->pred];
        double t;
        const cJSON *tg = cJSON_GetObjectItemCaseSensitive(root, "target");
        if (!num_value(tg, &t) && t >= 0 && t < n && t == floor(t))
            r->gold = (int)t;
    }
    r->leaf = contam_malloc(SAMPLES_MAX_LEAVES * sizeof *r->leaf);
    if (!r->leaf || collect_leaves(doc, c, r, 0))
        return contam_err_set(c->err, CONTAM_ERR_NOMEM, c->path, c->line, "out of memory");
    return CONTAM_OK;
}

static int cmp_docid(const void *a, const void *b)
{
    const quality_sample *x = a, *y = b;
    if (x->doc_id != y->doc_id)
        return x->doc_id < y->doc_id ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static contam_status check_unique(const quality_samples_file *f, contam_err *err)
{
    quality_sample *v = contam_malloc((f->nrec ? f->nrec : 1) * sizeof *v);
    if (!v)
        return contam_err_set(err, CONTAM_ERR_NOMEM, f->path, 0, "out of memory");
    memcpy(v, f->rec, f->nrec * sizeof *v);
    qsort(v, f->nrec, sizeof *v, cmp_docid);
    for (size_t k = 1; k < f->nrec; k++)
        if (v[k].doc_id == v[k - 1].doc_id) {
            contam_status st = contam_err_set(
                err, CONTAM_ERR_FIELD, f->path, v[k].line,
                "doc_id %llu appears twice for filter '%s' (first at line %llu)",
                (unsigned long long)v[k].doc_id, f->filter, (unsigned long long)v[k - 1].line);
            contam_free(v);
            return st;
        }
    contam_free(v);
    return CONTAM_OK;
}

static contam_status load_file(const char *path, const quality_samples_options *o,
                               ngram_tokenizer *tk, quality_samples_file *f, contam_err *err)
{
    memset(f, 0, sizeof *f);
    f->path = contam_strdup(path);
    f->model = o->model ? contam_strdup(o->model) : model_from_path(path);
    f->task = task_from_path(path);
    if (!f->path || !f->model || !f->task)
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    io_lines *L;
    contam_status st = io_lines_open(path, o->max_line ? o->max_line : (256u << 20), &L, err);
    if (st != CONTAM_OK)
        return st;
    rctx c = {path, 0, err, tk};
    size_t cap = 0;
    for (;;) {
        const char *line;
        size_t len;
        uint64_t off;
        if ((st = io_lines_next(L, &line, &len, &c.line, &off, err)) != CONTAM_OK || !line)
            break;
        size_t b = 0;
        while (b < len && (line[b] == ' ' || line[b] == '\t' || line[b] == '\r'))
            b++;
        if (b == len)
            continue;
        const char *end = NULL;
        cJSON *root = cJSON_ParseWithLengthOpts(line, len, &end, 0);
        if (!cJSON_IsObject(root)) {
            cJSON_Delete(root);
            if (!root && q_out_of_memory()) {
                st = contam_err_set(err, CONTAM_ERR_NOMEM, path, c.line, "out of memory");
                break;
            }
            size_t col = end && end >= line && end <= line + len ? (size_t)(end - line) + 1 : 1;
            st = contam_err_set(err, CONTAM_ERR_JSON, path, c.line,
                                "invalid JSON record at column %zu", col);
            break;
        }
        f->lines++;
        const cJSON *fl = cJSON_GetObjectItemCaseSensitive(root, "filter");
        const char *filter = cJSON_IsString(fl) ? fl->valuestring : "none";
        if (!f->filter && !(f->filter = contam_strdup(o->filter ? o->filter : filter))) {
            cJSON_Delete(root);
            st = contam_err_set(err, CONTAM_ERR_NOMEM, path, c.line, "out of memory");
            break;
        }
        if (strcmp(filter, f->filter)) {
            cJSON_Delete(root);
            continue;
        }
        if (!f->metric) {
            const char *m = pick_metric(root, o->metric);
            if (!m) {
                cJSON_Delete(root);
                st = field_err(&c, "no numeric metric (acc, exact_match or one listed in "
                                   "'metrics'); choose one with --metric");
                break;
            }
            if (!(f->metric = contam_strdup(m))) {
                cJSON_Delete(root);
                st = contam_err_set(err, CONTAM_ERR_NOMEM, path, c.line, "out of memory");
                break;
            }
        }
        if (f->nrec == cap) {
            size_t nc = cap ? cap * 2 : 64;
            quality_sample *v = contam_realloc(f->rec, nc * sizeof *v);
            if (!v) {
                cJSON_Delete(root);
                st = contam_err_set(err, CONTAM_ERR_NOMEM, path, c.line, "out of memory");
                break;
            }
            f->rec = v;
            cap = nc;
        }
        st = parse_record(&c, root, f->metric, &f->rec[f->nrec]);
        cJSON_Delete(root);
        f->nrec++; /* even on failure: file_free releases its partial arrays */
        if (st != CONTAM_OK)
            break;
    }
    if (st == CONTAM_OK)
        io_stream_checksum(io_lines_stream(L), f->checksum);
    io_lines_free(L);
    if (st != CONTAM_OK)
        return st;
    if (!f->nrec)
        return contam_err_set(err, CONTAM_ERR_EMPTY, path, 0,
                              f->lines ? "no record with filter '%s'" : "no records%s",
                              f->lines ? f->filter : "");
    return check_unique(f, err);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

contam_status quality_samples_load(const char *const *paths, size_t npaths,
                                   const quality_samples_options *o, quality_samples **out,
                                   contam_err *err)
{
    *out = NULL;
    quality_samples *s = contam_calloc(1, sizeof *s);
    ngram_tokenizer *tk = q_word_tokenizer();
    contam_status st = CONTAM_ERR_NOMEM;
    if (!s || !tk || !(s->files = contam_calloc(npaths ? npaths : 1, sizeof *s->files)) ||
        !(s->models = contam_calloc(npaths ? npaths : 1, sizeof *s->models))) {
        contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    for (size_t k = 0; k < npaths; k++) {
        st = load_file(paths[k], o, tk, &s->files[k], err);
        s->nfiles++;
        if (st != CONTAM_OK)
            goto fail;
        int known = 0;
        for (size_t m = 0; m < s->nmodels && !known; m++)
            known = !strcmp(s->models[m], s->files[k].model);
        if (!known) {
            if (!(s->models[s->nmodels] = contam_strdup(s->files[k].model))) {
                st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
                goto fail;
            }
            s->nmodels++;
        }
    }
    qsort(s->models, s->nmodels, sizeof *s->models, cmp_str);
    ngram_tokenizer_free(tk);
    *out = s;
    return CONTAM_OK;
fail:
    ngram_tokenizer_free(tk);
    quality_samples_free(s);
    return st;
}

int quality_samples_inputs_json(const quality_samples *s, contam_buf *out, int depth)
{
    jsonw w;
    jw_init_ex(&w, out, 1, depth);
    jw_begin_arr(&w, NULL);
    for (size_t k = 0; k < s->nfiles; k++) {
        const quality_samples_file *f = &s->files[k];
        jw_begin_obj(&w, NULL);
        jw_str(&w, "path", f->path);
        jw_str(&w, "xxh3_128", f->checksum);
        jw_str(&w, "model", f->model);
        jw_str(&w, "task", f->task);
        jw_str(&w, "filter", f->filter);
        jw_str(&w, "metric", f->metric);
        jw_u64(&w, "records", f->lines);
        jw_u64(&w, "records_used", f->nrec);
        if (s->joined) {
            jw_u64(&w, "joined", f->matched);
            jw_u64(&w, "not_joined", f->nrec - f->matched);
        }
        jw_end_obj(&w);
    }
    jw_end_arr(&w);
    return w.failed ? -1 : 0;
}
