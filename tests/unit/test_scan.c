/* test_scan.c - scan module: per-item statistics and verdicts of every named
 * method on small hand-checked fixtures, normalization equivalences, the
 * corpus and benchmark document-frequency filters, provenance, determinism
 * over thread counts, bad corpus records, text files and allocation failures.
 * Words are generated ("qaaa qaab ...") so every n-gram is unique unless a
 * test shares it on purpose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "bench/bench.h"
#include "scan/scan.h"

#define FIXTURE_PREFIX "scan"
#include "test_fixture.h"

/* ---- helpers ---------------------------------------------------------------- */

static const char *put_gz(const char *name, const contam_buf *b)
{
    const char *p = tpath(name);
    gzFile g = gzopen(p, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, b->ptr, (unsigned)b->size), (int)b->size);
    assert_int_equal(gzclose(g), Z_OK);
    return p;
}

static void bprintf(contam_buf *b, const char *fmt, ...) CONTAM_PRINTF(2, 3);
static void bprintf(contam_buf *b, const char *fmt, ...)
{
    char tmp[16384];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof tmp);
    assert_int_equal(contam_buf_append(b, tmp, (size_t)n), 0);
}

/* Words prefix+"aa", prefix+"ab", ... for k in [from, to), space-separated,
 * in a rotating static buffer. Each word is strlen(prefix) + 2 bytes. */
static const char *seq(const char *prefix, int from, int to)
{
    static char bufs[16][8192];
    static int k;
    char *out = bufs[k++ % 16];
    size_t o = 0;
    out[0] = '\0';
    for (int i = from; i < to; i++) {
        int n = snprintf(out + o, 8192 - o, "%s%s%c%c", i > from ? " " : "", prefix,
                         'a' + i / 26, 'a' + i % 26);
        assert_true(n > 0 && o + (size_t)n < 8192);
        o += (size_t)n;
    }
    return out;
}

/* One generic benchmark record. */
static void bench_rec(contam_buf *b, const char *id, const char *q, const char *a)
{
    bprintf(b, "{\"id\":\"%s\",\"question\":\"%s\",\"answer\":\"%s\"}\n", id, q, a);
}

/* A corpus record {"text": t}; t must need no JSON escaping. */
static void corpus_rec(contam_buf *b, const char *t) { bprintf(b, "{\"text\":\"%s\"}\n", t); }

static bench_set *load_bench(const char *path)
{
    bench_options o;
    memset(&o, 0, sizeof o);
    o.text_fields = "question,answer";
    o.id_field = "id";
    bench_set *b = NULL;
    contam_err err;
    contam_status st = bench_load(&path, 1, &o, &b, &err);
    if (st != CONTAM_OK)
        fail_msg("bench_load %s: %s", contam_status_name(st), err.msg);
    return b;
}

static bench_set *bench_from(const char *name, const contam_buf *b)
{
    return load_bench(put_buf(name, b));
}

static void set_methods(scan_options *o, const char *list, unsigned corpus_df)
{
    char why[200];
    assert_int_equal(scan_methods_parse(list, 0, 0, corpus_df, o->methods, &o->nmethods, why,
                                        sizeof why),
                     0);
}

static scan_result *run(const bench_set *b, const char *const *files, size_t n,
                        const scan_options *o)
{
    scan_result *r = NULL;
    contam_err err;
    contam_err_clear(&err);
    contam_status st = scan_run(b, files, n, o, &r, &err);
    if (st != CONTAM_OK)
        fail_msg("scan_run %s: %s:%llu: %s", contam_status_name(st), err.file,
                 (unsigned long long)err.line, err.msg);
    assert_non_null(r);
    return r;
}

static size_t item_index(const bench_set *b, const char *id)
{
    for (size_t i = 0; i < b->nitems; i++)
        if (!strcmp(b->items[i].id, id))
            return i;
    fail_msg("no item %s", id);
    return 0;
}

static const scan_item_stats *ST(const scan_result *r, const bench_set *b, const char *id,
                                 size_t m)
{
    return &r->stats[item_index(b, id) * r->opt.nmethods + m];
}

/* Asserts the main counters of one stats record. */
#define CHECK(s, tok, ng, mat, cov, lon, verd)                                                   \
    do {                                                                                         \
        const scan_item_stats *s_ = (s);                                                         \
        assert_int_equal(s_->tokens, (tok));                                                     \
        assert_int_equal(s_->ngrams, (ng));                                                      \
        assert_int_equal(s_->matched, (mat));                                                    \
        assert_int_equal(s_->covered, (cov));                                                    \
        assert_int_equal(s_->longest, (lon));                                                    \
        assert_string_equal(scan_verdict_name((scan_verdict)s_->verdict),                       \
                            scan_verdict_name(verd));                                            \
    } while (0)

/* ---- gpt3 per-item statistics ---------------------------------------------------- */

