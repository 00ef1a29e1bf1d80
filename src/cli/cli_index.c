/* cli_index.c - `contam index build|merge|info|verify`: the persistent corpus
 * n-gram index (src/index). Options are parsed here; all work is done by the
 * library. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/cli.h"
#include "index/index.h"
#include "io/io.h"
#include "scan/scan.h"

static const char HELP[] =
    "Usage: contam index COMMAND [OPTIONS] ARGS\n"
    "\n"
    "A persistent, sharded, mergeable n-gram index of a training corpus: build it\n"
    "once, then audit benchmarks against it without reading the corpus again.\n"
    "\n"
    "Commands:\n"
    "  build    index corpus files (resumable; bounded memory)\n"
    "  merge    merge indexes built separately into one\n"
    "  info     show an index's parameters, counts and size\n"
    "  verify   check every checksum of an index\n"
    "\n"
    "See 'contam index COMMAND --help'.\n";

static const char BUILD_HELP[] =
    "Usage: contam index build --out IDX [OPTIONS] CORPUS...\n"
    "\n"
    "Index the n-grams of CORPUS (files or directories, read as 'contam scan'\n"
    "reads them) for one unit and one n. IDX appears only when complete; its\n"
    "work directory IDX.partial/ lets an interrupted build resume: rerun the\n"
    "same command and finished corpus files are not read again.\n"
    "\n"
    "N-grams:\n"
    "  -m, --method NAME       unit and n of a scan method: gpt3 (word 13, and\n"
    "                          --df for its frequency rule), lmeval (lmeval 13),\n"
    "                          palm (word 8), llama2 (word 10), gpt4 (char 50)\n"
    "      --n N               n-gram length (default 13)\n"
    "      --unit U            word (default), lmeval or char\n"
    "      --digits keep|zero  keep digits (default) or map every digit to 0\n"
    "      --seed N            hash seed (default: contam's)\n"
    "Stored per n-gram:\n"
    "      --df                document frequency (needed by gpt3's --corpus-df rule)\n"
    "      --provenance        first corpus record (file and line in scan reports)\n"
    "      --fp-bits W         fingerprint width, 24..64 (default: the smallest whose\n"
    "                          false-match rate, keys / 2^W per query n-gram, is at\n"
    "                          most --fp-rate); give the same W to every part of an\n"
    "                          index you will merge\n"
    "      --fp-rate R         target false-match rate per query n-gram (1e-9)\n"
    "Corpus:\n"
    "      --text-field F      JSON field with the text (default text; a.b paths)\n"
    "      --max-line SIZE     longest record accepted (default 256M)\n"
    "      --strict            an invalid record is fatal (default: count and skip)\n"
    "Resources:\n"
    "      --mem SIZE          memory budget (default 4G, at least 48M); sorted runs\n"
    "                          are spilled to IDX.partial/ to stay within it\n"
    "  -t, --threads N         worker threads (default: all cores); the index is\n"
    "                          identical for every N and every --mem\n"
    "      --partitions P      partition files, a power of two up to 256 (default 16)\n"
    "Other:\n"
    "      --append            add CORPUS to the existing index IDX (parameters are\n"
    "                          taken from it)\n"
    "  -o, --out IDX           index directory\n"
    "  -q, --quiet             no progress or summary on stderr\n"
    "  -h, --help              show this text\n"
    "\n"
    "Exit codes: 0 ok, 1 failure, 2 usage error.\n";

static const char MERGE_HELP[] =
    "Usage: contam index merge --out IDX [--threads N] INDEX...\n"
    "\n"
    "Merge indexes built with identical parameters (n, unit, normalizer, seed,\n"
    "digits, text field, --df, --provenance, partitions, fingerprint bits) into\n"
    "IDX, corpus files in argument order. Merging the indexes of consecutive\n"
    "parts of a file list gives the same bytes as one build of the whole list.\n"
    "\n"
    "  -o, --out IDX     output index (must not exist)\n"
    "  -t, --threads N   worker threads\n"
    "  -q, --quiet       no summary on stderr\n"
    "  -h, --help        show this text\n";

static const char INFO_HELP[] =
    "Usage: contam index info [--json] IDX\n"
    "\n"
    "Show an index's parameters, counts, size and false-match rate (from its\n"
    "manifest.json; 'contam index verify' checks the data).\n"
    "\n"
    "  --json      machine-readable output\n"
    "  -h, --help  show this text\n";

static const char VERIFY_HELP[] =
    "Usage: contam index verify [--threads N] IDX\n"
    "\n"
    "Check every checksum of an index (partition files against manifest.json,\n"
    "headers, block indexes, every block) and decode every block. Names the\n"
    "damaged file and block. Exit 0 when sound, 1 when damaged.\n"
    "\n"
    "  -t, --threads N   worker threads\n"
    "  -q, --quiet       print nothing when sound\n"
    "  -h, --help        show this text\n";

static double peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru))
        return 0;
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

/* ---- build -------------------------------------------------------------------- */

