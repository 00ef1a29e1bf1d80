/* batch.c - cutting corpus files into batches of records and handing them
 * to worker tasks (batch.h). Batches are pooled: reusing their grown buffers
 * avoids a page-fault storm of fresh multi-MiB allocations per batch. */
#include <omp.h>
#include <string.h>

#include "io/batch.h"
#include "io/io.h"

struct io_batcher {
    io_batcher_config cfg;
    int inflight_limit;
    atomic_int inflight;
    io_batch *pool;
    int npool;
    atomic_uint_fast64_t raw_done, bytes_done, records_done;
};

io_batcher *io_batcher_create(const io_batcher_config *cfg)
{
    io_batcher *bt = contam_calloc(1, sizeof *bt);
    if (!bt)
        return NULL;
    bt->cfg = *cfg;
    if (bt->cfg.nthreads < 1)
        bt->cfg.nthreads = 1;
    bt->inflight_limit = 2 * bt->cfg.nthreads;
    atomic_init(&bt->inflight, 0);
    atomic_init(&bt->raw_done, 0);
    atomic_init(&bt->bytes_done, 0);
    atomic_init(&bt->records_done, 0);
    return bt;
}

static void batch_destroy(io_batch *b)
{
    if (!b)
        return;
    contam_buf_free(&b->buf);
    contam_free(b->recs);
    contam_free(b);
}

void io_batcher_free(io_batcher *bt)
{
    if (!bt)
        return;
    while (bt->pool) {
        io_batch *b = bt->pool;
        bt->pool = b->next;
        batch_destroy(b);
    }
    contam_free(bt);
}

void io_batcher_progress(const io_batcher *bt, io_batch_progress *p)
{
    p->raw_bytes = atomic_load(&bt->raw_done);
    p->bytes = atomic_load(&bt->bytes_done);
    p->records = atomic_load(&bt->records_done);
}

/* The capacity of a fresh batch buffer: the batch size and room for the
 * record that crosses it, rounded up to whole huge pages when that stays
 * within twice the batch size (what --mem counts a buffer at, and what
 * batch_release keeps). The last partial 2 MiB was backed by small pages,
 * 256 faults a MiB for every new buffer: 1.8 k of a 2-thread build's 6.9 k
 * faults. Pooled buffers are never shrunk, which is what made rounding up
 * other arrays grow RSS. */
static size_t batch_cap(const io_batcher *bt)
{
    const size_t huge = (size_t)2 << 20;
    size_t cap = bt->cfg.batch_bytes + bt->cfg.batch_bytes / 4 + 4096;
    size_t whole = (cap + huge - 1) / huge * huge;
    return cap >= huge && whole <= 2 * bt->cfg.batch_bytes ? whole : cap;
}

static void batch_release(io_batcher *bt, io_batch *b)
{
    if (!b)
        return;
    int keep = 0;
#pragma omp critical(io_batch_pool)
    {
        /* A batch grown by one huge record is not kept: pooled buffers would
         * hold that memory for the rest of the run. */
        if (bt->npool < bt->inflight_limit + bt->cfg.nthreads + 1 &&
            b->buf.cap <= 2 * bt->cfg.batch_bytes + 4096) {
            b->next = bt->pool;
            bt->pool = b;
            bt->npool++;
            keep = 1;
        }
    }
    if (!keep)
        batch_destroy(b);
}

static io_batch *batch_get(io_batcher *bt, size_t file, uint64_t base, int text_mode)
{
    io_batch *b = NULL;
#pragma omp critical(io_batch_pool)
    {
        if (bt->pool) {
            b = bt->pool;
            bt->pool = b->next;
            bt->npool--;
        }
    }
    if (b) {
        contam_buf_reset(&b->buf);
        b->nrecs = 0;
    } else if (!(b = contam_calloc(1, sizeof *b))) {
        return NULL;
    } else {
        /* Room for a full batch from the start: growing it by doubling
         * copied it at every step and left the pool with buffers twice the
         * batch size. Huge pages when it is big enough: the reading thread
         * touches every page of every new batch first, and those page
         * faults (half of a 2-thread build's) delayed the work handed out. */
        size_t cap = batch_cap(bt);
        if (!(b->buf.ptr = contam_malloc_large(cap))) {
            contam_free(b);
            return NULL;
        }
        b->buf.cap = cap;
        b->buf.ptr[0] = '\0';
    }
    b->next = NULL;
    b->file = file;
    b->base = base;
    b->text_mode = text_mode;
    return b;
}

static int batch_add(io_batch *b, const char *line, size_t len, uint64_t lineno, uint64_t off)
{
    if (contam_array_grow(&b->recs, &b->cap, b->nrecs + 1, sizeof *b->recs, 1024))
        return -1;
    b->recs[b->nrecs++] = (io_batch_rec){b->buf.size, len, lineno, off};
    /* NUL after each record: cJSON and the tokenizer never read past len, but
     * a terminator keeps every record a valid C string for error messages. */
    if (contam_buf_append(&b->buf, line, len) || contam_buf_append(&b->buf, "", 1))
        return -1;
    return 0;
}

