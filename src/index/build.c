/* build.c - index_build: checks arguments, sizes the memory budget, resumes
 * an interrupted build, runs the corpus pass and the final merge, and moves
 * the finished index into place.
 *
 * Work directory "OUT.partial/" (locked with flock while a build runs):
 *   journal.json   finished corpus files, committed runs (journal.c)
 *   run-N.run      sorted runs (run.c); files not in the journal are leftovers
 *   out/           the finished index, staged; renamed to OUT at the end
 * OUT appears only complete. A rerun with the same arguments continues after
 * the last finished corpus file; a rerun with other arguments is refused
 * rather than mixing two builds.
 *
 * Durability: a checkpoint after every corpus file replaces the journal
 * atomically but syncs nothing, which survives a killed process. Syncing
 * every run cost a third of the build's time on the shared corpus (the runs
 * had to reach the disk; unsynced, most are merged and deleted while still
 * in the page cache). A power loss may therefore lose runs the journal
 * names: on resume every non-durable run is read back and checked, and the
 * first damaged one sends the build back to the file it belongs to. Runs
 * are made durable (with the journal, fsynced) before any compaction merges
 * runs of different files, so a non-durable run only ever holds files after
 * every durable one, and going back never touches durable data. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "index/index_build.h"
#include "io/io.h"

/* Measured, not derived: the program, libraries and stacks (4 MiB), a zstd
 * decompression window (8 MiB at level 19), the line reader and one record's
 * parse tree, and the final merge's read buffers. */
#define BASE_RSS ((uint64_t)24 << 20)
/* Per thread: tokens, prefix sums and (a record bigger than the chunk) sort
 * scratch of the longest record (32 bytes a token: ~5 MiB for a 1 MB book;
 * a longer record is outside --mem, docs/PERFORMANCE.md) and radix
 * counters. */
#define THREAD_RSS ((uint64_t)5 << 20)

void index_build_options_init(index_build_options *o)
{
    memset(o, 0, sizeof *o);
    o->n = 13;
    o->unit = NGRAM_UNIT_WORD;
    o->seed = NGRAM_DEFAULT_SEED;
    o->text_field = "text";
    o->max_line = (uint64_t)256 << 20;
    o->mem = INDEX_DEFAULT_MEM;
    o->partitions = INDEX_DEFAULT_PARTITIONS;
    o->fp_rate = INDEX_DEFAULT_FP_RATE;
}

double idx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void idx_builder_error(idx_builder *b, const contam_err *e, size_t f)
{
#pragma omp critical(idx_err)
    {
        if (!b->has_err || f < b->err_file) {
            b->err = *e;
            b->err_file = f;
            b->has_err = 1;
        }
        size_t at = atomic_load(&b->stop_at);
        while (f < at && !atomic_compare_exchange_weak(&b->stop_at, &at, f)) {
        }
    }
}

int idx_builder_add_pending(idx_builder *b, const char *name, uint64_t bytes, size_t f)
{
    int rc = 0;
#pragma omp critical(idx_pending)
    {
        if (b->npending == b->pending_cap) {
            size_t ncap = b->pending_cap ? 2 * b->pending_cap : 16;
            idx_run_ref *p = contam_realloc(b->pending, ncap * sizeof *p);
            if (p) {
                b->pending = p;
                b->pending_cap = ncap;
            }
        }
        if (b->npending < b->pending_cap) {
            snprintf(b->pending[b->npending].name, sizeof b->pending[0].name, "%s", name);
            b->pending[b->npending].bytes = bytes;
            /* Journal entry k is corpus file k (resume checks the paths). */
            b->pending[b->npending].file = f;
            b->pending[b->npending].durable = 0;
            b->npending++;
        } else {
            rc = -1;
        }
    }
    return rc;
}

char *idx_builder_run_path(idx_builder *b, char name[32])
{
    uint64_t id = atomic_fetch_add(&b->next_run, 1);
    snprintf(name, 32, "run-%08llu.run", (unsigned long long)id);
    return io_path_join(b->work, name);
}