static void test_gpt3_item_stats(void **state)
{
    (void)state;
    contam_buf bb = {0}, cb = {0};
    bench_rec(&bb, "A", seq("qa", 0, 15), seq("aa", 0, 5)); /* question leaked only */
    bench_rec(&bb, "B", seq("qb", 0, 15), seq("ab", 0, 5)); /* nowhere */
    bench_rec(&bb, "C", seq("qc", 0, 8), seq("ac", 0, 4));  /* 12 tokens */
    bench_rec(&bb, "D", seq("qd", 0, 4), seq("ad", 0, 3));  /* 7 tokens */
    bench_rec(&bb, "E", seq("qe", 0, 3), seq("ae", 0, 1));  /* 4 tokens */
    bench_set *b = bench_from("g3/bench.jsonl", &bb);
    char t[4096];
    snprintf(t, sizeof t, "intro words %s trailing stuff", seq("qa", 0, 15));
    corpus_rec(&cb, t);
    snprintf(t, sizeof t, "x %s %s y", seq("qd", 0, 4), seq("ad", 0, 3));
    corpus_rec(&cb, t);
    snprintf(t, sizeof t, "%s %s", seq("qe", 0, 3), seq("ae", 0, 1));
    corpus_rec(&cb, t);
    snprintf(t, sizeof t, "%s %s", seq("qc", 0, 8), seq("ac", 0, 4));
    corpus_rec(&cb, t);
    const char *files[] = {put_buf("g3/c.jsonl", &cb)};

    scan_options o;
    scan_options_init(&o);
    assert_string_equal(o.methods[0].name, "gpt3");
    assert_int_equal(o.methods[0].n, 13);
    assert_int_equal(o.methods[0].corpus_df, 10);
    assert_int_equal(o.bench_df, 10);
    assert_int_equal(o.max_matches, 5);
    o.threads = 1;
    scan_result *r = run(b, files, 1, &o);
    assert_int_equal(r->nitems, 5);
    assert_int_equal(r->docs, 4);
    assert_int_equal(r->records, 4);
    assert_int_equal(r->bad_records, 0);

    const scan_item_stats *s = ST(r, b, "A", 0);
    CHECK(s, 20, 8, 3, 15, 15, SCAN_DIRTY);
    assert_int_equal(s->q_tokens, 15);
    assert_int_equal(s->q_covered, 15);
    assert_int_equal(s->a_tokens, 5);
    assert_int_equal(s->a_covered, 0);
    assert_int_equal(s->boilerplate, 0);
    assert_int_equal(s->frequent, 0);
    assert_int_equal(s->df_min, 1);
    assert_int_equal(s->df_max, 1);
    assert_int_equal(s->whole, 0);

    s = ST(r, b, "B", 0);
    CHECK(s, 20, 8, 0, 0, 0, SCAN_CLEAN);
    assert_int_equal(s->df_min, 0);
    assert_int_equal(s->df_max, 0);
    assert_int_equal(r->nmatches[item_index(b, "B")], 0);

    s = ST(r, b, "C", 0);
    CHECK(s, 12, 0, 0, 0, 0, SCAN_TOO_SHORT);
    assert_int_equal(s->q_tokens, 8);
    assert_int_equal(s->a_tokens, 4);
    CHECK(ST(r, b, "D", 0), 7, 0, 0, 0, 0, SCAN_TOO_SHORT);
    CHECK(ST(r, b, "E", 0), 4, 0, 0, 0, 0, SCAN_TOO_SHORT);
    assert_int_equal(r->table_grams[0], 16);
    assert_int_equal(r->nmatches[item_index(b, "A")], 1);
    scan_result_free(r);

    /* --short whole: 5..12-token items are one whole gram each. */
    o.short_whole = 1;
    r = run(b, files, 1, &o);
    CHECK(ST(r, b, "A", 0), 20, 8, 3, 15, 15, SCAN_DIRTY);
    s = ST(r, b, "C", 0);
    CHECK(s, 12, 1, 1, 12, 12, SCAN_DIRTY);
    assert_int_equal(s->whole, 1);
    s = ST(r, b, "D", 0);
    CHECK(s, 7, 1, 1, 7, 7, SCAN_DIRTY);
    assert_int_equal(s->whole, 1);
    assert_int_equal(s->q_covered, 4);
    assert_int_equal(s->a_covered, 3);
    s = ST(r, b, "E", 0);
    CHECK(s, 4, 0, 0, 0, 0, SCAN_TOO_SHORT);
    assert_int_equal(s->whole, 0);
    assert_int_equal(r->table_grams[0], 18);
    /* provenance for a whole match spans the whole item */
    size_t d = item_index(b, "D");
    assert_int_equal(r->nmatches[d], 1);
    assert_int_equal(r->matches[d][0].record, 2);
    assert_int_equal(r->matches[d][0].tok_start, 0);
    assert_int_equal(r->matches[d][0].tok_end, 7);
    assert_int_equal(r->matches[d][0].byte_start, 0);
    assert_int_equal(r->matches[d][0].byte_end, b->items[d].text_len);
    assert_int_equal(r->matches[d][0].text_offset, 2);
    scan_result_free(r);

    /* no corpus document at all would call every item clean: an error */
    contam_err err;
    r = (scan_result *)1;
    assert_int_equal(scan_run(b, files, 0, &o, &r, &err), CONTAM_ERR_EMPTY);
    assert_null(r);
    contam_buf_reset(&cb);
    bprintf(&cb, "\n{\"body\":\"x\"}\n{\"body\":\"y\"}\n");
    const char *wrong = put_buf("g3/wrong-field.jsonl", &cb);
    assert_int_equal(scan_run(b, &wrong, 1, &o, &r, &err), CONTAM_ERR_FIELD);
    assert_string_equal(err.file, wrong);
    assert_non_null(strstr(err.msg, "text"));

    assert_string_equal(scan_verdict_name(SCAN_CLEAN), "clean");
    assert_string_equal(scan_verdict_name(SCAN_DIRTY), "dirty");
    assert_string_equal(scan_verdict_name(SCAN_TOO_SHORT), "too_short");
    assert_string_equal(scan_verdict_name(SCAN_NOT_CLEAN), "not_clean");
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&cb);
}

/* ---- normalization ------------------------------------------------------------------ */

static void test_normalization(void **state)
{
    (void)state;
    contam_buf bb = {0}, cb = {0};
    /* 15 word tokens: the quick brown foxs friend didnt jump over the lazy dog said
     * émile fish today */
    bprintf(&bb, "{\"id\":\"N\",\"question\":\"The Quick brown fox's friend didn't jump over "
                 "the \\u201clazy\\u201d dog,\",\"answer\":\"said \\u00c9mile: fish today.\"}\n");
    /* lmeval: ASCII-only lowercasing and ASCII punctuation */
    bprintf(&bb, "{\"id\":\"L\",\"question\":\"we don't know what the answer to this\","
                 "\"answer\":\"question is going to be\"}\n");
    bprintf(&bb, "{\"id\":\"L2\",\"question\":\"Where is PARIS located in the world of today\","
                 "\"answer\":\"tell me now please\"}\n");
    bprintf(&bb, "{\"id\":\"L3\",\"question\":\"\\u00c9mile wrote a letter to his friend in the\","
                 "\"answer\":\"city of lyon ok\"}\n");
    bench_set *b = bench_from("norm/bench.jsonl", &bb);
    /* case, curly quotes, NFKC ligature, extra punctuation, standalone dashes */
    bprintf(&cb, "{\"text\":\"THE QUICK Brown FOX\\u2019S friend -- didn\\u2019t jump, over "
                 "the \\\"lazy\\\" DOG... \\u2014 said \\u00c9MILE \\ufb01sh today!\"}\n");
    corpus_rec(&cb, "we don\\u2019t know what the answer to this question is going to be");
    corpus_rec(&cb, "where is paris located in the world of today tell me now please");
    corpus_rec(&cb, "\\u00e9mile wrote a letter to his friend in the city of lyon ok");
    const char *files[] = {put_buf("norm/c.jsonl", &cb)};
    scan_options o;
    scan_options_init(&o);
    set_methods(&o, "gpt3,lmeval", 10);
    o.threads = 2;
    scan_result *r = run(b, files, 1, &o);
    CHECK(ST(r, b, "N", 0), 15, 3, 3, 15, 15, SCAN_DIRTY);
    /* lmeval keeps case and non-ASCII punctuation: nothing matches */
    assert_int_equal(ST(r, b, "N", 1)->matched, 0);
    assert_int_equal(ST(r, b, "N", 1)->verdict, SCAN_CLEAN);
    /* "don't" vs "don’t": gpt3 deletes both apostrophes, lmeval only the ASCII one */
    CHECK(ST(r, b, "L", 0), 13, 1, 1, 13, 13, SCAN_DIRTY);
    CHECK(ST(r, b, "L", 1), 13, 1, 0, 0, 0, SCAN_CLEAN);
    /* ASCII case folding is common to both */
    CHECK(ST(r, b, "L2", 0), 13, 1, 1, 13, 13, SCAN_DIRTY);
    CHECK(ST(r, b, "L2", 1), 13, 1, 1, 13, 13, SCAN_DIRTY);
    /* É vs é: only gpt3 folds non-ASCII case */
    CHECK(ST(r, b, "L3", 0), 13, 1, 1, 13, 13, SCAN_DIRTY);
    CHECK(ST(r, b, "L3", 1), 13, 1, 0, 0, 0, SCAN_CLEAN);
    scan_result_free(r);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&cb);

    /* digits_zero: every digit becomes 0, so other numbers match */
    bench_rec(&bb, "Y", "in the year 1999 the team of 12 people won 3 of", "the 4 cups");
    b = bench_from("norm/digits.jsonl", &bb);
    corpus_rec(&cb, "in the year 2023 the team of 45 people won 7 of the 9 cups");
    files[0] = put_buf("norm/digits-c.jsonl", &cb);
    scan_options_init(&o);
    o.threads = 1;
    r = run(b, files, 1, &o);
    CHECK(&r->stats[0], 15, 3, 0, 0, 0, SCAN_CLEAN);
    scan_result_free(r);
    o.digits_zero = 1;
    r = run(b, files, 1, &o);
    CHECK(&r->stats[0], 15, 3, 3, 15, 15, SCAN_DIRTY);
    scan_result_free(r);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&cb);
}

