/* table.c - the benchmark side: tokenize every item once per unit, decide
 * which gram table each (method, item) uses, and build the tables (windows ->
 * JudyL hash -> dense id in first-occurrence order, Bloom filter, items per
 * gram). Ids follow input order, so they never depend on threads or timing. */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_internal.h"

#define SHORT_WHOLE_MIN 5

static contam_status nomem(contam_err *err)
{
    return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory building gram tables");
}

static contam_status tokenize_unit(scan_plan *p, ngram_unit unit, contam_err *err)
{
    const bench_set *b = p->bench;
    scan_unit_tokens *u = &p->units[unit];
    ngram_config cfg = {unit, p->opt.digits_zero, p->opt.seed};
    ngram_tokenizer *tk = ngram_tokenizer_create(&cfg);
    size_t tcap = 0, pcap = 0, n = 0;
    u->start = contam_calloc(b->nitems + 1, sizeof *u->start);
    if (!tk || !u->start)
        goto oom;
    u->used = 1;
    for (size_t i = 0; i < b->nitems; i++) {
        const bench_item *it = &b->items[i];
        const ngram_token *toks;
        size_t nt;
        if (ngram_tokenize(tk, it->text, it->text_len, &toks, &nt, NULL) != CONTAM_OK)
            goto oom;
        if (contam_array_grow(&u->tok, &tcap, n + nt, sizeof *u->tok, 4096) ||
            contam_array_grow(&u->part, &pcap, n + nt, 1, 4096))
            goto oom;
        for (size_t k = 0; k < nt; k++) {
            u->tok[n + k] = toks[k];
            u->part[n + k] = (uint8_t)bench_item_part_at(it, toks[k].start);
        }
        n += nt;
        u->start[i + 1] = n;
    }
    ngram_tokenizer_free(tk);
    return CONTAM_OK;
oom:
    ngram_tokenizer_free(tk);
    return nomem(err);
}

