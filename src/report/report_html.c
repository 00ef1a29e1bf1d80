/* report_html.c - report.html: one self-contained page (inline CSS and SVG,
 * no scripts, no network) that says in its first screen how much of the
 * benchmark was found in the corpus under each rule, then shows where
 * (subjects), how much of each item (distributions), the evidence (items
 * with their corpus snippets), the inputs and the command that reproduce it,
 * and the later audit stages. Printable: the print stylesheet drops the
 * navigation and keeps sections whole where it can. */
#include <stdio.h>
#include <string.h>

#include "report/report_html_internal.h"

/* In pieces: C11 compilers need only accept 4095-byte string literals. */
static const char *const CSS[] = {
    ":root{--fg:#1d232b;--muted:#5b6573;--line:#d9dee5;--bg:#fff;--soft:#f5f7fa;"
    "--dirty:#c0392b;--warn:#b7791f;--ok:#2f855a}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
    "main{max-width:1180px;margin:0 auto;padding:24px 28px 60px}\n"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:34px 0 8px;padding-bottom:4px;"
    "border-bottom:2px solid var(--line)}h3{font-size:16px;margin:22px 0 6px}"
    "h4{font-size:13px;margin:0 0 4px;color:var(--muted);font-weight:600}\n"
    ".sub{color:var(--muted);margin:0 0 16px}.muted{color:var(--muted);font-weight:400}\n"
    ".headline{display:flex;gap:22px;align-items:stretch;flex-wrap:wrap;margin:14px 0 6px}\n"
    ".verdict{flex:1 1 300px;background:#fdf2f0;border:1px solid #f1c9c2;border-radius:10px;"
    "padding:14px 18px}.verdict.clean{background:#eef8f1;border-color:#bfe3cb}\n"
    ".verdict .big{font-size:40px;font-weight:700;line-height:1.1;color:var(--dirty)}"
    ".verdict.clean .big{color:var(--ok)}\n"
    ".verdict p{margin:4px 0}\n"
    ".methods{flex:3 1 600px;display:grid;grid-template-columns:repeat(auto-fit,minmax(118px,1fr));"
    "gap:10px}\n"
    ".mcard{border:1px solid var(--line);border-top:4px solid;border-radius:8px;padding:8px 10px;"
    "background:var(--soft)}.mcard .rate{font-size:24px;font-weight:700}"
    ".mcard .name{font-weight:700}.mcard .cnt{font-size:13px;color:var(--muted)}\n"
    "nav{position:sticky;top:0;background:rgba(255,255,255,.96);border-bottom:1px solid var(--line);"
    "padding:6px 0;margin:10px 0 0;z-index:1;font-size:14px}nav a{margin-right:14px;"
    "color:#1f5f99;text-decoration:none}\n"
    ".legend{font-size:13px;margin:6px 0}.legend span{margin-right:16px;white-space:nowrap}"
    ".legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;"
    "vertical-align:-1px}\n"
    "svg.chart{display:block;max-width:100%;height:auto;margin:4px 0 10px}\n"
    "svg text{font-family:system-ui,Arial,sans-serif;fill:#2b323b}svg .label{font-size:12px}"
    "svg .all .label{font-weight:700}svg .value{font-size:11px;fill:#39424e}"
    "svg .tick{font-size:10px;fill:#6b7480}svg .count{font-size:10px;fill:#39424e}"
    "svg .axis-title{font-size:11px;fill:#5b6573}\n"
    "svg .grid{stroke:#e6e9ee;stroke-width:1}svg .axis{stroke:#9aa3ad}svg .sep{stroke:#c6ccd4}"
    "svg .threshold{stroke:var(--dirty);stroke-width:1.5;stroke-dasharray:4 3}"
    "svg .threshold.band{stroke:var(--warn)}svg .threshold-label{font-size:10.5px;fill:var(--dirty);"
    "font-weight:600}svg .threshold-label.band{fill:var(--warn)}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px}\n"
    "figure.card{margin:0;border:1px solid var(--line);border-top:4px solid;border-radius:8px;"
    "padding:8px 10px 0;break-inside:avoid}figcaption{font-size:13px}\n"
    ,
    "table.data{border-collapse:collapse;font-size:13px;margin:6px 0 12px;min-width:50%}"
    "table.data.narrow{min-width:0}\n"
    "table.data th,table.data td{border-bottom:1px solid var(--line);padding:3px 8px;"
    "text-align:left;vertical-align:top}table.data thead th{background:var(--soft);"
    "position:sticky;top:0}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
    "td.hot{color:var(--dirty);font-weight:700}tr.all th,tr.all td{font-weight:700;"
    "background:#fbfbfc}tr.conflict td,tr.sev-error td,tr.flagged td{background:#fff4f2}\n"
    ".scroll{overflow-x:auto}details summary{cursor:pointer;font-size:13px;color:var(--muted);"
    "margin:4px 0}\n"

    "code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}"
    "pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 10px;"
    "white-space:pre-wrap;word-break:break-all}\n"
    ".note{font-size:13px;color:var(--muted)}.empty{color:var(--ok);font-weight:600}\n"
    ".not-run{background:var(--soft);border-left:4px solid #9aa3ad;padding:8px 12px}\n"
    ".summary{font-size:15px}\n"
    ,
    "article.item{border:1px solid var(--line);border-radius:8px;margin:12px 0;padding:8px 12px;"
    "break-inside:avoid}article.item header{display:flex;flex-wrap:wrap;gap:8px;"
    "align-items:baseline}.rank{background:var(--fg);color:#fff;border-radius:10px;"
    "padding:0 7px;font-size:12px}.id{font-size:15px}.subject{background:#eef2f7;border-radius:4px;"
    "padding:0 6px;font-size:12px}.where{font-size:12px;color:var(--muted)}\n"
    ".chips{margin-left:auto}.chip{font-size:11px;border-radius:4px;padding:1px 6px;margin-left:4px;"
    "border:1px solid var(--line);white-space:nowrap}.chip.dirty{background:var(--dirty);"
    "color:#fff;border-color:var(--dirty)}.chip.not_clean{background:#fbe7b5;border-color:#e9c46a}"
    ".chip.too_short{background:#eee}\n"
    ".stats{font-size:13px;margin:4px 0 8px}\n"
    ".evidence{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:14px}"
    "@media(max-width:900px){.evidence{grid-template-columns:1fr}}\n"
    ".side .text{margin:0 0 8px;padding:6px 8px;background:var(--soft);border-radius:6px;"
    "white-space:pre-wrap;overflow-wrap:anywhere;font-size:13.5px}.snippet{font-family:Georgia,'Times New Roman',serif}"
    ".loc{font-weight:400}\n"
    "mark{background:#ffd666;padding:0 1px;border-radius:2px}.gap{color:var(--muted)}\n"
    "footer{margin-top:40px;font-size:12.5px;color:var(--muted)}\n"
    "@media print{nav{display:none}main{max-width:none;padding:0}h2{break-after:avoid}"
    "section{break-inside:auto}figure.card,article.item,table{break-inside:avoid}"
    "body{font-size:12px}}\n",
};

