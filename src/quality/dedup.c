/* dedup.c - duplicate groups: exact copies (equal after collapsing
 * whitespace) found by hashing, near copies found by MinHash/LSH and
 * verified by exact shingle Jaccard, merged with union-find. Groups are
 * numbered by their first member in input order (the benchmark before the
 * --against sets), so the numbering never depends on hashing or sorting. */
#include <stdlib.h>
#include <string.h>

#include "quality/quality_internal.h"

void quality_dedup_options_init(quality_dedup_options *o)
{
    o->jaccard = 0.8;
    o->shingle = 3;
    o->seed = UINT64_C(0x6d696e6861736831); /* "minhash1" */
}

void quality_dedup_free(quality_dedup *d)
{
    if (!d)
        return;
    for (size_t k = 0; k < d->ngroups; k++)
        contam_free(d->groups[k].m);
    contam_free(d->groups);
    contam_free(d->item_group);
    contam_free(d->sets);
    contam_free(d);
}

typedef struct {
    const char *text; /* normalized dedup text */
    size_t len;
    uint64_t hash;
    uint32_t g;
} exact_key;

static int cmp_exact(const void *a, const void *b)
{
    const exact_key *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->text, y->text, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

static uint32_t uf_find(uint32_t *par, uint32_t x)
{
    while (par[x] != x) {
        par[x] = par[par[x]];
        x = par[x];
    }
    return x;
}

/* The smaller index becomes the root, so a root is its group's first member. */
static void uf_union(uint32_t *par, uint32_t a, uint32_t b)
{
    a = uf_find(par, a);
    b = uf_find(par, b);
    if (a < b)
        par[b] = a;
    else if (b < a)
        par[a] = b;
}

typedef struct {
    const bench_set *const *sets;
    size_t nsets;
    size_t n;
    uint32_t *set_of, *item_of; /* per global index */
    contam_buf norm;            /* normalized texts */
    size_t *norm_off;
    uint32_t *rep;              /* exact class representative */
    uint32_t *par;
    q_minhash mh;
} dedup_work;

static void work_free(dedup_work *w)
{
    contam_free(w->set_of);
    contam_free(w->item_of);
    contam_buf_free(&w->norm);
    contam_free(w->norm_off);
    contam_free(w->rep);
    contam_free(w->par);
    q_minhash_free(&w->mh);
}

static int normalize_all(dedup_work *w)
{
    contam_buf tmp = {0};
    size_t g = 0;
    for (size_t s = 0; s < w->nsets; s++) {
        const bench_set *b = w->sets[s];
        for (size_t i = 0; i < b->nitems; i++, g++) {
            const bench_item *it = &b->items[i];
            size_t s0, s1;
            q_dedup_segments(b, i, &s0, &s1);
            w->norm_off[g] = w->norm.size;
            for (size_t k = s0; k < s1; k++) {
                contam_buf_reset(&tmp);
                if (q_norm_ws(it->text + it->seg[k].start, it->seg[k].end - it->seg[k].start,
                              &tmp) ||
                    (k > s0 && contam_buf_append(&w->norm, "\n", 1)) ||
                    contam_buf_append(&w->norm, tmp.ptr, tmp.size)) {
                    contam_buf_free(&tmp);
                    return -1;
                }
            }
        }
    }
    w->norm_off[g] = w->norm.size;
    contam_buf_free(&tmp);
    return contam_buf_append(&w->norm, "", 0);
}

/* Keys of the n texts base[off[g]..off[g + 1]), sorted so that equal texts
 * are adjacent, in index order. NULL = no memory. */
static exact_key *sorted_keys(const char *base, const size_t *off, size_t n)
{
    exact_key *k = contam_malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return NULL;
    for (size_t g = 0; g < n; g++) {
        k[g].text = base + off[g];
        k[g].len = off[g + 1] - off[g];
        k[g].hash = XXH3_64bits(k[g].text, k[g].len);
        k[g].g = (uint32_t)g;
    }
    qsort(k, n, sizeof *k, cmp_exact);
    return k;
}

/* End of the run of sorted keys equal in text to k[r]. */
static size_t equal_run_end(const exact_key *k, size_t n, size_t r)
{
    size_t e = r + 1;
    while (e < n && k[e].hash == k[r].hash && k[e].len == k[r].len &&
           !memcmp(k[e].text, k[r].text, k[r].len))
        e++;
    return e;
}

static int exact_classes(dedup_work *w)
{
    exact_key *k = sorted_keys(w->norm.ptr, w->norm_off, w->n);
    if (!k)
        return -1;
    for (size_t r = 0; r < w->n;) {
        size_t e = equal_run_end(k, w->n, r);
        for (size_t x = r; x < e; x++) /* sorted by g within equal text: k[r] is the first */
            w->rep[k[x].g] = k[r].g;
        r = e;
    }
    contam_free(k);
    return 0;
}

/* Repeated question texts among the benchmark's items, options aside (MMLU
 * asks "Which of the following is true?" with many option sets): a figure
 * for the report, not a duplicate. */
static int count_questions(const bench_set *b, quality_dedup *d)
{
    exact_key *k = NULL;
    contam_buf all = {0};
    size_t *off = contam_malloc((b->nitems + 1) * sizeof *off);
    int rc = -1;
    if (!off)
        goto out;
    for (size_t i = 0; i < b->nitems; i++) {
        const bench_item *it = &b->items[i];
        off[i] = all.size;
        if (q_norm_ws(it->text, it->nseg ? it->seg[0].end : it->text_len, &all))
            goto out;
    }
    off[b->nitems] = all.size;
    k = sorted_keys(all.ptr, off, b->nitems);
    if (!k)
        goto out;
    for (size_t r = 0; r < b->nitems;) {
        size_t e = equal_run_end(k, b->nitems, r);
        if (e - r > 1 && k[r].len) {
            d->question_groups++;
            d->repeated_questions += e - r - 1;
        }
        r = e;
    }
    rc = 0;
out:
    contam_free(k);
    contam_free(off);
    contam_buf_free(&all);
    return rc;
}

/* Sets gold_differs and conflicting: gold keys of the members, and whether
 * two members with the same item key disagree. key/scratch are scratch. */
static int group_conflicts(dedup_work *w, quality_dup_group *gr, contam_buf *key,
                           contam_buf *scratch)
{
    char **gold = contam_calloc(gr->n, sizeof *gold), **item = contam_calloc(gr->n, sizeof *item);
    int rc = -1;
    if (!gold || !item)
        goto out;
    for (size_t j = 0; j < gr->n; j++) {
        const bench_set *b = w->sets[gr->m[j].set];
        if (q_gold_key(b, gr->m[j].item, key) || q_item_key(b, gr->m[j].item, scratch) ||
            !(gold[j] = contam_strndup(key->ptr ? key->ptr : "", key->size)) ||
            !(item[j] = contam_strndup(scratch->ptr ? scratch->ptr : "", scratch->size)))
            goto out;
    }
    for (size_t x = 0; x < gr->n; x++)
        for (size_t y = x + 1; y < gr->n; y++) {
            if (!gold[x][0] || !gold[y][0] || !strcmp(gold[x], gold[y]))
                continue;
            gr->gold_differs = 1;
            if (!strcmp(item[x], item[y]))
                gr->conflicting = 1;
        }
    rc = 0;
out:
    for (size_t j = 0; gold && item && j < gr->n; j++) {
        contam_free(gold[j]);
        contam_free(item[j]);
    }
    contam_free(gold);
    contam_free(item);
    return rc;
}

/* Assembles the groups that contain a benchmark (set 0) item. */
static int build_groups(dedup_work *w, quality_dedup *d)
{
    size_t n0 = w->sets[0]->nitems;
    uint32_t *size = contam_calloc(w->n ? w->n : 1, sizeof *size);
    uint32_t *gid = contam_calloc(w->n ? w->n : 1, sizeof *gid);
    contam_buf key = {0}, first = {0};
    int rc = -1;
    if (!size || !gid)
        goto out;
    for (size_t g = 0; g < w->n; g++)
        size[uf_find(w->par, (uint32_t)g)]++;
    /* a root is the smallest member; groups with a set-0 member have a set-0 root */
    size_t ng = 0;
    for (size_t g = 0; g < n0; g++)
        if (w->par[g] == g && size[g] >= 2)
            gid[g] = (uint32_t)++ng;
    d->groups = contam_calloc(ng ? ng : 1, sizeof *d->groups);
    if (!d->groups)
        goto out;
    d->ngroups = ng;
    for (size_t g = 0; g < n0; g++)
        if (gid[g]) {
            quality_dup_group *gr = &d->groups[gid[g] - 1];
            gr->id = gid[g];
            gr->m = contam_calloc(size[g], sizeof *gr->m);
            if (!gr->m)
                goto out;
        }
    for (size_t g = 0; g < w->n; g++) {
        uint32_t r = uf_find(w->par, (uint32_t)g);
        if (!gid[r])
            continue;
        quality_dup_group *gr = &d->groups[gid[r] - 1];
        quality_dup_member *m = &gr->m[gr->n++];
        m->set = w->set_of[g];
        m->item = w->item_of[g];
        m->exact = w->rep[g] == w->rep[r];
        m->similarity = m->exact ? 1.0 : q_jaccard(&w->mh, r, g);
        if (g < n0)
            d->item_group[g] = gid[r];
    }
    for (size_t k = 0; k < ng; k++) {
        quality_dup_group *gr = &d->groups[k];
        gr->exact = 1;
        gr->similarity = 1.0;
        for (size_t j = 0; j < gr->n; j++) {
            if (!gr->m[j].exact)
                gr->exact = 0;
            if (gr->m[j].similarity < gr->similarity)
                gr->similarity = gr->m[j].similarity;
        }
        if (group_conflicts(w, gr, &key, &first))
            goto out;
    }
    rc = 0;
out:
    contam_free(size);
    contam_free(gid);
    contam_buf_free(&key);
    contam_buf_free(&first);
    return rc;
}

contam_status quality_dedup_run(const bench_set *const *sets, size_t nsets,
                                const quality_dedup_options *o, quality_dedup **out,
                                contam_err *err)
{
    *out = NULL;
    if (!nsets || o->shingle < 1 || o->shingle > 64 || !(o->jaccard > 0 && o->jaccard <= 1))
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "dedup: bad options");
    dedup_work w;
    memset(&w, 0, sizeof w);
    w.sets = sets;
    w.nsets = nsets;
    for (size_t s = 0; s < nsets; s++)
        w.n += sets[s]->nitems;
    if (w.n >= UINT32_MAX)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "dedup: too many items");
    quality_dedup *d = contam_calloc(1, sizeof *d);
    uint8_t *active = NULL, *other = NULL;
    uint64_t *pairs = NULL;
    size_t npairs = 0, nn = w.n ? w.n : 1;
    contam_status st = CONTAM_ERR_NOMEM;
    if (!d)
        goto fail;
    d->opt = *o;
    d->nsets = nsets;
    if (!(d->sets = contam_malloc(nsets * sizeof *d->sets)))
        goto fail;
    memcpy(d->sets, sets, nsets * sizeof *d->sets);
    d->item_group = contam_calloc(sets[0]->nitems ? sets[0]->nitems : 1, sizeof *d->item_group);
    w.set_of = contam_malloc(nn * sizeof *w.set_of);
    w.item_of = contam_malloc(nn * sizeof *w.item_of);
    w.norm_off = contam_malloc((w.n + 1) * sizeof *w.norm_off);
    w.rep = contam_malloc(nn * sizeof *w.rep);
    w.par = contam_malloc(nn * sizeof *w.par);
    active = contam_malloc(nn);
    other = contam_malloc(nn);
    if (!d->item_group || !w.set_of || !w.item_of || !w.norm_off || !w.rep || !w.par ||
        !active || !other)
        goto fail;
    size_t g = 0;
    for (size_t s = 0; s < nsets; s++)
        for (size_t i = 0; i < sets[s]->nitems; i++, g++) {
            w.set_of[g] = (uint32_t)s;
            w.item_of[g] = (uint32_t)i;
            w.par[g] = (uint32_t)g;
            other[g] = s != 0;
        }
    if (normalize_all(&w) || exact_classes(&w))
        goto fail;
    if ((st = q_minhash_build(sets, nsets, o->shingle, o->seed, &w.mh, err)) != CONTAM_OK)
        goto fail_set;
    for (g = 0; g < w.n; g++) {
        active[g] = w.rep[g] == g; /* one representative per exact class */
        uf_union(w.par, (uint32_t)g, w.rep[g]);
    }
    if ((st = q_lsh_candidates(&w.mh, active, other, &pairs, &npairs, err)) != CONTAM_OK)
        goto fail_set;
    d->candidates = npairs;
    for (size_t k = 0; k < npairs; k++) {
        uint32_t a = (uint32_t)(pairs[k] >> 32), b = (uint32_t)pairs[k];
        if (q_jaccard(&w.mh, a, b) >= o->jaccard) {
            d->near_pairs++;
            uf_union(w.par, a, b);
        }
    }
    st = CONTAM_ERR_NOMEM;
    if (build_groups(&w, d) || count_questions(sets[0], d))
        goto fail;
    contam_free(pairs);
    contam_free(active);
    contam_free(other);
    work_free(&w);
    *out = d;
    return CONTAM_OK;
fail:
    contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory (dedup)");
fail_set:
    contam_free(pairs);
    contam_free(active);
    contam_free(other);
    work_free(&w);
    quality_dedup_free(d);
    return st;
}
