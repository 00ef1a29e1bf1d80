/* index_internal.h - pieces shared by the index module's files (not API):
 * the bit codec, partition files, sorted runs, the k-way merge, the manifest
 * and small file-system helpers. */
#ifndef CONTAM_INDEX_INTERNAL_H
#define CONTAM_INDEX_INTERNAL_H

#include <stdio.h>
#include <string.h>

#include "index/index.h"

#define IDX_PART_MAGIC "CONTAMIX"
#define IDX_RUN_MAGIC "CONTAMRN"
#define IDX_RUN_VERSION 2
#define IDX_HEADER_BYTES 80
#define IDX_ENTRY_BYTES 24
#define IDX_BLOCK_KEYS 512
#define IDX_FLAG_DF 1u
#define IDX_FLAG_PROV 2u
#define IDX_DF_MAX UINT32_MAX
#define IDX_ORD_LIMIT ((uint64_t)1 << 40) /* records an index can address */
#define IDX_MANIFEST "manifest.json"
#define IDX_FORMAT_NAME "contam-index"

/* ---- little-endian fields ----------------------------------------------------- */

/* On little-endian hosts a field is one unaligned load or store: gcc does
 * not fuse the byte loops below into one (run_next spent a fifth of its time
 * assembling keys a byte at a time). The loops are the portable meaning. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define IDX_LE_NATIVE 1
#else
#define IDX_LE_NATIVE 0
#endif

static inline void idx_put32(uint8_t *p, uint32_t v)
{
#if IDX_LE_NATIVE
    memcpy(p, &v, 4);
#else
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}
static inline void idx_put64(uint8_t *p, uint64_t v)
{
#if IDX_LE_NATIVE
    memcpy(p, &v, 8);
#else
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}
static inline uint32_t idx_get32(const uint8_t *p)
{
    uint32_t v = 0;
#if IDX_LE_NATIVE
    memcpy(&v, p, 4);
#else
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
#endif
    return v;
}
static inline uint64_t idx_get64(const uint8_t *p)
{
    uint64_t v = 0;
#if IDX_LE_NATIVE
    memcpy(&v, p, 8);
#else
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
#endif
    return v;
}
/* Low 32 bits of XXH3-64: the per-block and per-header checksums. */
static inline uint32_t idx_sum32(const void *p, size_t n)
{
    return (uint32_t)XXH3_64bits(p, n);
}

static inline uint64_t idx_sat_add(uint64_t a, uint64_t b)
{
    uint64_t s = a + b;
    return s < a || s > IDX_DF_MAX ? IDX_DF_MAX : s;
}

/* ---- tournament (loser) tree of merge cursors (accum.c spills, kmerge.c) ---- */

/* k-way merges of sorted cursors pick the smallest key log2(k) compares at
 * a time; a binary heap needs twice as many, and a mispredicted branch for
 * most of them, which made the heap the largest cost of a merge. Each node
 * holds its loser's key, not just its leaf number: a replay then loads the
 * nodes on one fixed path (their addresses depend only on the leaf), and
 * the compares run in registers. With keys looked up through the leaf, each
 * level waited for the previous level's load, and that chain was most of a
 * merge's time. Leaves are the caller's cursors 0..n-1, padded to a power of
 * two with dead ones. Ties go either way: the merges combine equal keys
 * commutatively. */
/* A node: key << 64 | dead << 32 | leaf, so that one 128-bit compare
 * orders by key, then puts dead leaves after live ones with the same key
 * (ties between live leaves go to the lower leaf, which is harmless). */
__extension__ typedef unsigned __int128 idx_lnode;

typedef struct {
    size_t k;        /* leaves, a power of two >= 1 */
    idx_lnode *node; /* node[0] the winner, node[1..k-1] the losers */
    idx_lnode *leaf; /* the leaves' first keys, for idx_ltree_build */
} idx_ltree;

static inline idx_lnode idx_lnode_make(uint64_t key, uint64_t leaf, int dead)
{
    return (idx_lnode)key << 64 | (idx_lnode)(uint64_t)(dead != 0) << 32 | leaf;
}

/* n cursors, all dead until idx_ltree_set: 0, or -1 out of memory. */
int idx_ltree_init(idx_ltree *t, size_t n);
/* Gives leaf i its first key (before idx_ltree_build). */
static inline void idx_ltree_set(idx_ltree *t, size_t i, uint64_t key)
{
    t->leaf[i] = idx_lnode_make(key, i, 0);
}
/* Plays every match once the leaves are set. */
void idx_ltree_build(idx_ltree *t);
void idx_ltree_free(idx_ltree *t);

/* The winner: its leaf, its key, and whether every leaf is exhausted. */
static inline size_t idx_ltree_win(const idx_ltree *t) { return (size_t)(uint32_t)t->node[0]; }
static inline uint64_t idx_ltree_key(const idx_ltree *t) { return (uint64_t)(t->node[0] >> 64); }
static inline int idx_ltree_done(const idx_ltree *t) { return (int)((uint64_t)t->node[0] >> 32) & 1; }

