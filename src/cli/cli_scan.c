/* cli_scan.c - `contam scan`: options -> bench_load -> scan_run ->
 * report_write_scan into an atomic output directory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "cli/cli.h"
#include "io/io.h"
#include "report/report.h"
#include "scan/scan.h"

static const char HELP[] =
    "Usage: contam scan --bench PATH --out DIR [OPTIONS] CORPUS...\n"
    "       contam scan --bench PATH --out DIR --index IDX [OPTIONS]\n"
    "\n"
    "Measure every benchmark item's n-gram overlap with the corpus and write\n"
    "DIR/items.jsonl, DIR/report.json, DIR/report.html (self-contained page),\n"
    "DIR/report.md (summary for a pull request), DIR/clean/ and DIR/dirty/ (the\n"
    "benchmark's own records, byte for byte, split by the first method's verdict).\n"
    "CORPUS: files or directories (recursive), zstd, gzip or plain by content;\n"
    "JSONL records, or *.txt files as one document each; '-' reads stdin.\n"
    "\n"
    CLI_HELP_BENCH
    "Methods:\n"
    "  -m, --method LIST       gpt3 (default), lmeval, palm, llama2, gpt4, custom;\n"
    "                          comma-separated, the first one decides clean/dirty\n"
    "      --n N               custom: n-gram length in words\n"
    "      --threshold T       custom: dirty when matched/eligible >= T (0..1 or %)\n"
    "      --corpus-df N       gpt3: ignore n-grams in more than N corpus docs (10)\n"
    "      --bench-df N        ignore n-grams shared by more than N items (10)\n"
    "      --short skip|whole  items shorter than n: too_short (skip, default) or\n"
    "                          matched as one sequence when >= 5 tokens (whole)\n"
    "      --digits keep|zero  keep digits (default) or map every digit to 0\n"
    "      --seed N            hash seed (default 0x636f6e74616d3031); recorded in\n"
    "                          report.json, changes n-gram hashes and gpt4 samples\n"
    "Corpus:\n"
    "      --text-field F      JSON field with the text (default text; a.b paths)\n"
    "      --doc-field F       JSON field naming the document (e.g. meta.pile_set_name)\n"
    "      --max-line SIZE     longest record accepted (default 256M)\n"
    "      --strict            an invalid record is fatal (default: count and skip)\n"
    "      --keep-going        a failed corpus file does not stop the others; the\n"
    "                          report lists it and the exit code is 1\n"
    "      --index IDX         answer from a corpus index (contam index build)\n"
    "                          instead of reading CORPUS; same verdicts, no snippets\n"
    "Output:\n"
    "  -o, --out DIR           output directory (replaced atomically)\n"
    "      --max-matches N     provenance entries per item (default 5, max 100)\n"
    "  -t, --threads N         worker threads (default: all cores); results are\n"
    "                          identical for every N\n"
    "  -q, --quiet             no progress or summary on stderr\n"
    "  -h, --help              show this text\n"
    "Quality gates (checked after the outputs are written):\n"
    "      --fail-on EXPR      exit 3 when EXPR holds (repeatable); EXPR is\n"
    "                          [subject.|file.][METHOD.]dirty|too_short|not_clean OP N[%]\n"
    "                          lint[.error|.warning|.info|.CHECK] OP N  (contam audit)\n"
    "                          duplicates[.exact|.near|.conflicting|.items] OP N\n"
    "                          OP is > >= < <= == !=; N% is a share of items; no\n"
    "                          METHOD means the first; subject./file. gate every\n"
    "                          subject / benchmark file. E.g. dirty>2%, gpt3.dirty>=10,\n"
    "                          subject.dirty>10%. A malformed EXPR is a usage error.\n"
    "\n"
    "Exit codes: 0 ok, 1 failure (including failed files with --keep-going),\n"
    "2 usage error, 3 a --fail-on gate crossed (1 wins over 3).\n";

enum {
    O_BENCH = 1, O_PRESET, O_TEXT_FIELDS, O_LABEL, O_SUBJECT, O_ID, O_METHOD, O_N, O_THRESHOLD,
    O_CORPUS_DF, O_BENCH_DF, O_SHORT, O_DIGITS, O_TEXT_FIELD, O_DOC_FIELD, O_MAX_LINE, O_STRICT,
    O_KEEP_GOING, O_OUT, O_MAX_MATCHES, O_THREADS, O_QUIET, O_HELP, O_SEED, O_FAIL_ON, O_INDEX
};

static const cli_opt OPTS[] = {
    {"bench", 'b', 1, O_BENCH},         {"preset", 'p', 1, O_PRESET},
    {"text-fields", 0, 1, O_TEXT_FIELDS}, {"label-field", 0, 1, O_LABEL},
    {"subject-field", 0, 1, O_SUBJECT}, {"id-field", 0, 1, O_ID},
    {"method", 'm', 1, O_METHOD},       {"n", 0, 1, O_N},
    {"threshold", 0, 1, O_THRESHOLD},   {"corpus-df", 0, 1, O_CORPUS_DF},
    {"bench-df", 0, 1, O_BENCH_DF},     {"short", 0, 1, O_SHORT},
    {"digits", 0, 1, O_DIGITS},         {"text-field", 0, 1, O_TEXT_FIELD},
    {"doc-field", 0, 1, O_DOC_FIELD},   {"max-line", 0, 1, O_MAX_LINE},
    {"strict", 0, 0, O_STRICT},         {"keep-going", 0, 0, O_KEEP_GOING},
    {"out", 'o', 1, O_OUT},             {"max-matches", 0, 1, O_MAX_MATCHES},
    {"threads", 't', 1, O_THREADS},     {"quiet", 'q', 0, O_QUIET},
    {"help", 'h', 0, O_HELP},           {"seed", 0, 1, O_SEED},
    {"fail-on", 0, 1, O_FAIL_ON},       {"index", 0, 1, O_INDEX},
    {NULL, 0, 0, 0},
};

/* Live line on a terminal only: logs stay clean. */
static void on_progress(const scan_progress *p, void *user)
{
    cli_progress *ps = user;
    double el = cli_now() - ps->start;
    double mbs = el > 0 ? (double)p->bytes_done / 1e6 / el : 0;
    double frac = p->raw_total ? (double)p->raw_done / (double)p->raw_total : 0;
    double eta = frac > 0.01 ? el * (1 - frac) / frac : 0;
    fprintf(stderr, "\r\033[Kscan: %u/%u files, %.0f MB text, %llu records, %.0f MB/s, %3.0f%%, ETA %.0fs",
            p->files_done, p->files_total, (double)p->bytes_done / 1e6,
            (unsigned long long)p->records_done, mbs, frac * 100, eta);
    ps->shown = 1;
}

