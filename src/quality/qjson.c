/* qjson.c - the quality module's JSON writer: the same pretty layout as
 * src/report's writer (so sections nest cleanly into report.json) or one
 * compact line for JSONL outputs. Numbers have a fixed format so outputs are
 * byte-identical across runs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "quality/quality_internal.h"

void qj_init(qj *w, contam_buf *out, int pretty, int base_depth)
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

static void put(qj *w, const char *s)
{
    if (!w->failed && contam_buf_puts(w->out, s))
        w->failed = 1;
}

static void indent(qj *w)
{
    if (!w->pretty)
        return;
    put(w, "\n");
    for (int i = 0; i < w->depth; i++)
        put(w, "  ");
}

/* Separator, indentation and "key": before any value. The top value (at the
 * base depth) gets neither: the caller places it after its own key. */
static void lead(qj *w, const char *key)
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

static void open_(qj *w, const char *key, const char *br)
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

static void close_(qj *w, const char *br)
{
    int empty = w->first[w->depth];
    w->depth--;
    if (!empty)
        indent(w);
    put(w, br);
}

void qj_obj(qj *w, const char *key) { open_(w, key, "{"); }
void qj_arr(qj *w, const char *key) { open_(w, key, "["); }
void qj_end_obj(qj *w) { close_(w, "}"); }
void qj_end_arr(qj *w) { close_(w, "]"); }

void qj_strn(qj *w, const char *key, const char *s, size_t n)
{
    lead(w, key);
    if (!w->failed && contam_buf_json_str(w->out, s, n))
        w->failed = 1;
}

void qj_str(qj *w, const char *key, const char *s)
{
    if (!s) {
        qj_null(w, key);
        return;
    }
    qj_strn(w, key, s, strlen(s));
}

void qj_u64(qj *w, const char *key, uint64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    lead(w, key);
    put(w, b);
}

void qj_num(qj *w, const char *key, double v)
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

void qj_bool(qj *w, const char *key, int v)
{
    lead(w, key);
    put(w, v ? "true" : "false");
}

void qj_null(qj *w, const char *key)
{
    lead(w, key);
    put(w, "null");
}

void qj_raw(qj *w, const char *key, const char *json)
{
    lead(w, key);
    put(w, json);
}
