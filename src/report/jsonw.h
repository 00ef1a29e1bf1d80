/* jsonw.h - a small pretty-printing JSON writer over contam_buf with a
 * sticky error flag (check jw.failed once at the end instead of after every
 * call). Output is deterministic: fixed indentation, fixed float format. */
#ifndef CONTAM_JSONW_H
#define CONTAM_JSONW_H

#include "common/common.h"

typedef struct {
    contam_buf *out;
    int depth;
    int first[32]; /* per depth: no element written yet */
    int failed;
} jsonw;

void jw_init(jsonw *w, contam_buf *out);
void jw_begin_obj(jsonw *w, const char *key); /* key NULL inside arrays / at top */
void jw_begin_arr(jsonw *w, const char *key);
void jw_end_obj(jsonw *w);
void jw_end_arr(jsonw *w);
void jw_str(jsonw *w, const char *key, const char *s);
void jw_strn(jsonw *w, const char *key, const char *s, size_t n);
void jw_u64(jsonw *w, const char *key, uint64_t v);
void jw_num(jsonw *w, const char *key, double v); /* %.6g-free: fixed 6 decimals, trimmed */
void jw_bool(jsonw *w, const char *key, int v);
void jw_null(jsonw *w, const char *key);
/* A value that is already JSON text (placed as is, not re-indented). */
void jw_raw(jsonw *w, const char *key, const char *json);

#endif
