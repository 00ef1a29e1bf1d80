/* test_index_util.h - helpers shared by the test_index*.c programs: the
 * scratch directory of test_fixture.h, fixture corpora made of generated words
 * (every n-gram unique unless a test repeats it on purpose), an index build
 * wrapper, byte comparison of index directories and a brute-force n-gram
 * count to check lookups against. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index.h"
#include "io/io.h"

/* Not every program uses every helper. */
#define MAYBE_UNUSED __attribute__((unused))

#define FIXTURE_PREFIX "index"
#include "test_fixture.h"

MAYBE_UNUSED static void rm_rf(const char *path)
{
    assert_int_equal(fixture_rm_rf(path), 0);
}

MAYBE_UNUSED static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* The word for number k: "w" + base-26 letters (unique per k). */
static void word(char *out, unsigned k)
{
    size_t o = 0;
    out[o++] = 'w';
    do {
        out[o++] = (char)('a' + k % 26);
        k /= 26;
    } while (k);
    out[o] = '\0';
}

/* A JSONL corpus of ndocs documents of len words each; document d of file
 * `seed` uses words seed*1e6 + d*len + [0, len) unless `shared` > 0, in which
 * case every document also ends with the same `shared` words (a gram in
 * many documents). */
static void gen_corpus(contam_buf *b, unsigned seed, unsigned ndocs, unsigned len,
                       unsigned shared)
{
    char w[16];
    for (unsigned d = 0; d < ndocs; d++) {
        assert_int_equal(contam_buf_puts(b, "{\"text\":\""), 0);
        for (unsigned i = 0; i < len; i++) {
            word(w, seed * 1000000u + d * len + i);
            assert_int_equal(contam_buf_printf(b, "%s%s", i ? " " : "", w), 0);
        }
        for (unsigned i = 0; i < shared; i++) {
            word(w, 900000000u + i);
            assert_int_equal(contam_buf_printf(b, " %s", w), 0);
        }
        assert_int_equal(contam_buf_puts(b, "\"}\n"), 0);
    }
}

MAYBE_UNUSED static const char *put_corpus(const char *name, unsigned seed, unsigned ndocs, unsigned len,
                              unsigned shared)
{
    contam_buf b = {0};
    gen_corpus(&b, seed, ndocs, len, shared);
    const char *p = put(name, b.ptr, b.size);
    contam_buf_free(&b);
    return p;
}

static contam_status build(const char *out, const char *const *files, size_t n,
                           const index_build_options *o, contam_err *err)
{
    contam_err_clear(err);
    index_build_stats st;
    return index_build(out, files, n, o, &st, err);
}

MAYBE_UNUSED static void build_ok(const char *out, const char *const *files, size_t n,
                     const index_build_options *o)
{
    contam_err err;
    contam_status st = build(out, files, n, o, &err);
    if (st != CONTAM_OK)
        fail_msg("index_build %s: %s: %s", contam_status_name(st), err.file, err.msg);
}

/* Every file of index a except build.json equals the same file in b. */
MAYBE_UNUSED static void assert_same_index(const char *a, const char *b)
{
    DIR *d = opendir(a);
    assert_non_null(d);
    struct dirent *de;
    size_t files = 0;
    contam_buf x = {0}, y = {0};
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || !strcmp(de->d_name, "build.json"))
            continue;
        char pa[1200], pb[1200];
        snprintf(pa, sizeof pa, "%s/%s", a, de->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, de->d_name);
        slurp_buf(pa, &x);
        slurp_buf(pb, &y);
        if (x.size != y.size || memcmp(x.ptr, y.ptr, x.size))
            fail_msg("%s differs between %s and %s", de->d_name, a, b);
        files++;
    }
    closedir(d);
    contam_buf_free(&x);
    contam_buf_free(&y);
    assert_true(files >= 2);
}

/* ---- brute force ------------------------------------------------------------- */

typedef struct {
    uint64_t h;
    uint32_t df;
    uint64_t first;
} bf_gram;

static int bf_cmp(const void *a, const void *b)
{
    uint64_t x = ((const bf_gram *)a)->h, y = ((const bf_gram *)b)->h;
    return x < y ? -1 : x > y;
}

/* Every distinct n-gram of the given JSONL texts (one document per line of
 * each file, record ordinals counted across files) with its document
 * frequency and first record, sorted by hash. */
MAYBE_UNUSED static bf_gram *brute_force(const char *const *files, size_t nfiles, unsigned n,
                            ngram_unit unit, size_t *count)
{
    ngram_config cfg = {unit, 0, NGRAM_DEFAULT_SEED};
    ngram_tokenizer *tk = ngram_tokenizer_create(&cfg);
    assert_non_null(tk);
    bf_gram *all = NULL;
    size_t nall = 0, cap = 0;
    uint64_t ord = 0;
    contam_buf buf = {0};
    for (size_t f = 0; f < nfiles; f++) {
        slurp_buf(files[f], &buf);
        char *line = buf.ptr;
        while (line && *line) {
            char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            io_record rec;
            char why[120];
            int oom;
            if (io_record_parse(line, len, "text", NULL, &rec, why, sizeof why, &oom) == IO_REC_OK) {
                const ngram_token *tok;
                size_t nt;
                assert_int_equal(ngram_tokenize(tk, rec.text, rec.len, &tok, &nt, NULL), CONTAM_OK);
                uint64_t *pre = malloc((nt + 1) * sizeof *pre);
                ngram_prefix_fill(tok, nt, pre);
                size_t start = nall;
                for (size_t i = 0; i + n <= nt; i++) {
                    if (nall == cap) {
                        cap = cap ? 2 * cap : 1024;
                        all = realloc(all, cap * sizeof *all);
                        assert_non_null(all);
                    }
                    uint64_t h = ngram_window_hash(pre, i, n, ngram_base_pow(n));
                    int dup = 0; /* once per document */
                    for (size_t k = start; k < nall && !dup; k++)
                        dup = all[k].h == h;
                    if (!dup)
                        all[nall++] = (bf_gram){h, 1, ord};
                }
                free(pre);
                io_record_clear(&rec);
            }
            ord++;
            line = nl ? nl + 1 : NULL;
        }
    }
    contam_buf_free(&buf);
    ngram_tokenizer_free(tk);
    qsort(all, nall, sizeof *all, bf_cmp);
    size_t m = 0;
    for (size_t k = 0; k < nall; k++) {
        if (m && all[m - 1].h == all[k].h) {
            all[m - 1].df++;
            if (all[k].first < all[m - 1].first)
                all[m - 1].first = all[k].first;
        } else {
            all[m++] = all[k];
        }
    }
    *count = m;
    return all;
}
