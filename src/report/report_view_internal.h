/* report_view_internal.h - the model behind report.html and report.md (not
 * API): report.json parsed once, items.jsonl reduced to histograms and the
 * few items shown, plus a small sticky-error text writer and the number
 * formats both views share. Only the report_view/html/md/views files use it. */
#ifndef CONTAM_REPORT_VIEW_INTERNAL_H
#define CONTAM_REPORT_VIEW_INTERNAL_H

#include <cjson/cJSON.h>

#include "report/report.h"

#define RV_MAX_METHODS SCAN_MAX_METHODS
#define RV_OV_BINS 11   /* overlap: 0 | (0,.1) | [.1,.2) ... [.9,1] */
#define RV_LONG_BINS 6  /* longest run: 0 | 1..n-1 | n..2n-1 | 2n..4n-1 | 4n..8n-1 | >=8n */
#define RV_TOP_HTML 50  /* items shown in report.html */
#define RV_TOP_MD 10    /* items listed in report.md */

typedef enum { RV_ANY = 0, RV_FRACTION, RV_COVERAGE, RV_SAMPLED } rv_rule;

typedef enum { RV_V_CLEAN = 0, RV_V_DIRTY, RV_V_TOO_SHORT, RV_V_NOT_CLEAN, RV_V_UNKNOWN } rv_verdict;

typedef struct {
    const char *name, *unit, *rule_text, *source; /* point into the report.json tree */
    unsigned n;
    rv_rule rule;
    double threshold;   /* FRACTION: the fraction; COVERAGE: dirty_at */
    double clean_below; /* COVERAGE */
    unsigned samples;   /* SAMPLED */
    uint64_t corpus_df;
    int bench_filter;
} rv_method;

typedef struct {
    uint64_t items, clean, dirty, too_short, not_clean;
} rv_counts;

/* A subject or benchmark file with its counts per method. */
typedef struct {
    const char *name;
    size_t nm;
    rv_counts c[RV_MAX_METHODS];
} rv_group;

/* One item shown in the views, with its parsed items.jsonl object. */
typedef struct {
    cJSON *json;
    size_t index;    /* 0-based line in items.jsonl */
    unsigned ndirty; /* methods calling it dirty */
    double overlap, coverage;
    uint32_t longest;
} rv_item;

typedef struct {
    cJSON *root; /* report.json */
    const char *version, *command, *preset, *normalizer, *hash, *seed;
    rv_method m[RV_MAX_METHODS];
    size_t nm;
    rv_counts total[RV_MAX_METHODS];
    rv_group *subjects; /* sorted: first method's rate desc, dirty desc, name */
    size_t nsubjects;
    int has_subjects;   /* more than the single "(none)" group */
    rv_group *files;    /* benchmark files in report order */
    size_t nfiles;
    /* from items.jsonl */
    uint64_t nitems;
    uint64_t hist_overlap[RV_MAX_METHODS][RV_OV_BINS];
    uint64_t hist_longest[RV_MAX_METHODS][RV_LONG_BINS];
    uint64_t agreement[RV_MAX_METHODS + 1]; /* items dirty under k methods */
    rv_item *top;       /* most contaminated first */
    size_t ntop;
    size_t ncandidates; /* items with any evidence (top is the first ntop of them) */
    /* optional sections from later stages (NULL = not run) */
    const cJSON *duplicates, *lint, *impact;
} rv_view;

/* Builds the view; top_cap bounds the items kept. On failure v is freed. */
contam_status rv_build(rv_view *v, const char *report_json, size_t len,
                       const report_items_src *items, size_t top_cap, contam_err *err);
void rv_free(rv_view *v);
/* One method's counts ("items", "clean", ...) from a report.json object;
 * a missing member reads as 0. */
void rv_counts_read(const cJSON *o, rv_counts *c);

/* ---- Small accessors tolerant of hand-made JSON ---------------------------- */
const cJSON *rv_get(const cJSON *o, const char *key);
const char *rv_str(const cJSON *o, const char *key, const char *dflt);
double rv_num(const cJSON *o, const char *key, double dflt);
uint64_t rv_u64(const cJSON *o, const char *key);
rv_verdict rv_verdict_parse(const char *s);
const char *rv_verdict_name(rv_verdict v);
double rv_rate(uint64_t num, uint64_t den);

/* Overlap bin of a value in [0,1]; longest-run bin for a method's n. */
size_t rv_overlap_bin(double v);
size_t rv_longest_bin(uint32_t longest, unsigned n);
/* The statistic the method's rule looks at: "coverage" or "overlap". */
const char *rv_metric_name(const rv_method *m);
/* One-line plain description of a rule: "any 13-gram (word) matched". */
void rv_rule_describe(const rv_method *m, char *out, size_t cap);
/* Reconstructs the command line from report.json parameters. */
int rv_command(const rv_view *v, contam_buf *out, size_t max_corpus_files);

/* ---- Output with a sticky error flag ---------------------------------------- */
typedef struct {
    contam_buf *b;
    int failed;
} rv_out;

void rv_raw(rv_out *o, const char *s);
void rv_rawn(rv_out *o, const char *s, size_t n);
void rv_printf(rv_out *o, const char *fmt, ...) CONTAM_PRINTF(2, 3);
void rv_html(rv_out *o, const char *s);             /* HTML-escaped */
void rv_htmln(rv_out *o, const char *s, size_t n);
void rv_md(rv_out *o, const char *s, size_t max);   /* one Markdown table cell, cut at max bytes */

/* "32.5%", "0.16%", "0%" (fixed formats: outputs are byte-stable). */
void rv_pct(char *out, size_t cap, double rate);
/* A parameter: "70%", "12.5%". */
void rv_pct_param(char *out, size_t cap, double frac);
/* "1,234,567" */
void rv_group_digits(char *out, size_t cap, uint64_t v);
/* "73.8 kB", "140.4 MB" */
void rv_bytes(char *out, size_t cap, uint64_t v);
/* Length of the longest prefix of s (<= max bytes) that ends on a UTF-8
 * character boundary. */
size_t rv_utf8_cut(const char *s, size_t len, size_t max);
/* The last path component ("a/b/c.jsonl" -> "c.jsonl"). */
const char *rv_basename(const char *path);

/* The scan's own path (report_json.c): report.html and report.md from the
 * report.json text about to be written and items generated in memory. */
contam_status report_write_views_scan(io_outdir *d, const char *report_json, size_t len,
                                      const bench_set *b, const scan_result *r,
                                      const report_extra *extra, contam_err *err);

/* ---- Renderers ----------------------------------------------------------- */
int rv_render_html(const rv_view *v, contam_buf *out);
int rv_render_md(const rv_view *v, contam_buf *out);

#endif
