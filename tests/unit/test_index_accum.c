/* test_index_accum.c - a build thread's in-memory n-gram set (index/accum.c)
 * and the tournament tree of merge cursors (kmerge.c), each checked against a
 * reference written here: qsort over every pushed (hash, record) pair, and
 * the sorted concatenation of the arrays being merged. Spilled runs are read
 * back byte by byte (the layout documented in run.c) and through the merge's
 * own run reader (idx_source_run + idx_kmerge). */
#define FIXTURE_PREFIX "accum"
#include "test_fixture.h"

#include "index/index_accum.h"

#define FREQUENT UINT64_C(0x0123456789abcdef) /* one very common n-gram */

static const unsigned g_flags[] = {0, IDX_FLAG_DF, IDX_FLAG_PROV, IDX_FLAG_DF | IDX_FLAG_PROV};

static uint64_t xs64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- the reference: every pushed pair, sorted -------------------------------- */

typedef struct {
    idx_pair *p;
    size_t n, cap;
} pair_log;

static void log_add(pair_log *l, uint64_t h, uint64_t o)
{
    assert_int_equal(contam_array_grow(&l->p, &l->cap, l->n + 1, sizeof *l->p, 4096), 0);
    l->p[l->n].h = h;
    l->p[l->n++].o = o;
}

static int cmp_pair(const void *a, const void *b)
{
    const idx_pair *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->o < y->o ? -1 : x->o > y->o;
}

static int cmp_entry(const void *a, const void *b)
{
    return cmp_u64(&((const idx_entry *)a)->key, &((const idx_entry *)b)->key);
}

/* Distinct keys ascending; df = distinct records holding the key (saturating
 * at IDX_DF_MAX); ord = the smallest record. */
static idx_entry *reference(const pair_log *l, size_t *n)
{
    idx_pair *s = malloc((l->n + 1) * sizeof *s);
    idx_entry *e = malloc((l->n + 1) * sizeof *e);
    assert_true(s && e);
    if (l->n)
        memcpy(s, l->p, l->n * sizeof *s);
    qsort(s, l->n, sizeof *s, cmp_pair);
    size_t m = 0;
    for (size_t k = 0; k < l->n; k++) {
        if (m && e[m - 1].key == s[k].h) {
            if (s[k].o != s[k - 1].o && e[m - 1].df < IDX_DF_MAX)
                e[m - 1].df++;
        } else {
            e[m++] = (idx_entry){s[k].h, 1, s[k].o};
        }
    }
    free(s);
    *n = m;
    return e;
}

static void expect_entries(const idx_entry *got, size_t ngot, const idx_entry *ref, size_t nref,
                           unsigned flags)
{
    assert_int_equal(ngot, nref);
    for (size_t k = 0; k < nref; k++)
        if (got[k].key != ref[k].key || ((flags & IDX_FLAG_DF) && got[k].df != ref[k].df) ||
            ((flags & IDX_FLAG_PROV) && got[k].ord != ref[k].ord))
            fail_msg("entry %zu: got %016llx df %llu ord %llu, want %016llx df %llu ord %llu", k,
                     (unsigned long long)got[k].key, (unsigned long long)got[k].df,
                     (unsigned long long)got[k].ord, (unsigned long long)ref[k].key,
                     (unsigned long long)ref[k].df, (unsigned long long)ref[k].ord);
}

/* The union of the accumulator's segments, merged here. Also checks every
 * segment: keys strictly increasing, the df/ord columns present exactly as
 * flagged, the segments tiling the used columns in order, a->bytes equal to
 * what they hold, and (tiers) each segment less than half the one before
 * it: the size-tiered merge keeps O(log). */
