/* index_accum.h - a build thread's in-memory n-gram set (accum.c), and the
 * build journal (journal.c). Internal to src/index. */
#ifndef CONTAM_INDEX_ACCUM_H
#define CONTAM_INDEX_ACCUM_H

#include "index/index_internal.h"

typedef struct {
    uint64_t h; /* window hash */
    uint64_t o; /* record ordinal of its document */
} idx_pair;

/* One flushed chunk, or the merge of several: entries [start, start + n) of
 * the accumulator's columns, distinct hashes in increasing order. Segments
 * tile the columns in order: each starts where the one before it ends. */
typedef struct {
    size_t start, n;
} idx_segment;

/* Parallel arrays: hash, document frequency (--df), first record
 * (--provenance); df and ord are NULL without their flags. */
typedef struct {
    uint64_t *key;
    uint32_t *df;
    uint64_t *ord;
} idx_columns;

typedef struct {
    unsigned flags;
    idx_pair *chunk, *tmp;
    size_t nchunk, cap;
    size_t *count;      /* radix counters */
    idx_columns col;    /* the segments, one after another */
    size_t used, col_cap;
    idx_columns scr;    /* a segment merge's copy of its first input */
    size_t scr_cap;
    idx_segment *seg;
    size_t nseg, seg_cap;
    uint64_t bytes;     /* held by the segments' entries (what a spill frees) */
    /* What the columns are reserved for at their first growth (bytes; 0,
     * the default after init: grown by doubling). The reservation is
     * address space: pages are touched, and count in RSS, only as entries
     * fill them, and then stay for the next file's segments. */
    uint64_t limit;
} idx_accum;

int idx_accum_init(idx_accum *a, unsigned flags, size_t chunk_cap);
void idx_accum_free(idx_accum *a);
/* Forgets everything accumulated (keeps the chunk and columns for reuse). */
void idx_accum_drop(idx_accum *a);
/* Nothing accumulated since the last spill. */
static inline int idx_accum_empty(const idx_accum *a)
{
    return a->nchunk == 0 && a->nseg == 0;
}
/* Room for one document's n windows (flushes the chunk first if needed). */
int idx_accum_reserve(idx_accum *a, size_t n);
static inline void idx_accum_push(idx_accum *a, uint64_t h, uint64_t ord)
{
    a->chunk[a->nchunk].h = h;
    a->chunk[a->nchunk].o = ord;
    a->nchunk++;
}
/* Sorts the chunk and keeps its distinct hashes as a segment. */
int idx_accum_flush_chunk(idx_accum *a);
/* Appends a segment of n entries, keys strictly increasing (df, ord as
 * the flags ask; unused otherwise), after the others, without merging:
 * for tests that need counts no chunk could reach. 0, or -1 out of memory. */
int idx_accum_add_segment(idx_accum *a, const uint64_t *key, const uint32_t *df,
                          const uint64_t *ord, size_t n);
/* Sorts h[0, n) and removes repeats, with tmp (n entries) as scratch;
 * returns how many distinct hashes are left at the front of h. For a
 * document too big for the chunk, whose windows are then fed in pieces. */
size_t idx_sort_distinct(uint64_t *h, uint64_t *tmp, size_t n);
/* Writes the union of n accumulators (df summed, first record the
 * smallest) as one run at path, and empties them. */
contam_status idx_accum_spill(idx_accum *const *a, size_t n, const char *path,
                              const idx_layout *run_layout, uint64_t *bytes, uint64_t *keys,
                              contam_err *err);

/* ---- journal ------------------------------------------------------------------ */

typedef struct {
    char name[32];
    uint64_t bytes;
    uint64_t file;  /* not durable: the corpus file (journal order) it holds */
    int durable;    /* fsynced; otherwise checked by reading it on resume */
} idx_run_ref;

/* What the journal keeps of a finished file beyond its index_file entry. */
typedef struct {
    uint64_t mtime_ns;  /* to notice changes */
    uint64_t tokens;    /* build totals after this file */
    uint64_t windows;
} idx_file_mark;

typedef struct {
    char key[17];          /* hex hash of parameters and corpus paths */
    int commit;            /* out/ is complete; only the final rename remains */
    uint64_t next_run;
    uint64_t tokens, windows;
    index_file *files;     /* finished files, in order */
    idx_file_mark *marks;  /* per finished file */
    size_t nfiles;
    idx_run_ref *runs;
    size_t nruns;
} idx_journal;

void idx_journal_free(idx_journal *j);
/* Replaces the journal atomically; durable: also fsync it and its directory. */
contam_status idx_journal_write(const char *path, const idx_journal *j, int durable,
                                contam_err *err);
/* CONTAM_ERR_OPEN when there is no journal. */
contam_status idx_journal_read(const char *path, idx_journal *j, contam_err *err);

/* Manifest corpus entries, shared with the journal (manifest.c). */
struct cJSON;
struct cJSON *idx_file_json(const index_file *f);
/* 0 ok, -1 invalid, -2 out of memory. */
int idx_file_parse(const struct cJSON *e, index_file *f);

#endif
