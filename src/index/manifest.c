/* manifest.c - manifest.json: what an index is (parameters, layout, counts,
 * partitions with checksums, every corpus file). Written with cJSON in a
 * fixed member order and without timestamps, so two builds of the same
 * corpus with the same parameters have byte-identical manifests (build times
 * go to build.json). Parsing checks every field: a damaged or foreign
 * manifest is an error, never a guess. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "index/index_accum.h"
#include "io/io.h"

void index_meta_free(index_meta *m)
{
    if (!m)
        return;
    contam_free(m->text_field);
    for (size_t k = 0; k < m->nfiles; k++)
        contam_free(m->files[k].path);
    contam_free(m->files);
    contam_free(m->parts);
    memset(m, 0, sizeof *m);
}

unsigned idx_ord_bits(uint64_t records)
{
    unsigned b = 1;
    while (b < 64 && (UINT64_C(1) << b) < records)
        b++;
    return b;
}

static unsigned log2u(unsigned p)
{
    unsigned b = 0;
    while (b < 31 && (1u << b) < p) /* 1u << 32 is undefined */
        b++;
    return b;
}

uint64_t idx_params_hash(const index_meta *m)
{
    char s[512];
    int len = snprintf(s, sizeof s,
                       "contam-index/%d;n=%u;unit=%s;norm=%s;hash=%s;seed=%016llx;digits=%s;"
                       "text_field=%s;fp_bits=%u;df=%d;prov=%d;partitions=%u;block_keys=%u",
                       INDEX_FORMAT_VERSION, m->n, ngram_unit_name(m->unit), m->normalizer,
                       m->hash_scheme, (unsigned long long)m->seed,
                       m->digits_zero ? "zero" : "keep", m->text_field ? m->text_field : "",
                       m->fp_bits, m->has_df, m->has_provenance, m->partitions, m->block_keys);
    if (len < 0)
        len = 0;
    return XXH3_64bits(s, (size_t)len < sizeof s ? (size_t)len : sizeof s - 1);
}

void idx_layout_from_meta(const index_meta *m, idx_layout *l)
{
    memset(l, 0, sizeof *l);
    l->partitions = m->partitions;
    l->pbits = log2u(m->partitions);
    l->fp_bits = m->fp_bits;
    l->flags = (m->has_df ? IDX_FLAG_DF : 0) | (m->has_provenance ? IDX_FLAG_PROV : 0);
    l->block_keys = m->block_keys;
    l->ord_bits = m->has_provenance ? idx_ord_bits(m->records) : 0;
    l->params_hash = idx_params_hash(m);
}

int idx_params_differ(const index_meta *a, const index_meta *b, char *why, size_t cap)
{
    if (a->n != b->n)
        snprintf(why, cap, "n: %u vs %u", a->n, b->n);
    else if (a->unit != b->unit)
        snprintf(why, cap, "unit: %s vs %s", ngram_unit_name(a->unit), ngram_unit_name(b->unit));
    else if (strcmp(a->normalizer, b->normalizer))
        snprintf(why, cap, "normalizer: %s vs %s", a->normalizer, b->normalizer);
    else if (strcmp(a->hash_scheme, b->hash_scheme))
        snprintf(why, cap, "hash scheme differs");
    else if (a->seed != b->seed)
        snprintf(why, cap, "seed: 0x%016llx vs 0x%016llx", (unsigned long long)a->seed,
                 (unsigned long long)b->seed);
    else if (a->digits_zero != b->digits_zero)
        snprintf(why, cap, "digits: %s vs %s", a->digits_zero ? "zero" : "keep",
                 b->digits_zero ? "zero" : "keep");
    else if (strcmp(a->text_field ? a->text_field : "", b->text_field ? b->text_field : ""))
        snprintf(why, cap, "text field: %s vs %s", a->text_field, b->text_field);
    else if (a->has_df != b->has_df)
        snprintf(why, cap, "document frequencies (--df): %s vs %s", a->has_df ? "yes" : "no",
                 b->has_df ? "yes" : "no");
    else if (a->has_provenance != b->has_provenance)
        snprintf(why, cap, "provenance (--provenance): %s vs %s",
                 a->has_provenance ? "yes" : "no", b->has_provenance ? "yes" : "no");
    else if (a->partitions != b->partitions)
        snprintf(why, cap, "partitions: %u vs %u", a->partitions, b->partitions);
    else if (a->block_keys != b->block_keys)
        snprintf(why, cap, "block keys: %u vs %u", a->block_keys, b->block_keys);
    else if (a->fp_bits != b->fp_bits)
        snprintf(why, cap, "fingerprint bits: %u vs %u (build every part with the same --fp-bits)",
                 a->fp_bits, b->fp_bits);
    else
        return 0;
    return 1;
}

