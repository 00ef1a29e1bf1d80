/* test_quality_impact.c - lm-eval --log_samples reading (the files under
 * tests/data/samples, written in lm-eval 0.4's exact layout), joining by
 * content, the model-evidence checks, items.jsonl verdicts, and the impact
 * table with hand-checked numbers (tests/data/samples/README.md), bad input
 * with FILE:LINE, and allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bench/bench.h"
#include "quality/quality.h"

#define DATE "2024-05-13T12-00-00.000001"

#define FIXTURE_PREFIX "qimpact"
#include "test_quality_util.h"

static char g_root[512]; /* the repository root */

static int setup(void **state)
{
    /* from this file's path (CMake compiles absolute paths) */
    snprintf(g_root, sizeof g_root, "%s", __FILE__);
    char *cut = strstr(g_root, "/tests/unit/");
    if (cut)
        *cut = '\0';
    return fixture_group_setup_json(state);
}

static const char *sample_path(const char *rel)
{
    return pathf("%s/tests/data/samples/%s", g_root, rel);
}

static bench_set *demo_bench(void)
{
    const char *p = pathf("%s/corpora/bench/demo_test.jsonl", g_root);
    bench_set *b = load_preset_files(&p, 1, "arc");
    assert_int_equal(b->nitems, 40);
    return b;
}

static const char *const DIRTY[] = {"demo-003", "demo-004", "demo-006", "demo-008", "demo-009",
                                    "demo-010", "demo-011", "demo-015", "demo-017", "demo-018",
                                    "demo-019", "demo-030", "demo-038", NULL};

/* items.jsonl as scan writes it (only the members impact reads matter). */
static const char *demo_items(void)
{
    bench_set *b = demo_bench();
    contam_buf o = {0};
    for (size_t i = 0; i < b->nitems; i++) {
        int dirty = 0;
        for (size_t k = 0; DIRTY[k]; k++)
            dirty |= !strcmp(DIRTY[k], b->items[i].id);
        assert_int_equal(contam_buf_printf(&o, "{\"id\":\"%s\",\"source\":\"x\",\"record\":%llu,"
                                               "\"verdict\":\"%s\",\"verdicts\":{}}\n",
                                           b->items[i].id, (unsigned long long)b->items[i].record,
                                           i == 1 ? "too_short" : dirty ? "dirty" : "clean"),
                         0);
    }
    const char *p = put_str("items.jsonl", o.ptr);
    contam_buf_free(&o);
    bench_set_free(b);
    return p;
}

/* The samples in paths[0..n) with filter (NULL: each file's first record's);
 * the status must be want, and *err says why when it is not CONTAM_OK. */
static quality_samples *load_err(const char *const *paths, size_t n, const char *filter,
                                 contam_status want, contam_err *err)
{
    quality_samples_options o;
    memset(&o, 0, sizeof o);
    o.filter = filter;
    quality_samples *s = NULL;
    contam_err_clear(err);
    contam_status st = quality_samples_load(paths, n, &o, &s, err);
    if (st != want)
        fail_msg("status %d, wanted %d: %s:%llu: %s", st, want, err->file,
                 (unsigned long long)err->line, err->msg);
    return s;
}

static quality_samples *load(const char *const *paths, size_t n, const char *filter,
                             contam_status want)
{
    contam_err err;
    return load_err(paths, n, filter, want, &err);
}

/* model-a's and model-b's samples on the demo, joined to b (the demo). */
static quality_samples *demo_samples(const bench_set *b)
{
    const char *paths[2] = {sample_path("demo/model-a/samples_arc_challenge_" DATE ".jsonl"),
                            sample_path("demo/model-b/samples_arc_challenge_" DATE ".jsonl")};
    quality_samples *s = load(paths, 2, NULL, CONTAM_OK);
    contam_err err;
    assert_int_equal(quality_samples_join(s, b, &err), CONTAM_OK);
    return s;
}

