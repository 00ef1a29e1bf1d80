/* report_html_extra.c - the sections later audit stages add to report.json
 * (duplicates, lint, impact), rendered when present and marked "not run"
 * when absent, so a reader never mistakes a missing check for a clean one.
 * Their members are read defensively: a missing field shows as "–". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_html_internal.h"

#define MAX_EXAMPLES 25
#define MAX_MEMBERS 6
#define MAX_SUBJECT_ROWS 30
#define MAX_IMPACT_ROWS 40

typedef struct {
    const char *name;
    uint64_t a, b; /* sort keys / values */
    int sev;
} named;

static int by_a_desc(const void *x, const void *y)
{
    const named *p = x, *q = y;
    if (p->sev != q->sev)
        return p->sev < q->sev ? -1 : 1;
    if (p->a != q->a)
        return p->a > q->a ? -1 : 1;
    return strcmp(p->name, q->name);
}

/* The members of obj by name, keys zeroed; NULL (and o marked failed) when
 * out of memory. The caller frees. */
static named *collect(rv_out *o, const cJSON *obj, size_t *n)
{
    *n = (size_t)cJSON_GetArraySize(obj);
    named *v = contam_calloc(*n + 1, sizeof *v);
    if (!v) {
        o->failed = 1;
        return NULL;
    }
    const cJSON *c;
    size_t k = 0;
    cJSON_ArrayForEach(c, obj)
    {
        v[k++].name = c->string ? c->string : "?";
    }
    *n = k;
    return v;
}

static void cell_u64(rv_out *o, const cJSON *obj, const char *key)
{
    const cJSON *x = rv_get(obj, key);
    if (cJSON_IsNumber(x))
        rv_printf(o, "<td class=\"num\">%llu</td>", (unsigned long long)rv_u64(obj, key));
    else
        rv_raw(o, "<td class=\"num\">\xe2\x80\x93</td>");
}

static void cell_str(rv_out *o, const cJSON *obj, const char *key)
{
    rv_raw(o, "<td>");
    rv_html(o, rv_str(obj, key, "\xe2\x80\x93"));
    rv_raw(o, "</td>");
}

/* "items.jsonl:12": where a record came from, as every section shows it. */
static void source_record(rv_out *o, const cJSON *obj)
{
    rv_html(o, rv_basename(rv_str(obj, "source", "?")));
    rv_printf(o, ":%llu", (unsigned long long)rv_u64(obj, "record"));
}

/* Opens a section; when a later stage did not run (sec is not an object) it
 * says so and closes the section: returns 0 then, 1 if there is content. */
static int section_open(rv_out *o, const char *id, const char *title, const cJSON *sec,
                        const char *what, const char *how)
{
    rv_printf(o, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
    if (cJSON_IsObject(sec))
        return 1;
    html_not_run(o, what, how);
    rv_raw(o, "</section>\n");
    return 0;
}

typedef void (*row_fn)(rv_out *o, const cJSON *row);

/* A table with a row per element of arr, at most cap of them, and when
 * that cut it, a note "cap of n NOUN shown.". head: the table's opening
 * HTML up to <tbody>. Nothing at all for an empty arr. */
static void capped_table(rv_out *o, const cJSON *arr, const char *head, size_t cap,
                         const char *noun, row_fn row)
{
    size_t n = (size_t)cJSON_GetArraySize(arr), k = 0;
    if (!n)
        return;
    rv_raw(o, head);
    const cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        if (k++ == cap)
            break;
        row(o, x);
    }
    rv_raw(o, "</tbody></table></div>\n");
    if (n > cap)
        rv_printf(o, "<p class=\"note\">%zu of %zu %s shown.</p>\n", cap, n, noun);
}

/* ---- Duplicates ---------------------------------------------------------------- */

