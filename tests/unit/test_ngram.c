/* test_ngram.c - ngram module: WORD/LMEVAL/CHAR normalization on nasty text
 * (quotes, NBSP, fullwidth, combining marks, emoji, CJK, mixed scripts,
 * invalid UTF-8, NUL bytes), source spans, the fast ASCII path against the
 * Unicode path, the Unicode path against utf8proc_map, window hashes, seeds,
 * buffer growth and allocation failures. Every input is copied into a buffer
 * of exactly its length so ASan catches any read past len. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "ngram/ngram.h"
#include "ngram/ngram_internal.h"

/* ---- helpers ---------------------------------------------------------------- */

static ngram_config cfg_of(ngram_unit u, int digits_zero)
{
    ngram_config c = {u, digits_zero, NGRAM_DEFAULT_SEED};
    return c;
}

/* A heap copy of exactly n bytes (ASan reports any over-read). */
static char *exact(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    if (n)
        memcpy(p, s, n);
    return p;
}

/* Normalized form of in[0, n) as a NUL-terminated heap string (may contain
 * NULs itself; *outlen gets its length). */
static char *norm_n(ngram_unit u, int dz, const char *in, size_t n, size_t *outlen)
{
    ngram_config c = cfg_of(u, dz);
    char *buf = exact(in, n);
    contam_buf out = {0};
    assert_int_equal(ngram_normalize(&c, buf, n, &out), CONTAM_OK);
    free(buf);
    assert_non_null(out.ptr);
    char *r = malloc(out.size + 1);
    assert_non_null(r);
    memcpy(r, out.ptr, out.size + 1);
    if (outlen)
        *outlen = out.size;
    contam_buf_free(&out);
    return r;
}

#define NORM_EQ(u, dz, in, expect)                                                       \
    do {                                                                                 \
        char *got_ = norm_n((u), (dz), (in), strlen(in), NULL);                          \
        assert_string_equal(got_, (expect));                                             \
        free(got_);                                                                      \
    } while (0)
#define WORD_EQ(in, expect) NORM_EQ(NGRAM_UNIT_WORD, 0, in, expect)
#define LMEVAL_EQ(in, expect) NORM_EQ(NGRAM_UNIT_LMEVAL, 0, in, expect)
#define CHAR_EQ(in, expect) NORM_EQ(NGRAM_UNIT_CHAR, 0, in, expect)

/* Tokenizes in[0, n) into a fresh heap array (caller frees). */
static ngram_token *toks_n(ngram_unit u, int dz, uint64_t seed, const char *in, size_t n,
                           size_t *ntoks, uint64_t *invalid)
{
    ngram_config c = {u, dz, seed};
    ngram_tokenizer *t = ngram_tokenizer_create(&c);
    assert_non_null(t);
    char *buf = exact(in, n);
    const ngram_token *k;
    size_t cnt = 0;
    uint64_t inv = 0;
    assert_int_equal(ngram_tokenize(t, buf, n, &k, &cnt, &inv), CONTAM_OK);
    ngram_token *r = malloc((cnt ? cnt : 1) * sizeof *r);
    assert_non_null(r);
    if (cnt)
        memcpy(r, k, cnt * sizeof *r);
    free(buf);
    ngram_tokenizer_free(t);
    *ntoks = cnt;
    if (invalid)
        *invalid = inv;
    return r;
}

static ngram_token *toks(ngram_unit u, const char *in, size_t *ntoks)
{
    return toks_n(u, 0, NGRAM_DEFAULT_SEED, in, strlen(in), ntoks, NULL);
}

static uint64_t h(const char *s) { return XXH3_64bits_withSeed(s, strlen(s), NGRAM_DEFAULT_SEED); }

/* The source text of token k. */
static void span_is(const char *src, const ngram_token *k, const char *expect)
{
    size_t n = strlen(expect);
    assert_true(k->end >= k->start);
    if ((size_t)(k->end - k->start) != n || memcmp(src + k->start, expect, n) != 0)
        fail_msg("span [%u,%u) is \"%.*s\", expected \"%s\"", k->start, k->end,
                 (int)(k->end - k->start), src + k->start, expect);
}

/* A repeating mix of ASCII, Latin-1 and CJK words. */
static void fill_mixed(char *buf, size_t n)
{
    static const char pat[] = "ab é 東x ";
    for (size_t i = 0; i < n; i++)
        buf[i] = pat[i % (sizeof pat - 1)];
}

static uint64_t invalid_of(ngram_unit u, const char *in, size_t n)
{
    size_t cnt;
    uint64_t inv;
    free(toks_n(u, 0, NGRAM_DEFAULT_SEED, in, n, &cnt, &inv));
    return inv;
}

/* ---- WORD ------------------------------------------------------------------- */

static void test_unit_names(void **state)
{
    (void)state;
    assert_string_equal(ngram_unit_name(NGRAM_UNIT_WORD), "word");
    assert_string_equal(ngram_unit_name(NGRAM_UNIT_LMEVAL), "lmeval");
    assert_string_equal(ngram_unit_name(NGRAM_UNIT_CHAR), "char");
    assert_string_equal(ngram_unit_name((ngram_unit)42), "unknown");
}

