/* cli_report.c - `contam report DIR` (regenerate report.html and report.md
 * from an output directory, optionally gating on it) and `contam diff OLD
 * NEW` (compare two output directories), plus the --fail-on evaluation that
 * `contam scan` shares. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/report.h"

static const char REPORT_HELP[] =
    "Usage: contam report [OPTIONS] DIR\n"
    "\n"
    "Regenerate DIR/report.html and DIR/report.md from DIR/report.json and\n"
    "DIR/items.jsonl (an output directory of contam scan or audit). Each file is\n"
    "replaced atomically; nothing is written if reading or rendering fails.\n"
    "\n"
    "Options:\n"
    "      --fail-on EXPR  exit 3 if EXPR holds for the report (repeatable), e.g.\n"
    "                      dirty>2%  gpt3.dirty>=10  subject.dirty>10%  lint.error>0\n"
    "                      duplicates>0  too_short>50  (grammar: contam scan --help)\n"
    "  -q, --quiet         print nothing but errors and crossed gates\n"
    "  -h, --help          show this text\n"
    "\n"
    "Exit codes: 0 ok, 1 failure (unreadable or inconsistent DIR), 2 usage error,\n"
    "3 a --fail-on gate crossed.\n";

static const char DIFF_HELP[] =
    "Usage: contam diff [OPTIONS] OLD NEW\n"
    "\n"
    "Compare two output directories (report.json + items.jsonl): parameters and\n"
    "versions that differ, benchmark and corpus files added, removed or changed\n"
    "(by checksum), dirty rates that moved (overall and per subject), items whose\n"
    "verdict changed under each method, items added or removed, and items whose\n"
    "overlap, coverage or longest run changed without a verdict change. Items are\n"
    "matched by id (repeated ids by their order).\n"
    "\n"
    "Options:\n"
    "      --json          machine-readable output (every change listed)\n"
    "      --max-lines N   text: list at most N changed items and N subject rates\n"
    "                      (default 50)\n"
    "  -h, --help          show this text\n"
    "\n"
    "Exit codes (as diff(1)): 0 no differences, 1 differences, 2 usage error or\n"
    "trouble (a directory that cannot be read).\n";

int cli_gates_parse(const char *cmd, const char *expr, cli_gates *g)
{
    if (g->n == CLI_MAX_GATES)
        return cli_usage_error(cmd, "at most %d --fail-on expressions", CLI_MAX_GATES);
    char why[300];
    if (report_gate_parse(expr, &g->v[g->n], why, sizeof why))
        return cli_usage_error(cmd, "%s", why);
    g->n++;
    return CLI_OK;
}

int cli_gates_eval(const char *cmd, const cli_gates *g, const char *dir)
{
    if (!g->n)
        return CLI_OK;
    contam_buf path = {0}, json = {0}, msgs = {0};
    contam_err err;
    contam_err_clear(&err);
    int rc = CLI_OK;
    size_t crossed = 0;
    contam_status st = CONTAM_ERR_NOMEM;
    if (!contam_buf_printf(&path, "%s/report.json", dir))
        st = report_read_file(path.ptr, &json, &err);
    if (st == CONTAM_OK)
        st = report_gate_eval(g->v, g->n, json.ptr, json.size, &msgs, &crossed, &err);
    if (st == CONTAM_ERR_ARG) {
        rc = cli_usage_error(cmd, "%s", err.msg);
    } else if (st != CONTAM_OK) {
        if (st == CONTAM_ERR_NOMEM && !err.msg[0])
            contam_err_set(&err, st, NULL, 0, "out of memory");
        rc = cli_report_error(&err);
    } else if (crossed) {
        /* one "contam: gate crossed: ..." line per crossing */
        for (char *line = msgs.ptr; line && *line;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            fprintf(stderr, "contam: %s\n", line);
            line = nl ? nl + 1 : NULL;
        }
        rc = CLI_GATE;
    }
    contam_buf_free(&path);
    contam_buf_free(&json);
    contam_buf_free(&msgs);
    return rc;
}

enum { R_FAIL_ON = 1, R_QUIET, R_HELP, D_JSON, D_MAX_LINES };

int cli_report_main(int argc, char **argv)
{
    static const cli_opt opts[] = {{"fail-on", 0, 1, R_FAIL_ON},
                                   {"quiet", 'q', 0, R_QUIET},
                                   {"help", 'h', 0, R_HELP},
                                   {NULL, 0, 0, 0}};
    cli_parser p;
    cli_parser_init(&p, "report", argc, argv);
    cli_gates gates;
    memset(&gates, 0, sizeof gates);
    const char *dir = NULL, *v;
    int quiet = 0, id;
    while ((id = cli_next(&p, opts, &v)) != CLI_END) {
        switch (id) {
        case CLI_BAD: return CLI_USAGE;
        case R_HELP: fputs(REPORT_HELP, stdout); return CLI_OK;
        case R_QUIET: quiet = 1; break;
        case R_FAIL_ON:
            if (cli_gates_parse("report", v, &gates))
                return CLI_USAGE;
            break;
        case CLI_POSITIONAL:
            if (dir)
                return cli_usage_error("report", "one directory only ('%s' and '%s')", dir, v);
            dir = v;
            break;
        default: break;
        }
    }
    if (!dir)
        return cli_usage_error("report", "no output directory given");
    contam_err err;
    contam_err_clear(&err);
    if (report_regenerate(dir, &err) != CONTAM_OK)
        return cli_report_error(&err);
    if (!quiet)
        fprintf(stderr, "contam report: wrote %s/report.html and %s/report.md\n", dir, dir);
    return cli_gates_eval("report", &gates, dir);
}

int cli_diff_main(int argc, char **argv)
{
    static const cli_opt opts[] = {{"json", 0, 0, D_JSON},
                                   {"max-lines", 0, 1, D_MAX_LINES},
                                   {"help", 'h', 0, R_HELP},
                                   {NULL, 0, 0, 0}};
    cli_parser p;
    cli_parser_init(&p, "diff", argc, argv);
    report_diff_options o = {0, 50};
    const char *dirs[2] = {NULL, NULL}, *v;
    size_t nd = 0;
    int id;
    uint64_t u;
    while ((id = cli_next(&p, opts, &v)) != CLI_END) {
        switch (id) {
        case CLI_BAD: return CLI_USAGE;
        case R_HELP: fputs(DIFF_HELP, stdout); return CLI_OK;
        case D_JSON: o.json = 1; break;
        case D_MAX_LINES:
            if (cli_parse_u64("diff", "max-lines", v, 1, 1000000, &u))
                return CLI_USAGE;
            o.max_lines = (size_t)u;
            break;
        case CLI_POSITIONAL:
            if (nd == 2)
                return cli_usage_error("diff", "two directories expected, got a third: '%s'", v);
            dirs[nd++] = v;
            break;
        default: break;
        }
    }
    if (nd != 2)
        return cli_usage_error("diff", "two output directories expected (OLD NEW)");
    contam_buf out = {0};
    contam_err err;
    contam_err_clear(&err);
    int different = 0;
    if (report_diff(dirs[0], dirs[1], &o, &out, &different, &err) != CONTAM_OK) {
        contam_buf_free(&out);
        cli_report_error(&err);
        return 2; /* diff(1): trouble is 2, so 1 always means "different" */
    }
    fwrite(out.ptr, 1, out.size, stdout);
    contam_buf_free(&out);
    if (cli_finish_stdout(CLI_OK) != CLI_OK)
        return 2;
    return different ? 1 : 0;
}
