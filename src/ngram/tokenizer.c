/* tokenizer.c - tokenizer lifetime, buffer growth and the public entry points
 * ngram_tokenize / ngram_normalize, which dispatch to the per-unit scanners.
 */
#include <assert.h>
#include <string.h>

#include <utf8proc.h>

#include "ngram/ngram_internal.h"

#define NGRAM_INITIAL_TOKENS 1024
#define NGRAM_INITIAL_BYTES 256

const char *ngram_unit_name(ngram_unit u)
{
    switch (u) {
    case NGRAM_UNIT_WORD:
        return "word";
    case NGRAM_UNIT_LMEVAL:
        return "lmeval";
    case NGRAM_UNIT_CHAR:
        return "char";
    }
    return "unknown";
}

/* Byte classes for the ASCII fast paths. Both tables must agree with what the
 * Unicode path does to the same code point (NFKC + casefold leave ASCII alone
 * except A-Z; every ASCII punctuation/symbol is P* or S*; controls are Cc). */
static void build_tables(ngram_tokenizer *t)
{
    static const char punct[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    for (int c = 0; c < 256; c++) {
        unsigned char m;
        if (c >= 0x80)
            m = NGRAM_M_HIGH;
        else if (ngram_is_space(c))
            m = NGRAM_M_SPACE;
        else if (c >= 'A' && c <= 'Z')
            m = (unsigned char)(c + 32);
        else if (c >= 'a' && c <= 'z')
            m = (unsigned char)c;
        else if (c >= '0' && c <= '9')
            m = t->cfg.digits_zero ? '0' : (unsigned char)c;
        else
            m = NGRAM_M_DEL;
        t->wmap[c] = m;

        uint16_t l;
        if (c >= 0x80)
            l = NGRAM_L_HIGH;
        else if (ngram_is_space(c))
            l = NGRAM_L_SPACE;
        else if (c != 0 && strchr(punct, c))
            l = NGRAM_L_DEL;
        else if (c >= 'A' && c <= 'Z')
            l = (uint16_t)(c + 32);
        else
            l = (uint16_t)c; /* Python keeps NUL and other controls */
        t->lmap[c] = l;
    }
    for (int c = 0; c < 128; c++) {
        unsigned char b = (unsigned char)c;
        t->char_hash[c] = XXH3_64bits_withSeed(&b, 1, t->cfg.seed);
    }
}

ngram_tokenizer *ngram_tokenizer_create(const ngram_config *cfg)
{
    assert(cfg);
    ngram_tokenizer *t = contam_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cfg = *cfg;
    t->tcap = NGRAM_INITIAL_TOKENS;
    t->toks = contam_malloc(t->tcap * sizeof *t->toks);
    t->wcap = NGRAM_INITIAL_BYTES;
    t->w = contam_malloc(t->wcap);
    if (!t->toks || !t->w) {
        ngram_tokenizer_free(t);
        return NULL;
    }
    build_tables(t);
    return t;
}

void ngram_tokenizer_free(ngram_tokenizer *t)
{
    if (!t)
        return;
    contam_free(t->toks);
    contam_free(t->w);
    contam_free(t);
}

int ngram_grow_tokens(ngram_tokenizer *t)
{
    size_t cap = t->tcap * 2;
    ngram_token *p = contam_realloc(t->toks, cap * sizeof *p);
    if (!p)
        return -1;
    t->toks = p;
    t->tcap = cap;
    return 0;
}

int ngram_grow_bytes(ngram_tokenizer *t, size_t need)
{
    if (need <= t->wcap)
        return 0;
    size_t cap = t->wcap;
    while (cap < need)
        cap *= 2;
    unsigned char *p = contam_realloc(t->w, cap);
    if (!p)
        return -1;
    t->w = p;
    t->wcap = cap;
    return 0;
}

contam_status ngram_echo(ngram_tokenizer *t, const unsigned char *b, size_t n)
{
    if (t->echo->size && contam_buf_append(t->echo, " ", 1))
        return CONTAM_ERR_NOMEM;
    return contam_buf_append(t->echo, b, n) ? CONTAM_ERR_NOMEM : CONTAM_OK;
}

contam_status ngram_tokenize(ngram_tokenizer *t, const char *text, size_t len,
                             const ngram_token **toks, size_t *ntoks, uint64_t *invalid)
{
    assert(t && toks && ntoks && (text || len == 0));
    /* Spans are 32-bit; callers cap document size well below this. */
    assert(len <= UINT32_MAX);
    const unsigned char *s = (const unsigned char *)text;
    t->ntoks = 0;
    t->invalid = 0;
    contam_status st;
    switch (t->cfg.unit) {
    case NGRAM_UNIT_LMEVAL:
        st = ngram_scan_lmeval(t, s, len);
        break;
    case NGRAM_UNIT_CHAR:
        st = ngram_scan_char(t, s, len);
        break;
    default:
        st = ngram_scan_word(t, s, len);
        break;
    }
    if (st != CONTAM_OK)
        t->ntoks = 0;
    *toks = t->toks;
    *ntoks = t->ntoks;
    if (invalid)
        *invalid += t->invalid;
    return st;
}

contam_status ngram_normalize(const ngram_config *cfg, const char *text, size_t len,
                              contam_buf *out)
{
    contam_buf_reset(out);
    /* Leaves out->ptr a valid empty string even when there are no tokens. */
    if (contam_buf_append(out, "", 0))
        return CONTAM_ERR_NOMEM;
    ngram_tokenizer *t = ngram_tokenizer_create(cfg);
    if (!t)
        return CONTAM_ERR_NOMEM;
    t->echo = out;
    const ngram_token *toks;
    size_t n;
    contam_status st = ngram_tokenize(t, text, len, &toks, &n, NULL);
    ngram_tokenizer_free(t);
    return st;
}

const char *ngram_unicode_version(void) { return utf8proc_unicode_version(); }
