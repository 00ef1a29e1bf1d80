/* record.c - one JSONL corpus line to (text, doc): the parsing rules shared by
 * the scanner and the indexer, so both read a corpus the same way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "io/io.h"
#include "io/io_internal.h"

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

io_rec_kind io_record_parse_tree(const char *line, size_t len, const char *text_field,
                                 const char *doc_field, io_record *rec, char *why, size_t cap,
                                 int *oom)
{
    memset(rec, 0, sizeof *rec);
    *oom = 0;
    size_t k = 0;
    while (k < len && is_blank(line[k]))
        k++;
    if (k == len)
        return IO_REC_BLANK;
    const char *end = NULL;
    (void)contam_json_take_oom();
    cJSON *root = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    if (!root) {
        *oom = contam_json_take_oom();
        size_t col = end && end >= line ? (size_t)(end - line) + 1 : 1;
        snprintf(why, cap, "invalid JSON near column %zu", col);
        return IO_REC_BAD_JSON;
    }
    size_t used = (size_t)(end - line);
    while (used < len && is_blank(line[used]))
        used++;
    if (used < len) {
        snprintf(why, cap, "invalid JSON: trailing data at column %zu", used + 1);
        cJSON_Delete(root);
        return IO_REC_BAD_JSON;
    }
    const cJSON *text = (const cJSON *)contam_json_path(root, text_field);
    if (!cJSON_IsString(text) || !text->valuestring) {
        snprintf(why, cap, "no string field '%.60s'", text_field);
        cJSON_Delete(root);
        return IO_REC_NO_TEXT;
    }
    rec->root = root;
    rec->text = text->valuestring;
    rec->len = strlen(text->valuestring);
    if (doc_field) {
        const cJSON *d = (const cJSON *)contam_json_path(root, doc_field);
        if (cJSON_IsString(d)) {
            rec->doc = d->valuestring;
        } else if (cJSON_IsNumber(d)) {
            snprintf(rec->numbuf, sizeof rec->numbuf, "%.17g", d->valuedouble);
            rec->doc = rec->numbuf;
        }
    }
    return IO_REC_OK;
}

io_rec_kind io_record_parse(const char *line, size_t len, const char *text_field,
                            const char *doc_field, io_record *rec, char *why, size_t cap,
                            int *oom)
{
    /* The fast path answers only where it is sure to agree with the tree
     * (see record_fast.c); everything else, errors included, goes below. */
    if (!doc_field && io_record_parse_fast(line, len, text_field, rec)) {
        *oom = 0;
        return IO_REC_OK;
    }
    return io_record_parse_tree(line, len, text_field, doc_field, rec, why, cap, oom);
}

int io_record_take(const char *line, size_t len, const char *text_field, const char *doc_field,
                   io_record_tally *t, io_record *rec, contam_status *bad, char *why,
                   size_t cap)
{
    int oom;
    *bad = CONTAM_OK;
    switch (io_record_parse(line, len, text_field, doc_field, rec, why, cap, &oom)) {
    case IO_REC_OK:
        t->docs++;
        return 1;
    case IO_REC_BLANK:
        t->blank++;
        return 0;
    case IO_REC_BAD_JSON:
        if (oom)
            return -1;
        t->bad_json++;
        *bad = CONTAM_ERR_JSON;
        return 0;
    case IO_REC_NO_TEXT:
        t->missing++;
        *bad = CONTAM_ERR_FIELD;
        return 0;
    }
    return 0;
}

void io_record_clear(io_record *rec)
{
    if (!rec)
        return;
    cJSON_Delete(rec->root);
    contam_free(rec->owned);
    memset(rec, 0, sizeof *rec);
}

int io_is_text_document(const char *path)
{
    static const char *const txt[] = {".txt", NULL};
    return io_name_has_ext(path, txt);
}

void io_bad_keep(io_bad_record *v, size_t *n, uint64_t line, const char *reason)
{
    size_t slot = *n;
    if (*n == IO_BAD_SAMPLES) {
        slot = 0;
        for (size_t k = 1; k < IO_BAD_SAMPLES; k++)
            if (v[k].line > v[slot].line)
                slot = k;
        if (line >= v[slot].line)
            return;
    } else {
        (*n)++;
    }
    v[slot].line = line;
    snprintf(v[slot].reason, sizeof v[slot].reason, "%s", reason);
}

static int bad_cmp(const void *a, const void *b)
{
    uint64_t x = ((const io_bad_record *)a)->line, y = ((const io_bad_record *)b)->line;
    return x < y ? -1 : x > y;
}

void io_bad_sort(io_bad_record *v, size_t n)
{
    qsort(v, n, sizeof *v, bad_cmp);
}
