/* lint_checks.c - the per-item lint checks that need nothing but the item:
 * gold label, options (count, empty, duplicates, references to other
 * options), references to missing context, gold text in the question,
 * encoding defects and markup leftovers. GSM8K rationales are checked in
 * lint_gsm8k.c. Each rule is deliberately narrow; docs/CHECKS.md records
 * what each one misses and how often its hits were real on the shared data. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "quality/quality_internal.h"

typedef struct {
    q_lint_out out;
    contam_buf msg, a, b, q;
} lctx;

void q_emitf(q_lint_out *o, int check, const char *fmt, ...)
{
    if (o->failed)
        return;
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (o->emit(check, buf, o->user))
        o->failed = 1;
}

/* An excerpt of s into c->msg (reset), for messages. */
static const char *ex(lctx *c, contam_buf *into, const char *s, size_t n, size_t max)
{
    contam_buf_reset(into);
    if (q_excerpt(s, n, max, into)) {
        c->out.failed = 1;
        return "";
    }
    return into->ptr;
}

static char letter(size_t k) { return k < 26 ? (char)('A' + k) : '?'; }

/* ---- gold and options ---------------------------------------------------------- */

static void check_gold(lctx *c, const bench_set *b, size_t i, const quality_item_view *v,
                       size_t usual)
{
    const char *preset = b->preset ? b->preset : "generic";
    if (v->gold_state == QUALITY_GOLD_MISSING && strcmp(preset, "gsm8k"))
        q_emitf(&c->out, QC_GOLD_MISSING, "no gold label");
    if (v->gold_state == QUALITY_GOLD_BAD)
        q_emitf(&c->out, QC_GOLD_RANGE, "gold label '%s' does not name one of the %zu options",
                ex(c, &c->a, b->items[i].label, strlen(b->items[i].label), 40), v->nopt);
    if (v->mc && usual && v->nopt != usual)
        q_emitf(&c->out, QC_OPTION_COUNT, "%zu options; most items of this benchmark have %zu",
                v->nopt, usual);
}

/* Only the first character differs in case and it starts a real word of at
 * least 3 letters: "Employee rights" / "employee rights". Genotypes ("Bb",
 * "bb"), formal logic ("Sc", "sC") and numerals ("II", "ii") stay distinct. */
static int initial_case_only(const char *x, size_t nx, const char *y, size_t ny)
{
    if (nx != ny || nx < 3 || x[0] == y[0] || (x[0] | 32) != (y[0] | 32) ||
        !((x[0] | 32) >= 'a' && (x[0] | 32) <= 'z') || memcmp(x + 1, y + 1, nx - 1))
        return 0;
    size_t k = 1;
    while (k < nx && x[k] >= 'a' && x[k] <= 'z')
        k++;
    return k >= 3 && (k == nx || x[k] == ' ' || x[k] == ',' || x[k] == '.');
}

static void check_options(lctx *c, const quality_item_view *v)
{
    size_t n = v->nopt < QUALITY_MAX_OPTIONS ? v->nopt : QUALITY_MAX_OPTIONS;
    size_t off[QUALITY_MAX_OPTIONS + 1];
    contam_buf_reset(&c->b); /* all options, normalized, one after the other */
    for (size_t k = 0; k < n; k++) {
        off[k] = c->b.size;
        if (q_norm_ws(v->opt[k], v->optlen[k], &c->b)) {
            c->out.failed = 1;
            return;
        }
        if (c->b.size == off[k])
            q_emitf(&c->out, QC_EMPTY_OPTION, "option %c is empty", letter(k));
    }
    off[n] = c->b.size;
    for (size_t x = 0; x < n; x++) {
        const char *a = c->b.ptr + off[x];
        size_t na = off[x + 1] - off[x];
        if (!na)
            continue;
        for (size_t y = x + 1; y < n; y++) {
            const char *b = c->b.ptr + off[y];
            size_t nb = off[y + 1] - off[y];
            int same = na == nb && !memcmp(a, b, na);
            if (same || initial_case_only(a, na, b, nb)) {
                q_emitf(&c->out, QC_DUP_OPTIONS, "options %c and %c are %s: '%s'", letter(x),
                        letter(y), same ? "identical" : "identical but for the first letter's case",
                        ex(c, &c->msg, a, na, 120));
                break;
            }
        }
    }
}

