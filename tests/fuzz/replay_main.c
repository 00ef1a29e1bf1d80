/* replay_main.c - a main() for fuzz targets built without libFuzzer: feeds
 * every file under the given files/directories (recursively, in sorted path
 * order so runs are reproducible) to LLVMFuzzerTestOneInput once. The
 * targets abort() on a property violation, so reaching the end means every
 * input passed; ctest runs this over tests/fuzz/corpus/<target>/. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    char **v;
    size_t n, cap;
} pathlist;

static int push_path(pathlist *l, const char *dir, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        return -1;
    snprintf(p, n, "%s%s%s", dir, *dir && *name ? "/" : "", name);
    l->v[l->n++] = p;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the regular files under path (hidden entries skipped) to out. */
static int collect(const char *path, pathlist *out)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode))
        return push_path(out, path, "");
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    pathlist sub = {0};
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            rc = push_path(&sub, path, e->d_name);
    closedir(d);
    if (rc == 0)
        qsort(sub.v, sub.n, sizeof *sub.v, cmp_str);
    for (size_t i = 0; i < sub.n; i++) {
        if (rc == 0)
            rc = collect(sub.v[i], out);
        free(sub.v[i]);
    }
    free(sub.v);
    return rc;
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    int rc = buf ? 0 : -1;
    while (rc == 0) {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = -1;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp))
                rc = -1;
            break;
        }
    }
    fclose(fp);
    if (rc != 0) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 1;
    }
    pathlist files = {0};
    for (int i = 1; i < argc; i++)
        if (collect(argv[i], &files) != 0)
            return 1;
    size_t replayed = 0;
    for (size_t i = 0; i < files.n; i++) {
        uint8_t *data;
        size_t size;
        if (read_file(files.v[i], &data, &size) != 0) {
            fprintf(stderr, "replay: cannot read %s: %s\n", files.v[i], strerror(errno));
            return 1;
        }
        /* Named before the call so a crash report says which input it was. */
        fprintf(stderr, "replay: %s (%zu bytes)\n", files.v[i], size);
        /* An exact-size copy lets ASan catch reads past the input's end. */
        uint8_t *copy = malloc(size ? size : 1);
        if (!copy)
            return 1;
        if (size)
            memcpy(copy, data, size);
        free(data);
        (void)LLVMFuzzerTestOneInput(copy, size);
        free(copy);
        free(files.v[i]);
        replayed++;
    }
    free(files.v);
    printf("%zu inputs replayed\n%zu passed, 0 failed\n", replayed, replayed);
    return 0;
}
