/* build_merge.c - from runs to partitions. Compaction keeps the number of
 * runs bounded during a long build (the smallest runs are merged into one,
 * so every key is rewritten O(log runs) times); the final merge writes each
 * partition from all runs (and, when appending, the existing partition),
 * partitions in parallel. Without --fp-bits, a counting pass over a slice of
 * partition 0 estimates the number of distinct keys, and the fingerprint
 * width is the smallest whose false-match rate (keys / 2^bits) is within
 * --fp-rate. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index_build.h"

#define MAX_RUNS 48    /* committed runs kept before compaction */
#define MAX_PENDING 32 /* runs of the file in flight kept before compaction */
#define COMPACT_FANIN 16

static void free_sources(idx_source **s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        idx_source_free(s[k]);
    contam_free(s);
}

/* Opens one source per run (and the old partition when appending). */
static contam_status open_sources(idx_builder *b, const idx_run_ref *runs, size_t nruns,
                                  unsigned part, unsigned fp_bits, int with_old,
                                  idx_source ***out, size_t *nout, contam_err *err)
{
    idx_source **s = contam_calloc(nruns + 2, sizeof *s);
    if (!s)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    size_t n = 0;
    contam_status st = CONTAM_OK;
    for (size_t k = 0; k < nruns && st == CONTAM_OK; k++) {
        char *path = io_path_join(b->work, runs[k].name);
        if (!path)
            st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        else if ((st = idx_source_run(path, &b->run_layout, part, fp_bits, 0, &s[n], err)) ==
                 CONTAM_OK)
            n++;
        contam_free(path);
    }
    if (st == CONTAM_OK && with_old) {
        idx_layout ol;
        idx_layout_from_meta(&b->old, &ol);
        char *path = io_path_join(b->out, b->old.parts[part].name);
        if (!path)
            st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        else if ((st = idx_source_part(path, &ol, part, 0, &s[n], err)) == CONTAM_OK)
            n++;
        contam_free(path);
    }
    if (st != CONTAM_OK) {
        free_sources(s, n);
        return st;
    }
    *out = s;
    *nout = n;
    return CONTAM_OK;
}

static int run_cmp(const void *a, const void *b)
{
    const idx_run_ref *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Merges runs[0..n) into one new run (all partitions, full hashes). */
static contam_status merge_runs(idx_builder *b, const idx_run_ref *runs, size_t n, int durable,
                                idx_run_ref *out, contam_err *err)
{
    char *path = idx_builder_run_path(b, out->name);
    if (!path)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    out->durable = durable;
    out->file = 0;
    for (size_t k = 0; k < n; k++)
        if (runs[k].file > out->file)
            out->file = runs[k].file;
    idx_run_writer *w = NULL;
    contam_status st = idx_run_writer_open(path, &b->run_layout, durable, &w, err);
    for (unsigned p = 0; st == CONTAM_OK && p < b->run_layout.partitions; p++) {
        idx_source **s;
        size_t ns;
        if ((st = open_sources(b, runs, n, p, 64, 0, &s, &ns, err)) != CONTAM_OK)
            break;
        st = idx_kmerge(s, ns, NULL, w, NULL, err);
        free_sources(s, ns);
    }
    out->bytes = 0;
    if (st == CONTAM_OK) {
        st = idx_run_writer_close(w, &out->bytes, err);
        w = NULL;
    }
    idx_run_writer_abort(w);
    contam_free(path);
    return st;
}

static void unlink_runs(idx_builder *b, const idx_run_ref *runs, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char *old = io_path_join(b->work, runs[k].name);
        if (old)
            (void)unlink(old);
        contam_free(old);
    }
}

/* Makes every committed run durable, then the journal that says so: the
 * point after which runs of different files may be merged (build.c). */