/* ---- options referring to other options ------------------------------------------ */

static const char *const above_phrases[] = {
    "all of the above", "none of the above", "all the above", "none the above",
    "both of the above", "neither of the above", "any of the above", "all of these",
    "none of these", "both of these", "neither of these", "all of the options",
    "none of the options", "all of the choices", "none of the choices", "all of the answers",
    "none of the answers", "all the options", "none of the other", "all of the other",
    "all answers are correct", "all are correct", "all are true", "none are correct",
    "none is correct", "both a and b", "both b and c", NULL};

/* Is letter L (upper case) a label inside the question: a standalone capital
 * ("segments A B C") or a parenthesized one ("(b)")? 'A' alone is too often
 * the article to count. */
static int question_labels(const char *q, size_t n, char up)
{
    for (size_t i = 0; i < n; i++) {
        if (q[i] == '(' && i + 2 < n && (q[i + 1] | 32) == (up | 32) && q[i + 2] == ')')
            return 1;
        if (up != 'A' && q[i] == up && (i == 0 || !isalnum((unsigned char)q[i - 1])) &&
            (i + 1 == n || !isalnum((unsigned char)q[i + 1])))
            return 1;
    }
    return 0;
}

/* "A and C", "both (a) and (b)", "A, B, and C", "B or D", "A & B": option
 * letters joined by connectives and nothing else. Roman numerals (I, II...)
 * refer to statements in the question, and so do letters the question itself
 * uses as labels ("segments A, B and C"): neither counts. */
static int letter_reference(const char *s, size_t n, size_t nopt, const char *q, size_t qlen)
{
    size_t letters = 0, labelled = 0, i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == '.' || s[i] == ';'))
            i++;
        if (i >= n)
            break;
        size_t st = i;
        while (i < n && s[i] != ' ' && s[i] != ',' && s[i] != ';')
            i++;
        size_t len = i - st;
        const char *w = s + st;
        /* strip "(a)", "a)", "a." decorations */
        if (len >= 2 && w[0] == '(') {
            w++;
            len--;
        }
        while (len >= 2 && (w[len - 1] == ')' || w[len - 1] == '.'))
            len--;
        if (len == 1 && ((w[0] | 32) >= 'a' && (size_t)((w[0] | 32) - 'a') < nopt)) {
            if ((w[0] | 32) == 'i')
                return 0;
            letters++;
            labelled += question_labels(q, qlen, (char)((w[0] | 32) - 32));
            continue;
        }
        static const char *const joiners[] = {"and", "or", "nor", "&", "both", "neither",
                                              "only", "options", "choices", "answers", NULL};
        int ok = 0;
        for (size_t k = 0; joiners[k] && !ok; k++)
            ok = strlen(joiners[k]) == len && !strncmp(joiners[k], w, len);
        if (!ok)
            return 0;
    }
    return letters >= 2 && labelled == 0;
}

static size_t words_in(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += s[i] != ' ' && (i == 0 || s[i - 1] == ' ');
    return w;
}

static void check_option_refs(lctx *c, const bench_set *b, const quality_item_view *v)
{
    size_t n = v->nopt < QUALITY_MAX_OPTIONS ? v->nopt : QUALITY_MAX_OPTIONS;
    /* HellaSwag's options are continuations of a story, not answers: "both of
     * these treatments" there refers to the story */
    if (b->preset && !strcmp(b->preset, "hellaswag"))
        return;
    for (size_t k = 0; k < n; k++) {
        contam_buf_reset(&c->a);
        if (q_norm_ws_fold(v->opt[k], v->optlen[k], &c->a)) {
            c->out.failed = 1;
            return;
        }
        /* the phrase opens the option, or the option is short: "None of the
         * above.", "moons contribute to all of the above" */
        const char *hit = NULL;
        size_t nw = words_in(c->a.ptr, c->a.size);
        for (size_t p = 0; above_phrases[p] && !hit; p++) {
            long at = q_find_word(c->a.ptr, c->a.size, above_phrases[p], strlen(above_phrases[p]));
            if (at == 0 || (at > 0 && nw <= 8))
                hit = above_phrases[p];
        }
        if (hit) {
            q_emitf(&c->out, QC_OPTION_REFS, "option %c says '%s'", letter(k),
                    ex(c, &c->msg, v->opt[k], v->optlen[k], 120));
            continue;
        }
        if (letter_reference(c->a.ptr, c->a.size, n, v->q, v->qlen))
            q_emitf(&c->out, QC_OPTION_REFS, "option %c refers to other options by letter: '%s'",
                    letter(k), ex(c, &c->msg, v->opt[k], v->optlen[k], 120));
    }
}

