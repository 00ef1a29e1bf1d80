/* test_bench.c - bench module: the real public benchmarks with their presets
 * (counts, exact items, byte-exact raw records), CSV and JSONL edge cases,
 * error codes with file:line, generic field paths and allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"

#define FIXTURE_PREFIX "bench"
#include "test_fixture.h"

/* ---- helpers ---------------------------------------------------------------- */

static const char *shared(const char *rel, char *buf, size_t cap)
{
    const char *d = getenv("CONTAM_SHARED_DATA");
    if (!d)
        d = "../shared/data";
    snprintf(buf, cap, "%s/bench/%s", d, rel);
    return buf;
}

#define PUT(name, lit) put(name, lit, sizeof(lit) - 1)

static bench_options opts(const char *preset)
{
    bench_options o;
    memset(&o, 0, sizeof o);
    o.preset = preset;
    return o;
}

static bench_set *load_ok(const char *path, const bench_options *o)
{
    bench_set *b = NULL;
    contam_err err;
    contam_err_clear(&err);
    contam_status st = bench_load(&path, 1, o, &b, &err);
    if (st != CONTAM_OK) {
        char msg[1200];
        contam_err_format(&err, msg, sizeof msg);
        print_error("bench_load(%s): %s\n", path, msg);
    }
    assert_int_equal(st, CONTAM_OK);
    assert_non_null(b);
    return b;
}

/* Loads path expecting failure with code; returns the error. */
static contam_err load_fail(const char *path, const bench_options *o, contam_status code)
{
    bench_set *b = (bench_set *)0x1;
    contam_err err;
    contam_err_clear(&err);
    contam_status st = bench_load(&path, 1, o, &b, &err);
    assert_int_equal(st, code);
    assert_int_equal(err.code, code);
    assert_null(b);
    return err;
}

static const bench_item *find_id(const bench_set *b, const char *id)
{
    for (size_t i = 0; i < b->nitems; i++)
        if (strcmp(b->items[i].id, id) == 0)
            return &b->items[i];
    fail_msg("no item with id %s", id);
    return NULL;
}

/* header + every record's raw bytes, in order, must be the file on disk. */
static void assert_roundtrip(const bench_set *b)
{
    size_t next = 0;
    for (size_t fi = 0; fi < b->nfiles; fi++) {
        const bench_file *f = &b->files[fi];
        size_t len;
        char *disk = slurp(f->path, &len);
        assert_int_equal(f->raw.size, len);
        size_t pos = f->header_len;
        assert_true(pos <= len);
        for (size_t k = 0; k < f->nitems; k++, next++) {
            const bench_item *it = &b->items[next];
            assert_int_equal(it->file, fi);
            assert_int_equal(it->raw_off, pos);
            pos += it->raw_len;
            assert_true(pos <= len);
        }
        assert_int_equal(pos, len);
        assert_memory_equal(f->raw.ptr, disk, len);
        free(disk);
    }
    assert_int_equal(next, b->nitems);
}

