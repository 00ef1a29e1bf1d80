/* test_io.c - unit tests of src/io: streams over the real corpus shards,
 * damaged inputs, the line reader's limits, file lists and atomic outputs. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "io/batch.h"
#include "io/io.h"
#include "io/io_internal.h"

#define FIXTURE_PREFIX "io"
#include "test_fixture.h"

/* ---- helpers ---------------------------------------------------------------- */

static const char *shared(const char *rel)
{
    static char buf[2048];
    const char *d = getenv("CONTAM_SHARED_DATA");
    if (!d)
        return NULL;
    snprintf(buf, sizeof buf, "%s/%s", d, rel);
    return buf;
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static void hex128(const void *p, size_t n, char out[33])
{
    XXH128_hash_t h = XXH3_128bits(p, n);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
}

static size_t zstd_pack(const void *src, size_t n, void *dst, size_t cap, int level)
{
    size_t r = ZSTD_compress(dst, cap, src, n, level);
    assert_false(ZSTD_isError(r));
    return r;
}

/* One gzip member. */
static size_t gzip_pack(const void *src, size_t n, unsigned char *dst, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t out = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

typedef struct {
    uint64_t lines, bytes, last_off, last_len;
    int monotonic;
} line_stats;

static contam_status read_lines(const char *path, size_t max_line, line_stats *ls, char ck[33],
                                contam_err *err)
{
    memset(ls, 0, sizeof *ls);
    ls->monotonic = 1;
    io_lines *l = NULL;
    contam_status st = io_lines_open(path, max_line, &l, err);
    if (st != CONTAM_OK) {
        assert_null(l);
        return st;
    }
    uint64_t expect_off = 0;
    for (;;) {
        const char *line;
        size_t len;
        uint64_t no, off;
        st = io_lines_next(l, &line, &len, &no, &off, err);
        if (st != CONTAM_OK || !line)
            break;
        ls->lines++;
        if (no != ls->lines || off != expect_off || line[len] != '\0')
            ls->monotonic = 0;
        ls->bytes += len;
        ls->last_off = off;
        ls->last_len = len;
        expect_off = off + len + 1;
    }
    if (st == CONTAM_OK && ck)
        io_stream_checksum(io_lines_stream(l), ck);
    io_lines_free(l);
    return st;
}

/* ---- real shards ------------------------------------------------------------ */

/* Measured with `zstd -dc FILE | wc -l -c` (zcat for the gzip shard). */
static const struct {
    const char *name;
    uint64_t lines, bytes;
    io_format fmt;
} shards[] = {
    {"corpus/shard-00.jsonl.zst", 2963, 17299775, IO_FMT_ZSTD},
    {"corpus/shard-01.jsonl.zst", 2963, 16398851, IO_FMT_ZSTD},
    {"corpus/shard-02.jsonl.zst", 2963, 18139531, IO_FMT_ZSTD},
    {"corpus/shard-03.jsonl.zst", 2963, 16791005, IO_FMT_ZSTD},
    {"corpus/shard-04.jsonl.zst", 2963, 16162399, IO_FMT_ZSTD},
    {"corpus/shard-05.jsonl.zst", 2962, 16225886, IO_FMT_ZSTD},
    {"corpus/shard-06.jsonl.zst", 2962, 19155360, IO_FMT_ZSTD},
    {"corpus/shard-07.jsonl.zst", 2962, 17033728, IO_FMT_ZSTD},
    {"corpus/c4-shard-00.json.gz", 700, 3204030, IO_FMT_GZIP},
};

static void test_real_shards(void **state)
{
    (void)state;
    if (!shared("corpus"))
        skip();
    for (size_t i = 0; i < sizeof shards / sizeof shards[0]; i++) {
        const char *path = shared(shards[i].name);
        size_t raw_n;
        char *raw = slurp(path, &raw_n);
        char want[33], got[33], mem[33];
        hex128(raw, raw_n, want);
        io_checksum_mem(raw, raw_n, mem);
        assert_string_equal(mem, want);
        free(raw);

        line_stats ls;
        contam_err err;
        assert_int_equal(read_lines(path, (size_t)4 << 20, &ls, got, &err), CONTAM_OK);
        assert_int_equal(ls.lines, shards[i].lines);
        /* every line ends in "\n" and none in "\r\n" */
        assert_int_equal(ls.bytes + ls.lines, shards[i].bytes);
        assert_int_equal(ls.last_off + ls.last_len + 1, shards[i].bytes);
        assert_true(ls.monotonic);
        assert_string_equal(got, want);

        /* the raw stream API agrees, and reports its position and format */
        io_stream *s;
        assert_int_equal(io_stream_open(path, &s, &err), CONTAM_OK);
        assert_int_equal(io_stream_format(s), shards[i].fmt);
        assert_int_equal(io_stream_raw_size(s), raw_n);
        static char buf[1 << 16];
        uint64_t total = 0;
        size_t n;
        do {
            assert_int_equal(io_stream_read(s, buf, sizeof buf, &n, &err), CONTAM_OK);
            total += n;
        } while (n > 0);
        assert_int_equal(total, shards[i].bytes);
        assert_int_equal(io_stream_raw_pos(s), raw_n);
        io_stream_checksum(s, got);
        assert_string_equal(got, want);
        assert_string_equal(io_stream_path(s), path);
        io_stream_free(s);
    }
}

/* Writes the first `frac` of a real file to the scratch dir. */
static const char *truncated_copy(const char *rel, double frac, const char *name, size_t *cut)
{
    size_t n;
    char *raw = slurp(shared(rel), &n);
    *cut = (size_t)((double)n * frac);
    const char *p = fixture_path(name);
    write_file(p, raw, *cut);
    free(raw);
    return p;
}

static void test_truncated_zstd(void **state)
{
    (void)state;
    if (!shared("corpus"))
        skip();
    size_t cut;
    const char *p = truncated_copy("corpus/shard-00.jsonl.zst", 0.6, "trunc.zst", &cut);
    line_stats ls;
    contam_err err;
    assert_int_equal(read_lines(p, (size_t)4 << 20, &ls, NULL, &err), CONTAM_ERR_TRUNCATED);
    assert_int_equal(err.code, CONTAM_ERR_TRUNCATED);
    assert_string_equal(err.file, p);
    assert_true(err.has_offset);
    assert_true(err.offset > 0);
    assert_int_equal(err.offset, cut);
    assert_true(ls.lines > 100); /* the complete lines before the cut were delivered */
}

static void test_truncated_gzip(void **state)
{
    (void)state;
    if (!shared("corpus"))
        skip();
    size_t cut;
    const char *p = truncated_copy("corpus/c4-shard-00.json.gz", 0.6, "trunc.gz", &cut);
    line_stats ls;
    contam_err err;
    assert_int_equal(read_lines(p, (size_t)4 << 20, &ls, NULL, &err), CONTAM_ERR_TRUNCATED);
    assert_string_equal(err.file, p);
    assert_true(err.has_offset);
    assert_int_equal(err.offset, cut);
    char msg[1200];
    contam_err_format(&err, msg, sizeof msg);
    assert_non_null(strstr(msg, p));
    assert_non_null(strstr(msg, "byte offset"));
}

static contam_status drain(const char *path, contam_err *err)
{
    io_stream *s;
    contam_status st = io_stream_open(path, &s, err);
    if (st != CONTAM_OK)
        return st;
    static char buf[1 << 20];
    size_t n;
    do
        st = io_stream_read(s, buf, sizeof buf, &n, err);
    while (st == CONTAM_OK && n > 0);
    /* errors are sticky */
    if (st != CONTAM_OK) {
        contam_err again;
        assert_int_equal(io_stream_read(s, buf, sizeof buf, &n, &again), st);
        assert_int_equal(n, 0);
    }
    io_stream_free(s);
    return st;
}

static void test_corrupt_zstd(void **state)
{
    (void)state;
    if (!shared("corpus"))
        skip();
    size_t n;
    char *raw = slurp(shared("corpus/shard-03.jsonl.zst"), &n);
    const char *p = fixture_path("flip.zst");
    const double where[] = {0.0005, 0.25, 0.5, 0.9};
    int corrupt = 0;
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        char *c = malloc(n);
        assert_non_null(c);
        memcpy(c, raw, n);
        size_t at = (size_t)((double)n * where[i]);
        for (size_t k = 0; k < 16; k++)
            c[at + k] = (char)(c[at + k] ^ 0x5A);
        write_file(p, c, n);
        free(c);
        contam_err err;
        contam_status st = drain(p, &err);
        /* damage can hit a block size field (the frame then seems to go on
         * past the end of the file) or the data (caught by the decoder or the
         * frame checksum) */
        assert_true(st == CONTAM_ERR_CORRUPT || st == CONTAM_ERR_TRUNCATED);
        assert_string_equal(err.file, p);
        assert_true(err.has_offset);
        assert_true(err.offset <= n);
        if (st == CONTAM_ERR_CORRUPT) {
            corrupt++;
            assert_non_null(strstr(err.msg, "zstd"));
        }
    }
    assert_true(corrupt > 0);
    free(raw);
}

static void test_corrupt_gzip(void **state)
{
    (void)state;
    if (!shared("corpus"))
        skip();
    size_t n;
    char *raw = slurp(shared("corpus/c4-shard-00.json.gz"), &n);
    for (size_t k = 0; k < 64; k++)
        raw[n / 2 + k] = (char)~raw[n / 2 + k];
    const char *p = fixture_path("flip.gz");
    write_file(p, raw, n);
    free(raw);
    contam_err err;
    assert_int_equal(drain(p, &err), CONTAM_ERR_CORRUPT);
    assert_string_equal(err.file, p);
    assert_true(err.has_offset && err.offset > 0 && err.offset <= n);
}

/* ---- synthetic formats ------------------------------------------------------ */

static void expect_lines(const char *path, const char *const *want, size_t nwant)
{
    io_lines *l;
    contam_err err;
    assert_int_equal(io_lines_open(path, 1 << 20, &l, &err), CONTAM_OK);
    uint64_t off = 0;
    for (size_t i = 0; i <= nwant; i++) {
        const char *line;
        size_t len;
        uint64_t no = 0, o = 0;
        assert_int_equal(io_lines_next(l, &line, &len, &no, &o, &err), CONTAM_OK);
        if (i == nwant) {
            assert_null(line);
            break;
        }
        assert_non_null(line);
        assert_int_equal(len, strlen(want[i]));
        assert_memory_equal(line, want[i], len);
        assert_int_equal(line[len], '\0');
        assert_int_equal(no, i + 1);
        assert_true(o >= off);
        off = o + len;
    }
    /* end of input is stable */
    const char *line;
    size_t len;
    uint64_t no, o;
    assert_int_equal(io_lines_next(l, &line, &len, &no, &o, &err), CONTAM_OK);
    assert_null(line);
    io_lines_free(l);
}

static void test_gzip_multi_member(void **state)
{
    (void)state;
    unsigned char buf[4096];
    size_t n = gzip_pack("one\ntwo\n", 8, buf, sizeof buf);
    size_t m1 = n;
    n += gzip_pack("three\nfour", 10, buf + n, sizeof buf - n);
    const char *p = fixture_path("multi.gz");
    write_file(p, buf, n);
    const char *want[] = {"one", "two", "three", "four"};
    expect_lines(p, want, 4);

    /* an empty member in between is still a member */
    size_t e = gzip_pack("", 0, buf + n, sizeof buf - n);
    n += gzip_pack("five\n", 5, buf + n + e, sizeof buf - n - e) + e;
    write_file(p, buf, n);
    /* members join into one byte stream: "four" had no newline */
    const char *want2[] = {"one", "two", "three", "fourfive"};
    expect_lines(p, want2, 4);

    /* bytes after a member that do not start another member */
    memcpy(buf + m1, "GARBAGE!", 8);
    write_file(p, buf, m1 + 8);
    contam_err err;
    assert_int_equal(drain(p, &err), CONTAM_ERR_CORRUPT);
    assert_string_equal(err.file, p);
    assert_true(err.has_offset);
    assert_true(err.offset >= m1);
}

static void test_zstd_multi_frame(void **state)
{
    (void)state;
    unsigned char buf[4096];
    size_t n = 0;
    /* a skippable frame first: still detected as zstd */
    const unsigned char skip_frame[] = {0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, 'm', 'e', 't', 'a'};
    memcpy(buf, skip_frame, sizeof skip_frame);
    n += sizeof skip_frame;
    n += zstd_pack("alpha\nbeta\n", 11, buf + n, sizeof buf - n, 3);
    memcpy(buf + n, skip_frame, sizeof skip_frame);
    n += sizeof skip_frame;
    n += zstd_pack("gamma\r\ndelta", 12, buf + n, sizeof buf - n, 19);
    const char *p = fixture_path("multi.zst");
    write_file(p, buf, n);
    const char *want[] = {"alpha", "beta", "gamma", "delta"};
    expect_lines(p, want, 4);

    io_stream *s;
    contam_err err;
    assert_int_equal(io_stream_open(p, &s, &err), CONTAM_OK);
    assert_int_equal(io_stream_format(s), IO_FMT_ZSTD);
    assert_string_equal(io_format_name(io_stream_format(s)), "zstd");
    io_stream_free(s);

    /* garbage after a complete frame */
    memcpy(buf + n, "junkjunk", 8);
    write_file(p, buf, n + 8);
    assert_int_equal(drain(p, &err), CONTAM_ERR_CORRUPT);
    assert_true(err.has_offset);

    /* just the magic */
    write_file(p, "\x28\xb5\x2f\xfd", 4);
    assert_int_equal(drain(p, &err), CONTAM_ERR_TRUNCATED);
    assert_int_equal(err.offset, 4);
}

static void test_plain_crlf_and_last_line(void **state)
{
    (void)state;
    const char *p = fixture_path("plain.txt");
    const char text[] = "a\r\nb\n\nc\rd\n\r\nlast";
    write_file(p, text, sizeof text - 1);
    const char *want[] = {"a", "b", "", "c\rd", "", "last"};
    expect_lines(p, want, 6);

    io_stream *s;
    contam_err err;
    assert_int_equal(io_stream_open(p, &s, &err), CONTAM_OK);
    assert_int_equal(io_stream_format(s), IO_FMT_PLAIN);
    assert_string_equal(io_format_name(IO_FMT_PLAIN), "plain");
    assert_string_equal(io_format_name(IO_FMT_GZIP), "gzip");
    /* tiny reads still deliver everything, then a clean end */
    char out[64];
    size_t total = 0, n;
    do {
        assert_int_equal(io_stream_read(s, out + total, 3, &n, &err), CONTAM_OK);
        total += n;
    } while (n > 0);
    assert_int_equal(total, sizeof text - 1);
    assert_memory_equal(out, text, total);
    char want_ck[33], got_ck[33];
    hex128(text, sizeof text - 1, want_ck);
    io_stream_checksum(s, got_ck);
    assert_string_equal(got_ck, want_ck);
    io_stream_free(s);

    /* offsets count raw bytes, terminators included */
    io_lines *l;
    assert_int_equal(io_lines_open(p, 100, &l, &err), CONTAM_OK);
    const uint64_t offs[] = {0, 3, 5, 6, 10, 12};
    for (size_t i = 0; i < 6; i++) {
        const char *line;
        size_t len;
        uint64_t no, o;
        assert_int_equal(io_lines_next(l, &line, &len, &no, &o, &err), CONTAM_OK);
        assert_int_equal(o, offs[i]);
    }
    io_lines_free(l);
}

static void test_empty_file(void **state)
{
    (void)state;
    const char *p = fixture_path("empty.jsonl");
    write_file(p, "", 0);
    line_stats ls;
    contam_err err;
    char ck[33], want[33];
    assert_int_equal(read_lines(p, 10, &ls, ck, &err), CONTAM_OK);
    assert_int_equal(ls.lines, 0);
    hex128("", 0, want);
    assert_string_equal(ck, want);
    io_stream *s;
    assert_int_equal(io_stream_open(p, &s, &err), CONTAM_OK);
    assert_int_equal(io_stream_format(s), IO_FMT_PLAIN);
    assert_int_equal(io_stream_raw_size(s), 0);
    io_stream_free(s);
    /* a single newline is one empty line */
    write_file(p, "\n", 1);
    const char *want1[] = {""};
    expect_lines(p, want1, 1);
}

static void test_open_errors(void **state)
{
    (void)state;
    io_lines *l = (io_lines *)&l;
    contam_err err;
    const char *p = fixture_path("does-not-exist.zst");
    assert_int_equal(io_lines_open(p, 100, &l, &err), CONTAM_ERR_OPEN);
    assert_null(l);
    assert_string_equal(err.file, p);
    assert_non_null(strstr(err.msg, "No such file"));
    io_stream *s = (io_stream *)&s;
    assert_int_equal(io_stream_open(g_tmp, &s, &err), CONTAM_ERR_OPEN);
    assert_null(s);
    assert_string_equal(err.file, g_tmp);
    assert_int_equal(io_lines_open(fixture_path("x"), 0, &l, &err), CONTAM_ERR_ARG);
    io_lines_free(NULL);
    io_stream_free(NULL);
}

/* ---- line limits -------------------------------------------------------------- */

static void test_long_lines(void **state)
{
    (void)state;
    const size_t big = 3u << 20; /* 3 MiB: larger than the reader's buffer */
    char *text = malloc(big + 16);
    assert_non_null(text);
    for (size_t i = 0; i < big; i++)
        text[i] = (char)('a' + i % 26);
    memcpy(text + big, "\r\ny\n", 4);
    const char *p = fixture_path("long.txt");
    write_file(p, text, big + 4);

    /* plain and zstd-compressed */
    size_t zcap = ZSTD_compressBound(big + 4);
    char *z = malloc(zcap);
    assert_non_null(z);
    size_t zn = zstd_pack(text, big + 4, z, zcap, 1);
    const char *pz = fixture_path("long.zst");
    write_file(pz, z, zn);
    free(z);

    const char *paths[] = {p, pz};
    for (int k = 0; k < 2; k++) {
        io_lines *l;
        contam_err err;
        assert_int_equal(io_lines_open(paths[k], big, &l, &err), CONTAM_OK);
        const char *line;
        size_t len;
        uint64_t no, off;
        assert_int_equal(io_lines_next(l, &line, &len, &no, &off, &err), CONTAM_OK);
        assert_non_null(line);
        assert_int_equal(len, big); /* exactly max_line: allowed, "\r\n" excluded */
        assert_memory_equal(line, text, big);
        assert_int_equal(io_lines_next(l, &line, &len, &no, &off, &err), CONTAM_OK);
        assert_int_equal(len, 1);
        assert_int_equal(no, 2);
        assert_int_equal(off, big + 2);
        assert_int_equal(io_lines_next(l, &line, &len, &no, &off, &err), CONTAM_OK);
        assert_null(line);
        io_lines_free(l);

        /* one byte less allowed: the long line is refused, naming it */
        line_stats ls;
        assert_int_equal(read_lines(paths[k], big - 1, &ls, NULL, &err),
                         CONTAM_ERR_LINE_TOO_LONG);
        assert_int_equal(err.line, 1);
        assert_true(err.has_offset);
        assert_int_equal(err.offset, 0);
        assert_string_equal(err.file, paths[k]);
    }
    free(text);
}

static void test_line_too_long(void **state)
{
    (void)state;
    const char *p = fixture_path("limit.txt");
    char text[256];
    size_t n = 0;
    n += (size_t)sprintf(text + n, "short\n");
    memset(text + n, 'x', 100);
    n += 100;
    n += (size_t)sprintf(text + n, "\nok\n");
    write_file(p, text, n);

    io_lines *l;
    contam_err err;
    assert_int_equal(io_lines_open(p, 50, &l, &err), CONTAM_OK);
    const char *line;
    size_t len;
    uint64_t no, off;
    assert_int_equal(io_lines_next(l, &line, &len, &no, &off, &err), CONTAM_OK);
    assert_int_equal(len, 5);
    assert_int_equal(io_lines_next(l, &line, &len, &no, &off, &err), CONTAM_ERR_LINE_TOO_LONG);
    assert_null(line);
    assert_int_equal(err.code, CONTAM_ERR_LINE_TOO_LONG);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.offset, 6);
    assert_string_equal(err.file, p);
    char msg[1200];
    contam_err_format(&err, msg, sizeof msg);
    assert_non_null(strstr(msg, ":2:"));
    /* sticky */
    contam_err again;
    assert_int_equal(io_lines_next(l, &line, &len, &no, &off, &again),
                     CONTAM_ERR_LINE_TOO_LONG);
    assert_int_equal(again.line, 2);
    io_lines_free(l);

    /* a final unterminated line is limited too */
    write_file(p, "ok\n0123456789", 13);
    line_stats ls;
    assert_int_equal(read_lines(p, 9, &ls, NULL, &err), CONTAM_ERR_LINE_TOO_LONG);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.offset, 3);
    assert_int_equal(read_lines(p, 10, &ls, NULL, &err), CONTAM_OK);
    assert_int_equal(ls.lines, 2);

    /* a line longer than the 1 MiB buffer with a limit between the two */
    size_t big = (size_t)2 << 20;
    char *t = malloc(big + 1);
    assert_non_null(t);
    memset(t, 'z', big);
    t[big] = '\n';
    write_file(p, t, big + 1);
    free(t);
    assert_int_equal(read_lines(p, (size_t)3 << 19, &ls, NULL, &err), CONTAM_ERR_LINE_TOO_LONG);
    assert_int_equal(err.line, 1);
}

