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
    "           write items.jsonl, report.json and clean/ + dirty/ subsets\n"
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
        fputs(USAGE, stdout);
        return cli_finish_stdout(CLI_OK);
    }
    if (!strcmp(cmd, "scan"))
        return cli_finish_stdout(cli_scan_main(argc - 1, argv + 1));
    fprintf(stderr, "contam: unknown command '%s'\n\n%s", cmd, USAGE);
    return CLI_USAGE;
}