static void headline(rv_out *o, const rv_view *v)
{
    const rv_counts *c = &v->total[0];
    const cJSON *corpus = rv_get(v->root, "corpus");
    char pct[32], docs[32], bytes[32], items[32];
    rv_pct(pct, sizeof pct, rv_rate(c->dirty, c->items));
    rv_group_digits(docs, sizeof docs, rv_u64(corpus, "documents"));
    rv_bytes(bytes, sizeof bytes, rv_u64(corpus, "bytes"));
    rv_group_digits(items, sizeof items, v->nitems);
    rv_raw(o, "<header><h1>Contamination audit: ");
    rv_html(o, v->preset);
    rv_printf(o, " benchmark, %s items</h1>\n<p class=\"sub\">Checked against %llu corpus "
                 "file(s): %s documents, %s of text. contam ",
              items, (unsigned long long)rv_u64(corpus, "files"), docs, bytes);
    rv_html(o, v->version);
    rv_raw(o, ", normalizer ");
    rv_html(o, v->normalizer);
    /* where the inputs, their checksums and the command are */
    const cJSON *bin = rv_get(rv_get(v->root, "benchmark"), "inputs");
    rv_raw(o, ".<br>Benchmark: ");
    rv_html(o, rv_str(cJSON_GetArrayItem(bin, 0), "path", "?"));
    if (cJSON_GetArraySize(bin) > 1)
        rv_printf(o, " and %d more files", cJSON_GetArraySize(bin) - 1);
    rv_raw(o, "; methods ");
    for (size_t m = 0; m < v->nm; m++) {
        rv_raw(o, m ? ", " : "");
        rv_html(o, v->m[m].name);
    }
    rv_raw(o, ". <a href=\"#inputs\">Checksums and the command that reproduces this "
              "run</a>.</p>\n<div class=\"headline\">");
    char nd[32], ni[32];
    rv_group_digits(nd, sizeof nd, c->dirty);
    rv_group_digits(ni, sizeof ni, c->items);
    rv_printf(o, "<div class=\"verdict%s\" id=\"verdict\"><div class=\"big\">%s</div>"
                 "<p><b>%s of %s items</b> are dirty under <b>",
              c->dirty ? "" : " clean", pct, nd, ni);
    rv_html(o, v->m[0].name);
    char rule[300];
    rv_rule_describe(&v->m[0], rule, sizeof rule);
    rv_raw(o, "</b> (");
    rv_html(o, rule);
    const cJSON *splits = rv_get(v->root, "splits");
    rv_printf(o, ").</p><p>Split written: <code>clean/</code> %llu items, <code>dirty/</code> %llu "
                 "items.</p>",
              (unsigned long long)rv_u64(splits, "clean"),
              (unsigned long long)rv_u64(splits, "dirty"));
    /* subjects are sorted by the first method's rate: the first is the worst */
    if (v->has_subjects && v->nsubjects > 1 && v->subjects[0].c[0].dirty) {
        const rv_counts *w = &v->subjects[0].c[0];
        rv_pct(pct, sizeof pct, rv_rate(w->dirty, w->items));
        rv_raw(o, "<p>Most affected subject: <b>");
        rv_html(o, v->subjects[0].name);
        rv_printf(o, "</b>, %s (%llu of %llu).</p>", pct, (unsigned long long)w->dirty,
                  (unsigned long long)w->items);
    }
    if (c->too_short)
        rv_printf(o, "<p class=\"note\">%llu items are shorter than n and were not assessed "
                     "(kept in clean/).</p>",
                  (unsigned long long)c->too_short);
    rv_raw(o, "</div>\n<div class=\"methods\" id=\"method-cards\">");
    for (size_t m = 0; m < v->nm; m++) {
        const rv_counts *mc = &v->total[m];
        rv_pct(pct, sizeof pct, rv_rate(mc->dirty, mc->items));
        rv_printf(o, "<div class=\"mcard\" style=\"border-top-color:%s\"><div class=\"name\">",
                  html_method_color(m));
        rv_html(o, v->m[m].name);
        rv_printf(o, "</div><div class=\"rate\">%s</div><div class=\"cnt\">%llu/%llu dirty", pct,
                  (unsigned long long)mc->dirty, (unsigned long long)mc->items);
        if (v->m[m].rule == RV_COVERAGE)
            rv_printf(o, ", %llu not_clean", (unsigned long long)mc->not_clean);
        char mrule[96], t[32];
        const rv_method *me = &v->m[m];
        const char *u = !strcmp(me->unit, "char") ? "-char" : "-word";
        switch (me->rule) {
        case RV_ANY: snprintf(mrule, sizeof mrule, "any %u%s n\xe2\x80\x91gram found", me->n, u); break;
        case RV_FRACTION:
            rv_pct_param(t, sizeof t, me->threshold);
            snprintf(mrule, sizeof mrule, "\xe2\x89\xa5 %s of %u%s n\xe2\x80\x91grams", t, me->n, u);
            break;
        case RV_COVERAGE:
            rv_pct_param(t, sizeof t, me->threshold);
            snprintf(mrule, sizeof mrule, "\xe2\x89\xa5 %s of words in %u%s runs", t, me->n, u);
            break;
        case RV_SAMPLED:
            snprintf(mrule, sizeof mrule, "any of %u sampled %u%s windows", me->samples, me->n, u);
            break;
        }
        rv_printf(o, "</div><div class=\"cnt\">%s</div></div>", mrule);
    }
    rv_raw(o, "</div></div></header>\n");
}