/* ---- io_read_all ---------------------------------------------------------------- */

static void test_read_all(void **state)
{
    (void)state;
    const char text[] = "{\"q\": 1}\n{\"q\": 2}\n";
    unsigned char z[512];
    size_t zn = zstd_pack(text, sizeof text - 1, z, sizeof z, 3);
    const char *p = fixture_path("small.jsonl.zst");
    write_file(p, z, zn);
    contam_buf b = {0};
    char ck[33], want[33];
    contam_err err;
    assert_int_equal(io_read_all(p, 1000, &b, ck, &err), CONTAM_OK);
    assert_int_equal(b.size, sizeof text - 1);
    assert_string_equal(b.ptr, text);
    hex128(z, zn, want);
    assert_string_equal(ck, want);
    /* exactly at the limit is fine, one byte under is not */
    assert_int_equal(io_read_all(p, sizeof text - 1, &b, NULL, &err), CONTAM_OK);
    assert_int_equal(io_read_all(p, sizeof text - 2, &b, NULL, &err), CONTAM_ERR_ARG);
    assert_int_equal(b.size, 0);
    assert_string_equal(err.file, p);
    assert_int_equal(io_read_all(fixture_path("nope"), 10, &b, NULL, &err), CONTAM_ERR_OPEN);
    /* empty input */
    const char *pe = fixture_path("empty2");
    write_file(pe, "", 0);
    assert_int_equal(io_read_all(pe, 10, &b, ck, &err), CONTAM_OK);
    assert_int_equal(b.size, 0);
    contam_buf_free(&b);
}