contam_status idx_meta_copy_params(index_meta *dst, const index_meta *src)
{
    dst->format_version = src->format_version;
    memcpy(dst->tool, src->tool, sizeof dst->tool);
    dst->n = src->n;
    dst->unit = src->unit;
    memcpy(dst->normalizer, src->normalizer, sizeof dst->normalizer);
    memcpy(dst->hash_scheme, src->hash_scheme, sizeof dst->hash_scheme);
    dst->seed = src->seed;
    dst->digits_zero = src->digits_zero;
    dst->has_df = src->has_df;
    dst->has_provenance = src->has_provenance;
    dst->partitions = src->partitions;
    dst->block_keys = src->block_keys;
    dst->fp_bits = src->fp_bits;
    contam_free(dst->text_field);
    dst->text_field = contam_strdup(src->text_field ? src->text_field : "");
    return dst->text_field ? CONTAM_OK : CONTAM_ERR_NOMEM;
}

/* ---- writing ---------------------------------------------------------------------- */

int idx_json_add_num(cJSON *o, const char *k, double v)
{
    /* Integers exactly: cJSON prints 15 significant digits whenever they
     * equal v within a relative epsilon, which drops the last units of
     * counts past about 4.5e15 (readers accept up to 2^53). Below 1e15 the
     * text is the same as cJSON's. */
    if (v >= 0 && v <= 9007199254740992.0 && v == floor(v)) {
        char s[24];
        snprintf(s, sizeof s, "%.0f", v);
        return cJSON_AddRawToObject(o, k, s) ? 0 : -1;
    }
    return cJSON_AddNumberToObject(o, k, v) ? 0 : -1;
}
static int add_num(cJSON *o, const char *k, double v)
{
    return idx_json_add_num(o, k, v);
}
static int add_str(cJSON *o, const char *k, const char *v)
{
    return cJSON_AddStringToObject(o, k, v) ? 0 : -1;
}

