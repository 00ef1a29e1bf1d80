/* test_index_damage.c - the index never answers from damaged or foreign
 * data: flipped bytes (block, block index, header), truncated partitions,
 * newer format versions, damaged manifests; bad corpus input (bad records
 * counted like the scanner, --strict, wrong text field, truncated stream,
 * stdin) leaves no index; allocation failures anywhere fail cleanly, and a
 * build that failed after finishing some corpus files resumes from them. */
#include "test_index_util.h"

#include <signal.h>
#include <sys/resource.h>

#include "index/index_internal.h"

static index_build_options small_opts(void)
{
    index_build_options o;
    index_build_options_init(&o);
    o.df = 1;
    o.threads = 1;
    o.mem = INDEX_MIN_MEM;
    o.partitions = 4;
    return o;
}

/* A built index copied to dir (so each test damages its own copy). */
static const char *fresh_index(const char *name)
{
    static int built;
    const char *src = tpath("dmg/ref");
    if (!built) {
        const char *f[2];
        f[0] = put_corpus("dmg/a.jsonl", 21, 300, 80, 0);
        f[1] = put_corpus("dmg/b.jsonl", 22, 300, 80, 0);
        index_build_options o = small_opts();
        build_ok(src, f, 2, &o);
        built = 1;
    }
    const char *dst = tpath(name);
    rm_rf(dst);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", src, dst);
    assert_int_equal(system(cmd), 0);
    return dst;
}

static void flip(const char *path, long off)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, off, off < 0 ? SEEK_END : SEEK_SET), 0);
    int c = fgetc(f);
    assert_true(c != EOF);
    assert_int_equal(fseek(f, -1, SEEK_CUR), 0);
    fputc(c ^ 0x10, f);
    assert_int_equal(fclose(f), 0);
}

static void expect_verify(const char *dir, const char *file, const char *needle)
{
    index_verify_report rep;
    contam_err err;
    contam_status st = index_verify(dir, 2, &rep, &err);
    if (st == CONTAM_OK)
        fail_msg("verify passed a damaged index (%s)", needle);
    assert_true(rep.problems >= 1);
    if (!strstr(err.file, file) || !strstr(err.msg, needle))
        fail_msg("verify said %s: %s (wanted %s: %s)", err.file, err.msg, file, needle);
}

static void verify_names_file_and_block(void **state)
{
    (void)state;
    index_verify_report rep;
    contam_err err;
    const char *ok = fresh_index("dmg/ok");
    assert_int_equal(index_verify(ok, 2, &rep, &err), CONTAM_OK);
    assert_int_equal(rep.problems, 0);
    assert_true(rep.blocks_checked > 10);
    /* a byte inside the blocks of partition 1 */
    const char *d = fresh_index("dmg/block");
    char p1[700];
    snprintf(p1, sizeof p1, "%s/part-0001.cidx", d);
    flip(p1, IDX_HEADER_BYTES + 3000);
    expect_verify(d, "part-0001.cidx", "block 1 (byte offset 2204): checksum mismatch");
    /* lookups that reach the damaged block fail; they never answer */
    index_reader *ix;
    assert_int_equal(index_open(d, &ix, &err), CONTAM_OK);
    uint64_t keys[4096];
    uint32_t df[4096];
    for (size_t k = 0; k < 4096; k++)
        keys[k] = ((uint64_t)1 << 62) + (uint64_t)k * (((uint64_t)1 << 50));
    assert_int_equal(index_lookup(ix, keys, 4096, df, NULL, 1, &err), CONTAM_ERR_CORRUPT);
    assert_non_null(strstr(err.file, "part-0001.cidx"));
    index_close(ix);
    /* the block index, the header */
    d = fresh_index("dmg/bindex");
    snprintf(p1, sizeof p1, "%s/part-0002.cidx", d);
    flip(p1, -5);
    expect_verify(d, "part-0002.cidx", "block index checksum");
    assert_int_equal(index_open(d, &ix, &err), CONTAM_ERR_CORRUPT);
    d = fresh_index("dmg/header");
    snprintf(p1, sizeof p1, "%s/part-0003.cidx", d);
    flip(p1, 33);
    expect_verify(d, "part-0003.cidx", "header checksum");
}