/* The impact of s (joined to b) with the default options. */
static quality_impact *impact_of(const quality_samples *s, const bench_set *b, const uint8_t *dirty)
{
    quality_impact_options io;
    quality_impact_options_init(&io);
    quality_impact *im = NULL;
    contam_err err;
    assert_int_equal(quality_impact_run(s, b, dirty, &io, &im, &err), CONTAM_OK);
    return im;
}

static const quality_impact_row *row(const quality_impact *im, const char *model, const char *task,
                                     const char *subject)
{
    for (size_t k = 0; k < im->nrows; k++)
        if (!strcmp(im->rows[k].model, model) && !strcmp(im->rows[k].task, task) &&
            !strcmp(im->rows[k].subject, subject))
            return &im->rows[k];
    fail_msg("no row %s/%s/%s", model, task, subject);
    return NULL;
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* ---- reading and joining ------------------------------------------------------------ */

static void test_read_demo(void **state)
{
    (void)state;
    const char *paths[2] = {sample_path("demo/model-b/samples_arc_challenge_" DATE ".jsonl"),
                            sample_path("demo/model-a/samples_arc_challenge_" DATE ".jsonl")};
    quality_samples *s = load(paths, 2, NULL, CONTAM_OK);
    assert_int_equal(s->nfiles, 2);
    assert_int_equal(s->nmodels, 2);
    assert_string_equal(s->models[0], "model-a"); /* sorted */
    const quality_samples_file *f = &s->files[0];
    assert_string_equal(f->model, "model-b");
    assert_string_equal(f->task, "arc_challenge");
    assert_string_equal(f->filter, "none");
    assert_string_equal(f->metric, "acc");
    assert_int_equal(f->nrec, 41);
    assert_int_equal(strlen(f->checksum), 32);
    /* doc_id 0 is the benchmark's last item (lm-eval's order is its own):
     * gold D, model-b right with probability 0.8 from string log-likelihoods */
    const quality_sample *r = &f->rec[0];
    assert_int_equal(r->doc_id, 0);
    assert_int_equal(r->nchoices, 4);
    assert_int_equal(r->gold, 3);
    assert_int_equal(r->pred, 3);
    assert_true(fabs(r->conf - 0.8) < 1e-5);
    assert_true(r->correct == 1.0);
    bench_set *b = demo_bench();
    contam_err err;
    assert_int_equal(quality_samples_join(s, b, &err), CONTAM_OK);
    assert_int_equal(s->files[0].matched, 40);
    assert_int_equal(s->files[0].rec[0].item, 39);
    assert_int_equal(s->files[0].rec[39].item, 0);
    assert_int_equal(s->files[0].rec[40].item, -1); /* a doc not in the benchmark */
    contam_buf js = {0};
    assert_int_equal(quality_samples_inputs_json(s, &js, 0), 0);
    cJSON *a = cJSON_Parse(js.ptr);
    assert_int_equal(cJSON_GetArraySize(a), 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "not_joined")->valueint, 1);
    cJSON_Delete(a);
    contam_buf_free(&js);
    quality_samples_free(s);
    bench_set_free(b);
}

