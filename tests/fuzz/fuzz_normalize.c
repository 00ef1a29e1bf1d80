/* fuzz_normalize.c - fuzz target for the normalizer/tokenizer
 * (ngram_tokenize, ngram_normalize) on arbitrary bytes, all three units.
 *
 * Properties, per unit:
 *  - spans lie inside the text and are ordered (WORD/LMEVAL tokens do not
 *    overlap, except WORD pieces cut out of one source code point by NFKC
 *    whitespace; CHAR tokens of one code point share its span) and never
 *    start on whitespace;
 *  - determinism: the same text twice, and through a fresh tokenizer, gives
 *    the same tokens;
 *  - invariance: an ASCII space appended gives the same tokens; one
 *    prepended gives the same tokens shifted by one byte;
 *  - ngram_normalize is the token list: its space-separated pieces hash to
 *    the token hashes;
 *  - every unit counts the same invalid UTF-8 subparts (U+FFFD substitution
 *    of maximal subparts, checked by an independent decoder);
 *  - LMEVAL equals an independent port of the lm-eval janitor, and is
 *    idempotent (normalize, tokenize again: same hashes);
 *  - WORD/CHAR: a soft hyphen (U+00AD, default-ignorable) before every word
 *    sends the words through the Unicode path instead of the ASCII fast path:
 *    same hashes; digits_zero changes no span;
 *  - WORD idempotence (tokenizing ngram_normalize(text) gives the same hashes)
 *    is checked where it holds; see idempotence_expected() for the input
 *    class where it does not.
 */
#include "fuzz_util.h"
#include "ngram/ngram.h"

#include <utf8proc.h>

typedef struct {
    ngram_token *v;
    size_t n, cap;
    uint64_t invalid;
} toklist;

static ngram_tokenizer *tk[3][2]; /* [unit][digits_zero] */

static ngram_config cfg_of(int unit, int dz)
{
    ngram_config c = {(ngram_unit)unit, dz, NGRAM_DEFAULT_SEED};
    return c;
}

static void tokenize(ngram_tokenizer *t, const uint8_t *s, size_t n, toklist *out)
{
    const ngram_token *toks;
    size_t nt;
    out->invalid = 0;
    contam_status st = ngram_tokenize(t, (const char *)s, n, &toks, &nt, &out->invalid);
    FUZZ_CHECK(st == CONTAM_OK, "ngram_tokenize: %s", contam_status_name(st));
    if (nt > out->cap) {
        out->cap = nt;
        out->v = realloc(out->v, nt * sizeof *out->v);
        if (!out->v)
            abort();
    }
    if (nt)
        memcpy(out->v, toks, nt * sizeof *toks);
    out->n = nt;
}

static int same_tokens(const toklist *a, const toklist *b, int64_t shift, int hashes_only)
{
    if (a->n != b->n || a->invalid != b->invalid)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i].hash != b->v[i].hash)
            return 0;
        if (!hashes_only && ((int64_t)a->v[i].start + shift != (int64_t)b->v[i].start ||
                             (int64_t)a->v[i].end + shift != (int64_t)b->v[i].end))
            return 0;
    }
    return 1;
}

static int ascii_space(uint8_t c) { return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F); }

