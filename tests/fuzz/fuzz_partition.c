/* fuzz_partition.c - fuzz target for the index's partition reader and block
 * codec (idx_part_open, idx_part_load, idx_block_decode/encode, and through
 * them index_verify, index_open and index_lookup).
 *
 * An input that starts with the magic "CONTAMIX" is a partition file
 * (docs/FORMATS.md, "Partition file"). It is read as given and, when that
 * differs, with its checksums recomputed (header, block index, every block
 * the index locates), so mutations behind the checksums reach the structural
 * checks and the decoder. Each version is opened with the fixed layouts of
 * FIXED[] (those of the seed indexes) and with the layout its header states;
 * every block is loaded, forwards and then backwards. Properties:
 *  - a failed open or load is TRUNCATED, FORMAT or CORRUPT with a message
 *    naming the file (a load: "block B ..."), and gives the same verdict in
 *    either order; nothing is answered from a damaged block;
 *  - a loaded block holds its index entry's key count, keys strictly
 *    increasing from the entry's first key, within the fingerprint width
 *    and the file's partition, below the next block's first key; df >= 1
 *    (<= 2^32 - 1 with document frequencies, 1 without); ordinals within
 *    ord_bits (UINT64_MAX without provenance);
 *  - the block code is canonical: a reference encoder written from the
 *    format gives back the block's exact bytes from the decoded keys and the
 *    block's Rice parameter; idx_block_encode writes the reference's bits
 *    for its own parameter, and they decode to the same keys; the block cut
 *    by one byte, or with a zero byte appended, is rejected;
 *  - when a fixed layout accepts the file, it is put into an index of that
 *    layout (the other partitions empty, a manifest that matches it):
 *    index_verify must report exactly the blocks that failed to load, with
 *    the first one's message; index_open must succeed, and index_lookup of
 *    every block's first key, every key of the sound blocks and a few absent
 *    keys must fail with that same message when a block is damaged, else
 *    answer each key's df and first record.
 * Any other input is one raw block: 13 bytes of layout (fingerprint bits,
 * flags, ord_bits, key count, first key; see block_mode) and the block's
 * bytes, which idx_block_decode must reject with a reason or decode under
 * the properties above.
 */
#include <sys/stat.h>

#include "fuzz_util.h"
#include "index/index_internal.h"
#include "io/io.h"

#define MAX_DERIVED_BLOCK_KEYS (1u << 20) /* the manifest's limit; see run_file */
#define MAX_PROBES 64

/* The layouts of the seed indexes: word 13-grams, default seed, text field
 * "text", 512-key blocks; the seeds are partitions of
 *   contam index build --df --fp-bits 32 --partitions 16                  (3 records)
 *   contam index build --df --provenance --fp-bits 40 --partitions 4      (3 records)
 *   contam index build --fp-bits 64 --partitions 1                        (10 records)
 * over the first records of corpora/shards/web-00.jsonl.zst (and one record
 * cut to 14 words, for near-empty partitions). */
typedef struct {
    unsigned partitions, fp_bits;
    int df, prov;
    uint64_t records;
} fixed_spec;

static const fixed_spec FIXED[] = {
    {16, 32, 1, 0, 3},
    {4, 40, 1, 1, 3},
    {1, 64, 0, 0, 10},
};
#define NFIXED (sizeof FIXED / sizeof FIXED[0])

/* ---- small helpers ------------------------------------------------------------ */

static uint64_t max_fp(unsigned fp_bits)
{
    return fp_bits >= 64 ? UINT64_MAX : (UINT64_C(1) << fp_bits) - 1;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

typedef struct {
    uint64_t key, df, ord;
    int present;
} probe;

typedef struct {
    probe *v;
    size_t n, cap;
} probes;

static void probes_push(probes *p, uint64_t key, uint64_t df, uint64_t ord, int present)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 1024;
        p->v = realloc(p->v, p->cap * sizeof *p->v);
        if (!p->v)
            abort();
    }
    p->v[p->n++] = (probe){key, df, ord, present};
}

