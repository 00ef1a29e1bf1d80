/* report_view_util.c - helpers shared by the report views: tolerant JSON
 * accessors, fixed number formats (the views are golden-tested, so every
 * number has one spelling), escaping for HTML and Markdown, and the command
 * line reconstructed from report.json. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_view_internal.h"

const cJSON *rv_get(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

const char *rv_str(const cJSON *o, const char *key, const char *dflt)
{
    const cJSON *x = rv_get(o, key);
    return cJSON_IsString(x) && x->valuestring ? x->valuestring : dflt;
}

double rv_num(const cJSON *o, const char *key, double dflt)
{
    const cJSON *x = rv_get(o, key);
    return cJSON_IsNumber(x) ? x->valuedouble : dflt;
}

uint64_t rv_u64(const cJSON *o, const char *key)
{
    double d = rv_num(o, key, 0);
    /* counts above 2^53 do not occur; clamp what a hand-made file might hold */
    if (!(d > 0))
        return 0;
    if (d >= 18446744073709551615.0)
        return UINT64_MAX;
    return (uint64_t)d;
}

rv_verdict rv_verdict_parse(const char *s)
{
    if (!s)
        return RV_V_UNKNOWN;
    if (!strcmp(s, "clean"))
        return RV_V_CLEAN;
    if (!strcmp(s, "dirty"))
        return RV_V_DIRTY;
    if (!strcmp(s, "too_short"))
        return RV_V_TOO_SHORT;
    if (!strcmp(s, "not_clean"))
        return RV_V_NOT_CLEAN;
    return RV_V_UNKNOWN;
}

const char *rv_verdict_name(rv_verdict v)
{
    static const char *const names[] = {"clean", "dirty", "too_short", "not_clean", "?"};
    return names[v <= RV_V_UNKNOWN ? v : RV_V_UNKNOWN];
}

double rv_rate(uint64_t num, uint64_t den)
{
    return den ? (double)num / (double)den : 0.0;
}

size_t rv_overlap_bin(double v)
{
    if (!(v > 0))
        return 0;
    /* the epsilon keeps 0.7 (stored as 0.7000) in [0.7, 0.8) */
    long k = (long)floor(v * 10 + 1e-9);
    if (k < 0)
        k = 0;
    if (k > 9)
        k = 9;
    return (size_t)k + 1;
}

size_t rv_longest_bin(uint32_t longest, unsigned n)
{
    uint64_t l = longest, nn = n ? n : 1;
    if (l == 0)
        return 0;
    if (l < nn)
        return 1;
    if (l < 2 * nn)
        return 2;
    if (l < 4 * nn)
        return 3;
    if (l < 8 * nn)
        return 4;
    return 5;
}

const char *rv_metric_name(const rv_method *m)
{
    return m->rule == RV_COVERAGE ? "coverage" : "overlap";
}

void rv_rule_describe(const rv_method *m, char *out, size_t cap)
{
    char pct[32], pct2[32];
    const char *unit = !strcmp(m->unit, "char") ? "character" : "word";
    switch (m->rule) {
    case RV_ANY:
        snprintf(out, cap, "dirty when any %u-%s n-gram is found in the corpus", m->n, unit);
        break;
    case RV_FRACTION:
        rv_pct_param(pct, sizeof pct, m->threshold);
        snprintf(out, cap, "dirty when at least %s of the item's %u-%s n-grams are found", pct,
                 m->n, unit);
        break;
    case RV_COVERAGE:
        rv_pct_param(pct, sizeof pct, m->clean_below);
        rv_pct_param(pct2, sizeof pct2, m->threshold);
        snprintf(out, cap,
                 "share of the item's words inside matched %u-%s spans: clean below %s, "
                 "dirty from %s, not_clean between",
                 m->n, unit, pct, pct2);
        break;
    case RV_SAMPLED:
        snprintf(out, cap, "dirty when any of %u sampled %u-%s windows is found", m->samples,
                 m->n, unit);
        break;
    }
}