static uint64_t file_mtime(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return 0;
    return (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
}

/* ---- checkpoints ---------------------------------------------------------------- */

contam_status idx_checkpoint(idx_builder *b, size_t f, const index_file *fs, uint64_t tokens,
                             uint64_t windows, contam_err *err)
{
    idx_journal *j = &b->j;
    index_file *nf = contam_realloc(j->files, (j->nfiles + 1) * sizeof *nf);
    if (nf)
        j->files = nf;
    idx_file_mark *nm = contam_realloc(j->marks, (j->nfiles + 1) * sizeof *nm);
    if (nm)
        j->marks = nm;
    idx_run_ref *nr = contam_realloc(j->runs, (j->nruns + b->npending + 1) * sizeof *nr);
    if (nr)
        j->runs = nr;
    char *path = contam_strdup(b->files[f]);
    if (!nf || !nm || !nr || !path) {
        contam_free(path);
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    }
    j->files[j->nfiles] = *fs;
    j->files[j->nfiles].path = path;
    j->tokens += tokens;
    j->windows += windows;
    j->marks[j->nfiles] = (idx_file_mark){file_mtime(b->files[f]), j->tokens, j->windows};
    j->nfiles++;
    /* The file's runs move to the journal; runs of the next file stay. */
#pragma omp critical(idx_pending)
    {
        size_t keep = 0;
        for (size_t k = 0; k < b->npending; k++) {
            if (b->pending[k].file == f)
                j->runs[j->nruns++] = b->pending[k];
            else
                b->pending[keep++] = b->pending[k];
        }
        b->npending = keep;
    }
    j->next_run = atomic_load(&b->next_run);
    return idx_journal_write(b->journal_path, j, 0, err);
}

/* ---- setup -------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static contam_status check_options(const index_build_options *o, const char *const *files,
                                   size_t nfiles, contam_err *err)
{
    const char *why = NULL;
    if (o->n < 1 || o->n > 1000)
        why = "n must be between 1 and 1000";
    else if ((unsigned)o->unit > NGRAM_UNIT_CHAR)
        why = "unknown unit";
    else if (!o->text_field || !*o->text_field)
        why = "the text field is empty";
    else if (o->max_line < 16 || o->max_line > UINT32_MAX)
        why = "--max-line must be between 16 bytes and 4 GiB - 1";
    else if (o->mem < INDEX_MIN_MEM)
        why = "--mem must be at least 48M";
    else if (o->partitions < 1 || o->partitions > INDEX_MAX_PARTITIONS ||
             (o->partitions & (o->partitions - 1)))
        why = "--partitions must be a power of two between 1 and 256";
    else if (o->fp_bits && (o->fp_bits < INDEX_MIN_FP_BITS || o->fp_bits > 64))
        why = "--fp-bits must be between 24 and 64";
    else if (!o->fp_bits && !(o->fp_rate > 0 && o->fp_rate < 1))
        why = "--fp-rate must be between 0 and 1 (exclusive)";
    else if (nfiles == 0)
        why = "no corpus files";
    if (why)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "%s", why);
    for (size_t k = 0; k < nfiles; k++)
        if (!strcmp(files[k], "-"))
            return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0,
                                  "an index is built from files ('-', standard input, cannot be "
                                  "resumed or checked)");
    /* A file given twice would count its documents twice. */
    const char **sorted = contam_malloc(nfiles * sizeof *sorted);
    if (!sorted)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    memcpy(sorted, files, nfiles * sizeof *sorted);
    qsort(sorted, nfiles, sizeof *sorted, cmp_str);
    contam_status st = CONTAM_OK;
    for (size_t k = 1; k < nfiles && st == CONTAM_OK; k++)
        if (!strcmp(sorted[k], sorted[k - 1]))
            st = contam_err_set(err, CONTAM_ERR_ARG, sorted[k], 0, "corpus file given twice");
    contam_free(sorted);
    return st;
}

