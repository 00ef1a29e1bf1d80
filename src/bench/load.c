/* load.c - bench_load: expands the inputs, reads each file whole (so records
 * can be written back byte for byte), tells JSONL from CSV by content and
 * hands the file to the matching loader; bench_set_free. */
#include <string.h>
#include <strings.h>

#include "bench/bench_internal.h"
#include "io/io.h"

#define DEFAULT_MAX_FILE ((uint64_t)1 << 30)

/* Files found inside a directory are taken only when their name says they
 * are data, so a LICENSE or README next to the data is not read as CSV. */
static const char *const DATA_EXTS[] = {".jsonl", ".json", ".ndjson", ".csv", NULL};

static void apply_overrides(bench_layout *l, const bench_options *opt)
{
    if (opt->label_field) {
        l->label = opt->label_field;
        l->label_kind = BENCH_LABEL_PLAIN;
    }
    if (opt->subject_field) {
        l->subject = opt->subject_field;
        l->subject_from_stem = 0;
    }
    if (opt->id_field) {
        l->id = opt->id_field;
        l->id_optional = 0;
    }
}

static contam_status check_fields(const char *spec, contam_err *err)
{
    bench_fieldlist fl;
    contam_status st = bench_fieldlist_parse(spec, &fl, err);
    bench_fieldlist_free(&fl);
    return st;
}

static contam_status make_def(const bench_options *opt, bench_preset_def *def, contam_err *err)
{
    if (opt->preset) {
        const bench_preset_def *p = bench_preset_find(opt->preset);
        if (!p)
            return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0,
                                  "unknown preset '%s' (known: mmlu, gsm8k, arc, truthfulqa, "
                                  "hellaswag)",
                                  opt->preset);
        *def = *p;
    } else {
        if (!opt->text_fields || !opt->text_fields[0])
            return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0,
                                  "a benchmark without a preset needs its text fields");
        memset(def, 0, sizeof *def);
        def->name = "generic";
        def->has_csv = 1;
        def->csv.text = opt->text_fields;
        def->njsonl = 1;
        def->jsonl[0] = def->csv;
    }
    if (def->has_csv)
        apply_overrides(&def->csv, opt);
    for (size_t k = 0; k < def->njsonl; k++)
        apply_overrides(&def->jsonl[k], opt);
    contam_status st = def->has_csv ? check_fields(def->csv.text, err) : CONTAM_OK;
    for (size_t k = 0; k < def->njsonl && st == CONTAM_OK; k++)
        st = check_fields(def->jsonl[k].text, err);
    return st;
}

static contam_status load_file(bench_loader *L, size_t fi, contam_err *err)
{
    bench_file *f = &L->set->files[fi];
    contam_status st =
        io_read_all(f->path, L->opt->max_file ? L->opt->max_file : DEFAULT_MAX_FILE, &f->raw,
                    f->checksum, err);
    if (st != CONTAM_OK)
        return st;
    const char *p = f->raw.ptr;
    size_t n = f->raw.size;
    /* A UTF-8 BOM is no part of the first record; header_len keeps it so
     * written subsets start with the same bytes as the original. */
    size_t start = n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t i = start;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i == n)
        return contam_err_set(err, CONTAM_ERR_EMPTY, f->path, 0, "empty benchmark file");
    bench_path_stem(f->path, L->stem, sizeof L->stem);
    f->header_len = start;
    /* A *.csv name is trusted: a headerless CSV row may start with '[' or
     * '{' (and a clean/dirty half must load again). Otherwise the content
     * decides. */
    static const char *const csv_ext[] = {".csv", NULL};
    int named_csv = io_name_has_ext(f->path, csv_ext);
    if (!named_csv && p[i] == '[')
        return contam_err_set(err, CONTAM_ERR_FORMAT, f->path, 0,
                              "a JSON array is not JSONL (write one object per line)");
    if (!named_csv && p[i] == '{') {
        if (!L->def.njsonl)
            return contam_err_set(err, CONTAM_ERR_FORMAT, f->path, 0,
                                  "the %s preset reads CSV, this file is JSONL", L->def.name);
        st = bench_load_jsonl(L, fi, start, err);
    } else {
        if (!L->def.has_csv)
            return contam_err_set(err, CONTAM_ERR_FORMAT, f->path, 0,
                                  "the %s preset reads JSONL, this file is not", L->def.name);
        st = bench_load_csv(L, fi, start, err);
    }
    if (st == CONTAM_OK && f->nitems == 0)
        st = contam_err_set(err, CONTAM_ERR_EMPTY, f->path, 0, "no benchmark records");
    return st;
}

