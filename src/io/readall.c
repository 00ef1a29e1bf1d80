/* readall.c - reads a whole small input (a benchmark file, a config) into
 * memory, decompressing it, with a hard size bound so a wrong argument
 * cannot exhaust memory. */
#include "io/io.h"

#define READ_STEP ((size_t)64 * 1024)

contam_status io_read_all(const char *path, uint64_t limit, contam_buf *out, char checksum[33],
                          contam_err *err)
{
    contam_buf_reset(out);
    io_stream *s = NULL;
    contam_status st = io_stream_open(path, &s, err);
    if (st != CONTAM_OK)
        return st;
    /* Reading one byte past the limit is how "too large" is detected. */
    uint64_t want_max = limit < (uint64_t)SIZE_MAX - 1 ? limit + 1 : (uint64_t)SIZE_MAX - 1;
    for (;;) {
        if (contam_buf_reserve(out, READ_STEP)) {
            st = contam_err_set(err, CONTAM_ERR_NOMEM, path, 0,
                                "out of memory reading %zu bytes", out->size);
            break;
        }
        size_t room = out->cap - 1 - out->size;
        if ((uint64_t)room > want_max - out->size)
            room = (size_t)(want_max - out->size);
        size_t got = 0;
        st = io_stream_read(s, out->ptr + out->size, room, &got, err);
        if (st != CONTAM_OK)
            break;
        out->size += got;
        out->ptr[out->size] = '\0';
        if (out->size > limit) {
            st = contam_err_set(err, CONTAM_ERR_ARG, path, 0,
                                "input larger than the limit of %llu bytes",
                                (unsigned long long)limit);
            break;
        }
        if (got == 0)
            break;
    }
    if (st == CONTAM_OK && checksum)
        io_stream_checksum(s, checksum);
    if (st != CONTAM_OK)
        contam_buf_reset(out);
    io_stream_free(s);
    return st;
}