static contam_status init_meta(idx_builder *b, contam_err *err)
{
    const index_build_options *o = b->o;
    index_meta *m = &b->meta;
    m->format_version = INDEX_FORMAT_VERSION;
    snprintf(m->tool, sizeof m->tool, "contam %s", CONTAM_VERSION);
    m->n = o->n;
    m->unit = o->unit;
    snprintf(m->normalizer, sizeof m->normalizer, "%s", NGRAM_NORMALIZER_VERSION);
    snprintf(m->hash_scheme, sizeof m->hash_scheme, "%s", NGRAM_HASH_SCHEME);
    m->seed = o->seed;
    m->digits_zero = o->digits_zero;
    m->has_df = o->df;
    m->has_provenance = o->provenance;
    m->partitions = o->partitions;
    m->block_keys = IDX_BLOCK_KEYS;
    m->fp_bits = o->fp_bits;
    if (!(m->text_field = contam_strdup(o->text_field)))
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    if (!o->append)
        return CONTAM_OK;
    contam_status st = index_describe(b->out, &b->old, err);
    if (st != CONTAM_OK)
        return st;
    b->have_old = 1;
    if (!m->fp_bits)
        m->fp_bits = b->old.fp_bits;
    char why[200];
    if (idx_params_differ(&b->old, m, why, sizeof why))
        return contam_err_set(err, CONTAM_ERR_ARG, b->out, 0,
                              "cannot append: the index was built with other parameters (%s)", why);
    for (size_t k = 0; k < b->nfiles; k++)
        for (size_t q = 0; q < b->old.nfiles; q++)
            if (!strcmp(b->files[k], b->old.files[q].path))
                return contam_err_set(err, CONTAM_ERR_ARG, b->files[k], 0,
                                      "already in the index %s (appending it again would count "
                                      "its documents twice)", b->out);
    return CONTAM_OK;
}

/* Hash of everything that must be equal for a rerun to continue a build. */
static void build_key(const idx_builder *b, char out[17])
{
    XXH3_state_t s;
    XXH3_64bits_reset(&s);
    char p[600];
    const index_build_options *o = b->o;
    int n = snprintf(p, sizeof p, "n=%u unit=%d digits=%d seed=%llu field=%s line=%llu strict=%d "
                     "df=%d prov=%d parts=%u fp=%u rate=%.17g append=%d files=%zu",
                     o->n, (int)o->unit, o->digits_zero, (unsigned long long)o->seed,
                     o->text_field, (unsigned long long)o->max_line, o->strict, o->df,
                     o->provenance, o->partitions, o->fp_bits, o->fp_rate, o->append, b->nfiles);
    XXH3_64bits_update(&s, p, n > 0 && (size_t)n < sizeof p ? (size_t)n : 0);
    for (size_t k = 0; k < b->nfiles; k++)
        XXH3_64bits_update(&s, b->files[k], strlen(b->files[k]) + 1);
    if (b->have_old)
        for (unsigned q = 0; q < b->old.partitions; q++)
            XXH3_64bits_update(&s, b->old.parts[q].checksum, 32);
    snprintf(out, 17, "%016llx", (unsigned long long)XXH3_64bits_digest(&s));
}

static contam_status lock_work(idx_builder *b, int *fd, contam_err *err)
{
    if (mkdir(b->work, 0777) != 0 && errno != EEXIST)
        return contam_err_set(err, CONTAM_ERR_IO, b->work, 0, "cannot create: %s", strerror(errno));
    char *lp = io_path_join(b->work, "lock");
    if (!lp)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    *fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    contam_free(lp);
    if (*fd < 0)
        return contam_err_set(err, CONTAM_ERR_IO, b->work, 0, "cannot create the lock: %s",
                              strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        close(*fd);
        *fd = -1;
        return contam_err_set(err, CONTAM_ERR_EXISTS, b->work, 0,
                              "another contam index build is using this directory");
    }
    return CONTAM_OK;
}

static int listed(const idx_journal *j, const char *name)
{
    for (size_t k = 0; k < j->nruns; k++)
        if (!strcmp(j->runs[k].name, name))
            return 1;
    return 0;
}

