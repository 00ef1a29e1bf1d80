/* report_json.c - report.json: what was run (parameters, versions, input
 * checksums), what was read (corpus files, bad records), and the figures:
 * verdict counts and rates per method, overall, per subject and per
 * benchmark file, never one number alone. */
#include <stdlib.h>
#include <string.h>

#include "common/jsonw.h"
#include "report/report_internal.h"
#include "report/report_view_internal.h"

static const char *rule_name(scan_rule r)
{
    switch (r) {
    case SCAN_RULE_ANY: return "any matched n-gram";
    case SCAN_RULE_FRACTION: return "matched/eligible n-grams >= threshold";
    case SCAN_RULE_COVERAGE: return "token coverage by matched n-grams (bands)";
    case SCAN_RULE_SAMPLED: return "any sampled window matched";
    }
    return "?";
}

static void count_add(report_counts *c, scan_verdict v)
{
    c->items++;
    switch (v) {
    case SCAN_CLEAN: c->clean++; break;
    case SCAN_DIRTY: c->dirty++; break;
    case SCAN_TOO_SHORT: c->too_short++; break;
    case SCAN_NOT_CLEAN: c->not_clean++; break;
    }
}

static void put_counts(jsonw *w, const char *key, const scan_method *me, const report_counts *c)
{
    jw_begin_obj(w, key);
    jw_u64(w, "items", c->items);
    jw_u64(w, "clean", c->clean);
    jw_u64(w, "dirty", c->dirty);
    jw_u64(w, "too_short", c->too_short);
    uint64_t assessed = c->items - c->too_short;
    if (me->rule == SCAN_RULE_COVERAGE) {
        /* Touvron et al.'s four overlapping subsets */
        jw_u64(w, "not_clean", c->not_clean);
        jw_begin_obj(w, "llama2_subsets");
        jw_u64(w, "clean", c->clean);
        jw_u64(w, "not_clean", c->not_clean + c->dirty);
        jw_u64(w, "not_dirty", c->clean + c->not_clean);
        jw_u64(w, "dirty", c->dirty);
        jw_end_obj(w);
    }
    jw_num(w, "dirty_rate", c->items ? (double)c->dirty / (double)c->items : 0);
    jw_num(w, "dirty_rate_assessed", assessed ? (double)c->dirty / (double)assessed : 0);
    jw_end_obj(w);
}

static void put_methods_counts(jsonw *w, const char *key, const scan_result *r,
                               const report_counts *c)
{
    jw_begin_obj(w, key);
    for (size_t m = 0; m < r->opt.nmethods; m++)
        put_counts(w, r->opt.methods[m].name, &r->opt.methods[m], &c[m]);
    jw_end_obj(w);
}

typedef struct {
    const char *subject;
    size_t item;
} subject_ref;

static int by_subject(const void *a, const void *b)
{
    const subject_ref *x = a, *y = b;
    int c = strcmp(x->subject, y->subject);
    return c ? c : (x->item < y->item ? -1 : x->item > y->item);
}

static contam_status put_subjects(jsonw *w, const bench_set *b, const scan_result *r)
{
    size_t nm = r->opt.nmethods;
    subject_ref *idx = contam_malloc((b->nitems + 1) * sizeof *idx);
    if (!idx)
        return CONTAM_ERR_NOMEM;
    for (size_t i = 0; i < b->nitems; i++)
        idx[i] = (subject_ref){b->items[i].subject, i};
    qsort(idx, b->nitems, sizeof *idx, by_subject);
    jw_begin_obj(w, "by_subject");
    for (size_t a = 0; a < b->nitems;) {
        const char *subj = idx[a].subject;
        report_counts c[SCAN_MAX_METHODS];
        memset(c, 0, sizeof c);
        size_t e = a;
        while (e < b->nitems && !strcmp(idx[e].subject, subj)) {
            for (size_t m = 0; m < nm; m++)
                count_add(&c[m], (scan_verdict)r->stats[idx[e].item * nm + m].verdict);
            e++;
        }
        put_methods_counts(w, subj[0] ? subj : "(none)", r, c);
        a = e;
    }
    jw_end_obj(w);
    contam_free(idx);
    return CONTAM_OK;
}

