/* report_diff_internal.h - one side of `contam diff` (not API): an output
 * directory's report.json and a compact copy of its items.jsonl (id,
 * verdict and statistics per method), sorted for merging. */
#ifndef CONTAM_REPORT_DIFF_INTERNAL_H
#define CONTAM_REPORT_DIFF_INTERNAL_H

#include "report/report_view_internal.h"

typedef struct {
    char *id;
    uint32_t occ;   /* 0 for the first item with this id, 1 for the next... */
    size_t index;   /* line in items.jsonl */
    uint8_t v[RV_MAX_METHODS];
    double overlap[RV_MAX_METHODS], coverage[RV_MAX_METHODS];
    uint32_t longest[RV_MAX_METHODS];
} diff_item;

typedef struct {
    cJSON *root;
    const char *method[RV_MAX_METHODS];
    size_t nm;
    diff_item *items; /* sorted by (id, occ) */
    size_t n;
} diff_side;

contam_status diff_side_load(diff_side *s, const char *dir, contam_err *err);
void diff_side_free(diff_side *s);
/* Index of a method by name in s, or -1. */
int diff_side_method(const diff_side *s, const char *name);

#endif
