/* corpus.c - the one pass over the corpus.
 *
 * Parallel shape: one OpenMP task per corpus file reads it (decompression is
 * sequential within a stream) and cuts it into batches of records; each
 * batch is processed by a task on any thread, or inline by the reader when
 * enough batches are in flight (this bounds memory). Processing uses the
 * context of the thread it runs on (tokenizers, per-gram counters), and
 * batch tasks contain no scheduling points, so a context is never shared.
 *
 * Determinism: document frequencies are sums; occurrences are merged keeping
 * the K smallest by corpus position; file counters are sums; bad-record
 * samples keep the smallest line numbers. None depends on timing.
 *
 * Hot loop: one filter probe per corpus window (a 64-bit word that stays in
 * cache for benchmark-sized tables); Judy only on filter hits.
 */
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/batch.h"
#include "io/io.h"
#include "scan/scan_internal.h"

#define BATCH_BYTES ((size_t)4 << 20)
#define BATCH_RECORDS 16384
#define SNIPPET_CONTEXT 80
#define PROBE_CHUNK 32

typedef struct {
    uint32_t table, id;
    scan_occ occ;
} event;

/* Per-thread, per-table counters. */
typedef struct {
    uint32_t *df;
    uint64_t *last_doc;
    uint32_t *evstamp;
    uint8_t *evcount;
} thread_table;

typedef struct {
    ngram_tokenizer *tok[3];
    uint64_t *prefix;
    size_t prefix_cap;
    thread_table tt[SCAN_MAX_TABLES];
    event *ev;
    size_t nev, evcap;
    uint32_t batch_serial;
    /* per-batch file counters */
    io_record_tally n;
    uint64_t invalid_utf8;
    scan_bad_record bad[SCAN_BAD_SAMPLES];
    size_t nbad;
    int oom;
    contam_err fatal;  /* --strict: first bad record of this batch */
    int has_fatal;
} thread_ctx;

typedef struct {
    scan_plan *plan;
    scan_result *res;
    const char *const *files;
    size_t nfiles;
    thread_ctx *ctx;
    int nthreads;
    io_batcher *bt;
    atomic_int oom_stop;     /* out of memory: everything stops */
    atomic_size_t fail_file; /* smallest failed file index, SIZE_MAX if none */
    atomic_uint files_done;
    uint64_t raw_total;
    double last_progress;
    /* first fatal error in corpus order (file index, line) */
    contam_err err;
    size_t err_file;
    int has_err;
} scan_state;

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Keeps the error of the earliest file (then line). A failure in file f stops
 * only the work on later files; earlier files still run to the end, since
 * they may fail earlier in corpus order. So the reported error is the first
 * one in corpus order whatever the thread count. */
static void record_error(scan_state *st, size_t file, const contam_err *e)
{
#pragma omp critical(scan_err)
    {
        if (!st->has_err || file < st->err_file ||
            (file == st->err_file && e->line < st->err.line)) {
            st->err = *e;
            st->err_file = file;
            st->has_err = 1;
        }
    }
}

static void fail_at_file(scan_state *st, size_t f, const contam_err *e)
{
    record_error(st, f, e);
    if (e->code == CONTAM_ERR_NOMEM)
        atomic_store(&st->oom_stop, 1);
    size_t cur = atomic_load(&st->fail_file);
    while (f < cur && !atomic_compare_exchange_weak(&st->fail_file, &cur, f))
        ;
}

/* Should work on file f stop? */
static int stopped(scan_state *st, size_t f)
{
    return atomic_load(&st->oom_stop) || atomic_load(&st->fail_file) < f;
}

static void progress(scan_state *st, int force)
{
    if (!st->plan->opt.progress)
        return;
#pragma omp critical(scan_progress)
    {
        double t = now_sec();
        if (force || t - st->last_progress >= 0.5) {
            st->last_progress = t;
            io_batch_progress bp;
            io_batcher_progress(st->bt, &bp);
            scan_progress p = {bp.bytes, bp.raw_bytes, st->raw_total, bp.records,
                               atomic_load(&st->files_done), (unsigned)st->nfiles};
            st->plan->opt.progress(&p, st->plan->opt.progress_user);
        }
    }
}

/* ---- per-thread context ------------------------------------------------------ */