/* ---- corpus document frequency (gpt3) ------------------------------------------------- */

static void test_corpus_df(void **state)
{
    (void)state;
    contam_buf bb = {0}, cb = {0};
    bench_rec(&bb, "F11", seq("fa", 0, 10), seq("fa", 10, 13));
    bench_rec(&bb, "F10", seq("fb", 0, 10), seq("fb", 10, 13));
    bench_set *b = bench_from("df/bench.jsonl", &bb);
    char t[4096];
    for (int k = 0; k < 11; k++) {
        snprintf(t, sizeof t, "doc %s %s", seq("zz", k, k + 1), seq("fa", 0, 13));
        corpus_rec(&cb, t);
    }
    for (int k = 0; k < 10; k++) {
        /* the first document holds the gram twice: it still counts once */
        if (k == 0)
            snprintf(t, sizeof t, "%s and %s", seq("fb", 0, 13), seq("fb", 0, 13));
        else
            snprintf(t, sizeof t, "doc %s %s", seq("zy", k, k + 1), seq("fb", 0, 13));
        corpus_rec(&cb, t);
    }
    const char *files[] = {put_buf("df/c.jsonl", &cb)};
    scan_options o;
    scan_options_init(&o);
    set_methods(&o, "gpt3,lmeval", 10);
    o.threads = 1;
    scan_result *r = run(b, files, 1, &o);
    const scan_item_stats *s = ST(r, b, "F11", 0);
    CHECK(s, 13, 1, 0, 0, 0, SCAN_CLEAN);
    assert_int_equal(s->frequent, 1);
    assert_int_equal(s->df_min, 0);
    assert_int_equal(r->nmatches[item_index(b, "F11")], 0);
    s = ST(r, b, "F10", 0);
    CHECK(s, 13, 1, 1, 13, 13, SCAN_DIRTY);
    assert_int_equal(s->frequent, 0);
    assert_int_equal(s->df_min, 10);
    assert_int_equal(s->df_max, 10);
    assert_int_equal(r->nmatches[item_index(b, "F10")], 5);
    assert_int_equal(r->frequent_grams[0], 1);
    /* lmeval has no corpus filter */
    s = ST(r, b, "F11", 1);
    CHECK(s, 13, 1, 1, 13, 13, SCAN_DIRTY);
    assert_int_equal(s->df_max, 11);
    assert_int_equal(r->frequent_grams[1], 0);
    scan_result_free(r);

    /* raising the limit to 11 keeps the gram */
    set_methods(&o, "gpt3", 11);
    r = run(b, files, 1, &o);
    CHECK(ST(r, b, "F11", 0), 13, 1, 1, 13, 13, SCAN_DIRTY);
    assert_int_equal(r->frequent_grams[0], 0);
    scan_result_free(r);
    /* 0 disables the filter */
    set_methods(&o, "gpt3", 0);
    r = run(b, files, 1, &o);
    assert_int_equal(o.methods[0].corpus_df, 0);
    CHECK(ST(r, b, "F11", 0), 13, 1, 1, 13, 13, SCAN_DIRTY);
    scan_result_free(r);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&cb);
}

/* ---- benchmark boilerplate ----------------------------------------------------------- */

static void test_boilerplate(void **state)
{
    (void)state;
    contam_buf bb = {0}, cb = {0};
    char id[16], pre[8];
    for (int k = 0; k < 11; k++) {
        snprintf(id, sizeof id, "bp%d", k);
        snprintf(pre, sizeof pre, "u%c", 'a' + k);
        bench_rec(&bb, id, seq("bo", 0, 13), seq(pre, 0, 5));
    }
    bench_rec(&bb, "Z", seq("zq", 0, 10), seq("zq", 10, 14));
    bench_set *b = bench_from("bp/bench.jsonl", &bb);
    char t[4096];
    snprintf(t, sizeof t, "%s filler", seq("bo", 0, 13));
    corpus_rec(&cb, t);
    corpus_rec(&cb, seq("zq", 0, 14));
    const char *files[] = {put_buf("bp/c.jsonl", &cb)};
    scan_options o;
    scan_options_init(&o);
    set_methods(&o, "gpt3,lmeval", 10);
    o.threads = 2;
    scan_result *r = run(b, files, 1, &o);
    for (int k = 0; k < 11; k++) {
        snprintf(id, sizeof id, "bp%d", k);
        const scan_item_stats *s = ST(r, b, id, 0);
        CHECK(s, 18, 6, 0, 0, 0, SCAN_CLEAN);
        assert_int_equal(s->boilerplate, 1);
        s = ST(r, b, id, 1);
        CHECK(s, 18, 6, 1, 13, 13, SCAN_DIRTY);
        assert_int_equal(s->boilerplate, 0);
    }
    CHECK(ST(r, b, "Z", 0), 14, 2, 2, 14, 14, SCAN_DIRTY);
    assert_int_equal(r->boiler_windows[0], 11);
    assert_int_equal(r->boiler_windows[1], 0);
    assert_int_equal(r->nboiler[0], 1);
    assert_int_equal(r->boiler[0][0].items, 11);
    assert_int_equal(r->boiler[0][0].item, 0);
    assert_int_equal(r->boiler[0][0].tok, 0);
    assert_string_equal(r->boiler[0][0].text, seq("bo", 0, 13));
    assert_int_equal(r->nboiler[1], 0);
    /* 11 items * 6 windows - 10 duplicates + Z's 2 */
    assert_int_equal(r->table_grams[0], 11 * 6 - 10 + 2);
    scan_result_free(r);

    /* bench_df 11: a gram in 11 items is no longer boilerplate */
    o.bench_df = 11;
    r = run(b, files, 1, &o);
    CHECK(ST(r, b, "bp3", 0), 18, 6, 1, 13, 13, SCAN_DIRTY);
    assert_int_equal(ST(r, b, "bp3", 0)->boilerplate, 0);
    assert_int_equal(r->nboiler[0], 0);
    assert_int_equal(r->boiler_windows[0], 0);
    scan_result_free(r);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&cb);
}

/* ---- palm, llama2 ---------------------------------------------------------------------- */

/* Item id of n tokens seq(p, 0, n) (last two tokens are the answer); the
 * corpus gets one record with the first `in` tokens. */
static void prefix_item(contam_buf *bb, contam_buf *cb, const char *id, const char *p, int n,
                        int in)
{
    bench_rec(bb, id, seq(p, 0, n - 2), seq(p, n - 2, n));
    if (in > 0)
        corpus_rec(cb, seq(p, 0, in));
}

static void test_palm(void **state)
{
    (void)state;
    contam_buf bb = {0}, cb = {0};
    prefix_item(&bb, &cb, "P70", "pa", 17, 14); /* 7 of 10 8-grams */
    prefix_item(&bb, &cb, "P60", "pb", 17, 13); /* 6 of 10 */
    prefix_item(&bb, &cb, "P100", "pc", 8, 8);  /* the single window */
    prefix_item(&bb, &cb, "P7", "pd", 7, 7);    /* too short */
    bench_set *b = bench_from("palm/bench.jsonl", &bb);
    const char *files[] = {put_buf("palm/c.jsonl", &cb)};
    scan_options o;
    scan_options_init(&o);
    set_methods(&o, "palm", 10);
    assert_int_equal(o.methods[0].n, 8);
    o.threads = 1;
    scan_result *r = run(b, files, 1, &o);
    CHECK(ST(r, b, "P70", 0), 17, 10, 7, 14, 14, SCAN_DIRTY);
    CHECK(ST(r, b, "P60", 0), 17, 10, 6, 13, 13, SCAN_CLEAN);
    CHECK(ST(r, b, "P100", 0), 8, 1, 1, 8, 8, SCAN_DIRTY);
    CHECK(ST(r, b, "P7", 0), 7, 0, 0, 0, 0, SCAN_TOO_SHORT);
    scan_result_free(r);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&cb);
}