static void test_word_ascii(void **state)
{
    (void)state;
    WORD_EQ("Hello, World!", "hello world");
    WORD_EQ("  The QUICK\tbrown\r\nfox\v\fjumps\x1c" "over\x1f" "it  ",
            "the quick brown fox jumps over it");
    WORD_EQ("don't e-mail x_y a+b=c 3.14 $100 ~user@host.com",
            "dont email xy abc 314 100 userhostcom");
    WORD_EQ("", "");
    WORD_EQ("   \t\n ", "");
    WORD_EQ("!!! ... ?! -- () \"\" ''", "");
    WORD_EQ("\x01\x02\x7f ctl\x07" "bell", "ctlbell");
}

static void test_word_unicode(void **state)
{
    (void)state;
    /* curly quotes and apostrophes are punctuation: deleted, no split */
    WORD_EQ("don’t “Stop” ‘believing’ «quoted» „low“", "dont stop believing quoted low");
    /* NBSP and other Unicode spaces separate; U+200B is ignorable (joins) */
    WORD_EQ("a\xC2\xA0" "b c\xE3\x80\x80" "d e\xE2\x80\xAF" "f g\xE2\x80\xA8" "h i\xC2\x85" "j",
            "a b c d e f g h i j");
    WORD_EQ("zero\xE2\x80\x8B" "width soft\xC2\xAD" "hyphen", "zerowidth softhyphen");
    /* fullwidth forms fold to ASCII */
    WORD_EQ("ＡＢＣ１２ ｈｅｌｌｏ！", "abc12 hello");
    /* case folding beyond lowercase */
    WORD_EQ("Straße STRASSE ẞ", "strasse strasse ss");
    WORD_EQ("ΟΔΟΣ οδος", "οδοσ οδοσ");
    /* accents are letters: kept, composed (NFKC) */
    WORD_EQ("naïve café", "naïve café");
    WORD_EQ("nai\xCC\x88ve cafe\xCC\x81", "naïve café");
    WORD_EQ("Å Å", "å å"); /* U+212B ANGSTROM SIGN == U+00C5 */
    WORD_EQ("ﬁnal ½", "final 12");
    /* emoji and other symbols are deleted without splitting */
    WORD_EQ("I ❤️ NY 😀! x😀y ⚠️warning 1️⃣", "i ny xy warning 1");
    WORD_EQ("word\xEF\xB8\x8F", "word"); /* trailing variation selector */
    /* CJK ideographs and kana: one token each, also inside mixed words */
    WORD_EQ("每个字一个token", "每 个 字 一 个 token");
    WORD_EQ("東京tower、ひらがなカタカナ", "東 京 tower ひ ら が な カ タ カ ナ");
    WORD_EQ("ｶﾞｷﾞ", "ガ ギ"); /* halfwidth kana + voiced mark compose */
    WORD_EQ("か\xE3\x82\x99", "が"); /* combining voiced mark */
    WORD_EQ("〇々 ㈱ ⼀", "〇 々 株 一"); /* iteration mark, parenthesized, Kangxi */
    /* mixed scripts keep their letters and marks */
    WORD_EQ("ΕΛΛΗΝΙΚΆ Русский ЯЗЫК العربية हिन्दी नमस्ते", "ελληνικά русский язык العربية हिन्दी नमस्ते");
    WORD_EQ("한국어 텍스트", "한국어 텍스트");
    /* whitespace produced by NFKC (U+00A8 -> space + U+0308) separates; the
     * stray mark it leaves is dropped */
    WORD_EQ("a¨b ¨", "a b");
    /* lone combining marks never form a token */
    WORD_EQ("\xCC\x81\xCC\x88 x \xCC\x81", "x");
}