/* The winner's cursor moved on to key (or ran out, dead = 1): replays its
 * path to the root. The node addresses depend only on the leaf, and the
 * selects compile to conditional moves: on random keys each match is a
 * coin flip that a branch would mispredict. */
static inline void idx_ltree_replay(idx_ltree *t, uint64_t key, int dead)
{
    size_t leaf = idx_ltree_win(t);
    idx_lnode w = idx_lnode_make(dead ? UINT64_MAX : key, leaf, dead);
    for (size_t at = (leaf + t->k) >> 1; at > 0; at >>= 1) {
        idx_lnode o = t->node[at];
        int swap = o < w;
        t->node[at] = swap ? w : o;
        w = swap ? o : w;
    }
    t->node[0] = w;
}

/* ---- keys of one partition: the unit every stage passes around ----------------- */

typedef struct {
    uint64_t key;   /* full hash (runs) or fingerprint (partitions) */
    uint64_t df;    /* >= 1 */
    uint64_t ord;   /* first record ordinal; UINT64_MAX when unknown */
} idx_entry;

/* The parameters every partition and run of one index share. */
typedef struct {
    unsigned partitions; /* power of two */
    unsigned pbits;      /* log2(partitions) */
    unsigned fp_bits;    /* 64 for runs */
    unsigned flags;      /* IDX_FLAG_* */
    unsigned block_keys;
    unsigned ord_bits;   /* fixed width of first-record ordinals in blocks */
    uint64_t params_hash;
} idx_layout;

static inline unsigned idx_part_of(const idx_layout *l, uint64_t fp)
{
    return l->pbits ? (unsigned)(fp >> (l->fp_bits - l->pbits)) : 0;
}

/* ---- block codec (codec.c) ---------------------------------------------------- */

/* Encodes keys[0..n) (strictly increasing fingerprints) with their df/ord as
 * one block appended to out. */
int idx_block_encode(const idx_layout *l, const idx_entry *e, size_t n, contam_buf *out);
/* Decodes a block of n keys whose first key is first; checks every
 * invariant (increasing, within width, no bits left over). Returns 0, or -1
 * with a reason in why. */
int idx_block_decode(const idx_layout *l, const uint8_t *p, size_t len, uint64_t first,
                     size_t n, idx_entry *out, char *why, size_t cap);