/* ---- file lists ------------------------------------------------------------------ */

static void mk(const char *rel) { assert_int_equal(mkdir(fixture_path(rel), 0777), 0); }

static void test_filelist(void **state)
{
    (void)state;
    mk("fl");
    mk("fl/tree");
    mk("fl/tree/a");
    mk("fl/tree/c");
    mk("fl/tree/c/d");
    mk("fl/tree/.git");
    mk("fl/other");
    write_file(fixture_path("fl/tree/b.txt"), "bb", 2);
    write_file(fixture_path("fl/tree/a/z.jsonl"), "zzz", 3);
    write_file(fixture_path("fl/tree/a/.hidden"), "h", 1);
    write_file(fixture_path("fl/tree/.git/config"), "g", 1);
    write_file(fixture_path("fl/tree/c/d/e.json.gz"), "e", 1);
    write_file(fixture_path("fl/tree/c/A.txt"), "A", 1);
    write_file(fixture_path("fl/other/f.txt"), "ffff", 4);
    /* a link to a directory is not followed (cycles) */
    assert_int_equal(symlink("..", fixture_path("fl/tree/c/up")), 0);

    char a0[1024], a1[1024], a2[1024];
    snprintf(a0, sizeof a0, "%s", fixture_path("fl/other/f.txt"));
    snprintf(a1, sizeof a1, "%s/", fixture_path("fl/tree")); /* trailing slash */
    snprintf(a2, sizeof a2, "%s", fixture_path("fl/tree/b.txt")); /* duplicate */
    const char *args[] = {a0, a1, a2};
    io_filelist fl;
    contam_err err;
    assert_int_equal(io_filelist_expand(args, 3, &fl, &err), CONTAM_OK);
    const char *want_path[] = {"fl/other/f.txt", "fl/tree/a/z.jsonl", "fl/tree/b.txt",
                               "fl/tree/c/A.txt", "fl/tree/c/d/e.json.gz"};
    const char *want_rel[] = {"f.txt", "a/z.jsonl", "b.txt", "c/A.txt", "c/d/e.json.gz"};
    const uint64_t want_size[] = {4, 3, 2, 1, 1};
    assert_int_equal(fl.n, 5);
    for (size_t i = 0; i < fl.n; i++) {
        assert_string_equal(fl.v[i].path, fixture_path(want_path[i]));
        assert_string_equal(fl.v[i].rel, want_rel[i]);
        assert_int_equal(fl.v[i].size, want_size[i]);
    }
    io_filelist_free(&fl);
    assert_null(fl.v);
    io_filelist_free(NULL);

    /* a missing path is named */
    const char *bad[] = {a0, fixture_path("fl/missing.zst")};
    fl.v = (io_file *)&fl;
    assert_int_equal(io_filelist_expand(bad, 2, &fl, &err), CONTAM_ERR_OPEN);
    assert_string_equal(err.file, fixture_path("fl/missing.zst"));
    assert_null(fl.v);
    assert_int_equal(fl.n, 0);

    /* a dangling link inside a tree is an error, not a silent skip */
    assert_int_equal(symlink("gone", fixture_path("fl/tree/dangling")), 0);
    const char *tree[] = {a1};
    assert_int_equal(io_filelist_expand(tree, 1, &fl, &err), CONTAM_ERR_OPEN);
    assert_non_null(strstr(err.file, "dangling"));

    /* stdin */
    const char *dash[] = {"-"};
    assert_int_equal(io_filelist_expand(dash, 1, &fl, &err), CONTAM_OK);
    assert_int_equal(fl.n, 1);
    assert_string_equal(fl.v[0].path, "-");
    io_filelist_free(&fl);
}

