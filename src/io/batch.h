/* batch.h - the corpus reader shared by `contam scan` and `contam index
 * build`: reads a corpus file's records (io_lines), cuts them into batches
 * of a few MiB and hands each batch to a caller-supplied function, as an
 * OpenMP task while few batches are in flight and inline in the reading
 * thread otherwise (which bounds memory to about 3 batches per thread).
 *
 * Why shared: both passes must read a corpus identically (a *.txt file is one
 * document whose lines are joined with "\n", bounded by max_line; records
 * keep their line numbers and byte offsets) so that an index answers what a
 * direct scan would have found.
 *
 * Threading: io_batcher_read_file runs inside an OpenMP parallel region,
 * from one thread or from several tasks at once (one file each: the scanner
 * reads files in parallel); the process function runs on any thread of the
 * team, and must not contain scheduling points that could start another
 * batch on the same thread mid-call. `#pragma omp taskwait` in the reading
 * task waits for a file's batches. create and free run outside any reading.
 *
 * Errors: io_batcher_read_file returns the reader's status (damage, I/O,
 * CONTAM_ERR_LINE_TOO_LONG, CONTAM_ERR_NOMEM) with err naming the file and
 * line; what it read is still reported in io_batch_file. The library never
 * prints; the counters are for progress displays. */
#ifndef CONTAM_IO_BATCH_H
#define CONTAM_IO_BATCH_H

#include <stdatomic.h>

#include "common/common.h"

typedef struct {
    size_t off, len;     /* record bytes in the batch buffer (NUL-terminated) */
    uint64_t lineno;     /* 1-based line of the record in its file */
    uint64_t offset;     /* byte offset of that line in the decompressed file */
} io_batch_rec;

typedef struct io_batch {
    struct io_batch *next; /* pool link (internal) */
    size_t file;           /* the caller's file index */
    uint64_t base;         /* the caller's value for the file (index: ordinal of line 1) */
    int text_mode;         /* the whole file is one document: one record */
    contam_buf buf;
    io_batch_rec *recs;
    size_t nrecs, cap;
} io_batch;

/* Processes one batch (on any thread). The batch is recycled afterwards. */
typedef void (*io_batch_fn)(void *user, io_batch *b);
/* Called by the reading thread after each batch it hands out; nonzero stops
 * the file with the status it returns (err filled by the hook). */
typedef contam_status (*io_batch_hook)(void *user, size_t file, contam_err *err);
/* Polled before each record: nonzero abandons the file quietly (another file
 * failed, or the run is aborting). */
typedef int (*io_batch_stop)(void *user, size_t file);

typedef struct {
    int nthreads;          /* threads of the team (sizes the in-flight limit) */
    size_t batch_bytes;    /* a batch is handed out at this size... */
    size_t batch_records;  /* ...or this many records */
    io_batch_fn process;
    io_batch_hook after_batch; /* may be NULL */
    io_batch_stop stop;        /* may be NULL */
    void *user;
} io_batcher_config;

typedef struct io_batcher io_batcher;

/* NULL when out of memory. */
io_batcher *io_batcher_create(const io_batcher_config *cfg);
/* Frees the pooled batches; all batches must be finished (taskwait). NULL-safe. */
void io_batcher_free(io_batcher *bt);

/* What one io_batcher_read_file saw of its file, even when it failed. */
typedef struct {
    const char *format;     /* "plain", "gzip", "zstd"; NULL if it could not be opened */
    char checksum[33];      /* XXH128 of the raw bytes read (hex), "" if not opened */
    uint64_t raw_bytes;     /* compressed bytes read */
    uint64_t bytes;         /* decompressed record bytes, newlines included */
    uint64_t records;       /* lines read */
    uint64_t batches;       /* batches handed out (a caller counting finished
                               batches knows when the file is done) */
} io_batch_file;

/* Reads path and hands out its batches tagged with (file, base). On failure
 * the records already cut into the unfinished batch are handed out too when
 * hand_out_partial is set (and the file is not a text document and memory
 * did not run out), else dropped. max_line bounds a record (and a joined
 * text document). */
CONTAM_NODISCARD contam_status io_batcher_read_file(io_batcher *bt, const char *path, size_t file,
                                                    uint64_t base, size_t max_line,
                                                    int hand_out_partial, io_batch_file *out,
                                                    contam_err *err);

/* Running totals of what has been read (for progress; any thread). */
typedef struct {
    uint64_t raw_bytes, bytes, records;
} io_batch_progress;
void io_batcher_progress(const io_batcher *bt, io_batch_progress *p);

#endif