enum {
    B_OUT = 1, B_METHOD, B_N, B_UNIT, B_DIGITS, B_SEED, B_DF, B_PROV, B_FPBITS, B_FPRATE,
    B_TEXT_FIELD, B_MAX_LINE, B_STRICT, B_MEM, B_THREADS, B_PARTS, B_APPEND, B_QUIET, B_HELP
};

static const cli_opt BUILD_OPTS[] = {
    {"out", 'o', 1, B_OUT},           {"method", 'm', 1, B_METHOD},
    {"n", 0, 1, B_N},                 {"unit", 0, 1, B_UNIT},
    {"digits", 0, 1, B_DIGITS},       {"seed", 0, 1, B_SEED},
    {"df", 0, 0, B_DF},               {"provenance", 0, 0, B_PROV},
    {"fp-bits", 0, 1, B_FPBITS},      {"fp-rate", 0, 1, B_FPRATE},
    {"text-field", 0, 1, B_TEXT_FIELD}, {"max-line", 0, 1, B_MAX_LINE},
    {"strict", 0, 0, B_STRICT},       {"mem", 0, 1, B_MEM},
    {"threads", 't', 1, B_THREADS},   {"partitions", 0, 1, B_PARTS},
    {"append", 0, 0, B_APPEND},       {"quiet", 'q', 0, B_QUIET},
    {"help", 'h', 0, B_HELP},         {NULL, 0, 0, 0},
};

static void on_progress(const index_progress *p, void *user)
{
    cli_progress *ps = user;
    double el = cli_now() - ps->start;
    if (p->phase == 1) {
        fprintf(stderr, "\r\033[Kindex: merging runs into partitions...");
    } else {
        double frac = p->raw_total ? (double)p->raw_done / (double)p->raw_total : 0;
        fprintf(stderr, "\r\033[Kindex: %u/%u files (%u resumed), %.0f MB text, %.0f MB/s, %3.0f%%",
                p->files_done, p->files_total, p->files_resumed, (double)p->bytes_done / 1e6,
                el > 0 ? (double)p->bytes_done / 1e6 / el : 0.0, frac * 100);
    }
    ps->shown = 1;
}

static int parse_unit(const char *v, ngram_unit *u)
{
    for (int k = 0; k < 3; k++)
        if (!strcmp(v, ngram_unit_name((ngram_unit)k))) {
            *u = (ngram_unit)k;
            return 0;
        }
    return -1;
}

/* Which options were given, so --append can take the rest from the index. */
typedef struct {
    int n, unit, digits, seed, text_field, parts, fp_bits, df, prov;
} given_set;