static void test_word_composition_equal_hashes(void **state)
{
    (void)state;
    struct {
        const char *a, *b;
    } pairs[] = {
        {"café", "cafe\xCC\x81"},
        {"Ångström", "A\xCC\x8Angstro\xCC\x88m"},
        /* canonical reordering: dot below (220) before acute (230) */
        {"ệ", "e\xCC\x82\xCC\xA3"},
        {"ệ", "e\xCC\xA3\xCC\x82"},
        /* Hangul from conjoining jamo: L V T composes across starters */
        {"한국어", "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xAE\xE1\x86\xA8"
                   "\xE1\x84\x8B\xE1\x85\xA5"},
        /* Oriya O: two starters compose (U+0B47 U+0B3E -> U+0B4B) */
        {"କୋ", "କ\xE0\xAD\x87\xE0\xAC\xBE"},
        {"ガ", "ｶﾞ"},
        {"dont", "Don’t"},
        {"abc12", "ＡＢＣ１２"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        size_t na, nb;
        ngram_token *ta = toks(NGRAM_UNIT_WORD, pairs[i].a, &na);
        ngram_token *tb = toks(NGRAM_UNIT_WORD, pairs[i].b, &nb);
        assert_int_equal(na, 1);
        assert_int_equal(nb, 1);
        if (ta[0].hash != tb[0].hash)
            fail_msg("pair %zu: \"%s\" and \"%s\" hash differently", i, pairs[i].a, pairs[i].b);
        free(ta);
        free(tb);
    }
}

static void test_word_token_hash_definition(void **state)
{
    (void)state;
    size_t n;
    ngram_token *k = toks(NGRAM_UNIT_WORD, "Hello, Wörld 東", &n);
    assert_int_equal(n, 3);
    assert_true(k[0].hash == h("hello"));
    assert_true(k[1].hash == h("wörld"));
    assert_true(k[2].hash == h("東"));
    free(k);
}

static void test_word_digits_zero(void **state)
{
    (void)state;
    NORM_EQ(NGRAM_UNIT_WORD, 0, "Call 555-1234, ٣٤٥ or ５ x²", "call 5551234 ٣٤٥ or 5 x2");
    NORM_EQ(NGRAM_UNIT_WORD, 1, "Call 555-1234, ٣٤٥ or ５ x² 〇",
            "call 0000000 000 or 0 x0 〇");
    NORM_EQ(NGRAM_UNIT_WORD, 1, "v1.2.3 A9b8C7d6e5F4g3H2", "v000 a0b0c0d0e0f0g0h0");
    NORM_EQ(NGRAM_UNIT_CHAR, 1, "a1٣", "a 0 0");
    /* digits_zero only applies to WORD/CHAR; LMEVAL is the harness's */
    NORM_EQ(NGRAM_UNIT_LMEVAL, 1, "a1", "a1");
}

static void test_word_spans(void **state)
{
    (void)state;
    const char *s = "  \"Hello,\"  wörld\xC2\xA0(x) 東京tower ¨y";
    size_t n;
    ngram_token *k = toks(NGRAM_UNIT_WORD, s, &n);
    assert_int_equal(n, 7);
    span_is(s, &k[0], "\"Hello,\""); /* the word, deleted punctuation included */
    span_is(s, &k[1], "wörld");
    span_is(s, &k[2], "(x)");
    span_is(s, &k[3], "東");
    span_is(s, &k[4], "京");
    span_is(s, &k[5], "tower");
    span_is(s, &k[6], "y"); /* after the space U+00A8 expands to */
    free(k);

    const char *c = "ｶﾞ(株)x";
    k = toks(NGRAM_UNIT_WORD, c, &n);
    assert_int_equal(n, 3);
    span_is(c, &k[0], "ｶﾞ"); /* both source code points of the composed kana */
    span_is(c, &k[1], "株");
    span_is(c, &k[2], ")x");
    free(k);
}

/* ---- invalid UTF-8 and NUL -------------------------------------------------- */

static void test_invalid_utf8(void **state)
{
    (void)state;
    /* counts follow the maximal-subpart rule (as Python's errors="replace") */
    assert_int_equal(invalid_of(NGRAM_UNIT_WORD, "a\x80" "b", 3), 1);
    assert_int_equal(invalid_of(NGRAM_UNIT_WORD, "abc\xE2\x82", 5), 1);     /* truncated at end */
    assert_int_equal(invalid_of(NGRAM_UNIT_WORD, "\xF0\x9F\x98", 3), 1);    /* truncated 4-byte */
    assert_int_equal(invalid_of(NGRAM_UNIT_WORD, "x\xC0\x80y", 4), 2);      /* overlong */
    assert_int_equal(invalid_of(NGRAM_UNIT_WORD, "\xE0\x80\xAF", 3), 3);    /* overlong 3-byte */
    assert_int_equal(invalid_of(NGRAM_UNIT_WORD, "\xED\xA0\x80", 3), 3);    /* surrogate */
    assert_int_equal(invalid_of(NGRAM_UNIT_WORD, "\xF4\x90\x80\x80", 4), 4); /* > U+10FFFF */
    assert_int_equal(invalid_of(NGRAM_UNIT_WORD, "\xFF\xFE\xF5", 3), 3);
    assert_int_equal(invalid_of(NGRAM_UNIT_WORD, "\xE2\x82 \xE2", 4), 2);
    assert_int_equal(invalid_of(NGRAM_UNIT_LMEVAL, "a\x80" "b \xED\xA0\x80", 7), 4);
    assert_int_equal(invalid_of(NGRAM_UNIT_CHAR, "\xC3", 1), 1);
    assert_int_equal(invalid_of(NGRAM_UNIT_WORD, "ok é 東", strlen("ok é 東")), 0);

    /* WORD/CHAR delete U+FFFD without splitting; LMEVAL keeps it */
    size_t len;
    const char *bad = "a\x80" "b c\xED\xA0\x80" "d e\xE2\x82";
    char *r = norm_n(NGRAM_UNIT_WORD, 0, bad, strlen(bad), &len);
    assert_string_equal(r, "ab cd e");
    free(r);
    r = norm_n(NGRAM_UNIT_CHAR, 0, "a\x80" "b", 3, &len);
    assert_string_equal(r, "a b");
    free(r);
    r = norm_n(NGRAM_UNIT_LMEVAL, 0, "A\x80" "b \xE2\x82", 6, &len);
    assert_int_equal(len, 9);
    assert_string_equal(r, "a\xEF\xBF\xBD" "b \xEF\xBF\xBD");
    free(r);
    /* an invalid byte only: no token, but counted */
    size_t n;
    uint64_t inv = 5;
    ngram_token *k = toks_n(NGRAM_UNIT_WORD, 0, NGRAM_DEFAULT_SEED, "\x80", 1, &n, &inv);
    assert_int_equal(n, 0);
    assert_int_equal(inv, 1);
    free(k);
    /* *invalid accumulates across calls */
    ngram_config c = cfg_of(NGRAM_UNIT_WORD, 0);
    ngram_tokenizer *t = ngram_tokenizer_create(&c);
    assert_non_null(t);
    const ngram_token *tk;
    uint64_t total = 10;
    char *b = exact("\x80\x80", 2);
    assert_int_equal(ngram_tokenize(t, b, 2, &tk, &n, &total), CONTAM_OK);
    assert_int_equal(ngram_tokenize(t, b, 2, &tk, &n, &total), CONTAM_OK);
    assert_int_equal(ngram_tokenize(t, b, 2, &tk, &n, NULL), CONTAM_OK);
    assert_int_equal(total, 14);
    free(b);
    ngram_tokenizer_free(t);
}

static void test_nul_bytes(void **state)
{
    (void)state;
    static const char in[] = "ab\0cd ef\0 \0";
    size_t len;
    char *r = norm_n(NGRAM_UNIT_WORD, 0, in, sizeof in - 1, &len);
    assert_string_equal(r, "abcd ef");
    free(r);
    r = norm_n(NGRAM_UNIT_LMEVAL, 0, in, sizeof in - 1, &len);
    /* Python's str.split() keeps NUL inside words */
    assert_int_equal(len, 11);
    assert_memory_equal(r, "ab\0cd ef\0 \0", 11);
    free(r);
    r = norm_n(NGRAM_UNIT_WORD, 0, "\0\0\0", 3, &len);
    assert_int_equal(len, 0);
    free(r);
    /* NUL inside a non-ASCII word too */
    r = norm_n(NGRAM_UNIT_WORD, 0, "é\0x", 4, &len);
    assert_string_equal(r, "éx");
    free(r);
}

static void test_empty_input(void **state)
{
    (void)state;
    ngram_unit units[] = {NGRAM_UNIT_WORD, NGRAM_UNIT_LMEVAL, NGRAM_UNIT_CHAR};
    for (size_t i = 0; i < 3; i++) {
        ngram_config c = cfg_of(units[i], 0);
        ngram_tokenizer *t = ngram_tokenizer_create(&c);
        assert_non_null(t);
        const ngram_token *k = NULL;
        size_t n = 99;
        assert_int_equal(ngram_tokenize(t, NULL, 0, &k, &n, NULL), CONTAM_OK);
        assert_int_equal(n, 0);
        assert_non_null(k);
        ngram_tokenizer_free(t);
        contam_buf out = {0};
        assert_int_equal(ngram_normalize(&c, "", 0, &out), CONTAM_OK);
        assert_int_equal(out.size, 0);
        assert_string_equal(out.ptr, "");
        contam_buf_free(&out);
    }
    ngram_tokenizer_free(NULL);
}

/* ---- LMEVAL ----------------------------------------------------------------- */

static void test_lmeval(void **state)
{
    (void)state;
    /* Expected values are Python's
     * ' '.join(s.translate(str.maketrans(ascii_lowercase + ascii_uppercase,
     *          ascii_lowercase * 2, string.punctuation)).split()) */
    LMEVAL_EQ("Hello, World!", "hello world");
    LMEVAL_EQ("don’t stop", "don’t stop");
    LMEVAL_EQ("Ünïcode", "Ünïcode");
    LMEVAL_EQ("Ωmega ＡＢＣ", "Ωmega ＡＢＣ");
    LMEVAL_EQ("a\xC2\xA0" "b", "a b");
    LMEVAL_EQ("a\xE2\x80\x8B" "b", "a\xE2\x80\x8B" "b"); /* U+200B is not a space */
    LMEVAL_EQ("m\xE1\xA0\x8En", "m\xE1\xA0\x8En");       /* nor is U+180E */
    LMEVAL_EQ("x\xE3\x80\x80y p\xC2\x85q", "x y p q");
    LMEVAL_EQ("\xE2\x80\xA8l\xE2\x80\xA9p", "l p");
    LMEVAL_EQ("t\x1cu\x1fv\x0bw\x0cx", "t u v w x");
    LMEVAL_EQ("A_B-C d.e !!! (x)", "abc de x");
    LMEVAL_EQ("東京tower 😀", "東京tower 😀");
    LMEVAL_EQ("  ", "");

    const char *s = "  ¡Hola! Señor,\xC2\xA0qué tal ";
    size_t n;
    ngram_token *k = toks(NGRAM_UNIT_LMEVAL, s, &n);
    assert_int_equal(n, 4);
    span_is(s, &k[0], "¡Hola!");
    span_is(s, &k[1], "Señor,");
    span_is(s, &k[2], "qué");
    span_is(s, &k[3], "tal");
    assert_true(k[0].hash == h("¡hola"));
    assert_true(k[1].hash == h("señor"));
    free(k);
}

/* ---- CHAR ------------------------------------------------------------------- */

static void test_char(void **state)
{
    (void)state;
    CHAR_EQ("Héllo, 東京 1² x\xCC\x81!", "h é l l o 東 京 1 2 x");
    CHAR_EQ("ＡＢ ﬁ Straße", "a b f i s t r a s s e");
    CHAR_EQ("😀 !!", "");

    const char *s = "Ae\xCC\x81 東 ﬁ";
    size_t n;
    ngram_token *k = toks(NGRAM_UNIT_CHAR, s, &n);
    assert_int_equal(n, 5);
    span_is(s, &k[0], "A");
    span_is(s, &k[1], "e\xCC\x81"); /* the composed é spans both code points */
    span_is(s, &k[2], "東");
    span_is(s, &k[3], "ﬁ"); /* both letters of the ligature span it */
    span_is(s, &k[4], "ﬁ");
    assert_true(k[0].hash == h("a"));
    assert_true(k[1].hash == h("é"));
    assert_true(k[3].hash == h("f"));
    free(k);

    /* ASCII word cut short by non-ASCII: earlier tokens must not double */
    CHAR_EQ("abc\xE2\x80\x99" "d ef", "a b c d e f");
}

/* ---- fast ASCII path == Unicode path; Unicode path == utf8proc_map ---------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static void test_fast_path_matches_unicode_path(void **state)
{
    (void)state;
    /* The same ASCII word once alone (table path) and once with a trailing
     * U+2019 (deleted, but forces the utf8proc path) must hash the same. */
    static const char alphabet[] = "abcxyzABCXYZ0189'-.,!_~$\"()[]\x01\x7f";
    for (int dz = 0; dz < 2; dz++) {
        for (int iter = 0; iter < 400; iter++) {
            char word[64];
            size_t wl = 1 + rnd() % 40;
            for (size_t i = 0; i < wl; i++)
                word[i] = alphabet[rnd() % (sizeof alphabet - 1)];
            char slow[80];
            memcpy(slow, word, wl);
            memcpy(slow + wl, "\xE2\x80\x99", 3);
            for (int u = 0; u < 3; u += 2) {
                size_t na, nb;
                ngram_token *a = toks_n((ngram_unit)u, dz, 7, word, wl, &na, NULL);
                ngram_token *b = toks_n((ngram_unit)u, dz, 7, slow, wl + 3, &nb, NULL);
                assert_int_equal(na, nb);
                for (size_t i = 0; i < na; i++) {
                    if (a[i].hash != b[i].hash)
                        fail_msg("unit %d dz %d: \"%.*s\" differs", u, dz, (int)wl, word);
                    assert_int_equal(a[i].start, b[i].start);
                }
                free(a);
                free(b);
            }
        }
    }
}

