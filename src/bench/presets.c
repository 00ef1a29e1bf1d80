/* presets.c - the table of known benchmark layouts (which fields make the
 * item text, label, subject and id) and the parsing of field lists. */
#include <string.h>

#include "bench/bench_internal.h"

static const bench_preset_def presets[] = {
    {"mmlu",
     "MMLU: hendrycks CSV (question,A,B,C,D,answer; no header; subject from the "
     "file name) or HF JSONL {question,subject,choices[4],answer 0-3}",
     1,
     {"0,1,2,3,4", "5", BENCH_LABEL_PLAIN, NULL, 1, NULL, 0},
     1,
     {{"question,choices", "answer", BENCH_LABEL_LETTER, "subject", 0, NULL, 0}}},
    {"gsm8k",
     "GSM8K: JSONL {question,answer}; label = the text after the last '####'",
     0,
     {NULL, NULL, BENCH_LABEL_PLAIN, NULL, 0, NULL, 0},
     1,
     {{"question,answer", "answer", BENCH_LABEL_AFTER_HASHES, NULL, 0, NULL, 0}}},
    {"arc",
     "ARC: JSONL {id,question,options[{label,text}],answer} or AI2 "
     "{id,question:{stem,choices[{label,text}]},answerKey}",
     0,
     {NULL, NULL, BENCH_LABEL_PLAIN, NULL, 0, NULL, 0},
     2,
     {{"question,options", "answer", BENCH_LABEL_PLAIN, NULL, 0, "id", 0},
      {"question.stem,question.choices", "answerKey", BENCH_LABEL_PLAIN, NULL, 0, "id", 0}}},
    {"truthfulqa",
     "TruthfulQA: CSV with header Type,Category,Question,Best Answer,...; "
     "text = Question + Best Answer, subject = Category",
     1,
     {"Question,Best Answer", "Best Answer", BENCH_LABEL_PLAIN, "Category", 0, NULL, 0},
     0,
     {{NULL, NULL, BENCH_LABEL_PLAIN, NULL, 0, NULL, 0}}},
    {"hellaswag",
     "HellaSwag: JSONL {ind,activity_label,ctx,endings[4],label}; "
     "text = ctx + endings, subject = activity_label",
     0,
     {NULL, NULL, BENCH_LABEL_PLAIN, NULL, 0, NULL, 0},
     1,
     {{"ctx,endings", "label", BENCH_LABEL_PLAIN, "activity_label", 0, "ind", 1}}},
};

#define NPRESETS (sizeof presets / sizeof presets[0])

static const char *const preset_names[] = {"mmlu", "gsm8k", "arc", "truthfulqa", "hellaswag",
                                           NULL};

const char *const *bench_preset_names(void) { return preset_names; }

const bench_preset_def *bench_preset_find(const char *name)
{
    for (size_t i = 0; i < NPRESETS; i++)
        if (strcmp(presets[i].name, name) == 0)
            return &presets[i];
    return NULL;
}

const char *bench_preset_describe(const char *name)
{
    const bench_preset_def *p = name ? bench_preset_find(name) : NULL;
    return p ? p->describe : NULL;
}

void bench_fieldlist_free(bench_fieldlist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        contam_free(l->v[i]);
    contam_free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

contam_status bench_fieldlist_parse(const char *spec, bench_fieldlist *out, contam_err *err)
{
    out->v = NULL;
    out->n = 0;
    size_t cap = 1;
    for (const char *c = spec; *c; c++)
        cap += *c == ',';
    out->v = contam_calloc(cap, sizeof *out->v);
    if (!out->v)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    const char *p = spec;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *e = comma ? comma : p + strlen(p);
        const char *b = p;
        while (b < e && is_space(*b))
            b++;
        while (e > b && is_space(e[-1]))
            e--;
        if (b == e) {
            bench_fieldlist_free(out);
            return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0,
                                  "empty field name in field list '%s'", spec);
        }
        out->v[out->n] = contam_strndup(b, (size_t)(e - b));
        if (!out->v[out->n]) {
            bench_fieldlist_free(out);
            return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        }
        out->n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    return CONTAM_OK;
}