static int build_main(int argc, char **argv)
{
    const char *cmd = "index build";
    index_build_options o;
    index_build_options_init(&o);
    given_set g;
    memset(&g, 0, sizeof g);
    const char *out = NULL;
    int quiet = 0;
    const char **corpus = calloc((size_t)argc + 1, sizeof *corpus);
    size_t ncorpus = 0;
    if (!corpus) {
        fprintf(stderr, "contam: error: out of memory\n");
        return CLI_FAIL;
    }
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    const char *v;
    int id, rc = CLI_OK;
    uint64_t u;
    while (rc == CLI_OK && (id = cli_next(&p, BUILD_OPTS, &v)) != CLI_END) {
        switch (id) {
        case CLI_BAD: rc = CLI_USAGE; break;
        case CLI_POSITIONAL: corpus[ncorpus++] = v; break;
        case B_HELP: fputs(BUILD_HELP, stdout); rc = -1; break;
        case B_OUT: out = v; break;
        case B_METHOD: {
            scan_method m[SCAN_MAX_METHODS];
            size_t nm = 0;
            char why[200];
            if (scan_methods_parse(v, 13, 0.5, 10, m, &nm, why, sizeof why) || nm != 1 ||
                !strcmp(m[0].name, "custom")) {
                rc = cli_usage_error(cmd, "--method: '%s' is not one of gpt3, lmeval, palm, "
                                          "llama2, gpt4", v);
                break;
            }
            o.unit = m[0].unit;
            o.n = m[0].n;
            g.unit = g.n = 1;
            if (m[0].corpus_df) {
                o.df = 1;
                g.df = 1;
            }
            break;
        }
        case B_N:
            if (cli_parse_u64(cmd, "n", v, 1, 1000, &u)) rc = CLI_USAGE;
            o.n = (unsigned)u;
            g.n = 1;
            break;
        case B_UNIT:
            if (parse_unit(v, &o.unit))
                rc = cli_usage_error(cmd, "--unit must be word, lmeval or char, not '%s'", v);
            g.unit = 1;
            break;
        case B_DIGITS:
            if (strcmp(v, "keep") && strcmp(v, "zero"))
                rc = cli_usage_error(cmd, "--digits must be keep or zero, not '%s'", v);
            o.digits_zero = !strcmp(v, "zero");
            g.digits = 1;
            break;
        case B_SEED:
            if (cli_parse_u64(cmd, "seed", v, 0, UINT64_MAX, &o.seed)) rc = CLI_USAGE;
            g.seed = 1;
            break;
        case B_DF: o.df = 1; g.df = 1; break;
        case B_PROV: o.provenance = 1; g.prov = 1; break;
        case B_FPBITS:
            if (cli_parse_u64(cmd, "fp-bits", v, INDEX_MIN_FP_BITS, 64, &u)) rc = CLI_USAGE;
            o.fp_bits = (unsigned)u;
            g.fp_bits = 1;
            break;
        case B_FPRATE: {
            double r = 0;
            if (contam_parse_fraction(v, 0, 1, &r) || !(r > 0 && r < 1))
                rc = cli_usage_error(cmd, "--fp-rate: '%s' is not a number between 0 and 1", v);
            o.fp_rate = r;
            break;
        }
        case B_TEXT_FIELD: o.text_field = v; g.text_field = 1; break;
        case B_MAX_LINE:
            if (cli_parse_u64(cmd, "max-line", v, 16, UINT32_MAX, &o.max_line)) rc = CLI_USAGE;
            break;
        case B_STRICT: o.strict = 1; break;
        case B_MEM:
            if (cli_parse_u64(cmd, "mem", v, INDEX_MIN_MEM, UINT64_MAX / 2, &o.mem)) rc = CLI_USAGE;
            break;
        case B_THREADS:
            if (cli_parse_u64(cmd, "threads", v, 1, 1024, &u)) rc = CLI_USAGE;
            o.threads = (int)u;
            break;
        case B_PARTS:
            if (cli_parse_u64(cmd, "partitions", v, 1, INDEX_MAX_PARTITIONS, &u)) {
                rc = CLI_USAGE;
            } else if (u & (u - 1)) {
                rc = cli_usage_error(cmd, "--partitions must be a power of two, not %llu",
                                     (unsigned long long)u);
            }
            o.partitions = (unsigned)u;
            g.parts = 1;
            break;
        case B_APPEND: o.append = 1; break;
        case B_QUIET: quiet = 1; break;
        }
    }
    io_filelist files = {0};
    const char **paths = NULL;
    contam_err err;
    contam_err_clear(&err);
    index_meta old;
    memset(&old, 0, sizeof old);
    if (rc) {
        rc = rc < 0 ? CLI_OK : rc;
        goto done;
    }
    if (!out) {
        rc = cli_usage_error(cmd, "--out is required");
        goto done;
    }
    if (!ncorpus) {
        rc = cli_usage_error(cmd, "no corpus files given");
        goto done;
    }
    rc = CLI_FAIL;
    if (o.append) {
        /* Parameters not given explicitly come from the index. */
        if (index_describe(out, &old, &err) != CONTAM_OK) {
            cli_report_error(&err);
            goto done;
        }
        if (!g.n) o.n = old.n;
        if (!g.unit) o.unit = old.unit;
        if (!g.digits) o.digits_zero = old.digits_zero;
        if (!g.seed) o.seed = old.seed;
        if (!g.text_field) o.text_field = old.text_field;
        if (!g.parts) o.partitions = old.partitions;
        if (!g.fp_bits) o.fp_bits = old.fp_bits;
        if (!g.df) o.df = old.has_df;
        if (!g.prov) o.provenance = old.has_provenance;
    }
    if (io_filelist_expand(corpus, ncorpus, &files, &err) != CONTAM_OK) {
        cli_report_error(&err);
        goto done;
    }
    if (files.n == 0) {
        fprintf(stderr, "contam: error: no corpus files found under the given paths\n");
        goto done;
    }
    /* As `contam scan` reads corpora: inside directories only corpus-like
     * names (a README is not a shard); files named as arguments always. */
    static const char *const corpus_exts[] = {".jsonl", ".json", ".ndjson", ".txt", NULL};
    paths = calloc(files.n + 1, sizeof *paths);
    if (!paths)
        goto done;
    size_t npaths = 0, nskipped = 0;
    const char *skipped = NULL;
    for (size_t k = 0; k < files.n; k++) {
        if (files.v[k].named || io_name_has_ext(files.v[k].path, corpus_exts)) {
            paths[npaths++] = files.v[k].path;
        } else if (!nskipped++) {
            skipped = files.v[k].path;
        }
    }
    if (nskipped && !quiet)
        fprintf(stderr, "contam: note: %zu file(s) in corpus directories not read (no .jsonl/.json/"
                        ".ndjson/.txt name), e.g. %s\n", nskipped, skipped);
    if (npaths == 0) {
        fprintf(stderr, "contam: error: no corpus files found under the given paths\n");
        goto done;
    }
    cli_progress ps = {cli_now(), 0};
    if (!quiet && isatty(STDERR_FILENO)) {
        o.progress = on_progress;
        o.progress_user = &ps;
    }
    /* The accumulators free and reallocate their segments at every spill:
     * keeping freed memory (within --mem anyway) instead of returning it to
     * the kernel saves page faults. */
    mallopt(M_TRIM_THRESHOLD, (int)(o.mem / 4 < (1u << 30) ? o.mem / 4 : (1u << 30)));
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    index_build_stats st;
    contam_status s = index_build(out, paths, npaths, &o, &st, &err);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (s != CONTAM_OK) {
        cli_report_error(&err);
        char journal[4200];
        snprintf(journal, sizeof journal, "%s.partial/journal.json", out);
        if (s != CONTAM_ERR_EXISTS && access(journal, F_OK) == 0)
            fprintf(stderr, "contam: the corpus files finished so far are kept in %s.partial/; "
                            "rerun the same command to resume\n", out);
        goto done;
    }
    rc = CLI_OK;
    if (quiet)
        goto done;
    index_meta m;
    if (index_describe(out, &m, &err) != CONTAM_OK) {
        cli_report_error(&err);
        rc = CLI_FAIL;
        goto done;
    }
    double secs = st.seconds_read + st.seconds_merge;
    fprintf(stderr, "contam index: %zu corpus files", m.nfiles);
    if (st.files_resumed)
        fprintf(stderr, " (%u finished before an interruption, not read again)", st.files_resumed);
    if (st.files_redone)
        fprintf(stderr, " (%u finished before an interruption but read again: their runs had not "
                        "reached the disk)", st.files_redone);
    fprintf(stderr, "; %llu documents, %.1f MB of text; %.2f s (read %.2f s, merge %.2f s)\n",
            (unsigned long long)m.docs, (double)m.bytes / 1e6, secs, st.seconds_read,
            st.seconds_merge);
    fprintf(stderr, "  %llu distinct %s %u-grams, %u-bit fingerprints: false-match rate %.3g per "
                    "query n-gram\n",
            (unsigned long long)m.keys, ngram_unit_name(m.unit), m.n, m.fp_bits,
            m.false_match_rate);
    fprintf(stderr, "  %.1f MB in %u partitions: %.2f bytes per n-gram, %.2f per corpus token; "
                    "%llu runs spilled; peak RSS %.0f MiB (--mem %.0f MiB)\n",
            (double)m.index_bytes / 1e6, m.partitions,
            m.keys ? (double)m.index_bytes / (double)m.keys : 0.0,
            m.tokens ? (double)m.index_bytes / (double)m.tokens : 0.0,
            (unsigned long long)st.runs_spilled, peak_rss_mib(), (double)o.mem / 1048576.0);
    index_meta_free(&m);
done:
    index_meta_free(&old);
    io_filelist_free(&files);
    free(paths);
    free(corpus);
    return rc;
}

