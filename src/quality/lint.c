/* lint.c - runs every check over a benchmark: the per-item checks, the
 * duplicate-conflict checks from a dedup result and the model-evidence
 * checks from joined samples; findings sorted by item then code; lint.jsonl
 * and the report.json "lint" section. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quality/quality_internal.h"

#define LINT_EXAMPLES 50

void quality_lint_options_init(quality_lint_options *o) { o->min_models = 2; }

void quality_lint_free(quality_lint *l)
{
    if (!l)
        return;
    for (size_t k = 0; k < l->n; k++)
        contam_free(l->v[k].message);
    contam_free(l->v);
    contam_free(l->by_check);
    contam_free(l);
}

typedef struct {
    quality_lint *l;
    size_t cap;
    uint32_t item;
} collector;

static int add(collector *c, uint32_t item, int check, const char *msg)
{
    quality_lint *l = c->l;
    if (l->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        quality_finding *v = contam_realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        c->cap = cap;
    }
    char *m = contam_strdup(msg);
    if (!m)
        return -1;
    l->v[l->n++] = (quality_finding){item, (uint16_t)check, m};
    return 0;
}

static int collect(int check, const char *msg, void *user)
{
    collector *c = user;
    return add(c, c->item, check, msg);
}

static int add_evidence(uint32_t item, int check, const char *msg, void *user)
{
    return add(user, item, check, msg);
}

/* The most common option count among multiple-choice items (ties: fewer). */
static size_t usual_options(const bench_set *b)
{
    size_t count[QUALITY_MAX_OPTIONS + 2];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < b->nitems; i++) {
        quality_item_view v;
        quality_item_view_get(b, i, &v);
        if (v.mc)
            count[v.nopt <= QUALITY_MAX_OPTIONS ? v.nopt : QUALITY_MAX_OPTIONS + 1]++;
    }
    size_t best = 0;
    for (size_t k = 1; k <= QUALITY_MAX_OPTIONS; k++)
        if (count[k] > count[best])
            best = k;
    return count[best] ? best : 0;
}

/* C001: members of a duplicate group that are the same item (q_item_key)
 * with different gold answers. */
static int dup_findings(collector *c, const quality_dedup *d)
{
    contam_buf key = {0}, other = {0}, ik = {0}, ok = {0}, msg = {0};
    int rc = -1;
    for (size_t k = 0; k < d->ngroups; k++) {
        const quality_dup_group *gr = &d->groups[k];
        if (!gr->conflicting)
            continue;
        for (size_t j = 0; j < gr->n; j++) {
            const quality_dup_member *m = &gr->m[j];
            if (m->set != 0)
                continue;
            if (q_gold_key(d->sets[0], m->item, &key) || q_item_key(d->sets[0], m->item, &ik))
                goto out;
            contam_buf_reset(&msg);
            if (contam_buf_printf(&msg, "duplicate group %u: gold '", gr->id) ||
                q_excerpt(key.size ? key.ptr : "?", key.size ? key.size : 1, 60, &msg) ||
                contam_buf_puts(&msg, "' here"))
                goto out;
            size_t listed = 0;
            for (size_t o = 0; o < gr->n && listed < 3; o++) {
                const quality_dup_member *x = &gr->m[o];
                if (o == j)
                    continue;
                if (q_gold_key(d->sets[x->set], x->item, &other) ||
                    q_item_key(d->sets[x->set], x->item, &ok))
                    goto out;
                if (!other.size || !key.size ||
                    (other.size == key.size && !memcmp(other.ptr, key.ptr, key.size)) ||
                    ok.size != ik.size || memcmp(ok.ptr, ik.ptr, ik.size))
                    continue;
                if (contam_buf_puts(&msg, listed ? ", '" : "; '") ||
                    q_excerpt(other.ptr, other.size, 60, &msg) ||
                    contam_buf_printf(&msg, "' in %s", d->sets[x->set]->items[x->item].id))
                    goto out;
                listed++;
            }
            if (listed && add(c, m->item, QC_DUP_CONFLICT, msg.ptr))
                goto out;
        }
    }
    rc = 0;
out:
    contam_buf_free(&key);
    contam_buf_free(&other);
    contam_buf_free(&ik);
    contam_buf_free(&ok);
    contam_buf_free(&msg);
    return rc;
}

