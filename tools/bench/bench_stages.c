/* bench_stages.c - "where does the scan time go": times the single-threaded
 * stages of the corpus pass cumulatively over the given files (each stage is
 * a full pass doing everything the previous one did plus one step), so the
 * difference between two rows is the cost of the step added.
 *
 *   0  decompress only            io_stream_read into a 1 MiB buffer
 *   1  + split into lines         io_lines_next
 *   2  + JSON parse, "text"       io_record_parse (as scan and index build do)
 *   3  + WORD tokenization        ngram_tokenize
 *   4  + n-gram window hashes     ngram_prefix_fill, ngram_window_hash
 *   5  + filter probe per window  the scanner's blocked Bloom filter shape
 *
 * Only public headers are used; the filter is re-implemented here (the
 * scanner's is in the private scan_internal.h) with the same shape: one
 * 64-bit word per probe picked by bits 40.. of the hash, 3 bits set in it by
 * bits 0..17, words = next power of two >= keys / 4 (at least 1024). It is
 * filled with pseudo-random keys, so hits are false positives, as almost all
 * of a real corpus's probes are. Like the scanner, the probe loop hashes a
 * chunk of windows and prefetches their words before testing them.
 *
 * Each stage prints a checksum of what it computed, so a faster but wrong
 * build is visible. Prints figures; asserts nothing about speed.
 *
 * Usage: bench_stages [--reps N] [--keys N] [--n N] [--text-field F] FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "io/io.h"
#include "ngram/ngram.h"
#include "bench_util.h"

#define NSTAGES 6
#define PROBE_CHUNK 32
#define MAX_LINE ((size_t)256 << 20)

static const char *const stage_name[NSTAGES] = {
    "decompress (io_stream_read)", "+ lines (io_lines_next)",  "+ JSON parse + text",
    "+ WORD tokenize",             "+ n-gram window hashes", "+ filter probe",
};

typedef struct {
    uint64_t raw_bytes, bytes, lines, texts, bad_json, missing, text_bytes;
    uint64_t tokens, tok_xor, windows, win_sum, hits;
} counts;

typedef struct {
    uint64_t *word;
    uint64_t mask;
    size_t nwords;
} filter;

typedef struct {
    const char *const *files;
    size_t nfiles;
    const char *text_field;
    size_t n;
    filter f;
    ngram_tokenizer *tok;
    uint64_t *prefix;
    size_t prefix_cap;
} bench;

static double clock_sec(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64: a fixed key sequence, so every run probes the same filter. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t filter_bits(uint64_t h)
{
    return (UINT64_C(1) << (h & 63)) | (UINT64_C(1) << ((h >> 6) & 63)) |
           (UINT64_C(1) << ((h >> 12) & 63));
}

static int filter_build(filter *f, size_t keys)
{
    size_t words = 1024;
    while (words * 4 < keys)
        words *= 2;
    f->word = contam_calloc(words, sizeof *f->word);
    if (!f->word)
        return -1;
    f->nwords = words;
    f->mask = words - 1;
    uint64_t s = UINT64_C(0x62656e6368737467); /* "benchstg" */
    for (size_t k = 0; k < keys; k++) {
        uint64_t h = splitmix64(&s);
        f->word[(h >> 40) & f->mask] |= filter_bits(h);
    }
    return 0;
}

static void die(const char *what, const contam_err *e)
{
    char msg[1200];
    contam_err_format(e, msg, sizeof msg);
    fprintf(stderr, "bench_stages: %s: %s\n", what, msg);
    exit(1);
}

static void oom(void)
{
    fprintf(stderr, "bench_stages: out of memory\n");
    exit(1);
}

static void stage_raw(const char *path, counts *c)
{
    static char buf[1 << 20];
    contam_err e;
    contam_err_clear(&e);
    io_stream *s;
    if (io_stream_open(path, &s, &e) != CONTAM_OK)
        die("open", &e);
    for (;;) {
        size_t got;
        if (io_stream_read(s, buf, sizeof buf, &got, &e) != CONTAM_OK)
            die("read", &e);
        if (got == 0)
            break;
        c->bytes += got;
    }
    c->raw_bytes += io_stream_raw_pos(s);
    io_stream_free(s);
}

/* Windows of one text: hash them all (stage 4) and probe the filter
 * (stage 5) in prefetched chunks as the scanner does. */
