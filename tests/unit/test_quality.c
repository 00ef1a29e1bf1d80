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
#include "test_fixture.h"

/* A generic multiple-choice benchmark: {"q": ..., "o": [...], "a": "B"}. */
static bench_set *load_mc(const char *name, const char *content)
{
    const char *path = put_str(name, content);
    bench_options o;
    memset(&o, 0, sizeof o);
    o.text_fields = "q,o";
    o.label_field = "a";
    bench_set *b = NULL;
    contam_err err;
    assert_int_equal(bench_load(&path, 1, &o, &b, &err), CONTAM_OK);
    return b;
}

static bench_set *load_preset(const char *name, const char *preset, const char *content)
{
    const char *path = put_str(name, content);
    bench_options o;
    memset(&o, 0, sizeof o);
    o.preset = preset;
    bench_set *b = NULL;
    contam_err err;
    assert_int_equal(bench_load(&path, 1, &o, &b, &err), CONTAM_OK);
    return b;
}

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

/* The codes the item checks emit for item i (comma list, emission order). */
static const char *codes_of(const bench_set *b, size_t i, size_t usual)
{
    static seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(quality_lint_item(b, i, usual, collect, &s), 0);
    return s.codes;
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
    static char out[400];
    snprintf(out, sizeof out, "%s", codes_of(b, 0, 0));
    bench_set_free(b);
    return out;
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

static void test_rationale(void **state)
{
    (void)state;
    const char *q = "How many?";
    assert_string_equal(rationale_codes(q, "She has 2+3 = <<2+3=5>>5 apples.\n#### 5"), "");
    assert_string_equal(rationale_codes(q, "So <<2+3=6>>6\n#### 6"), "C020");
    /* written with the precision it is rounded or truncated to */
    assert_string_equal(rationale_codes(q, "<<10/3=3.33>>3.33 each\n#### 3.33"), "");
    assert_string_equal(rationale_codes(q, "<<7/2=3>>3 whole\n#### 3"), "");
    assert_string_equal(rationale_codes(q, "<<7*2=15>>15\n#### 15"), "C020");
    assert_string_equal(rationale_codes(q, "<<1,000*2=2,000>>2,000\n#### 2000"), "");
    /* the number after >> must repeat the value */
    assert_string_equal(rationale_codes(q, "<<4*2=8>>9 cats\n#### 9"), "C020");
    assert_string_equal(rationale_codes(q, "<<3/4=3/4>>3/4 of 4 is 3\n#### 3"), "C021");
    assert_string_equal(rationale_codes(q, "<<560//10=56>>56\n#### 56"), "");
    assert_string_equal(rationale_codes(q, "He has 5 apples."), "C019");
    assert_string_equal(rationale_codes(q, "He has 5 apples.\n#### five"), "C019");
    /* final answer supported or not */
    assert_string_equal(rationale_codes(q, "x = 5 apples\n#### 7"), "C022");
    assert_string_equal(rationale_codes(q, "so it took three days\n#### 3"), "");
    assert_string_equal(rationale_codes(q, "Mr. Tan gets $118 000.\n#### 118000"), "");
    assert_string_equal(rationale_codes("How much, in cents?", "each is $<<2/8=0.25>>0.25\n#### 25"),
                        "");
    assert_string_equal(rationale_codes("How much, in dollars?", "each is $<<2/8=0.25>>0.25\n#### 25"),
                        "C022");
    /* arithmetic written without an annotation */
    assert_string_equal(rationale_codes(q, "So he played 14*20= 140 minutes\n#### 140"), "C025");
    assert_string_equal(rationale_codes(q, "Total $4200+$3000 = $8600\n#### 8600"), "C025");
    assert_string_equal(rationale_codes(q, "Solve 3x + 4 = 28 so x is 8\n#### 8"), "");
    assert_string_equal(rationale_codes(q, "Left 1 - 1/3 = 2/3 of it, 2\n#### 2"), "");
    assert_string_equal(rationale_codes(q, "He pays $1 / 2 = 50 cents\n#### 50"), "");
    assert_string_equal(rationale_codes(q, "Take 20% of 50 = 10 dollars\n#### 10"), "");
    assert_string_equal(rationale_codes(q, "All 2 + 3 * 4 = 20 people\n#### 20"), "");
    assert_string_equal(rationale_codes(q, "Each 25 / 1/3 = 75 slices\n#### 75"), "");
    assert_string_equal(rationale_codes(q, "At 12:00+48 = 60 min\n#### 60"), "");
    assert_string_equal(rationale_codes(q, "We get 5 * 3 = $15,000 in loss\n#### 15000"), "");
}

/* ---- item checks ------------------------------------------------------------------ */

static void test_gold_and_count(void **state)
{
    (void)state;
    bench_set *b = load_mc("gold.jsonl",
                           "{\"q\":\"Which is a prime number here?\",\"o\":[\"4\",\"6\",\"7\",\"8\"],\"a\":\"C\"}\n"
                           "{\"q\":\"Which is a prime number here?\",\"o\":[\"4\",\"6\",\"7\",\"8\"],\"a\":\"E\"}\n"
                           "{\"q\":\"Which is a prime number here?\",\"o\":[\"4\",\"6\",\"7\",\"8\"],\"a\":\"\"}\n"
                           "{\"q\":\"Which is a prime number here?\",\"o\":[\"4\",\"7\",\"8\"],\"a\":\"B\"}\n"
                           "{\"q\":\"Which is a prime number here?\",\"o\":[\"4\",\"6\",\"7\",\"8\"],\"a\":\"2\"}\n"
                           "{\"q\":\"Which is a prime number here?\",\"o\":[\"4\",\"6\",\"7\",\"8\"],\"a\":\"7\"}\n");
    assert_string_equal(codes_of(b, 0, 4), "");
    assert_string_equal(codes_of(b, 1, 4), "C004");
    assert_string_equal(codes_of(b, 2, 4), "C003");
    assert_string_equal(codes_of(b, 3, 4), "C005");
    assert_string_equal(codes_of(b, 4, 4), ""); /* a 0-based index */
    assert_string_equal(codes_of(b, 5, 4), ""); /* the gold option's own text */
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
    bench_set *b = load_mc(
        "opt.jsonl",
        "{\"q\":\"Pick one.\",\"o\":[\"Employee rights\",\"employee rights\",\"x y z\",\"w\"],\"a\":\"C\"}\n"
        "{\"q\":\"Pick one.\",\"o\":[\"Bb\",\"bb\",\"BB\",\"bB\"],\"a\":\"A\"}\n"
        "{\"q\":\"Pick one.\",\"o\":[\"Sc \\u2261 Ej\",\"sC \\u2261 eJ\",\"Cs\",\"Ej\"],\"a\":\"A\"}\n"
        "{\"q\":\"Pick one.\",\"o\":[\"-1\",\"1\",\"2\",\"II\"],\"a\":\"A\"}\n"
        "{\"q\":\"Pick one.\",\"o\":[\"0.16  N\",\"0.16 N\",\"0.32 N\",\"0.36 N\"],\"a\":\"A\"}\n"
        "{\"q\":\"Pick one.\",\"o\":[\"a\",\"  \",\"c\",\"d\"],\"a\":\"A\"}\n"
        "{\"q\":\"Pick one.\",\"o\":[\"ii\",\"II\",\"i\",\"2\"],\"a\":\"A\"}\n");
    assert_string_equal(codes_of(b, 0, 4), "C007");
    assert_string_equal(codes_of(b, 1, 4), "");
    assert_string_equal(codes_of(b, 2, 4), "");
    assert_string_equal(codes_of(b, 3, 4), "");
    assert_string_equal(codes_of(b, 4, 4), "C007");
    assert_string_equal(codes_of(b, 5, 4), "C006");
    assert_string_equal(codes_of(b, 6, 4), "");
    bench_set_free(b);
}

static void test_option_refs(void **state)
{
    (void)state;
    bench_set *b = load_mc(
        "refs.jsonl",
        "{\"q\":\"Which are mammals?\",\"o\":[\"cat\",\"dog\",\"cow\",\"All of the above\"],\"a\":\"D\"}\n"
        "{\"q\":\"Which are mammals?\",\"o\":[\"cat\",\"dog\",\"trout\",\"A and B\"],\"a\":\"D\"}\n"
        "{\"q\":\"Which are mammals?\",\"o\":[\"cat\",\"dog\",\"trout\",\"Both (a) and (b).\"],\"a\":\"D\"}\n"
        "{\"q\":\"Which statements hold? I. x II. y III. z\",\"o\":[\"I only\",\"II only\",\"I and II only\",\"I, II, and III\"],\"a\":\"D\"}\n"
        "{\"q\":\"Which two vitamins?\",\"o\":[\"B6 and B12\",\"B6 and D\",\"B12 and E\",\"D and E\"],\"a\":\"A\"}\n"
        "{\"q\":\"Segments A B C: revenue 42 121 14. Which must be disclosed?\",\"o\":[\"A and B only.\",\"A and C only.\",\"B and C only.\",\"A B and C.\"],\"a\":\"A\"}\n"
        "{\"q\":\"Which is true?\",\"o\":[\"a\",\"b\",\"c\",\"Moons contribute to all of the above\"],\"a\":\"D\"}\n"
        "{\"q\":\"Which is true?\",\"o\":[\"a\",\"b\",\"c\",\"Apply cream; all of the above treatments and more can reduce itching in many cases.\"],\"a\":\"D\"}\n");
    assert_string_equal(codes_of(b, 0, 4), "C008");
    assert_string_equal(codes_of(b, 1, 4), "C008");
    assert_string_equal(codes_of(b, 2, 4), "C008");
    assert_string_equal(codes_of(b, 3, 4), "");
    assert_string_equal(codes_of(b, 4, 4), ""); /* "D and E": D is an option, E is not */
    assert_string_equal(codes_of(b, 5, 4), ""); /* the letters label the question's segments */
    assert_string_equal(codes_of(b, 6, 4), "C008");
    assert_string_equal(codes_of(b, 7, 4), ""); /* mid-sentence in a long option */
    bench_set_free(b);
}

static void test_context(void **state)
{
    (void)state;
    char passage[400];
    memset(passage, 'w', 300);
    for (int i = 5; i < 300; i += 6)
        passage[i] = ' ';
    passage[300] = '\0';
    char line[1200];
    snprintf(line, sizeof line,
             "{\"q\":\"Which statement is supported by the map above?\",\"o\":[\"a\",\"b\",\"c\",\"d\"],\"a\":\"A\"}\n"
             "{\"q\":\"Which fuzzer covers every line of the following program?\",\"o\":[\"a\",\"b\",\"c\",\"d\"],\"a\":\"A\"}\n"
             "{\"q\":\"Read the following passage. %s Which is true?\",\"o\":[\"a\",\"b\",\"c\",\"d\"],\"a\":\"A\"}\n"
             "{\"q\":\"Which of the following is true?\",\"o\":[\"a\",\"b\",\"c\",\"d\"],\"a\":\"A\"}\n"
             "{\"q\":\"Pick the FALSE statement from the following list:\",\"o\":[\"a\",\"b\",\"c\",\"d\"],\"a\":\"A\"}\n"
             "{\"q\":\"As in the previous question, what is x?\",\"o\":[\"a\",\"b\",\"c\",\"d\"],\"a\":\"A\"}\n"
             "{\"q\":\"The passage above says what?\",\"o\":[\"a\",\"b\",\"c\",\"d\"],\"a\":\"A\"}\n"
             "{\"q\":\"What is the graph of y = x^2?\",\"o\":[\"a\",\"b\",\"c\",\"d\"],\"a\":\"A\"}\n",
             passage);
    bench_set *b = load_mc("ctx.jsonl", line);
    assert_string_equal(codes_of(b, 0, 4), "C009");
    assert_string_equal(codes_of(b, 1, 4), "C009");
    assert_string_equal(codes_of(b, 2, 4), "");
    assert_string_equal(codes_of(b, 3, 4), "");
    assert_string_equal(codes_of(b, 4, 4), "");
    assert_string_equal(codes_of(b, 5, 4), "C009");
    assert_string_equal(codes_of(b, 6, 4), "C009");
    assert_string_equal(codes_of(b, 7, 4), "");
    bench_set_free(b);
}

static void test_gold_in_question(void **state)
{
    (void)state;
    bench_set *b = load_mc(
        "giq.jsonl",
        "{\"q\":\"The Message condentiality means that the sender expects\",\"o\":[\"Integrity\",\"Condentiality\",\"Authentication\",\"Nonrepudiation\"],\"a\":\"B\"}\n"
        /* another option named too: no giveaway */
        "{\"q\":\"Is integrity or condentiality meant here?\",\"o\":[\"Integrity\",\"Condentiality\",\"Authentication\",\"Nonrepudiation\"],\"a\":\"B\"}\n"
        /* 'valid or invalid' names the other option's first word */
        "{\"q\":\"Is the argument valid or invalid?\",\"o\":[\"Valid\",\"Invalid. Counterexample when G\",\"Invalid. Counterexample when H\",\"Invalid. Counterexample when K\"],\"a\":\"A\"}\n"
        /* short or generic golds never count */
        "{\"q\":\"Is it true that cats bark? true or not\",\"o\":[\"True\",\"Cats\",\"x\",\"y\"],\"a\":\"A\"}\n");
    assert_string_equal(codes_of(b, 0, 4), "C010");
    assert_string_equal(codes_of(b, 1, 4), "");
    assert_string_equal(codes_of(b, 2, 4), "");
    assert_string_equal(codes_of(b, 3, 4), "");
    bench_set_free(b);
}

static void test_encoding(void **state)
{
    (void)state;
    bench_set *b = load_mc(
        "enc.jsonl",
        "{\"q\":\"bad \xff byte\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n"
        "{\"q\":\"lossy \xef\xbf\xbd here\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n"
        "{\"q\":\"his fianc\xc3\x83\xc2\xa9""e said\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n"
        "{\"q\":\"it\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n"
        "{\"q\":\"count 25.0\xc2\xa0\xc3\x97\xc2\xa0""103/mcL\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n"
        "{\"q\":\"ctl \\u0001 and \\u0085\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n"
        "{\"q\":\"zero\xe2\x80\x8bwidth\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n"
        "{\"q\":\"a <b>bold</b> and &amp; and &#39;\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n"
        "{\"q\":\"Find the index of <p> in S_5 if x<y and y>z; AT&T; [sic]\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n"
        "{\"q\":\"How to bake. [title] Preheat. [step] Mix.\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n"
        "{\"q\":\"caf\xc3\xa9 na\xc3\xafve S\xc3\xa3o Paulo \xe2\x80\x9cquoted\xe2\x80\x9d \xc3\x97 2\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n");
    assert_string_equal(codes_of(b, 0, 2), "C011");
    assert_string_equal(codes_of(b, 1, 2), "C012");
    assert_string_equal(codes_of(b, 2, 2), "C013");
    assert_string_equal(codes_of(b, 3, 2), "C013");
    assert_string_equal(codes_of(b, 4, 2), "C016"); /* no-break spaces, not mojibake */
    assert_string_equal(codes_of(b, 5, 2), "C014");
    assert_string_equal(codes_of(b, 6, 2), "C015");
    assert_string_equal(codes_of(b, 7, 2), "C017");
    assert_string_equal(codes_of(b, 8, 2), "");
    assert_string_equal(codes_of(b, 9, 2), "C018");
    assert_string_equal(codes_of(b, 10, 2), "");
    static seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(quality_lint_item(b, 2, 2, collect, &s), 0);
    assert_non_null(strstr(s.last, "first 'Ã©' in the question"));
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
    int succeeded = 0;
    for (long n = 0; n < 100000 && !succeeded; n++) {
        quality_dedup_options dopt;
        quality_dedup_options_init(&dopt);
        quality_lint_options lopt;
        quality_lint_options_init(&lopt);
        quality_dedup *d = NULL;
        quality_lint *l = NULL;
        contam_buf out = {0};
        contam_err err;
        contam_alloc_fail_after(n);
        contam_status st = quality_dedup_run(sets, 1, &dopt, &d, &err);
        if (st == CONTAM_OK)
            st = quality_lint_run(b, d, NULL, &lopt, &l, &err);
        int bad = st == CONTAM_OK && (quality_dedup_jsonl(d, &out) || quality_dedup_section(d, &out, 1) ||
                                      quality_lint_jsonl(l, &out) || quality_lint_section(l, &out, 1));
        contam_alloc_fail_after(-1);
        if (st == CONTAM_OK && !bad) {
            succeeded = 1;
            assert_int_equal(d->ngroups, 1);
            assert_true(l->n >= 6);
        } else if (st != CONTAM_OK) {
            assert_int_equal(st, CONTAM_ERR_NOMEM);
        }
        contam_buf_free(&out);
        quality_lint_free(l);
        quality_dedup_free(d);
    }
    assert_true(succeeded);
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
