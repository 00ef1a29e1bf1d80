/* atomic.c - replaces one file atomically: readers (and a crash) see either
 * the old content or the complete new content, never a partial write. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/io.h"
#include "io/io_internal.h"

/* Distinguishes temporary names of concurrent calls within one process. */
static atomic_uint tmp_counter;

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        size_t chunk = n > ((size_t)1 << 30) ? ((size_t)1 << 30) : n;
        ssize_t w = write(fd, p, chunk);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

void io_sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else
        return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)fsync(fd);
    (void)close(fd);
}

static contam_status write_replace(const char *path, const void *data, size_t n, int durable,
                                   contam_err *err)
{
    size_t plen = strlen(path);
    char *tmp = contam_malloc(plen + 48);
    if (!tmp)
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        snprintf(tmp, plen + 48, "%s.tmp-%ld-%u", path, (long)getpid(),
                 atomic_fetch_add(&tmp_counter, 1u));
        /* O_EXCL never follows or reuses someone else's file; 0666 lets the
         * umask decide the final permissions, as for any new file. */
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        contam_status st = contam_err_set(err, CONTAM_ERR_OPEN, path, 0,
                                          "cannot create temporary file %s: %s", tmp,
                                          strerror(errno));
        contam_free(tmp);
        return st;
    }
    const char *what = NULL;
    if (write_all(fd, data, n) != 0)
        what = "write";
    else if (durable && fsync(fd) != 0)
        what = "fsync";
    int saved = errno;
    if (close(fd) != 0 && !what) {
        what = "close";
        saved = errno;
    }
    if (!what && rename(tmp, path) != 0) {
        what = "rename";
        saved = errno;
    }
    if (what) {
        (void)unlink(tmp); /* best effort: the error below is what matters */
        contam_free(tmp);
        return contam_err_set(err, CONTAM_ERR_IO, path, 0, "cannot write (%s): %s", what,
                              strerror(saved));
    }
    contam_free(tmp);
    if (durable)
        io_sync_parent(path);
    return CONTAM_OK;
}

contam_status io_write_atomic(const char *path, const void *data, size_t n, contam_err *err)
{
    return write_replace(path, data, n, 1, err);
}

contam_status io_replace_file(const char *path, const void *data, size_t n, contam_err *err)
{
    return write_replace(path, data, n, 0, err);
}