static void windows(bench *b, int stage, const ngram_token *tok, size_t nt, counts *c)
{
    if (nt < b->n)
        return;
    if (nt + 1 > b->prefix_cap) {
        size_t ncap = b->prefix_cap ? b->prefix_cap : 4096;
        while (ncap < nt + 1)
            ncap *= 2;
        uint64_t *p = contam_realloc(b->prefix, ncap * sizeof *p);
        if (!p)
            oom();
        b->prefix = p;
        b->prefix_cap = ncap;
    }
    ngram_prefix_fill(tok, nt, b->prefix);
    uint64_t pw = ngram_base_pow(b->n);
    size_t nwin = nt - b->n + 1;
    c->windows += nwin;
    if (stage < 5) {
        uint64_t sum = 0;
        for (size_t i = 0; i < nwin; i++)
            sum += ngram_window_hash(b->prefix, i, b->n, pw);
        c->win_sum += sum;
        return;
    }
    const filter *f = &b->f;
    for (size_t base = 0; base < nwin; base += PROBE_CHUNK) {
        size_t cn = nwin - base < PROBE_CHUNK ? nwin - base : PROBE_CHUNK;
        uint64_t hs[PROBE_CHUNK];
        for (size_t k = 0; k < cn; k++) {
            hs[k] = ngram_window_hash(b->prefix, base + k, b->n, pw);
            __builtin_prefetch(&f->word[(hs[k] >> 40) & f->mask]);
        }
        for (size_t k = 0; k < cn; k++) {
            uint64_t m = filter_bits(hs[k]);
            c->win_sum += hs[k];
            c->hits += (f->word[(hs[k] >> 40) & f->mask] & m) == m;
        }
    }
}

static void text_stages(bench *b, int stage, const char *text, size_t len, counts *c)
{
    const ngram_token *tok;
    size_t nt;
    uint64_t invalid = 0;
    if (ngram_tokenize(b->tok, text, len, &tok, &nt, &invalid) != CONTAM_OK)
        oom();
    c->tokens += nt;
    for (size_t i = 0; i < nt; i++)
        c->tok_xor ^= tok[i].hash;
    if (stage >= 4)
        windows(b, stage, tok, nt, c);
}

static void line_stages(bench *b, int stage, const char *path, counts *c)
{
    contam_err e;
    contam_err_clear(&e);
    io_lines *l;
    if (io_lines_open(path, MAX_LINE, &l, &e) != CONTAM_OK)
        die("open", &e);
    for (;;) {
        const char *line;
        size_t len;
        uint64_t lineno, off;
        if (io_lines_next(l, &line, &len, &lineno, &off, &e) != CONTAM_OK)
            die("read", &e);
        if (!line)
            break;
        c->lines++;
        c->bytes += len;
        if (stage < 2)
            continue;
        io_record rec;
        char why[120];
        int nomem;
        switch (io_record_parse(line, len, b->text_field, NULL, &rec, why, sizeof why, &nomem)) {
        case IO_REC_OK:
            c->texts++;
            c->text_bytes += rec.len;
            if (stage >= 3)
                text_stages(b, stage, rec.text, rec.len, c);
            io_record_clear(&rec);
            break;
        case IO_REC_BLANK:
            break;
        case IO_REC_BAD_JSON:
            if (nomem)
                oom();
            c->bad_json++;
            break;
        case IO_REC_NO_TEXT:
            c->missing++;
            break;
        }
    }
    c->raw_bytes += io_stream_raw_pos(io_lines_stream(l));
    io_lines_free(l);
}

/* Returns wall seconds; *cpu gets the process CPU seconds, the steadier figure
 * on a shared machine. */
static double run_stage(bench *b, int stage, counts *c, double *cpu)
{
    memset(c, 0, sizeof *c);
    double c0 = clock_sec(CLOCK_PROCESS_CPUTIME_ID);
    double t0 = clock_sec(CLOCK_MONOTONIC);
    for (size_t f = 0; f < b->nfiles; f++) {
        if (stage == 0)
            stage_raw(b->files[f], c);
        else
            line_stages(b, stage, b->files[f], c);
    }
    double t1 = clock_sec(CLOCK_MONOTONIC);
    *cpu = clock_sec(CLOCK_PROCESS_CPUTIME_ID) - c0;
    return t1 - t0;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_stages [--reps N] [--keys N] [--n N] [--text-field F] "
                    "FILE...\n");
    exit(2);
}

static uint64_t parse_num(const char *opt, const char *v, uint64_t lo, uint64_t hi)
{
    size_t x;
    if (bench_parse_range(v, lo, hi, &x) != 0) {
        fprintf(stderr, "bench_stages: bad value for %s (%llu..%llu)\n", opt,
                (unsigned long long)lo, (unsigned long long)hi);
        exit(2);
    }
    return x;
}