static void dup_example_row(rv_out *o, const cJSON *g)
{
    int conflict = cJSON_IsTrue(rv_get(g, "conflicting_labels"));
    rv_printf(o, "<tr%s>", conflict ? " class=\"conflict\"" : "");
    cell_u64(o, g, "group");
    cell_str(o, g, "kind");
    rv_printf(o, "<td class=\"num\">%.2f</td><td>%s</td><td>", rv_num(g, "similarity", 0),
              conflict ? "<b>conflicting</b>" : "agree");
    const cJSON *mem, *members = rv_get(g, "members");
    size_t j = 0, nmem = (size_t)cJSON_GetArraySize(members);
    cJSON_ArrayForEach(mem, members)
    {
        if (j++ == MAX_MEMBERS) {
            rv_printf(o, "<br>and %zu more", nmem - MAX_MEMBERS);
            break;
        }
        if (j > 1)
            rv_raw(o, "<br>");
        rv_html(o, rv_str(mem, "id", "?"));
        rv_raw(o, " \xc2\xb7 ");
        source_record(o, mem);
        rv_raw(o, " \xc2\xb7 ");
        rv_html(o, rv_str(mem, "label", "\xe2\x80\x93"));
    }
    rv_raw(o, "</td></tr>\n");
}

void html_section_duplicates(rv_out *o, const rv_view *v)
{
    const cJSON *d = v->duplicates;
    if (!section_open(o, "duplicates", "Duplicates inside the benchmark", d, "Duplicates",
                      "This output has no duplicates section: run <code>contam audit</code> (or "
                      "<code>contam dedup</code>) to find repeated items."))
        return;
    rv_printf(o,
              "<p class=\"summary\"><b>%llu</b> groups of repeated items (%llu exact, %llu near "
              "at Jaccard \xe2\x89\xa5 %.2f) holding %llu items; <b>%llu</b> groups have "
              "conflicting gold labels.</p>\n",
              (unsigned long long)rv_u64(d, "groups"), (unsigned long long)rv_u64(d, "exact_groups"),
              (unsigned long long)rv_u64(d, "near_groups"), rv_num(d, "jaccard", 0),
              (unsigned long long)rv_u64(d, "items_in_groups"),
              (unsigned long long)rv_u64(d, "conflicting_groups"));
    size_t n = 0;
    const cJSON *bs = rv_get(d, "by_subject");
    named *s = collect(o, bs, &n);
    if (!s)
        return;
    for (size_t k = 0; k < n; k++) {
        const cJSON *x = rv_get(bs, s[k].name);
        s[k].a = rv_u64(x, "groups");
        s[k].b = rv_u64(x, "conflicting");
    }
    qsort(s, n, sizeof *s, by_a_desc);
    if (n) {
        size_t shown = n < MAX_SUBJECT_ROWS ? n : MAX_SUBJECT_ROWS;
        const char **labels = contam_calloc(shown + 1, sizeof *labels);
        uint64_t *counts = contam_calloc(shown + 1, sizeof *counts);
        if (labels && counts) {
            for (size_t k = 0; k < shown; k++) {
                labels[k] = s[k].name;
                counts[k] = s[k].a;
            }
            html_count_chart(o, "chart-duplicates-subjects", "Duplicate groups per subject",
                             labels, counts, shown, "#7b61a8");
        } else {
            o->failed = 1;
        }
        contam_free(labels);
        contam_free(counts);
        if (n > shown)
            rv_printf(o, "<p class=\"note\">Chart shows %zu of %zu subjects.</p>\n", shown, n);
        rv_raw(o, "<div class=\"scroll\"><table id=\"table-duplicates-subjects\" class=\"data "
                  "narrow\"><thead><tr><th>subject</th><th class=\"num\">groups</th>"
                  "<th class=\"num\">conflicting</th></tr></thead><tbody>\n");
        for (size_t k = 0; k < n && k < HTML_MAX_TABLE_ROWS; k++) {
            rv_raw(o, "<tr><th scope=\"row\">");
            rv_html(o, s[k].name);
            rv_printf(o, "</th><td class=\"num\">%llu</td><td class=\"num\">%llu</td></tr>\n",
                      (unsigned long long)s[k].a, (unsigned long long)s[k].b);
        }
        rv_raw(o, "</tbody></table></div>\n");
    }
    contam_free(s);
    capped_table(o, rv_get(d, "examples"),
                 "<h3>Example groups</h3><div class=\"scroll\"><table "
                 "id=\"table-duplicates-examples\" class=\"data\"><thead><tr><th>group</th>"
                 "<th>kind</th><th class=\"num\">similarity</th><th>labels</th><th>members (id "
                 "\xc2\xb7 file:record \xc2\xb7 label)</th></tr></thead><tbody>\n",
                 MAX_EXAMPLES, "example groups", dup_example_row);
    rv_raw(o, "</section>\n");
}