/* MMLU: HF-layout docs joined to the hendrycks CSV rows by question text. */
static void test_join_mmlu(void **state)
{
    (void)state;
    const char *bp[2] = {shared_path("bench/mmlu/test/abstract_algebra_test.csv"),
                         shared_path("bench/mmlu/test/anatomy_test.csv")};
    bench_set *b = load_preset_files(bp, 2, "mmlu");
    contam_err err;
    const char *paths[2] = {sample_path("mmlu/model-a/samples_mmlu_abstract_algebra_" DATE ".jsonl"),
                            sample_path("mmlu/model-a/samples_mmlu_anatomy_" DATE ".jsonl")};
    quality_samples *s = load(paths, 2, NULL, CONTAM_OK);
    assert_int_equal(quality_samples_join(s, b, &err), CONTAM_OK);
    assert_int_equal(s->files[0].matched, 6);
    assert_int_equal(s->files[1].matched, 4);
    for (size_t k = 0; k < 6; k++)
        assert_int_equal(s->files[0].rec[k].item, (int64_t)k);
    uint8_t *dirty = contam_calloc(b->nitems, 1);
    dirty[1] = 1; /* abstract_algebra_test:2, answered wrong */
    quality_impact *im = impact_of(s, b, dirty);
    /* (all)/(all), (all)/abstract_algebra, (all)/anatomy, then per task */
    assert_int_equal(im->nrows, 7);
    assert_string_equal(im->rows[0].task, "(all)");
    assert_string_equal(im->rows[0].subject, "(all)");
    const quality_impact_row *all = row(im, "model-a", "(all)", "(all)");
    assert_int_equal(all->n_all, 10);
    NEAR(all->acc_all, 0.7);
    NEAR(all->acc_clean, 7.0 / 9);
    assert_int_equal(all->n_dirty, 1);
    NEAR(all->acc_dirty, 0);
    assert_true(all->flag == 0); /* clean is above all */
    const quality_impact_row *aa = row(im, "model-a", "mmlu_abstract_algebra", "(all)");
    NEAR(aa->acc_all, 4.0 / 6);
    const quality_impact_row *aas = row(im, "model-a", "mmlu_abstract_algebra", "abstract_algebra");
    /* the same items: the same numbers, interval included */
    assert_true(aas->ci_all[0] == aa->ci_all[0] && aas->ci_all[1] == aa->ci_all[1]);
    const quality_impact_row *an = row(im, "model-a", "(all)", "anatomy");
    NEAR(an->acc_all, 0.75);
    assert_int_equal(an->n_dirty, 0);
    contam_free(dirty);
    quality_impact_free(im);
    quality_samples_free(s);
    bench_set_free(b);
}

/* GSM8K: generation records, two filters per doc. */
static void test_filters(void **state)
{
    (void)state;
    bench_set *b = load_shared("bench/gsm8k/test.jsonl", "gsm8k");
    contam_err err;
    const char *paths[1] = {sample_path("gsm8k/model-a/samples_gsm8k_" DATE ".jsonl")};
    uint8_t *dirty = contam_calloc(b->nitems, 1);
    const char *filters[2] = {NULL, "flexible-extract"};
    const double want[2] = {0.5, 0.75};
    for (int k = 0; k < 2; k++) {
        quality_samples *s = load(paths, 1, filters[k], CONTAM_OK);
        assert_string_equal(s->files[0].filter, k ? "flexible-extract" : "strict-match");
        assert_string_equal(s->files[0].metric, "exact_match");
        assert_int_equal(s->files[0].lines, 8);
        assert_int_equal(s->files[0].nrec, 4);
        assert_int_equal(s->files[0].rec[0].nchoices, 0);
        assert_int_equal(quality_samples_join(s, b, &err), CONTAM_OK);
        assert_int_equal(s->files[0].matched, 4);
        quality_impact *im = impact_of(s, b, dirty);
        assert_int_equal(im->nrows, 1);
        NEAR(im->rows[0].acc_all, want[k]);
        assert_int_equal(im->rows[0].n_dirty, 0);
        assert_false(im->rows[0].flag);
        contam_buf sec = {0};
        assert_int_equal(quality_impact_section(im, &sec, 0), 0);
        cJSON *j = cJSON_Parse(sec.ptr);
        cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "rows"), 0);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(r0, "acc_dirty")));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(r0, "ci_dirty")));
        assert_true(cJSON_GetObjectItem(r0, "clean_minus_all")->valuedouble == 0);
        cJSON_Delete(j);
        contam_buf_free(&sec);
        quality_impact_free(im);
        quality_samples_free(s);
    }
    contam_free(dirty);
    bench_set_free(b);
}

/* ---- impact on the demo: the hand-checked numbers --------------------------------------- */

