/* kmerge.c - k-way merge of sorted entry streams (run ranges and partition
 * files) for one partition. Equal keys combine: document frequencies add
 * (saturating), the first record is the smallest. Both operations are
 * commutative and associative, so the result does not depend on how the
 * corpus was cut into runs, threads or separately built indexes. */
#include <errno.h>
#include <string.h>

#include "index/index_internal.h"

#define SRC_BUF (1u << 16)

struct idx_source {
    int is_part;
    idx_entry cur;
    int has;
    unsigned shift;     /* runs: 64 - fp_bits (truncation to fingerprints) */
    uint64_t ord_base;
    char *path;
    /* run range */
    FILE *f;
    unsigned flags;
    uint8_t *buf;
    size_t pos, len;
    uint64_t remain;    /* bytes of the range not yet in buf */
    uint64_t prev;
    uint64_t hi;        /* the range's largest possible key */
    int first;
    XXH64_state_t xs;
    uint64_t want_sum;
    /* partition file */
    idx_part_reader pr;
    uint64_t block;
    uint32_t k;
};

void idx_source_free(idx_source *s)
{
    if (!s)
        return;
    if (s->f)
        fclose(s->f);
    contam_free(s->buf);
    contam_free(s->path);
    if (s->is_part)
        idx_part_close(&s->pr);
    contam_free(s);
}

/* ---- run ranges ----------------------------------------------------------------- */

static contam_status run_corrupt(const idx_source *s, contam_err *err, const char *what)
{
    return contam_err_set(err, CONTAM_ERR_CORRUPT, s->path, 0,
                          "damaged build run (%s); remove the .partial directory and rebuild",
                          what);
}

static int run_byte(idx_source *s, uint8_t *b)
{
    if (s->pos == s->len) {
        if (!s->remain)
            return -1;
        size_t want = s->remain < SRC_BUF ? (size_t)s->remain : SRC_BUF;
        if (fread(s->buf, 1, want, s->f) != want)
            return -2;
        XXH64_update(&s->xs, s->buf, want);
        s->remain -= want;
        s->pos = 0;
        s->len = want;
    }
    *b = s->buf[s->pos++];
    return 0;
}

/* 0 ok, -1 end of range, -2 error/damage. */
static int run_varint_slow(idx_source *s, uint64_t *v);

static inline int run_varint(idx_source *s, uint64_t *v)
{
    /* Fast path: a whole varint is in the buffer. */
    if (s->len - s->pos >= 10) {
        const uint8_t *p = s->buf + s->pos;
        uint64_t x = 0;
        for (unsigned k = 0; k < 10; k++) {
            x |= (uint64_t)(p[k] & 0x7F) << (7 * k);
            if (!(p[k] & 0x80)) {
                if (k == 9 && p[k] > 1)
                    return -2;
                s->pos += k + 1;
                *v = x;
                return 0;
            }
        }
        return -2;
    }
    return run_varint_slow(s, v);
}

static int run_varint_slow(idx_source *s, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        uint8_t b;
        int rc = run_byte(s, &b);
        if (rc)
            return shift == 0 ? rc : -2;
        if (shift == 63 && b > 1)
            return -2;
        x |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -2;
}

/* The 8 key bytes of a record (0), the end of the range (-1), damage (-2). */
static int run_key(idx_source *s, uint64_t *key)
{
    if (s->len - s->pos >= 8) {
        *key = idx_get64(s->buf + s->pos);
        s->pos += 8;
        return 0;
    }
    uint8_t b[8];
    for (unsigned k = 0; k < 8; k++) {
        int rc = run_byte(s, &b[k]);
        if (rc)
            return k == 0 ? rc : -2;
    }
    *key = idx_get64(b);
    return 0;
}

