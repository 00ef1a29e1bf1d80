/* test_quality.c - quality module, item level: the calculator evaluator, the
 * GSM8K rationale checks, every per-item lint check on small hand-written
 * items (each with the near misses that must not fire), item views of the
 * presets, and the lint outputs. */
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

/* ---- helpers ---------------------------------------------------------------- */

#define FIXTURE_PREFIX "quality"
#include "test_quality_util.h"

#define NELEM(a) (sizeof(a) / sizeof *(a))

typedef struct {
    char codes[400];
    char last[600];
} seen;

static int collect(int check, const char *msg, void *user)
{
    seen *s = user;
    size_t n;
    const quality_check *ck = quality_checks(&n);
    assert_true(check >= 0 && (size_t)check < n);
    if (s->codes[0])
        strcat(s->codes, ",");
    strcat(s->codes, ck[check].code);
    snprintf(s->last, sizeof s->last, "%s", msg);
    return 0;
}

/* What the item checks emit for item i: codes (comma list, emission order)
 * and the last message. Valid until the next call. */
static const seen *lint_item(const bench_set *b, size_t i, size_t usual)
{
    static seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(quality_lint_item(b, i, usual, collect, &s), 0);
    return &s;
}

static const char *codes_of(const bench_set *b, size_t i, size_t usual)
{
    return lint_item(b, i, usual)->codes;
}

/* A hand-written multiple-choice item, {"q": ..., "o": [...], "a": ...}, and
 * what the item checks emit for it. The texts go into the JSON as they are
 * (JSON escapes included). */
typedef struct {
    const char *q;
    const char *o[4]; /* the options; NULL after the last */
    const char *a;
    const char *want; /* codes, as codes_of() gives them */
} mc_item;

/* The benchmark of items[0..n) in the scratch file name, after checking that
 * the item checks emit each item's want (usual: the usual option count). The
 * caller frees it. */
static bench_set *check_items(const char *name, size_t usual, const mc_item *items, size_t n)
{
    contam_buf c = {0};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(contam_buf_printf(&c, "{\"q\":\"%s\",\"o\":[", items[i].q), 0);
        for (size_t k = 0; k < NELEM(items[i].o) && items[i].o[k]; k++)
            assert_int_equal(contam_buf_printf(&c, "%s\"%s\"", k ? "," : "", items[i].o[k]), 0);
        assert_int_equal(contam_buf_printf(&c, "],\"a\":\"%s\"}\n", items[i].a), 0);
    }
    bench_set *b = load_mc(name, c.ptr);
    contam_buf_free(&c);
    for (size_t i = 0; i < n; i++) {
        const char *got = codes_of(b, i, usual);
        if (strcmp(got, items[i].want) != 0)
            fail_msg("item %zu: codes '%s', wanted '%s'", i, got, items[i].want);
    }
    return b;
}

static const char *rationale_codes(const char *question, const char *answer)
{
    char buf[4096];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "question", question);
    cJSON_AddStringToObject(o, "answer", answer);
    char *js = cJSON_PrintUnformatted(o);
    snprintf(buf, sizeof buf, "%s\n", js);
    cJSON_free(js);
    cJSON_Delete(o);
    bench_set *b = load_preset("g.jsonl", "gsm8k", buf);
    const char *codes = codes_of(b, 0, 0); /* static: outlives b */
    bench_set_free(b);
    return codes;
}

/* ---- calculator -------------------------------------------------------------- */

static double calc(const char *s)
{
    double v = NAN;
    char why[100];
    assert_int_equal(quality_calc_eval(s, strlen(s), &v, why, sizeof why), 0);
    return v;
}

static void calc_fails(const char *s, const char *why_part)
{
    double v;
    char why[100];
    assert_int_equal(quality_calc_eval(s, strlen(s), &v, why, sizeof why), -1);
    if (why_part && !strstr(why, why_part))
        fail_msg("'%s': '%s' lacks '%s'", s, why, why_part);
}