static void nav(rv_out *o)
{
    rv_raw(o, "<nav><a href=\"#subjects\">Subjects</a><a href=\"#items\">Items</a>"
              "<a href=\"#distributions\">Distributions</a><a href=\"#inputs\">Inputs &amp; "
              "reproduction</a><a href=\"#boilerplate\">Templates</a><a href=\"#duplicates\">"
              "Duplicates</a><a href=\"#lint\">Lint</a><a href=\"#impact\">Impact</a></nav>\n");
}

static void bench_table(rv_out *o, const rv_view *v)
{
    const cJSON *in = rv_get(rv_get(v->root, "benchmark"), "inputs"), *f;
    size_t n = (size_t)cJSON_GetArraySize(in), k = 0;
    rv_printf(o, "<div><h3>Benchmark: %zu file(s)</h3><div class=\"scroll\"><table "
                 "id=\"table-bench-files\" class=\"data\"><thead><tr><th>file</th><th>format</th>"
                 "<th class=\"num\">items</th><th class=\"num\">dirty (",
              n);
    rv_html(o, v->m[0].name);
    rv_raw(o, ")</th><th>xxh3-128</th></tr></thead><tbody>\n");
    cJSON_ArrayForEach(f, in)
    {
        if (k++ == HTML_MAX_INPUT_ROWS)
            break;
        rv_raw(o, "<tr><td>");
        rv_html(o, rv_str(f, "path", "?"));
        rv_raw(o, "</td><td>");
        rv_html(o, rv_str(f, "format", "?"));
        rv_printf(o, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td><td><code>",
                  (unsigned long long)rv_u64(f, "items"),
                  (unsigned long long)rv_u64(rv_get(rv_get(f, "verdicts"), v->m[0].name), "dirty"));
        rv_html(o, rv_str(f, "xxh3_128", "\xe2\x80\x93"));
        rv_raw(o, "</code></td></tr>\n");
    }
    rv_raw(o, "</tbody></table></div>");
    if (n > HTML_MAX_INPUT_ROWS)
        rv_printf(o, "<p class=\"note\">%d of %zu files listed; report.json has all with "
                     "per-method counts.</p>",
                  HTML_MAX_INPUT_ROWS, n);
    rv_raw(o, "</div>\n");
}

