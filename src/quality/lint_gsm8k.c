/* lint_gsm8k.c - GSM8K-style rationales: the "#### answer" line must parse,
 * every calculator annotation <<expr=value>> must evaluate to its value
 * (within the precision the value is written with: "<<10/3=3.33>>" is fine),
 * and the final answer should appear somewhere in the rationale (a weak
 * signal: a rationale can reach its answer without writing it). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "quality/quality_internal.h"

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* A number written right after position i (a GSM8K annotation is followed by
 * its result: "<<16-3-4=9>>9"); 0 = none. */
static int number_at(const char *s, size_t n, size_t i, double *v)
{
    size_t e = i;
    if (e < n && s[e] == '-')
        e++;
    while (e < n && (is_digit(s[e]) || ((s[e] == ',' || s[e] == '.') && e + 1 < n &&
                                        is_digit(s[e + 1]))))
        e++;
    if (e == i || (e == i + 1 && s[i] == '-'))
        return 0;
    return quality_calc_number(s + i, e - i, v, NULL) == 0;
}

/* a is b as written with `decimals` decimals: rounded or truncated (the
 * difference is below one unit of the last written digit), or equal up to
 * floating-point noise. "<<7/2=3>>" passes, "<<7*2=15>>" does not. */
static int close_enough(double a, double b, int decimals)
{
    double d = fabs(a - b);
    return d < pow(10.0, -decimals) * (1 - 1e-9) || d <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

typedef struct {
    size_t wrong, syntax, shown_wrong, written;
    char first_wrong[240], first_syntax[240], first_shown[240], first_written[260];
} ann_stats;

static void check_annotation(const char *a, size_t n, const char *after, size_t nafter,
                             ann_stats *st)
{
    const char *eq = NULL;
    for (size_t i = 0; i < n; i++)
        if (a[i] == '=')
            eq = a + i;
    char why[120];
    double e, v;
    int dec = 0;
    if (!eq) {
        if (!st->syntax++)
            snprintf(st->first_syntax, sizeof st->first_syntax, "<<%.*s>> has no '='",
                     (int)(n < 150 ? n : 150), a);
        return;
    }
    size_t elen = (size_t)(eq - a), vlen = n - elen - 1;
    if (quality_calc_eval(a, elen, &e, why, sizeof why)) {
        if (!st->syntax++)
            snprintf(st->first_syntax, sizeof st->first_syntax, "<<%.*s>>: %s",
                     (int)(n < 150 ? n : 150), a, why);
        return;
    }
    if (quality_calc_number(eq + 1, vlen, &v, &dec)) {
        if (!st->syntax++)
            snprintf(st->first_syntax, sizeof st->first_syntax,
                     "<<%.*s>>: the value is not a number", (int)(n < 150 ? n : 150), a);
        return;
    }
    if (!close_enough(e, v, dec)) {
        if (!st->wrong++)
            snprintf(st->first_wrong, sizeof st->first_wrong, "<<%.*s>>: %.*s = %.10g",
                     (int)(n < 120 ? n : 120), a, (int)(elen < 80 ? elen : 80), a, e);
        return;
    }
    double shown;
    if (number_at(after, nafter, 0, &shown) &&
        fabs(shown - v) > 1e-9 * (fabs(v) > 1 ? fabs(v) : 1) &&
        !close_enough(e, shown, 0)) {
        if (!st->shown_wrong++)
            snprintf(st->first_shown, sizeof st->first_shown, "<<%.*s>> is followed by '%.*s'",
                     (int)(n < 120 ? n : 120), a, (int)(nafter < 20 ? nafter : 20), after);
    }
}

static int lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch; }

/* Small numbers written as words ("it took three days"). */
static const char *const number_words[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty"};

static int word_occurs(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = 0;
        while (j < k && lower((unsigned char)s[i + j]) == w[j])
            j++;
        if (j == k && (i == 0 || !isalpha((unsigned char)s[i - 1])) &&
            (i + k == n || !isalpha((unsigned char)s[i + k])))
            return 1;
    }
    return 0;
}

/* Does value f occur as a number anywhere in s? Thousands may be grouped
 * with commas or single spaces ("$118 000"); 0-20 also count as words. */
static int number_occurs(const char *s, size_t n, double f)
{
    double tol = 1e-9 * (fabs(f) > 1 ? fabs(f) : 1);
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]) && !(s[i] == '.' && i + 1 < n && is_digit(s[i + 1])))
            continue;
        if (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ','))
            continue;
        size_t e = i;
        char buf[64];
        size_t nb = 0;
        while (e < n && nb + 1 < sizeof buf) {
            if (is_digit(s[e]) ||
                ((s[e] == ',' || s[e] == '.') && e + 1 < n && is_digit(s[e + 1]))) {
                buf[nb++] = s[e++];
            } else if (s[e] == ' ' && e + 4 <= n && is_digit(s[e + 1]) && is_digit(s[e + 2]) &&
                       is_digit(s[e + 3]) && (e + 4 == n || !is_digit(s[e + 4]))) {
                e++; /* "118 000": a space between thousands groups */
            } else {
                break;
            }
        }
        double v;
        if (quality_calc_number(buf, nb, &v, NULL) == 0 && fabs(fabs(v) - fabs(f)) <= tol)
            return 1;
        i = e;
    }
    if (f >= 0 && f <= 20 && f == floor(f))
        return word_occurs(s, n, number_words[(int)f]);
    return 0;
}

