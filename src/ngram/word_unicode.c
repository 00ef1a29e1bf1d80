/* word_unicode.c - WORD/CHAR normalization of a word that contains non-ASCII
 * bytes: NFKC + case folding with utf8proc, then filtering by category.
 *
 * Normalization. The result is that of utf8proc_map(word, STABLE | COMPOSE |
 * COMPAT | CASEFOLD | IGNORE) (IGNORE drops default-ignorables such as U+200B,
 * soft hyphen and variation selectors, so "word\uFE0F" stays "word"), computed
 * without malloc and with source spans. Each source code point is decomposed
 * on its own (that is all utf8proc does too); the decomposed stream is cut
 * into segments, each starting at a decomposed starter (combining class 0).
 * Canonical reordering never moves anything across a starter, and a starter
 * composes with what precedes it only when the previous segment's composed
 * text ends with a starter that pairs with it (Hangul LV + T, a few Indic
 * vowel signs), which we test and then merge the two segments. So normalizing
 * segment by segment equals normalizing the word, and every normalized code
 * point knows the source bytes of its segment. Only the last closed segment
 * and the open one are kept, so memory stays bounded for any word length.
 * Deliberate deviation, for bounded time and memory on hostile input (as in
 * UAX #15's stream-safe format): a segment that already holds NGRAM_SEG_MAX
 * code points is closed before a further combining mark, and merges stop at
 * NGRAM_MERGE_MAX code points. Real text never gets near either bound.
 *
 * Filtering (WORD). Letters, numbers and marks (Mn, Mc) are kept; P*, S*, C*
 * and enclosing marks (Me: keycaps, circles) are deleted without splitting;
 * whitespace produced by NFKC (U+00A8 -> U+0020 U+0308) separates. A mark is
 * kept only after a kept letter/number/mark of the same token, so a stray
 * mark (left over from a deleted symbol, or after a CJK token) never becomes
 * a token of its own. Each CJK ideograph and kana letter is a token of its own
 * (other scripts written without spaces, such as Thai, stay one token per
 * space-separated run). With digits_zero every Nd code point becomes '0'.
 *
 * Spans. A WORD token spans the source word (from its first non-whitespace
 * byte, deleted punctuation included) except where CJK tokens or NFKC
 * whitespace cut it: a CJK token spans the source segment (its code point and
 * any marks composed into it), and the text pieces around it span the rest.
 * A CHAR token spans the source segment of its code point.
 */
#include <string.h>

#include <utf8proc.h>

#include "ngram/ngram_internal.h"

#define DECOMPOSE_OPTS                                                                   \
    (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |          \
     UTF8PROC_IGNORE)
#define COMPOSE_OPTS (UTF8PROC_STABLE | UTF8PROC_COMPOSE)
/* Longest decomposition of one code point; Unicode 15's is 18 (U+FDFA). */
#define MAX_DECOMP 64

typedef struct {
    size_t ss, se; /* source byte span */
    size_t dlen;   /* decomposed code points: prev at t->dec[0], cur right after */
    size_t olen;   /* composed code points in t->out (prev only) */
} segment;

typedef struct {
    ngram_tokenizer *t;
    segment prev, cur;
    int has_prev;
    /* WORD: the token being built in t->w. */
    size_t n;
    size_t pstart;       /* where the current piece of the word starts */
    size_t cstart, cend; /* span of the segments that gave it bytes */
    int content;
} word_state;

static int ccc(int32_t c)
{
    return c < 0x300 ? 0 : utf8proc_get_property(c)->combining_class;
}

/* Stable sort of each run of non-starters by combining class: the same
 * result as utf8proc's bubble sort. */
static void canonical_order(int32_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        int32_t c = a[i];
        int k = ccc(c);
        if (k == 0)
            continue;
        size_t j = i;
        while (j > 0 && ccc(a[j - 1]) > k) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = c;
    }
}

/* Composes the closed segment g (its decomposition is at t->dec[0]). */
static void seg_compose(ngram_tokenizer *t, segment *g)
{
    g->olen = g->dlen;
    if (g->dlen == 1) { /* most segments: one precomposed code point */
        t->out[0] = t->dec[0];
    } else {
        memcpy(t->out, t->dec, g->dlen * sizeof *t->out);
        canonical_order(t->out, g->dlen);
        utf8proc_ssize_t r = utf8proc_normalize_utf32(t->out, (utf8proc_ssize_t)g->dlen,
                                                      COMPOSE_OPTS);
        if (r > 0)
            g->olen = (size_t)r;
    }
}