static int ctx_init(thread_ctx *c, const scan_plan *p)
{
    memset(c, 0, sizeof *c);
    for (int u = 0; u < 3; u++) {
        if (!p->units[u].used)
            continue;
        ngram_config cfg = {(ngram_unit)u, p->opt.digits_zero, p->opt.seed};
        if (!(c->tok[u] = ngram_tokenizer_create(&cfg)))
            return -1;
    }
    for (size_t t = 0; t < p->ntables; t++) {
        size_t n = p->tables[t].nids + 1;
        thread_table *tt = &c->tt[t];
        tt->df = contam_calloc(n, sizeof *tt->df);
        tt->last_doc = contam_calloc(n, sizeof *tt->last_doc);
        tt->evstamp = contam_calloc(n, sizeof *tt->evstamp);
        tt->evcount = contam_calloc(n, 1);
        if (!tt->df || !tt->last_doc || !tt->evstamp || !tt->evcount)
            return -1;
    }
    return 0;
}

static void ctx_free(thread_ctx *c, size_t ntables)
{
    for (int u = 0; u < 3; u++)
        ngram_tokenizer_free(c->tok[u]);
    for (size_t t = 0; t < ntables; t++) {
        contam_free(c->tt[t].df);
        contam_free(c->tt[t].last_doc);
        contam_free(c->tt[t].evstamp);
        contam_free(c->tt[t].evcount);
    }
    for (size_t k = 0; k < c->nev; k++) {
        contam_free(c->ev[k].occ.doc);
        contam_free(c->ev[k].occ.snippet);
    }
    contam_free(c->ev);
    contam_free(c->prefix);
}

/* ---- snippets ------------------------------------------------------------------ */

/* Moves p back (dir < 0) or forward to a UTF-8 character boundary. */
static size_t utf8_boundary(const char *s, size_t len, size_t p, int dir)
{
    while (p > 0 && p < len && ((unsigned char)s[p] & 0xC0) == 0x80)
        p = dir < 0 ? p - 1 : p + 1;
    return p;
}

