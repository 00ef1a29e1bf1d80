/* verify.c - index_verify: every checksum the format has (manifest entry per
 * partition file, header, block index, every block) and a full decode of
 * every block, partitions in parallel. Each damaged file is reported with
 * the first damaged block it has, in partition order, so the report does not
 * depend on threads. */
#include <omp.h>
#include <string.h>

#include "index/index_internal.h"
#include "io/io.h"

typedef struct {
    size_t problems;
    uint64_t blocks, keys;
    contam_err first;
    int has_first;
} part_check;

static void note(part_check *c, const contam_err *e)
{
    c->problems++;
    if (!c->has_first) {
        c->first = *e;
        c->has_first = 1;
    }
}

static void check_part(const char *dir, const index_meta *m, const idx_layout *l, unsigned p,
                       part_check *c)
{
    contam_err e;
    contam_err_clear(&e);
    char *path = io_path_join(dir, m->parts[p].name);
    if (!path) {
        contam_err_set(&e, CONTAM_ERR_NOMEM, dir, 0, "out of memory");
        note(c, &e);
        return;
    }
    idx_part_reader r;
    if (idx_part_open(path, p, l, &r, &e) != CONTAM_OK) {
        note(c, &e);
        idx_part_close(&r);
        contam_free(path);
        return;
    }
    if (r.nkeys != m->parts[p].keys) {
        contam_err_set(&e, CONTAM_ERR_CORRUPT, path, 0,
                       "holds %llu keys, manifest.json says %llu", (unsigned long long)r.nkeys,
                       (unsigned long long)m->parts[p].keys);
        note(c, &e);
    }
    for (uint64_t b = 0; b < r.nblocks; b++) {
        if (idx_part_load(&r, b, &e) != CONTAM_OK) {
            note(c, &e);
            continue;
        }
        c->blocks++;
        c->keys += r.blocks[b].nkeys;
    }
    idx_part_close(&r);
    char sum[33];
    uint64_t size = 0;
    if (idx_file_checksum(path, sum, &size, &e) != CONTAM_OK) {
        note(c, &e);
    } else if (!c->problems && (strcmp(sum, m->parts[p].checksum) || size != m->parts[p].bytes)) {
        /* every byte is under some checksum above; this catches a file
         * swapped for another sound one */
        contam_err_set(&e, CONTAM_ERR_CORRUPT, path, 0,
                       "file checksum or size differs from manifest.json");
        note(c, &e);
    }
    contam_free(path);
}

contam_status index_verify(const char *dir, int threads, index_verify_report *rep,
                           contam_err *err)
{
    memset(rep, 0, sizeof *rep);
    index_meta m;
    contam_status st = index_describe(dir, &m, err);
    if (st != CONTAM_OK)
        return st;
    idx_layout l;
    idx_layout_from_meta(&m, &l);
    unsigned P = m.partitions;
    part_check *pc = contam_calloc(P, sizeof *pc);
    if (!pc) {
        index_meta_free(&m);
        return contam_err_set(err, CONTAM_ERR_NOMEM, dir, 0, "out of memory");
    }
    int T = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(T) default(none) \
    shared(dir, m, l, P, pc)
    for (unsigned p = 0; p < P; p++)
        check_part(dir, &m, &l, p, &pc[p]);
    const contam_err *first = NULL;
    for (unsigned p = 0; p < P; p++) {
        rep->problems += pc[p].problems;
        rep->blocks_checked += pc[p].blocks;
        rep->keys_checked += pc[p].keys;
        if (!first && pc[p].has_first)
            first = &pc[p].first;
    }
    if (first) {
        contam_err_format(first, rep->first, sizeof rep->first);
        if (err)
            *err = *first;
        st = first->code == CONTAM_ERR_NOMEM ? CONTAM_ERR_NOMEM : CONTAM_ERR_CORRUPT;
        if (err)
            err->code = st;
    }
    contam_free(pc);
    index_meta_free(&m);
    return st;
}