/* ---- Output ----------------------------------------------------------------- */

void rv_rawn(rv_out *o, const char *s, size_t n)
{
    if (!o->failed && n && contam_buf_append(o->b, s, n))
        o->failed = 1;
}

void rv_raw(rv_out *o, const char *s)
{
    rv_rawn(o, s, strlen(s));
}

void rv_printf(rv_out *o, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        rv_rawn(o, small, (size_t)n);
        return;
    }
    if (o->failed || contam_buf_reserve(o->b, (size_t)n + 1)) {
        o->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(o->b->ptr + o->b->size, (size_t)n + 1, fmt, ap);
    va_end(ap);
    o->b->size += (size_t)n;
}

void rv_htmln(rv_out *o, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep) {
            rv_rawn(o, s + run, i - run);
            rv_raw(o, rep);
            run = i + 1;
        }
    }
    rv_rawn(o, s + run, n - run);
}

void rv_html(rv_out *o, const char *s)
{
    rv_htmln(o, s, strlen(s));
}

void rv_md(rv_out *o, const char *s, size_t max)
{
    size_t len = strlen(s), cut = rv_utf8_cut(s, len, max);
    for (size_t i = 0; i < cut; i++) {
        char c = s[i];
        if (c == '\n' || c == '\r' || c == '\t')
            rv_raw(o, " ");
        else if (c == '|' || c == '\\' || c == '`' || c == '*' || c == '<' || c == '>' ||
                 c == '[' || c == ']')
            rv_printf(o, "\\%c", c);
        else
            rv_rawn(o, &c, 1);
    }
    if (cut < len)
        rv_raw(o, "\xe2\x80\xa6"); /* … */
}

void rv_pct(char *out, size_t cap, double rate)
{
    double p = rate * 100;
    if (!(p > 0))
        snprintf(out, cap, "0%%");
    else if (p < 1)
        snprintf(out, cap, "%.2f%%", p);
    else if (p >= 99.95 && p < 100.0)
        snprintf(out, cap, "99.9%%"); /* never round a partial rate up to 100% */
    else
        snprintf(out, cap, "%.1f%%", p);
}

void rv_pct_param(char *out, size_t cap, double frac)
{
    /* parameters are round numbers: 0.7 -> "70%", 0.125 -> "12.5%" */
    snprintf(out, cap, "%.10g%%", floor(frac * 10000 + 0.5) / 100);
}

void rv_group_digits(char *out, size_t cap, uint64_t v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = tmp[i];
    }
    out[o < cap ? o : cap - 1] = '\0';
}

void rv_bytes(char *out, size_t cap, uint64_t v)
{
    if (v < 1000)
        snprintf(out, cap, "%llu B", (unsigned long long)v);
    else if (v < 1000000)
        snprintf(out, cap, "%.1f kB", (double)v / 1e3);
    else if (v < 1000000000)
        snprintf(out, cap, "%.1f MB", (double)v / 1e6);
    else
        snprintf(out, cap, "%.2f GB", (double)v / 1e9);
}

size_t rv_utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

const char *rv_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

/* ---- The command that reproduces the run ------------------------------------- */

/* Shell-quotes an argument when it needs it ('...' with '\'' for quotes). */
static void put_arg(rv_out *o, const char *a)
{
    int plain = *a != '\0';
    for (const char *p = a; *p; p++)
        if (!(((*p | 32) >= 'a' && (*p | 32) <= 'z') || (*p >= '0' && *p <= '9') ||
              strchr("-_./,:=+@%", *p)))
            plain = 0;
    rv_raw(o, " ");
    if (plain) {
        rv_raw(o, a);
        return;
    }
    rv_raw(o, "'");
    for (const char *p = a; *p; p++)
        if (*p == '\'')
            rv_raw(o, "'\\''");
        else
            rv_rawn(o, p, 1);
    rv_raw(o, "'");
}