static void corpus_table(rv_out *o, const rv_view *v)
{
    const cJSON *corpus = rv_get(v->root, "corpus"), *in = rv_get(corpus, "inputs"), *f;
    size_t n = (size_t)cJSON_GetArraySize(in), k = 0;
    char docs[32], bytes[32];
    rv_printf(o, "<div><h3>Corpus: %zu file(s)</h3><div class=\"scroll\"><table "
                 "id=\"table-corpus-files\" class=\"data\"><thead><tr><th>file</th><th>format</th>"
                 "<th class=\"num\">documents</th><th class=\"num\">text</th><th class=\"num\">"
                 "bad records</th><th>xxh3-128</th></tr></thead><tbody>\n",
              n);
    cJSON_ArrayForEach(f, in)
    {
        if (k++ == HTML_MAX_INPUT_ROWS)
            break;
        rv_group_digits(docs, sizeof docs, rv_u64(f, "documents"));
        rv_bytes(bytes, sizeof bytes, rv_u64(f, "bytes"));
        uint64_t bad = rv_u64(f, "invalid_json") + rv_u64(f, "missing_text");
        rv_printf(o, "<tr%s><td>", cJSON_IsTrue(rv_get(f, "failed")) ? " class=\"flagged\"" : "");
        rv_html(o, rv_str(f, "path", "?"));
        rv_raw(o, "</td><td>");
        rv_html(o, rv_str(f, "format", "?"));
        rv_printf(o, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">"
                     "%llu</td><td><code>",
                  docs, bytes, (unsigned long long)bad);
        rv_html(o, rv_str(f, "xxh3_128", "\xe2\x80\x93"));
        rv_raw(o, "</code></td></tr>\n");
    }
    rv_raw(o, "</tbody></table></div>");
    if (n > HTML_MAX_INPUT_ROWS)
        rv_printf(o, "<p class=\"note\">%d of %zu files listed; report.json has all.</p>",
                  HTML_MAX_INPUT_ROWS, n);
    if (rv_u64(corpus, "failed_files"))
        rv_printf(o, "<p class=\"note\"><b>%llu corpus file(s) failed</b> (--keep-going); "
                     "their documents were not checked.</p>",
                  (unsigned long long)rv_u64(corpus, "failed_files"));
    rv_raw(o, "</div>\n");
}

