/* report_html_internal.h - the parts of report.html (not API). Every part
 * writes into an rv_out and draws its charts as inline SVG followed by the
 * same figures as a table. Element ids and classes used here are what
 * tests/browser/check_report.sh looks for: keep them stable. */
#ifndef CONTAM_REPORT_HTML_INTERNAL_H
#define CONTAM_REPORT_HTML_INTERNAL_H

#include "report/report_view_internal.h"

#define HTML_MAX_SUBJECT_BARS 30 /* subjects drawn in the chart (the table has more) */
#define HTML_MAX_TABLE_ROWS 500  /* rows of any table before "and N more" */
#define HTML_MAX_INPUT_ROWS 12   /* benchmark / corpus files listed */

/* Opens a chart: <svg id=ID class="chart KIND"> sized w x h and scaled to
 * the page width, with aria as its (escaped) title. fit: keep a wide chart
 * to the top left when the page is narrower. */
void html_svg_open(rv_out *o, const char *id, const char *kind, double w, double h, int fit,
                   const char *aria);

/* Method colours (Okabe-Ito, distinguishable with common colour blindness). */
const char *html_method_color(size_t m);

/* A horizontal grouped bar chart: one group per row, one bar per method,
 * each bar labelled "dirty/items · rate". rows[0] may be the emphasised
 * "All items" row. */
typedef struct {
    const char *label;
    const rv_counts *c; /* nm entries */
    int emphasis;
} html_bar_row;
void html_bar_chart(rv_out *o, const rv_view *v, const char *id, const char *aria,
                    const html_bar_row *rows, size_t nrows);
void html_legend(rv_out *o, const rv_view *v);

/* A small histogram of counts per bin. tone[k]: 0 = clean side (grey),
 * 1 = between bands (pale), 2 = dirty side (the method colour). lines:
 * boundaries (0..nbins) where a threshold is drawn, with labels. */
typedef struct {
    double at; /* bin boundary position, 0..nbins */
    const char *label;
    int kind;  /* 0 = dirty threshold, 1 = clean band */
} html_threshold;
void html_histogram(rv_out *o, const char *id, const char *aria, size_t method,
                    const uint64_t *counts, const char *const *labels, const int *tone,
                    size_t nbins, const html_threshold *lines, size_t nlines,
                    const char *xtitle);

/* A simple bar chart of labelled counts (lint checks, duplicate groups by
 * subject): one bar per row, count at the end. */
void html_count_chart(rv_out *o, const char *id, const char *aria, const char *const *labels,
                      const uint64_t *counts, size_t n, const char *color);

/* Sections. */
void html_section_subjects(rv_out *o, const rv_view *v);
void html_section_distributions(rv_out *o, const rv_view *v);
void html_section_items(rv_out *o, const rv_view *v);
void html_section_duplicates(rv_out *o, const rv_view *v);
void html_section_lint(rv_out *o, const rv_view *v);
void html_section_impact(rv_out *o, const rv_view *v);

/* "12/204 · 5.9%" */
void html_count_rate(char *out, size_t cap, uint64_t dirty, uint64_t items);
/* A "not run" paragraph for a missing optional section (how: constant HTML). */
void html_not_run(rv_out *o, const char *what, const char *how);

#endif
