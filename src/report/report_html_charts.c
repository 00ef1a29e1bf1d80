/* report_html_charts.c - the inline SVG charts of report.html: grouped bars
 * (contamination by subject, per method), small histograms with threshold
 * lines, and plain count bars. Pure functions of their numbers: no scripts,
 * coordinates printed with fixed precision so the file is byte-stable. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report_html_internal.h"

static const char *const COLORS[RV_MAX_METHODS] = {"#0072B2", "#D55E00", "#009E73",
                                                   "#CC79A7", "#E69F00", "#56B4E9"};

const char *html_method_color(size_t m)
{
    return COLORS[m % RV_MAX_METHODS];
}

void html_count_rate(char *out, size_t cap, uint64_t dirty, uint64_t items)
{
    char pct[32];
    rv_pct(pct, sizeof pct, rv_rate(dirty, items));
    snprintf(out, cap, "%llu/%llu \xc2\xb7 %s", (unsigned long long)dirty,
             (unsigned long long)items, pct);
}

void html_not_run(rv_out *o, const char *what, const char *how)
{
    rv_printf(o, "<p class=\"not-run\"><strong>%s: not run.</strong> ", what);
    rv_raw(o, how); /* trusted: the callers' constant HTML */
    rv_raw(o, "</p>\n");
}

void html_legend(rv_out *o, const rv_view *v)
{
    rv_raw(o, "<p class=\"legend\">");
    for (size_t m = 0; m < v->nm; m++) {
        rv_printf(o, "<span><i style=\"background:%s\"></i>", html_method_color(m));
        rv_html(o, v->m[m].name);
        rv_raw(o, m == 0 ? " (decides the split)</span>" : "</span>");
    }
    rv_raw(o, "</p>\n");
}

void html_svg_open(rv_out *o, const char *id, const char *kind, double w, double h, int fit,
                   const char *aria)
{
    rv_printf(o,
              "<svg id=\"%s\" class=\"chart %s\" role=\"img\" viewBox=\"0 0 %.0f %.0f\" "
              "width=\"100%%\" %sxmlns=\"http://www.w3.org/2000/svg\"><title>",
              id, kind, w, h, fit ? "preserveAspectRatio=\"xMinYMin meet\" " : "");
    rv_html(o, aria);
    rv_raw(o, "</title>\n");
}

static uint64_t max_count(const uint64_t *counts, size_t n)
{
    uint64_t max = 0;
    for (size_t k = 0; k < n; k++)
        if (counts[k] > max)
            max = counts[k];
    return max;
}

/* The smallest 1-2-5 step >= x (rates: at most 1). */
static double nice_ceil(double x)
{
    if (!(x > 0))
        return 0.01;
    double p = pow(10, floor(log10(x)));
    const double steps[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * p >= x * (1 - 1e-12))
            return fmin(steps[i] * p, 1.0);
    return fmin(10 * p, 1.0);
}

/* Cuts a label for the chart (the table keeps it whole). */
static void put_label(rv_out *o, const char *s, size_t max)
{
    size_t len = strlen(s), cut = rv_utf8_cut(s, len, max);
    rv_htmln(o, s, cut);
    if (cut < len)
        rv_raw(o, "\xe2\x80\xa6");
}

void html_bar_chart(rv_out *o, const rv_view *v, const char *id, const char *aria,
                    const html_bar_row *rows, size_t nrows)
{
    const double W = 960, LX = 250, BX = 262, BW = 470, BH = 11, GAP = 2, PAD = 12, TOP = 28;
    double rowh = (double)v->nm * (BH + GAP) + PAD;
    double H = TOP + (double)nrows * rowh + 6;
    double max = 0;
    for (size_t r = 0; r < nrows; r++)
        for (size_t m = 0; m < v->nm; m++)
            max = fmax(max, rv_rate(rows[r].c[m].dirty, rows[r].c[m].items));
    max = nice_ceil(max);
    html_svg_open(o, id, "bar-chart", W, H, 1, aria);
    /* axis: five ticks from 0 to the rounded-up maximum rate */
    for (int t = 0; t <= 4; t++) {
        double x = BX + BW * t / 4.0;
        char pct[32];
        rv_pct(pct, sizeof pct, max * t / 4.0);
        rv_printf(o,
                  "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                  "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                  x, TOP - 6, x, H - 4, x, TOP - 10, pct);
    }
    for (size_t r = 0; r < nrows; r++) {
        double y = TOP + (double)r * rowh + PAD / 2;
        double cy = y + (double)v->nm * (BH + GAP) / 2;
        rv_printf(o, "<g class=\"row%s\"><text class=\"label\" x=\"%.1f\" y=\"%.1f\" "
                     "text-anchor=\"end\" dominant-baseline=\"middle\">",
                  rows[r].emphasis ? " all" : "", LX, cy);
        put_label(o, rows[r].label, 40);
        rv_raw(o, "</text>\n");
        for (size_t m = 0; m < v->nm; m++) {
            const rv_counts *c = &rows[r].c[m];
            double rate = rv_rate(c->dirty, c->items);
            double w = max > 0 ? BW * rate / max : 0;
            if (c->dirty && w < 1.5)
                w = 1.5; /* a non-zero count stays visible */
            double by = y + (double)m * (BH + GAP);
            char cr[96];
            html_count_rate(cr, sizeof cr, c->dirty, c->items);
            rv_printf(o,
                      "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
                      "fill=\"%s\"><title>",
                      BX, by, w, BH, html_method_color(m));
            rv_html(o, v->m[m].name);
            rv_raw(o, ": ");
            rv_html(o, cr);
            rv_printf(o, " dirty</title></rect><text class=\"value\" x=\"%.1f\" y=\"%.1f\" "
                         "dominant-baseline=\"middle\">",
                      BX + w + 5, by + BH / 2 + 0.5);
            rv_html(o, v->m[m].name);
            rv_raw(o, " ");
            rv_html(o, cr);
            rv_raw(o, "</text>\n");
        }
        if (rows[r].emphasis && r + 1 < nrows)
            rv_printf(o, "<line class=\"sep\" x1=\"0\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>",
                      y + rowh - PAD / 2 + 1, W, y + rowh - PAD / 2 + 1);
        rv_raw(o, "</g>\n");
    }
    rv_raw(o, "</svg>\n");
}

