/* jsonw.h - the library's JSON writer over contam_buf, with a sticky error
 * flag (check jw.failed once at the end instead of after every call).
 * Pretty mode: 2-space indentation, "key": value; a section written at
 * nesting depth `base` lines up when placed into an enclosing document.
 * Line mode: one compact line (JSONL). Deterministic: fixed float format. */
#ifndef CONTAM_JSONW_H
#define CONTAM_JSONW_H

#include "common/common.h"

typedef struct {
    contam_buf *out;
    int pretty;
    int depth, base;
    int top_newline; /* jw_init: end the document with "\n" */
    unsigned char first[40];
    int failed;
} jsonw;

/* A whole pretty document ending with a newline (report.json). */
void jw_init(jsonw *w, contam_buf *out);
/* pretty = 0 writes one compact line; base_depth > 0 writes a fragment that
 * will be placed at that depth of another document. */
void jw_init_ex(jsonw *w, contam_buf *out, int pretty, int base_depth);
void jw_begin_obj(jsonw *w, const char *key); /* key NULL inside arrays / at top */
void jw_begin_arr(jsonw *w, const char *key);
void jw_end_obj(jsonw *w);
void jw_end_arr(jsonw *w);
void jw_str(jsonw *w, const char *key, const char *s); /* NULL -> null */
void jw_strn(jsonw *w, const char *key, const char *s, size_t n);
void jw_u64(jsonw *w, const char *key, uint64_t v);
void jw_num(jsonw *w, const char *key, double v); /* fixed 6 decimals, trailing zeros trimmed */
void jw_bool(jsonw *w, const char *key, int v);
void jw_null(jsonw *w, const char *key);
/* A value that is already JSON text (placed as is, not re-indented). */
void jw_raw(jsonw *w, const char *key, const char *json);

#endif