static void test_impact_demo(void **state)
{
    (void)state;
    bench_set *b = demo_bench();
    uint8_t *dirty = NULL;
    char sum[33];
    contam_err err;
    assert_int_equal(quality_items_dirty(demo_items(), b, &dirty, sum, &err), CONTAM_OK);
    size_t nd = 0;
    for (size_t i = 0; i < b->nitems; i++)
        nd += dirty[i];
    assert_int_equal(nd, 13); /* too_short counts as clean */
    quality_samples *s = demo_samples(b);
    quality_impact *im = impact_of(s, b, dirty);
    assert_int_equal(im->nrows, 2);
    assert_int_equal(im->records, 82);
    assert_int_equal(im->joined, 80);
    const quality_impact_row *a = row(im, "model-a", "arc_challenge", "(all)");
    assert_int_equal(a->n_all, 40);
    assert_int_equal(a->n_clean, 27);
    assert_int_equal(a->n_dirty, 13);
    NEAR(a->acc_all, 30.0 / 40);
    NEAR(a->acc_clean, 17.0 / 27);
    NEAR(a->acc_dirty, 1.0);
    assert_true(a->flag); /* 62.96 is 12.04 points below 75 */
    assert_true(a->ci_dirty[0] == 1.0 && a->ci_dirty[1] == 1.0);
    const quality_impact_row *m = row(im, "model-b", "arc_challenge", "(all)");
    NEAR(m->acc_all, 25.0 / 40);
    NEAR(m->acc_clean, 18.0 / 27);
    NEAR(m->acc_dirty, 7.0 / 13);
    assert_false(m->flag);
    /* intervals: around the estimate, about as wide as the binomial one */
    for (size_t k = 0; k < im->nrows; k++) {
        const quality_impact_row *r = &im->rows[k];
        assert_true(r->ci_all[0] <= r->acc_all && r->acc_all <= r->ci_all[1]);
        assert_true(r->ci_clean[0] <= r->acc_clean && r->acc_clean <= r->ci_clean[1]);
        double se = sqrt(r->acc_all * (1 - r->acc_all) / (double)r->n_all);
        double w = r->ci_all[1] - r->ci_all[0];
        assert_true(w > 2 * 1.96 * se * 0.7 && w < 2 * 1.96 * se * 1.3);
    }
    /* the seed fixes the intervals; another seed moves them, never the means */
    quality_impact *im2 = impact_of(s, b, dirty), *im3 = NULL;
    quality_impact_options io;
    quality_impact_options_init(&io);
    io.seed = 7;
    assert_int_equal(quality_impact_run(s, b, dirty, &io, &im3, &err), CONTAM_OK);
    contam_buf x = {0}, y = {0}, z = {0};
    assert_int_equal(quality_impact_section(im, &x, 1), 0);
    assert_int_equal(quality_impact_section(im2, &y, 1), 0);
    assert_int_equal(quality_impact_section(im3, &z, 1), 0);
    assert_string_equal(x.ptr, y.ptr);
    assert_string_not_equal(x.ptr, z.ptr);
    NEAR(im3->rows[0].acc_all, im->rows[0].acc_all);
    /* a stricter flag: clean 12.04 points below all is not 15 below */
    io.flag_points = 15;
    quality_impact *im4 = NULL;
    assert_int_equal(quality_impact_run(s, b, dirty, &io, &im4, &err), CONTAM_OK);
    assert_false(im4->rows[0].flag);
    io.samples = 0;
    quality_impact *bad = NULL;
    assert_int_equal(quality_impact_run(s, b, dirty, &io, &bad, &err), CONTAM_ERR_ARG);
    contam_buf_free(&x);
    contam_buf_free(&y);
    contam_buf_free(&z);
    quality_impact_free(im4);
    quality_impact_free(im3);
    quality_impact_free(im2);
    quality_impact_free(im);
    quality_samples_free(s);
    contam_free(dirty);
    bench_set_free(b);
}

