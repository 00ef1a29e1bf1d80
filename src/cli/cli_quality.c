/* cli_quality.c - `contam dedup`, `contam lint`, `contam impact` (standalone:
 * benchmark options, no corpus) and `contam audit` (scan + dedup + lint, +
 * impact with --samples, through cli_scan_run's stage hook, into one output
 * directory and one report.json). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bench/bench.h"
#include "cli/cli.h"
#include "io/io.h"
#include "quality/quality.h"
#include "report/report.h"
#include "scan/scan.h"

/* The output options every standalone command takes (F_BASE), and its exit codes. */
#define QHELP_OUTPUT                                                     \
    "Output:\n"                                                          \
    "  -o, --out DIR           output directory (replaced atomically)\n" \
    "  -q, --quiet             no summary on stderr\n"                   \
    "  -h, --help              show this text\n"                         \
    "\n"                                                                 \
    "Exit codes: 0 ok, 1 failure, 2 usage error.\n"

static const char DEDUP_HELP[] =
    "Usage: contam dedup --bench PATH --out DIR [OPTIONS]\n"
    "\n"
    "Find duplicate items: exact (equal after collapsing whitespace) and near\n"
    "(Jaccard of word-shingle sets >= --jaccard, MinHash LSH candidates verified\n"
    "exactly), within the benchmark, against other splits or benchmarks\n"
    "(--against), and whether the copies' gold answers conflict.\n"
    "Writes DIR/duplicates.jsonl (one group per line) and DIR/report.json.\n"
    "\n"
    CLI_HELP_BENCH
    "Duplicates:\n"
    "      --against PATH      compare with another split or benchmark (repeatable;\n"
    "                          pairs inside the --against sets are not compared)\n"
    "      --against-preset P  preset of the --against files (default: --preset)\n"
    "      --jaccard J         near-duplicate threshold, 0..1 or % (default 0.8)\n"
    "      --shingle K         words per shingle (default 3)\n"
    QHELP_OUTPUT;

static const char LINT_HELP[] =
    "Usage: contam lint --bench PATH --out DIR [OPTIONS]\n"
    "\n"
    "Check every item for suspected label errors and defects: conflicting\n"
    "duplicates, gold missing or out of range, option count, empty or duplicate\n"
    "options, options referring to other options, references to missing context,\n"
    "gold text in the question, encoding and markup defects, GSM8K rationale\n"
    "arithmetic, and (with --samples) model evidence. Codes C001.. are stable;\n"
    "docs/CHECKS.md documents each one.\n"
    "Writes DIR/lint.jsonl (one finding per line), DIR/duplicates.jsonl and\n"
    "DIR/report.json.\n"
    "\n"
    "Benchmark:\n"
    "  -b, --bench PATH        benchmark file or directory (repeatable)\n"
    "  -p, --preset NAME       mmlu, gsm8k, arc, truthfulqa, hellaswag\n"
    "      --text-fields LIST, --label-field F, --subject-field F, --id-field F\n"
    "Duplicates (for C001/C002):\n"
    "      --against PATH, --against-preset P, --jaccard J, --shingle K (see dedup)\n"
    "Model evidence (C023/C024):\n"
    "      --samples FILE      lm-eval --log_samples file (repeatable); the model is\n"
    "                          the file's directory name (lm-eval's layout)\n"
    "      --model NAME        model name for every --samples file\n"
    "      --filter NAME       lm-eval filter to use (default: each file's first)\n"
    "      --metric NAME       per-sample metric (default acc, else exact_match)\n"
    "      --min-models N      models that must agree (default 2)\n"
    QHELP_OUTPUT;

static const char IMPACT_HELP[] =
    "Usage: contam impact --samples FILE... --items ITEMS.jsonl --out DIR [OPTIONS]\n"
    "\n"
    "Accuracy on all, clean and dirty items per model, task and subject, with\n"
    "seeded bootstrap intervals; a row is flagged when clean is more than\n"
    "--flag-points below all. Clean/dirty come from ITEMS.jsonl (written by\n"
    "contam scan or audit: dirty = verdict dirty or not_clean). Samples are\n"
    "joined to items by content (question and options), not by doc_id.\n"
    "Writes DIR/impact.json and DIR/report.json.\n"
    "\n"
    "Inputs:\n"
    "      --samples FILE      lm-eval --log_samples file (repeatable; also as\n"
    "                          positional arguments)\n"
    "      --items FILE        items.jsonl of the scan\n"
    "  -b, --bench PATH, -p, --preset NAME, --text-fields LIST, --label-field F,\n"
    "      --subject-field F, --id-field F\n"
    "                          the benchmark (default: as recorded in the\n"
    "                          report.json next to ITEMS)\n"
    "      --model NAME        model name for every file (default: the file's\n"
    "                          directory name, as lm-eval writes it)\n"
    "      --filter NAME       lm-eval filter (default: each file's first)\n"
    "      --metric NAME       per-sample metric (default acc, else exact_match)\n"
    "Statistics:\n"
    "      --bootstrap N       bootstrap resamples (default 1000)\n"
    "      --bootstrap-seed S  seed (default 20240101)\n"
    "      --flag-points X     flag when clean < all - X points (default 1)\n"
    QHELP_OUTPUT;