/* ---- Lint ------------------------------------------------------------------------- */

static int sev_rank(const char *s)
{
    return !strcmp(s, "error") ? 0 : !strcmp(s, "warning") ? 1 : !strcmp(s, "info") ? 2 : 3;
}

static void lint_subjects(rv_out *o, const cJSON *bs, const named *checks, size_t nc)
{
    size_t n = 0;
    named *s = collect(o, bs, &n);
    if (!s)
        return;
    if (!n) {
        contam_free(s);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        const cJSON *x;
        cJSON_ArrayForEach(x, rv_get(bs, s[k].name))
        {
            if (cJSON_IsNumber(x) && x->valuedouble > 0)
                s[k].a += (uint64_t)x->valuedouble;
        }
    }
    qsort(s, n, sizeof *s, by_a_desc);
    rv_raw(o, "<h3>Findings by subject</h3><div class=\"scroll\"><table id=\"table-lint-subjects\" "
              "class=\"data\"><thead><tr><th>subject</th><th class=\"num\">all</th>");
    for (size_t c = 0; c < nc; c++) {
        rv_raw(o, "<th class=\"num\">");
        rv_html(o, checks[c].name);
        rv_raw(o, "</th>");
    }
    rv_raw(o, "</tr></thead><tbody>\n");
    for (size_t k = 0; k < n && k < MAX_SUBJECT_ROWS; k++) {
        const cJSON *row = rv_get(bs, s[k].name);
        rv_raw(o, "<tr><th scope=\"row\">");
        rv_html(o, s[k].name);
        rv_printf(o, "</th><td class=\"num\">%llu</td>", (unsigned long long)s[k].a);
        for (size_t c = 0; c < nc; c++)
            rv_printf(o, "<td class=\"num\">%llu</td>",
                      (unsigned long long)rv_u64(row, checks[c].name));
        rv_raw(o, "</tr>\n");
    }
    rv_raw(o, "</tbody></table></div>\n");
    if (n > MAX_SUBJECT_ROWS)
        rv_printf(o, "<p class=\"note\">%d of %zu subjects shown (most findings first).</p>\n",
                  MAX_SUBJECT_ROWS, n);
    contam_free(s);
}

static void lint_example_row(rv_out *o, const cJSON *f)
{
    rv_printf(o, "<tr class=\"sev-%s\">", rv_str(f, "severity", "info")[0] == 'e' ? "error" : "other");
    cell_str(o, f, "id");
    rv_raw(o, "<td>");
    source_record(o, f);
    rv_raw(o, "</td>");
    cell_str(o, f, "subject");
    cell_str(o, f, "code");
    cell_str(o, f, "severity");
    cell_str(o, f, "message");
    rv_raw(o, "</tr>\n");
}

