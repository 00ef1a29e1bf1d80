/* impact.c - does contamination move the score? Per model, task and
 * subject: accuracy on all items, on clean items and on dirty items, with
 * counts and seeded percentile-bootstrap intervals, and a flag when clean is
 * more than flag_points below all (the reading of GPT-3's appendix C).
 *
 * Each row's random stream is seeded from the user's seed and the row's own
 * data (items and outcomes), so a row is reproducible on its own and two
 * rows over the same items (MMLU's task and subject rows) get the same
 * interval. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quality/quality_internal.h"

void quality_impact_options_init(quality_impact_options *o)
{
    o->samples = 1000;
    o->seed = 20240101;
    o->level = 0.95;
    o->flag_points = 1.0;
}

void quality_impact_free(quality_impact *im)
{
    if (!im)
        return;
    for (size_t k = 0; k < im->nrows; k++) {
        contam_free(im->rows[k].model);
        contam_free(im->rows[k].task);
        contam_free(im->rows[k].subject);
    }
    contam_free(im->rows);
    contam_free(im);
}

/* ---- random numbers: xoshiro256** seeded by splitmix64 ----------------------------- */

typedef struct {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
    for (int k = 0; k < 4; k++)
        r->s[k] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r)
{
    uint64_t res = rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;
    r->s[2] ^= r->s[0];
    r->s[3] ^= r->s[1];
    r->s[1] ^= r->s[2];
    r->s[0] ^= r->s[3];
    r->s[2] ^= t;
    r->s[3] = rotl(r->s[3], 45);
    return res;
}

/* Uniform in [0, n), n < 2^32 (Lemire's multiply with rejection: unbiased). */
static uint32_t rng_below(rng *r, uint32_t n)
{
    uint64_t m = (rng_next(r) >> 32) * (uint64_t)n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t t = (uint32_t)(-n) % n;
        while (low < t) {
            m = (rng_next(r) >> 32) * (uint64_t)n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* ---- entries ------------------------------------------------------------------------- */

typedef struct {
    uint32_t model;
    const char *task;
    uint32_t item;
    uint32_t file, rec; /* input order: the first record of an item wins */
    double correct;
    uint8_t dirty;
} entry;

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->model != y->model)
        return x->model < y->model ? -1 : 1;
    int c = strcmp(x->task, y->task);
    if (c)
        return c;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x->rec < y->rec ? -1 : x->rec > y->rec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    uint64_t key; /* content hash of the row's data */
    uint64_t n[3];
    double acc[3], ci[3][2];
} row_stats;

typedef struct {
    const quality_impact_options *o;
    double *vals, *means;
    row_stats *memo;
    size_t nmemo, memocap;
} calc_ctx;

/* Mean and percentile-bootstrap interval of v[0..n). */
static void boot(calc_ctx *c, const double *v, size_t n, uint64_t seed, double *acc, double ci[2])
{
    double sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += v[k];
    *acc = n ? sum / (double)n : NAN;
    ci[0] = ci[1] = NAN;
    if (!n)
        return;
    rng r;
    rng_seed(&r, seed);
    unsigned B = c->o->samples;
    for (unsigned b = 0; b < B; b++) {
        double s = 0;
        for (size_t k = 0; k < n; k++)
            s += v[rng_below(&r, (uint32_t)n)];
        c->means[b] = s / (double)n;
    }
    qsort(c->means, B, sizeof *c->means, cmp_double);
    size_t lo = (size_t)floor((1 - c->o->level) / 2 * B);
    if (lo > (B - 1) / 2)
        lo = (B - 1) / 2;
    ci[0] = c->means[lo];
    ci[1] = c->means[B - 1 - lo];
}

