/* report_items.c - items.jsonl: one JSON object per benchmark item, in input
 * order, with every method's statistics and the first method's provenance. */
#include <string.h>

#include "report/report_internal.h"

/* `prefix` then v: the hot path of items.jsonl, kept free of printf. */
static int kv_u(contam_buf *o, const char *prefix, uint64_t v)
{
    return contam_buf_puts(o, prefix) || contam_buf_u64(o, v);
}

/* ,"key":0.1234 - num/den rounded half up to 4 decimals in integer
 * arithmetic, so the text is exact and platform-independent. */
static int put_ratio(contam_buf *o, const char *key, uint32_t num, uint32_t den)
{
    uint64_t q = den ? ((uint64_t)num * 20000 + den) / (2 * (uint64_t)den) : 0;
    char frac[8] = {'.', (char)('0' + q / 1000 % 10), (char)('0' + q / 100 % 10),
                    (char)('0' + q / 10 % 10), (char)('0' + q % 10), 0};
    return contam_buf_puts(o, ",\"") || contam_buf_puts(o, key) || contam_buf_puts(o, "\":") ||
           contam_buf_u64(o, q / 10000) || contam_buf_puts(o, frac);
}

static int put_method(contam_buf *o, const scan_item_stats *s)
{
    uint32_t eligible = s->ngrams - s->boilerplate - s->frequent;
    if (contam_buf_puts(o, "{\"verdict\":\"") ||
        contam_buf_puts(o, scan_verdict_name((scan_verdict)s->verdict)) ||
        kv_u(o, "\",\"tokens\":", s->tokens) || kv_u(o, ",\"ngrams\":", s->ngrams) ||
        kv_u(o, ",\"boilerplate\":", s->boilerplate) || kv_u(o, ",\"frequent\":", s->frequent) ||
        kv_u(o, ",\"matched\":", s->matched) || put_ratio(o, "overlap", s->matched, eligible) ||
        put_ratio(o, "coverage", s->covered, s->tokens) || kv_u(o, ",\"longest\":", s->longest) ||
        kv_u(o, ",\"question\":{\"tokens\":", s->q_tokens) ||
        kv_u(o, ",\"covered\":", s->q_covered) ||
        kv_u(o, "},\"answer\":{\"tokens\":", s->a_tokens) ||
        kv_u(o, ",\"covered\":", s->a_covered) || kv_u(o, "},\"df_min\":", s->df_min) ||
        kv_u(o, ",\"df_max\":", s->df_max))
        return -1;
    if (s->whole && contam_buf_puts(o, ",\"whole\":true"))
        return -1;
    return contam_buf_puts(o, "}");
}

static const char *leaked_part(const scan_item_stats *s)
{
    if (!s->covered)
        return "none";
    if (s->q_covered && s->a_covered)
        return "both";
    return s->q_covered ? "question" : "answer";
}

static int put_matches(contam_buf *o, const bench_item *it, const scan_result *r, size_t i)
{
    if (contam_buf_puts(o, ",\"matches\":["))
        return -1;
    for (size_t k = 0; k < r->nmatches[i]; k++) {
        const scan_match *m = &r->matches[i][k];
        const char *path = r->files[m->file].path;
        if ((k && contam_buf_puts(o, ",")) || contam_buf_puts(o, "{\"file\":") ||
            contam_buf_json_str(o, path, strlen(path)) ||
            contam_buf_printf(o, ",\"record\":%llu,\"offset\":%llu,\"text_offset\":%llu,\"doc\":",
                              (unsigned long long)m->record, (unsigned long long)m->offset,
                              (unsigned long long)m->text_offset))
            return -1;
        if (m->doc ? contam_buf_json_str(o, m->doc, strlen(m->doc)) : contam_buf_puts(o, "null"))
            return -1;
        if (contam_buf_printf(o, ",\"item_tokens\":[%u,%u],\"item_bytes\":[%u,%u],\"words\":",
                              m->tok_start, m->tok_end, m->byte_start, m->byte_end) ||
            contam_buf_json_str(o, it->text + m->byte_start, m->byte_end - m->byte_start) ||
            contam_buf_puts(o, ",\"snippet\":") ||
            contam_buf_json_str(o, m->snippet, strlen(m->snippet)) || contam_buf_puts(o, "}"))
            return -1;
    }
    return contam_buf_puts(o, "]");
}