/* A plain number at s[i]: digits, groups of exactly three digits after a
 * comma (or, with spaced, a space: "18 000"), a decimal part; with frac, a
 * compact fraction "1/3" is one number. Returns its length (0 = none). */
static size_t plain_number(const char *s, size_t n, size_t i, double *v, int *dec, int spaced,
                           int frac)
{
    size_t e = i;
    while (e < n && is_digit(s[e]))
        e++;
    if (e == i)
        return 0;
    char buf[64];
    size_t nb = 0;
    for (size_t k = i; k < e && nb + 1 < sizeof buf; k++)
        buf[nb++] = s[k];
    while (e + 3 < n && (s[e] == ',' || (spaced && s[e] == ' ')) && is_digit(s[e + 1]) &&
           is_digit(s[e + 2]) && is_digit(s[e + 3]) && (e + 4 == n || !is_digit(s[e + 4]))) {
        for (size_t k = e + 1; k < e + 4 && nb + 1 < sizeof buf; k++)
            buf[nb++] = s[k];
        e += 4;
    }
    if (e + 1 < n && s[e] == '.' && is_digit(s[e + 1])) {
        buf[nb++] = s[e++];
        while (e < n && is_digit(s[e]) && nb + 1 < sizeof buf)
            buf[nb++] = s[e++];
    }
    if (quality_calc_number(buf, nb, v, dec))
        return 0;
    if (frac && e + 1 < n && s[e] == '/' && is_digit(s[e + 1])) {
        double d;
        size_t l = plain_number(s, n, e + 1, &d, NULL, 0, 0);
        if (l && d != 0) {
            *v /= d;
            e += 1 + l;
        }
    }
    return e - i;
}

/* Arithmetic written out without an annotation: "14*20=140", "$4200+$3000 =
 * $8600". Deliberately strict, because rationales are full of algebra
 * ("3x + 4 = 28"), fractions ("1 - 1/3 = 2/3"), percentages and chained
 * equalities: the left side must be number (op number)+ with nothing but
 * spaces or '$' around, preceded by a space or a line start; the right side
 * a number not continued by '/', '%', ':' or another operation. Accepted
 * when either the usual precedence or left-to-right evaluation matches
 * (people write "2 + 3 * 4 = 20" meaning left to right). */
static void check_written(const char *r, size_t body, ann_stats *st)
{
    for (size_t i = 0; i < body; i++) {
        if (r[i] == '<' && i + 1 < body && r[i + 1] == '<') { /* skip annotations */
            while (i + 1 < body && !(r[i] == '>' && r[i + 1] == '>'))
                i++;
            continue;
        }
        if (r[i] != '=' || (i + 1 < body && r[i + 1] == '=') || (i && r[i - 1] == '='))
            continue;
        size_t b = i;
        while (b > 0 && (is_digit(r[b - 1]) || strchr("+-*/.,$ ", r[b - 1]) != NULL ||
                         (r[b - 1] == 'x' && b >= 2 && r[b - 2] == ' ')))
            b--;
        while (b < i && r[b] == ' ')
            b++;
        if (b == i || (b > 0 && r[b - 1] != '\n' && !(r[b - 1] == ' ' && b >= 2 &&
                                                      isalpha((unsigned char)r[b - 2]))))
            continue; /* glued to a word or a symbol: "3x", "12:00", "50%" */
        /* left side: number (op number)+ */
        double num[16];
        char op[16];
        size_t k = b, nn = 0;
        int ok = 1;
        while (k < i && ok) {
            while (k < i && (r[k] == ' ' || r[k] == '$'))
                k++;
            /* a compact fraction is a quantity ("25 / 1/3" is 25 divided by a third) */
            size_t len = nn < 16 ? plain_number(r, i, k, &num[nn], NULL, 0, 1) : 0;
            if (!len) {
                ok = 0;
                break;
            }
            k += len;
            nn++;
            while (k < i && (r[k] == ' ' || r[k] == '$'))
                k++;
            if (k == i)
                break;
            char o = r[k] == 'x' ? '*' : r[k];
            if (!strchr("+-*/", o) || nn >= 16) {
                ok = 0;
                break;
            }
            op[nn - 1] = o;
            k++;
        }
        if (!ok || nn < 2 || k < i)
            continue;
        /* the usual precedence: a sum of products; and strictly left to right */
        double prec = 0, term = num[0], ltr = num[0];
        char sign = '+';
        for (size_t j = 1; j < nn; j++) {
            char o = op[j - 1];
            ltr = o == '+' ? ltr + num[j] : o == '-' ? ltr - num[j] : o == '*' ? ltr * num[j]
                                                                    : ltr / num[j];
            if (o == '*' || o == '/') {
                term = o == '*' ? term * num[j] : term / num[j];
            } else {
                prec += sign == '-' ? -term : term;
                sign = o;
                term = num[j];
            }
        }
        prec += sign == '-' ? -term : term;
        if (!isfinite(prec) && !isfinite(ltr))
            continue;
        size_t v0 = i + 1;
        while (v0 < body && (r[v0] == ' ' || r[v0] == '$'))
            v0++;
        double val;
        int dec = 0;
        size_t vl = plain_number(r, body, v0, &val, &dec, 1, 0);
        if (!vl)
            continue;
        size_t after = v0 + vl;
        if (after < body && strchr("/%:", r[after]) != NULL)
            continue;
        size_t nx = after;
        while (nx < body && r[nx] == ' ')
            nx++;
        if (nx + 1 < body && strchr("+-*/x", r[nx]) && (is_digit(r[nx + 1]) || r[nx + 1] == ' '))
            continue; /* "= 4 + 2": a chain, not a result */
        if (close_enough(prec, val, dec) || close_enough(ltr, val, dec))
            continue;
        /* a change of unit on the way: "$1 / 2 = 50 cents", "5 * 3 = $15,000"
         * (thousands) */
        static const double units[] = {100, 0.01, 1000, 0.001};
        int unit = 0;
        for (size_t u = 0; u < 4 && !unit; u++)
            unit = close_enough(prec * units[u], val, dec) ||
                   close_enough(ltr * units[u], val, dec);
        if (unit)
            continue;
        if (!st->written++)
            snprintf(st->first_written, sizeof st->first_written, "'%.*s= %.*s' is %.10g",
                     (int)((i - b) < 100 ? i - b : 100), r + b, (int)vl, r + v0, prec);
    }
}