static char *make_snippet(const char *text, size_t len, size_t s, size_t e)
{
    if (e > s + 240)
        e = utf8_boundary(text, len, s + 240, -1);
    size_t a = s > SNIPPET_CONTEXT ? utf8_boundary(text, len, s - SNIPPET_CONTEXT, 1) : 0;
    size_t b = e + SNIPPET_CONTEXT < len ? utf8_boundary(text, len, e + SNIPPET_CONTEXT, -1) : len;
    char *out = contam_malloc(b - a + 8);
    if (!out)
        return NULL;
    size_t o = 0;
    if (a > 0)
        o += (size_t)snprintf(out, 4, "...");
    int space = 0;
    for (size_t k = a; k < b; k++) {
        unsigned char ch = (unsigned char)text[k];
        if (ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ') {
            if (!space && o > 0)
                out[o++] = ' ';
            space = 1;
            continue;
        }
        if (ch < 0x20)
            continue;
        out[o++] = (char)ch;
        space = 0;
    }
    if (b < len) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* ---- the hot path ------------------------------------------------------------- */

typedef struct {
    uint32_t file;
    uint64_t record, offset;
    const char *text;
    size_t len;
    const char *doc;
    uint64_t serial;
} doc_ctx;

static void on_hit(scan_state *st, thread_ctx *c, size_t ti, uint32_t id, const doc_ctx *d,
                   const ngram_token *tok, size_t i)
{
    const scan_table *t = &st->plan->tables[ti];
    thread_table *tt = &c->tt[ti];
    if (tt->last_doc[id] == d->serial)
        return;
    tt->last_doc[id] = d->serial;
    if (tt->df[id] != UINT32_MAX)
        tt->df[id]++;
    /* Occurrences only matter for the first method's evidence grams; the
     * first K per batch suffice because batches are in corpus order. */
    if (!t->provenance)
        return;
    if (tt->evstamp[id] != c->batch_serial) {
        tt->evstamp[id] = c->batch_serial;
        tt->evcount[id] = 0;
    }
    if (tt->evcount[id] >= st->plan->opt.max_matches)
        return;
    tt->evcount[id]++;
    if (contam_array_grow(&c->ev, &c->evcap, c->nev + 1, sizeof *c->ev, 256)) {
        c->oom = 1;
        return;
    }
    event *ev = &c->ev[c->nev];
    memset(ev, 0, sizeof *ev);
    ev->table = (uint32_t)ti;
    ev->id = id;
    ev->occ.file = d->file;
    ev->occ.record = d->record;
    ev->occ.offset = d->offset;
    ev->occ.text_offset = tok[i].start;
    ev->occ.snippet = make_snippet(d->text, d->len, tok[i].start, tok[i + t->n - 1].end);
    ev->occ.doc = d->doc ? contam_strdup(d->doc) : NULL;
    if (!ev->occ.snippet || (d->doc && !ev->occ.doc)) {
        contam_free(ev->occ.snippet);
        contam_free(ev->occ.doc);
        c->oom = 1;
        return;
    }
    c->nev++;
}

static int process_text(scan_state *st, thread_ctx *c, const doc_ctx *d)
{
    const scan_plan *p = st->plan;
    for (int u = 0; u < 3; u++) {
        if (!c->tok[u])
            continue;
        const ngram_token *tok;
        size_t nt;
        uint64_t invalid = 0;
        if (ngram_tokenize(c->tok[u], d->text, d->len, &tok, &nt, &invalid) != CONTAM_OK)
            return -1;
        if ((ngram_unit)u == p->opt.methods[0].unit)
            c->invalid_utf8 += invalid;
        if (contam_array_grow(&c->prefix, &c->prefix_cap, nt + 1, sizeof *c->prefix, 4096))
            return -1;
        ngram_prefix_fill(tok, nt, c->prefix);
        for (size_t ti = 0; ti < p->ntables; ti++) {
            const scan_table *t = &p->tables[ti];
            if (t->unit != (ngram_unit)u || nt < t->n || t->nids == 0)
                continue;
            uint64_t pw = ngram_base_pow(t->n);
            size_t nwin = nt - t->n + 1;
            /* Hash a chunk of windows and prefetch their filter words, then
             * probe: the probes are cache misses on big tables, and issuing
             * them early overlaps their latency. */
            for (size_t base = 0; base < nwin; base += PROBE_CHUNK) {
                size_t cn = nwin - base < PROBE_CHUNK ? nwin - base : PROBE_CHUNK;
                uint64_t hs[PROBE_CHUNK];
                for (size_t k = 0; k < cn; k++) {
                    hs[k] = ngram_window_hash(c->prefix, base + k, t->n, pw);
                    __builtin_prefetch(&t->filter[(hs[k] >> 40) & t->fmask]);
                }
                for (size_t k = 0; k < cn; k++) {
                    if (!scan_filter_maybe(t, hs[k]))
                        continue;
                    PWord_t v;
                    JLG(v, t->judy, (Word_t)hs[k]);
                    if (v)
                        on_hit(st, c, ti, (uint32_t)(*v - 1), d, tok, base + k); /* JudyL holds id + 1 */
                }
            }
        }
    }
    return 0;
}

/* Processes one record; returns 0 processed, 1 skipped, -1 out of memory. */
static int process_record(scan_state *st, thread_ctx *c, const io_batch *bt,
                          const io_batch_rec *r)
{
    const scan_options *o = &st->plan->opt;
    const char *line = bt->buf.ptr + r->off;
    doc_ctx d = {(uint32_t)bt->file, r->lineno, r->offset, NULL, 0, NULL,
                 ((uint64_t)(bt->file + 1) << 40) | r->lineno};
    if (bt->text_mode) {
        d.text = line;
        d.len = r->len;
        c->n.docs++;
        return process_text(st, c, &d);
    }
    io_record rec;
    char why[120];
    contam_status code;
    int k = io_record_take(line, r->len, o->text_field, o->doc_field, &c->n, &rec, &code, why,
                           sizeof why);
    if (k < 0)
        return -1;
    if (k > 0) {
        d.text = rec.text;
        d.len = rec.len;
        d.doc = rec.doc;
        int rc = process_text(st, c, &d);
        io_record_clear(&rec);
        return rc;
    }
    if (code == CONTAM_OK) /* blank */
        return 1;
    io_bad_keep(c->bad, &c->nbad, r->lineno, why);
    if (o->strict && !c->has_fatal) {
        contam_err_set(&c->fatal, code, st->files[bt->file], r->lineno, "%s (--strict)", why);
        c->has_fatal = 1;
    }
    return 1;
}

static int occ_before(const scan_occ *a, const scan_occ *b)
{
    if (a->file != b->file)
        return a->file < b->file;
    if (a->record != b->record)
        return a->record < b->record;
    return a->text_offset < b->text_offset;
}

/* Inserts ev into its gram's list keeping the K earliest; takes its strings. */
static int merge_event(scan_plan *p, event *ev)
{
    scan_table *t = &p->tables[ev->table];
    unsigned K = p->opt.max_matches;
    scan_occ_list *list = t->occ[ev->id];
    if (!list) {
        list = contam_calloc(1, sizeof *list + K * sizeof list->v[0]);
        if (!list)
            return -1;
        t->occ[ev->id] = list;
    }
    if (list->n == K) {
        if (!occ_before(&ev->occ, &list->v[K - 1])) {
            contam_free(ev->occ.doc);
            contam_free(ev->occ.snippet);
            return 0;
        }
        contam_free(list->v[K - 1].doc);
        contam_free(list->v[K - 1].snippet);
        list->n--;
    }
    uint32_t k = list->n;
    while (k > 0 && occ_before(&ev->occ, &list->v[k - 1])) {
        list->v[k] = list->v[k - 1];
        k--;
    }
    list->v[k] = ev->occ;
    list->n++;
    return 0;
}

static void flush_batch(scan_state *st, thread_ctx *c, const io_batch *bt)
{
    scan_file_stats *fs = &st->res->files[bt->file];
    int oom = c->oom;
#pragma omp critical(scan_merge)
    {
        fs->docs += c->n.docs;
        fs->bad_json += c->n.bad_json;
        fs->missing_field += c->n.missing;
        fs->invalid_utf8 += c->invalid_utf8;
        fs->blank += c->n.blank;
        for (size_t k = 0; k < c->nbad; k++)
            io_bad_keep(fs->bad, &fs->nbad, c->bad[k].line, c->bad[k].reason);
        for (size_t k = 0; k < c->nev; k++)
            if (merge_event(st->plan, &c->ev[k])) {
                contam_free(c->ev[k].occ.doc);
                contam_free(c->ev[k].occ.snippet);
                oom = 1;
            }
    }
    c->nev = 0;
    memset(&c->n, 0, sizeof c->n);
    c->invalid_utf8 = 0;
    c->nbad = 0;
    if (oom) {
        contam_err e;
        contam_err_set(&e, CONTAM_ERR_NOMEM, st->files[bt->file], 0, "out of memory while scanning");
        fail_at_file(st, bt->file, &e);
    }
    c->oom = 0;
    if (c->has_fatal) {
        fail_at_file(st, bt->file, &c->fatal);
        c->has_fatal = 0;
    }
}

static void process_batch(void *user, io_batch *bt)
{
    scan_state *st = user;
    thread_ctx *c = &st->ctx[omp_get_thread_num()];
    c->batch_serial++;
    if (c->batch_serial == 0) /* wrapped: stamps must never look current */
        c->batch_serial = 1;
    for (size_t k = 0; k < bt->nrecs && !stopped(st, bt->file); k++)
        if (process_record(st, c, bt, &bt->recs[k]) < 0) {
            c->oom = 1;
            break;
        }
    flush_batch(st, c, bt);
}

static int stop_file(void *user, size_t f)
{
    return stopped(user, f);
}

static contam_status after_batch(void *user, size_t f, contam_err *err)
{
    (void)f;
    (void)err;
    progress(user, 0);
    return CONTAM_OK;
}

static void read_file(scan_state *st, size_t f)
{
    const scan_options *o = &st->plan->opt;
    scan_file_stats *fs = &st->res->files[f];
    io_batch_file bf;
    contam_err e;
    contam_err_clear(&e);
    /* With --keep-going the complete records read before damage are still
     * scanned, so records == documents + skipped for a failed file too. */
    contam_status s = io_batcher_read_file(st->bt, st->files[f], f, 0, (size_t)o->max_line,
                                           o->keep_going, &bf, &e);
    if (bf.format) {
        fs->format = bf.format;
        fs->raw_bytes = bf.raw_bytes;
        memcpy(fs->checksum, bf.checksum, sizeof fs->checksum);
    }
    fs->bytes = bf.bytes;
    fs->records = bf.records;
    atomic_fetch_add(&st->files_done, 1);
    if (s == CONTAM_OK)
        return;
    fs->failed = 1;
    contam_err_format(&e, fs->error, sizeof fs->error);
    if (!o->keep_going || e.code == CONTAM_ERR_NOMEM)
        fail_at_file(st, f, &e);
}

contam_status scan_corpus(scan_plan *p, const char *const *files, size_t nfiles,
                          scan_result *r, contam_err *err)
{
    scan_state st;
    memset(&st, 0, sizeof st);
    st.plan = p;
    st.res = r;
    st.files = files;
    st.nfiles = nfiles;
    st.nthreads = p->opt.threads > 0 ? p->opt.threads : omp_get_max_threads();
    atomic_init(&st.oom_stop, 0);
    atomic_init(&st.fail_file, SIZE_MAX);
    atomic_init(&st.files_done, 0);
    for (size_t f = 0; f < nfiles; f++)
        st.raw_total += r->files[f].raw_bytes; /* sizes pre-filled by scan_run */
    st.ctx = contam_calloc((size_t)st.nthreads, sizeof *st.ctx);
    if (!st.ctx)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    io_batcher_config bc = {st.nthreads, BATCH_BYTES, BATCH_RECORDS, process_batch, after_batch,
                            stop_file, &st};
    int ok = (st.bt = io_batcher_create(&bc)) != NULL;
    for (int t = 0; t < st.nthreads; t++)
        if (ctx_init(&st.ctx[t], p))
            ok = 0;
    if (ok) {
#pragma omp parallel num_threads(st.nthreads) default(none) shared(st, nfiles)
#pragma omp single
        {
            for (size_t f = 0; f < nfiles; f++) {
#pragma omp task firstprivate(f) default(none) shared(st)
                read_file(&st, f);
            }
#pragma omp taskwait
        }
        progress(&st, 1);
        /* Merge per-thread document frequencies (sums: order-free). */
        for (size_t ti = 0; ti < p->ntables; ti++) {
            scan_table *t = &p->tables[ti];
            for (int th = 0; th < st.nthreads; th++)
                for (uint32_t id = 0; id < t->nids; id++) {
                    uint64_t v = (uint64_t)t->df[id] + st.ctx[th].tt[ti].df[id];
                    t->df[id] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
                }
        }
    }
    for (int t = 0; t < st.nthreads; t++)
        ctx_free(&st.ctx[t], p->ntables);
    contam_free(st.ctx);
    io_batcher_free(st.bt);
    if (!ok)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory for thread contexts");
    if (st.has_err) {
        if (err)
            *err = st.err;
        return st.err.code;
    }
    /* A file whose every record lacked the text field was read with the wrong
     * --text-field (or is not a corpus): scanning "nothing" would report every
     * item clean, so it is an error, like a damaged file. */
    for (size_t f = 0; f < nfiles; f++) {
        scan_file_stats *fs = &r->files[f];
        if (fs->failed || fs->docs || fs->records == fs->blank || io_is_text_document(fs->path))
            continue;
        contam_err e;
        contam_err_set(&e, CONTAM_ERR_FIELD, fs->path, 0,
                       "none of its %llu records has a string field '%s' (see --text-field)",
                       (unsigned long long)(fs->records - fs->blank), p->opt.text_field);
        fs->failed = 1;
        contam_err_format(&e, fs->error, sizeof fs->error);
        if (!p->opt.keep_going) {
            if (err)
                *err = e;
            return e.code;
        }
    }
    uint64_t docs = 0;
    for (size_t f = 0; f < nfiles; f++)
        docs += r->files[f].docs;
    if (docs == 0)
        return contam_err_set(err, CONTAM_ERR_EMPTY, nfiles == 1 ? files[0] : NULL, 0,
                              "no corpus document was read from %zu file(s)", nfiles);
    for (size_t f = 0; f < nfiles; f++) {
        r->nfailed += r->files[f].failed;
        /* the merge kept the smallest line numbers; now fix their order */
        io_bad_sort(r->files[f].bad, r->files[f].nbad);
    }
    return CONTAM_OK;
}