typedef struct {
    const char **bench;
    size_t nbench;
    const char **corpus;
    size_t ncorpus;
    const char *out, *methods;
    const char *index; /* --index: answer from a corpus index instead of CORPUS */
    uint64_t n, corpus_df;
    double threshold;
    int quiet;
    cli_gates gates; /* --fail-on */
} scan_args;

/* Applies one parsed option; returns CLI_OK, -1 after --help, or an exit code. */
static int handle_opt(int id, const char *v, scan_args *a, bench_options *bo, scan_options *so,
                      const cli_scan_ext *ext)
{
    uint64_t u;
    if (id >= CLI_EXT_BASE)
        return ext->on_opt(ext->user, id, v);
    switch (id) {
    case CLI_BAD: return CLI_USAGE;
    case CLI_POSITIONAL: a->corpus[a->ncorpus++] = v; break;
    case O_HELP: fputs(ext->help, stdout); return -1;
    case O_BENCH: a->bench[a->nbench++] = v; break;
    case O_PRESET: bo->preset = v; break;
    case O_TEXT_FIELDS: bo->text_fields = v; break;
    case O_LABEL: bo->label_field = v; break;
    case O_SUBJECT: bo->subject_field = v; break;
    case O_ID: bo->id_field = v; break;
    case O_METHOD: a->methods = v; break;
    case O_N:
        if (cli_parse_u64(ext->cmd, "n", v, 1, 1000, &a->n)) return CLI_USAGE;
        break;
    case O_THRESHOLD:
        if (contam_parse_fraction(v, 0, 1, &a->threshold))
            return cli_usage_error(ext->cmd, "--threshold: '%s' is not in 0..1 (or 0%%..100%%)", v);
        break;
    case O_CORPUS_DF:
        if (cli_parse_u64(ext->cmd, "corpus-df", v, 1, UINT32_MAX, &a->corpus_df)) return CLI_USAGE;
        break;
    case O_BENCH_DF:
        if (cli_parse_u64(ext->cmd, "bench-df", v, 1, UINT32_MAX, &u)) return CLI_USAGE;
        so->bench_df = (unsigned)u;
        break;
    case O_SHORT:
        if (strcmp(v, "skip") && strcmp(v, "whole"))
            return cli_usage_error(ext->cmd, "--short must be skip or whole, not '%s'", v);
        so->short_whole = !strcmp(v, "whole");
        break;
    case O_DIGITS:
        if (strcmp(v, "keep") && strcmp(v, "zero"))
            return cli_usage_error(ext->cmd, "--digits must be keep or zero, not '%s'", v);
        so->digits_zero = !strcmp(v, "zero");
        break;
    case O_TEXT_FIELD: so->text_field = v; break;
    case O_DOC_FIELD: so->doc_field = v; break;
    case O_MAX_LINE:
        if (cli_parse_u64(ext->cmd, "max-line", v, 16, UINT32_MAX, &so->max_line)) return CLI_USAGE;
        break;
    case O_STRICT: so->strict = 1; break;
    case O_KEEP_GOING: so->keep_going = 1; break;
    case O_OUT: a->out = v; break;
    case O_MAX_MATCHES:
        if (cli_parse_u64(ext->cmd, "max-matches", v, 1, 100, &u)) return CLI_USAGE;
        so->max_matches = (unsigned)u;
        break;
    case O_THREADS:
        if (cli_parse_u64(ext->cmd, "threads", v, 1, 1024, &u)) return CLI_USAGE;
        so->threads = (int)u;
        break;
    case O_SEED: {
        /* decimal or 0x-hex, the way report.json prints it */
        char *end = NULL;
        errno = 0;
        unsigned long long sd = strtoull(v, &end, 0);
        if (errno || end == v || *end || v[0] == '-')
            return cli_usage_error(ext->cmd, "--seed: '%s' is not a 64-bit number", v);
        so->seed = (uint64_t)sd;
        break;
    }
    case O_QUIET: a->quiet = 1; break;
    case O_INDEX: a->index = v; break;
    case O_FAIL_ON:
        if (cli_gates_parse(ext->cmd, v, &a->gates)) return CLI_USAGE;
        break;
    }
    return CLI_OK;
}