/* ---- C002: the same question elsewhere, with this item's wrong option as gold ---- */

typedef struct {
    char *q;       /* normalized question */
    char *gold;    /* normalized gold option */
    char *item;    /* item key */
    char **opt;    /* normalized options */
    size_t nopt;
    uint32_t i;
} qinfo;

static int cmp_qinfo(const void *a, const void *b)
{
    const qinfo *x = a, *y = b;
    int c = strcmp(x->q, y->q);
    return c ? c : (x->i < y->i ? -1 : x->i > y->i);
}

static void qinfo_free(qinfo *v, size_t n)
{
    for (size_t k = 0; v && k < n; k++) {
        contam_free(v[k].q);
        contam_free(v[k].gold);
        contam_free(v[k].item);
        for (size_t j = 0; j < v[k].nopt; j++)
            contam_free(v[k].opt[j]);
        contam_free(v[k].opt);
    }
    contam_free(v);
}

static char *norm_dup(const char *s, size_t n, contam_buf *t)
{
    contam_buf_reset(t);
    if (q_norm_answer(s, n, t))
        return NULL;
    return contam_strndup(t->ptr, t->size);
}

static int same_question_findings(collector *c, const bench_set *b)
{
    qinfo *v = contam_calloc(b->nitems ? b->nitems : 1, sizeof *v);
    contam_buf t = {0}, msg = {0};
    size_t n = 0;
    int rc = -1;
    if (!v)
        goto out;
    for (size_t i = 0; i < b->nitems; i++) {
        quality_item_view iv;
        quality_item_view_get(b, i, &iv);
        if (!iv.mc || iv.gold_state != QUALITY_GOLD_OK || iv.gold >= QUALITY_MAX_OPTIONS)
            continue;
        qinfo *x = &v[n++];
        size_t no = iv.nopt < QUALITY_MAX_OPTIONS ? iv.nopt : QUALITY_MAX_OPTIONS;
        x->i = (uint32_t)i;
        if (!(x->q = norm_dup(iv.q, iv.qlen, &t)) ||
            !(x->gold = norm_dup(iv.opt[iv.gold], iv.optlen[iv.gold], &t)) ||
            q_item_key(b, i, &t) || !(x->item = contam_strndup(t.ptr, t.size)) ||
            !(x->opt = contam_calloc(no, sizeof *x->opt)))
            goto out;
        for (; x->nopt < no; x->nopt++)
            if (!(x->opt[x->nopt] = norm_dup(iv.opt[x->nopt], iv.optlen[x->nopt], &t)))
                goto out;
    }
    qsort(v, n, sizeof *v, cmp_qinfo);
    for (size_t a = 0; a < n;) {
        size_t e = a + 1;
        while (e < n && !strcmp(v[e].q, v[a].q))
            e++;
        for (size_t y = a; y < e; y++) {
            if (!v[y].q[0])
                break;
            for (size_t x = a; x < e; x++) {
                if (x == y || !strcmp(v[x].item, v[y].item) || !strcmp(v[x].gold, v[y].gold))
                    continue; /* same item: C001's business; same gold: no contradiction */
                int wrong_here = 0;
                for (size_t k = 0; k < v[y].nopt && !wrong_here; k++)
                    wrong_here = !strcmp(v[y].opt[k], v[x].gold);
                if (!wrong_here)
                    continue;
                contam_buf_reset(&msg);
                if (contam_buf_puts(&msg, "the same question in ") ||
                    contam_buf_puts(&msg, b->items[v[x].i].id) ||
                    contam_buf_puts(&msg, " has gold '") ||
                    q_excerpt(v[x].gold, strlen(v[x].gold), 60, &msg) ||
                    contam_buf_puts(&msg, "', a wrong option here (gold '") ||
                    q_excerpt(v[y].gold, strlen(v[y].gold), 60, &msg) ||
                    contam_buf_puts(&msg, "')") || add(c, v[y].i, QC_SAME_QUESTION, msg.ptr))
                    goto out;
                break; /* one finding per item */
            }
        }
        a = e;
    }
    rc = 0;
out:
    qinfo_free(v, n);
    contam_buf_free(&t);
    contam_buf_free(&msg);
    return rc;
}