/* Statistics of the entries e[idx[0..n)]. */
static int row_compute(calc_ctx *c, const entry *e, const size_t *idx, size_t n, row_stats *out)
{
    XXH3_state_t st;
    memset(&st, 0, sizeof st); /* silences a -Wmaybe-uninitialized false positive */
    XXH3_64bits_reset_withSeed(&st, c->o->seed);
    for (size_t k = 0; k < n; k++) {
        const entry *x = &e[idx[k]];
        XXH3_64bits_update(&st, &x->item, sizeof x->item);
        XXH3_64bits_update(&st, &x->correct, sizeof x->correct);
        XXH3_64bits_update(&st, &x->dirty, sizeof x->dirty);
    }
    uint64_t key = XXH3_64bits_digest(&st);
    for (size_t m = 0; m < c->nmemo; m++)
        if (c->memo[m].key == key && c->memo[m].n[0] == n) {
            *out = c->memo[m];
            return 0;
        }
    memset(out, 0, sizeof *out);
    out->key = key;
    for (int sub = 0; sub < 3; sub++) { /* all, clean, dirty */
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            const entry *x = &e[idx[k]];
            if (sub == 0 || (sub == 1 && !x->dirty) || (sub == 2 && x->dirty))
                c->vals[m++] = x->correct;
        }
        out->n[sub] = m;
        boot(c, c->vals, m, key + (uint64_t)sub * UINT64_C(0x9e3779b97f4a7c15), &out->acc[sub],
             out->ci[sub]);
    }
    if (contam_array_grow(&c->memo, &c->memocap, c->nmemo + 1, sizeof *c->memo, 64))
        return -1;
    c->memo[c->nmemo++] = *out;
    return 0;
}

typedef struct {
    quality_impact *im;
    size_t cap;
} rows_out;

static int push_row(rows_out *ro, const quality_impact_options *o, const char *model,
                    const char *task, const char *subject, const row_stats *st)
{
    quality_impact *im = ro->im;
    if (contam_array_grow(&im->rows, &ro->cap, im->nrows + 1, sizeof *im->rows, 64))
        return -1;
    quality_impact_row *r = &im->rows[im->nrows];
    memset(r, 0, sizeof *r);
    r->model = contam_strdup(model);
    r->task = contam_strdup(task);
    r->subject = contam_strdup(subject);
    im->nrows++;
    if (!r->model || !r->task || !r->subject)
        return -1;
    r->n_all = st->n[0];
    r->n_clean = st->n[1];
    r->n_dirty = st->n[2];
    r->acc_all = st->acc[0];
    r->acc_clean = st->acc[1];
    r->acc_dirty = st->acc[2];
    memcpy(r->ci_all, st->ci[0], sizeof r->ci_all);
    memcpy(r->ci_clean, st->ci[1], sizeof r->ci_clean);
    memcpy(r->ci_dirty, st->ci[2], sizeof r->ci_dirty);
    r->flag = r->n_dirty && r->n_clean &&
              r->acc_clean < r->acc_all - o->flag_points / 100.0 - 1e-12;
    return 0;
}

typedef struct {
    const char *subject;
    size_t e;
} subj_ix;

static int cmp_subj_ix(const void *a, const void *b)
{
    const subj_ix *x = a, *y = b;
    int c = strcmp(x->subject, y->subject);
    if (c)
        return c;
    return x->e < y->e ? -1 : x->e > y->e;
}

/* Rows for entries e[lo..hi) (one model; one task, or all tasks when task is
 * "(all)"): the aggregate row, then one row per subject. */
static int emit_rows(calc_ctx *c, rows_out *ro, const bench_set *b, const entry *e, size_t lo,
                     size_t hi, const char *model, const char *task, size_t *idx, subj_ix *sx)
{
    size_t n = hi - lo;
    for (size_t k = 0; k < n; k++)
        idx[k] = lo + k;
    row_stats st;
    if (row_compute(c, e, idx, n, &st) || push_row(ro, c->o, model, task, "(all)", &st))
        return -1;
    size_t ns = 0;
    for (size_t k = lo; k < hi; k++)
        if (b->items[e[k].item].subject[0])
            sx[ns++] = (subj_ix){b->items[e[k].item].subject, k};
    qsort(sx, ns, sizeof *sx, cmp_subj_ix);
    for (size_t a = 0; a < ns;) {
        size_t z = a;
        while (z < ns && !strcmp(sx[z].subject, sx[a].subject))
            z++;
        for (size_t k = a; k < z; k++)
            idx[k - a] = sx[k].e;
        if (row_compute(c, e, idx, z - a, &st) ||
            push_row(ro, c->o, model, task, sx[a].subject, &st))
            return -1;
        a = z;
    }
    return 0;
}

