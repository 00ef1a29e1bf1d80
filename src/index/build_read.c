/* build_read.c - the corpus pass of a build. It reads corpus files with the
 * scanner's reader (io/batch.h: the same records, *.txt files as one
 * document), parses them the same way (io_record_parse, the same counters)
 * and hashes the same windows (ngram.h), so an index answers what a direct
 * scan would have found.
 *
 * Parallel shape: files are read one after another by one thread (a file is
 * the unit of resumption); each is cut into batches of records that any
 * thread processes into its own accumulator. A thread's accumulator holds
 * one file at a time (its slot): taking a batch of the next file, a thread
 * first retires the slot, spilling its n-grams as a run of that file and
 * adding its counters to the file's totals. A file is checkpointed (its
 * runs and counters enter the journal) once all its batches are processed
 * and every slot holding it is retired; meanwhile the reader has gone on to
 * the next file, so the threads do not wait for a file's last batches and
 * spills. Several files may be in flight (a ring, sized so the reader
 * almost never waits for a checkpoint). A thread whose accumulator
 * outgrows its share of --mem spills it as a run on its own, at a document
 * boundary.
 *
 * Errors: damage or I/O stop the failing file and every later one; earlier
 * files still finish and are checkpointed, so a rerun resumes after them.
 * A bad record under --strict fails its file at the checkpoint, when all
 * its batches are done, so the reported line is the earliest bad one
 * whatever the timing. */
#include <omp.h>
#include <string.h>

#include "index/index_build.h"
#include "io/batch.h"
#include "io/io.h"

#define BATCH_RECORDS 16384

static idx_infile *infile(idx_builder *b, size_t f) { return &b->in[f % b->nin]; }

static int spill_thread(idx_builder *b, idx_bctx *c, size_t f);

/* Adds a document's windows to c's accumulator (record ordinal ord, corpus
 * file f). 0, -1 out of memory, -2 a spill failed (recorded). */
static int process_text(idx_builder *b, idx_bctx *c, const char *text, size_t len, uint64_t ord,
                        size_t f)
{
    const ngram_token *tok;
    size_t nt;
    uint64_t invalid = 0;
    if (ngram_tokenize(c->tok, text, len, &tok, &nt, &invalid) != CONTAM_OK)
        return -1;
    c->invalid_utf8 += invalid;
    c->tokens += nt;
    unsigned n = b->o->n;
    if (nt < n)
        return 0;
    size_t nwin = nt - n + 1;
    c->windows += nwin;
    if (nt + 1 > c->prefix_cap) {
        size_t ncap = c->prefix_cap ? c->prefix_cap : 4096;
        while (ncap < nt + 1)
            ncap *= 2;
        uint64_t *p2 = contam_realloc(c->prefix, ncap * sizeof *p2);
        if (!p2)
            return -1;
        c->prefix = p2;
        c->prefix_cap = ncap;
    }
    ngram_prefix_fill(tok, nt, c->prefix);
    uint64_t pw = ngram_base_pow(n);
    if (nwin <= c->acc.cap / 2) {
        if (idx_accum_reserve(&c->acc, nwin))
            return -1;
        for (size_t i = 0; i < nwin; i++)
            idx_accum_push(&c->acc, ngram_window_hash(c->prefix, i, n, pw), ord);
        return 0;
    }
    /* A document too big for the chunk (a whole book): deduplicate its
     * windows in place instead of growing the chunk, then feed them in
     * pieces; with each hash once, the pieces may land in different chunks
     * without counting the document twice. Window i needs prefix[i] and
     * prefix[i + n], and prefix[i] is needed by no later window. */
    if (nwin > c->scratch_cap) {
        uint64_t *t = contam_realloc(c->scratch, nwin * sizeof *t);
        if (!t)
            return -1;
        c->scratch = t;
        c->scratch_cap = nwin;
    }
    uint64_t *h = c->prefix;
    for (size_t i = 0; i < nwin; i++)
        h[i] = ngram_window_hash(h, i, n, pw);
    size_t m = idx_sort_distinct(h, c->scratch, nwin);
    for (size_t i = 0; i < m;) {
        if (c->acc.nchunk == c->acc.cap && idx_accum_flush_chunk(&c->acc))
            return -1;
        /* Pieces may go to different runs too: spill between them as
         * between records, or one book holds its thread's columns far past
         * their share of --mem (a 1 MB record under --mem 56M: 4 MiB). */
        if (c->acc.bytes > b->acc_limit && spill_thread(b, c, f))
            return -2;
        size_t room = c->acc.cap - c->acc.nchunk;
        for (size_t e = i + room < m ? i + room : m; i < e; i++)
            idx_accum_push(&c->acc, h[i], ord);
    }
    return 0;
}