/* Removes what an interrupted run left that the journal does not vouch for. */
static contam_status clean_work(idx_builder *b, contam_err *err)
{
    DIR *d = opendir(b->work);
    if (!d)
        return contam_err_set(err, CONTAM_ERR_IO, b->work, 0, "cannot list: %s", strerror(errno));
    struct dirent *de;
    contam_status st = CONTAM_OK;
    while ((de = readdir(d)) && st == CONTAM_OK) {
        const char *nm = de->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, "..") || !strcmp(nm, "lock") ||
            !strcmp(nm, "journal.json") || listed(&b->j, nm) || (b->j.commit && !strcmp(nm, "out")))
            continue;
        char *p = io_path_join(b->work, nm);
        if (!p)
            st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        else if (io_rm_tree(p))
            st = contam_err_set(err, CONTAM_ERR_IO, p, 0, "cannot remove: %s", strerror(errno));
        contam_free(p);
    }
    closedir(d);
    return st;
}

/* Reads back every non-durable run the journal names. A damaged or missing
 * one (a power loss came before it reached the disk) sends the build back to
 * the first file it belongs to: later files and their runs are forgotten and
 * redone. Durable runs are checked when merged, and damage there is an
 * error, as it is not explained by an interruption. */
static contam_status check_runs(idx_builder *b, contam_err *err)
{
    idx_journal *j = &b->j;
    uint64_t cut = j->nfiles, had = j->nfiles;
    for (size_t k = 0; k < j->nruns; k++) {
        const idx_run_ref *r = &j->runs[k];
        if (r->durable || r->file >= cut)
            continue;
        char *path = io_path_join(b->work, r->name);
        if (!path)
            return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        contam_err e;
        contam_status st = idx_run_verify(path, &b->run_layout, r->bytes, &e);
        contam_free(path);
        if (st == CONTAM_ERR_NOMEM) {
            if (err)
                *err = e;
            return st;
        }
        if (st != CONTAM_OK)
            cut = r->file;
    }
    if (cut == j->nfiles)
        return CONTAM_OK;
    size_t keep = 0;
    for (size_t k = 0; k < j->nruns; k++)
        if (j->runs[k].durable || j->runs[k].file < cut)
            j->runs[keep++] = j->runs[k];
    j->nruns = keep;
    for (size_t k = cut; k < j->nfiles; k++)
        contam_free(j->files[k].path);
    j->nfiles = (size_t)cut;
    j->tokens = cut ? j->marks[cut - 1].tokens : 0;
    j->windows = cut ? j->marks[cut - 1].windows : 0;
    if (b->stats)
        b->stats->files_redone = (unsigned)(had - cut);
    return CONTAM_OK;
}

/* Loads the journal of an interrupted build and checks it may be continued. */
static contam_status resume(idx_builder *b, const char *key, contam_err *err)
{
    contam_status st = idx_journal_read(b->journal_path, &b->j, err);
    if (st == CONTAM_ERR_OPEN) {
        memset(&b->j, 0, sizeof b->j);
        memcpy(b->j.key, key, 17);
        b->j.next_run = 1;
        return CONTAM_OK;
    }
    if (st != CONTAM_OK)
        return st;
    if (strcmp(b->j.key, key))
        return contam_err_set(err, CONTAM_ERR_EXISTS, b->work, 0,
                              "holds an interrupted build with other arguments or corpus files; "
                              "rerun that build with the same arguments, or remove the directory");
    if (b->j.nfiles > b->nfiles)
        return contam_err_set(err, CONTAM_ERR_FORMAT, b->journal_path, 0, "inconsistent journal");
    for (size_t k = 0; k < b->j.nfiles; k++) {
        const index_file *f = &b->j.files[k];
        struct stat sb;
        if (strcmp(f->path, b->files[k]) || stat(b->files[k], &sb) != 0 ||
            (uint64_t)sb.st_size != f->raw_bytes || file_mtime(b->files[k]) != b->j.marks[k].mtime_ns)
            return contam_err_set(err, CONTAM_ERR_EXISTS, b->files[k], 0,
                                  "changed since the interrupted build indexed it; remove %s to "
                                  "start over", b->work);
    }
    if ((st = check_runs(b, err)) != CONTAM_OK)
        return st;
    if (b->stats)
        b->stats->files_resumed = (unsigned)b->j.nfiles;
    atomic_store(&b->next_run, b->j.next_run);
    b->next_ord = (b->have_old ? b->old.records : 0);
    for (size_t k = 0; k < b->j.nfiles; k++)
        b->next_ord += b->j.files[k].records;
    return CONTAM_OK;
}

