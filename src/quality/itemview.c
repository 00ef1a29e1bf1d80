/* itemview.c - what an item's segments mean for the quality checks: which
 * one is the question, which are options, and which option the gold label
 * points to. The bench loader keeps only text segments and the label string,
 * so the label convention comes from the preset (letters for MMLU, the
 * record's own option labels for ARC, 0-based indices for HellaSwag). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "quality/quality_internal.h"

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t' || **s == '\r' || **s == '\n')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r' ||
                  (*s)[*n - 1] == '\n'))
        (*n)--;
}

static int letter_index(const char *s, size_t n)
{
    if (n == 1 && s[0] >= 'A' && s[0] <= 'Z')
        return s[0] - 'A';
    return -1;
}

/* A non-negative decimal integer below 1000, else -1. */
static int int_value(const char *s, size_t n)
{
    if (!n || n > 3)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* ARC: the record's own option labels ("A".."E" or "1".."5"); -1 when the
 * record cannot be read or the label is not among them. */
static int arc_label_index(const bench_set *b, const bench_item *it, const char *lab, size_t n)
{
    const bench_file *f = &b->files[it->file];
    if (f->is_csv || it->raw_off + it->raw_len > f->raw.size)
        return -1;
    cJSON *root = cJSON_ParseWithLengthOpts(f->raw.ptr + it->raw_off, it->raw_len, NULL, 0);
    if (!root)
        return -1;
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(root, "options");
    if (!cJSON_IsArray(opts))
        opts = contam_json_path(root, "question.choices");
    int found = -1, k = 0;
    if (cJSON_IsArray(opts))
        for (const cJSON *e = opts->child; e; e = e->next, k++) {
            const cJSON *l = cJSON_GetObjectItemCaseSensitive(e, "label");
            if (cJSON_IsString(l) && strlen(l->valuestring) == n &&
                !memcmp(l->valuestring, lab, n)) {
                found = k;
                break;
            }
        }
    cJSON_Delete(root);
    return found;
}

static int text_index(const quality_item_view *v, const char *lab, size_t n)
{
    size_t m = v->nopt < QUALITY_MAX_OPTIONS ? v->nopt : QUALITY_MAX_OPTIONS;
    for (size_t k = 0; k < m; k++) {
        const char *o = v->opt[k];
        size_t ol = v->optlen[k];
        trim(&o, &ol);
        if (ol == n && !memcmp(o, lab, n))
            return (int)k;
    }
    return -1;
}

static void resolve_gold(const bench_set *b, const bench_item *it, quality_item_view *v)
{
    const char *lab = it->label;
    size_t n = strlen(lab);
    trim(&lab, &n);
    if (!v->mc) {
        v->gold_state = n ? QUALITY_GOLD_NONE : QUALITY_GOLD_MISSING;
        return;
    }
    if (!n) {
        v->gold_state = QUALITY_GOLD_MISSING;
        return;
    }
    const char *p = b->preset ? b->preset : "generic";
    int g = -1;
    if (!strcmp(p, "mmlu")) {
        g = letter_index(lab, n);
    } else if (!strcmp(p, "hellaswag")) {
        g = int_value(lab, n);
    } else if (!strcmp(p, "arc")) {
        g = arc_label_index(b, it, lab, n);
        if (g < 0)
            g = letter_index(lab, n);
        if (g < 0 && int_value(lab, n) > 0)
            g = int_value(lab, n) - 1;
    } else {
        /* a letter, else a 0-based index in range, else an option's own text */
        g = letter_index(lab, n);
        if (g < 0 && int_value(lab, n) >= 0 && (size_t)int_value(lab, n) < v->nopt)
            g = int_value(lab, n);
        if (g < 0)
            g = text_index(v, lab, n);
    }
    if (g < 0 || (size_t)g >= v->nopt) {
        v->gold_state = QUALITY_GOLD_BAD;
        return;
    }
    v->gold = g;
    v->gold_state = QUALITY_GOLD_OK;
}

void quality_item_view_get(const bench_set *b, size_t i, quality_item_view *v)
{
    const bench_item *it = &b->items[i];
    memset(v, 0, sizeof *v);
    v->gold = -1;
    v->q = it->text;
    v->qlen = it->nseg ? it->seg[0].end - it->seg[0].start : it->text_len;
    const char *p = b->preset ? b->preset : "generic";
    size_t nans = 0;
    for (size_t s = 1; s < it->nseg; s++)
        nans += it->seg[s].part == BENCH_PART_ANSWER;
    if (!strcmp(p, "gsm8k") || !strcmp(p, "truthfulqa"))
        v->mc = 0;
    else if (!strcmp(p, "mmlu") || !strcmp(p, "arc") || !strcmp(p, "hellaswag"))
        v->mc = 1;
    else
        v->mc = nans >= 2;
    for (size_t s = 1; s < it->nseg; s++) {
        if (it->seg[s].part != BENCH_PART_ANSWER)
            continue;
        const char *t = it->text + it->seg[s].start;
        size_t n = it->seg[s].end - it->seg[s].start;
        if (!v->mc) {
            if (!v->answer) {
                v->answer = t;
                v->answerlen = n;
            }
            continue;
        }
        if (v->nopt < QUALITY_MAX_OPTIONS) {
            v->opt[v->nopt] = t;
            v->optlen[v->nopt] = n;
        }
        v->nopt++;
    }
    resolve_gold(b, it, v);
}

void q_dedup_segments(const bench_set *b, size_t i, size_t *first, size_t *end)
{
    const bench_item *it = &b->items[i];
    const char *p = b->preset ? b->preset : "generic";
    *first = 0;
    /* where the answer field is the gold answer itself, comparing it would hide
     * exactly the conflicts we look for */
    if (!strcmp(p, "gsm8k") || !strcmp(p, "truthfulqa"))
        *end = it->nseg ? 1 : 0;
    else
        *end = it->nseg;
}

int q_gold_key(const bench_set *b, size_t i, contam_buf *out)
{
    quality_item_view v;
    quality_item_view_get(b, i, &v);
    contam_buf_reset(out);
    if (v.mc) {
        if (v.gold_state != QUALITY_GOLD_OK || (size_t)v.gold >= QUALITY_MAX_OPTIONS)
            return contam_buf_append(out, "", 0);
        return q_norm_answer(v.opt[v.gold], v.optlen[v.gold], out);
    }
    const char *lab = b->items[i].label;
    double d;
    if (quality_calc_number(lab, strlen(lab), &d, NULL) == 0)
        return contam_buf_printf(out, "%.10g", d);
    return q_norm_answer(lab, strlen(lab), out);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int q_item_key(const bench_set *b, size_t i, contam_buf *out)
{
    quality_item_view v;
    quality_item_view_get(b, i, &v);
    contam_buf_reset(out);
    if (q_norm_answer(v.q, v.qlen, out))
        return -1;
    size_t n = v.nopt < QUALITY_MAX_OPTIONS ? v.nopt : QUALITY_MAX_OPTIONS;
    if (!v.mc || !n)
        return 0;
    /* the options as a sorted set: shuffled options are the same item */
    char *opt[QUALITY_MAX_OPTIONS] = {0};
    contam_buf t = {0};
    int rc = 0;
    for (size_t k = 0; k < n && !rc; k++) {
        contam_buf_reset(&t);
        rc = q_norm_answer(v.opt[k], v.optlen[k], &t) ||
             !(opt[k] = contam_strndup(t.ptr ? t.ptr : "", t.size));
    }
    if (!rc) {
        qsort(opt, n, sizeof *opt, cmp_str);
        for (size_t j = 0; j < n && !rc; j++)
            rc = contam_buf_append(out, "\x1e", 1) || contam_buf_puts(out, opt[j]);
    }
    for (size_t j = 0; j < n; j++)
        contam_free(opt[j]);
    contam_buf_free(&t);
    return rc ? -1 : 0;
}