static void test_llama2(void **state)
{
    (void)state;
    contam_buf bb = {0}, cb = {0};
    prefix_item(&bb, &cb, "low", "la", 60, 10);  /* 16.7% */
    prefix_item(&bb, &cb, "at20", "lb", 50, 10); /* 20% */
    prefix_item(&bb, &cb, "mid", "lc", 20, 10);  /* 50% */
    prefix_item(&bb, &cb, "at75", "le", 20, 15); /* 75% */
    prefix_item(&bb, &cb, "at80", "ld", 20, 16); /* 80% */
    prefix_item(&bb, &cb, "none", "lf", 20, 0);
    bench_set *b = bench_from("llama/bench.jsonl", &bb);
    const char *files[] = {put_buf("llama/c.jsonl", &cb)};
    scan_options o;
    scan_options_init(&o);
    set_methods(&o, "llama2", 10);
    o.threads = 1;
    scan_result *r = run(b, files, 1, &o);
    CHECK(ST(r, b, "low", 0), 60, 51, 1, 10, 10, SCAN_CLEAN);
    CHECK(ST(r, b, "at20", 0), 50, 41, 1, 10, 10, SCAN_NOT_CLEAN);
    CHECK(ST(r, b, "mid", 0), 20, 11, 1, 10, 10, SCAN_NOT_CLEAN);
    CHECK(ST(r, b, "at75", 0), 20, 11, 6, 15, 15, SCAN_NOT_CLEAN);
    CHECK(ST(r, b, "at80", 0), 20, 11, 7, 16, 16, SCAN_DIRTY);
    CHECK(ST(r, b, "none", 0), 20, 11, 0, 0, 0, SCAN_CLEAN);
    assert_int_equal(ST(r, b, "at80", 0)->a_covered, 0);
    assert_int_equal(ST(r, b, "at80", 0)->q_covered, 16);
    scan_result_free(r);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&cb);
}

/* ---- gpt4 ------------------------------------------------------------------------------- */

static void test_gpt4(void **state)
{
    (void)state;
    contam_buf bb = {0}, cb = {0};
    bench_rec(&bb, "G", seq("ga", 0, 40), seq("ga", 40, 50));  /* 200 characters */
    bench_rec(&bb, "G2", seq("gb", 0, 40), seq("gb", 40, 50)); /* not in the corpus */
    bench_rec(&bb, "G3", "abc def", "ghi");                    /* 9 characters */
    bench_rec(&bb, "G4", seq("gd", 0, 10), seq("gd", 10, 13)); /* 52: all 3 windows */
    bench_set *b = bench_from("gpt4/bench.jsonl", &bb);
    char t[4096];
    snprintf(t, sizeof t, "%s %s", seq("ga", 0, 40), seq("ga", 40, 50));
    corpus_rec(&cb, t);
    snprintf(t, sizeof t, "%s gd", seq("gd", 0, 12)); /* the first 50 characters of G4 */
    corpus_rec(&cb, t);
    const char *files[] = {put_buf("gpt4/c.jsonl", &cb)};
    scan_options o;
    scan_options_init(&o);
    set_methods(&o, "gpt4", 10);
    assert_int_equal(o.methods[0].unit, NGRAM_UNIT_CHAR);
    assert_int_equal(o.methods[0].n, 50);
    assert_int_equal(o.methods[0].samples, 3);
    o.threads = 2;
    scan_result *r1 = run(b, files, 1, &o);
    scan_result *r2 = run(b, files, 1, &o);
    size_t g = item_index(b, "G");
    const scan_item_stats *s = &r1->stats[g];
    assert_int_equal(s->tokens, 200);
    assert_int_equal(s->ngrams, 3);
    assert_int_equal(s->matched, 3);
    assert_int_equal(s->verdict, SCAN_DIRTY);
    assert_true(s->covered >= 50 && s->covered <= 150);
    assert_memory_equal(&r1->stats[g], &r2->stats[g], sizeof *s);
    assert_int_equal(r1->nmatches[g], 1);
    assert_int_equal(r2->nmatches[g], 1);
    assert_int_equal(r1->matches[g][0].tok_start, r2->matches[g][0].tok_start);
    assert_int_equal(r1->matches[g][0].tok_end, r2->matches[g][0].tok_end);
    assert_true(r1->matches[g][0].tok_end - r1->matches[g][0].tok_start >= 50);
    CHECK(ST(r1, b, "G2", 0), 200, 3, 0, 0, 0, SCAN_CLEAN);
    CHECK(ST(r1, b, "G3", 0), 9, 0, 0, 0, 0, SCAN_TOO_SHORT);
    CHECK(ST(r1, b, "G4", 0), 52, 3, 1, 50, 50, SCAN_DIRTY);
    scan_result_free(r1);
    scan_result_free(r2);

    /* Other seeds draw other windows (the hash seed changes too, but the whole
     * item is in the corpus, so every sampled window still matches). */
    uint32_t first_start = 0, first_cov = 0;
    int differs = 0;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        o.seed = seed;
        scan_result *r = run(b, files, 1, &o);
        assert_int_equal(r->stats[g].matched, 3);
        assert_int_equal(r->stats[g].verdict, SCAN_DIRTY);
        assert_int_equal(r->nmatches[g], 1);
        if (seed == 1) {
            first_start = r->matches[g][0].tok_start;
            first_cov = r->stats[g].covered;
        } else if (r->matches[g][0].tok_start != first_start ||
                   r->stats[g].covered != first_cov) {
            differs = 1;
        }
        scan_result_free(r);
    }
    assert_true(differs);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&cb);
}

/* ---- provenance -------------------------------------------------------------------------- */