/* ---- references to missing context ----------------------------------------------- */

/* Context that text can never carry (images) or that lives in another item. */
static const char *const ctx_never[] = {
    "figure below", "figure above", "following figure", "in the figure", "the figure shows",
    "shown in the figure", "accompanying figure", "diagram below", "diagram above",
    "following diagram", "shown in the diagram", "the diagram shows", "accompanying diagram",
    "graph below", "graph above", "following graph", "graph shown", "the graph shows",
    "picture below", "picture above", "following picture", "shown in the picture",
    "picture on this page", "picture shown",
    "image below", "image above", "following image", "in the image shown",
    "photo below", "photograph below", "following photograph", "map below", "map above",
    "following map", "chart below", "chart above", "following chart", "illustration below",
    "illustrated below", "pictured below", "pictured above", "previous question",
    "preceding question", "previous problem", "previous passage", "previous item",
    "prior question", "last question", NULL};

/* Context that must follow the phrase inside the question. Nouns that can
 * name the options themselves ("the following list", "sentence",
 * "statements", "information") are left out: the options follow them. */
static const char *const ctx_after[] = {
    "following passage", "passage below", "following excerpt", "excerpt below",
    "following text", "text below", "following table", "table below", "following quote",
    "following quotation", "following poem", "following paragraph", "paragraph below",
    "following code", "code below", "following program", "program below",
    "following article", "following story", "following dialogue", "following conversation",
    "following data", "data below", NULL};

/* Context that must precede the phrase inside the question. */
static const char *const ctx_before[] = {
    "passage above", "above passage", "excerpt above", "above excerpt", "text above",
    "above text", "table above", "above table", "quote above", "above quote",
    "above quotation", "paragraph above", "above paragraph", "code above", "above code",
    "information above", "above information", "program above", "above program", NULL};

#define CONTEXT_MIN_BYTES 120

/* Letters and digits in s[0..n): "?" or ":" after a phrase is not content. */
static size_t content_bytes(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80;
    return k;
}

static void check_context(lctx *c, const quality_item_view *v)
{
    contam_buf_reset(&c->q);
    if (contam_buf_append(&c->q, v->q, v->qlen)) {
        c->out.failed = 1;
        return;
    }
    for (size_t i = 0; i < c->q.size; i++) /* the phrases are lowercase ASCII */
        if (c->q.ptr[i] >= 'A' && c->q.ptr[i] <= 'Z')
            c->q.ptr[i] = (char)(c->q.ptr[i] + 32);
    const char *q = c->q.ptr;
    size_t n = c->q.size;
    for (size_t k = 0; ctx_never[k]; k++)
        if (q_find_word(q, n, ctx_never[k], strlen(ctx_never[k])) >= 0) {
            q_emitf(&c->out, QC_MISSING_CONTEXT,
                    "the question refers to '%s', which the item cannot show", ctx_never[k]);
            return;
        }
    for (size_t k = 0; ctx_after[k]; k++) {
        size_t len = strlen(ctx_after[k]);
        long at = q_find_word(q, n, ctx_after[k], len);
        if (at >= 0 && content_bytes(q + at + len, n - (size_t)at - len) == 0) {
            q_emitf(&c->out, QC_MISSING_CONTEXT,
                    "the question refers to '%s' but nothing follows it", ctx_after[k]);
            return;
        }
    }
    for (size_t k = 0; ctx_before[k]; k++) {
        long at = q_find_word(q, n, ctx_before[k], strlen(ctx_before[k]));
        if (at >= 0 && (size_t)at < CONTEXT_MIN_BYTES) {
            q_emitf(&c->out, QC_MISSING_CONTEXT,
                    "the question refers to '%s' but only %ld bytes of text precede it",
                    ctx_before[k], at);
            return;
        }
    }
}

/* ---- gold text in the question ------------------------------------------------------ */

static const char *const generic_answers[] = {"true", "false", "yes", "no", "wrong",
                                              "not wrong", "none", "all", "both", "neither",
                                              NULL};

