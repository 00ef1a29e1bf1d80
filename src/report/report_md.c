/* report_md.c - report.md: the summary of report.html as GitHub-flavoured
 * Markdown, short enough to paste into a pull request: the headline, one
 * row per method, the most affected subjects and items (ten each), one line
 * per later audit stage, and the command in a collapsed block. */
#include <stdio.h>
#include <string.h>

#include "report/report_view_internal.h"

#define MD_SUBJECTS 10

static void methods_table(rv_out *o, const rv_view *v)
{
    rv_raw(o, "| method | rule | dirty | rate | too short |\n|---|---|---:|---:|---:|\n");
    for (size_t m = 0; m < v->nm; m++) {
        const rv_counts *c = &v->total[m];
        char rule[300], pct[32];
        rv_rule_describe(&v->m[m], rule, sizeof rule);
        rv_pct(pct, sizeof pct, rv_rate(c->dirty, c->items));
        rv_raw(o, "| ");
        rv_md(o, v->m[m].name, 32);
        rv_raw(o, m == 0 ? " (split) | " : " | ");
        rv_md(o, rule, 300);
        rv_printf(o, " | %llu / %llu", (unsigned long long)c->dirty, (unsigned long long)c->items);
        if (v->m[m].rule == RV_COVERAGE)
            rv_printf(o, " (+%llu not_clean)", (unsigned long long)c->not_clean);
        rv_printf(o, " | %s | %llu |\n", pct, (unsigned long long)c->too_short);
    }
}

static void subjects(rv_out *o, const rv_view *v)
{
    const rv_group *gs = v->has_subjects ? v->subjects : v->files;
    size_t n = v->has_subjects ? v->nsubjects : v->nfiles, shown = 0, dirty = 0;
    if (!v->has_subjects && n < 2)
        return;
    for (size_t g = 0; g < n; g++)
        dirty += gs[g].c[0].dirty > 0;
    rv_printf(o, "\n### Most affected %s (%s)\n\n", v->has_subjects ? "subjects" : "files",
              v->m[0].name);
    if (!dirty) {
        rv_raw(o, "None: no dirty item.\n");
        return;
    }
    rv_printf(o, "| %s | dirty | rate |\n|---|---:|---:|\n",
              v->has_subjects ? "subject" : "file");
    for (size_t g = 0; g < n && shown < MD_SUBJECTS; g++) {
        if (!gs[g].c[0].dirty)
            continue;
        char pct[32];
        rv_pct(pct, sizeof pct, rv_rate(gs[g].c[0].dirty, gs[g].c[0].items));
        rv_raw(o, "| ");
        rv_md(o, v->has_subjects ? gs[g].name : rv_basename(gs[g].name), 80);
        rv_printf(o, " | %llu / %llu | %s |\n", (unsigned long long)gs[g].c[0].dirty,
                  (unsigned long long)gs[g].c[0].items, pct);
        shown++;
    }
    if (dirty > shown)
        rv_printf(o, "\n%zu more with dirty items in report.html.\n", dirty - shown);
}

static void items(rv_out *o, const rv_view *v)
{
    size_t n = v->ntop < RV_TOP_MD ? v->ntop : RV_TOP_MD;
    rv_raw(o, "\n### Most contaminated items\n\n");
    if (!n) {
        rv_raw(o, "No item shares any n-gram with the corpus.\n");
        return;
    }
    rv_raw(o, "| item | dirty under | overlap | longest | found in | text |\n"
              "|---|---:|---:|---:|---|---|\n");
    for (size_t k = 0; k < n; k++) {
        const cJSON *j = v->top[k].json, *m0 = cJSON_GetArrayItem(rv_get(j, "matches"), 0);
        char ov[32];
        rv_pct(ov, sizeof ov, rv_num(j, "overlap", 0));
        rv_raw(o, "| ");
        rv_md(o, rv_str(j, "id", "?"), 60);
        rv_printf(o, " | %u of %zu | %s | %llu | ", v->top[k].ndirty, v->nm, ov,
                  (unsigned long long)rv_u64(j, "longest"));
        if (m0) {
            char rec[48];
            rv_md(o, rv_basename(rv_str(m0, "file", "?")), 60);
            snprintf(rec, sizeof rec, ":%llu", (unsigned long long)rv_u64(m0, "record"));
            rv_raw(o, rec);
            if (rv_str(m0, "doc", NULL)) {
                rv_raw(o, " (");
                rv_md(o, rv_str(m0, "doc", ""), 40);
                rv_raw(o, ")");
            }
            rv_raw(o, " | ");
            rv_md(o, rv_str(m0, "words", ""), 70);
        } else {
            rv_raw(o, "\xe2\x80\x93 | ");
        }
        rv_raw(o, " |\n");
    }
    if (v->ncandidates > n)
        rv_printf(o, "\n%zu items with evidence in all; report.html shows %zu, items.jsonl all.\n",
                  v->ncandidates, v->ntop);
}

