/* test_report_views.c - unit tests of the report views (report.html,
 * report.md), --fail-on gates and contam diff: hand-written report.json and
 * items.jsonl (including the duplicates/lint/impact sections later stages
 * add), bad input naming file and line, escaping, determinism, a 100,000-item
 * benchmark, and allocation-failure loops over every reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/report.h"

#define FIXTURE_PREFIX "report_views"
#include "test_fixture.h"

/* ---- A report.json with three methods and two subjects ---------------------- */

static const char REPORT_HEAD[] =
    "{\"tool\":\"contam\",\"version\":\"0.1.0\",\"command\":\"scan\",\"normalizer\":\"contam-norm-1\","
    "\"hash\":\"h\",\"seed\":\"0x636f6e74616d3031\","
    "\"parameters\":{\"methods\":["
    "{\"name\":\"gpt3\",\"unit\":\"word\",\"n\":13,\"rule\":\"any matched n-gram\","
    "\"corpus_df_max\":10,\"benchmark_boilerplate_filter\":true,\"source\":\"Brown\"},"
    "{\"name\":\"palm\",\"unit\":\"word\",\"n\":8,\"rule\":\"r\",\"threshold\":0.7,"
    "\"corpus_df_max\":0,\"benchmark_boilerplate_filter\":true,\"source\":\"PaLM\"},"
    "{\"name\":\"llama2\",\"unit\":\"word\",\"n\":10,\"rule\":\"r\",\"clean_below\":0.2,"
    "\"dirty_at\":0.8,\"corpus_df_max\":0,\"benchmark_boilerplate_filter\":true,\"source\":\"L2\"}],"
    "\"bench_df\":10,\"short\":\"skip\",\"digits\":\"keep\",\"max_matches\":5,\"text_field\":\"text\","
    "\"doc_field\":\"meta.source\",\"max_line\":268435456,\"strict\":false,\"keep_going\":false},"
    "\"benchmark\":{\"preset\":\"mmlu\",\"items\":%zu,\"args\":[\"bench dir/\"],\"inputs\":["
    "{\"path\":\"bench dir/a.csv\",\"format\":\"csv\",\"xxh3_128\":\"00ff\",\"items\":%zu,"
    "\"verdicts\":{\"gpt3\":{\"items\":%zu,\"dirty\":%zu},\"palm\":{\"items\":%zu,\"dirty\":%zu},"
    "\"llama2\":{\"items\":%zu,\"dirty\":%zu}}}]},"
    "\"corpus\":{\"files\":1,\"failed_files\":0,\"documents\":7,\"records\":7,\"bad_records\":0,"
    "\"bytes\":1234,\"inputs\":[{\"path\":\"c/shard.jsonl.zst\",\"format\":\"zstd\","
    "\"xxh3_128\":\"abcd\",\"documents\":7,\"bytes\":1234}]},"
    "\"summary\":{\"gpt3\":{\"items\":%zu,\"clean\":%zu,\"dirty\":%zu,\"too_short\":0},"
    "\"palm\":{\"items\":%zu,\"dirty\":%zu,\"too_short\":0},"
    "\"llama2\":{\"items\":%zu,\"dirty\":%zu,\"not_clean\":1,\"too_short\":0}},"
    "\"by_subject\":{\"<script>x</script>\":{\"gpt3\":{\"items\":%zu,\"dirty\":%zu},"
    "\"palm\":{\"items\":%zu,\"dirty\":%zu},\"llama2\":{\"items\":%zu,\"dirty\":%zu}},"
    "\"quiet\":{\"gpt3\":{\"items\":0,\"dirty\":0},\"palm\":{\"items\":0,\"dirty\":0},"
    "\"llama2\":{\"items\":0,\"dirty\":0}}},"
    "\"boilerplate\":{\"gpt3\":{\"windows_ignored\":3,\"top\":[{\"items\":895,\"text\":\"For which "
    "of these\",\"example\":\"x:1\"}]}},"
    "\"splits\":{\"method\":\"gpt3\",\"clean\":%zu,\"dirty\":%zu}";

