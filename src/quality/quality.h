/* quality.h - benchmark quality: duplicate items (exact and MinHash/LSH
 * near-duplicates, within a benchmark, across its splits and across
 * benchmarks), lint checks with stable codes (label errors, option defects,
 * missing context, encoding and markup defects, GSM8K rationale arithmetic,
 * model evidence), lm-evaluation-harness --log_samples reading, and the
 * accuracy impact of contamination (all / clean / dirty items with seeded
 * bootstrap intervals, per model, task and subject).
 *
 * Layer: uses bench/, ngram/, io/, common/. Never prints, never exits.
 * Determinism: every result is a pure function of the inputs and options
 * (groups numbered by their first member in input order, findings in item
 * order, bootstrap streams seeded per row), so outputs are byte-identical
 * across runs and thread counts.
 */
#ifndef CONTAM_QUALITY_H
#define CONTAM_QUALITY_H

#include "bench/bench.h"
#include "common/common.h"
#include "io/io.h"

typedef enum { QUALITY_ERROR = 0, QUALITY_WARNING = 1, QUALITY_INFO = 2 } quality_severity;

const char *quality_severity_name(quality_severity s); /* "error", "warning", "info" */

/* ---- Duplicates (dedup.c, minhash.c) --------------------------------------- */

/* MinHash/LSH layout. 16 bands x 4 rows: a pair at Jaccard 0.8 becomes a
 * candidate with probability 1 - (1 - 0.8^4)^16 = 0.9998, at 0.5 with 0.64
 * (then rejected by the exact check); docs/CHECKS.md has the reasoning. */
#define QUALITY_MINHASH_BANDS 16
#define QUALITY_MINHASH_ROWS 4
#define QUALITY_MINHASH_K (QUALITY_MINHASH_BANDS * QUALITY_MINHASH_ROWS)

typedef struct {
    double jaccard;   /* near-duplicate threshold on exact shingle-set Jaccard (0.8) */
    unsigned shingle; /* words per shingle (3) */
    uint64_t seed;    /* MinHash permutations (fixed default) */
} quality_dedup_options;

void quality_dedup_options_init(quality_dedup_options *o);

typedef struct {
    uint32_t set;      /* 0 = the benchmark, 1.. = the --against sets in order */
    uint32_t item;     /* index in that set's items */
    double similarity; /* exact Jaccard of its shingle set with the first member's */
    int exact;         /* same text as the first member after whitespace normalization */
} quality_dup_member;

typedef struct {
    uint32_t id;       /* 1-based, numbered in order of the first member */
    int exact;         /* every member is an exact copy of the first */
    int conflicting;   /* two members are the same item (same question and set of
                          options, up to case, whitespace, quotes and trailing
                          punctuation) with different gold answers */
    int gold_differs;  /* members' gold answers differ (for any reason: a near
                          duplicate may ask a variant of the question) */
    double similarity; /* smallest member similarity */
    quality_dup_member *m;
    size_t n;
} quality_dup_group;

typedef struct quality_dedup {
    quality_dedup_options opt;
    const bench_set **sets;       /* a copy of the array (the sets are borrowed);
                                     sets[0] is the benchmark */
    size_t nsets;
    quality_dup_group *groups;    /* only groups with a member in sets[0] */
    size_t ngroups;
    uint32_t *item_group;         /* per item of sets[0]: group id, 0 = none */
    uint64_t candidates;          /* distinct LSH candidate pairs checked */
    uint64_t near_pairs;          /* of those, pairs with Jaccard >= threshold */
    uint64_t question_groups;     /* question texts (whitespace-collapsed) asked by more
                                     than one benchmark item, options aside */
    uint64_t repeated_questions;  /* items asking an earlier item's question */
} quality_dedup;

/* Finds duplicate groups among sets[0] and between sets[0] and the others
 * (pairs that lie entirely inside the other sets are not compared). An item's
 * text for this purpose is its question and options (MMLU, ARC, HellaSwag,
 * generic: every text field), or its question only where the answer field is
 * the gold answer (GSM8K, TruthfulQA). Exact: equal after collapsing
 * whitespace. Near: Jaccard of word-shingle sets (the ngram WORD normalizer;
 * shingles never cross a field boundary, so reordered options still match)
 * >= jaccard, found by MinHash + LSH and verified exactly. */
