/* report_html_stats.c - the figures of report.html: contamination by subject
 * (every method, sorted, next to the overall rate) and the distributions of
 * per-item overlap and longest matched run with each method's thresholds.
 * Each chart is followed by a table with the same numbers. */
#include <stdio.h>
#include <string.h>

#include "report/report_html_internal.h"

/* ---- By subject ------------------------------------------------------------- */

static int any_dirty(const rv_view *v, const rv_group *g)
{
    for (size_t m = 0; m < v->nm; m++)
        if (g->c[m].dirty || g->c[m].not_clean)
            return 1;
    return 0;
}

static void table_head(rv_out *o, const rv_view *v, const char *id, const char *what)
{
    rv_printf(o, "<div class=\"scroll\"><table id=\"%s\" class=\"data\"><thead><tr><th>%s</th>"
                 "<th class=\"num\">items</th>",
              id, what);
    for (size_t m = 0; m < v->nm; m++) {
        rv_raw(o, "<th class=\"num\">");
        rv_html(o, v->m[m].name);
        rv_raw(o, " dirty</th><th class=\"num\">rate</th>");
        if (v->m[m].rule == RV_COVERAGE)
            rv_raw(o, "<th class=\"num\">not_clean</th>");
    }
    rv_printf(o, "<th class=\"num\">too short (%s)</th></tr></thead><tbody>\n", v->m[0].name);
}

static void table_row(rv_out *o, const rv_view *v, const char *name, const rv_counts *c, int all)
{
    rv_raw(o, all ? "<tr class=\"all\"><th scope=\"row\">" : "<tr><th scope=\"row\">");
    rv_html(o, name);
    rv_printf(o, "</th><td class=\"num\">%llu</td>", (unsigned long long)c[0].items);
    for (size_t m = 0; m < v->nm; m++) {
        char pct[32];
        rv_pct(pct, sizeof pct, rv_rate(c[m].dirty, c[m].items));
        rv_printf(o, "<td class=\"num%s\">%llu</td><td class=\"num\">%s</td>",
                  c[m].dirty ? " hot" : "", (unsigned long long)c[m].dirty, pct);
        if (v->m[m].rule == RV_COVERAGE)
            rv_printf(o, "<td class=\"num\">%llu</td>", (unsigned long long)c[m].not_clean);
    }
    rv_printf(o, "<td class=\"num\">%llu</td></tr>\n", (unsigned long long)c[0].too_short);
}

/* The chart's numbers: the overall row, then every group with a dirty (or
 * not_clean) item; groups with none follow in a collapsed table. */
static void groups_table(rv_out *o, const rv_view *v, const char *id, const char *what,
                         const rv_group *gs, size_t n)
{
    size_t rows = 0, quiet = 0;
    table_head(o, v, id, what);
    table_row(o, v, "All items", v->total, 1);
    for (size_t g = 0; g < n; g++) {
        if (!any_dirty(v, &gs[g])) {
            quiet++;
        } else if (rows++ < HTML_MAX_TABLE_ROWS) {
            table_row(o, v, gs[g].name, gs[g].c, 0);
        }
    }
    rv_raw(o, "</tbody></table></div>\n");
    if (rows > HTML_MAX_TABLE_ROWS)
        rv_printf(o, "<p class=\"note\">Table capped at %d of %zu rows; report.json has all.</p>\n",
                  HTML_MAX_TABLE_ROWS, rows);
    if (!quiet || n < 2)
        return;
    rv_printf(o, "<details><summary>%zu %ss with no dirty item under any method</summary>\n",
              quiet, what);
    char qid[64];
    snprintf(qid, sizeof qid, "%s-clean", id);
    table_head(o, v, qid, what);
    for (size_t g = 0, k = 0; g < n && k < HTML_MAX_TABLE_ROWS; g++)
        if (!any_dirty(v, &gs[g])) {
            table_row(o, v, gs[g].name, gs[g].c, 0);
            k++;
        }
    rv_raw(o, "</tbody></table></div></details>\n");
}

