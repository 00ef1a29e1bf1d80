/* join.c - joins lm-eval sample records to benchmark items by content, never
 * by position (lm-eval's doc_id is the row number of its own copy of the
 * dataset, which may be ordered, filtered or versioned differently). An
 * item's question, WORD-normalized, must equal one of the doc's string
 * fields; when several items share that question (MMLU repeats 198 question
 * texts), the one with most of its options among the doc's strings wins,
 * and exact copies are handed out in input order. */
#include <stdlib.h>
#include <string.h>

#include "quality/quality_internal.h"

typedef struct {
    uint64_t h;
    uint32_t item;
} qkey;

static int cmp_qkey(const void *a, const void *b)
{
    const qkey *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

static int has_leaf(const quality_sample *r, uint64_t h)
{
    for (uint32_t k = 0; k < r->nleaf; k++)
        if (r->leaf[k] == h)
            return 1;
    return 0;
}

contam_status quality_samples_join(quality_samples *s, const bench_set *b, contam_err *err)
{
    size_t n = b->nitems;
    qkey *keys = contam_malloc((n ? n : 1) * sizeof *keys);
    size_t *optoff = contam_malloc((n + 1) * sizeof *optoff);
    uint64_t *opth = NULL;
    uint8_t *used = contam_malloc(n ? n : 1);
    ngram_tokenizer *tk = q_word_tokenizer();
    size_t nopt = 0, cap = 0;
    if (!keys || !optoff || !used || !tk)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        const bench_item *it = &b->items[i];
        keys[i].item = (uint32_t)i;
        if (q_word_hash(tk, it->text, it->nseg ? it->seg[0].end : it->text_len, &keys[i].h))
            goto nomem;
        optoff[i] = nopt;
        for (size_t g = 1; g < it->nseg; g++) {
            if (nopt == cap) {
                size_t c = cap ? cap * 2 : 1024;
                uint64_t *v = contam_realloc(opth, c * sizeof *v);
                if (!v)
                    goto nomem;
                opth = v;
                cap = c;
            }
            if (q_word_hash(tk, it->text + it->seg[g].start, it->seg[g].end - it->seg[g].start,
                            &opth[nopt]))
                goto nomem;
            nopt++;
        }
    }
    optoff[n] = nopt;
    qsort(keys, n, sizeof *keys, cmp_qkey);
    for (size_t f = 0; f < s->nfiles; f++) {
        quality_samples_file *file = &s->files[f];
        memset(used, 0, n ? n : 1);
        file->matched = 0;
        for (size_t k = 0; k < file->nrec; k++) {
            quality_sample *r = &file->rec[k];
            r->item = -1;
            for (uint32_t l = 0; l < r->nleaf && r->item < 0; l++) {
                uint64_t h = r->leaf[l];
                size_t lo = 0, hi = n;
                while (lo < hi) { /* first key >= h */
                    size_t mid = lo + (hi - lo) / 2;
                    if (keys[mid].h < h)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                int best = -1, best_score = -1, best_used = 1;
                for (size_t e = lo; e < n && keys[e].h == h; e++) {
                    uint32_t it = keys[e].item;
                    int score = 0;
                    for (size_t o = optoff[it]; o < optoff[it + 1]; o++)
                        score += opth[o] && has_leaf(r, opth[o]);
                    /* more options matched wins; then an item not yet taken */
                    if (score > best_score || (score == best_score && best_used && !used[it])) {
                        best = (int)it;
                        best_score = score;
                        best_used = used[it];
                    }
                }
                if (best >= 0) {
                    r->item = best;
                    used[best] = 1;
                    file->matched++;
                }
            }
        }
    }
    s->joined = 1;
    contam_free(keys);
    contam_free(optoff);
    contam_free(opth);
    contam_free(used);
    ngram_tokenizer_free(tk);
    return CONTAM_OK;
nomem:
    contam_free(keys);
    contam_free(optoff);
    contam_free(opth);
    contam_free(used);
    ngram_tokenizer_free(tk);
    return contam_err_set(err, CONTAM_ERR_NOMEM, NULL, 0, "out of memory (joining samples)");
}