static int ref_is_cjk(int32_t c)
{
    return (c >= 0x3005 && c <= 0x3007) || (c >= 0x3021 && c <= 0x3029) ||
           (c >= 0x3038 && c <= 0x303C) || (c >= 0x3040 && c <= 0x30FF) ||
           (c >= 0x31F0 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFF66 && c <= 0xFF9F) || (c >= 0x1AFF0 && c <= 0x1B16F) ||
           (c >= 0x20000 && c <= 0x2FA1F) || (c >= 0x30000 && c <= 0x323AF);
}

static void ref_flush(char *out, size_t *on, char *piece, size_t *pn)
{
    if (!*pn)
        return;
    if (*on)
        out[(*on)++] = ' ';
    memcpy(out + *on, piece, *pn);
    *on += *pn;
    *pn = 0;
}

/* Reference WORD/CHAR normalization of one source word: utf8proc_map on the
 * whole word, then the documented filtering rules. */
static void ref_normalize(ngram_unit u, int dz, const char *word, size_t wl, char *out)
{
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)word, (utf8proc_ssize_t)wl, &m,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                          UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    assert_true(r >= 0);
    char piece[1024];
    size_t pn = 0, on = 0;
    utf8proc_ssize_t i = 0;
    while (i < r) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(m + i, r - i, &c);
        assert_true(k > 0);
        utf8proc_category_t cat = utf8proc_category(c);
        int ln = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                 (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
        int mark = cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC;
        int space = cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
                    cat == UTF8PROC_CATEGORY_ZP;
        unsigned char enc[4];
        utf8proc_ssize_t el = utf8proc_encode_char(c, enc);
        if (dz && cat == UTF8PROC_CATEGORY_ND) {
            enc[0] = '0';
            el = 1;
        }
        if (u == NGRAM_UNIT_CHAR) {
            if (ln) {
                memcpy(piece, enc, (size_t)el);
                pn = (size_t)el;
                ref_flush(out, &on, piece, &pn);
            }
        } else if (ln && ref_is_cjk(c)) {
            ref_flush(out, &on, piece, &pn);
            memcpy(piece, enc, (size_t)el);
            pn = (size_t)el;
            ref_flush(out, &on, piece, &pn);
        } else if (ln || (mark && pn)) {
            memcpy(piece + pn, enc, (size_t)el);
            pn += (size_t)el;
        } else if (space) {
            ref_flush(out, &on, piece, &pn);
        }
        i += k;
    }
    ref_flush(out, &on, piece, &pn);
    out[on] = '\0';
    free(m);
}