static void assert_seg(const bench_item *it, size_t i, const char *s, bench_part part)
{
    assert_true(i < it->nseg);
    size_t n = it->seg[i].end - it->seg[i].start;
    assert_int_equal(n, strlen(s));
    assert_memory_equal(it->text + it->seg[i].start, s, n);
    assert_int_equal(it->seg[i].part, part);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- real benchmarks ---------------------------------------------------------- */

static void test_mmlu_test(void **state)
{
    (void)state;
    char p[600];
    bench_options o = opts("mmlu");
    double t0 = now();
    bench_set *b = load_ok(shared("mmlu/test", p, sizeof p), &o);
    double t1 = now();
    print_message("mmlu test: %zu items in %zu files loaded in %.1f ms\n", b->nitems, b->nfiles,
                  (t1 - t0) * 1e3);
    assert_int_equal(b->nfiles, 57);
    assert_int_equal(b->nitems, 14079);
    assert_string_equal(b->preset, "mmlu");
    assert_string_equal(b->files[0].rel, "abstract_algebra_test.csv");
    assert_int_equal(b->files[0].is_csv, 1);
    assert_int_equal(b->files[0].delim, ',');
    assert_int_equal(b->files[0].header_len, 0);
    assert_int_equal(strlen(b->files[0].checksum), 32);

    const bench_item *it = find_id(b, "anatomy_test:12");
    assert_string_equal(it->subject, "anatomy");
    assert_string_equal(it->label, "D");
    assert_int_equal(it->record, 12);
    assert_int_equal(it->nseg, 5);
    assert_string_equal(it->text,
                        "A patient suffers damage to the orbit in a road traffic incident "
                        "resulting in damage to the third cranial nerve. Which of the following "
                        "signs will be present?\n"
                        "Pupillary constriction and a medial strabismus\n"
                        "Pupillary dilatation and a medial strabismus\n"
                        "Pupillary constriction and a lateral strabismus\n"
                        "Pupillary dilatation and a lateral strabismus");
    assert_int_equal(strlen(it->text), it->text_len);
    assert_seg(it, 0,
               "A patient suffers damage to the orbit in a road traffic incident resulting in "
               "damage to the third cranial nerve. Which of the following signs will be present?",
               BENCH_PART_QUESTION);
    assert_seg(it, 4, "Pupillary dilatation and a lateral strabismus", BENCH_PART_ANSWER);
    assert_int_equal(bench_item_part_at(it, 0), BENCH_PART_QUESTION);
    assert_int_equal(bench_item_part_at(it, it->seg[1].start), BENCH_PART_ANSWER);
    assert_int_equal(bench_item_part_at(it, it->text_len - 1), BENCH_PART_ANSWER);
    assert_int_equal(bench_item_part_at(it, it->text_len + 10), BENCH_PART_QUESTION);

    /* A multi-line quoted question (a quoted speech). */
    it = find_id(b, "high_school_us_history_test:1");
    assert_string_equal(it->subject, "high_school_us_history");
    assert_string_equal(it->label, "D");
    assert_int_equal(it->line, 1);
    assert_true(strncmp(it->text,
                        "This question refers to the following information.\n\"The "
                        "far-reaching, the boundless future",
                        86) == 0);
    const bench_item *next = it + 1;
    assert_true(next->line > 2); /* the first record spans several lines */

    assert_roundtrip(b);
    bench_set_free(b);
}

static void test_mmlu_val_dev(void **state)
{
    (void)state;
    char p[600];
    bench_options o = opts("mmlu");
    bench_set *b = load_ok(shared("mmlu/val", p, sizeof p), &o);
    assert_int_equal(b->nitems, 1542);
    assert_int_equal(b->nfiles, 57);
    /* Quoted fields with CRLF inside an LF file stay byte-exact. */
    const bench_item *it = find_id(b, "college_mathematics_val:4");
    assert_int_equal(it->line, 4);
    assert_non_null(strstr(it->text, "the following information is\r\nobtained"));
    assert_string_equal(it->label, "A");
    assert_seg(it, 1, "1", BENCH_PART_ANSWER);
    assert_int_equal(find_id(b, "college_mathematics_val:5")->line, 12);
    for (size_t i = 0; i < b->nfiles; i++)
        assert_string_equal(b->files[i].eol, "\n");
    assert_roundtrip(b);
    bench_set_free(b);

    b = load_ok(shared("mmlu/dev", p, sizeof p), &o);
    assert_int_equal(b->nitems, 285);
    assert_roundtrip(b);
    bench_set_free(b);
}

static void test_mmlu_root_skips_license(void **state)
{
    (void)state;
    char p[600];
    bench_options o = opts("mmlu");
    bench_set *b = load_ok(shared("mmlu", p, sizeof p), &o);
    assert_int_equal(b->nfiles, 171);
    assert_int_equal(b->nitems, 14079 + 1542 + 285);
    assert_string_equal(b->files[0].rel, "dev/abstract_algebra_dev.csv");
    bench_set_free(b);
}

static void test_gsm8k(void **state)
{
    (void)state;
    char p[600];
    bench_options o = opts("gsm8k");
    bench_set *b = load_ok(shared("gsm8k/test.jsonl", p, sizeof p), &o);
    assert_int_equal(b->nitems, 1319);
    assert_int_equal(b->files[0].is_csv, 0);
    assert_string_equal(b->files[0].rel, "test.jsonl");
    const bench_item *it = &b->items[0];
    assert_string_equal(it->id, "test:1");
    assert_string_equal(it->label, "18");
    assert_string_equal(it->subject, "");
    assert_int_equal(it->nseg, 2);
    assert_true(strncmp(it->text, "Janet\xE2\x80\x99s ducks lay 16 eggs per day.", 36) == 0);
    assert_int_equal(it->seg[1].part, BENCH_PART_ANSWER);
    assert_true(strncmp(it->text + it->seg[1].start, "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9", 38) ==
                0);
    it = &b->items[1318];
    assert_string_equal(it->id, "test:1319");
    assert_string_equal(it->label, "14");
    assert_int_equal(it->line, 1319);
    assert_roundtrip(b);
    bench_set_free(b);
}

static void test_arc(void **state)
{
    (void)state;
    char p[600];
    bench_options o = opts("arc");
    bench_set *b = load_ok(shared("arc/arc_challenge_test.jsonl", p, sizeof p), &o);
    assert_int_equal(b->nitems, 1172);
    const bench_item *it = &b->items[1171];
    assert_string_equal(it->id, "MEA_2013_8_15");
    assert_string_equal(it->label, "A");
    assert_string_equal(it->text, "A ball is thrown downward onto a concrete floor and bounces "
                                  "upward. What supplies the upward force that makes the ball "
                                  "bounce?\nthe floor\nthe pull of gravity\nthe air friction on "
                                  "the ball\nthe person that throws the ball");
    assert_int_equal(it->nseg, 5);
    assert_string_equal(b->items[0].id, "Mercury_7175875");
    assert_string_equal(b->items[0].label, "C");
    assert_roundtrip(b);
    bench_set_free(b);
}

static void test_truthfulqa(void **state)
{
    (void)state;
    char p[600];
    bench_options o = opts("truthfulqa");
    bench_set *b = load_ok(shared("truthfulqa/TruthfulQA.csv", p, sizeof p), &o);
    assert_int_equal(b->nitems, 817);
    assert_int_equal(b->files[0].header_len, 76);
    const bench_item *it = &b->items[0];
    assert_string_equal(it->id, "TruthfulQA:1");
    assert_int_equal(it->line, 2);
    assert_int_equal(it->record, 1);
    assert_string_equal(it->subject, "Misconceptions");
    assert_string_equal(it->label, "The watermelon seeds pass through your digestive system");
    assert_string_equal(it->text, "What happens to you if you eat watermelon seeds?\nThe "
                                  "watermelon seeds pass through your digestive system");
    it = &b->items[816];
    assert_string_equal(it->subject, "Mandela Effect");
    assert_string_equal(it->text,
                        "Was the Lindbergh kidnapping ever solved?\nYes, Bruno Richard Hauptmann "
                        "was sentenced to death for the kidnapping");
    assert_roundtrip(b);
    bench_set_free(b);
}

static void test_hellaswag(void **state)
{
    (void)state;
    char p[600];
    bench_options o = opts("hellaswag");
    bench_set *b = load_ok(shared("hellaswag/hellaswag_val.jsonl", p, sizeof p), &o);
    assert_int_equal(b->nitems, 10042);
    const bench_item *it = &b->items[5];
    assert_string_equal(it->id, "5");
    assert_string_equal(it->subject, "High jump");
    assert_string_equal(it->label, "1");
    assert_string_equal(it->text, "The boy lands on his back on to a red mat. The boy gets up from "
                                  "the mat. the boy\nstarts doing spins.\ncelebrates by clapping "
                                  "and flexing both arms.\nis dancing on the mat.\ndoes jump jacks "
                                  "on his stick.");
    assert_int_equal(it->nseg, 5);
    assert_string_equal(b->items[10041].id, "10041");
    assert_string_equal(b->items[10041].label, "2");
    assert_roundtrip(b);
    bench_set_free(b);
}

/* ---- CSV edge cases ------------------------------------------------------------- */

static void test_csv_semicolon(void **state)
{
    (void)state;
    const char *p = PUT("semi/a.csv", "q;a;b\nx;1,5;2\ny;3;4\n");
    bench_options o = opts(NULL);
    o.text_fields = "q,a,b";
    bench_set *b = load_ok(p, &o);
    assert_int_equal(b->files[0].delim, ';');
    assert_int_equal(b->nitems, 2);
    assert_string_equal(b->items[0].text, "x\n1,5\n2");
    assert_string_equal(b->items[0].id, "a:1");
    assert_string_equal(b->preset, "generic");
    assert_roundtrip(b);
    bench_set_free(b);

    /* Both consistent: ',' wins the tie. */
    p = PUT("semi/b.csv", "a,b;c\n1,2;3\n");
    o.text_fields = "0,1";
    b = load_ok(p, &o);
    assert_int_equal(b->files[0].delim, ',');
    bench_set_free(b);
}

static void test_csv_quotes_crlf_no_final_newline(void **state)
{
    (void)state;
    static const char csv[] = "id,question,answer\r\n"
                              "1,\"He said \"\"hi\"\"\r\nthen left\",yes\r\n"
                              "2,plain,\"no, never\"";
    const char *p = put("q/quotes.csv", csv, sizeof csv - 1);
    bench_options o = opts(NULL);
    o.text_fields = "question,answer";
    o.id_field = "id";
    o.label_field = "answer";
    bench_set *b = load_ok(p, &o);
    const bench_file *f = &b->files[0];
    assert_int_equal(b->nitems, 2);
    assert_string_equal(f->eol, "\r\n");
    assert_int_equal(f->header_len, 20);
    assert_string_equal(b->items[0].text, "He said \"hi\"\r\nthen left\nyes");
    assert_string_equal(b->items[0].id, "1");
    assert_string_equal(b->items[0].label, "yes");
    assert_int_equal(b->items[0].line, 2);
    assert_int_equal(b->items[1].line, 4);
    assert_int_equal(b->items[1].record, 2);
    assert_string_equal(b->items[1].label, "no, never");
    assert_int_equal(b->items[1].raw_len, strlen("2,plain,\"no, never\""));
    assert_roundtrip(b);
    bench_set_free(b);
}

static void test_csv_bom(void **state)
{
    (void)state;
    const char *p = PUT("bom/h.csv", "\xEF\xBB\xBFquestion,answer\nq1,a1\n");
    bench_options o = opts(NULL);
    o.text_fields = "question,answer";
    bench_set *b = load_ok(p, &o);
    assert_int_equal(b->files[0].header_len, 3 + 16);
    assert_string_equal(b->items[0].text, "q1\na1");
    assert_roundtrip(b);
    bench_set_free(b);

    p = PUT("bom/n.csv", "\xEF\xBB\xBFq1,a1\nq2,a2\n");
    o.text_fields = "0,1";
    b = load_ok(p, &o);
    assert_int_equal(b->files[0].header_len, 3);
    assert_int_equal(b->items[0].raw_off, 3);
    assert_string_equal(b->items[0].text, "q1\na1");
    assert_roundtrip(b);
    bench_set_free(b);
}

static void test_csv_mmlu_preset_and_blank_lines(void **state)
{
    (void)state;
    const char *p = PUT("mm/physics_val.csv", "What?,a,b,c,d,B\n\n\"Why\nnot?\",e,f,g,h,C\n");
    bench_options o = opts("mmlu");
    bench_set *b = load_ok(p, &o);
    assert_int_equal(b->nitems, 2);
    assert_string_equal(b->items[0].subject, "physics");
    assert_string_equal(b->items[0].id, "physics_val:1");
    assert_string_equal(b->items[1].id, "physics_val:2");
    assert_int_equal(b->items[1].line, 3);
    assert_string_equal(b->items[1].text, "Why\nnot?\ne\nf\ng\nh");
    assert_string_equal(b->items[1].label, "C");
    bench_set_free(b);

    /* Overrides replace the preset's fields. */
    o.subject_field = "5";
    o.label_field = "1";
    b = load_ok(p, &o);
    assert_string_equal(b->items[0].subject, "B");
    assert_string_equal(b->items[0].label, "a");
    bench_set_free(b);
}

static void test_csv_errors(void **state)
{
    (void)state;
    bench_options o = opts(NULL);
    o.text_fields = "0";
    const char *p = PUT("err/count.csv", "a,b,c\n1,2,3\n\"x\ny\",z,w\n4,5\n");
    contam_err e = load_fail(p, &o, CONTAM_ERR_CSV);
    assert_string_equal(e.file, p);
    assert_int_equal(e.line, 5);
    assert_non_null(strstr(e.msg, "expected 3 fields, found 2"));
    char msg[1200];
    contam_err_format(&e, msg, sizeof msg);
    assert_non_null(strstr(msg, ":5: "));

    p = PUT("err/quote.csv", "a,b\n1,2\n3,\"open\nmore\n");
    e = load_fail(p, &o, CONTAM_ERR_CSV);
    assert_string_equal(e.file, p);
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.msg, "unterminated"));

    o.text_fields = "question,nope";
    p = PUT("err/names.csv", "question,answer\nq,a\n");
    e = load_fail(p, &o, CONTAM_ERR_FIELD);
    assert_non_null(strstr(e.msg, "'nope'"));
    assert_int_equal(e.line, 1);

    o.text_fields = "7";
    e = load_fail(p, &o, CONTAM_ERR_FIELD);
    assert_non_null(strstr(e.msg, "out of range"));

    /* A header and no rows is no benchmark. */
    o.text_fields = "question";
    p = PUT("err/hdr.csv", "question,answer\n");
    e = load_fail(p, &o, CONTAM_ERR_EMPTY);
    assert_string_equal(e.file, p);
}