static void truncated_and_newer(void **state)
{
    (void)state;
    contam_err err;
    index_reader *ix = NULL;
    const char *d = fresh_index("dmg/trunc");
    char p[700];
    snprintf(p, sizeof p, "%s/part-0000.cidx", d);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(truncate(p, sb.st_size - 100), 0);
    assert_int_equal(index_open(d, &ix, &err), CONTAM_ERR_TRUNCATED);
    assert_null(ix);
    assert_non_null(strstr(err.msg, "truncated partition"));
    expect_verify(d, "part-0000.cidx", "truncated");
    assert_int_equal(truncate(p, 10), 0);
    assert_int_equal(index_open(d, &ix, &err), CONTAM_ERR_TRUNCATED);
    /* a partition file of a newer format */
    d = fresh_index("dmg/newpart");
    snprintf(p, sizeof p, "%s/part-0001.cidx", d);
    FILE *f = fopen(p, "r+b");
    assert_non_null(f);
    uint8_t v[4];
    idx_put32(v, INDEX_FORMAT_VERSION + 1);
    assert_int_equal(fseek(f, 8, SEEK_SET), 0);
    assert_int_equal(fwrite(v, 1, 4, f), 4);
    fclose(f);
    assert_int_equal(index_open(d, &ix, &err), CONTAM_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "newer"));
    /* a manifest of a newer format */
    d = fresh_index("dmg/newman");
    snprintf(p, sizeof p, "%s/manifest.json", d);
    contam_buf b = {0};
    slurp_buf(p, &b);
    char *at = strstr(b.ptr, "\"format_version\":\t1");
    assert_non_null(at);
    at[strlen("\"format_version\":\t")] = '2';
    put("dmg/newman/manifest.json", b.ptr, b.size);
    index_meta m;
    assert_int_equal(index_describe(d, &m, &err), CONTAM_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "newer than this contam supports"));
    /* damaged manifests: a field missing, a partition list that does not add up */
    at[strlen("\"format_version\":\t")] = '1';
    char *keys = strstr(b.ptr, "\"fingerprint_bits\"");
    assert_non_null(keys);
    keys[1] = 'F';
    put("dmg/newman/manifest.json", b.ptr, b.size);
    assert_int_equal(index_describe(d, &m, &err), CONTAM_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "keys.fingerprint_bits"));
    keys[1] = 'f';
    put("dmg/newman/manifest.json", b.ptr, b.size - 40);
    assert_int_equal(index_describe(d, &m, &err), CONTAM_ERR_FORMAT);
    /* a second document behind the manifest: refused, with where it starts */
    assert_int_equal(contam_buf_puts(&b, " {}"), 0);
    put("dmg/newman/manifest.json", b.ptr, b.size);
    assert_int_equal(index_describe(d, &m, &err), CONTAM_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "bytes after its JSON"));
    assert_non_null(strstr(err.file, "manifest.json"));
    contam_buf_free(&b);
    /* a partition of another index (other parameters) */
    d = fresh_index("dmg/foreign");
    const char *f2 = put_corpus("dmg/c.jsonl", 23, 50, 40, 0);
    index_build_options o = small_opts();
    o.df = 0;
    const char *other = tpath("dmg/other");
    build_ok(other, &f2, 1, &o);
    char cmd[1500];
    snprintf(cmd, sizeof cmd, "cp '%s/part-0002.cidx' '%s/part-0002.cidx'", other, d);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(index_open(d, &ix, &err), CONTAM_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "does not belong"));
    /* not an index at all */
    assert_int_equal(index_describe(tpath("dmg"), &m, &err), CONTAM_ERR_FORMAT);
    assert_non_null(strstr(err.msg, "no manifest.json"));
}

