/* cli.h - shared helpers of the contam command-line program. Only src/cli
 * prints or exits; it uses the library's public headers only. */
#ifndef CONTAM_CLI_H
#define CONTAM_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "common/common.h"
#include "report/report.h" /* report_gate for cli_gates */

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_GATE = 3 };

/* One option of a subcommand. */
typedef struct {
    const char *name;  /* long name without "--" */
    char short_name;   /* 0 if none */
    int has_arg;
    int id;
} cli_opt;

/* Iterates argv: --name=value, --name value, -x value, "--" ends options,
 * "-" is a positional argument. */
typedef struct {
    int argc;
    char **argv;
    int i;
    int no_more_opts;
    const char *cmd;
} cli_parser;

enum { CLI_POSITIONAL = -1, CLI_END = -2, CLI_BAD = -3 };

void cli_parser_init(cli_parser *p, const char *cmd, int argc, char **argv);
/* Returns an option id, CLI_POSITIONAL (*val = the argument), CLI_END, or
 * CLI_BAD after printing a usage error. */
int cli_next(cli_parser *p, const cli_opt *opts, const char **val);

/* Usage error: "contam CMD: MESSAGE" + hint on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) CONTAM_PRINTF(2, 3);
/* Prints "contam: error: <formatted err>" on stderr; returns CLI_FAIL. */
int cli_report_error(const contam_err *e);
/* Parses an unsigned number (K/M/G suffixes) within [lo, hi]. -1 and a usage
 * message on failure. */
int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi,
                  uint64_t *out);
/* Checks ferror/fclose on stdout before a successful exit (jq's habit). */
int cli_finish_stdout(int rc);
/* Seconds on the monotonic clock, for the timings of summaries (cli_scan.c). */
double cli_now(void);
/* A live progress line: when it started, and whether one was shown (then
 * it is cleared before the summary). */
typedef struct {
    double start;
    int shown;
} cli_progress;

/* --help lines of the benchmark options (bench_options), spelled the same by
 * every command that takes them in full (scan, dedup). */
#define CLI_HELP_BENCH                                                              \
    "Benchmark:\n"                                                                  \
    "  -b, --bench PATH        benchmark file or directory (repeatable)\n"          \
    "  -p, --preset NAME       mmlu, gsm8k, arc, truthfulqa, hellaswag\n"           \
    "      --text-fields LIST  generic layout: fields forming the item text, the\n" \
    "                          first is the question, the rest answers (a,b.c)\n"   \
    "      --label-field F, --subject-field F, --id-field F\n"

int cli_scan_main(int argc, char **argv);
int cli_index_main(int argc, char **argv); /* cli_index.c */
int cli_audit_main(int argc, char **argv);  /* cli_quality.c */
int cli_dedup_main(int argc, char **argv);  /* cli_quality.c */
int cli_lint_main(int argc, char **argv);   /* cli_quality.c */
int cli_impact_main(int argc, char **argv); /* cli_quality.c */
int cli_report_main(int argc, char **argv); /* cli_report.c */
int cli_diff_main(int argc, char **argv);   /* cli_report.c */

/* --fail-on gates (cli_report.c), shared by scan, audit and report. */
#define CLI_MAX_GATES 32
typedef struct {
    report_gate v[CLI_MAX_GATES];
    size_t n;
} cli_gates;
/* Parses one --fail-on value into g; CLI_OK or CLI_USAGE after a message. */
int cli_gates_parse(const char *cmd, const char *expr, cli_gates *g);
/* Evaluates g on DIR/report.json: prints "contam: gate crossed: ..." per
 * crossing and returns CLI_GATE, or CLI_OK, CLI_USAGE (a gate the report
 * cannot answer) or CLI_FAIL. */
int cli_gates_eval(const char *cmd, const cli_gates *g, const char *dir);

/* ---- Subcommands built on scan (audit...) ---------------------------------- */

struct bench_set;
struct scan_result;
struct io_outdir;
struct report_extra;

#define CLI_EXT_BASE 1000 /* option ids of a subcommand's own options start here */

/* What a subcommand adds to `contam scan`: its name and --help text, extra
 * options (ids >= CLI_EXT_BASE, handled by on_opt: return CLI_OK or an exit
 * code), and a stage run after the scan and before the report is written. A
 * stage may write its own files into the output directory and fill `extra`
 * (per-item members and report.json sections); stage_free releases what it
 * put there. */
typedef struct {
    const char *cmd;
    const char *help;
    const cli_opt *opts;
    int (*on_opt)(void *user, int id, const char *val);
    contam_status (*stage)(void *user, const struct bench_set *b, const struct scan_result *r,
                           struct io_outdir *od, struct report_extra *extra, contam_err *err);
    void (*stage_free)(void *user, struct report_extra *extra);
    void *user;
} cli_scan_ext;

/* Parses the shared scan options plus ext's, loads, scans, runs ext's stage,
 * writes outputs. Returns the exit code. */
int cli_scan_run(int argc, char **argv, const cli_scan_ext *ext);

#endif