/* ---- atomic outputs ----------------------------------------------------------------- */

static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

static void test_write_atomic(void **state)
{
    (void)state;
    mk("aw");
    const char *p = fixture_path("aw/out.json");
    contam_err err;
    assert_int_equal(io_write_atomic(p, "first", 5, &err), CONTAM_OK);
    assert_int_equal(io_write_atomic(p, "second!", 7, &err), CONTAM_OK);
    size_t n;
    char *c = slurp(p, &n);
    assert_int_equal(n, 7);
    assert_memory_equal(c, "second!", 7);
    free(c);
    assert_int_equal(count_prefixed(fixture_path("aw"), "out.json.tmp"), 0);

    /* missing parent directory */
    assert_int_equal(io_write_atomic(fixture_path("aw/no/such/x"), "x", 1, &err), CONTAM_ERR_OPEN);
    assert_string_equal(err.file, fixture_path("aw/no/such/x"));

    /* the target is a non-empty directory: rename fails, nothing is left */
    mk("aw/dir");
    write_file(fixture_path("aw/dir/keep"), "k", 1);
    assert_int_equal(io_write_atomic(fixture_path("aw/dir"), "x", 1, &err), CONTAM_ERR_IO);
    assert_string_equal(err.file, fixture_path("aw/dir"));
    assert_non_null(strstr(err.msg, "rename"));
    assert_int_equal(count_prefixed(fixture_path("aw"), "dir.tmp"), 0);
    assert_true(exists(fixture_path("aw/dir/keep")));
}

static void write_rel(io_outdir *d, const char *rel, const char *text)
{
    FILE *f;
    contam_err err;
    assert_int_equal(io_outdir_open(d, rel, &f, &err), CONTAM_OK);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(io_outdir_close(d, rel, f, &err), CONTAM_OK);
}