int rv_command(const rv_view *v, contam_buf *out, size_t max_corpus_files)
{
    rv_out o = {out, 0};
    scan_options def;
    scan_options_init(&def);
    const cJSON *par = rv_get(v->root, "parameters");
    const cJSON *bench = rv_get(v->root, "benchmark");
    rv_printf(&o, "contam %s", v->command);
    if (strcmp(v->preset, "generic")) {
        put_arg(&o, "--preset");
        put_arg(&o, v->preset);
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, rv_get(bench, "args"))
    {
        if (!cJSON_IsString(a))
            continue;
        put_arg(&o, "--bench");
        put_arg(&o, a->valuestring);
    }
    if (!strcmp(v->preset, "generic"))
        rv_raw(&o, " --text-fields FIELDS"); /* not recorded in report.json */
    char methods[128] = "";
    for (size_t m = 0; m < v->nm; m++) {
        size_t l = strlen(methods);
        snprintf(methods + l, sizeof methods - l, "%s%s", m ? "," : "", v->m[m].name);
    }
    if (strcmp(methods, "gpt3")) {
        put_arg(&o, "--method");
        put_arg(&o, methods);
    }
    for (size_t m = 0; m < v->nm; m++) {
        const rv_method *me = &v->m[m];
        if (!strcmp(me->name, "custom"))
            rv_printf(&o, " --n %u --threshold %g", me->n, me->threshold);
        if (!strcmp(me->name, "gpt3") && me->corpus_df != 10)
            rv_printf(&o, " --corpus-df %llu", (unsigned long long)me->corpus_df);
    }
    uint64_t bdf = rv_u64(par, "bench_df");
    if (bdf && bdf != def.bench_df)
        rv_printf(&o, " --bench-df %llu", (unsigned long long)bdf);
    if (!strcmp(rv_str(par, "short", "skip"), "whole"))
        rv_raw(&o, " --short whole");
    if (!strcmp(rv_str(par, "digits", "keep"), "zero"))
        rv_raw(&o, " --digits zero");
    const char *tf = rv_str(par, "text_field", "text");
    if (strcmp(tf, "text")) {
        put_arg(&o, "--text-field");
        put_arg(&o, tf);
    }
    const char *df = rv_str(par, "doc_field", NULL);
    if (df) {
        put_arg(&o, "--doc-field");
        put_arg(&o, df);
    }
    uint64_t mm = rv_u64(par, "max_matches");
    if (mm && mm != def.max_matches)
        rv_printf(&o, " --max-matches %llu", (unsigned long long)mm);
    uint64_t ml = rv_u64(par, "max_line");
    if (ml && ml != def.max_line)
        rv_printf(&o, " --max-line %llu", (unsigned long long)ml);
    if (cJSON_IsTrue(rv_get(par, "strict")))
        rv_raw(&o, " --strict");
    if (cJSON_IsTrue(rv_get(par, "keep_going")))
        rv_raw(&o, " --keep-going");
    char defseed[32];
    snprintf(defseed, sizeof defseed, "0x%016llx", (unsigned long long)def.seed);
    if (strcmp(v->seed, defseed) && !strncmp(v->seed, "0x", 2)) /* --seed takes decimal */
        rv_printf(&o, " --seed %llu", strtoull(v->seed + 2, NULL, 16));
    rv_raw(&o, " --out DIR");
    size_t k = 0, nfiles = (size_t)cJSON_GetArraySize(rv_get(rv_get(v->root, "corpus"), "inputs"));
    cJSON_ArrayForEach(a, rv_get(rv_get(v->root, "corpus"), "inputs"))
    {
        if (k++ == max_corpus_files) {
            rv_printf(&o, " ... (%zu files in all: report.json corpus.inputs)", nfiles);
            break;
        }
        put_arg(&o, rv_str(a, "path", "?"));
    }
    return o.failed ? -1 : 0;
}