static const char AUDIT_HELP[] =
    "Usage: contam audit --bench PATH --out DIR [OPTIONS] CORPUS...\n"
    "\n"
    "One run of scan + dedup + lint (+ impact with --samples) into one output\n"
    "directory: the scan's items.jsonl (each item gains duplicate_group and\n"
    "lint), report.json (gains duplicates, lint and impact sections), clean/ and\n"
    "dirty/, plus duplicates.jsonl, lint.jsonl and impact.json.\n"
    "\n"
    "Every `contam scan` option applies (see contam scan --help): --bench,\n"
    "--preset, --text-fields, --label-field, --subject-field, --id-field,\n"
    "--method, --n, --threshold, --corpus-df, --bench-df, --short, --digits,\n"
    "--text-field, --doc-field, --max-line, --strict, --keep-going, --out,\n"
    "--max-matches, --threads, --seed, --quiet, and --fail-on, whose lint[...]\n"
    "and duplicates[...] gates read this command's sections.\n"
    "Quality options:\n"
    "      --against PATH      also compare with another split/benchmark (repeatable)\n"
    "      --against-preset P  preset of the --against files (default: --preset)\n"
    "      --jaccard J         near-duplicate threshold (default 0.8)\n"
    "      --shingle K         words per shingle (default 3)\n"
    "      --samples FILE      lm-eval --log_samples file (repeatable): model\n"
    "                          evidence checks and impact.json\n"
    "      --model NAME, --filter NAME, --metric NAME, --min-models N\n"
    "      --bootstrap N, --bootstrap-seed S, --flag-points X\n"
    "  -h, --help              show this text\n"
    "\n"
    "Exit codes: 0 ok, 1 failure, 2 usage error, 3 a --fail-on gate crossed.\n";

enum {
    Q_BENCH = 1, Q_PRESET, Q_TEXT_FIELDS, Q_LABEL, Q_SUBJECT, Q_ID, Q_OUT, Q_QUIET, Q_HELP,
    Q_AGAINST, Q_AGAINST_PRESET, Q_JACCARD, Q_SHINGLE, Q_SAMPLES, Q_MODEL, Q_FILTER, Q_METRIC,
    Q_MIN_MODELS, Q_ITEMS, Q_BOOTSTRAP, Q_BOOT_SEED, Q_FLAG_POINTS
};

/* which commands accept an option */
enum { F_DEDUP = 1, F_LINT = 2, F_IMPACT = 4, F_AUDIT = 8, F_BASE = F_DEDUP | F_LINT | F_IMPACT };

typedef struct {
    cli_opt o;
    int cmds;
} qopt;

static const qopt QOPTS[] = {
    {{"bench", 'b', 1, Q_BENCH}, F_BASE},
    {{"preset", 'p', 1, Q_PRESET}, F_BASE},
    {{"text-fields", 0, 1, Q_TEXT_FIELDS}, F_BASE},
    {{"label-field", 0, 1, Q_LABEL}, F_BASE},
    {{"subject-field", 0, 1, Q_SUBJECT}, F_BASE},
    {{"id-field", 0, 1, Q_ID}, F_BASE},
    {{"out", 'o', 1, Q_OUT}, F_BASE},
    {{"quiet", 'q', 0, Q_QUIET}, F_BASE},
    {{"help", 'h', 0, Q_HELP}, F_BASE},
    {{"against", 0, 1, Q_AGAINST}, F_DEDUP | F_LINT | F_AUDIT},
    {{"against-preset", 0, 1, Q_AGAINST_PRESET}, F_DEDUP | F_LINT | F_AUDIT},
    {{"jaccard", 0, 1, Q_JACCARD}, F_DEDUP | F_LINT | F_AUDIT},
    {{"shingle", 0, 1, Q_SHINGLE}, F_DEDUP | F_LINT | F_AUDIT},
    {{"samples", 0, 1, Q_SAMPLES}, F_LINT | F_IMPACT | F_AUDIT},
    {{"model", 0, 1, Q_MODEL}, F_LINT | F_IMPACT | F_AUDIT},
    {{"filter", 0, 1, Q_FILTER}, F_LINT | F_IMPACT | F_AUDIT},
    {{"metric", 0, 1, Q_METRIC}, F_LINT | F_IMPACT | F_AUDIT},
    {{"min-models", 0, 1, Q_MIN_MODELS}, F_LINT | F_AUDIT},
    {{"items", 0, 1, Q_ITEMS}, F_IMPACT},
    {{"bootstrap", 0, 1, Q_BOOTSTRAP}, F_IMPACT | F_AUDIT},
    {{"bootstrap-seed", 0, 1, Q_BOOT_SEED}, F_IMPACT | F_AUDIT},
    {{"flag-points", 0, 1, Q_FLAG_POINTS}, F_IMPACT | F_AUDIT},
};