static void test_calc(void **state)
{
    (void)state;
    assert_true(calc("16-3-4") == 9);
    assert_true(calc("2/2") == 1);
    assert_true(calc("1,000*2") == 2000);
    assert_true(calc("-(3+4)*2") == -14);
    assert_true(calc("10/4") == 2.5);
    assert_true(calc(".5*4") == 2);
    assert_true(calc(" 3 * (2 + 1) ") == 9);
    assert_true(calc("2*-3") == -6);
    assert_true(calc("--2") == 2);
    assert_true(calc("560//10") == 56);
    assert_true(calc("7//2") == 3);
    assert_true(fabs(calc("0.1+0.2") - 0.3) < 1e-12);
    assert_true(calc("8-2-1") == 5);  /* left associative */
    assert_true(calc("8/2/2") == 2);
    assert_true(calc("2+3*4") == 14); /* precedence */
    calc_fails("3/0", "division by zero");
    calc_fails("2+", "unexpected end");
    calc_fails("(1+2", "missing ')'");
    calc_fails("abc", "expected a number");
    calc_fails("2^3", "unexpected character");
    calc_fails("", "unexpected end");
    calc_fails("1,00", "unexpected character"); /* a comma must group three digits */
    calc_fails("0,2", "unexpected character");
    calc_fails("3/4=3/4", "unexpected character");
    calc_fails("__import__('os')", "expected a number");
    char deep[400];
    memset(deep, '(', 200);
    deep[200] = '1';
    memset(deep + 201, ')', 198);
    deep[399] = '\0';
    calc_fails(deep, "too deeply nested");
    memset(deep, '-', 300);
    strcpy(deep + 300, "1");
    calc_fails(deep, "too deeply nested");
    double v;
    int dec = -1;
    assert_int_equal(quality_calc_number("1,234.50", 8, &v, &dec), 0);
    assert_true(v == 1234.5 && dec == 2);
    assert_int_equal(quality_calc_number(" -3 ", 4, &v, &dec), 0);
    assert_true(v == -3 && dec == 0);
    assert_int_equal(quality_calc_number(".5", 2, &v, NULL), 0);
    assert_true(v == 0.5);
    assert_int_equal(quality_calc_number("5 apples", 8, &v, NULL), -1);
    assert_int_equal(quality_calc_number("", 0, &v, NULL), -1);
    assert_int_equal(quality_calc_number("$5", 2, &v, NULL), -1);
}

/* ---- GSM8K rationales ----------------------------------------------------------- */

#define HOW_MANY "How many?"

static void test_rationale(void **state)
{
    (void)state;
    static const struct {
        const char *question, *answer, *want;
    } cases[] = {
        {HOW_MANY, "She has 2+3 = <<2+3=5>>5 apples.\n#### 5", ""},
        {HOW_MANY, "So <<2+3=6>>6\n#### 6", "C020"},
        /* written with the precision it is rounded or truncated to */
        {HOW_MANY, "<<10/3=3.33>>3.33 each\n#### 3.33", ""},
        {HOW_MANY, "<<7/2=3>>3 whole\n#### 3", ""},
        {HOW_MANY, "<<7*2=15>>15\n#### 15", "C020"},
        {HOW_MANY, "<<1,000*2=2,000>>2,000\n#### 2000", ""},
        /* the number after >> must repeat the value */
        {HOW_MANY, "<<4*2=8>>9 cats\n#### 9", "C020"},
        {HOW_MANY, "<<3/4=3/4>>3/4 of 4 is 3\n#### 3", "C021"},
        {HOW_MANY, "<<560//10=56>>56\n#### 56", ""},
        {HOW_MANY, "He has 5 apples.", "C019"},
        {HOW_MANY, "He has 5 apples.\n#### five", "C019"},
        /* final answer supported or not */
        {HOW_MANY, "x = 5 apples\n#### 7", "C022"},
        {HOW_MANY, "so it took three days\n#### 3", ""},
        {HOW_MANY, "Mr. Tan gets $118 000.\n#### 118000", ""},
        {"How much, in cents?", "each is $<<2/8=0.25>>0.25\n#### 25", ""},
        {"How much, in dollars?", "each is $<<2/8=0.25>>0.25\n#### 25", "C022"},
        /* arithmetic written without an annotation */
        {HOW_MANY, "So he played 14*20= 140 minutes\n#### 140", "C025"},
        {HOW_MANY, "Total $4200+$3000 = $8600\n#### 8600", "C025"},
        {HOW_MANY, "Solve 3x + 4 = 28 so x is 8\n#### 8", ""},
        {HOW_MANY, "Left 1 - 1/3 = 2/3 of it, 2\n#### 2", ""},
        {HOW_MANY, "He pays $1 / 2 = 50 cents\n#### 50", ""},
        {HOW_MANY, "Take 20% of 50 = 10 dollars\n#### 10", ""},
        {HOW_MANY, "All 2 + 3 * 4 = 20 people\n#### 20", ""},
        {HOW_MANY, "Each 25 / 1/3 = 75 slices\n#### 75", ""},
        {HOW_MANY, "At 12:00+48 = 60 min\n#### 60", ""},
        {HOW_MANY, "We get 5 * 3 = $15,000 in loss\n#### 15000", ""},
    };
    for (size_t k = 0; k < NELEM(cases); k++) {
        const char *got = rationale_codes(cases[k].question, cases[k].answer);
        if (strcmp(got, cases[k].want) != 0)
            fail_msg("'%s': codes '%s', wanted '%s'", cases[k].answer, got, cases[k].want);
    }
}