void html_section_lint(rv_out *o, const rv_view *v)
{
    const cJSON *l = v->lint;
    if (!section_open(o, "lint", "Lint findings", l, "Lint",
                      "This output has no lint section: run <code>contam audit</code> (or "
                      "<code>contam lint</code>) to check the benchmark&#39;s records."))
        return;
    const cJSON *bc = rv_get(l, "by_check");
    size_t n = 0;
    named *c = collect(o, bc, &n);
    if (!c)
        return;
    uint64_t sev[4] = {0, 0, 0, 0};
    for (size_t k = 0; k < n; k++) {
        const cJSON *x = rv_get(bc, c[k].name);
        c[k].a = rv_u64(x, "count");
        c[k].sev = sev_rank(rv_str(x, "severity", ""));
        sev[c[k].sev] += c[k].a;
    }
    qsort(c, n, sizeof *c, by_a_desc);
    rv_printf(o, "<p class=\"summary\"><b>%llu</b> findings: <b>%llu</b> errors, %llu warnings, "
                 "%llu info.</p>\n",
              (unsigned long long)rv_u64(l, "findings"), (unsigned long long)sev[0],
              (unsigned long long)sev[1], (unsigned long long)sev[2]);
    size_t nfound = 0;
    for (size_t k = 0; k < n; k++)
        nfound += c[k].a > 0;
    if (!nfound)
        rv_raw(o, "<p class=\"empty\">No check found anything.</p>\n");
    if (nfound) {
        /* the chart draws the checks that found something; the table lists all */
        const char **labels = contam_calloc(nfound + 1, sizeof *labels);
        uint64_t *counts = contam_calloc(nfound + 1, sizeof *counts);
        char(*lab)[96] = contam_calloc(nfound + 1, sizeof *lab);
        if (labels && counts && lab) {
            size_t j = 0;
            for (size_t k = 0; k < n; k++) {
                if (!c[k].a)
                    continue;
                const char *nm = rv_str(rv_get(bc, c[k].name), "name", NULL);
                snprintf(lab[j], sizeof lab[j], "%s%s%s", c[k].name, nm ? " " : "", nm ? nm : "");
                labels[j] = lab[j];
                counts[j++] = c[k].a;
            }
            html_count_chart(o, "chart-lint-checks", "Lint findings per check", labels, counts,
                             nfound, "#b5651d");
        } else {
            o->failed = 1;
        }
        contam_free(labels);
        contam_free(counts);
        contam_free(lab);
    }
    if (n) {
        rv_raw(o, "<div class=\"scroll\"><table id=\"table-lint-checks\" class=\"data\"><thead>"
                  "<tr><th>check</th><th>name</th><th>severity</th><th class=\"num\">findings</th>"
                  "<th>what it means</th></tr></thead><tbody>\n");
        for (size_t k = 0; k < n; k++) {
            const cJSON *x = rv_get(bc, c[k].name);
            int ran = !cJSON_IsFalse(rv_get(x, "ran"));
            rv_printf(o, "<tr class=\"sev-%s\"><th scope=\"row\">",
                      c[k].sev == 0 && c[k].a ? "error" : "other");
            rv_html(o, c[k].name);
            rv_raw(o, "</th>");
            cell_str(o, x, "name");
            cell_str(o, x, "severity");
            if (ran)
                rv_printf(o, "<td class=\"num\">%llu</td>", (unsigned long long)c[k].a);
            else
                rv_raw(o, "<td class=\"num muted\">not run</td>");
            cell_str(o, x, "description");
            rv_raw(o, "</tr>\n");
        }
        rv_raw(o, "</tbody></table></div>\n");
    }
    /* by subject: columns for the checks that found something */
    size_t nf = 0;
    for (size_t k = 0; k < n; k++)
        if (c[k].a)
            c[nf++] = c[k];
    lint_subjects(o, rv_get(l, "by_subject"), c, nf);
    contam_free(c);
    capped_table(o, rv_get(l, "examples"),
                 "<h3>Examples</h3><div class=\"scroll\"><table id=\"table-lint-examples\" "
                 "class=\"data\"><thead><tr><th>item</th><th>file:record</th><th>subject</th>"
                 "<th>check</th><th>severity</th><th>message</th></tr></thead><tbody>\n",
                 MAX_EXAMPLES, "examples", lint_example_row);
    rv_raw(o, "</section>\n");
}

