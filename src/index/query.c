/* query.c - lookups against an index. A query is a sorted array of window
 * hashes; each partition's share is answered by one forward pass over the
 * blocks it touches (block index binary search from the current block, one
 * decode per touched block), partitions in parallel. Every block read is
 * checksummed, so damage is reported, never answered from. */
#include <omp.h>
#include <string.h>

#include "index/index_internal.h"
#include "io/io.h"

struct index_reader {
    char *dir;
    index_meta meta;
    idx_layout l;
    idx_part_reader *parts;
};

void index_close(index_reader *ix)
{
    if (!ix)
        return;
    if (ix->parts)
        for (unsigned p = 0; p < ix->meta.partitions; p++)
            idx_part_close(&ix->parts[p]);
    contam_free(ix->parts);
    index_meta_free(&ix->meta);
    contam_free(ix->dir);
    contam_free(ix);
}

const index_meta *index_get_meta(const index_reader *ix) { return &ix->meta; }

contam_status index_open(const char *dir, index_reader **out, contam_err *err)
{
    *out = NULL;
    index_reader *ix = contam_calloc(1, sizeof *ix);
    if (!ix || !(ix->dir = contam_strdup(dir))) {
        contam_free(ix);
        return contam_err_set(err, CONTAM_ERR_NOMEM, dir, 0, "out of memory");
    }
    contam_status st = index_describe(dir, &ix->meta, err);
    if (st != CONTAM_OK) {
        index_close(ix);
        return st;
    }
    idx_layout_from_meta(&ix->meta, &ix->l);
    ix->parts = contam_calloc(ix->meta.partitions, sizeof *ix->parts);
    if (!ix->parts) {
        index_close(ix);
        return contam_err_set(err, CONTAM_ERR_NOMEM, dir, 0, "out of memory");
    }
    for (unsigned p = 0; p < ix->meta.partitions; p++)
        ix->parts[p].fd = -1;
    for (unsigned p = 0; p < ix->meta.partitions && st == CONTAM_OK; p++) {
        char *path = io_path_join(dir, ix->meta.parts[p].name);
        if (!path) {
            st = contam_err_set(err, CONTAM_ERR_NOMEM, dir, 0, "out of memory");
            break;
        }
        st = idx_part_open(path, p, &ix->l, &ix->parts[p], err);
        if (st == CONTAM_OK && (ix->parts[p].nkeys != ix->meta.parts[p].keys ||
                                IDX_HEADER_BYTES + ix->parts[p].blocks_bytes +
                                        ix->parts[p].nblocks * IDX_ENTRY_BYTES !=
                                    ix->meta.parts[p].bytes))
            st = contam_err_set(err, CONTAM_ERR_CORRUPT, path, 0,
                                "partition does not match manifest.json (keys or size differ)");
        contam_free(path);
    }
    if (st != CONTAM_OK) {
        index_close(ix);
        return st;
    }
    *out = ix;
    return CONTAM_OK;
}

/* First block whose first key is > fp, searching from `from`. */
static uint64_t upper_block(const idx_part_reader *r, uint64_t from, uint64_t fp)
{
    uint64_t lo = from, hi = r->nblocks;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (r->blocks[mid].first <= fp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static contam_status lookup_part(index_reader *ix, idx_part_reader *r, const uint64_t *keys, size_t n,
                                 uint32_t *df, uint64_t *first, contam_err *err)
{
    unsigned shift = 64 - ix->l.fp_bits;
    uint64_t b = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t fp = shift ? keys[k] >> shift : keys[k];
        df[k] = 0;
        if (first)
            first[k] = INDEX_NO_RECORD;
        uint64_t ub = upper_block(r, b, fp);
        if (ub == 0)
            continue; /* before the first block */
        b = ub - 1;
        contam_status st = idx_part_load(r, b, err);
        if (st != CONTAM_OK)
            return st;
        const idx_entry *e = r->ent;
        size_t lo = 0, hi = r->blocks[b].nkeys;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (e[mid].key < fp)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < r->blocks[b].nkeys && e[lo].key == fp) {
            df[k] = (uint32_t)(e[lo].df > UINT32_MAX ? UINT32_MAX : e[lo].df);
            if (first)
                first[k] = e[lo].ord;
        }
    }
    return CONTAM_OK;
}

contam_status index_lookup(index_reader *ix, const uint64_t *keys, size_t n, uint32_t *df,
                           uint64_t *first, int threads, contam_err *err)
{
    unsigned P = ix->meta.partitions;
    for (size_t k = 1; k < n; k++)
        if (keys[k] < keys[k - 1])
            return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "lookup keys must be sorted");
    size_t *start = contam_calloc(P + 1, sizeof *start);
    contam_err *errs = contam_calloc(P, sizeof *errs);
    contam_status *sts = contam_calloc(P, sizeof *sts);
    if (!start || !errs || !sts) {
        contam_free(start);
        contam_free(errs);
        contam_free(sts);
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    }
    /* keys of partition p are keys[start[p] .. start[p + 1]) */
    size_t k = 0;
    for (unsigned p = 0; p < P; p++) {
        start[p] = k;
        while (k < n && (ix->l.pbits ? (unsigned)(keys[k] >> (64 - ix->l.pbits)) : 0) == p)
            k++;
    }
    start[P] = n;
    int T = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(T) default(none) \
    shared(ix, P, start, keys, df, first, errs, sts)
    for (unsigned p = 0; p < P; p++)
        if (start[p + 1] > start[p])
            sts[p] = lookup_part(ix, &ix->parts[p], keys + start[p], start[p + 1] - start[p],
                                 df + start[p], first ? first + start[p] : NULL, &errs[p]);
    contam_status st = CONTAM_OK;
    for (unsigned p = 0; p < P && st == CONTAM_OK; p++)
        if (sts[p] != CONTAM_OK) {
            st = sts[p];
            if (err)
                *err = errs[p];
        }
    contam_free(start);
    contam_free(errs);
    contam_free(sts);
    return st;
}

int index_resolve(const index_reader *ix, uint64_t ordinal, size_t *file, uint64_t *record)
{
    const index_meta *m = &ix->meta;
    if (ordinal >= m->records || m->nfiles == 0)
        return -1;
    size_t lo = 0, hi = m->nfiles;
    while (hi - lo > 1) { /* last file with first_record <= ordinal */
        size_t mid = lo + (hi - lo) / 2;
        if (m->files[mid].first_record <= ordinal)
            lo = mid;
        else
            hi = mid;
    }
    *file = lo;
    *record = ordinal - m->files[lo].first_record + 1;
    return 0;
}