#define NQOPTS (sizeof QOPTS / sizeof QOPTS[0])

typedef struct {
    const char *cmd;
    int mask;
    const char **bench, **against, **samples;
    size_t nbench, nagainst, nsamples;
    const char *against_preset, *out, *items;
    bench_options bo;
    quality_dedup_options dopt;
    quality_samples_options sopt;
    quality_lint_options lopt;
    quality_impact_options iopt;
    int quiet;
} qargs;

static int qargs_init(qargs *a, const char *cmd, int mask, int argc)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->mask = mask;
    a->bench = calloc((size_t)argc + 1, sizeof *a->bench);
    a->against = calloc((size_t)argc + 1, sizeof *a->against);
    a->samples = calloc((size_t)argc + 1, sizeof *a->samples);
    quality_dedup_options_init(&a->dopt);
    quality_lint_options_init(&a->lopt);
    quality_impact_options_init(&a->iopt);
    if (!a->bench || !a->against || !a->samples) {
        fprintf(stderr, "contam: error: out of memory\n");
        return -1;
    }
    return 0;
}

static void qargs_free(qargs *a)
{
    free(a->bench);
    free(a->against);
    free(a->samples);
}

/* The quality options shared by the standalone commands and audit. */
static int quality_opt(qargs *a, int id, const char *v)
{
    uint64_t u;
    double d;
    switch (id) {
    case Q_AGAINST: a->against[a->nagainst++] = v; break;
    case Q_AGAINST_PRESET: a->against_preset = v; break;
    case Q_JACCARD:
        if (contam_parse_fraction(v, 0, 1, &d) || d <= 0)
            return cli_usage_error(a->cmd, "--jaccard: '%s' is not in (0, 1] (or a %%)", v);
        a->dopt.jaccard = d;
        break;
    case Q_SHINGLE:
        if (cli_parse_u64(a->cmd, "shingle", v, 1, 64, &u))
            return CLI_USAGE;
        a->dopt.shingle = (unsigned)u;
        break;
    case Q_SAMPLES: a->samples[a->nsamples++] = v; break;
    case Q_MODEL: a->sopt.model = v; break;
    case Q_FILTER: a->sopt.filter = v; break;
    case Q_METRIC: a->sopt.metric = v; break;
    case Q_MIN_MODELS:
        if (cli_parse_u64(a->cmd, "min-models", v, 1, 1000, &u))
            return CLI_USAGE;
        a->lopt.min_models = (unsigned)u;
        break;
    case Q_ITEMS: a->items = v; break;
    case Q_BOOTSTRAP:
        if (cli_parse_u64(a->cmd, "bootstrap", v, 10, 100000, &u))
            return CLI_USAGE;
        a->iopt.samples = (unsigned)u;
        break;
    case Q_BOOT_SEED:
        if (cli_parse_u64(a->cmd, "bootstrap-seed", v, 0, UINT64_MAX, &a->iopt.seed))
            return CLI_USAGE;
        break;
    case Q_FLAG_POINTS:
        if (contam_parse_fraction(v, 0, 100, &d))
            return cli_usage_error(a->cmd, "--flag-points: '%s' is not a number of points "
                                           "between 0 and 100", v);
        a->iopt.flag_points = d;
        break;
    }
    return CLI_OK;
}

