/* fuzz_stream.c - fuzz target for the input stream and line reader
 * (io_stream_*, io_lines_*, io_read_all).
 *
 * The input is the decompressed content (inputs whose first byte is 0xFF
 * are first repeated to exactly 1 MiB, the line reader's chunk, or to 1 MiB
 * plus up to 4 KiB, so lines straddle its refills and a line longer than
 * its buffer makes it grow). The content is written plain, as zstd (one or
 * two frames, with checksum) and as gzip (one or two members), and for each:
 *  - io_lines returns exactly the content's lines (split at '\n', one "\r"
 *    before it dropped, a last unterminated line kept) with 1-based numbers
 *    and decompressed byte offsets, then ends with CONTAM_OK; afterwards the
 *    stream's format, raw position and checksum describe the whole file;
 *  - with a small max_line, the first line longer than it fails with
 *    CONTAM_ERR_LINE_TOO_LONG naming that line and its offset, the lines
 *    before it are returned intact, and the error is sticky (plain only);
 *  - io_read_all returns the content.
 * The compressed files are then cut at a data-derived point: the result must
 * be CONTAM_ERR_TRUNCATED at the cut offset, or CONTAM_OK exactly when the
 * cut falls between frames/members or leaves too few bytes for the magic
 * (then the file is plain); the bytes returned are always a prefix of the
 * content (or the cut file itself when plain), io_lines returns the
 * complete lines before the cut and ends as io_stream did. One byte is also
 * flipped: only OK, CORRUPT or TRUNCATED may result, and OK from a stream
 * still detected as compressed must give back the content unchanged (the
 * zstd checksum and gzip CRC guarantee it).
 * Inputs that reproduce open findings are kept in ../findings/fuzz_stream/
 * (not replayed by ctest until fixed).
 */
#include <zlib.h>
#include <zstd.h>

#include "fuzz_util.h"
#include "io/io.h"

#define BIG_SIZE ((size_t)1 << 20) /* the line reader's chunk */
#define BIG_MAX_LINE ((size_t)8 << 20)

typedef struct {
    size_t off, len;
} span;

typedef struct {
    span *v;
    size_t n, cap;
} spans;

static void spans_push(spans *s, size_t off, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v)
            abort();
    }
    s->v[s->n].off = off;
    s->v[s->n].len = len;
    s->n++;
}

/* The lines io_lines promises for p[0, n). */
static void ref_lines(const uint8_t *p, size_t n, spans *out)
{
    out->n = 0;
    size_t s = 0;
    while (s < n) {
        const uint8_t *nl = memchr(p + s, '\n', n - s);
        if (!nl) {
            spans_push(out, s, n - s);
            return;
        }
        size_t e = (size_t)(nl - p);
        size_t len = e - s;
        if (len > 0 && p[e - 1] == '\r')
            len--;
        spans_push(out, s, len);
        s = e + 1;
    }
}

static int magic(const uint8_t *d, size_t n)
{
    if (n >= 2 && d[0] == 0x1F && d[1] == 0x8B)
        return 1;
    if (n >= 4 && d[1] == 0x2A && d[2] == 0x4D && d[3] == 0x18 && (d[0] & 0xF0) == 0x50)
        return 1;
    return n >= 4 && d[0] == 0x28 && d[1] == 0xB5 && d[2] == 0x2F && d[3] == 0xFD;
}

typedef struct {
    contam_status st;
    contam_err err;
    uint64_t nlines;
    int full_ok; /* checks after a clean end */
} lines_result;

/* Reads path with io_lines and checks every line it returns against the
 * reference lines of content: line i must equal ref i. */