static void check_error(contam_status st, const contam_err *err, const char *path,
                        const char *what)
{
    FUZZ_CHECK(st == CONTAM_ERR_TRUNCATED || st == CONTAM_ERR_FORMAT || st == CONTAM_ERR_CORRUPT,
               "%s: %s fails with %s: %s", path, what, contam_status_name(st), err->msg);
    FUZZ_CHECK(err->code == st && err->msg[0] && strcmp(err->file, path) == 0,
               "%s: %s: the error does not name the file: [%s] %s", path, what, err->file,
               err->msg);
}

/* ---- block properties ---------------------------------------------------------- */

static void check_entries(const idx_layout *l, const idx_entry *e, size_t n, uint64_t first,
                          const char *where)
{
    uint64_t maxfp = max_fp(l->fp_bits);
    FUZZ_CHECK(e[0].key == first, "%s: first key %llu, the index says %llu", where,
               (unsigned long long)e[0].key, (unsigned long long)first);
    for (size_t j = 0; j < n; j++) {
        FUZZ_CHECK(e[j].key <= maxfp, "%s: key %zu wider than %u bits", where, j, l->fp_bits);
        FUZZ_CHECK(j == 0 || e[j].key > e[j - 1].key, "%s: key %zu not above key %zu", where, j,
                   j - 1);
        if (l->flags & IDX_FLAG_DF)
            FUZZ_CHECK(e[j].df >= 1 && e[j].df <= IDX_DF_MAX, "%s: df %llu of key %zu", where,
                       (unsigned long long)e[j].df, j);
        else
            FUZZ_CHECK(e[j].df == 1, "%s: df %llu without document frequencies", where,
                       (unsigned long long)e[j].df);
        if (l->flags & IDX_FLAG_PROV)
            FUZZ_CHECK(l->ord_bits >= 64 || e[j].ord >> l->ord_bits == 0,
                       "%s: ordinal %llu wider than %u bits", where,
                       (unsigned long long)e[j].ord, l->ord_bits);
        else
            FUZZ_CHECK(e[j].ord == UINT64_MAX, "%s: ordinal without provenance", where);
    }
}

static int decode_copy(const idx_layout *l, const uint8_t *p, size_t len, uint64_t first,
                       size_t n, idx_entry *out)
{
    /* an exact-size copy: ASan sees a read past len */
    uint8_t *c = xmalloc(len);
    if (len)
        memcpy(c, p, len);
    char why[160];
    int rc = idx_block_decode(l, c, len, first, n, out, why, sizeof why);
    free(c);
    return rc;
}

/* The block code written from docs/FORMATS.md, one bit at a time, with a
 * given Rice parameter k: the reference for both directions. */
typedef struct {
    uint8_t *p;
    size_t nbits;
} refw;

static void rw_put(refw *w, uint64_t v, unsigned nbits)
{
    for (unsigned i = 0; i < nbits; i++, w->nbits++)
        if ((v >> i) & 1)
            w->p[1 + (w->nbits >> 3)] |= (uint8_t)(1u << (w->nbits & 7));
}

static void rw_gamma(refw *w, uint64_t x)
{
    unsigned L = 63u - (unsigned)__builtin_clzll(x);
    rw_put(w, 0, L);
    rw_put(w, 1, 1);
    rw_put(w, x, L);
}

/* Returns the block's length; out must hold 2 + 52 bytes per key. */
static size_t ref_encode(const idx_layout *l, unsigned k, const idx_entry *e, size_t n,
                         uint8_t *out)
{
    refw w = {out, 0};
    memset(out, 0, 2 + n * 52);
    out[0] = (uint8_t)k;
    for (size_t j = 1; j < n; j++) {
        uint64_t g = e[j].key - e[j - 1].key - 1, q = g >> k;
        if (q < 31) {
            rw_put(&w, UINT64_MAX, (unsigned)q);
            rw_put(&w, 0, 1);
        } else {
            rw_put(&w, UINT64_MAX, 31);
            rw_gamma(&w, q - 30);
        }
        rw_put(&w, g, k);
    }
    if (l->flags & IDX_FLAG_DF)
        for (size_t j = 0; j < n; j++)
            rw_gamma(&w, e[j].df);
    if (l->flags & IDX_FLAG_PROV)
        for (size_t j = 0; j < n; j++)
            rw_put(&w, e[j].ord, l->ord_bits);
    return 1 + (w.nbits + 7) / 8;
}