static void methods_table(rv_out *o, const rv_view *v)
{
    rv_raw(o, "<h3>Methods</h3><div class=\"scroll\"><table id=\"table-methods\" class=\"data\">"
              "<thead><tr><th>method</th><th>unit</th><th class=\"num\">n</th><th>rule</th>"
              "<th class=\"num\">corpus df max</th><th>template filter</th><th>source</th></tr>"
              "</thead><tbody>\n");
    for (size_t m = 0; m < v->nm; m++) {
        const rv_method *me = &v->m[m];
        char rule[300];
        rv_rule_describe(me, rule, sizeof rule);
        rv_printf(o, "<tr><th scope=\"row\" style=\"border-left:4px solid %s\">",
                  html_method_color(m));
        rv_html(o, me->name);
        rv_raw(o, "</th><td>");
        rv_html(o, me->unit);
        rv_printf(o, "</td><td class=\"num\">%u</td><td>", me->n);
        rv_html(o, rule);
        if (me->corpus_df)
            rv_printf(o, "</td><td class=\"num\">%llu</td>", (unsigned long long)me->corpus_df);
        else
            rv_raw(o, "</td><td class=\"num\">off</td>");
        rv_printf(o, "<td>%s</td><td>", me->bench_filter ? "on" : "off");
        rv_html(o, me->source);
        rv_raw(o, "</td></tr>\n");
    }
    rv_raw(o, "</tbody></table></div>\n");
}

static void inputs(rv_out *o, const rv_view *v)
{
    const cJSON *par = rv_get(v->root, "parameters");
    rv_raw(o, "<section id=\"inputs\"><h2>Inputs and reproduction</h2>\n");
    bench_table(o, v);
    corpus_table(o, v);
    methods_table(o, v);
    rv_raw(o, "<p class=\"note\">Normalizer <code>");
    rv_html(o, v->normalizer);
    rv_raw(o, "</code> \xc2\xb7 hash <code>");
    rv_html(o, v->hash);
    rv_raw(o, "</code> \xc2\xb7 seed <code>");
    rv_html(o, v->seed);
    rv_printf(o, "</code> \xc2\xb7 template threshold (bench_df) %llu items \xc2\xb7 short items: ",
              (unsigned long long)rv_u64(par, "bench_df"));
    rv_html(o, rv_str(par, "short", "skip"));
    rv_raw(o, " \xc2\xb7 digits: ");
    rv_html(o, rv_str(par, "digits", "keep"));
    rv_raw(o, " \xc2\xb7 tool contam ");
    rv_html(o, v->version);
    rv_raw(o, "</p>\n<h3>Command</h3><pre id=\"command\">");
    contam_buf cmd = {0};
    if (rv_command(v, &cmd, 20))
        o->failed = 1;
    else
        rv_htmln(o, cmd.ptr, cmd.size);
    contam_buf_free(&cmd);
    rv_raw(o, "</pre><p class=\"note\">Rebuilt from report.json (DIR is any output directory; "
              "same inputs and parameters give byte-identical outputs). Regenerate this page "
              "with <code>contam report DIR</code>.</p></section>\n");
}

