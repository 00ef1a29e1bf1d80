/* assess.c - after the corpus pass: per-item statistics and verdicts for
 * every method, provenance for the first method, and the benchmark
 * boilerplate lists. Pure function of the merged tables, so the results are
 * the same whatever the thread count. */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_internal.h"

#define BOILER_LIST_MAX 50

typedef struct {
    const scan_occ *occ;
    uint32_t pos;
} cand;

static int cand_cmp(const void *a, const void *b)
{
    const scan_occ *x = ((const cand *)a)->occ, *y = ((const cand *)b)->occ;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->record != y->record)
        return x->record < y->record ? -1 : 1;
    if (x->text_offset != y->text_offset)
        return x->text_offset < y->text_offset ? -1 : 1;
    uint32_t p = ((const cand *)a)->pos, q = ((const cand *)b)->pos;
    return p < q ? -1 : p > q;
}

/* Is window w of table t evidence for method me, and was it matched? */
typedef enum { W_BOILER, W_FREQUENT, W_MISS, W_MATCH } wstate;

static wstate window_state(const scan_plan *p, const scan_method *me, const scan_table *t,
                           uint32_t id)
{
    if (me->bench_filter && t->bench_df[id] > p->opt.bench_df)
        return W_BOILER;
    if (me->corpus_df && t->df[id] > me->corpus_df)
        return W_FREQUENT;
    return t->df[id] ? W_MATCH : W_MISS;
}

static void assess_item(const scan_plan *p, size_t m, size_t i, uint8_t *cov,
                        scan_item_stats *st)
{
    const scan_method *me = &p->opt.methods[m];
    const scan_unit_tokens *u = &p->units[me->unit];
    size_t base = u->start[i], ntok = u->start[i + 1] - base;
    memset(st, 0, sizeof *st);
    st->tokens = (uint32_t)ntok;
    for (size_t k = 0; k < ntok; k++) {
        if (u->part[base + k] == BENCH_PART_ANSWER)
            st->a_tokens++;
        else
            st->q_tokens++;
    }
    int ti = p->item_table[m][i];
    if (ti < 0) {
        st->verdict = SCAN_TOO_SHORT;
        return;
    }
    const scan_table *t = &p->tables[ti];
    st->whole = t->n != me->n;
    memset(cov, 0, ntok);
    st->df_min = UINT32_MAX;
    for (size_t w = t->wstart[i]; w < t->wstart[i + 1]; w++) {
        uint32_t id = t->win_id[w];
        st->ngrams++;
        switch (window_state(p, me, t, id)) {
        case W_BOILER: st->boilerplate++; break;
        case W_FREQUENT: st->frequent++; break;
        case W_MISS: break;
        case W_MATCH:
            st->matched++;
            memset(cov + t->win_pos[w], 1, t->n);
            if (t->df[id] < st->df_min)
                st->df_min = t->df[id];
            if (t->df[id] > st->df_max)
                st->df_max = t->df[id];
            break;
        }
    }
    if (!st->matched)
        st->df_min = 0;
    uint32_t run = 0;
    for (size_t k = 0; k < ntok; k++) {
        if (cov[k]) {
            st->covered++;
            if (u->part[base + k] == BENCH_PART_ANSWER)
                st->a_covered++;
            else
                st->q_covered++;
            if (++run > st->longest)
                st->longest = run;
        } else {
            run = 0;
        }
    }
    uint32_t eligible = st->ngrams - st->boilerplate - st->frequent;
    double overlap = eligible ? (double)st->matched / eligible : 0.0;
    double coverage = ntok ? (double)st->covered / (double)ntok : 0.0;
    switch (me->rule) {
    case SCAN_RULE_ANY:
    case SCAN_RULE_SAMPLED:
        st->verdict = st->matched ? SCAN_DIRTY : SCAN_CLEAN;
        break;
    case SCAN_RULE_FRACTION:
        st->verdict = st->matched && overlap >= me->threshold ? SCAN_DIRTY : SCAN_CLEAN;
        break;
    case SCAN_RULE_COVERAGE:
        st->verdict = coverage < me->clean_below ? SCAN_CLEAN
                      : coverage >= me->threshold ? SCAN_DIRTY
                                                  : SCAN_NOT_CLEAN;
        break;
    }
}

/* Groups the earliest occurrences of item i's matched grams by document. */
static contam_status item_matches(const scan_plan *p, size_t i, scan_result *r, cand **cbuf,
                                  size_t *ccap)
{
    const scan_method *me = &p->opt.methods[0];
    int ti = p->item_table[0][i];
    if (ti < 0)
        return CONTAM_OK;
    const scan_table *t = &p->tables[ti];
    const scan_unit_tokens *u = &p->units[me->unit];
    size_t nc = 0;
    for (size_t w = t->wstart[i]; w < t->wstart[i + 1]; w++) {
        uint32_t id = t->win_id[w];
        if (window_state(p, me, t, id) != W_MATCH || !t->occ[id])
            continue;
        const scan_occ_list *l = t->occ[id];
        if (contam_array_grow(cbuf, ccap, nc + l->n, sizeof **cbuf, 256))
            return CONTAM_ERR_NOMEM;
        for (uint32_t k = 0; k < l->n; k++)
            (*cbuf)[nc++] = (cand){&l->v[k], t->win_pos[w]};
    }
    if (!nc)
        return CONTAM_OK;
    cand *c = *cbuf;
    qsort(c, nc, sizeof *c, cand_cmp);
    unsigned K = p->opt.max_matches;
    scan_match *out = contam_calloc(K, sizeof *out);
    if (!out)
        return CONTAM_ERR_NOMEM;
    size_t nm = 0;
    for (size_t a = 0; a < nc && nm < K;) {
        size_t b = a;
        uint32_t lo = c[a].pos, hi = c[a].pos;
        while (b < nc && c[b].occ->file == c[a].occ->file && c[b].occ->record == c[a].occ->record) {
            if (c[b].pos < lo)
                lo = c[b].pos;
            if (c[b].pos > hi)
                hi = c[b].pos;
            b++;
        }
        const scan_occ *o = c[a].occ;
        scan_match *mt = &out[nm++];
        mt->file = o->file;
        mt->record = o->record;
        mt->offset = o->offset;
        mt->text_offset = o->text_offset;
        mt->tok_start = lo;
        mt->tok_end = hi + t->n;
        mt->byte_start = u->tok[u->start[i] + lo].start;
        mt->byte_end = u->tok[u->start[i] + hi + t->n - 1].end;
        mt->doc = o->doc ? contam_strdup(o->doc) : NULL;
        mt->snippet = contam_strdup(o->snippet);
        if ((o->doc && !mt->doc) || !mt->snippet) {
            r->matches[i] = out;
            r->nmatches[i] = nm;
            return CONTAM_ERR_NOMEM;
        }
        a = b;
    }
    r->matches[i] = out;
    r->nmatches[i] = nm;
    return CONTAM_OK;
}

