/* build_read.c - the corpus pass of a build. It reads corpus files with the
 * scanner's reader (io/batch.h: the same records, *.txt files as one
 * document), parses them the same way (io_record_parse, the same counters)
 * and hashes the same windows (ngram.h), so an index answers what a direct
 * scan would have found.
 *
 * Parallel shape: files are read one after another by one thread (a file is
 * the unit of resumption); each is cut into batches of records that any
 * thread processes into its own accumulator. After a file, all batches are
 * waited for and idx_checkpoint makes the file's n-grams durable. A thread
 * whose accumulator outgrows its share of --mem spills it as a run on its
 * own, at a document boundary.
 *
 * Errors: damage or I/O stop everything at once. A bad record under
 * --strict stops reading, but batches already handed out still finish, so
 * the reported line is the earliest bad one whatever the timing. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "index/index_build.h"
#include "io/batch.h"
#include "io/io.h"

#define BATCH_RECORDS 16384

static void add_bad(idx_bctx *c, uint64_t line, const char *why)
{
    size_t slot = c->nbad;
    if (c->nbad == 20) { /* keep the 20 smallest line numbers */
        slot = 0;
        for (size_t k = 1; k < 20; k++)
            if (c->bad_line[k] > c->bad_line[slot])
                slot = k;
        if (line > c->bad_line[slot])
            return;
    } else {
        c->nbad++;
    }
    c->bad_line[slot] = line;
    snprintf(c->bad_reason[slot], sizeof c->bad_reason[slot], "%s", why);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int process_text(idx_builder *b, idx_bctx *c, const char *text, size_t len, uint64_t ord)
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
    uint64_t *h = c->prefix;
    for (size_t i = 0; i < nwin; i++)
        h[i] = ngram_window_hash(h, i, n, pw);
    qsort(h, nwin, sizeof *h, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; i < nwin; i++)
        if (i == 0 || h[i] != h[i - 1])
            h[m++] = h[i];
    for (size_t i = 0; i < m;) {
        if (c->acc.nchunk == c->acc.cap && idx_accum_flush_chunk(&c->acc))
            return -1;
        size_t room = c->acc.cap - c->acc.nchunk;
        for (size_t e = i + room < m ? i + room : m; i < e; i++)
            idx_accum_push(&c->acc, h[i], ord);
    }
    return 0;
}

/* 0 processed or skipped, -1 out of memory. */
static int process_record(idx_builder *b, idx_bctx *c, const io_batch *bt,
                          const io_batch_rec *r)
{
    const char *line = bt->buf.ptr + r->off;
    uint64_t ord = bt->base + r->lineno - 1;
    if (bt->text_mode) {
        c->n.docs++;
        return process_text(b, c, line, r->len, ord);
    }
    io_record rec;
    char why[120];
    contam_status code;
    int k = io_record_take(line, r->len, b->o->text_field, NULL, &c->n, &rec, &code, why,
                           sizeof why);
    if (k < 0)
        return -1;
    if (k > 0) {
        int rc = process_text(b, c, rec.text, rec.len, ord);
        io_record_clear(&rec);
        return rc;
    }
    if (code == CONTAM_OK) /* blank */
        return 0;
    add_bad(c, r->lineno, why);
    if (b->o->strict && (!c->has_fatal || r->lineno < c->fatal.line)) {
        contam_err_set(&c->fatal, code, b->files[bt->file], r->lineno, "%s (--strict)", why);
        c->has_fatal = 1;
    }
    return 0;
}

static int spill_thread(idx_builder *b, idx_bctx *c)
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
    if (st == CONTAM_OK && idx_builder_add_pending(b, name, bytes))
        st = contam_err_set(&e, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    if (st != CONTAM_OK) {
        idx_builder_error(b, &e);
        atomic_store(&b->abort, 1);
        return -1;
    }
    atomic_fetch_add(&b->runs_spilled, 1);
    return 0;
}

static void process_batch(void *user, io_batch *bt)
{
    idx_builder *b = user;
    idx_bctx *c = &b->ctx[omp_get_thread_num()];
    for (size_t k = 0; k < bt->nrecs && !atomic_load(&b->abort); k++) {
        if (process_record(b, c, bt, &bt->recs[k]) < 0) {
            c->oom = 1;
            break;
        }
        if (c->acc.bytes > b->acc_limit && spill_thread(b, c))
            break;
    }
    if (c->oom) {
        contam_err e;
        contam_err_set(&e, CONTAM_ERR_NOMEM, b->files[bt->file], 0,
                       "out of memory while indexing (lower --threads or raise --mem)");
        idx_builder_error(b, &e);
        atomic_store(&b->abort, 1);
        c->oom = 0;
    }
}

/* ---- reading ------------------------------------------------------------------ */

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

static int stop_file(void *user, size_t f)
{
    (void)f;
    return atomic_load(&((idx_builder *)user)->abort);
}

/* After each batch handed out: progress, and the runs a long file spills
 * are merged when there are many. */