/* ---- item checks ------------------------------------------------------------------ */

static void test_gold_and_count(void **state)
{
    (void)state;
    static const mc_item items[] = {
        {"Which is a prime number here?", {"4", "6", "7", "8"}, "C", ""},
        {"Which is a prime number here?", {"4", "6", "7", "8"}, "E", "C004"},
        {"Which is a prime number here?", {"4", "6", "7", "8"}, "", "C003"},
        {"Which is a prime number here?", {"4", "7", "8"}, "B", "C005"},
        /* a 0-based index */
        {"Which is a prime number here?", {"4", "6", "7", "8"}, "2", ""},
        /* the gold option's own text */
        {"Which is a prime number here?", {"4", "6", "7", "8"}, "7", ""},
    };
    bench_set *b = check_items("gold.jsonl", 4, items, NELEM(items));
    quality_item_view v;
    quality_item_view_get(b, 4, &v);
    assert_int_equal(v.gold_state, QUALITY_GOLD_OK);
    assert_int_equal(v.gold, 2);
    quality_item_view_get(b, 5, &v);
    assert_int_equal(v.gold, 2);
    bench_set_free(b);
}

static void test_options(void **state)
{
    (void)state;
    static const mc_item items[] = {
        {"Pick one.", {"Employee rights", "employee rights", "x y z", "w"}, "C", "C007"},
        {"Pick one.", {"Bb", "bb", "BB", "bB"}, "A", ""},
        {"Pick one.", {"Sc \\u2261 Ej", "sC \\u2261 eJ", "Cs", "Ej"}, "A", ""},
        {"Pick one.", {"-1", "1", "2", "II"}, "A", ""},
        {"Pick one.", {"0.16  N", "0.16 N", "0.32 N", "0.36 N"}, "A", "C007"},
        {"Pick one.", {"a", "  ", "c", "d"}, "A", "C006"},
        {"Pick one.", {"ii", "II", "i", "2"}, "A", ""},
    };
    bench_set_free(check_items("opt.jsonl", 4, items, NELEM(items)));
}

static void test_option_refs(void **state)
{
    (void)state;
    static const mc_item items[] = {
        {"Which are mammals?", {"cat", "dog", "cow", "All of the above"}, "D", "C008"},
        {"Which are mammals?", {"cat", "dog", "trout", "A and B"}, "D", "C008"},
        {"Which are mammals?", {"cat", "dog", "trout", "Both (a) and (b)."}, "D", "C008"},
        {"Which statements hold? I. x II. y III. z",
         {"I only", "II only", "I and II only", "I, II, and III"}, "D", ""},
        /* "D and E": D is an option, E is not */
        {"Which two vitamins?", {"B6 and B12", "B6 and D", "B12 and E", "D and E"}, "A", ""},
        /* the letters label the question's segments */
        {"Segments A B C: revenue 42 121 14. Which must be disclosed?",
         {"A and B only.", "A and C only.", "B and C only.", "A B and C."}, "A", ""},
        {"Which is true?", {"a", "b", "c", "Moons contribute to all of the above"}, "D", "C008"},
        /* mid-sentence in a long option */
        {"Which is true?",
         {"a", "b", "c",
          "Apply cream; all of the above treatments and more can reduce itching in many cases."},
         "D", ""},
    };
    bench_set_free(check_items("refs.jsonl", 4, items, NELEM(items)));
}