static int letters_in(const char *s, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += (s[i] | 32) >= 'a' && (s[i] | 32) <= 'z';
    return k;
}

static void check_gold_in_question(lctx *c, const quality_item_view *v)
{
    if (!v->mc || v->gold_state != QUALITY_GOLD_OK || v->gold >= QUALITY_MAX_OPTIONS)
        return;
    contam_buf_reset(&c->q);
    contam_buf_reset(&c->a);
    if (q_norm_ws_fold(v->q, v->qlen, &c->q) ||
        q_norm_ws_fold(v->opt[v->gold], v->optlen[v->gold], &c->a)) {
        c->out.failed = 1;
        return;
    }
    size_t gl = c->a.size;
    while (gl && (c->a.ptr[gl - 1] == '.' || c->a.ptr[gl - 1] == ' '))
        gl--;
    if (gl < 4 || letters_in(c->a.ptr, gl) < 3)
        return;
    for (size_t k = 0; generic_answers[k]; k++)
        if (strlen(generic_answers[k]) == gl && !memcmp(generic_answers[k], c->a.ptr, gl))
            return;
    if (q_find_word(c->q.ptr, c->q.size, c->a.ptr, gl) < 0)
        return;
    size_t n = v->nopt < QUALITY_MAX_OPTIONS ? v->nopt : QUALITY_MAX_OPTIONS;
    for (size_t k = 0; k < n; k++) {
        if ((int)k == v->gold)
            continue;
        contam_buf_reset(&c->b);
        if (q_norm_ws_fold(v->opt[k], v->optlen[k], &c->b)) {
            c->out.failed = 1;
            return;
        }
        size_t ol = c->b.size;
        while (ol && (c->b.ptr[ol - 1] == '.' || c->b.ptr[ol - 1] == ' '))
            ol--;
        if (ol && q_find_word(c->q.ptr, c->q.size, c->b.ptr, ol) >= 0)
            return; /* the question names several options: no giveaway */
        /* "valid or invalid?" vs "Invalid. Counterexample when...": the
         * question names the other option by its first word */
        size_t fw = 0;
        while (fw < ol && isalpha((unsigned char)c->b.ptr[fw]))
            fw++;
        if (fw >= 4 && fw < ol && q_find_word(c->q.ptr, c->q.size, c->b.ptr, fw) >= 0 &&
            q_find_word(c->a.ptr, gl, c->b.ptr, fw) < 0)
            return;
    }
    q_emitf(&c->out, QC_GOLD_IN_QUESTION, "the gold option %c '%s' appears in the question",
            letter((size_t)v->gold), ex(c, &c->msg, v->opt[v->gold], v->optlen[v->gold], 120));
}

/* ---- encoding and markup ------------------------------------------------------------ */

static int cp1252_special(int32_t c)
{
    static const int32_t v[] = {0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
                                0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d, 0x2018,
                                0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc,
                                0x2122, 0x0161, 0x203a, 0x0153, 0x017e, 0x0178};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        if (v[k] == c)
            return 1;
    return 0;
}

/* A UTF-8 continuation byte as Latin-1 or CP1252 shows it. */
static int cont_like(int32_t c) { return (c >= 0x80 && c <= 0xbf) || cp1252_special(c); }

