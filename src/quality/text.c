/* text.c - small text helpers of the quality checks: whitespace (and case)
 * normalization for comparing options and items, UTF-8 decoding that
 * reports invalid bytes instead of hiding them, word-normalized hashes for
 * joining model samples to items, and word-boundary searches. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "quality/quality_internal.h"

int32_t q_next_cp(const char *s, size_t n, size_t *i)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t k =
        utf8proc_iterate((const utf8proc_uint8_t *)s + *i, (utf8proc_ssize_t)(n - *i), &c);
    if (k <= 0) {
        (*i)++;
        return -1;
    }
    *i += (size_t)k;
    return c;
}

int q_is_space_cp(int32_t c)
{
    if (c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 || c == 0x1680)
        return 1;
    return (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x3000;
}

static int norm(const char *s, size_t n, int fold, contam_buf *out)
{
    /* a lowercase mapping can grow a character by half (U+023A: 2 -> 3
     * bytes): reserve twice the input and write in place */
    if (n > (SIZE_MAX - 8) / 2 || contam_buf_reserve(out, 2 * n + 8))
        return -1;
    char *o = out->ptr + out->size;
    int pending = 0, any = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) { /* ASCII fast path */
            i++;
            if (ch == ' ' || (ch >= 0x09 && ch <= 0x0d)) {
                pending = any;
                continue;
            }
            if (pending)
                *o++ = ' ';
            pending = 0;
            any = 1;
            *o++ = (char)(fold && ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            continue;
        }
        size_t at = i;
        int32_t c = q_next_cp(s, n, &i);
        if (c >= 0 && q_is_space_cp(c)) {
            pending = any;
            continue;
        }
        if (pending)
            *o++ = ' ';
        pending = 0;
        any = 1;
        if (c < 0 || !fold) {
            memcpy(o, s + at, i - at);
            o += i - at;
            continue;
        }
        o += utf8proc_encode_char(utf8proc_tolower(c), (utf8proc_uint8_t *)o);
    }
    out->size = (size_t)(o - out->ptr);
    out->ptr[out->size] = '\0';
    return 0;
}

int q_norm_ws(const char *s, size_t n, contam_buf *out) { return norm(s, n, 0, out); }
int q_norm_ws_fold(const char *s, size_t n, contam_buf *out) { return norm(s, n, 1, out); }

ngram_tokenizer *q_word_tokenizer(void)
{
    ngram_config cfg = {NGRAM_UNIT_WORD, 0, NGRAM_DEFAULT_SEED};
    return ngram_tokenizer_create(&cfg);
}

int q_word_hash(ngram_tokenizer *t, const char *s, size_t n, uint64_t *out)
{
    const ngram_token *toks;
    size_t nt;
    if (n > UINT32_MAX - 1)
        n = UINT32_MAX - 1; /* the tokenizer's limit; such text never joins anyway */
    if (ngram_tokenize(t, s, n, &toks, &nt, NULL) != CONTAM_OK)
        return -1;
    if (!nt) {
        *out = 0;
        return 0;
    }
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    for (size_t k = 0; k < nt; k++)
        XXH3_64bits_update(&st, &toks[k].hash, sizeof toks[k].hash);
    *out = XXH3_64bits_digest(&st) | 1; /* never 0: 0 means "no words" */
    return 0;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

long q_find_ci(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (!k || k > n)
        return -1;
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && lower((unsigned char)hay[i + j]) == lower((unsigned char)needle[j]))
            j++;
        if (j == k)
            return (long)i;
    }
    return -1;
}

/* A word character for boundary purposes: ASCII alphanumerics and every
 * non-ASCII byte (letters of other scripts). */
static int wordch(unsigned char c) { return isalnum(c) || c >= 0x80; }

long q_find_word(const char *hay, size_t n, const char *needle, size_t k)
{
    if (!k || k > n)
        return -1;
    const char *p = hay, *end = hay + n;
    while ((size_t)(end - p) >= k) {
        /* memchr for the first byte, then compare: memmem is not ISO C */
        const char *m = memchr(p, needle[0], (size_t)(end - p) - k + 1);
        if (!m)
            return -1;
        if (memcmp(m, needle, k)) {
            p = m + 1;
            continue;
        }
        size_t i = (size_t)(m - hay);
        int left_ok = i == 0 || !wordch((unsigned char)hay[i - 1]) ||
                      !wordch((unsigned char)needle[0]);
        int right_ok = i + k == n || !wordch((unsigned char)hay[i + k]) ||
                       !wordch((unsigned char)needle[k - 1]);
        if (left_ok && right_ok)
            return (long)i;
        p = m + 1;
    }
    return -1;
}

int q_excerpt(const char *s, size_t n, size_t max, contam_buf *out)
{
    size_t take = n;
    if (take > max) {
        take = max;
        while (take > 0 && ((unsigned char)s[take] & 0xc0) == 0x80)
            take--;
    }
    for (size_t i = 0; i < take; i++) {
        char c = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
        if (contam_buf_append(out, &c, 1))
            return -1;
    }
    if (take < n && contam_buf_puts(out, "..."))
        return -1;
    return contam_buf_append(out, "", 0);
}

int q_out_of_memory(void)
{
    void *probe = contam_malloc(1);
    contam_free(probe);
    return probe == NULL;
}

int q_norm_answer(const char *s, size_t n, contam_buf *out)
{
    contam_buf t = {0};
    if (q_norm_ws_fold(s, n, &t)) {
        contam_buf_free(&t);
        return -1;
    }
    size_t i = 0;
    int rc = 0;
    while (i < t.size && !rc) {
        size_t at = i;
        int32_t c = q_next_cp(t.ptr, t.size, &i);
        if (c == 0x2018 || c == 0x2019 || c == 0x2032)
            rc = contam_buf_append(out, "'", 1);
        else if (c == 0x201c || c == 0x201d || c == 0x2033)
            rc = contam_buf_append(out, "\"", 1);
        else
            rc = contam_buf_append(out, t.ptr + at, i - at);
    }
    contam_buf_free(&t);
    if (rc)
        return -1;
    while (out->size && out->ptr[out->size - 1] && strchr(".,;:! ", out->ptr[out->size - 1]))
        out->ptr[--out->size] = '\0';
    return contam_buf_append(out, "", 0);
}
