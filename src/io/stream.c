/* stream.c - a byte stream over a plain, gzip or zstd file, chosen by the
 * file's magic bytes (never its name), that checksums every raw byte it reads.
 *
 * Corpora arrive as shards of several GB: everything here streams through
 * fixed-size buffers, and plain data is read straight into the caller's
 * buffer so the line reader sees one copy from the kernel at most.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "io/io.h"
#include "io/io_internal.h"

/* gzip gains nothing from a larger input buffer: inflate, not read(2), is
 * the bottleneck. zstd asks for its own size (ZSTD_DStreamInSize). */
#define GZIP_IN_SIZE ((size_t)256 * 1024)
/* One read(2) is capped so a huge caller buffer cannot overflow ssize_t or
 * zlib's 32-bit counters. */
#define READ_MAX ((size_t)1 << 30)

struct io_stream {
    char *path;        /* as given ("-" for stdin) */
    const char *shown; /* name used in error messages */
    int fd;
    int own_fd;
    io_format fmt;
    int eof;             /* read(2) returned 0 */
    uint64_t raw_read;   /* bytes read from the file so far */
    uint64_t raw_size;
    unsigned char *in;   /* raw input not yet handed to a decoder */
    size_t in_cap, in_pos, in_len;
    void *hash_mem;      /* XXH3 state needs 64-byte alignment: over-allocated */
    XXH3_state_t *hash;
    /* zstd */
    ZSTD_DCtx *zd;
    size_t zret;         /* last ZSTD_decompressStream hint; 0 = between frames */
    /* gzip */
    z_stream zs;
    int zs_init;
    int in_member;
    /* Decoder may hold output it could not flush into a full buffer. */
    int pending;
    /* Errors are sticky: a reader that saw corrupt data must not carry on. */
    contam_status failed;
    contam_err fail;
};

const char *io_format_name(io_format f)
{
    switch (f) {
    case IO_FMT_GZIP:
        return "gzip";
    case IO_FMT_ZSTD:
        return "zstd";
    case IO_FMT_PLAIN:
    default:
        return "plain";
    }
}

static voidpf zalloc_cb(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    if (size && items > SIZE_MAX / size)
        return Z_NULL;
    return contam_malloc((size_t)items * size);
}

static void zfree_cb(voidpf opaque, voidpf p)
{
    (void)opaque;
    contam_free(p);
}

static uint64_t consumed(const io_stream *s)
{
    return s->raw_read - (uint64_t)(s->in_len - s->in_pos);
}

static contam_status fail_at(io_stream *s, contam_err *err, contam_status code,
                             uint64_t offset, const char *what, const char *detail)
{
    contam_err_set(&s->fail, code, s->shown, 0, "%s: %s", what, detail);
    contam_err_offset_kind(&s->fail, "compressed byte offset", offset);
    s->failed = code;
    if (err)
        *err = s->fail;
    return code;
}

/* Reads raw bytes after the unconsumed ones, hashing them on the way. */
static contam_status fill(io_stream *s, contam_err *err)
{
    if (s->in_pos == s->in_len)
        s->in_pos = s->in_len = 0;
    else if (s->in_pos > 0) {
        memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
        s->in_len -= s->in_pos;
        s->in_pos = 0;
    }
    if (s->in_len == s->in_cap)
        return CONTAM_OK;
    for (;;) {
        ssize_t n = read(s->fd, s->in + s->in_len, s->in_cap - s->in_len);
        if (n > 0) {
            XXH3_128bits_update(s->hash, s->in + s->in_len, (size_t)n);
            s->in_len += (size_t)n;
            s->raw_read += (uint64_t)n;
            return CONTAM_OK;
        }
        if (n == 0) {
            s->eof = 1;
            return CONTAM_OK;
        }
        if (errno != EINTR)
            return fail_at(s, err, CONTAM_ERR_IO, s->raw_read, "read failed", strerror(errno));
    }
}

static int is_zstd_magic(const unsigned char *p)
{
    /* A zstd frame, or a skippable frame (0x184D2A50..5F little-endian), which
     * the zstd CLI also accepts as the start of a .zst file. */
    if (p[0] == 0x28 && p[1] == 0xB5 && p[2] == 0x2F && p[3] == 0xFD)
        return 1;
    return (p[0] & 0xF0) == 0x50 && p[1] == 0x2A && p[2] == 0x4D && p[3] == 0x18;
}