static lines_result read_lines(const char *path, size_t max_line, const uint8_t *content,
                               const spans *ref, const uint8_t *file, size_t file_len,
                               io_format fmt)
{
    lines_result r = {CONTAM_OK, {0}, 0, 0};
    io_lines *l = NULL;
    contam_err_clear(&r.err);
    r.st = io_lines_open(path, max_line, &l, &r.err);
    FUZZ_CHECK(r.st == CONTAM_OK, "io_lines_open(%s): %s", path, r.err.msg);
    for (;;) {
        const char *line;
        size_t len;
        uint64_t lineno, off;
        r.st = io_lines_next(l, &line, &len, &lineno, &off, &r.err);
        if (r.st != CONTAM_OK || !line)
            break;
        uint64_t j = r.nlines++;
        FUZZ_CHECK(j < ref->n, "%s: line %llu beyond the %zu reference lines", path,
                   (unsigned long long)lineno, ref->n);
        const span *s = &ref->v[j];
        FUZZ_CHECK(lineno == j + 1 && off == s->off, "%s: line %llu at %llu, expected %llu at %zu",
                   path, (unsigned long long)lineno, (unsigned long long)off,
                   (unsigned long long)(j + 1), s->off);
        FUZZ_CHECK(line[len] == '\0', "%s: line %llu not NUL-terminated", path,
                   (unsigned long long)lineno);
        char a[120], b[120];
        FUZZ_CHECK(len == s->len && memcmp(line, content + s->off, len) == 0,
                   "%s: line %llu is \"%s\", expected \"%s\"", path,
                   (unsigned long long)lineno, fuzz_show(line, len, a, sizeof a),
                   fuzz_show(content + s->off, s->len, b, sizeof b));
    }
    if (r.st == CONTAM_OK) {
        io_stream *s = io_lines_stream(l);
        char want[33], got[33];
        io_checksum_mem(file, file_len, want);
        io_stream_checksum(s, got);
        FUZZ_CHECK(io_stream_format(s) == fmt, "%s: format %s, expected %s", path,
                   io_format_name(io_stream_format(s)), io_format_name(fmt));
        FUZZ_CHECK(strcmp(want, got) == 0, "%s: checksum %s, file's %s", path, got, want);
        FUZZ_CHECK(io_stream_raw_pos(s) == file_len && io_stream_raw_size(s) == file_len,
                   "%s: raw pos %llu size %llu, file has %zu bytes", path,
                   (unsigned long long)io_stream_raw_pos(s),
                   (unsigned long long)io_stream_raw_size(s), file_len);
        r.full_ok = 1;
    } else {
        /* Errors are sticky. */
        const char *line;
        size_t len;
        uint64_t lineno, off;
        contam_err again;
        contam_status st2 = io_lines_next(l, &line, &len, &lineno, &off, &again);
        FUZZ_CHECK(st2 == r.st && !line && again.line == r.err.line &&
                       again.offset == r.err.offset,
                   "%s: error %s not sticky (then %s)", path, contam_status_name(r.st),
                   contam_status_name(st2));
        FUZZ_CHECK(r.err.code == r.st && r.err.msg[0] && strcmp(r.err.file, path) == 0,
                   "%s: error %s does not name the file: %s: %s", path,
                   contam_status_name(r.st), r.err.file, r.err.msg);
    }
    io_lines_free(l);
    return r;
}

/* The whole content must come back. */
static void expect_exact(const char *path, const uint8_t *content, size_t n, const spans *ref,
                         const uint8_t *file, size_t file_len, io_format fmt, size_t max_line)
{
    lines_result r = read_lines(path, max_line, content, ref, file, file_len, fmt);
    FUZZ_CHECK(r.st == CONTAM_OK && r.nlines == ref->n,
               "%s (%s): %s after %llu of %zu lines: %s", path, io_format_name(fmt),
               contam_status_name(r.st), (unsigned long long)r.nlines, ref->n, r.err.msg);
    if (n > BIG_SIZE / 2)
        return; /* io_read_all is for small files: spare the big inputs */
    contam_buf all = {0};
    contam_err err;
    char sum[33], want[33];
    contam_status st = io_read_all(path, n + 1, &all, sum, &err);
    io_checksum_mem(file, file_len, want);
    FUZZ_CHECK(st == CONTAM_OK && all.size == n && (n == 0 || memcmp(all.ptr, content, n) == 0) &&
                   strcmp(sum, want) == 0,
               "%s: io_read_all: %s, %zu bytes of %zu", path, contam_status_name(st), all.size,
               n);
    if (n > 0 && fmt == IO_FMT_PLAIN) {
        st = io_read_all(path, n - 1, &all, NULL, &err);
        FUZZ_CHECK(st == CONTAM_ERR_ARG && all.size == 0,
                   "%s: io_read_all over its limit gave %s", path, contam_status_name(st));
    }
    contam_buf_free(&all);
}

