/* merge.c - index_merge: combines indexes built separately (one per cluster
 * job, say) into one. Parameters must be identical; corpus files are listed
 * in argument order and record ordinals shifted accordingly, so merging the
 * indexes of consecutive slices of a file list gives the bytes a single
 * build of the whole list gives. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "index/index_internal.h"
#include "io/io.h"

typedef struct {
    const char *const *inputs;
    size_t n;
    index_meta *in;
    uint64_t *base; /* record ordinal of each input's first record */
    index_meta out;
    idx_layout l;
    char *stage;
    idx_syncer *sync; /* finished partitions reach the disk while others merge */
} merge_state;

static contam_status merge_part(merge_state *s, unsigned p, contam_err *err)
{
    idx_source **src = contam_calloc(s->n + 1, sizeof *src);
    if (!src)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    size_t ns = 0;
    contam_status st = CONTAM_OK;
    for (size_t k = 0; k < s->n && st == CONTAM_OK; k++) {
        idx_layout il;
        idx_layout_from_meta(&s->in[k], &il);
        char *path = io_path_join(s->inputs[k], s->in[k].parts[p].name);
        if (!path)
            st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        else if ((st = idx_source_part(path, &il, p, s->base[k], &src[ns], err)) == CONTAM_OK)
            ns++;
        contam_free(path);
    }
    char name[32];
    snprintf(name, sizeof name, "part-%04u.cidx", p);
    char *path = st == CONTAM_OK ? io_path_join(s->stage, name) : NULL;
    idx_part_writer *w = NULL;
    if (st == CONTAM_OK && !path)
        st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    if (st == CONTAM_OK && (st = idx_part_writer_open(path, &s->l, p, &w, err)) == CONTAM_OK) {
        st = idx_kmerge(src, ns, w, NULL, NULL, err);
        if (st != CONTAM_OK)
            idx_part_writer_abort(w);
        else if ((st = idx_part_writer_close(w, &s->out.parts[p], err)) == CONTAM_OK)
            idx_syncer_add(s->sync, path);
    }
    contam_free(path);
    for (size_t k = 0; k < ns; k++)
        idx_source_free(src[k]);
    contam_free(src);
    return st;
}

static contam_status combine_meta(merge_state *s, contam_err *err)
{
    index_meta *m = &s->out;
    if (idx_meta_copy_params(m, &s->in[0]) != CONTAM_OK)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    snprintf(m->tool, sizeof m->tool, "contam %s", CONTAM_VERSION);
    size_t total = 0;
    for (size_t k = 0; k < s->n; k++)
        total += s->in[k].nfiles;
    m->files = contam_calloc(total + 1, sizeof *m->files);
    m->parts = contam_calloc(m->partitions, sizeof *m->parts);
    s->base = contam_calloc(s->n, sizeof *s->base);
    if (!m->files || !m->parts || !s->base)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    for (size_t k = 0; k < s->n; k++) {
        const index_meta *in = &s->in[k];
        s->base[k] = m->records;
        for (size_t f = 0; f < in->nfiles; f++) {
            for (size_t q = 0; q < m->nfiles; q++)
                if (!strcmp(m->files[q].path, in->files[f].path))
                    return contam_err_set(err, CONTAM_ERR_ARG, s->inputs[k], 0,
                                          "corpus file %s is also in an earlier input; merging "
                                          "would count its documents twice", in->files[f].path);
            index_file *o = &m->files[m->nfiles];
            *o = in->files[f];
            o->first_record = m->records + in->files[f].first_record;
            if (!(o->path = contam_strdup(in->files[f].path)))
                return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
            m->nfiles++;
        }
        m->records += in->records;
        m->docs += in->docs;
        m->bytes += in->bytes;
        m->raw_bytes += in->raw_bytes;
        m->tokens += in->tokens;
        m->windows += in->windows;
    }
    idx_layout_from_meta(m, &s->l);
    return CONTAM_OK;
}

static void write_history(const merge_state *s)
{
    cJSON *root = idx_history_open(NULL), *e = NULL, *from = NULL;
    if (!root || !(e = idx_history_add(root, "merge")) ||
        !(from = cJSON_AddArrayToObject(e, "inputs"))) {
        cJSON_Delete(root);
        return;
    }
    for (size_t k = 0; k < s->n; k++)
        cJSON_AddItemToArray(from, cJSON_CreateString(s->inputs[k]));
    idx_history_write(root, s->stage);
}

