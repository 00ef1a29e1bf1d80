/* report_internal.h - shared between the report writers (not API). */
#ifndef CONTAM_REPORT_INTERNAL_H
#define CONTAM_REPORT_INTERNAL_H

#include "report/report.h"

/* Appends item i's items.jsonl line (with its newline) to o; -1 on OOM. */
int report_item_json(contam_buf *o, const bench_set *b, const scan_result *r, size_t i,
                     const report_extra *extra);

contam_status report_write_items(io_outdir *d, const bench_set *b, const scan_result *r,
                                 const report_extra *extra, contam_err *err);
contam_status report_write_splits(io_outdir *d, const bench_set *b, const scan_result *r,
                                  contam_err *err);
contam_status report_write_summary(io_outdir *d, const bench_set *b, const scan_result *r,
                                   const report_meta *meta, contam_err *err);

#endif
