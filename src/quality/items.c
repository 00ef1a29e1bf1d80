/* items.c - reads the verdicts back from an items.jsonl written by
 * `contam scan`/`contam audit`. Line k must describe item k of the
 * benchmark loaded now (same id and record), so a stale or foreign
 * items.jsonl is an error naming the line rather than a silent mismatch. */
#include <string.h>

#include <cjson/cJSON.h>

#include "quality/quality_internal.h"

contam_status quality_items_dirty(const char *path, const bench_set *b, uint8_t **dirty,
                                  char checksum[33], contam_err *err)
{
    *dirty = NULL;
    uint8_t *d = contam_calloc(b->nitems ? b->nitems : 1, 1);
    if (!d)
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    io_lines *L;
    contam_status st = io_lines_open(path, 64u << 20, &L, err);
    if (st != CONTAM_OK) {
        contam_free(d);
        return st;
    }
    size_t k = 0;
    for (;;) {
        const char *line;
        size_t len;
        uint64_t lineno, off;
        if ((st = io_lines_next(L, &line, &len, &lineno, &off, err)) != CONTAM_OK || !line)
            break;
        if (!len)
            continue;
        cJSON *root = cJSON_ParseWithLengthOpts(line, len, NULL, 0);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
        const cJSON *rec = cJSON_GetObjectItemCaseSensitive(root, "record");
        const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "verdict");
        if (!cJSON_IsString(id) || !cJSON_IsNumber(rec) || !cJSON_IsString(ver)) {
            cJSON_Delete(root);
            if (!root && q_out_of_memory()) {
                st = contam_err_set(err, CONTAM_ERR_NOMEM, path, lineno, "out of memory");
                break;
            }
            st = contam_err_set(err, root ? CONTAM_ERR_FIELD : CONTAM_ERR_JSON, path, lineno,
                                root ? "expected an items.jsonl object with id, record and "
                                       "verdict"
                                     : "invalid JSON");
            break;
        }
        if (k >= b->nitems || strcmp(id->valuestring, b->items[k].id) ||
            rec->valuedouble != (double)b->items[k].record) {
            if (k < b->nitems)
                st = contam_err_set(err, CONTAM_ERR_FIELD, path, lineno,
                                    "item '%s' (record %.0f) where the benchmark has '%s' "
                                    "(record %llu): items.jsonl is from another benchmark",
                                    id->valuestring, rec->valuedouble, b->items[k].id,
                                    (unsigned long long)b->items[k].record);
            else
                st = contam_err_set(err, CONTAM_ERR_FIELD, path, lineno,
                                    "more items than the benchmark's %zu", b->nitems);
            cJSON_Delete(root);
            break;
        }
        d[k++] = !strcmp(ver->valuestring, "dirty") || !strcmp(ver->valuestring, "not_clean");
        cJSON_Delete(root);
    }
    if (st == CONTAM_OK && checksum)
        io_stream_checksum(io_lines_stream(L), checksum);
    io_lines_free(L);
    if (st == CONTAM_OK && k != b->nitems)
        st = contam_err_set(err, CONTAM_ERR_FIELD, path, 0,
                            "%zu items where the benchmark has %zu", k, b->nitems);
    if (st != CONTAM_OK) {
        contam_free(d);
        return st;
    }
    *dirty = d;
    return CONTAM_OK;
}
