/* scan_index.c - scan_run_index: the scan answered from a corpus index
 * (src/index) instead of a corpus pass. The plan (benchmark tokens, gram
 * tables) is the one scan_run builds; each table's grams are taken in hash
 * order from its Judy array, looked up in one sorted pass over the index
 * partitions, and written into the same per-gram document frequencies and
 * first occurrences the corpus pass fills; scan_assess then decides exactly
 * as for a direct scan. What an index cannot give: corpus snippets, byte
 * offsets and --doc-field values (a match carries file and record when the
 * index was built with --provenance), and more than one occurrence per gram.
 *
 * An index holds one (unit, n): every table of the plan must be that one, or
 * the scan is refused, as are a different normalizer version, hash scheme,
 * seed, digit mapping or text field, and a --corpus-df rule (gpt3) against
 * an index without document frequencies. */
#include <string.h>

#include "index/index.h"
#include "io/io.h"
#include "scan/scan_internal.h"

static const char *format_name(const char *s)
{
    for (int f = IO_FMT_PLAIN; f <= IO_FMT_ZSTD; f++)
        if (!strcmp(s, io_format_name((io_format)f)))
            return io_format_name((io_format)f);
    return "unknown";
}

/* Refuses an index that cannot answer for these options. */
static contam_status check_params(const index_meta *m, const char *dir, const scan_options *opt,
                                  contam_err *err)
{
    if (strcmp(m->normalizer, NGRAM_NORMALIZER_VERSION) || strcmp(m->hash_scheme, NGRAM_HASH_SCHEME))
        return contam_err_set(err, CONTAM_ERR_ARG, dir, 0,
                              "the index was built with normalizer %s and another hash scheme "
                              "or version than this contam (%s): rebuild it",
                              m->normalizer, NGRAM_NORMALIZER_VERSION);
    if (m->seed != opt->seed)
        return contam_err_set(err, CONTAM_ERR_ARG, dir, 0,
                              "the index was built with --seed %llu, the scan uses %llu",
                              (unsigned long long)m->seed, (unsigned long long)opt->seed);
    if (m->digits_zero != opt->digits_zero)
        return contam_err_set(err, CONTAM_ERR_ARG, dir, 0,
                              "the index was built with --digits %s, the scan uses --digits %s",
                              m->digits_zero ? "zero" : "keep", opt->digits_zero ? "zero" : "keep");
    if (strcmp(m->text_field, opt->text_field))
        return contam_err_set(err, CONTAM_ERR_ARG, dir, 0,
                              "the index was built from text field '%s', the scan asks for '%s'",
                              m->text_field, opt->text_field);
    for (size_t k = 0; k < opt->nmethods; k++) {
        const scan_method *me = &opt->methods[k];
        if (me->unit != m->unit || me->n != m->n)
            return contam_err_set(err, CONTAM_ERR_ARG, dir, 0,
                                  "method %s needs %s %u-grams but the index holds %s %u-grams "
                                  "(an index serves the methods of one unit and n; build one "
                                  "with 'contam index build --method %s')",
                                  me->name, ngram_unit_name(me->unit), me->n,
                                  ngram_unit_name(m->unit), m->n, me->name);
        if (me->corpus_df && !m->has_df)
            return contam_err_set(err, CONTAM_ERR_ARG, dir, 0,
                                  "method %s ignores n-grams found in more than %u corpus "
                                  "documents, but the index has no document frequencies: "
                                  "rebuild it with --df",
                                  me->name, me->corpus_df);
    }
    return CONTAM_OK;
}

static contam_status nomem(contam_err *err)
{
    return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
}

/* Fills t->df (and t->occ) for every gram of table t from the index. */
static contam_status lookup_table(index_reader *ix, scan_table *t, int threads, contam_err *err)
{
    const index_meta *m = index_get_meta(ix);
    size_t n = t->nids;
    if (!n)
        return CONTAM_OK;
    uint64_t *keys = contam_malloc(n * sizeof *keys);
    uint32_t *ids = contam_malloc(n * sizeof *ids);
    uint32_t *df = contam_malloc(n * sizeof *df);
    int want_first = t->provenance && t->occ && m->has_provenance;
    uint64_t *first = want_first ? contam_malloc(n * sizeof *first) : NULL;
    contam_status st = CONTAM_OK;
    if (!keys || !ids || !df || (want_first && !first)) {
        st = nomem(err);
        goto done;
    }
    /* JudyL iterates in ascending hash order: the query is already sorted. */
    size_t k = 0;
    Word_t h = 0;
    PWord_t v;
    JLF(v, t->judy, h);
    while (v && v != PJERR && k < n) {
        keys[k] = (uint64_t)h;
        ids[k] = (uint32_t)(*v - 1); /* JudyL holds id + 1 */
        k++;
        JLN(v, t->judy, h);
    }
    if (k != n) {
        st = contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "gram table inconsistent (internal)");
        goto done;
    }
    if ((st = index_lookup(ix, keys, n, df, first, threads, err)) != CONTAM_OK)
        goto done;
    for (k = 0; k < n; k++) {
        uint32_t id = ids[k];
        t->df[id] = df[k];
        size_t file;
        uint64_t record;
        if (!want_first || !df[k] || first[k] == INDEX_NO_RECORD ||
            index_resolve(ix, first[k], &file, &record))
            continue;
        scan_occ_list *l = contam_calloc(1, sizeof *l + sizeof l->v[0]);
        char *snip = contam_strdup(""); /* an index keeps no corpus text */
        if (!l || !snip) {
            contam_free(l);
            contam_free(snip);
            st = nomem(err);
            goto done;
        }
        l->n = 1;
        l->v[0].file = (uint32_t)file;
        l->v[0].record = record;
        l->v[0].snippet = snip;
        t->occ[id] = l;
    }