static void test_outdir(void **state)
{
    (void)state;
    char dir[1200], stage[1300];
    snprintf(dir, sizeof dir, "%s", fixture_path("od/nested/results"));
    snprintf(stage, sizeof stage, "%s.tmp-%ld", dir, (long)getpid());
    io_outdir *d;
    contam_err err;

    /* first run: the parent is created, nothing appears before commit */
    assert_int_equal(io_outdir_begin(dir, &d, &err), CONTAM_OK);
    write_rel(d, "report.json", "{\"run\": 1}\n");
    write_rel(d, "tables/overlap.tsv", "a\tb\n");
    assert_true(exists(stage));
    assert_false(exists(dir));
    assert_int_equal(io_outdir_commit(d, &err), CONTAM_OK);
    io_outdir_free(d);
    assert_false(exists(stage));
    char f[1400];
    snprintf(f, sizeof f, "%s/tables/overlap.tsv", dir);
    assert_true(exists(f));

    /* second run replaces the previous contam output entirely */
    char with_slash[1300];
    snprintf(with_slash, sizeof with_slash, "%s/", dir);
    assert_int_equal(io_outdir_begin(with_slash, &d, &err), CONTAM_OK);
    write_rel(d, "report.json", "{\"run\": 2}\n");
    assert_int_equal(io_outdir_commit(d, &err), CONTAM_OK);
    io_outdir_free(d);
    assert_false(exists(f));
    snprintf(f, sizeof f, "%s/report.json", dir);
    size_t n;
    char *c = slurp(f, &n);
    assert_string_equal(c, "{\"run\": 2}\n");
    free(c);
    assert_int_equal(count_prefixed(fixture_path("od/nested"), "results."), 0);

    /* free without commit: the old output stays, the staging dir goes */
    assert_int_equal(io_outdir_begin(dir, &d, &err), CONTAM_OK);
    write_rel(d, "report.json", "{\"run\": 3}\n");
    io_outdir_free(d);
    assert_false(exists(stage));
    c = slurp(f, &n);
    assert_string_equal(c, "{\"run\": 2}\n");
    free(c);

    /* a foreign non-empty directory is refused up front and left alone */
    mk("od/src");
    write_file(fixture_path("od/src/main.c"), "int main;", 9);
    d = (io_outdir *)&d;
    assert_int_equal(io_outdir_begin(fixture_path("od/src"), &d, &err), CONTAM_ERR_EXISTS);
    assert_null(d);
    assert_string_equal(err.file, fixture_path("od/src"));
    assert_true(exists(fixture_path("od/src/main.c")));
    /* so is a plain file */
    assert_int_equal(io_outdir_begin(fixture_path("od/src/main.c"), &d, &err), CONTAM_ERR_EXISTS);

    /* an empty directory is fine; one that turns foreign before commit is not */
    mk("od/empty");
    assert_int_equal(io_outdir_begin(fixture_path("od/empty"), &d, &err), CONTAM_OK);
    write_rel(d, "report.json", "{}");
    write_file(fixture_path("od/empty/intruder"), "x", 1);
    assert_int_equal(io_outdir_commit(d, &err), CONTAM_ERR_EXISTS);
    io_outdir_free(d);
    assert_true(exists(fixture_path("od/empty/intruder")));
    assert_int_equal(count_prefixed(fixture_path("od"), "empty."), 0);

    /* file names must stay inside */
    assert_int_equal(io_outdir_begin(fixture_path("od/x"), &d, &err), CONTAM_OK);
    FILE *fp = NULL;
    const char *bad[] = {"../escape", "/abs", "", "a//b", "a/", "a/../b", "./a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(io_outdir_open(d, bad[i], &fp, &err), CONTAM_ERR_ARG);
        assert_null(fp);
    }
    /* write errors surface at close, naming the file */
    fp = fopen("/dev/full", "w");
    if (fp) {
        assert_true(fputs("data", fp) >= 0);
        assert_int_equal(io_outdir_close(d, "report.json", fp, &err), CONTAM_ERR_IO);
        assert_non_null(strstr(err.file, "report.json"));
        assert_non_null(strstr(err.msg, strerror(ENOSPC)));
    }
    io_outdir_free(d);
    io_outdir_free(NULL);
}

static void test_outdir_stale_staging(void **state)
{
    (void)state;
    /* a pid that certainly belongs to no live process: a reaped child's */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    assert_int_equal(waitpid(child, NULL, 0), child);
    mk("st");
    char stale[1200], keep[1200];
    snprintf(stale, sizeof stale, "%s.tmp-%ld", fixture_path("st/out"), (long)child);
    snprintf(keep, sizeof keep, "%s.tmp-1", fixture_path("st/out")); /* init: alive */
    assert_int_equal(mkdir(stale, 0777), 0);
    assert_int_equal(mkdir(keep, 0777), 0);
    char inner[1300];
    snprintf(inner, sizeof inner, "%s/report.json", stale);
    write_file(inner, "{}", 2);
    io_outdir *d;
    contam_err err;
    assert_int_equal(io_outdir_begin(fixture_path("st/out"), &d, &err), CONTAM_OK);
    assert_false(exists(stale));
    assert_true(exists(keep));
    io_outdir_free(d);
}

/* ---- allocation failures --------------------------------------------------------------- */

/* ---- io_batcher ------------------------------------------------------------------ */

typedef struct {
    contam_buf seen;   /* "lineno:offset:text\n" per record, in arrival order */
    size_t batches, records;
    size_t file;
    uint64_t base;
    int text_mode;
} batch_log;

static void log_batch(void *user, io_batch *b)
{
    batch_log *L = user;
#pragma omp critical(test_batch_log)
    {
        L->batches++;
        L->file = b->file;
        L->base = b->base;
        L->text_mode = b->text_mode;
        for (size_t k = 0; k < b->nrecs; k++) {
            const io_batch_rec *r = &b->recs[k];
            char head[64];
            assert_int_equal(b->buf.ptr[r->off + r->len], '\0'); /* NUL-terminated */
            snprintf(head, sizeof head, "%llu:%llu:", (unsigned long long)r->lineno,
                     (unsigned long long)r->offset);
            assert_int_equal(contam_buf_puts(&L->seen, head), 0);
            assert_int_equal(contam_buf_append(&L->seen, b->buf.ptr + r->off, r->len), 0);
            assert_int_equal(contam_buf_puts(&L->seen, "\n"), 0);
            L->records++;
        }
    }
}

static int stop_after_first(void *user, size_t file)
{
    (void)file;
    int stop;
#pragma omp critical(test_batch_log)
    stop = ((batch_log *)user)->batches > 0;
    return stop;
}

/* Reads path through a batcher on 2 threads; records sorted by line. */
static contam_status batch_read(const char *path, size_t batch_bytes, size_t batch_records,
                                size_t max_line,
                                int partial, io_batch_stop stop, batch_log *L,
                                io_batch_file *bf, io_batch_progress *pr, contam_err *e)
{
    contam_buf_free(&L->seen); /* L starts zeroed; a previous read's log goes */
    memset(L, 0, sizeof *L);
    io_batcher_config c = {2, batch_bytes, batch_records, log_batch, NULL, stop, L};
    io_batcher *bt = io_batcher_create(&c);
    assert_non_null(bt);
    contam_status st = CONTAM_OK;
#pragma omp parallel num_threads(2) default(none) shared(bt, path, max_line, partial, bf, e, st)
#pragma omp single
    {
        st = io_batcher_read_file(bt, path, 3, 42, max_line, partial, bf, e);
#pragma omp taskwait
    }
    io_batcher_progress(bt, pr);
    io_batcher_free(bt);
    return st;
}

/* The records a batcher hands out, sorted by line, as "lineno:offset:text". */
static char *sorted_log(const batch_log *L)
{
    size_t n = 0;
    char **lines = malloc((L->records + 1) * sizeof *lines);
    assert_non_null(lines);
    char *copy = strndup(L->seen.ptr ? L->seen.ptr : "", L->seen.size);
    for (char *p = copy, *nl; p && *p; p = nl + 1) {
        nl = strchr(p, '\n');
        *nl = '\0';
        lines[n++] = p;
    }
    assert_int_equal(n, L->records);
    for (size_t a = 1; a < n; a++) /* insertion sort by line number */
        for (size_t k = a; k > 0 && strtoull(lines[k - 1], NULL, 10) > strtoull(lines[k], NULL, 10); k--) {
            char *t = lines[k];
            lines[k] = lines[k - 1];
            lines[k - 1] = t;
        }
    contam_buf out = {0};
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(contam_buf_puts(&out, lines[k]), 0);
        assert_int_equal(contam_buf_puts(&out, "\n"), 0);
    }
    free(lines);
    free(copy);
    char *r = strdup(out.ptr ? out.ptr : "");
    contam_buf_free(&out);
    return r;
}

