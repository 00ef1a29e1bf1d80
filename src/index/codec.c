/* codec.c - the block code of partition files: Rice-coded key gaps, Elias-
 * gamma document frequencies, fixed-width first-record ordinals, LSB-first
 * bit order. Gaps between sorted random fingerprints are nearly geometric,
 * for which Rice coding with the best parameter costs about log2(mean gap) +
 * 1.5 bits; most keys have df 1, which gamma codes in one bit.
 * docs/FORMATS.md describes the same bits for readers in other languages. */
#include <string.h>

#include "index/index_internal.h"

#define UNARY_ESCAPE 31

/* Bits go LSB-first into a buffer reserved for the worst case, so the hot
 * loop never checks capacity; whole 32-bit words are stored at once. */
typedef struct {
    uint8_t *p;
    uint64_t acc;
    unsigned n;  /* bits in acc, < 32 between calls */
} bitw;

static inline void bw_put32(bitw *w, uint64_t v, unsigned nbits)
{
    w->acc |= (v & ((UINT64_C(1) << nbits) - 1)) << w->n;
    w->n += nbits;
    if (w->n >= 32) {
        idx_put32(w->p, (uint32_t)w->acc);
        w->p += 4;
        w->acc >>= 32;
        w->n -= 32;
    }
}

static inline void bw_put(bitw *w, uint64_t v, unsigned nbits)
{
    if (nbits > 32) {
        bw_put32(w, v, 32);
        v >>= 32;
        nbits -= 32;
    }
    bw_put32(w, v, nbits);
}

static void bw_flush(bitw *w)
{
    while (w->n > 0) {
        *w->p++ = (uint8_t)w->acc;
        w->acc >>= 8;
        w->n = w->n > 8 ? w->n - 8 : 0;
    }
    w->acc = 0;
}

static unsigned floor_log2(uint64_t x) { return 63u - (unsigned)__builtin_clzll(x); }

/* Elias gamma of x >= 1: L = floor(log2 x) zero bits, a one bit, then the low
 * L bits of x. */
static void bw_gamma(bitw *w, uint64_t x)
{
    unsigned L = floor_log2(x);
    bw_put(w, 0, L);
    bw_put(w, 1, 1);
    bw_put(w, x, L);
}

static unsigned gamma_len(uint64_t x) { return 2 * floor_log2(x) + 1; }

static unsigned rice_len(uint64_t gap, unsigned k)
{
    uint64_t q = gap >> k;
    return k + (q < UNARY_ESCAPE ? (unsigned)q + 1 : UNARY_ESCAPE + gamma_len(q - UNARY_ESCAPE + 1));
}

/* The Rice parameter: the cheapest of k0 - 1, k0, k0 + 1 around
 * log2(mean gap), costed in one pass (ties to the smaller k). */
static unsigned choose_k(const idx_entry *e, size_t n)
{
    if (n < 2)
        return 0;
    uint64_t span = e[n - 1].key - e[0].key - (n - 1);
    uint64_t mean = span / (n - 1);
    unsigned k0 = mean ? floor_log2(mean) : 0;
    unsigned lo = k0 > 1 ? k0 - 1 : 0, hi = k0 + 1 < 64 ? k0 + 1 : 63;
    uint64_t cost[3] = {0, 0, 0};
    for (size_t j = 1; j < n; j++) {
        uint64_t g = e[j].key - e[j - 1].key - 1;
        for (unsigned k = lo; k <= hi; k++)
            cost[k - lo] += rice_len(g, k);
    }
    unsigned best = lo;
    for (unsigned k = lo + 1; k <= hi; k++)
        if (cost[k - lo] < cost[best - lo])
            best = k;
    return best;
}

/* Worst case per key: escaped gap (31 + 127 + 63 bits), df (127), ordinal (64). */
#define MAX_KEY_BYTES 52

int idx_block_encode(const idx_layout *l, const idx_entry *e, size_t n, contam_buf *out)
{
    unsigned k = choose_k(e, n);
    if (contam_buf_reserve(out, 2 + n * MAX_KEY_BYTES))
        return -1;
    uint8_t *start = (uint8_t *)out->ptr + out->size;
    start[0] = (uint8_t)k;
    bitw w = {start + 1, 0, 0};
    for (size_t j = 1; j < n; j++) {
        uint64_t g = e[j].key - e[j - 1].key - 1;
        uint64_t q = g >> k;
        if (q < UNARY_ESCAPE) {
            bw_put(&w, (UINT64_C(1) << q) - 1, (unsigned)q + 1); /* q ones, one zero */
        } else {
            bw_put(&w, (UINT64_C(1) << UNARY_ESCAPE) - 1, UNARY_ESCAPE);
            bw_gamma(&w, q - UNARY_ESCAPE + 1);
        }
        bw_put(&w, g, k);
    }
    if (l->flags & IDX_FLAG_DF)
        for (size_t j = 0; j < n; j++)
            bw_gamma(&w, e[j].df);
    if (l->flags & IDX_FLAG_PROV)
        for (size_t j = 0; j < n; j++)
            bw_put(&w, e[j].ord, l->ord_bits);
    bw_flush(&w);
    out->size += (size_t)(w.p - start);
    out->ptr[out->size] = '\0';
    return 0;
}

/* ---- reader -------------------------------------------------------------------- */

