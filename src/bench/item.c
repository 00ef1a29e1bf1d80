/* item.c - building one benchmark item (text segments tagged question or
 * answer, id, subject, label) and the small string rules the presets share:
 * JSON-style number formatting, label transforms and file stems. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench_internal.h"

const char *bench_part_name(bench_part p)
{
    return p == BENCH_PART_ANSWER ? "answer" : "question";
}

bench_part bench_item_part_at(const bench_item *it, size_t off)
{
    size_t lo = 0, hi = it->nseg;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (off < it->seg[mid].start)
            hi = mid;
        else if (off >= it->seg[mid].end)
            lo = mid + 1;
        else
            return (bench_part)it->seg[mid].part;
    }
    return BENCH_PART_QUESTION;
}

void bench_text_reset(bench_loader *L)
{
    contam_buf_reset(&L->text);
    L->nseg = 0;
}

int bench_text_add(bench_loader *L, const char *s, size_t n, bench_part part)
{
    if (contam_array_grow(&L->seg, &L->segcap, L->nseg + 1, sizeof *L->seg, 8))
        return -1;
    if (L->nseg && contam_buf_append(&L->text, "\n", 1))
        return -1;
    /* Segment offsets are uint32_t: a benchmark item is never 4 GiB. */
    if (L->text.size + n > UINT32_MAX)
        return -1;
    bench_segment *sg = &L->seg[L->nseg];
    sg->start = (uint32_t)L->text.size;
    if (contam_buf_append(&L->text, s, n))
        return -1;
    sg->end = (uint32_t)L->text.size;
    sg->part = (uint8_t)part;
    L->nseg++;
    return 0;
}

void bench_item_release(bench_item *it)
{
    contam_free(it->id);
    contam_free(it->subject);
    contam_free(it->label);
    contam_free(it->text);
    contam_free(it->seg);
    memset(it, 0, sizeof *it);
}

contam_status bench_item_push(bench_loader *L, const bench_item_meta *m, contam_err *err)
{
    bench_set *set = L->set;
    const char *path = set->files[m->file].path;
    if (set->nitems == L->icap) {
        size_t cap = L->icap ? L->icap * 2 : 256;
        bench_item *v = contam_realloc(set->items, cap * sizeof *v);
        if (!v)
            return contam_err_set(err, CONTAM_ERR_NOMEM, path, m->line, "out of memory");
        set->items = v;
        L->icap = cap;
    }
    char idbuf[sizeof L->stem + 32];
    const char *id = m->id;
    if (!id) {
        snprintf(idbuf, sizeof idbuf, "%s:%llu", L->stem, (unsigned long long)m->record);
        id = idbuf;
    }
    bench_item it = {0};
    it.id = contam_strdup(id);
    it.subject = contam_strdup(m->subject ? m->subject : "");
    it.label = contam_strdup(m->label ? m->label : "");
    it.text = contam_strndup(L->text.size ? L->text.ptr : "", L->text.size);
    it.text_len = L->text.size;
    it.nseg = L->nseg;
    it.seg = contam_malloc(L->nseg * sizeof *it.seg);
    if (!it.id || !it.subject || !it.label || !it.text || !it.seg) {
        bench_item_release(&it);
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, m->line, "out of memory");
    }
    if (L->nseg)
        memcpy(it.seg, L->seg, L->nseg * sizeof *it.seg);
    it.file = m->file;
    it.record = m->record;
    it.line = m->line;
    it.raw_off = m->raw_off;
    it.raw_len = m->raw_len;
    set->items[set->nitems++] = it;
    set->files[m->file].nitems++;
    return CONTAM_OK;
}

void bench_fmt_number(double d, char out[32])
{
    if (!isfinite(d)) {
        snprintf(out, 32, "null");
        return;
    }
    if (d == floor(d) && fabs(d) < 1e15) {
        snprintf(out, 32, "%.0f", d);
        return;
    }
    /* Shortest of the two precisions that reads back as the same double. */
    snprintf(out, 32, "%.15g", d);
    double back;
    if (sscanf(out, "%lg", &back) != 1 || back != d)
        snprintf(out, 32, "%.17g", d);
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

const char *bench_label_transform(bench_loader *L, bench_label_kind k, const char *s, size_t n)
{
    if (k == BENCH_LABEL_AFTER_HASHES) {
        const char *last = NULL;
        for (const char *h = s; h + 4 <= s + n; h++)
            if (memcmp(h, "####", 4) == 0)
                last = h;
        if (!last)
            return "";
        const char *b = last + 4, *e = s + n;
        while (b < e && is_ws(*b))
            b++;
        while (e > b && is_ws(e[-1]))
            e--;
        s = b;
        n = (size_t)(e - b);
    } else if (k == BENCH_LABEL_LETTER && n > 0 && n <= 2) {
        /* A numeric answer index stored as a string, e.g. "2" -> "C". */
        unsigned v = 0;
        size_t i = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == n && v < 26) {
            char c = (char)('A' + v);
            contam_buf_reset(&L->tmp);
            return contam_buf_append(&L->tmp, &c, 1) ? NULL : L->tmp.ptr;
        }
    }
    contam_buf_reset(&L->tmp);
    if (contam_buf_append(&L->tmp, s, n))
        return NULL;
    return L->tmp.ptr;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n > k && memcmp(s + n - k, suf, k) == 0;
}

void bench_path_stem(const char *path, char *out, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    static const char *const zsuf[] = {".gz", ".zst", ".zstd"};
    for (size_t i = 0; i < sizeof zsuf / sizeof zsuf[0]; i++)
        if (ends_with(base, n, zsuf[i])) {
            n -= strlen(zsuf[i]);
            break;
        }
    for (size_t i = n; i > 1; i--)
        if (base[i - 1] == '.') {
            n = i - 1;
            break;
        }
    snprintf(out, cap, "%.*s", (int)n, base);
}

void bench_stem_subject(const char *stem, char *out, size_t cap)
{
    size_t n = strlen(stem);
    static const char *const split[] = {"_test", "_val", "_dev", "_train"};
    for (size_t i = 0; i < sizeof split / sizeof split[0]; i++)
        if (ends_with(stem, n, split[i])) {
            n -= strlen(split[i]);
            break;
        }
    snprintf(out, cap, "%.*s", (int)n, stem);
}