void html_histogram(rv_out *o, const char *id, const char *aria, size_t method,
                    const uint64_t *counts, const char *const *labels, const int *tone,
                    size_t nbins, const html_threshold *lines, size_t nlines,
                    const char *xtitle)
{
    const double W = 400, X0 = 8, X1 = 392, Y0 = 34, Y1 = 150, H = 190;
    double bw = (X1 - X0) / (double)nbins;
    uint64_t max = max_count(counts, nbins);
    html_svg_open(o, id, "histogram", W, H, 0, aria);
    rv_printf(o, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n", X0,
              Y1, X1, Y1);
    for (size_t k = 0; k < nbins; k++) {
        /* log scale: one item and ten thousand items must both be visible */
        double h = max ? (Y1 - Y0) * log1p((double)counts[k]) / log1p((double)max) : 0;
        if (counts[k] && h < 2)
            h = 2;
        double x = X0 + bw * (double)k + 1.5;
        const char *fill = tone[k] == 2 ? html_method_color(method)
                           : tone[k] == 1 ? "#e9c46a" : "#b8bec6";
        rv_printf(o,
                  "<rect class=\"bin\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                  "fill=\"%s\"><title>",
                  x, Y1 - h, bw - 3, h, fill);
        rv_html(o, labels[k]);
        rv_printf(o,
                  ": %llu items</title></rect>"
                  "<text class=\"count\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%llu</text>"
                  "<text class=\"tick\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">",
                  (unsigned long long)counts[k], x + (bw - 3) / 2, Y1 - h - 3,
                  (unsigned long long)counts[k], x + (bw - 3) / 2, Y1 + 13);
        rv_html(o, labels[k]);
        rv_raw(o, "</text>\n");
    }
    for (size_t l = 0; l < nlines; l++) {
        double x = X0 + bw * lines[l].at;
        double ty = 11 + 11 * (double)(nlines - 1 - l);
        const char *anchor = lines[l].at > (double)nbins * 0.6 ? "end" : "start";
        double tx = anchor[0] == 'e' ? x - 3 : x + 3;
        rv_printf(o,
                  "<line class=\"threshold%s\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>"
                  "<text class=\"threshold-label%s\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"%s\">",
                  lines[l].kind ? " band" : "", x, ty - 8, x, Y1 + 2, lines[l].kind ? " band" : "",
                  tx, ty, anchor);
        rv_html(o, lines[l].label);
        rv_raw(o, "</text>\n");
    }
    rv_printf(o, "<text class=\"axis-title\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">", W / 2,
              H - 8);
    rv_html(o, xtitle);
    rv_raw(o, "</text></svg>\n");
}

void html_count_chart(rv_out *o, const char *id, const char *aria, const char *const *labels,
                      const uint64_t *counts, size_t n, const char *color)
{
    const double W = 960, LX = 250, BX = 262, BW = 560, BH = 16, ROW = 22, TOP = 6;
    double H = TOP + ROW * (double)n + 4;
    uint64_t max = max_count(counts, n);
    html_svg_open(o, id, "count-chart", W, H, 1, aria);
    for (size_t k = 0; k < n; k++) {
        double y = TOP + ROW * (double)k;
        double w = max ? BW * (double)counts[k] / (double)max : 0;
        if (counts[k] && w < 1.5)
            w = 1.5;
        rv_printf(o, "<text class=\"label\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
                     "dominant-baseline=\"middle\">",
                  LX, y + BH / 2);
        put_label(o, labels[k], 40);
        rv_printf(o,
                  "</text><rect class=\"bar\" x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" "
                  "height=\"%.0f\" fill=\"%s\"/><text class=\"value\" x=\"%.1f\" y=\"%.1f\" "
                  "dominant-baseline=\"middle\">%llu</text>\n",
                  BX, y, w, BH, color, BX + w + 5, y + BH / 2, (unsigned long long)counts[k]);
    }
    rv_raw(o, "</svg>\n");
}