static const char SECTIONS[] =
    ",\"duplicates\":{\"groups\":2,\"exact_groups\":1,\"near_groups\":1,\"conflicting_groups\":1,"
    "\"items_in_groups\":4,\"jaccard\":0.8,\"by_subject\":{\"quiet\":{\"groups\":2,\"conflicting\":1}},"
    "\"examples\":[{\"group\":1,\"kind\":\"exact\",\"similarity\":1,\"conflicting_labels\":true,"
    "\"members\":[{\"id\":\"i0\",\"source\":\"a.csv\",\"record\":1,\"label\":\"A\"}]}]},"
    "\"lint\":{\"findings\":5,\"by_check\":{\"empty_option\":{\"severity\":\"error\",\"count\":2,"
    "\"description\":\"empty\"},\"dup_opt\":{\"severity\":\"warning\",\"count\":3,\"description\":\"d\"}},"
    "\"by_subject\":{\"quiet\":{\"empty_option\":2}},\"examples\":[{\"id\":\"i1\",\"source\":\"a.csv\","
    "\"record\":2,\"subject\":\"quiet\",\"code\":\"empty_option\",\"severity\":\"error\","
    "\"message\":\"<b>m</b>\"}]},"
    "\"impact\":{\"bootstrap\":{\"resamples\":1000},\"rows\":[{\"model\":\"m\",\"task\":\"t\","
    "\"n_all\":10,\"acc_all\":0.5,\"ci_all\":[0.2,0.8],\"n_clean\":8,\"acc_clean\":0.4,"
    "\"ci_clean\":[0.1,0.7],\"n_dirty\":2,\"acc_dirty\":1,\"ci_dirty\":[0.3,1],"
    "\"clean_minus_all\":-0.1,\"flag\":true}]}";

/* n items; the first `dirty` are dirty under every method. */
static char *make_report(size_t n, size_t dirty, int sections)
{
    char *buf = malloc(16384);
    int k = snprintf(buf, 16384, REPORT_HEAD, n, n, n, dirty, n, dirty, n, dirty, n, n - dirty,
                     dirty, n, dirty, n, dirty, n, dirty, n, dirty, n, dirty, n - dirty, dirty);
    snprintf(buf + k, 16384 - (size_t)k, "%s}", sections ? SECTIONS : "");
    return buf;
}

static void item_line(char *out, size_t cap, size_t i, int dirty)
{
    const char *v = dirty ? "dirty" : "clean";
    const char *matches =
        dirty ? "[{\"file\":\"c/shard.jsonl.zst\",\"record\":3,\"offset\":0,\"text_offset\":5,"
                "\"doc\":\"Doc <1>\",\"item_tokens\":[0,6],\"item_bytes\":[0,32],"
                "\"words\":\"The Quick brown fox jumps & over\",\"snippet\":\"...so THE quick, "
                "brown fox jumps & over the dog...\"}]"
              : "[]";
    snprintf(out, cap,
             "{\"id\":\"i%zu\",\"source\":\"bench dir/a.csv\",\"record\":%zu,\"line\":%zu,"
             "\"subject\":\"<script>x</script>\",\"label\":\"A\",\"tokens\":6,\"ngrams\":1,"
             "\"matched\":%d,\"overlap\":%s,\"coverage\":%s,\"longest\":%d,\"leaked\":\"%s\","
             "\"verdict\":\"%s\",\"verdicts\":{\"gpt3\":\"%s\",\"palm\":\"%s\",\"llama2\":\"%s\"},"
             "\"methods\":{\"gpt3\":{\"ngrams\":1,\"matched\":%d,\"overlap\":%s,\"coverage\":%s,"
             "\"longest\":%d},\"palm\":{\"matched\":%d,\"overlap\":%s,\"coverage\":%s,\"longest\":%d},"
             "\"llama2\":{\"matched\":%d,\"overlap\":%s,\"coverage\":%s,\"longest\":%d}},"
             "\"matches\":%s}",
             i, i + 1, i + 1, dirty, dirty ? "1.0000" : "0.0000", dirty ? "1.0000" : "0.0000",
             dirty ? 6 : 0, dirty ? "both" : "none", v, v, v, v, dirty, dirty ? "1.0" : "0",
             dirty ? "1.0" : "0", dirty ? 6 : 0, dirty, dirty ? "0.7000" : "0",
             dirty ? "1.0" : "0", dirty ? 6 : 0, dirty, dirty ? "0.9" : "0",
             dirty ? "0.8000" : "0", dirty ? 6 : 0, matches);
}