static contam_status setup_decoder(io_stream *s, contam_err *err)
{
    if (s->in_len >= 4 && is_zstd_magic(s->in)) {
        s->fmt = IO_FMT_ZSTD;
        s->zd = ZSTD_createDCtx();
        if (!s->zd)
            return contam_err_set(err, CONTAM_ERR_NOMEM, s->shown, 0,
                                  "cannot allocate a zstd decoder");
        s->zret = 1; /* the magic started a frame that must be finished */
    } else if (s->in_len >= 2 && s->in[0] == 0x1F && s->in[1] == 0x8B) {
        s->fmt = IO_FMT_GZIP;
        s->zs.zalloc = zalloc_cb;
        s->zs.zfree = zfree_cb;
        s->zs.opaque = Z_NULL;
        int r = inflateInit2(&s->zs, 16 + MAX_WBITS);
        if (r != Z_OK)
            return contam_err_set(err, r == Z_MEM_ERROR ? CONTAM_ERR_NOMEM : CONTAM_ERR_IO,
                                  s->shown, 0, "cannot initialise zlib: %s",
                                  s->zs.msg ? s->zs.msg : zError(r));
        s->zs_init = 1;
        s->in_member = 1;
    } else {
        s->fmt = IO_FMT_PLAIN;
    }
    return CONTAM_OK;
}

contam_status io_stream_open(const char *path, io_stream **out, contam_err *err)
{
    *out = NULL;
    int is_stdin = strcmp(path, "-") == 0;
    const char *shown = is_stdin ? "<stdin>" : path;
    io_stream *s = contam_calloc(1, sizeof *s);
    if (!s)
        return contam_err_set(err, CONTAM_ERR_NOMEM, shown, 0, "out of memory opening input");
    s->fd = -1;
    s->path = contam_strdup(path);
    s->in_cap = ZSTD_DStreamInSize();
    if (s->in_cap < GZIP_IN_SIZE)
        s->in_cap = GZIP_IN_SIZE;
    s->in = contam_malloc(s->in_cap);
    s->hash_mem = contam_malloc(sizeof(XXH3_state_t) + 64);
    if (!s->path || !s->in || !s->hash_mem) {
        io_stream_free(s);
        return contam_err_set(err, CONTAM_ERR_NOMEM, shown, 0, "out of memory opening input");
    }
    s->shown = is_stdin ? "<stdin>" : s->path;
    s->hash = (XXH3_state_t *)(((uintptr_t)s->hash_mem + 63) & ~(uintptr_t)63);
    XXH3_128bits_reset(s->hash);

    if (is_stdin) {
        s->fd = STDIN_FILENO;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0) {
            contam_status st = contam_err_set(err, CONTAM_ERR_OPEN, path, 0, "cannot open: %s",
                                              strerror(errno));
            io_stream_free(s);
            return st;
        }
        s->own_fd = 1;
        struct stat sb;
        if (fstat(s->fd, &sb) != 0) {
            contam_status st = contam_err_set(err, CONTAM_ERR_IO, path, 0, "cannot stat: %s",
                                              strerror(errno));
            io_stream_free(s);
            return st;
        }
        if (S_ISDIR(sb.st_mode)) {
            io_stream_free(s);
            return contam_err_set(err, CONTAM_ERR_OPEN, path, 0, "cannot open: is a directory");
        }
        if (S_ISREG(sb.st_mode)) {
            s->raw_size = (uint64_t)sb.st_size;
            /* Only a hint to the kernel's read-ahead; failure changes nothing. */
            (void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        }
    }

    /* Pipes may deliver the magic bytes in pieces. */
    contam_status st = CONTAM_OK;
    while (st == CONTAM_OK && s->in_len < 4 && !s->eof)
        st = fill(s, err);
    if (st == CONTAM_OK)
        st = setup_decoder(s, err);
    if (st != CONTAM_OK) {
        io_stream_free(s);
        return st;
    }
    *out = s;
    return CONTAM_OK;
}

static contam_status read_plain(io_stream *s, unsigned char *buf, size_t cap, size_t *got,
                                contam_err *err)
{
    if (s->in_pos < s->in_len) {
        size_t n = s->in_len - s->in_pos;
        if (n > cap)
            n = cap;
        memcpy(buf, s->in + s->in_pos, n);
        s->in_pos += n;
        *got = n;
        return CONTAM_OK;
    }
    if (s->eof)
        return CONTAM_OK;
    if (cap > READ_MAX)
        cap = READ_MAX;
    for (;;) {
        ssize_t n = read(s->fd, buf, cap);
        if (n > 0) {
            XXH3_128bits_update(s->hash, buf, (size_t)n);
            s->raw_read += (uint64_t)n;
            *got = (size_t)n;
            return CONTAM_OK;
        }
        if (n == 0) {
            s->eof = 1;
            return CONTAM_OK;
        }
        if (errno != EINTR)
            return fail_at(s, err, CONTAM_ERR_IO, s->raw_read, "read failed", strerror(errno));
    }
}