/* raw[0, len) decoded to e[0, n): it must be the one encoding of those keys
 * with its Rice parameter (the code is canonical and has no slack), the
 * encoder must write the same bits for its own choice of parameter, and one
 * byte less or more must be rejected. */
static void check_codec(const idx_layout *l, const uint8_t *raw, size_t len, const idx_entry *e,
                        size_t n, const char *where)
{
    static contam_buf enc;
    uint8_t *ref = xmalloc(2 + n * 52);
    size_t rlen = ref_encode(l, raw[0], e, n, ref);
    FUZZ_CHECK(rlen == len && memcmp(ref, raw, len) == 0,
               "%s: the decoder accepted %zu bytes that are not the encoding of the keys they "
               "decode to (%zu bytes with k = %u)", where, len, rlen, raw[0]);
    contam_buf_reset(&enc);
    FUZZ_CHECK(idx_block_encode(l, e, n, &enc) == 0, "%s: encode failed", where);
    const uint8_t *x = (const uint8_t *)enc.ptr;
    rlen = ref_encode(l, x[0], e, n, ref);
    FUZZ_CHECK(rlen == enc.size && memcmp(ref, x, rlen) == 0,
               "%s: idx_block_encode (k = %u) differs from the format's bits", where, x[0]);
    idx_entry *back = xmalloc(n * sizeof *back);
    char why[160] = "";
    FUZZ_CHECK(idx_block_decode(l, x, enc.size, e[0].key, n, back, why, sizeof why) == 0,
               "%s: the re-encoded block does not decode: %s", where, why);
    for (size_t j = 0; j < n; j++)
        FUZZ_CHECK(back[j].key == e[j].key && back[j].df == e[j].df && back[j].ord == e[j].ord,
                   "%s: re-encoded key %zu decodes differently", where, j);
    FUZZ_CHECK(decode_copy(l, raw, len - 1, e[0].key, n, back) != 0,
               "%s: the block without its last byte decodes", where);
    uint8_t *longer = xmalloc(len + 1);
    memcpy(longer, raw, len);
    longer[len] = 0;
    FUZZ_CHECK(decode_copy(l, longer, len + 1, e[0].key, n, back) != 0,
               "%s: the block with a zero byte appended decodes", where);
    free(longer);
    free(back);
    free(ref);
}

/* ---- a partition file ------------------------------------------------------------ */

typedef struct {
    contam_status st;        /* the open */
    uint64_t nblocks, nkeys, bad_blocks, good_keys;
    contam_err first_bad;    /* the first block that failed to load */
    probes keys;             /* what a lookup must answer */
} pass_result;

static uint64_t entries_hash(const idx_entry *e, size_t n)
{
    return fuzz_hash((const uint8_t *)e, n * sizeof *e);
}

/* Adds the keys of a sound block, and absent keys between them. */
static void add_probes(pass_result *res, const idx_part_reader *r, uint64_t b, int sound,
                       size_t *nprobe)
{
    const idx_block_ref *br = &r->blocks[b];
    if (!sound) {
        probes_push(&res->keys, br->first, 0, 0, -1);
        return;
    }
    for (uint32_t j = 0; j < br->nkeys; j++) {
        const idx_entry *e = &r->ent[j];
        probes_push(&res->keys, e->key, e->df, e->ord, 1);
        uint64_t next = j + 1 < br->nkeys ? r->ent[j + 1].key
                        : b + 1 < r->nblocks ? r->blocks[b + 1].first
                                             : max_fp(r->l.fp_bits);
        if (next - e->key > 1 && *nprobe < MAX_PROBES) { /* next >= key */
            probes_push(&res->keys, e->key + 1, 0, 0, 0);
            ++*nprobe;
        }
    }
}