/* How --mem splits for T threads: batch and chunk sizes, the fixed part
 * (batches in flight, chunks, per-thread record buffers) and what remains
 * for the accumulated segments (two fifths of it: a segment merge's copy
 * of its older input may approach the segments' own size, and the columns
 * run up to a chunk past the share before the spill). */
typedef struct {
    uint64_t batch_bytes, pairs, fixed, acc;
} mem_split;

static mem_split split_mem(uint64_t mem, int T)
{
    mem_split m;
    uint64_t bb = mem / 64;
    m.batch_bytes = bb < ((uint64_t)64 << 10) ? (uint64_t)64 << 10 : bb > ((uint64_t)4 << 20) ? (uint64_t)4 << 20 : bb;
    uint64_t pairs = mem / 32 / (uint64_t)T / sizeof(idx_pair) / 2;
    m.pairs = pairs < 16384 ? 16384 : pairs > ((uint64_t)1 << 20) ? (uint64_t)1 << 20 : pairs;
    /* Batch buffers may reach twice their size (doubling growth). */
    m.fixed = BASE_RSS + 2 * m.batch_bytes * (uint64_t)(3 * T + 2) +
              (uint64_t)T * (m.pairs * 2 * sizeof(idx_pair) + THREAD_RSS);
    /* Not half but two fifths: with per-segment arrays, freed segment
     * memory that malloc's per-thread arenas kept put peak RSS at
     * 0.85-1.06 x --mem 256M on a corpus four times the budget with half
     * (measured, 2 threads). The segment columns that replaced those
     * arrays peak lower (201 MiB there); the margin is kept until half is
     * measured again. */
    m.acc = mem > m.fixed ? (mem - m.fixed) / 5 * 2 : 0;
    return m;
}

static contam_status size_budget(idx_builder *b, contam_err *err)
{
    const index_build_options *o = b->o;
    int T = o->threads > 0 ? o->threads : omp_get_max_threads();
    if (T < 1)
        T = 1;
    b->nthreads = T;
    mem_split m = split_mem(o->mem, T);
    const uint64_t min_acc = (uint64_t)T << 20; /* a MiB of segments a thread */
    if (m.acc < min_acc) {
        /* The fixed part grows with --mem (batches, chunks): search. */
        uint64_t need = (o->mem >> 20) + 1;
        while (need < ((uint64_t)1 << 30) && split_mem(need << 20, T).acc < min_acc)
            need++;
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0,
                              "--mem %llu MiB is too small for %d threads (at least %llu MiB)",
                              (unsigned long long)(o->mem >> 20), T, (unsigned long long)need);
    }
    b->batch_bytes = (size_t)m.batch_bytes;
    b->chunk_pairs = (size_t)m.pairs;
    b->acc_limit = m.acc / (uint64_t)T;
    return CONTAM_OK;
}

static contam_status setup_threads(idx_builder *b, contam_err *err)
{
    const index_build_options *o = b->o;
    int T = b->nthreads;
    b->ctx = contam_calloc((size_t)T, sizeof *b->ctx);
    if (!b->ctx)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    ngram_config cfg = {o->unit, o->digits_zero, o->seed};
    for (int t = 0; t < T; t++) {
        omp_init_lock(&b->ctx[t].lock);
        atomic_init(&b->ctx[t].slot, IDX_NO_FILE);
    }
    for (int t = 0; t < T; t++) {
        if (!(b->ctx[t].tok = ngram_tokenizer_create(&cfg)) ||
            idx_accum_init(&b->ctx[t].acc, b->run_layout.flags, b->chunk_pairs))
            return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        /* the columns are reserved for the thread's share at their first growth */
        b->ctx[t].acc.limit = b->acc_limit;
    }
    return CONTAM_OK;
}

static void free_threads(idx_builder *b)
{
    if (!b->ctx)
        return;
    for (int t = 0; t < b->nthreads; t++) {
        ngram_tokenizer_free(b->ctx[t].tok);
        contam_free(b->ctx[t].prefix);
        contam_free(b->ctx[t].scratch);
        idx_accum_free(&b->ctx[t].acc);
        omp_destroy_lock(&b->ctx[t].lock);
    }
    contam_free(b->ctx);
    b->ctx = NULL;
}