static void stages(rv_out *o, const rv_view *v)
{
    rv_raw(o, "\n### Other checks\n\n");
    const cJSON *d = v->duplicates, *l = v->lint, *im = v->impact;
    if (cJSON_IsObject(d))
        rv_printf(o, "- Duplicates: %llu groups (%llu exact, %llu near), %llu items, %llu with "
                     "conflicting labels.\n",
                  (unsigned long long)rv_u64(d, "groups"),
                  (unsigned long long)rv_u64(d, "exact_groups"),
                  (unsigned long long)rv_u64(d, "near_groups"),
                  (unsigned long long)rv_u64(d, "items_in_groups"),
                  (unsigned long long)rv_u64(d, "conflicting_groups"));
    else
        rv_raw(o, "- Duplicates: not run.\n");
    if (cJSON_IsObject(l)) {
        uint64_t sev[3] = {0, 0, 0};
        const cJSON *c;
        cJSON_ArrayForEach(c, rv_get(l, "by_check"))
        {
            const char *s = rv_str(c, "severity", "");
            int k = !strcmp(s, "error") ? 0 : !strcmp(s, "warning") ? 1 : 2;
            sev[k] += rv_u64(c, "count");
        }
        rv_printf(o, "- Lint: %llu findings (%llu errors, %llu warnings, %llu info).\n",
                  (unsigned long long)rv_u64(l, "findings"), (unsigned long long)sev[0],
                  (unsigned long long)sev[1], (unsigned long long)sev[2]);
    } else {
        rv_raw(o, "- Lint: not run.\n");
    }
    if (cJSON_IsObject(im)) {
        const cJSON *rows = rv_get(im, "rows"), *r;
        size_t n = (size_t)cJSON_GetArraySize(rows), flagged = 0;
        cJSON_ArrayForEach(r, rows)
        {
            const cJSON *f = rv_get(r, "flag");
            flagged += cJSON_IsTrue(f) || (cJSON_IsString(f) && *f->valuestring);
        }
        rv_printf(o, "- Impact: %zu rows, %zu flagged.\n", n, flagged);
        size_t k = 0;
        cJSON_ArrayForEach(r, rows)
        {
            if (k++ == 5)
                break;
            const cJSON *d2 = rv_get(r, "clean_minus_all");
            rv_raw(o, "  - ");
            rv_md(o, rv_str(r, "model", "?"), 60);
            rv_raw(o, " / ");
            rv_md(o, rv_str(r, "task", "?"), 60);
            if (rv_str(r, "subject", NULL)) {
                rv_raw(o, " / ");
                rv_md(o, rv_str(r, "subject", ""), 60);
            }
            rv_printf(o, ": all %.1f%%, clean %.1f%%", rv_num(r, "acc_all", 0) * 100,
                      rv_num(r, "acc_clean", 0) * 100);
            if (cJSON_IsNumber(d2))
                rv_printf(o, " (%+.1f pts)", d2->valuedouble * 100);
            rv_raw(o, "\n");
        }
    } else {
        rv_raw(o, "- Impact: not run.\n");
    }
}

/* The first input files of one kind with their hashes; report.json has all. */
static void input_list(rv_out *o, const char *kind, const cJSON *inputs)
{
    const size_t max = 5;
    size_t k = 0, n = (size_t)cJSON_GetArraySize(inputs);
    const cJSON *f;
    cJSON_ArrayForEach(f, inputs)
    {
        if (k++ == max)
            break;
        rv_printf(o, "- %s `%s` ", kind, rv_str(f, "xxh3_128", "-"));
        rv_md(o, rv_str(f, "path", "?"), 200);
        rv_raw(o, "\n");
    }
    if (n > max)
        rv_printf(o, "- ... %zu %s files in all (report.json)\n", n, kind);
}

int rv_render_md(const rv_view *v, contam_buf *out)
{
    rv_out o = {out, 0};
    const rv_counts *c = &v->total[0];
    const cJSON *corpus = rv_get(v->root, "corpus"), *splits = rv_get(v->root, "splits");
    char pct[32], bytes[32], docs[32];
    rv_pct(pct, sizeof pct, rv_rate(c->dirty, c->items));
    rv_bytes(bytes, sizeof bytes, rv_u64(corpus, "bytes"));
    rv_group_digits(docs, sizeof docs, rv_u64(corpus, "documents"));
    rv_raw(&o, "## Contamination audit: ");
    rv_md(&o, v->preset, 40);
    char ni[32], nd[32], ncl[32], ns[32];
    rv_group_digits(ni, sizeof ni, c->items);
    rv_group_digits(nd, sizeof nd, c->dirty);
    rv_group_digits(ncl, sizeof ncl, rv_u64(splits, "clean"));
    rv_group_digits(ns, sizeof ns, rv_u64(splits, "dirty"));
    rv_printf(&o, " benchmark, %s items\n\n", ni);
    rv_printf(&o, "**%s of %s items (%s) are dirty under %s**; clean/ has %s items, dirty/ %s.\n",
              nd, ni, pct, v->m[0].name, ncl, ns);
    rv_printf(&o, "Corpus: %llu files, %s documents, %s of text",
              (unsigned long long)rv_u64(corpus, "files"), docs, bytes);
    if (rv_u64(corpus, "bad_records"))
        rv_printf(&o, ", %llu bad records skipped", (unsigned long long)rv_u64(corpus, "bad_records"));
    if (rv_u64(corpus, "failed_files"))
        rv_printf(&o, ", **%llu files failed**", (unsigned long long)rv_u64(corpus, "failed_files"));
    rv_raw(&o, ". contam ");
    rv_md(&o, v->version, 20);
    rv_raw(&o, ", normalizer ");
    rv_md(&o, v->normalizer, 40);
    rv_raw(&o, ".\n\n");
    methods_table(&o, v);
    subjects(&o, v);
    items(&o, v);
    stages(&o, v);
    rv_raw(&o, "\n<details><summary>Reproduce</summary>\n\n```sh\n");
    contam_buf cmd = {0};
    if (rv_command(v, &cmd, 20))
        o.failed = 1;
    else
        rv_rawn(&o, cmd.ptr, cmd.size);
    contam_buf_free(&cmd);
    rv_raw(&o, "\n```\n\nInputs (xxh3-128):\n\n");
    input_list(&o, "benchmark", rv_get(rv_get(v->root, "benchmark"), "inputs"));
    input_list(&o, "corpus", rv_get(corpus, "inputs"));
    rv_raw(&o, "\n</details>\n");
    return o.failed ? -1 : 0;
}
