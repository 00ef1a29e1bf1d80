/* jsonw.c - the one JSON writer of the library (see jsonw.h): pretty
 * (report.json, sections nested into it) or one compact line (JSONL).
 * Numbers have a fixed format so outputs are byte-identical across runs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/jsonw.h"

void jw_init_ex(jsonw *w, contam_buf *out, int pretty, int base_depth)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->pretty = pretty;
    if (base_depth < 0 || base_depth >= (int)sizeof w->first - 1)
        base_depth = 0;
    w->depth = base_depth;
    w->base = base_depth;
    w->first[base_depth] = 1;
}

void jw_init(jsonw *w, contam_buf *out)
{
    jw_init_ex(w, out, 1, 0);
    w->top_newline = 1;
}

static void put(jsonw *w, const char *s)
{
    if (!w->failed && contam_buf_puts(w->out, s))
        w->failed = 1;
}

static void indent(jsonw *w)
{
    if (!w->pretty)
        return;
    put(w, "\n");
    for (int i = 0; i < w->depth; i++)
        put(w, "  ");
}

/* Separator, indentation and "key": before any value. The top value (at the
 * base depth) gets neither: the caller places it after its own key. */
static void lead(jsonw *w, const char *key)
{
    if (w->depth > w->base) {
        if (!w->first[w->depth])
            put(w, ",");
        indent(w);
    }
    w->first[w->depth] = 0;
    if (key) {
        if (!w->failed && contam_buf_json_str(w->out, key, strlen(key)))
            w->failed = 1;
        put(w, w->pretty ? ": " : ":");
    }
}

static void open_(jsonw *w, const char *key, const char *br)
{
    lead(w, key);
    put(w, br);
    if (w->depth + 1 >= (int)sizeof w->first) {
        w->failed = 1;
        return;
    }
    w->depth++;
    w->first[w->depth] = 1;
}

static void close_(jsonw *w, const char *br)
{
    int empty = w->first[w->depth];
    w->depth--;
    if (!empty)
        indent(w);
    put(w, br);
    if (w->top_newline && w->depth == w->base)
        put(w, "\n");
}

void jw_begin_obj(jsonw *w, const char *key) { open_(w, key, "{"); }
void jw_begin_arr(jsonw *w, const char *key) { open_(w, key, "["); }
void jw_end_obj(jsonw *w) { close_(w, "}"); }
void jw_end_arr(jsonw *w) { close_(w, "]"); }

void jw_strn(jsonw *w, const char *key, const char *s, size_t n)
{
    lead(w, key);
    if (!w->failed && contam_buf_json_str(w->out, s, n))
        w->failed = 1;
}

void jw_str(jsonw *w, const char *key, const char *s)
{
    if (!s) {
        jw_null(w, key);
        return;
    }
    jw_strn(w, key, s, strlen(s));
}

void jw_u64(jsonw *w, const char *key, uint64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    lead(w, key);
    put(w, b);
}

void jw_num(jsonw *w, const char *key, double v)
{
    char b[64];
    if (!isfinite(v))
        v = 0;
    snprintf(b, sizeof b, "%.6f", v);
    char *dot = strchr(b, '.');
    if (dot) {
        char *e = b + strlen(b) - 1;
        while (e > dot + 1 && *e == '0')
            *e-- = '\0';
    }
    if (!strcmp(b, "-0.0"))
        strcpy(b, "0.0");
    lead(w, key);
    put(w, b);
}

void jw_bool(jsonw *w, const char *key, int v)
{
    lead(w, key);
    put(w, v ? "true" : "false");
}

void jw_null(jsonw *w, const char *key)
{
    lead(w, key);
    put(w, "null");
}

void jw_raw(jsonw *w, const char *key, const char *json)
{
    lead(w, key);
    put(w, json);
}
