/* scan.h - measure every benchmark item's n-gram overlap with a training
 * corpus in one streaming pass, under one or more named decision rules.
 *
 * Data flow: bench items -> per-(unit, n) gram tables (Judy: hash -> id, a
 * blocked Bloom filter in front, postings id -> (item, position)) -> one
 * parallel pass over the corpus (OpenMP tasks: one reader per file, batches
 * of records processed by any thread, one context per thread) -> per-gram
 * corpus document frequency and first occurrences -> per-item statistics,
 * verdicts and provenance.
 *
 * Layer: uses bench/, ngram/, io/, common/. Never prints, never exits.
 * Determinism: every merge is order-independent (sums, and the K smallest
 * occurrences by corpus position), so results do not depend on threads.
 */
#ifndef CONTAM_SCAN_H
#define CONTAM_SCAN_H

#include "bench/bench.h"
#include "common/common.h"
#include "io/io.h"
#include "ngram/ngram.h"

/* ---- Methods ---------------------------------------------------------------- */

typedef enum {
    SCAN_RULE_ANY = 0,      /* dirty when matched evidence grams >= 1 */
    SCAN_RULE_FRACTION = 1, /* dirty when matched/eligible >= threshold (and > 0) */
    SCAN_RULE_COVERAGE = 2, /* llama2: token coverage bands */
    SCAN_RULE_SAMPLED = 3   /* gpt4: a few sampled windows, dirty when any occurs */
} scan_rule;

typedef struct {
    char name[16];         /* "gpt3", "lmeval", "palm", "llama2", "gpt4", "custom" */
    ngram_unit unit;
    unsigned n;
    scan_rule rule;
    double threshold;      /* FRACTION: the fraction; COVERAGE: dirty band (0.8) */
    double clean_below;    /* COVERAGE: clean band (0.2) */
    unsigned corpus_df;    /* ignore grams found in more corpus docs; 0 = no filter */
    int bench_filter;      /* ignore benchmark boilerplate grams */
    unsigned samples;      /* SAMPLED: windows per item */
    const char *citation;  /* short source reference for reports */
} scan_method;

#define SCAN_MAX_METHODS 6

/* Parses a comma list ("gpt3,palm") into out[]; custom_n/custom_threshold
 * configure "custom". Returns 0, or -1 with a message in why (cap bytes). */
int scan_methods_parse(const char *list, unsigned custom_n, double custom_threshold,
                       unsigned corpus_df, scan_method *out, size_t *nout, char *why,
                       size_t cap);

typedef enum {
    SCAN_CLEAN = 0,
    SCAN_DIRTY = 1,
    SCAN_TOO_SHORT = 2,
    SCAN_NOT_CLEAN = 3  /* llama2: 20% <= coverage < 80%, i.e. in both of the
                           paper's "not clean" and "not dirty" subsets; reports
                           give all four subsets (docs/METHODS.md) */
} scan_verdict;

const char *scan_verdict_name(scan_verdict v);

/* ---- Options ------------------------------------------------------------------ */

typedef struct {
    uint64_t bytes_done;   /* decompressed bytes */
    uint64_t raw_done;     /* compressed bytes read */
    uint64_t raw_total;    /* sum of input file sizes */
    uint64_t records_done;
    unsigned files_done, files_total;
} scan_progress;

typedef void (*scan_progress_fn)(const scan_progress *p, void *user);

typedef struct {
    scan_method methods[SCAN_MAX_METHODS];
    size_t nmethods;
    int digits_zero;
    uint64_t seed;
    unsigned bench_df;     /* boilerplate: grams in more items than this */
    int short_whole;       /* --short whole */
    unsigned max_matches;
    const char *text_field;
    const char *doc_field; /* may be NULL */
    uint64_t max_line;
    int strict;            /* invalid records are fatal */
    int keep_going;        /* a failed corpus file does not stop the others */
    int threads;           /* 0 = OpenMP default */
    scan_progress_fn progress; /* may be NULL; called from any thread, serialised */
    void *progress_user;
} scan_options;

/* Fills defaults: gpt3, seed NGRAM_DEFAULT_SEED, bench_df 10, max_matches 5,
 * text_field "text", max_line 256 MiB. */
void scan_options_init(scan_options *o);

/* ---- Results ------------------------------------------------------------------ */

typedef struct {
    uint32_t tokens;      /* item tokens in this method's unit */
    uint32_t ngrams;      /* windows considered (sampled ones for SAMPLED) */
    uint32_t boilerplate; /* windows ignored: benchmark boilerplate */
    uint32_t frequent;    /* windows ignored: corpus document frequency > corpus_df */
    uint32_t matched;     /* evidence windows found in the corpus */
    uint32_t covered;     /* tokens inside some matched evidence window */
    uint32_t longest;     /* longest run of covered tokens */
    uint32_t q_tokens, q_covered, a_tokens, a_covered;
    uint32_t df_min, df_max; /* corpus doc frequency over matched windows (saturating) */
    uint8_t verdict;      /* scan_verdict */
    uint8_t whole;        /* matched as one short whole sequence (--short whole) */
} scan_item_stats;

