/* evidence.c - label-error evidence from models' own answers (lm-eval
 * samples joined to items). Per model, confident learning (Northcutt et al.
 * 2021): the per-class threshold t_j is the model's mean probability of
 * choice j over the items whose gold is j; an item "confidently belongs" to
 * the choice j with the highest probability among those reaching t_j. An item
 * is flagged when at least min_models models confidently put it in the same
 * non-gold choice (C023), and, as a weaker signal, when every one of at least
 * min_models models gets it wrong (C024). Choices are positions in the
 * harness's choice order (the sample's target is the gold position). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quality/quality_internal.h"

#define EV_MAX_CHOICES 26

static size_t model_index(const quality_samples *s, const char *name)
{
    size_t lo = 0, hi = s->nmodels;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->models[mid], name);
        if (!c)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return s->nmodels;
}

static char letter(int k) { return k >= 0 && k < 26 ? (char)('A' + k) : '?'; }

int q_evidence(const bench_set *b, const quality_samples *s, unsigned min_models, q_add_fn add,
               void *user, size_t *nmodels)
{
    size_t nm = s->nmodels, n = b->nitems;
    *nmodels = nm;
    if (!nm || !n)
        return 0;
    const quality_sample **rec = contam_calloc(nm * n, sizeof *rec);
    int8_t *cl = contam_malloc(nm * n);
    double *thr = contam_malloc(nm * EV_MAX_CHOICES * sizeof *thr);
    contam_buf msg = {0};
    int rc = -1;
    if (!rec || !cl || !thr)
        goto out;
    for (size_t f = 0; f < s->nfiles; f++) {
        size_t m = model_index(s, s->files[f].model);
        for (size_t k = 0; k < s->files[f].nrec; k++) {
            const quality_sample *r = &s->files[f].rec[k];
            if (m < nm && r->item >= 0 && (size_t)r->item < n && !rec[m * n + (size_t)r->item])
                rec[m * n + (size_t)r->item] = r;
        }
    }
    /* per-class thresholds */
    for (size_t m = 0; m < nm; m++) {
        double sum[EV_MAX_CHOICES] = {0};
        size_t cnt[EV_MAX_CHOICES] = {0};
        for (size_t i = 0; i < n; i++) {
            const quality_sample *r = rec[m * n + i];
            if (r && r->gold >= 0 && r->gold < EV_MAX_CHOICES && (uint32_t)r->gold < r->nchoices) {
                sum[r->gold] += r->prob[r->gold];
                cnt[r->gold]++;
            }
        }
        for (size_t j = 0; j < EV_MAX_CHOICES; j++)
            thr[m * EV_MAX_CHOICES + j] = cnt[j] ? sum[j] / (double)cnt[j] : INFINITY;
    }
    /* each model's confident choice when it is not the gold one */
    for (size_t m = 0; m < nm; m++)
        for (size_t i = 0; i < n; i++) {
            const quality_sample *r = rec[m * n + i];
            cl[m * n + i] = -1;
            if (!r || r->gold < 0 || !r->nchoices)
                continue;
            int best = -1;
            for (uint32_t j = 0; j < r->nchoices && j < EV_MAX_CHOICES; j++)
                if (r->prob[j] >= thr[m * EV_MAX_CHOICES + j] &&
                    (best < 0 || r->prob[j] > r->prob[best]))
                    best = (int)j;
            if (best >= 0 && best != r->gold)
                cl[m * n + i] = (int8_t)best;
        }
    for (size_t i = 0; i < n; i++) {
        unsigned with = 0, wrong = 0, tally[EV_MAX_CHOICES] = {0};
        int gold = -1;
        for (size_t m = 0; m < nm; m++) {
            const quality_sample *r = rec[m * n + i];
            if (!r)
                continue;
            with++;
            wrong += r->correct <= 0;
            if (gold < 0)
                gold = r->gold;
            if (cl[m * n + i] >= 0)
                tally[(int)cl[m * n + i]]++;
        }
        int top = -1;
        for (int j = 0; j < EV_MAX_CHOICES; j++)
            if (tally[j] && (top < 0 || tally[j] > tally[top]))
                top = j;
        if (top >= 0 && tally[top] >= min_models) {
            contam_buf_reset(&msg);
            if (contam_buf_printf(&msg, "%u of %u models confidently choose %c over the gold %c (",
                                  tally[top], with, letter(top), letter(gold)))
                goto out;
            unsigned listed = 0;
            for (size_t m = 0; m < nm; m++)
                if (rec[m * n + i] && cl[m * n + i] == top &&
                    contam_buf_printf(&msg, "%s%s p=%.2f >= %.2f", listed++ ? ", " : "",
                                      s->models[m], rec[m * n + i]->prob[top],
                                      thr[m * EV_MAX_CHOICES + top]))
                    goto out;
            if (contam_buf_puts(&msg, ")") || add((uint32_t)i, QC_MODELS_AGREE, msg.ptr, user))
                goto out;
        }
        if (with >= min_models && wrong == with) {
            contam_buf_reset(&msg);
            if (contam_buf_printf(&msg, "all %u models answer it wrong", with))
                goto out;
            unsigned listed = 0;
            for (size_t m = 0; m < nm; m++) {
                const quality_sample *r = rec[m * n + i];
                if (r && r->pred >= 0 &&
                    contam_buf_printf(&msg, "%s%s chose %c", listed++ ? ", " : " (",
                                      s->models[m], letter(r->pred)))
                    goto out;
            }
            if ((listed && contam_buf_printf(&msg, "; gold %c)", letter(gold))) ||
                add((uint32_t)i, QC_ALL_WRONG, msg.ptr, user))
                goto out;
        }
    }
    rc = 0;
out:
    contam_free(rec);
    contam_free(cl);
    contam_free(thr);
    contam_buf_free(&msg);
    return rc;
}