static int parse(int argc, char **argv, qargs *a, const char *help)
{
    cli_opt opts[NQOPTS + 1];
    size_t n = 0;
    for (size_t k = 0; k < NQOPTS; k++)
        if (QOPTS[k].cmds & a->mask)
            opts[n++] = QOPTS[k].o;
    memset(&opts[n], 0, sizeof opts[n]);
    cli_parser p;
    cli_parser_init(&p, a->cmd, argc, argv);
    const char *v;
    int id, rc;
    while ((id = cli_next(&p, opts, &v)) != CLI_END) {
        switch (id) {
        case CLI_BAD: return CLI_USAGE;
        case CLI_POSITIONAL:
            if (a->mask != F_IMPACT)
                return cli_usage_error(a->cmd, "unexpected argument '%s' (no corpus here)", v);
            a->samples[a->nsamples++] = v;
            break;
        case Q_HELP: fputs(help, stdout); return -1;
        case Q_BENCH: a->bench[a->nbench++] = v; break;
        case Q_PRESET: a->bo.preset = v; break;
        case Q_TEXT_FIELDS: a->bo.text_fields = v; break;
        case Q_LABEL: a->bo.label_field = v; break;
        case Q_SUBJECT: a->bo.subject_field = v; break;
        case Q_ID: a->bo.id_field = v; break;
        case Q_OUT: a->out = v; break;
        case Q_QUIET: a->quiet = 1; break;
        default:
            if ((rc = quality_opt(a, id, v)) != CLI_OK)
                return rc;
        }
    }
    if (!a->out)
        return cli_usage_error(a->cmd, "--out is required");
    if (a->mask == F_IMPACT) {
        if (!a->nsamples)
            return cli_usage_error(a->cmd, "give --samples FILE (lm-eval --log_samples output)");
        if (!a->items)
            return cli_usage_error(a->cmd, "--items is required (items.jsonl of a scan)");
        if (a->nbench && !a->bo.preset && !a->bo.text_fields)
            return cli_usage_error(a->cmd, "give --preset or --text-fields with --bench");
        return CLI_OK;
    }
    if (!a->nbench)
        return cli_usage_error(a->cmd, "--bench is required");
    if (!a->bo.preset && !a->bo.text_fields)
        return cli_usage_error(a->cmd, "give --preset or --text-fields");
    return CLI_OK;
}

/* qargs_init and parse for a standalone command. Returns 0 to run it, or 1
 * when it is over (--help shown, usage error, no memory) with *rc its exit
 * code and a released. */
static int qargs_start(qargs *a, const char *cmd, int mask, const char *help, int argc,
                       char **argv, int *rc)
{
    if (qargs_init(a, cmd, mask, argc)) {
        qargs_free(a);
        *rc = CLI_FAIL;
        return 1;
    }
    int p = parse(argc, argv, a, help);
    if (p) {
        qargs_free(a);
        *rc = p < 0 ? cli_finish_stdout(CLI_OK) : p;
        return 1;
    }
    return 0;
}

/* ---- shared steps ---------------------------------------------------------------- */

static contam_status load_against(const qargs *a, const bench_set *b, bench_set ***out,
                                  contam_err *err)
{
    *out = NULL;
    if (!a->nagainst)
        return CONTAM_OK;
    bench_set **v = calloc(a->nagainst, sizeof *v);
    if (!v)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    bench_options bo = a->bo;
    if (a->against_preset) {
        memset(&bo, 0, sizeof bo);
        bo.preset = a->against_preset;
    } else if (strcmp(b->preset, "generic")) {
        bo.preset = b->preset;
    }
    for (size_t k = 0; k < a->nagainst; k++) {
        contam_status st = bench_load(&a->against[k], 1, &bo, &v[k], err);
        if (st != CONTAM_OK) {
            for (size_t j = 0; j < k; j++)
                bench_set_free(v[j]);
            free(v);
            return st;
        }
    }
    *out = v;
    return CONTAM_OK;
}

static void free_against(bench_set **v, size_t n)
{
    if (!v)
        return;
    for (size_t k = 0; k < n; k++)
        bench_set_free(v[k]);
    free(v);
}

static contam_status run_dedup(const qargs *a, const bench_set *b, bench_set **against,
                               quality_dedup **d, contam_err *err)
{
    const bench_set **sets = calloc(a->nagainst + 1, sizeof *sets);
    if (!sets)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    sets[0] = b;
    for (size_t k = 0; k < a->nagainst; k++)
        sets[k + 1] = against[k];
    contam_status st = quality_dedup_run(sets, a->nagainst + 1, &a->dopt, d, err);
    free(sets);
    return st;
}

static contam_status write_buf(io_outdir *od, const char *rel,
                               int (*fill)(const void *, contam_buf *), const void *what,
                               contam_err *err)
{
    contam_buf b = {0};
    contam_status st;
    if (fill(what, &b))
        st = contam_err_set(err, CONTAM_ERR_NOMEM, rel, 0, "out of memory");
    else
        st = quality_write(od, rel, &b, err);
    contam_buf_free(&b);
    return st;
}

static int fill_dups(const void *d, contam_buf *b) { return quality_dedup_jsonl(d, b); }
static int fill_lint(const void *l, contam_buf *b) { return quality_lint_jsonl(l, b); }
static int fill_impact(const void *im, contam_buf *b)
{
    return quality_impact_section(im, b, 0) || contam_buf_puts(b, "\n");
}