static contam_status make_durable(idx_builder *b, contam_err *err)
{
    contam_status st = CONTAM_OK;
    for (size_t k = 0; k < b->j.nruns && st == CONTAM_OK; k++) {
        idx_run_ref *r = &b->j.runs[k];
        if (r->durable)
            continue;
        char *path = io_path_join(b->work, r->name);
        st = path ? idx_run_sync(path, err)
                  : contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        contam_free(path);
        r->durable = st == CONTAM_OK;
    }
    if (st == CONTAM_OK && idx_fsync_dir(b->work))
        st = contam_err_set(err, CONTAM_ERR_IO, b->work, 0, "cannot sync: %s", strerror(errno));
    if (st == CONTAM_OK)
        st = idx_journal_write(b->journal_path, &b->j, 1, err);
    return st;
}

int idx_compact_runs_needed(const idx_builder *b)
{
    /* After the last file's checkpoint, up to COMPACT_FANIN runs more go to
     * the final merge as they are: one merge of 16 runs less, which had
     * the build's other threads waiting (a sixth of the 8-shard build
     * under --mem 64M). The final merge opens them after the threads'
     * accumulators are freed, so their buffers (68 KiB a run and thread)
     * fit in what those held. */
    size_t most = b->cp_next >= b->nfiles ? MAX_RUNS + COMPACT_FANIN : MAX_RUNS;
    return b->j.nruns > most;
}

contam_status idx_compact_runs(idx_builder *b, contam_err *err)
{
    if (!idx_compact_runs_needed(b))
        return CONTAM_OK;
    contam_status st = make_durable(b, err);
    if (st != CONTAM_OK)
        return st;
    while (b->j.nruns > MAX_RUNS) {
        qsort(b->j.runs, b->j.nruns, sizeof *b->j.runs, run_cmp);
        idx_run_ref merged;
        st = merge_runs(b, b->j.runs, COMPACT_FANIN, 1, &merged, err);
        if (st != CONTAM_OK)
            return st;
        /* Journal first (it must never list a deleted run), then delete. */
        idx_run_ref gone[COMPACT_FANIN];
        memcpy(gone, b->j.runs, sizeof gone);
        memmove(b->j.runs, b->j.runs + COMPACT_FANIN,
                (b->j.nruns - COMPACT_FANIN) * sizeof *b->j.runs);
        b->j.nruns -= COMPACT_FANIN;
        b->j.runs[b->j.nruns++] = merged;
        b->j.next_run = atomic_load(&b->next_run);
        if (idx_fsync_dir(b->work))
            return contam_err_set(err, CONTAM_ERR_IO, b->work, 0, "cannot sync: %s",
                                  strerror(errno));
        if ((st = idx_journal_write(b->journal_path, &b->j, 1, err)) != CONTAM_OK)
            return st;
        unlink_runs(b, gone, COMPACT_FANIN);
    }
    return CONTAM_OK;
}

/* Merges runs first[0..COMPACT_FANIN) of file f into one and puts it in
 * their place in the pending list. On failure, stops file f (the runs
 * merged are left in the list, whole). Then clears b->compacting. */
static void compact_pending_runs(idx_builder *b, size_t f, const idx_run_ref *first)
{
    idx_run_ref merged; /* runs of a file in flight: no need to sync */
    contam_err e;
    contam_err_clear(&e);
    contam_status st = merge_runs(b, first, COMPACT_FANIN, 0, &merged, &e);
    if (st != CONTAM_OK) {
        idx_builder_error(b, &e, f);
    } else {
#pragma omp critical(idx_pending)
        {
            size_t keep = 0;
            for (size_t k = 0; k < b->npending; k++) {
                int gone = 0;
                for (size_t q = 0; q < COMPACT_FANIN && !gone; q++)
                    gone = !strcmp(b->pending[k].name, first[q].name);
                if (!gone)
                    b->pending[keep++] = b->pending[k];
            }
            b->pending[keep++] = merged; /* room: COMPACT_FANIN entries were removed */
            b->npending = keep;
        }
        unlink_runs(b, first, COMPACT_FANIN);
    }
    atomic_store(&b->compacting, IDX_NO_FILE);
}

