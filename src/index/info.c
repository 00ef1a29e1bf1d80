/* info.c - index_info_json: the manifest's facts plus the derived figures
 * people ask about (bytes per key and per corpus token, false-match rate),
 * as deterministic JSON for `contam index info --json`. */
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "index/index_internal.h"

static double ratio(uint64_t a, uint64_t b)
{
    return b ? round((double)a / (double)b * 10000) / 10000 : 0;
}

contam_status index_info_json(const index_meta *m, contam_buf *out, contam_err *err)
{
    contam_buf_reset(out);
    cJSON *root = cJSON_CreateObject(), *o = NULL, *arr = NULL;
    char seed[24];
    snprintf(seed, sizeof seed, "0x%016llx", (unsigned long long)m->seed);
    int bad = !root || idx_json_add_num(root, "format_version", m->format_version) ||
              !cJSON_AddStringToObject(root, "tool", m->tool) ||
              !(o = cJSON_AddObjectToObject(root, "params")) ||
              idx_json_add_num(o, "n", m->n) ||
              !cJSON_AddStringToObject(o, "unit", ngram_unit_name(m->unit)) ||
              !cJSON_AddStringToObject(o, "normalizer", m->normalizer) ||
              !cJSON_AddStringToObject(o, "seed", seed) ||
              !cJSON_AddStringToObject(o, "digits", m->digits_zero ? "zero" : "keep") ||
              !cJSON_AddStringToObject(o, "text_field", m->text_field ? m->text_field : "") ||
              !(o = cJSON_AddObjectToObject(root, "keys")) ||
              idx_json_add_num(o, "count", (double)m->keys) ||
              idx_json_add_num(o, "fingerprint_bits", m->fp_bits) ||
              !cJSON_AddNumberToObject(o, "false_match_rate", m->false_match_rate) ||
              !cJSON_AddBoolToObject(o, "df", m->has_df) ||
              !cJSON_AddBoolToObject(o, "provenance", m->has_provenance) ||
              idx_json_add_num(root, "partitions", m->partitions) ||
              !(o = cJSON_AddObjectToObject(root, "corpus")) ||
              idx_json_add_num(o, "files", (double)m->nfiles) ||
              idx_json_add_num(o, "records", (double)m->records) ||
              idx_json_add_num(o, "documents", (double)m->docs) ||
              idx_json_add_num(o, "bytes", (double)m->bytes) ||
              idx_json_add_num(o, "raw_bytes", (double)m->raw_bytes) ||
              idx_json_add_num(o, "tokens", (double)m->tokens) ||
              idx_json_add_num(o, "windows", (double)m->windows) ||
              !(o = cJSON_AddObjectToObject(root, "size")) ||
              idx_json_add_num(o, "index_bytes", (double)m->index_bytes) ||
              !cJSON_AddNumberToObject(o, "bytes_per_key", ratio(m->index_bytes, m->keys)) ||
              !cJSON_AddNumberToObject(o, "bytes_per_token", ratio(m->index_bytes, m->tokens)) ||
              !cJSON_AddNumberToObject(o, "bytes_per_corpus_byte", ratio(m->index_bytes, m->bytes)) ||
              !(arr = cJSON_AddArrayToObject(root, "files"));
    for (size_t k = 0; !bad && k < m->nfiles; k++) {
        const index_file *f = &m->files[k];
        cJSON *e = cJSON_CreateObject();
        if (e && !cJSON_AddItemToArray(arr, e)) {
            cJSON_Delete(e);
            e = NULL;
        }
        bad = !e || !cJSON_AddStringToObject(e, "path", f->path) ||
              !cJSON_AddStringToObject(e, "xxh3_128", f->checksum) ||
              idx_json_add_num(e, "records", (double)f->records) ||
              idx_json_add_num(e, "documents", (double)f->docs) ||
              idx_json_add_num(e, "bad_records", (double)(f->bad_json + f->missing_field));
    }
    char *text = bad ? NULL : cJSON_Print(root);
    cJSON_Delete(root);
    contam_status st = CONTAM_OK;
    if (!text || contam_buf_puts(out, text) || contam_buf_puts(out, "\n"))
        st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    cJSON_free(text);
    return st;
}