/* ---- JSONL ------------------------------------------------------------------- */

static void test_jsonl_generic_paths_arrays(void **state)
{
    (void)state;
    const char *p = PUT("gen/g.jsonl",
                        "{\"a\":{\"b\":\"Q\"},\"opts\":[\"x\",\"y\"],\"ch\":[{\"text\":\"t1\"},"
                        "{\"text\":\"t2\"}],\"n\":3.5,\"lab\":2,\"meta\":{\"sub\":\"S\"},"
                        "\"uid\":\"u1\"}\r\n");
    bench_options o = opts(NULL);
    o.text_fields = "a.b, opts,ch,n";
    o.label_field = "lab";
    o.subject_field = "meta.sub";
    o.id_field = "uid";
    bench_set *b = load_ok(p, &o);
    const bench_item *it = &b->items[0];
    assert_string_equal(it->text, "Q\nx\ny\nt1\nt2\n3.5");
    assert_int_equal(it->nseg, 6);
    assert_seg(it, 0, "Q", BENCH_PART_QUESTION);
    assert_seg(it, 3, "t1", BENCH_PART_ANSWER);
    assert_seg(it, 5, "3.5", BENCH_PART_ANSWER);
    assert_string_equal(it->label, "2");
    assert_string_equal(it->subject, "S");
    assert_string_equal(it->id, "u1");
    assert_string_equal(b->files[0].eol, "\r\n");
    assert_roundtrip(b);
    bench_set_free(b);
}