static void test_unicode_path_matches_utf8proc_map(void **state)
{
    (void)state;
    static const int32_t alphabet[] = {
        'a', 'B', 'z', '0', '7', '\'', '-', 0x00E9, 'e', 0x0301, 0x0308, 0x0323, 0x031B,
        0x0345, 0x0327, 0x00C5, 0x212B, 0x1E9E, 0x00DF, 0xFB01, 0x2126, 0x1100, 0x1161,
        0x11A8, 0xAC00, 0xAC01, 0x0B15, 0x0B47, 0x0B3E, 0x0B4B, 0x09C7, 0x09BE, 0x4E00,
        0x3042, 0x304B, 0x3099, 0x309B, 0xFF76, 0xFF9E, 0x00A8, 0x2019, 0x200B, 0xFE0F,
        0x20E3, 0x1F600, 0xFF21, 0x0660, 0x00B2, 0x2460, 0x3231, 0x32C0, 0x0390, 0x03A3,
        0x0130, 0xFFFD, 0x00AD, 0x034F, 0x0E01, 0x0E48, 0x0915, 0x093F, 0x094D, 0xFDFA,
        0x1D15E, 0x0F73, 0x0344, 0x1FB3, 0x2F00, 0x00BD, 0x0000, 0x0007, 0x200D,
    };
    const size_t na = sizeof alphabet / sizeof *alphabet;
    for (int iter = 0; iter < 3000; iter++) {
        char word[256];
        size_t wl = 0, ncp = 1 + rnd() % 12;
        for (size_t i = 0; i < ncp; i++)
            wl += (size_t)utf8proc_encode_char(alphabet[rnd() % na], (utf8proc_uint8_t *)word + wl);
        for (int v = 0; v < 3; v++) {
            ngram_unit u = v == 2 ? NGRAM_UNIT_CHAR : NGRAM_UNIT_WORD;
            int dz = v == 1;
            char expect[2048];
            ref_normalize(u, dz, word, wl, expect);
            size_t gl;
            char *got = norm_n(u, dz, word, wl, &gl);
            if (strcmp(got, expect) != 0) {
                char hex[1024];
                size_t hl = 0;
                for (size_t i = 0; i < wl && hl + 4 < sizeof hex; i++)
                    hl += (size_t)snprintf(hex + hl, sizeof hex - hl, "%02X ",
                                           (unsigned char)word[i]);
                fail_msg("variant %d, word %s: got \"%s\", utf8proc_map gives \"%s\"", v, hex,
                         got, expect);
            }
            free(got);
        }
    }
}