static void check_loaded(const idx_part_reader *r, uint64_t b, const char *path)
{
    char where[4400];
    snprintf(where, sizeof where, "%s: block %llu", path, (unsigned long long)b);
    const idx_block_ref *br = &r->blocks[b];
    check_entries(&r->l, r->ent, br->nkeys, br->first, where);
    for (uint32_t j = 0; j < br->nkeys; j++)
        FUZZ_CHECK(idx_part_of(&r->l, r->ent[j].key) == r->part,
                   "%s: key %u is outside partition %u", where, j, r->part);
    FUZZ_CHECK(b + 1 >= r->nblocks || r->ent[br->nkeys - 1].key < r->blocks[b + 1].first,
               "%s: last key not below the next block's first", where);
    check_codec(&r->l, r->raw, (size_t)br->len, r->ent, br->nkeys, where);
}

/* Opens path as partition `part` (want NULL: the header's own layout) and
 * loads every block forwards, then backwards. */
static void open_and_load(const char *path, unsigned part, const idx_layout *want,
                          pass_result *res)
{
    idx_part_reader r;
    contam_err err;
    contam_err_clear(&err);
    res->keys.n = 0;
    res->bad_blocks = res->good_keys = 0;
    res->st = idx_part_open(path, part, want, &r, &err);
    if (res->st != CONTAM_OK) {
        check_error(res->st, &err, path, "open");
        idx_part_close(&r);
        return;
    }
    unsigned pbits = 0;
    while (pbits < 31 && (1u << pbits) < r.l.partitions)
        pbits++;
    FUZZ_CHECK(r.l.partitions >= 1 && (1u << pbits) == r.l.partitions && r.part < r.l.partitions &&
                   r.l.fp_bits >= pbits && r.l.fp_bits <= 64 && r.l.ord_bits <= 64,
               "%s: opened with header P=%u p=%u W=%u ord_bits=%u", path, r.l.partitions, r.part,
               r.l.fp_bits, r.l.ord_bits);
    FUZZ_CHECK(!want || (r.part == part && r.l.partitions == want->partitions &&
                         r.l.fp_bits == want->fp_bits && r.l.flags == want->flags &&
                         r.l.ord_bits == want->ord_bits && r.l.params_hash == want->params_hash),
               "%s: opened although its layout differs from the expected one", path);
    uint64_t sum = 0;
    for (uint64_t b = 0; b < r.nblocks; b++) {
        sum += r.blocks[b].nkeys;
        FUZZ_CHECK(b == 0 || r.blocks[b].first > r.blocks[b - 1].first,
                   "%s: block %llu first keys out of order", path, (unsigned long long)b);
    }
    FUZZ_CHECK(sum == r.nkeys, "%s: blocks hold %llu keys, the header %llu", path,
               (unsigned long long)sum, (unsigned long long)r.nkeys);
    res->nblocks = r.nblocks;
    res->nkeys = r.nkeys;
    uint64_t *verdict = xmalloc((size_t)r.nblocks * sizeof *verdict);
    size_t nprobe = 0;
    for (uint64_t b = 0; b < r.nblocks; b++) {
        contam_status st = idx_part_load(&r, b, &err);
        if (st != CONTAM_OK) {
            check_error(st, &err, path, "load");
            char pre[40];
            int n = snprintf(pre, sizeof pre, "block %llu ", (unsigned long long)b);
            FUZZ_CHECK(strncmp(err.msg, pre, (size_t)n) == 0, "%s: load error names no block: %s",
                       path, err.msg);
            if (res->bad_blocks++ == 0)
                res->first_bad = err;
            verdict[b] = 0;
        } else {
            check_loaded(&r, b, path);
            verdict[b] = entries_hash(r.ent, r.blocks[b].nkeys) | 1;
            res->good_keys += r.blocks[b].nkeys;
        }
        add_probes(res, &r, b, st == CONTAM_OK, &nprobe);
    }
    for (uint64_t b = r.nblocks; b-- > 0;) {
        contam_status st = idx_part_load(&r, b, &err);
        uint64_t v = st == CONTAM_OK ? entries_hash(r.ent, r.blocks[b].nkeys) | 1 : 0;
        FUZZ_CHECK(v == verdict[b], "%s: block %llu loads differently the second time", path,
                   (unsigned long long)b);
    }
    free(verdict);
    idx_part_close(&r);
}

/* ---- the file inside an index: verify, open, lookup ------------------------------- */