static void test_batcher_records(void **state)
{
    (void)state;
    contam_buf text = {0}, want = {0};
    uint64_t off = 0;
    for (int k = 1; k <= 1000; k++) {
        char line[64];
        int n = snprintf(line, sizeof line, "{\"text\": \"record %d\"}", k);
        assert_int_equal(contam_buf_append(&text, line, (size_t)n), 0);
        assert_int_equal(contam_buf_puts(&text, k % 3 ? "\n" : "\r\n"), 0);
        char w[96];
        snprintf(w, sizeof w, "%d:%llu:%s\n", k, (unsigned long long)off, line);
        assert_int_equal(contam_buf_puts(&want, w), 0);
        off += (uint64_t)n + (k % 3 ? 1 : 2);
    }
    const char *path = put_zst("batch/a.jsonl.zst", &text, 0);
    batch_log L = {0};
    io_batch_file bf;
    io_batch_progress pr;
    contam_err e;
    assert_int_equal(batch_read(path, 300, 7, 1 << 20, 0, NULL, &L, &bf, &pr, &e), CONTAM_OK);
    char *got = sorted_log(&L);
    assert_string_equal(got, want.ptr);
    free(got);
    assert_true(L.batches >= 1000 / 7); /* cut by the 7-record limit */
    assert_int_equal(L.file, 3);
    assert_int_equal(L.base, 42);
    assert_false(L.text_mode);
    assert_string_equal(bf.format, "zstd");
    assert_int_equal(bf.records, 1000);
    assert_int_equal(bf.bytes, text.size - 1000 / 3); /* CR of CRLF not counted */
    assert_int_equal(pr.records, 1000);
    assert_int_equal(pr.bytes, bf.bytes);
    assert_int_equal(pr.raw_bytes, bf.raw_bytes);
    assert_int_equal(strlen(bf.checksum), 32);

    /* a stop request abandons the file quietly after the first batch */
    assert_int_equal(batch_read(path, 300, 7, 1 << 20, 0, stop_after_first, &L, &bf, &pr, &e),
                     CONTAM_OK);
    assert_true(L.records >= 7 && L.records < 1000);
    contam_buf_free(&L.seen);
    contam_buf_free(&text);
    contam_buf_free(&want);
}

static void test_batcher_text_and_damage(void **state)
{
    (void)state;
    batch_log L = {0};
    io_batch_file bf;
    io_batch_progress pr;
    contam_err e;
    /* a .txt file is one document: its lines joined by "\n" */
    const char *txt = put_str("batch/book.txt", "one\ntwo\r\nthree\n");
    assert_int_equal(batch_read(txt, 300, 7, 1 << 20, 0, NULL, &L, &bf, &pr, &e), CONTAM_OK);
    assert_int_equal(L.records, 1);
    assert_true(L.text_mode);
    assert_string_equal(L.seen.ptr, "1:0:one\ntwo\nthree\n");
    /* ... bounded by max_line, with the line that crossed it */
    assert_int_equal(batch_read(txt, 300, 7, 8, 0, NULL, &L, &bf, &pr, &e),
                     CONTAM_ERR_LINE_TOO_LONG);
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.file, "book.txt"));
    contam_buf_free(&L.seen);

    /* a truncated stream: the error names the file; the complete records
     * read before the damage are handed out only when asked for */
    if (shared("corpus")) {
        size_t cut;
        const char *bad = truncated_copy("corpus/shard-00.jsonl.zst", 0.6, "batch-cut.zst", &cut);
        assert_int_equal(batch_read(bad, 256 << 20, SIZE_MAX, 1 << 30, 1, NULL, &L, &bf, &pr, &e),
                         CONTAM_ERR_TRUNCATED);
        assert_string_equal(e.file, bad);
        size_t kept = L.records;
        assert_true(kept > 100);
        assert_int_equal(bf.records, kept);
        contam_buf_free(&L.seen);
        assert_int_equal(batch_read(bad, 256 << 20, SIZE_MAX, 1 << 30, 0, NULL, &L, &bf, &pr, &e),
                         CONTAM_ERR_TRUNCATED);
        assert_int_equal(L.records, 0); /* one batch, never full: dropped */
        contam_buf_free(&L.seen);
    }

    /* a missing file: an open error, nothing handed out */
    assert_int_equal(batch_read(fixture_path("batch/none.jsonl"), 300, 7, 1 << 20, 0, NULL, &L,
                                &bf, &pr, &e),
                     CONTAM_ERR_OPEN);
    assert_null(bf.format);
    assert_int_equal(L.records, 0);
    contam_buf_free(&L.seen);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    char text[4096];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)sprintf(text + n, "{\"text\": \"line %d\"}\n", i);
    unsigned char z[4096], g[4096];
    size_t zn = zstd_pack(text, n, z, sizeof z, 3);
    size_t gn = gzip_pack(text, n, g, sizeof g);
    char pz[1200], pg[1200];
    snprintf(pz, sizeof pz, "%s", fixture_path("af.zst"));
    snprintf(pg, sizeof pg, "%s", fixture_path("af.gz"));
    write_file(pz, z, zn);
    write_file(pg, g, gn);
    const char *paths[] = {pz, pg};
    for (int k = 0; k < 2; k++) {
        int ok = 0;
        for (long fail = 0; fail < 1000 && !ok; fail++) {
            contam_alloc_fail_after(fail);
            line_stats ls;
            contam_err err;
            contam_status st = read_lines(paths[k], 1 << 16, &ls, NULL, &err);
            contam_alloc_fail_after(-1);
            if (st == CONTAM_OK) {
                assert_int_equal(ls.lines, 100);
                ok = 1;
            } else {
                assert_int_equal(st, CONTAM_ERR_NOMEM);
                assert_string_equal(err.file, paths[k]);
            }
        }
        assert_true(ok);
    }

    /* file lists, read_all and output directories fail cleanly too */
    mk("af");
    mk("af/d");
    write_file(fixture_path("af/d/1"), "1", 1);
    write_file(fixture_path("af/d/2"), "2", 1);
    char root[1200];
    snprintf(root, sizeof root, "%s", fixture_path("af"));
    const char *args[] = {root, pz};
    int ok = 0;
    for (long fail = 0; fail < 1000 && !ok; fail++) {
        io_filelist fl;
        contam_err err;
        contam_buf b = {0};
        io_outdir *d = NULL;
        FILE *fp = NULL;
        contam_alloc_fail_after(fail);
        contam_status st = io_filelist_expand(args, 2, &fl, &err);
        if (st == CONTAM_OK) {
            st = io_read_all(pz, 1 << 20, &b, NULL, &err);
            io_filelist_free(&fl);
        }
        if (st == CONTAM_OK)
            st = io_outdir_begin(fixture_path("af-out"), &d, &err);
        /* a nested file, and the report.json that marks a contam output */
        const char *rels[] = {"sub/t.tsv", "report.json"};
        for (int r = 0; r < 2 && st == CONTAM_OK; r++) {
            st = io_outdir_open(d, rels[r], &fp, &err);
            if (st == CONTAM_OK) {
                fputs("{}", fp);
                st = io_outdir_close(d, rels[r], fp, &err);
            }
        }
        if (st == CONTAM_OK)
            st = io_outdir_commit(d, &err);
        if (st == CONTAM_OK)
            st = io_write_atomic(fixture_path("af-atomic"), "x", 1, &err);
        contam_alloc_fail_after(-1);
        io_outdir_free(d);
        contam_buf_free(&b);
        if (st == CONTAM_OK)
            ok = 1;
        else if (st != CONTAM_ERR_NOMEM)
            fail_msg("allocation failure %ld: %s: %s", fail, err.file, err.msg);
    }
    assert_true(ok);
    char stage[1300];
    snprintf(stage, sizeof stage, "%s.tmp-%ld", fixture_path("af-out"), (long)getpid());
    assert_false(exists(stage));
}