static void test_provenance(void **state)
{
    (void)state;
    contam_buf bb = {0}, c0 = {0}, c1 = {0};
    bench_rec(&bb, "P", seq("pv", 0, 10), seq("pv", 10, 16)); /* token k at byte 5k */
    bench_rec(&bb, "Q", seq("pw", 0, 10), seq("pw", 10, 13));
    bench_rec(&bb, "R", seq("pr", 0, 10), seq("pr", 10, 13));
    bench_set *b = bench_from("prov/bench.jsonl", &bb);
    char t[8192];
    uint64_t off0[5], off1[12];
    off0[1] = c0.size;
    bprintf(&c0, "{\"text\":\"nothing here\",\"meta\":{\"src\":\"s1\"}}\n");
    off0[2] = c0.size;
    bprintf(&c0, "{\"text\":\"lead words %s tail\",\"meta\":{\"src\":\"s2\"}}\n",
            seq("pv", 0, 13));
    bprintf(&c0, "\n");
    off0[4] = c0.size;
    bprintf(&c0, "{\"meta\":{\"src\":\"s4\"},\"text\":\"the start %s\"}\n", seq("pv", 3, 16));
    off1[1] = c1.size;
    bprintf(&c1, "{\"text\":\"x\\ty %s\",\"meta\":{\"src\":42}}\n", seq("pv", 0, 16));
    off1[2] = c1.size;
    corpus_rec(&c1, seq("pv", 0, 13));
    for (int k = 3; k <= 9; k++) {
        off1[k] = c1.size;
        bprintf(&c1, "{\"text\":\"%d %s\",\"meta\":{\"src\":\"q%d\"}}\n", k, seq("pw", 0, 13),
                k);
    }
    /* a long document: the snippet is cut on both sides */
    char filler[400];
    snprintf(filler, sizeof filler, "%s", seq("fi", 0, 80)); /* 80 * 5 - 1 = 399 bytes */
    off1[10] = c1.size;
    snprintf(t, sizeof t, "%s %s %s", filler, seq("pr", 0, 13), filler);
    corpus_rec(&c1, t);
    const char *files[] = {put_buf("prov/c0.jsonl", &c0), put_buf("prov/c1.jsonl", &c1)};

    scan_options o;
    scan_options_init(&o);
    o.doc_field = "meta.src";
    o.threads = 2;
    scan_result *r = run(b, files, 2, &o);
    assert_int_equal(r->files[0].blank, 1);
    assert_int_equal(r->files[0].docs, 3);
    assert_int_equal(r->files[1].docs, 10);
    size_t p = item_index(b, "P");
    const bench_item *it = &b->items[p];
    CHECK(&r->stats[p], 16, 4, 4, 16, 16, SCAN_DIRTY);
    assert_int_equal(r->stats[p].df_max, 3); /* window 0: c0:2, c1:1, c1:2 */
    assert_int_equal(r->nmatches[p], 4);
    const scan_match *m = r->matches[p];
    struct {
        uint32_t file;
        uint64_t record, offset, text_offset;
        uint32_t ts, te;
        const char *doc;
    } want[4] = {
        {0, 2, off0[2], 11, 0, 13, "s2"},
        {0, 4, off0[4], 10, 3, 16, "s4"},
        {1, 1, off1[1], 4, 0, 16, "42"},
        {1, 2, off1[2], 0, 0, 13, NULL},
    };
    for (int k = 0; k < 4; k++) {
        assert_int_equal(m[k].file, want[k].file);
        assert_int_equal(m[k].record, want[k].record);
        assert_int_equal(m[k].offset, want[k].offset);
        assert_int_equal(m[k].text_offset, want[k].text_offset);
        assert_int_equal(m[k].tok_start, want[k].ts);
        assert_int_equal(m[k].tok_end, want[k].te);
        assert_int_equal(m[k].byte_start, 5 * want[k].ts);
        assert_int_equal(m[k].byte_end, 5 * (want[k].te - 1) + 4);
        if (want[k].doc)
            assert_string_equal(m[k].doc, want[k].doc);
        else
            assert_null(m[k].doc);
        /* the item bytes of the span are the matched words */
        char words[2048];
        snprintf(words, sizeof words, "%.*s", (int)(m[k].byte_end - m[k].byte_start),
                 it->text + m[k].byte_start);
        for (char *c = words; *c; c++)
            if (*c == '\n')
                *c = ' ';
        assert_string_equal(words, seq("pv", (int)want[k].ts, (int)want[k].te));
        assert_non_null(m[k].snippet);
    }
    assert_non_null(strstr(m[0].snippet, seq("pv", 0, 13)));
    assert_non_null(strstr(m[0].snippet, "lead words"));
    assert_non_null(strstr(m[1].snippet, seq("pv", 3, 16)));
    assert_non_null(strstr(m[2].snippet, "x y pvaa")); /* whitespace collapsed */

    /* max_matches: Q is in 7 documents, the first 5 are kept */
    size_t q = item_index(b, "Q");
    assert_int_equal(r->stats[q].df_max, 7);
    assert_int_equal(r->nmatches[q], 5);
    for (int k = 0; k < 5; k++) {
        assert_int_equal(r->matches[q][k].file, 1);
        assert_int_equal(r->matches[q][k].record, (uint64_t)k + 3);
        assert_int_equal(r->matches[q][k].offset, off1[k + 3]);
        assert_int_equal(r->matches[q][k].text_offset, 2);
        char d[16];
        snprintf(d, sizeof d, "q%d", k + 3);
        assert_string_equal(r->matches[q][k].doc, d);
    }
    /* long document: context around the match, cut with "..." */
    size_t rr = item_index(b, "R");
    assert_int_equal(r->nmatches[rr], 1);
    const scan_match *mr = &r->matches[rr][0];
    assert_int_equal(mr->record, 10);
    assert_int_equal(mr->offset, off1[10]);
    assert_int_equal(mr->text_offset, 400);
    assert_null(mr->doc);
    assert_true(!strncmp(mr->snippet, "...", 3));
    assert_true(strlen(mr->snippet) > 3 &&
                !strcmp(mr->snippet + strlen(mr->snippet) - 3, "..."));
    assert_non_null(strstr(mr->snippet, seq("pr", 0, 13)));
    assert_true(strlen(mr->snippet) < 64 + 2 * 80 + 8);
    scan_result_free(r);

    o.max_matches = 2;
    r = run(b, files, 2, &o);
    assert_int_equal(r->nmatches[p], 2);
    assert_int_equal(r->matches[p][0].record, 2);
    assert_int_equal(r->matches[p][1].record, 4);
    assert_int_equal(r->matches[p][1].file, 0);
    assert_int_equal(r->nmatches[q], 2);
    assert_int_equal(r->matches[q][1].record, 4);
    scan_result_free(r);

    /* invalid option values */
    contam_err err;
    o.max_matches = 0;
    assert_int_equal(scan_run(b, files, 2, &o, &r, &err), CONTAM_ERR_ARG);
    assert_null(r);
    o.max_matches = 5;
    o.text_field = "";
    assert_int_equal(scan_run(b, files, 2, &o, &r, &err), CONTAM_ERR_ARG);
    assert_null(r);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&c0);
    contam_buf_free(&c1);
}

/* ---- determinism over thread counts ----------------------------------------------------- */

static uint64_t lcg(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *s >> 33;
}

/* A corpus file of nrec records; every `every`-th one holds part of an item. */
static void gen_corpus(contam_buf *c, int nrec, int every, uint64_t seed)
{
    static const char *const pre[6] = {"da", "db", "dc", "dd", "de", "df"};
    for (int j = 1; j <= nrec; j++) {
        uint64_t v = lcg(&seed);
        if (j % every == 0) {
            int it = (int)(v % 6), s = (int)(v / 6 % 7), len = 10 + (int)(v / 42 % 10);
            if (s + len > 20)
                len = 20 - s;
            bprintf(c, "{\"text\":\"r%d %s end\",\"id\":%d}\n", j, seq(pre[it], s, s + len),
                    j);
        } else {
            bprintf(c, "{\"text\":\"r%d w%llu x%llu\",\"id\":%d}\n", j,
                    (unsigned long long)(v % 1000), (unsigned long long)(v % 77), j);
        }
    }
}