typedef struct {
    uint32_t file;         /* index into scan_result.files */
    uint64_t record;       /* 1-based line (JSONL) or 1 (text file) */
    uint64_t offset;       /* byte offset of the record in the decompressed stream */
    uint64_t text_offset;  /* byte offset of the first matched word in the text field */
    uint32_t tok_start, tok_end; /* item token span matched in this document */
    uint32_t byte_start, byte_end; /* same span as bytes of bench_item.text */
    char *doc;             /* --doc-field value, NULL if none */
    char *snippet;         /* corpus text around the first matched window */
} scan_match;

typedef io_bad_record scan_bad_record;

#define SCAN_BAD_SAMPLES IO_BAD_SAMPLES

typedef struct {
    char *path;
    char checksum[33];
    const char *format;    /* io_format_name */
    uint64_t raw_bytes, bytes, records, docs;
    uint64_t bad_json, missing_field, invalid_utf8, blank;
    int failed;            /* with keep_going: this file failed */
    char error[700];
    scan_bad_record bad[SCAN_BAD_SAMPLES]; /* first ones by line */
    size_t nbad;
} scan_file_stats;

typedef struct {
    uint32_t item;         /* an item that contains it */
    uint32_t tok;          /* its first token there */
    uint32_t items;        /* how many items contain it */
    char *text;            /* the gram's source text in that item */
} scan_boilerplate;

typedef struct scan_result {
    scan_options opt;
    size_t nitems;
    scan_item_stats *stats;  /* [item * nmethods + method] */
    scan_match **matches;    /* per item, first method, corpus order */
    size_t *nmatches;
    scan_file_stats *files;
    size_t nfiles, nfailed;
    uint64_t docs, bytes, raw_bytes, records, bad_records;
    scan_boilerplate *boiler[SCAN_MAX_METHODS]; /* per method, by item count desc */
    size_t nboiler[SCAN_MAX_METHODS];
    uint64_t boiler_windows[SCAN_MAX_METHODS]; /* total windows ignored as boilerplate */
    uint64_t frequent_grams[SCAN_MAX_METHODS]; /* distinct grams ignored by corpus_df */
    uint64_t table_grams[SCAN_MAX_METHODS];    /* distinct benchmark grams */
} scan_result;

/* Scans corpus files (already expanded and ordered) against the benchmark.
 * On failure *out is NULL and err describes the error that stopped the scan
 * (the earliest file's, when several files failed before the others were
 * stopped). With keep_going a damaged file does not fail the scan: its
 * records before the damage are scanned and it is listed with its error in
 * files[] (failed = 1, nfailed). A corpus in which no document was read at
 * all is CONTAM_ERR_EMPTY. */
CONTAM_NODISCARD contam_status scan_run(const bench_set *b, const char *const *files,
                                        size_t nfiles, const scan_options *opt,
                                        scan_result **out, contam_err *err);
void scan_result_free(scan_result *r);

/* ---- Index mode (scan_index.c) ------------------------------------------------ */

/* Like scan_run, but answers from a corpus index built by `contam index
 * build` (src/index) instead of reading the corpus: same plan, same
 * assessment, so verdicts and statistics equal a direct scan of the indexed
 * files with the same options, up to the index's false-match rate (keys /
 * 2^fingerprint_bits per distinct benchmark gram; index_describe gives it).
 * Differences in the result: matches carry file and record only when the
 * index has --provenance (one occurrence per gram: the first), with offset,
 * text_offset 0, doc NULL and an empty snippet; files[] and the corpus
 * totals come from the index's manifest. Without --df in the index, every
 * present gram has df 1 (df_min/df_max read 1).
 * Refused with CONTAM_ERR_ARG and a message naming the mismatch: a method
 * whose (unit, n) is not the index's (an index holds one unit and n, so
 * gpt3, lmeval and palm need three indexes), --short whole, a --corpus-df
 * rule (gpt3) without --df in the index, a different normalizer version,
 * hash scheme, seed, --digits or --text-field. A damaged, truncated or
 * newer-format index fails (CONTAM_ERR_CORRUPT / _TRUNCATED / _FORMAT).
 * opt->threads parallelises the lookups; corpus-reading options (max_line,
 * strict, keep_going, doc_field, progress) are not used. */
CONTAM_NODISCARD contam_status scan_run_index(const bench_set *b, const char *index_dir,
                                              const scan_options *opt, scan_result **out,
                                              contam_err *err);

#endif