contam_status quality_impact_run(const quality_samples *s, const bench_set *b,
                                 const uint8_t *dirty, const quality_impact_options *o,
                                 quality_impact **out, contam_err *err)
{
    *out = NULL;
    if (!o->samples || o->samples > 1000000 || !(o->level > 0 && o->level < 1))
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "impact: bad bootstrap options");
    contam_status st = CONTAM_OK;
    quality_impact *im = contam_calloc(1, sizeof *im);
    size_t total = 0;
    for (size_t f = 0; f < s->nfiles; f++)
        total += s->files[f].nrec;
    entry *e = contam_malloc((total ? total : 1) * sizeof *e);
    size_t *idx = contam_malloc((total ? total : 1) * sizeof *idx);
    subj_ix *sx = contam_malloc((total ? total : 1) * sizeof *sx);
    calc_ctx c = {o, NULL, NULL, NULL, 0, 0};
    c.vals = contam_malloc((total ? total : 1) * sizeof *c.vals);
    c.means = contam_malloc(o->samples * sizeof *c.means);
    rows_out ro = {im, 0};
    if (!im || !e || !idx || !sx || !c.vals || !c.means)
        goto nomem;
    im->opt = *o;
    size_t ne = 0;
    for (size_t f = 0; f < s->nfiles; f++) {
        const quality_samples_file *file = &s->files[f];
        uint32_t m = 0;
        while (m < s->nmodels && strcmp(s->models[m], file->model))
            m++;
        for (size_t k = 0; k < file->nrec; k++) {
            const quality_sample *r = &file->rec[k];
            im->records++;
            if (r->item < 0 || (size_t)r->item >= b->nitems) {
                im->unjoined++;
                continue;
            }
            im->joined++;
            e[ne++] = (entry){m, file->task, (uint32_t)r->item, (uint32_t)f, (uint32_t)k,
                              r->correct, (uint8_t)(dirty[r->item] != 0)};
        }
    }
    qsort(e, ne, sizeof *e, cmp_entry);
    /* one entry per (model, task, item): a second record of the same item in
     * the same task (a duplicate task file) would count it twice */
    size_t u = 0;
    for (size_t k = 0; k < ne; k++)
        if (!u || e[u - 1].model != e[k].model || strcmp(e[u - 1].task, e[k].task) ||
            e[u - 1].item != e[k].item)
            e[u++] = e[k];
    ne = u;
    for (size_t a = 0; a < ne;) {
        size_t z = a, ntasks = 0;
        while (z < ne && e[z].model == e[a].model) {
            if (z == a || strcmp(e[z].task, e[z - 1].task))
                ntasks++;
            z++;
        }
        const char *model = s->models[e[a].model];
        if (ntasks > 1 &&
            emit_rows(&c, &ro, b, e, a, z, model, "(all)", idx, sx))
            goto nomem;
        for (size_t t = a; t < z;) {
            size_t te = t;
            while (te < z && !strcmp(e[te].task, e[t].task))
                te++;
            if (emit_rows(&c, &ro, b, e, t, te, model, e[t].task, idx, sx))
                goto nomem;
            t = te;
        }
        a = z;
    }
    *out = im;
    goto done;
nomem:
    quality_impact_free(im);
    st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory (impact)");
