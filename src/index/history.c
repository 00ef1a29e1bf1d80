/* history.c - build.json, an index's informational history: one entry per
 * build, append or merge (operation, tool, UTC time, then what the caller
 * adds). Not part of the index's identity, so manifest.json and the
 * partitions stay byte-identical across rebuilds; failures here lose the
 * entry, never the index. */
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "index/index_internal.h"
#include "io/io.h"

cJSON *idx_history_open(const char *dir)
{
    cJSON *root = NULL;
    if (dir) {
        char *old = io_path_join(dir, "build.json");
        contam_buf buf = {0};
        contam_err e;
        if (old && io_read_all(old, (uint64_t)16 << 20, &buf, NULL, &e) == CONTAM_OK)
            root = cJSON_ParseWithLengthOpts(buf.ptr ? buf.ptr : "", buf.size, NULL, 0);
        contam_buf_free(&buf);
        contam_free(old);
    }
    if (cJSON_IsObject(root) && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "history")))
        return root;
    cJSON_Delete(root);
    root = cJSON_CreateObject();
    if (!root || !cJSON_AddArrayToObject(root, "history")) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

cJSON *idx_history_add(cJSON *root, const char *operation)
{
    cJSON *h = cJSON_GetObjectItemCaseSensitive(root, "history"), *e = cJSON_CreateObject();
    if (!e || !cJSON_AddItemToArray(h, e)) {
        cJSON_Delete(e);
        return NULL;
    }
    char when[32], tool[48];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(tool, sizeof tool, "contam %s", CONTAM_VERSION);
    cJSON_AddStringToObject(e, "operation", operation);
    cJSON_AddStringToObject(e, "tool", tool);
    cJSON_AddStringToObject(e, "finished_utc", when);
    return e;
}

void idx_history_write(cJSON *root, const char *stage)
{
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char *path = io_path_join(stage, "build.json");
    contam_err e;
    if (text && path)
        if (io_write_atomic(path, text, strlen(text), &e) != CONTAM_OK) { /* informational only */ }
    cJSON_free(text);
    contam_free(path);
}