contam_status idx_compact_pending(idx_builder *b, size_t f, contam_err *err)
{
    (void)err; /* a failed merge stops file f (idx_builder_error) instead */
    if (atomic_load(&b->compacting) != IDX_NO_FILE)
        return CONTAM_OK; /* one at a time */
    /* Workers only append to the list, and only a compaction (one at a
     * time) removes from it, so the runs chosen stay put while merged. */
    idx_run_ref first[COMPACT_FANIN];
    size_t n = 0;
#pragma omp critical(idx_pending)
    {
        size_t have = 0;
        for (size_t k = 0; k < b->npending; k++)
            have += b->pending[k].file == f;
        for (size_t k = 0; k < b->npending && have >= MAX_PENDING && n < COMPACT_FANIN; k++)
            if (b->pending[k].file == f)
                first[n++] = b->pending[k];
    }
    if (n < COMPACT_FANIN)
        return CONTAM_OK;
    /* File f is not checkpointed while this runs (try_checkpoint looks). */
    atomic_store(&b->compacting, f);
    if (b->nthreads < 2) {
        compact_pending_runs(b, f, first);
        return CONTAM_OK;
    }
    /* A task: merging 16 runs takes as long as reading several batches,
     * and with the reader merging, the other threads ran out of batches
     * (the x4 corpus under --mem 64M kept two threads 70% busy). */
#pragma omp task firstprivate(f, first) default(none) shared(b)
    compact_pending_runs(b, f, first);
    return CONTAM_OK;
}

static unsigned choose_bits(uint64_t keys, double rate, unsigned pbits)
{
    unsigned w = INDEX_MIN_FP_BITS;
    if (w < pbits + 8)
        w = pbits + 8;
    while (w < 64 && ldexp((double)keys, -(int)w) > rate)
        w++;
    return w;
}

/* Distinct keys <= last among the runs' entries of partition p. */
static contam_status count_range(idx_builder *b, unsigned p, uint64_t last, uint64_t *count,
                                 contam_err *err)
{
    idx_source **s;
    size_t n;
    contam_status st = open_sources(b, b->j.runs, b->j.nruns, p, 64, 0, &s, &n, err);
    if (st != CONTAM_OK)
        return st;
    st = idx_kmerge_count(s, n, last, count, err);
    free_sources(s, n);
    return st;
}

/* The number of distinct keys, for the fingerprint width: counted exactly in
 * the first 2^-COUNT_SLICE_BITS of partition 0 (the hashes whose next bits
 * after the partition's are zero) and scaled up. Partitions, and slices of them,
 * are equal ranges of a uniform hash, so the estimate's relative error is
 * about 1 / sqrt(keys counted); it depends only on the corpus (never on
 * threads or spills). The count runs on one thread while the others wait,
 * which is why it reads a slice: all of partition 0 took a tenth of the
 * final merge's time. A slice of fewer than 2^16 keys (error over 0.4%)
 * gives way to all of partition 0, and a partition 0 of fewer than
 * 2^20 / P to every partition (small indexes). idx_final_merge still checks
 * the rate against the exact count afterwards. */
#define COUNT_SLICE_BITS 3
static contam_status count_keys(idx_builder *b, uint64_t *total, contam_err *err)
{
    const unsigned pbits = b->run_layout.pbits, P = b->run_layout.partitions;
    const unsigned sbits = pbits + COUNT_SLICE_BITS; /* at most 8 + 3 */
    uint64_t count = 0;
    contam_status st = count_range(b, 0, UINT64_MAX >> sbits, &count, err);
    if (st != CONTAM_OK || count >= ((uint64_t)1 << 16)) {
        *total = count << sbits;
        return st;
    }
    count = 0;
    for (unsigned p = 0; p < P && st == CONTAM_OK; p++) {
        st = count_range(b, p, UINT64_MAX, &count, err);
        if (p == 0 && count * P >= ((uint64_t)1 << 20)) {
            count *= P;
            break;
        }
    }
    *total = count;
    return st;
}

