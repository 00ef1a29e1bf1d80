/* load_jsonl.c - one JSONL benchmark file to items: each non-blank line is a
 * JSON object whose fields (dotted paths) give the text, label, subject and
 * id. Every failure names the file and line. */
#include <string.h>

#include <cjson/cJSON.h>

#include "bench/bench_internal.h"

typedef struct {
    bench_loader *L;
    const char *path;
    uint64_t line;
    contam_err *err;
} rec_ctx;

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsArray(v))
        return "an array";
    return "an object";
}

static contam_status field_err(const rec_ctx *c, const char *field, const char *fmt_what,
                               const cJSON *v)
{
    if (!v)
        return contam_err_set(c->err, CONTAM_ERR_FIELD, c->path, c->line,
                              "missing field '%s'", field);
    return contam_err_set(c->err, CONTAM_ERR_FIELD, c->path, c->line,
                          "field '%s' is %s, expected %s", field, type_name(v), fmt_what);
}

static contam_status nomem(const rec_ctx *c)
{
    return contam_err_set(c->err, CONTAM_ERR_NOMEM, c->path, c->line, "out of memory");
}

/* One text value: a string or number is one segment; an array contributes
 * each string/number element, or each object element's "text". */
static contam_status add_text(const rec_ctx *c, const char *field, const cJSON *v,
                              bench_part part)
{
    char num[32];
    if (cJSON_IsString(v))
        return bench_text_add(c->L, v->valuestring, strlen(v->valuestring), part) ? nomem(c)
                                                                                 : CONTAM_OK;
    if (cJSON_IsNumber(v)) {
        bench_fmt_number(v->valuedouble, num);
        return bench_text_add(c->L, num, strlen(num), part) ? nomem(c) : CONTAM_OK;
    }
    if (!cJSON_IsArray(v))
        return field_err(c, field, "a string, number or array", v);
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        const cJSON *t = e;
        if (cJSON_IsObject(e))
            t = cJSON_GetObjectItemCaseSensitive(e, "text");
        if (cJSON_IsString(t)) {
            if (bench_text_add(c->L, t->valuestring, strlen(t->valuestring), part))
                return nomem(c);
        } else if (cJSON_IsNumber(t)) {
            bench_fmt_number(t->valuedouble, num);
            if (bench_text_add(c->L, num, strlen(num), part))
                return nomem(c);
        } else {
            return contam_err_set(c->err, CONTAM_ERR_FIELD, c->path, c->line,
                                  "field '%s' element %zu is %s, expected a string, number "
                                  "or an object with a string \"text\"",
                                  field, k, t == e ? type_name(e) : "an object without \"text\"");
        }
    }
    return CONTAM_OK;
}

/* A scalar field as a string: strings as they are, numbers as JSON prints
 * them, booleans as true/false. num holds the formatted number. */
static contam_status scalar(const rec_ctx *c, const char *field, const cJSON *v, char num[32],
                            const char **out)
{
    if (cJSON_IsString(v)) {
        *out = v->valuestring;
    } else if (cJSON_IsNumber(v)) {
        bench_fmt_number(v->valuedouble, num);
        *out = num;
    } else if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v) ? "true" : "false";
    } else {
        return field_err(c, field, "a string or number", v);
    }
    return CONTAM_OK;
}

static contam_status get_label(const rec_ctx *c, const bench_layout *lay, const cJSON *root,
                               char num[32], const char **out)
{
    const cJSON *v = contam_json_path(root, lay->label);
    if (lay->label_kind == BENCH_LABEL_LETTER && cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!(d >= 0 && d < 26 && d == (double)(int)d))
            return contam_err_set(c->err, CONTAM_ERR_FIELD, c->path, c->line,
                                  "field '%s' is %g, expected an answer index 0-25",
                                  lay->label, d);
        num[0] = (char)('A' + (int)d);
        num[1] = '\0';
        *out = num;
        return CONTAM_OK;
    }
    if (lay->label_kind == BENCH_LABEL_AFTER_HASHES && !cJSON_IsString(v))
        return field_err(c, lay->label, "a string", v);
    const char *s = NULL;
    contam_status st = scalar(c, lay->label, v, num, &s);
    if (st != CONTAM_OK)
        return st;
    *out = bench_label_transform(c->L, lay->label_kind, s, strlen(s));
    return *out ? CONTAM_OK : nomem(c);
}