static void put_parameters(jsonw *w, const scan_result *r)
{
    const scan_options *o = &r->opt;
    char seed[32];
    snprintf(seed, sizeof seed, "0x%016llx", (unsigned long long)o->seed);
    jw_str(w, "normalizer", NGRAM_NORMALIZER_VERSION);
    jw_str(w, "unicode", ngram_unicode_version());
    jw_str(w, "hash", NGRAM_HASH_SCHEME);
    jw_str(w, "seed", seed);
    jw_begin_obj(w, "parameters");
    jw_begin_arr(w, "methods");
    for (size_t m = 0; m < o->nmethods; m++) {
        const scan_method *me = &o->methods[m];
        jw_begin_obj(w, NULL);
        jw_str(w, "name", me->name);
        jw_str(w, "unit", ngram_unit_name(me->unit));
        jw_u64(w, "n", me->n);
        jw_str(w, "rule", rule_name(me->rule));
        if (me->rule == SCAN_RULE_FRACTION)
            jw_num(w, "threshold", me->threshold);
        if (me->rule == SCAN_RULE_COVERAGE) {
            jw_num(w, "clean_below", me->clean_below);
            jw_num(w, "dirty_at", me->threshold);
        }
        if (me->rule == SCAN_RULE_SAMPLED)
            jw_u64(w, "samples", me->samples);
        jw_u64(w, "corpus_df_max", me->corpus_df);
        jw_bool(w, "benchmark_boilerplate_filter", me->bench_filter);
        jw_str(w, "source", me->citation);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_u64(w, "bench_df", o->bench_df);
    jw_str(w, "short", o->short_whole ? "whole" : "skip");
    jw_str(w, "digits", o->digits_zero ? "zero" : "keep");
    jw_u64(w, "max_matches", o->max_matches);
    jw_str(w, "text_field", o->text_field);
    jw_str(w, "doc_field", o->doc_field);
    jw_u64(w, "max_line", o->max_line);
    jw_bool(w, "strict", o->strict);
    jw_bool(w, "keep_going", o->keep_going);
    jw_end_obj(w);
}

static void put_corpus(jsonw *w, const scan_result *r, const report_meta *meta)
{
    jw_begin_obj(w, "corpus");
    jw_u64(w, "files", r->nfiles);
    jw_begin_arr(w, "skipped_files");
    for (size_t k = 0; k < meta->nskipped; k++)
        jw_str(w, NULL, meta->skipped[k]);
    jw_end_arr(w);
    jw_u64(w, "failed_files", r->nfailed);
    jw_u64(w, "documents", r->docs);
    jw_u64(w, "records", r->records);
    jw_u64(w, "bad_records", r->bad_records);
    jw_u64(w, "bytes", r->bytes);
    jw_u64(w, "raw_bytes", r->raw_bytes);
    jw_begin_arr(w, "inputs");
    for (size_t f = 0; f < r->nfiles; f++) {
        const scan_file_stats *fs = &r->files[f];
        jw_begin_obj(w, NULL);
        jw_str(w, "path", fs->path);
        jw_str(w, "format", fs->format);
        jw_str(w, "xxh3_128", fs->checksum[0] ? fs->checksum : NULL);
        jw_u64(w, "raw_bytes", fs->raw_bytes);
        jw_u64(w, "bytes", fs->bytes);
        jw_u64(w, "records", fs->records);
        jw_u64(w, "documents", fs->docs);
        jw_u64(w, "blank_lines", fs->blank);
        jw_u64(w, "invalid_json", fs->bad_json);
        jw_u64(w, "missing_text", fs->missing_field);
        jw_u64(w, "invalid_utf8", fs->invalid_utf8);
        jw_bool(w, "failed", fs->failed);
        if (fs->failed)
            jw_str(w, "error", fs->error);
        if (fs->nbad) {
            jw_begin_arr(w, "bad_records");
            for (size_t k = 0; k < fs->nbad; k++) {
                jw_begin_obj(w, NULL);
                jw_u64(w, "line", fs->bad[k].line);
                jw_str(w, "reason", fs->bad[k].reason);
                jw_end_obj(w);
            }
            jw_end_arr(w);
        }
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_end_obj(w);
}

static void put_benchmark(jsonw *w, const bench_set *b, const scan_result *r,
                          const report_meta *meta)
{
    size_t nm = r->opt.nmethods;
    jw_begin_obj(w, "benchmark");
    jw_str(w, "preset", b->preset);
    jw_u64(w, "items", b->nitems);
    jw_begin_arr(w, "args");
    for (size_t k = 0; k < meta->nbench_args; k++)
        jw_str(w, NULL, meta->bench_args[k]);
    jw_end_arr(w);
    jw_begin_arr(w, "inputs");
    size_t i = 0;
    for (size_t f = 0; f < b->nfiles; f++) {
        const bench_file *bf = &b->files[f];
        report_counts c[SCAN_MAX_METHODS];
        memset(c, 0, sizeof c);
        for (; i < b->nitems && b->items[i].file == f; i++)
            for (size_t m = 0; m < nm; m++)
                count_add(&c[m], (scan_verdict)r->stats[i * nm + m].verdict);
        jw_begin_obj(w, NULL);
        jw_str(w, "path", bf->path);
        jw_str(w, "layout", bf->rel);
        jw_str(w, "format", bf->is_csv ? "csv" : "jsonl");
        jw_str(w, "xxh3_128", bf->checksum);
        jw_u64(w, "items", bf->nitems);
        put_methods_counts(w, "verdicts", r, c);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_end_obj(w);
}

static void put_boilerplate(jsonw *w, const bench_set *b, const scan_result *r)
{
    jw_begin_obj(w, "boilerplate");
    for (size_t m = 0; m < r->opt.nmethods; m++) {
        const scan_method *me = &r->opt.methods[m];
        jw_begin_obj(w, me->name);
        jw_bool(w, "filter", me->bench_filter);
        jw_u64(w, "windows_ignored", r->boiler_windows[m]);
        jw_u64(w, "benchmark_grams", r->table_grams[m]);
        if (me->corpus_df)
            jw_u64(w, "grams_ignored_corpus_df", r->frequent_grams[m]);
        jw_begin_arr(w, "top");
        for (size_t k = 0; k < r->nboiler[m]; k++) {
            const scan_boilerplate *bp = &r->boiler[m][k];
            jw_begin_obj(w, NULL);
            jw_u64(w, "items", bp->items);
            jw_str(w, "text", bp->text);
            jw_str(w, "example", b->items[bp->item].id);
            jw_end_obj(w);
        }
        jw_end_arr(w);
        jw_end_obj(w);
    }
    jw_end_obj(w);
}

static void put_splits(jsonw *w, const bench_set *b, const scan_result *r)
{
    size_t nm = r->opt.nmethods;
    uint64_t clean = 0, dirty = 0;
    jw_begin_obj(w, "splits");
    jw_str(w, "method", r->opt.methods[0].name);
    for (size_t i = 0; i < b->nitems; i++) {
        if (report_is_dirty((scan_verdict)r->stats[i * nm].verdict))
            dirty++;
        else
            clean++;
    }
    jw_u64(w, "clean", clean);
    jw_u64(w, "dirty", dirty);
    jw_begin_arr(w, "too_short_in_clean");
    for (size_t i = 0; i < b->nitems; i++)
        if (r->stats[i * nm].verdict == SCAN_TOO_SHORT)
            jw_str(w, NULL, b->items[i].id);
    jw_end_arr(w);
    jw_end_obj(w);
}

contam_status report_write_summary(io_outdir *d, const bench_set *b, const scan_result *r,
                                   const report_meta *meta, contam_err *err)
{
    contam_buf out = {0};
    jsonw w;
    jw_init(&w, &out);
    size_t nm = r->opt.nmethods;
    jw_begin_obj(&w, NULL);
    jw_str(&w, "tool", "contam");
    jw_str(&w, "version", CONTAM_VERSION);
    jw_str(&w, "command", meta->command);
    put_parameters(&w, r);
    put_benchmark(&w, b, r, meta);
    put_corpus(&w, r, meta);
    report_counts tot[SCAN_MAX_METHODS];
    memset(tot, 0, sizeof tot);
    for (size_t i = 0; i < b->nitems; i++)
        for (size_t m = 0; m < nm; m++)
            count_add(&tot[m], (scan_verdict)r->stats[i * nm + m].verdict);
    put_methods_counts(&w, "summary", r, tot);
    contam_status st = put_subjects(&w, b, r);
    put_boilerplate(&w, b, r);
    put_splits(&w, b, r);
    if (meta->extra)
        for (size_t k = 0; k < meta->extra->nsections; k++)
            jw_raw(&w, meta->extra->section_names[k], meta->extra->section_values[k]);
    jw_str(&w, "how",
           "Each item's text (preset fields joined by newlines) and every corpus document are "
           "normalized and cut into n-grams the same way; an item n-gram is matched when it "
           "occurs in at least one corpus document. n-grams shared by more than bench_df items "
           "are benchmark boilerplate and ignored by every method with "
           "benchmark_boilerplate_filter; gpt3 also ignores n-grams found in more than "
           "corpus_df_max documents. Rates are dirty/items; dirty_rate_assessed excludes "
           "too_short items. See docs/METHODS.md.");
    jw_end_obj(&w);
    if (st != CONTAM_OK || w.failed) {
        contam_buf_free(&out);
        return contam_err_set(err, CONTAM_ERR_NOMEM, "report.json", 0, "out of memory");
    }
    /* report.html and report.md are rendered from these very bytes, before
     * report.json marks the output complete (contam report DIR redoes it) */
    st = report_write_views_scan(d, out.ptr, out.size, b, r, meta->extra, err);
    if (st != CONTAM_OK) {
        contam_buf_free(&out);
        return st;
    }
    FILE *fp;
    st = io_outdir_open(d, "report.json", &fp, err);
    if (st == CONTAM_OK) {
        fwrite(out.ptr, 1, out.size, fp);
        st = io_outdir_close(d, "report.json", fp, err);
    }
    contam_buf_free(&out);
    return st;
}

contam_status report_write_scan(io_outdir *d, const bench_set *b, const scan_result *r,
                                const report_meta *meta, contam_err *err)
{
    contam_status st = report_write_items(d, b, r, meta->extra, err);
    if (st == CONTAM_OK)
        st = report_write_splits(d, b, r, err);
    if (st == CONTAM_OK) /* last: its presence marks a complete output */
        st = report_write_summary(d, b, r, meta, err);
    return st;
}