/* A 300-character passage: "wwwww " 50 times. */
#define WORDS10 "wwwww wwwww wwwww wwwww wwwww wwwww wwwww wwwww wwwww wwwww "
#define PASSAGE WORDS10 WORDS10 WORDS10 WORDS10 WORDS10

static void test_context(void **state)
{
    (void)state;
    static const mc_item items[] = {
        {"Which statement is supported by the map above?", {"a", "b", "c", "d"}, "A", "C009"},
        {"Which fuzzer covers every line of the following program?", {"a", "b", "c", "d"}, "A", "C009"},
        {"Read the following passage. " PASSAGE " Which is true?", {"a", "b", "c", "d"}, "A", ""},
        {"Which of the following is true?", {"a", "b", "c", "d"}, "A", ""},
        {"Pick the FALSE statement from the following list:", {"a", "b", "c", "d"}, "A", ""},
        {"As in the previous question, what is x?", {"a", "b", "c", "d"}, "A", "C009"},
        {"The passage above says what?", {"a", "b", "c", "d"}, "A", "C009"},
        {"What is the graph of y = x^2?", {"a", "b", "c", "d"}, "A", ""},
    };
    bench_set_free(check_items("ctx.jsonl", 4, items, NELEM(items)));
}

static void test_gold_in_question(void **state)
{
    (void)state;
    static const mc_item items[] = {
        {"The Message condentiality means that the sender expects",
         {"Integrity", "Condentiality", "Authentication", "Nonrepudiation"}, "B", "C010"},
        /* another option named too: no giveaway */
        {"Is integrity or condentiality meant here?",
         {"Integrity", "Condentiality", "Authentication", "Nonrepudiation"}, "B", ""},
        /* 'valid or invalid' names the other option's first word */
        {"Is the argument valid or invalid?",
         {"Valid", "Invalid. Counterexample when G", "Invalid. Counterexample when H",
          "Invalid. Counterexample when K"},
         "A", ""},
        /* short or generic golds never count */
        {"Is it true that cats bark? true or not", {"True", "Cats", "x", "y"}, "A", ""},
    };
    bench_set_free(check_items("giq.jsonl", 4, items, NELEM(items)));
}

static void test_encoding(void **state)
{
    (void)state;
    static const mc_item items[] = {
        {"bad \xff byte", {"a", "b"}, "A", "C011"},
        {"lossy \xef\xbf\xbd here", {"a", "b"}, "A", "C012"},
        {"his fianc\xc3\x83\xc2\xa9""e said", {"a", "b"}, "A", "C013"},
        {"it\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s", {"a", "b"}, "A", "C013"},
        /* no-break spaces, not mojibake */
        {"count 25.0\xc2\xa0\xc3\x97\xc2\xa0""103/mcL", {"a", "b"}, "A", "C016"},
        {"ctl \\u0001 and \\u0085", {"a", "b"}, "A", "C014"},
        {"zero\xe2\x80\x8bwidth", {"a", "b"}, "A", "C015"},
        {"a <b>bold</b> and &amp; and &#39;", {"a", "b"}, "A", "C017"},
        {"Find the index of <p> in S_5 if x<y and y>z; AT&T; [sic]", {"a", "b"}, "A", ""},
        {"How to bake. [title] Preheat. [step] Mix.", {"a", "b"}, "A", "C018"},
        {"caf\xc3\xa9 na\xc3\xafve S\xc3\xa3o Paulo \xe2\x80\x9cquoted\xe2\x80\x9d \xc3\x97 2",
         {"a", "b"}, "A", ""},
    };
    bench_set *b = check_items("enc.jsonl", 2, items, NELEM(items));
    assert_non_null(strstr(lint_item(b, 2, 2)->last, "first 'Ã©' in the question"));
    bench_set_free(b);
}

/* ---- item views of the presets ------------------------------------------------------ */

