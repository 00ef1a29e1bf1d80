/* test_quality_dedup.c - duplicate groups: exact copies up to whitespace,
 * near copies (reordered options, punctuation), conflicting gold answers
 * versus variants of a question, thresholds, --against sets, deterministic
 * numbering, the JSON outputs, and the real MMLU test split (its 129
 * byte-identical duplicate rows and 198 repeated question texts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bench/bench.h"
#include "quality/quality.h"
#include "quality/quality_internal.h" /* q_minhash: the exhaustive check below */

#define FIXTURE_PREFIX "qdedup"
#include "test_quality_util.h"

static quality_dedup *run(const bench_set *const *sets, size_t n, double jaccard)
{
    quality_dedup_options o;
    quality_dedup_options_init(&o);
    o.jaccard = jaccard;
    quality_dedup *d = NULL;
    contam_err err;
    assert_int_equal(quality_dedup_run(sets, n, &o, &d, &err), CONTAM_OK);
    return d;
}

/* "g1:0,1 g2:3,5" - groups and their members (set-local item indices, with
 * an 'x' before against members). */
static const char *describe(const quality_dedup *d)
{
    static char out[1000];
    out[0] = '\0';
    for (size_t k = 0; k < d->ngroups; k++) {
        const quality_dup_group *g = &d->groups[k];
        char one[200];
        snprintf(one, sizeof one, "%sg%u%s%s:", k ? " " : "", g->id, g->exact ? "e" : "n",
                 g->conflicting ? "!" : g->gold_differs ? "~" : "");
        strcat(out, one);
        for (size_t j = 0; j < g->n; j++) {
            snprintf(one, sizeof one, "%s%s%u", j ? "," : "", g->m[j].set ? "x" : "", g->m[j].item);
            strcat(out, one);
        }
    }
    return out;
}

#define LONGQ "Which of these processes moves water from the leaves of a plant into the air"
#define LONGB(w)                                                                            \
    "At sea level and under the standard atmospheric pressure that chemists use in most "    \
    "laboratory textbooks and reference tables, what is the " w " point of pure water "      \
    "measured in degrees Fahrenheit on a thermometer"

static void test_groups(void **state)
{
    (void)state;
    bench_set *b = load_mc(
        "g.jsonl",
        /* 0, 1: whitespace only differs: exact */
        "{\"q\":\"" LONGQ "?\",\"o\":[\"transpiration\",\"condensation\",\"erosion\",\"runoff\"],\"a\":\"A\"}\n"
        "{\"q\":\"" LONGQ "?  \",\"o\":[\"transpiration\",\"condensation \",\"erosion\",\"runoff\"],\"a\":\"A\"}\n"
        /* 2: unrelated */
        "{\"q\":\"What is the boiling point of water at sea level in degrees Celsius\",\"o\":[\"100\",\"90\",\"80\",\"70\"],\"a\":\"A\"}\n"
        /* 3: 0 with options reordered and punctuation: near, similarity 1, same gold */
        "{\"q\":\"" LONGQ ".\",\"o\":[\"Runoff.\",\"Transpiration.\",\"Erosion.\",\"Condensation.\"],\"a\":\"B\"}\n"
        /* 4: same question and options as 0, gold differs: conflict */
        "{\"q\":\"" LONGQ "?\",\"o\":[\"transpiration\",\"condensation\",\"erosion\",\"runoff\"],\"a\":\"D\"}\n"
        /* 5, 6: the same but for a question mark; 7: a variant (one word of 34
         * changed, Jaccard 0.85) with a different gold: near, not a conflict */
        "{\"q\":\"" LONGB("boiling") "\",\"o\":[\"212\",\"100\",\"32\",\"0\"],\"a\":\"A\"}\n"
        "{\"q\":\"" LONGB("boiling") "?\",\"o\":[\"212\",\"100\",\"32\",\"0\"],\"a\":\"A\"}\n"
        "{\"q\":\"" LONGB("freezing") "\",\"o\":[\"212\",\"100\",\"32\",\"0\"],\"a\":\"C\"}\n");
    const bench_set *sets[1] = {b};
    quality_dedup *d = run(sets, 1, 0.8);
    assert_string_equal(describe(d), "g1n!:0,1,3,4 g2n~:5,6,7");
    assert_int_equal(d->item_group[0], 1);
    assert_int_equal(d->item_group[2], 0);
    assert_int_equal(d->item_group[7], 2);
    const quality_dup_group *g = &d->groups[0];
    assert_true(g->m[1].exact && !g->m[2].exact && g->m[3].exact);
    assert_true(g->m[2].similarity == 1.0);
    quality_dedup_free(d);
    /* a stricter threshold splits the variant off, keeps the exact copies */
    d = run(sets, 1, 0.95);
    assert_string_equal(describe(d), "g1n!:0,1,3,4 g2n:5,6");
    quality_dedup_free(d);
    bench_set_free(b);
}