/* With a small max_line: lines up to the first long one, then the error. */
static void expect_too_long(const char *path, const uint8_t *content, size_t n,
                            const spans *ref, size_t max_line)
{
    size_t j = 0;
    while (j < ref->n && ref->v[j].len <= max_line)
        j++;
    lines_result r = read_lines(path, max_line, content, ref, content, n, IO_FMT_PLAIN);
    if (j == ref->n) {
        FUZZ_CHECK(r.st == CONTAM_OK && r.nlines == ref->n,
                   "%s: max_line %zu: %s, but every line fits", path, max_line,
                   contam_status_name(r.st));
        return;
    }
    FUZZ_CHECK(r.st == CONTAM_ERR_LINE_TOO_LONG && r.nlines == j,
               "%s: max_line %zu: %s after %llu lines, expected LINE_TOO_LONG at line %zu",
               path, max_line, contam_status_name(r.st), (unsigned long long)r.nlines, j + 1);
    FUZZ_CHECK(r.err.line == j + 1 && r.err.has_offset && r.err.offset == ref->v[j].off,
               "%s: LINE_TOO_LONG names line %llu offset %llu, expected %zu at %zu", path,
               (unsigned long long)r.err.line, (unsigned long long)r.err.offset, j + 1,
               ref->v[j].off);
}

/* ---- compression ---------------------------------------------------------- */

static void zstd_frames(const uint8_t *p, size_t n, size_t cut, int level, contam_buf *out,
                        size_t *boundary)
{
    static ZSTD_CCtx *cc; /* reused: creating one per input dominated */
    if (!cc && !(cc = ZSTD_createCCtx()))
        abort();
    ZSTD_CCtx_reset(cc, ZSTD_reset_session_and_parameters);
    (void)ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
    (void)ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    contam_buf_reset(out);
    size_t parts[2][2] = {{0, cut}, {cut, n}};
    for (int k = 0; k < (cut ? 2 : 1); k++) {
        const uint8_t *src = p + parts[cut ? k : 1][0];
        size_t len = parts[cut ? k : 1][1] - parts[cut ? k : 1][0];
        size_t bound = ZSTD_compressBound(len);
        if (contam_buf_reserve(out, bound))
            abort();
        size_t r = ZSTD_compress2(cc, out->ptr + out->size, bound, src, len);
        if (ZSTD_isError(r))
            abort();
        out->size += r;
        if (k == 0)
            *boundary = out->size;
    }
}

static void gzip_members(const uint8_t *p, size_t n, size_t cut, int level, contam_buf *out,
                         size_t *boundary)
{
    contam_buf_reset(out);
    size_t parts[2][2] = {{0, cut}, {cut, n}};
    for (int k = 0; k < (cut ? 2 : 1); k++) {
        const uint8_t *src = p + parts[cut ? k : 1][0];
        size_t len = parts[cut ? k : 1][1] - parts[cut ? k : 1][0];
        z_stream z;
        memset(&z, 0, sizeof z);
        if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            abort();
        size_t bound = deflateBound(&z, (uLong)len) + 32;
        if (contam_buf_reserve(out, bound))
            abort();
        /* zlib's next_in is not const: it never writes through it. */
        uint8_t *in = malloc(len ? len : 1);
        if (!in)
            abort();
        if (len)
            memcpy(in, src, len);
        z.next_in = in;
        z.avail_in = (uInt)len;
        z.next_out = (Bytef *)out->ptr + out->size;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END)
            abort();
        out->size += bound - z.avail_out;
        deflateEnd(&z);
        free(in);
        if (k == 0)
            *boundary = out->size;
    }
}

/* A cut compressed file: OK only between frames/members or when the magic
 * is cut off (then it is plain); otherwise TRUNCATED at the cut. */
