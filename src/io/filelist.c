/* filelist.c - expands command-line inputs (files and directories) into a
 * sorted, de-duplicated list of files, so a scan visits the same files in the
 * same order on every file system.
 *
 * Inside a directory, hidden entries are skipped (".git", editor swap files),
 * symbolic links to files are followed, and symbolic links to directories
 * are not (they could form cycles). A dangling link is an error: silently
 * skipping a shard would make an audit incomplete without anyone noticing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "io/io.h"

typedef struct {
    io_file *v;
    size_t n, cap;
} file_vec;

static contam_status push(file_vec *fv, char *path, char *rel, uint64_t size, int named,
                          contam_err *err)
{
    if (!path || !rel)
        goto nomem;
    if (contam_array_grow(&fv->v, &fv->cap, fv->n + 1, sizeof *fv->v, 16))
        goto nomem;
    fv->v[fv->n].path = path;
    fv->v[fv->n].rel = rel;
    fv->v[fv->n].size = size;
    fv->v[fv->n].named = named;
    fv->n++;
    return CONTAM_OK;
nomem:
    contam_free(path);
    contam_free(rel);
    return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory listing input files");
}

char *io_path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int slash = la > 0 && a[la - 1] != '/';
    char *p = contam_malloc(la + (size_t)slash + lb + 1);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    if (slash)
        p[la] = '/';
    memcpy(p + la + (size_t)slash, b, lb + 1);
    return p;
}

static contam_status walk(file_vec *fv, const char *dir, const char *rel_prefix, contam_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return contam_err_set(err, CONTAM_ERR_OPEN, dir, 0, "cannot open directory: %s",
                              strerror(errno));
    contam_status st = CONTAM_OK;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno != 0)
                st = contam_err_set(err, CONTAM_ERR_IO, dir, 0, "cannot read directory: %s",
                                    strerror(errno));
            break;
        }
        if (de->d_name[0] == '.')
            continue;
        char *path = io_path_join(dir, de->d_name);
        char *rel = rel_prefix[0] ? io_path_join(rel_prefix, de->d_name) : contam_strdup(de->d_name);
        if (!path || !rel) {
            contam_free(path);
            contam_free(rel);
            st = contam_err_set(err, CONTAM_ERR_NOMEM, dir, 0, "out of memory listing files");
            break;
        }
        struct stat sb;
        int is_link = lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode);
        if (stat(path, &sb) != 0) {
            st = contam_err_set(err, CONTAM_ERR_OPEN, path, 0, "cannot open: %s%s",
                                strerror(errno), is_link ? " (dangling symbolic link)" : "");
            contam_free(path);
            contam_free(rel);
            break;
        }
        if (S_ISDIR(sb.st_mode) && !is_link) {
            st = walk(fv, path, rel, err);
            contam_free(path);
            contam_free(rel);
        } else if (S_ISREG(sb.st_mode)) {
            st = push(fv, path, rel, (uint64_t)sb.st_size, 0, err);
        } else {
            /* sockets, devices, FIFOs and linked directories inside a tree
             * are not corpus shards */
            contam_free(path);
            contam_free(rel);
        }
        if (st != CONTAM_OK)
            break;
    }
    /* read-only directory stream: a close failure loses nothing */
    (void)closedir(d);
    return st;
}

static const char *base_name(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *p = path + n;
    while (p > path && p[-1] != '/')
        p--;
    return p;
}

static contam_status add_arg(file_vec *fv, const char *arg, contam_err *err)
{
    if (strcmp(arg, "-") == 0)
        return push(fv, contam_strdup(arg), contam_strdup(arg), 0, 1, err);
    struct stat sb;
    if (stat(arg, &sb) != 0)
        return contam_err_set(err, CONTAM_ERR_OPEN, arg, 0, "cannot open: %s", strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return walk(fv, arg, "", err);
    /* A named FIFO or device (e.g. <(zstd -dc ...)) is read like a file. */
    const char *b = base_name(arg);
    size_t bl = strcspn(b, "/");
    return push(fv, contam_strdup(arg), contam_strndup(b, bl),
                S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0, 1, err);
}

static int cmp_file(const void *a, const void *b)
{
    const io_file *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    return c ? c : strcmp(x->rel, y->rel);
}

contam_status io_filelist_expand(const char *const *args, size_t nargs, io_filelist *out,
                                 contam_err *err)
{
    out->v = NULL;
    out->n = 0;
    file_vec fv = {NULL, 0, 0};
    for (size_t i = 0; i < nargs; i++) {
        contam_status st = add_arg(&fv, args[i], err);
        if (st != CONTAM_OK) {
            io_filelist tmp = {fv.v, fv.n};
            io_filelist_free(&tmp);
            return st;
        }
    }
    if (fv.n > 1)
        qsort(fv.v, fv.n, sizeof *fv.v, cmp_file);
    size_t w = 0;
    for (size_t i = 0; i < fv.n; i++) {
        if (w > 0 && strcmp(fv.v[w - 1].path, fv.v[i].path) == 0) {
            contam_free(fv.v[i].path);
            contam_free(fv.v[i].rel);
            continue;
        }
        fv.v[w++] = fv.v[i];
    }
    out->v = fv.v;
    out->n = w;
    return CONTAM_OK;
}

void io_filelist_free(io_filelist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        contam_free(l->v[i].path);
        contam_free(l->v[i].rel);
    }
    contam_free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* Length of name without a trailing .gz/.zst/.zstd (any case). */
size_t io_name_base_len(const char *name)
{
    static const char *const zsuf[] = {".gz", ".zst", ".zstd"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof zsuf / sizeof zsuf[0]; i++) {
        size_t k = strlen(zsuf[i]);
        if (n > k && strncasecmp(name + n - k, zsuf[i], k) == 0)
            return n - k;
    }
    return n;
}

int io_name_has_ext(const char *name, const char *const *exts)
{
    size_t n = io_name_base_len(name);
    for (; *exts; exts++) {
        size_t k = strlen(*exts);
        if (n >= k && strncasecmp(name + n - k, *exts, k) == 0)
            return 1;
    }
    return 0;
}