static void test_jsonl_blank_lines(void **state)
{
    (void)state;
    const char *p = PUT("blank/b.jsonl", "\n{\"q\":\"one\"}\n   \n{\"q\":\"two\"}");
    bench_options o = opts(NULL);
    o.text_fields = "q";
    bench_set *b = load_ok(p, &o);
    assert_int_equal(b->nitems, 2);
    assert_int_equal(b->items[0].line, 2);
    assert_string_equal(b->items[0].id, "b:2");
    assert_int_equal(b->items[1].line, 4);
    assert_int_equal(b->items[1].record, 4);
    assert_string_equal(b->items[1].text, "two");
    assert_int_equal(b->items[1].raw_len, strlen("{\"q\":\"two\"}"));
    assert_int_equal(b->items[0].raw_off, 1);
    assert_int_equal(b->items[0].raw_len, strlen("{\"q\":\"one\"}\n"));
    bench_set_free(b);
}

static void test_jsonl_errors(void **state)
{
    (void)state;
    bench_options o = opts(NULL);
    o.text_fields = "q";
    const char *p = PUT("jerr/bad.jsonl", "{\"q\":\"a\"}\n{\"q\": oops}\n");
    contam_err e = load_fail(p, &o, CONTAM_ERR_JSON);
    assert_string_equal(e.file, p);
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "column 7"));
    assert_true(e.has_offset);
    assert_int_equal(e.offset, 10 + 6);

    p = PUT("jerr/trail.jsonl", "{\"q\":\"a\"} x\n");
    e = load_fail(p, &o, CONTAM_ERR_JSON);
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.msg, "column 11"));

    p = PUT("jerr/missing.jsonl", "{\"q\":\"a\"}\n\n{\"r\":\"b\"}\n");
    e = load_fail(p, &o, CONTAM_ERR_FIELD);
    assert_string_equal(e.file, p);
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.msg, "'q'"));

    p = PUT("jerr/type.jsonl", "{\"q\":{\"x\":1}}\n");
    e = load_fail(p, &o, CONTAM_ERR_FIELD);
    assert_non_null(strstr(e.msg, "'q' is an object"));

    p = PUT("jerr/elem.jsonl", "{\"q\":[\"a\",null]}\n");
    e = load_fail(p, &o, CONTAM_ERR_FIELD);
    assert_non_null(strstr(e.msg, "element 1"));

    p = PUT("jerr/notobj.jsonl", "{\"q\":\"a\"}\n[1,2]\n");
    e = load_fail(p, &o, CONTAM_ERR_FIELD);
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "an array, expected a JSON object"));

    o.label_field = "lab";
    p = PUT("jerr/lab.jsonl", "{\"q\":\"a\",\"lab\":[1]}\n");
    e = load_fail(p, &o, CONTAM_ERR_FIELD);
    assert_non_null(strstr(e.msg, "'lab'"));

    p = PUT("jerr/arr.json", "[{\"q\":\"a\"}]\n");
    load_fail(p, &o, CONTAM_ERR_FORMAT);
}

