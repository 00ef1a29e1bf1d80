/* minhash.c - near-duplicate candidates: word shingles per item (WORD
 * normalizer tokens, k-word windows that never cross a field boundary),
 * 64 MinHash values per item, LSH with 16 bands of 4 rows, and the exact
 * Jaccard used to verify every candidate.
 *
 * The 64 "permutations" are h_j(x) = a_j * x + b_j (mod 2^64) with odd a_j:
 * the shingle hashes are already uniform 64-bit values (seeded XXH3 per
 * token, polynomial over the window), so an affine bijection per j is enough
 * to give independent-looking minima, at one multiply-add per value. */
#include <stdlib.h>
#include <string.h>

#include "quality/quality_internal.h"

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void sort_u64(uint64_t *v, size_t n)
{
    if (n < 24) { /* most items: insertion sort beats qsort's call overhead */
        for (size_t i = 1; i < n; i++) {
            uint64_t x = v[i];
            size_t j = i;
            while (j && v[j - 1] > x) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    qsort(v, n, sizeof *v, cmp_u64);
}

void q_minhash_free(q_minhash *m)
{
    if (!m)
        return;
    contam_free(m->sh);
    contam_free(m->off);
    contam_free(m->sig);
    memset(m, 0, sizeof *m);
}

/* Appends the shingles of one item to m->sh (unsorted). */
static int item_shingles(const bench_set *b, size_t i, ngram_tokenizer *tk, unsigned k,
                         uint64_t **prefix, size_t *pcap, uint64_t pow_k, uint64_t **sh,
                         size_t *n, size_t *cap)
{
    const bench_item *it = &b->items[i];
    size_t s0, s1;
    q_dedup_segments(b, i, &s0, &s1);
    for (size_t s = s0; s < s1; s++) {
        const ngram_token *toks;
        size_t nt;
        if (ngram_tokenize(tk, it->text + it->seg[s].start, it->seg[s].end - it->seg[s].start,
                           &toks, &nt, NULL) != CONTAM_OK)
            return -1;
        if (!nt)
            continue;
        if (nt + 1 > *pcap) {
            uint64_t *p = contam_realloc(*prefix, (nt + 1) * 2 * sizeof *p);
            if (!p)
                return -1;
            *prefix = p;
            *pcap = (nt + 1) * 2;
        }
        ngram_prefix_fill(toks, nt, *prefix);
        size_t add = nt >= k ? nt - k + 1 : 1;
        if (*n + add > *cap) {
            size_t c = (*n + add) * 2;
            uint64_t *v = contam_realloc(*sh, c * sizeof *v);
            if (!v)
                return -1;
            *sh = v;
            *cap = c;
        }
        if (nt < k) {
            (*sh)[(*n)++] = (*prefix)[nt]; /* the whole short field is one shingle */
            continue;
        }
        for (size_t w = 0; w + k <= nt; w++)
            (*sh)[(*n)++] = ngram_window_hash(*prefix, w, k, pow_k);
    }
    return 0;
}

contam_status q_minhash_build(const bench_set *const *sets, size_t nsets, unsigned k,
                              uint64_t seed, q_minhash *m, contam_err *err)
{
    memset(m, 0, sizeof *m);
    size_t n = 0;
    for (size_t s = 0; s < nsets; s++)
        n += sets[s]->nitems;
    ngram_tokenizer *tk = q_word_tokenizer();
    uint64_t *prefix = NULL;
    size_t pcap = 0, cap = 0, nsh = 0;
    m->n = n;
    m->off = contam_malloc((n + 1) * sizeof *m->off);
    m->sig = contam_malloc((n ? n : 1) * QUALITY_MINHASH_K * sizeof *m->sig);
    if (!tk || !m->off || !m->sig)
        goto nomem;
    uint64_t pow_k = ngram_base_pow(k);
    size_t g = 0;
    for (size_t s = 0; s < nsets; s++)
        for (size_t i = 0; i < sets[s]->nitems; i++, g++) {
            m->off[g] = nsh;
            if (item_shingles(sets[s], i, tk, k, &prefix, &pcap, pow_k, &m->sh, &nsh, &cap))
                goto nomem;
            /* sort and drop repeats: Jaccard is over sets */
            uint64_t *v = m->sh + m->off[g];
            size_t c = nsh - m->off[g], u = 0;
            sort_u64(v, c);
            for (size_t j = 0; j < c; j++)
                if (!u || v[u - 1] != v[j])
                    v[u++] = v[j];
            nsh = m->off[g] + u;
        }
    m->off[n] = nsh;
    uint64_t a[QUALITY_MINHASH_K], bb[QUALITY_MINHASH_K], st = seed;
    for (size_t j = 0; j < QUALITY_MINHASH_K; j++) {
        a[j] = splitmix(&st) | 1;
        bb[j] = splitmix(&st);
    }
    for (g = 0; g < n; g++) {
        uint64_t *sig = m->sig + g * QUALITY_MINHASH_K;
        for (size_t j = 0; j < QUALITY_MINHASH_K; j++)
            sig[j] = UINT64_MAX;
        for (size_t x = m->off[g]; x < m->off[g + 1]; x++) {
            uint64_t h = m->sh[x];
            for (size_t j = 0; j < QUALITY_MINHASH_K; j++) {
                uint64_t v = a[j] * h + bb[j];
                sig[j] = v < sig[j] ? v : sig[j];
            }
        }
    }
    ngram_tokenizer_free(tk);
    contam_free(prefix);
    return CONTAM_OK;
nomem:
    ngram_tokenizer_free(tk);
    contam_free(prefix);
    q_minhash_free(m);
    return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory (dedup shingles)");
}

double q_jaccard(const q_minhash *m, size_t a, size_t b)
{
    const uint64_t *x = m->sh + m->off[a], *y = m->sh + m->off[b];
    size_t nx = m->off[a + 1] - m->off[a], ny = m->off[b + 1] - m->off[b];
    if (!nx && !ny)
        return 1.0;
    size_t i = 0, j = 0, inter = 0;
    while (i < nx && j < ny) {
        if (x[i] == y[j]) {
            inter++;
            i++;
            j++;
        } else if (x[i] < y[j]) {
            i++;
        } else {
            j++;
        }
    }
    return (double)inter / (double)(nx + ny - inter);
}

typedef struct {
    uint64_t key;
    uint32_t g;
} band_ent;

static int cmp_band(const void *a, const void *b)
{
    const band_ent *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

contam_status q_lsh_candidates(const q_minhash *m, const uint8_t *active, const uint8_t *other,
                               uint64_t **pairs, size_t *npairs, contam_err *err)
{
    *pairs = NULL;
    *npairs = 0;
    band_ent *e = contam_malloc((m->n ? m->n : 1) * sizeof *e);
    uint64_t *p = NULL;
    size_t np = 0, cap = 0;
    if (!e)
        goto nomem;
    for (size_t band = 0; band < QUALITY_MINHASH_BANDS; band++) {
        size_t ne = 0;
        for (size_t g = 0; g < m->n; g++) {
            if (!active[g] || m->off[g + 1] == m->off[g])
                continue;
            const uint64_t *sig = m->sig + g * QUALITY_MINHASH_K + band * QUALITY_MINHASH_ROWS;
            e[ne].key = XXH3_64bits(sig, QUALITY_MINHASH_ROWS * sizeof *sig);
            e[ne].g = (uint32_t)g;
            ne++;
        }
        qsort(e, ne, sizeof *e, cmp_band);
        for (size_t r = 0; r < ne;) {
            size_t end = r + 1;
            while (end < ne && e[end].key == e[r].key)
                end++;
            for (size_t x = r; x < end; x++)
                for (size_t y = x + 1; y < end; y++) {
                    if (other[e[x].g] && other[e[y].g])
                        continue;
                    if (np == cap) {
                        size_t c = cap ? cap * 2 : 1024;
                        uint64_t *v = contam_realloc(p, c * sizeof *v);
                        if (!v)
                            goto nomem;
                        p = v;
                        cap = c;
                    }
                    p[np++] = (uint64_t)e[x].g << 32 | e[y].g;
                }
            r = end;
        }
        /* keep the list small when buckets overlap across bands */
        if (np && (np > 1u << 20 || band + 1 == QUALITY_MINHASH_BANDS)) {
            qsort(p, np, sizeof *p, cmp_u64);
            size_t u = 0;
            for (size_t j = 0; j < np; j++)
                if (!u || p[u - 1] != p[j])
                    p[u++] = p[j];
            np = u;
        }
    }
    contam_free(e);
    *pairs = p;
    *npairs = np;
    return CONTAM_OK;
nomem:
    contam_free(e);
    contam_free(p);
    return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory (dedup candidates)");
}