static contam_status after_batch(void *user, size_t f, contam_err *err)
{
    (void)f;
    idx_builder *b = user;
    progress(b, 0);
    return idx_compact_pending(b, err);
}

/* Reads file f and hands out its batches; fills fs (format, checksum, sizes). */
static void read_file(idx_builder *b, size_t f, index_file *fs)
{
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
        idx_builder_error(b, &e);
        atomic_store(&b->abort, 1);
        return;
    }
    snprintf(fs->format, sizeof fs->format, "%s", bf.format);
    memcpy(fs->checksum, bf.checksum, sizeof fs->checksum);
    fs->raw_bytes = bf.raw_bytes;
    fs->bytes = bf.bytes;
    fs->records = bf.records;
    fs->first_record = base;
}

/* Sums the threads' counters for the file just finished into fs. */
static void collect_counters(idx_builder *b, index_file *fs)
{
    for (int t = 0; t < b->nthreads; t++) {
        idx_bctx *c = &b->ctx[t];
        fs->docs += c->n.docs;
        fs->bad_json += c->n.bad_json;
        fs->missing_field += c->n.missing;
        fs->invalid_utf8 += c->invalid_utf8;
        fs->blank += c->n.blank;
        b->j.tokens += c->tokens;
        b->j.windows += c->windows;
        for (size_t k = 0; k < c->nbad; k++) {
            size_t slot = fs->nbad;
            if (fs->nbad == 20) {
                slot = 0;
                for (size_t q = 1; q < 20; q++)
                    if (fs->bad_line[q] > fs->bad_line[slot])
                        slot = q;
                if (c->bad_line[k] > fs->bad_line[slot])
                    continue;
            } else {
                fs->nbad++;
            }
            fs->bad_line[slot] = c->bad_line[k];
            memcpy(fs->bad_reason[slot], c->bad_reason[k], sizeof fs->bad_reason[slot]);
        }
        memset(&c->n, 0, sizeof c->n);
        c->invalid_utf8 = 0;
        c->tokens = c->windows = 0;
        c->nbad = 0;
    }
    /* order the samples by line (insertion sort: at most 20) */
    for (size_t a = 1; a < fs->nbad; a++)
        for (size_t k = a; k > 0 && fs->bad_line[k - 1] > fs->bad_line[k]; k--) {
            uint64_t tl = fs->bad_line[k];
            fs->bad_line[k] = fs->bad_line[k - 1];
            fs->bad_line[k - 1] = tl;
            char tr[120];
            memcpy(tr, fs->bad_reason[k], sizeof tr);
            memcpy(fs->bad_reason[k], fs->bad_reason[k - 1], sizeof tr);
            memcpy(fs->bad_reason[k - 1], tr, sizeof tr);
        }
}

/* The earliest --strict failure of the file, if any. */
static int strict_failure(idx_builder *b)
{
    int found = 0;
    for (int t = 0; t < b->nthreads; t++) {
        idx_bctx *c = &b->ctx[t];
        if (c->has_fatal && (!found || c->fatal.line < b->err.line)) {
            b->err = c->fatal;
            found = 1;
        }
        c->has_fatal = 0;
    }
    if (found)
        b->has_err = 1;
    return found;
}

contam_status idx_read_corpus(idx_builder *b, size_t first, contam_err *err)
{
    io_batcher_config bc = {b->nthreads, b->batch_bytes, BATCH_RECORDS, process_batch, after_batch,
                            stop_file, b};
    if (!(b->reader = io_batcher_create(&bc)))
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    contam_status st = CONTAM_OK;
#pragma omp parallel num_threads(b->nthreads) default(none) shared(b, first, st, err)
#pragma omp single
    {
        for (size_t f = first; f < b->nfiles && st == CONTAM_OK; f++) {
            index_file fs;
            memset(&fs, 0, sizeof fs);
            read_file(b, f, &fs);
#pragma omp taskwait
            if (b->has_err || strict_failure(b)) {
                st = b->err.code;
                break;
            }
            collect_counters(b, &fs);
            /* As the scanner: a file none of whose records has the text field
             * was read with the wrong --text-field, and indexing "nothing"
             * would make every benchmark item look clean. */
            if (!fs.docs && fs.records > fs.blank && !io_is_text_document(b->files[f])) {
                st = contam_err_set(err, CONTAM_ERR_FIELD, b->files[f], 0,
                                    "none of its %llu records has a string field '%s' (see "
                                    "--text-field)",
                                    (unsigned long long)(fs.records - fs.blank), b->o->text_field);
                break;
            }
            st = idx_checkpoint(b, f, &fs, err);
            b->files_done++;
            progress(b, 1);
        }
    }
    io_batcher_progress(b->reader, &b->read);
    io_batcher_free(b->reader);
    b->reader = NULL;
    if (b->has_err) {
        if (err)
            *err = b->err;
        return b->err.code;
    }
    return st;
}