static contam_status read_zstd(io_stream *s, unsigned char *buf, size_t cap, size_t *got,
                               contam_err *err)
{
    ZSTD_outBuffer out = {buf, cap, 0};
    while (out.pos < out.size) {
        if (s->in_pos == s->in_len && !s->pending) {
            if (!s->eof) {
                contam_status st = fill(s, err);
                if (st != CONTAM_OK)
                    return st;
                continue;
            }
            if (s->zret != 0)
                return fail_at(s, err, CONTAM_ERR_TRUNCATED, s->raw_read,
                               "truncated zstd stream", "input ends inside a frame");
            break;
        }
        ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
        size_t r = ZSTD_decompressStream(s->zd, &out, &in);
        s->in_pos = in.pos;
        if (ZSTD_isError(r)) {
            const char *hint = ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge
                                   ? " (window larger than 128 MiB, e.g. zstd --long=31)"
                                   : "";
            char detail[256];
            /* zstd decodes whole blocks (up to 128 KiB): the damage is in the
             * block that starts at the reported offset, or shortly after it. */
            snprintf(detail, sizeof detail, "%s%s; damaged block at or after", ZSTD_getErrorName(r),
                     hint);
            return fail_at(s, err, CONTAM_ERR_CORRUPT, consumed(s), "corrupt zstd data", detail);
        }
        s->zret = r;
        /* r == 0: the frame is complete and flushed; calling again without input
         * would start a new frame and look truncated at end of file. */
        s->pending = r != 0 && out.pos == out.size;
    }
    *got = out.pos;
    return CONTAM_OK;
}

static contam_status read_gzip(io_stream *s, unsigned char *buf, size_t cap, size_t *got,
                               contam_err *err)
{
    size_t total = 0;
    while (total < cap) {
        if (s->in_pos == s->in_len && !s->pending) {
            if (!s->eof) {
                contam_status st = fill(s, err);
                if (st != CONTAM_OK)
                    return st;
                continue;
            }
            if (s->in_member)
                return fail_at(s, err, CONTAM_ERR_TRUNCATED, s->raw_read,
                               "truncated gzip stream", "input ends inside a member");
            break;
        }
        if (!s->in_member) {
            /* Bytes after a complete member must start another member
             * (concatenated gzip, as `cat a.gz b.gz` makes); inflate rejects
             * anything else as a bad header. */
            if (inflateReset(&s->zs) != Z_OK)
                return fail_at(s, err, CONTAM_ERR_IO, consumed(s), "zlib", "inflateReset failed");
            s->in_member = 1;
        }
        size_t room = cap - total;
        if (room > READ_MAX)
            room = READ_MAX;
        s->zs.next_in = s->in + s->in_pos;
        s->zs.avail_in = (uInt)(s->in_len - s->in_pos);
        s->zs.next_out = buf + total;
        s->zs.avail_out = (uInt)room;
        int r = inflate(&s->zs, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->zs.avail_in;
        total += room - s->zs.avail_out;
        s->pending = s->zs.avail_out == 0;
        switch (r) {
        case Z_OK:
            break;
        case Z_STREAM_END:
            s->in_member = 0;
            s->pending = 0;
            break;
        case Z_BUF_ERROR: /* no progress possible: needs more input */
            s->pending = 0;
            break;
        case Z_MEM_ERROR:
            return fail_at(s, err, CONTAM_ERR_NOMEM, consumed(s), "zlib", "out of memory");
        default:
            return fail_at(s, err, CONTAM_ERR_CORRUPT, consumed(s), "corrupt gzip data",
                           s->zs.msg ? s->zs.msg : zError(r));
        }
    }
    *got = total;
    return CONTAM_OK;
}

contam_status io_stream_read(io_stream *s, void *buf, size_t cap, size_t *got, contam_err *err)
{
    *got = 0;
    if (s->failed) {
        if (err)
            *err = s->fail;
        return s->failed;
    }
    if (cap == 0)
        return CONTAM_OK;
    switch (s->fmt) {
    case IO_FMT_ZSTD:
        return read_zstd(s, buf, cap, got, err);
    case IO_FMT_GZIP:
        return read_gzip(s, buf, cap, got, err);
    case IO_FMT_PLAIN:
    default:
        return read_plain(s, buf, cap, got, err);
    }
}

io_format io_stream_format(const io_stream *s) { return s->fmt; }

const char *io_stream_path(const io_stream *s) { return s->path; }

uint64_t io_stream_raw_pos(const io_stream *s) { return consumed(s); }

uint64_t io_stream_raw_size(const io_stream *s) { return s->raw_size; }

void io_stream_checksum(const io_stream *s, char out[33])
{
    XXH128_hash_t h = XXH3_128bits_digest(s->hash);
    io_hex128(h.high64, h.low64, out);
}

void io_stream_free(io_stream *s)
{
    if (!s)
        return;
    if (s->own_fd && s->fd >= 0)
        (void)close(s->fd); /* read-only descriptor: nothing to lose on close */
    ZSTD_freeDCtx(s->zd);
    if (s->zs_init)
        (void)inflateEnd(&s->zs);
    contam_free(s->in);
    contam_free(s->hash_mem);
    contam_free(s->path);
    contam_free(s);
}
