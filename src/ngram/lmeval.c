/* lmeval.c - LMEVAL scanner: byte-exact port of lm-evaluation-harness v0.3's
 * janitor normalization,
 *   s.translate(str.maketrans(ascii_lowercase + ascii_uppercase,
 *                             ascii_lowercase * 2, string.punctuation)).split()
 * so that our n-grams of a text equal the harness's. Only ASCII is touched;
 * every other code point (even a non-ASCII letter or U+200B) is kept
 * verbatim, and only the code points str.isspace() accepts separate words.
 * An invalid UTF-8 subpart stands for U+FFFD and is kept as EF BF BD.
 */
#include <string.h>

#include "ngram/ngram_internal.h"

contam_status ngram_scan_lmeval(ngram_tokenizer *t, const unsigned char *s, size_t len)
{
    const uint16_t *map = t->lmap;
    const uint64_t seed = t->cfg.seed;
    size_t p = 0;
    while (p < len) {
        uint16_t v = map[s[p]];
        if (v == NGRAM_L_SPACE) {
            p++;
            continue;
        }
        if (v == NGRAM_L_HIGH) {
            int32_t cp;
            size_t k = ngram_utf8_decode(s + p, len - p, &cp);
            if (cp >= 0 && ngram_is_space(cp)) {
                p += k;
                continue;
            }
        }
        size_t ws = p, n = 0;
        while (p < len) {
            /* Room for the widest step: a U+FFFD replacement (3 bytes). */
            if (t->wcap - n < 4 && ngram_grow_bytes(t, n + 4))
                return CONTAM_ERR_NOMEM;
            v = map[s[p]];
            if (v < 0x100) {
                t->w[n++] = (unsigned char)v;
                p++;
            } else if (v == NGRAM_L_DEL) {
                p++;
            } else if (v == NGRAM_L_SPACE) {
                break;
            } else {
                int32_t cp;
                size_t k = ngram_utf8_decode(s + p, len - p, &cp);
                if (cp < 0) {
                    t->invalid++;
                    memcpy(t->w + n, "\xEF\xBF\xBD", 3);
                    n += 3;
                } else if (ngram_is_space(cp)) {
                    break; /* the outer loop skips it */
                } else {
                    memcpy(t->w + n, s + p, k);
                    n += k;
                }
                p += k;
            }
        }
        if (n) {
            contam_status st =
                ngram_emit(t, XXH3_64bits_withSeed(t->w, n, seed), t->w, n, ws, p);
            if (st != CONTAM_OK)
                return st;
        }
    }
    return CONTAM_OK;
}
