/* report_html_items.c - "most contaminated items" in report.html: for each
 * item, its verdicts, the matched part of its text highlighted, and beside
 * it each corpus snippet (file, record, document) with the same words
 * highlighted.
 *
 * items.jsonl stores, per match, the item's matched span ("words") but not
 * the whole item text, so the item side shows the matched spans (joined
 * where they overlap, "…" where text is not shown). If an item carries a
 * "text" member, the whole text is shown with the spans highlighted. The
 * snippet is highlighted by finding runs of at least three words it shares
 * with the matched span, compared case-insensitively with punctuation
 * ignored, which is close to what the normalizer did. */
#include <stdlib.h>
#include <string.h>

#include "report/report_html_internal.h"

#define SHOW_MATCHES 3        /* corpus matches shown per item */
#define ITEM_TEXT_MAX 700     /* bytes of item text shown */
#define MIN_RUN 3             /* words in a run before it is highlighted */

typedef struct {
    uint32_t s, e;
} tok;

/* Bytes of the UTF-8 sequence at p (1 for invalid bytes). */
static size_t seq_len(const unsigned char *p, size_t left)
{
    size_t l = p[0] < 0x80 ? 1 : p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC0 ? 2 : 1;
    return l <= left ? l : 1;
}

/* Word characters: ASCII letters and digits and non-ASCII letters; Latin-1
 * punctuation (U+0080-U+00BF) and General Punctuation (U+2000-U+206F:
 * curly quotes, dashes) separate words, as ASCII punctuation does. */
static int is_word(const unsigned char *p, size_t l)
{
    if (l == 1)
        return (p[0] >= '0' && p[0] <= '9') || ((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') ||
               p[0] >= 0x80;
    if (l == 2 && p[0] == 0xC2)
        return 0;
    if (l == 3 && p[0] == 0xE2 && (p[1] == 0x80 || p[1] == 0x81))
        return 0;
    return 1;
}

/* Tokenizes s into *out (grown with contam_realloc). -1 on OOM. */
static int tokenize(const char *s, size_t n, tok **out, size_t *nout)
{
    size_t cap = 0, k = 0;
    *out = NULL;
    for (size_t i = 0; i < n;) {
        const unsigned char *p = (const unsigned char *)s + i;
        size_t l = seq_len(p, n - i);
        if (!is_word(p, l)) {
            i += l;
            continue;
        }
        size_t st = i;
        while (i < n) {
            p = (const unsigned char *)s + i;
            l = seq_len(p, n - i);
            if (!is_word(p, l))
                break;
            i += l;
        }
        if (k == cap) {
            size_t nc = cap ? cap * 2 : 64;
            tok *t = contam_realloc(*out, nc * sizeof *t);
            if (!t) {
                contam_free(*out);
                *out = NULL;
                return -1;
            }
            *out = t;
            cap = nc;
        }
        (*out)[k++] = (tok){(uint32_t)st, (uint32_t)i};
    }
    *nout = k;
    return 0;
}

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 32) : c;
}

static int tok_eq(const char *a, tok x, const char *b, tok y)
{
    if (x.e - x.s != y.e - y.s)
        return 0;
    for (uint32_t i = 0; i < x.e - x.s; i++)
        if (fold((unsigned char)a[x.s + i]) != fold((unsigned char)b[y.s + i]))
            return 0;
    return 1;
}

/* Writes s with every snippet word that is part of a run of >= MIN_RUN
 * words shared with ref inside <mark>. */