/* parameters object of report.json */
static int params_json(const qargs *a, contam_buf *o)
{
    if (contam_buf_printf(o, "{\n    \"jaccard\": %g,\n    \"shingle_words\": %u,\n"
                             "    \"minhash\": {\"hashes\": %d, \"bands\": %d, \"rows\": %d},\n"
                             "    \"min_models\": %u,\n    \"bootstrap\": %u,\n"
                             "    \"bootstrap_seed\": %llu,\n    \"flag_points\": %g,\n"
                             "    \"against_preset\": ",
                          a->dopt.jaccard, a->dopt.shingle, QUALITY_MINHASH_K,
                          QUALITY_MINHASH_BANDS, QUALITY_MINHASH_ROWS, a->lopt.min_models,
                          a->iopt.samples, (unsigned long long)a->iopt.seed,
                          a->iopt.flag_points))
        return -1;
    const char *vals[] = {a->against_preset, a->sopt.model, a->sopt.filter, a->sopt.metric};
    const char *keys[] = {NULL, "model", "filter", "metric"};
    for (size_t k = 0; k < 4; k++) {
        if (keys[k] && contam_buf_printf(o, ",\n    \"%s\": ", keys[k]))
            return -1;
        if (vals[k] ? contam_buf_json_str(o, vals[k], strlen(vals[k]))
                    : contam_buf_puts(o, "null"))
            return -1;
    }
    return contam_buf_puts(o, "\n  }");
}

static void print_lint_summary(const char *cmd, const quality_lint *l)
{
    size_t nc;
    const quality_check *ck = quality_checks(&nc);
    fprintf(stderr, "contam %s: %zu lint findings", cmd, l->n);
    for (size_t k = 0; k < nc; k++)
        if (l->by_check[k])
            fprintf(stderr, ", %s %llu", ck[k].code, (unsigned long long)l->by_check[k]);
    fputc('\n', stderr);
}

static void print_dedup_summary(const char *cmd, const quality_dedup *d, double secs)
{
    size_t exact = 0, confl = 0;
    for (size_t k = 0; k < d->ngroups; k++) {
        exact += d->groups[k].exact;
        confl += d->groups[k].conflicting;
    }
    fprintf(stderr,
            "contam %s: %zu duplicate groups (%zu exact, %zu near, %zu with conflicting gold) "
            "in %.2f s\n",
            cmd, d->ngroups, exact, d->ngroups - exact, confl, secs);
}

/* ---- dedup / lint ------------------------------------------------------------------ */