/* Model evidence: both models confidently choose A on demo-022 (gold C). */
static void test_evidence(void **state)
{
    (void)state;
    bench_set *b = demo_bench();
    quality_samples *s = demo_samples(b);
    contam_err err;
    quality_lint_options lo;
    quality_lint_options_init(&lo);
    quality_lint *l = NULL;
    assert_int_equal(quality_lint_run(b, NULL, s, &lo, &l, &err), CONTAM_OK);
    char got[300] = "";
    size_t nc;
    const quality_check *ck = quality_checks(&nc);
    for (size_t k = 0; k < l->n; k++) {
        char one[40];
        snprintf(one, sizeof one, "%s%s:%s", k ? "," : "", b->items[l->v[k].item].id,
                 ck[l->v[k].check].code);
        strcat(got, one);
    }
    assert_string_equal(got, "demo-001:C024,demo-005:C024,demo-013:C024,demo-022:C023,demo-022:C024");
    assert_int_equal(l->nmodels, 2);
    for (size_t k = 0; k < l->n; k++)
        if (!strcmp(ck[l->v[k].check].code, "C023"))
            assert_non_null(strstr(l->v[k].message, "2 of 2 models confidently choose A over the gold C"));
    quality_lint_free(l);
    /* one model is not enough evidence */
    lo.min_models = 3;
    assert_int_equal(quality_lint_run(b, NULL, s, &lo, &l, &err), CONTAM_OK);
    assert_int_equal(l->n, 0);
    quality_lint_free(l);
    quality_samples_free(s);
    bench_set_free(b);
}

/* ---- bad input --------------------------------------------------------------------------- */

#define REC(id, extra)                                                                        \
    "{\"doc_id\": " #id ", \"doc\": {\"question\": \"q" #id "\"}, \"target\": \"0\", "       \
    "\"filtered_resps\": [[\"-1.5\", \"False\"], [\"-0.5\", \"True\"]], \"filter\": \"none\", " \
    "\"metrics\": [\"acc\"]" extra "}\n"

static void bad(const char *name, const char *content, const char *filter, contam_status want,
                uint64_t line, const char *msg_part)
{
    const char *p = put_str(name, content);
    contam_err err;
    assert_null(load_err(&p, 1, filter, want, &err));
    assert_string_equal(err.file, p);
    assert_int_equal(err.line, line);
    if (!strstr(err.msg, msg_part))
        fail_msg("'%s' lacks '%s'", err.msg, msg_part);
}

static void test_bad_samples(void **state)
{
    (void)state;
    bad("b1.jsonl", REC(0, ", \"acc\": 1.0") "{\"doc_id\": 1, \"doc\": {\n", NULL, CONTAM_ERR_JSON, 2,
        "invalid JSON");
    bad("b2.jsonl", "{\"doc\": {}, \"filtered_resps\": [], \"acc\": 1}\n", NULL, CONTAM_ERR_FIELD, 1,
        "doc_id");
    bad("b3.jsonl", "{\"doc_id\": 0, \"doc\": \"x\", \"filtered_resps\": [], \"acc\": 1}\n", NULL,
        CONTAM_ERR_FIELD, 1, "'doc'");
    bad("b4.jsonl", "{\"doc_id\": 0, \"doc\": {}, \"acc\": 1}\n", NULL, CONTAM_ERR_FIELD, 1,
        "filtered_resps");
    bad("b5.jsonl", REC(0, ""), NULL, CONTAM_ERR_FIELD, 1, "no numeric metric");
    bad("b6.jsonl", REC(0, ", \"acc\": 1.0") "\n" REC(0, ", \"acc\": 0.0"), NULL, CONTAM_ERR_FIELD,
        3, "doc_id 0 appears twice");
    bad("b7.jsonl", "\n\n", NULL, CONTAM_ERR_EMPTY, 0, "no records");
    bad("b8.jsonl", REC(0, ", \"acc\": 1.0"), "strict-match", CONTAM_ERR_EMPTY, 0,
        "no record with filter 'strict-match'");
    bad("b9.jsonl",
        "{\"doc_id\": 0, \"doc\": {}, \"filtered_resps\": [[\"abc\", \"False\"]], \"acc\": 1}\n",
        NULL, CONTAM_ERR_FIELD, 1, "filtered_resps[0]");
    bad("b10.jsonl", REC(0, ", \"acc\": 1.0") REC(1, ", \"acc\": \"yes\""), NULL, CONTAM_ERR_FIELD, 2,
        "metric 'acc'");
    const char *missing = "/nonexistent/samples.jsonl";
    assert_null(load(&missing, 1, NULL, CONTAM_ERR_OPEN));
    /* names from paths; --model overrides */
    const char *p = put_str("m/gpt-x/samples_mmlu_anatomy_" DATE ".jsonl", REC(0, ", \"acc\": 1.0"));
    quality_samples *s = load(&p, 1, NULL, CONTAM_OK);
    assert_string_equal(s->files[0].model, "gpt-x");
    assert_string_equal(s->files[0].task, "mmlu_anatomy");
    quality_samples_free(s);
    quality_samples_options o;
    memset(&o, 0, sizeof o);
    contam_err err;
    o.model = "mine";
    assert_int_equal(quality_samples_load(&p, 1, &o, &s, &err), CONTAM_OK);
    assert_string_equal(s->files[0].model, "mine");
    quality_samples_free(s);
}

