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

#endif