static int parse_args(int argc, char **argv, scan_args *a, bench_options *bo, scan_options *so,
                      const cli_scan_ext *ext)
{
    cli_parser p;
    cli_parser_init(&p, ext->cmd, argc, argv);
    /* the subcommand's own options are looked up after the shared ones */
    size_t nbase = sizeof OPTS / sizeof OPTS[0] - 1, next = 0;
    while (ext->opts && ext->opts[next].name)
        next++;
    cli_opt *all = calloc(nbase + next + 1, sizeof *all);
    if (!all) {
        fprintf(stderr, "contam: error: out of memory\n");
        return CLI_FAIL;
    }
    memcpy(all, OPTS, nbase * sizeof *all);
    if (next)
        memcpy(all + nbase, ext->opts, next * sizeof *all);
    const char *v;
    int id, rc = CLI_OK;
    while (rc == CLI_OK && (id = cli_next(&p, all, &v)) != CLI_END)
        rc = handle_opt(id, v, a, bo, so, ext);
    free(all);
    if (rc)
        return rc;
    if (!a->nbench)
        return cli_usage_error(ext->cmd, "--bench is required");
    if (!a->out)
        return cli_usage_error(ext->cmd, "--out is required");
    if (a->index && a->ncorpus)
        return cli_usage_error(ext->cmd, "give corpus files or --index, not both");
    if (!a->ncorpus && !a->index)
        return cli_usage_error(ext->cmd, "no corpus files given (or --index IDX)");
    if (!bo->preset && !bo->text_fields)
        return cli_usage_error(ext->cmd, "give --preset or --text-fields");
    if (bo->preset && bo->text_fields)
        return cli_usage_error(ext->cmd, "--text-fields is for benchmarks without a preset; "
                                         "drop --preset %s or --text-fields", bo->preset);
    if (bo->preset && !bench_preset_describe(bo->preset))
        return cli_usage_error(ext->cmd, "unknown preset '%s' (mmlu, gsm8k, arc, truthfulqa, "
                                         "hellaswag)", bo->preset);
    if (bo->text_fields) {
        const char *f = bo->text_fields;
        size_t n = strlen(f);
        if (!n || f[0] == ',' || f[n - 1] == ',' || strstr(f, ",,"))
            return cli_usage_error(ext->cmd, "--text-fields '%s' has an empty field name", f);
    }
    if ((a->n || a->threshold > 0) && !strstr(a->methods, "custom"))
        return cli_usage_error(ext->cmd, "--n and --threshold apply to --method custom only");
    char why[200];
    if (scan_methods_parse(a->methods, (unsigned)a->n, a->threshold, (unsigned)a->corpus_df,
                           so->methods, &so->nmethods, why, sizeof why))
        return cli_usage_error(ext->cmd, "--method: %s", why);
    /* gates that cannot be answered fail now, not after the scan */
    for (size_t k = 0; k < a->gates.n; k++) {
        const report_gate *g = &a->gates.v[k];
        int found = !g->method[0];
        for (size_t m = 0; m < so->nmethods; m++)
            found |= !strcmp(g->method, so->methods[m].name);
        if (!found)
            return cli_usage_error(ext->cmd, "--fail-on '%s': method %s is not in --method %s",
                                   g->text, g->method, a->methods);
        if (report_gate_section(g) && !ext->stage)
            return cli_usage_error(ext->cmd, "--fail-on '%s': contam %s does not produce %s "
                                             "results (contam audit does)",
                                   g->text, ext->cmd, report_gate_section(g));
    }
    return CLI_OK;
}