int ngram_may_compose_second(int32_t b)
{
    /* Starters that are the second half of a canonical composition pair:
     * Hangul medial vowel and final consonant jamo, and a few Indic (and
     * Brahmic) vowel/length marks. The unit test re-derives this list from
     * utf8proc's tables, so a library with newer Unicode data fails loudly. */
    static const int32_t seconds[] = {
        0x09BE,  0x09D7,  0x0B3E,  0x0B56,  0x0B57,  0x0BBE,  0x0BD7,  0x0CC2,
        0x0CD5,  0x0CD6,  0x0D3E,  0x0D57,  0x0DCF,  0x0DDF,  0x102E,  0x1B35,
        0x11127, 0x1133E, 0x11357, 0x114B0, 0x114BA, 0x114BD, 0x115AF, 0x11930,
    };
    if (b < 0x09BE)
        return 0;
    if ((b >= 0x1161 && b <= 0x1175) || (b >= 0x11A8 && b <= 0x11C2))
        return 1;
    size_t lo = 0, hi = sizeof seconds / sizeof *seconds;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (seconds[mid] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sizeof seconds / sizeof *seconds && seconds[lo] == b;
}

/* Does starter b compose with the code point a just before it? Asking
 * utf8proc costs a full composition pass, so rule out almost every b first. */
static int composes(int32_t a, int32_t b)
{
    if (!ngram_may_compose_second(b))
        return 0;
    utf8proc_int32_t two[2] = {a, b};
    return utf8proc_normalize_utf32(two, 2, COMPOSE_OPTS) == 1;
}

/* CJK ideographs (unified, extensions A-H, compatibility), ideographic
 * iteration/number marks and kana: scripts written without spaces, where one
 * character is the unit. Only called for letters and numbers. */
static int is_cjk(int32_t c)
{
    if (c < 0x3005)
        return 0;
    if (c < 0x10000)
        return c <= 0x3007 || (c >= 0x3021 && c <= 0x3029) || (c >= 0x3038 && c <= 0x303C) ||
               (c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
               (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
               (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF66 && c <= 0xFF9F);
    return (c >= 0x1AFF0 && c <= 0x1B16F) || (c >= 0x20000 && c <= 0x2FA1F) ||
           (c >= 0x30000 && c <= 0x323AF);
}

static int is_letter_or_number(utf8proc_category_t cat)
{
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
           (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

static int is_separator(utf8proc_category_t cat)
{
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
           cat == UTF8PROC_CATEGORY_ZP;
}

static contam_status emit_cp(ngram_tokenizer *t, int32_t c, size_t ss, size_t se)
{
    unsigned char b[4];
    size_t n = ngram_utf8_encode(c, b);
    return ngram_emit(t, XXH3_64bits_withSeed(b, n, t->cfg.seed), b, n, ss, se);
}

/* Ends the current piece of a WORD word at source offset end. */
static contam_status piece_end(word_state *w, size_t end)
{
    contam_status st = CONTAM_OK;
    if (w->content) {
        size_t start = w->pstart < w->cstart ? w->pstart : w->cstart;
        if (end < w->cend)
            end = w->cend;
        ngram_tokenizer *t = w->t;
        st = ngram_emit(t, XXH3_64bits_withSeed(t->w, w->n, t->cfg.seed), t->w, w->n, start,
                        end);
    }
    w->n = 0;
    w->content = 0;
    return st;
}

static contam_status piece_put(word_state *w, int32_t c, const segment *g)
{
    ngram_tokenizer *t = w->t;
    if (t->wcap - w->n < 4 && ngram_grow_bytes(t, w->n + 4))
        return CONTAM_ERR_NOMEM;
    if (!w->content) {
        w->content = 1;
        w->cstart = g->ss;
    }
    w->cend = g->se;
    w->n += ngram_utf8_encode(c, t->w + w->n);
    return CONTAM_OK;
}

static contam_status finalize_word(word_state *w, const segment *g)
{
    ngram_tokenizer *t = w->t;
    for (size_t i = 0; i < g->olen; i++) {
        int32_t c = t->out[i];
        contam_status st = CONTAM_OK;
        if (c < 0x80) {
            unsigned char m = t->wmap[c];
            if (m > NGRAM_M_DEL) {
                st = piece_put(w, m, g);
            } else if (m == NGRAM_M_SPACE) {
                st = piece_end(w, g->ss);
                w->pstart = g->se;
            }
        } else {
            utf8proc_category_t cat = utf8proc_category(c);
            if (cat == UTF8PROC_CATEGORY_ND && t->cfg.digits_zero) {
                st = piece_put(w, '0', g);
            } else if (is_letter_or_number(cat)) {
                if (is_cjk(c)) {
                    st = piece_end(w, g->ss);
                    if (st == CONTAM_OK)
                        st = emit_cp(t, c, g->ss, g->se);
                    w->pstart = g->se;
                } else {
                    st = piece_put(w, c, g);
                }
            } else if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC) {
                if (w->content)
                    st = piece_put(w, c, g);
            } else if (is_separator(cat)) {
                st = piece_end(w, g->ss);
                w->pstart = g->se;
            }
        }
        if (st != CONTAM_OK)
            return st;
    }
    return CONTAM_OK;
}

static contam_status finalize_char(word_state *w, const segment *g)
{
    ngram_tokenizer *t = w->t;
    for (size_t i = 0; i < g->olen; i++) {
        int32_t c = t->out[i];
        contam_status st = CONTAM_OK;
        if (c < 0x80) {
            unsigned char m = t->wmap[c];
            if (m > NGRAM_M_DEL)
                st = ngram_emit(t, t->char_hash[m], &m, 1, g->ss, g->se);
        } else {
            utf8proc_category_t cat = utf8proc_category(c);
            if (cat == UTF8PROC_CATEGORY_ND && t->cfg.digits_zero) {
                unsigned char z = '0';
                st = ngram_emit(t, t->char_hash['0'], &z, 1, g->ss, g->se);
            } else if (is_letter_or_number(cat)) {
                st = emit_cp(t, c, g->ss, g->se);
            }
        }
        if (st != CONTAM_OK)
            return st;
    }
    return CONTAM_OK;
}

static contam_status finalize(word_state *w, const segment *g)
{
    return w->t->cfg.unit == NGRAM_UNIT_CHAR ? finalize_char(w, g) : finalize_word(w, g);
}

/* Closes the open segment: merges it into the previous one when its first
 * starter composes across the boundary, else finalizes the previous one and
 * makes the open one previous. */
static contam_status close_cur(word_state *w, int forced)
{
    ngram_tokenizer *t = w->t;
    segment *p = &w->prev, *c = &w->cur;
    if (c->dlen == 0) {
        /* Only default-ignorables since the last boundary. */
        if (w->has_prev)
            p->se = c->se;
        return CONTAM_OK;
    }
    if (w->has_prev && !forced && p->olen > 0 && p->dlen + c->dlen <= NGRAM_MERGE_MAX &&
        composes(t->out[p->olen - 1], t->dec[p->dlen])) {
        p->dlen += c->dlen;
        p->se = c->se;
        seg_compose(t, p);
    } else {
        if (w->has_prev) {
            contam_status st = finalize(w, p);
            if (st != CONTAM_OK)
                return st;
            if (c->dlen == 1)
                t->dec[0] = t->dec[p->dlen];
            else
                memmove(t->dec, t->dec + p->dlen, c->dlen * sizeof *t->dec);
        }
        *p = *c;
        w->has_prev = 1;
        seg_compose(t, p);
    }
    c->dlen = 0;
    c->ss = c->se = p->se;
    return CONTAM_OK;
}

/* Adds source code point cp at [cs, ce) to the open segment. */
static contam_status add_cp(word_state *w, int32_t cp, size_t cs, size_t ce)
{
    ngram_tokenizer *t = w->t;
    utf8proc_int32_t tmp[MAX_DECOMP];
    size_t r;
    int starter;
    if (cp < 0x80) {
        tmp[0] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
        r = 1;
        starter = 1;
    } else {
        int bc = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char(cp, tmp, MAX_DECOMP, DECOMPOSE_OPTS, &bc);
        if (k < 0 || k > MAX_DECOMP) { /* impossible for a valid scalar value */
            tmp[0] = 0xFFFD;
            k = 1;
        }
        r = (size_t)k;
        if (r == 0) { /* default-ignorable: only widens the span */
            w->cur.se = ce;
            return CONTAM_OK;
        }
        starter = ccc(tmp[0]) == 0;
    }
    if (w->cur.dlen > 0 && (starter || w->cur.dlen + r > NGRAM_SEG_MAX)) {
        contam_status st = close_cur(w, !starter);
        if (st != CONTAM_OK)
            return st;
        w->cur.ss = cs;
    }
    memcpy(t->dec + w->prev.dlen + w->cur.dlen, tmp, r * sizeof *tmp);
    w->cur.dlen += r;
    w->cur.se = ce;
    return CONTAM_OK;
}

contam_status ngram_word_unicode(ngram_tokenizer *t, const unsigned char *s, size_t len,
                                 size_t *pp)
{
    size_t q = *pp;
    int32_t cp;
    size_t k = ngram_utf8_decode(s + q, len - q, &cp);
    if (cp >= 0 && ngram_is_space(cp)) {
        *pp = q + k;
        return CONTAM_OK;
    }
    word_state w;
    memset(&w, 0, sizeof w);
    w.t = t;
    w.pstart = q;
    w.cur.ss = w.cur.se = q;
    size_t next = len;
    contam_status st;
    for (;;) {
        if (cp < 0) {
            t->invalid++;
            cp = 0xFFFD;
        }
        st = add_cp(&w, cp, q, q + k);
        if (st != CONTAM_OK)
            return st;
        q += k;
        if (q >= len)
            break;
        k = ngram_utf8_decode(s + q, len - q, &cp);
        if (cp >= 0 && ngram_is_space(cp)) {
            next = q + k;
            break;
        }
    }
    st = close_cur(&w, 0);
    if (st == CONTAM_OK && w.has_prev)
        st = finalize(&w, &w.prev);
    if (st == CONTAM_OK && t->cfg.unit != NGRAM_UNIT_CHAR)
        st = piece_end(&w, q);
    *pp = next;
    return st;
}
