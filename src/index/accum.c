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

static void drop_segments(idx_accum *a);

static void seg_free(idx_segment *g)
{
    contam_free(g->key);
    contam_free(g->df);
    contam_free(g->ord);
    memset(g, 0, sizeof *g);
}

void idx_accum_drop(idx_accum *a)
{
    a->nchunk = 0;
    drop_segments(a);
}

void idx_accum_free(idx_accum *a)
{
    if (!a)
        return;
    drop_segments(a);
    for (size_t k = 0; k < a->nspare; k++)
        seg_free(&a->spare[k]);
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

static uint64_t seg_bytes(const idx_segment *g)
{
    return g->cap * (sizeof *g->key + (g->df ? sizeof *g->df : 0) + (g->ord ? sizeof *g->ord : 0));
}

/* ---- segment arrays: fresh or reused ------------------------------------------- */

/* Freed segment arrays are kept (spare) and handed out again: a fresh array
 * costs a page fault per page and the kernel's zeroing, and page faults of
 * two threads serialize on the process's memory map; with fresh arrays for
 * every file's segments, faults were a fifth of a two-thread build. */
static int spare_take(idx_accum *a, size_t n, idx_segment *g)
{
    size_t best = IDX_SPARE_MAX;
    for (size_t k = 0; k < a->nspare; k++) {
        size_t c = a->spare[k].cap;
        if (c >= n && (best == IDX_SPARE_MAX || c < a->spare[best].cap))
            best = k;
    }
    if (best == IDX_SPARE_MAX)
        return -1;
    *g = a->spare[best];
    g->n = 0;
    a->spare_bytes -= seg_bytes(g);
    a->spare[best] = a->spare[--a->nspare];
    return 0;
}

/* Keeps g's arrays as spare if the limit allows (a->bytes must already
 * exclude g), else frees them. */
static void seg_release(idx_accum *a, idx_segment *g)
{
    uint64_t b = seg_bytes(g);
    if (g->key && a->nspare < IDX_SPARE_MAX && a->bytes + a->spare_bytes + b <= a->spare_limit) {
        a->spare[a->nspare++] = *g;
        a->spare_bytes += b;
        memset(g, 0, sizeof *g);
        return;
    }
    seg_free(g);
}

static void drop_segments(idx_accum *a)
{
    a->bytes = 0;
    for (size_t k = 0; k < a->nseg; k++)
        seg_release(a, &a->seg[k]);
    a->nseg = 0;
}

/* Columns for n entries: the smallest spare ones that hold n, else fresh
 * (contam_malloc_large: these arrays are the bulk of a build's memory, and
 * huge pages cut its page faults). 1 reused, 0 fresh, -1 out of memory. */
static int seg_alloc(idx_accum *a, size_t n, idx_segment *g)
{
    unsigned flags = a->flags;
    if (!n)
        n = 1;
    if (spare_take(a, n, g) == 0)
        return 1;
    memset(g, 0, sizeof *g);
    g->cap = n;
    g->key = contam_malloc_large(n * sizeof *g->key);
    if (flags & IDX_FLAG_DF)
        g->df = contam_malloc_large(n * sizeof *g->df);
    if (flags & IDX_FLAG_PROV)
        g->ord = contam_malloc_large(n * sizeof *g->ord);
    if (!g->key || (!g->df && (flags & IDX_FLAG_DF)) || (!g->ord && (flags & IDX_FLAG_PROV))) {
        seg_free(g);
        return -1;
    }
    return 0;
}

/* Gives back the unused end of g's arrays when it is more than an eighth,
 * so that the budget counts what is held (a failed shrink keeps the larger
 * arrays, and their size is what cap says). */
static void seg_shrink(idx_segment *g)
{
    if (g->n >= g->cap - g->cap / 8)
        return;
    size_t keep = g->n ? g->n : 1;
    uint64_t *k = contam_realloc(g->key, keep * sizeof *k);
    uint32_t *d = g->df ? contam_realloc(g->df, keep * sizeof *d) : NULL;
    uint64_t *r = g->ord ? contam_realloc(g->ord, keep * sizeof *r) : NULL;
    if (k)
        g->key = k;
    if (d)
        g->df = d;
    if (r)
        g->ord = r;
    if (k && (d || !g->df) && (r || !g->ord))
        g->cap = keep;
}

/* Two segments into one: keys in order, equal keys once (df summed with
 * saturation, first record the smallest). Without branches on the keys
 * (random, so a branch would mispredict half the time): each step emits
 * the smaller key and advances whichever side(s) held it. */
static int merge2(idx_accum *a, const idx_segment *x, const idx_segment *y, idx_segment *out)
{
    idx_segment o;
    int reused = seg_alloc(a, x->n + y->n, &o);
    if (reused < 0)
        return -1;
    size_t i = 0, j = 0, n = 0;
    while (i < x->n && j < y->n) {
        uint64_t kx = x->key[i], ky = y->key[j];
        size_t le = kx <= ky, ge = ky <= kx;
        o.key[n] = le ? kx : ky;
        if (o.df) {
            uint64_t d = (le ? x->df[i] : 0) + (uint64_t)(ge ? y->df[j] : 0);
            o.df[n] = (uint32_t)(d > IDX_DF_MAX ? IDX_DF_MAX : d);
        }
        if (o.ord) {
            uint64_t ox = le ? x->ord[i] : UINT64_MAX, oy = ge ? y->ord[j] : UINT64_MAX;
            o.ord[n] = ox < oy ? ox : oy;
        }
        i += le;
        j += ge;
        n++;
    }
    /* The rest of whichever side is left, in one copy. */
    const idx_segment *r = i < x->n ? x : y;
    size_t at = i < x->n ? i : j, left = r->n - at;
    memcpy(o.key + n, r->key + at, left * sizeof *o.key);
    if (o.df)
        memcpy(o.df + n, r->df + at, left * sizeof *o.df);
    if (o.ord)
        memcpy(o.ord + n, r->ord + at, left * sizeof *o.ord);
    o.n = n + left;
    /* Repeated n-grams make the output shorter than its inputs. */
    if (!reused)
        seg_shrink(&o);
    *out = o;
    return 0;
}

/* Size-tiered merging: while the newest segment is at least half the size
 * of the one before it, the two become one. Segments then shrink
 * geometrically, so a thread holds O(log) of them and a spill merges few
 * streams (a spill over dozens of segments was a third of a large build);
 * n-grams repeated across chunks collapse early, which saves memory too.
 * The output is transient extra memory (at most its two inputs), within
 * the factor 2 that size_budget keeps. Within one spill outputs outgrow the
 * spare arrays, but the next file's segments reuse them. */
static int merge_tail(idx_accum *a)
{
    while (a->nseg >= 2 && 2 * a->seg[a->nseg - 1].n >= a->seg[a->nseg - 2].n) {
        idx_segment *x = &a->seg[a->nseg - 2], *y = &a->seg[a->nseg - 1], m;
        if (merge2(a, x, y, &m))
            return -1;
        a->bytes -= seg_bytes(x) + seg_bytes(y);
        a->bytes += seg_bytes(&m);
        seg_release(a, x);
        seg_release(a, y);
        a->nseg--;
        a->seg[a->nseg - 1] = m;
    }
    return 0;
}

/* Appends the distinct hashes of sorted pairs c[0..n) to g. Pairs of one
 * document are adjacent within equal hashes (stable sort), so changes of
 * record ordinal count documents. */
static void collapse(const idx_pair *c, size_t n, idx_segment *g)
{
    size_t m = g->n;
    for (size_t k = 0; k < n;) {
        uint64_t h = c[k].h, ord = c[k].o, docs = 1;
        size_t j = k + 1;
        for (; j < n && c[j].h == h; j++) {
            if (c[j].o != c[j - 1].o)
                docs++;
            if (c[j].o < ord)
                ord = c[j].o;
        }
        k = j;
        g->key[m] = h;
        if (g->df)
            g->df[m] = (uint32_t)(docs > IDX_DF_MAX ? IDX_DF_MAX : docs);
        if (g->ord)
            g->ord[m] = ord;
        m++;
    }
    g->n = m;
}

/* Sorts the chunk into a new segment, without merging segments. */
static int flush_chunk(idx_accum *a)
{
    size_t n = a->nchunk;
    if (!n)
        return 0;
    if (a->nseg == a->seg_cap) {
        size_t ncap = a->seg_cap ? 2 * a->seg_cap : 16;
        idx_segment *s2 = contam_realloc(a->seg, ncap * sizeof *s2);
        if (!s2)
            return -1;
        a->seg = s2;
        a->seg_cap = ncap;
    }
    idx_segment sg;
    int reused = seg_alloc(a, n, &sg);
    if (reused < 0)
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
    size_t from = 0;
    for (size_t d = 0; d < ((size_t)1 << SORT_TOP); d++) {
        size_t to = start[d];
        if (to > from) {
            sort_bucket(dst + from, src + from, to - from, sub);
            collapse(dst + from, to - from, &sg);
        }
        from = to;
    }
    if (!reused)
        seg_shrink(&sg);
    a->seg[a->nseg++] = sg;
    a->bytes += seg_bytes(&sg);
    a->nchunk = 0;
    return 0;
}

int idx_accum_flush_chunk(idx_accum *a)
{
    return flush_chunk(a) ? -1 : merge_tail(a);
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
    const idx_segment **seg = contam_malloc((nseg + 1) * sizeof *seg);
    size_t *pos = contam_calloc(nseg + 1, sizeof *pos);
    idx_ltree t = {0};
    if (!seg || !pos || idx_ltree_init(&t, nseg)) {
        contam_free(seg);
        contam_free(pos);
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    }
    idx_run_writer *w = NULL;
    contam_status st = idx_run_writer_open(path, run_layout, 0, &w, err);
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        for (size_t s = 0; s < a[k]->nseg; s++) {
            seg[m] = &a[k]->seg[s];
            if (seg[m]->n)
                idx_ltree_set(&t, m, seg[m]->key[0]);
            m++;
        }
    idx_ltree_build(&t);
    uint64_t nk = 0;
    while (st == CONTAM_OK && !idx_ltree_done(&t)) {
        uint64_t key = idx_ltree_key(&t), df = 0, ord = UINT64_MAX;
        do {
            size_t win = idx_ltree_win(&t);
            const idx_segment *s = seg[win];
            size_t p = pos[win];
            df = idx_sat_add(df, s->df ? s->df[p] : 1);
            if (s->ord && s->ord[p] < ord)
                ord = s->ord[p];
            pos[win] = ++p;
            idx_ltree_replay(&t, p < s->n ? s->key[p] : UINT64_MAX, p >= s->n);
        } while (!idx_ltree_done(&t) && idx_ltree_key(&t) == key);
        if ((st = idx_run_writer_add(w, key, df, ord, err)) != CONTAM_OK)
            break;
        nk++;
    }
    idx_ltree_free(&t);
    contam_free(seg);
    contam_free(pos);
    if (st != CONTAM_OK) {
        idx_run_writer_abort(w);
        return st;
    }
    if ((st = idx_run_writer_close(w, bytes, err)) != CONTAM_OK)
        return st;
    for (size_t k = 0; k < n; k++)
        drop_segments(a[k]);
    if (keys)
        *keys = nk;
    return CONTAM_OK;
}
