/* part_read.c - opens a partition file and checks everything that can be
 * checked without reading blocks (magic, version, header checksum, exact
 * size, block index checksum and consistency); blocks are checked and
 * decoded one at a time as lookups reach them. Any damage is an error that
 * names the file and block: a lookup never answers from damaged data. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index_internal.h"

static contam_status bad(const idx_part_reader *r, const char *path, contam_status code,
                         contam_err *err, const char *what)
{
    (void)r;
    return contam_err_set(err, code, path, 0, "%s", what);
}

static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t got = pread(fd, p, n, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        p += got;
        n -= (size_t)got;
        off += (uint64_t)got;
    }
    return 0;
}

contam_status idx_part_open(const char *path, unsigned part, const idx_layout *want,
                            idx_part_reader *r, contam_err *err)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->cur = UINT64_MAX;
    char msg[300];
    if (!(r->path = contam_strdup(path)))
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return contam_err_set(err, CONTAM_ERR_OPEN, path, 0, "cannot open partition: %s",
                              strerror(errno));
    struct stat sb;
    uint8_t h[IDX_HEADER_BYTES];
    if (fstat(r->fd, &sb) != 0)
        return contam_err_set(err, CONTAM_ERR_IO, path, 0, "cannot stat: %s", strerror(errno));
    uint64_t size = (uint64_t)sb.st_size;
    if (size < IDX_HEADER_BYTES || pread_all(r->fd, h, sizeof h, 0))
        return bad(r, path, CONTAM_ERR_TRUNCATED, err,
                   "truncated partition: shorter than its 80-byte header");
    if (memcmp(h, IDX_PART_MAGIC, 8))
        return bad(r, path, CONTAM_ERR_FORMAT, err, "not a contam index partition (bad magic)");
    uint32_t version = idx_get32(h + 8);
    if (version != INDEX_FORMAT_VERSION) {
        snprintf(msg, sizeof msg,
                 "partition format version %u is %s than this contam supports (%u)", version,
                 version > INDEX_FORMAT_VERSION ? "newer" : "other", INDEX_FORMAT_VERSION);
        return bad(r, path, CONTAM_ERR_FORMAT, err, msg);
    }
    if (idx_get32(h + 76) != idx_sum32(h, 76))
        return bad(r, path, CONTAM_ERR_CORRUPT, err, "header checksum mismatch");
    r->part = idx_get32(h + 12);
    r->l.partitions = idx_get32(h + 16);
    r->l.fp_bits = idx_get32(h + 20);
    r->l.flags = idx_get32(h + 24);
    r->l.block_keys = idx_get32(h + 28);
    r->nkeys = idx_get64(h + 32);
    r->nblocks = idx_get64(h + 40);
    r->blocks_bytes = idx_get64(h + 48);
    r->l.params_hash = idx_get64(h + 56);
    r->l.ord_bits = idx_get32(h + 64);
    uint32_t index_sum = idx_get32(h + 68);
    unsigned pbits = 0;
    while (pbits < 31 && (1u << pbits) < r->l.partitions)
        pbits++;
    r->l.pbits = pbits;
    if (r->l.partitions == 0 || (1u << pbits) != r->l.partitions || r->part >= r->l.partitions ||
        r->l.fp_bits < pbits || r->l.fp_bits > 64 || r->l.block_keys == 0 ||
        r->l.ord_bits > 64 || r->nblocks > r->nkeys ||
        r->nblocks > (UINT64_MAX - IDX_HEADER_BYTES) / IDX_ENTRY_BYTES / 2 ||
        r->blocks_bytes > UINT64_MAX / 2)
        return bad(r, path, CONTAM_ERR_CORRUPT, err, "inconsistent header fields");
    if (want && (r->part != part || r->l.partitions != want->partitions ||
                 r->l.fp_bits != want->fp_bits || r->l.flags != want->flags ||
                 r->l.block_keys != want->block_keys || r->l.ord_bits != want->ord_bits ||
                 r->l.params_hash != want->params_hash))
        return bad(r, path, CONTAM_ERR_FORMAT, err,
                   "partition does not belong to this index (its parameters differ from "
                   "manifest.json)");
    uint64_t expect = IDX_HEADER_BYTES + r->blocks_bytes + r->nblocks * IDX_ENTRY_BYTES;
    if (size != expect) {
        snprintf(msg, sizeof msg, "%s partition: %llu bytes, the header says %llu",
                 size < expect ? "truncated" : "oversized", (unsigned long long)size,
                 (unsigned long long)expect);
        return bad(r, path, size < expect ? CONTAM_ERR_TRUNCATED : CONTAM_ERR_CORRUPT, err, msg);
    }
    size_t ilen = (size_t)(r->nblocks * IDX_ENTRY_BYTES);
    uint8_t *ib = contam_malloc(ilen + 1);
    r->blocks = contam_calloc((size_t)r->nblocks + 1, sizeof *r->blocks);
    r->ent = contam_malloc(r->l.block_keys * sizeof *r->ent);
    if (!ib || !r->blocks || !r->ent) {
        contam_free(ib);
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    }
    if (ilen && pread_all(r->fd, ib, ilen, IDX_HEADER_BYTES + r->blocks_bytes)) {
        contam_free(ib);
        return contam_err_set(err, CONTAM_ERR_IO, path, 0, "cannot read block index");
    }
    if (idx_sum32(ilen ? ib : (const uint8_t *)"", ilen) != index_sum) {
        contam_free(ib);
        return bad(r, path, CONTAM_ERR_CORRUPT, err, "block index checksum mismatch");
    }
    uint64_t total = 0;
    for (uint64_t b = 0; b < r->nblocks; b++) {
        const uint8_t *e = ib + b * IDX_ENTRY_BYTES;
        idx_block_ref *br = &r->blocks[b];
        br->first = idx_get64(e);
        br->offset = idx_get64(e + 8);
        br->nkeys = idx_get32(e + 16);
        br->sum = idx_get32(e + 20);
        total += br->nkeys;
        int ok = br->nkeys >= 1 && br->nkeys <= r->l.block_keys &&
                 br->offset < r->blocks_bytes && idx_part_of(&r->l, br->first) == r->part &&
                 (r->l.fp_bits == 64 || br->first >> r->l.fp_bits == 0);
        if (b > 0)
            ok = ok && br->offset > r->blocks[b - 1].offset && br->first > r->blocks[b - 1].first;
        else
            ok = ok && br->offset == 0;
        if (!ok) {
            contam_free(ib);
            snprintf(msg, sizeof msg, "block index entry %llu inconsistent",
                     (unsigned long long)b);
            return bad(r, path, CONTAM_ERR_CORRUPT, err, msg);
        }
        if (b > 0)
            r->blocks[b - 1].len = br->offset - r->blocks[b - 1].offset;
    }
    if (r->nblocks)
        r->blocks[r->nblocks - 1].len = r->blocks_bytes - r->blocks[r->nblocks - 1].offset;
    contam_free(ib);
    if (total != r->nkeys || (r->nblocks == 0) != (r->blocks_bytes == 0))
        return bad(r, path, CONTAM_ERR_CORRUPT, err, "block index does not add up to the key count");
    return CONTAM_OK;
}

contam_status idx_part_load(idx_part_reader *r, uint64_t b, contam_err *err)
{
    if (r->cur == b)
        return CONTAM_OK;
    r->cur = UINT64_MAX;
    const idx_block_ref *br = &r->blocks[b];
    if (br->len > r->raw_cap) {
        uint8_t *p = contam_realloc(r->raw, (size_t)br->len);
        if (!p)
            return contam_err_set(err, CONTAM_ERR_NOMEM, r->path, 0, "out of memory");
        r->raw = p;
        r->raw_cap = (size_t)br->len;
    }
    uint64_t off = IDX_HEADER_BYTES + br->offset;
    if (pread_all(r->fd, r->raw, (size_t)br->len, off))
        return contam_err_set(err, CONTAM_ERR_IO, r->path, 0, "cannot read block %llu",
                              (unsigned long long)b);
    char why[160];
    if (idx_sum32(r->raw, (size_t)br->len) != br->sum) {
        contam_err_set(err, CONTAM_ERR_CORRUPT, r->path, 0,
                       "block %llu (byte offset %llu): checksum mismatch",
                       (unsigned long long)b, (unsigned long long)off);
        return CONTAM_ERR_CORRUPT;
    }
    why[0] = '\0';
    if (idx_block_decode(&r->l, r->raw, (size_t)br->len, br->first, br->nkeys, r->ent, why,
                         sizeof why) == 0) {
        uint64_t last = r->ent[br->nkeys - 1].key;
        if (idx_part_of(&r->l, last) != r->part)
            snprintf(why, sizeof why, "last key outside the partition");
        else if (b + 1 < r->nblocks && last >= r->blocks[b + 1].first)
            snprintf(why, sizeof why, "keys overlap the next block");
    }
    if (why[0])
        return contam_err_set(err, CONTAM_ERR_CORRUPT, r->path, 0,
                              "block %llu (byte offset %llu): %s", (unsigned long long)b,
                              (unsigned long long)off, why);
    if ((r->l.flags & IDX_FLAG_PROV) == 0)
        for (uint32_t k = 0; k < br->nkeys; k++)
            r->ent[k].ord = UINT64_MAX;
    r->cur = b;
    return CONTAM_OK;
}

void idx_part_close(idx_part_reader *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    contam_free(r->path);
    contam_free(r->blocks);
    contam_free(r->ent);
    contam_free(r->raw);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}