/* The layout path under clean/ and dirty/: subsets are written decompressed,
 * so a compression suffix would lie about their content. */
static char *layout_path(const char *rel)
{
    return contam_strndup(rel, io_name_base_len(rel));
}

static contam_status load_all(bench_loader *L, const io_filelist *fl, const char *const *paths,
                              contam_err *err)
{
    bench_set *set = L->set;
    set->files = contam_calloc(fl->n ? fl->n : 1, sizeof *set->files);
    set->preset = contam_strdup(L->def.name);
    if (!set->files || !set->preset)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    for (size_t k = 0; k < fl->n; k++) {
        const io_file *in = &fl->v[k];
        if (!in->named && !io_name_has_ext(in->path, DATA_EXTS))
            continue;
        bench_file *f = &set->files[set->nfiles++];
        f->eol = "\n";
        f->path = contam_strdup(in->path);
        f->rel = layout_path(in->rel);
        if (!f->path || !f->rel)
            return contam_err_set(err, CONTAM_ERR_NOMEM, in->path, 0, "out of memory");
        for (size_t j = 0; j + 1 < set->nfiles; j++)
            if (!strcmp(set->files[j].rel, f->rel))
                return contam_err_set(err, CONTAM_ERR_ARG, in->path, 0,
                                      "would be written to the same subset file '%s' as %s; "
                                      "scan them separately", f->rel, set->files[j].path);
        contam_status st = load_file(L, set->nfiles - 1, err);
        if (st != CONTAM_OK)
            return st;
    }
    if (!set->nfiles)
        return contam_err_set(err, CONTAM_ERR_EMPTY, paths[0], 0,
                              "no benchmark files (*.jsonl, *.json, *.ndjson, *.csv)");
    return CONTAM_OK;
}

contam_status bench_load(const char *const *paths, size_t npaths, const bench_options *opt,
                         bench_set **out, contam_err *err)
{
    *out = NULL;
    if (!paths || !npaths || !opt)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "no benchmark paths");
    bench_loader L = {0};
    L.opt = opt;
    contam_status st = make_def(opt, &L.def, err);
    if (st != CONTAM_OK)
        return st;
    io_filelist fl = {0};
    st = io_filelist_expand(paths, npaths, &fl, err);
    if (st != CONTAM_OK)
        return st;
    L.set = contam_calloc(1, sizeof *L.set);
    if (!L.set)
        st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    else
        st = load_all(&L, &fl, paths, err);
    io_filelist_free(&fl);
    contam_buf_free(&L.text);
    contam_buf_free(&L.tmp);
    contam_free(L.seg);
    if (st != CONTAM_OK) {
        bench_set_free(L.set);
        return st;
    }
    *out = L.set;
    return CONTAM_OK;
}

void bench_set_free(bench_set *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nitems; i++)
        bench_item_release(&b->items[i]);
    for (size_t i = 0; i < b->nfiles; i++) {
        contam_free(b->files[i].path);
        contam_free(b->files[i].rel);
        contam_buf_free(&b->files[i].raw);
    }
    contam_free(b->files);
    contam_free(b->items);
    contam_free(b->preset);
    contam_free(b);
}