static contam_status run_next(idx_source *s, contam_err *err)
{
    uint64_t key, df = 1, ord = UINT64_MAX;
    int rc = run_key(s, &key);
    if (rc == -1) {
        s->has = 0;
        if (XXH64_digest(&s->xs) != s->want_sum)
            return run_corrupt(s, err, "checksum mismatch");
        return CONTAM_OK;
    }
    if (rc == 0 && (s->flags & IDX_FLAG_DF))
        rc = run_varint(s, &df);
    if (rc == 0 && (s->flags & IDX_FLAG_PROV))
        rc = run_varint(s, &ord);
    if (rc != 0 || (!s->first && key <= s->prev) || (s->first && key < s->prev) || key > s->hi ||
        df == 0)
        return run_corrupt(s, err, "bad record");
    s->first = 0;
    s->prev = key;
    s->cur.key = s->shift ? key >> s->shift : key;
    s->cur.df = df > IDX_DF_MAX ? IDX_DF_MAX : df;
    s->cur.ord = ord;
    s->has = 1;
    return CONTAM_OK;
}

contam_status idx_source_run(const char *path, const idx_layout *run_layout, unsigned part,
                             unsigned fp_bits, uint64_t ord_base, idx_source **out,
                             contam_err *err)
{
    *out = NULL;
    idx_source *s = contam_calloc(1, sizeof *s);
    if (!s || !(s->path = contam_strdup(path)) || !(s->buf = contam_malloc(SRC_BUF))) {
        idx_source_free(s);
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    }
    s->shift = 64 - fp_bits;
    s->ord_base = ord_base;
    s->flags = run_layout->flags;
    s->first = 1;
    s->f = fopen(path, "rb");
    if (!s->f) {
        contam_status st = contam_err_set(err, CONTAM_ERR_OPEN, path, 0, "cannot open run: %s",
                                          strerror(errno));
        idx_source_free(s);
        return st;
    }
    uint8_t h[32];
    unsigned P = run_layout->partitions;
    uint8_t tail[24];
    long at = 32 + 8 * (long)part;
    long sat = 32 + 8 * ((long)P + 1) + 8 * (long)part;
    contam_status st = CONTAM_OK;
    if (fread(h, 1, 32, s->f) != 32 || memcmp(h, IDX_RUN_MAGIC, 8) ||
        idx_get32(h + 8) != IDX_RUN_VERSION || idx_get32(h + 12) != P ||
        idx_get32(h + 16) != run_layout->flags)
        st = run_corrupt(s, err, "bad header");
    else if (fseek(s->f, at, SEEK_SET) || fread(tail, 1, 16, s->f) != 16 ||
             fseek(s->f, sat, SEEK_SET) || fread(tail + 16, 1, 8, s->f) != 8)
        st = run_corrupt(s, err, "short header");
    if (st == CONTAM_OK) {
        uint64_t a = idx_get64(tail), b = idx_get64(tail + 8);
        s->want_sum = idx_get64(tail + 16);
        if (b < a || fseek(s->f, (long)a, SEEK_SET))
            st = run_corrupt(s, err, "bad range");
        s->remain = b - a;
    }
    s->prev = run_layout->pbits ? (uint64_t)part << (64 - run_layout->pbits) : 0;
    s->hi = run_layout->pbits ? s->prev | (UINT64_MAX >> run_layout->pbits) : UINT64_MAX;
    XXH64_reset(&s->xs, 0);
    if (st == CONTAM_OK)
        st = run_next(s, err);
    if (st != CONTAM_OK) {
        idx_source_free(s);
        return st;
    }
    *out = s;
    return CONTAM_OK;
}

/* ---- partition files ---------------------------------------------------------------- */

static contam_status part_next(idx_source *s, contam_err *err)
{
    idx_part_reader *r = &s->pr;
    for (;;) {
        if (s->block >= r->nblocks) {
            s->has = 0;
            return CONTAM_OK;
        }
        contam_status st = idx_part_load(r, s->block, err);
        if (st != CONTAM_OK)
            return st;
        if (s->k < r->blocks[s->block].nkeys) {
            s->cur = r->ent[s->k++];
            if (s->cur.ord != UINT64_MAX)
                s->cur.ord += s->ord_base;
            s->has = 1;
            return CONTAM_OK;
        }
        s->block++;
        s->k = 0;
    }
}