int main(int argc, char **argv)
{
    unsigned reps = 1;
    size_t keys = (size_t)1 << 20;
    bench b;
    memset(&b, 0, sizeof b);
    b.n = 13;
    b.text_field = "text";
    const char **files = contam_calloc((size_t)argc, sizeof *files);
    if (!files)
        oom();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (!strcmp(a, "--reps") && has_val)
            reps = (unsigned)parse_num(a, argv[++i], 1, 1000);
        else if (!strcmp(a, "--keys") && has_val)
            keys = (size_t)parse_num(a, argv[++i], 1, (uint64_t)1 << 32);
        else if (!strcmp(a, "--n") && has_val)
            b.n = (size_t)parse_num(a, argv[++i], 1, 1000);
        else if (!strcmp(a, "--text-field") && has_val)
            b.text_field = argv[++i];
        else if (a[0] == '-' && a[1])
            usage();
        else
            files[b.nfiles++] = a;
    }
    if (b.nfiles == 0)
        usage();
    b.files = files;

    contam_json_init();
    ngram_config cfg = {NGRAM_UNIT_WORD, 0, NGRAM_DEFAULT_SEED};
    b.tok = ngram_tokenizer_create(&cfg);
    if (!b.tok || filter_build(&b.f, keys) != 0)
        oom();

    double best[NSTAGES], best_cpu[NSTAGES];
    counts c[NSTAGES];
    /* Repetitions are interleaved over the stages so a burst of load from
     * elsewhere hits one repetition of every stage, not every repetition of
     * one stage; the best of each is kept. */
    for (unsigned r = 0; r < reps; r++) {
        for (int s = 0; s < NSTAGES; s++) {
            double cpu;
            double t = run_stage(&b, s, &c[s], &cpu);
            if (r == 0 || t < best[s])
                best[s] = t;
            if (r == 0 || cpu < best_cpu[s])
                best_cpu[s] = cpu;
        }
    }

    /* Throughput is always over the decompressed input (stage 0's bytes),
     * so the rows compare; MB = 10^6 bytes, as zstd reports. */
    double mb = (double)c[0].bytes / 1e6;
    printf("bench_stages: %zu file(s), %llu bytes decompressed (%llu compressed), "
           "%llu lines, %llu texts, %llu text bytes; best of %u\n",
           b.nfiles, (unsigned long long)c[0].bytes, (unsigned long long)c[0].raw_bytes,
           (unsigned long long)c[1].lines, (unsigned long long)c[2].texts,
           (unsigned long long)c[2].text_bytes, reps);
    printf("filter: %zu keys, %zu words (%.1f MiB), 3 bits/key in one 64-bit word; "
           "n = %zu, unit word\n",
           keys, b.f.nwords, (double)b.f.nwords * 8 / (1 << 20), b.n);
    printf("%-31s %8s %8s %8s %9s %6s\n", "stage (cumulative)", "seconds", "cpu-s", "MB/s",
           "+seconds", "share");
    double total = best[NSTAGES - 1];
    for (int s = 0; s < NSTAGES; s++) {
        double inc = s ? best[s] - best[s - 1] : best[s];
        printf("%d %-29s %8.3f %8.3f %8.1f %+9.3f %5.1f%%\n", s, stage_name[s], best[s],
               best_cpu[s], best[s] > 0 ? mb / best[s] : 0.0, inc,
               total > 0 ? 100.0 * inc / total : 0.0);
    }
    printf("(seconds: best wall time, CLOCK_MONOTONIC; cpu-s: best process CPU time; "
           "MB/s and share from wall time)\n");
    printf("checksum: bytes=%llu lines=%llu texts=%llu bad_json=%llu missing=%llu "
           "tokens=%llu tok_xor=%016llx windows=%llu win_sum=%016llx hits=%llu "
           "(%.4f%% of windows)\n",
           (unsigned long long)c[0].bytes, (unsigned long long)c[1].lines,
           (unsigned long long)c[2].texts, (unsigned long long)c[2].bad_json,
           (unsigned long long)c[2].missing, (unsigned long long)c[3].tokens,
           (unsigned long long)c[3].tok_xor, (unsigned long long)c[4].windows,
           (unsigned long long)c[4].win_sum, (unsigned long long)c[5].hits,
           c[5].windows ? 100.0 * (double)c[5].hits / (double)c[5].windows : 0.0);
    /* Later stages recompute what earlier ones did; disagreement means a
     * stage is wrong, whatever its speed. */
    int bad = c[1].lines != c[2].lines || c[2].texts != c[3].texts ||
              c[3].tokens != c[4].tokens || c[3].tok_xor != c[5].tok_xor ||
              c[4].windows != c[5].windows || c[4].win_sum != c[5].win_sum;
    if (bad)
        printf("checksum MISMATCH between stages\n");

    ngram_tokenizer_free(b.tok);
    contam_free(b.prefix);
    contam_free(b.f.word);
    contam_free(files);
    return bad;
}
