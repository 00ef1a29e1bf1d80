/* run.c - sorted runs: what a build spills when its memory budget is reached
 * or a corpus file is finished. A run holds full 64-bit hashes in increasing
 * order, cut into the index's partitions (so every partition can be merged
 * on its own, in parallel), with an XXH64 per partition range. Keys are
 * stored whole (8 bytes, little-endian): delta varints saved nothing on
 * per-file runs (gaps of 2^40 and more take 6-7 bytes) and their byte loops
 * cost more CPU than writing the run. Runs are private to a build directory: written to NAME.tmp, fsynced,
 * renamed; a journal lists the ones that count. Only runs that outlive a
 * checkpoint interval are fsynced (see build.c on durability).
 *
 * Layout: "CONTAMRN", u32 version, u32 partitions, u32 flags, u32 0,
 * u64 keys, (partitions + 1) x u64 range offsets, partitions x u64 XXH64,
 * then per partition: u64 key [varint df] [varint ord]. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "index/index_internal.h"

#define RUN_BUF (1u << 16)

struct idx_run_writer {
    char *path, *tmp;
    FILE *f;
    idx_layout l;
    int durable;
    uint64_t *offsets; /* partitions + 1 */
    uint64_t *sums;
    unsigned part;     /* partition being written */
    uint64_t prev;
    int started;       /* a key of this partition was written */
    uint64_t pos;      /* bytes written so far (file offset) */
    uint64_t nkeys;
    XXH64_state_t xs;
    uint8_t buf[RUN_BUF];
    size_t nbuf;
};

static size_t run_header_bytes(unsigned partitions)
{
    return 32 + 8 * ((size_t)partitions + 1) + 8 * (size_t)partitions;
}

static uint64_t part_base(const idx_layout *l, unsigned p)
{
    return l->pbits ? (uint64_t)p << (64 - l->pbits) : 0;
}

static contam_status io_fail(idx_run_writer *w, const char *what, contam_err *err)
{
    return contam_err_set(err, CONTAM_ERR_IO, w->tmp, 0, "cannot write run (%s): %s", what,
                          strerror(errno));
}

/* The cold path of idx_run_writer_add; kept out of line (inlined, gcc 12
 * takes nbuf for unbounded and warns on XXH64_update's memcpy). */
static CONTAM_NOINLINE contam_status flush_buf(idx_run_writer *w, contam_err *err)
{
    if (!w->nbuf)
        return CONTAM_OK;
    XXH64_update(&w->xs, w->buf, w->nbuf);
    if (fwrite(w->buf, 1, w->nbuf, w->f) != w->nbuf)
        return io_fail(w, "write", err);
    w->pos += w->nbuf;
    w->nbuf = 0;
    return CONTAM_OK;
}

/* Closes partition ranges up to (excluding) `upto`. */
static contam_status advance(idx_run_writer *w, unsigned upto, contam_err *err)
{
    contam_status st;
    while (w->part < upto) {
        if ((st = flush_buf(w, err)) != CONTAM_OK)
            return st;
        w->sums[w->part] = XXH64_digest(&w->xs);
        w->part++;
        w->offsets[w->part] = w->pos;
        XXH64_reset(&w->xs, 0);
        w->prev = part_base(&w->l, w->part < w->l.partitions ? w->part : 0);
        w->started = 0;
    }
    return CONTAM_OK;
}

contam_status idx_run_writer_open(const char *path, const idx_layout *l, int durable,
                                  idx_run_writer **out, contam_err *err)
{
    *out = NULL;
    idx_run_writer *w = contam_calloc(1, sizeof *w);
    size_t plen = strlen(path);
    if (!w || !(w->path = contam_strdup(path)) || !(w->tmp = contam_malloc(plen + 5)) ||
        !(w->offsets = contam_calloc(l->partitions + 1, sizeof *w->offsets)) ||
        !(w->sums = contam_calloc(l->partitions, sizeof *w->sums))) {
        idx_run_writer_abort(w);
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    }
    memcpy(w->tmp, path, plen);
    memcpy(w->tmp + plen, ".tmp", 5);
    w->l = *l;
    w->durable = durable;
    w->f = fopen(w->tmp, "wb");
    if (!w->f) {
        contam_status st = contam_err_set(err, CONTAM_ERR_OPEN, w->tmp, 0,
                                          "cannot create run: %s", strerror(errno));
        idx_run_writer_abort(w);
        return st;
    }
    size_t hb = run_header_bytes(l->partitions);
    uint8_t zero[256] = {0};
    for (size_t k = 0; k < hb; k += sizeof zero) {
        size_t chunk = hb - k < sizeof zero ? hb - k : sizeof zero;
        if (fwrite(zero, 1, chunk, w->f) != chunk) {
            contam_status st = io_fail(w, "header", err);
            idx_run_writer_abort(w);
            return st;
        }
    }
    w->pos = hb;
    w->offsets[0] = hb;
    XXH64_reset(&w->xs, 0);
    w->prev = part_base(l, 0);
    *out = w;
    return CONTAM_OK;
}

