/* lines.c - bounded-memory line reader over an io_stream.
 *
 * This is the hot path of corpus reading. The stream decompresses straight
 * into one large buffer; lines are found with memchr and handed out as
 * pointers into that buffer, so a line is copied only when it straddles a
 * refill (then the unfinished tail moves to the front once). The buffer
 * grows only for a line longer than itself, and never past max_line.
 */
#include <string.h>

#include "io/io.h"

/* Large enough that read(2)/decoder call overhead and the tail move are
 * negligible per byte, small enough to stay cache-friendly per thread. */
#define LINES_CHUNK ((size_t)1 << 20)

struct io_lines {
    io_stream *s;
    char *buf;
    size_t cap;     /* allocated bytes; the last one is kept for a NUL */
    size_t max_cap; /* a max_line line plus "\r\n" plus NUL */
    size_t start;   /* first byte of the next line */
    size_t scan;    /* bytes before this hold no '\n' after start */
    size_t end;     /* end of valid data */
    uint64_t base;  /* decompressed offset of buf[0] */
    uint64_t lineno;
    size_t max_line;
    int eof;
    contam_status failed;
    contam_err fail;
};

contam_status io_lines_open(const char *path, size_t max_line, io_lines **out, contam_err *err)
{
    *out = NULL;
    if (max_line == 0)
        return contam_err_set(err, CONTAM_ERR_ARG, path, 0, "maximum line length must be > 0");
    io_lines *l = contam_calloc(1, sizeof *l);
    if (!l)
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory opening input");
    l->max_line = max_line;
    l->max_cap = max_line > SIZE_MAX - 3 ? SIZE_MAX : max_line + 3;
    if (l->max_cap < LINES_CHUNK + 1)
        l->max_cap = LINES_CHUNK + 1;
    l->cap = LINES_CHUNK + 1;
    l->buf = contam_malloc(l->cap);
    if (!l->buf) {
        io_lines_free(l);
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory opening input");
    }
    contam_status st = io_stream_open(path, &l->s, err);
    if (st != CONTAM_OK) {
        io_lines_free(l);
        return st;
    }
    *out = l;
    return CONTAM_OK;
}

static contam_status fail(io_lines *l, contam_err *err)
{
    l->failed = l->fail.code;
    if (err)
        *err = l->fail;
    return l->failed;
}

static contam_status too_long(io_lines *l, uint64_t lineno, size_t start, contam_err *err)
{
    contam_err_set(&l->fail, CONTAM_ERR_LINE_TOO_LONG, io_stream_path(l->s), lineno,
                   "line longer than %zu bytes (raise --max-line)", l->max_line);
    contam_err_offset_kind(&l->fail, "decompressed byte offset", l->base + start);
    return fail(l, err);
}

/* Hands out buf[s, e) as the next line. */
static contam_status emit(io_lines *l, size_t s, size_t e, const char **line, size_t *len,
                          uint64_t *lineno, uint64_t *offset, contam_err *err)
{
    l->lineno++;
    if (e - s > l->max_line)
        return too_long(l, l->lineno, s, err);
    l->buf[e] = '\0';
    *line = l->buf + s;
    *len = e - s;
    *lineno = l->lineno;
    *offset = l->base + s;
    return CONTAM_OK;
}

/* Moves the unfinished line to the front, grows the buffer if that line
 * already fills it, and reads more input after it. */
static contam_status refill(io_lines *l)
{
    if (l->start > 0) {
        size_t keep = l->end - l->start;
        memmove(l->buf, l->buf + l->start, keep);
        l->base += l->start;
        l->scan -= l->start;
        l->end = keep;
        l->start = 0;
    }
    if (l->end == l->cap - 1) {
        size_t ncap = l->cap > l->max_cap / 2 ? l->max_cap : l->cap * 2;
        char *nb = contam_realloc(l->buf, ncap);
        if (!nb)
            return contam_err_set(&l->fail, CONTAM_ERR_NOMEM, io_stream_path(l->s),
                                  l->lineno + 1, "out of memory for a %zu-byte line", l->end);
        l->buf = nb;
        l->cap = ncap;
    }
    size_t got = 0;
    contam_status st = io_stream_read(l->s, l->buf + l->end, l->cap - 1 - l->end, &got, &l->fail);
    if (st != CONTAM_OK)
        return st;
    if (got == 0)
        l->eof = 1;
    l->end += got;
    return CONTAM_OK;
}

contam_status io_lines_next(io_lines *l, const char **line, size_t *len, uint64_t *lineno,
                            uint64_t *offset, contam_err *err)
{
    *line = NULL;
    *len = 0;
    if (l->failed)
        return fail(l, err);
    for (;;) {
        char *nl = memchr(l->buf + l->scan, '\n', l->end - l->scan);
        if (nl) {
            size_t s = l->start;
            size_t e = (size_t)(nl - l->buf);
            l->start = l->scan = e + 1;
            if (e > s && l->buf[e - 1] == '\r')
                e--;
            return emit(l, s, e, line, len, lineno, offset, err);
        }
        l->scan = l->end;
        size_t partial = l->end - l->start;
        /* One byte of slack: a trailing '\r' may belong to a "\r\n". */
        if (partial > 1 && partial - 1 > l->max_line)
            return too_long(l, l->lineno + 1, l->start, err);
        if (l->eof) {
            if (partial == 0)
                return CONTAM_OK;
            size_t s = l->start;
            l->start = l->scan = l->end;
            return emit(l, s, l->end, line, len, lineno, offset, err);
        }
        if (refill(l) != CONTAM_OK)
            return fail(l, err);
    }
}

io_stream *io_lines_stream(io_lines *l) { return l->s; }

void io_lines_free(io_lines *l)
{
    if (!l)
        return;
    io_stream_free(l->s);
    contam_free(l->buf);
    contam_free(l);
}
