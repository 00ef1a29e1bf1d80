/* dedup_out.c - duplicates.jsonl (one object per group) and the report.json
 * "duplicates" section: totals, per-subject counts and example groups. */
#include <stdlib.h>
#include <string.h>

#include "quality/quality_internal.h"

#define DEDUP_EXAMPLES 20
#define ANSWER_EXCERPT 200

static void put_group(jsonw *w, const quality_dedup *d, const quality_dup_group *gr,
                      contam_buf *tmp)
{
    jw_begin_obj(w, NULL);
    jw_u64(w, "group", gr->id);
    jw_str(w, "kind", gr->exact ? "exact" : "near");
    jw_num(w, "similarity", gr->similarity);
    jw_bool(w, "conflicting_labels", gr->conflicting);
    jw_bool(w, "gold_differs", gr->gold_differs);
    jw_begin_arr(w, "members");
    for (size_t j = 0; j < gr->n; j++) {
        const quality_dup_member *m = &gr->m[j];
        const bench_set *b = d->sets[m->set];
        const bench_item *it = &b->items[m->item];
        jw_begin_obj(w, NULL);
        jw_str(w, "id", it->id);
        jw_str(w, "source", b->files[it->file].path);
        jw_u64(w, "record", it->record);
        jw_str(w, "subject", it->subject);
        jw_str(w, "label", it->label);
        quality_item_view v;
        quality_item_view_get(b, m->item, &v);
        contam_buf_reset(tmp);
        if (v.mc && v.gold_state == QUALITY_GOLD_OK && v.gold < QUALITY_MAX_OPTIONS) {
            if (q_excerpt(v.opt[v.gold], v.optlen[v.gold], ANSWER_EXCERPT, tmp))
                w->failed = 1;
            jw_str(w, "answer", tmp->ptr);
        }
        jw_str(w, "role", m->set ? "against" : "benchmark");
        jw_num(w, "similarity", m->similarity);
        jw_end_obj(w);
    }
    jw_end_arr(w);
    jw_end_obj(w);
}

int quality_dedup_jsonl(const quality_dedup *d, contam_buf *out)
{
    contam_buf tmp = {0};
    int failed = 0;
    for (size_t k = 0; k < d->ngroups && !failed; k++) {
        jsonw w;
        jw_init_ex(&w, out, 0, 0);
        put_group(&w, d, &d->groups[k], &tmp);
        failed = w.failed || contam_buf_puts(out, "\n");
    }
    contam_buf_free(&tmp);
    return failed ? -1 : 0;
}

typedef struct {
    const char *subject;
    uint32_t group;
    int conflicting;
} subj_ref;

static int cmp_subj(const void *a, const void *b)
{
    const subj_ref *x = a, *y = b;
    int c = strcmp(x->subject, y->subject);
    if (c)
        return c;
    return x->group < y->group ? -1 : x->group > y->group;
}