/* LEB128 varints for runs. */
static inline size_t idx_varint_put(uint8_t *p, uint64_t v)
{
    size_t k = 0;
    while (v >= 0x80) {
        p[k++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[k++] = (uint8_t)v;
    return k;
}

/* ---- partition files (part_write.c, part_read.c) ------------------------------- */

typedef struct idx_part_writer idx_part_writer;

contam_status idx_part_writer_open(const char *path, const idx_layout *l, unsigned part,
                                   idx_part_writer **out, contam_err *err);
/* Keys must arrive in strictly increasing order. */
contam_status idx_part_writer_add(idx_part_writer *w, const idx_entry *e, contam_err *err);
/* Flushes, writes the block index and header, fsyncs, closes; fills keys,
 * bytes and the file's XXH3-128. Frees w in every case. */
contam_status idx_part_writer_close(idx_part_writer *w, index_part *info, contam_err *err);
void idx_part_writer_abort(idx_part_writer *w);

typedef struct {
    uint64_t first;
    uint64_t offset; /* in the blocks region */
    uint32_t nkeys;
    uint32_t sum;
    uint64_t len;
} idx_block_ref;

typedef struct {
    char *path;
    int fd;
    idx_layout l;
    unsigned part;
    uint64_t nkeys, nblocks, blocks_bytes;
    idx_block_ref *blocks;
    /* the decoded current block */
    uint64_t cur; /* block number, UINT64_MAX none */
    idx_entry *ent;
    uint8_t *raw;
    size_t raw_cap;
} idx_part_reader;

/* Opens and checks header (magic, version, header checksum, file size, and
 * the expected layout when want is not NULL) and block index. */
contam_status idx_part_open(const char *path, unsigned part, const idx_layout *want,
                            idx_part_reader *r, contam_err *err);
/* Reads, checks and decodes block b into r->ent. */
contam_status idx_part_load(idx_part_reader *r, uint64_t b, contam_err *err);
void idx_part_close(idx_part_reader *r);

/* ---- sorted runs (run.c) ---------------------------------------------------------- */

typedef struct idx_run_writer idx_run_writer;

/* A run holds full 64-bit hashes in increasing order, split by partition.
 * A durable run is fsynced before it is renamed into place; any other run
 * survives a killed process but not a power loss (idx_run_verify tells). */
contam_status idx_run_writer_open(const char *path, const idx_layout *l, int durable,
                                  idx_run_writer **out, contam_err *err);
contam_status idx_run_writer_add(idx_run_writer *w, uint64_t key, uint64_t df, uint64_t ord,
                                 contam_err *err);
/* Writes the header, fsyncs and renames path.tmp to path. Frees w. */
contam_status idx_run_writer_close(idx_run_writer *w, uint64_t *bytes, contam_err *err);
void idx_run_writer_abort(idx_run_writer *w);
/* Makes a finished run durable (fsync). */
contam_status idx_run_sync(const char *path, contam_err *err);
/* Reads a whole run and checks its header (magic, version, layout), its
 * size against bytes and every partition range's checksum: CONTAM_OK, or
 * CONTAM_ERR_CORRUPT / CONTAM_ERR_OPEN naming the run. */
contam_status idx_run_verify(const char *path, const idx_layout *l, uint64_t bytes,
                             contam_err *err);

/* ---- merge sources (kmerge.c) ------------------------------------------------------- */

/* One sorted stream of entries for one partition: a run range or a partition
 * file, with ordinals shifted by ord_base and keys truncated to fp_bits. */
typedef struct idx_source idx_source;

contam_status idx_source_run(const char *path, const idx_layout *run_layout, unsigned part,
                             unsigned fp_bits, uint64_t ord_base, idx_source **out,
                             contam_err *err);
contam_status idx_source_part(const char *path, const idx_layout *l, unsigned part,
                              uint64_t ord_base, idx_source **out, contam_err *err);
void idx_source_free(idx_source *s);

/* Merges sources (entries with equal keys combine: df summed saturating,
 * ord = min). With w NULL only counts distinct keys into *count. */
contam_status idx_kmerge(idx_source **src, size_t nsrc, idx_part_writer *w,
                         idx_run_writer *rw, uint64_t *count, contam_err *err);
/* Adds to *count the distinct keys <= last, and stops there: the sources are
 * left part-read (their checksums unchecked, which the full merge does). */
contam_status idx_kmerge_count(idx_source **src, size_t nsrc, uint64_t last, uint64_t *count,
                               contam_err *err);

/* ---- manifest (manifest.c) ------------------------------------------------------------ */

/* The canonical parameter string hashed into every partition header. */
uint64_t idx_params_hash(const index_meta *m);
void idx_layout_from_meta(const index_meta *m, idx_layout *l);
unsigned idx_ord_bits(uint64_t records);
contam_status idx_manifest_write(const char *path, const index_meta *m, contam_err *err);
/* Adds number v to object o under k: non-negative integers up to 2^53 as
 * exact digits (cJSON rounds past about 4.5e15); 0, or -1 out of memory. */
struct cJSON;
int idx_json_add_num(struct cJSON *o, const char *k, double v);
contam_status idx_manifest_parse(const char *text, size_t len, const char *path,
                                 index_meta *m, contam_err *err);
/* Which parameter differs ("n: 13 vs 8"), or 0 when a and b are compatible. */
int idx_params_differ(const index_meta *a, const index_meta *b, char *why, size_t cap);
contam_status idx_meta_copy_params(index_meta *dst, const index_meta *src);

/* ---- file system (fsutil.c) ------------------------------------------------------------ */

/* (paths: io_path_join; trees: io_rm_tree, io/io.h) */
int idx_fsync_dir(const char *dir);
/* fsyncs every regular file directly in dir, then dir. */
contam_status idx_fsync_files(const char *dir, contam_err *err);
int idx_exists(const char *path);
/* A background thread that fdatasyncs finished files while the caller goes
 * on computing, so that the fsync before a commit finds little left to
 * write. Only a head start: its errors are ignored (the commit's own fsync
 * reports them), and when it cannot start, add and finish do nothing.
 * add copies path; finish waits for the queue to empty and frees. Safe to
 * call add from several threads; finish(NULL) is a no-op. */
typedef struct idx_syncer idx_syncer;
idx_syncer *idx_syncer_start(void);
void idx_syncer_add(idx_syncer *s, const char *path);
void idx_syncer_finish(idx_syncer *s);
/* XXH3-128 hex of a whole file (33 bytes out). */
contam_status idx_file_checksum(const char *path, char out[33], uint64_t *size,
                                contam_err *err);
/* Commits staged output directory `stage` as `dir`: rename, and when dir
 * exists, move it to `old` first and remove it afterwards. */
contam_status idx_commit_dir(const char *stage, const char *dir, const char *old,
                             contam_err *err);

/* ---- build.json (history.c) ------------------------------------------------------------- */

struct cJSON;
/* The history in dir/build.json (dir NULL, or no valid file there: a new,
 * empty one); NULL when out of memory. */
struct cJSON *idx_history_open(const char *dir);
/* Appends an entry {operation, tool, finished_utc} for the caller to add
 * to; NULL when out of memory (root is kept). */
struct cJSON *idx_history_add(struct cJSON *root, const char *operation);
/* Writes root as stage/build.json (atomically; failures are ignored: the
 * file is informational) and frees root. */
void idx_history_write(struct cJSON *root, const char *stage);

#endif