/* An item source generating n lines; line `bad` (1-based) is replaced. */
typedef struct {
    size_t n, dirty, next, bad;
    const char *bad_text;
    char line[4096];
} gen_src;

static contam_status gen_rewind(void *user, contam_err *err)
{
    (void)err;
    ((gen_src *)user)->next = 0;
    return CONTAM_OK;
}

static contam_status gen_next(void *user, const char **line, size_t *len, contam_err *err)
{
    (void)err;
    gen_src *g = user;
    if (g->next == g->n) {
        *line = NULL;
        *len = 0;
        return CONTAM_OK;
    }
    size_t i = g->next++;
    if (g->bad == i + 1)
        snprintf(g->line, sizeof g->line, "%s", g->bad_text);
    else
        item_line(g->line, sizeof g->line, i, i < g->dirty);
    *line = g->line;
    *len = strlen(g->line);
    return CONTAM_OK;
}

static report_items_src src_of(gen_src *g)
{
    report_items_src s = {gen_rewind, gen_next, g, "items.jsonl"};
    return s;
}

static int has(const contam_buf *b, const char *needle)
{
    return b->ptr && strstr(b->ptr, needle) != NULL;
}

static size_t count(const contam_buf *b, const char *needle)
{
    size_t n = 0;
    for (const char *p = b->ptr; p && (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* ---- Allocation-failure loops ----------------------------------------------------- */

/* Allocations a successful run makes (injection armed, never firing). */
#define COUNT_ALLOCS(n, stmt)                                                                  \
    do {                                                                                       \
        unsigned long before_ = contam_alloc_count();                                          \
        contam_alloc_fail_after(1L << 40);                                                     \
        stmt;                                                                                  \
        contam_alloc_fail_after(-1);                                                           \
        (n) = (long)(contam_alloc_count() - before_);                                          \
    } while (0)

/* Which failure points to try: all of the first and last 150 (set-up and
 * writing), and an even spread of about 300 in between, so the loops stay
 * fast under the sanitizers while every phase is hit. */
static int try_point(long fail, long n)
{
    long stride = n / 300 > 1 ? n / 300 : 1;
    return fail < 150 || fail >= n - 150 || fail % stride == 0;
}

/* Regenerating writes (and fsyncs) files: only its reading and writing ends
 * are tried; the rendering in between is covered by the render loop. */
static int try_io_point(long fail, long n)
{
    return fail < 16 || fail >= n - 24 || fail % 250 == 0;
}

/* ---- Rendering ------------------------------------------------------------------- */

static void test_render_small(void **state)
{
    (void)state;
    char *rj = make_report(5, 2, 0);
    gen_src g = {5, 2, 0, 0, NULL, {0}};
    report_items_src src = src_of(&g);
    contam_buf html = {0}, md = {0};
    contam_err err;
    assert_int_equal(report_render(rj, strlen(rj), &src, &html, &md, &err), CONTAM_OK);
    /* charts and their tables */
    assert_true(has(&html, "id=\"chart-subjects\""));
    assert_true(has(&html, "id=\"table-subjects\""));
    assert_true(has(&html, "id=\"chart-overlap-gpt3\""));
    assert_true(has(&html, "id=\"chart-longest-llama2\""));
    assert_true(has(&html, "id=\"table-overlap\""));
    assert_true(has(&html, "id=\"table-longest\""));
    assert_true(has(&html, "dirty \xe2\x89\xa5 70%"));   /* palm's threshold line */
    assert_true(has(&html, "clean &lt; 20%"));           /* llama2's band */
    /* the headline: 2 of 5, 40% */
    assert_true(has(&html, "<div class=\"big\">40.0%</div>"));
    /* hostile names are escaped, never markup */
    assert_false(has(&html, "<script>"));
    assert_true(has(&html, "&lt;script&gt;x&lt;/script&gt;"));
    assert_true(has(&html, "Doc &lt;1&gt;"));
    /* matched words highlighted on both sides, case and punctuation ignored */
    assert_true(has(&html, "<mark>The Quick brown fox jumps &amp; over</mark>"));
    assert_true(has(&html, "<mark>THE quick, brown fox jumps &amp; over</mark>"));
    assert_int_equal(count(&html, "<article class=\"item\">"), 2);
    /* later stages absent: said so */
    assert_int_equal(count(&html, "not run.</strong>"), 3);
    assert_true(has(&md, "- Duplicates: not run."));
    assert_true(has(&md, "**2 of 5 items (40.0%) are dirty under gpt3**"));
    assert_true(has(&md, "| \\<script\\>x\\</script\\> | 2 / 5 | 40.0% |"));
    assert_true(has(&md, "contam scan --preset mmlu --bench 'bench dir/' --method gpt3,palm,llama2"));
    /* no scripts, no network */
    assert_false(has(&html, "<script"));
    assert_false(has(&html, "http://") && !has(&html, "xmlns=\"http://www.w3.org/2000/svg\""));
    assert_false(has(&html, "https://"));
    /* byte-identical when rendered again */
    contam_buf html2 = {0};
    assert_int_equal(report_render(rj, strlen(rj), &src, &html2, NULL, &err), CONTAM_OK);
    assert_int_equal(html.size, html2.size);
    assert_memory_equal(html.ptr, html2.ptr, html.size);
    contam_buf_free(&html);
    contam_buf_free(&html2);
    contam_buf_free(&md);
    free(rj);
}

static void test_render_sections(void **state)
{
    (void)state;
    char *rj = make_report(5, 2, 1);
    gen_src g = {5, 2, 0, 0, NULL, {0}};
    report_items_src src = src_of(&g);
    contam_buf html = {0}, md = {0};
    contam_err err;
    assert_int_equal(report_render(rj, strlen(rj), &src, &html, &md, &err), CONTAM_OK);
    assert_int_equal(count(&html, "not run.</strong>"), 0);
    assert_true(has(&html, "id=\"chart-duplicates-subjects\""));
    assert_true(has(&html, "id=\"table-duplicates-examples\""));
    assert_true(has(&html, "id=\"chart-lint-checks\""));
    assert_true(has(&html, "id=\"table-lint-checks\""));
    assert_true(has(&html, "id=\"table-lint-subjects\""));
    assert_true(has(&html, "&lt;b&gt;m&lt;/b&gt;"));
    assert_true(has(&html, "id=\"chart-impact\""));
    assert_true(has(&html, "id=\"table-impact\""));
    assert_true(has(&html, "<td class=\"num\">-10.0 pts</td>"));
    assert_true(has(&md, "- Lint: 5 findings (2 errors, 3 warnings, 0 info)."));
    assert_true(has(&md, "- Duplicates: 2 groups (1 exact, 1 near), 4 items, 1 with conflicting"));
    assert_true(has(&md, "- Impact: 1 rows, 1 flagged."));
    contam_buf_free(&html);
    contam_buf_free(&md);
    free(rj);
}

/* 100,000 items: lists are capped and say so; memory stays small. */
static void test_render_large(void **state)
{
    (void)state;
    size_t n = 100000, dirty = 3000;
    char *rj = make_report(n, dirty, 0);
    gen_src g = {n, dirty, 0, 0, NULL, {0}};
    report_items_src src = src_of(&g);
    contam_buf html = {0}, md = {0};
    contam_err err;
    assert_int_equal(report_render(rj, strlen(rj), &src, &html, &md, &err), CONTAM_OK);
    assert_int_equal(count(&html, "<article class=\"item\">"), 50);
    assert_true(has(&html, "3000 items have evidence; the first 50 are shown"));
    assert_true(has(&html, "<div class=\"big\">3.0%</div>"));
    assert_true(has(&md, "3000 items with evidence in all; report.html shows 50"));
    /* the page stays a page: well under a megabyte */
    assert_true(html.size < 400000);
    /* a PR-sized summary */
    assert_true(md.size < 6000);
    contam_buf_free(&html);
    contam_buf_free(&md);
    free(rj);
}

static void expect_fail(const char *rj, gen_src *g, contam_status want, const char *file,
                        uint64_t line, const char *msg_part)
{
    report_items_src src = src_of(g);
    contam_buf html = {0};
    contam_err err;
    contam_status st = report_render(rj, strlen(rj), &src, &html, NULL, &err);
    assert_int_equal(st, want);
    assert_string_equal(err.file, file);
    assert_int_equal(err.line, line);
    if (!strstr(err.msg, msg_part))
        fail_msg("message '%s' lacks '%s'", err.msg, msg_part);
    contam_buf_free(&html);
}

static void test_render_bad_input(void **state)
{
    (void)state;
    char *rj = make_report(5, 2, 0);
    gen_src g = {5, 2, 0, 0, NULL, {0}};
    expect_fail("{\"tool\":", &g, CONTAM_ERR_JSON, "report.json", 0, "invalid JSON");
    expect_fail("", &g, CONTAM_ERR_JSON, "report.json", 0, "empty");
    expect_fail("[1,2]", &g, CONTAM_ERR_FORMAT, "report.json", 0, "not an object");
    expect_fail("{\"summary\":{}}", &g, CONTAM_ERR_FORMAT, "report.json", 0, "parameters.methods");
    /* items.jsonl: bad line 3 named */
    g = (gen_src){5, 2, 0, 3, "{\"id\":", {0}};
    expect_fail(rj, &g, CONTAM_ERR_JSON, "items.jsonl", 3, "JSON");
    g = (gen_src){5, 2, 0, 4, "{\"id\":\"x\",\"verdicts\":{}}", {0}};
    expect_fail(rj, &g, CONTAM_ERR_FIELD, "items.jsonl", 4, "verdict");
    /* items from another run */
    g = (gen_src){4, 2, 0, 0, NULL, {0}};
    expect_fail(rj, &g, CONTAM_ERR_FORMAT, "items.jsonl", 0, "not from the same run");
    free(rj);
}

static void test_render_alloc_failures(void **state)
{
    (void)state;
    char *rj = make_report(6, 3, 1);
    int ok = 0;
    long total;
    {
        gen_src g = {6, 3, 0, 0, NULL, {0}};
        report_items_src src = src_of(&g);
        contam_buf html = {0}, md = {0};
        contam_err err;
        COUNT_ALLOCS(total, assert_int_equal(report_render(rj, strlen(rj), &src, &html, &md, &err), 0));
        contam_buf_free(&html);
        contam_buf_free(&md);
    }
    for (long fail = 0; fail <= 2 * total + 100 && !ok; fail++) {
        if (!try_point(fail, total))
            continue;
        gen_src g = {6, 3, 0, 0, NULL, {0}};
        report_items_src src = src_of(&g);
        contam_buf html = {0}, md = {0};
        contam_err err;
        contam_alloc_fail_after(fail);
        contam_status st = report_render(rj, strlen(rj), &src, &html, &md, &err);
        contam_alloc_fail_after(-1);
        if (st == CONTAM_OK) {
            assert_true(has(&html, "</html>"));
            ok = 1;
        } else if (st != CONTAM_ERR_NOMEM && st != CONTAM_ERR_JSON) {
            /* cJSON reports an allocation failure as a parse failure */
            fail_msg("fail=%ld: status %d", fail, (int)st);
        }
        contam_buf_free(&html);
        contam_buf_free(&md);
    }
    assert_true(ok);
    free(rj);
}

/* ---- Gates ------------------------------------------------------------------------ */

static void test_gate_parse(void **state)
{
    (void)state;
    report_gate g;
    char why[300];
    const char *good[] = {"dirty>2%", "dirty>=10", " gpt3.dirty > 2.5% ", "subject.dirty>10%",
                          "subject.palm.dirty>=1", "file.too_short>3", "lint.error>0",
                          "lint.warning>5", "lint>0", "lint.empty_option>=1", "duplicates>0",
                          "duplicates.conflicting!=0", "too_short>50", "not_clean<=1",
                          "dirty==0", "dirty<100%"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (report_gate_parse(good[i], &g, why, sizeof why))
            fail_msg("'%s' rejected: %s", good[i], why);
    assert_int_equal(report_gate_parse("subject.palm.dirty>=1", &g, why, sizeof why), 0);
    assert_int_equal(g.scope, REPORT_GATE_SUBJECT);
    assert_string_equal(g.method, "palm");
    assert_string_equal(g.metric, "dirty");
    assert_int_equal(g.op, REPORT_OP_GE);
    assert_int_equal(g.percent, 0);
    assert_int_equal(report_gate_parse(" gpt3.dirty > 2.5% ", &g, why, sizeof why), 0);
    assert_true(g.percent && g.value > 2.49 && g.value < 2.51);
    assert_string_equal(g.text, "gpt3.dirty > 2.5%");
    assert_string_equal(report_gate_section(&g) ? "x" : "none", "none");
    assert_int_equal(report_gate_parse("lint.error>0", &g, why, sizeof why), 0);
    assert_string_equal(report_gate_section(&g), "lint");
    const char *bad[][2] = {{"", "expected a metric"},
                            {"dirty", "comparison"},
                            {"dirty>", "number"},
                            {"dirty>x", "number"},
                            {"dirty>2%%", "unexpected"},
                            {"dirty>-1", "number"},
                            {"dirt>2", "unknown metric"},
                            {"gpt5.dirty>2", "unknown method"},
                            {"lint.error>1%", "counts"},
                            {"duplicates.foo>1", "duplicates"},
                            {"dirty>101%", "above 100%"},
                            {"dirty>1.5", "whole number"},
                            {"subject..dirty>1", "empty name"},
                            {"a.b.c.d.e>1", "dotted"},
                            {"dirty>=99999999999999999", "number"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (!report_gate_parse(bad[i][0], &g, why, sizeof why))
            fail_msg("'%s' accepted", bad[i][0]);
        if (!strstr(why, bad[i][1]))
            fail_msg("'%s': message '%s' lacks '%s'", bad[i][0], why, bad[i][1]);
    }
}

static size_t gates(const char *rj, const char *const *exprs, size_t n, contam_buf *msgs,
                    contam_status *st)
{
    report_gate g[8];
    char why[300];
    for (size_t i = 0; i < n; i++)
        assert_int_equal(report_gate_parse(exprs[i], &g[i], why, sizeof why), 0);
    size_t crossed = 99;
    contam_err err;
    contam_buf_reset(msgs);
    *st = report_gate_eval(g, n, rj, strlen(rj), msgs, &crossed, &err);
    return crossed;
}

static void test_gate_eval(void **state)
{
    (void)state;
    char *rj = make_report(100, 2, 1);
    contam_buf msgs = {0};
    contam_status st;
    /* 2 of 100 is 2%: not > 2%, but >= 2% (exact, no float surprises) */
    const char *e1[] = {"dirty>2%"};
    assert_int_equal(gates(rj, e1, 1, &msgs, &st), 0);
    assert_int_equal(st, CONTAM_OK);
    const char *e2[] = {"dirty>=2%", "palm.dirty>1", "subject.dirty>1%", "lint.error>0",
                        "duplicates.conflicting>0", "lint.dup_opt>3", "file.llama2.dirty>=2"};
    assert_int_equal(gates(rj, e2, 7, &msgs, &st), 6); /* lint.dup_opt is 3, not > 3 */
    assert_true(has(&msgs, "gate crossed: gpt3 dirty 2.0% (2 of 100 items) >= 2% "
                           "[--fail-on dirty>=2%]\n"));
    assert_true(has(&msgs, "gate crossed: palm dirty 2 (2.0% of 100 items) > 1"));
    assert_true(has(&msgs, "gate crossed: subject <script>x</script> gpt3 dirty 2.0%"));
    assert_true(has(&msgs, "gate crossed: lint error 2 > 0"));
    assert_true(has(&msgs, "gate crossed: file bench dir/a.csv llama2 dirty 2 "));
    /* the "quiet" subject has 0 items: no rate to gate on, never crossed */
    assert_false(has(&msgs, "subject quiet"));
    /* a method or a section the report lacks */
    const char *e3[] = {"gpt4.dirty>0"};
    gates(rj, e3, 1, &msgs, &st);
    assert_int_equal(st, CONTAM_ERR_ARG);
    free(rj);
    rj = make_report(100, 2, 0);
    const char *e4[] = {"lint.error>0"};
    gates(rj, e4, 1, &msgs, &st);
    assert_int_equal(st, CONTAM_ERR_ARG);
    const char *e5[] = {"duplicates>0"};
    gates("{nope", e5, 1, &msgs, &st);
    assert_int_equal(st, CONTAM_ERR_JSON);
    /* allocation failures: clean errors, then success */
    int ok = 0;
    for (long fail = 0; fail < 10000 && !ok; fail++) {
        contam_buf m = {0};
        contam_alloc_fail_after(fail);
        size_t c = gates(rj, e2, 3, &m, &st);
        contam_alloc_fail_after(-1);
        if (st == CONTAM_OK) {
            assert_int_equal(c, 3);
            ok = 1;
        } else {
            assert_true(st == CONTAM_ERR_NOMEM || st == CONTAM_ERR_JSON);
        }
        contam_buf_free(&m);
    }
    assert_true(ok);
    contam_buf_free(&msgs);
    free(rj);
}

/* ---- Diff --------------------------------------------------------------------------- */

static void write_dir(const char *name, size_t n, size_t dirty, size_t skip_item)
{
    char path[1000];
    snprintf(path, sizeof path, "%s/%s", g_tmp, name);
    mkdir(path, 0777);
    char *rj = make_report(n - (skip_item < n), dirty, 0);
    snprintf(path, sizeof path, "%s/%s/report.json", g_tmp, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(rj, f);
    fclose(f);
    free(rj);
    snprintf(path, sizeof path, "%s/%s/items.jsonl", g_tmp, name);
    f = fopen(path, "w");
    assert_non_null(f);
    char line[4096];
    for (size_t i = 0; i < n; i++) {
        if (i == skip_item)
            continue;
        item_line(line, sizeof line, i, i < dirty);
        fprintf(f, "%s\n", line);
    }
    fclose(f);
}

static void test_diff(void **state)
{
    (void)state;
    write_dir("a", 10, 3, 99);
    write_dir("b", 10, 3, 99);
    write_dir("c", 10, 4, 7); /* item 3 turns dirty, item 7 is gone */
    char a[1000], b[1000], c[1000];
    snprintf(a, sizeof a, "%s/a", g_tmp);
    snprintf(b, sizeof b, "%s/b", g_tmp);
    snprintf(c, sizeof c, "%s/c", g_tmp);
    contam_buf out = {0};
    contam_err err;
    int different = -1;
    report_diff_options text = {0, 0}, json = {1, 0};
    assert_int_equal(report_diff(a, b, &text, &out, &different, &err), CONTAM_OK);
    assert_int_equal(different, 0);
    assert_true(has(&out, "no differences: 10 items"));
    assert_int_equal(report_diff(a, c, &text, &out, &different, &err), CONTAM_OK);
    assert_int_equal(different, 1);
    assert_true(has(&out, "  i3: gpt3 clean->dirty, palm clean->dirty, llama2 clean->dirty\n"));
    assert_true(has(&out, "items: 0 added, 1 removed\n  - i7\n"));
    assert_true(has(&out, "gpt3 dirty 3/10 (30.0%) -> 4/9 (44.4%), +14.4 points"));
    assert_int_equal(report_diff(a, c, &json, &out, &different, &err), CONTAM_OK);
    assert_true(has(&out, "\"equal\": false"));
    assert_true(has(&out, "\"items_removed\": [\n    \"i7\"\n  ]"));
    /* trouble names the file */
    char missing[1000];
    snprintf(missing, sizeof missing, "%s/none", g_tmp);
    assert_int_equal(report_diff(a, missing, &text, &out, &different, &err), CONTAM_ERR_OPEN);
    assert_non_null(strstr(err.file, "none/report.json"));
    /* allocation failures */
    int ok = 0;
    long total;
    contam_buf fresh = {0};
    COUNT_ALLOCS(total, assert_int_equal(report_diff(a, c, &text, &fresh, &different, &err), 0));
    contam_buf_free(&fresh);
    for (long fail = 0; fail <= 2 * total + 100 && !ok; fail++) {
        if (!try_point(fail, total))
            continue;
        contam_buf o = {0};
        contam_alloc_fail_after(fail);
        contam_status st = report_diff(a, c, &text, &o, &different, &err);
        contam_alloc_fail_after(-1);
        if (st == CONTAM_OK) {
            assert_true(has(&o, "items: 0 added, 1 removed"));
            ok = 1;
        } else {
            assert_true(st == CONTAM_ERR_NOMEM || st == CONTAM_ERR_JSON);
        }
        contam_buf_free(&o);
    }
    assert_true(ok);
    /* regenerate from a directory, with failures injected: no partial files */
    ok = 0;
    COUNT_ALLOCS(total, assert_int_equal(report_regenerate(c, &err), CONTAM_OK));
    for (long fail = 0; fail <= 2 * total + 100 && !ok; fail++) {
        if (!try_io_point(fail, total))
            continue;
        contam_alloc_fail_after(fail);
        contam_status st = report_regenerate(c, &err);
        contam_alloc_fail_after(-1);
        char html[1100];
        snprintf(html, sizeof html, "%s/report.html", c);
        if (st == CONTAM_OK) {
            ok = access(html, R_OK) == 0;
        } else {
            /* each file is replaced whole or not at all */
            assert_true(st == CONTAM_ERR_NOMEM || st == CONTAM_ERR_JSON);
            contam_buf h = {0};
            if (access(html, F_OK) == 0) {
                assert_int_equal(report_read_file(html, &h, &err), CONTAM_OK);
                assert_true(h.size > 7 && !strcmp(h.ptr + h.size - 8, "</html>\n"));
            }
            contam_buf_free(&h);
        }
    }
    assert_true(ok);
    contam_buf_free(&out);
}

int main(int argc, char **argv)
{
    contam_json_init();
    if (argc > 1)
        cmocka_set_test_filter(argv[1]); /* e.g. test_diff */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_small),       cmocka_unit_test(test_render_sections),
        cmocka_unit_test(test_render_large),       cmocka_unit_test(test_render_bad_input),
        cmocka_unit_test(test_render_alloc_failures), cmocka_unit_test(test_gate_parse),
        cmocka_unit_test(test_gate_eval),          cmocka_unit_test(test_diff),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