/* The index's corpus list and totals: the old index's files, then the new. */
static contam_status fill_meta(idx_builder *b, contam_err *err)
{
    index_meta *m = &b->meta;
    size_t nold = b->have_old ? b->old.nfiles : 0, n = nold + b->j.nfiles;
    m->files = contam_calloc(n + 1, sizeof *m->files);
    if (!m->files)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    m->records = m->docs = m->bytes = m->raw_bytes = 0;
    m->tokens = (b->have_old ? b->old.tokens : 0) + b->j.tokens;
    m->windows = (b->have_old ? b->old.windows : 0) + b->j.windows;
    for (size_t k = 0; k < n; k++) {
        const index_file *src = k < nold ? &b->old.files[k] : &b->j.files[k - nold];
        m->files[k] = *src;
        m->files[k].first_record = m->records;
        if (!(m->files[k].path = contam_strdup(src->path)))
            return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        m->nfiles = k + 1;
        m->records += src->records;
        m->docs += src->docs;
        m->bytes += src->bytes;
        m->raw_bytes += src->raw_bytes;
    }
    return CONTAM_OK;
}

/* build.json: what happened (times, budget, resumption); not part of the
 * index's identity, so manifest.json stays byte-identical across rebuilds. */
static void write_history(idx_builder *b, double t0, double t1, double t2)
{
    cJSON *root = idx_history_open(b->have_old ? b->out : NULL), *e;
    if (!root || !(e = idx_history_add(root, b->have_old ? "append" : "build"))) {
        cJSON_Delete(root);
        return;
    }
    cJSON_AddNumberToObject(e, "files_added", (double)b->j.nfiles);
    cJSON_AddNumberToObject(e, "files_resumed", b->stats ? b->stats->files_resumed : 0);
    cJSON_AddNumberToObject(e, "threads", b->nthreads);
    cJSON_AddNumberToObject(e, "mem_bytes", (double)b->o->mem);
    cJSON_AddNumberToObject(e, "runs_spilled", (double)atomic_load(&b->runs_spilled));
    cJSON_AddNumberToObject(e, "seconds_read", round((t1 - t0) * 1000) / 1000);
    cJSON_AddNumberToObject(e, "seconds_merge", round((t2 - t1) * 1000) / 1000);
    if (!b->o->fp_bits && !b->have_old)
        cJSON_AddNumberToObject(e, "fp_rate_target", b->o->fp_rate);
    idx_history_write(root, b->stage);
}

static char *strip_slashes(const char *s)
{
    char *p = contam_strdup(s);
    if (!p)
        return NULL;
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    return p;
}

