/* accum.c - one build thread's in-memory n-gram set: a JudyL array (hash ->
 * document frequency, and first record with --provenance), fed through a
 * chunk of (hash, record) pairs that is radix-sorted before insertion.
 *
 * Why the chunk: sorted insertion walks neighbouring Judy paths (far fewer
 * cache misses than random inserts), and equal hashes collapse first. A
 * document's windows all enter the same chunk, so within a run of equal
 * hashes (stable sort) the pairs of one document are adjacent: counting
 * changes of record ordinal counts documents, which is what the scanner's
 * document frequency counts. */
#include <string.h>

#include "index/index_accum.h"

#define PACK_ORD_BITS 40
#define PACK_DF_MAX ((UINT64_C(1) << (64 - PACK_ORD_BITS)) - 1)
#define ORD_MASK ((UINT64_C(1) << PACK_ORD_BITS) - 1)

int idx_accum_init(idx_accum *a, unsigned flags, size_t chunk_cap)
{
    memset(a, 0, sizeof *a);
    a->flags = flags;
    a->cap = chunk_cap < 1024 ? 1024 : chunk_cap;
    a->chunk = contam_malloc(a->cap * sizeof *a->chunk);
    a->tmp = contam_malloc(a->cap * sizeof *a->tmp);
    a->count = contam_malloc(65536 * sizeof *a->count);
    return a->chunk && a->tmp && a->count ? 0 : -1;
}

static void judy_free(Pvoid_t *j)
{
    Word_t freed;
    JLFA(freed, *j);
    (void)freed;
    *j = NULL;
}

void idx_accum_free(idx_accum *a)
{
    if (!a)
        return;
    judy_free(&a->judy);
    judy_free(&a->big);
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

/* Stable LSD radix sort of e[0..n) by hash bits [lo, 64), 8 bits a pass,
 * through tmp; the result ends in e. */
static void lsd_sort(idx_pair *e, idx_pair *tmp, size_t n, unsigned lo)
{
    idx_pair *src = e, *dst = tmp;
    for (unsigned shift = lo; shift < 64; shift += 8) {
        size_t count[256] = {0};
        for (size_t k = 0; k < n; k++)
            count[(src[k].h >> shift) & 0xFF]++;
        if (count[(src[0].h >> shift) & 0xFF] == n)
            continue;
        size_t sum = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t k = 0; k < n; k++)
            dst[count[(src[k].h >> shift) & 0xFF]++] = src[k];
        idx_pair *t = src;
        src = dst;
        dst = t;
    }
    if (src != e)
        memcpy(e, src, n * sizeof *e);
}

/* Stable sort by hash: one scatter on the top 16 bits (uniform hashes: tiny,
 * cache-resident buckets), then each bucket by insertion sort, or by radix
 * on its low 48 bits when a frequent gram makes it large. */
static void sort_chunk(idx_accum *a)
{
    idx_pair *src = a->chunk, *dst = a->tmp;
    size_t n = a->nchunk;
    size_t *count = a->count;
    memset(count, 0, 65536 * sizeof *count);
    for (size_t k = 0; k < n; k++)
        count[src[k].h >> 48]++;
    size_t sum = 0;
    for (size_t d = 0; d < 65536; d++) {
        size_t c = count[d];
        count[d] = sum;
        sum += c;
    }
    for (size_t k = 0; k < n; k++)
        dst[count[src[k].h >> 48]++] = src[k];
    /* count[d] is now the end of bucket d */
    size_t begin = 0;
    for (size_t d = 0; d < 65536; d++) {
        size_t end = count[d], len = end - begin;
        idx_pair *e = dst + begin;
        if (len > 64) {
            lsd_sort(e, src + begin, len, 0);
        } else {
            for (size_t i = 1; i < len; i++) {
                idx_pair x = e[i];
                size_t j = i;
                while (j > 0 && e[j - 1].h > x.h) {
                    e[j] = e[j - 1];
                    j--;
                }
                e[j] = x;
            }
        }
        begin = end;
    }
    a->chunk = dst;
    a->tmp = src;
}

static int add_big(idx_accum *a, uint64_t h, uint64_t extra)
{
    PWord_t v;
    JLI(v, a->big, (Word_t)h);
    if (v == PJERR)
        return -1;
    *v = idx_sat_add(*v, extra);
    return 0;
}