static int invisible(int32_t c)
{
    return (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff ||
           c == 0x00ad;
}

static int odd_space(int32_t c)
{
    return c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f ||
           c == 0x205f || c == 0x3000;
}

static const char *const html_tags[] = {
    "a", "b", "i", "u", "p", "br", "hr", "div", "span", "img", "sup", "sub", "em", "strong",
    "table", "tr", "td", "th", "li", "ul", "ol", "h1", "h2", "h3", "h4", "font", "pre", "code",
    "blockquote", "center", "small", "big", "tt", "strike", "del", "ins", "html", "body",
    "head", "script", "style", "iframe", NULL};

static const char *const html_entities[] = {
    "amp", "lt", "gt", "quot", "apos", "nbsp", "mdash", "ndash", "hellip", "rsquo", "lsquo",
    "rdquo", "ldquo", "copy", "reg", "deg", "times", "divide", "eacute", "egrave", "aacute",
    "agrave", "ouml", "uuml", "auml", "szlig", "ccedil", "middot", "bull", "trade", "euro",
    "pound", "cent", "yen", "sect", "para", "frac12", "frac14", "frac34", "plusmn", "micro",
    "laquo", "raquo", "shy", "thinsp", "ensp", "emsp", "prime", "minus", "le", "ge", "ne",
    NULL};

static int is_alpha(char ch) { return (ch | 32) >= 'a' && (ch | 32) <= 'z'; }
static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* Length of an HTML tag starting at s[0] == '<', or 0. A bare one-letter
 * tag ("<p>", "<a>") counts only when its closing tag is in the same field:
 * in mathematics "<p>" is the group generated by p. */
static size_t html_tag_at(const char *s, size_t n, const char *field, size_t nfield)
{
    size_t i = 1;
    if (i < n && s[i] == '/')
        i++;
    size_t st = i;
    while (i < n && (is_alpha(s[i]) || (i > st && is_digit(s[i]))))
        i++;
    size_t len = i - st;
    if (!len || len > 10)
        return 0;
    int known = 0;
    for (size_t k = 0; html_tags[k] && !known; k++)
        if (strlen(html_tags[k]) == len) {
            size_t j = 0;
            while (j < len && (s[st + j] | 32) == html_tags[k][j])
                j++;
            known = j == len;
        }
    if (!known)
        return 0;
    /* the tag must close on the same line: "<b>", "<br/>", "<a href=...>" */
    for (size_t j = i; j < n && j < i + 200; j++) {
        if (s[j] == '>') {
            if (j != i && s[i] != ' ' && s[i] != '/')
                return 0;
            if (len == 1 && j == i && s[1] != '/') {
                char close[4] = {'<', '/', s[st], '>'};
                int found = 0;
                for (size_t k = 0; k + 4 <= nfield && !found; k++)
                    found = field[k] == '<' && field[k + 1] == '/' &&
                            (field[k + 2] | 32) == (close[2] | 32) && field[k + 3] == '>';
                if (!found)
                    return 0;
            }
            return j + 1;
        }
        if (s[j] == '<' || s[j] == '\n')
            return 0;
    }
    return 0;
}

/* Length of an HTML entity at s[0] == '&', or 0. */
static size_t html_entity_at(const char *s, size_t n)
{
    size_t i = 1;
    if (i < n && s[i] == '#') {
        i++;
        int hex = i < n && (s[i] == 'x' || s[i] == 'X');
        if (hex)
            i++;
        size_t st = i;
        while (i < n && (is_digit(s[i]) || (hex && (s[i] | 32) >= 'a' && (s[i] | 32) <= 'f')))
            i++;
        return i > st && i - st <= 7 && i < n && s[i] == ';' ? i + 1 : 0;
    }
    size_t st = i;
    while (i < n && (is_alpha(s[i]) || is_digit(s[i])))
        i++;
    if (i >= n || s[i] != ';' || i == st)
        return 0;
    for (size_t k = 0; html_entities[k]; k++)
        if (strlen(html_entities[k]) == i - st && !memcmp(html_entities[k], s + st, i - st))
            return i + 1;
    return 0;
}

static const char *const wikihow[] = {"[title]", "[step]", "[header]", "[substeps]", NULL};

typedef struct {
    size_t count;
    char where[48];   /* field of the first hit */
    char sample[64];  /* what was found first */
} hit;

static void note(hit *h, const char *where, const char *fmt, ...) CONTAM_PRINTF(3, 4);

static void note(hit *h, const char *where, const char *fmt, ...)
{
    if (!h->count++) {
        snprintf(h->where, sizeof h->where, "%s", where);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(h->sample, sizeof h->sample, fmt, ap);
        va_end(ap);
    }
}

static void field_name(const bench_set *b, size_t i, size_t s, const quality_item_view *v,
                       char *out, size_t cap)
{
    const bench_item *it = &b->items[i];
    if (s == 0) {
        snprintf(out, cap, "question");
        return;
    }
    size_t k = 0;
    for (size_t j = 1; j < s; j++)
        k += it->seg[j].part == BENCH_PART_ANSWER;
    if (v->mc)
        snprintf(out, cap, "option %c", letter(k));
    else
        snprintf(out, cap, k ? "answer field %zu" : "answer", k + 1);
}

static void check_encoding(lctx *c, const bench_set *b, size_t i, const quality_item_view *v)
{
    const bench_item *it = &b->items[i];
    hit h[QC_NCHECKS];
    memset(h, 0, sizeof h);
    char where[48];
    for (size_t s = 0; s < it->nseg; s++) {
        const char *t = it->text + it->seg[s].start;
        size_t n = it->seg[s].end - it->seg[s].start;
        field_name(b, i, s, v, where, sizeof where);
        int32_t p1 = 0, p2 = 0;  /* the two previous code points */
        size_t s1 = 0, s2 = 0;   /* and where they start */
        for (size_t k = 0; k < n;) {
            size_t at = k;
            int32_t cp = q_next_cp(t, n, &k);
            if (cp < 0) {
                note(&h[QC_INVALID_UTF8], where, "byte 0x%02X", (unsigned char)t[at]);
                p1 = p2 = 0;
                continue;
            }
            if (cp == 0xfffd)
                note(&h[QC_REPLACEMENT], where, "U+FFFD");
            if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
                (cp >= 0x7f && cp <= 0x9f))
                note(&h[QC_CONTROL], where, "U+%04X", (unsigned)cp);
            if (invisible(cp))
                note(&h[QC_INVISIBLE], where, "U+%04X", (unsigned)cp);
            if (odd_space(cp))
                note(&h[QC_ODD_SPACE], where, "U+%04X", (unsigned)cp);
            /* "×" before a no-break space is typography, not mojibake ("Â " is) */
            if (p1 >= 0xc2 && p1 <= 0xdf && p1 != 0xd7 && cont_like(cp) &&
                (cp != 0xa0 || p1 == 0xc2))
                note(&h[QC_MOJIBAKE], where, "'%.*s'", (int)(k - s1), t + s1);
            else if (p2 >= 0xe0 && p2 <= 0xef && cont_like(p1) && cont_like(cp))
                note(&h[QC_MOJIBAKE], where, "'%.*s'", (int)(k - s2), t + s2);
            if (cp == '<') {
                size_t len = html_tag_at(t + at, n - at, t, n);
                if (len)
                    note(&h[QC_HTML], where, "'%.*s'", (int)(len < 40 ? len : 40), t + at);
            } else if (cp == '&') {
                size_t len = html_entity_at(t + at, n - at);
                if (len)
                    note(&h[QC_HTML], where, "'%.*s'", (int)len, t + at);
            } else if (cp == '[') {
                for (size_t w = 0; wikihow[w]; w++)
                    if (n - at >= strlen(wikihow[w]) &&
                        !memcmp(t + at, wikihow[w], strlen(wikihow[w])))
                        note(&h[QC_WIKIHOW], where, "%s", wikihow[w]);
            }
            p2 = p1;
            s2 = s1;
            p1 = cp;
            s1 = at;
        }
    }
    static const int order[] = {QC_INVALID_UTF8, QC_REPLACEMENT, QC_MOJIBAKE, QC_CONTROL,
                                QC_INVISIBLE,    QC_ODD_SPACE,   QC_HTML,     QC_WIKIHOW};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const hit *x = &h[order[k]];
        if (x->count)
            q_emitf(&c->out, order[k], "%zu occurrence%s, first %s in the %s", x->count,
                    x->count == 1 ? "" : "s", x->sample, x->where);
    }
}

/* ---- entry point ---------------------------------------------------------------------- */

int quality_lint_item(const bench_set *b, size_t i, size_t usual_options, quality_emit_fn emit,
                      void *user)
{
    lctx c;
    memset(&c, 0, sizeof c);
    c.out.emit = emit;
    c.out.user = user;
    quality_item_view v;
    quality_item_view_get(b, i, &v);
    check_gold(&c, b, i, &v, usual_options);
    if (v.mc) {
        check_options(&c, &v);
        check_option_refs(&c, b, &v);
        check_gold_in_question(&c, &v);
    }
    check_context(&c, &v);
    check_encoding(&c, b, i, &v);
    const char *preset = b->preset ? b->preset : "generic";
    if (!v.mc && v.answer &&
        (!strcmp(preset, "gsm8k") || q_find_ci(v.answer, v.answerlen, "####") >= 0) &&
        !c.out.failed && q_lint_rationale(v.answer, v.answerlen, v.q, v.qlen, emit, user))
        c.out.failed = 1;
    contam_buf_free(&c.msg);
    contam_buf_free(&c.a);
    contam_buf_free(&c.b);
    contam_buf_free(&c.q);
    return c.out.failed ? -1 : 0;
}