cJSON *idx_file_json(const index_file *f)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON *bad = NULL;
    int rc = add_str(o, "path", f->path) || add_str(o, "xxh3_128", f->checksum) ||
             add_str(o, "format", f->format) || add_num(o, "raw_bytes", (double)f->raw_bytes) ||
             add_num(o, "bytes", (double)f->bytes) || add_num(o, "records", (double)f->records) ||
             add_num(o, "documents", (double)f->docs) ||
             add_num(o, "first_record", (double)f->first_record) ||
             add_num(o, "bad_json", (double)f->bad_json) ||
             add_num(o, "missing_field", (double)f->missing_field) ||
             add_num(o, "invalid_utf8", (double)f->invalid_utf8) ||
             add_num(o, "blank", (double)f->blank) ||
             !(bad = cJSON_AddArrayToObject(o, "bad_records"));
    for (size_t k = 0; !rc && k < f->nbad; k++) {
        cJSON *b = cJSON_CreateObject();
        if (!b || !cJSON_AddItemToArray(bad, b) || add_num(b, "line", (double)f->bad[k].line) ||
            add_str(b, "reason", f->bad[k].reason))
            rc = -1;
    }
    if (rc) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *manifest_json(const index_meta *m)
{
    cJSON *root = cJSON_CreateObject(), *o;
    char seed[24], tool[48];
    snprintf(seed, sizeof seed, "0x%016llx", (unsigned long long)m->seed);
    snprintf(tool, sizeof tool, "contam %s", CONTAM_VERSION);
    if (!root || add_str(root, "format", IDX_FORMAT_NAME) ||
        add_num(root, "format_version", INDEX_FORMAT_VERSION) || add_str(root, "tool", tool))
        goto fail;
    if (!(o = cJSON_AddObjectToObject(root, "params")) || add_num(o, "n", m->n) ||
        add_str(o, "unit", ngram_unit_name(m->unit)) || add_str(o, "normalizer", m->normalizer) ||
        add_str(o, "hash_scheme", m->hash_scheme) || add_str(o, "seed", seed) ||
        add_str(o, "digits", m->digits_zero ? "zero" : "keep") ||
        add_str(o, "text_field", m->text_field ? m->text_field : ""))
        goto fail;
    if (!(o = cJSON_AddObjectToObject(root, "keys")) || add_num(o, "fingerprint_bits", m->fp_bits) ||
        add_num(o, "false_match_rate", m->false_match_rate) ||
        !cJSON_AddBoolToObject(o, "df", m->has_df) ||
        add_num(o, "df_saturation", m->has_df ? (double)IDX_DF_MAX : 1) ||
        !cJSON_AddBoolToObject(o, "provenance", m->has_provenance) ||
        add_num(o, "record_bits", m->has_provenance ? idx_ord_bits(m->records) : 0))
        goto fail;
    if (!(o = cJSON_AddObjectToObject(root, "layout")) || add_num(o, "partitions", m->partitions) ||
        add_num(o, "block_keys", m->block_keys))
        goto fail;
    if (!(o = cJSON_AddObjectToObject(root, "counts")) || add_num(o, "files", (double)m->nfiles) ||
        add_num(o, "records", (double)m->records) || add_num(o, "documents", (double)m->docs) ||
        add_num(o, "bytes", (double)m->bytes) || add_num(o, "raw_bytes", (double)m->raw_bytes) ||
        add_num(o, "tokens", (double)m->tokens) || add_num(o, "windows", (double)m->windows) ||
        add_num(o, "keys", (double)m->keys) || add_num(o, "index_bytes", (double)m->index_bytes))
        goto fail;
    cJSON *arr = cJSON_AddArrayToObject(root, "partitions");
    if (!arr)
        goto fail;
    for (unsigned p = 0; p < m->partitions; p++) {
        cJSON *e = cJSON_CreateObject();
        if (!e || !cJSON_AddItemToArray(arr, e) || add_str(e, "name", m->parts[p].name) ||
            add_num(e, "keys", (double)m->parts[p].keys) ||
            add_num(e, "bytes", (double)m->parts[p].bytes) ||
            add_str(e, "xxh3_128", m->parts[p].checksum))
            goto fail;
    }
    if (!(arr = cJSON_AddArrayToObject(root, "corpus")))
        goto fail;
    for (size_t k = 0; k < m->nfiles; k++) {
        cJSON *e = idx_file_json(&m->files[k]);
        if (!e || !cJSON_AddItemToArray(arr, e)) {
            cJSON_Delete(e);
            goto fail;
        }
    }
    return root;
fail:
    cJSON_Delete(root);
    return NULL;
}

contam_status idx_manifest_write(const char *path, const index_meta *m, contam_err *err)
{
    cJSON *root = manifest_json(m);
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory writing manifest");
    size_t len = strlen(text);
    contam_buf b = {0};
    contam_status st;
    if (contam_buf_append(&b, text, len) || contam_buf_append(&b, "\n", 1))
        st = contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory writing manifest");
    else
        st = io_write_atomic(path, b.ptr, b.size, err);
    contam_buf_free(&b);
    cJSON_free(text);
    return st;
}

/* ---- parsing ------------------------------------------------------------------------ */

typedef struct {
    const char *path;
    contam_err *err;
    int failed;
} pctx;

static contam_status field_err(pctx *c, const char *name)
{
    c->failed = 1;
    return contam_err_set(c->err, CONTAM_ERR_FORMAT, c->path, 0,
                          "missing or invalid field '%s' in the index manifest", name);
}

static const cJSON *get(pctx *c, const cJSON *o, const char *name, const char *dotted)
{
    const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
    if (!v && !c->failed)
        field_err(c, dotted);
    return v;
}

static uint64_t get_u64(pctx *c, const cJSON *o, const char *name, const char *dotted)
{
    const cJSON *v = get(c, o, name, dotted);
    if (!v)
        return 0;
    double d = v->valuedouble;
    if (!cJSON_IsNumber(v) || d < 0 || d > 9007199254740992.0 || d != floor(d)) {
        if (!c->failed)
            field_err(c, dotted);
        return 0;
    }
    return (uint64_t)d;
}

/* Saturates: a value past 32 bits must fail the caller's range check, not
 * wrap into it (2^32 + 16 partitions is no 16). */
static unsigned get_uint(pctx *c, const cJSON *o, const char *name, const char *dotted)
{
    uint64_t v = get_u64(c, o, name, dotted);
    return v > UINT_MAX ? UINT_MAX : (unsigned)v;
}