contam_status idx_run_writer_add(idx_run_writer *w, uint64_t key, uint64_t df, uint64_t ord,
                                 contam_err *err)
{
    unsigned p = idx_part_of(&w->l, key);
    contam_status st;
    if (p < w->part || (w->started && p == w->part && key <= w->prev))
        return contam_err_set(err, CONTAM_ERR_ARG, w->path, 0, "run keys out of order (internal)");
    if (p > w->part && (st = advance(w, p, err)) != CONTAM_OK)
        return st;
    if (w->nbuf + 30 > RUN_BUF && (st = flush_buf(w, err)) != CONTAM_OK)
        return st;
    idx_put64(w->buf + w->nbuf, key);
    w->nbuf += 8;
    if (w->l.flags & IDX_FLAG_DF)
        w->nbuf += idx_varint_put(w->buf + w->nbuf, df);
    if (w->l.flags & IDX_FLAG_PROV)
        w->nbuf += idx_varint_put(w->buf + w->nbuf, ord);
    w->prev = key;
    w->started = 1;
    w->nkeys++;
    return CONTAM_OK;
}

void idx_run_writer_abort(idx_run_writer *w)
{
    if (!w)
        return;
    if (w->f) {
        fclose(w->f);
        (void)unlink(w->tmp);
    }
    contam_free(w->path);
    contam_free(w->tmp);
    contam_free(w->offsets);
    contam_free(w->sums);
    contam_free(w);
}

contam_status idx_run_writer_close(idx_run_writer *w, uint64_t *bytes, contam_err *err)
{
    contam_status st = advance(w, w->l.partitions, err);
    if (st != CONTAM_OK)
        goto fail;
    size_t hb = run_header_bytes(w->l.partitions);
    uint8_t *h = contam_calloc(1, hb);
    if (!h) {
        st = contam_err_set(err, CONTAM_ERR_NOMEM, w->path, 0, "out of memory");
        goto fail;
    }
    memcpy(h, IDX_RUN_MAGIC, 8);
    idx_put32(h + 8, IDX_RUN_VERSION);
    idx_put32(h + 12, w->l.partitions);
    idx_put32(h + 16, w->l.flags);
    idx_put64(h + 24, w->nkeys);
    for (unsigned p = 0; p <= w->l.partitions; p++)
        idx_put64(h + 32 + 8 * (size_t)p, w->offsets[p]);
    for (unsigned p = 0; p < w->l.partitions; p++)
        idx_put64(h + 32 + 8 * ((size_t)w->l.partitions + 1) + 8 * (size_t)p, w->sums[p]);
    int bad = fseek(w->f, 0, SEEK_SET) || fwrite(h, 1, hb, w->f) != hb;
    contam_free(h);
    if (bad || fflush(w->f) || (w->durable && fsync(fileno(w->f)))) {
        st = io_fail(w, "header", err);
        goto fail;
    }
    int rc = fclose(w->f);
    w->f = NULL;
    if (rc || rename(w->tmp, w->path)) {
        st = io_fail(w, rc ? "close" : "rename", err);
        (void)unlink(w->tmp);
        goto fail;
    }
    if (bytes)
        *bytes = w->pos;
    idx_run_writer_abort(w);
    return CONTAM_OK;
fail:
    idx_run_writer_abort(w);
    return st;
}

contam_status idx_run_sync(const char *path, contam_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return contam_err_set(err, CONTAM_ERR_OPEN, path, 0, "cannot open run: %s",
                              strerror(errno));
    int rc = fsync(fd), saved = errno;
    (void)close(fd);
    if (rc)
        return contam_err_set(err, CONTAM_ERR_IO, path, 0, "cannot sync run: %s",
                              strerror(saved));
    return CONTAM_OK;
}

contam_status idx_run_verify(const char *path, const idx_layout *l, uint64_t bytes,
                             contam_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return contam_err_set(err, CONTAM_ERR_OPEN, path, 0, "cannot open run: %s",
                              strerror(errno));
    size_t hb = run_header_bytes(l->partitions);
    uint8_t *h = contam_malloc(hb), *buf = contam_malloc(RUN_BUF);
    const char *why = NULL;
    contam_status st = CONTAM_OK;
    if (!h || !buf) {
        st = contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
        goto done;
    }
    if (fread(h, 1, hb, f) != hb || memcmp(h, IDX_RUN_MAGIC, 8) ||
        idx_get32(h + 8) != IDX_RUN_VERSION || idx_get32(h + 12) != l->partitions ||
        idx_get32(h + 16) != l->flags) {
        why = "bad header";
        goto done;
    }
    uint64_t at = hb;
    for (unsigned p = 0; p < l->partitions && !why; p++) {
        uint64_t a = idx_get64(h + 32 + 8 * (size_t)p), b = idx_get64(h + 40 + 8 * (size_t)p);
        uint64_t want = idx_get64(h + 32 + 8 * ((size_t)l->partitions + 1) + 8 * (size_t)p);
        if (a != at || b < a || b > bytes) {
            why = "bad range";
            break;
        }
        XXH64_state_t xs;
        XXH64_reset(&xs, 0);
        for (uint64_t left = b - a; left > 0;) {
            size_t n = left < RUN_BUF ? (size_t)left : RUN_BUF;
            if (fread(buf, 1, n, f) != n) {
                why = "short file";
                break;
            }
            XXH64_update(&xs, buf, n);
            left -= n;
        }
        if (!why && XXH64_digest(&xs) != want)
            why = "checksum mismatch";
        at = b;
    }
    if (!why && (at != bytes || fgetc(f) != EOF))
        why = "size differs from the journal";
done:
    if (why)
        st = contam_err_set(err, CONTAM_ERR_CORRUPT, path, 0, "damaged build run (%s)", why);
    contam_free(h);
    contam_free(buf);
    fclose(f);
    return st;
}
