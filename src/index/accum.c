/* accum.c - one build thread's in-memory n-gram set: a chunk of (hash,
 * record) pairs that is radix-sorted when full and collapsed into a segment
 * (distinct hashes in order, with document frequency and first record), and
 * the segments merged into a run when the thread spills.
 *
 * Why not a Judy array: the first builder inserted every chunk into a JudyL
 * and walked it at every spill; Judy inserts, JudyLNext and the malloc
 * traffic of its nodes were 45% of the build's CPU. Sorted segments cost a
 * radix sort per chunk, size-tiered two-way merges of segments and one
 * tournament merge per spill, keep the same
 * "ordered, deduplicated" property, and take 8-20 bytes per distinct hash.
 *
 * Memory: the segments lie one after another in one set of columns per
 * thread, kept across spills, so that a build touches fresh pages only
 * while its columns grow (during its first files). Separate arrays per
 * segment, even with freed ones kept for reuse, left every merge output
 * larger than any kept array: fresh pages, and a small page fault costs
 * about 10 us on these virtual machines (tools/bench/bench_faults.c; faults
 * and page zeroing were 15% of a two-thread build's CPU,
 * docs/PERFORMANCE.md).
 *
 * Document frequency: a document's windows all enter the same chunk, so
 * within a run of equal hashes (stable sort) the pairs of one document are
 * adjacent: counting changes of record ordinal counts documents, which is
 * what the scanner's document frequency counts. */
#include <string.h>

#include "index/index_accum.h"

/* Chunk sort: one stable scatter on the top SORT_TOP bits (2048 buckets keep
 * the write streams in cache), then each bucket, about 512 pairs in a full
 * chunk, is ordered while it is in the first-level cache (sort_bucket) and
 * collapsed into the segment at once. It replaced an LSD radix sort of
 * three 11-bit passes over the whole chunk, then an insertion pass, a
 * counting pass and a collapsing pass, each streaming the chunk through
 * memory again. A frequent gram leaves long runs of equal hashes, which
 * sort_groups finds in order and leaves. */
#define SORT_TOP 11
#define SORT_SUB 8

int idx_accum_init(idx_accum *a, unsigned flags, size_t chunk_cap)
{
    memset(a, 0, sizeof *a);
    a->flags = flags;
    a->cap = chunk_cap < 1024 ? 1024 : chunk_cap;
    a->chunk = contam_malloc_large(a->cap * sizeof *a->chunk);
    a->tmp = contam_malloc_large(a->cap * sizeof *a->tmp);
    /* bucket starts, then the per-bucket counters (uint32_t) */
    a->count = contam_malloc((((size_t)1 << SORT_TOP) + 1) * sizeof *a->count +
                             ((size_t)2 << SORT_SUB) * sizeof(uint32_t));
    return a->chunk && a->tmp && a->count ? 0 : -1;
}

/* ---- columns ----------------------------------------------------------------- */

static size_t entry_bytes(unsigned flags)
{
    return sizeof(uint64_t) + (flags & IDX_FLAG_DF ? sizeof(uint32_t) : 0) +
           (flags & IDX_FLAG_PROV ? sizeof(uint64_t) : 0);
}

static void cols_free(idx_columns *c)
{
    contam_free(c->key);
    contam_free(c->df);
    contam_free(c->ord);
    memset(c, 0, sizeof *c);
}

/* Columns to copy from. */
typedef struct {
    const uint64_t *key;
    const uint32_t *df;
    const uint64_t *ord;
} cols_view;

static cols_view view(const idx_columns *c) { return (cols_view){c->key, c->df, c->ord}; }

/* Copies n entries of src from si to dst from di (the columns dst has; the
 * ranges may overlap). */
static void cols_move(const idx_columns *dst, size_t di, cols_view src, size_t si, size_t n)
{
    if (!n)
        return; /* src may be columns not yet allocated */
    memmove(dst->key + di, src.key + si, n * sizeof *dst->key);
    if (dst->df)
        memmove(dst->df + di, src.df + si, n * sizeof *dst->df);
    if (dst->ord)
        memmove(dst->ord + di, src.ord + si, n * sizeof *dst->ord);
}

/* Makes c hold cap entries, keeping its first keep (huge-page hinted: these
 * are the bulk of a build's memory). A fresh set is allocated and the kept
 * entries copied, rather than realloc, which would drop the alignment that
 * huge pages need. 0, or -1 with c unchanged. */