static void bad_corpus_input(void **state)
{
    (void)state;
    index_build_options o = small_opts();
    contam_err err;
    /* bad records are counted and sampled, like the scanner does */
    contam_buf b = {0};
    gen_corpus(&b, 31, 5, 20, 0);
    assert_int_equal(contam_buf_puts(&b, "{\"text\": broken\n\n{\"other\":\"x\"}\n"), 0);
    gen_corpus(&b, 32, 5, 20, 0);
    const char *bad = put("bad/bad.jsonl", b.ptr, b.size);
    const char *out = tpath("bad/idx");
    build_ok(out, &bad, 1, &o);
    index_meta m;
    assert_int_equal(index_describe(out, &m, &err), CONTAM_OK);
    assert_int_equal(m.docs, 10);
    assert_int_equal(m.records, 13);
    assert_int_equal(m.files[0].bad_json, 1);
    assert_int_equal(m.files[0].missing_field, 1);
    assert_int_equal(m.files[0].blank, 1);
    assert_int_equal(m.files[0].nbad, 2);
    assert_int_equal(m.files[0].bad[0].line, 6);
    assert_int_equal(m.files[0].bad[1].line, 8);
    index_meta_free(&m);
    /* --strict: the first bad record fails the build, naming file and line */
    o.strict = 1;
    const char *out2 = tpath("bad/strict");
    assert_int_equal(build(out2, &bad, 1, &o, &err), CONTAM_ERR_JSON);
    assert_int_equal(err.line, 6);
    assert_non_null(strstr(err.file, "bad.jsonl"));
    assert_false(exists(out2));
    assert_false(exists(tpath("bad/strict.partial")));
    o.strict = 0;
    /* a wrong --text-field, a truncated stream, stdin, a missing file */
    o.text_field = "body";
    assert_int_equal(build(out2, &bad, 1, &o, &err), CONTAM_ERR_FIELD);
    assert_non_null(strstr(err.msg, "--text-field"));
    o.text_field = "text";
    contam_buf_reset(&b);
    gen_corpus(&b, 33, 200, 50, 0);
    const char *trunc = put_zst("bad/trunc.jsonl.zst", &b, 9);
    assert_int_equal(build(out2, &trunc, 1, &o, &err), CONTAM_ERR_TRUNCATED);
    assert_non_null(strstr(err.file, "trunc.jsonl.zst"));
    assert_false(exists(out2));
    const char *dash = "-";
    assert_int_equal(build(out2, &dash, 1, &o, &err), CONTAM_ERR_ARG);
    const char *missing = tpath("bad/none.jsonl");
    assert_int_equal(build(out2, &missing, 1, &o, &err), CONTAM_ERR_OPEN);
    assert_false(exists(out2));
    /* bad options */
    o.partitions = 3;
    assert_int_equal(build(out2, &bad, 1, &o, &err), CONTAM_ERR_ARG);
    o.partitions = 4;
    o.mem = 1 << 20;
    assert_int_equal(build(out2, &bad, 1, &o, &err), CONTAM_ERR_ARG);
    contam_buf_free(&b);
}

/* Files are read while the previous one is still being checkpointed. A
 * failure in a later file still checkpoints every earlier one (a rerun
 * resumes after them), and with several files failing --strict, the error
 * reported is the earliest file's first bad line, whatever the threads. */