typedef struct {
    const uint8_t *p, *end;
    uint64_t acc;
    unsigned n;
    int overrun;
} bitr;

static inline void br_refill(bitr *r)
{
    if (r->end - r->p >= 8) {
        /* branch-free refill: load 8 bytes, keep the whole ones that fit */
        uint64_t w = 0;
        for (int i = 7; i >= 0; i--)
            w = (w << 8) | r->p[i];
        r->acc |= w << r->n;
        unsigned take = (63 - r->n) >> 3;
        r->p += take;
        r->n += take * 8;
        if (r->n < 64)
            r->acc &= (UINT64_C(1) << r->n) - 1;
        return;
    }
    while (r->n <= 56 && r->p < r->end) {
        r->acc |= (uint64_t)*r->p++ << r->n;
        r->n += 8;
    }
}

/* Up to 64 bits. */
static inline uint64_t br_get(bitr *r, unsigned nbits)
{
    if (nbits == 0)
        return 0;
    if (nbits <= 56) {
        if (r->n < nbits)
            br_refill(r);
        if (r->n < nbits) {
            r->overrun = 1;
            return 0;
        }
        uint64_t v = r->acc & ((UINT64_C(1) << nbits) - 1);
        r->acc = nbits == 64 ? 0 : r->acc >> nbits;
        r->n -= nbits;
        return v;
    }
    uint64_t lo = br_get(r, 32);
    return lo | (br_get(r, nbits - 32) << 32);
}

/* Counts `bit` values until the other value (consumed), at most limit. */
static unsigned br_run(bitr *r, int bit, unsigned limit)
{
    unsigned count = 0;
    for (;;) {
        if (r->n == 0)
            br_refill(r);
        if (r->n == 0) {
            r->overrun = 1;
            return count;
        }
        uint64_t x = bit ? ~r->acc : r->acc;
        unsigned run = x ? (unsigned)__builtin_ctzll(x) : 64;
        if (run > r->n)
            run = r->n;
        if (count + run >= limit) {
            unsigned take = limit - count;
            r->acc = take == 64 ? 0 : r->acc >> take;
            r->n -= take;
            return limit;
        }
        count += run;
        r->acc = run == 64 ? 0 : r->acc >> run;
        r->n -= run;
        if (r->n > 0) { /* the terminating bit */
            r->acc >>= 1;
            r->n -= 1;
            return count;
        }
    }
}

static uint64_t br_gamma(bitr *r, int *bad)
{
    unsigned L = br_run(r, 0, 64);
    if (L >= 64) {
        *bad = 1;
        return 0;
    }
    uint64_t low = br_get(r, L);
    return (UINT64_C(1) << L) | low;
}

int idx_block_decode(const idx_layout *l, const uint8_t *p, size_t len, uint64_t first,
                     size_t n, idx_entry *out, char *why, size_t cap)
{
    if (len < 1 || n == 0) {
        snprintf(why, cap, "empty block");
        return -1;
    }
    unsigned k = p[0];
    if (k > 63) {
        snprintf(why, cap, "invalid Rice parameter %u", k);
        return -1;
    }
    uint64_t maxfp = l->fp_bits == 64 ? UINT64_MAX : (UINT64_C(1) << l->fp_bits) - 1;
    bitr r = {p + 1, p + len, 0, 0, 0};
    int bad = 0;
    out[0].key = first;
    out[0].df = 1;
    out[0].ord = UINT64_MAX;
    if (first > maxfp) {
        snprintf(why, cap, "first key wider than %u bits", l->fp_bits);
        return -1;
    }
    for (size_t j = 1; j < n; j++) {
        uint64_t q = br_run(&r, 1, UNARY_ESCAPE);
        if (q == UNARY_ESCAPE) {
            /* gamma(q - 30) up to 2^64 - 1 can name a q past 64 bits: out
             * of range, not to be wrapped into a small gap */
            uint64_t x = br_gamma(&r, &bad);
            if (x > UINT64_MAX - (UNARY_ESCAPE - 1))
                bad = 1;
            q = x + UNARY_ESCAPE - 1;
        }
        if (k && q > (UINT64_MAX >> k))
            bad = 1;
        uint64_t g = (q << k) | br_get(&r, k);
        uint64_t prev = out[j - 1].key;
        if (bad || r.overrun || g >= maxfp - prev) {
            snprintf(why, cap, "key %zu out of range or truncated", j);
            return -1;
        }
        out[j].key = prev + g + 1;
        out[j].df = 1;
        out[j].ord = UINT64_MAX;
    }
    if (l->flags & IDX_FLAG_DF)
        for (size_t j = 0; j < n; j++) {
            out[j].df = br_gamma(&r, &bad);
            if (bad || r.overrun || out[j].df > IDX_DF_MAX) {
                snprintf(why, cap, "document frequency %zu invalid", j);
                return -1;
            }
        }
    if (l->flags & IDX_FLAG_PROV)
        for (size_t j = 0; j < n; j++) {
            out[j].ord = br_get(&r, l->ord_bits);
            if (r.overrun) {
                snprintf(why, cap, "record ordinal %zu truncated", j);
                return -1;
            }
        }
    /* Exactly the padding of the last byte may remain, and it must be zero. */
    if (r.p != r.end || r.n >= 8 || (r.n && r.acc)) {
        snprintf(why, cap, "trailing bits after %zu keys", n);
        return -1;
    }
    return 0;
}