static void same_results(const scan_result *a, const scan_result *b)
{
    assert_int_equal(a->nitems, b->nitems);
    assert_int_equal(a->docs, b->docs);
    assert_int_equal(a->bytes, b->bytes);
    assert_int_equal(a->raw_bytes, b->raw_bytes);
    assert_int_equal(a->records, b->records);
    assert_int_equal(a->bad_records, b->bad_records);
    assert_int_equal(a->nfailed, b->nfailed);
    size_t nm = a->opt.nmethods;
    for (size_t k = 0; k < a->nitems * nm; k++) {
        const scan_item_stats *x = &a->stats[k], *y = &b->stats[k];
        assert_int_equal(x->tokens, y->tokens);
        assert_int_equal(x->ngrams, y->ngrams);
        assert_int_equal(x->boilerplate, y->boilerplate);
        assert_int_equal(x->frequent, y->frequent);
        assert_int_equal(x->matched, y->matched);
        assert_int_equal(x->covered, y->covered);
        assert_int_equal(x->longest, y->longest);
        assert_int_equal(x->q_tokens, y->q_tokens);
        assert_int_equal(x->q_covered, y->q_covered);
        assert_int_equal(x->a_tokens, y->a_tokens);
        assert_int_equal(x->a_covered, y->a_covered);
        assert_int_equal(x->df_min, y->df_min);
        assert_int_equal(x->df_max, y->df_max);
        assert_int_equal(x->verdict, y->verdict);
        assert_int_equal(x->whole, y->whole);
    }
    for (size_t i = 0; i < a->nitems; i++) {
        assert_int_equal(a->nmatches[i], b->nmatches[i]);
        for (size_t k = 0; k < a->nmatches[i]; k++) {
            const scan_match *x = &a->matches[i][k], *y = &b->matches[i][k];
            assert_int_equal(x->file, y->file);
            assert_int_equal(x->record, y->record);
            assert_int_equal(x->offset, y->offset);
            assert_int_equal(x->text_offset, y->text_offset);
            assert_int_equal(x->tok_start, y->tok_start);
            assert_int_equal(x->tok_end, y->tok_end);
            assert_int_equal(x->byte_start, y->byte_start);
            assert_int_equal(x->byte_end, y->byte_end);
            assert_true((x->doc == NULL) == (y->doc == NULL));
            if (x->doc)
                assert_string_equal(x->doc, y->doc);
            assert_string_equal(x->snippet, y->snippet);
        }
    }
    assert_int_equal(a->nfiles, b->nfiles);
    for (size_t f = 0; f < a->nfiles; f++) {
        const scan_file_stats *x = &a->files[f], *y = &b->files[f];
        assert_string_equal(x->path, y->path);
        assert_string_equal(x->checksum, y->checksum);
        assert_string_equal(x->format, y->format);
        assert_int_equal(x->raw_bytes, y->raw_bytes);
        assert_int_equal(x->bytes, y->bytes);
        assert_int_equal(x->records, y->records);
        assert_int_equal(x->docs, y->docs);
        assert_int_equal(x->bad_json, y->bad_json);
        assert_int_equal(x->missing_field, y->missing_field);
        assert_int_equal(x->invalid_utf8, y->invalid_utf8);
        assert_int_equal(x->blank, y->blank);
        assert_int_equal(x->failed, y->failed);
        assert_int_equal(x->nbad, y->nbad);
        for (size_t k = 0; k < x->nbad; k++) {
            assert_int_equal(x->bad[k].line, y->bad[k].line);
            assert_string_equal(x->bad[k].reason, y->bad[k].reason);
        }
    }
    for (size_t m = 0; m < nm; m++) {
        assert_int_equal(a->nboiler[m], b->nboiler[m]);
        for (size_t k = 0; k < a->nboiler[m]; k++) {
            assert_int_equal(a->boiler[m][k].item, b->boiler[m][k].item);
            assert_int_equal(a->boiler[m][k].items, b->boiler[m][k].items);
            assert_string_equal(a->boiler[m][k].text, b->boiler[m][k].text);
        }
        assert_int_equal(a->boiler_windows[m], b->boiler_windows[m]);
        assert_int_equal(a->frequent_grams[m], b->frequent_grams[m]);
        assert_int_equal(a->table_grams[m], b->table_grams[m]);
    }
}

typedef struct {
    int calls;
    scan_progress last;
} progress_log;

static void on_progress(const scan_progress *p, void *user)
{
    progress_log *l = user;
    l->calls++;
    l->last = *p;
}

static void test_determinism_threads(void **state)
{
    (void)state;
    static const char *const pre[6] = {"da", "db", "dc", "dd", "de", "df"};
    contam_buf bb = {0}, c = {0};
    char id[16];
    for (int k = 0; k < 6; k++) {
        snprintf(id, sizeof id, "D%d", k);
        bench_rec(&bb, id, seq(pre[k], 0, 15), seq(pre[k], 15, 20));
    }
    /* some bad records, so bad[] sampling is compared too */
    bprintf(&bb, "{\"id\":\"S\",\"question\":\"short one\",\"answer\":\"x\"}\n");
    bench_set *b = bench_from("det/bench.jsonl", &bb);
    const char *files[6];
    gen_corpus(&c, 40000, 397, 1); /* 3 batches of <= 16384 records */
    files[0] = put_buf("det/big.jsonl", &c);
    contam_buf_reset(&c);
    gen_corpus(&c, 20000, 211, 2);
    files[1] = put_zst("det/a.jsonl.zst", &c, 0);
    contam_buf_reset(&c);
    gen_corpus(&c, 3000, 101, 3);
    files[2] = put_gz("det/b.jsonl.gz", &c);
    contam_buf_reset(&c);
    for (int k = 0; k < 30; k++) {
        if (k % 7 == 3)
            bprintf(&c, "{broken %d\n", k);
        else
            bprintf(&c, "{\"text\":\"line %d %s\"}\n", k, seq(pre[k % 6], 0, 14));
    }
    files[3] = put_buf("det/c.jsonl", &c);
    contam_buf_reset(&c);
    bprintf(&c, "%s\n%s\n", seq("db", 2, 9), seq("db", 9, 20));
    files[4] = put_buf("det/d.txt", &c);
    contam_buf_reset(&c);
    gen_corpus(&c, 500, 5, 4);
    files[5] = put_buf("det/e.jsonl", &c);

    scan_options o;
    scan_options_init(&o);
    set_methods(&o, "gpt3,palm,llama2,lmeval", 10);
    o.doc_field = "id";
    scan_result *r[3];
    for (int th = 1; th <= 3; th++) {
        o.threads = th;
        r[th - 1] = run(b, files, 6, &o);
    }
    same_results(r[0], r[1]);
    same_results(r[0], r[2]);
    /* sanity: the fixture exercises what it should */
    const scan_result *x = r[0];
    assert_int_equal(x->files[0].records, 40000);
    assert_int_equal(x->files[0].docs, 40000);
    assert_int_equal(x->files[1].docs, 20000);
    assert_string_equal(x->files[1].format, "zstd");
    assert_string_equal(x->files[2].format, "gzip");
    assert_int_equal(x->files[3].bad_json, 4);
    assert_int_equal(x->files[4].docs, 1);
    assert_int_equal(x->docs, 40000 + 20000 + 3000 + 26 + 1 + 500);
    size_t nm = x->opt.nmethods;
    /* gpt3 ignores the grams found in more than 10 documents; lmeval keeps them */
    assert_true(x->frequent_grams[0] > 0);
    int late = 0;
    for (int k = 0; k < 6; k++) {
        const scan_item_stats *lm = &x->stats[k * nm + 3];
        assert_int_equal(lm->verdict, SCAN_DIRTY);
        assert_true(lm->df_max > 10);
        assert_true(x->stats[k * nm].frequent > 0);
        for (size_t j = 0; j < x->nmatches[k]; j++) {
            late |= x->matches[k][j].file == 0 && x->matches[k][j].record > 16384;
            if (j > 0)
                assert_true(x->matches[k][j - 1].file < x->matches[k][j].file ||
                            (x->matches[k][j - 1].file == x->matches[k][j].file &&
                             x->matches[k][j - 1].record < x->matches[k][j].record));
        }
    }
    assert_true(late); /* a match found in the second batch of the big file */
    assert_int_equal(x->stats[6 * nm].verdict, SCAN_TOO_SHORT);
    for (int k = 0; k < 3; k++)
        scan_result_free(r[k]);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&c);
}

