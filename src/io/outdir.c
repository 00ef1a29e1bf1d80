/* outdir.c - output directories that appear complete or not at all.
 *
 * Results are written into a sibling staging directory "DIR.tmp-PID" and
 * moved into place by one rename at commit, so an interrupted run never leaves
 * a half-written report where a previous good one was. An existing DIR is
 * only ever replaced when it is empty or was written by contam (it holds
 * report.json): pointing --out at a source tree by mistake must not delete it.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include "io/io.h"
#include "io/io_internal.h"

struct io_outdir {
    char *dir;   /* target, without trailing slashes */
    char *stage; /* "<dir>.tmp-<pid>" */
    int committed;
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int io_rm_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *concat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *p = contam_malloc(la + lb + lc + 1);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    memcpy(p + la, b, lb);
    memcpy(p + la + lb, c, lc + 1);
    return p;
}

/* Creates every missing directory on the way to (and including) path.
 * Modifies path temporarily. */
static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = mkdir(path, 0777);
        int e = errno;
        *p = '/';
        if (r != 0 && e != EEXIST) {
            errno = e;
            return -1;
        }
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return -1;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return -1;
    if (!S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* CONTAM_OK if dir is absent, empty, or a previous contam output. */
static contam_status check_replaceable(const char *dir, contam_err *err)
{
    struct stat sb;
    if (lstat(dir, &sb) != 0) {
        if (errno == ENOENT)
            return CONTAM_OK;
        return contam_err_set(err, CONTAM_ERR_IO, dir, 0, "cannot stat output directory: %s",
                              strerror(errno));
    }
    if (!S_ISDIR(sb.st_mode))
        return contam_err_set(err, CONTAM_ERR_EXISTS, dir, 0,
                              "output path exists and is not a directory");
    DIR *d = opendir(dir);
    if (!d)
        return contam_err_set(err, CONTAM_ERR_IO, dir, 0, "cannot read output directory: %s",
                              strerror(errno));
    int foreign = 0, ours = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (strcmp(de->d_name, "report.json") == 0)
            ours = 1;
        else
            foreign = 1;
    }
    (void)closedir(d); /* read-only stream: nothing to lose */
    if (foreign && !ours)
        return contam_err_set(err, CONTAM_ERR_EXISTS, dir, 0,
                              "output directory is not empty and holds no report.json, "
                              "so it was not written by contam; refusing to replace it");
    return CONTAM_OK;
}

/* Removes "<base>.tmp-PID" and "<base>.old-PID" siblings left by runs that
 * died; directories of live processes (a concurrent run) are left alone. */
static void remove_stale(const char *parent, const char *base)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    size_t bl = strlen(base);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (strncmp(n, base, bl) != 0)
            continue;
        n += bl;
        if (strncmp(n, ".tmp-", 5) != 0 && strncmp(n, ".old-", 5) != 0)
            continue;
        char *end = NULL;
        long pid = strtol(n + 5, &end, 10);
        if (end == n + 5 || *end != '\0' || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *p = concat3(parent, "/", de->d_name);
        if (p) {
            /* stale leftovers: failing to remove them only costs disk space */
            (void)io_rm_tree(p);
            contam_free(p);
        }
    }
    (void)closedir(d);
}

contam_status io_outdir_begin(const char *dir, io_outdir **out, contam_err *err)
{
    *out = NULL;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || (n == 1 && dir[0] == '/'))
        return contam_err_set(err, CONTAM_ERR_ARG, dir, 0, "invalid output directory");
    io_outdir *d = contam_calloc(1, sizeof *d);
    char pid[32];
    snprintf(pid, sizeof pid, ".tmp-%ld", (long)getpid());
    if (d)
        d->dir = contam_strndup(dir, n);
    if (d && d->dir)
        d->stage = concat3(d->dir, pid, "");
    if (!d || !d->dir || !d->stage) {
        io_outdir_free(d);
        return contam_err_set(err, CONTAM_ERR_NOMEM, dir, 0, "out of memory");
    }
    contam_status st = check_replaceable(d->dir, err);
    if (st != CONTAM_OK) {
        io_outdir_free(d);
        return st;
    }
    /* The parent must exist for the staging sibling; create it like mkdir -p. */
    char *slash = strrchr(d->dir, '/');
    const char *base = slash ? slash + 1 : d->dir;
    char *parent = slash ? contam_strndup(d->dir, slash == d->dir ? 1 : (size_t)(slash - d->dir))
                         : contam_strdup(".");
    if (!parent) {
        io_outdir_free(d);
        return contam_err_set(err, CONTAM_ERR_NOMEM, dir, 0, "out of memory");
    }
    if (mkdir_p(parent) != 0) {
        st = contam_err_set(err, CONTAM_ERR_OPEN, parent, 0, "cannot create directory: %s",
                            strerror(errno));
        contam_free(parent);
        io_outdir_free(d);
        return st;
    }
    remove_stale(parent, base);
    contam_free(parent);
    /* A staging dir with our pid is from an earlier handle of this process
     * that was never freed or committed: it is ours to discard. */
    if (io_rm_tree(d->stage) != 0 || mkdir(d->stage, 0777) != 0) {
        st = contam_err_set(err, CONTAM_ERR_OPEN, d->stage, 0,
                            "cannot create staging directory: %s", strerror(errno));
        contam_free(d->stage);
        d->stage = NULL; /* not ours: do not remove it in free */
        io_outdir_free(d);
        return st;
    }
    *out = d;
    return CONTAM_OK;
}