static void failure_keeps_earlier_files(void **state)
{
    (void)state;
    char f[4][600], ref[600];
    snprintf(f[0], sizeof f[0], "%s", put_corpus("fk/a.jsonl", 61, 400, 60, 0));
    snprintf(f[1], sizeof f[1], "%s", put_corpus("fk/b.jsonl", 62, 400, 60, 0));
    snprintf(f[3], sizeof f[3], "%s", put_corpus("fk/d.jsonl", 64, 400, 60, 0));
    contam_buf b = {0};
    gen_corpus(&b, 63, 400, 60, 0);
    snprintf(f[2], sizeof f[2], "%s", put_zst("fk/c.jsonl.zst", &b, 9));
    const char *files[4] = {f[0], f[1], f[2], f[3]};
    snprintf(ref, sizeof ref, "%s", tpath("fk/ref"));
    for (int threads = 1; threads <= 3; threads++) {
        index_build_options o = small_opts();
        o.threads = threads;
        o.mem = (uint64_t)128 << 20;
        /* c.jsonl.zst truncated: a, b finished; the error names c */
        put_zst("fk/c.jsonl.zst", &b, 9);
        const char *out = tpath("fk/idx");
        contam_err err;
        index_build_stats st;
        assert_int_equal(index_build(out, files, 4, &o, &st, &err), CONTAM_ERR_TRUNCATED);
        assert_non_null(strstr(err.file, "c.jsonl.zst"));
        assert_false(exists(out));
        /* the same file whole again: the rerun resumes after a and b */
        contam_buf_reset(&b);
        gen_corpus(&b, 63, 400, 60, 0);
        put_zst("fk/c.jsonl.zst", &b, 0);
        assert_int_equal(index_build(out, files, 4, &o, &st, &err), CONTAM_OK);
        assert_int_equal(st.files_resumed, 2);
        if (threads == 1) {
            rm_rf(ref);
            assert_int_equal(index_build(ref, files, 4, &o, &st, &err), CONTAM_OK);
        }
        assert_same_index(ref, out);
        rm_rf(out);
        /* bad records in b (line 9) and c (line 1): --strict names b */
        contam_buf bad = {0};
        gen_corpus(&bad, 62, 8, 60, 0);
        assert_int_equal(contam_buf_puts(&bad, "{\"text\": oops\n"), 0);
        gen_corpus(&bad, 65, 300, 60, 0);
        put("fk/b.jsonl", bad.ptr, bad.size);
        contam_buf_reset(&bad);
        assert_int_equal(contam_buf_puts(&bad, "{}\n{\"text\": oops\n"), 0);
        gen_corpus(&bad, 66, 300, 60, 0);
        put_zst("fk/c.jsonl.zst", &bad, 0);
        o.strict = 1;
        assert_int_equal(index_build(out, files, 4, &o, &st, &err), CONTAM_ERR_JSON);
        assert_non_null(strstr(err.file, "b.jsonl"));
        assert_int_equal(err.line, 9);
        assert_false(exists(out));
        /* and a rerun without the damage resumes after a */
        put_corpus("fk/b.jsonl", 62, 400, 60, 0);
        contam_buf_reset(&b);
        gen_corpus(&b, 63, 400, 60, 0);
        put_zst("fk/c.jsonl.zst", &b, 0);
        assert_int_equal(index_build(out, files, 4, &o, &st, &err), CONTAM_OK);
        assert_int_equal(st.files_resumed, 1);
        assert_same_index(ref, out);
        rm_rf(out);
        contam_buf_free(&bad);
        contam_buf_reset(&b);
        gen_corpus(&b, 63, 400, 60, 0);
    }
    contam_buf_free(&b);
}

static void text_documents(void **state)
{
    (void)state;
    /* a .txt file is one document: n-grams span its lines */
    const char *t = put("txt/book.txt", "one two three four\nfive six seven eight nine ten\n"
                                        "eleven twelve thirteen fourteen\n", 82);
    index_build_options o = small_opts();
    o.fp_bits = 64;
    const char *out = tpath("txt/idx");
    build_ok(out, &t, 1, &o);
    index_reader *ix;
    contam_err err;
    assert_int_equal(index_open(out, &ix, &err), CONTAM_OK);
    assert_int_equal(index_get_meta(ix)->docs, 1);
    assert_int_equal(index_get_meta(ix)->keys, 2);
    ngram_config cfg = {NGRAM_UNIT_WORD, 0, NGRAM_DEFAULT_SEED};
    ngram_tokenizer *tk = ngram_tokenizer_create(&cfg);
    const char *s = "two three four five six seven eight nine ten eleven twelve thirteen fourteen";
    const ngram_token *tok;
    size_t nt;
    assert_int_equal(ngram_tokenize(tk, s, strlen(s), &tok, &nt, NULL), CONTAM_OK);
    uint64_t pre[20];
    ngram_prefix_fill(tok, nt, pre);
    uint64_t key = ngram_window_hash(pre, 0, 13, ngram_base_pow(13));
    uint32_t df;
    assert_int_equal(index_lookup(ix, &key, 1, &df, NULL, 1, &err), CONTAM_OK);
    assert_int_equal(df, 1);
    ngram_tokenizer_free(tk);
    index_close(ix);
}

/* ---- allocation failures and resumption ----------------------------------------------- */

static void alloc_failures_readers(void **state)
{
    (void)state;
    const char *d = fresh_index("dmg/alloc");
    uint64_t keys[64];
    uint32_t df[64];
    uint64_t first[64];
    for (size_t k = 0; k < 64; k++)
        keys[k] = (uint64_t)k << 58;
    int ok = 0;
    for (long n = 0; n < 5000 && !ok; n++) {
        contam_err err;
        index_reader *ix = NULL;
        contam_alloc_fail_after(n);
        contam_status st = index_open(d, &ix, &err);
        if (st == CONTAM_OK)
            st = index_lookup(ix, keys, 64, df, first, 1, &err);
        if (st == CONTAM_OK) {
            index_verify_report rep;
            st = index_verify(d, 1, &rep, &err);
        }
        contam_alloc_fail_after(-1);
        index_close(ix);
        if (st == CONTAM_OK)
            ok = 1;
        else if (st != CONTAM_ERR_NOMEM)
            fail_msg("after %ld allocations: %s %s", n, contam_status_name(st), err.msg);
    }
    assert_true(ok);
}