static void test_views(void **state)
{
    (void)state;
    bench_set *b = load_preset(
        "arc.jsonl", "arc",
        "{\"id\":\"x1\",\"question\":\"Q?\",\"options\":[{\"label\":\"1\",\"text\":\"p\"},{\"label\":\"2\",\"text\":\"q\"},{\"label\":\"3\",\"text\":\"r\"}],\"answer\":\"2\"}\n"
        "{\"id\":\"x2\",\"question\":\"Q?\",\"options\":[{\"label\":\"A\",\"text\":\"p\"},{\"label\":\"B\",\"text\":\"q\"}],\"answer\":\"C\"}\n");
    quality_item_view v;
    quality_item_view_get(b, 0, &v);
    assert_true(v.mc && v.nopt == 3 && v.gold == 1 && v.gold_state == QUALITY_GOLD_OK);
    quality_item_view_get(b, 1, &v);
    assert_int_equal(v.gold_state, QUALITY_GOLD_BAD);
    bench_set_free(b);
    b = load_preset("hs.jsonl", "hellaswag",
                    "{\"ind\":5,\"activity_label\":\"Cooking\",\"ctx\":\"A man\",\"endings\":[\"a\",\"b\",\"c\",\"d\"],\"label\":3}\n");
    quality_item_view_get(b, 0, &v);
    assert_true(v.mc && v.nopt == 4 && v.gold == 3);
    bench_set_free(b);
    b = load_preset("gs.jsonl", "gsm8k", "{\"question\":\"How many?\",\"answer\":\"2+2=4\\n#### 4\"}\n");
    quality_item_view_get(b, 0, &v);
    assert_true(!v.mc && v.answer && v.gold_state == QUALITY_GOLD_NONE);
    assert_int_equal(v.qlen, 9);
    bench_set_free(b);
}

/* ---- whole-benchmark lint ------------------------------------------------------------ */

static void test_lint_run(void **state)
{
    (void)state;
    bench_set *b = load_mc(
        "run.jsonl",
        "{\"q\":\"Capital of France?\",\"o\":[\"Paris\",\"Lyon\",\"Nice\",\"Metz\"],\"a\":\"A\"}\n"
        "{\"q\":\"Capital of France?\",\"o\":[\"Paris\",\"Lyon\",\"Nice\",\"Metz\"],\"a\":\"B\"}\n"
        "{\"q\":\"Capital of France?\",\"o\":[\"Lyon\",\"Paris\",\"Metz\",\"Nice\"],\"a\":\"B\"}\n"
        "{\"q\":\"Capital of  France?\",\"o\":[\"Brest\",\"Lyon\",\"Toul\",\"Pau\"],\"a\":\"A\"}\n"
        "{\"q\":\"Capital of Spain?\",\"o\":[\"Madrid\",\"All of the above\",\"Nice\",\"Metz\"],\"a\":\"A\"}\n");
    const bench_set *sets[1] = {b};
    quality_dedup_options dopt;
    quality_dedup_options_init(&dopt);
    quality_dedup *d = NULL;
    contam_err err;
    assert_int_equal(quality_dedup_run(sets, 1, &dopt, &d, &err), CONTAM_OK);
    quality_lint_options lopt;
    quality_lint_options_init(&lopt);
    quality_lint *l = NULL;
    assert_int_equal(quality_lint_run(b, d, NULL, &lopt, &l, &err), CONTAM_OK);
    /* items 0-2 are one item (2 reorders the options) with golds Paris, Lyon,
     * Paris: all three conflict; item 3 asks the same question and its gold
     * Brest is not among item 0's options, but item 1's gold Lyon is a wrong
     * option in item 3 */
    size_t nc;
    const quality_check *ck = quality_checks(&nc);
    char got[400] = "";
    for (size_t k = 0; k < l->n; k++) {
        char one[40];
        snprintf(one, sizeof one, "%s%u:%s", k ? "," : "", l->v[k].item, ck[l->v[k].check].code);
        strcat(got, one);
    }
    assert_string_equal(got, "0:C001,1:C001,2:C001,3:C002,4:C008");
    assert_int_equal(l->by_check[quality_check_index("C001")], 3);
    assert_true(l->ran_dedup && !l->ran_evidence);
    /* outputs parse and carry the documented members */
    contam_buf jl = {0}, sec = {0};
    assert_int_equal(quality_lint_jsonl(l, &jl), 0);
    assert_int_equal(quality_lint_section(l, &sec, 1), 0);
    cJSON *first = cJSON_ParseWithLengthOpts(jl.ptr, strcspn(jl.ptr, "\n"), NULL, 0);
    assert_non_null(first);
    assert_string_equal(cJSON_GetObjectItem(first, "code")->valuestring, "C001");
    assert_string_equal(cJSON_GetObjectItem(first, "severity")->valuestring, "error");
    assert_non_null(cJSON_GetObjectItem(first, "message"));
    assert_true(cJSON_GetObjectItem(first, "record")->valuedouble == 1);
    cJSON_Delete(first);
    cJSON *s = cJSON_Parse(sec.ptr);
    assert_non_null(s);
    assert_int_equal(cJSON_GetObjectItem(s, "findings")->valueint, 5);
    cJSON *bc = cJSON_GetObjectItem(s, "by_check");
    assert_int_equal(cJSON_GetArraySize(bc), (int)nc);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(bc, "C001"), "count")->valueint, 3);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(bc, "C023"), "ran")));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "by_subject"),
                                                             "(none)"),
                                         "C001")->valueint,
                     3);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "examples")), 5);
    cJSON_Delete(s);
    /* items.jsonl members */
    char **m = NULL;
    assert_int_equal(quality_item_members(d, l, b->nitems, &m, &err), CONTAM_OK);
    assert_string_equal(m[4], "\"duplicate_group\":null,\"lint\":[{\"code\":\"C008\",\"severity\":\"warning\"}]");
    assert_non_null(strstr(m[0], "\"duplicate_group\":1,\"lint\":[{\"code\":\"C001\""));
    quality_item_members_free(m, b->nitems);
    contam_buf_free(&jl);
    contam_buf_free(&sec);
    quality_lint_free(l);
    quality_dedup_free(d);
    bench_set_free(b);
}

