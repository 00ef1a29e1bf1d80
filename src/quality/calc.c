/* calc.c - a small, safe arithmetic evaluator for GSM8K calculator
 * annotations (<<48/2=24>>): numbers with optional thousands commas and
 * decimals, + - * /, parentheses and unary signs, and Python's floor
 * division // (two GSM8K train annotations use it: the annotations were
 * evaluated by Python). A recursive-descent parser
 * over the bytes; nothing is ever executed, nesting depth and input length
 * are bounded, and every failure is a message, never a crash. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "quality/quality_internal.h"

#define CALC_MAX_DEPTH 64
#define CALC_MAX_LEN 4096

typedef struct {
    const char *s;
    size_t n, i;
    int depth;
    char *why;
    size_t cap;
    int failed;
} calc;

static void fail(calc *c, const char *msg)
{
    if (!c->failed && c->cap)
        snprintf(c->why, c->cap, "%s at column %zu", msg, c->i + 1);
    c->failed = 1;
}

static void skip_ws(calc *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* Digits with thousands commas (a comma must be followed by exactly three
 * digits: "1,000", not "1,00" or a decimal comma "0,2"), an optional
 * fraction. Returns the number of bytes consumed (0 = not a number). */
static size_t scan_number(const char *s, size_t n, double *out, int *decimals)
{
    size_t i = 0;
    double v = 0;
    int any = 0, dec = 0;
    while (i < n) {
        if (is_digit(s[i])) {
            v = v * 10 + (s[i] - '0');
            any = 1;
            i++;
        } else if (s[i] == ',' && any && i + 3 < n && is_digit(s[i + 1]) &&
                   is_digit(s[i + 2]) && is_digit(s[i + 3]) &&
                   (i + 4 >= n || !is_digit(s[i + 4]))) {
            i++;
        } else {
            break;
        }
    }
    if (i < n && s[i] == '.' && i + 1 < n && is_digit(s[i + 1])) {
        i++;
        double scale = 0.1;
        while (i < n && is_digit(s[i])) {
            v += (s[i] - '0') * scale;
            scale /= 10;
            dec++;
            i++;
        }
        any = 1;
    }
    if (!any)
        return 0;
    *out = v;
    if (decimals)
        *decimals = dec;
    return i;
}

static double expr(calc *c);

static double primary(calc *c)
{
    skip_ws(c);
    if (c->i >= c->n) {
        fail(c, "unexpected end");
        return 0;
    }
    if (c->s[c->i] == '(') {
        c->i++;
        double v = expr(c);
        skip_ws(c);
        if (c->i >= c->n || c->s[c->i] != ')') {
            fail(c, "missing ')'");
            return 0;
        }
        c->i++;
        return v;
    }
    double v;
    size_t k = scan_number(c->s + c->i, c->n - c->i, &v, NULL);
    if (!k) {
        fail(c, "expected a number");
        return 0;
    }
    c->i += k;
    return v;
}

static double unary(calc *c)
{
    skip_ws(c);
    if (c->i < c->n && (c->s[c->i] == '-' || c->s[c->i] == '+')) {
        int neg = c->s[c->i] == '-';
        c->i++;
        if (++c->depth > CALC_MAX_DEPTH) {
            fail(c, "too deeply nested");
            return 0;
        }
        double v = unary(c);
        c->depth--;
        return neg ? -v : v;
    }
    return primary(c);
}

static double term(calc *c)
{
    double v = unary(c);
    for (;;) {
        skip_ws(c);
        if (c->failed || c->i >= c->n || (c->s[c->i] != '*' && c->s[c->i] != '/'))
            return v;
        char op = c->s[c->i++];
        int floor_div = op == '/' && c->i < c->n && c->s[c->i] == '/';
        if (floor_div)
            c->i++;
        double r = unary(c);
        if (op == '*') {
            v *= r;
        } else if (r == 0) {
            fail(c, "division by zero");
            return 0;
        } else {
            v = floor_div ? floor(v / r) : v / r;
        }
    }
}

static double expr(calc *c)
{
    if (++c->depth > CALC_MAX_DEPTH) {
        fail(c, "too deeply nested");
        return 0;
    }
    double v = term(c);
    for (;;) {
        skip_ws(c);
        if (c->failed || c->i >= c->n || (c->s[c->i] != '+' && c->s[c->i] != '-'))
            break;
        char op = c->s[c->i++];
        double r = term(c);
        v = op == '+' ? v + r : v - r;
    }
    c->depth--;
    return v;
}

int quality_calc_eval(const char *s, size_t n, double *out, char *why, size_t cap)
{
    calc c = {s, n, 0, 0, why, cap, 0};
    if (cap)
        why[0] = '\0';
    if (n > CALC_MAX_LEN) {
        if (cap)
            snprintf(why, cap, "expression longer than %d bytes", CALC_MAX_LEN);
        return -1;
    }
    double v = expr(&c);
    skip_ws(&c);
    if (!c.failed && c.i < c.n)
        fail(&c, "unexpected character");
    if (!c.failed && !isfinite(v))
        fail(&c, "result is not finite");
    if (c.failed)
        return -1;
    *out = v;
    return 0;
}

int quality_calc_number(const char *s, size_t n, double *out, int *decimals)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    double v;
    size_t k = scan_number(s + i, n - i, &v, decimals);
    if (!k || i + k != n)
        return -1;
    *out = neg ? -v : v;
    return 0;
}