int idx_accum_flush_chunk(idx_accum *a)
{
    size_t n = a->nchunk;
    if (!n)
        return 0;
    sort_chunk(a);
    const idx_pair *c = a->chunk;
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
        PWord_t v;
        JLI(v, a->judy, (Word_t)h);
        if (v == PJERR)
            return -1;
        if (a->flags & IDX_FLAG_PROV) {
            uint64_t w = *v;
            uint64_t df = w >> PACK_ORD_BITS, o = w & ORD_MASK;
            if (w == 0)
                o = ord;
            else if (ord < o)
                o = ord;
            df += docs;
            if (df > PACK_DF_MAX) {
                if (add_big(a, h, df - PACK_DF_MAX))
                    return -1;
                df = PACK_DF_MAX;
            }
            *v = (df << PACK_ORD_BITS) | o;
        } else if (a->flags & IDX_FLAG_DF) {
            *v = idx_sat_add(*v, docs);
        } else {
            *v = 1;
        }
    }
    a->nchunk = 0;
    Word_t mem;
    JLMU(mem, a->judy);
    a->judy_bytes = (uint64_t)mem;
    return 0;
}

/* The (df, first record) of one Judy entry. */
static void unpack(const idx_accum *a, Word_t key, Word_t val, uint64_t *df, uint64_t *ord)
{
    *df = 1;
    *ord = UINT64_MAX;
    if (a->flags & IDX_FLAG_PROV) {
        *df = val >> PACK_ORD_BITS;
        *ord = val & ORD_MASK;
        if (*df == PACK_DF_MAX && a->big) {
            PWord_t b;
            JLG(b, a->big, key);
            if (b)
                *df = idx_sat_add(*df, *b);
        }
    } else if (a->flags & IDX_FLAG_DF) {
        *df = val;
    }
}

contam_status idx_accum_spill(idx_accum *const *a, size_t n, const char *path,
                              const idx_layout *run_layout, uint64_t *bytes, uint64_t *keys,
                              contam_err *err)
{
    Word_t *at = contam_calloc(n + 1, sizeof *at);
    PWord_t *val = contam_calloc(n + 1, sizeof *val);
    if (!at || !val) {
        contam_free(at);
        contam_free(val);
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    }
    contam_status st = CONTAM_OK;
    for (size_t k = 0; k < n; k++)
        if (idx_accum_flush_chunk(a[k]))
            st = contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory (Judy)");
    idx_run_writer *w = NULL;
    if (st == CONTAM_OK)
        st = idx_run_writer_open(path, run_layout, &w, err);
    if (st != CONTAM_OK) {
        contam_free(at);
        contam_free(val);
        return st;
    }
    /* Merge the arrays in key order (JudyLFirst / JudyLNext per array). */
    for (size_t k = 0; k < n; k++) {
        PWord_t v;
        at[k] = 0;
        JLF(v, a[k]->judy, at[k]);
        val[k] = v == PJERR ? NULL : v;
    }
    uint64_t nk = 0;
    for (;;) {
        size_t best = n;
        for (size_t k = 0; k < n; k++)
            if (val[k] && (best == n || at[k] < at[best]))
                best = k;
        if (best == n)
            break;
        Word_t key = at[best];
        uint64_t df = 0, ord = UINT64_MAX;
        for (size_t k = 0; k < n; k++) {
            if (!val[k] || at[k] != key)
                continue;
            uint64_t d, o;
            unpack(a[k], key, *val[k], &d, &o);
            df = idx_sat_add(df, d);
            if (o < ord)
                ord = o;
            PWord_t v;
            JLN(v, a[k]->judy, at[k]);
            val[k] = v == PJERR ? NULL : v;
        }
        if ((st = idx_run_writer_add(w, (uint64_t)key, df, ord, err)) != CONTAM_OK)
            break;
        nk++;
    }
    contam_free(at);
    contam_free(val);
    if (st != CONTAM_OK) {
        idx_run_writer_abort(w);
        return st;
    }
    if ((st = idx_run_writer_close(w, bytes, err)) != CONTAM_OK)
        return st;
    for (size_t k = 0; k < n; k++) {
        judy_free(&a[k]->judy);
        judy_free(&a[k]->big);
        a[k]->judy_bytes = 0;
    }
    if (keys)
        *keys = nk;
    return CONTAM_OK;
}