static void test_bad_items(void **state)
{
    (void)state;
    bench_set *b = demo_bench();
    uint8_t *d = NULL;
    contam_err err;
    const char *p = put_str("i1.jsonl", "{\"id\":\"demo-001\",\"record\":1,\"verdict\":\"clean\"}\n"
                                    "{\"id\":\"demo-003\",\"record\":3,\"verdict\":\"clean\"}\n");
    assert_int_equal(quality_items_dirty(p, b, &d, NULL, &err), CONTAM_ERR_FIELD);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "another benchmark"));
    p = put_str("i2.jsonl", "{\"id\":\"demo-001\",\"record\":1,\"verdict\":\"clean\"}\n");
    assert_int_equal(quality_items_dirty(p, b, &d, NULL, &err), CONTAM_ERR_FIELD);
    assert_non_null(strstr(err.msg, "1 items where the benchmark has 40"));
    p = put_str("i3.jsonl", "{\"id\":\"demo-001\",\"record\":1,\"verdict\":\"clean\"}\nnot json\n");
    assert_int_equal(quality_items_dirty(p, b, &d, NULL, &err), CONTAM_ERR_JSON);
    assert_int_equal(err.line, 2);
    p = put_str("i4.jsonl", "{\"id\":\"demo-001\",\"record\":1}\n");
    assert_int_equal(quality_items_dirty(p, b, &d, NULL, &err), CONTAM_ERR_FIELD);
    assert_null(d);
    bench_set_free(b);
}

/* ---- allocation failures ----------------------------------------------------------------- */

#define BALLOON                                                                               \
    "A student places a sealed balloon in a freezer for an hour and notices that it has "      \
    "shrunk. Which property of the gas inside changed most directly because of the cold?"

