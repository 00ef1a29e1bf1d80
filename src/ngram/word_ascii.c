/* word_ascii.c - WORD and CHAR scanners: the hot loop over ASCII words.
 *
 * Corpus text is overwhelmingly ASCII, so a word is first normalized 8 bytes
 * at a time while it is plain letters/digits (SWAR), else with one table
 * lookup per byte (t->wmap). The two agree with the Unicode path on every
 * ASCII word (unit-tested). The first byte >= 0x80 inside a word sends
 * the whole word, from its first byte, to the Unicode path (word_unicode.c),
 * because a combining mark can change how the preceding ASCII letter
 * normalizes ("e" U+0301 -> "é").
 */
#include <string.h>

#include "ngram/ngram_internal.h"

/* The block scan needs little-endian loads and a count-trailing-zeros. */
#ifndef NGRAM_SWAR
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NGRAM_SWAR 1
#else
#define NGRAM_SWAR 0
#endif
#endif

#if NGRAM_SWAR
#define SWAR_L UINT64_C(0x0101010101010101)
#define SWAR_H UINT64_C(0x8080808080808080)
/* 0x80 in each byte of x (all bytes < 0x80) that lies in [lo, hi]. */
static inline uint64_t swar_in_range(uint64_t x, unsigned lo, unsigned hi)
{
    uint64_t ge_lo = (x | SWAR_H) - SWAR_L * lo;
    uint64_t ge_hi1 = (x | SWAR_H) - SWAR_L * (hi + 1);
    return ge_lo & ~ge_hi1 & SWAR_H;
}
#endif

contam_status ngram_scan_word(ngram_tokenizer *t, const unsigned char *s, size_t len)
{
    const unsigned char *map = t->wmap;
    const uint64_t seed = t->cfg.seed;
#if NGRAM_SWAR
    const int zero_digits = t->cfg.digits_zero;
#endif
    size_t p = 0;
    while (p < len) {
        unsigned char m = map[s[p]];
        if (m == NGRAM_M_SPACE) {
            p++;
            continue;
        }
        size_t ws = p;
        if (m != NGRAM_M_HIGH) {
            size_t n = 0;
            for (;;) {
#if NGRAM_SWAR
                /* Eight bytes at a time while they are plain letters and
                 * digits, which is most words: no per-byte branch (the word
                 * length branch of the byte loop mispredicts once per word)
                 * and one 8-byte store, which XXH3's loads can forward from.
                 * Anything else goes to the byte loop below. */
                while (len - p >= 8 && t->wcap - n >= 8) {
                    uint64_t x;
                    memcpy(&x, s + p, 8);
                    /* Flags (0x80 per byte) for bytes < 0x21 or >= 0x80; only
                     * the lowest flag is exact, and it is the one used. */
                    uint64_t stop = (x | ((x - SWAR_L * 0x21) & ~x)) & SWAR_H;
                    size_t k = stop ? (size_t)__builtin_ctzll(stop) >> 3 : 8;
                    uint64_t keep = k == 8 ? SWAR_H : (((uint64_t)1 << (8 * k)) - 1) & SWAR_H;
                    uint64_t alpha = swar_in_range(x | SWAR_L * 0x20, 'a', 'z');
                    uint64_t digit = swar_in_range(x, '0', '9');
                    if (((alpha | digit) & keep) != keep)
                        break;
                    uint64_t out = x | (alpha >> 2); /* 0x80 >> 2: lowercase */
                    if (zero_digits) {
                        uint64_t dmask = (digit >> 7) * 0xFF;
                        out = (out & ~dmask) | (SWAR_L * '0' & dmask);
                    }
                    memcpy(t->w + n, &out, 8);
                    n += k;
                    p += k;
                    if (k < 8)
                        break;
                }
#endif
                /* Bound the inner loop by the room left in t->w so it needs
                 * no per-byte capacity check. */
                size_t room = t->wcap - n;
                size_t lim = len - p <= room ? len : p + room;
                unsigned char *w = t->w;
                /* Branch-free apart from the exit: a deleted byte is
                 * written and then overwritten. */
                while (p < lim && (m = map[s[p]]) > NGRAM_M_HIGH) {
                    w[n] = m;
                    n += m != NGRAM_M_DEL;
                    p++;
                }
                if (p < lim || p == len)
                    break;
                if (ngram_grow_bytes(t, t->wcap + 1))
                    return CONTAM_ERR_NOMEM;
            }
            if (p == len || m == NGRAM_M_SPACE) {
                if (n) {
                    contam_status st =
                        ngram_emit(t, XXH3_64bits_withSeed(t->w, n, seed), t->w, n, ws, p);
                    if (st != CONTAM_OK)
                        return st;
                }
                continue;
            }
        }
        /* A separate variable keeps p's address untaken, so it can stay
         * in a register in the loops above. */
        size_t next = ws;
        contam_status st = ngram_word_unicode(t, s, len, &next);
        if (st != CONTAM_OK)
            return st;
        p = next;
    }
    return CONTAM_OK;
}

contam_status ngram_scan_char(ngram_tokenizer *t, const unsigned char *s, size_t len)
{
    const unsigned char *map = t->wmap;
    size_t p = 0;
    while (p < len) {
        unsigned char m = map[s[p]];
        if (m == NGRAM_M_SPACE) {
            p++;
            continue;
        }
        size_t ws = p;
        if (m != NGRAM_M_HIGH) {
            size_t tok0 = t->ntoks;
            size_t echo0 = t->echo ? t->echo->size : 0;
            while (p < len) {
                m = map[s[p]];
                if (m > NGRAM_M_DEL) {
                    contam_status st = ngram_emit(t, t->char_hash[m], &m, 1, p, p + 1);
                    if (st != CONTAM_OK)
                        return st;
                } else if (m != NGRAM_M_DEL) {
                    break;
                }
                p++;
            }
            if (p == len || m == NGRAM_M_SPACE)
                continue;
            /* Non-ASCII inside the word: forget its ASCII tokens, redo it. */
            t->ntoks = tok0;
            if (t->echo) {
                t->echo->size = echo0;
                t->echo->ptr[echo0] = '\0';
            }
        }
        /* A separate variable keeps p's address untaken, so it can stay
         * in a register in the loops above. */
        size_t next = ws;
        contam_status st = ngram_word_unicode(t, s, len, &next);
        if (st != CONTAM_OK)
            return st;
        p = next;
    }
    return CONTAM_OK;
}