static contam_status record_to_item(const rec_ctx *c, const bench_layout *lay,
                                    const bench_fieldlist *text, const cJSON *root,
                                    bench_item_meta *m)
{
    if (!cJSON_IsObject(root))
        return contam_err_set(c->err, CONTAM_ERR_FIELD, c->path, c->line,
                              "record is %s, expected a JSON object", type_name(root));
    bench_text_reset(c->L);
    for (size_t i = 0; i < text->n; i++) {
        const cJSON *v = contam_json_path(root, text->v[i]);
        if (!v)
            return field_err(c, text->v[i], NULL, NULL);
        contam_status st =
            add_text(c, text->v[i], v, i == 0 ? BENCH_PART_QUESTION : BENCH_PART_ANSWER);
        if (st != CONTAM_OK)
            return st;
    }
    char lnum[32], snum[32], inum[32], subj[sizeof c->L->stem];
    contam_status st;
    m->label = NULL;
    m->subject = NULL;
    m->id = NULL;
    if (lay->label && (st = get_label(c, lay, root, lnum, &m->label)) != CONTAM_OK)
        return st;
    if (lay->subject_from_stem) {
        bench_stem_subject(c->L->stem, subj, sizeof subj);
        m->subject = subj;
    } else if (lay->subject &&
               (st = scalar(c, lay->subject, contam_json_path(root, lay->subject), snum,
                            &m->subject)) != CONTAM_OK) {
        return st;
    }
    if (lay->id) {
        const cJSON *v = contam_json_path(root, lay->id);
        if ((v || !lay->id_optional) && (st = scalar(c, lay->id, v, inum, &m->id)) != CONTAM_OK)
            return st;
    }
    return bench_item_push(c->L, m, c->err);
}

/* The first layout whose text fields all exist with usable types. */
static const bench_layout *choose_layout(const bench_preset_def *def, const cJSON *root,
                                         contam_err *err, contam_status *st)
{
    *st = CONTAM_OK;
    for (size_t k = 0; k < def->njsonl; k++) {
        bench_fieldlist fl;
        if ((*st = bench_fieldlist_parse(def->jsonl[k].text, &fl, err)) != CONTAM_OK)
            return NULL;
        int ok = cJSON_IsObject(root);
        for (size_t i = 0; ok && i < fl.n; i++) {
            const cJSON *v = contam_json_path(root, fl.v[i]);
            ok = cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsArray(v);
        }
        bench_fieldlist_free(&fl);
        if (ok)
            return &def->jsonl[k];
    }
    return &def->jsonl[0];
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

static contam_status parse_line(const rec_ctx *c, const char *s, size_t n, size_t line_off,
                                size_t lead, cJSON **out)
{
    const char *end = NULL;
    (void)contam_json_take_oom();
    *out = cJSON_ParseWithLengthOpts(s, n, &end, 0);
    if (*out) {
        while (end < s + n && (*end == ' ' || *end == '\t' || *end == '\r'))
            end++;
        if (end == s + n)
            return CONTAM_OK;
        cJSON_Delete(*out);
        *out = NULL;
    } else if (contam_json_take_oom()) {
        return nomem(c);
    }
    size_t col = end && end >= s && end <= s + n ? (size_t)(end - s) : 0;
    contam_err_set(c->err, CONTAM_ERR_JSON, c->path, c->line, "invalid JSON at column %zu",
                   lead + col + 1);
    contam_err_offset(c->err, line_off + lead + col);
    return CONTAM_ERR_JSON;
}

contam_status bench_load_jsonl(bench_loader *L, size_t fi, size_t start, contam_err *err)
{
    bench_file *f = &L->set->files[fi];
    const char *p = f->raw.ptr;
    size_t n = f->raw.size;
    rec_ctx c = {L, f->path, 0, err};
    const char *nl0 = memchr(p + start, '\n', n - start);
    f->eol = nl0 && nl0 > p + start && nl0[-1] == '\r' ? "\r\n" : "\n";
    const bench_layout *lay = NULL;
    bench_fieldlist text = {0};
    contam_status st = CONTAM_OK;
    size_t pos = start, line_off = 0;
    for (uint64_t line = 1; pos < n && st == CONTAM_OK; line++) {
        const char *nl = memchr(p + pos, '\n', n - pos);
        size_t next = nl ? (size_t)(nl - p) + 1 : n;
        size_t len = (nl ? (size_t)(nl - p) : n) - pos;
        size_t here = pos, lead = pos - line_off;
        pos = next;
        if (blank(p + here, len)) {
            line_off = next;
            continue;
        }
        c.line = line;
        cJSON *root;
        st = parse_line(&c, p + here, len, line_off, lead, &root);
        line_off = next;
        if (st != CONTAM_OK)
            break;
        if (!lay) {
            lay = choose_layout(&L->def, root, err, &st);
            if (st == CONTAM_OK)
                st = bench_fieldlist_parse(lay->text, &text, err);
            if (st != CONTAM_OK) {
                cJSON_Delete(root);
                break;
            }
        }
        bench_item_meta m = {fi, line, line, here, next - here, NULL, NULL, NULL};
        st = record_to_item(&c, lay, &text, root, &m);
        cJSON_Delete(root);
    }
    bench_fieldlist_free(&text);
    return st;
}