static int find_table(scan_plan *p, ngram_unit unit, unsigned n, int sampled, unsigned samples)
{
    for (size_t t = 0; t < p->ntables; t++)
        if (p->tables[t].unit == unit && p->tables[t].n == n && p->tables[t].sampled == sampled)
            return (int)t;
    if (p->ntables == SCAN_MAX_TABLES)
        return -2;
    scan_table *t = &p->tables[p->ntables];
    memset(t, 0, sizeof *t);
    t->unit = unit;
    t->n = n;
    t->sampled = sampled;
    t->samples = samples;
    return (int)p->ntables++;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Window start positions of item i in table t (ascending). Sampled tables
 * draw `samples` distinct positions from a generator seeded by the scan seed
 * and the item id, so the choice is reproducible and independent of order.
 * They draw among windows that are not benchmark boilerplate (`all` counts
 * items per gram; prefix holds item i's prefix hashes) when there are any, so
 * a template does not use up an item's samples. cand is scratch (ntok). */
static size_t item_windows(const scan_plan *p, const scan_table *t, size_t i, size_t ntok,
                           const uint64_t *prefix, Pvoid_t all, uint32_t *cand, uint32_t *out)
{
    if (ntok < t->n)
        return 0;
    size_t nwin = ntok - t->n + 1;
    if (!t->sampled || nwin <= t->samples) {
        for (size_t k = 0; k < nwin; k++)
            out[k] = (uint32_t)k;
        return nwin;
    }
    size_t ncand = 0;
    uint64_t pw = ngram_base_pow(t->n);
    for (size_t k = 0; k < nwin; k++) {
        PWord_t c;
        JLG(c, all, (Word_t)ngram_window_hash(prefix, k, t->n, pw));
        if (!c || (*c >> 32) <= p->opt.bench_df)
            cand[ncand++] = (uint32_t)k;
    }
    if (ncand == 0) { /* all boilerplate: sample anyway, they will be ignored */
        for (size_t k = 0; k < nwin; k++)
            cand[k] = (uint32_t)k;
        ncand = nwin;
    }
    if (ncand <= t->samples) {
        memcpy(out, cand, ncand * sizeof *out);
        return ncand;
    }
    const char *id = p->bench->items[i].id;
    uint64_t s = p->opt.seed ^ XXH3_64bits(id, strlen(id));
    size_t got = 0;
    while (got < t->samples) {
        uint32_t pos = cand[splitmix64(&s) % ncand];
        int dup = 0;
        for (size_t k = 0; k < got; k++)
            dup |= out[k] == pos;
        if (!dup)
            out[got++] = pos;
    }
    for (size_t a = 1; a < got; a++) /* insertion sort: got is tiny */
        for (size_t c = a; c > 0 && out[c - 1] > out[c]; c--) {
            uint32_t tmp = out[c];
            out[c] = out[c - 1];
            out[c - 1] = tmp;
        }
    return got;
}

/* Items containing each gram over *all* windows, for sampled tables whose own
 * entries hold only the samples. Returns a JudyL hash -> (count << 32 | last
 * item + 1). */
static contam_status count_all_windows(const scan_plan *p, const scan_table *t,
                                       const uint8_t *member, uint64_t *prefix, Pvoid_t *out,
                                       contam_err *err)
{
    const scan_unit_tokens *u = &p->units[t->unit];
    uint64_t pw = ngram_base_pow(t->n);
    Pvoid_t j = NULL;
    for (size_t i = 0; i < p->bench->nitems; i++) {
        if (!member[i])
            continue;
        size_t nt = u->start[i + 1] - u->start[i];
        if (nt < t->n)
            continue;
        ngram_prefix_fill(u->tok + u->start[i], nt, prefix);
        for (size_t k = 0; k + t->n <= nt; k++) {
            uint64_t h = ngram_window_hash(prefix, k, t->n, pw);
            PWord_t v;
            JLI(v, j, (Word_t)h);
            if (v == PJERR) {
                Word_t freed;
                JLFA(freed, j);
                (void)freed;
                return nomem(err);
            }
            if ((*v & UINT32_MAX) != i + 1)
                *v = (((*v >> 32) + 1) << 32) | (i + 1);
        }
    }
    *out = j;
    return CONTAM_OK;
}

static contam_status build_table(scan_plan *p, size_t ti, const uint8_t *member, contam_err *err)
{
    scan_table *t = &p->tables[ti];
    const scan_unit_tokens *u = &p->units[t->unit];
    size_t nitems = p->bench->nitems;
    size_t maxtok = 0;
    contam_status st = CONTAM_OK;
    uint64_t *prefix = NULL, *id_hash = NULL;
    uint32_t *last_item = NULL;
    uint32_t *pos = NULL, *cand = NULL;
    Pvoid_t all = NULL;

    t->wstart = contam_calloc(nitems + 1, sizeof *t->wstart);
    if (!t->wstart)
        return nomem(err);
    for (size_t i = 0; i < nitems; i++) {
        size_t nt = u->start[i + 1] - u->start[i];
        if (nt > maxtok)
            maxtok = nt;
    }
    prefix = contam_malloc((maxtok + 1) * sizeof *prefix);
    pos = contam_malloc((maxtok + 1) * sizeof *pos);
    cand = contam_malloc((maxtok + 1) * sizeof *cand);
    if (!prefix || !pos || !cand)
        goto oom;
    if (t->sampled && (st = count_all_windows(p, t, member, prefix, &all, err)) != CONTAM_OK)
        goto done;
    /* Pass 1: count windows. */
    size_t total = 0;
    for (size_t i = 0; i < nitems; i++) {
        size_t nt = u->start[i + 1] - u->start[i];
        t->wstart[i] = total;
        if (!member[i] || nt < t->n)
            continue;
        if (t->sampled)
            ngram_prefix_fill(u->tok + u->start[i], nt, prefix);
        total += item_windows(p, t, i, nt, prefix, all, cand, pos);
    }
    t->wstart[nitems] = total;
    t->win_id = contam_malloc((total + 1) * sizeof *t->win_id);
    t->win_pos = contam_malloc((total + 1) * sizeof *t->win_pos);
    /* ids are dense and assigned in first-occurrence order (items in input
     * order, windows left to right): deterministic without sorting. total
     * bounds the number of ids. */
    t->bench_df = contam_calloc(total + 1, sizeof *t->bench_df);
    t->ex_item = contam_malloc((total + 1) * sizeof *t->ex_item);
    t->ex_pos = contam_malloc((total + 1) * sizeof *t->ex_pos);
    id_hash = contam_malloc((total + 1) * sizeof *id_hash);
    last_item = contam_malloc((total + 1) * sizeof *last_item);
    if (!t->win_id || !t->win_pos || !t->bench_df || !t->ex_item || !t->ex_pos || !id_hash ||
        !last_item)
        goto oom;
    /* Pass 2: hash windows, give each new gram an id. */
    uint64_t pw = ngram_base_pow(t->n);
    uint32_t nids = 0;
    for (size_t i = 0; i < nitems; i++) {
        size_t nt = u->start[i + 1] - u->start[i];
        if (!member[i] || nt < t->n)
            continue;
        ngram_prefix_fill(u->tok + u->start[i], nt, prefix);
        size_t nw = item_windows(p, t, i, nt, prefix, all, cand, pos);
        for (size_t k = 0; k < nw; k++) {
            size_t slot = t->wstart[i] + k;
            uint64_t h = ngram_window_hash(prefix, pos[k], t->n, pw);
            PWord_t v;
            JLI(v, t->judy, (Word_t)h);
            if (v == PJERR)
                goto oom;
            if (*v == 0) { /* new gram: JudyL zero-fills new values, so store id + 1 */
                uint32_t id = nids++;
                *v = (Word_t)id + 1;
                t->ex_item[id] = (uint32_t)i;
                t->ex_pos[id] = pos[k];
                id_hash[id] = h;
                last_item[id] = UINT32_MAX;
                if (t->sampled) {
                    PWord_t c;
                    JLG(c, all, (Word_t)h);
                    t->bench_df[id] = c ? (uint32_t)(*c >> 32) : 1;
                }
            }
            uint32_t id = (uint32_t)(*v - 1);
            if (!t->sampled && last_item[id] != i) {
                last_item[id] = (uint32_t)i;
                t->bench_df[id]++;
            }
            t->win_pos[slot] = pos[k];
            t->win_id[slot] = id;
        }
    }
    t->nids = nids;
    t->df = contam_calloc((size_t)nids + 1, sizeof *t->df);
    size_t words = 1024;
    while (words * 4 < nids)
        words *= 2;
    t->filter = contam_calloc(words, sizeof *t->filter);
    t->fmask = words - 1;
    if (!t->df || !t->filter)
        goto oom;
    for (uint32_t id = 0; id < nids; id++) {
        uint64_t h = id_hash[id];
        t->filter[(h >> 40) & t->fmask] |= (UINT64_C(1) << (h & 63)) |
                                           (UINT64_C(1) << ((h >> 6) & 63)) |
                                           (UINT64_C(1) << ((h >> 12) & 63));
    }
    if (t->provenance) {
        t->occ = contam_calloc((size_t)nids + 1, sizeof *t->occ);
        if (!t->occ)
            goto oom;
    }
done:
    if (all) {
        Word_t freed;
        JLFA(freed, all);
        (void)freed;
    }
    contam_free(id_hash);
    contam_free(last_item);
    contam_free(prefix);
    contam_free(pos);
    contam_free(cand);
    return st;
oom:
    st = nomem(err);
    goto done;
}

contam_status scan_plan_build(scan_plan *p, const bench_set *b, const scan_options *opt,
                              contam_err *err)
{
    memset(p, 0, sizeof *p);
    p->bench = b;
    p->opt = *opt;
    contam_status st;
    for (size_t m = 0; m < opt->nmethods; m++) {
        ngram_unit u = opt->methods[m].unit;
        if (!p->units[u].used && (st = tokenize_unit(p, u, err)) != CONTAM_OK)
            return st;
    }
    /* Which table serves each (method, item). */
    for (size_t m = 0; m < opt->nmethods; m++) {
        const scan_method *me = &opt->methods[m];
        const scan_unit_tokens *u = &p->units[me->unit];
        p->item_table[m] = contam_malloc(b->nitems + 1);
        if (!p->item_table[m])
            return nomem(err);
        int prim = find_table(p, me->unit, me->n, me->rule == SCAN_RULE_SAMPLED, me->samples);
        if (prim < 0)
            return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "too many gram tables (%d)",
                                  SCAN_MAX_TABLES);
        if (m == 0)
            p->tables[prim].provenance = 1;
        for (size_t i = 0; i < b->nitems; i++) {
            size_t nt = u->start[i + 1] - u->start[i];
            int t = -1;
            if (nt >= me->n)
                t = prim;
            else if (opt->short_whole && nt >= SHORT_WHOLE_MIN) {
                t = find_table(p, me->unit, (unsigned)nt, 0, 0);
                if (t < 0)
                    return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0,
                                          "--short whole needs more than %d gram tables "
                                          "(one per short item length and unit)",
                                          SCAN_MAX_TABLES);
                if (m == 0)
                    p->tables[t].provenance = 1;
            }
            p->item_table[m][i] = (int8_t)t;
        }
    }
    uint8_t *member = contam_malloc(b->nitems + 1);
    if (!member)
        return nomem(err);
    for (size_t t = 0; t < p->ntables; t++) {
        memset(member, 0, b->nitems + 1);
        for (size_t m = 0; m < opt->nmethods; m++)
            for (size_t i = 0; i < b->nitems; i++)
                if (p->item_table[m][i] == (int8_t)t)
                    member[i] = 1;
        if ((st = build_table(p, t, member, err)) != CONTAM_OK) {
            contam_free(member);
            return st;
        }
    }
    contam_free(member);
    return CONTAM_OK;
}