void html_section_subjects(rv_out *o, const rv_view *v)
{
    rv_printf(o, "<section id=\"subjects\"><h2>Contamination by %s</h2>\n",
              v->has_subjects ? "subject" : "benchmark file");
    const rv_group *gs = v->has_subjects ? v->subjects : v->files;
    size_t n = v->has_subjects ? v->nsubjects : v->nfiles;
    const char *what = v->has_subjects ? "subject" : "benchmark file";
    if (!v->has_subjects)
        rv_raw(o, "<p class=\"note\">The benchmark has no subject field: rows are its files.</p>\n");
    html_bar_row rows[HTML_MAX_SUBJECT_BARS + 1];
    size_t nrows = 0, shown = 0, clean = 0;
    rows[nrows++] = (html_bar_row){"All items", v->total, 1};
    for (size_t g = 0; g < n; g++) {
        if (!any_dirty(v, &gs[g])) {
            clean++;
            continue;
        }
        if (nrows <= HTML_MAX_SUBJECT_BARS)
            rows[nrows++] = (html_bar_row){gs[g].name, gs[g].c, 0};
        shown++;
    }
    /* a single file with no subjects would only repeat the overall row */
    if (v->has_subjects || n > 1) {
        rv_printf(o, "<p>Share of items judged dirty, per %s and method, sorted by the rate "
                     "under <b>", what);
        rv_html(o, v->m[0].name);
        rv_raw(o, "</b>; the first row is the whole benchmark. Each bar is labelled "
                  "<i>dirty/items \xc2\xb7 rate</i>.</p>\n");
    }
    html_legend(o, v);
    html_bar_chart(o, v, "chart-subjects", "Dirty items per subject and method", rows,
                   (v->has_subjects || n > 1) ? nrows : 1);
    if (shown + 1 > nrows)
        rv_printf(o, "<p class=\"note\">The chart shows the %zu %ss with the highest rate of "
                     "the %zu with any dirty item; the table lists all.</p>\n",
                  nrows - 1, what, shown);
    if (clean && (v->has_subjects || n > 1))
        rv_printf(o, "<p class=\"note\">%zu of %zu %ss have no dirty item under any method "
                     "(not drawn; listed below the table).</p>\n",
                  clean, n, what);
    groups_table(o, v, "table-subjects", what, gs, n);
    rv_raw(o, "</section>\n");
}

/* ---- Distributions ------------------------------------------------------------ */

static const char *const OV_LABELS[RV_OV_BINS] = {"0", "<.1", ".1", ".2", ".3", ".4",
                                                  ".5", ".6", ".7", ".8", ".9"};
static const char *const OV_RANGES[RV_OV_BINS] = {
    "0", "(0, 0.1)", "[0.1, 0.2)", "[0.2, 0.3)", "[0.3, 0.4)", "[0.4, 0.5)",
    "[0.5, 0.6)", "[0.6, 0.7)", "[0.7, 0.8)", "[0.8, 0.9)", "[0.9, 1]"};

/* Position of value t on the overlap axis (bin 0 is exactly zero). */
static double ov_at(double t)
{
    return t <= 0 ? 1.0 : 1.0 + t * 10.0;
}