static int cols_resize(unsigned flags, idx_columns *c, size_t keep, size_t cap)
{
    idx_columns n = {0};
    n.key = contam_malloc_large(cap * sizeof *n.key);
    if (flags & IDX_FLAG_DF)
        n.df = contam_malloc_large(cap * sizeof *n.df);
    if (flags & IDX_FLAG_PROV)
        n.ord = contam_malloc_large(cap * sizeof *n.ord);
    if (!n.key || (!n.df && (flags & IDX_FLAG_DF)) || (!n.ord && (flags & IDX_FLAG_PROV))) {
        cols_free(&n);
        return -1;
    }
    cols_move(&n, 0, view(c), 0, keep);
    cols_free(c);
    *c = n;
    return 0;
}

/* Capacity for need entries in a set of cap: the first growth reserves the
 * limit and one chunk more (address space only; the builder spills once
 * the limit is passed, which is at most one chunk's entries later), later
 * ones double (a limit of 0, or a book-sized document fed in pieces). The
 * merge copy is reserved the same way: grown in steps as segments grew, its
 * fresh pages cost 1.5-2.5 k more page faults a build. So a build reserves
 * about twice its segments' share of --mem as address space, of which it
 * touches what it uses (this matters only under ulimit -v or strict
 * overcommit, vm.overcommit_memory = 2). */
static size_t grow_cap(const idx_accum *a, size_t cap, size_t need)
{
    size_t ncap = cap ? 2 * cap : (size_t)(a->limit / entry_bytes(a->flags)) + a->cap;
    if (ncap < 4096)
        ncap = 4096;
    return ncap < need ? need : ncap;
}

/* Room in the columns for n entries after the used ones. */
static int cols_reserve(idx_accum *a, size_t n)
{
    if (a->used + n <= a->col_cap)
        return 0;
    size_t cap = grow_cap(a, a->col_cap, a->used + n);
    if (cols_resize(a->flags, &a->col, a->used, cap))
        return -1;
    a->col_cap = cap;
    return 0;
}

/* Room for one more segment in a->seg. */
static int seg_reserve(idx_accum *a)
{
    return contam_array_grow(&a->seg, &a->seg_cap, a->nseg + 1, sizeof *a->seg, 16);
}

void idx_accum_drop(idx_accum *a)
{
    a->nchunk = 0;
    a->used = 0;
    a->nseg = 0;
    a->bytes = 0;
}

void idx_accum_free(idx_accum *a)
{
    if (!a)
        return;
    cols_free(&a->col);
    cols_free(&a->scr);
    contam_free(a->seg);
    contam_free(a->chunk);
    contam_free(a->tmp);
    contam_free(a->count);
    memset(a, 0, sizeof *a);
}

/* Makes room for n more pairs; grows the chunk only for a document bigger
 * than it (a document must not straddle two chunks). */
int idx_accum_reserve(idx_accum *a, size_t n)
{
    if (a->nchunk + n <= a->cap)
        return 0;
    if (a->nchunk && idx_accum_flush_chunk(a))
        return -1;
    if (n <= a->cap)
        return 0;
    size_t ncap = a->cap;
    while (ncap < n)
        ncap *= 2;
    idx_pair *c = contam_realloc(a->chunk, ncap * sizeof *c);
    if (!c)
        return -1;
    a->chunk = c;
    idx_pair *t = contam_realloc(a->tmp, ncap * sizeof *t);
    if (!t)
        return -1;
    a->tmp = t;
    a->cap = ncap;
    return 0;
}

static void insertion_sort(idx_pair *e, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        idx_pair x = e[i];
        size_t j = i;
        while (j > 0 && e[j - 1].h > x.h) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = x;
    }
}

/* Stable merge sort of n pairs (tmp holds n): insertion-sorted runs of 16,
 * then merges that take from the left on ties. */