/* The progress callback's last report is the final state: every file done,
 * every byte and record counted (also those of each file's last, partial
 * batch, and every line of a text file). */
static void test_progress(void **state)
{
    (void)state;
    contam_buf bb = {0}, c = {0};
    bench_rec(&bb, "A", seq("pa", 0, 10), seq("pa", 10, 13));
    bench_set *b = bench_from("progress/bench.jsonl", &bb);
    const char *files[3];
    gen_corpus(&c, 20000, 50, 9); /* one full batch and a partial one */
    files[0] = put_zst("progress/a.jsonl.zst", &c, 0);
    contam_buf_reset(&c);
    gen_corpus(&c, 10, 3, 10);
    files[1] = put_buf("progress/b.jsonl", &c);
    contam_buf_reset(&c);
    bprintf(&c, "one\ntwo\nthree\n");
    files[2] = put_buf("progress/c.txt", &c);
    scan_options o;
    scan_options_init(&o);
    progress_log plog;
    for (int th = 1; th <= 2; th++) {
        memset(&plog, 0, sizeof plog);
        o.progress = on_progress;
        o.progress_user = &plog;
        o.threads = th;
        scan_result *r = run(b, files, 3, &o);
        assert_int_equal(r->records, 20000 + 10 + 3);
        assert_true(plog.calls >= 1);
        assert_int_equal(plog.last.files_total, 3);
        assert_int_equal(plog.last.files_done, 3);
        assert_int_equal(plog.last.raw_total, r->raw_bytes);
        assert_int_equal(plog.last.raw_done, r->raw_bytes);
        assert_int_equal(plog.last.records_done, r->records);
        assert_int_equal(plog.last.bytes_done, r->bytes);
        scan_result_free(r);
    }
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&c);
}

/* ---- bad records, failing files ------------------------------------------------------------ */

static void test_bad_records(void **state)
{
    (void)state;
    contam_buf bb = {0}, c = {0};
    bench_rec(&bb, "A", seq("ba", 0, 10), seq("ba", 10, 13));
    bench_set *b = bench_from("bad/bench.jsonl", &bb);
    bprintf(&c, "{\"text\":\"ok one\"}\n"          /* 1 */
                "{bad json\n"                      /* 2 */
                "{\"other\":\"x\"}\n"              /* 3 */
                "{\"text\":5}\n"                   /* 4 */
                "{\"text\":\"a\"} x\n"             /* 5: trailing data */
                "\n"                               /* 6 */
                "{\"text\":\"%s\"}\n"              /* 7 */
                "{\"text\":\"bad \xff\xfe byte\"}\n", /* 8: invalid UTF-8 */
            seq("ba", 0, 13));
    const char *bad = put_buf("bad/bad.jsonl", &c);
    scan_options o;
    scan_options_init(&o);
    o.threads = 2;
    scan_result *r = run(b, &bad, 1, &o);
    const scan_file_stats *fs = &r->files[0];
    assert_int_equal(fs->records, 8);
    assert_int_equal(fs->docs, 3);
    assert_int_equal(fs->invalid_utf8, 2);
    assert_int_equal(fs->blank, 1);
    assert_int_equal(fs->bad_json, 2);
    assert_int_equal(fs->missing_field, 2);
    assert_int_equal(fs->nbad, 4);
    assert_int_equal(fs->bad[0].line, 2);
    assert_int_equal(fs->bad[1].line, 3);
    assert_int_equal(fs->bad[2].line, 4);
    assert_int_equal(fs->bad[3].line, 5);
    assert_non_null(strstr(fs->bad[0].reason, "invalid JSON"));
    assert_non_null(strstr(fs->bad[1].reason, "text"));
    assert_non_null(strstr(fs->bad[3].reason, "trailing"));
    assert_int_equal(r->bad_records, 4);
    assert_int_equal(r->stats[0].verdict, SCAN_DIRTY);
    assert_int_equal(r->matches[0][0].record, 7);
    scan_result_free(r);

    /* --strict: the first bad record is fatal, named by file and line */
    contam_err err;
    o.strict = 1;
    r = (scan_result *)1;
    assert_int_equal(scan_run(b, &bad, 1, &o, &r, &err), CONTAM_ERR_JSON);
    assert_null(r);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.file, bad);
    contam_buf_reset(&c);
    bprintf(&c, "{\"text\":\"fine\"}\n{\"x\":1}\n{bad\n");
    const char *miss = put_buf("bad/miss.jsonl", &c);
    assert_int_equal(scan_run(b, &miss, 1, &o, &r, &err), CONTAM_ERR_FIELD);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.file, miss);
    assert_non_null(strstr(err.msg, "text"));
    o.strict = 0;

    /* truncated zstd */
    contam_buf_reset(&c);
    for (int k = 1; k <= 300; k++)
        bprintf(&c, "{\"text\":\"record %d of a file that is cut short\"}\n", k);
    const char *trunc = put_zst("bad/trunc.jsonl.zst", &c, 7);
    contam_buf_reset(&c);
    corpus_rec(&c, seq("ba", 0, 13));
    const char *good = put_buf("bad/good.jsonl", &c);
    const char *files[] = {good, trunc};
    assert_int_equal(scan_run(b, files, 2, &o, &r, &err), CONTAM_ERR_TRUNCATED);
    assert_null(r);
    assert_string_equal(err.file, trunc);
    assert_true(err.has_offset);
    o.keep_going = 1;
    r = run(b, files, 2, &o);
    assert_int_equal(r->nfailed, 1);
    assert_int_equal(r->files[0].failed, 0);
    assert_int_equal(r->files[1].failed, 1);
    assert_non_null(strstr(r->files[1].error, "trunc.jsonl.zst"));
    assert_int_equal(r->stats[0].verdict, SCAN_DIRTY);
    assert_int_equal(r->files[0].docs, 1);
    /* the complete records before the damage are scanned */
    assert_int_equal(r->files[1].docs, r->files[1].records);
    assert_true(r->files[1].records < 300);
    scan_result_free(r);
    /* a missing file: CONTAM_ERR_OPEN, or a failed entry with keep_going */
    const char *nofile[] = {good, tpath("bad/does-not-exist.jsonl")};
    r = run(b, nofile, 2, &o);
    assert_int_equal(r->nfailed, 1);
    assert_int_equal(r->files[1].failed, 1);
    scan_result_free(r);
    o.keep_going = 0;
    assert_int_equal(scan_run(b, nofile, 2, &o, &r, &err), CONTAM_ERR_OPEN);
    assert_string_equal(err.file, nofile[1]);
    /* a line longer than --max-line */
    contam_buf_reset(&c);
    bprintf(&c, "{\"text\":\"short\"}\n{\"text\":\"%s\"}\n", seq("ll", 0, 30));
    const char *longl = put_buf("bad/long.jsonl", &c);
    o.max_line = 64;
    assert_int_equal(scan_run(b, &longl, 1, &o, &r, &err), CONTAM_ERR_LINE_TOO_LONG);
    assert_int_equal(err.line, 2);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&c);
}

/* --strict with bad records in two files. scan.h promises the earliest
 * file's error "when several files failed before the others were stopped";
 * which files get to fail is timing-dependent, so both answers are accepted,
 * but the error must name the right file, line and code. (With one thread
 * the second file's error is reported today: its batch runs first and the
 * abort flag stops the first file's batch before it reaches line 3.) */