/* ---- Impact ------------------------------------------------------------------------ */

static int read_ci(const cJSON *row, const char *key, double *lo, double *hi)
{
    const cJSON *a = rv_get(row, key);
    if (cJSON_GetArraySize(a) != 2 || !cJSON_IsNumber(cJSON_GetArrayItem(a, 0)) ||
        !cJSON_IsNumber(cJSON_GetArrayItem(a, 1)))
        return -1;
    *lo = cJSON_GetArrayItem(a, 0)->valuedouble;
    *hi = cJSON_GetArrayItem(a, 1)->valuedouble;
    return 0;
}

static void acc_cell(rv_out *o, const cJSON *row, const char *acc, const char *ci)
{
    double lo, hi;
    const cJSON *a = rv_get(row, acc);
    if (!cJSON_IsNumber(a)) {
        rv_raw(o, "<td class=\"num\">\xe2\x80\x93</td>");
        return;
    }
    rv_printf(o, "<td class=\"num\">%.1f%%", a->valuedouble * 100);
    if (!read_ci(row, ci, &lo, &hi))
        rv_printf(o, " <span class=\"muted\">[%.1f, %.1f]</span>", lo * 100, hi * 100);
    rv_raw(o, "</td>");
}

static void row_label(char *out, size_t cap, const cJSON *row)
{
    snprintf(out, cap, "%s \xc2\xb7 %s%s%s", rv_str(row, "model", "?"), rv_str(row, "task", "?"),
             rv_str(row, "subject", NULL) ? " \xc2\xb7 " : "", rv_str(row, "subject", ""));
}

static void impact_chart(rv_out *o, const cJSON *rows, size_t n)
{
    const double W = 960, LX = 300, X0 = 312, X1 = 930, ROW = 30, TOP = 30;
    static const char *const KEYS[3][3] = {{"acc_all", "ci_all", "#444"},
                                           {"acc_clean", "ci_clean", "#009E73"},
                                           {"acc_dirty", "ci_dirty", "#D55E00"}};
    double H = TOP + ROW * (double)n + 8;
    rv_raw(o, "<p class=\"legend\"><span><i style=\"background:#444\"></i>all items</span><span>"
              "<i style=\"background:#009E73\"></i>clean</span><span><i style=\"background:"
              "#D55E00\"></i>dirty</span> (dots: accuracy; lines: interval)</p>\n");
    html_svg_open(o, "chart-impact", "impact-chart", W, H, 0,
                  "Accuracy on all, clean and dirty items");
    for (int t = 0; t <= 10; t += 2) {
        double x = X0 + (X1 - X0) * t / 10.0;
        rv_printf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>"
                     "<text class=\"tick\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%d%%</text>\n",
                  x, TOP - 6, x, H - 4, x, TOP - 10, t * 10);
    }
    const cJSON *row;
    size_t k = 0;
    cJSON_ArrayForEach(row, rows)
    {
        if (k == n)
            break;
        double y = TOP + ROW * (double)k + ROW / 2;
        char lab[300];
        row_label(lab, sizeof lab, row);
        rv_printf(o, "<text class=\"label\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
                     "dominant-baseline=\"middle\">",
                  LX, y);
        rv_html(o, lab);
        rv_raw(o, "</text>\n");
        for (int s = 0; s < 3; s++) {
            const cJSON *a = rv_get(row, KEYS[s][0]);
            if (!cJSON_IsNumber(a))
                continue;
            double yy = y + (s - 1) * 7, lo, hi;
            double xa = X0 + (X1 - X0) * fmin(fmax(a->valuedouble, 0), 1);
            if (!read_ci(row, KEYS[s][1], &lo, &hi))
                rv_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                             "stroke-width=\"2\"/>",
                          X0 + (X1 - X0) * fmin(fmax(lo, 0), 1), yy,
                          X0 + (X1 - X0) * fmin(fmax(hi, 0), 1), yy, KEYS[s][2]);
            rv_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n", xa, yy,
                      KEYS[s][2]);
        }
        k++;
    }
    rv_raw(o, "</svg>\n");
}