static void print_summary(const scan_result *r, const char *out, double secs)
{
    size_t nm = r->opt.nmethods;
    fprintf(stderr, "contam scan: %zu items; %llu documents, %.1f MB of text in %.2f s (%.0f MB/s)\n",
            r->nitems, (unsigned long long)r->docs, (double)r->bytes / 1e6, secs,
            secs > 0 ? (double)r->bytes / 1e6 / secs : 0.0);
    for (size_t m = 0; m < nm; m++) {
        size_t dirty = 0, short_ = 0, notclean = 0;
        for (size_t i = 0; i < r->nitems; i++) {
            uint8_t v = r->stats[i * nm + m].verdict;
            dirty += v == SCAN_DIRTY;
            short_ += v == SCAN_TOO_SHORT;
            notclean += v == SCAN_NOT_CLEAN;
        }
        fprintf(stderr, "  %-7s dirty %zu/%zu (%.2f%%)", r->opt.methods[m].name, dirty, r->nitems,
                r->nitems ? 100.0 * (double)dirty / (double)r->nitems : 0.0);
        if (r->opt.methods[m].rule == SCAN_RULE_COVERAGE)
            fprintf(stderr, ", not_clean %zu", notclean);
        fprintf(stderr, ", too_short %zu\n", short_);
    }
    if (r->bad_records)
        fprintf(stderr, "  skipped %llu bad corpus records (see report.json corpus.inputs)\n",
                (unsigned long long)r->bad_records);
    fprintf(stderr, "  wrote %s/{report.html,report.md,items.jsonl,report.json,clean/,dirty/}\n",
            out);
}

