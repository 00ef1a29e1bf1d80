/* fsutil.c - the few file-system operations the index needs beyond io/:
 * directory fsync (so a rename survives a crash) and of a staged index's
 * files, background syncing of finished files, whole-file checksums, and
 * the final swap of a staged index into place. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index_internal.h"
#include "io/io.h"

contam_status idx_fsync_files(const char *dir, contam_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return contam_err_set(err, CONTAM_ERR_IO, dir, 0, "cannot list: %s", strerror(errno));
    contam_status st = CONTAM_OK;
    struct dirent *de;
    while (st == CONTAM_OK && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char *p = io_path_join(dir, de->d_name);
        struct stat sb;
        if (!p) {
            st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        } else if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
            int fd = open(p, O_RDONLY | O_CLOEXEC);
            if (fd < 0 || fsync(fd) != 0)
                st = contam_err_set(err, CONTAM_ERR_IO, p, 0, "cannot sync: %s", strerror(errno));
            if (fd >= 0)
                (void)close(fd);
        }
        contam_free(p);
    }
    closedir(d);
    if (st == CONTAM_OK && idx_fsync_dir(dir))
        st = contam_err_set(err, CONTAM_ERR_IO, dir, 0, "cannot sync: %s", strerror(errno));
    return st;
}

int idx_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* ---- background sync ---------------------------------------------------------- */

/* Why a thread of its own: the partitions a build writes sit in the page
 * cache until the commit's fsync (sync_file_range only starts write-back,
 * and ext4 then still commits the allocations at fsync), which waited
 * 45-60 ms for 64 MiB at the end of a one-second build. Synced while later
 * partitions are merged, the wait overlaps work, and a thread blocked on
 * the disk takes no CPU from the merging ones. */
typedef struct sync_item {
    struct sync_item *next;
    char path[];
} sync_item;

struct idx_syncer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    sync_item *head, **tail;
    int done;
};

static void *syncer_main(void *arg)
{
    idx_syncer *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->head && !s->done)
            pthread_cond_wait(&s->cv, &s->mu);
        sync_item *it = s->head;
        if (!it)
            break; /* done and empty */
        s->head = it->next;
        if (!s->head)
            s->tail = &s->head;
        pthread_mutex_unlock(&s->mu);
        int fd = open(it->path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            (void)fdatasync(fd);
            (void)close(fd);
        }
        contam_free(it);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

idx_syncer *idx_syncer_start(void)
{
    idx_syncer *s = contam_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->tail = &s->head;
    if (pthread_mutex_init(&s->mu, NULL)) {
        contam_free(s);
        return NULL;
    }
    if (pthread_cond_init(&s->cv, NULL)) {
        pthread_mutex_destroy(&s->mu);
        contam_free(s);
        return NULL;
    }
    if (pthread_create(&s->thread, NULL, syncer_main, s)) {
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        contam_free(s);
        return NULL;
    }
    return s;
}

void idx_syncer_add(idx_syncer *s, const char *path)
{
    if (!s)
        return;
    size_t n = strlen(path) + 1;
    sync_item *it = contam_malloc(sizeof *it + n);
    if (!it)
        return;
    it->next = NULL;
    memcpy(it->path, path, n);
    pthread_mutex_lock(&s->mu);
    *s->tail = it;
    s->tail = &it->next;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void idx_syncer_finish(idx_syncer *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->done = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    contam_free(s);
}

int idx_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

contam_status idx_file_checksum(const char *path, char out[33], uint64_t *size,
                                contam_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return contam_err_set(err, CONTAM_ERR_OPEN, path, 0, "cannot open: %s", strerror(errno));
    uint8_t *buf = contam_malloc(1u << 16);
    if (!buf) {
        fclose(f);
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
    }
    /* XXH3's streaming state wants 64-byte alignment; a static-duration or
     * automatic object gets it from its declared alignment. */
    XXH3_state_t st;
    XXH3_128bits_reset(&st);
    uint64_t total = 0;
    size_t got;
    while ((got = fread(buf, 1, 1u << 16, f)) > 0) {
        XXH3_128bits_update(&st, buf, got);
        total += got;
    }
    int bad = ferror(f);
    fclose(f);
    contam_free(buf);
    if (bad)
        return contam_err_set(err, CONTAM_ERR_IO, path, 0, "read error");
    XXH128_hash_t h = XXH3_128bits_digest(&st);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64, (unsigned long long)h.low64);
    if (size)
        *size = total;
    return CONTAM_OK;
}

contam_status idx_commit_dir(const char *stage, const char *dir, const char *old,
                             contam_err *err)
{
    if (idx_exists(dir)) {
        if (rename(dir, old) != 0)
            return contam_err_set(err, CONTAM_ERR_IO, dir, 0, "cannot move the old index aside: %s",
                                  strerror(errno));
    }
    if (rename(stage, dir) != 0)
        return contam_err_set(err, CONTAM_ERR_IO, dir, 0, "cannot move the new index into place: %s",
                              strerror(errno));
    char *parent = contam_strdup(dir);
    if (parent) {
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent)
            *slash = '\0';
        else if (slash)
            slash[1] = '\0';
        (void)idx_fsync_dir(slash ? parent : ".");
        contam_free(parent);
    }
    if (idx_exists(old))
        (void)io_rm_tree(old);
    return CONTAM_OK;
}
