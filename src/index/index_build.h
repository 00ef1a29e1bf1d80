/* index_build.h - state shared by the build stages (internal to src/index):
 * build.c (arguments, resume, commit), build_read.c (the corpus pass),
 * build_merge.c (run compaction and the final merge into partitions). */
#ifndef CONTAM_INDEX_BUILD_H
#define CONTAM_INDEX_BUILD_H

#include <omp.h>
#include <stdatomic.h>

#include "index/index_accum.h"
#include "io/batch.h"
#include "io/io.h"

#define IDX_NO_FILE SIZE_MAX

/* One thread's tokenizer and accumulator, with the counters of the corpus
 * file whose n-grams the accumulator holds (slot). A thread that takes a
 * batch of another file first retires its slot (build_read.c). */
typedef struct {
    ngram_tokenizer *tok;
    uint64_t *prefix;
    size_t prefix_cap;
    uint64_t *scratch;   /* a document bigger than the chunk: its windows' sort */
    size_t scratch_cap;
    idx_accum acc;
    omp_lock_t lock;     /* held while a batch is processed or the slot retired */
    atomic_size_t slot;  /* corpus file held, IDX_NO_FILE when none */
    io_record_tally n;
    uint64_t invalid_utf8, tokens, windows;
    size_t nbad;
    io_bad_record bad[IO_BAD_SAMPLES];
    int oom;
    contam_err fatal;
    int has_fatal;
} idx_bctx;

/* A corpus file between the start of its reading and its checkpoint. Up to
 * nin are in flight (build_read.c: a ring indexed by file % nin), so the
 * reader goes on to later files while earlier ones finish. */
typedef struct {
    size_t file;          /* IDX_NO_FILE when the entry is free */
    index_file fs;        /* sizes from the reader, counters from retired slots */
    uint64_t tokens, windows;
    uint64_t batches;     /* handed out; final once read is set */
    int read;
    atomic_uint_fast64_t processed;
    contam_err fatal;     /* the earliest --strict failure */
    int has_fatal;
} idx_infile;

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
    atomic_size_t stop_at;  /* work on this corpus file and later ones is abandoned */
    size_t err_file;        /* the file err belongs to (the earliest one wins) */
    idx_infile *in;         /* files in flight, by index % nin (corpus pass only) */
    size_t nin;
    size_t cp_next;         /* the next file to checkpoint */
    atomic_size_t compacting; /* the file whose pending runs are being merged */
    atomic_int compacting_runs; /* idx_compact_runs is running (checkpoints wait) */
    atomic_uint_fast64_t next_run, runs_spilled;
    idx_run_ref *pending;   /* runs spilled for files in flight (.file says which) */
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
/* Records a failure of corpus file f (0: of the whole build) and stops work
 * on f and later files; the earliest file's error is the one reported.
 * Thread-safe. */
void idx_builder_error(idx_builder *b, const contam_err *e, size_t f);
static inline int idx_builder_stopped(idx_builder *b, size_t f)
{
    return f >= atomic_load(&b->stop_at);
}
/* Adds a finished run holding n-grams of corpus file f to the pending list
 * (thread-safe). */
int idx_builder_add_pending(idx_builder *b, const char *name, uint64_t bytes, size_t f);
/* work/run-N.run for a fresh N into name (32 bytes) and returns the path. */
char *idx_builder_run_path(idx_builder *b, char name[32]);

/* build_read.c: reads files[first..] in order, checkpointing each. */
contam_status idx_read_corpus(idx_builder *b, size_t first, contam_err *err);
/* build.c: records file f as finished (journal) with its pending runs; every
 * thread has retired it. Not while idx_compact_runs runs (b->compacting_runs). */
contam_status idx_checkpoint(idx_builder *b, size_t f, const index_file *fs, uint64_t tokens,
                             uint64_t windows, contam_err *err);

/* build_merge.c: past MAX_RUNS committed runs, merges the smallest (their
 * files stay checkpointed: the journal is rewritten once each merged run is
 * durable). Not while a checkpoint is written. */
int idx_compact_runs_needed(const idx_builder *b);
contam_status idx_compact_runs(idx_builder *b, contam_err *err);
/* Merges the oldest runs of corpus file f when it has too many pending
 * (called by the reader thread while workers may add runs): in an OpenMP
 * task when there are other threads, one compaction at a time
 * (b->compacting). A failure stops file f. */
contam_status idx_compact_pending(idx_builder *b, size_t f, contam_err *err);
contam_status idx_final_merge(idx_builder *b, contam_err *err);

#endif