/* ---- corpus records: the tree-less fast path ------------------------------ */

/* Parses line[0, len) three ways (fast path alone, the cJSON tree alone, the
 * public entry) and checks they agree: the fast path, when it answers, with
 * the tree's IO_REC_OK text; the public result with the tree's in every
 * field. Returns whether the fast path answered. */
static int record_agree(const char *line, size_t len, const char *field, const char *doc)
{
    io_record t, f, p;
    char wt[120] = "", wp[120] = "";
    int ot, op;
    io_rec_kind kt = io_record_parse_tree(line, len, field, doc, &t, wt, sizeof wt, &ot);
    int fast = !doc && io_record_parse_fast(line, len, field, &f);
    if (fast) {
        assert_int_equal(kt, IO_REC_OK);
        assert_null(f.root);
        assert_int_equal(f.len, t.len);
        assert_memory_equal(f.text, t.text, t.len);
        /* plain text is read in place, escaped text decoded into owned */
        if (f.owned)
            assert_ptr_equal(f.text, f.owned);
        else
            assert_true(f.text > line && f.text + f.len < line + len);
        io_record_clear(&f);
        assert_null(f.owned);
    }
    io_rec_kind kp = io_record_parse(line, len, field, doc, &p, wp, sizeof wp, &op);
    assert_int_equal(kp, kt);
    assert_int_equal(op, ot);
    if (kt == IO_REC_OK) {
        assert_int_equal(p.len, t.len);
        assert_memory_equal(p.text, t.text, t.len);
        if (t.doc)
            assert_string_equal(p.doc, t.doc);
        else
            assert_null(p.doc);
        io_record_clear(&p);
        io_record_clear(&t);
    } else if (kt != IO_REC_BLANK) {
        assert_string_equal(wp, wt);
    }
    return fast;
}

static void test_record_fast_cases(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        size_t len; /* 0: strlen */
        const char *field;
        int fast;   /* 1: the fast path must answer */
        int kind;   /* what the tree says */
        const char *text;
        size_t tlen; /* 0: strlen(text) */
    } c[] = {
        {"{\"text\": \"plain\"}", 0, "text", 1, IO_REC_OK, "plain", 0},
        {" \t\r{\"text\":\"blanks\"} \t\r", 0, "text", 1, IO_REC_OK, "blanks", 0},
        {"{ \"a\" : [1, -2.5e+3, true, false, null, {\"text\": \"deep\"}] , \"text\" : \"top\" }", 0,
         "text", 1, IO_REC_OK, "top", 0},
        {"{\"text\": \"\"}", 0, "text", 1, IO_REC_OK, "", 0},
        {"{\"text\": \"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"}", 0, "text", 1, IO_REC_OK,
         "a\"b\\c/d\be\ff\ng\rh\ti", 0},
        {"{\"text\": \"\\u00e9\\u20AC\\u0041\\u007f\\u0080\\u07ff\\u0800\\uffff\"}", 0, "text", 1,
         IO_REC_OK, "\xc3\xa9\xe2\x82\xac" "A\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 0},
        {"{\"text\": \"\\ud83d\\ude00 \\udbff\\udfff\"}", 0, "text", 1, IO_REC_OK,
         "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", 0},
        {"{\"text\": \"raw\x01\x1f\x7f\xff\xc3\xa9\"}", 0, "text", 1, IO_REC_OK,
         "raw\x01\x1f\x7f\xff\xc3\xa9", 0},
        {"{\"text\": \"first\", \"text\": \"second\"}", 0, "text", 1, IO_REC_OK, "first", 0},
        {"{\"te\\u0078t\": \"escaped key\", \"text\": \"plain\"}", 0, "text", 1, IO_REC_OK,
         "escaped key", 0},
        {"{\"t\\\"x\": \"quote key\"}", 0, "t\"x", 1, IO_REC_OK, "quote key", 0},
        {"{\"meta\": {\"text\": \"nested\"}, \"text\": \"top\"}", 0, "text", 1, IO_REC_OK, "top",
         0},
        {"{\"n\": 0, \"m\": -0.0e-0, \"text\": \"t\"}", 0, "text", 1, IO_REC_OK, "t", 0},
        /* left to the tree: its errors, and everything it reads its own way */
        {"{\"meta\": {\"text\": \"nested only\"}}", 0, "text", 0, IO_REC_NO_TEXT, NULL, 0},
        {"{\"text\": 5, \"text\": \"second\"}", 0, "text", 0, IO_REC_NO_TEXT, NULL, 0},
        {"{\"text\": null}", 0, "text", 0, IO_REC_NO_TEXT, NULL, 0},
        {"{\"text\": \"nul \\u0000 cut\"}", 0, "text", 0, IO_REC_OK, "nul ", 0},
        {"{\"te\\u0000xt\": \"key cut\", \"text\": \"2\"}", 0, "text", 0, IO_REC_OK, "2", 0},
        {"{\"text\": \"raw\0nul\"}", 19, "text", 0, IO_REC_OK, "raw", 0},
        {"{\"text\": \"\\ud83d lone high\"}", 0, "text", 0, IO_REC_BAD_JSON, NULL, 0},
        {"{\"text\": \"\\ude00 lone low\"}", 0, "text", 0, IO_REC_BAD_JSON, NULL, 0},
        {"{\"text\": \"\\u12G4 bad hex\"}", 0, "text", 0, IO_REC_OK, "", 1},
        {"{\"text\": \"\\x\"}", 0, "text", 0, IO_REC_BAD_JSON, NULL, 0},
        {"{\"n\": 01, \"text\": \"t\"}", 0, "text", 0, IO_REC_OK, "t", 0},
        {"{\"n\": 1., \"text\": \"t\"}", 0, "text", 0, IO_REC_OK, "t", 0},
        {"{\"n\": -, \"text\": \"t\"}", 0, "text", 0, IO_REC_BAD_JSON, NULL, 0},
        {"{\"n\": 1e5x, \"text\": \"t\"}", 0, "text", 0, IO_REC_BAD_JSON, NULL, 0},
        {"{\"n\": 1111111111111111111111111111111111111111111111111111111111111111, \"text\": "
         "\"64 digits\"}",
         0, "text", 0, -1, NULL, 0},
        {"{\"text\": \"x\"} junk", 0, "text", 0, IO_REC_BAD_JSON, NULL, 0},
        {"{\"text\": \"x\"}\n", 0, "text", 0, IO_REC_BAD_JSON, NULL, 0},
        {"{\v\"text\": \"vt\"}", 0, "text", 0, IO_REC_OK, "vt", 0},
        {"\xef\xbb\xbf{\"text\": \"bom\"}", 0, "text", 0, IO_REC_OK, "bom", 0},
        {"[\"text\"]", 0, "text", 0, IO_REC_NO_TEXT, NULL, 0},
        {"{\"text\": \"x\",}", 0, "text", 0, IO_REC_BAD_JSON, NULL, 0},
        {"{\"meta\": {\"text\": \"m\"}}", 0, "meta.text", 0, IO_REC_OK, "m", 0},
        {"{\"text\": \"x\"}", 0, "", 0, IO_REC_NO_TEXT, NULL, 0},
        {"   ", 0, "text", 0, IO_REC_BLANK, NULL, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        size_t len = c[i].len ? c[i].len : strlen(c[i].line);
        io_record t;
        char why[120];
        int oom;
        io_rec_kind k = io_record_parse_tree(c[i].line, len, c[i].field, NULL, &t, why,
                                             sizeof why, &oom);
        if (c[i].kind >= 0 && (int)k != c[i].kind)
            fail_msg("case %zu: tree kind %d, want %d", i, (int)k, c[i].kind);
        if (k == IO_REC_OK && c[i].text) {
            size_t tl = c[i].tlen ? c[i].tlen : strlen(c[i].text);
            if (c[i].tlen == 1 && !c[i].text[0]) /* cJSON reads bad hex as U+0000 */
                tl = 0;
            assert_int_equal(t.len, tl);
            assert_memory_equal(t.text, c[i].text, tl);
        }
        if (k == IO_REC_OK)
            io_record_clear(&t);
        if (record_agree(c[i].line, len, c[i].field, NULL) != c[i].fast)
            fail_msg("case %zu (%s): fast path %s", i, c[i].line,
                     c[i].fast ? "declined" : "answered");
        (void)record_agree(c[i].line, len, c[i].field, "id"); /* doc fields: tree only */
    }
    /* nesting: 256 levels pass, deeper ones are left to cJSON (limit 1000) */
    for (int depth = 254; depth <= 258; depth++) {
        char line[700];
        size_t n = (size_t)sprintf(line, "{\"a\": ");
        for (int d = 0; d < depth - 1; d++)
            line[n++] = '[';
        for (int d = 0; d < depth - 1; d++)
            line[n++] = ']';
        n += (size_t)sprintf(line + n, ", \"text\": \"d\"}");
        assert_int_equal(record_agree(line, n, "text", NULL), depth <= 256);
    }
}

