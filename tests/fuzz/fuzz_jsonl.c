/* fuzz_jsonl.c - fuzz target for JSONL benchmark files (bench_load).
 *
 * The input is the file. It is loaded with the gsm8k preset, generic fields
 * (top-level and dotted paths, with label/subject/id overrides) and the other
 * JSONL presets. Beyond the shared properties of fuzz_bench.h, every item's
 * raw line is parsed again with cJSON: it must be one JSON object, and where
 * the fields are strings the item's text, segments, label (GSM8K: the text
 * after the last "####", trimmed), subject and id must be derived from them.
 *
 * Each line (and the whole input as one line) is also a corpus record:
 * io_record_parse's tree-less fast path must agree with the cJSON tree
 * (io_record_parse_tree) wherever it answers, and the public result must be
 * the tree's, for a few text fields.
 */
#include <cjson/cJSON.h>

#include "fuzz_bench.h"
#include "io/io_internal.h"

typedef struct {
    const char *text[2];
    const char *label, *subject, *id;
    int after_hashes;
} ref_fields;

static const cJSON *ref_get(const cJSON *root, const char *dotted)
{
    char key[64];
    const cJSON *cur = root;
    for (const char *p = dotted; cur && *p;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        memcpy(key, p, n);
        key[n] = '\0';
        cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, key) : NULL;
        p += n + (dot != NULL);
    }
    return cur;
}

static int ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* GSM8K's label: what follows the last "####", blanks trimmed. */
static void after_hashes(const char *s, contam_buf *out)
{
    const char *last = NULL;
    for (const char *h = strstr(s, "####"); h; h = strstr(h + 1, "####"))
        last = h;
    contam_buf_reset(out);
    if (contam_buf_append(out, "", 0))
        abort();
    if (!last)
        return;
    const char *b = last + 4, *e = s + strlen(s);
    while (b < e && ws(*b))
        b++;
    while (e > b && ws(e[-1]))
        e--;
    if (contam_buf_append(out, b, (size_t)(e - b)))
        abort();
}

static void check_str(const fuzz_bench_case *c, size_t i, const char *what, const char *got,
                      const char *want)
{
    char a[200], b[200];
    FUZZ_CHECK(strcmp(got, want) == 0, "[%s] item %zu: %s \"%s\", record says \"%s\"", c->name,
               i, what, fuzz_show(got, strlen(got), a, sizeof a),
               fuzz_show(want, strlen(want), b, sizeof b));
}

static void fields_of(const fuzz_bench_case *c, ref_fields *rf)
{
    memset(rf, 0, sizeof *rf);
    if (c->opt.preset && strcmp(c->opt.preset, "gsm8k") == 0) {
        rf->text[0] = "question";
        rf->text[1] = "answer";
        rf->label = "answer";
        rf->after_hashes = 1;
    } else if (strcmp(c->name, "generic-top") == 0) {
        rf->text[0] = "question";
        rf->text[1] = "answer";
    } else if (strcmp(c->name, "generic-dotted") == 0) {
        rf->text[0] = "text";
        rf->text[1] = "meta.extra";
        rf->label = "label";
        rf->subject = "meta.subject";
        rf->id = "id";
    }
}

static void jsonl_oracle(const bench_set *set, const fuzz_bench_case *c)
{
    const bench_file *f = &set->files[0];
    if (f->is_csv) /* compressed input that held CSV */
        return;
    ref_fields rf;
    fields_of(c, &rf);
    contam_buf want = {0};
    for (size_t i = 0; i < set->nitems; i++) {
        const bench_item *it = &set->items[i];
        const char *raw = f->raw.ptr + it->raw_off;
        char s[200];
        cJSON *root = cJSON_ParseWithLength(raw, it->raw_len);
        FUZZ_CHECK(cJSON_IsObject(root), "[%s] item %zu: record \"%s\" is no JSON object",
                   c->name, i, fuzz_show(raw, it->raw_len, s, sizeof s));
        if (rf.text[0]) {
            const cJSON *q = ref_get(root, rf.text[0]), *a = ref_get(root, rf.text[1]);
            if (cJSON_IsString(q) && cJSON_IsString(a)) {
                contam_buf_reset(&want);
                if (contam_buf_puts(&want, q->valuestring) || contam_buf_puts(&want, "\n") ||
                    contam_buf_puts(&want, a->valuestring))
                    abort();
                char w[200];
                FUZZ_CHECK(it->text_len == want.size && memcmp(it->text, want.ptr, want.size) == 0,
                           "[%s] item %zu: text \"%s\", record says \"%s\"", c->name, i,
                           fuzz_show(it->text, it->text_len, s, sizeof s),
                           fuzz_show(want.ptr, want.size, w, sizeof w));
                size_t ql = strlen(q->valuestring);
                FUZZ_CHECK(it->nseg == 2 && it->seg[0].end == ql &&
                               it->seg[0].part == BENCH_PART_QUESTION &&
                               it->seg[1].part == BENCH_PART_ANSWER,
                           "[%s] item %zu: segments do not match question/answer", c->name, i);
            }
        }
        if (rf.label) {
            const cJSON *l = ref_get(root, rf.label);
            if (rf.after_hashes) {
                FUZZ_CHECK(cJSON_IsString(l), "[%s] item %zu: loaded without a string answer",
                           c->name, i);
                after_hashes(l->valuestring, &want);
                check_str(c, i, "label", it->label, want.ptr);
            } else if (cJSON_IsString(l)) {
                check_str(c, i, "label", it->label, l->valuestring);
            }
        }
        if (rf.subject) {
            const cJSON *v = ref_get(root, rf.subject);
            if (cJSON_IsString(v))
                check_str(c, i, "subject", it->subject, v->valuestring);
        }
        if (rf.id) {
            const cJSON *v = ref_get(root, rf.id);
            if (cJSON_IsString(v))
                check_str(c, i, "id", it->id, v->valuestring);
        } else if (rf.text[0]) {
            char id[64];
            snprintf(id, sizeof id, "in:%llu", (unsigned long long)it->record);
            check_str(c, i, "id", it->id, id);
        }
        cJSON_Delete(root);
    }
    contam_buf_free(&want);
}

