/* report.h - the outputs of a scan, written into an io_outdir:
 *   items.jsonl   one object per item, input order (documented in docs/FORMATS.md)
 *   report.json   totals and rates per method, subject and file; parameters,
 *                 versions, input checksums; bad-record counts
 *   clean/ dirty/ the benchmark's own records, byte for byte, split by the
 *                 first method's verdict (too_short counts as clean)
 * Layer: uses scan/, bench/, io/, common/. Never prints, never exits.
 * Output is a pure function of its inputs: no timestamps, no thread counts,
 * fixed float formatting, so equal inputs give byte-identical files.
 */
#ifndef CONTAM_REPORT_H
#define CONTAM_REPORT_H

#include "bench/bench.h"
#include "io/io.h"
#include "scan/scan.h"

/* Extra results from later stages (dedup, lint, impact...) merged into the
 * same outputs. Every string is a complete JSON fragment produced by the
 * stage; the report writer only places it. */
typedef struct report_extra {
    /* per item (nitems entries, NULL entries allowed): members appended to the
     * item's items.jsonl object, without a leading comma, e.g.
     * "\"duplicate_group\":3,\"lint\":[...]" */
    char **item_members;
    /* top-level report.json members: section name -> JSON value text */
    const char *const *section_names;
    const char *const *section_values;
    size_t nsections;
} report_extra;

typedef struct {
    const char *command;              /* "scan", "audit" */
    const char *const *bench_args;    /* --bench values as given */
    size_t nbench_args;
    const report_extra *extra;        /* may be NULL */
    const char *const *skipped;       /* corpus directory entries not read (names
                                         without a corpus extension) */
    size_t nskipped;
} report_meta;

/* Writes items.jsonl, report.json, clean/ and dirty/ into d. */
CONTAM_NODISCARD contam_status report_write_scan(io_outdir *d, const bench_set *b,
                                                 const scan_result *r, const report_meta *meta,
                                                 contam_err *err);

/* Verdict counts of one group of items for one method. */
typedef struct {
    uint64_t items, clean, dirty, too_short, not_clean;
} report_counts;

/* Is the item's first-method verdict "dirty" for the purpose of splits? */
int report_is_dirty(scan_verdict v);

/* ---- Views: report.html and report.md (report_views.c, report_view.c,
 * report_html*.c, report_md.c) ------------------------------------------------
 * Both are rendered from report.json and items.jsonl alone, so `contam report
 * DIR` regenerates byte-identical files from an output directory. items.jsonl
 * is streamed twice (statistics, then the few items shown): memory does not
 * grow with the number of items beyond a few bytes each. */

/* A restartable sequence of items.jsonl lines. */
typedef struct report_items_src {
    /* (Re)starts at the first line; called before each pass. */
    contam_status (*rewind)(void *user, contam_err *err);
    /* Next line without its newline; *line == NULL at the end. The line stays
     * valid until the next call. */
    contam_status (*next)(void *user, const char **line, size_t *len, contam_err *err);
    void *user;
    const char *name; /* for error messages, e.g. "out/items.jsonl" */
} report_items_src;

/* Renders report.html and/or report.md (either buffer may be NULL; both are
 * reset first). Fails with CONTAM_ERR_JSON / CONTAM_ERR_FORMAT naming the
 * file and line when report.json or an items.jsonl line is not what contam
 * writes, or when their item counts disagree. */
CONTAM_NODISCARD contam_status report_render(const char *report_json, size_t len,
                                             const report_items_src *items, contam_buf *html,
                                             contam_buf *md, contam_err *err);

/* Renders and writes report.html and report.md into d. */
CONTAM_NODISCARD contam_status report_write_views(io_outdir *d, const char *report_json,
                                                  size_t len, const report_items_src *items,
                                                  contam_err *err);

/* `contam report DIR`: reads DIR/report.json and DIR/items.jsonl, replaces
 * DIR/report.html and DIR/report.md atomically (each file is the old one or
 * the whole new one). Nothing is written when reading or rendering fails. */