int quality_dedup_section(const quality_dedup *d, contam_buf *out, int depth)
{
    uint64_t exact = 0, conflicting = 0, differs = 0, in_groups = 0, repeated = 0, cross = 0,
             against = 0;
    size_t nref = 0;
    for (size_t k = 0; k < d->ngroups; k++) {
        const quality_dup_group *gr = &d->groups[k];
        exact += gr->exact;
        conflicting += gr->conflicting;
        differs += gr->gold_differs;
        size_t n0 = 0;
        for (size_t j = 0; j < gr->n; j++)
            n0 += gr->m[j].set == 0;
        in_groups += n0;
        repeated += n0 - 1;
        against += gr->n - n0;
        cross += gr->n > n0;
        nref += n0;
    }
    /* one (subject, group) entry per benchmark member; counted once per group */
    subj_ref *refs = contam_malloc((nref ? nref : 1) * sizeof *refs);
    if (!refs)
        return -1;
    size_t r = 0;
    for (size_t k = 0; k < d->ngroups; k++)
        for (size_t j = 0; j < d->groups[k].n; j++)
            if (d->groups[k].m[j].set == 0) {
                const char *s = d->sets[0]->items[d->groups[k].m[j].item].subject;
                refs[r++] = (subj_ref){s[0] ? s : "(none)", d->groups[k].id,
                                       d->groups[k].conflicting};
            }
    qsort(refs, nref, sizeof *refs, cmp_subj);
    jsonw w;
    jw_init_ex(&w, out, 1, depth);
    jw_begin_obj(&w, NULL);
    jw_u64(&w, "groups", d->ngroups);
    jw_u64(&w, "exact_groups", exact);
    jw_u64(&w, "near_groups", d->ngroups - exact);
    jw_u64(&w, "conflicting_groups", conflicting);
    jw_u64(&w, "gold_differs_groups", differs);
    jw_u64(&w, "items_in_groups", in_groups);
    jw_u64(&w, "repeated_items", repeated);
    jw_u64(&w, "cross_set_groups", cross);
    jw_u64(&w, "against_items_in_groups", against);
    jw_u64(&w, "question_groups", d->question_groups);
    jw_u64(&w, "repeated_questions", d->repeated_questions);
    jw_num(&w, "jaccard", d->opt.jaccard);
    jw_u64(&w, "shingle_words", d->opt.shingle);
    jw_begin_obj(&w, "minhash");
    jw_u64(&w, "hashes", QUALITY_MINHASH_K);
    jw_u64(&w, "bands", QUALITY_MINHASH_BANDS);
    jw_u64(&w, "rows", QUALITY_MINHASH_ROWS);
    jw_u64(&w, "candidate_pairs", d->candidates);
    jw_u64(&w, "near_pairs", d->near_pairs);
    jw_end_obj(&w);
    /* the other sets compared, with their checksums (audit's report.json has no
     * other place for them) */
    jw_begin_arr(&w, "against");
    for (size_t k = 1; k < d->nsets; k++) {
        const bench_set *b = d->sets[k];
        jw_begin_obj(&w, NULL);
        jw_str(&w, "preset", b->preset);
        jw_u64(&w, "items", b->nitems);
        jw_begin_arr(&w, "inputs");
        for (size_t f = 0; f < b->nfiles; f++) {
            jw_begin_obj(&w, NULL);
            jw_str(&w, "path", b->files[f].path);
            jw_str(&w, "xxh3_128", b->files[f].checksum);
            jw_u64(&w, "items", b->files[f].nitems);
            jw_end_obj(&w);
        }
        jw_end_arr(&w);
        jw_end_obj(&w);
    }
    jw_end_arr(&w);
    jw_begin_obj(&w, "by_subject");
    for (size_t a = 0; a < nref;) {
        size_t e = a;
        uint64_t groups = 0, confl = 0;
        while (e < nref && !strcmp(refs[e].subject, refs[a].subject)) {
            if (e == a || refs[e].group != refs[e - 1].group) {
                groups++;
                confl += refs[e].conflicting;
            }
            e++;
        }
        jw_begin_obj(&w, refs[a].subject);
        jw_u64(&w, "groups", groups);
        jw_u64(&w, "conflicting", confl);
        jw_end_obj(&w);
        a = e;
    }
    jw_end_obj(&w);
    /* conflicting groups first: they are the ones to read */
    contam_buf tmp = {0};
    jw_begin_arr(&w, "examples");
    size_t shown = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < d->ngroups && shown < DEDUP_EXAMPLES; k++)
            if (d->groups[k].conflicting == !pass) {
                put_group(&w, d, &d->groups[k], &tmp);
                shown++;
            }
    jw_end_arr(&w);
    jw_str(&w, "how",
           "exact: equal after collapsing whitespace; near: Jaccard of word-shingle sets "
           "(shingle_words words per shingle, WORD-normalized, per field) >= jaccard, "
           "candidates from MinHash LSH, every pair "
           "verified exactly; conflicting_labels: two members are the same item (question and set "
           "of options equal up to case, whitespace, quotes and trailing punctuation) with "
           "different gold answers; gold_differs: any two members' gold answers differ (near "
           "duplicates are often variants of a question). See docs/CHECKS.md.");
    jw_end_obj(&w);
    contam_buf_free(&tmp);
    contam_free(refs);
    return w.failed ? -1 : 0;
}