/* Writes every partition (in parallel) into the staging directory. */
static contam_status write_partitions(idx_builder *b, contam_err *err)
{
    index_meta *m = &b->meta;
    idx_layout l;
    idx_layout_from_meta(m, &l);
    if (io_rm_tree(b->stage) || mkdir(b->stage, 0777))
        return contam_err_set(err, CONTAM_ERR_IO, b->stage, 0, "cannot create the staging directory");
    unsigned P = l.partitions;
    contam_free(m->parts);
    m->parts = contam_calloc(P, sizeof *m->parts);
    contam_err *errs = contam_calloc(P, sizeof *errs);
    contam_status *sts = contam_calloc(P, sizeof *sts);
    if (!m->parts || !errs || !sts) {
        contam_free(errs);
        contam_free(sts);
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    }
    /* Each writer holds every run open: bound the descriptors in use. */
    int T = b->nthreads;
    while (T > 1 && (size_t)T * (b->j.nruns + 2) > 512)
        T--;
    idx_syncer *sync = idx_syncer_start();
#pragma omp parallel for schedule(dynamic, 1) num_threads(T) default(none) \
    shared(b, m, l, P, errs, sts, sync)
    for (unsigned p = 0; p < P; p++) {
        char name[32];
        snprintf(name, sizeof name, "part-%04u.cidx", p);
        char *path = io_path_join(b->stage, name);
        idx_source **s = NULL;
        size_t n = 0;
        idx_part_writer *w = NULL;
        if (!path) {
            sts[p] = contam_err_set(&errs[p], CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        } else if ((sts[p] = open_sources(b, b->j.runs, b->j.nruns, p, m->fp_bits, b->have_old,
                                          &s, &n, &errs[p])) == CONTAM_OK) {
            if ((sts[p] = idx_part_writer_open(path, &l, p, &w, &errs[p])) == CONTAM_OK) {
                sts[p] = idx_kmerge(s, n, w, NULL, NULL, &errs[p]);
                if (sts[p] != CONTAM_OK)
                    idx_part_writer_abort(w);
                else if ((sts[p] = idx_part_writer_close(w, &m->parts[p], &errs[p])) == CONTAM_OK)
                    idx_syncer_add(sync, path);
            }
            free_sources(s, n);
        }
        contam_free(path);
    }
    idx_syncer_finish(sync);
    contam_status st = CONTAM_OK;
    m->keys = m->index_bytes = 0;
    for (unsigned p = 0; p < P; p++) {
        if (sts[p] != CONTAM_OK && st == CONTAM_OK) {
            st = sts[p];
            if (err)
                *err = errs[p];
        }
        m->keys += m->parts[p].keys;
        m->index_bytes += m->parts[p].bytes;
    }
    contam_free(errs);
    contam_free(sts);
    m->false_match_rate = ldexp((double)m->keys, -(int)m->fp_bits);
    return st;
}

contam_status idx_final_merge(idx_builder *b, contam_err *err)
{
    index_meta *m = &b->meta;
    contam_status st;
    int chosen = !m->fp_bits;
    if (chosen) {
        uint64_t n = 0;
        if ((st = count_keys(b, &n, err)) != CONTAM_OK)
            return st;
        m->fp_bits = choose_bits(n, b->o->fp_rate, b->run_layout.pbits);
    }
    if ((st = write_partitions(b, err)) != CONTAM_OK)
        return st;
    /* An estimate a hair low: one more bit, so the stated rate holds. */
    while (chosen && m->false_match_rate > b->o->fp_rate && m->fp_bits < 64) {
        m->fp_bits++;
        if ((st = write_partitions(b, err)) != CONTAM_OK)
            return st;
    }
    char *mpath = io_path_join(b->stage, IDX_MANIFEST);
    if (!mpath)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    st = idx_manifest_write(mpath, m, err);
    contam_free(mpath);
    return st;
}
