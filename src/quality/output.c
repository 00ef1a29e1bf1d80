/* output.c - what the quality stages add to shared outputs: the per-item
 * members of items.jsonl (duplicate group and lint codes), writing a buffer
 * into the output directory, and the report.json of the standalone
 * dedup/lint/impact commands (parameters, versions, input checksums and the
 * sections). */
#include <stdio.h>
#include <string.h>

#include "quality/quality_internal.h"

void quality_item_members_free(char **m, size_t nitems)
{
    if (!m)
        return;
    for (size_t i = 0; i < nitems; i++)
        contam_free(m[i]);
    contam_free(m);
}

contam_status quality_item_members(const quality_dedup *d, const quality_lint *l,
                                   size_t nitems, char ***out, contam_err *err)
{
    *out = NULL;
    size_t nc;
    const quality_check *ck = quality_checks(&nc);
    char **m = contam_calloc(nitems ? nitems : 1, sizeof *m);
    contam_buf b = {0};
    if (!m)
        goto nomem;
    size_t f = 0;
    for (size_t i = 0; i < nitems; i++) {
        contam_buf_reset(&b);
        if (d) {
            uint32_t g = d->item_group[i];
            if (g ? contam_buf_printf(&b, "\"duplicate_group\":%u", g)
                  : contam_buf_puts(&b, "\"duplicate_group\":null"))
                goto nomem;
        }
        if (l) {
            if (contam_buf_puts(&b, b.size ? ",\"lint\":[" : "\"lint\":["))
                goto nomem;
            for (int first = 1; f < l->n && l->v[f].item == i; f++, first = 0)
                if (contam_buf_printf(&b, "%s{\"code\":\"%s\",\"severity\":\"%s\"}",
                                      first ? "" : ",", ck[l->v[f].check].code,
                                      quality_severity_name(ck[l->v[f].check].severity)))
                    goto nomem;
            if (contam_buf_puts(&b, "]"))
                goto nomem;
        }
        if (b.size && !(m[i] = contam_strndup(b.ptr, b.size)))
            goto nomem;
    }
    contam_buf_free(&b);
    *out = m;
    return CONTAM_OK;
nomem:
    contam_buf_free(&b);
    quality_item_members_free(m, nitems);
    return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory (item members)");
}

contam_status quality_write(io_outdir *od, const char *rel, const contam_buf *buf,
                            contam_err *err)
{
    FILE *fp;
    contam_status st = io_outdir_open(od, rel, &fp, err);
    if (st != CONTAM_OK)
        return st;
    if (buf->size)
        fwrite(buf->ptr, 1, buf->size, fp); /* io_outdir_close reports a short write */
    return io_outdir_close(od, rel, fp, err);
}

static void put_bench(jsonw *w, const char *key, const bench_set *b, const char *const *args,
                      size_t nargs)
{
    jw_begin_obj(w, key);
    jw_str(w, "preset", b->preset);
    jw_u64(w, "items", b->nitems);
    jw_begin_arr(w, "args");
    for (size_t k = 0; k < nargs; k++)
        jw_str(w, NULL, args[k]);
    jw_end_arr(w);
    jw_begin_arr(w, "inputs");
    for (size_t f = 0; f < b->nfiles; f++) {
        const bench_file *bf = &b->files[f];
        jw_begin_obj(w, NULL);
        jw_str(w, "path", bf->path);
        jw_str(w, "layout", bf->rel);
        jw_str(w, "format", bf->is_csv ? "csv" : "jsonl");
        jw_str(w, "xxh3_128", bf->checksum);
        jw_u64(w, "items", bf->nitems);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_end_obj(w);
}

contam_status quality_report_write(io_outdir *od, const quality_report_meta *m, contam_err *err)
{
    contam_buf out = {0}, tmp = {0};
    jsonw w;
    jw_init_ex(&w, &out, 1, 0);
    jw_begin_obj(&w, NULL);
    jw_str(&w, "tool", "contam");
    jw_str(&w, "version", CONTAM_VERSION);
    jw_str(&w, "command", m->command);
    jw_str(&w, "normalizer", NGRAM_NORMALIZER_VERSION);
    jw_str(&w, "hash", NGRAM_HASH_SCHEME);
    jw_raw(&w, "parameters", m->parameters ? m->parameters : "{}");
    put_bench(&w, "benchmark", m->b, m->bench_args, m->nbench_args);
    if (m->nagainst) {
        jw_begin_arr(&w, "against");
        for (size_t k = 0; k < m->nagainst; k++)
            put_bench(&w, NULL, m->against[k], &m->against_args[k], 1);
        jw_end_arr(&w);
    }
    if (m->samples) {
        jw_begin_obj(&w, "samples");
        if (quality_samples_inputs_json(m->samples, &tmp, 2))
            w.failed = 1;
        else
            jw_raw(&w, "inputs", tmp.ptr);
        jw_end_obj(&w);
    }
    if (m->items_path) {
        jw_begin_obj(&w, "items");
        jw_str(&w, "path", m->items_path);
        jw_str(&w, "xxh3_128", m->items_checksum);
        jw_end_obj(&w);
    }
    for (size_t k = 0; k < m->nsections; k++)
        jw_raw(&w, m->section_names[k], m->section_values[k]);
    jw_end_obj(&w);
    contam_status st;
    if (w.failed || contam_buf_puts(&out, "\n"))
        st = contam_err_set(err, CONTAM_ERR_NOMEM, "report.json", 0, "out of memory");
    else
        st = quality_write(od, "report.json", &out, err);
    contam_buf_free(&out);
    contam_buf_free(&tmp);
    return st;
}