static int cmp_finding(const void *a, const void *b)
{
    const quality_finding *x = a, *y = b;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    if (x->check != y->check)
        return x->check < y->check ? -1 : 1;
    return strcmp(x->message, y->message);
}

contam_status quality_lint_run(const bench_set *b, const quality_dedup *d,
                               const quality_samples *s, const quality_lint_options *o,
                               quality_lint **out, contam_err *err)
{
    *out = NULL;
    quality_lint *l = contam_calloc(1, sizeof *l);
    if (!l)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory (lint)");
    l->b = b;
    l->min_models = o->min_models;
    collector c = {l, 0, 0};
    size_t usual = usual_options(b);
    l->by_check = contam_calloc(QC_NCHECKS, sizeof *l->by_check);
    if (!l->by_check)
        goto nomem;
    for (size_t i = 0; i < b->nitems; i++) {
        c.item = (uint32_t)i;
        if (quality_lint_item(b, i, usual, collect, &c))
            goto nomem;
    }
    if ((d && dup_findings(&c, d)) || same_question_findings(&c, b))
        goto nomem;
    if (s && q_evidence(b, s, o->min_models, add_evidence, &c, &l->nmodels))
        goto nomem;
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, cmp_finding);
    for (size_t k = 0; k < l->n; k++)
        l->by_check[l->v[k].check]++;
    l->ran_dedup = d != NULL;
    l->ran_evidence = s != NULL;
    *out = l;
    return CONTAM_OK;
nomem:
    quality_lint_free(l);
    return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory (lint)");
}

static void put_finding(jsonw *w, const quality_lint *l, const quality_finding *f)
{
    size_t nc;
    const quality_check *ck = quality_checks(&nc);
    const bench_item *it = &l->b->items[f->item];
    jw_begin_obj(w, NULL);
    jw_str(w, "id", it->id);
    jw_str(w, "source", l->b->files[it->file].path);
    jw_u64(w, "record", it->record);
    jw_str(w, "subject", it->subject);
    jw_str(w, "code", ck[f->check].code);
    jw_str(w, "name", ck[f->check].name);
    jw_str(w, "severity", quality_severity_name(ck[f->check].severity));
    jw_str(w, "message", f->message);
    jw_end_obj(w);
}

int quality_lint_jsonl(const quality_lint *l, contam_buf *out)
{
    for (size_t k = 0; k < l->n; k++) {
        jsonw w;
        jw_init_ex(&w, out, 0, 0);
        put_finding(&w, l, &l->v[k]);
        if (w.failed || contam_buf_puts(out, "\n"))
            return -1;
    }
    return 0;
}

static int check_ran(const quality_lint *l, int check)
{
    if (check == QC_DUP_CONFLICT)
        return l->ran_dedup;
    if (check == QC_MODELS_AGREE || check == QC_ALL_WRONG)
        return l->ran_evidence;
    return 1;
}

typedef struct {
    const char *subject;
    uint16_t check;
} subj_check;

static int cmp_sc(const void *a, const void *b)
{
    const subj_check *x = a, *y = b;
    int c = strcmp(x->subject, y->subject);
    if (c)
        return c;
    return x->check < y->check ? -1 : x->check > y->check;
}