contam_status index_build(const char *out_dir, const char *const *files, size_t nfiles,
                          const index_build_options *o, index_build_stats *stats, contam_err *err)
{
    contam_status st = check_options(o, files, nfiles, err);
    if (st != CONTAM_OK)
        return st;
    idx_builder *b = contam_calloc(1, sizeof *b);
    if (!b)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    int lock_fd = -1;
    double t0 = idx_now(), t1 = t0, t2 = t0;
    b->o = o;
    b->files = files;
    b->nfiles = nfiles;
    b->stats = stats;
    if (stats)
        memset(stats, 0, sizeof *stats);
    atomic_init(&b->stop_at, IDX_NO_FILE);
    atomic_init(&b->next_run, 1);
    atomic_init(&b->runs_spilled, 0);
    for (size_t k = 0; k < nfiles; k++) {
        struct stat sb;
        if (stat(files[k], &sb) == 0)
            b->raw_total += (uint64_t)sb.st_size;
    }
    if (!(b->out = strip_slashes(out_dir))) {
        st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        goto done;
    }
    size_t ol = strlen(b->out);
    b->work = contam_malloc(ol + 16);
    if (b->work)
        snprintf(b->work, ol + 16, "%s.partial", b->out);
    b->journal_path = b->work ? io_path_join(b->work, "journal.json") : NULL;
    b->stage = b->work ? io_path_join(b->work, "out") : NULL;
    b->old_dir = b->work ? io_path_join(b->work, "old") : NULL;
    if (!b->journal_path || !b->stage || !b->old_dir) {
        st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        goto done;
    }
    /* A build that only has its final rename left finishes that first. */
    if (idx_exists(b->journal_path)) {
        idx_journal jj;
        contam_err je;
        if (idx_journal_read(b->journal_path, &jj, &je) == CONTAM_OK && jj.commit &&
            idx_exists(b->stage)) {
            idx_journal_free(&jj);
            if ((st = lock_work(b, &lock_fd, err)) != CONTAM_OK)
                goto done;
            if ((st = idx_commit_dir(b->stage, b->out, b->old_dir, err)) == CONTAM_OK)
                (void)io_rm_tree(b->work);
            goto done;
        }
        idx_journal_free(&jj);
    }
    if (!o->append && idx_exists(b->out)) {
        st = contam_err_set(err, CONTAM_ERR_EXISTS, b->out, 0,
                            "already exists; pass --append to add corpus files to it, or remove it");
        goto done;
    }
    if ((st = init_meta(b, err)) != CONTAM_OK)
        goto done;
    idx_layout_from_meta(&b->meta, &b->run_layout);
    b->run_layout.fp_bits = 64;
    b->run_layout.ord_bits = 0;
    char key[17];
    build_key(b, key);
    if ((st = size_budget(b, err)) != CONTAM_OK)
        goto done;
    if ((st = lock_work(b, &lock_fd, err)) != CONTAM_OK || (st = resume(b, key, err)) != CONTAM_OK ||
        (st = clean_work(b, err)) != CONTAM_OK || (st = setup_threads(b, err)) != CONTAM_OK)
        goto done;
    if (!b->j.nfiles)
        b->next_ord = b->have_old ? b->old.records : 0;
    if ((st = idx_read_corpus(b, b->j.nfiles, err)) != CONTAM_OK)
        goto done;
    uint64_t docs = 0;
    for (size_t k = 0; k < b->j.nfiles; k++)
        docs += b->j.files[k].docs;
    if (docs == 0) {
        st = contam_err_set(err, CONTAM_ERR_EMPTY, nfiles == 1 ? files[0] : NULL, 0,
                            "no corpus document was read from %zu file(s)", nfiles);
        goto done;
    }
    free_threads(b);
    t1 = idx_now();
    if (o->progress) {
        index_progress p = {b->read.bytes, b->read.raw_bytes, b->raw_total,
                            (unsigned)nfiles, (unsigned)nfiles, stats ? stats->files_resumed : 0, 1};
        o->progress(&p, o->progress_user);
    }
    if ((st = fill_meta(b, err)) != CONTAM_OK || (st = idx_final_merge(b, err)) != CONTAM_OK)
        goto done;
    t2 = idx_now();
    write_history(b, t0, t1, t2);
    if ((st = idx_fsync_files(b->stage, err)) != CONTAM_OK)
        goto done;
    b->j.commit = 1;
    if ((st = idx_journal_write(b->journal_path, &b->j, 1, err)) != CONTAM_OK ||
        (st = idx_commit_dir(b->stage, b->out, b->old_dir, err)) != CONTAM_OK)
        goto done;
    (void)io_rm_tree(b->work);
    if (stats) {
        stats->runs_spilled = atomic_load(&b->runs_spilled);
        stats->keys = b->meta.keys;
        stats->fp_bits = b->meta.fp_bits;
        stats->false_match_rate = b->meta.false_match_rate;
        stats->seconds_read = t1 - t0;
        stats->seconds_merge = t2 - t1;
    }
done:
    free_threads(b);
    /* Nothing worth resuming (no corpus file finished): leave no trace. */
    if (st != CONTAM_OK && lock_fd >= 0 && b->journal_path && !idx_exists(b->journal_path))
        (void)io_rm_tree(b->work);
    if (lock_fd >= 0)
        close(lock_fd);
    idx_journal_free(&b->j);
    index_meta_free(&b->meta);
    index_meta_free(&b->old);
    contam_free(b->pending);
    contam_free(b->out);
    contam_free(b->work);
    contam_free(b->journal_path);
    contam_free(b->stage);
    contam_free(b->old_dir);
    contam_free(b);
    return st;
}