static int dedup_or_lint(int argc, char **argv, const char *cmd, int mask, const char *help)
{
    qargs a;
    int rc;
    if (qargs_start(&a, cmd, mask, help, argc, argv, &rc))
        return rc;
    rc = CLI_FAIL;
    contam_err err;
    contam_err_clear(&err);
    io_outdir *od = NULL;
    bench_set *b = NULL, **against = NULL;
    quality_dedup *d = NULL;
    quality_samples *s = NULL;
    quality_lint *l = NULL;
    contam_buf params = {0}, sec_d = {0}, sec_l = {0};
    double t0 = cli_now();
    if (io_outdir_begin(a.out, &od, &err) != CONTAM_OK ||
        bench_load(a.bench, a.nbench, &a.bo, &b, &err) != CONTAM_OK ||
        load_against(&a, b, &against, &err) != CONTAM_OK ||
        run_dedup(&a, b, against, &d, &err) != CONTAM_OK)
        goto fail;
    double t_dedup = cli_now() - t0;
    if (mask == F_LINT) {
        if (a.nsamples && (quality_samples_load(a.samples, a.nsamples, &a.sopt, &s, &err) !=
                               CONTAM_OK ||
                           quality_samples_join(s, b, &err) != CONTAM_OK))
            goto fail;
        if (quality_lint_run(b, d, s, &a.lopt, &l, &err) != CONTAM_OK ||
            write_buf(od, "lint.jsonl", fill_lint, l, &err) != CONTAM_OK)
            goto fail;
    }
    const char *names[2];
    const char *values[2];
    size_t nsec = 0;
    if (write_buf(od, "duplicates.jsonl", fill_dups, d, &err) != CONTAM_OK)
        goto fail;
    if (params_json(&a, &params) || quality_dedup_section(d, &sec_d, 1) ||
        (l && quality_lint_section(l, &sec_l, 1))) {
        contam_err_set(&err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    names[nsec] = "duplicates";
    values[nsec++] = sec_d.ptr;
    if (l) {
        names[nsec] = "lint";
        values[nsec++] = sec_l.ptr;
    }
    quality_report_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.command = cmd;
    meta.b = b;
    meta.bench_args = a.bench;
    meta.nbench_args = a.nbench;
    meta.against = (const bench_set *const *)against;
    meta.against_args = a.against;
    meta.nagainst = a.nagainst;
    meta.samples = s;
    meta.parameters = params.ptr;
    meta.section_names = names;
    meta.section_values = values;
    meta.nsections = nsec;
    if (quality_report_write(od, &meta, &err) != CONTAM_OK ||
        io_outdir_commit(od, &err) != CONTAM_OK)
        goto fail;
    if (!a.quiet) {
        print_dedup_summary(cmd, d, t_dedup);
        if (l)
            print_lint_summary(cmd, l);
        fprintf(stderr, "  wrote %s/{%sduplicates.jsonl,report.json}\n", a.out,
                l ? "lint.jsonl," : "");
    }
    rc = CLI_OK;
    goto done;
fail:
    cli_report_error(&err);
done:
    quality_lint_free(l);
    quality_samples_free(s);
    quality_dedup_free(d);
    free_against(against, a.nagainst);
    bench_set_free(b);
    io_outdir_free(od);
    contam_buf_free(&params);
    contam_buf_free(&sec_d);
    contam_buf_free(&sec_l);
    qargs_free(&a);
    return rc;
}

int cli_dedup_main(int argc, char **argv)
{
    return dedup_or_lint(argc, argv, "dedup", F_DEDUP, DEDUP_HELP);
}

int cli_lint_main(int argc, char **argv)
{
    return dedup_or_lint(argc, argv, "lint", F_LINT, LINT_HELP);
}

/* ---- impact ------------------------------------------------------------------------- */

/* The benchmark as recorded in report.json next to items.jsonl. */
static contam_status bench_from_report(const char *items, bench_set **b, contam_err *err)
{
    char path[4096];
    const char *slash = strrchr(items, '/');
    int n = slash ? snprintf(path, sizeof path, "%.*s/report.json", (int)(slash - items), items)
                  : snprintf(path, sizeof path, "report.json");
    if (n < 0 || (size_t)n >= sizeof path)
        return contam_err_set(err, CONTAM_ERR_ARG, items, 0, "path too long");
    contam_buf raw = {0};
    contam_status st = io_read_all(path, 256u << 20, &raw, NULL, err);
    if (st != CONTAM_OK) {
        contam_buf_free(&raw);
        return contam_err_set(err, st, path, 0,
                              "cannot read the benchmark from here: give --bench and --preset");
    }
    cJSON *root = cJSON_ParseWithLengthOpts(raw.ptr, raw.size, NULL, 0);
    contam_buf_free(&raw);
    const cJSON *preset = contam_json_path(root, "benchmark.preset");
    const cJSON *args = contam_json_path(root, "benchmark.args");
    if (!cJSON_IsString(preset) || !cJSON_IsArray(args) ||
        !strcmp(preset->valuestring, "generic")) {
        cJSON_Delete(root);
        return contam_err_set(err, CONTAM_ERR_FIELD, path, 0,
                              "no benchmark preset and paths recorded (or a generic layout): "
                              "give --bench and --preset/--text-fields");
    }
    size_t na = (size_t)cJSON_GetArraySize(args), k = 0;
    const char **v = calloc(na ? na : 1, sizeof *v);
    if (!v) {
        cJSON_Delete(root);
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    }
    for (const cJSON *e = args->child; e; e = e->next)
        if (cJSON_IsString(e))
            v[k++] = e->valuestring;
    bench_options bo;
    memset(&bo, 0, sizeof bo);
    bo.preset = preset->valuestring;
    st = bench_load(v, k, &bo, b, err);
    free(v);
    cJSON_Delete(root);
    return st;
}

static void print_impact_summary(const char *cmd, const quality_impact *im)
{
    size_t flagged = 0;
    for (size_t k = 0; k < im->nrows; k++)
        flagged += im->rows[k].flag;
    fprintf(stderr, "contam %s: %llu sample records, %llu joined to items, %zu rows, %zu flagged\n",
            cmd, (unsigned long long)im->records, (unsigned long long)im->joined, im->nrows,
            flagged);
    for (size_t k = 0; k < im->nrows; k++) {
        const quality_impact_row *r = &im->rows[k];
        if (strcmp(r->subject, "(all)"))
            continue;
        fprintf(stderr, "  %s %s: all %.4f (n=%llu), clean %.4f (n=%llu), dirty ", r->model,
                r->task, r->acc_all, (unsigned long long)r->n_all, r->n_clean ? r->acc_clean : 0,
                (unsigned long long)r->n_clean);
        if (r->n_dirty)
            fprintf(stderr, "%.4f (n=%llu)%s\n", r->acc_dirty, (unsigned long long)r->n_dirty,
                    r->flag ? "  FLAG" : "");
        else
            fprintf(stderr, "- (n=0)\n");
    }
}

int cli_impact_main(int argc, char **argv)
{
    qargs a;
    int rc;
    if (qargs_start(&a, "impact", F_IMPACT, IMPACT_HELP, argc, argv, &rc))
        return rc;
    rc = CLI_FAIL;
    contam_err err;
    contam_err_clear(&err);
    io_outdir *od = NULL;
    bench_set *b = NULL;
    quality_samples *s = NULL;
    quality_impact *im = NULL;
    uint8_t *dirty = NULL;
    char items_sum[33] = "";
    contam_buf params = {0}, sec = {0};
    if (io_outdir_begin(a.out, &od, &err) != CONTAM_OK ||
        (a.nbench ? bench_load(a.bench, a.nbench, &a.bo, &b, &err)
                  : bench_from_report(a.items, &b, &err)) != CONTAM_OK ||
        quality_items_dirty(a.items, b, &dirty, items_sum, &err) != CONTAM_OK ||
        quality_samples_load(a.samples, a.nsamples, &a.sopt, &s, &err) != CONTAM_OK ||
        quality_samples_join(s, b, &err) != CONTAM_OK ||
        quality_impact_run(s, b, dirty, &a.iopt, &im, &err) != CONTAM_OK ||
        write_buf(od, "impact.json", fill_impact, im, &err) != CONTAM_OK)
        goto fail;
    if (params_json(&a, &params) || quality_impact_section(im, &sec, 1)) {
        contam_err_set(&err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    const char *names[] = {"impact"};
    const char *values[] = {sec.ptr};
    quality_report_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.command = "impact";
    meta.b = b;
    meta.bench_args = a.bench; /* none when read from the scan's report.json */
    meta.nbench_args = a.nbench;
    meta.samples = s;
    meta.items_path = a.items;
    meta.items_checksum = items_sum;
    meta.parameters = params.ptr;
    meta.section_names = names;
    meta.section_values = values;
    meta.nsections = 1;
    if (quality_report_write(od, &meta, &err) != CONTAM_OK ||
        io_outdir_commit(od, &err) != CONTAM_OK)
        goto fail;
    if (!a.quiet) {
        print_impact_summary("impact", im);
        if (im->unjoined)
            fprintf(stderr, "  %llu records matched no benchmark item (see report.json samples)\n",
                    (unsigned long long)im->unjoined);
        fprintf(stderr, "  wrote %s/{impact.json,report.json}\n", a.out);
    }
    rc = CLI_OK;
    goto done;
fail:
    cli_report_error(&err);
done:
    quality_impact_free(im);
    quality_samples_free(s);
    contam_free(dirty);
    bench_set_free(b);
    io_outdir_free(od);
    contam_buf_free(&params);
    contam_buf_free(&sec);
    qargs_free(&a);
    return rc;
}

/* ---- audit: scan + quality stage ------------------------------------------------------ */

typedef struct {
    qargs a;
    bench_set **against;
    quality_dedup *d;
    quality_samples *s;
    quality_lint *l;
    quality_impact *im;
    char **members;
    size_t nitems;
    contam_buf sec[4];
    const char *names[4];
    const char *values[4];
} audit_state;

static int audit_on_opt(void *user, int id, const char *val)
{
    audit_state *st = user;
    return quality_opt(&st->a, id - CLI_EXT_BASE, val);
}

static contam_status audit_stage(void *user, const bench_set *b, const scan_result *r,
                                 io_outdir *od, report_extra *extra, contam_err *err)
{
    audit_state *st = user;
    qargs *a = &st->a;
    contam_status s;
    double t0 = cli_now();
    if ((s = load_against(a, b, &st->against, err)) != CONTAM_OK ||
        (s = run_dedup(a, b, st->against, &st->d, err)) != CONTAM_OK ||
        (s = write_buf(od, "duplicates.jsonl", fill_dups, st->d, err)) != CONTAM_OK)
        return s;
    double t_dedup = cli_now() - t0;
    if (a->nsamples &&
        ((s = quality_samples_load(a->samples, a->nsamples, &a->sopt, &st->s, err)) != CONTAM_OK ||
         (s = quality_samples_join(st->s, b, err)) != CONTAM_OK))
        return s;
    if ((s = quality_lint_run(b, st->d, st->s, &a->lopt, &st->l, err)) != CONTAM_OK ||
        (s = write_buf(od, "lint.jsonl", fill_lint, st->l, err)) != CONTAM_OK)
        return s;
    size_t nsec = 0;
    if (quality_dedup_section(st->d, &st->sec[0], 1) || quality_lint_section(st->l, &st->sec[1], 1))
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    st->names[nsec] = "duplicates";
    st->values[nsec++] = st->sec[0].ptr;
    st->names[nsec] = "lint";
    st->values[nsec++] = st->sec[1].ptr;
    if (st->s) {
        uint8_t *dirty = contam_malloc(b->nitems ? b->nitems : 1);
        if (!dirty)
            return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        size_t nm = r->opt.nmethods;
        for (size_t i = 0; i < b->nitems; i++)
            dirty[i] = (uint8_t)report_is_dirty((scan_verdict)r->stats[i * nm].verdict);
        s = quality_impact_run(st->s, b, dirty, &a->iopt, &st->im, err);
        contam_free(dirty);
        if (s != CONTAM_OK ||
            (s = write_buf(od, "impact.json", fill_impact, st->im, err)) != CONTAM_OK)
            return s;
        if (quality_impact_section(st->im, &st->sec[2], 1))
            return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        st->names[nsec] = "impact";
        st->values[nsec++] = st->sec[2].ptr;
        /* the samples' paths, models and checksums */
        if (contam_buf_puts(&st->sec[3], "{\n    \"inputs\": ") ||
            quality_samples_inputs_json(st->s, &st->sec[3], 2) ||
            contam_buf_puts(&st->sec[3], "\n  }"))
            return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        st->names[nsec] = "samples";
        st->values[nsec++] = st->sec[3].ptr;
    }
    if ((s = quality_item_members(st->d, st->l, b->nitems, &st->members, err)) != CONTAM_OK)
        return s;
    st->nitems = b->nitems;
    extra->item_members = st->members;
    extra->section_names = st->names;
    extra->section_values = st->values;
    extra->nsections = nsec;
    if (!a->quiet) {
        print_dedup_summary("audit", st->d, t_dedup);
        print_lint_summary("audit", st->l);
        if (st->im)
            print_impact_summary("audit", st->im);
        fprintf(stderr, "  quality outputs: duplicates.jsonl, lint.jsonl%s\n",
                st->im ? ", impact.json" : "");
    }
    return CONTAM_OK;
}

static void audit_free(void *user, report_extra *extra)
{
    audit_state *st = user;
    (void)extra;
    quality_item_members_free(st->members, st->nitems);
    quality_impact_free(st->im);
    quality_lint_free(st->l);
    quality_samples_free(st->s);
    quality_dedup_free(st->d);
    free_against(st->against, st->a.nagainst);
    for (size_t k = 0; k < 4; k++)
        contam_buf_free(&st->sec[k]);
    st->members = NULL;
    st->im = NULL;
    st->l = NULL;
    st->s = NULL;
    st->d = NULL;
    st->against = NULL;
}

/* The scan options the stage needs too (field layout for --against, -q) are
 * parsed by cli_scan_run, which does not hand them to the stage: read them
 * from argv here with the same spelling rules (--opt=v, --opt v, "--" ends
 * options). */
static void audit_prescan(int argc, char **argv, qargs *a)
{
    static const char *const names[] = {"preset", "text-fields", "label-field", "subject-field",
                                        "id-field"};
    const char **dst[] = {&a->bo.preset, &a->bo.text_fields, &a->bo.label_field,
                          &a->bo.subject_field, &a->bo.id_field};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--"))
            break;
        if (!strcmp(s, "-q") || !strcmp(s, "--quiet"))
            a->quiet = 1;
        if (!strcmp(s, "-p") && i + 1 < argc) {
            a->bo.preset = argv[++i];
            continue;
        }
        if (strncmp(s, "--", 2))
            continue;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(s + 2, names[k], n))
                continue;
            if (s[2 + n] == '=')
                *dst[k] = s + 3 + n;
            else if (!s[2 + n] && i + 1 < argc)
                *dst[k] = argv[++i];
        }
    }
}

int cli_audit_main(int argc, char **argv)
{
    audit_state st;
    memset(&st, 0, sizeof st);
    if (qargs_init(&st.a, "audit", F_AUDIT, argc)) {
        qargs_free(&st.a);
        return CLI_FAIL;
    }
    audit_prescan(argc, argv, &st.a);
    cli_opt opts[NQOPTS + 1];
    size_t n = 0;
    for (size_t k = 0; k < NQOPTS; k++)
        if (QOPTS[k].cmds & F_AUDIT) {
            opts[n] = QOPTS[k].o;
            opts[n++].id += CLI_EXT_BASE;
        }
    memset(&opts[n], 0, sizeof opts[n]);
    cli_scan_ext ext = {"audit", AUDIT_HELP, opts, audit_on_opt, audit_stage, audit_free, &st};
    int rc = cli_scan_run(argc, argv, &ext);
    qargs_free(&st.a);
    return rc;
}