static const fuzz_bench_case cases[] = {
    {"gsm8k", {.preset = "gsm8k"}, 1, jsonl_oracle},
    {"generic-top", {.text_fields = "question,answer"}, 1, jsonl_oracle},
    {"generic-dotted",
     {.text_fields = "text, meta.extra",
      .label_field = "label",
      .subject_field = "meta.subject",
      .id_field = "id"},
     1,
     jsonl_oracle},
    {"mmlu", {.preset = "mmlu"}, 1, jsonl_oracle},
    {"hellaswag", {.preset = "hellaswag"}, 1, jsonl_oracle},
    /* Two layouts chosen from the first record: order matters. */
    {"arc", {.preset = "arc"}, 0, jsonl_oracle},
};

/* Fields the record differential reads: plain keys, one that needs an
 * escape in the key to match, a non-ASCII one, and two the fast path must
 * leave to the tree ("" and a dotted path). */
static const char *const record_fields[] = {"text", "a", "t\"x", "\xc3\xa9", "", "meta.text"};

static void record_differential(const char *line, size_t len)
{
    char s[200], w[200];
    for (size_t f = 0; f < sizeof record_fields / sizeof *record_fields; f++) {
        const char *field = record_fields[f];
        io_record tree, fast, pub;
        char why_t[120] = "", why_p[120] = ""; /* BLANK leaves them as they are */
        int oom_t, oom_p;
        io_rec_kind kt =
            io_record_parse_tree(line, len, field, NULL, &tree, why_t, sizeof why_t, &oom_t);
        FUZZ_CHECK(!oom_t, "record: tree parse ran out of memory");
        if (io_record_parse_fast(line, len, field, &fast)) {
            FUZZ_CHECK(kt == IO_REC_OK && fast.root == NULL && fast.len == tree.len &&
                           memcmp(fast.text, tree.text, tree.len) == 0,
                       "record [%s] \"%s\": fast path says \"%s\", tree says kind %d \"%s\"",
                       field, fuzz_show(line, len, s, sizeof s),
                       fuzz_show(fast.text, fast.len, w, sizeof w), (int)kt,
                       kt == IO_REC_OK ? tree.text : why_t);
            io_record_clear(&fast);
        }
        io_rec_kind kp =
            io_record_parse(line, len, field, NULL, &pub, why_p, sizeof why_p, &oom_p);
        FUZZ_CHECK(kp == kt && !oom_p, "record [%s] \"%s\": parse says kind %d, tree %d", field,
                   fuzz_show(line, len, s, sizeof s), (int)kp, (int)kt);
        if (kt == IO_REC_OK)
            FUZZ_CHECK(pub.len == tree.len && memcmp(pub.text, tree.text, tree.len) == 0,
                       "record [%s] \"%s\": parse and tree disagree on the text", field,
                       fuzz_show(line, len, s, sizeof s));
        else if (kt != IO_REC_BLANK)
            FUZZ_CHECK(strcmp(why_p, why_t) == 0, "record [%s]: why \"%s\" vs \"%s\"", field,
                       why_p, why_t);
        if (kp == IO_REC_OK)
            io_record_clear(&pub);
        if (kt == IO_REC_OK)
            io_record_clear(&tree);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        contam_json_init();
        init = 1;
    }
    const char *text = (const char *)data;
    for (size_t b = 0; b < size;) {
        const char *nl = memchr(text + b, '\n', size - b);
        size_t e = nl ? (size_t)(nl - text) : size;
        record_differential(text + b, e - b);
        b = e + 1;
    }
    record_differential(text, size);
    fuzz_bench_run(cases, sizeof cases / sizeof cases[0], "in.jsonl", data, size);
    return 0;
}