typedef struct {
    uint32_t id, items;
} boiler_ref;

static int boiler_cmp(const void *a, const void *b)
{
    const boiler_ref *x = a, *y = b;
    if (x->items != y->items)
        return x->items > y->items ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static contam_status boilerplate_list(const scan_plan *p, size_t m, scan_result *r)
{
    const scan_method *me = &p->opt.methods[m];
    if (!me->bench_filter)
        return CONTAM_OK;
    const scan_table *t = NULL;
    for (size_t ti = 0; ti < p->ntables; ti++)
        if (p->tables[ti].unit == me->unit && p->tables[ti].n == me->n &&
            p->tables[ti].sampled == (me->rule == SCAN_RULE_SAMPLED))
            t = &p->tables[ti];
    if (!t)
        return CONTAM_OK;
    size_t n = 0;
    for (uint32_t id = 0; id < t->nids; id++)
        n += t->bench_df[id] > p->opt.bench_df;
    if (!n)
        return CONTAM_OK;
    boiler_ref *refs = contam_malloc(n * sizeof *refs);
    if (!refs)
        return CONTAM_ERR_NOMEM;
    n = 0;
    for (uint32_t id = 0; id < t->nids; id++)
        if (t->bench_df[id] > p->opt.bench_df)
            refs[n++] = (boiler_ref){id, t->bench_df[id]};
    qsort(refs, n, sizeof *refs, boiler_cmp);
    size_t keep = n < BOILER_LIST_MAX ? n : BOILER_LIST_MAX;
    r->boiler[m] = contam_calloc(keep, sizeof *r->boiler[m]);
    if (!r->boiler[m]) {
        contam_free(refs);
        return CONTAM_ERR_NOMEM;
    }
    const scan_unit_tokens *u = &p->units[me->unit];
    for (size_t k = 0; k < keep; k++) {
        uint32_t id = refs[k].id, item = t->ex_item[id], pos = t->ex_pos[id];
        const bench_item *it = &p->bench->items[item];
        const ngram_token *tk = u->tok + u->start[item];
        scan_boilerplate *bp = &r->boiler[m][k];
        bp->item = item;
        bp->tok = pos;
        bp->items = refs[k].items;
        bp->text = contam_strndup(it->text + tk[pos].start, tk[pos + t->n - 1].end - tk[pos].start);
        r->nboiler[m] = k + 1;
        if (!bp->text) {
            contam_free(refs);
            return CONTAM_ERR_NOMEM;
        }
    }
    contam_free(refs);
    return CONTAM_OK;
}

contam_status scan_assess(scan_plan *p, scan_result *r, contam_err *err)
{
    size_t nm = p->opt.nmethods, ni = p->bench->nitems;
    size_t maxtok = 0;
    for (int u = 0; u < 3; u++)
        if (p->units[u].used)
            for (size_t i = 0; i < ni; i++) {
                size_t nt = p->units[u].start[i + 1] - p->units[u].start[i];
                if (nt > maxtok)
                    maxtok = nt;
            }
    uint8_t *cov = contam_malloc(maxtok + 1);
    cand *cbuf = NULL;
    size_t ccap = 0;
    contam_status st = CONTAM_OK;
    if (!cov)
        goto oom;
    for (size_t i = 0; i < ni; i++)
        for (size_t m = 0; m < nm; m++) {
            scan_item_stats *s = &r->stats[i * nm + m];
            assess_item(p, m, i, cov, s);
            r->boiler_windows[m] += s->boilerplate;
        }
    for (size_t i = 0; i < ni; i++)
        if (item_matches(p, i, r, &cbuf, &ccap) != CONTAM_OK)
            goto oom;
    for (size_t m = 0; m < nm; m++) {
        const scan_method *me = &p->opt.methods[m];
        if (boilerplate_list(p, m, r) != CONTAM_OK)
            goto oom;
        for (size_t ti = 0; ti < p->ntables; ti++) {
            const scan_table *t = &p->tables[ti];
            int used = 0;
            for (size_t i = 0; i < ni && !used; i++)
                used = p->item_table[m][i] == (int8_t)ti;
            if (!used)
                continue;
            r->table_grams[m] += t->nids;
            if (me->corpus_df)
                for (uint32_t id = 0; id < t->nids; id++)
                    r->frequent_grams[m] += t->df[id] > me->corpus_df;
        }
    }
    goto done;
oom:
    st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory assessing items");
done:
    contam_free(cov);
    contam_free(cbuf);
    return st;
}