/* 0 processed or skipped, -1 out of memory, -2 a spill failed. */
static int process_record(idx_builder *b, idx_bctx *c, const io_batch *bt,
                          const io_batch_rec *r)
{
    const char *line = bt->buf.ptr + r->off;
    uint64_t ord = bt->base + r->lineno - 1;
    if (bt->text_mode) {
        c->n.docs++;
        return process_text(b, c, line, r->len, ord, bt->file);
    }
    io_record rec;
    char why[120];
    contam_status code;
    int k = io_record_take(line, r->len, b->o->text_field, NULL, &c->n, &rec, &code, why,
                           sizeof why);
    if (k < 0)
        return -1;
    if (k > 0) {
        int rc = process_text(b, c, rec.text, rec.len, ord, bt->file);
        io_record_clear(&rec);
        return rc;
    }
    if (code == CONTAM_OK) /* blank */
        return 0;
    io_bad_keep(c->bad, &c->nbad, r->lineno, why);
    if (b->o->strict && (!c->has_fatal || r->lineno < c->fatal.line)) {
        contam_err_set(&c->fatal, code, b->files[bt->file], r->lineno, "%s (--strict)", why);
        c->has_fatal = 1;
    }
    return 0;
}

/* Writes c's accumulator as a run of corpus file f. 0, or -1 after
 * recording the error (the accumulator is emptied either way). */