static void test_presets_other_layouts(void **state)
{
    (void)state;
    /* HF MMLU JSONL: answer index -> letter. */
    const char *p = PUT("hf/mmlu.jsonl", "{\"question\":\"Q\",\"subject\":\"anatomy\",\"choices\":"
                                         "[\"a\",\"b\",\"c\",\"d\"],\"answer\":2}\n");
    bench_options o = opts("mmlu");
    bench_set *b = load_ok(p, &o);
    assert_string_equal(b->items[0].label, "C");
    assert_string_equal(b->items[0].subject, "anatomy");
    assert_string_equal(b->items[0].id, "mmlu:1");
    assert_string_equal(b->items[0].text, "Q\na\nb\nc\nd");
    bench_set_free(b);
    p = PUT("hf/bad.jsonl", "{\"question\":\"Q\",\"subject\":\"s\",\"choices\":[],\"answer\":7.5}\n");
    contam_err e = load_fail(p, &o, CONTAM_ERR_FIELD);
    assert_non_null(strstr(e.msg, "'answer'"));

    /* AI2 ARC layout. */
    p = PUT("ai2/arc.jsonl", "{\"id\":\"X1\",\"question\":{\"stem\":\"S\",\"choices\":[{\"label\":"
                             "\"A\",\"text\":\"t\"},{\"label\":\"B\",\"text\":\"u\"}]},"
                             "\"answerKey\":\"B\"}\n");
    o = opts("arc");
    b = load_ok(p, &o);
    assert_string_equal(b->items[0].id, "X1");
    assert_string_equal(b->items[0].label, "B");
    assert_string_equal(b->items[0].text, "S\nt\nu");
    bench_set_free(b);

    /* HellaSwag without "ind", string label. */
    p = PUT("hs/h.jsonl", "{\"activity_label\":\"A\",\"ctx\":\"c\",\"endings\":[\"e\"],"
                          "\"label\":\"0\"}\n");
    o = opts("hellaswag");
    b = load_ok(p, &o);
    assert_string_equal(b->items[0].id, "h:1");
    assert_string_equal(b->items[0].label, "0");
    bench_set_free(b);

    /* Format/preset mismatches and bad options. */
    o = opts("gsm8k");
    p = PUT("mis/x.csv", "a,b\n");
    load_fail(p, &o, CONTAM_ERR_FORMAT);
    o = opts("truthfulqa");
    p = PUT("mis/y.jsonl", "{\"a\":1}\n");
    load_fail(p, &o, CONTAM_ERR_FORMAT);
    o = opts("nope");
    load_fail(p, &o, CONTAM_ERR_ARG);
    o = opts(NULL);
    load_fail(p, &o, CONTAM_ERR_ARG);
    o.text_fields = "a,,b";
    load_fail(p, &o, CONTAM_ERR_ARG);

    const char *const *names = bench_preset_names();
    size_t n = 0;
    for (; names[n]; n++)
        assert_non_null(bench_preset_describe(names[n]));
    assert_int_equal(n, 5);
    assert_null(bench_preset_describe("generic"));
    assert_string_equal(bench_part_name(BENCH_PART_ANSWER), "answer");
    assert_string_equal(bench_part_name(BENCH_PART_QUESTION), "question");
}