static void impact_row(rv_out *o, const cJSON *x)
{
    const cJSON *flag = rv_get(x, "flag");
    rv_printf(o, "<tr%s>", cJSON_IsTrue(flag) || (cJSON_IsString(flag) && *flag->valuestring)
                               ? " class=\"flagged\""
                               : "");
    cell_str(o, x, "model");
    cell_str(o, x, "task");
    cell_str(o, x, "subject");
    cell_u64(o, x, "n_all");
    acc_cell(o, x, "acc_all", "ci_all");
    cell_u64(o, x, "n_clean");
    acc_cell(o, x, "acc_clean", "ci_clean");
    cell_u64(o, x, "n_dirty");
    acc_cell(o, x, "acc_dirty", "ci_dirty");
    const cJSON *d = rv_get(x, "clean_minus_all");
    if (cJSON_IsNumber(d))
        rv_printf(o, "<td class=\"num\">%+.1f pts</td>", d->valuedouble * 100);
    else
        rv_raw(o, "<td class=\"num\">\xe2\x80\x93</td>");
    rv_raw(o, "<td>");
    if (cJSON_IsString(flag))
        rv_html(o, flag->valuestring);
    else if (cJSON_IsTrue(flag))
        rv_raw(o, "<b>yes</b>");
    rv_raw(o, "</td></tr>\n");
}

void html_section_impact(rv_out *o, const rv_view *v)
{
    const cJSON *im = v->impact;
    if (!section_open(o, "impact", "Impact on scores", im, "Impact",
                      "This output has no impact section: evaluate a model with "
                      "lm-evaluation-harness <code>--log_samples</code> and run <code>contam "
                      "impact --samples FILE --items items.jsonl --out DIR</code> "
                      "(docs/USAGE.md)."))
        return;
    const cJSON *bs = rv_get(im, "bootstrap"), *x;
    if (cJSON_IsObject(bs)) {
        rv_raw(o, "<p class=\"note\">Intervals: ");
        int first = 1;
        cJSON_ArrayForEach(x, bs)
        {
            if (!cJSON_IsNumber(x) && !cJSON_IsString(x))
                continue;
            rv_raw(o, first ? "" : ", ");
            first = 0;
            rv_html(o, x->string ? x->string : "?");
            rv_raw(o, " ");
            if (cJSON_IsNumber(x))
                rv_printf(o, "%g", x->valuedouble);
            else
                rv_html(o, x->valuestring);
        }
        rv_raw(o, ".</p>\n");
    }
    const cJSON *rows = rv_get(im, "rows");
    size_t n = (size_t)cJSON_GetArraySize(rows);
    if (!n) {
        rv_raw(o, "<p class=\"empty\">No rows.</p></section>\n");
        return;
    }
    impact_chart(o, rows, n < MAX_IMPACT_ROWS ? n : MAX_IMPACT_ROWS);
    if (n > MAX_IMPACT_ROWS)
        rv_printf(o, "<p class=\"note\">Chart shows %d of %zu rows; the table lists all.</p>\n",
                  MAX_IMPACT_ROWS, n);
    capped_table(o, rows,
                 "<div class=\"scroll\"><table id=\"table-impact\" class=\"data\"><thead><tr>"
                 "<th>model</th><th>task</th><th>subject</th><th class=\"num\">n all</th>"
                 "<th class=\"num\">accuracy all</th><th class=\"num\">n clean</th>"
                 "<th class=\"num\">accuracy clean</th><th class=\"num\">n dirty</th>"
                 "<th class=\"num\">accuracy dirty</th>"
                 "<th class=\"num\">clean \xe2\x88\x92 all</th><th>flag</th></tr></thead><tbody>\n",
                 HTML_MAX_TABLE_ROWS, "rows", impact_row);
    rv_raw(o, "</section>\n");
}