typedef struct {
    int ready;
    char dir[4300];
    index_meta m;
    index_file file;
    idx_layout l;
    uint8_t *empty[16]; /* the bytes of each empty partition file */
    size_t empty_len[16];
    index_part empty_part[16];
} fixed_index;

static fixed_index FX[NFIXED];
static char text_field[] = "text";

static void fixed_meta(const fixed_spec *s, index_meta *m, index_file *f)
{
    memset(m, 0, sizeof *m);
    m->format_version = INDEX_FORMAT_VERSION;
    snprintf(m->tool, sizeof m->tool, "contam %s", CONTAM_VERSION);
    m->n = 13;
    m->unit = NGRAM_UNIT_WORD;
    snprintf(m->normalizer, sizeof m->normalizer, "%s", NGRAM_NORMALIZER_VERSION);
    snprintf(m->hash_scheme, sizeof m->hash_scheme, "%s", NGRAM_HASH_SCHEME);
    m->seed = NGRAM_DEFAULT_SEED;
    m->text_field = text_field;
    m->has_df = s->df;
    m->has_provenance = s->prov;
    m->partitions = s->partitions;
    m->block_keys = IDX_BLOCK_KEYS;
    m->fp_bits = s->fp_bits;
    m->records = m->docs = s->records;
    memset(f, 0, sizeof *f);
    f->path = text_field; /* any non-empty name */
    snprintf(f->format, sizeof f->format, "plain");
    f->records = f->docs = s->records;
    m->files = f;
    m->nfiles = 1;
}

static void fixed_cleanup(void)
{
    for (size_t i = 0; i < NFIXED; i++)
        if (FX[i].ready) {
            (void)io_rm_tree(FX[i].dir);
            for (unsigned p = 0; p < FX[i].m.partitions; p++)
                free(FX[i].empty[p]);
            free(FX[i].m.parts);
        }
}

/* An index directory of layout i with every partition empty. */
static fixed_index *fixed_setup(size_t i)
{
    fixed_index *fx = &FX[i];
    if (fx->ready)
        return fx;
    static int registered;
    (void)fuzz_dir();
    if (!registered++)
        atexit(fixed_cleanup); /* runs before fuzz_dir's rmdir */
    char name[32];
    snprintf(name, sizeof name, "index%zu", i);
    fuzz_path(fx->dir, sizeof fx->dir, name);
    if (mkdir(fx->dir, 0700) != 0) {
        perror(fx->dir);
        abort();
    }
    fixed_meta(&FIXED[i], &fx->m, &fx->file);
    idx_layout_from_meta(&fx->m, &fx->l);
    fx->m.parts = xmalloc(fx->m.partitions * sizeof *fx->m.parts);
    contam_err err;
    for (unsigned p = 0; p < fx->m.partitions; p++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/part-%04u.cidx", fx->dir, p);
        idx_part_writer *w;
        contam_buf b = {0};
        if (idx_part_writer_open(path, &fx->l, p, &w, &err) != CONTAM_OK ||
            idx_part_writer_close(w, &fx->empty_part[p], &err) != CONTAM_OK ||
            io_read_all(path, 1 << 20, &b, NULL, &err) != CONTAM_OK) {
            fprintf(stderr, "fuzz: %s: %s\n", path, err.msg);
            abort();
        }
        fx->empty[p] = xmalloc(b.size);
        memcpy(fx->empty[p], b.ptr, b.size);
        fx->empty_len[p] = b.size;
        contam_buf_free(&b);
    }
    fx->ready = 1;
    return fx;
}

