/* ngram.h - text normalization, tokenization and n-gram hashing.
 *
 * One normalizer, versioned (NGRAM_NORMALIZER_VERSION goes into every output):
 *  - unit WORD (default): Unicode NFKC + case folding (utf8proc; ASCII fast
 *    path), punctuation (P*) and symbols (S*) deleted without splitting
 *    ("don't" and "don’t" -> "dont"), any Unicode whitespace separates words,
 *    CJK ideographs and kana are one token each, format/control characters
 *    and default-ignorables (U+200B, soft hyphen, variation selectors)
 *    deleted, digits kept (or mapped to '0' with digits_zero). Letters,
 *    numbers and Mn/Mc marks are kept; a mark only after a kept character
 *    of its token. Details: word_unicode.c.
 *  - unit LMEVAL: exactly lm-evaluation-harness v0.3's janitor: ASCII A-Z
 *    lowercased, ASCII string.punctuation deleted, then split on the
 *    characters Python's str.isspace() accepts. Everything else untouched.
 *  - unit CHAR: the WORD normalization, then every letter/digit code point of
 *    the normalized words is one token (for 50-character windows).
 *  Invalid UTF-8 is decoded as U+FFFD (one per maximal invalid subpart) and
 *  counted; U+FFFD is a symbol, so WORD/CHAR delete it.
 *
 * Hashing (NGRAM_HASH_SCHEME): token hash t = XXH3_64(normalized token bytes,
 * seed). Prefix P[0] = 0, P[i+1] = P[i]*B + t_i (mod 2^64), B = NGRAM_BASE.
 * Window [i, i+n): hash = P[i+n] - P[i]*B^n (mod 2^64). Any window costs
 * O(1) after one pass over the tokens.
 *
 * Thread-safety: a tokenizer is used by one thread at a time; create one per
 * thread. Everything else is pure.
 */
#ifndef CONTAM_NGRAM_H
#define CONTAM_NGRAM_H

#include <stdint.h>
#include <string.h>

#include "common/common.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#define NGRAM_NORMALIZER_VERSION "contam-norm-1"
#define NGRAM_HASH_SCHEME "contam-hash-1 (seeded xxh3-64 per token, polynomial over tokens mod 2^64, base 0x9e3779b97f4a7c15)"
#define NGRAM_DEFAULT_SEED UINT64_C(0x636f6e74616d3031) /* "contam01" */
#define NGRAM_BASE UINT64_C(0x9e3779b97f4a7c15)

typedef enum { NGRAM_UNIT_WORD = 0, NGRAM_UNIT_LMEVAL = 1, NGRAM_UNIT_CHAR = 2 } ngram_unit;

const char *ngram_unit_name(ngram_unit u); /* "word", "lmeval", "char" */

/* Unicode version of the linked utf8proc tables: NFKC and case folding can
 * change between versions, so reports record it next to the normalizer. */
const char *ngram_unicode_version(void);

typedef struct {
    ngram_unit unit;
    int digits_zero; /* WORD/CHAR: every decimal digit becomes '0' */
    uint64_t seed;
} ngram_config;

/* A token: hash of its normalized bytes and the byte span [start, end) of the
 * source text it came from: a WORD/LMEVAL token spans its source word from
 * its first non-whitespace byte (punctuation deleted from it included); a CJK
 * token or CHAR token spans its source code point, with any combining marks
 * composed into it (a ligature's letters all span the ligature). */
typedef struct {
    uint64_t hash;
    uint32_t start;
    uint32_t end;
} ngram_token;

typedef struct ngram_tokenizer ngram_tokenizer;

/* NULL on allocation failure. */
ngram_tokenizer *ngram_tokenizer_create(const ngram_config *cfg);
void ngram_tokenizer_free(ngram_tokenizer *t);

/* Tokenizes text[0, len) (len < 2^32). *toks points into the tokenizer and
 * stays valid until its next call. *invalid (may be NULL) is incremented by
 * the number of invalid UTF-8 sequences seen. Only CONTAM_ERR_NOMEM fails. */
CONTAM_NODISCARD contam_status ngram_tokenize(ngram_tokenizer *t, const char *text,
                                              size_t len, const ngram_token **toks,
                                              size_t *ntoks, uint64_t *invalid);

/* The normalized tokens of text joined by single spaces (tests, debugging,
 * reference outputs). out is reset first. */
CONTAM_NODISCARD contam_status ngram_normalize(const ngram_config *cfg, const char *text,
                                               size_t len, contam_buf *out);

/* Fills prefix[0..n] from the n tokens (prefix must hold n + 1 values). */
void ngram_prefix_fill(const ngram_token *toks, size_t n, uint64_t *prefix);

/* B^n mod 2^64. */
uint64_t ngram_base_pow(size_t n);

/* Hash of the window [i, i+n) given prefix and pow_n = ngram_base_pow(n).
 * No finalizer: the token hashes are seeded XXH3 outputs, so the polynomial
 * combination is already uniform over 64 bits (measured: a final XXH3 over
 * the 8 bytes cost 10% of scan time and changed nothing). Tables are kept
 * per n, so windows of different lengths never meet. */
static inline uint64_t ngram_window_hash(const uint64_t *prefix, size_t i, size_t n,
                                         uint64_t pow_n)
{
    return prefix[i + n] - prefix[i] * pow_n;
}

#endif
