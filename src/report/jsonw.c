/* jsonw.c - see jsonw.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/jsonw.h"

void jw_init(jsonw *w, contam_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->first[0] = 1;
}

static void put(jsonw *w, const char *s)
{
    if (!w->failed && contam_buf_puts(w->out, s))
        w->failed = 1;
}

static void indent(jsonw *w)
{
    put(w, "\n");
    for (int i = 0; i < w->depth; i++)
        put(w, "  ");
}

/* Separator, indentation and "key": before any value. */
static void lead(jsonw *w, const char *key)
{
    if (w->depth > 0) {
        if (!w->first[w->depth])
            put(w, ",");
        indent(w);
    }
    w->first[w->depth] = 0;
    if (key) {
        if (!w->failed && contam_buf_json_str(w->out, key, strlen(key)))
            w->failed = 1;
        put(w, ": ");
    }
}

static void open_(jsonw *w, const char *key, const char *br)
{
    lead(w, key);
    put(w, br);
    if (w->depth + 1 >= (int)(sizeof w->first / sizeof w->first[0])) {
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
    if (w->depth == 0)
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
    /* trim trailing zeros, keep at least one decimal digit */
    char *dot = strchr(b, '.');
    if (dot) {
        char *e = b + strlen(b) - 1;
        while (e > dot + 1 && *e == '0')
            *e-- = '\0';
    }
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