/* The pre-filter for cross-segment composition must know every starter that
 * can be the second half of a canonical pair in the linked utf8proc: derive
 * them from its decomposition data. */
static void test_composition_seconds_table(void **state)
{
    (void)state;
    const utf8proc_option_t compose = UTF8PROC_COMPOSE | UTF8PROC_STABLE;
    size_t found = 0;
    for (int32_t c = 0; c < 0x110000; c++) {
        if (c >= 0xD800 && c < 0xE000)
            continue;
        utf8proc_int32_t d[32];
        int bc = 0;
        utf8proc_ssize_t r = utf8proc_decompose_char(c, d, 32, UTF8PROC_DECOMPOSE, &bc);
        if (r < 2 || r > 32)
            continue;
        for (utf8proc_ssize_t i = 1; i < r; i++) {
            if (utf8proc_get_property(d[i])->combining_class != 0)
                continue;
            utf8proc_int32_t pre[32];
            memcpy(pre, d, (size_t)i * sizeof *pre);
            utf8proc_ssize_t pn = utf8proc_normalize_utf32(pre, i, compose);
            assert_true(pn > 0);
            utf8proc_int32_t two[2] = {pre[pn - 1], d[i]};
            if (utf8proc_normalize_utf32(two, 2, compose) == 1) {
                found++;
                if (!ngram_may_compose_second(d[i]))
                    fail_msg("U+%04X composes after U+%04X but is not in the table", d[i],
                             pre[pn - 1]);
            }
        }
    }
    assert_true(found > 11000); /* the Hangul LV + T syllables alone */
    assert_false(ngram_may_compose_second('a'));
    assert_false(ngram_may_compose_second(0x0301));
    assert_false(ngram_may_compose_second(0x4E00));
    assert_true(ngram_may_compose_second(0x1161));
    assert_true(ngram_may_compose_second(0x0B3E));
}

/* ---- hashing ---------------------------------------------------------------- */