static void alloc_failures_build_then_resume(void **state)
{
    (void)state;
    /* tpath's buffers rotate: keep our own copies across the loop */
    char fa[600], fb[600], ref[600];
    snprintf(fa, sizeof fa, "%s", put_corpus("af/a.jsonl", 41, 30, 40, 0));
    snprintf(fb, sizeof fb, "%s", put_corpus("af/b.jsonl", 42, 30, 40, 0));
    snprintf(ref, sizeof ref, "%s", tpath("af/ref"));
    const char *f[2] = {fa, fb};
    index_build_options o = small_opts();
    build_ok(ref, f, 2, &o);
    int ok = 0, resumed = 0;
    for (long n = 0; n < 20000 && !ok; n += 1 + n / 12) {
        char name[64];
        snprintf(name, sizeof name, "af/try-%ld", n);
        const char *out = tpath(name);
        contam_err err;
        index_build_stats st;
        contam_alloc_fail_after(n);
        contam_status s = index_build(out, f, 2, &o, &st, &err);
        contam_alloc_fail_after(-1);
        if (s == CONTAM_OK) {
            assert_same_index(ref, out);
            ok = 1;
            continue;
        }
        if (s != CONTAM_ERR_NOMEM)
            fail_msg("after %ld allocations: %s %s: %s", n, contam_status_name(s), err.file, err.msg);
        assert_false(exists(out));
        /* Whatever the failure left behind, the same build finishes it. */
        s = index_build(out, f, 2, &o, &st, &err);
        if (s != CONTAM_OK)
            fail_msg("rerun after %ld: %s %s", n, contam_status_name(s), err.msg);
        resumed += st.files_resumed > 0;
        assert_same_index(ref, out);
        char partial[700];
        snprintf(partial, sizeof partial, "%s.partial", out);
        assert_false(exists(partial));
        rm_rf(out);
    }
    assert_true(ok);
    assert_true(resumed > 0); /* some failures came after the first file was durable */
}

/* A full disk (here: RLIMIT_FSIZE, writes fail with EFBIG) is an I/O error
 * naming the file being written; nothing that looks like an index appears,
 * and once there is room the same build finishes with the right bytes. */
static void disk_full(void **state)
{
    (void)state;
    char fa[600], fb[600], ref[600], out[600];
    snprintf(fa, sizeof fa, "%s", put_corpus("full/a.jsonl", 51, 2000, 60, 0));
    snprintf(fb, sizeof fb, "%s", put_corpus("full/b.jsonl", 52, 2000, 60, 0));
    snprintf(ref, sizeof ref, "%s", tpath("full/ref"));
    snprintf(out, sizeof out, "%s", tpath("full/idx"));
    const char *f[2] = {fa, fb};
    index_build_options o = small_opts();
    build_ok(ref, f, 2, &o);
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    size_t limits[] = {64 << 10, 600 << 10};
    for (size_t k = 0; k < 2; k++) {
        lim = old;
        lim.rlim_cur = limits[k];
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
        contam_err err;
        contam_status st = build(out, f, 2, &o, &err);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
        if (st != CONTAM_ERR_IO)
            fail_msg("limit %zu: %s %s: %s", limits[k], contam_status_name(st), err.file, err.msg);
        assert_non_null(strstr(err.file, "full/idx"));
        assert_non_null(strstr(err.msg, "File too large"));
        assert_false(exists(out));
    }
    signal(SIGXFSZ, prev);
    build_ok(out, f, 2, &o);
    assert_same_index(ref, out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verify_names_file_and_block),
        cmocka_unit_test(truncated_and_newer),
        cmocka_unit_test(bad_corpus_input),
        cmocka_unit_test(failure_keeps_earlier_files),
        cmocka_unit_test(text_documents),
        cmocka_unit_test(alloc_failures_readers),
        cmocka_unit_test(alloc_failures_build_then_resume),
        cmocka_unit_test(disk_full),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup_json, fixture_group_teardown);
}
