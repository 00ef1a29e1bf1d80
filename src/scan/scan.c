/* scan.c - scan_run: plan (benchmark tables) -> corpus pass -> assessment. */
#include <sys/stat.h>

#include <string.h>

#include "scan/scan_internal.h"

void scan_result_free(scan_result *r)
{
    if (!r)
        return;
    if (r->matches && r->nmatches)
        for (size_t i = 0; i < r->nitems; i++) {
            for (size_t k = 0; k < r->nmatches[i]; k++) {
                contam_free(r->matches[i][k].doc);
                contam_free(r->matches[i][k].snippet);
            }
            contam_free(r->matches[i]);
        }
    contam_free(r->matches);
    contam_free(r->nmatches);
    contam_free(r->stats);
    if (r->files)
        for (size_t f = 0; f < r->nfiles; f++)
            contam_free(r->files[f].path);
    contam_free(r->files);
    for (size_t m = 0; m < SCAN_MAX_METHODS; m++) {
        for (size_t k = 0; k < r->nboiler[m]; k++)
            contam_free(r->boiler[m][k].text);
        contam_free(r->boiler[m]);
    }
    contam_free(r);
}

static contam_status check_options(const scan_options *o, contam_err *err)
{
    if (o->nmethods < 1 || o->nmethods > SCAN_MAX_METHODS)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "between 1 and %d methods",
                              SCAN_MAX_METHODS);
    if (o->max_matches < 1 || o->max_matches > 100)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "--max-matches must be 1..100");
    if (o->max_line < 16 || o->max_line > UINT32_MAX)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0,
                              "--max-line must be between 16 bytes and 4 GiB - 1");
    if (!o->text_field || !*o->text_field)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "--text-field is empty");
    return CONTAM_OK;
}

contam_status scan_run(const bench_set *b, const char *const *files, size_t nfiles,
                       const scan_options *opt, scan_result **out, contam_err *err)
{
    *out = NULL;
    contam_status st = check_options(opt, err);
    if (st != CONTAM_OK)
        return st;
    if (b->nitems > UINT32_MAX / 2)
        return contam_err_set(err, CONTAM_ERR_ARG, NULL, 0, "too many benchmark items");
    scan_result *r = contam_calloc(1, sizeof *r);
    scan_plan plan;
    memset(&plan, 0, sizeof plan);
    if (!r)
        return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
    r->opt = *opt;
    r->nitems = b->nitems;
    r->nfiles = nfiles;
    r->stats = contam_calloc(b->nitems * opt->nmethods + 1, sizeof *r->stats);
    r->matches = contam_calloc(b->nitems + 1, sizeof *r->matches);
    r->nmatches = contam_calloc(b->nitems + 1, sizeof *r->nmatches);
    r->files = contam_calloc(nfiles + 1, sizeof *r->files);
    if (!r->stats || !r->matches || !r->nmatches || !r->files)
        goto oom;
    for (size_t f = 0; f < nfiles; f++) {
        if (!(r->files[f].path = contam_strdup(files[f])))
            goto oom;
        struct stat sb;
        if (stat(files[f], &sb) == 0)
            r->files[f].raw_bytes = (uint64_t)sb.st_size;
        r->files[f].format = "unknown";
    }
    if ((st = scan_plan_build(&plan, b, opt, err)) != CONTAM_OK)
        goto fail;
    if ((st = scan_corpus(&plan, files, nfiles, r, err)) != CONTAM_OK)
        goto fail;
    if ((st = scan_assess(&plan, r, err)) != CONTAM_OK)
        goto fail;
    for (size_t f = 0; f < nfiles; f++) {
        const scan_file_stats *fs = &r->files[f];
        r->docs += fs->docs;
        r->bytes += fs->bytes;
        r->raw_bytes += fs->raw_bytes;
        r->records += fs->records;
        r->bad_records += fs->bad_json + fs->missing_field;
    }
    scan_plan_free(&plan);
    *out = r;
    return CONTAM_OK;
oom:
    st = contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory");
fail:
    scan_plan_free(&plan);
    scan_result_free(r);
    return st;
}