static void overlap_chart(rv_out *o, const rv_view *v, size_t m)
{
    const rv_method *me = &v->m[m];
    int tone[RV_OV_BINS];
    html_threshold lines[2];
    size_t nl = 0;
    char l1[64], l2[64], pct[32];
    for (size_t k = 0; k < RV_OV_BINS; k++)
        tone[k] = k > 0 ? 2 : 0;
    if (me->rule == RV_FRACTION) {
        rv_pct_param(pct, sizeof pct, me->threshold);
        snprintf(l1, sizeof l1, "dirty \xe2\x89\xa5 %s", pct);
        lines[nl++] = (html_threshold){ov_at(me->threshold), l1, 0};
        for (size_t k = 1; k < RV_OV_BINS; k++)
            tone[k] = (double)k >= ov_at(me->threshold) - 1e-9 ? 2 : 0;
    } else if (me->rule == RV_COVERAGE) {
        rv_pct_param(pct, sizeof pct, me->clean_below);
        snprintf(l1, sizeof l1, "clean < %s", pct);
        rv_pct_param(pct, sizeof pct, me->threshold);
        snprintf(l2, sizeof l2, "dirty \xe2\x89\xa5 %s", pct);
        lines[nl++] = (html_threshold){ov_at(me->clean_below), l1, 1};
        lines[nl++] = (html_threshold){ov_at(me->threshold), l2, 0};
        for (size_t k = 1; k < RV_OV_BINS; k++)
            tone[k] = (double)k >= ov_at(me->threshold) - 1e-9       ? 2
                      : (double)k >= ov_at(me->clean_below) - 1e-9 ? 1 : 0;
    } else {
        lines[nl++] = (html_threshold){1.0, "dirty: any match", 0};
    }
    char id[64], aria[160], xt[160];
    snprintf(id, sizeof id, "chart-overlap-%s", me->name);
    snprintf(aria, sizeof aria, "%s: items by %s", me->name, rv_metric_name(me));
    if (me->rule == RV_COVERAGE)
        snprintf(xt, sizeof xt, "coverage: share of the item's words in matched %u-grams", me->n);
    else if (me->rule == RV_SAMPLED)
        snprintf(xt, sizeof xt, "overlap: share of the %u sampled windows found", me->samples);
    else
        snprintf(xt, sizeof xt, "overlap: share of the item's %u-grams found", me->n);
    html_histogram(o, id, aria, m, v->hist_overlap[m], OV_LABELS, tone, RV_OV_BINS, lines, nl,
                   xt);
}

static void longest_labels(unsigned n, char lab[RV_LONG_BINS][32])
{
    unsigned long long nn = n ? n : 1;
    snprintf(lab[0], 32, "0");
    if (nn > 1)
        snprintf(lab[1], 32, "1\xe2\x80\x93%llu", nn - 1);
    else
        snprintf(lab[1], 32, "\xe2\x80\x93");
    snprintf(lab[2], 32, "%llu\xe2\x80\x93%llu", nn, 2 * nn - 1);
    snprintf(lab[3], 32, "%llu\xe2\x80\x93%llu", 2 * nn, 4 * nn - 1);
    snprintf(lab[4], 32, "%llu\xe2\x80\x93%llu", 4 * nn, 8 * nn - 1);
    snprintf(lab[5], 32, "%llu+", 8 * nn);
}

static const char *unit_words(const rv_method *me)
{
    return !strcmp(me->unit, "char") ? "characters" : "words";
}

static void longest_chart(rv_out *o, const rv_view *v, size_t m)
{
    const rv_method *me = &v->m[m];
    char lab[RV_LONG_BINS][32];
    const char *labels[RV_LONG_BINS];
    longest_labels(me->n, lab);
    int tone[RV_LONG_BINS] = {0, 0, 2, 2, 2, 2};
    for (size_t k = 0; k < RV_LONG_BINS; k++)
        labels[k] = lab[k];
    char l1[64], id[64], aria[160], xt[160];
    snprintf(l1, sizeof l1, "n = %u", me->n);
    html_threshold line = {2.0, l1, 0};
    snprintf(id, sizeof id, "chart-longest-%s", me->name);
    snprintf(aria, sizeof aria, "%s: items by longest matched run", me->name);
    snprintf(xt, sizeof xt, "longest run of matched %s", unit_words(me));
    html_histogram(o, id, aria, m, v->hist_longest[m], labels, tone, RV_LONG_BINS, &line, 1, xt);
}

static void method_heading(rv_out *o, const rv_view *v, size_t m)
{
    char rule[300];
    rv_rule_describe(&v->m[m], rule, sizeof rule);
    rv_printf(o, "<figure class=\"card\" style=\"border-top-color:%s\"><figcaption><b>",
              html_method_color(m));
    rv_html(o, v->m[m].name);
    rv_raw(o, "</b> <span class=\"muted\">");
    rv_html(o, rule);
    rv_raw(o, "</span></figcaption>\n");
}

typedef void (*method_fn)(rv_out *o, const rv_view *v, size_t m);

/* intro (HTML), then a card per method around its chart. */
static void method_cards(rv_out *o, const rv_view *v, const char *intro, method_fn chart)
{
    rv_raw(o, intro);
    rv_raw(o, "<div class=\"cards\">\n");
    for (size_t m = 0; m < v->nm; m++) {
        method_heading(o, v, m);
        chart(o, v, m);
        rv_raw(o, "</figure>\n");
    }
    rv_raw(o, "</div>\n");
}