static void test_strict_two_bad_files(void **state)
{
    (void)state;
    contam_buf bb = {0}, c = {0};
    bench_rec(&bb, "A", seq("sa", 0, 10), seq("sa", 10, 13));
    bench_set *b = bench_from("strict2/bench.jsonl", &bb);
    bprintf(&c, "{\"text\":\"fine\"}\n{\"text\":\"fine\"}\n{bad json\n");
    const char *f0 = put_buf("strict2/a.jsonl", &c);
    contam_buf_reset(&c);
    bprintf(&c, "{\"x\":1}\n");
    const char *f1 = put_buf("strict2/b.jsonl", &c);
    const char *two[] = {f0, f1};
    scan_options o;
    scan_options_init(&o);
    o.strict = 1;
    for (int rep = 0; rep < 4; rep++)
        for (int th = 1; th <= 3; th++) {
            scan_result *r = NULL;
            contam_err err;
            o.threads = th;
            contam_status st = scan_run(b, two, 2, &o, &r, &err);
            assert_null(r);
            if (st == CONTAM_ERR_JSON) {
                assert_string_equal(err.file, f0);
                assert_int_equal(err.line, 3);
            } else {
                assert_int_equal(st, CONTAM_ERR_FIELD);
                assert_string_equal(err.file, f1);
                assert_int_equal(err.line, 1);
            }
        }
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&c);
}

/* --short whole with gpt4: short items of many different character lengths
 * each need a whole-gram table of their own length. */
static void test_short_whole_many_lengths(void **state)
{
    (void)state;
    contam_buf bb = {0}, c = {0};
    char id[16], q[64];
    for (int k = 5; k <= 45; k++) {
        snprintf(id, sizeof id, "S%d", k);
        /* "q" and two letters naming k, then x's: no item is inside another */
        q[0] = 'q';
        q[1] = (char)('a' + k % 26);
        q[2] = (char)('a' + k / 26);
        for (int j = 3; j < k; j++)
            q[j] = 'x';
        q[k] = '\0';
        bench_rec(&bb, id, q, "");
        if (k % 2)
            corpus_rec(&c, q);
    }
    bench_set *b = bench_from("sw/bench.jsonl", &bb);
    const char *f = put_buf("sw/c.jsonl", &c);
    scan_options o;
    scan_options_init(&o);
    set_methods(&o, "gpt4", 10);
    o.short_whole = 1;
    o.threads = 1;
    scan_result *r = run(b, &f, 1, &o);
    for (int k = 5; k <= 45; k++) {
        snprintf(id, sizeof id, "S%d", k);
        const scan_item_stats *s = ST(r, b, id, 0);
        assert_int_equal(s->tokens, k);
        assert_int_equal(s->whole, 1);
        assert_int_equal(s->verdict, k % 2 ? SCAN_DIRTY : SCAN_CLEAN);
    }
    scan_result_free(r);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&c);
}

/* ---- text files ------------------------------------------------------------------------------ */

static void test_text_files(void **state)
{
    (void)state;
    contam_buf bb = {0}, c = {0};
    bench_rec(&bb, "T", seq("tx", 0, 10), seq("tx", 10, 13));
    bench_rec(&bb, "U", seq("ty", 0, 10), seq("ty", 10, 13));
    bench_set *b = bench_from("txt/bench.jsonl", &bb);
    /* the gram crosses a line break: a text file is one document */
    bprintf(&c, "first line words\n%s\n%s\n{\"text\":\"last\"}\n", seq("tx", 0, 7),
            seq("tx", 7, 13));
    const char *f0 = put_buf("txt/doc.txt", &c);
    contam_buf_reset(&c);
    bprintf(&c, "%s\n", seq("ty", 0, 13));
    const char *f1 = put_zst("txt/doc2.txt.zst", &c, 0);
    const char *files[] = {f0, f1};
    scan_options o;
    scan_options_init(&o);
    o.threads = 2;
    scan_result *r = run(b, files, 2, &o);
    assert_int_equal(r->files[0].docs, 1);
    assert_int_equal(r->files[0].records, 4);
    assert_int_equal(r->files[0].bad_json, 0);
    assert_int_equal(r->files[1].docs, 1);
    assert_int_equal(r->docs, 2);
    CHECK(ST(r, b, "T", 0), 13, 1, 1, 13, 13, SCAN_DIRTY);
    CHECK(ST(r, b, "U", 0), 13, 1, 1, 13, 13, SCAN_DIRTY);
    const scan_match *m = r->matches[item_index(b, "T")];
    assert_int_equal(m[0].file, 0);
    assert_int_equal(m[0].record, 1);
    assert_int_equal(m[0].offset, 0);
    assert_int_equal(m[0].text_offset, 17);
    m = r->matches[item_index(b, "U")];
    assert_int_equal(m[0].file, 1);
    assert_int_equal(m[0].record, 1);
    scan_result_free(r);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&c);
}

/* ---- allocation failures ----------------------------------------------------------------------- */

static void test_alloc_failures(void **state)
{
    (void)state;
    contam_json_init(); /* as the CLI does: cJSON's allocations join the loop */
    contam_buf bb = {0}, c = {0};
    bench_rec(&bb, "A", seq("aa", 0, 10), seq("aa", 10, 14));
    bench_rec(&bb, "B", seq("ab", 0, 6), "x");
    bench_set *b = bench_from("af/bench.jsonl", &bb);
    bprintf(&c, "{\"text\":\"pre %s\",\"m\":\"d1\"}\n{bad\n{\"text\":\"%s %s\",\"m\":7}\n",
            seq("aa", 0, 14), seq("ab", 0, 6), "x");
    const char *f0 = put_buf("af/c.jsonl", &c);
    contam_buf_reset(&c);
    bprintf(&c, "%s\n", seq("aa", 1, 14));
    const char *f1 = put_buf("af/d.txt", &c);
    const char *files[] = {f0, f1};
    scan_options o;
    scan_options_init(&o);
    set_methods(&o, "gpt3,gpt4,lmeval", 10);
    o.short_whole = 1;
    o.doc_field = "m";
    o.threads = 1;
    scan_result *base = run(b, files, 2, &o);
    assert_int_equal(base->stats[0].verdict, SCAN_DIRTY);
    assert_int_equal(base->stats[3].verdict, SCAN_DIRTY); /* B whole */
    assert_int_equal(base->files[0].bad_json, 1);
    int succeeded = 0;
    long n;
    for (n = 0; n < 100000 && !succeeded; n++) {
        scan_result *r = NULL;
        contam_err err;
        contam_alloc_fail_after(n);
        contam_status st = scan_run(b, files, 2, &o, &r, &err);
        contam_alloc_fail_after(-1);
        if (st == CONTAM_OK) {
            /* a run that reports success must report the true result */
            same_results(base, r);
            scan_result_free(r);
            succeeded = 1;
        } else {
            assert_int_equal(st, CONTAM_ERR_NOMEM);
            assert_null(r);
        }
    }
    assert_true(succeeded);
    assert_true(n > 20);
    scan_result_free(base);
    scan_result_free(NULL);
    bench_set_free(b);
    contam_buf_free(&bb);
    contam_buf_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpt3_item_stats),
        cmocka_unit_test(test_normalization),
        cmocka_unit_test(test_corpus_df),
        cmocka_unit_test(test_boilerplate),
        cmocka_unit_test(test_palm),
        cmocka_unit_test(test_llama2),
        cmocka_unit_test(test_gpt4),
        cmocka_unit_test(test_provenance),
        cmocka_unit_test(test_determinism_threads),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_bad_records),
        cmocka_unit_test(test_strict_two_bad_files),
        cmocka_unit_test(test_short_whole_many_lengths),
        cmocka_unit_test(test_text_files),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
