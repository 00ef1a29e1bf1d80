/* quality_internal.h - pieces shared by the files of the quality module: a
 * small JSON writer (pretty or one-line), text helpers (whitespace
 * normalization, UTF-8 decoding, word-normalized hashes) and the check
 * index constants. Not part of the public API. */
#ifndef CONTAM_QUALITY_INTERNAL_H
#define CONTAM_QUALITY_INTERNAL_H

#include "ngram/ngram.h"
#include "common/jsonw.h"
#include "quality/quality.h"

/* ---- text helpers (text.c) ------------------------------------------------- */

/* Appends s with every run of Unicode whitespace collapsed to one space and
 * leading/trailing whitespace removed. -1 = no memory. */
CONTAM_NODISCARD int q_norm_ws(const char *s, size_t n, contam_buf *out);
/* Same, and case-folded (simple lowercase mapping per code point). */
CONTAM_NODISCARD int q_norm_ws_fold(const char *s, size_t n, contam_buf *out);
/* Answer text for comparing gold answers: case-folded, whitespace
 * collapsed, curly quotes made straight, trailing . , ; : ! removed
 * ("radiation." and "Radiation" agree; "-1" and "1" do not). Appends. */
CONTAM_NODISCARD int q_norm_answer(const char *s, size_t n, contam_buf *out);
/* Decodes the code point at s[*i] (n bytes total) and advances *i; invalid
 * UTF-8 returns -1 and advances one byte. */
int32_t q_next_cp(const char *s, size_t n, size_t *i);
int q_is_space_cp(int32_t c);
/* Hash of the WORD-normalized token sequence (the ngram normalizer: XXH3
 * over the token hashes), so joins survive case, punctuation and
 * Unicode-form differences. t: a WORD tokenizer. 0 tokens hash to 0.
 * -1 = no memory. */
CONTAM_NODISCARD int q_word_hash(ngram_tokenizer *t, const char *s, size_t n, uint64_t *out);
/* A WORD tokenizer with the default seed (NULL = no memory). */
ngram_tokenizer *q_word_tokenizer(void);
/* Case-insensitive ASCII search of needle in hay; returns offset or -1. */
long q_find_ci(const char *hay, size_t n, const char *needle);
/* Byte search for needle in hay where the match starts and ends at word
 * boundaries. Callers fold both sides first (q_norm_ws_fold or ASCII
 * lowercase): the search itself is exact, so it can use memmem. */
long q_find_word(const char *hay, size_t n, const char *needle, size_t nlen);
/* After a failed cJSON parse: was it for lack of memory? (cJSON reports both
 * alike.) */
int q_out_of_memory(void);
/* Copies at most max bytes of s into out as an excerpt (UTF-8 safe cut, "..."
 * appended when cut), replacing newlines by spaces. -1 = no memory. */
CONTAM_NODISCARD int q_excerpt(const char *s, size_t n, size_t max, contam_buf *out);

/* ---- checks (lint_checks.c) ------------------------------------------------ */

/* Indices into quality_checks() (the table order). */
enum {
    QC_DUP_CONFLICT = 0, /* C001 */
    QC_SAME_QUESTION,    /* C002 */
    QC_GOLD_MISSING,     /* C003 */
    QC_GOLD_RANGE,       /* C004 */
    QC_OPTION_COUNT,     /* C005 */
    QC_EMPTY_OPTION,     /* C006 */
    QC_DUP_OPTIONS,      /* C007 */
    QC_OPTION_REFS,      /* C008 */
    QC_MISSING_CONTEXT,  /* C009 */
    QC_GOLD_IN_QUESTION, /* C010 */
    QC_INVALID_UTF8,     /* C011 */
    QC_REPLACEMENT,      /* C012 */
    QC_MOJIBAKE,         /* C013 */
    QC_CONTROL,          /* C014 */
    QC_INVISIBLE,        /* C015 */
    QC_ODD_SPACE,        /* C016 */
    QC_HTML,             /* C017 */
    QC_WIKIHOW,          /* C018 */
    QC_FINAL_ANSWER,     /* C019 */
    QC_CALC_WRONG,       /* C020 */
    QC_CALC_SYNTAX,      /* C021 */
    QC_ANSWER_UNSUPPORTED, /* C022 */
    QC_MODELS_AGREE,     /* C023 */
    QC_ALL_WRONG,        /* C024 */
    QC_WRITTEN_WRONG,    /* C025 */
    QC_NCHECKS
};

/* Model-evidence checks (evidence.c): calls add(item, check, message) per
 * finding; *nmodels receives the number of models seen. -1 = no memory. */
typedef int (*q_add_fn)(uint32_t item, int check, const char *msg, void *user);
CONTAM_NODISCARD int q_evidence(const bench_set *b, const quality_samples *s,
                                unsigned min_models, q_add_fn add, void *user,
                                size_t *nmodels);

/* Where the lint checks of one item send their findings (lint_checks.c,
 * lint_gsm8k.c): failed is set when emit fails (no memory), and later
 * findings are dropped. */
typedef struct {
    quality_emit_fn emit;
    void *user;
    int failed;
} q_lint_out;

/* Formats one finding (cut at 599 bytes) and emits it unless o->failed. */
void q_emitf(q_lint_out *o, int check, const char *fmt, ...) CONTAM_PRINTF(3, 4);

/* GSM8K rationale checks of one rationale r (q: the question). */
CONTAM_NODISCARD int q_lint_rationale(const char *r, size_t n, const char *q, size_t qn,
                                      quality_emit_fn emit, void *user);

/* Gold answer key of an item for conflict detection (normalized gold option
 * text, or label). Empty when unknown. -1 = no memory. */
CONTAM_NODISCARD int q_gold_key(const bench_set *b, size_t i, contam_buf *out);

/* The item's identity for label conflicts: its question and the set of its
 * options, each normalized like answers (q_norm_answer). Two items with the
 * same key and different gold keys contradict each other. -1 = no memory. */
CONTAM_NODISCARD int q_item_key(const bench_set *b, size_t i, contam_buf *out);

/* Dedup text of an item: the segments [*first, *end) compared (see
 * quality_dedup_run). */
void q_dedup_segments(const bench_set *b, size_t i, size_t *first, size_t *end);

/* ---- MinHash (minhash.c) ------------------------------------------------------ */

/* Items of several sets concatenated ("global" index g: set 0 first). */
typedef struct {
    size_t n;
    uint64_t *sh;  /* sorted distinct shingle hashes, item after item */
    size_t *off;   /* n + 1 offsets into sh */
    uint64_t *sig; /* n * QUALITY_MINHASH_K minimum hashes */
} q_minhash;

CONTAM_NODISCARD contam_status q_minhash_build(const bench_set *const *sets, size_t nsets,
                                               unsigned k, uint64_t seed, q_minhash *m,
                                               contam_err *err);
void q_minhash_free(q_minhash *m);
/* Exact Jaccard of the shingle sets of global items a and b (1 when both empty). */
double q_jaccard(const q_minhash *m, size_t a, size_t b);
/* Distinct candidate pairs (a << 32 | b, a < b) of items with active[g] set
 * that share a band; pairs with other[a] && other[b] are skipped. Sorted. */
CONTAM_NODISCARD contam_status q_lsh_candidates(const q_minhash *m, const uint8_t *active,
                                                const uint8_t *other, uint64_t **pairs,
                                                size_t *npairs, contam_err *err);

#endif