CONTAM_NODISCARD contam_status quality_dedup_run(const bench_set *const *sets, size_t nsets,
                                                 const quality_dedup_options *o,
                                                 quality_dedup **out, contam_err *err);
void quality_dedup_free(quality_dedup *d);

/* duplicates.jsonl (one line per group) into out (appended). -1 = no memory. */
CONTAM_NODISCARD int quality_dedup_jsonl(const quality_dedup *d, contam_buf *out);
/* The report.json "duplicates" value, pretty-printed for nesting depth
 * `depth`. -1 = no memory. */
CONTAM_NODISCARD int quality_dedup_section(const quality_dedup *d, contam_buf *out, int depth);

/* ---- Item view (itemview.c): question, options and gold of one item ------- */

#define QUALITY_MAX_OPTIONS 26

typedef enum {
    QUALITY_GOLD_OK = 0,
    QUALITY_GOLD_MISSING = 1, /* empty label */
    QUALITY_GOLD_BAD = 2,     /* label not a valid answer (unknown letter, out of range) */
    QUALITY_GOLD_NONE = 3     /* the layout has no options to point into */
} quality_gold_state;

typedef struct {
    const char *q;     /* question segment (points into the item text) */
    size_t qlen;
    int mc;            /* multiple choice: the answer segments are options */
    size_t nopt;       /* options (may exceed QUALITY_MAX_OPTIONS; only that many kept) */
    const char *opt[QUALITY_MAX_OPTIONS];
    size_t optlen[QUALITY_MAX_OPTIONS];
    int gold;          /* option index when gold_state == OK and mc */
    quality_gold_state gold_state;
    const char *answer; /* non-MC: the answer segment (GSM8K rationale, TruthfulQA best answer) */
    size_t answerlen;
} quality_item_view;

/* Splits item i of b into question/options/gold according to b->preset:
 * mmlu (letter), arc (option label from the record, else letter or 1-based
 * digit), hellaswag (0-based index), gsm8k and truthfulqa (no options),
 * generic (multiple choice when there are >= 2 answer fields and the label is
 * a letter, a 0-based index or one option's text). */
void quality_item_view_get(const bench_set *b, size_t i, quality_item_view *v);

/* ---- GSM8K calculator annotations (calc.c) --------------------------------- */

/* Evaluates a calculator expression: numbers (decimals, thousands commas;
 * a leading '$' or trailing '%' is not accepted), + - * / and Python's //,
 * parentheses, unary minus. No names, no code execution; depth and length bounded. Returns 0
 * and *out on success, -1 with a reason in why (cap bytes) on a syntax
 * error or division by zero. */
int quality_calc_eval(const char *s, size_t n, double *out, char *why, size_t cap);
/* Parses a number as written in a rationale ("1,234.50", "-3", ".5"); the
 * whole span must be the number (surrounding spaces allowed). Returns 0 on
 * success and the count of decimals written in *decimals (may be NULL). */
int quality_calc_number(const char *s, size_t n, double *out, int *decimals);

/* ---- lm-evaluation-harness samples (samples.c, join.c) --------------------- */

typedef struct {
    const char *model;  /* NULL: the parent directory name (lm-eval writes
                           OUTPUT/<model_name_sanitized>/samples_<task>_<date>.jsonl) */
    const char *filter; /* NULL: each file's first record's filter */
    const char *metric; /* NULL: "acc", else "exact_match", else the first numeric metric */
    uint64_t max_line;  /* 0 = 256 MiB */
} quality_samples_options;

