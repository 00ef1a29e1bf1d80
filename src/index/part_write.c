/* part_write.c - writes one partition file: blocks of block_keys sorted keys,
 * then the block index, then the header (written last, at offset 0, so a file
 * cut short anywhere is caught by its size or a checksum).
 *
 * Closing a partition starts its write-back but does not wait for it; the
 * build hands finished partitions to a syncing thread (idx_syncer), and
 * fsyncs the finished directory (idx_fsync_files) before moving it into
 * place, by which time the partitions have reached the disk while later
 * ones were being merged. */
#define _GNU_SOURCE /* sync_file_range */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "index/index_internal.h"

struct idx_part_writer {
    char *path;
    FILE *f;
    idx_layout l;
    unsigned part;
    idx_entry *pend;   /* keys of the block being filled */
    size_t npend;
    contam_buf blk;    /* encoded block */
    contam_buf index;  /* encoded block index */
    uint64_t nkeys, nblocks, blocks_bytes;
    uint64_t last;
    int has_last;
};

static contam_status wr_fail(idx_part_writer *w, const char *what, contam_err *err)
{
    return contam_err_set(err, CONTAM_ERR_IO, w->path, 0, "cannot write partition (%s): %s",
                          what, strerror(errno));
}

contam_status idx_part_writer_open(const char *path, const idx_layout *l, unsigned part,
                                   idx_part_writer **out, contam_err *err)
{
    *out = NULL;
    idx_part_writer *w = contam_calloc(1, sizeof *w);
    if (!w || !(w->path = contam_strdup(path)) ||
        !(w->pend = contam_malloc(l->block_keys * sizeof *w->pend))) {
        if (w)
            contam_free(w->path);
        contam_free(w);
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    }
    w->l = *l;
    w->part = part;
    w->f = fopen(path, "wb");
    uint8_t zero[IDX_HEADER_BYTES] = {0};
    if (!w->f || fwrite(zero, 1, sizeof zero, w->f) != sizeof zero) {
        contam_status st = contam_err_set(err, w->f ? CONTAM_ERR_IO : CONTAM_ERR_OPEN, path, 0,
                                          "cannot create partition: %s", strerror(errno));
        idx_part_writer_abort(w);
        return st;
    }
    *out = w;
    return CONTAM_OK;
}

static contam_status flush_block(idx_part_writer *w, contam_err *err)
{
    if (!w->npend)
        return CONTAM_OK;
    contam_buf_reset(&w->blk);
    if (idx_block_encode(&w->l, w->pend, w->npend, &w->blk))
        return contam_err_set(err, CONTAM_ERR_NOMEM, w->path, 0, "out of memory");
    uint8_t e[IDX_ENTRY_BYTES];
    idx_put64(e, w->pend[0].key);
    idx_put64(e + 8, w->blocks_bytes);
    idx_put32(e + 16, (uint32_t)w->npend);
    idx_put32(e + 20, idx_sum32(w->blk.ptr, w->blk.size));
    if (contam_buf_append(&w->index, e, sizeof e))
        return contam_err_set(err, CONTAM_ERR_NOMEM, w->path, 0, "out of memory");
    if (fwrite(w->blk.ptr, 1, w->blk.size, w->f) != w->blk.size)
        return wr_fail(w, "block", err);
    w->blocks_bytes += w->blk.size;
    w->nblocks++;
    w->npend = 0;
    return CONTAM_OK;
}

contam_status idx_part_writer_add(idx_part_writer *w, const idx_entry *e, contam_err *err)
{
    /* Callers guarantee order; a violation would silently corrupt lookups. */
    if (w->has_last && e->key <= w->last)
        return contam_err_set(err, CONTAM_ERR_ARG, w->path, 0, "keys out of order (internal)");
    if (idx_part_of(&w->l, e->key) != w->part)
        return contam_err_set(err, CONTAM_ERR_ARG, w->path, 0, "key in wrong partition (internal)");
    w->last = e->key;
    w->has_last = 1;
    w->pend[w->npend++] = *e;
    w->nkeys++;
    if (w->npend == w->l.block_keys)
        return flush_block(w, err);
    return CONTAM_OK;
}

void idx_part_writer_abort(idx_part_writer *w)
{
    if (!w)
        return;
    if (w->f) {
        fclose(w->f);
        (void)unlink(w->path);
    }
    contam_buf_free(&w->blk);
    contam_buf_free(&w->index);
    contam_free(w->pend);
    contam_free(w->path);
    contam_free(w);
}

static void build_header(const idx_part_writer *w, uint8_t *h)
{
    memset(h, 0, IDX_HEADER_BYTES);
    memcpy(h, IDX_PART_MAGIC, 8);
    idx_put32(h + 8, INDEX_FORMAT_VERSION);
    idx_put32(h + 12, w->part);
    idx_put32(h + 16, w->l.partitions);
    idx_put32(h + 20, w->l.fp_bits);
    idx_put32(h + 24, w->l.flags);
    idx_put32(h + 28, w->l.block_keys);
    idx_put64(h + 32, w->nkeys);
    idx_put64(h + 40, w->nblocks);
    idx_put64(h + 48, w->blocks_bytes);
    idx_put64(h + 56, w->l.params_hash);
    idx_put32(h + 64, w->l.ord_bits);
    idx_put32(h + 68, idx_sum32(w->index.ptr ? w->index.ptr : "", w->index.size));
    idx_put32(h + 72, 0);
    idx_put32(h + 76, idx_sum32(h, 76));
}

contam_status idx_part_writer_close(idx_part_writer *w, index_part *info, contam_err *err)
{
    contam_status st = flush_block(w, err);
    uint8_t h[IDX_HEADER_BYTES];
    if (st != CONTAM_OK)
        goto fail;
    if (w->index.size && fwrite(w->index.ptr, 1, w->index.size, w->f) != w->index.size) {
        st = wr_fail(w, "block index", err);
        goto fail;
    }
    build_header(w, h);
    if (fseek(w->f, 0, SEEK_SET) || fwrite(h, 1, sizeof h, w->f) != sizeof h) {
        st = wr_fail(w, "header", err);
        goto fail;
    }
    if (fflush(w->f)) {
        st = wr_fail(w, "flush", err);
        goto fail;
    }
#ifdef __linux__
    /* Only a hint: failure here is caught by the fsync before the commit. */
    (void)sync_file_range(fileno(w->f), 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    int rc = fclose(w->f);
    w->f = NULL;
    if (rc) {
        st = wr_fail(w, "close", err);
        goto fail;
    }
    if (info) {
        const char *slash = strrchr(w->path, '/');
        snprintf(info->name, sizeof info->name, "%s", slash ? slash + 1 : w->path);
        info->keys = w->nkeys;
        if ((st = idx_file_checksum(w->path, info->checksum, &info->bytes, err)) != CONTAM_OK)
            goto fail;
    }
    w->f = NULL;
    contam_buf_free(&w->blk);
    contam_buf_free(&w->index);
    contam_free(w->pend);
    contam_free(w->path);
    contam_free(w);
    return CONTAM_OK;
fail:
    idx_part_writer_abort(w);
    return st;
}