int report_item_json(contam_buf *o, const bench_set *b, const scan_result *r, size_t i,
                     const report_extra *extra)
{
    const bench_item *it = &b->items[i];
    const bench_file *f = &b->files[it->file];
    size_t nm = r->opt.nmethods;
    const scan_item_stats *s0 = &r->stats[i * nm];
    uint32_t elig0 = s0->ngrams - s0->boilerplate - s0->frequent;
    if (contam_buf_puts(o, "{\"id\":") || contam_buf_json_str(o, it->id, strlen(it->id)) ||
        contam_buf_puts(o, ",\"source\":") || contam_buf_json_str(o, f->path, strlen(f->path)) ||
        kv_u(o, ",\"record\":", it->record) || kv_u(o, ",\"line\":", it->line) ||
        contam_buf_puts(o, ",\"subject\":") ||
        contam_buf_json_str(o, it->subject, strlen(it->subject)) ||
        contam_buf_puts(o, ",\"label\":") || contam_buf_json_str(o, it->label, strlen(it->label)) ||
        kv_u(o, ",\"tokens\":", s0->tokens) || kv_u(o, ",\"ngrams\":", s0->ngrams) ||
        kv_u(o, ",\"matched\":", s0->matched) ||
        put_ratio(o, "overlap", s0->matched, elig0) ||
        put_ratio(o, "coverage", s0->covered, s0->tokens) ||
        kv_u(o, ",\"longest\":", s0->longest) || contam_buf_puts(o, ",\"leaked\":\"") ||
        contam_buf_puts(o, leaked_part(s0)) || contam_buf_puts(o, "\",\"verdict\":\"") ||
        contam_buf_puts(o, scan_verdict_name((scan_verdict)s0->verdict)) ||
        contam_buf_puts(o, "\",\"verdicts\":{"))
        return -1;
    for (size_t m = 0; m < nm; m++)
        if (contam_buf_printf(o, "%s\"%s\":\"%s\"", m ? "," : "", r->opt.methods[m].name,
                              scan_verdict_name((scan_verdict)r->stats[i * nm + m].verdict)))
            return -1;
    if (contam_buf_puts(o, "},\"methods\":{"))
        return -1;
    for (size_t m = 0; m < nm; m++)
        if (contam_buf_printf(o, "%s\"%s\":", m ? "," : "", r->opt.methods[m].name) ||
            put_method(o, &r->stats[i * nm + m]))
            return -1;
    if (contam_buf_puts(o, "}") || put_matches(o, it, r, i))
        return -1;
    if (extra && extra->item_members && extra->item_members[i] &&
        (contam_buf_puts(o, ",") || contam_buf_puts(o, extra->item_members[i])))
        return -1;
    return contam_buf_puts(o, "}\n");
}

contam_status report_write_items(io_outdir *d, const bench_set *b, const scan_result *r,
                                 const report_extra *extra, contam_err *err)
{
    FILE *fp;
    contam_status st = io_outdir_open(d, "items.jsonl", &fp, err);
    if (st != CONTAM_OK)
        return st;
    contam_buf o = {0};
    for (size_t i = 0; i < b->nitems; i++) {
        contam_buf_reset(&o);
        if (report_item_json(&o, b, r, i, extra)) {
            contam_buf_free(&o);
            fclose(fp);
            return contam_err_set(err, CONTAM_ERR_NOMEM, "items.jsonl", 0, "out of memory");
        }
        if (fwrite(o.ptr, 1, o.size, fp) != o.size)
            break; /* io_outdir_close reports the stream error */
    }
    contam_buf_free(&o);
    return io_outdir_close(d, "items.jsonl", fp, err);
}