typedef struct {
    uint64_t doc_id;
    uint64_t line;
    int64_t item;      /* joined benchmark item, -1 = none */
    int gold;          /* target as a choice index (multiple choice), -1 otherwise */
    uint32_t nchoices; /* log-likelihoods given (0 for generation tasks) */
    double *ll;
    int pred;          /* argmax of ll (first on ties, as numpy), -1 if none */
    double conf;       /* softmax(ll)[pred] */
    double *prob;      /* softmax(ll), nchoices values */
    double correct;    /* the metric's value (acc 0/1, exact_match...) */
    uint64_t *leaf;    /* hashes of the normalized string leaves of doc, doc order */
    uint32_t nleaf;
} quality_sample;

typedef struct {
    char *path, *model, *task, *filter, *metric;
    char checksum[33];
    quality_sample *rec;  /* records of the chosen filter, file order */
    size_t nrec;
    uint64_t lines;       /* records of any filter */
    uint64_t matched;     /* records joined to an item (after quality_samples_join) */
} quality_samples_file;

typedef struct quality_samples {
    quality_samples_file *files;
    size_t nfiles;
    char **models;        /* distinct model names, sorted */
    size_t nmodels;
    int joined;
} quality_samples;

/* Reads --log_samples JSONL files (plain, gzip or zstd). A record needs
 * doc_id (number), doc (object), filtered_resps (array) and the metric;
 * log-likelihoods may be strings (lm-eval writes them with str()) or
 * numbers. Bad JSON, a missing field, a duplicate doc_id within one filter
 * or a file with no record of the chosen filter fails naming FILE:LINE. */
CONTAM_NODISCARD contam_status quality_samples_load(const char *const *paths, size_t npaths,
                                                    const quality_samples_options *o,
                                                    quality_samples **out, contam_err *err);
/* Joins every record to a benchmark item by content: the item's question
 * (WORD-normalized) must equal one of the doc's string fields; among items
 * with that question the one whose options appear most among the doc's
 * strings wins (ties: the first not yet taken by this file, in input order). */
CONTAM_NODISCARD contam_status quality_samples_join(quality_samples *s, const bench_set *b,
                                                    contam_err *err);
void quality_samples_free(quality_samples *s);
/* "inputs" member value of report.json (files with model, task, filter,
 * records, matched, checksum). -1 = no memory. */
CONTAM_NODISCARD int quality_samples_inputs_json(const quality_samples *s, contam_buf *out,
                                                 int depth);

/* ---- Lint (lint.c, lint_checks.c, lint_gsm8k.c, evidence.c) ---------------- */

typedef struct {
    const char *code;        /* "C001".. stable */
    const char *name;        /* short slug */
    quality_severity severity;
    const char *description; /* one line */
} quality_check;

/* All checks, by code. */
const quality_check *quality_checks(size_t *n);
/* Index of a code in quality_checks(), -1 if unknown. */
int quality_check_index(const char *code);

typedef struct {
    uint32_t item;  /* index in the benchmark */
    uint16_t check; /* index into quality_checks() */
    char *message;
} quality_finding;

typedef struct {
    unsigned min_models; /* model-evidence checks need this many models (2) */
} quality_lint_options;

void quality_lint_options_init(quality_lint_options *o);

typedef struct quality_lint {
    const bench_set *b;   /* borrowed */
    quality_finding *v;   /* by item, then check code */
    size_t n;
    uint64_t *by_check;   /* counts per check index */
    size_t nmodels;       /* models seen for the evidence checks (0 = none given) */
    unsigned min_models;
    int ran_dedup;        /* the duplicate checks ran (a dedup result was given) */
    int ran_evidence;     /* the model-evidence checks ran (samples were given) */
} quality_lint;

/* Runs every check on b. d (may be NULL) gives the duplicate checks; s (may
 * be NULL, else already joined to b) the model-evidence checks. */
CONTAM_NODISCARD contam_status quality_lint_run(const bench_set *b, const quality_dedup *d,
                                                const quality_samples *s,
                                                const quality_lint_options *o,
                                                quality_lint **out, contam_err *err);