static void test_against(void **state)
{
    (void)state;
    bench_set *b = load_mc(
        "b.jsonl", "{\"q\":\"" LONGQ "?\",\"o\":[\"transpiration\",\"condensation\",\"erosion\",\"runoff\"],\"a\":\"A\"}\n"
                   "{\"q\":\"Name the largest planet of the solar system by mass and volume\",\"o\":[\"Jupiter\",\"Saturn\",\"Earth\",\"Mars\"],\"a\":\"A\"}\n");
    bench_set *tr = load_mc(
        "t.jsonl", "{\"q\":\"Name the smallest planet of the solar system by mass and volume\",\"o\":[\"Mercury\",\"Mars\",\"Venus\",\"Pluto\"],\"a\":\"A\"}\n"
                   /* two copies inside the other set: not compared with each other */
                   "{\"q\":\"Which gas do plants absorb from the air for photosynthesis in daylight\",\"o\":[\"CO2\",\"O2\",\"N2\",\"Ar\"],\"a\":\"A\"}\n"
                   "{\"q\":\"Which gas do plants absorb from the air for photosynthesis in daylight\",\"o\":[\"CO2\",\"O2\",\"N2\",\"Ar\"],\"a\":\"A\"}\n"
                   "{\"q\":\"" LONGQ "?\",\"o\":[\"transpiration\",\"condensation\",\"erosion\",\"runoff\"],\"a\":\"C\"}\n");
    const bench_set *sets[2] = {b, tr};
    quality_dedup *d = run(sets, 2, 0.8);
    /* a conflict across splits: the training copy says erosion */
    assert_string_equal(describe(d), "g1e!:0,x3");
    quality_dedup_free(d);
    /* against the benchmark itself: every item is its own exact copy */
    const bench_set *self[2] = {b, b};
    d = run(self, 2, 0.8);
    assert_string_equal(describe(d), "g1e:0,x0 g2e:1,x1");
    contam_buf jl = {0}, sec = {0};
    assert_int_equal(quality_dedup_jsonl(d, &jl), 0);
    assert_int_equal(quality_dedup_section(d, &sec, 1), 0);
    cJSON *g1 = cJSON_ParseWithLengthOpts(jl.ptr, strcspn(jl.ptr, "\n"), NULL, 0);
    assert_non_null(g1);
    assert_string_equal(cJSON_GetObjectItem(g1, "kind")->valuestring, "exact");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(g1, "conflicting_labels")));
    cJSON *m1 = cJSON_GetArrayItem(cJSON_GetObjectItem(g1, "members"), 1);
    assert_string_equal(cJSON_GetObjectItem(m1, "role")->valuestring, "against");
    assert_string_equal(cJSON_GetObjectItem(m1, "answer")->valuestring, "transpiration");
    assert_non_null(cJSON_GetObjectItem(m1, "source"));
    assert_non_null(cJSON_GetObjectItem(m1, "record"));
    assert_non_null(cJSON_GetObjectItem(m1, "label"));
    cJSON_Delete(g1);
    cJSON *s = cJSON_Parse(sec.ptr);
    assert_non_null(s);
    assert_int_equal(cJSON_GetObjectItem(s, "groups")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(s, "exact_groups")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(s, "cross_set_groups")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(s, "items_in_groups")->valueint, 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "against")), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "examples")), 2);
    cJSON_Delete(s);
    contam_buf_free(&jl);
    contam_buf_free(&sec);
    quality_dedup_free(d);
    bench_set_free(tr);
    bench_set_free(b);
}