/* ---- merge / info / verify ---------------------------------------------------------- */

/* Option ids of merge, info and verify; each table takes the ones it accepts. */
enum { M_OUT = 1, M_THREADS, M_QUIET, M_HELP, M_JSON };

static const cli_opt MERGE_OPTS[] = {
    {"out", 'o', 1, M_OUT}, {"threads", 't', 1, M_THREADS}, {"quiet", 'q', 0, M_QUIET},
    {"help", 'h', 0, M_HELP}, {NULL, 0, 0, 0},
};

static const cli_opt INFO_OPTS[] = {
    {"json", 0, 0, M_JSON}, {"help", 'h', 0, M_HELP}, {NULL, 0, 0, 0},
};

static const cli_opt VERIFY_OPTS[] = {
    {"threads", 't', 1, M_THREADS}, {"quiet", 'q', 0, M_QUIET}, {"help", 'h', 0, M_HELP},
    {NULL, 0, 0, 0},
};

static int merge_main(int argc, char **argv)
{
    const char *cmd = "index merge";
    const char *out = NULL;
    int threads = 0, quiet = 0, rc = CLI_OK, id;
    const char **in = calloc((size_t)argc + 1, sizeof *in);
    size_t nin = 0;
    if (!in) {
        fprintf(stderr, "contam: error: out of memory\n");
        return CLI_FAIL;
    }
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    const char *v;
    uint64_t u;
    while (rc == CLI_OK && (id = cli_next(&p, MERGE_OPTS, &v)) != CLI_END) {
        switch (id) {
        case CLI_BAD: rc = CLI_USAGE; break;
        case CLI_POSITIONAL: in[nin++] = v; break;
        case M_HELP: fputs(MERGE_HELP, stdout); rc = -1; break;
        case M_OUT: out = v; break;
        case M_QUIET: quiet = 1; break;
        case M_THREADS:
            if (cli_parse_u64(cmd, "threads", v, 1, 1024, &u)) rc = CLI_USAGE;
            threads = (int)u;
            break;
        }
    }
    if (rc == CLI_OK && !out)
        rc = cli_usage_error(cmd, "--out is required");
    else if (rc == CLI_OK && nin < 2)
        rc = cli_usage_error(cmd, "give at least two indexes to merge");
    if (rc) {
        free(in);
        return rc < 0 ? CLI_OK : rc;
    }
    contam_err err;
    contam_err_clear(&err);
    double t0 = cli_now();
    if (index_merge(out, in, nin, threads, &err) != CONTAM_OK) {
        free(in);
        return cli_report_error(&err);
    }
    free(in);
    if (!quiet) {
        index_meta m;
        if (index_describe(out, &m, &err) != CONTAM_OK)
            return cli_report_error(&err);
        fprintf(stderr, "contam index merge: %zu indexes, %zu corpus files, %llu distinct "
                        "n-grams, %.1f MB, in %.2f s\n",
                nin, m.nfiles, (unsigned long long)m.keys, (double)m.index_bytes / 1e6,
                cli_now() - t0);
        index_meta_free(&m);
    }
    return CLI_OK;
}