CONTAM_NODISCARD contam_status report_regenerate(const char *dir, contam_err *err);

/* Reads a whole small file (report.json) into out; CONTAM_ERR_OPEN names it. */
CONTAM_NODISCARD contam_status report_read_file(const char *path, contam_buf *out,
                                                contam_err *err);

/* ---- Quality gates: --fail-on EXPR (report_gate.c) ---------------------------
 * Grammar (whitespace around tokens is ignored):
 *   EXPR    := METRIC OP NUMBER ['%']
 *   METRIC  := [METHOD '.'] ('dirty' | 'too_short' | 'not_clean')     counts or % of items
 *            | 'subject.' [METHOD '.'] ('dirty' | ...)                any subject
 *            | 'file.' [METHOD '.'] ('dirty' | ...)                   any benchmark file
 *            | 'lint' | 'lint.error' | 'lint.warning' | 'lint.info'
 *            | 'lint.' CHECK_CODE                                      findings (counts)
 *            | 'duplicates' | 'duplicates.' ('exact'|'near'|'conflicting'|'items')
 *   OP      := '>' | '>=' | '<' | '<=' | '==' | '!='
 * An unqualified method is the first one (the one that decides clean/dirty).
 * '%' is allowed for item metrics only: dirty% = 100 * dirty / items. */
typedef enum {
    REPORT_GATE_ITEMS = 0,     /* whole benchmark */
    REPORT_GATE_SUBJECT = 1,   /* every subject */
    REPORT_GATE_FILE = 2,      /* every benchmark file */
    REPORT_GATE_LINT = 3,
    REPORT_GATE_DUPLICATES = 4
} report_gate_scope;

typedef enum { REPORT_OP_GT, REPORT_OP_GE, REPORT_OP_LT, REPORT_OP_LE, REPORT_OP_EQ, REPORT_OP_NE } report_gate_op;

typedef struct {
    char text[160];      /* the expression as given (trimmed) */
    report_gate_scope scope;
    char method[16];     /* item scopes: "" = the first method */
    char metric[64];     /* item scopes: dirty, too_short, not_clean; lint: "", error,
                            warning, info or a check code; duplicates: "", exact, near,
                            conflicting, items */
    report_gate_op op;
    double value;
    int percent;         /* value is a percentage of items */
    char value_text[32]; /* the right-hand side as given, e.g. "2%" */
} report_gate;

/* Parses one expression. 0, or -1 with a message in why. */
int report_gate_parse(const char *expr, report_gate *g, char *why, size_t cap);

/* The report.json section a gate needs ("lint", "duplicates"), or NULL. */
const char *report_gate_section(const report_gate *g);

/* Evaluates gates against report.json. Appends one line per crossing to msgs
 * ("gate crossed: subject x gpt3 dirty 6.0% (12 of 200 items) > 5%\n") and
 * counts them in *crossed. A gate that names a method the report lacks, or a
 * section that was not run, is CONTAM_ERR_ARG with a message. */
CONTAM_NODISCARD contam_status report_gate_eval(const report_gate *gates, size_t ngates,
                                                const char *report_json, size_t len,
                                                contam_buf *msgs, size_t *crossed,
                                                contam_err *err);

/* ---- Run-to-run comparison: contam diff (report_diff*.c) --------------------- */

typedef struct {
    int json;            /* machine-readable output */
    size_t max_lines;    /* text: changed items listed at most (0 = default 50) */
} report_diff_options;

/* Compares two output directories (report.json + items.jsonl): parameters
 * and inputs that differ, rates that moved, items that changed verdict per
 * method, items added or removed. Writes the comparison to out; *differs is
 * 0 when nothing differs. */
CONTAM_NODISCARD contam_status report_diff(const char *old_dir, const char *new_dir,
                                           const report_diff_options *opt, contam_buf *out,
                                           int *differs, contam_err *err);

#endif