int quality_lint_section(const quality_lint *l, contam_buf *out, int depth)
{
    size_t nc;
    const quality_check *ck = quality_checks(&nc);
    subj_check *sc = contam_malloc((l->n ? l->n : 1) * sizeof *sc);
    if (!sc)
        return -1;
    uint64_t sev[3] = {0, 0, 0}, items = 0;
    for (size_t k = 0; k < l->n; k++) {
        const char *s = l->b->items[l->v[k].item].subject;
        sc[k] = (subj_check){s[0] ? s : "(none)", l->v[k].check};
        sev[ck[l->v[k].check].severity]++;
        items += k == 0 || l->v[k].item != l->v[k - 1].item;
    }
    qsort(sc, l->n, sizeof *sc, cmp_sc);
    jsonw w;
    jw_init_ex(&w, out, 1, depth);
    jw_begin_obj(&w, NULL);
    jw_u64(&w, "findings", l->n);
    jw_u64(&w, "items_with_findings", items);
    jw_u64(&w, "errors", sev[QUALITY_ERROR]);
    jw_u64(&w, "warnings", sev[QUALITY_WARNING]);
    jw_u64(&w, "infos", sev[QUALITY_INFO]);
    jw_begin_obj(&w, "by_check");
    for (size_t k = 0; k < nc; k++) {
        jw_begin_obj(&w, ck[k].code);
        jw_str(&w, "name", ck[k].name);
        jw_str(&w, "severity", quality_severity_name(ck[k].severity));
        jw_u64(&w, "count", l->by_check[k]);
        jw_bool(&w, "ran", check_ran(l, (int)k));
        jw_str(&w, "description", ck[k].description);
        jw_end_obj(&w);
    }
    jw_end_obj(&w);
    jw_begin_obj(&w, "by_subject");
    for (size_t a = 0; a < l->n;) {
        size_t e = a;
        while (e < l->n && !strcmp(sc[e].subject, sc[a].subject))
            e++;
        jw_begin_obj(&w, sc[a].subject);
        for (size_t x = a; x < e;) {
            size_t y = x;
            while (y < e && sc[y].check == sc[x].check)
                y++;
            jw_u64(&w, ck[sc[x].check].code, y - x);
            x = y;
        }
        jw_end_obj(&w);
        a = e;
    }
    jw_end_obj(&w);
    /* examples: round-robin over the checks that fired, so a frequent check
     * cannot hide the rare ones; listed by code, then item order */
    size_t firsts[QC_NCHECKS][LINT_EXAMPLES], nfirst[QC_NCHECKS];
    memset(nfirst, 0, sizeof nfirst);
    for (size_t f = 0; f < l->n; f++) {
        size_t k = l->v[f].check;
        if (nfirst[k] < LINT_EXAMPLES)
            firsts[k][nfirst[k]++] = f;
    }
    size_t take[QC_NCHECKS], npick = 0;
    memset(take, 0, sizeof take);
    for (size_t round = 0; round < LINT_EXAMPLES && npick < LINT_EXAMPLES; round++)
        for (size_t k = 0; k < QC_NCHECKS && npick < LINT_EXAMPLES; k++)
            if (take[k] < nfirst[k]) {
                take[k]++;
                npick++;
            }
    jw_begin_arr(&w, "examples");
    for (size_t k = 0; k < QC_NCHECKS; k++)
        for (size_t p = 0; p < take[k]; p++)
            put_finding(&w, l, &l->v[firsts[k][p]]);
    jw_end_arr(&w);
    if (l->ran_evidence) {
        jw_begin_obj(&w, "models");
        jw_u64(&w, "given", l->nmodels);
        jw_u64(&w, "min_models", l->min_models);
        jw_end_obj(&w);
    }
    jw_str(&w, "how", "Each check is documented in docs/CHECKS.md with what it catches, what it "
                      "misses and its measured hit quality.");
    jw_end_obj(&w);
    contam_free(sc);
    return w.failed ? -1 : 0;
}