/* rel must stay inside the staging directory. */
static int rel_ok(const char *rel)
{
    if (!rel[0] || rel[0] == '/')
        return 0;
    for (const char *p = rel; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += len;
        if (*p == '/')
            p++;
        if (!*p && p[-1] == '/')
            return 0;
    }
    return 1;
}

contam_status io_outdir_open(io_outdir *d, const char *rel, FILE **fp, contam_err *err)
{
    *fp = NULL;
    if (!rel_ok(rel))
        return contam_err_set(err, CONTAM_ERR_ARG, rel, 0,
                              "output file name must be relative and inside the directory");
    char *path = concat3(d->stage, "/", rel);
    if (!path)
        return contam_err_set(err, CONTAM_ERR_NOMEM, rel, 0, "out of memory");
    char *slash = strrchr(path, '/');
    contam_status st = CONTAM_OK;
    if (slash > path + strlen(d->stage)) {
        *slash = '\0';
        if (mkdir_p(path) != 0)
            st = CONTAM_ERR_IO;
        *slash = '/';
    }
    if (st == CONTAM_OK) {
        *fp = fopen(path, "wb");
        if (!*fp)
            st = CONTAM_ERR_OPEN;
    }
    contam_free(path);
    if (st != CONTAM_OK) {
        int e = errno;
        char shown[1024];
        snprintf(shown, sizeof shown, "%s/%s", d->dir, rel);
        return contam_err_set(err, st, shown, 0, "cannot create output file: %s", strerror(e));
    }
    return CONTAM_OK;
}

contam_status io_outdir_close(io_outdir *d, const char *rel, FILE *fp, contam_err *err)
{
    const char *what = NULL;
    int e = 0;
    if (fflush(fp) != 0) {
        what = "write";
        e = errno;
    } else if (ferror(fp)) {
        what = "write";
        e = EIO;
    } else if (fsync(fileno(fp)) != 0 && errno != EINVAL) {
        /* EINVAL: the file system cannot sync (a pipe-like target); the data
         * is written, which is all that can be had there. */
        what = "fsync";
        e = errno;
    }
    if (fclose(fp) != 0 && !what) {
        what = "close";
        e = errno;
    }
    if (!what)
        return CONTAM_OK;
    char shown[1024];
    snprintf(shown, sizeof shown, "%s/%s", d->dir, rel);
    return contam_err_set(err, CONTAM_ERR_IO, shown, 0, "cannot write output file (%s): %s",
                          what, strerror(e));
}

/* Swaps two paths in one step where the kernel can (Linux renameat2
 * RENAME_EXCHANGE); returns -1 with errno set otherwise. */
static int exchange(const char *a, const char *b)
{
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
#else
    (void)a;
    (void)b;
    errno = ENOSYS;
    return -1;
#endif
}

contam_status io_outdir_commit(io_outdir *d, contam_err *err)
{
    contam_status st = check_replaceable(d->dir, err);
    if (st != CONTAM_OK)
        return st;
    struct stat sb;
    if (lstat(d->dir, &sb) != 0) {
        if (rename(d->stage, d->dir) != 0)
            return contam_err_set(err, CONTAM_ERR_IO, d->dir, 0,
                                  "cannot move the finished output into place: %s",
                                  strerror(errno));
    } else if (exchange(d->stage, d->dir) == 0) {
        /* The previous output now sits at the staging name; if removing it
         * fails, the next run's stale-directory sweep does it. */
        (void)io_rm_tree(d->stage);
    } else {
        /* Two renames: a crash between them leaves the previous output in
         * DIR.old-PID, which the next run sweeps away. */
        char pid[32];
        snprintf(pid, sizeof pid, ".old-%ld", (long)getpid());
        char *old = concat3(d->dir, pid, "");
        if (!old)
            return contam_err_set(err, CONTAM_ERR_NOMEM, d->dir, 0, "out of memory");
        if (rename(d->dir, old) != 0) {
            st = contam_err_set(err, CONTAM_ERR_IO, d->dir, 0,
                                "cannot move the previous output aside: %s", strerror(errno));
            contam_free(old);
            return st;
        }
        if (rename(d->stage, d->dir) != 0) {
            int e = errno;
            /* put the previous output back; if that fails too it stays in old */
            (void)rename(old, d->dir);
            contam_free(old);
            return contam_err_set(err, CONTAM_ERR_IO, d->dir, 0,
                                  "cannot move the finished output into place: %s",
                                  strerror(e));
        }
        (void)io_rm_tree(old); /* leftovers are swept by the next run */
        contam_free(old);
    }
    io_sync_parent(d->dir);
    d->committed = 1;
    return CONTAM_OK;
}

void io_outdir_free(io_outdir *d)
{
    if (!d)
        return;
    if (!d->committed && d->stage)
        (void)io_rm_tree(d->stage); /* nothing useful to do if this fails */
    contam_free(d->stage);
    contam_free(d->dir);
    contam_free(d);
}