/* Python's str.isspace(). */
static int py_space(int32_t c)
{
    static const int32_t list[] = {0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
    if (c < 0x80)
        return ascii_space((uint8_t)c);
    if (c >= 0x2000 && c <= 0x200A)
        return 1;
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        if (list[i] == c)
            return 1;
    return 0;
}

/* UTF-8 decoding per Unicode Table 3-7 with maximal-subpart replacement:
 * returns the bytes consumed, *cp = -1 for an ill-formed subpart. */
static size_t ref_decode(const uint8_t *s, size_t n, int32_t *cp)
{
    static const struct {
        uint8_t lead_lo, lead_hi, len, second_lo, second_hi;
    } rows[] = {
        {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF}, {0xE1, 0xEC, 3, 0x80, 0xBF},
        {0xED, 0xED, 3, 0x80, 0x9F}, {0xEE, 0xEF, 3, 0x80, 0xBF}, {0xF0, 0xF0, 4, 0x90, 0xBF},
        {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
    };
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        if (s[0] < rows[r].lead_lo || s[0] > rows[r].lead_hi)
            continue;
        size_t len = rows[r].len;
        int32_t v = s[0] & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
        for (size_t i = 1; i < len; i++) {
            uint8_t lo = i == 1 ? rows[r].second_lo : 0x80;
            uint8_t hi = i == 1 ? rows[r].second_hi : 0xBF;
            if (i >= n || s[i] < lo || s[i] > hi) {
                *cp = -1;
                return i;
            }
            v = (v << 6) | (s[i] & 0x3F);
        }
        *cp = v;
        return len;
    }
    *cp = -1;
    return 1;
}

/* lm-evaluation-harness v0.3 janitor:
 * s.translate(lower ASCII, delete string.punctuation).split(). */
static void ref_lmeval(const uint8_t *s, size_t n, toklist *out, contam_buf *w)
{
    static const char punct[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    out->n = 0;
    out->invalid = 0;
    size_t i = 0, ws = 0;
    int in_word = 0;
    for (;;) {
        int32_t cp = ' ';
        size_t k = 1;
        if (i < n)
            k = ref_decode(s + i, n - i, &cp);
        if (i >= n || (cp >= 0 && py_space(cp))) {
            if (in_word && w->size) {
                if (out->n == out->cap) {
                    out->cap = out->cap ? 2 * out->cap : 64;
                    out->v = realloc(out->v, out->cap * sizeof *out->v);
                    if (!out->v)
                        abort();
                }
                ngram_token *t = &out->v[out->n++];
                t->hash = XXH3_64bits_withSeed(w->ptr, w->size, NGRAM_DEFAULT_SEED);
                t->start = (uint32_t)ws;
                t->end = (uint32_t)i;
            }
            in_word = 0;
            if (i >= n)
                return;
            i += k;
            continue;
        }
        if (!in_word) {
            in_word = 1;
            ws = i;
            contam_buf_reset(w);
        }
        int rc = 0;
        if (cp < 0) {
            out->invalid++;
            rc = contam_buf_append(w, "\xEF\xBF\xBD", 3);
        } else if (cp < 0x80) {
            char c = (char)cp;
            if (c >= 'A' && c <= 'Z')
                c = (char)(c + 32);
            if (c == 0 || !strchr(punct, c))
                rc = contam_buf_append(w, &c, 1);
        } else {
            rc = contam_buf_append(w, s + i, k);
        }
        if (rc)
            abort();
        i += k;
    }
}

static void check_spans(int unit, const uint8_t *s, size_t n, const toklist *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const ngram_token *k = &t->v[i];
        FUZZ_CHECK(k->start < k->end && k->end <= n, "%s token %zu: span [%u,%u) in %zu bytes",
                   ngram_unit_name((ngram_unit)unit), i, k->start, k->end, n);
        FUZZ_CHECK(!ascii_space(s[k->start]) && !ascii_space(s[k->end - 1]),
                   "%s token %zu: span [%u,%u) starts or ends on whitespace",
                   ngram_unit_name((ngram_unit)unit), i, k->start, k->end);
        if (i == 0)
            continue;
        const ngram_token *p = &t->v[i - 1];
        int disjoint = k->start >= p->end;
        int same = k->start == p->start && k->end == p->end;
        /* A WORD piece may end inside the code point whose NFKC expansion
         * holds the whitespace that cut it: the next piece starts there. */
        int nested = k->start >= p->start && k->end >= p->end && s[k->start] >= 0x80;
        int ok = unit == NGRAM_UNIT_LMEVAL ? disjoint
                 : unit == NGRAM_UNIT_CHAR ? disjoint || same
                                           : disjoint || same || nested;
        FUZZ_CHECK(ok, "%s tokens %zu [%u,%u) and %zu [%u,%u) overlap",
                   ngram_unit_name((ngram_unit)unit), i - 1, p->start, p->end, i, k->start,
                   k->end);
    }
}

/* ngram_normalize's pieces hash to the tokens. */
static void check_normalize(int unit, int dz, const uint8_t *s, size_t n, const toklist *t,
                            contam_buf *norm)
{
    ngram_config cfg = cfg_of(unit, dz);
    contam_status st = ngram_normalize(&cfg, (const char *)s, n, norm);
    FUZZ_CHECK(st == CONTAM_OK, "ngram_normalize: %s", contam_status_name(st));
    size_t i = 0, k = 0;
    while (i < norm->size) {
        const char *sp = memchr(norm->ptr + i, ' ', norm->size - i);
        size_t e = sp ? (size_t)(sp - norm->ptr) : norm->size;
        FUZZ_CHECK(e > i, "%s: empty piece in the normalized text",
                   ngram_unit_name((ngram_unit)unit));
        FUZZ_CHECK(k < t->n, "%s: normalized text has more pieces than the %zu tokens",
                   ngram_unit_name((ngram_unit)unit), t->n);
        FUZZ_CHECK(XXH3_64bits_withSeed(norm->ptr + i, e - i, NGRAM_DEFAULT_SEED) == t->v[k].hash,
                   "%s: piece %zu does not hash to token %zu", ngram_unit_name((ngram_unit)unit),
                   k, k);
        k++;
        i = sp ? e + 1 : e;
        if (sp && i == norm->size)
            FUZZ_CHECK(0, "%s: normalized text ends with a space",
                       ngram_unit_name((ngram_unit)unit));
    }
    FUZZ_CHECK(k == t->n, "%s: %zu normalized pieces, %zu tokens",
               ngram_unit_name((ngram_unit)unit), k, t->n);
}

/* Where WORD normalization is not idempotent (found by this target; see
 * the fuzzing report): the text is NFKC-composed before punctuation,
 * symbols, controls and invalid UTF-8 are deleted, so a combining mark or
 * a composable starter (Hangul medial/final jamo, some Indic vowel signs)
 * that followed a deleted character lands next to a letter it composes with
 * only on the second pass: "a!\u0301" -> "a\u0301" -> "\u00e1",
 * "\u1100.\u1161" -> "\u1100\u1161" -> "\uac00". And runs of more than
 * NGRAM_SEG_MAX decomposed combining marks are cut into stream-safe
 * segments (a documented deviation) whose boundaries move between passes.
 * Idempotence is asserted for every text outside those two classes. */
#define DECOMPOSE_OPTS                                                                   \
    (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |          \
     UTF8PROC_IGNORE)

static int kept_by_word(int32_t c)
{
    utf8proc_category_t k = utf8proc_category(c);
    return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
           (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO) ||
           k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC;
}

static int idempotence_expected(const uint8_t *s, size_t n)
{
    int prev_deleted = 0; /* the previous non-ignorable code point lost a part */
    size_t run = 0;       /* decomposed non-starters since the last starter */
    for (size_t i = 0; i < n;) {
        int32_t cp, d[64];
        size_t k = ref_decode(s + i, n - i, &cp);
        i += k;
        if (cp < 0) {
            prev_deleted = 1;
            run = 0;
            continue;
        }
        int bc = 0;
        utf8proc_ssize_t r = utf8proc_decompose_char(cp, d, 64, DECOMPOSE_OPTS, &bc);
        if (r == 0)
            continue; /* default-ignorable: dropped before composing */
        if (r < 0 || r > 64)
            return 0;
        int first_mark = utf8proc_get_property(d[0])->combining_class != 0;
        utf8proc_category_t cat = utf8proc_category(d[0]);
        int composes = (d[0] >= 0x1161 && d[0] <= 0x1175) || (d[0] >= 0x11A8 && d[0] <= 0x11C2) ||
                       cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
                       cat == UTF8PROC_CATEGORY_ME;
        if ((first_mark || composes) && prev_deleted)
            return 0;
        run = first_mark ? run + (size_t)r : (size_t)r - 1;
        if (run > 40)
            return 0;
        prev_deleted = 0;
        for (utf8proc_ssize_t j = 0; j < r; j++)
            if (!kept_by_word(d[j]))
                prev_deleted = 1;
    }
    return 1;
}

static unsigned long idem_checked, idem_excluded, idem_failed;

static void report_idempotence(void)
{
    if (getenv("FUZZ_IDEM_STATS"))
        fprintf(stderr, "WORD idempotence: asserted on %lu inputs; in the excluded "
                "classes %lu inputs, of which %lu differed\n",
                idem_checked, idem_excluded, idem_failed);
}

/* U+00AD before every word that starts with an ASCII byte. */
static void shy_words(const uint8_t *s, size_t n, contam_buf *out)
{
    contam_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x80 && !ascii_space(s[i]) && (i == 0 || ascii_space(s[i - 1])))
            if (contam_buf_append(out, "\xC2\xAD", 2))
                abort();
        if (contam_buf_append(out, s + i, 1))
            abort();
    }
    if (contam_buf_append(out, "", 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static toklist a, b, r;
    static contam_buf buf, norm, w;
    if (!tk[0][0]) {
        for (int u = 0; u < 3; u++)
            for (int dz = 0; dz < 2; dz++) {
                ngram_config c = cfg_of(u, dz);
                tk[u][dz] = ngram_tokenizer_create(&c);
                if (!tk[u][dz])
                    abort();
            }
        atexit(report_idempotence);
    }
    uint64_t invalid_ref = 0;
    for (int u = 0; u < 3; u++) {
        const char *un = ngram_unit_name((ngram_unit)u);
        ngram_tokenizer *t = tk[u][0];
        tokenize(t, data, size, &a);
        check_spans(u, data, size, &a);

        tokenize(t, data, size, &b);
        FUZZ_CHECK(same_tokens(&a, &b, 0, 0), "%s: same text, different tokens", un);
        ngram_config c = cfg_of(u, 0);
        ngram_tokenizer *fresh = ngram_tokenizer_create(&c);
        if (!fresh)
            abort();
        tokenize(fresh, data, size, &b);
        ngram_tokenizer_free(fresh);
        FUZZ_CHECK(same_tokens(&a, &b, 0, 0), "%s: fresh tokenizer, different tokens", un);

        contam_buf_reset(&buf);
        if (contam_buf_append(&buf, data, size) || contam_buf_append(&buf, " ", 1))
            abort();
        tokenize(t, (const uint8_t *)buf.ptr, buf.size, &b);
        FUZZ_CHECK(same_tokens(&a, &b, 0, 0), "%s: trailing space changes the tokens", un);
        contam_buf_reset(&buf);
        if (contam_buf_append(&buf, " ", 1) || contam_buf_append(&buf, data, size))
            abort();
        tokenize(t, (const uint8_t *)buf.ptr, buf.size, &b);
        FUZZ_CHECK(same_tokens(&a, &b, 1, 0), "%s: leading space changes the tokens", un);

        check_normalize(u, 0, data, size, &a, &norm);

        if (u == NGRAM_UNIT_LMEVAL) {
            ref_lmeval(data, size, &r, &w);
            invalid_ref = r.invalid;
            FUZZ_CHECK(same_tokens(&a, &r, 0, 0), "lmeval differs from the janitor port");
            tokenize(t, (const uint8_t *)norm.ptr, norm.size, &b);
            /* Normalized text is valid UTF-8: same hashes, no invalid. */
            FUZZ_CHECK(b.n == a.n && b.invalid == 0, "lmeval: normalized text re-tokenizes "
                       "into %zu tokens (%llu invalid), expected %zu", b.n,
                       (unsigned long long)b.invalid, a.n);
            for (size_t i = 0; i < a.n; i++)
                FUZZ_CHECK(a.v[i].hash == b.v[i].hash, "lmeval: not idempotent at token %zu", i);
            continue;
        }

        /* digits_zero maps digits, it never moves a token boundary. */
        tokenize(tk[u][1], data, size, &b);
        FUZZ_CHECK(a.n == b.n, "%s: digits_zero gives %zu tokens instead of %zu", un, b.n, a.n);
        for (size_t i = 0; i < a.n; i++)
            FUZZ_CHECK(a.v[i].start == b.v[i].start && a.v[i].end == b.v[i].end,
                       "%s: digits_zero moves token %zu", un, i);
        check_normalize(u, 1, data, size, &b, &buf);

        /* The Unicode path agrees with the ASCII fast path. */
        shy_words(data, size, &buf);
        tokenize(t, (const uint8_t *)buf.ptr, buf.size, &b);
        FUZZ_CHECK(same_tokens(&a, &b, 0, 1),
                   "%s: a soft hyphen before each word changes the tokens (%zu -> %zu)", un, a.n,
                   b.n);

        if (u == NGRAM_UNIT_WORD) {
            tokenize(t, (const uint8_t *)norm.ptr, norm.size, &b);
            int same = b.n == a.n && b.invalid == 0;
            for (size_t i = 0; same && i < a.n; i++)
                same = a.v[i].hash == b.v[i].hash;
            if (idempotence_expected(data, size)) {
                FUZZ_CHECK(same, "word: normalizing twice changes the tokens");
                idem_checked++;
            } else {
                idem_excluded++;
                idem_failed += !same;
            }
        }
        FUZZ_CHECK(a.invalid == invalid_ref || u == NGRAM_UNIT_WORD,
                   "%s: %llu invalid subparts, the reference decoder counts %llu", un,
                   (unsigned long long)a.invalid, (unsigned long long)invalid_ref);
    }
    /* WORD ran before the reference count was known. */
    tokenize(tk[0][0], data, size, &a);
    FUZZ_CHECK(a.invalid == invalid_ref, "word: %llu invalid subparts, reference %llu",
               (unsigned long long)a.invalid, (unsigned long long)invalid_ref);
    return 0;
}