static void merge_sort(idx_pair *a, idx_pair *tmp, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        insertion_sort(a + i, n - i < 16 ? n - i : 16);
    idx_pair *src = a, *dst = tmp;
    for (size_t w = 16; w < n; w *= 2) {
        for (size_t i = 0; i < n; i += 2 * w) {
            size_t mid = i + w < n ? i + w : n, end = i + 2 * w < n ? i + 2 * w : n;
            size_t p = i, q = mid, o = i;
            while (p < mid && q < end)
                dst[o++] = src[q].h < src[p].h ? src[q++] : src[p++];
            while (p < mid)
                dst[o++] = src[p++];
            while (q < end)
                dst[o++] = src[q++];
        }
        idx_pair *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

/* After the counting passes, only pairs sharing their top bits down to
 * GROUP_SHIFT can be out of order: almost always groups of one, or a run of
 * one frequent hash, which is in order already. A small group gets an
 * insertion sort; a large unordered one (two frequent n-grams sharing those
 * bits) a merge sort, as insertion sort would be quadratic there. */
#define GROUP_SHIFT (64 - SORT_TOP - 2 * SORT_SUB)
static void sort_groups(idx_pair *a, idx_pair *tmp, size_t m)
{
    for (size_t i = 0; i < m;) {
        uint64_t g = a[i].h >> GROUP_SHIFT;
        int sorted = 1;
        size_t j = i + 1;
        for (; j < m && a[j].h >> GROUP_SHIFT == g; j++)
            sorted &= a[j].h >= a[j - 1].h;
        if (!sorted) {
            if (j - i <= 32)
                insertion_sort(a + i, j - i);
            else
                merge_sort(a + i, tmp, j - i);
        }
        i = j;
    }
}

/* Orders one bucket (pairs sharing their top SORT_TOP bits), which fits in
 * the first-level cache: two counting passes on the next 2 x SORT_SUB bits
 * (histograms from one read), then sort_groups for the few pairs that
 * share those too. One pass of log2(bucket) bits left a quarter of the
 * pairs out of order, and the insertion pass's mispredicted compares cost
 * more than the second counting pass. Stable. */
static void sort_bucket(idx_pair *a, idx_pair *tmp, size_t m, uint32_t *cnt)
{
    if (m <= 32) {
        insertion_sort(a, m);
        return;
    }
    const size_t R = (size_t)1 << SORT_SUB;
    const unsigned lo = GROUP_SHIFT, hi = lo + SORT_SUB;
    uint32_t *c0 = cnt, *c1 = cnt + R;
    memset(cnt, 0, 2 * R * sizeof *cnt);
    for (size_t k = 0; k < m; k++) {
        c0[(a[k].h >> lo) & (R - 1)]++;
        c1[(a[k].h >> hi) & (R - 1)]++;
    }
    uint32_t s0 = 0, s1 = 0;
    for (size_t v = 0; v < R; v++) {
        uint32_t x0 = c0[v], x1 = c1[v];
        c0[v] = s0;
        c1[v] = s1;
        s0 += x0;
        s1 += x1;
    }
    for (size_t k = 0; k < m; k++)
        tmp[c0[(a[k].h >> lo) & (R - 1)]++] = a[k];
    for (size_t k = 0; k < m; k++)
        a[c1[(tmp[k].h >> hi) & (R - 1)]++] = tmp[k];
    sort_groups(a, tmp, m);
}

/* The last two segments, x then y (adjacent in the columns), into one at
 * x's place: keys in order, equal keys once (df summed with saturation,
 * first record the smallest). x is copied aside first; the merge then
 * writes from x's start, never past the y entry it reads next (it has
 * written at most as many entries as it read). Without branches on the keys
 * (random, so a branch would mispredict half the time): each step emits the
 * smaller key and advances whichever side(s) held it. */
static int merge_last2(idx_accum *a)
{
    idx_segment *x = &a->seg[a->nseg - 2];
    const idx_segment *y = &a->seg[a->nseg - 1];
    size_t nx = x->n, ny = y->n;
    if (nx > a->scr_cap) {
        size_t cap = grow_cap(a, a->scr_cap, nx);
        if (cols_resize(a->flags, &a->scr, 0, cap))
            return -1;
        a->scr_cap = cap;
    }
    const idx_columns c = a->col, t = a->scr;
    cols_move(&t, 0, view(&c), x->start, nx);
    size_t i = 0, j = y->start, jend = y->start + ny, o = x->start;
    while (i < nx && j < jend) {
        uint64_t kx = t.key[i], ky = c.key[j];
        size_t le = kx <= ky, ge = ky <= kx;
        if (t.df) {
            uint64_t d = (le ? t.df[i] : 0) + (uint64_t)(ge ? c.df[j] : 0);
            c.df[o] = (uint32_t)(d > IDX_DF_MAX ? IDX_DF_MAX : d);
        }
        if (t.ord) {
            uint64_t ox = le ? t.ord[i] : UINT64_MAX, oy = ge ? c.ord[j] : UINT64_MAX;
            c.ord[o] = ox < oy ? ox : oy;
        }
        c.key[o] = le ? kx : ky;
        i += le;
        j += ge;
        o++;
    }
    /* The rest of whichever side is left, in one copy (y's may overlap). */
    if (i < nx) {
        cols_move(&c, o, view(&t), i, nx - i);
        o += nx - i;
    } else if (j < jend) {
        cols_move(&c, o, view(&c), j, jend - j);
        o += jend - j;
    }
    /* Repeated n-grams make the output shorter than its inputs. */
    x->n = o - x->start;
    a->nseg--;
    a->used = o;
    a->bytes = a->used * entry_bytes(a->flags);
    return 0;
}

/* Size-tiered merging: while the newest segment is at least half the size
 * of the one before it, the two become one. Segments then shrink
 * geometrically, so a thread holds O(log) of them and a spill merges few
 * streams (a spill over dozens of segments was a third of a large build);
 * n-grams repeated across chunks collapse early, which saves memory too.
 * The copy a merge sets aside is transient extra memory (at most the
 * segments' own), within the factor 2 that size_budget keeps. */
static int merge_tail(idx_accum *a)
{
    while (a->nseg >= 2 && 2 * a->seg[a->nseg - 1].n >= a->seg[a->nseg - 2].n)
        if (merge_last2(a))
            return -1;
    return 0;
}

/* Writes the distinct hashes of sorted pairs p[0..n) from entry at of the
 * columns on; returns the entry after the last written. Pairs of one
 * document are adjacent within equal hashes (stable sort), so changes of
 * record ordinal count documents. */
static size_t collapse(const idx_pair *p, size_t n, const idx_columns *c, size_t at)
{
    for (size_t k = 0; k < n;) {
        uint64_t h = p[k].h, ord = p[k].o, docs = 1;
        size_t j = k + 1;
        for (; j < n && p[j].h == h; j++) {
            if (p[j].o != p[j - 1].o)
                docs++;
            if (p[j].o < ord)
                ord = p[j].o;
        }
        k = j;
        c->key[at] = h;
        if (c->df)
            c->df[at] = (uint32_t)(docs > IDX_DF_MAX ? IDX_DF_MAX : docs);
        if (c->ord)
            c->ord[at] = ord;
        at++;
    }
    return at;
}

/* Sorts the chunk into a new segment after the others, without merging
 * segments. */
static int flush_chunk(idx_accum *a)
{
    size_t n = a->nchunk;
    if (!n)
        return 0;
    if (seg_reserve(a) || cols_reserve(a, n))
        return -1;
    idx_pair *src = a->chunk, *dst = a->tmp;
    size_t *start = a->count;
    uint32_t *sub = (uint32_t *)(a->count + ((size_t)1 << SORT_TOP) + 1);
    const unsigned shift = 64 - SORT_TOP;
    memset(start, 0, (((size_t)1 << SORT_TOP) + 1) * sizeof *start);
    for (size_t k = 0; k < n; k++)
        start[(src[k].h >> shift) + 1]++;
    for (size_t d = 1; d <= ((size_t)1 << SORT_TOP); d++)
        start[d] += start[d - 1];
    /* start[d] is bucket d's first slot; the scatter leaves it at bucket
     * d + 1's, so bucket d is [start[d - 1], start[d]) afterwards. */
    for (size_t k = 0; k < n; k++)
        dst[start[src[k].h >> shift]++] = src[k];
    size_t from = 0, at = a->used;
    for (size_t d = 0; d < ((size_t)1 << SORT_TOP); d++) {
        size_t to = start[d];
        if (to > from) {
            sort_bucket(dst + from, src + from, to - from, sub);
            at = collapse(dst + from, to - from, &a->col, at);
        }
        from = to;
    }
    a->seg[a->nseg++] = (idx_segment){a->used, at - a->used};
    a->used = at;
    a->bytes = a->used * entry_bytes(a->flags);
    a->nchunk = 0;
    return 0;
}

int idx_accum_flush_chunk(idx_accum *a)
{
    return flush_chunk(a) ? -1 : merge_tail(a);
}

int idx_accum_add_segment(idx_accum *a, const uint64_t *key, const uint32_t *df,
                          const uint64_t *ord, size_t n)
{
    if (seg_reserve(a) || cols_reserve(a, n))
        return -1;
    cols_move(&a->col, a->used, (cols_view){key, df, ord}, 0, n);
    a->seg[a->nseg++] = (idx_segment){a->used, n};
    a->used += n;
    a->bytes = a->used * entry_bytes(a->flags);
    return 0;
}

/* LSD radix sort, 8 passes of 8 bits (their histograms from one read; a
 * pass whose byte is the same everywhere is skipped), then one pass to drop
 * repeats. It replaced qsort, whose indirect compares made deduplicating
 * big documents 9% of a build's CPU under --mem 64M (where a chunk holds 32 k
 * pairs, so documents of 16 k windows take this path). */
size_t idx_sort_distinct(uint64_t *h, uint64_t *tmp, size_t n)
{
    if (n < 2)
        return n;
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (unsigned d = 0; d < 8; d++)
            count[d][(h[i] >> (8 * d)) & 0xFF]++;
    uint64_t *src = h, *dst = tmp;
    for (unsigned d = 0; d < 8; d++) {
        size_t *c = count[d];
        if (c[(src[0] >> (8 * d)) & 0xFF] == n)
            continue; /* every hash has this byte: the order stands */
        size_t sum = 0;
        for (unsigned v = 0; v < 256; v++) {
            size_t x = c[v];
            c[v] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[(src[i] >> (8 * d)) & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || src[i] != src[i - 1])
            h[m++] = src[i]; /* h may be src itself: m <= i */
    return m;
}

/* ---- spill: a tournament merge of every segment ----------------------------- */

contam_status idx_accum_spill(idx_accum *const *a, size_t n, const char *path,
                              const idx_layout *run_layout, uint64_t *bytes, uint64_t *keys,
                              contam_err *err)
{
    for (size_t k = 0; k < n; k++)
        if (flush_chunk(a[k])) /* no merge_tail: the tournament below merges anyway */
            return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    size_t nseg = 0;
    for (size_t k = 0; k < n; k++)
        nseg += a[k]->nseg;
    /* each segment as [pos, end) of its accumulator's columns */
    const idx_columns **seg = contam_malloc((nseg + 1) * sizeof *seg);
    size_t *pos = contam_malloc((nseg + 1) * sizeof *pos);
    size_t *end = contam_malloc((nseg + 1) * sizeof *end);
    idx_ltree t = {0};
    if (!seg || !pos || !end || idx_ltree_init(&t, nseg)) {
        contam_free(seg);
        contam_free(pos);
        contam_free(end);
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    }
    idx_run_writer *w = NULL;
    contam_status st = idx_run_writer_open(path, run_layout, 0, &w, err);
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        for (size_t s = 0; s < a[k]->nseg; s++) {
            seg[m] = &a[k]->col;
            pos[m] = a[k]->seg[s].start;
            end[m] = pos[m] + a[k]->seg[s].n;
            if (pos[m] < end[m])
                idx_ltree_set(&t, m, seg[m]->key[pos[m]]);
            m++;
        }
    idx_ltree_build(&t);
    uint64_t nk = 0;
    while (st == CONTAM_OK && !idx_ltree_done(&t)) {
        uint64_t key = idx_ltree_key(&t), df = 0, ord = UINT64_MAX;
        do {
            size_t win = idx_ltree_win(&t);
            const idx_columns *s = seg[win];
            size_t p = pos[win];
            df = idx_sat_add(df, s->df ? s->df[p] : 1);
            if (s->ord && s->ord[p] < ord)
                ord = s->ord[p];
            pos[win] = ++p;
            idx_ltree_replay(&t, p < end[win] ? s->key[p] : UINT64_MAX, p >= end[win]);
        } while (!idx_ltree_done(&t) && idx_ltree_key(&t) == key);
        if ((st = idx_run_writer_add(w, key, df, ord, err)) != CONTAM_OK)
            break;
        nk++;
    }
    idx_ltree_free(&t);
    contam_free(seg);
    contam_free(pos);
    contam_free(end);
    if (st != CONTAM_OK) {
        idx_run_writer_abort(w);
        return st;
    }
    if ((st = idx_run_writer_close(w, bytes, err)) != CONTAM_OK)
        return st;
    for (size_t k = 0; k < n; k++)
        idx_accum_drop(a[k]);
    if (keys)
        *keys = nk;
    return CONTAM_OK;
}
