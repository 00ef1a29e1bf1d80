/* report_gate.c - --fail-on EXPR: quality gates a pipeline sets on an audit
 * ("refuse the benchmark if more than 2% of it leaked"). Expressions are
 * parsed before any work is done, so a typo is a usage error, not a wasted
 * scan; they are evaluated on report.json alone, so `contam report DIR
 * --fail-on ...` gates an existing output the same way. Grammar: report.h. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/report_view_internal.h"

static const char *const ITEM_METRICS[] = {"dirty", "too_short", "not_clean", NULL};
static const char *const DUP_METRICS[] = {"exact", "near", "conflicting", "items", NULL};
static const char *const KNOWN_METHODS[] = {"gpt3", "lmeval", "palm", "llama2", "gpt4", "custom",
                                            NULL};

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

static int fail(char *why, size_t cap, const char *expr, const char *msg)
{
    snprintf(why, cap, "--fail-on '%s': %s", expr, msg);
    return -1;
}

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* Splits a dotted metric name into its scope, method and metric. */
static int parse_metric(const char *name, report_gate *g, char *why, size_t cap)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", name);
    char *parts[8];
    size_t np = 0;
    for (char *p = buf; p && np < 8;) {
        parts[np++] = p;
        char *dot = strchr(p, '.');
        if (dot)
            *dot = '\0';
        p = dot ? dot + 1 : NULL;
    }
    for (size_t i = 0; i < np; i++)
        if (!*parts[i])
            return fail(why, cap, g->text, "empty name part");
    if (np > 3)
        return fail(why, cap, g->text, "too many dotted parts (at most subject.METHOD.dirty)");
    size_t k = 0;
    if (!strcmp(parts[0], "lint")) {
        g->scope = REPORT_GATE_LINT;
        if (np > 2)
            return fail(why, cap, g->text, "lint takes one qualifier: lint.error, lint.warning, "
                                           "lint.info or lint.CHECK");
        snprintf(g->metric, sizeof g->metric, "%s", np == 2 ? parts[1] : "");
        return 0;
    }
    if (!strcmp(parts[0], "duplicates")) {
        g->scope = REPORT_GATE_DUPLICATES;
        if (np > 2 || (np == 2 && !in_list(parts[1], DUP_METRICS)))
            return fail(why, cap, g->text, "use duplicates, duplicates.exact, duplicates.near, "
                                           "duplicates.conflicting or duplicates.items");
        snprintf(g->metric, sizeof g->metric, "%s", np == 2 ? parts[1] : "");
        return 0;
    }
    g->scope = REPORT_GATE_ITEMS;
    if (!strcmp(parts[0], "subject") || !strcmp(parts[0], "file")) {
        g->scope = parts[0][0] == 's' ? REPORT_GATE_SUBJECT : REPORT_GATE_FILE;
        k = 1;
    }
    if (np - k == 2) {
        if (!in_list(parts[k], KNOWN_METHODS)) {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown method '%.40s' (gpt3, lmeval, palm, llama2, gpt4, "
                                      "custom)", parts[k]);
            return fail(why, cap, g->text, msg);
        }
        snprintf(g->method, sizeof g->method, "%s", parts[k]);
        k++;
    }
    if (np - k != 1 || !in_list(parts[k], ITEM_METRICS))
        return fail(why, cap, g->text,
                    "unknown metric (dirty, too_short, not_clean, optionally as METHOD.dirty, "
                    "subject.dirty, file.dirty; lint, lint.error, lint.warning, lint.info, "
                    "lint.CHECK; duplicates, duplicates.conflicting...)");
    snprintf(g->metric, sizeof g->metric, "%s", parts[k]);
    return 0;
}