/* Every allocation failure is reported as CONTAM_ERR_NOMEM and leaks nothing. */
static void test_lint_alloc_failures(void **state)
{
    (void)state;
    bench_set *b = load_mc(
        "af.jsonl",
        "{\"q\":\"Capital of France?\",\"o\":[\"Paris\",\"Lyon\",\"Nice\",\"Metz\"],\"a\":\"A\"}\n"
        "{\"q\":\"Capital of France?\",\"o\":[\"Lyon\",\"Paris\",\"Metz\",\"Nice\"],\"a\":\"A\"}\n"
        "{\"q\":\"Capital of  France?\",\"o\":[\"Brest\",\"Lyon\",\"Toul\",\"All of the above\"],\"a\":\"A\"}\n"
        "{\"q\":\"bad \xc3\x83\xc2\xa9 <b>x</b>\",\"o\":[\"a\",\"a\",\"\",\"d\"],\"a\":\"E\"}\n");
    const bench_set *sets[1] = {b};
    quality_dedup_options dopt;
    quality_dedup_options_init(&dopt);
    quality_lint_options lopt;
    quality_lint_options_init(&lopt);
    qt_alloc_loop af = {0};
    while (qt_alloc_round(&af)) {
        quality_dedup *d = NULL;
        quality_lint *l = NULL;
        contam_buf out = {0};
        contam_err err;
        contam_status st = quality_dedup_run(sets, 1, &dopt, &d, &err);
        if (st == CONTAM_OK)
            st = quality_lint_run(b, d, NULL, &lopt, &l, &err);
        int bad = st == CONTAM_OK && (quality_dedup_jsonl(d, &out) || quality_dedup_section(d, &out, 1) ||
                                      quality_lint_jsonl(l, &out) || quality_lint_section(l, &out, 1));
        if (qt_alloc_end(&af, st, !bad)) {
            assert_int_equal(d->ngroups, 1);
            assert_true(l->n >= 6);
        }
        contam_buf_free(&out);
        quality_lint_free(l);
        quality_dedup_free(d);
    }
    bench_set_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calc),
        cmocka_unit_test(test_rationale),
        cmocka_unit_test(test_gold_and_count),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_option_refs),
        cmocka_unit_test(test_context),
        cmocka_unit_test(test_gold_in_question),
        cmocka_unit_test(test_encoding),
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_lint_run),
        cmocka_unit_test(test_lint_alloc_failures),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup_json, fixture_group_teardown);
}