/* The charts' numbers after the table's head: a row per method, its name
 * and then its cells. */
static void method_rows(rv_out *o, const rv_view *v, method_fn cells)
{
    for (size_t m = 0; m < v->nm; m++) {
        rv_raw(o, "<tr><th scope=\"row\">");
        rv_html(o, v->m[m].name);
        rv_raw(o, "</th>");
        cells(o, v, m);
        rv_raw(o, "</tr>\n");
    }
    rv_raw(o, "</tbody></table></div>\n");
}

static void bin_cells(rv_out *o, const uint64_t *bins, size_t n)
{
    for (size_t k = 0; k < n; k++)
        rv_printf(o, "<td class=\"num\">%llu</td>", (unsigned long long)bins[k]);
}

static void overlap_cells(rv_out *o, const rv_view *v, size_t m)
{
    rv_printf(o, "<td>%s</td>", rv_metric_name(&v->m[m]));
    bin_cells(o, v->hist_overlap[m], RV_OV_BINS);
}

static void longest_cells(rv_out *o, const rv_view *v, size_t m)
{
    rv_printf(o, "<td class=\"num\">%u</td><td>%s</td>", v->m[m].n, unit_words(&v->m[m]));
    bin_cells(o, v->hist_longest[m], RV_LONG_BINS);
}

void html_section_distributions(rv_out *o, const rv_view *v)
{
    rv_raw(o, "<section id=\"distributions\"><h2>How much of each item was found</h2>\n");
    method_cards(o, v,
                 "<p>Items per bin of the statistic each rule decides on (bar heights on a log "
                 "scale, counts above the bars). Dashed lines are the method's thresholds; "
                 "coloured bars are on the dirty side, grey ones on the clean side.</p>\n",
                 overlap_chart);
    rv_raw(o, "<div class=\"scroll\"><table id=\"table-overlap\" class=\"data\">"
              "<thead><tr><th>method</th><th>statistic</th>");
    for (size_t k = 0; k < RV_OV_BINS; k++)
        rv_printf(o, "<th class=\"num\">%s</th>", OV_RANGES[k]);
    rv_raw(o, "</tr></thead><tbody>\n");
    method_rows(o, v, overlap_cells);

    method_cards(o, v,
                 "<h3>Longest matched run</h3>\n<p>The longest stretch of the item covered by "
                 "matched n-grams. Runs start at n (the line): an item either shares no n-gram "
                 "or shares at least n consecutive units.</p>\n",
                 longest_chart);
    rv_raw(o, "<div class=\"scroll\"><table id=\"table-longest\" class=\"data\"><thead>"
              "<tr><th>method</th><th class=\"num\">n</th><th>unit</th><th class=\"num\">0</th>"
              "<th class=\"num\">1 \xe2\x80\x93 n\xe2\x88\x92" "1</th>"
              "<th class=\"num\">n \xe2\x80\x93 2n\xe2\x88\x92" "1</th>"
              "<th class=\"num\">2n \xe2\x80\x93 4n\xe2\x88\x92" "1</th>"
              "<th class=\"num\">4n \xe2\x80\x93 8n\xe2\x88\x92" "1</th>"
              "<th class=\"num\">\xe2\x89\xa5 8n</th></tr></thead><tbody>\n");
    method_rows(o, v, longest_cells);

    /* how far the rules agree: the same items, or different ones? */
    if (v->nm > 1) {
        rv_raw(o, "<h3>Agreement between methods</h3>\n<table id=\"table-agreement\" "
                  "class=\"data narrow\"><thead><tr><th>dirty under</th><th class=\"num\">items"
                  "</th></tr></thead><tbody>\n");
        for (size_t k = 0; k <= v->nm; k++)
            rv_printf(o, "<tr><th scope=\"row\">%zu of %zu methods</th><td class=\"num\">%llu"
                         "</td></tr>\n",
                      k, v->nm, (unsigned long long)v->agreement[k]);
        rv_raw(o, "</tbody></table>\n");
    }
    rv_raw(o, "</section>\n");
}
