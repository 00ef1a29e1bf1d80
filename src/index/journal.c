/* journal.c - the build journal (OUT.partial/journal.json): which corpus
 * files are finished (with their statistics, modification times and the
 * build's token totals after each), which runs hold their n-grams (with the
 * file each non-durable run belongs to), and the next run number. It is
 * replaced atomically at every checkpoint, so after a killed process it
 * describes a consistent prefix of the work; after a power loss, build.c
 * checks the runs it names that were not yet durable (see there). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "index/index_accum.h"
#include "io/io.h"

void idx_journal_free(idx_journal *j)
{
    if (!j)
        return;
    for (size_t k = 0; k < j->nfiles; k++)
        contam_free(j->files[k].path);
    contam_free(j->files);
    contam_free(j->marks);
    contam_free(j->runs);
    memset(j, 0, sizeof *j);
}

static int num(cJSON *o, const char *k, uint64_t v)
{
    return idx_json_add_num(o, k, (double)v);
}

#define JOURNAL_VERSION 2

contam_status idx_journal_write(const char *path, const idx_journal *j, int durable,
                                contam_err *err)
{
    cJSON *root = cJSON_CreateObject(), *files = NULL, *runs = NULL;
    int bad = !root || !cJSON_AddNumberToObject(root, "version", JOURNAL_VERSION) ||
              !cJSON_AddStringToObject(root, "key", j->key) ||
              !cJSON_AddStringToObject(root, "phase", j->commit ? "commit" : "read") ||
              num(root, "next_run", j->next_run) || num(root, "tokens", j->tokens) ||
              num(root, "windows", j->windows) ||
              !(files = cJSON_AddArrayToObject(root, "files")) ||
              !(runs = cJSON_AddArrayToObject(root, "runs"));
    for (size_t k = 0; !bad && k < j->nfiles; k++) {
        cJSON *f = idx_file_json(&j->files[k]);
        char mt[24];
        snprintf(mt, sizeof mt, "%llu", (unsigned long long)j->marks[k].mtime_ns);
        if (!f || !cJSON_AddStringToObject(f, "mtime_ns", mt) ||
            num(f, "build_tokens", j->marks[k].tokens) ||
            num(f, "build_windows", j->marks[k].windows) || !cJSON_AddItemToArray(files, f)) {
            cJSON_Delete(f); /* not in the tree yet */
            bad = 1;
        }
    }
    for (size_t k = 0; !bad && k < j->nruns; k++) {
        cJSON *r = cJSON_CreateObject();
        if (!r || !cJSON_AddItemToArray(runs, r) ||
            !cJSON_AddStringToObject(r, "name", j->runs[k].name) ||
            num(r, "bytes", j->runs[k].bytes) || num(r, "file", j->runs[k].file) ||
            !cJSON_AddBoolToObject(r, "durable", j->runs[k].durable))
            bad = 1;
    }
    char *text = bad ? NULL : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory writing the journal");
    contam_status st = durable ? io_write_atomic(path, text, strlen(text), err)
                               : io_replace_file(path, text, strlen(text), err);
    cJSON_free(text);
    return st;
}

static int get_u64(const cJSON *o, const char *k, uint64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0 ||
        v->valuedouble != floor(v->valuedouble))
        return -1;
    *out = (uint64_t)v->valuedouble;
    return 0;
}

contam_status idx_journal_read(const char *path, idx_journal *j, contam_err *err)
{
    memset(j, 0, sizeof *j);
    contam_buf b = {0};
    contam_err e2;
    contam_status st = io_read_all(path, (uint64_t)1 << 30, &b, NULL, &e2);
    if (st != CONTAM_OK) {
        contam_buf_free(&b);
        if (st == CONTAM_ERR_OPEN)
            return CONTAM_ERR_OPEN;
        if (err)
            *err = e2;
        return st;
    }
    cJSON *root = cJSON_ParseWithLengthOpts(b.ptr ? b.ptr : "", b.size, NULL, 0);
    contam_buf_free(&b);
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(root, "key");
    const cJSON *phase = cJSON_GetObjectItemCaseSensitive(root, "phase");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(root, "files");
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
    uint64_t version = 0;
    if (root && !get_u64(root, "version", &version) && version != JOURNAL_VERSION) {
        cJSON_Delete(root);
        return contam_err_set(err, CONTAM_ERR_FORMAT, path, 0,
                              "journal of an interrupted build by another contam version "
                              "(format %llu, this one reads %d); remove the .partial directory "
                              "and rebuild",
                              (unsigned long long)version, JOURNAL_VERSION);
    }
    int bad = !root || version != JOURNAL_VERSION || !cJSON_IsString(key) ||
              strlen(key->valuestring) != 16 ||
              !cJSON_IsString(phase) || !cJSON_IsArray(files) || !cJSON_IsArray(runs) ||
              get_u64(root, "next_run", &j->next_run) || get_u64(root, "tokens", &j->tokens) ||
              get_u64(root, "windows", &j->windows);
    int oom = 0;
    if (!bad) {
        memcpy(j->key, key->valuestring, 17);
        j->commit = !strcmp(phase->valuestring, "commit");
        size_t nf = (size_t)cJSON_GetArraySize(files), nr = (size_t)cJSON_GetArraySize(runs);
        j->files = contam_calloc(nf + 1, sizeof *j->files);
        j->marks = contam_calloc(nf + 1, sizeof *j->marks);
        j->runs = contam_calloc(nr + 1, sizeof *j->runs);
        oom = !j->files || !j->marks || !j->runs;
        const cJSON *e;
        cJSON_ArrayForEach(e, files)
        {
            if (bad || oom)
                break;
            const cJSON *mt = cJSON_GetObjectItemCaseSensitive(e, "mtime_ns");
            int rc = idx_file_parse(e, &j->files[j->nfiles]);
            if (rc == -2)
                oom = 1;
            else if (rc || !cJSON_IsString(mt) ||
                     get_u64(e, "build_tokens", &j->marks[j->nfiles].tokens) ||
                     get_u64(e, "build_windows", &j->marks[j->nfiles].windows))
                bad = 1;
            else
                j->marks[j->nfiles++].mtime_ns = strtoull(mt->valuestring, NULL, 10);
        }
        cJSON_ArrayForEach(e, runs)
        {
            if (bad || oom)
                break;
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
            const cJSON *durable = cJSON_GetObjectItemCaseSensitive(e, "durable");
            idx_run_ref *r = &j->runs[j->nruns];
            if (!cJSON_IsString(name) || strlen(name->valuestring) >= sizeof r->name ||
                strchr(name->valuestring, '/') || get_u64(e, "bytes", &r->bytes) ||
                get_u64(e, "file", &r->file) || !cJSON_IsBool(durable))
                bad = 1;
            else {
                memcpy(r->name, name->valuestring, strlen(name->valuestring) + 1);
                r->durable = cJSON_IsTrue(durable);
                j->nruns++;
            }
        }
    }
    cJSON_Delete(root);
    if (bad || oom) {
        idx_journal_free(j);
        return contam_err_set(err, oom ? CONTAM_ERR_NOMEM : CONTAM_ERR_FORMAT, path, 0,
                              oom ? "out of memory" : "damaged build journal; remove the "
                                                      ".partial directory and rebuild");
    }
    return CONTAM_OK;
}