static void test_empty(void **state)
{
    (void)state;
    bench_options o = opts(NULL);
    o.text_fields = "q";
    const char *p = PUT("empty/e.jsonl", "");
    contam_err e = load_fail(p, &o, CONTAM_ERR_EMPTY);
    assert_string_equal(e.file, p);
    p = PUT("empty2/w.csv", " \n\r\n");
    e = load_fail(p, &o, CONTAM_ERR_EMPTY);
    assert_string_equal(e.file, p);
    /* A directory holding no data files. */
    p = PUT("empty3/README", "hello\n");
    char dir[600];
    snprintf(dir, sizeof dir, "%s/empty3", g_tmp);
    e = load_fail(dir, &o, CONTAM_ERR_EMPTY);
    /* A missing path. */
    snprintf(dir, sizeof dir, "%s/does-not-exist", g_tmp);
    load_fail(dir, &o, CONTAM_ERR_OPEN);
    /* Size bound. */
    p = PUT("big/b.jsonl", "{\"q\":\"0123456789\"}\n");
    o.max_file = 8;
    load_fail(p, &o, CONTAM_ERR_ARG);
    bench_set_free(NULL);
}

/* Every allocation failing in turn: no crash, no leak, NOMEM each time. */
static void test_alloc_failures(void **state)
{
    (void)state;
    contam_json_init(); /* cJSON's allocations join the failure loop */
    PUT("af/a.csv", "question,answer,m.l\n\"q \"\"1\"\"\nx\",a1,L1\nq2,a2,L2\n");
    PUT("af/b.jsonl", "{\"question\":\"q3\",\"answer\":[\"x\",{\"text\":\"y\"}],\"m\":{\"l\":4}}\n"
                      "{\"question\":\"q4\",\"answer\":\"z\",\"m\":{\"l\":\"5\"}}\n");
    char dir[600];
    snprintf(dir, sizeof dir, "%s/af", g_tmp);
    const char *paths[1] = {dir};
    bench_options o = opts(NULL);
    o.text_fields = "question,answer";
    o.label_field = "m.l";
    int succeeded = 0;
    for (long n = 0; n < 100000 && !succeeded; n++) {
        bench_set *b = NULL;
        contam_err err;
        contam_alloc_fail_after(n);
        contam_status st = bench_load(paths, 1, &o, &b, &err);
        contam_alloc_fail_after(-1);
        if (st == CONTAM_OK) {
            succeeded = 1;
            assert_int_equal(b->nitems, 4);
            assert_string_equal(b->items[2].text, "q3\nx\ny");
            assert_string_equal(b->items[3].label, "5");
            bench_set_free(b);
        } else {
            assert_int_equal(st, CONTAM_ERR_NOMEM);
            assert_null(b);
        }
    }
    assert_true(succeeded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mmlu_test),
        cmocka_unit_test(test_mmlu_val_dev),
        cmocka_unit_test(test_mmlu_root_skips_license),
        cmocka_unit_test(test_gsm8k),
        cmocka_unit_test(test_arc),
        cmocka_unit_test(test_truthfulqa),
        cmocka_unit_test(test_hellaswag),
        cmocka_unit_test(test_csv_semicolon),
        cmocka_unit_test(test_csv_quotes_crlf_no_final_newline),
        cmocka_unit_test(test_csv_bom),
        cmocka_unit_test(test_csv_mmlu_preset_and_blank_lines),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_jsonl_generic_paths_arrays),
        cmocka_unit_test(test_jsonl_blank_lines),
        cmocka_unit_test(test_jsonl_errors),
        cmocka_unit_test(test_presets_other_layouts),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
