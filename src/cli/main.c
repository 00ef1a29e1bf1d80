/* main.c - the contam program: subcommand dispatch, --help, --version. */
#include <stdio.h>
#include <string.h>

#include <omp.h>
#include <utf8proc.h>
#include <zlib.h>
#include <zstd.h>

#include "cli/cli.h"
#include "ngram/ngram.h"

static const char USAGE[] =
    "Usage: contam COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Audit an LLM evaluation benchmark against training corpora.\n"
    "\n"
    "Commands:\n"
    "  scan     measure every benchmark item's n-gram overlap with a corpus;\n"
    "           write items.jsonl, report.json, report.html, report.md and\n"
    "           clean/ + dirty/ subsets\n"
    "  report   regenerate report.html and report.md of an output directory;\n"
    "           --fail-on gates on it\n"
    "  diff     compare two output directories (exit 0 same, 1 different)\n"
    "  audit    scan + dedup + lint (+ impact with --samples) in one output directory\n"
    "  dedup    find exact and near-duplicate items (within, across splits/benchmarks)\n"
    "  lint     check items for suspected label errors and defects (docs/CHECKS.md)\n"
    "  impact   accuracy on all / clean / dirty items from lm-eval --log_samples files\n"
    "  index    build, merge, inspect and verify a persistent corpus n-gram index\n"
    "  help     show this text, or 'contam help COMMAND'\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this text\n"
    "  -V, --version  show version and build configuration\n"
    "\n"
    "Exit codes: 0 ok, 1 failure, 2 usage error, 3 a requested quality gate crossed.\n"
    "See 'contam COMMAND --help' and docs/ in the source tree.\n";

static int version(void)
{
    printf("contam %s\n", CONTAM_VERSION);
#ifdef CONTAM_BUILD_CONFIG
    printf("build: %s\n", CONTAM_BUILD_CONFIG);
#endif
    printf("normalizer: %s (utf8proc %s)\n", NGRAM_NORMALIZER_VERSION, utf8proc_version());
    printf("hash: %s, xxhash %u\n", NGRAM_HASH_SCHEME, XXH_versionNumber());
    printf("zstd %s, zlib %s, OpenMP threads available: %d\n", ZSTD_versionString(),
           zlibVersion(), omp_get_max_threads());
    return CLI_OK;
}

int main(int argc, char **argv)
{
    contam_json_init();
    if (argc < 2) {
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        fputs(USAGE, stdout);
        return cli_finish_stdout(CLI_OK);
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version"))
        return cli_finish_stdout(version());
    if (!strcmp(cmd, "help")) {
        if (argc > 2 && !strcmp(argv[2], "scan")) {
            char *hv[] = {argv[0], "--help", NULL};
            return cli_scan_main(2, hv);
        }
        if (argc > 2 && !strcmp(argv[2], "index")) {
            char *hv[] = {argv[0], "--help", NULL};
            return cli_finish_stdout(cli_index_main(2, hv));
        }
        if (argc > 2 && (!strcmp(argv[2], "report") || !strcmp(argv[2], "diff"))) {
            char *hv[] = {argv[2], "--help", NULL};
            return argv[2][0] == 'r' ? cli_report_main(2, hv) : cli_diff_main(2, hv);
        }
        if (argc > 2) {
            static const char *const qc[] = {"audit", "dedup", "lint", "impact"};
            int (*const qf[])(int, char **) = {cli_audit_main, cli_dedup_main, cli_lint_main,
                                               cli_impact_main};
            for (size_t k = 0; k < 4; k++)
                if (!strcmp(argv[2], qc[k])) {
                    char *hv[] = {argv[2], "--help", NULL};
                    return cli_finish_stdout(qf[k](2, hv));
                }
        }
        fputs(USAGE, stdout);
        return cli_finish_stdout(CLI_OK);
    }
    if (!strcmp(cmd, "scan"))
        return cli_finish_stdout(cli_scan_main(argc - 1, argv + 1));
    if (!strcmp(cmd, "index"))
        return cli_finish_stdout(cli_index_main(argc - 1, argv + 1));
    if (!strcmp(cmd, "audit"))
        return cli_finish_stdout(cli_audit_main(argc - 1, argv + 1));
    if (!strcmp(cmd, "dedup"))
        return cli_finish_stdout(cli_dedup_main(argc - 1, argv + 1));
    if (!strcmp(cmd, "lint"))
        return cli_finish_stdout(cli_lint_main(argc - 1, argv + 1));
    if (!strcmp(cmd, "impact"))
        return cli_finish_stdout(cli_impact_main(argc - 1, argv + 1));
    if (!strcmp(cmd, "report"))
        return cli_finish_stdout(cli_report_main(argc - 1, argv + 1));
    if (!strcmp(cmd, "diff")) /* checks stdout itself: 1 means "different" */
        return cli_diff_main(argc - 1, argv + 1);
    fprintf(stderr, "contam: unknown command '%s'\n\n%s", cmd, USAGE);
    return CLI_USAGE;
}
