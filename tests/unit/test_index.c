/* test_index.c - the index module on fixtures: the block codec, lookups
 * checked against a brute-force count (document frequency, first record,
 * absent keys), identical bytes whatever the threads, memory budget (forced
 * spills) and partition count, merge and append equal to a full build, the
 * fingerprint width rule, and scan_run_index equal to scan_run. */
#include "test_index_util.h"

#include "bench/bench.h"
#include "index/index_internal.h"
#include "scan/scan.h"

/* ---- codec --------------------------------------------------------------------- */

static uint64_t rng(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static int cmp_entry(const void *a, const void *b)
{
    uint64_t x = ((const idx_entry *)a)->key, y = ((const idx_entry *)b)->key;
    return x < y ? -1 : x > y;
}

static void codec_roundtrip(void **state)
{
    (void)state;
    uint64_t s = 42;
    unsigned widths[] = {24, 40, 54, 64};
    unsigned flags[] = {0, IDX_FLAG_DF, IDX_FLAG_DF | IDX_FLAG_PROV};
    idx_entry e[512], d[512];
    for (size_t wi = 0; wi < 4; wi++)
        for (size_t fi = 0; fi < 3; fi++)
            for (size_t n = 1; n <= 512; n = n * 3 + 1) {
                idx_layout l = {16, 4, widths[wi], flags[fi], 512, 20, 0};
                uint64_t mask = widths[wi] == 64 ? UINT64_MAX : (UINT64_C(1) << widths[wi]) - 1;
                for (size_t k = 0; k < n; k++) {
                    /* clustered keys too: gaps of 1 and huge gaps (escape code) */
                    uint64_t r = rng(&s);
                    e[k].key = k % 7 == 3 && k ? e[k - 1].key + 1 : r & mask;
                    e[k].df = k % 5 == 0 ? (rng(&s) & 0xFFFFFFFF) | 1 : 1 + k % 3;
                    e[k].ord = rng(&s) & ((UINT64_C(1) << 20) - 1);
                }
                qsort(e, n, sizeof *e, cmp_entry);
                size_t m = 0;
                for (size_t k = 0; k < n; k++)
                    if (!m || e[k].key != e[m - 1].key)
                        e[m++] = e[k];
                contam_buf b = {0};
                assert_int_equal(idx_block_encode(&l, e, m, &b), 0);
                char why[160];
                if (idx_block_decode(&l, (const uint8_t *)b.ptr, b.size, e[0].key, m, d, why,
                                     sizeof why))
                    fail_msg("decode: %s", why);
                for (size_t k = 0; k < m; k++) {
                    assert_true(d[k].key == e[k].key);
                    if (fi >= 1)
                        assert_true(d[k].df == e[k].df);
                    if (fi == 2)
                        assert_true(d[k].ord == e[k].ord);
                }
                /* a block cut short or with an extra byte never decodes */
                if (b.size > 1)
                    assert_int_not_equal(idx_block_decode(&l, (const uint8_t *)b.ptr, b.size - 1,
                                                          e[0].key, m, d, why, sizeof why),
                                         0);
                assert_int_equal(contam_buf_append(&b, "\x01", 1), 0);
                assert_int_not_equal(idx_block_decode(&l, (const uint8_t *)b.ptr, b.size,
                                                      e[0].key, m, d, why, sizeof why),
                                     0);
                contam_buf_free(&b);
            }
}

/* Random sorted fingerprints cost about log2(mean gap) + 1.5 bits: the
 * reason 13-gram indexes fit in under 5 bytes a key. */
static void codec_size(void **state)
{
    (void)state;
    uint64_t s = 7;
    enum { N = 100000 };
    idx_entry *e = malloc(N * sizeof *e);
    assert_non_null(e);
    idx_layout l = {1, 0, 54, IDX_FLAG_DF, 512, 0, 0};
    for (size_t k = 0; k < N; k++) {
        e[k].key = rng(&s) >> 10;
        e[k].df = 1;
    }
    qsort(e, N, sizeof *e, cmp_entry);
    contam_buf b = {0};
    for (size_t k = 0; k < N; k += 512)
        assert_int_equal(idx_block_encode(&l, e + k, N - k < 512 ? N - k : 512, &b), 0);
    double bits = 8.0 * (double)b.size / N;
    double gap = 54 - 16.61; /* log2(2^54 / N) */
    assert_true(bits < gap + 1 + 2.2); /* + 1 bit of df */
    assert_true(bits > gap);
    contam_buf_free(&b);
    free(e);
}

/* The background syncer: files synced, missing ones ignored, several
 * threads adding at once, and every allocation failure harmless (it is only
 * a head start). Nothing to observe but that it ends, leaks nothing (ASan)
 * and leaves the files as they were. */
static void syncer_is_a_harmless_hint(void **state)
{
    (void)state;
    char f[FIXTURE_PATH_MAX], missing[FIXTURE_PATH_MAX];
    snprintf(f, sizeof f, "%s", put_str("sync/a.bin", "abc"));
    snprintf(missing, sizeof missing, "%s", tpath("sync/missing"));
    idx_syncer *s = idx_syncer_start();
    assert_non_null(s);
#pragma omp parallel for num_threads(2)
    for (int k = 0; k < 64; k++)
        idx_syncer_add(s, k % 2 ? f : missing);
    idx_syncer_finish(s);
    idx_syncer_finish(NULL);
    idx_syncer_add(NULL, f);
    for (long n = 0; n < 4; n++) {
        contam_alloc_fail_after(n);
        idx_syncer *t = idx_syncer_start();
        idx_syncer_add(t, f);
        contam_alloc_fail_after(-1);
        idx_syncer_finish(t);
    }
    struct stat sb;
    assert_int_equal(stat(f, &sb), 0);
    assert_int_equal(sb.st_size, 3);
}

/* ---- build and lookup ------------------------------------------------------------- */

static void lookups_match_brute_force(void **state)
{
    (void)state;
    const char *files[3];
    files[0] = put_corpus("bf/a.jsonl", 1, 40, 30, 0);
    files[1] = put_corpus("bf/b.jsonl", 2, 30, 25, 14); /* a 14-word tail in every doc */
    files[2] = put_corpus("bf/c.jsonl", 1, 10, 30, 0);  /* repeats a.jsonl's first 10 docs */
    index_build_options o;
    index_build_options_init(&o);
    o.df = o.provenance = 1;
    o.threads = 2;
    o.mem = (uint64_t)64 << 20;
    o.partitions = 4;
    o.fp_bits = 64; /* exact keys: results must match exactly */
    const char *out = tpath("bf/idx");
    build_ok(out, files, 3, &o);
    size_t nb;
    bf_gram *bf = brute_force(files, 3, 13, NGRAM_UNIT_WORD, &nb);
    assert_true(nb > 1000);
    index_reader *ix;
    contam_err err;
    assert_int_equal(index_open(out, &ix, &err), CONTAM_OK);
    const index_meta *m = index_get_meta(ix);
    assert_int_equal(m->keys, nb);
    assert_int_equal(m->docs, 80);
    assert_int_equal(m->records, 80);
    assert_int_equal(m->nfiles, 3);
    /* present keys, plus one absent neighbour of each */
    uint64_t *keys = malloc(2 * nb * sizeof *keys);
    uint32_t *df = malloc(2 * nb * sizeof *df);
    uint64_t *first = malloc(2 * nb * sizeof *first);
    for (size_t k = 0; k < nb; k++) {
        keys[2 * k] = bf[k].h;
        keys[2 * k + 1] = bf[k].h + 1;
    }
    assert_int_equal(index_lookup(ix, keys, 2 * nb, df, first, 2, &err), CONTAM_OK);
    size_t shared = 0, repeated = 0;
    for (size_t k = 0; k < nb; k++) {
        assert_int_equal(df[2 * k], bf[k].df);
        assert_int_equal(first[2 * k], bf[k].first);
        if (k + 1 == nb || bf[k + 1].h != bf[k].h + 1) {
            assert_int_equal(df[2 * k + 1], 0);
            assert_true(first[2 * k + 1] == INDEX_NO_RECORD);
        }
        shared += bf[k].df == 30;
        repeated += bf[k].df == 2;
        size_t file;
        uint64_t rec;
        assert_int_equal(index_resolve(ix, bf[k].first, &file, &rec), 0);
        assert_true(file < 3 && rec >= 1);
        assert_int_equal(m->files[file].first_record + rec - 1, bf[k].first);
    }
    assert_int_equal(shared, 2);          /* the 14-word tail: 2 13-grams in 30 docs */
    assert_int_equal(repeated, 10 * 18);  /* c.jsonl repeats 10 docs of 18 grams */
    assert_int_equal(index_resolve(ix, m->records, &(size_t){0}, &(uint64_t){0}), -1);
    index_close(ix);
    free(keys);
    free(df);
    free(first);
    free(bf);
}

/* A bigger corpus: ~1.1M distinct 13-grams (350k a file), enough to force
 * spills under the smallest budget. */
static void big_corpus(const char **files)
{
    files[0] = tpath("big/a.jsonl");
    files[1] = tpath("big/b.jsonl");
    files[2] = tpath("big/c.jsonl");
    if (exists(files[2]))
        return;
    put_corpus("big/a.jsonl", 3, 4000, 100, 0);
    put_corpus("big/b.jsonl", 4, 4000, 100, 0);
    put_corpus("big/c.jsonl", 5, 6000, 100, 20); /* > one thread's share of INDEX_MIN_MEM */
}

static void same_bytes_for_threads_and_memory(void **state)
{
    (void)state;
    const char *files[3];
    big_corpus(files);
    index_build_options o;
    index_build_options_init(&o);
    o.df = 1;
    o.threads = 1;
    o.mem = INDEX_MIN_MEM; /* spills */
    const char *a = tpath("same/a"), *b = tpath("same/b"), *c = tpath("same/c");
    index_build_stats st;
    contam_err err;
    assert_int_equal(index_build(a, files, 3, &o, &st, &err), CONTAM_OK);
    assert_true(st.runs_spilled > 3); /* more than one run per file: budget spills */
    o.threads = 2;
    o.mem = (uint64_t)1 << 30;
    assert_int_equal(index_build(b, files, 3, &o, &st, &err), CONTAM_OK);
    /* no budget spill: one run per file and thread that had data */
    assert_true(st.runs_spilled >= 3 && st.runs_spilled <= 6);
    o.threads = 3;
    build_ok(c, files, 3, &o);
    assert_same_index(a, b);
    assert_same_index(a, c);
    index_meta m;
    assert_int_equal(index_describe(a, &m, &err), CONTAM_OK);
    assert_int_equal(m.windows, (4000 + 4000 + 6000) * 88 + 6000 * 20);
    /* fingerprint width: smallest with keys / 2^bits <= 1e-9 */
    assert_true(m.false_match_rate <= 1e-9);
    assert_true(m.false_match_rate * 2 > 1e-9 || m.fp_bits == INDEX_MIN_FP_BITS);
    assert_true(m.index_bytes < 5 * m.keys);
    index_meta_free(&m);
    assert_false(exists(tpath("same/a.partial")));
}

/* A document far bigger than a thread's share of --mem (a book): its
 * windows, deduplicated, go to the accumulator in pieces, which spill as
 * the share fills, so one document lands in several runs. It appears
 * twice, and its n-grams must still count two documents each, as in a
 * build whose budget holds it whole. */
static void a_book_spills_in_pieces(void **state)
{
    (void)state;
    contam_buf book = {0}, two = {0};
    gen_corpus(&book, 9, 1, 600000, 0); /* 600 k distinct windows */
    assert_int_equal(contam_buf_append(&two, book.ptr, book.size), 0);
    assert_int_equal(contam_buf_append(&two, book.ptr, book.size), 0);
    const char *files[1] = {put("book/two.jsonl", two.ptr, two.size)};
    contam_buf_free(&book);
    contam_buf_free(&two);
    index_build_options o;
    index_build_options_init(&o);
    o.df = 1;
    o.threads = 1;
    o.mem = INDEX_MIN_MEM; /* a share of about 4 MiB: 350 k entries */
    index_build_stats st;
    contam_err err;
    const char *small = tpath("book/small"), *big = tpath("book/big");
    assert_int_equal(index_build(small, files, 1, &o, &st, &err), CONTAM_OK);
    assert_true(st.runs_spilled >= 4); /* each copy split at least once */
    o.mem = (uint64_t)1 << 30;
    assert_int_equal(index_build(big, files, 1, &o, &st, &err), CONTAM_OK);
    assert_int_equal(st.runs_spilled, 1);
    assert_same_index(small, big);
    index_meta m;
    assert_int_equal(index_describe(small, &m, &err), CONTAM_OK);
    assert_int_equal(m.keys, 600000 - 12);
    index_meta_free(&m);
}

/* Allocation failures at 16 points spread over a build with compactions
 * (70 one-record files leave 70 runs; past 48 the builder merges 16): each
 * build fails with "out of memory" or succeeds, never leaves an index that
 * looks complete, and a rerun without faults resumes to the same bytes as
 * a clean build. */
static void build_survives_allocation_failures(void **state)
{
    (void)state;
    enum { NF = 70 };
    const char *files[NF];
    char *keep[NF]; /* put_corpus's paths live in rotating buffers */
    for (int k = 0; k < NF; k++) {
        char name[32];
        snprintf(name, sizeof name, "oom/f%02d.jsonl", k);
        files[k] = keep[k] = strdup(put_corpus(name, 200 + (unsigned)k, 1, 40, 0));
        assert_non_null(keep[k]);
    }
    index_build_options o;
    index_build_options_init(&o);
    o.df = 1;
    o.threads = 1; /* the fault counter is not for concurrent threads */
    char ref[FIXTURE_PATH_MAX];
    snprintf(ref, sizeof ref, "%s", tpath("oom/ref"));
    unsigned long before = contam_alloc_count();
    contam_alloc_fail_after(1L << 40); /* count a clean build's allocations */
    build_ok(ref, files, NF, &o);
    unsigned long total = contam_alloc_count() - before;
    contam_alloc_fail_after(-1);
    assert_true(total > 1000);
    int failed = 0;
    for (unsigned long k = 0; k < 16; k++) {
        char out[FIXTURE_PATH_MAX];
        snprintf(out, sizeof out, "%s", tpath("oom/try"));
        contam_err err;
        contam_err_clear(&err);
        index_build_stats st;
        contam_alloc_fail_after((long)(total * k / 16));
        contam_status rc = index_build(out, files, NF, &o, &st, &err);
        contam_alloc_fail_after(-1);
        if (rc != CONTAM_OK) {
            failed++;
            assert_int_equal(rc, CONTAM_ERR_NOMEM);
            assert_false(exists(out));
            build_ok(out, files, NF, &o); /* resumes */
        }
        assert_same_index(ref, out);
        assert_int_equal(io_rm_tree(out), 0);
    }
    assert_true(failed >= 13);
    for (int k = 0; k < NF; k++)
        free(keep[k]);
}

/* The fingerprint width comes from an estimate of the key count. With one
 * or two partitions, the big corpus's first slice of partition 0 holds
 * over 2^16 keys, so the estimate is that slice scaled up (with sixteen,
 * the whole of partition 0): either way the width is the smallest that
 * meets the rate for the exact count, which is far from a boundary here. */
static void fp_width_from_a_slice(void **state)
{
    (void)state;
    const char *files[3];
    big_corpus(files);
    index_build_options o;
    index_build_options_init(&o);
    o.threads = 2;
    const unsigned parts[] = {1, 2, 16};
    unsigned bits[3];
    for (unsigned k = 0; k < 3; k++) {
        o.partitions = parts[k];
        char dir[32];
        snprintf(dir, sizeof dir, "slice/p%u", parts[k]);
        const char *out = tpath(dir);
        build_ok(out, files, 3, &o);
        index_meta m;
        contam_err err;
        assert_int_equal(index_describe(out, &m, &err), CONTAM_OK);
        assert_true(m.keys > ((uint64_t)1 << 20));
        assert_true(m.false_match_rate <= 1e-9);
        assert_true(m.false_match_rate * 2 > 1e-9);
        bits[k] = m.fp_bits;
        index_meta_free(&m);
    }
    assert_int_equal(bits[0], bits[1]);
    assert_int_equal(bits[0], bits[2]);
}

static void merge_and_append_equal_full_build(void **state)
{
    (void)state;
    const char *files[3];
    big_corpus(files);
    index_build_options o;
    index_build_options_init(&o);
    o.df = o.provenance = 1;
    o.threads = 2;
    o.mem = (uint64_t)256 << 20;
    const char *full = tpath("mrg/full");
    build_ok(full, files, 3, &o);
    index_meta m;
    contam_err err;
    assert_int_equal(index_describe(full, &m, &err), CONTAM_OK);
    o.fp_bits = m.fp_bits; /* parts of one index share the width */
    index_meta_free(&m);
    const char *h1 = tpath("mrg/h1"), *h2 = tpath("mrg/h2"), *merged = tpath("mrg/merged");
    build_ok(h1, files, 2, &o);
    build_ok(h2, files + 2, 1, &o);
    const char *in[] = {h1, h2};
    assert_int_equal(index_merge(merged, in, 2, 2, &err), CONTAM_OK);
    assert_same_index(full, merged);
    /* append: h1 + c.jsonl */
    o.append = 1;
    build_ok(h1, files + 2, 1, &o);
    assert_same_index(full, h1);
    /* merge refuses an input whose corpus overlaps */
    const char *in2[] = {h1, h2};
    assert_int_equal(index_merge(tpath("mrg/overlap"), in2, 2, 2, &err), CONTAM_ERR_ARG);
    assert_non_null(strstr(err.msg, "twice"));
    assert_false(exists(tpath("mrg/overlap")));
    /* append refuses a file already indexed */
    assert_int_equal(build(h1, files, 1, &o, &err), CONTAM_ERR_ARG);
    assert_non_null(strstr(err.msg, "already in the index"));
}

static void refuses_mismatched_parameters(void **state)
{
    (void)state;
    const char *f1 = put_corpus("mis/a.jsonl", 7, 20, 30, 0);
    const char *f2 = put_corpus("mis/b.jsonl", 8, 20, 30, 0);
    index_build_options o;
    index_build_options_init(&o);
    o.threads = 1;
    o.mem = INDEX_MIN_MEM;
    o.fp_bits = 40;
    const char *a = tpath("mis/a13"), *b = tpath("mis/b8");
    build_ok(a, &f1, 1, &o);
    o.n = 8;
    build_ok(b, &f2, 1, &o);
    contam_err err;
    const char *in[] = {a, b};
    assert_int_equal(index_merge(tpath("mis/m"), in, 2, 1, &err), CONTAM_ERR_ARG);
    assert_non_null(strstr(err.msg, "n: 13 vs 8"));
    assert_false(exists(tpath("mis/m")));
    /* appending with other parameters */
    o.append = 1;
    assert_int_equal(build(a, &f2, 1, &o, &err), CONTAM_ERR_ARG);
    assert_non_null(strstr(err.msg, "other parameters"));
    o.n = 13;
    o.df = 1;
    assert_int_equal(build(a, &f2, 1, &o, &err), CONTAM_ERR_ARG);
    assert_non_null(strstr(err.msg, "--df"));
    /* building over an existing index */
    o.append = 0;
    o.df = 0;
    assert_int_equal(build(a, &f2, 1, &o, &err), CONTAM_ERR_EXISTS);
    /* other fingerprint widths cannot be merged */
    o.fp_bits = 48;
    const char *c = tpath("mis/c");
    build_ok(c, &f2, 1, &o);
    const char *in2[] = {a, c};
    assert_int_equal(index_merge(tpath("mis/m2"), in2, 2, 1, &err), CONTAM_ERR_ARG);
    assert_non_null(strstr(err.msg, "fingerprint bits"));
}

/* ---- scan_run_index ------------------------------------------------------------------ */

static bench_set *fixture_bench(void)
{
    /* items quoting corpus documents of a.jsonl (seed 11), one not quoting */
    contam_buf b = {0};
    char w[16];
    for (unsigned it = 0; it < 6; it++) {
        assert_int_equal(contam_buf_printf(&b, "{\"id\":\"q%u\",\"question\":\"", it), 0);
        unsigned from = it == 5 ? 50000000u : 11 * 1000000u + it * 7 * 60 + 5;
        unsigned len = it == 3 ? 9 : 20; /* q3: only 8-grams match */
        for (unsigned i = 0; i < len; i++) {
            word(w, from + i);
            assert_int_equal(contam_buf_printf(&b, "%s%s", i ? " " : "", w), 0);
        }
        assert_int_equal(contam_buf_puts(&b, "\",\"answer\":\"no\"}\n"), 0);
    }
    const char *path = put("scanb/bench.jsonl", b.ptr, b.size);
    contam_buf_free(&b);
    bench_options bo;
    memset(&bo, 0, sizeof bo);
    bo.text_fields = "question,answer";
    bo.id_field = "id";
    bench_set *bs = NULL;
    contam_err err;
    assert_int_equal(bench_load(&path, 1, &bo, &bs, &err), CONTAM_OK);
    return bs;
}

static void scan_index_equals_scan(void **state)
{
    (void)state;
    const char *files[2];
    files[0] = put_corpus("scanb/a.jsonl", 11, 30, 60, 0);
    files[1] = put_corpus("scanb/b.jsonl", 12, 30, 60, 13); /* shared 13-gram: df 30 */
    bench_set *b = fixture_bench();
    const char *methods[] = {"gpt3", "palm", "lmeval"};
    for (size_t mi = 0; mi < 3; mi++) {
        scan_options so;
        scan_options_init(&so);
        char why[200];
        assert_int_equal(scan_methods_parse(methods[mi], 0, 0, 10, so.methods, &so.nmethods, why,
                                            sizeof why), 0);
        so.threads = 2;
        index_build_options o;
        index_build_options_init(&o);
        o.unit = so.methods[0].unit;
        o.n = so.methods[0].n;
        o.df = 1;
        o.provenance = 1;
        o.threads = 2;
        o.mem = (uint64_t)64 << 20;
        char name[64];
        snprintf(name, sizeof name, "scanb/idx-%s", methods[mi]);
        const char *idx = tpath(name);
        build_ok(idx, files, 2, &o);
        scan_result *d = NULL, *x = NULL;
        contam_err err;
        assert_int_equal(scan_run(b, files, 2, &so, &d, &err), CONTAM_OK);
        assert_int_equal(scan_run_index(b, idx, &so, &x, &err), CONTAM_OK);
        size_t dirty = 0;
        for (size_t i = 0; i < b->nitems; i++) {
            const scan_item_stats *p = &d->stats[i], *q = &x->stats[i];
            assert_int_equal(p->verdict, q->verdict);
            assert_int_equal(p->matched, q->matched);
            assert_int_equal(p->covered, q->covered);
            assert_int_equal(p->frequent, q->frequent);
            assert_int_equal(p->df_min, q->df_min);
            assert_int_equal(p->df_max, q->df_max);
            assert_int_equal(d->nmatches[i] > 0, x->nmatches[i] > 0);
            if (d->nmatches[i]) {
                assert_int_equal(d->matches[i][0].file, x->matches[i][0].file);
                assert_int_equal(d->matches[i][0].record, x->matches[i][0].record);
                assert_string_equal(x->matches[i][0].snippet, "");
            }
            dirty += p->verdict == SCAN_DIRTY;
        }
        assert_true(dirty >= 3);
        assert_int_equal(d->docs, x->docs);
        assert_int_equal(d->bytes, x->bytes);
        assert_string_equal(d->files[1].checksum, x->files[1].checksum);
        assert_string_equal(d->files[1].format, x->files[1].format);
        scan_result_free(d);
        scan_result_free(x);
    }
    bench_set_free(b);
}

static void scan_index_refusals(void **state)
{
    (void)state;
    const char *f = put_corpus("ref/a.jsonl", 11, 30, 60, 0);
    bench_set *b = fixture_bench();
    index_build_options o;
    index_build_options_init(&o);
    o.threads = 1;
    o.mem = INDEX_MIN_MEM;
    const char *idx = tpath("ref/word13");
    build_ok(idx, &f, 1, &o); /* no --df */
    scan_options so;
    scan_options_init(&so); /* gpt3 */
    scan_result *r = NULL;
    contam_err err;
    struct {
        const char *method;
        void (*tweak)(scan_options *);
        const char *needle;
    } cases[] = {
        {"gpt3", NULL, "--df"},
        {"palm", NULL, "word 8-grams but the index holds word 13-grams"},
        {"lmeval", NULL, "lmeval 13-grams"},
        {"gpt4", NULL, "char 50-grams"},
    };
    for (size_t k = 0; k < 4; k++) {
        char why[200];
        assert_int_equal(scan_methods_parse(cases[k].method, 0, 0, 10, so.methods, &so.nmethods,
                                            why, sizeof why), 0);
        assert_int_equal(scan_run_index(b, idx, &so, &r, &err), CONTAM_ERR_ARG);
        assert_null(r);
        if (!strstr(err.msg, cases[k].needle))
            fail_msg("%s: %s", cases[k].method, err.msg);
    }
    /* gpt3 without the frequency rule works on a no-df index */
    assert_int_equal(scan_methods_parse("gpt3", 0, 0, 0, so.methods, &so.nmethods, (char[64]){0},
                                        64), 0);
    assert_int_equal(scan_run_index(b, idx, &so, &r, &err), CONTAM_OK);
    scan_result_free(r);
    r = NULL;
    so.seed = 5;
    assert_int_equal(scan_run_index(b, idx, &so, &r, &err), CONTAM_ERR_ARG);
    assert_non_null(strstr(err.msg, "--seed"));
    so.seed = NGRAM_DEFAULT_SEED;
    so.digits_zero = 1;
    assert_int_equal(scan_run_index(b, idx, &so, &r, &err), CONTAM_ERR_ARG);
    assert_non_null(strstr(err.msg, "--digits"));
    so.digits_zero = 0;
    so.text_field = "body";
    assert_int_equal(scan_run_index(b, idx, &so, &r, &err), CONTAM_ERR_ARG);
    assert_non_null(strstr(err.msg, "text field"));
    so.text_field = "text";
    so.short_whole = 1; /* q3 has 10 tokens: a whole 10-gram table */
    assert_int_equal(scan_run_index(b, idx, &so, &r, &err), CONTAM_ERR_ARG);
    assert_non_null(strstr(err.msg, "--short whole"));
    assert_null(r);
    assert_int_equal(scan_run_index(b, tpath("ref/none"), &so, &r, &err), CONTAM_ERR_OPEN);
    bench_set_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codec_roundtrip),
        cmocka_unit_test(codec_size),
        cmocka_unit_test(syncer_is_a_harmless_hint),
        cmocka_unit_test(lookups_match_brute_force),
        cmocka_unit_test(same_bytes_for_threads_and_memory),
        cmocka_unit_test(fp_width_from_a_slice),
        cmocka_unit_test(a_book_spills_in_pieces),
        cmocka_unit_test(build_survives_allocation_failures),
        cmocka_unit_test(merge_and_append_equal_full_build),
        cmocka_unit_test(refuses_mismatched_parameters),
        cmocka_unit_test(scan_index_equals_scan),
        cmocka_unit_test(scan_index_refusals),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup_json, fixture_group_teardown);
}