/* Every line of a real shard reads the same with and without the fast path. */
static void test_record_fast_shard(void **state)
{
    (void)state;
    if (!shared("corpus"))
        skip();
    io_lines *l = NULL;
    contam_err err;
    assert_int_equal(io_lines_open(shared("corpus/shard-00.jsonl.zst"), 1 << 28, &l, &err),
                     CONTAM_OK);
    uint64_t lines = 0, fast = 0;
    for (;;) {
        const char *line;
        size_t len;
        uint64_t no, off;
        assert_int_equal(io_lines_next(l, &line, &len, &no, &off, &err), CONTAM_OK);
        if (!line)
            break;
        lines++;
        fast += (uint64_t)record_agree(line, len, "text", NULL);
    }
    io_lines_free(l);
    assert_int_equal(lines, 2963);
    print_message("shard-00: %llu of %llu lines took the fast path\n", (unsigned long long)fast,
                  (unsigned long long)lines);
    assert_true(fast > 0);
}

/* A failed allocation for escaped text is reported as the tree reports it. */
/* io_record_take: the one place scan and index count records. */
static void test_record_take(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        int ret;
        contam_status bad;
        const char *why;
    } cases[] = {
        {"{\"text\": \"a b c\"}", 1, CONTAM_OK, NULL},
        {"  \t ", 0, CONTAM_OK, NULL},
        {"{\"text\": \"a\"", 0, CONTAM_ERR_JSON, "invalid JSON near column"},
        {"{\"text\": \"a\"} x", 0, CONTAM_ERR_JSON, "trailing data at column 15"},
        {"{\"body\": \"a\"}", 0, CONTAM_ERR_FIELD, "no string field 'text'"},
        {"{\"text\": 3}", 0, CONTAM_ERR_FIELD, "no string field 'text'"},
    };
    io_record_tally t = {0};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        io_record rec;
        contam_status bad = CONTAM_ERR_IO;
        char why[120] = "";
        int r = io_record_take(cases[k].line, strlen(cases[k].line), "text", NULL, &t, &rec, &bad,
                               why, sizeof why);
        assert_int_equal(r, cases[k].ret);
        assert_int_equal(bad, cases[k].bad);
        if (cases[k].why)
            assert_non_null(strstr(why, cases[k].why));
        if (r == 1) {
            assert_int_equal(rec.len, 5);
            assert_memory_equal(rec.text, "a b c", 5);
            io_record_clear(&rec);
        }
    }
    assert_int_equal(t.docs, 1);
    assert_int_equal(t.blank, 1);
    assert_int_equal(t.bad_json, 2);
    assert_int_equal(t.missing, 2);
    /* out of memory is neither a document nor a bad record */
    contam_json_init(); /* cJSON's allocations join the loop */
    const char *nested = "{\"meta\": {\"a\": [1, 2]}, \"text\": \"x\"}";
    for (long n = 0;; n++) {
        io_record_tally u = {0};
        io_record rec;
        contam_status bad;
        char why[120];
        contam_alloc_fail_after(n);
        int r = io_record_take(nested, strlen(nested), "meta.a", NULL, &u, &rec, &bad, why,
                               sizeof why);
        contam_alloc_fail_after(-1);
        if (r == -1) {
            assert_int_equal(u.docs + u.blank + u.bad_json + u.missing, 0);
            continue;
        }
        assert_true(n > 0); /* the first allocation did fail */
        assert_int_equal(r, 0); /* an array is no string */
        assert_int_equal(u.missing, 1);
        break;
    }
}

static void test_record_fast_alloc(void **state)
{
    (void)state;
    contam_json_init(); /* cJSON's allocations join the loop */
    const char *line = "{\"text\": \"caf\\u00e9\"}";
    int ok = 0;
    for (long fail = 0; fail < 100 && !ok; fail++) {
        io_record r;
        char why[120];
        int oom;
        contam_alloc_fail_after(fail);
        io_rec_kind k = io_record_parse(line, strlen(line), "text", NULL, &r, why, sizeof why,
                                        &oom);
        contam_alloc_fail_after(-1);
        if (k == IO_REC_OK) {
            assert_int_equal(r.len, 5);
            assert_memory_equal(r.text, "caf\xc3\xa9", 5);
            io_record_clear(&r);
            ok = 1;
        } else {
            assert_int_equal(k, IO_REC_BAD_JSON);
            assert_int_equal(oom, 1);
        }
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_shards),
        cmocka_unit_test(test_truncated_zstd),
        cmocka_unit_test(test_truncated_gzip),
        cmocka_unit_test(test_corrupt_zstd),
        cmocka_unit_test(test_corrupt_gzip),
        cmocka_unit_test(test_gzip_multi_member),
        cmocka_unit_test(test_zstd_multi_frame),
        cmocka_unit_test(test_plain_crlf_and_last_line),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_read_all),
        cmocka_unit_test(test_filelist),
        cmocka_unit_test(test_write_atomic),
        cmocka_unit_test(test_outdir),
        cmocka_unit_test(test_outdir_stale_staging),
        cmocka_unit_test(test_batcher_records),
        cmocka_unit_test(test_batcher_text_and_damage),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_record_fast_cases),
        cmocka_unit_test(test_record_fast_shard),
        cmocka_unit_test(test_record_take),
        cmocka_unit_test(test_record_fast_alloc),
    };
    return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