static idx_entry *seg_union(const idx_accum *a, int tiers, size_t *n)
{
    size_t tot = 0, m = 0;
    for (size_t s = 0; s < a->nseg; s++)
        tot += a->seg[s].n;
    idx_entry *e = malloc((tot + 1) * sizeof *e);
    assert_non_null(e);
    const idx_columns *c = &a->col;
    assert_int_equal(tot, a->used);
    assert_true(a->used <= a->col_cap);
    if (a->used) {
        assert_int_equal(c->df != NULL, (a->flags & IDX_FLAG_DF) != 0);
        assert_int_equal(c->ord != NULL, (a->flags & IDX_FLAG_PROV) != 0);
    }
    size_t at = 0;
    for (size_t s = 0; s < a->nseg; s++) {
        const idx_segment *g = &a->seg[s];
        assert_true(g->n >= 1);
        assert_int_equal(g->start, at);
        at += g->n;
        if (tiers && s)
            assert_true(2 * g->n < a->seg[s - 1].n);
        for (size_t i = g->start; i < g->start + g->n; i++) {
            if (i > g->start)
                assert_true(c->key[i - 1] < c->key[i]);
            e[m++] = (idx_entry){c->key[i], c->df ? c->df[i] : 1, c->ord ? c->ord[i] : UINT64_MAX};
        }
    }
    assert_int_equal(a->used * (8 + (c->df ? 4 : 0) + (c->ord ? 8 : 0)), a->bytes);
    qsort(e, m, sizeof *e, cmp_entry);
    size_t out = 0;
    for (size_t k = 0; k < m; k++) {
        if (out && e[out - 1].key == e[k].key) {
            e[out - 1].df = idx_sat_add(e[out - 1].df, e[k].df);
            if (e[k].ord < e[out - 1].ord)
                e[out - 1].ord = e[k].ord;
        } else {
            e[out++] = e[k];
        }
    }
    *n = out;
    return e;
}

/* ---- feeding documents -------------------------------------------------------- */

enum { K_RANDOM, K_TOP11, K_TOP27, K_FREQUENT, K_EXTREMES, K_KINDS };

/* K_TOP11 keys share their top 11 bits (one scatter bucket: the counting
 * passes); K_TOP27 their top 27 (also the same 16 sub-bits: the last,
 * group-wise pass orders the whole bucket, by merge sort). */
static uint64_t make_key(int kind, uint64_t *s)
{
    uint64_t r = xs64(s);
    if (kind == K_TOP11)
        return UINT64_C(0x5a5) << 53 | r >> 11;
    if (kind == K_TOP27)
        return UINT64_C(0x5a5a5a5) << 37 | r >> 27;
    return r;
}

static uint64_t pick(int kind, uint64_t *s, const uint64_t *pool, size_t npool)
{
    static const uint64_t extremes[] = {0, UINT64_MAX, 1, UINT64_MAX - 1};
    uint64_t r = xs64(s);
    if (kind == K_FREQUENT && r % 2 == 0)
        return FREQUENT;
    if (kind == K_EXTREMES && r % 64 < 4) /* rare: 0 and 1 share a sub-bucket */
        return extremes[r % 64];
    if (r % 4 == 0)
        return make_key(kind, s); /* most likely seen once */
    return pool[(r >> 8) % npool];
}

/* One document: idx_accum_reserve, then its pairs under one ordinal, as
 * build_read.c process_text does (a document never straddles two chunks). */
static void push_doc(idx_accum *a, pair_log *log, const uint64_t *keys, size_t n, uint64_t ord)
{
    assert_int_equal(idx_accum_reserve(a, n), 0);
    for (size_t k = 0; k < n; k++) {
        idx_accum_push(a, keys[k], ord);
        if (log)
            log_add(log, keys[k], ord);
    }
}

/* About `total` pairs in documents of 1..maxdoc windows drawn from a pool
 * (so keys repeat within and across documents). Ordinals are distinct and
 * not monotonic (an odd multiple of the document number mod 2^40) plus ord0. */
static void feed(idx_accum *a, pair_log *log, int kind, size_t total, size_t maxdoc, uint64_t seed,
                 uint64_t ord0)
{
    uint64_t s = seed | 1;
    size_t npool = total / 8 + 1;
    uint64_t *pool = malloc(npool * sizeof *pool), *doc = malloc(maxdoc * sizeof *doc);
    assert_true(pool && doc);
    for (size_t k = 0; k < npool; k++)
        pool[k] = make_key(kind, &s);
    for (uint64_t done = 0, d = 0; done < total; d++) {
        size_t n = 1 + xs64(&s) % maxdoc;
        for (size_t k = 0; k < n; k++)
            doc[k] = pick(kind, &s, pool, npool);
        push_doc(a, log, doc, n, ord0 + ((d * UINT64_C(0x9e3779b97f4a7c15)) & ((UINT64_C(1) << 40) - 1)));
        done += n;
    }
    free(pool);
    free(doc);
}