static void boilerplate(rv_out *o, const rv_view *v)
{
    const cJSON *bp = rv_get(rv_get(v->root, "boilerplate"), v->m[0].name);
    const cJSON *top = rv_get(bp, "top"), *t;
    rv_raw(o, "<section id=\"boilerplate\"><h2>Templates ignored as evidence</h2>\n");
    if (!cJSON_GetArraySize(top)) {
        rv_printf(o, "<p class=\"note\">No n-gram is shared by more than %llu items: nothing was "
                     "set aside as benchmark boilerplate.</p></section>\n",
                  (unsigned long long)rv_u64(rv_get(v->root, "parameters"), "bench_df"));
        return;
    }
    rv_printf(o, "<p>n-grams shared by more than %llu benchmark items are the benchmark's own "
                 "templates, not evidence of leakage; ",
              (unsigned long long)rv_u64(rv_get(v->root, "parameters"), "bench_df"));
    rv_html(o, v->m[0].name);
    rv_printf(o, " ignored %llu such windows. The most shared:</p>\n<div class=\"scroll\"><table "
                 "id=\"table-boilerplate\" class=\"data\"><thead><tr><th class=\"num\">items</th>"
                 "<th>n-gram</th><th>example item</th></tr></thead><tbody>\n",
              (unsigned long long)rv_u64(bp, "windows_ignored"));
    size_t k = 0;
    cJSON_ArrayForEach(t, top)
    {
        if (k++ == 10)
            break;
        rv_printf(o, "<tr><td class=\"num\">%llu</td><td>", (unsigned long long)rv_u64(t, "items"));
        rv_html(o, rv_str(t, "text", ""));
        rv_raw(o, "</td><td>");
        rv_html(o, rv_str(t, "example", ""));
        rv_raw(o, "</td></tr>\n");
    }
    rv_raw(o, "</tbody></table></div></section>\n");
}

int rv_render_html(const rv_view *v, contam_buf *out)
{
    rv_out o = {out, 0};
    rv_raw(&o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"generator\" content=\"contam ");
    rv_html(&o, v->version);
    rv_raw(&o, "\">\n<title>contam report: ");
    rv_html(&o, v->preset);
    rv_raw(&o, "</title>\n<style>\n");
    for (size_t k = 0; k < sizeof CSS / sizeof CSS[0]; k++)
        rv_raw(&o, CSS[k]);
    rv_raw(&o, "</style></head>\n<body><main>\n");
    headline(&o, v);
    nav(&o);
    html_section_subjects(&o, v);
    html_section_items(&o, v);
    html_section_distributions(&o, v);
    inputs(&o, v);
    boilerplate(&o, v);
    html_section_duplicates(&o, v);
    html_section_lint(&o, v);
    html_section_impact(&o, v);
    rv_raw(&o, "<footer><p>How it works: ");
    rv_html(&o, rv_str(v->root, "how", ""));
    rv_raw(&o, "</p><p>Generated by contam ");
    rv_html(&o, v->version);
    rv_raw(&o, " from report.json and items.jsonl; no scripts, no network.</p></footer>\n"
               "</main></body></html>\n");
    return o.failed ? -1 : 0;
}