contam_status idx_source_part(const char *path, const idx_layout *l, unsigned part,
                              uint64_t ord_base, idx_source **out, contam_err *err)
{
    *out = NULL;
    idx_source *s = contam_calloc(1, sizeof *s);
    if (!s)
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    s->is_part = 1;
    s->ord_base = ord_base;
    contam_status st = idx_part_open(path, part, l, &s->pr, err);
    if (st == CONTAM_OK)
        st = part_next(s, err);
    if (st != CONTAM_OK) {
        idx_source_free(s);
        return st;
    }
    *out = s;
    return CONTAM_OK;
}

static contam_status source_next(idx_source *s, contam_err *err)
{
    return s->is_part ? part_next(s, err) : run_next(s, err);
}

/* ---- the merge ---------------------------------------------------------------------- */

int idx_ltree_init(idx_ltree *t, size_t n)
{
    size_t k = 1;
    while (k < n)
        k <<= 1;
    t->k = k;
    t->node = contam_calloc(k, sizeof *t->node);
    t->leaf = contam_malloc(k * sizeof *t->leaf);
    if (!t->node || !t->leaf) {
        idx_ltree_free(t);
        return -1;
    }
    for (size_t i = 0; i < k; i++)
        t->leaf[i] = idx_lnode_make(UINT64_MAX, i, 1);
    return 0;
}

void idx_ltree_free(idx_ltree *t)
{
    contam_free(t->node);
    contam_free(t->leaf);
    memset(t, 0, sizeof *t);
}

/* The winner of the subtree at node at; records the losers on the way. */
static idx_lnode ltree_play(idx_ltree *t, size_t at)
{
    if (at >= t->k)
        return t->leaf[at - t->k];
    idx_lnode a = ltree_play(t, 2 * at), b = ltree_play(t, 2 * at + 1);
    if (b < a) {
        idx_lnode x = a;
        a = b;
        b = x;
    }
    t->node[at] = b;
    return a;
}

void idx_ltree_build(idx_ltree *t)
{
    t->node[0] = ltree_play(t, t->k > 1 ? 1 : t->k);
}

static contam_status kmerge(idx_source **src, size_t nsrc, idx_part_writer *w,
                            idx_run_writer *rw, uint64_t last, uint64_t *count, contam_err *err)
{
    idx_ltree t;
    if (idx_ltree_init(&t, nsrc))
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory merging runs");
    for (size_t k = 0; k < nsrc; k++)
        if (src[k]->has)
            idx_ltree_set(&t, k, src[k]->cur.key);
    idx_ltree_build(&t);
    uint64_t distinct = 0;
    contam_status st = CONTAM_OK;
    while (!idx_ltree_done(&t) && idx_ltree_key(&t) <= last) {
        idx_entry acc = src[idx_ltree_win(&t)]->cur;
        acc.df = 0;
        do {
            idx_source *s = src[idx_ltree_win(&t)];
            acc.df = idx_sat_add(acc.df, s->cur.df);
            if (s->cur.ord < acc.ord)
                acc.ord = s->cur.ord;
            if ((st = source_next(s, err)) != CONTAM_OK)
                goto done;
            idx_ltree_replay(&t, s->cur.key, !s->has);
        } while (!idx_ltree_done(&t) && idx_ltree_key(&t) == acc.key);
        distinct++;
        if (w && (st = idx_part_writer_add(w, &acc, err)) != CONTAM_OK)
            goto done;
        if (rw && (st = idx_run_writer_add(rw, acc.key, acc.df, acc.ord, err)) != CONTAM_OK)
            goto done;
    }
done:
    idx_ltree_free(&t);
    if (count)
        *count += distinct;
    return st;
}

contam_status idx_kmerge(idx_source **src, size_t nsrc, idx_part_writer *w,
                         idx_run_writer *rw, uint64_t *count, contam_err *err)
{
    return kmerge(src, nsrc, w, rw, UINT64_MAX, count, err);
}

contam_status idx_kmerge_count(idx_source **src, size_t nsrc, uint64_t last, uint64_t *count,
                               contam_err *err)
{
    return kmerge(src, nsrc, NULL, NULL, last, count, err);
}
