/* index_build.h - state shared by the build stages (internal to src/index):
 * build.c (arguments, resume, commit), build_read.c (the corpus pass),
 * build_merge.c (run compaction and the final merge into partitions). */
#ifndef CONTAM_INDEX_BUILD_H
#define CONTAM_INDEX_BUILD_H

#include <stdatomic.h>

#include "index/index_accum.h"
#include "io/batch.h"
#include "io/io.h"

/* One thread's tokenizer, accumulator and counters for the file in flight. */
typedef struct {
    ngram_tokenizer *tok;
    uint64_t *prefix;
    size_t prefix_cap;
    idx_accum acc;
    io_record_tally n;
    uint64_t invalid_utf8, tokens, windows;
    size_t nbad;
    uint64_t bad_line[20];
    char bad_reason[20][120];
    int oom;
    contam_err fatal;
    int has_fatal;
} idx_bctx;

typedef struct {
    const index_build_options *o;
    index_meta meta;        /* the index being made (append: the old one's files first) */
    index_meta old;         /* append: the existing index */
    int have_old;
    idx_layout run_layout;  /* full 64-bit keys */
    char *out, *work, *journal_path, *stage, *old_dir;
    const char *const *files;
    size_t nfiles;
    idx_journal j;          /* the committed state */
    uint64_t next_ord;      /* record ordinal of the next file's line 1 */
    idx_bctx *ctx;
    int nthreads;
    size_t batch_bytes, chunk_pairs;
    uint64_t acc_limit;     /* segment bytes per thread before it spills */
    io_batcher *reader;     /* during the corpus pass */
    atomic_int abort;
    atomic_uint_fast64_t next_run, runs_spilled;
    idx_run_ref *pending;   /* runs spilled for the file in flight */
    size_t npending, pending_cap;
    contam_err err;
    int has_err;
    index_build_stats *stats;
    io_batch_progress read; /* totals of the corpus pass, once it is over */
    uint64_t raw_total;
    double last_progress;
    unsigned files_done;
} idx_builder;

double idx_now(void);
void idx_builder_error(idx_builder *b, const contam_err *e);
/* Adds a finished run to the pending list (thread-safe). */
int idx_builder_add_pending(idx_builder *b, const char *name, uint64_t bytes);
/* work/run-N.run for a fresh N into name (32 bytes) and returns the path. */
char *idx_builder_run_path(idx_builder *b, char name[32]);

/* build_read.c: reads files[first..] in order, checkpointing after each. */
contam_status idx_read_corpus(idx_builder *b, size_t first, contam_err *err);
/* build.c: records file f as finished (journal) after spilling the threads. */
contam_status idx_checkpoint(idx_builder *b, size_t f, const index_file *fs, contam_err *err);

/* build_merge.c */
contam_status idx_compact_runs(idx_builder *b, contam_err *err);
/* Merges the oldest runs of the file in flight when there are too many
 * (called by the reader thread while workers may add runs). */
contam_status idx_compact_pending(idx_builder *b, contam_err *err);
contam_status idx_final_merge(idx_builder *b, contam_err *err);

#endif