static void put_highlighted(rv_out *o, const char *s, size_t n, const char *ref, size_t rn)
{
    tok *st = NULL, *rt = NULL;
    size_t ns = 0, nr = 0;
    if (tokenize(s, n, &st, &ns) || tokenize(ref, rn, &rt, &nr)) {
        contam_free(st);
        o->failed = 1;
        return;
    }
    unsigned char *mark = contam_calloc(ns + 1, 1);
    if (!mark) {
        o->failed = 1;
        contam_free(st);
        contam_free(rt);
        return;
    }
    size_t min_run = nr < MIN_RUN ? (nr ? nr : 1) : MIN_RUN;
    for (size_t i = 0; i < ns; i++) {
        size_t best = 0;
        for (size_t j = 0; j < nr && best < ns - i; j++) {
            size_t l = 0;
            while (i + l < ns && j + l < nr && tok_eq(s, st[i + l], ref, rt[j + l]))
                l++;
            if (l > best)
                best = l;
        }
        if (best >= min_run)
            memset(mark + i, 1, best);
    }
    size_t pos = 0;
    for (size_t i = 0; i < ns;) {
        if (!mark[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < ns && mark[j + 1])
            j++;
        rv_htmln(o, s + pos, st[i].s - pos);
        rv_raw(o, "<mark>");
        rv_htmln(o, s + st[i].s, st[j].e - st[i].s);
        rv_raw(o, "</mark>");
        pos = st[j].e;
        i = j + 1;
    }
    rv_htmln(o, s + pos, n - pos);
    contam_free(mark);
    contam_free(st);
    contam_free(rt);
}

/* ---- The item side ------------------------------------------------------------ */

typedef struct {
    uint32_t bs, be, ts, te; /* item bytes and tokens */
    const char *words;
} span;

static int by_start(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->bs != y->bs ? (x->bs < y->bs ? -1 : 1) : (x->be < y->be ? -1 : x->be > y->be);
}

static int read_pair(const cJSON *arr, uint32_t *a, uint32_t *b)
{
    if (cJSON_GetArraySize(arr) != 2)
        return -1;
    const cJSON *x = cJSON_GetArrayItem(arr, 0), *y = cJSON_GetArrayItem(arr, 1);
    if (!cJSON_IsNumber(x) || !cJSON_IsNumber(y) || x->valuedouble < 0 ||
        y->valuedouble < x->valuedouble || y->valuedouble > 4294967295.0)
        return -1;
    *a = (uint32_t)x->valuedouble;
    *b = (uint32_t)y->valuedouble;
    return 0;
}

/* The whole text with the spans marked (items that carry "text"). */
static void item_full_text(rv_out *o, const char *text, const span *sp, size_t n)
{
    size_t len = strlen(text), show = rv_utf8_cut(text, len, ITEM_TEXT_MAX), pos = 0;
    for (size_t k = 0; k < n && pos < show; k++) {
        size_t s = sp[k].bs > pos ? sp[k].bs : pos, e = sp[k].be < show ? sp[k].be : show;
        if (s >= e)
            continue;
        rv_htmln(o, text + pos, s - pos);
        rv_raw(o, "<mark>");
        rv_htmln(o, text + s, e - s);
        rv_raw(o, "</mark>");
        pos = e;
    }
    rv_htmln(o, text + pos, show - pos);
    if (show < len)
        rv_raw(o, "<span class=\"muted\"> \xe2\x80\xa6 (cut)</span>");
}

/* Matched spans only: joined where they overlap, "…" for the unseen rest. */
static void item_spans(rv_out *o, const span *sp, size_t n, uint32_t tokens)
{
    size_t shown = 0;
    uint32_t end_b = 0, end_t = 0;
    for (size_t k = 0; k < n && shown < ITEM_TEXT_MAX; k++) {
        size_t wl = strlen(sp[k].words);
        size_t from = 0;
        if (k == 0 || sp[k].bs >= end_b) {
            if (k ? sp[k].ts > end_t : sp[k].ts > 0)
                rv_raw(o, "<span class=\"gap\"> \xe2\x80\xa6 </span>");
            else if (k)
                rv_raw(o, " ");
        } else {
            if (sp[k].be <= end_b)
                continue; /* inside what is already shown */
            from = end_b - sp[k].bs;
            if (from > wl)
                from = wl;
        }
        size_t take = rv_utf8_cut(sp[k].words + from, wl - from, ITEM_TEXT_MAX - shown);
        rv_raw(o, "<mark>");
        rv_htmln(o, sp[k].words + from, take);
        rv_raw(o, "</mark>");
        shown += take;
        if (sp[k].be > end_b)
            end_b = sp[k].be;
        if (sp[k].te > end_t)
            end_t = sp[k].te;
    }
    if (end_t < tokens || shown >= ITEM_TEXT_MAX)
        rv_raw(o, "<span class=\"gap\"> \xe2\x80\xa6</span>");
}

/* ---- One item ------------------------------------------------------------------ */

static const char *leaked_text(const char *l)
{
    if (!strcmp(l, "both"))
        return "question and answer";
    if (!strcmp(l, "question"))
        return "question only";
    if (!strcmp(l, "answer"))
        return "answer only";
    return "nothing";
}

static void item_header(rv_out *o, const rv_view *v, const rv_item *it, size_t rank)
{
    const cJSON *j = it->json;
    rv_printf(o, "<article class=\"item\"><header><span class=\"rank\">%zu</span> <b class=\"id\">",
              rank);
    rv_html(o, rv_str(j, "id", "?"));
    rv_raw(o, "</b>");
    const char *subj = rv_str(j, "subject", "");
    if (*subj) {
        rv_raw(o, " <span class=\"subject\">");
        rv_html(o, subj);
        rv_raw(o, "</span>");
    }
    rv_raw(o, " <span class=\"where\">");
    rv_html(o, rv_str(j, "source", "?"));
    rv_printf(o, " \xc2\xb7 record %llu \xc2\xb7 line %llu</span><span class=\"chips\">",
              (unsigned long long)rv_u64(j, "record"), (unsigned long long)rv_u64(j, "line"));
    const cJSON *verdicts = rv_get(j, "verdicts");
    for (size_t m = 0; m < v->nm; m++) {
        const char *vd = rv_str(verdicts, v->m[m].name, "?");
        rv_printf(o, "<span class=\"chip %s\">", rv_verdict_name(rv_verdict_parse(vd)));
        rv_html(o, v->m[m].name);
        rv_raw(o, " ");
        rv_html(o, vd);
        rv_raw(o, "</span>");
    }
    rv_raw(o, "</span></header>\n");
    char ov[32], cov[32];
    rv_pct(ov, sizeof ov, rv_num(j, "overlap", 0));
    rv_pct(cov, sizeof cov, rv_num(j, "coverage", 0));
    const cJSON *m0 = rv_get(rv_get(j, "methods"), v->m[0].name);
    uint64_t eligible = rv_u64(m0, "ngrams") - rv_u64(m0, "boilerplate") - rv_u64(m0, "frequent");
    if (rv_u64(m0, "boilerplate") + rv_u64(m0, "frequent") > rv_u64(m0, "ngrams"))
        eligible = 0;
    rv_raw(o, "<p class=\"stats\"><b>");
    rv_html(o, v->m[0].name);
    rv_printf(o, "</b>: %llu of %llu eligible %u-grams found (%s), %s of the item's words "
                 "covered, longest run %llu %s; leaked: %s.</p>\n",
              (unsigned long long)rv_u64(j, "matched"), (unsigned long long)eligible, v->m[0].n,
              ov, cov, (unsigned long long)rv_u64(j, "longest"),
              !strcmp(v->m[0].unit, "char") ? "characters" : "words",
              leaked_text(rv_str(j, "leaked", "none")));
}

static void item_evidence(rv_out *o, const rv_item *it)
{
    const cJSON *j = it->json, *matches = rv_get(j, "matches"), *mt;
    size_t nm = (size_t)cJSON_GetArraySize(matches), n = 0;
    span *sp = contam_calloc(nm + 1, sizeof *sp);
    if (!sp) {
        o->failed = 1;
        return;
    }
    cJSON_ArrayForEach(mt, matches)
    {
        span s = {0, 0, 0, 0, rv_str(mt, "words", NULL)};
        if (!s.words)
            continue;
        /* positions are for ordering and joining; the words are what is shown */
        if (read_pair(rv_get(mt, "item_bytes"), &s.bs, &s.be))
            s.bs = 0;
        if (read_pair(rv_get(mt, "item_tokens"), &s.ts, &s.te))
            s.ts = s.te = 0;
        s.be = s.bs + (uint32_t)strlen(s.words);
        sp[n++] = s;
    }
    qsort(sp, n, sizeof *sp, by_start);
    rv_raw(o, "<div class=\"evidence\"><div class=\"side item-side\"><h4>Benchmark item "
              "<span class=\"muted\">(matched words highlighted)</span></h4><p class=\"text\">");
    const char *text = rv_str(j, "text", NULL);
    if (text)
        item_full_text(o, text, sp, n);
    else if (n)
        item_spans(o, sp, n, (uint32_t)rv_u64(j, "tokens"));
    else
        rv_raw(o, "<span class=\"muted\">No match recorded for this item's first method "
                  "(the verdicts come from other methods).</span>");
    rv_raw(o, "</p></div>\n<div class=\"side corpus-side\">");
    size_t k = 0;
    cJSON_ArrayForEach(mt, matches)
    {
        if (k++ == SHOW_MATCHES)
            break;
        rv_raw(o, "<h4>Corpus: <span class=\"loc\">");
        rv_html(o, rv_basename(rv_str(mt, "file", "?")));
        rv_printf(o, " \xc2\xb7 record %llu", (unsigned long long)rv_u64(mt, "record"));
        const char *doc = rv_str(mt, "doc", NULL);
        if (doc) {
            rv_raw(o, " \xc2\xb7 doc ");
            rv_html(o, doc);
        }
        rv_printf(o, " \xc2\xb7 text offset %llu</span></h4><p class=\"text snippet\" title=\"",
                  (unsigned long long)rv_u64(mt, "text_offset"));
        rv_html(o, rv_str(mt, "file", "?"));
        rv_raw(o, "\">");
        const char *snip = rv_str(mt, "snippet", ""), *words = rv_str(mt, "words", "");
        put_highlighted(o, snip, strlen(snip), words, strlen(words));
        rv_raw(o, "</p>\n");
    }
    if (nm > SHOW_MATCHES)
        rv_printf(o, "<p class=\"note\">%zu more matching documents in items.jsonl.</p>\n",
                  nm - SHOW_MATCHES);
    rv_raw(o, "</div></div></article>\n");
    contam_free(sp);
}

void html_section_items(rv_out *o, const rv_view *v)
{
    rv_raw(o, "<section id=\"items\"><h2>Most contaminated items</h2>\n");
    if (!v->ntop) {
        rv_raw(o, "<p class=\"empty\">No item shares any n-gram with the corpus under any "
                  "method.</p></section>\n");
        return;
    }
    rv_printf(o, "<p>Ranked by how many methods call the item dirty, then by <b>");
    rv_html(o, v->m[0].name);
    rv_printf(o, "</b>'s overlap and longest run. %zu items have evidence", v->ncandidates);
    if (v->ncandidates > v->ntop)
        rv_printf(o, "; the first %zu are shown (items.jsonl lists every match)", v->ntop);
    rv_raw(o, ". Highlighted: words found in the corpus.</p>\n");
    for (size_t k = 0; k < v->ntop; k++) {
        item_header(o, v, &v->top[k], k + 1);
        item_evidence(o, &v->top[k]);
    }
    rv_raw(o, "</section>\n");
}