/* One document of n windows, every third the frequent key. */
static void push_big(idx_accum *a, pair_log *log, size_t n, uint64_t ord)
{
    uint64_t s = 99, *big = malloc(n * sizeof *big);
    assert_non_null(big);
    for (size_t k = 0; k < n; k++)
        big[k] = k % 3 ? xs64(&s) : FREQUENT;
    push_doc(a, log, big, n, ord);
    free(big);
}

/* ---- runs ------------------------------------------------------------------------ */

static idx_layout run_layout(unsigned parts, unsigned flags)
{
    unsigned pbits = 0;
    while ((1u << pbits) < parts)
        pbits++;
    return (idx_layout){parts, pbits, 64, flags, IDX_BLOCK_KEYS, 0, 0};
}

static uint64_t varint(const uint8_t *f, size_t *pos, size_t end)
{
    uint64_t v = 0;
    for (unsigned sh = 0; sh < 64; sh += 7) {
        assert_true(*pos < end);
        uint8_t b = f[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << sh;
        if (!(b & 0x80))
            return v;
    }
    fail_msg("varint too long");
    return 0;
}

/* The run at path holds exactly ref: parsed byte by byte, then accepted by
 * idx_run_verify, then read through idx_source_run and re-written by
 * idx_kmerge into a second run that must be byte-identical (the merge reads
 * back every key, df and ord the spill wrote). */
static void check_run(const char *path, const idx_layout *l, uint64_t bytes,
                      const idx_entry *ref, size_t nref)
{
    size_t len, at = 0;
    uint8_t *f = (uint8_t *)slurp(path, &len);
    unsigned P = l->partitions;
    assert_int_equal(len, bytes);
    assert_memory_equal(f, IDX_RUN_MAGIC, 8);
    assert_int_equal(idx_get32(f + 8), IDX_RUN_VERSION);
    assert_int_equal(idx_get32(f + 12), P);
    assert_int_equal(idx_get32(f + 16), l->flags);
    assert_int_equal(idx_get64(f + 24), nref);
    for (unsigned p = 0; p < P; p++) {
        size_t pos = idx_get64(f + 32 + 8 * p), end = idx_get64(f + 40 + 8 * p);
        assert_true(pos <= end && end <= len);
        while (pos < end) {
            idx_entry e = {idx_get64(f + pos), 1, UINT64_MAX};
            pos += 8;
            if (l->flags & IDX_FLAG_DF)
                e.df = varint(f, &pos, end);
            if (l->flags & IDX_FLAG_PROV)
                e.ord = varint(f, &pos, end);
            assert_int_equal(idx_part_of(l, e.key), p);
            assert_true(at < nref);
            expect_entries(&e, 1, &ref[at++], 1, l->flags);
        }
    }
    assert_int_equal(at, nref);
    free(f);

    contam_err err;
    assert_int_equal(idx_run_verify(path, l, bytes, &err), CONTAM_OK);
    char copy[FIXTURE_PATH_MAX];
    snprintf(copy, sizeof copy, "%s.copy", path);
    idx_run_writer *w = NULL;
    uint64_t count = 0, cbytes = 0;
    assert_int_equal(idx_run_writer_open(copy, l, 0, &w, &err), CONTAM_OK);
    for (unsigned p = 0; p < P; p++) {
        idx_source *s = NULL;
        assert_int_equal(idx_source_run(path, l, p, 64, 0, &s, &err), CONTAM_OK);
        assert_int_equal(idx_kmerge(&s, 1, NULL, w, &count, &err), CONTAM_OK);
        idx_source_free(s);
    }
    assert_int_equal(idx_run_writer_close(w, &cbytes, &err), CONTAM_OK);
    assert_int_equal(count, nref);
    size_t la, lb;
    char *a = slurp(path, &la), *b = slurp(copy, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
    unlink(copy);
}

/* Spills n accumulators into one run with `parts` partitions and checks it
 * holds ref, that the out-params agree, and that the accumulators are empty
 * (and reusable) afterwards. */
static void spill_check(idx_accum **acc, size_t n, unsigned parts, const idx_entry *ref, size_t nref)
{
    idx_layout l = run_layout(parts, acc[0]->flags);
    char path[FIXTURE_PATH_MAX];
    snprintf(path, sizeof path, "%s", tpath("spill.run"));
    uint64_t bytes = 0, keys = UINT64_MAX;
    contam_err err;
    assert_int_equal(idx_accum_spill(acc, n, path, &l, &bytes, &keys, &err), CONTAM_OK);
    assert_int_equal(keys, nref);
    for (size_t k = 0; k < n; k++)
        assert_true(idx_accum_empty(acc[k]) && acc[k]->bytes == 0);
    check_run(path, &l, bytes, ref, nref);
    unlink(path);
}

/* ---- the accumulator ------------------------------------------------------------- */

/* Every flag set, chunk capacity and key shape: the segments' union after the
 * last flush, a spill into one partition, and (fed again after the spill, the
 * last chunk left for the spill to flush) a spill into four partitions all
 * equal the qsort reference. */
static void accum_matches_reference(void **state)
{
    (void)state;
    static const size_t caps[] = {1024, 4096, (size_t)1 << 16};
    for (size_t fi = 0; fi < 4; fi++)
        for (size_t ci = 0; ci < 3; ci++)
            for (int kind = 0; kind < K_KINDS; kind++) {
                size_t cap = caps[ci], maxdoc = cap / 2 < 300 ? cap / 2 : 300;
                /* several chunks (the last one 0.6 full, so that it merges) */
                size_t total = cap * 8 / 5 > 30000 ? cap * 8 / 5 : 30000;
                uint64_t seed = 0x1234567 + 977 * (fi * 16 + ci * 5 + (size_t)kind);
                idx_accum a, *pa = &a;
                pair_log log = {0};
                assert_int_equal(idx_accum_init(&a, g_flags[fi], cap), 0);
                feed(&a, &log, kind, total, maxdoc, seed, 0);
                assert_int_equal(idx_accum_flush_chunk(&a), 0);
                assert_int_equal(a.nchunk, 0);
                size_t nref, ngot;
                idx_entry *ref = reference(&log, &nref), *got = seg_union(&a, 1, &ngot);
                expect_entries(got, ngot, ref, nref, g_flags[fi]);
                spill_check(&pa, 1, 1, ref, nref);
                feed(&a, NULL, kind, total, maxdoc, seed, 0);
                spill_check(&pa, 1, 4, ref, nref);
                free(ref);
                free(got);
                free(log.p);
                idx_accum_free(&a);
            }
}

/* An empty accumulator (flush is a no-op, the spill an empty valid run); a
 * single pair with key 0 or UINT64_MAX; a document bigger than the chunk,
 * which idx_accum_reserve makes room for by growing it. */
static void accum_edges(void **state)
{
    (void)state;
    for (size_t fi = 0; fi < 4; fi++) {
        idx_accum a, *pa = &a;
        assert_int_equal(idx_accum_init(&a, g_flags[fi], 10), 0);
        assert_int_equal(a.cap, 1024); /* the minimum */
        assert_int_equal(idx_accum_flush_chunk(&a), 0);
        assert_true(idx_accum_empty(&a));
        spill_check(&pa, 1, 4, NULL, 0);
        static const uint64_t one[] = {UINT64_MAX, 0};
        for (int k = 0; k < 2; k++) {
            push_doc(&a, NULL, &one[k], 1, 7);
            idx_entry e = {one[k], 1, 7};
            spill_check(&pa, 1, k ? 1 : 4, &e, 1);
        }
        pair_log log = {0};
        feed(&a, &log, K_FREQUENT, 700, 100, 5, 0);
        push_big(&a, &log, 2500, UINT64_C(1) << 41);
        assert_int_equal(a.cap, 4096);
        feed(&a, &log, K_FREQUENT, 3000, 100, 6, UINT64_C(1) << 42);
        size_t nref;
        idx_entry *ref = reference(&log, &nref);
        spill_check(&pa, 1, 2, ref, nref);
        free(ref);
        free(log.p);
        idx_accum_free(&a);
    }
}

/* Several accumulators (a build's threads) spilled into one run: df summed
 * across them, first record the smallest; keys overlap because every one is
 * fed from the same pool, with ordinal ranges of its own. */
static void accum_spill_many(void **state)
{
    (void)state;
    for (size_t fi = 0; fi < 4; fi++)
        for (int kind = 0; kind < K_KINDS; kind++) {
            idx_accum a[3], *pa[3] = {&a[0], &a[1], &a[2]};
            pair_log log = {0};
            for (size_t k = 0; k < 3; k++) {
                assert_int_equal(idx_accum_init(&a[k], g_flags[fi], 1024 << k), 0);
                feed(&a[k], &log, kind, 4000 + 9000 * k, 200, 77, (3 - k) << 41);
            }
            size_t nref;
            idx_entry *ref = reference(&log, &nref);
            spill_check(pa, 3, 8, ref, nref);
            free(ref);
            free(log.p);
            for (size_t k = 0; k < 3; k++)
                idx_accum_free(&a[k]);
        }
}

/* Document frequency saturates at IDX_DF_MAX both in the segment merge and
 * in the spill. Counts that large cannot be pushed, so the accumulators get
 * hand-made segments. */
static void hand_segment(idx_accum *a, uint64_t k0, uint64_t k1, uint32_t df, uint64_t ord)
{
    const uint64_t key[2] = {k0, k1}, o[2] = {ord, ord};
    const uint32_t d[2] = {df, IDX_DF_MAX};
    assert_int_equal(idx_accum_add_segment(a, key, d, o, 2), 0);
}

static void accum_df_saturates(void **state)
{
    (void)state;
    idx_accum a, b, *pa[2] = {&a, &b};
    unsigned fl = IDX_FLAG_DF | IDX_FLAG_PROV;
    assert_int_equal(idx_accum_init(&a, fl, 1024), 0);
    assert_int_equal(idx_accum_init(&b, fl, 1024), 0);
    hand_segment(&a, 5, 9, IDX_DF_MAX - 1, 40);
    static const uint64_t d1[] = {5, 9, 5}, d2[] = {5};
    push_doc(&a, NULL, d1, 3, 30); /* two new documents: the merge adds 2 */
    push_doc(&a, NULL, d2, 1, 31);
    assert_int_equal(idx_accum_flush_chunk(&a), 0);
    assert_int_equal(a.nseg, 1);
    size_t n;
    idx_entry *got = seg_union(&a, 1, &n), want[] = {{5, IDX_DF_MAX, 30}, {9, IDX_DF_MAX, 30}};
    expect_entries(got, n, want, 2, fl);
    free(got);
    hand_segment(&b, 5, 10, IDX_DF_MAX - 1, 20); /* b's key 5 tips a's over */
    idx_entry want2[] = {{5, IDX_DF_MAX, 20}, {9, IDX_DF_MAX, 30}, {10, IDX_DF_MAX, 20}};
    spill_check(pa, 2, 1, want2, 3);
    idx_accum_free(&a);
    idx_accum_free(&b);
}

/* ---- allocation failures ------------------------------------------------------------ */

/* Each failing allocation of init, of a reserve that flushes a chunk (new
 * segment, size-tiered merges) and grows the chunk, and of a two-accumulator
 * spill (flushes, tree, run writer): -1 or CONTAM_ERR_NOMEM, no run file left
 * behind, nothing leaked (ASan), and nothing lost: retrying without the
 * failure gives the reference. */
static void accum_alloc_failures(void **state)
{
    (void)state;
    for (size_t fi = 0; fi < 4; fi++) {
        unsigned fl = g_flags[fi];
        int ok = 0;
        for (long n = 0; n < 100 && !ok; n++) {
            idx_accum a;
            contam_alloc_fail_after(n);
            int rc = idx_accum_init(&a, fl, (size_t)1 << 17); /* 2 MiB chunk: the large path */
            contam_alloc_fail_after(-1);
            assert_true(rc == 0 || rc == -1);
            ok = rc == 0;
            idx_accum_free(&a);
        }
        assert_true(ok);
        ok = 0;
        for (long n = 0; n < 1000 && !ok; n++) {
            idx_accum a;
            pair_log log = {0};
            assert_int_equal(idx_accum_init(&a, fl, 1024), 0);
            feed(&a, &log, K_FREQUENT, 6000, 300, 11, 0);
            contam_alloc_fail_after(n);
            int rc = idx_accum_reserve(&a, 3000);
            contam_alloc_fail_after(-1);
            ok = rc == 0;
            if (!ok) {
                assert_int_equal(rc, -1);
                assert_int_equal(idx_accum_reserve(&a, 3000), 0);
            }
            push_big(&a, &log, 3000, UINT64_C(1) << 41); /* the document that needed room */
            assert_int_equal(idx_accum_flush_chunk(&a), 0);
            size_t nref, ngot;
            idx_entry *ref = reference(&log, &nref), *got = seg_union(&a, 0, &ngot);
            expect_entries(got, ngot, ref, nref, fl);
            free(ref);
            free(got);
            free(log.p);
            idx_accum_free(&a);
        }
        assert_true(ok);
        ok = 0;
        for (long n = 0; n < 1000 && !ok; n++) {
            idx_accum a[2], *pa[2] = {&a[0], &a[1]};
            pair_log log = {0};
            for (size_t k = 0; k < 2; k++) {
                assert_int_equal(idx_accum_init(&a[k], fl, 1024), 0);
                feed(&a[k], &log, K_FREQUENT, 3000 + 2000 * k, 300, 21, k << 41);
            }
            idx_layout l = run_layout(2, fl);
            char path[FIXTURE_PATH_MAX], tmp[FIXTURE_PATH_MAX + 8];
            snprintf(path, sizeof path, "%s", tpath("fail.run"));
            snprintf(tmp, sizeof tmp, "%s.tmp", path);
            uint64_t bytes = 0, keys = 0;
            contam_err err;
            contam_alloc_fail_after(n);
            contam_status st = idx_accum_spill(pa, 2, path, &l, &bytes, &keys, &err);
            contam_alloc_fail_after(-1);
            ok = st == CONTAM_OK;
            if (!ok) {
                assert_int_equal(st, CONTAM_ERR_NOMEM);
                assert_true(access(path, F_OK) != 0 && access(tmp, F_OK) != 0);
                assert_int_equal(idx_accum_spill(pa, 2, path, &l, &bytes, &keys, &err), CONTAM_OK);
            }
            size_t nref;
            idx_entry *ref = reference(&log, &nref);
            assert_int_equal(keys, nref);
            check_run(path, &l, bytes, ref, nref);
            unlink(path);
            free(ref);
            free(log.p);
            for (size_t k = 0; k < 2; k++)
                idx_accum_free(&a[k]);
        }
        assert_true(ok);
    }
}

/* ---- the tournament tree ------------------------------------------------------------- */

/* Merges k sorted arrays (some empty) with the loser tree: every key comes
 * out once per occurrence, in order, from a cursor that holds it, and the
 * tree reports done only after the last one, even when that key is
 * UINT64_MAX (a live key equal to the dead cursors' placeholder). */
/* idx_sort_distinct against qsort + a dedup pass: random hashes with
 * repeats, hashes that share some bytes (skipped radix passes, so the
 * result ends in either buffer), and the tiny cases. */
static void sort_distinct_case(const uint64_t *in, size_t n)
{
    uint64_t *h = malloc((n + 1) * sizeof *h), *tmp = malloc((n + 1) * sizeof *tmp),
             *ref = malloc((n + 1) * sizeof *ref);
    assert_non_null(h);
    assert_non_null(tmp);
    assert_non_null(ref);
    if (n) {
        memcpy(h, in, n * sizeof *h);
        memcpy(ref, in, n * sizeof *ref);
    }
    qsort(ref, n, sizeof *ref, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || ref[i] != ref[i - 1])
            ref[m++] = ref[i];
    assert_int_equal(idx_sort_distinct(h, tmp, n), m);
    if (m)
        assert_memory_equal(h, ref, m * sizeof *h);
    free(h);
    free(tmp);
    free(ref);
}

static void sort_distinct_matches_qsort(void **state)
{
    (void)state;
    enum { N = 50000 };
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    uint64_t seed = 42;
    for (size_t i = 0; i < N; i++) /* about one in four a repeat of an earlier one */
        v[i] = i > 0 && xs64(&seed) % 4 == 0 ? v[xs64(&seed) % i] : xs64(&seed);
    sort_distinct_case(v, N);
    for (unsigned mask = 0; mask < 4; mask++) {
        /* 1, 3, 5 or 7 bytes vary: an odd or even number of passes */
        const uint64_t keep[] = {UINT64_C(0xFF), UINT64_C(0xFF00FF00FF),
                                 UINT64_C(0xFF00FF00FF00FF00) | 0xFF, UINT64_C(0x00FFFFFFFFFFFFFF)};
        for (size_t i = 0; i < N; i++)
            v[i] = (xs64(&seed) & keep[mask]) | UINT64_C(0x4200000000000000);
        sort_distinct_case(v, N);
    }
    const uint64_t few[] = {7, 7, 3, UINT64_MAX, 0, 3};
    for (size_t n = 0; n <= 6; n++)
        sort_distinct_case(few, n);
    free(v);
}

static void ltree_case(size_t k, uint64_t **arr, const size_t *len)
{
    size_t total = 0, pos[32] = {0}, m = 0;
    for (size_t i = 0; i < k; i++)
        total += len[i];
    uint64_t *want = malloc((total + 1) * sizeof *want);
    assert_non_null(want);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < len[i]; j++)
            want[m++] = arr[i][j];
    qsort(want, total, sizeof *want, cmp_u64);
    idx_ltree t;
    assert_int_equal(idx_ltree_init(&t, k), 0);
    for (size_t i = 0; i < k; i++)
        if (len[i])
            idx_ltree_set(&t, i, arr[i][0]);
    idx_ltree_build(&t);
    for (m = 0; !idx_ltree_done(&t); m++) {
        size_t w = idx_ltree_win(&t);
        assert_true(w < k && pos[w] < len[w] && m < total);
        assert_true(idx_ltree_key(&t) == arr[w][pos[w]] && idx_ltree_key(&t) == want[m]);
        pos[w]++;
        idx_ltree_replay(&t, pos[w] < len[w] ? arr[w][pos[w]] : UINT64_MAX, pos[w] >= len[w]);
    }
    assert_int_equal(m, total);
    idx_ltree_free(&t);
    free(want);
}

static void ltree_merges_sorted_arrays(void **state)
{
    (void)state;
    static uint64_t a0[] = {UINT64_MAX}, a1[] = {0, 0, UINT64_MAX, UINT64_MAX}, a2[] = {3};
    uint64_t *fixed[] = {a0, NULL, a1, a2};
    size_t flen[] = {1, 0, 4, 1};
    ltree_case(0, fixed, flen);
    ltree_case(1, fixed, flen);
    ltree_case(2, fixed + 1, flen + 1);
    ltree_case(4, fixed, flen);
    static const size_t ks[] = {1, 2, 3, 5, 16, 17};
    uint64_t s = 0x9e3779b9, buf[17][48], *arr[17];
    size_t len[17];
    for (int round = 0; round < 50; round++)
        for (size_t ki = 0; ki < 6; ki++) {
            size_t k = ks[ki];
            for (size_t i = 0; i < k; i++) {
                arr[i] = buf[i];
                len[i] = i % 4 == 1 ? 0 : xs64(&s) % 48; /* some arrays empty */
                for (size_t j = 0; j < len[i]; j++) {
                    uint64_t r = xs64(&s);
                    buf[i][j] = r % 5 == 0 ? 0 : r % 5 == 1 ? UINT64_MAX : r % 5 == 2 ? r % 8 : r;
                }
                qsort(buf[i], len[i], sizeof **buf, cmp_u64);
            }
            ltree_case(k, arr, len);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ltree_merges_sorted_arrays),
        cmocka_unit_test(sort_distinct_matches_qsort),
        cmocka_unit_test(accum_edges),
        cmocka_unit_test(accum_df_saturates),
        cmocka_unit_test(accum_spill_many),
        cmocka_unit_test(accum_matches_reference),
        cmocka_unit_test(accum_alloc_failures),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