static void test_window_hash(void **state)
{
    (void)state;
    assert_true(ngram_base_pow(0) == 1);
    assert_true(ngram_base_pow(1) == NGRAM_BASE);
    uint64_t p = 1;
    for (size_t i = 0; i < 50; i++, p *= NGRAM_BASE)
        assert_true(ngram_base_pow(i) == p);

    const char *long_text = "Once upon a time, in a land far away, there lived a king.";
    size_t n;
    ngram_token *k = toks(NGRAM_UNIT_WORD, long_text, &n);
    assert_int_equal(n, 13);
    uint64_t *pre = malloc((n + 1) * sizeof *pre);
    assert_non_null(pre);
    ngram_prefix_fill(k, n, pre);
    assert_true(pre[0] == 0);
    assert_true(pre[1] == k[0].hash);
    assert_true(pre[2] == k[0].hash * NGRAM_BASE + k[1].hash);

    /* window [4, 4+5) == the same five words tokenized on their own */
    const char *sub = "IN A LAND far away";
    size_t m;
    ngram_token *ks = toks(NGRAM_UNIT_WORD, sub, &m);
    assert_int_equal(m, 5);
    uint64_t pre2[6];
    ngram_prefix_fill(ks, m, pre2);
    uint64_t pw = ngram_base_pow(5);
    uint64_t w1 = ngram_window_hash(pre, 4, 5, pw);
    uint64_t w2 = ngram_window_hash(pre2, 0, 5, pw);
    assert_true(w1 == w2);
    /* direct definition: the polynomial over token hashes, mod 2^64 */
    uint64_t raw = 0;
    for (size_t i = 0; i < 5; i++)
        raw = raw * NGRAM_BASE + ks[i].hash;
    assert_true(w2 == raw);
    /* a different window or length differs */
    assert_true(ngram_window_hash(pre, 5, 5, pw) != w1);
    assert_true(ngram_window_hash(pre, 4, 4, ngram_base_pow(4)) != w1);
    free(ks);
    free(pre);
    free(k);
}

static void test_seed(void **state)
{
    (void)state;
    const char *s = "the same words";
    size_t n1, n2, n3;
    ngram_token *a = toks_n(NGRAM_UNIT_WORD, 0, 1, s, strlen(s), &n1, NULL);
    ngram_token *b = toks_n(NGRAM_UNIT_WORD, 0, 2, s, strlen(s), &n2, NULL);
    ngram_token *c = toks_n(NGRAM_UNIT_WORD, 0, 1, s, strlen(s), &n3, NULL);
    assert_int_equal(n1, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_true(a[i].hash != b[i].hash);
        assert_true(a[i].hash == c[i].hash);
    }
    ngram_token *d = toks_n(NGRAM_UNIT_CHAR, 0, 1, "ab", 2, &n1, NULL);
    ngram_token *e = toks_n(NGRAM_UNIT_CHAR, 0, 2, "ab", 2, &n2, NULL);
    assert_true(d[0].hash != e[0].hash);
    assert_true(d[0].hash == XXH3_64bits_withSeed("a", 1, 1));
    uint64_t pa[4], pb[4];
    ngram_prefix_fill(a, 3, pa);
    ngram_prefix_fill(b, 3, pb);
    assert_true(ngram_window_hash(pa, 0, 3, ngram_base_pow(3)) !=
                ngram_window_hash(pb, 0, 3, ngram_base_pow(3)));
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
}

/* ---- sizes, reuse, hostile input -------------------------------------------- */

static void test_long_inputs(void **state)
{
    (void)state;
    /* one ASCII word far beyond the initial buffer */
    size_t L = 300000;
    char *big = malloc(L);
    assert_non_null(big);
    for (size_t i = 0; i < L; i++)
        big[i] = (char)('A' + i % 26);
    size_t n;
    ngram_token *k = toks_n(NGRAM_UNIT_WORD, 0, NGRAM_DEFAULT_SEED, big, L, &n, NULL);
    assert_int_equal(n, 1);
    assert_int_equal(k[0].start, 0);
    assert_int_equal(k[0].end, L);
    for (size_t i = 0; i < L; i++)
        big[i] = (char)('a' + i % 26);
    assert_true(k[0].hash == XXH3_64bits_withSeed(big, L, NGRAM_DEFAULT_SEED));
    free(k);

    /* many tokens (token array growth), mixing every path */
    fill_mixed(big, L);
    for (int u = 0; u < 3; u++) {
        k = toks_n((ngram_unit)u, 0, NGRAM_DEFAULT_SEED, big, L, &n, NULL);
        assert_true(n > L / 11);
        free(k);
    }

    /* a long non-ASCII word; a base with thousands of combining marks
     * (bounded segments); thousands of ignorables; a long CJK run */
    size_t cap = 200000, len;
    char *u8 = malloc(cap);
    assert_non_null(u8);
    const char *pieces[] = {"é", "a\xCC\x81\xCC\x82\xCC\xA3\xCC\x88", "\xE2\x80\x8B", "字"};
    for (size_t p = 0; p < 4; p++) {
        len = 0;
        if (p == 1) {
            u8[len++] = 'a';
            while (len + 2 <= cap - 16) {
                memcpy(u8 + len, (rnd() & 1) ? "\xCC\x81" : "\xCC\xA3", 2);
                len += 2;
            }
        } else {
            size_t pl = strlen(pieces[p]);
            while (len + pl <= cap - 16) {
                memcpy(u8 + len, pieces[p], pl);
                len += pl;
            }
        }
        memcpy(u8 + len, "z", 1);
        len++;
        for (int u = 0; u < 3; u++) {
            uint64_t inv = 0;
            k = toks_n((ngram_unit)u, 0, NGRAM_DEFAULT_SEED, u8, len, &n, &inv);
            assert_int_equal(inv, 0);
            if (p == 3 && u == NGRAM_UNIT_WORD)
                assert_int_equal(n, (len - 1) / 3 + 1);
            if (p == 0 && u == NGRAM_UNIT_WORD) {
                assert_int_equal(n, 1);
                assert_int_equal(k[0].end, len);
            }
            if (p == 2 && u != NGRAM_UNIT_LMEVAL)
                assert_int_equal(n, 1); /* "z" */
            free(k);
        }
    }
    free(u8);
    free(big);
}