contam_status index_merge(const char *out_dir, const char *const *inputs, size_t ninputs,
                          int threads, contam_err *err)
{
    if (ninputs < 1)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "nothing to merge");
    size_t ol = strlen(out_dir);
    while (ol > 1 && out_dir[ol - 1] == '/')
        ol--;
    char *out = contam_strndup(out_dir, ol);
    char *work = contam_malloc(ol + 16);
    merge_state s;
    memset(&s, 0, sizeof s);
    s.inputs = inputs;
    s.n = ninputs;
    s.in = contam_calloc(ninputs, sizeof *s.in);
    contam_status st = CONTAM_OK;
    int lock_fd = -1;
    char *old = NULL;
    if (!out || !work || !s.in) {
        st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        goto done;
    }
    snprintf(work, ol + 16, "%s.partial", out);
    if (idx_exists(out)) {
        st = contam_err_set(err, CONTAM_ERR_EXISTS, out, 0, "already exists; remove it first");
        goto done;
    }
    for (size_t k = 0; k < ninputs; k++) {
        if ((st = index_describe(inputs[k], &s.in[k], err)) != CONTAM_OK)
            goto done;
        char why[200];
        if (k > 0 && idx_params_differ(&s.in[0], &s.in[k], why, sizeof why)) {
            st = contam_err_set(err, CONTAM_ERR_ARG, inputs[k], 0,
                                "cannot merge with %s: parameters differ (%s)", inputs[0], why);
            goto done;
        }
    }
    if ((st = combine_meta(&s, err)) != CONTAM_OK)
        goto done;
    /* The work directory is shared with builds: never touch a build's. */
    char *journal = io_path_join(work, "journal.json");
    int busy = journal && idx_exists(journal);
    contam_free(journal);
    if (busy) {
        st = contam_err_set(err, CONTAM_ERR_EXISTS, work, 0,
                            "holds an interrupted build of this index; finish or remove it");
        goto done;
    }
    if ((mkdir(work, 0777) && errno != EEXIST)) {
        st = contam_err_set(err, CONTAM_ERR_IO, work, 0, "cannot create: %s", strerror(errno));
        goto done;
    }
    char *lp = io_path_join(work, "lock");
    lock_fd = lp ? open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0666) : -1;
    contam_free(lp);
    if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB)) {
        st = contam_err_set(err, CONTAM_ERR_EXISTS, work, 0, "in use by another contam process");
        goto done;
    }
    s.stage = io_path_join(work, "out");
    old = io_path_join(work, "old");
    if (!s.stage || !old) {
        st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        goto done;
    }
    if (io_rm_tree(s.stage) || mkdir(s.stage, 0777)) {
        st = contam_err_set(err, CONTAM_ERR_IO, s.stage, 0, "cannot create: %s", strerror(errno));
        goto done;
    }
    unsigned P = s.out.partitions;
    contam_err *errs = contam_calloc(P, sizeof *errs);
    contam_status *sts = contam_calloc(P, sizeof *sts);
    if (!errs || !sts) {
        contam_free(errs);
        contam_free(sts);
        st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
        goto done;
    }
    int T = threads > 0 ? threads : omp_get_max_threads();
    s.sync = idx_syncer_start();
#pragma omp parallel for schedule(dynamic, 1) num_threads(T) default(none) shared(s, P, errs, sts)
    for (unsigned p = 0; p < P; p++)
        sts[p] = merge_part(&s, p, &errs[p]);
    idx_syncer_finish(s.sync);
    for (unsigned p = 0; p < P; p++) {
        if (sts[p] != CONTAM_OK && st == CONTAM_OK) {
            st = sts[p];
            if (err)
                *err = errs[p];
        }
        s.out.keys += s.out.parts[p].keys;
        s.out.index_bytes += s.out.parts[p].bytes;
    }
    contam_free(errs);
    contam_free(sts);
    if (st != CONTAM_OK)
        goto done;
    s.out.false_match_rate = ldexp((double)s.out.keys, -(int)s.out.fp_bits);
    char *mpath = io_path_join(s.stage, IDX_MANIFEST);
    st = mpath ? idx_manifest_write(mpath, &s.out, err)
               : contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    contam_free(mpath);
    if (st != CONTAM_OK)
        goto done;
    write_history(&s);
    if ((st = idx_fsync_files(s.stage, err)) != CONTAM_OK)
        goto done;
    if ((st = idx_commit_dir(s.stage, out, old, err)) == CONTAM_OK)
        (void)io_rm_tree(work);
done:
    if (st != CONTAM_OK && lock_fd >= 0 && s.stage)
        (void)io_rm_tree(work);
    if (lock_fd >= 0)
        close(lock_fd);
    for (size_t k = 0; s.in && k < ninputs; k++)
        index_meta_free(&s.in[k]);
    contam_free(s.in);
    contam_free(s.base);
    index_meta_free(&s.out);
    contam_free(s.stage);
    contam_free(old);
    contam_free(out);
    contam_free(work);
    return st;
}
