/* scan_internal.h - structures shared by the scan stages (not API). */
#ifndef CONTAM_SCAN_INTERNAL_H
#define CONTAM_SCAN_INTERNAL_H

/* Judy's default error macro prints and exits; the library must do neither,
 * so its macros return PJERR and we check. */
#define JUDYERROR_NOTEST 1
#include <Judy.h>

#include "scan/scan.h"

#define SCAN_MAX_TABLES 120 /* item_table holds int8_t indexes */
#define SCAN_NO_ID UINT32_MAX

/* The tokens of every item in one unit (flat arrays). */
typedef struct {
    int used;
    ngram_token *tok;   /* all items' tokens */
    uint8_t *part;      /* bench_part of each token */
    size_t *start;      /* item i's tokens are tok[start[i] .. start[i+1]) */
} scan_unit_tokens;

/* The benchmark grams of one (unit, n): what the corpus pass looks up. */
typedef struct {
    ngram_unit unit;
    unsigned n;
    int sampled;        /* only sampled windows are inserted (gpt4) */
    unsigned samples;
    int provenance;     /* keep first occurrences (tables of the first method) */
    Pvoid_t judy;       /* JudyL: gram hash -> id + 1 */
    uint64_t *filter;   /* blocked Bloom filter, one 64-bit word per probe */
    uint64_t fmask;
    uint32_t nids;
    uint32_t *bench_df;     /* items containing the gram */
    uint32_t *ex_item;      /* an item containing it, and its position there */
    uint32_t *ex_pos;
    /* per item windows: win_id/win_pos[wstart[i] .. wstart[i+1]) */
    size_t *wstart;
    uint32_t *win_id;
    uint32_t *win_pos;
    /* corpus pass results, merged over threads */
    uint32_t *df;           /* corpus document frequency, saturating */
    struct scan_occ_list **occ; /* first occurrences per id (provenance tables) */
} scan_table;

/* One corpus occurrence of a gram: the first in its document. */
typedef struct scan_occ {
    uint32_t file;
    uint64_t record;
    uint64_t offset;
    uint64_t text_offset;
    char *doc;
    char *snippet;
} scan_occ;

/* The earliest occurrences of one gram, sorted by corpus position. */
typedef struct scan_occ_list {
    uint32_t n;
    scan_occ v[];
} scan_occ_list;

typedef struct {
    const bench_set *bench;
    scan_options opt;
    scan_unit_tokens units[3];
    scan_table tables[SCAN_MAX_TABLES];
    size_t ntables;
    /* for method m and item i: table index, or -1 when the item is too short */
    int8_t *item_table[SCAN_MAX_METHODS];
} scan_plan;

/* table.c */
contam_status scan_plan_build(scan_plan *p, const bench_set *b, const scan_options *opt,
                              contam_err *err);
void scan_plan_free(scan_plan *p);
static inline int scan_filter_maybe(const scan_table *t, uint64_t h)
{
    uint64_t w = t->filter[(h >> 40) & t->fmask];
    uint64_t m = (UINT64_C(1) << (h & 63)) | (UINT64_C(1) << ((h >> 6) & 63)) |
                 (UINT64_C(1) << ((h >> 12) & 63));
    return (w & m) == m;
}

/* corpus.c */
contam_status scan_corpus(scan_plan *p, const char *const *files, size_t nfiles,
                          scan_result *r, contam_err *err);

/* assess.c */
contam_status scan_assess(scan_plan *p, scan_result *r, contam_err *err);

#endif