static void in_index(size_t i, unsigned part, const uint8_t *data, size_t size,
                     const pass_result *res)
{
    fixed_index *fx = fixed_setup(i);
    index_meta *m = &fx->m;
    char path[4400], mpath[4400];
    snprintf(path, sizeof path, "%s/part-%04u.cidx", fx->dir, part);
    snprintf(mpath, sizeof mpath, "%s/%s", fx->dir, IDX_MANIFEST);
    fuzz_write(path, data, size);
    contam_err err;
    for (unsigned p = 0; p < m->partitions; p++)
        m->parts[p] = fx->empty_part[p];
    index_part *ip = &m->parts[part];
    ip->keys = res->nkeys;
    FUZZ_CHECK(idx_file_checksum(path, ip->checksum, &ip->bytes, &err) == CONTAM_OK,
               "checksum %s: %s", path, err.msg);
    m->keys = res->nkeys;
    FUZZ_CHECK(idx_manifest_write(mpath, m, &err) == CONTAM_OK, "manifest: %s", err.msg);

    index_verify_report rep;
    contam_err_clear(&err);
    contam_status st = index_verify(fx->dir, 1, &rep, &err);
    if (res->bad_blocks == 0) {
        FUZZ_CHECK(st == CONTAM_OK && rep.problems == 0, "%s: index_verify: %s: %s", path,
                   contam_status_name(st), err.msg);
        FUZZ_CHECK(rep.blocks_checked == res->nblocks && rep.keys_checked == res->nkeys,
                   "%s: index_verify checked %llu blocks, %llu keys of %llu, %llu", path,
                   (unsigned long long)rep.blocks_checked, (unsigned long long)rep.keys_checked,
                   (unsigned long long)res->nblocks, (unsigned long long)res->nkeys);
    } else {
        FUZZ_CHECK(st == CONTAM_ERR_CORRUPT && rep.problems == res->bad_blocks && rep.first[0],
                   "%s: index_verify: %s with %zu problems, %llu blocks failed to load", path,
                   contam_status_name(st), rep.problems, (unsigned long long)res->bad_blocks);
        FUZZ_CHECK(strcmp(err.file, path) == 0 && strcmp(err.msg, res->first_bad.msg) == 0,
                   "%s: index_verify reports [%s] %s, the load [%s] %s", path, err.file, err.msg,
                   res->first_bad.file, res->first_bad.msg);
        FUZZ_CHECK(rep.blocks_checked == res->nblocks - res->bad_blocks &&
                       rep.keys_checked == res->good_keys,
                   "%s: index_verify checked %llu blocks", path,
                   (unsigned long long)rep.blocks_checked);
    }

    index_reader *ix = NULL;
    st = index_open(fx->dir, &ix, &err);
    FUZZ_CHECK(st == CONTAM_OK, "%s: index_open: %s", path, err.msg);
    size_t n = res->keys.n;
    if (n) {
        unsigned shift = 64 - m->fp_bits;
        uint64_t *keys = xmalloc(n * sizeof *keys), *first = xmalloc(n * sizeof *first);
        uint32_t *df = xmalloc(n * sizeof *df);
        for (size_t k = 0; k < n; k++)
            keys[k] = shift ? res->keys.v[k].key << shift : res->keys.v[k].key;
        contam_err_clear(&err);
        st = index_lookup(ix, keys, n, df, first, 1, &err);
        if (res->bad_blocks) {
            FUZZ_CHECK(st == CONTAM_ERR_CORRUPT && strcmp(err.file, path) == 0 &&
                           strcmp(err.msg, res->first_bad.msg) == 0,
                       "%s: lookup over a damaged block: %s [%s] %s, the load said %s", path,
                       contam_status_name(st), err.file, err.msg, res->first_bad.msg);
        } else {
            FUZZ_CHECK(st == CONTAM_OK, "%s: lookup: %s", path, err.msg);
            for (size_t k = 0; k < n; k++) {
                const probe *q = &res->keys.v[k];
                uint64_t want_first = q->present ? q->ord : INDEX_NO_RECORD;
                FUZZ_CHECK(df[k] == q->df && first[k] == want_first,
                           "%s: lookup of %s key %llu: df %u first %llu, expected %llu, %llu",
                           path, q->present ? "present" : "absent", (unsigned long long)q->key,
                           df[k], (unsigned long long)first[k], (unsigned long long)q->df,
                           (unsigned long long)want_first);
            }
        }
        free(keys);
        free(first);
        free(df);
    }
    index_close(ix);
    fuzz_write(path, fx->empty[part], fx->empty_len[part]);
}

/* ---- driver ---------------------------------------------------------------------- */

/* Recomputes the checksums the file claims (blocks the block index locates,
 * the block index, the header). Returns whether anything changed. */
