/* hash.c - polynomial prefix hashes over token hashes (NGRAM_HASH_SCHEME), so
 * that the hash of any n-token window costs O(1) after one pass over a text.
 * All arithmetic is mod 2^64 (unsigned wrap-around), hence deterministic on
 * every platform.
 */
#include "ngram/ngram.h"

void ngram_prefix_fill(const ngram_token *toks, size_t n, uint64_t *prefix)
{
    uint64_t h = 0;
    prefix[0] = 0;
    for (size_t i = 0; i < n; i++) {
        h = h * NGRAM_BASE + toks[i].hash;
        prefix[i + 1] = h;
    }
}

uint64_t ngram_base_pow(size_t n)
{
    uint64_t r = 1, b = NGRAM_BASE;
    while (n) {
        if (n & 1)
            r *= b;
        b *= b;
        n >>= 1;
    }
    return r;
}