static void occ_list_free(scan_occ_list *o)
{
    if (!o)
        return;
    for (uint32_t k = 0; k < o->n; k++) {
        contam_free(o->v[k].doc);
        contam_free(o->v[k].snippet);
    }
    contam_free(o);
}

void scan_plan_free(scan_plan *p)
{
    if (!p)
        return;
    for (int u = 0; u < 3; u++) {
        contam_free(p->units[u].tok);
        contam_free(p->units[u].part);
        contam_free(p->units[u].start);
    }
    for (size_t ti = 0; ti < p->ntables; ti++) {
        scan_table *t = &p->tables[ti];
        Word_t freed;
        JLFA(freed, t->judy);
        (void)freed;
        contam_free(t->filter);
        contam_free(t->bench_df);
        contam_free(t->ex_item);
        contam_free(t->ex_pos);
        contam_free(t->wstart);
        contam_free(t->win_id);
        contam_free(t->win_pos);
        contam_free(t->df);
        if (t->occ)
            for (uint32_t id = 0; id < t->nids; id++)
                occ_list_free(t->occ[id]);
        contam_free(t->occ);
    }
    for (size_t m = 0; m < SCAN_MAX_METHODS; m++)
        contam_free(p->item_table[m]);
    memset(p, 0, sizeof *p);
}