/* What `index info` and `index verify` take: options from their table, then
 * exactly one index directory. */
typedef struct {
    const char *dir;
    int json, quiet, threads;
} one_index_args;

/* Parses argv against opts (a subset of the M_ ids) into *a. Returns CLI_OK,
 * CLI_USAGE after a message on stderr, or -1 after help went to stdout. */
static int parse_one_index(const char *cmd, const char *help, const cli_opt *opts, int argc,
                           char **argv, one_index_args *a)
{
    memset(a, 0, sizeof *a);
    int rc = CLI_OK, id;
    cli_parser p;
    cli_parser_init(&p, cmd, argc, argv);
    const char *v;
    uint64_t u;
    while (rc == CLI_OK && (id = cli_next(&p, opts, &v)) != CLI_END) {
        switch (id) {
        case CLI_BAD: rc = CLI_USAGE; break;
        case M_HELP: fputs(help, stdout); rc = -1; break;
        case M_JSON: a->json = 1; break;
        case M_QUIET: a->quiet = 1; break;
        case M_THREADS:
            if (cli_parse_u64(cmd, "threads", v, 1, 1024, &u))
                rc = CLI_USAGE;
            else
                a->threads = (int)u;
            break;
        case CLI_POSITIONAL:
            if (a->dir)
                rc = cli_usage_error(cmd, "give one index directory");
            a->dir = v;
            break;
        }
    }
    if (rc == CLI_OK && !a->dir)
        rc = cli_usage_error(cmd, "give an index directory");
    return rc;
}