static void expect_truncated(const char *path, const uint8_t *content, size_t n,
                             const spans *ref, const contam_buf *z, size_t cut, size_t boundary,
                             size_t split, size_t magic_len)
{
    fuzz_write(path, z->ptr, cut);
    const uint8_t *file = (const uint8_t *)z->ptr;
    if (cut < magic_len) {
        /* Too short for the magic: plain. */
        spans plain = {0};
        ref_lines(file, cut, &plain);
        expect_exact(path, file, cut, &plain, file, cut, IO_FMT_PLAIN, BIG_MAX_LINE);
        free(plain.v);
        return;
    }
    int clean = split && cut == boundary;
    /* Byte level: io_stream_read must return a prefix of the content. */
    io_stream *s = NULL;
    contam_err err;
    contam_status st = io_stream_open(path, &s, &err);
    FUZZ_CHECK(st == CONTAM_OK, "%s: open: %s", path, err.msg);
    FUZZ_CHECK(io_stream_format(s) != IO_FMT_PLAIN, "%s: cut at %zu detected as plain", path,
               cut);
    size_t got_total = 0;
    uint8_t buf[4096];
    for (;;) {
        size_t got = 0;
        /* Vary the read size with the position: decoders see odd splits. */
        size_t want = 1 + (got_total * 7 + cut) % sizeof buf;
        st = io_stream_read(s, buf, want, &got, &err);
        FUZZ_CHECK(got <= want, "%s: read %zu > %zu", path, got, want);
        FUZZ_CHECK(got_total + got <= n && memcmp(buf, content + got_total, got) == 0,
                   "%s: cut at %zu: decompressed bytes at %zu are no prefix of the content",
                   path, cut, got_total);
        got_total += got;
        if (st != CONTAM_OK || got == 0)
            break;
    }
    if (clean) {
        FUZZ_CHECK(st == CONTAM_OK && got_total == split,
                   "%s: cut between frames at %zu: %s", path, cut, contam_status_name(st));
    } else {
        FUZZ_CHECK(st == CONTAM_ERR_TRUNCATED, "%s (%s, %zu bytes) cut at %zu: %s, expected "
                   "TRUNCATED (%s)", path, io_format_name(io_stream_format(s)), z->size, cut,
                   contam_status_name(st), err.msg);
        FUZZ_CHECK(err.has_offset && err.offset == cut && strcmp(err.file, path) == 0,
                   "%s: TRUNCATED at offset %llu (has %d), cut at %zu: %s", path,
                   (unsigned long long)err.offset, err.has_offset, cut, err.msg);
    }
    io_stream_free(s);
    /* Line level: the complete lines before the cut, or (clean end) exactly
     * the lines of the content's first part. */
    io_format fmt = file[0] == 0x1F ? IO_FMT_GZIP : IO_FMT_ZSTD;
    lines_result r;
    if (clean) {
        spans pre = {0};
        ref_lines(content, split, &pre);
        r = read_lines(path, BIG_MAX_LINE, content, &pre, file, cut, fmt);
        FUZZ_CHECK(r.nlines == pre.n, "%s: clean cut: %llu lines of %zu", path,
                   (unsigned long long)r.nlines, pre.n);
        free(pre.v);
    } else {
        r = read_lines(path, BIG_MAX_LINE, content, ref, file, cut, fmt);
    }
    FUZZ_CHECK(r.st == st, "%s: io_lines ends with %s, io_stream with %s", path,
               contam_status_name(r.st), contam_status_name(st));
}

/* One byte flipped: OK (a flip the format does not cover, e.g. the gzip
 * MTIME, or the magic itself, which makes the file plain), CORRUPT or
 * TRUNCATED; a decoded OK must be the content itself. */
static void expect_flipped(const char *path, const uint8_t *content, size_t n, contam_buf *z,
                           size_t pos, uint8_t mask)
{
    z->ptr[pos] = (char)(z->ptr[pos] ^ mask);
    fuzz_write(path, z->ptr, z->size);
    io_stream *s = NULL;
    contam_err err;
    contam_status st = io_stream_open(path, &s, &err);
    FUZZ_CHECK(st == CONTAM_OK, "%s: open: %s", path, err.msg);
    int plain = io_stream_format(s) == IO_FMT_PLAIN;
    const uint8_t *want = plain ? (const uint8_t *)z->ptr : content;
    size_t want_n = plain ? z->size : n;
    /* Corrupt input may decode to anything; stop well past the content. */
    size_t limit = 2 * n + 65536, total = 0;
    int same = 1;
    uint8_t buf[8192];
    for (;;) {
        size_t got = 0;
        st = io_stream_read(s, buf, sizeof buf, &got, &err);
        if (same && (total + got > want_n || memcmp(buf, want + total, got) != 0))
            same = 0;
        total += got;
        if (st != CONTAM_OK || got == 0 || total > limit)
            break;
    }
    FUZZ_CHECK(st == CONTAM_OK || st == CONTAM_ERR_CORRUPT || st == CONTAM_ERR_TRUNCATED,
               "%s: byte %zu ^ 0x%02X: %s: %s", path, pos, mask, contam_status_name(st),
               err.msg);
    if (st != CONTAM_OK)
        FUZZ_CHECK(err.has_offset && err.offset <= z->size && strcmp(err.file, path) == 0,
                   "%s: byte %zu ^ 0x%02X: %s at offset %llu of %zu: %s", path, pos, mask,
                   contam_status_name(st), (unsigned long long)err.offset, z->size, err.msg);
    else if (total <= limit)
        FUZZ_CHECK(same && total == want_n,
                   "%s (%s): byte %zu ^ 0x%02X decoded without error to %zu bytes that are "
                   "not the %s (%zu bytes)",
                   path, io_format_name(io_stream_format(s)), pos, mask, total,
                   plain ? "file" : "content", want_n);
    io_stream_free(s);
    z->ptr[pos] = (char)(z->ptr[pos] ^ mask);
}