done:
    contam_free(e);
    contam_free(idx);
    contam_free(sx);
    contam_free(c.vals);
    contam_free(c.means);
    contam_free(c.memo);
    return st;
}

static void put_acc(jsonw *w, const char *key, uint64_t n, double acc)
{
    if (n)
        jw_num(w, key, acc);
    else
        jw_null(w, key);
}

static void put_ci(jsonw *w, const char *key, uint64_t n, const double ci[2])
{
    if (!n) {
        jw_null(w, key);
        return;
    }
    /* one line: [lo, hi] */
    contam_buf t = {0};
    jsonw in;
    jw_init_ex(&in, &t, 0, 0);
    jw_begin_arr(&in, NULL);
    jw_num(&in, NULL, ci[0]);
    jw_num(&in, NULL, ci[1]);
    jw_end_arr(&in);
    if (in.failed)
        w->failed = 1;
    else
        jw_raw(w, key, t.ptr);
    contam_buf_free(&t);
}

int quality_impact_section(const quality_impact *im, contam_buf *out, int depth)
{
    jsonw w;
    jw_init_ex(&w, out, 1, depth);
    jw_begin_obj(&w, NULL);
    jw_begin_obj(&w, "bootstrap");
    jw_u64(&w, "samples", im->opt.samples);
    jw_u64(&w, "seed", im->opt.seed);
    jw_num(&w, "level", im->opt.level);
    jw_str(&w, "method", "percentile; items resampled with replacement within each subset");
    jw_end_obj(&w);
    jw_num(&w, "flag_points", im->opt.flag_points);
    jw_u64(&w, "records", im->records);
    jw_u64(&w, "joined", im->joined);
    jw_u64(&w, "not_joined", im->unjoined);
    size_t flagged = 0;
    for (size_t k = 0; k < im->nrows; k++)
        flagged += im->rows[k].flag;
    jw_u64(&w, "flagged_rows", flagged);
    jw_begin_arr(&w, "rows");
    for (size_t k = 0; k < im->nrows; k++) {
        const quality_impact_row *r = &im->rows[k];
        jw_begin_obj(&w, NULL);
        jw_str(&w, "model", r->model);
        jw_str(&w, "task", r->task);
        jw_str(&w, "subject", r->subject);
        jw_u64(&w, "n_all", r->n_all);
        put_acc(&w, "acc_all", r->n_all, r->acc_all);
        put_ci(&w, "ci_all", r->n_all, r->ci_all);
        jw_u64(&w, "n_clean", r->n_clean);
        put_acc(&w, "acc_clean", r->n_clean, r->acc_clean);
        put_ci(&w, "ci_clean", r->n_clean, r->ci_clean);
        jw_u64(&w, "n_dirty", r->n_dirty);
        put_acc(&w, "acc_dirty", r->n_dirty, r->acc_dirty);
        put_ci(&w, "ci_dirty", r->n_dirty, r->ci_dirty);
        if (r->n_clean && r->n_all) {
            jw_num(&w, "clean_minus_all", r->acc_clean - r->acc_all);
            if (r->acc_all > 0)
                jw_num(&w, "relative_difference", (r->acc_clean - r->acc_all) / r->acc_all);
            else
                jw_null(&w, "relative_difference");
        } else {
            jw_null(&w, "clean_minus_all");
            jw_null(&w, "relative_difference");
        }
        jw_bool(&w, "flag", r->flag);
        jw_end_obj(&w);
    }
    jw_end_arr(&w);
    jw_str(&w, "how",
           "acc = mean of the metric over the items joined to the benchmark (one record per "
           "item, model and task, the chosen filter); clean/dirty from the scan's first "
           "method (dirty = dirty or not_clean, as in the dirty/ split); intervals: "
           "percentile bootstrap; flag: acc_clean < acc_all - flag_points/100 with at least "
           "one dirty item; relative_difference = clean_minus_all / acc_all.");
    jw_end_obj(&w);
    return w.failed ? -1 : 0;
}