static int info_main(int argc, char **argv)
{
    one_index_args a;
    int rc = parse_one_index("index info", INFO_HELP, INFO_OPTS, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    const char *dir = a.dir;
    contam_err err;
    contam_err_clear(&err);
    index_meta m;
    if (index_describe(dir, &m, &err) != CONTAM_OK)
        return cli_report_error(&err);
    if (a.json) {
        contam_buf b = {0};
        if (index_info_json(&m, &b, &err) != CONTAM_OK) {
            index_meta_free(&m);
            return cli_report_error(&err);
        }
        fwrite(b.ptr, 1, b.size, stdout);
        contam_buf_free(&b);
    } else {
        printf("index:        %s (format %u, %s)\n", dir, m.format_version, m.tool);
        printf("n-grams:      %s %u-grams, normalizer %s, digits %s, seed 0x%016llx, "
               "text field '%s'\n",
               ngram_unit_name(m.unit), m.n, m.normalizer, m.digits_zero ? "zero" : "keep",
               (unsigned long long)m.seed, m.text_field);
        printf("keys:         %llu distinct, %u-bit fingerprints, false-match rate %.3g per "
               "query n-gram\n",
               (unsigned long long)m.keys, m.fp_bits, m.false_match_rate);
        printf("stored:       document frequency %s, first record %s\n",
               m.has_df ? "yes" : "no", m.has_provenance ? "yes" : "no");
        printf("corpus:       %zu files, %llu records, %llu documents, %.1f MB text, %llu tokens\n",
               m.nfiles, (unsigned long long)m.records, (unsigned long long)m.docs,
               (double)m.bytes / 1e6, (unsigned long long)m.tokens);
        printf("size:         %.1f MB in %u partitions: %.2f bytes per n-gram, %.2f per token\n",
               (double)m.index_bytes / 1e6, m.partitions,
               m.keys ? (double)m.index_bytes / (double)m.keys : 0.0,
               m.tokens ? (double)m.index_bytes / (double)m.tokens : 0.0);
    }
    index_meta_free(&m);
    return CLI_OK;
}

static int verify_main(int argc, char **argv)
{
    one_index_args a;
    int rc = parse_one_index("index verify", VERIFY_HELP, VERIFY_OPTS, argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    const char *dir = a.dir;
    contam_err err;
    contam_err_clear(&err);
    index_verify_report rep;
    contam_status s = index_verify(dir, a.threads, &rep, &err);
    if (s == CONTAM_ERR_CORRUPT) {
        cli_report_error(&err);
        fprintf(stderr, "contam index verify: %s is damaged: %zu problem(s)\n", dir, rep.problems);
        return CLI_FAIL;
    }
    if (s != CONTAM_OK)
        return cli_report_error(&err);
    if (!a.quiet)
        printf("ok: %s: %llu blocks, %llu keys, every checksum matches\n", dir,
               (unsigned long long)rep.blocks_checked, (unsigned long long)rep.keys_checked);
    return CLI_OK;
}

int cli_index_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(HELP, stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
        fputs(HELP, stdout);
        return CLI_OK;
    }
    if (!strcmp(sub, "build"))
        return build_main(argc - 1, argv + 1);
    if (!strcmp(sub, "merge"))
        return merge_main(argc - 1, argv + 1);
    if (!strcmp(sub, "info"))
        return info_main(argc - 1, argv + 1);
    if (!strcmp(sub, "verify"))
        return verify_main(argc - 1, argv + 1);
    fprintf(stderr, "contam index: unknown command '%s'\n\n%s", sub, HELP);
    return CLI_USAGE;
}
