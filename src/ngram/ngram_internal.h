/* ngram_internal.h - tokenizer state and helpers shared by the files of the
 * ngram module (not part of the public API).
 *
 * The tokenizer owns every buffer it needs and grows them geometrically, so
 * tokenizing a corpus allocates only while documents keep getting longer.
 */
#ifndef CONTAM_NGRAM_INTERNAL_H
#define CONTAM_NGRAM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "ngram/ngram.h"

/* Classes in ngram_tokenizer.wmap below the first output byte ('0'). The
 * word-ending classes come first so the hot loop tests `m > NGRAM_M_HIGH`. */
enum { NGRAM_M_SPACE = 0, NGRAM_M_HIGH = 1, NGRAM_M_DEL = 2 };
/* Classes in ngram_tokenizer.lmap above any byte value. */
enum { NGRAM_L_DEL = 0x100, NGRAM_L_SPACE = 0x101, NGRAM_L_HIGH = 0x102 };

/* Decomposed code points kept for the two pending segments of a non-ASCII
 * word (see word_unicode.c for why these bounds hold). */
#define NGRAM_SEG_MAX 64    /* one open segment */
#define NGRAM_MERGE_MAX 256 /* one closed segment after merges */
#define NGRAM_DEC_CAP (NGRAM_MERGE_MAX + NGRAM_SEG_MAX)

struct ngram_tokenizer {
    ngram_config cfg;
    ngram_token *toks;
    size_t ntoks, tcap;
    unsigned char *w; /* normalized bytes of the token being built */
    size_t wcap;
    contam_buf *echo; /* ngram_normalize: receives token bytes */
    uint64_t invalid; /* invalid UTF-8 subparts seen by the current call */
    /* WORD/CHAR per-byte class: NGRAM_M_* or the output byte (>= '0'). */
    unsigned char wmap[256];
    /* LMEVAL per-byte class: NGRAM_L_* or the output byte. */
    uint16_t lmap[256];
    /* CHAR: token hash of each ASCII output byte. */
    uint64_t char_hash[128];
    /* Non-ASCII words: pending decomposed and normalized code points. */
    int32_t dec[NGRAM_DEC_CAP];
    int32_t out[NGRAM_MERGE_MAX];
};

/* Make room for one more token / for at least `need` bytes in t->w.
 * 0 on success, -1 on allocation failure (buffers are left valid). */
int ngram_grow_tokens(ngram_tokenizer *t);
int ngram_grow_bytes(ngram_tokenizer *t, size_t need);
/* Appends a token's bytes to t->echo, space-separated. */
contam_status ngram_echo(ngram_tokenizer *t, const unsigned char *b, size_t n);

/* Unit scanners: append the tokens of s[0, len) to t->toks. */
contam_status ngram_scan_word(ngram_tokenizer *t, const unsigned char *s, size_t len);
contam_status ngram_scan_char(ngram_tokenizer *t, const unsigned char *s, size_t len);
contam_status ngram_scan_lmeval(ngram_tokenizer *t, const unsigned char *s, size_t len);
/* WORD/CHAR slow path: normalizes the one word starting at *p (a whitespace
 * code point there is just skipped) and advances *p to the byte after it. */
contam_status ngram_word_unicode(ngram_tokenizer *t, const unsigned char *s, size_t len,
                                 size_t *p);

/* 1 if starter b can be the second code point of a canonical composition
 * (so a segment starting with it may merge into the previous one). */
int ngram_may_compose_second(int32_t b);

static inline contam_status ngram_emit(ngram_tokenizer *t, uint64_t hash,
                                       const unsigned char *b, size_t n, size_t start,
                                       size_t end)
{
    if (t->ntoks == t->tcap && ngram_grow_tokens(t))
        return CONTAM_ERR_NOMEM;
    ngram_token *k = t->toks + t->ntoks++;
    k->hash = hash;
    k->start = (uint32_t)start;
    k->end = (uint32_t)end;
    return t->echo ? ngram_echo(t, b, n) : CONTAM_OK;
}

/* Decodes the code point at s[0, n) (n >= 1). Returns the bytes consumed and
 * sets *cp, or -1 for an invalid sequence, in which case the bytes consumed
 * are its maximal invalid subpart (Unicode 15, section 3.9 "U+FFFD
 * substitution of maximal subparts", which is also what Python's
 * errors="replace" does). Never reads past n. */
static inline size_t ngram_utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    unsigned lo = 0x80, hi = 0xBF;
    size_t need;
    int32_t v;
    if (c < 0xC2) {
        *cp = -1;
        return 1;
    } else if (c < 0xE0) {
        need = 1;
        v = (int32_t)(c & 0x1F);
    } else if (c < 0xF0) {
        need = 2;
        v = (int32_t)(c & 0x0F);
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c < 0xF5) {
        need = 3;
        v = (int32_t)(c & 0x07);
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* > U+10FFFF */
    } else {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *cp = -1;
            return i;
        }
        lo = 0x80;
        hi = 0xBF;
        v = (v << 6) | (int32_t)(s[i] & 0x3F);
    }
    *cp = v;
    return need + 1;
}

/* Exactly the code points Python's str.isspace() accepts; they are also the
 * Unicode Z* characters plus the C0/C1 separators, so WORD uses them too. */
static inline int ngram_is_space(int32_t c)
{
    if (c < 0x80)
        return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    if (c < 0x1680)
        return c == 0x85 || c == 0xA0;
    return c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

/* UTF-8 encoding of a valid scalar value; returns its length (1..4). */
static inline size_t ngram_utf8_encode(int32_t c, unsigned char *d)
{
    uint32_t u = (uint32_t)c;
    if (u < 0x80) {
        d[0] = (unsigned char)u;
        return 1;
    }
    if (u < 0x800) {
        d[0] = (unsigned char)(0xC0 | (u >> 6));
        d[1] = (unsigned char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        d[0] = (unsigned char)(0xE0 | (u >> 12));
        d[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
        d[2] = (unsigned char)(0x80 | (u & 0x3F));
        return 3;
    }
    d[0] = (unsigned char)(0xF0 | (u >> 18));
    d[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
    d[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
    d[3] = (unsigned char)(0x80 | (u & 0x3F));
    return 4;
}

#endif