int report_gate_parse(const char *expr, report_gate *g, char *why, size_t cap)
{
    memset(g, 0, sizeof *g);
    while (isspace((unsigned char)*expr))
        expr++;
    size_t len = strlen(expr);
    while (len && isspace((unsigned char)expr[len - 1]))
        len--;
    if (len >= sizeof g->text) {
        snprintf(why, cap, "--fail-on: expression longer than %zu bytes", sizeof g->text - 1);
        return -1;
    }
    memcpy(g->text, expr, len);
    g->text[len] = '\0';
    const char *p = g->text;
    char name[128];
    size_t nl = 0;
    while (is_name_char(*p) && nl + 1 < sizeof name)
        name[nl++] = *p++;
    name[nl] = '\0';
    if (!nl)
        return fail(why, cap, g->text, "expected a metric such as dirty>2%");
    if (is_name_char(*p))
        return fail(why, cap, g->text, "metric name too long");
    while (isspace((unsigned char)*p))
        p++;
    static const struct {
        const char *s;
        report_gate_op op;
    } OPS[] = {{">=", REPORT_OP_GE}, {"<=", REPORT_OP_LE}, {"==", REPORT_OP_EQ},
               {"!=", REPORT_OP_NE}, {">", REPORT_OP_GT},  {"<", REPORT_OP_LT},
               {"=", REPORT_OP_EQ}};
    size_t i;
    for (i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (!strncmp(p, OPS[i].s, strlen(OPS[i].s)))
            break;
    if (i == sizeof OPS / sizeof OPS[0])
        return fail(why, cap, g->text, "expected a comparison: > >= < <= == !=");
    g->op = OPS[i].op;
    p += strlen(OPS[i].s);
    while (isspace((unsigned char)*p))
        p++;
    snprintf(g->value_text, sizeof g->value_text, "%s", p);
    /* a plain decimal: digits with an optional fraction, then an optional % */
    const char *q = p;
    double v = 0, scale = 1;
    int digits = 0, frac = 0;
    for (; *q; q++) {
        if (*q >= '0' && *q <= '9') {
            if (frac)
                scale /= 10;
            v = v * 10 + (*q - '0');
            digits++;
        } else if (*q == '.' && !frac) {
            frac = 1;
        } else {
            break;
        }
    }
    if (!digits || digits > 15)
        return fail(why, cap, g->text, "expected a number after the comparison");
    g->value = v * scale;
    if (*q == '%') {
        g->percent = 1;
        q++;
    }
    if (*q)
        return fail(why, cap, g->text, "unexpected text after the number");
    if (parse_metric(name, g, why, cap))
        return -1;
    if (g->percent && (g->scope == REPORT_GATE_LINT || g->scope == REPORT_GATE_DUPLICATES))
        return fail(why, cap, g->text, "'%' applies to item metrics (dirty, too_short, "
                                       "not_clean) only; lint and duplicates are counts");
    if (g->percent && g->value > 100)
        return fail(why, cap, g->text, "a percentage above 100%");
    if (!g->percent && frac && g->scope <= REPORT_GATE_FILE)
        return fail(why, cap, g->text, "a count must be a whole number (or add %)");
    return 0;
}

const char *report_gate_section(const report_gate *g)
{
    return g->scope == REPORT_GATE_LINT ? "lint"
           : g->scope == REPORT_GATE_DUPLICATES ? "duplicates" : NULL;
}

/* ---- Evaluation -------------------------------------------------------------- */

static const char *OP_TEXT[] = {">", ">=", "<", "<=", "==", "!="};

static int compare(double a, report_gate_op op, double b)
{
    switch (op) {
    case REPORT_OP_GT: return a > b;
    case REPORT_OP_GE: return a >= b;
    case REPORT_OP_LT: return a < b;
    case REPORT_OP_LE: return a <= b;
    case REPORT_OP_EQ: return a == b;
    case REPORT_OP_NE: return a != b;
    }
    return 0;
}

/* Compares count/items against the gate, exactly for percentages: both
 * sides are scaled by items instead of dividing (2 of 100 is not > 2%). */
static int crosses(const report_gate *g, uint64_t count, uint64_t items)
{
    if (!g->percent)
        return compare((double)count, g->op, g->value);
    if (!items)
        return 0; /* no items: no rate to gate on */
    return compare((double)count * 100.0, g->op, g->value * (double)items);
}

static int say(contam_buf *msgs, const report_gate *g, const char *scope, const char *method,
               uint64_t count, uint64_t items)
{
    char pct[32];
    rv_pct(pct, sizeof pct, rv_rate(count, items));
    const char *metric = g->metric;
    if (g->percent)
        return contam_buf_printf(msgs, "gate crossed: %s%s %s %s (%llu of %llu items) %s %s "
                                       "[--fail-on %s]\n",
                                 scope, method, metric, pct, (unsigned long long)count,
                                 (unsigned long long)items, OP_TEXT[g->op], g->value_text,
                                 g->text);
    return contam_buf_printf(msgs, "gate crossed: %s%s %s %llu (%s of %llu items) %s %s "
                                   "[--fail-on %s]\n",
                             scope, method, metric, (unsigned long long)count, pct,
                             (unsigned long long)items, OP_TEXT[g->op], g->value_text, g->text);
}

static uint64_t metric_count(const cJSON *counts, const char *metric)
{
    return rv_u64(counts, metric);
}

/* Item gates over summary, by_subject or benchmark.inputs. */
static contam_status eval_items(const report_gate *g, const cJSON *root, const char *method,
                                contam_buf *msgs, size_t *crossed, contam_err *err)
{
    char mlabel[40];
    snprintf(mlabel, sizeof mlabel, "%s", method);
    if (g->scope == REPORT_GATE_ITEMS) {
        const cJSON *c = rv_get(rv_get(root, "summary"), method);
        uint64_t n = metric_count(c, g->metric), items = rv_u64(c, "items");
        if (crosses(g, n, items)) {
            (*crossed)++;
            if (say(msgs, g, "", mlabel, n, items))
                return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        }
        return CONTAM_OK;
    }
    int subj = g->scope == REPORT_GATE_SUBJECT;
    const cJSON *groups = subj ? rv_get(root, "by_subject")
                               : rv_get(rv_get(root, "benchmark"), "inputs");
    const cJSON *grp;
    cJSON_ArrayForEach(grp, groups)
    {
        const cJSON *c = rv_get(subj ? grp : rv_get(grp, "verdicts"), method);
        const char *name = subj ? (grp->string ? grp->string : "?") : rv_str(grp, "path", "?");
        uint64_t n = metric_count(c, g->metric), items = rv_u64(c, "items");
        if (!crosses(g, n, items))
            continue;
        (*crossed)++;
        contam_buf scope = {0};
        int bad = contam_buf_printf(&scope, "%s %s ", subj ? "subject" : "file", name) ||
                  say(msgs, g, scope.ptr, mlabel, n, items);
        contam_buf_free(&scope);
        if (bad)
            return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    }
    return CONTAM_OK;
}

/* The count a lint gate compares; *what names it in the message. */
static uint64_t lint_count(const report_gate *g, const cJSON *lint, const char **what)
{
    uint64_t n = 0;
    const cJSON *bc = rv_get(lint, "by_check"), *c;
    *what = g->metric[0] ? g->metric : "findings";
    if (!g->metric[0]) {
        n = rv_u64(lint, "findings");
    } else if (!strcmp(g->metric, "error") || !strcmp(g->metric, "warning") ||
               !strcmp(g->metric, "info")) {
        cJSON_ArrayForEach(c, bc)
        {
            if (!strcmp(rv_str(c, "severity", ""), g->metric))
                n += rv_u64(c, "count");
        }
    } else {
        /* a check code: absent from by_check means it found nothing */
        n = rv_u64(rv_get(bc, g->metric), "count");
    }
    return n;
}

/* The count a duplicates gate compares; *what is its report.json key. */
static uint64_t dups_count(const report_gate *g, const cJSON *d, const char **what)
{
    *what = !g->metric[0]                     ? "groups"
            : !strcmp(g->metric, "exact")       ? "exact_groups"
            : !strcmp(g->metric, "near")        ? "near_groups"
            : !strcmp(g->metric, "conflicting") ? "conflicting_groups"
                                                : "items_in_groups";
    return rv_u64(d, *what);
}

/* A count gate on a later stage's section (sec: "lint" or "duplicates"). */
static contam_status eval_section(const report_gate *g, const char *sec, const cJSON *s,
                                  contam_buf *msgs, size_t *crossed, contam_err *err)
{
    const char *what;
    uint64_t n = g->scope == REPORT_GATE_LINT ? lint_count(g, s, &what) : dups_count(g, s, &what);
    if (!crosses(g, n, 0))
        return CONTAM_OK;
    (*crossed)++;
    if (contam_buf_printf(msgs, "gate crossed: %s %s %llu %s %s [--fail-on %s]\n", sec, what,
                          (unsigned long long)n, OP_TEXT[g->op], g->value_text, g->text))
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    return CONTAM_OK;
}

contam_status report_gate_eval(const report_gate *gates, size_t ngates, const char *report_json,
                               size_t len, contam_buf *msgs, size_t *crossed, contam_err *err)
{
    *crossed = 0;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(report_json, len, &end, 0);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return contam_err_set(err, CONTAM_ERR_JSON, "report.json", 0,
                              "invalid JSON (or out of memory)");
    }
    const cJSON *methods = rv_get(rv_get(root, "parameters"), "methods");
    const char *first = rv_str(cJSON_GetArrayItem(methods, 0), "name", NULL);
    contam_status st = CONTAM_OK;
    if (!first)
        st = contam_err_set(err, CONTAM_ERR_FORMAT, "report.json", 0,
                            "not a contam report.json: no parameters.methods");
    for (size_t k = 0; st == CONTAM_OK && k < ngates; k++) {
        const report_gate *g = &gates[k];
        const char *sec = report_gate_section(g);
        if (sec) {
            const cJSON *s = rv_get(root, sec);
            if (!cJSON_IsObject(s)) {
                st = contam_err_set(err, CONTAM_ERR_ARG, NULL, 0,
                                    "--fail-on '%s': this output has no %s results (%s was not "
                                    "run; use contam audit)",
                                    g->text, sec, sec);
                break;
            }
            st = eval_section(g, sec, s, msgs, crossed, err);
            continue;
        }
        const char *method = g->method[0] ? g->method : first;
        if (!rv_get(rv_get(root, "summary"), method)) {
            st = contam_err_set(err, CONTAM_ERR_ARG, NULL, 0,
                                "--fail-on '%s': method %s was not run (methods: see report.json "
                                "parameters)",
                                g->text, method);
            break;
        }
        st = eval_items(g, root, method, msgs, crossed, err);
    }
    cJSON_Delete(root);
    return st;
}