/* Items without words (symbols only) and single-word items. */
static void test_small_items(void **state)
{
    (void)state;
    bench_set *b = load_mc("s.jsonl", "{\"q\":\"?\",\"o\":[\"+\",\"-\"],\"a\":\"A\"}\n"
                                      "{\"q\":\"!\",\"o\":[\"+\",\"-\"],\"a\":\"A\"}\n"
                                      "{\"q\":\"?\",\"o\":[\"+\",\"-\"],\"a\":\"A\"}\n"
                                      "{\"q\":\"Cat\",\"o\":[\"x\",\"y\"],\"a\":\"A\"}\n"
                                      "{\"q\":\"cat\",\"o\":[\"y\",\"x\"],\"a\":\"B\"}\n");
    const bench_set *sets[1] = {b};
    quality_dedup *d = run(sets, 1, 0.8);
    /* 0 and 2 are exact copies; 1 has no words, so it is never a near copy;
     * 3 and 4 are the same item with options swapped, same gold text */
    assert_string_equal(describe(d), "g1e:0,2 g2n:3,4");
    quality_dedup_free(d);
    bench_set_free(b);
}

static void test_bad_options(void **state)
{
    (void)state;
    bench_set *b = load_mc("o.jsonl", "{\"q\":\"x\",\"o\":[\"a\",\"b\"],\"a\":\"A\"}\n");
    const bench_set *sets[1] = {b};
    quality_dedup_options o;
    quality_dedup_options_init(&o);
    quality_dedup *d = NULL;
    contam_err err;
    o.jaccard = 0;
    assert_int_equal(quality_dedup_run(sets, 1, &o, &d, &err), CONTAM_ERR_ARG);
    assert_null(d);
    o.jaccard = 0.8;
    o.shingle = 0;
    assert_int_equal(quality_dedup_run(sets, 1, &o, &d, &err), CONTAM_ERR_ARG);
    quality_dedup_free(NULL);
    bench_set_free(b);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    bench_set *b = load_mc(
        "af.jsonl",
        "{\"q\":\"" LONGQ "?\",\"o\":[\"transpiration\",\"condensation\",\"erosion\",\"runoff\"],\"a\":\"A\"}\n"
        "{\"q\":\"" LONGQ "? \",\"o\":[\"transpiration\",\"condensation\",\"erosion\",\"runoff\"],\"a\":\"B\"}\n"
        "{\"q\":\"" LONGQ ".\",\"o\":[\"Runoff\",\"Transpiration\",\"Erosion\",\"Condensation\"],\"a\":\"B\"}\n");
    const bench_set *sets[2] = {b, b};
    quality_dedup_options o;
    quality_dedup_options_init(&o);
    qt_alloc_loop af = {0};
    while (qt_alloc_round(&af)) {
        quality_dedup *d = NULL;
        contam_err err;
        contam_status st = quality_dedup_run(sets, 2, &o, &d, &err);
        if (qt_alloc_end(&af, st, 1)) {
            assert_int_equal(d->ngroups, 1);
            assert_int_equal(d->groups[0].n, 6);
            assert_true(d->groups[0].conflicting);
        } else {
            assert_null(d);
        }
        quality_dedup_free(d);
    }
    bench_set_free(b);
}

/* The shared MMLU test split: 129 rows repeat an earlier row byte for byte,
 * and one more pair differs only in whitespace. */
static void test_mmlu(void **state)
{
    (void)state;
    bench_set *b = load_shared("bench/mmlu/test", "mmlu");
    assert_int_equal(b->nitems, 14079);
    const bench_set *sets[1] = {b};
    quality_dedup *d = run(sets, 1, 0.8);
    size_t exact = 0, exact_items = 0, bytewise = 0, conflicting = 0;
    for (size_t k = 0; k < d->ngroups; k++) {
        const quality_dup_group *g = &d->groups[k];
        conflicting += g->conflicting;

        if (!g->exact)
            continue;
        exact++;
        exact_items += g->n;
        /* members whose raw CSV record equals the first member's */
        const bench_item *a = &b->items[g->m[0].item];
        for (size_t j = 1; j < g->n; j++) {
            const bench_item *x = &b->items[g->m[j].item];
            bytewise += x->raw_len == a->raw_len &&
                        !memcmp(b->files[x->file].raw.ptr + x->raw_off,
                                b->files[a->file].raw.ptr + a->raw_off, a->raw_len);
        }
    }
    assert_int_equal(exact, 130);
    assert_int_equal(exact_items, 260);
    assert_int_equal(bytewise, 129);
    assert_int_equal(conflicting, 0);
    /* question texts asked again (198 byte-identical, 2 more up to whitespace) */
    assert_int_equal(d->question_groups, 178);
    assert_int_equal(d->repeated_questions, 200);
    /* numbering follows the first member in input order */
    for (size_t k = 1; k < d->ngroups; k++)
        assert_true(d->groups[k].m[0].item > d->groups[k - 1].m[0].item);
    /* deterministic */
    quality_dedup *d2 = run(sets, 1, 0.8);
    contam_buf x = {0}, y = {0};
    assert_int_equal(quality_dedup_jsonl(d, &x), 0);
    assert_int_equal(quality_dedup_jsonl(d2, &y), 0);
    assert_int_equal(x.size, y.size);
    assert_memory_equal(x.ptr, y.ptr, x.size);
    contam_buf_free(&x);
    contam_buf_free(&y);
    quality_dedup_free(d2);
    quality_dedup_free(d);
    bench_set_free(b);
}