done:
    contam_free(keys);
    contam_free(ids);
    contam_free(df);
    contam_free(first);
    return st;
}

/* The corpus section of the result, from the index's manifest. */
static contam_status fill_files(const index_meta *m, scan_result *r)
{
    r->files = contam_calloc(m->nfiles + 1, sizeof *r->files);
    if (!r->files)
        return CONTAM_ERR_NOMEM;
    r->nfiles = m->nfiles;
    for (size_t f = 0; f < m->nfiles; f++) {
        const index_file *in = &m->files[f];
        scan_file_stats *fs = &r->files[f];
        if (!(fs->path = contam_strdup(in->path)))
            return CONTAM_ERR_NOMEM;
        memcpy(fs->checksum, in->checksum, sizeof fs->checksum);
        fs->format = format_name(in->format);
        fs->raw_bytes = in->raw_bytes;
        fs->bytes = in->bytes;
        fs->records = in->records;
        fs->docs = in->docs;
        fs->bad_json = in->bad_json;
        fs->missing_field = in->missing_field;
        fs->invalid_utf8 = in->invalid_utf8;
        fs->blank = in->blank;
        fs->nbad = in->nbad < SCAN_BAD_SAMPLES ? in->nbad : SCAN_BAD_SAMPLES;
        for (size_t k = 0; k < fs->nbad; k++) {
            fs->bad[k] = in->bad[k];
        }
        r->docs += fs->docs;
        r->bytes += fs->bytes;
        r->raw_bytes += fs->raw_bytes;
        r->records += fs->records;
        r->bad_records += fs->bad_json + fs->missing_field;
    }
    return CONTAM_OK;
}

contam_status scan_run_index(const bench_set *b, const char *index_dir, const scan_options *opt,
                             scan_result **out, contam_err *err)
{
    *out = NULL;
    if (opt->nmethods < 1 || opt->nmethods > SCAN_MAX_METHODS)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "between 1 and %d methods",
                              SCAN_MAX_METHODS);
    if (opt->max_matches < 1 || opt->max_matches > 100)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "--max-matches must be 1..100");
    if (!opt->text_field || !*opt->text_field)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "--text-field is empty");
    if (b->nitems > UINT32_MAX / 2)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "too many benchmark items");
    index_reader *ix = NULL;
    contam_status st = index_open(index_dir, &ix, err);
    if (st != CONTAM_OK)
        return st;
    const index_meta *m = index_get_meta(ix);
    if ((st = check_params(m, index_dir, opt, err)) != CONTAM_OK) {
        index_close(ix);
        return st;
    }
    scan_result *r = contam_calloc(1, sizeof *r);
    scan_plan plan;
    memset(&plan, 0, sizeof plan);
    if (!r) {
        index_close(ix);
        return nomem(err);
    }
    r->opt = *opt;
    r->nitems = b->nitems;
    r->stats = contam_calloc(b->nitems * opt->nmethods + 1, sizeof *r->stats);
    r->matches = contam_calloc(b->nitems + 1, sizeof *r->matches);
    r->nmatches = contam_calloc(b->nitems + 1, sizeof *r->nmatches);
    if (!r->stats || !r->matches || !r->nmatches || fill_files(m, r) != CONTAM_OK) {
        st = nomem(err);
        goto fail;
    }
    if ((st = scan_plan_build(&plan, b, opt, err)) != CONTAM_OK)
        goto fail;
    for (size_t ti = 0; ti < plan.ntables; ti++) {
        const scan_table *t = &plan.tables[ti];
        if (t->unit != m->unit || t->n != m->n) {
            st = contam_err_set(err, CONTAM_ERR_ARG, index_dir, 0,
                                "--short whole matches short items as whole %u-token sequences, "
                                "which an index of %u-grams cannot answer; use --short skip",
                                t->n, m->n);
            goto fail;
        }
    }
    for (size_t ti = 0; ti < plan.ntables; ti++)
        if ((st = lookup_table(ix, &plan.tables[ti], opt->threads, err)) != CONTAM_OK)
            goto fail;
    if ((st = scan_assess(&plan, r, err)) != CONTAM_OK)
        goto fail;
    scan_plan_free(&plan);
    index_close(ix);
    *out = r;
    return CONTAM_OK;
fail:
    scan_plan_free(&plan);
    scan_result_free(r);
    index_close(ix);
    return st;
}