/* Hands b to a task, or processes it here when enough are in flight. With
 * one thread, always here: a task would only wait in the queue for the next
 * taskwait, and batches would then be processed out of reading order. */
static void dispatch(io_batcher *bt, io_batch *b)
{
    int n = atomic_fetch_add(&bt->inflight, 1);
    if (n < bt->inflight_limit && bt->cfg.nthreads > 1) {
#pragma omp task firstprivate(b) default(none) shared(bt)
        {
            bt->cfg.process(bt->cfg.user, b);
            batch_release(bt, b);
            atomic_fetch_sub(&bt->inflight, 1);
        }
    } else {
        bt->cfg.process(bt->cfg.user, b);
        batch_release(bt, b);
        atomic_fetch_sub(&bt->inflight, 1);
    }
}

/* A text file is one document: its lines joined with "\n" (bounded). */
static contam_status join_line(io_batch *b, const char *path, const char *line, size_t len,
                               uint64_t lineno, size_t max_line, contam_err *err)
{
    if (b->nrecs == 0)
        return batch_add(b, line, len, 1, 0)
                   ? contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory while reading")
                   : CONTAM_OK;
    if (b->recs[0].len + len + 1 > max_line)
        return contam_err_set(err, CONTAM_ERR_LINE_TOO_LONG, path, lineno,
                              "text document longer than --max-line (%llu bytes)",
                              (unsigned long long)max_line);
    b->buf.size--; /* drop the NUL, append "\n" + line + NUL */
    if (contam_buf_append(&b->buf, "\n", 1) || contam_buf_append(&b->buf, line, len) ||
        contam_buf_append(&b->buf, "", 1))
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory while reading");
    b->recs[0].len += len + 1;
    return CONTAM_OK;
}

contam_status io_batcher_read_file(io_batcher *bt, const char *path, size_t file, uint64_t base,
                                   size_t max_line, int hand_out_partial, io_batch_file *out,
                                   contam_err *err)
{
    const io_batcher_config *c = &bt->cfg;
    memset(out, 0, sizeof *out);
    io_lines *l = NULL;
    io_batch *b = NULL;
    int text_mode = io_is_text_document(path);
    uint64_t last_raw = 0, bytes_rep = 0, records_rep = 0;
    contam_status s = io_lines_open(path, max_line, &l, err);
    if (s != CONTAM_OK)
        return s;
    io_stream *in = io_lines_stream(l);
    out->format = io_format_name(io_stream_format(in));
    if (!(b = batch_get(bt, file, base, text_mode))) {
        s = contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory while reading");
        goto done;
    }
    for (;;) {
        const char *line;
        size_t len;
        uint64_t lineno, off;
        if (c->stop && c->stop(c->user, file))
            break;
        if ((s = io_lines_next(l, &line, &len, &lineno, &off, err)) != CONTAM_OK)
            goto done;
        if (!line)
            break;
        out->records++;
        out->bytes += len + 1;
        if (text_mode) {
            if ((s = join_line(b, path, line, len, lineno, max_line, err)) != CONTAM_OK)
                goto done;
            continue;
        }
        if (batch_add(b, line, len, lineno, off)) {
            s = contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory while reading");
            goto done;
        }
        if (b->buf.size >= c->batch_bytes || b->nrecs >= c->batch_records) {
            uint64_t raw = io_stream_raw_pos(in);
            atomic_fetch_add(&bt->raw_done, raw - last_raw);
            atomic_fetch_add(&bt->bytes_done, out->bytes - bytes_rep);
            atomic_fetch_add(&bt->records_done, out->records - records_rep);
            last_raw = raw;
            bytes_rep = out->bytes;
            records_rep = out->records;
            out->batches++;
            dispatch(bt, b);
            if (!(b = batch_get(bt, file, base, text_mode))) {
                s = contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory while reading");
                goto done;
            }
            if (c->after_batch && (s = c->after_batch(c->user, file, err)) != CONTAM_OK)
                goto done;
        }
    }
done:
    /* The last, partial batch: handed out on success, and on failure when
     * the caller wants the complete records read before the damage. */
    if (b && b->nrecs &&
        (s == CONTAM_OK || (hand_out_partial && !text_mode && s != CONTAM_ERR_NOMEM))) {
        out->batches++;
        dispatch(bt, b);
    } else {
        batch_release(bt, b);
    }
    atomic_fetch_add(&bt->bytes_done, out->bytes - bytes_rep);
    atomic_fetch_add(&bt->records_done, out->records - records_rep);
    out->raw_bytes = io_stream_raw_pos(in);
    io_stream_checksum(in, out->checksum);
    atomic_fetch_add(&bt->raw_done, out->raw_bytes - last_raw);
    io_lines_free(l);
    return s;
}
