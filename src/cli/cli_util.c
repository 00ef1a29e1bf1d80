/* cli_util.c - argument parsing, error printing and the clock for every subcommand. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

void cli_parser_init(cli_parser *p, const char *cmd, int argc, char **argv)
{
    memset(p, 0, sizeof *p);
    p->argc = argc;
    p->argv = argv;
    p->i = 1;
    p->cmd = cmd;
}

int cli_next(cli_parser *p, const cli_opt *opts, const char **val)
{
    *val = NULL;
    if (p->i >= p->argc)
        return CLI_END;
    const char *a = p->argv[p->i++];
    if (p->no_more_opts || a[0] != '-' || a[1] == '\0') {
        *val = a;
        return CLI_POSITIONAL;
    }
    if (!strcmp(a, "--")) {
        p->no_more_opts = 1;
        return cli_next(p, opts, val);
    }
    const cli_opt *o = NULL;
    const char *inline_val = NULL;
    if (a[1] == '-') {
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (const cli_opt *k = opts; k->name; k++)
            if (strlen(k->name) == len && !strncmp(k->name, name, len))
                o = k;
        if (eq)
            inline_val = eq + 1;
    } else if (a[2] == '\0') {
        for (const cli_opt *k = opts; k->name; k++)
            if (k->short_name && k->short_name == a[1])
                o = k;
    }
    if (!o) {
        cli_usage_error(p->cmd, "unknown option '%s'", a);
        return CLI_BAD;
    }
    if (!o->has_arg) {
        if (inline_val) {
            cli_usage_error(p->cmd, "option '--%s' takes no value", o->name);
            return CLI_BAD;
        }
        return o->id;
    }
    if (inline_val) {
        *val = inline_val;
    } else if (p->i < p->argc) {
        *val = p->argv[p->i++];
    } else {
        cli_usage_error(p->cmd, "option '--%s' needs a value", o->name);
        return CLI_BAD;
    }
    return o->id;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "contam %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'contam %s --help'.\n", cmd);
    return CLI_USAGE;
}

int cli_report_error(const contam_err *e)
{
    char msg[1400];
    contam_err_format(e, msg, sizeof msg);
    fprintf(stderr, "contam: error: %s\n", msg);
    return CLI_FAIL;
}

int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi,
                  uint64_t *out)
{
    uint64_t v;
    if (contam_parse_size(s, &v) || v < lo || v > hi) {
        cli_usage_error(cmd, "--%s: '%s' is not a number between %llu and %llu", opt, s,
                        (unsigned long long)lo, (unsigned long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_finish_stdout(int rc)
{
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "contam: error: writing standard output: %s\n", strerror(errno));
        return CLI_FAIL;
    }
    return rc;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