int q_lint_rationale(const char *r, size_t n, const char *q, size_t qn, quality_emit_fn emit,
                     void *user)
{
    q_lint_out c = {emit, user, 0};
    const char *hash = NULL;
    for (size_t i = 0; i + 4 <= n; i++)
        if (!memcmp(r + i, "####", 4))
            hash = r + i;
    size_t body = hash ? (size_t)(hash - r) : n;
    double final = 0;
    int have_final = 0;
    if (!hash) {
        q_emitf(&c, QC_FINAL_ANSWER, "the rationale has no '#### <answer>' line");
    } else {
        const char *f = hash + 4;
        size_t fl = n - (size_t)(f - r);
        const char *nl = memchr(f, '\n', fl);
        if (nl)
            fl = (size_t)(nl - f);
        while (fl && (f[fl - 1] == ' ' || f[fl - 1] == '\r' || f[fl - 1] == '\t'))
            fl--;
        while (fl && (*f == ' ' || *f == '\t')) {
            f++;
            fl--;
        }
        if (quality_calc_number(f, fl, &final, NULL) == 0)
            have_final = 1;
        else
            q_emitf(&c, QC_FINAL_ANSWER, "the final answer '%.*s' is not a number",
                    (int)(fl < 80 ? fl : 80), f);
    }
    ann_stats st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i + 1 < body; i++) {
        if (r[i] != '<' || r[i + 1] != '<')
            continue;
        size_t j = i + 2;
        while (j + 1 < body && !(r[j] == '>' && r[j + 1] == '>'))
            j++;
        if (j + 1 >= body) {
            if (!st.syntax++)
                snprintf(st.first_syntax, sizeof st.first_syntax, "'<<' without '>>'");
            break;
        }
        check_annotation(r + i + 2, j - i - 2, r + j + 2, body - j - 2, &st);
        i = j + 1;
    }
    if (st.wrong)
        q_emitf(&c, QC_CALC_WRONG, "%zu wrong annotation%s; first %s", st.wrong,
                st.wrong == 1 ? "" : "s", st.first_wrong);
    else if (st.shown_wrong)
        q_emitf(&c, QC_CALC_WRONG, "%zu annotation%s followed by a different number; first %s",
                st.shown_wrong, st.shown_wrong == 1 ? "" : "s", st.first_shown);
    if (st.syntax)
        q_emitf(&c, QC_CALC_SYNTAX, "%zu annotation%s not checked; first %s", st.syntax,
                st.syntax == 1 ? "" : "s", st.first_syntax);
    check_written(r, body, &st);
    if (st.written)
        q_emitf(&c, QC_WRITTEN_WRONG, "%zu wrong written calculation%s; first %s", st.written,
                st.written == 1 ? "" : "s", st.first_written);
    /* "in cents" questions whose rationale stops at dollars ($0.25 -> 25) */
    if (have_final && !number_occurs(r, body, final) &&
        !(q_find_ci(q, qn, "cents") >= 0 && number_occurs(r, body, final / 100)))
        q_emitf(&c, QC_ANSWER_UNSUPPORTED,
                "the final answer %.10g appears nowhere in the rationale", final);
    return c.failed ? -1 : 0;
}