void quality_lint_free(quality_lint *l);
/* lint.jsonl (one line per finding) into out. -1 = no memory. */
CONTAM_NODISCARD int quality_lint_jsonl(const quality_lint *l, contam_buf *out);
/* The report.json "lint" value. -1 = no memory. */
CONTAM_NODISCARD int quality_lint_section(const quality_lint *l, contam_buf *out, int depth);

/* The text checks of one item (everything but duplicates and model evidence),
 * for tests and reuse: calls emit(check index, message, user) per finding. */
typedef int (*quality_emit_fn)(int check, const char *message, void *user);
CONTAM_NODISCARD int quality_lint_item(const bench_set *b, size_t i, size_t usual_options,
                                       quality_emit_fn emit, void *user);

/* ---- Impact (impact.c, items.c) ---------------------------------------------- */

typedef struct {
    unsigned samples;    /* bootstrap resamples (1000) */
    uint64_t seed;       /* bootstrap seed */
    double level;        /* interval level (0.95) */
    double flag_points;  /* flag when acc_clean < acc_all - flag_points/100 (1.0) */
} quality_impact_options;

void quality_impact_options_init(quality_impact_options *o);

typedef struct {
    char *model, *task, *subject; /* "(all)" for aggregates */
    uint64_t n_all, n_clean, n_dirty;
    double acc_all, acc_clean, acc_dirty;
    double ci_all[2], ci_clean[2], ci_dirty[2];
    int flag;
} quality_impact_row;

typedef struct quality_impact {
    quality_impact_options opt;
    quality_impact_row *rows; /* model, task ("(all)" first), subject ("(all)" first) */
    size_t nrows;
    uint64_t records, joined, unjoined;
} quality_impact;

/* dirty[i] (per item of b): 1 = dirty (scan verdict dirty or not_clean, as in
 * the dirty/ split), 0 = clean. s must be joined to b. */
CONTAM_NODISCARD contam_status quality_impact_run(const quality_samples *s, const bench_set *b,
                                                  const uint8_t *dirty,
                                                  const quality_impact_options *o,
                                                  quality_impact **out, contam_err *err);
void quality_impact_free(quality_impact *im);
/* The "impact" value (report.json section and impact.json body). */
CONTAM_NODISCARD int quality_impact_section(const quality_impact *im, contam_buf *out,
                                            int depth);

/* Reads items.jsonl written by scan/audit for benchmark b: line k must be
 * item k (same id and record), else CONTAM_ERR_FIELD naming the line. Fills
 * *dirty (nitems bytes, caller frees with contam_free) and checksum (33
 * bytes, may be NULL) with the file's XXH3-128. */
CONTAM_NODISCARD contam_status quality_items_dirty(const char *path, const bench_set *b,
                                                   uint8_t **dirty, char checksum[33],
                                                   contam_err *err);

/* ---- Outputs (output.c) -------------------------------------------------------- */

/* Per-item members for items.jsonl ("duplicate_group":N|null,"lint":[...]):
 * nitems strings in *out (free with quality_item_members_free). l may be NULL. */
CONTAM_NODISCARD contam_status quality_item_members(const quality_dedup *d, const quality_lint *l,
                                                    size_t nitems, char ***out,
                                                    contam_err *err);
void quality_item_members_free(char **m, size_t nitems);

/* Writes buf into the output directory as rel. */
CONTAM_NODISCARD contam_status quality_write(io_outdir *od, const char *rel, const contam_buf *buf,
                                             contam_err *err);

/* report.json of the standalone dedup/lint/impact commands. */
typedef struct {
    const char *command;
    const bench_set *b;
    const char *const *bench_args;
    size_t nbench_args;
    const bench_set *const *against; /* may be NULL */
    const char *const *against_args;
    size_t nagainst;
    const quality_samples *samples;  /* may be NULL */
    const char *items_path;          /* impact: the items.jsonl read, may be NULL */
    const char *items_checksum;
    const char *parameters;          /* JSON object text */
    const char *const *section_names;
    const char *const *section_values;
    size_t nsections;
} quality_report_meta;

CONTAM_NODISCARD contam_status quality_report_write(io_outdir *od, const quality_report_meta *m,
                                                    contam_err *err);

#endif