/* LSH recall: an exhaustive comparison (every pair of items that share a
 * shingle, exact Jaccard) must give the same groups as dedup's candidates. */
typedef struct {
    uint64_t h;
    uint32_t g;
} sh_ent;

static int cmp_sh(const void *a, const void *b)
{
    const sh_ent *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

static uint32_t root_of(uint32_t *par, uint32_t x)
{
    while (par[x] != x)
        x = par[x] = par[par[x]];
    return x;
}

static void test_recall(void **state)
{
    (void)state;
    bench_set *full = load_shared("bench/mmlu/test", "mmlu");
    bench_set b = *full;
    b.nitems = 6000; /* the first 21 subjects: enough groups, quick under sanitizers */
    const bench_set *sets[1] = {&b};
    q_minhash m;
    contam_err err;
    quality_dedup_options dopt;
    quality_dedup_options_init(&dopt);
    assert_int_equal(q_minhash_build(sets, 1, dopt.shingle, dopt.seed, &m, &err), CONTAM_OK);
    size_t n = b.nitems, tot = m.off[n];
    sh_ent *e = malloc(tot * sizeof *e);
    uint32_t *par = malloc(n * sizeof *par), *lst = malloc(n * sizeof *lst);
    uint8_t *seen = calloc(n, 1);
    assert_true(e && par && lst && seen);
    for (size_t g = 0, k = 0; g < n; g++)
        for (size_t x = m.off[g]; x < m.off[g + 1]; x++, k++)
            e[k] = (sh_ent){m.sh[x], (uint32_t)g};
    qsort(e, tot, sizeof *e, cmp_sh);
    for (size_t g = 0; g < n; g++)
        par[g] = (uint32_t)g;
    /* for each item: the later items sharing one of its shingles */
    for (size_t g = 0; g < n; g++) {
        size_t nl = 0;
        for (size_t x = m.off[g]; x < m.off[g + 1]; x++) {
            size_t lo = 0, hi = tot;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (e[mid].h < m.sh[x])
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (size_t z = lo; z < tot && e[z].h == m.sh[x]; z++)
                if (e[z].g > g && !seen[e[z].g]) {
                    seen[e[z].g] = 1;
                    lst[nl++] = e[z].g;
                }
        }
        for (size_t k = 0; k < nl; k++) {
            seen[lst[k]] = 0;
            if (q_jaccard(&m, g, lst[k]) >= dopt.jaccard) {
                uint32_t a = root_of(par, (uint32_t)g), c = root_of(par, lst[k]);
                par[a > c ? a : c] = a < c ? a : c;
            }
        }
    }
    size_t groups = 0, members = 0;
    uint32_t *size = calloc(n, sizeof *size);
    for (size_t g = 0; g < n; g++)
        size[root_of(par, (uint32_t)g)]++;
    for (size_t g = 0; g < n; g++)
        if (size[g] >= 2) {
            groups++;
            members += size[g];
        }
    quality_dedup *d = run(sets, 1, dopt.jaccard);
    size_t dm = 0;
    for (size_t k = 0; k < d->ngroups; k++) {
        dm += d->groups[k].n;
        for (size_t j = 0; j < d->groups[k].n; j++)
            assert_int_equal(root_of(par, d->groups[k].m[j].item),
                             root_of(par, d->groups[k].m[0].item));
    }
    assert_true(groups > 100);
    assert_int_equal(d->ngroups, groups);
    assert_int_equal(dm, members);
    quality_dedup_free(d);
    free(size);
    free(e);
    free(par);
    free(lst);
    free(seen);
    q_minhash_free(&m);
    bench_set_free(full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups),      cmocka_unit_test(test_against),
        cmocka_unit_test(test_small_items), cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_alloc_failures), cmocka_unit_test(test_mmlu),
        cmocka_unit_test(test_recall),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup_json, fixture_group_teardown);
}
