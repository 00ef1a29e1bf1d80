/* test_index_equiv.h - shared body of the test_index_equiv_*.c programs:
 * index-mode verdicts must equal direct-scan verdicts item for item, for
 * MMLU test, GSM8K test and ARC-Challenge test against the shared corpus.
 * Each program covers one method (one index per (unit, n)), so each stays
 * short and they run in parallel under ctest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "index/index.h"
#include "io/io.h"
#include "scan/scan.h"

#define FIXTURE_PREFIX "index-equiv"
#include "test_fixture.h"

static const char *g_data;

static int equiv_setup(void **state)
{
    g_data = getenv("CONTAM_SHARED_DATA");
    if (!g_data)
        g_data = "../shared/data";
    return fixture_group_setup_json(state);
}

static bench_set *load(const char *preset, const char *rel)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", g_data, rel);
    const char *paths[] = {path};
    bench_options bo;
    memset(&bo, 0, sizeof bo);
    bo.preset = preset;
    bench_set *b = NULL;
    contam_err err;
    contam_status st = bench_load(paths, 1, &bo, &b, &err);
    if (st != CONTAM_OK)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(st, CONTAM_OK);
    return b;
}

/* Under AddressSanitizer (3-5x slower) the equivalence is checked on the
 * first three corpus files only, to keep the run short; the optimised test
 * run checks the whole shared corpus. */
#if defined(__SANITIZE_ADDRESS__)
#define EQUIV_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EQUIV_SANITIZED 1
#endif
#endif
#ifndef EQUIV_SANITIZED
#define EQUIV_SANITIZED 0
#endif

static void corpus_files(io_filelist *fl)
{
    char path[600];
    snprintf(path, sizeof path, "%s/corpus", g_data);
    const char *args[] = {path};
    contam_err err;
    assert_int_equal(io_filelist_expand(args, 1, fl, &err), CONTAM_OK);
    assert_true(fl->n >= 3);
    if (EQUIV_SANITIZED) {
        for (size_t k = 3; k < fl->n; k++) {
            contam_free(fl->v[k].path);
            contam_free(fl->v[k].rel);
        }
        fl->n = 3;
    }
}

/* Compares one benchmark's direct and index results for method 0. */
static void compare(const char *what, const scan_result *d, const scan_result *x, int has_df,
                    int has_prov, size_t *dirty_out)
{
    assert_int_equal(d->nitems, x->nitems);
    assert_int_equal(d->docs, x->docs);
    assert_int_equal(d->bytes, x->bytes);
    assert_int_equal(d->records, x->records);
    assert_int_equal(d->nfiles, x->nfiles);
    for (size_t f = 0; f < d->nfiles; f++) {
        assert_string_equal(d->files[f].checksum, x->files[f].checksum);
        assert_string_equal(d->files[f].path, x->files[f].path);
        assert_int_equal(d->files[f].invalid_utf8, x->files[f].invalid_utf8);
    }
    size_t dirty = 0, mismatches = 0;
    for (size_t i = 0; i < d->nitems; i++) {
        const scan_item_stats *a = &d->stats[i], *b = &x->stats[i];
        int same = a->verdict == b->verdict && a->tokens == b->tokens && a->ngrams == b->ngrams &&
                   a->boilerplate == b->boilerplate && a->frequent == b->frequent &&
                   a->matched == b->matched && a->covered == b->covered &&
                   a->longest == b->longest && a->q_covered == b->q_covered &&
                   a->a_covered == b->a_covered && a->whole == b->whole;
        if (has_df)
            same = same && a->df_min == b->df_min && a->df_max == b->df_max;
        if (has_prov && same) {
            same = (d->nmatches[i] > 0) == (x->nmatches[i] > 0);
            if (same && d->nmatches[i]) /* the earliest document is the same */
                same = d->matches[i][0].file == x->matches[i][0].file &&
                       d->matches[i][0].record == x->matches[i][0].record;
        }
        if (!same && mismatches++ < 5)
            fprintf(stderr, "%s: item %zu differs: verdict %d/%d matched %u/%u\n", what, i,
                    a->verdict, b->verdict, a->matched, b->matched);
        dirty += a->verdict == SCAN_DIRTY;
    }
    assert_int_equal(mismatches, 0);
    assert_int_equal(d->frequent_grams[0], x->frequent_grams[0]);
    assert_int_equal(d->table_grams[0], x->table_grams[0]);
    *dirty_out = dirty;
}

/* Builds the index for `method` over the shared corpus, then checks every
 * benchmark. min_dirty: the sum of dirty items that must be found (real
 * contamination, so the comparison is not vacuous). */
static void run_equiv(const char *method, int df, int prov, size_t min_dirty)
{
    scan_options so;
    scan_options_init(&so);
    char why[200];
    assert_int_equal(scan_methods_parse(method, 0, 0, 10, so.methods, &so.nmethods, why,
                                        sizeof why), 0);
    so.threads = 2;
    io_filelist fl = {0};
    corpus_files(&fl);
    const char **paths = calloc(fl.n, sizeof *paths);
    assert_non_null(paths);
    for (size_t k = 0; k < fl.n; k++)
        paths[k] = fl.v[k].path;
    index_build_options o;
    index_build_options_init(&o);
    o.unit = so.methods[0].unit;
    o.n = so.methods[0].n;
    o.df = df;
    o.provenance = prov;
    o.threads = 2;
    o.mem = (uint64_t)256 << 20;
    char idx[600];
    snprintf(idx, sizeof idx, "%s/%s", g_tmp, method);
    contam_err err;
    index_build_stats bs;
    contam_status st = index_build(idx, paths, fl.n, &o, &bs, &err);
    if (st != CONTAM_OK)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(st, CONTAM_OK);
    index_meta m;
    assert_int_equal(index_describe(idx, &m, &err), CONTAM_OK);
    fprintf(stderr, "%s: %llu keys, %u-bit fingerprints, false-match rate %.3g\n", method,
            (unsigned long long)m.keys, m.fp_bits, m.false_match_rate);
    assert_true(m.false_match_rate <= INDEX_DEFAULT_FP_RATE * 1.01);
    index_meta_free(&m);

    struct { const char *preset, *rel; } benches[] = {
        {"mmlu", "bench/mmlu/test"},
        {"gsm8k", "bench/gsm8k/test.jsonl"},
        {"arc", "bench/arc/arc_challenge_test.jsonl"},
    };
    size_t total_dirty = 0;
    for (size_t k = 0; k < 3; k++) {
        bench_set *b = load(benches[k].preset, benches[k].rel);
        scan_result *d = NULL, *x = NULL;
        assert_int_equal(scan_run(b, paths, fl.n, &so, &d, &err), CONTAM_OK);
        st = scan_run_index(b, idx, &so, &x, &err);
        if (st != CONTAM_OK)
            fprintf(stderr, "%s\n", err.msg);
        assert_int_equal(st, CONTAM_OK);
        size_t dirty = 0;
        compare(benches[k].preset, d, x, df, prov, &dirty);
        fprintf(stderr, "%s x %s: %zu items, %zu dirty in both modes\n", method,
                benches[k].preset, d->nitems, dirty);
        total_dirty += dirty;
        scan_result_free(d);
        scan_result_free(x);
        bench_set_free(b);
    }
    assert_true(total_dirty >= (EQUIV_SANITIZED ? 0 : min_dirty));
    free(paths);
    io_filelist_free(&fl);
}