static void test_alloc_failures(void **state)
{
    (void)state;
    /* a three-item benchmark, its items.jsonl and two models' samples: one
     * record each on the first item, and one record not in the benchmark */
    bench_set *b = load_preset("af/bench.jsonl", "arc",
                               "{\"id\": \"b1\", \"question\": \"" BALLOON "\", \"options\": [{\"label\": "
                               "\"A\", \"text\": \"its mass\"}, {\"label\": \"B\", \"text\": \"the speed\"}], "
                               "\"answer\": \"B\"}\n"
                               "{\"id\": \"b2\", \"question\": \"Which is warm?\", \"options\": [{\"label\": "
                               "\"A\", \"text\": \"ice\"}, {\"label\": \"B\", \"text\": \"fire\"}], \"answer\": \"B\"}\n"
                               "{\"id\": \"b3\", \"question\": \"Which is cold?\", \"options\": [{\"label\": "
                               "\"A\", \"text\": \"ice\"}, {\"label\": \"B\", \"text\": \"fire\"}], \"answer\": \"A\"}\n");
    contam_err err;
    const char *items = put_str("af/items.jsonl", "{\"id\":\"b1\",\"record\":1,\"verdict\":\"dirty\"}\n"
                                              "{\"id\":\"b2\",\"record\":2,\"verdict\":\"clean\"}\n"
                                              "{\"id\":\"b3\",\"record\":3,\"verdict\":\"not_clean\"}\n");
    const char *s1 = put_str("af/m1/samples_arc_" DATE ".jsonl",
                         "{\"doc_id\": 0, \"doc\": {\"question\": \"" BALLOON "\", \"choices\": "
                         "{\"text\": [\"its mass\", \"the speed\"]}}, \"target\": \"1\", "
                         "\"filtered_resps\": [[\"-2.0\", \"False\"], [\"-0.1\", \"True\"]], "
                         "\"filter\": \"none\", \"metrics\": [\"acc\"], \"acc\": 1.0}\n"
                         "{\"doc_id\": 1, \"doc\": {\"question\": \"Unknown?\"}, \"target\": \"0\", "
                         "\"filtered_resps\": [[\"-1\", \"True\"]], \"filter\": \"none\", \"acc\": 1.0}\n");
    const char *s2 = put_str("af/m2/samples_arc_" DATE ".jsonl",
                         "{\"doc_id\": 0, \"doc\": {\"question\": \"" BALLOON "\"}, \"target\": "
                         "\"1\", \"filtered_resps\": [[\"-0.1\", \"True\"], [\"-2.0\", \"False\"]], "
                         "\"filter\": \"none\", \"acc\": 0.0}\n");
    const char *paths[2] = {s1, s2};
    /* each reader on its own, then the computations on loaded inputs (file
     * I/O inside a loop of thousands of runs is what would make it slow) */
    qt_alloc_loop af = {0};
    while (qt_alloc_round(&af)) {
        uint8_t *dirty = NULL;
        contam_status st = quality_items_dirty(items, b, &dirty, NULL, &err);
        if (qt_alloc_end(&af, st, 1))
            assert_true(dirty[0] == 1 && dirty[1] == 0 && dirty[2] == 1);
        else
            assert_null(dirty);
        contam_free(dirty);
    }
    quality_samples_options so;
    memset(&so, 0, sizeof so);
    af = (qt_alloc_loop){0};
    while (qt_alloc_round(&af)) {
        quality_samples *s = NULL;
        contam_status st = quality_samples_load(paths, 2, &so, &s, &err);
        if (qt_alloc_end(&af, st, 1))
            assert_int_equal(s->nfiles, 2);
        else
            assert_null(s);
        quality_samples_free(s);
    }
    uint8_t *dirty = NULL;
    quality_samples *s = NULL;
    assert_int_equal(quality_items_dirty(items, b, &dirty, NULL, &err), CONTAM_OK);
    assert_int_equal(quality_samples_load(paths, 2, &so, &s, &err), CONTAM_OK);
    quality_impact_options io;
    quality_impact_options_init(&io);
    io.samples = 50;
    quality_lint_options lo;
    quality_lint_options_init(&lo);
    af = (qt_alloc_loop){0};
    while (qt_alloc_round(&af)) {
        quality_impact *im = NULL;
        quality_lint *l = NULL;
        contam_buf out = {0};
        contam_status st = quality_samples_join(s, b, &err);
        if (st == CONTAM_OK)
            st = quality_impact_run(s, b, dirty, &io, &im, &err);
        if (st == CONTAM_OK)
            st = quality_lint_run(b, NULL, s, &lo, &l, &err);
        int badbuf = st == CONTAM_OK && (quality_impact_section(im, &out, 1) ||
                                         quality_samples_inputs_json(s, &out, 1));
        if (qt_alloc_end(&af, st, !badbuf)) {
            assert_int_equal(im->joined, 2);
            assert_int_equal(im->nrows, 2);
            assert_int_equal(im->rows[0].n_dirty, 1);
            assert_int_equal(l->nmodels, 2);
        }
        contam_buf_free(&out);
        quality_lint_free(l);
        quality_impact_free(im);
    }
    quality_samples_free(s);
    contam_free(dirty);
    bench_set_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_demo),   cmocka_unit_test(test_join_mmlu),
        cmocka_unit_test(test_filters),     cmocka_unit_test(test_impact_demo),
        cmocka_unit_test(test_evidence),    cmocka_unit_test(test_bad_samples),
        cmocka_unit_test(test_bad_items),   cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, setup, fixture_group_teardown);
}