static void test_tokenizer_reuse(void **state)
{
    (void)state;
    ngram_config c = cfg_of(NGRAM_UNIT_WORD, 0);
    ngram_tokenizer *t = ngram_tokenizer_create(&c);
    assert_non_null(t);
    const ngram_token *k;
    size_t n;
    char *a = exact("one two three", 13);
    char *b = exact("four", 4);
    assert_int_equal(ngram_tokenize(t, a, 13, &k, &n, NULL), CONTAM_OK);
    assert_int_equal(n, 3);
    uint64_t h3 = k[2].hash;
    assert_int_equal(ngram_tokenize(t, b, 4, &k, &n, NULL), CONTAM_OK);
    assert_int_equal(n, 1);
    assert_true(k[0].hash == h("four"));
    assert_int_equal(ngram_tokenize(t, a, 13, &k, &n, NULL), CONTAM_OK);
    assert_true(k[2].hash == h3);
    free(a);
    free(b);
    ngram_tokenizer_free(t);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    /* Long enough to grow both the token array and the byte buffer. */
    size_t L = 20000;
    char *text = malloc(L);
    assert_non_null(text);
    fill_mixed(text, L);
    memset(text + 1000, 'q', 600);
    memcpy(text + 5000, "\xC3\xA9", 2);
    memset(text + 5002, 'r', 600);

    for (int u = 0; u < 3; u++) {
        ngram_config c = cfg_of((ngram_unit)u, 0);
        size_t want_n;
        ngram_token *want = toks_n((ngram_unit)u, 0, NGRAM_DEFAULT_SEED, text, L, &want_n, NULL);
        contam_buf want_norm = {0};
        assert_int_equal(ngram_normalize(&c, text, L, &want_norm), CONTAM_OK);
        int done_tok = 0, done_norm = 0;
        for (long fail = 0; fail < 1000 && !(done_tok && done_norm); fail++) {
            if (!done_tok) {
                contam_alloc_fail_after(fail);
                ngram_tokenizer *t = ngram_tokenizer_create(&c);
                if (t) {
                    const ngram_token *k;
                    size_t n = 7;
                    contam_status st = ngram_tokenize(t, text, L, &k, &n, NULL);
                    if (st == CONTAM_OK) {
                        contam_alloc_fail_after(-1);
                        assert_int_equal(n, want_n);
                        assert_memory_equal(k, want, n * sizeof *k);
                        done_tok = 1;
                    } else {
                        assert_int_equal(st, CONTAM_ERR_NOMEM);
                        assert_int_equal(n, 0);
                    }
                    ngram_tokenizer_free(t);
                }
            }
            if (!done_norm) {
                contam_alloc_fail_after(fail);
                contam_buf out = {0};
                contam_status st = ngram_normalize(&c, text, L, &out);
                contam_alloc_fail_after(-1);
                if (st == CONTAM_OK) {
                    assert_int_equal(out.size, want_norm.size);
                    assert_memory_equal(out.ptr, want_norm.ptr, out.size);
                    done_norm = 1;
                } else {
                    assert_int_equal(st, CONTAM_ERR_NOMEM);
                }
                contam_buf_free(&out);
            }
            contam_alloc_fail_after(-1);
        }
        assert_true(done_tok && done_norm);
        contam_buf_free(&want_norm);
        free(want);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unit_names),
        cmocka_unit_test(test_word_ascii),
        cmocka_unit_test(test_word_unicode),
        cmocka_unit_test(test_word_composition_equal_hashes),
        cmocka_unit_test(test_word_token_hash_definition),
        cmocka_unit_test(test_word_digits_zero),
        cmocka_unit_test(test_word_spans),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_lmeval),
        cmocka_unit_test(test_char),
        cmocka_unit_test(test_fast_path_matches_unicode_path),
        cmocka_unit_test(test_unicode_path_matches_utf8proc_map),
        cmocka_unit_test(test_composition_seconds_table),
        cmocka_unit_test(test_window_hash),
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_long_inputs),
        cmocka_unit_test(test_tokenizer_reuse),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