static void run_compressed(const char *path, const uint8_t *content, size_t n, const spans *ref,
                           uint64_t h, int gzip)
{
    static contam_buf z;
    size_t split = (h >> 20) & 1 ? 1 + (size_t)((h >> 24) % (n ? n : 1)) : 0;
    if (split > n)
        split = 0;
    size_t boundary = 0;
    if (gzip)
        gzip_members(content, n, split, (int)((h >> 8) % 10), &z, &boundary);
    else
        zstd_frames(content, n, split, 1 + (int)((h >> 8) % 4), &z, &boundary);
    io_format fmt = gzip ? IO_FMT_GZIP : IO_FMT_ZSTD;
    fuzz_write(path, z.ptr, z.size);
    expect_exact(path, content, n, ref, (const uint8_t *)z.ptr, z.size, fmt, BIG_MAX_LINE);
    size_t cut = (size_t)((h >> 32) % z.size);
    if (split && ((h >> 12) & 3) == 0)
        cut = boundary;
    expect_truncated(path, content, n, ref, &z, cut, boundary, split, gzip ? 2 : 4);
    expect_flipped(path, content, n, &z, (size_t)((h >> 40) % z.size),
                   (uint8_t)(1u << ((h >> 56) & 7)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static spans ref;
    uint64_t h = fuzz_hash(data, size);
    const uint8_t *content = data;
    size_t n = size;
    uint8_t *big = NULL;
    if (size > 0 && data[0] == 0xFF) {
        /* Exactly BIG_SIZE sometimes: a buffer-sized content is an edge. */
        n = BIG_SIZE + (size_t)(h % 4096) * ((h >> 62) != 0);
        big = malloc(n);
        if (!big)
            abort();
        for (size_t i = 0; i < n; i++)
            big[i] = data[i % size];
        content = big;
    }
    ref_lines(content, n, &ref);
    char path[4200];
    fuzz_path(path, sizeof path, "stream.dat");
    fuzz_write(path, content, n);
    if (!magic(content, n)) {
        expect_exact(path, content, n, &ref, content, n, IO_FMT_PLAIN, BIG_MAX_LINE);
        if (!big)
            expect_too_long(path, content, n, &ref, 1 + (size_t)((h >> 4) % 48));
    } else {
        /* Content that looks compressed is decoded as such: any verdict but
         * a crash (fuzz_bench's targets check the same through bench_load). */
        io_stream *s = NULL;
        contam_err err;
        contam_status st = io_stream_open(path, &s, &err);
        uint8_t buf[8192];
        size_t got = 1, total = 0;
        while (st == CONTAM_OK && got && total < 4 * n + 65536) {
            st = io_stream_read(s, buf, sizeof buf, &got, &err);
            total += got;
        }
        FUZZ_CHECK(st == CONTAM_OK || st == CONTAM_ERR_CORRUPT || st == CONTAM_ERR_TRUNCATED,
                   "%s: compressed-looking content: %s", path, contam_status_name(st));
        io_stream_free(s);
    }
    run_compressed(path, content, n, &ref, h, 0);
    /* The 1 MiB inputs exist for the line reader's refills, which plain and
     * zstd exercise; gzip on them only slowed fuzzing down. */
    if (!big)
        run_compressed(path, content, n, &ref, h * UINT64_C(0x9E3779B97F4A7C15), 1);
    unlink(path);
    free(big);
    return 0;
}