static int spill_thread(idx_builder *b, idx_bctx *c, size_t f)
{
    char name[32];
    char *path = idx_builder_run_path(b, name);
    contam_err e;
    contam_err_clear(&e);
    uint64_t bytes = 0;
    idx_accum *one = &c->acc;
    contam_status st = path ? idx_accum_spill(&one, 1, path, &b->run_layout, &bytes, NULL, &e)
                            : contam_err_set(&e, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    contam_free(path);
    if (st == CONTAM_OK && idx_builder_add_pending(b, name, bytes, f))
        st = contam_err_set(&e, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    if (st != CONTAM_OK) {
        idx_accum_drop(&c->acc);
        idx_builder_error(b, &e, f);
        return -1;
    }
    atomic_fetch_add(&b->runs_spilled, 1);
    return 0;
}

/* Hands on the file c holds: its n-grams as a run, its counters into the
 * file's totals. With c->lock held, or with no batch running. */
static void retire(idx_builder *b, idx_bctx *c)
{
    size_t f = atomic_load(&c->slot);
    if (f == IDX_NO_FILE)
        return;
    if (idx_builder_stopped(b, f))
        idx_accum_drop(&c->acc); /* never checkpointed */
    else if (!idx_accum_empty(&c->acc))
        (void)spill_thread(b, c, f);
#pragma omp critical(idx_infile)
    {
        idx_infile *in = infile(b, f);
        if (in->file == f) {
            in->fs.docs += c->n.docs;
            in->fs.bad_json += c->n.bad_json;
            in->fs.missing_field += c->n.missing;
            in->fs.invalid_utf8 += c->invalid_utf8;
            in->fs.blank += c->n.blank;
            in->tokens += c->tokens;
            in->windows += c->windows;
            for (size_t k = 0; k < c->nbad; k++)
                io_bad_keep(in->fs.bad, &in->fs.nbad, c->bad[k].line, c->bad[k].reason);
            if (c->has_fatal && (!in->has_fatal || c->fatal.line < in->fatal.line)) {
                in->fatal = c->fatal;
                in->has_fatal = 1;
            }
        }
    }
    memset(&c->n, 0, sizeof c->n);
    c->invalid_utf8 = c->tokens = c->windows = 0;
    c->nbad = 0;
    c->has_fatal = 0;
    atomic_store(&c->slot, IDX_NO_FILE);
}

static void process_batch(void *user, io_batch *bt)
{
    idx_builder *b = user;
    idx_bctx *c = &b->ctx[omp_get_thread_num()];
    omp_set_lock(&c->lock);
    if (atomic_load(&c->slot) != bt->file) {
        retire(b, c);
        atomic_store(&c->slot, bt->file);
    }
    for (size_t k = 0; k < bt->nrecs && !idx_builder_stopped(b, bt->file); k++) {
        int rc = process_record(b, c, bt, &bt->recs[k]);
        if (rc < 0) {
            c->oom = rc == -1;
            break;
        }
        if (c->acc.bytes > b->acc_limit && spill_thread(b, c, bt->file))
            break;
    }
    if (c->oom) {
        contam_err e;
        contam_err_set(&e, CONTAM_ERR_NOMEM, b->files[bt->file], 0,
                       "out of memory while indexing (lower --threads or raise --mem)");
        idx_builder_error(b, &e, bt->file);
        c->oom = 0;
    }
    /* Counted with the lock held: whoever sees the file's last batch done
     * also sees this slot holding the file, until it is retired. */
    atomic_fetch_add(&infile(b, bt->file)->processed, 1);
    omp_unset_lock(&c->lock);
}

/* ---- checkpoints ------------------------------------------------------------- */

static void progress(idx_builder *b, int force)
{
    if (!b->o->progress)
        return;
    double t = idx_now();
    if (!force && t - b->last_progress < 0.5)
        return;
    b->last_progress = t;
    io_batch_progress bp;
    io_batcher_progress(b->reader, &bp);
    index_progress p = {bp.bytes, bp.raw_bytes, b->raw_total, b->files_done, (unsigned)b->nfiles,
                        b->stats ? b->stats->files_resumed : 0, 0};
    b->o->progress(&p, b->o->progress_user);
}

/* Merges committed runs (past MAX_RUNS of them) and clears
 * b->compacting_runs; a failure stops the files from f on (those before are
 * checkpointed, and the journal still lists their runs). */
static void compact_committed(idx_builder *b, size_t f)
{
    contam_err e;
    contam_err_clear(&e);
    if (idx_compact_runs(b, &e) != CONTAM_OK)
        idx_builder_error(b, &e, f);
    atomic_store(&b->compacting_runs, 0);
}

/* After a checkpoint: compacts the committed runs when there are too many,
 * in a task when there are other threads. The merge (and the fsyncs that
 * make its inputs durable first) took the reader away from reading for
 * 150-200 ms at a time, while the other thread ran out of batches; now the
 * reader goes on, and only the next checkpoint waits (try_checkpoint). */
static void start_compaction(idx_builder *b)
{
    if (!idx_compact_runs_needed(b) || atomic_load(&b->compacting_runs))
        return;
    atomic_store(&b->compacting_runs, 1);
    size_t f = b->cp_next;
    if (b->nthreads < 2) {
        compact_committed(b, f);
        return;
    }
#pragma omp task firstprivate(f) default(none) shared(b)
    compact_committed(b, f);
}

/* Checkpoints file f, whose batches are done and slots retired; err is
 * never NULL here (idx_read_corpus passes its own). */
static contam_status finish_file(idx_builder *b, size_t f, contam_err *err)
{
    idx_infile *in = infile(b, f);
    contam_status st = CONTAM_OK;
    if (in->has_fatal) {
        st = in->fatal.code;
        *err = in->fatal;
    } else if (!in->fs.docs && in->fs.records > in->fs.blank &&
               !io_is_text_document(b->files[f])) {
        /* As the scanner: a file none of whose records has the text field
         * was read with the wrong --text-field, and indexing "nothing" would
         * make every benchmark item look clean. */
        st = contam_err_set(err, CONTAM_ERR_FIELD, b->files[f], 0,
                            "none of its %llu records has a string field '%s' (see --text-field)",
                            (unsigned long long)(in->fs.records - in->fs.blank),
                            b->o->text_field);
    } else {
        io_bad_sort(in->fs.bad, in->fs.nbad);
        st = idx_checkpoint(b, f, &in->fs, in->tokens, in->windows, err);
    }
    if (st != CONTAM_OK) {
        idx_builder_error(b, err, f);
        return st;
    }
    in->file = IDX_NO_FILE;
    b->cp_next = f + 1;
    b->files_done++;
    progress(b, 1);
    start_compaction(b);
    return CONTAM_OK;
}

/* Checkpoints file f if it is ready, retiring the slots of idle threads that
 * still hold it (a busy thread is working on a later file, and retires its
 * slot itself before starting). *done tells whether it was. Reader thread. */
static contam_status try_checkpoint(idx_builder *b, size_t f, int *done, contam_err *err)
{
    idx_infile *in = infile(b, f);
    *done = 0;
    if (in->file != f || !in->read || atomic_load(&in->processed) != in->batches ||
        atomic_load(&b->compacting) == f || atomic_load(&b->compacting_runs) ||
        idx_builder_stopped(b, f))
        return CONTAM_OK;
    for (int t = 0; t < b->nthreads; t++) {
        idx_bctx *c = &b->ctx[t];
        if (atomic_load(&c->slot) != f)
            continue;
        if (!omp_test_lock(&c->lock))
            return CONTAM_OK;
        if (atomic_load(&c->slot) == f)
            retire(b, c);
        omp_unset_lock(&c->lock);
    }
    if (idx_builder_stopped(b, f)) /* a spill failed */
        return CONTAM_OK;
    *done = 1;
    return finish_file(b, f, err);
}

/* Checkpoints every ready file in order. */
static contam_status poll_checkpoints(idx_builder *b, contam_err *err)
{
    int done = 1;
    contam_status st = CONTAM_OK;
    while (done && st == CONTAM_OK && b->cp_next < b->nfiles)
        st = try_checkpoint(b, b->cp_next, &done, err);
    return st;
}

/* Waits for every batch handed out, then retires every thread's slot at
 * once (a spill each, in parallel: retiring them file by file left all but
 * one thread idle) and checkpoints the files in flight that were not
 * stopped. */
static contam_status drain(idx_builder *b, contam_err *err)
{
#pragma omp taskwait
    for (int t = 0; t < b->nthreads; t++) {
        if (atomic_load(&b->ctx[t].slot) == IDX_NO_FILE)
            continue;
#pragma omp task firstprivate(t) default(none) shared(b)
        retire(b, &b->ctx[t]);
    }
#pragma omp taskwait
    /* A checkpoint may start a compaction, which the next one waits for. */
    contam_status st;
    size_t before;
    do {
        before = b->cp_next;
        st = poll_checkpoints(b, err);
#pragma omp taskwait
    } while (st == CONTAM_OK && b->cp_next != before);
    return st;
}

static int stop_file(void *user, size_t f)
{
    return idx_builder_stopped((idx_builder *)user, f);
}

/* After each batch handed out: progress, checkpoints of earlier files, and
 * the runs a long file spills are merged when there are many. */
static contam_status after_batch(void *user, size_t f, contam_err *err)
{
    idx_builder *b = user;
    progress(b, 0);
    contam_status st = poll_checkpoints(b, err);
    return st == CONTAM_OK ? idx_compact_pending(b, f, err) : st;
}

/* Reads file f and hands out its batches; its entry in b->in gets the
 * sizes, and the next file's first record follows its last. */
static void read_file(idx_builder *b, size_t f)
{
    idx_infile *in = infile(b, f);
    const char *path = b->files[f];
    uint64_t base = b->next_ord;
    io_batch_file bf;
    contam_err e;
    contam_err_clear(&e);
    contam_status s = io_batcher_read_file(b->reader, path, f, base, (size_t)b->o->max_line, 0,
                                           &bf, &e);
    if (s == CONTAM_OK && b->o->provenance && base + bf.records > IDX_ORD_LIMIT)
        s = contam_err_set(&e, CONTAM_ERR_ARG, path, 0,
                           "more than 2^40 corpus records: too many for --provenance");
    if (s != CONTAM_OK) {
        idx_builder_error(b, &e, f);
        return;
    }
    snprintf(in->fs.format, sizeof in->fs.format, "%s", bf.format);
    memcpy(in->fs.checksum, bf.checksum, sizeof in->fs.checksum);
    in->fs.raw_bytes = bf.raw_bytes;
    in->fs.bytes = bf.bytes;
    in->fs.records = bf.records;
    in->fs.first_record = base;
    b->next_ord = base + bf.records;
    in->batches = bf.batches;
    in->read = 1;
}

static void start_file(idx_builder *b, size_t f)
{
    idx_infile *in = infile(b, f);
#pragma omp critical(idx_infile)
    {
        memset(&in->fs, 0, sizeof in->fs);
        in->tokens = in->windows = in->batches = 0;
        in->read = in->has_fatal = 0;
        atomic_store(&in->processed, 0);
        in->file = f;
    }
}

contam_status idx_read_corpus(idx_builder *b, size_t first, contam_err *err)
{
    io_batcher_config bc = {b->nthreads, b->batch_bytes, BATCH_RECORDS, process_batch, after_batch,
                            stop_file, b};
    if (!(b->reader = io_batcher_create(&bc)))
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    /* The ring of files in flight: more entries than batches can be in
     * flight, so the entry a new file needs is almost always free (its file
     * checkpointed, as soon as its batches were done and its slots retired)
     * and the reader never stops the threads to wait for it. With two
     * entries it waited every other file, and small files (a batch or a few
     * each) left the threads idle a quarter of the corpus pass. */
    b->nin = 4 * (size_t)b->nthreads + 4;
    if (!(b->in = contam_calloc(b->nin, sizeof *b->in))) {
        io_batcher_free(b->reader);
        b->reader = NULL;
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    }
    for (size_t k = 0; k < b->nin; k++)
        b->in[k].file = IDX_NO_FILE;
    b->cp_next = first;
    atomic_store(&b->compacting, IDX_NO_FILE);
    atomic_store(&b->compacting_runs, 0);
    contam_status st = CONTAM_OK;
    contam_err e; /* the reader thread's own failures */
    contam_err_clear(&e);
#pragma omp parallel num_threads(b->nthreads) default(none) shared(b, first, st, e)
#pragma omp single
    {
        for (size_t f = first; f < b->nfiles && st == CONTAM_OK; f++) {
            /* f - nin must be checkpointed; if it is not (rare: a slot is
             * still being retired), wait for everything. */
            if (infile(b, f)->file != IDX_NO_FILE && (st = drain(b, &e)) != CONTAM_OK)
                break;
            if (idx_builder_stopped(b, f))
                break;
            start_file(b, f);
            read_file(b, f);
            if (!idx_builder_stopped(b, f))
                st = poll_checkpoints(b, &e);
        }
        contam_status s2 = drain(b, &e);
        if (st == CONTAM_OK)
            st = s2;
        if (st != CONTAM_OK)
            idx_builder_error(b, &e, 0); /* stops the threads */
    }
    io_batcher_progress(b->reader, &b->read);
    io_batcher_free(b->reader);
    b->reader = NULL;
    contam_free(b->in);
    b->in = NULL;
    b->nin = 0;
    if (b->has_err) {
        if (err)
            *err = b->err;
        return b->err.code;
    }
    return CONTAM_OK;
}