int cli_scan_run(int argc, char **argv, const cli_scan_ext *ext)
{
    scan_args a;
    memset(&a, 0, sizeof a);
    a.methods = "gpt3";
    a.corpus_df = 10;
    a.bench = calloc((size_t)argc + 1, sizeof *a.bench);
    a.corpus = calloc((size_t)argc + 1, sizeof *a.corpus);
    if (!a.bench || !a.corpus) {
        fprintf(stderr, "contam: error: out of memory\n");
        free(a.bench);
        free(a.corpus);
        return CLI_FAIL;
    }
    bench_options bo;
    memset(&bo, 0, sizeof bo);
    scan_options so;
    scan_options_init(&so);
    int rc = parse_args(argc, argv, &a, &bo, &so, ext);
    bench_set *b = NULL;
    scan_result *r = NULL;
    io_filelist corpus = {0};
    io_outdir *od = NULL;
    const char **paths = NULL, **skipped = NULL;
    contam_err err;
    contam_err_clear(&err);
    report_extra extra;
    memset(&extra, 0, sizeof extra);
    if (rc) {
        rc = rc < 0 ? CLI_OK : rc;
        goto done;
    }
    cli_progress ps = {cli_now(), 0};
    if (!a.quiet && isatty(STDERR_FILENO)) {
        so.progress = on_progress;
        so.progress_user = &ps;
    }
    rc = CLI_FAIL;
    /* Check the output directory first so a long scan is not wasted. */
    if (io_outdir_begin(a.out, &od, &err) != CONTAM_OK ||
        bench_load(a.bench, a.nbench, &bo, &b, &err) != CONTAM_OK ||
        (!a.index && io_filelist_expand(a.corpus, a.ncorpus, &corpus, &err) != CONTAM_OK)) {
        cli_report_error(&err);
        goto done;
    }
    size_t npaths = 0, nskipped = 0;
    contam_status st;
    if (a.index) {
        st = scan_run_index(b, a.index, &so, &r, &err);
        goto scanned;
    }
    /* Inside directories only corpus-like names are read (a README is not a
     * shard); named files always are. The others are listed, not hidden. */
    static const char *const corpus_exts[] = {".jsonl", ".json", ".ndjson", ".txt", NULL};
    paths = calloc(corpus.n, sizeof *paths);
    skipped = calloc(corpus.n, sizeof *skipped);
    if (!paths || !skipped)
        goto done;
    for (size_t i = 0; i < corpus.n; i++) {
        if (corpus.v[i].named || io_name_has_ext(corpus.v[i].path, corpus_exts))
            paths[npaths++] = corpus.v[i].path;
        else
            skipped[nskipped++] = corpus.v[i].path;
    }
    if (nskipped && !a.quiet)
        fprintf(stderr, "contam: note: %zu file(s) in corpus directories not read (no .jsonl/.json/"
                        ".ndjson/.txt name), e.g. %s\n", nskipped, skipped[0]);
    if (npaths == 0) {
        fprintf(stderr, "contam: error: no corpus files found under the given paths\n");
        goto done;
    }
    st = scan_run(b, paths, npaths, &so, &r, &err);
scanned:
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (st != CONTAM_OK) {
        cli_report_error(&err);
        goto done;
    }
    report_meta meta = {ext->cmd, a.bench, a.nbench, &extra, skipped, nskipped};
    if ((ext->stage && ext->stage(ext->user, b, r, od, &extra, &err) != CONTAM_OK) ||
        report_write_scan(od, b, r, &meta, &err) != CONTAM_OK ||
        io_outdir_commit(od, &err) != CONTAM_OK) {
        cli_report_error(&err);
        goto done;
    }
    if (!a.quiet)
        print_summary(r, a.out, cli_now() - ps.start);
    rc = CLI_OK;
    if (r->nfailed) {
        for (size_t f = 0; f < r->nfiles; f++)
            if (r->files[f].failed)
                fprintf(stderr, "contam: error: %s\n", r->files[f].error);
        fprintf(stderr, "contam: %zu corpus file(s) failed (--keep-going); outputs list them\n",
                r->nfailed);
        rc = CLI_FAIL;
    }
    int gate = cli_gates_eval(ext->cmd, &a.gates, a.out);
    if (rc == CLI_OK)
        rc = gate;
done:
    if (ext->stage_free)
        ext->stage_free(ext->user, &extra);
    io_outdir_free(od);
    scan_result_free(r);
    bench_set_free(b);
    io_filelist_free(&corpus);
    free(paths);
    free(skipped);
    free(a.bench);
    free(a.corpus);
    return rc;
}

int cli_scan_main(int argc, char **argv)
{
    cli_scan_ext ext = {"scan", HELP, NULL, NULL, NULL, NULL, NULL};
    return cli_scan_run(argc, argv, &ext);
}