static const char *get_str(pctx *c, const cJSON *o, const char *name, const char *dotted)
{
    const cJSON *v = get(c, o, name, dotted);
    if (v && (!cJSON_IsString(v) || !v->valuestring)) {
        if (!c->failed)
            field_err(c, dotted);
        return "";
    }
    return v ? v->valuestring : "";
}

static int get_bool(pctx *c, const cJSON *o, const char *name, const char *dotted)
{
    const cJSON *v = get(c, o, name, dotted);
    if (v && !cJSON_IsBool(v)) {
        if (!c->failed)
            field_err(c, dotted);
        return 0;
    }
    return v ? cJSON_IsTrue(v) : 0;
}

static int copy_str(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        return -1;
    memcpy(dst, s, n + 1);
    return 0;
}

static int is_hex32(const char *s)
{
    if (strlen(s) != 32)
        return 0;
    for (int i = 0; i < 32; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static void parse_file(pctx *c, const cJSON *e, index_file *f)
{
    const char *path = get_str(c, e, "path", "corpus[].path");
    const char *sum = get_str(c, e, "xxh3_128", "corpus[].xxh3_128");
    const char *fmt = get_str(c, e, "format", "corpus[].format");
    if (c->failed)
        return;
    if (!*path || (!is_hex32(sum) && *sum) || copy_str(f->checksum, sizeof f->checksum, sum) ||
        copy_str(f->format, sizeof f->format, fmt)) {
        field_err(c, "corpus[]");
        return;
    }
    f->raw_bytes = get_u64(c, e, "raw_bytes", "corpus[].raw_bytes");
    f->bytes = get_u64(c, e, "bytes", "corpus[].bytes");
    f->records = get_u64(c, e, "records", "corpus[].records");
    f->docs = get_u64(c, e, "documents", "corpus[].documents");
    f->first_record = get_u64(c, e, "first_record", "corpus[].first_record");
    f->bad_json = get_u64(c, e, "bad_json", "corpus[].bad_json");
    f->missing_field = get_u64(c, e, "missing_field", "corpus[].missing_field");
    f->invalid_utf8 = get_u64(c, e, "invalid_utf8", "corpus[].invalid_utf8");
    f->blank = get_u64(c, e, "blank", "corpus[].blank");
    const cJSON *bad = get(c, e, "bad_records", "corpus[].bad_records");
    if (c->failed)
        return;
    if (!cJSON_IsArray(bad) || cJSON_GetArraySize(bad) > 20) {
        field_err(c, "corpus[].bad_records");
        return;
    }
    const cJSON *b;
    cJSON_ArrayForEach(b, bad)
    {
        f->bad[f->nbad].line = get_u64(c, b, "line", "corpus[].bad_records[].line");
        const char *why = get_str(c, b, "reason", "corpus[].bad_records[].reason");
        if (c->failed)
            return;
        snprintf(f->bad[f->nbad].reason, sizeof f->bad[0].reason, "%s", why);
        f->nbad++;
    }
    if (!(f->path = contam_strdup(path)))
        c->failed = 2;
}

int idx_file_parse(const cJSON *e, index_file *f)
{
    contam_err dummy;
    pctx c = {"journal", &dummy, 0};
    memset(f, 0, sizeof *f);
    parse_file(&c, e, f);
    if (c.failed) {
        contam_free(f->path);
        f->path = NULL;
        return c.failed == 2 ? -2 : -1;
    }
    return 0;
}

contam_status idx_manifest_parse(const char *text, size_t len, const char *path,
                                 index_meta *m, contam_err *err)
{
    memset(m, 0, sizeof *m);
    pctx c = {path, err, 0};
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        void *probe = contam_malloc(64);
        contam_free(probe);
        if (!probe)
            return contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory");
        return contam_err_set(err, CONTAM_ERR_FORMAT, path, 0,
                              "index manifest is not valid JSON (near byte %zu)",
                              end && end >= text ? (size_t)(end - text) : 0);
    }
    contam_status st = CONTAM_OK;
    /* Whitespace may follow the document, nothing else: a manifest with
     * another behind it was not written by contam. */
    for (const char *q = end; q && q < text + len; q++)
        if (*q != ' ' && *q != '\t' && *q != '\n' && *q != '\r') {
            st = contam_err_set(err, CONTAM_ERR_FORMAT, path, 0,
                                "index manifest has bytes after its JSON (at byte %zu)",
                                (size_t)(q - text));
            goto done;
        }
    const char *fmt = get_str(&c, root, "format", "format");
    if (!c.failed && strcmp(fmt, IDX_FORMAT_NAME)) {
        st = contam_err_set(err, CONTAM_ERR_FORMAT, path, 0, "not a contam index manifest");
        goto done;
    }
    uint64_t version = get_u64(&c, root, "format_version", "format_version");
    if (c.failed)
        goto fail;
    if (version != INDEX_FORMAT_VERSION) {
        st = contam_err_set(err, CONTAM_ERR_FORMAT, path, 0,
                            "index format version %llu is %s than this contam supports (%d)%s",
                            (unsigned long long)version,
                            version > INDEX_FORMAT_VERSION ? "newer" : "older",
                            INDEX_FORMAT_VERSION,
                            version > INDEX_FORMAT_VERSION ? "; upgrade contam" : "");
        goto done;
    }
    m->format_version = (unsigned)version;
    if (copy_str(m->tool, sizeof m->tool, get_str(&c, root, "tool", "tool")) && !c.failed)
        field_err(&c, "tool");
    const cJSON *p = get(&c, root, "params", "params");
    uint64_t n = get_u64(&c, p, "n", "params.n");
    const char *unit = get_str(&c, p, "unit", "params.unit");
    const char *norm = get_str(&c, p, "normalizer", "params.normalizer");
    const char *hs = get_str(&c, p, "hash_scheme", "params.hash_scheme");
    const char *seed = get_str(&c, p, "seed", "params.seed");
    const char *digits = get_str(&c, p, "digits", "params.digits");
    const char *tf = get_str(&c, p, "text_field", "params.text_field");
    if (c.failed)
        goto fail;
    m->n = (unsigned)n;
    int u = -1;
    for (int k = 0; k < 3; k++)
        if (!strcmp(unit, ngram_unit_name((ngram_unit)k)))
            u = k;
    char *seed_end = NULL;
    unsigned long long sv = strncmp(seed, "0x", 2) ? 0 : strtoull(seed + 2, &seed_end, 16);
    if (n < 1 || n > 1000) {
        field_err(&c, "params.n");
    } else if (u < 0) {
        field_err(&c, "params.unit");
    } else if (copy_str(m->normalizer, sizeof m->normalizer, norm) ||
               copy_str(m->hash_scheme, sizeof m->hash_scheme, hs)) {
        field_err(&c, "params.normalizer");
    } else if (strlen(seed) != 18 || !seed_end || *seed_end) {
        field_err(&c, "params.seed");
    } else if (strcmp(digits, "keep") && strcmp(digits, "zero")) {
        field_err(&c, "params.digits");
    }
    if (c.failed)
        goto fail;
    m->unit = (ngram_unit)u;
    m->seed = sv;
    m->digits_zero = !strcmp(digits, "zero");
    if (!(m->text_field = contam_strdup(tf)))
        goto oom;
    const cJSON *k = get(&c, root, "keys", "keys");
    m->fp_bits = get_uint(&c, k, "fingerprint_bits", "keys.fingerprint_bits");
    m->has_df = get_bool(&c, k, "df", "keys.df");
    m->has_provenance = get_bool(&c, k, "provenance", "keys.provenance");
    const cJSON *l = get(&c, root, "layout", "layout");
    m->partitions = get_uint(&c, l, "partitions", "layout.partitions");
    m->block_keys = get_uint(&c, l, "block_keys", "layout.block_keys");
    const cJSON *cn = get(&c, root, "counts", "counts");
    uint64_t nfiles = get_u64(&c, cn, "files", "counts.files");
    m->records = get_u64(&c, cn, "records", "counts.records");
    m->docs = get_u64(&c, cn, "documents", "counts.documents");
    m->bytes = get_u64(&c, cn, "bytes", "counts.bytes");
    m->raw_bytes = get_u64(&c, cn, "raw_bytes", "counts.raw_bytes");
    m->tokens = get_u64(&c, cn, "tokens", "counts.tokens");
    m->windows = get_u64(&c, cn, "windows", "counts.windows");
    m->keys = get_u64(&c, cn, "keys", "counts.keys");
    m->index_bytes = get_u64(&c, cn, "index_bytes", "counts.index_bytes");
    if (c.failed)
        goto fail;
    unsigned pbits = log2u(m->partitions);
    if (m->partitions < 1 || m->partitions > INDEX_MAX_PARTITIONS ||
        (1u << pbits) != m->partitions) {
        field_err(&c, "layout.partitions");
        goto fail;
    }
    if (m->block_keys < 1 || m->block_keys > (1u << 20)) {
        field_err(&c, "layout.block_keys");
        goto fail;
    }
    if (m->fp_bits < pbits || m->fp_bits > 64 || m->fp_bits < 8) {
        field_err(&c, "keys.fingerprint_bits");
        goto fail;
    }
    m->false_match_rate = ldexp((double)m->keys, -(int)m->fp_bits);
    const cJSON *parts = get(&c, root, "partitions", "partitions");
    if (c.failed)
        goto fail;
    if (!cJSON_IsArray(parts) || cJSON_GetArraySize(parts) != (int)m->partitions) {
        field_err(&c, "partitions");
        goto fail;
    }
    if (!(m->parts = contam_calloc(m->partitions, sizeof *m->parts)))
        goto oom;
    uint64_t keysum = 0;
    for (unsigned q = 0; q < m->partitions; q++) {
        const cJSON *e = cJSON_GetArrayItem(parts, (int)q);
        index_part *ip = &m->parts[q];
        const char *name = get_str(&c, e, "name", "partitions[].name");
        ip->keys = get_u64(&c, e, "keys", "partitions[].keys");
        ip->bytes = get_u64(&c, e, "bytes", "partitions[].bytes");
        const char *sum = get_str(&c, e, "xxh3_128", "partitions[].xxh3_128");
        if (c.failed)
            goto fail;
        char want[32];
        snprintf(want, sizeof want, "part-%04u.cidx", q);
        if (strcmp(name, want) || !is_hex32(sum)) {
            field_err(&c, "partitions[]");
            goto fail;
        }
        memcpy(ip->name, want, strlen(want) + 1);
        memcpy(ip->checksum, sum, 33);
        keysum += ip->keys;
    }
    if (keysum != m->keys) {
        field_err(&c, "counts.keys");
        goto fail;
    }
    const cJSON *corpus = get(&c, root, "corpus", "corpus");
    if (c.failed)
        goto fail;
    if (!cJSON_IsArray(corpus) || (uint64_t)cJSON_GetArraySize(corpus) != nfiles) {
        field_err(&c, "corpus");
        goto fail;
    }
    if (nfiles && !(m->files = contam_calloc((size_t)nfiles, sizeof *m->files)))
        goto oom;
    uint64_t next = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, corpus)
    {
        index_file *f = &m->files[m->nfiles];
        parse_file(&c, e, f);
        if (c.failed == 2)
            goto oom;
        if (c.failed)
            goto fail;
        m->nfiles++;
        if (f->first_record != next) {
            field_err(&c, "corpus[].first_record");
            goto fail;
        }
        next += f->records;
    }
    if (next != m->records) {
        field_err(&c, "counts.records");
        goto fail;
    }
    goto done;
oom:
    st = contam_err_set(err, CONTAM_ERR_NOMEM, path, 0, "out of memory reading the manifest");
    goto done;
fail:
    st = CONTAM_ERR_FORMAT;
    if (!c.failed)
        field_err(&c, "?");
done:
    cJSON_Delete(root);
    if (st != CONTAM_OK)
        index_meta_free(m);
    return st;
}

contam_status index_describe(const char *dir, index_meta *out, contam_err *err)
{
    memset(out, 0, sizeof *out);
    char *path = io_path_join(dir, IDX_MANIFEST);
    if (!path)
        return contam_err_set(err, CONTAM_ERR_NOMEM, dir, 0, "out of memory");
    contam_buf b = {0};
    contam_status st;
    if (!idx_exists(dir))
        st = contam_err_set(err, CONTAM_ERR_OPEN, dir, 0, "no such index directory");
    else if (!idx_exists(path))
        st = contam_err_set(err, CONTAM_ERR_FORMAT, dir, 0,
                            "not an index: no manifest.json (an unfinished build leaves "
                            "its work in %s.partial)", dir);
    else if ((st = io_read_all(path, (uint64_t)1 << 30, &b, NULL, err)) == CONTAM_OK)
        st = idx_manifest_parse(b.ptr ? b.ptr : "", b.size, path, out, err);
    contam_buf_free(&b);
    contam_free(path);
    return st;
}