static int fix_sums(uint8_t *f, size_t n)
{
    if (n < IDX_HEADER_BYTES)
        return 0;
    uint8_t old[4];
    int changed = 0;
    uint64_t nblocks = idx_get64(f + 40), bb = idx_get64(f + 48);
    uint64_t room = n - IDX_HEADER_BYTES;
    if (bb <= room && nblocks <= (room - bb) / IDX_ENTRY_BYTES) {
        uint8_t *ix = f + IDX_HEADER_BYTES + bb;
        for (uint64_t b = 0; b < nblocks; b++) {
            uint8_t *e = ix + b * IDX_ENTRY_BYTES;
            uint64_t off = idx_get64(e + 8);
            uint64_t end = b + 1 < nblocks ? idx_get64(e + IDX_ENTRY_BYTES + 8) : bb;
            if (off < end && end <= bb) {
                memcpy(old, e + 20, 4);
                idx_put32(e + 20, idx_sum32(f + IDX_HEADER_BYTES + off, (size_t)(end - off)));
                changed |= memcmp(old, e + 20, 4) != 0;
            }
        }
        memcpy(old, f + 68, 4);
        idx_put32(f + 68, idx_sum32(ix, (size_t)nblocks * IDX_ENTRY_BYTES));
        changed |= memcmp(old, f + 68, 4) != 0;
    }
    memcpy(old, f + 76, 4);
    idx_put32(f + 76, idx_sum32(f, 76));
    changed |= memcmp(old, f + 76, 4) != 0;
    return changed;
}

static void run_file(const uint8_t *data, size_t size)
{
    static pass_result res;
    char path[4300];
    fuzz_path(path, sizeof path, "part.cidx");
    fuzz_write(path, data, size);
    unsigned hdr_part = size >= 16 ? idx_get32(data + 12) : 0;
    for (size_t i = 0; i < NFIXED; i++) {
        fixed_index *fx = fixed_setup(i);
        unsigned part = hdr_part % fx->m.partitions;
        open_and_load(path, part, &fx->l, &res);
        if (res.st == CONTAM_OK)
            in_index(i, part, data, size, &res);
    }
    /* With no expected layout the reader trusts the header's block size for
     * its key buffer; every caller passes a layout from a manifest, which
     * caps it, so the header-derived open keeps to the same cap. */
    if (size < 32 || idx_get32(data + 28) <= MAX_DERIVED_BLOCK_KEYS)
        open_and_load(path, hdr_part, NULL, &res);
    unlink(path);
}

/* A raw block: byte 0 fingerprint bits (mod 65), byte 1 flags (bits 0-1; bit
 * 7 keeps the first key unmasked, so it may exceed the width), byte 2
 * ord_bits (mod 65), bytes 3-4 key count - 1 (mod 1024), bytes 5-12 the
 * first key, then the block up to the end of the input. */
static void block_mode(const uint8_t *data, size_t size)
{
    if (size < 13)
        return;
    idx_layout l;
    memset(&l, 0, sizeof l);
    l.partitions = 1;
    l.fp_bits = data[0] % 65;
    l.flags = data[1] & 3u;
    l.ord_bits = data[2] % 65;
    l.block_keys = 1024;
    size_t n = 1 + (size_t)((data[3] | (unsigned)data[4] << 8) % 1024);
    uint64_t first = idx_get64(data + 5);
    if (!(data[1] & 0x80))
        first &= max_fp(l.fp_bits);
    const uint8_t *blk = data + 13;
    size_t len = size - 13;
    idx_entry *e = xmalloc(n * sizeof *e);
    char why[160] = "";
    if (idx_block_decode(&l, blk, len, first, n, e, why, sizeof why) != 0) {
        FUZZ_CHECK(why[0], "decode failed without a reason");
    } else {
        check_entries(&l, e, n, first, "raw block");
        check_codec(&l, blk, len, e, n, "raw block");
    }
    free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8 || memcmp(data, IDX_PART_MAGIC, 8) != 0) {
        block_mode(data, size);
        return 0;
    }
    run_file(data, size);
    uint8_t *fixed = xmalloc(size);
    memcpy(fixed, data, size);
    if (fix_sums(fixed, size))
        run_file(fixed, size);
    free(fixed);
    return 0;
}
