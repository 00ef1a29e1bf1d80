/* fuzz_manifest.c - fuzz target for the index manifest reader
 * (idx_manifest_parse, index_describe; writer idx_manifest_write).
 *
 * The input is the text of a manifest.json. It is parsed from memory (an
 * exact-size buffer, no NUL after it) and, written to a directory, read with
 * index_describe as index_open and `contam index info` read it; both must
 * give the same status, message and meta (unless the bytes look gzip or
 * zstd compressed: io_read_all decompresses those first), and a failure
 * names the file it read. Then:
 *  - a failed parse is CONTAM_ERR_FORMAT (or NOMEM) with a message naming the
 *    file it was given, and leaves the index_meta zeroed (nothing to free);
 *  - a successful parse gives a self-consistent index_meta: format version
 *    1, n in 1..1000, a known unit, partitions a power of two in 1..256,
 *    1..2^20 block keys, max(8, log2 P) <= fingerprint bits <= 64, one part
 *    per partition named part-NNNN.cidx with a 32-hex-digit checksum and key
 *    counts adding up to counts.keys, the corpus files' records numbered
 *    consecutively from 0 up to counts.records, every string NUL-terminated
 *    inside its array;
 *  - every value in it is the value in the JSON (parsed again here with
 *    cJSON), not a truncation or a default;
 *  - round trip: written back with idx_manifest_write and read again with
 *    index_describe it gives equal parameters (idx_params_differ), counts,
 *    parts and corpus files, and writing that again gives the same bytes;
 *  - index_info_json accepts it and produces a JSON object.
 */
#include <math.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "fuzz_util.h"
#include "index/index_internal.h"
#include "io/io.h"

#define MEM_PATH "fuzz/manifest.json" /* the name the in-memory parse is given */

static char dir_path[4200];

static void meta_dir_remove(void) { (void)rmdir(dir_path); }

/* fuzz_dir()/idx, removed at exit (before fuzz_dir itself: atexit is LIFO). */
static const char *meta_dir(void)
{
    if (!dir_path[0]) {
        fuzz_path(dir_path, sizeof dir_path, "idx");
        if (mkdir(dir_path, 0700) != 0) {
            perror(dir_path);
            abort();
        }
        atexit(meta_dir_remove);
    }
    return dir_path;
}

/* gzip, zstd or a zstd skippable frame: index_describe reads the file with
 * io_read_all, which decompresses these, so it sees other bytes than the
 * in-memory parse (same test as fuzz_stream's). */
static int looks_compressed(const uint8_t *d, size_t n)
{
    if (n >= 2 && d[0] == 0x1F && d[1] == 0x8B)
        return 1;
    if (n >= 4 && d[1] == 0x2A && d[2] == 0x4D && d[3] == 0x18 && (d[0] & 0xF0) == 0x50)
        return 1;
    return n >= 4 && d[0] == 0x28 && d[1] == 0xB5 && d[2] == 0x2F && d[3] == 0xFD;
}

static int is_zero(const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        if (s[i])
            return 0;
    return 1;
}

static int terminated(const char *s, size_t cap) { return memchr(s, '\0', cap) != NULL; }

static int hex32_or_empty(const char *s, int allow_empty)
{
    size_t n = strlen(s);
    if (n == 0)
        return allow_empty;
    if (n != 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* ---- the meta on its own ------------------------------------------------------ */

static void check_consistent(const index_meta *m)
{
    FUZZ_CHECK(m->format_version == INDEX_FORMAT_VERSION, "format version %u", m->format_version);
    FUZZ_CHECK(terminated(m->tool, sizeof m->tool) &&
                   terminated(m->normalizer, sizeof m->normalizer) &&
                   terminated(m->hash_scheme, sizeof m->hash_scheme),
               "a parameter string is not NUL-terminated");
    FUZZ_CHECK(m->n >= 1 && m->n <= 1000, "n %u", m->n);
    FUZZ_CHECK((unsigned)m->unit <= NGRAM_UNIT_CHAR, "unit %d", (int)m->unit);
    FUZZ_CHECK(m->digits_zero == 0 || m->digits_zero == 1, "digits_zero %d", m->digits_zero);
    FUZZ_CHECK(m->has_df == 0 || m->has_df == 1, "has_df %d", m->has_df);
    FUZZ_CHECK(m->has_provenance == 0 || m->has_provenance == 1, "has_provenance %d",
               m->has_provenance);
    FUZZ_CHECK(m->text_field != NULL, "text_field NULL");
    unsigned P = m->partitions, pbits = 0;
    while (pbits < 31 && (1u << pbits) < P)
        pbits++;
    FUZZ_CHECK(P >= 1 && P <= INDEX_MAX_PARTITIONS && (1u << pbits) == P, "partitions %u", P);
    FUZZ_CHECK(m->block_keys >= 1 && m->block_keys <= (1u << 20), "block_keys %u", m->block_keys);
    FUZZ_CHECK(m->fp_bits >= 8 && m->fp_bits >= pbits && m->fp_bits <= 64,
               "fingerprint bits %u with %u partitions", m->fp_bits, P);
    FUZZ_CHECK(m->false_match_rate == ldexp((double)m->keys, -(int)m->fp_bits),
               "false_match_rate %g for %llu keys, %u bits", m->false_match_rate,
               (unsigned long long)m->keys, m->fp_bits);
    FUZZ_CHECK(m->parts != NULL, "no parts array");
    uint64_t keys = 0;
    for (unsigned p = 0; p < P; p++) {
        char want[32];
        snprintf(want, sizeof want, "part-%04u.cidx", p);
        const index_part *ip = &m->parts[p];
        FUZZ_CHECK(terminated(ip->name, sizeof ip->name) && strcmp(ip->name, want) == 0,
                   "part %u is not named %s", p, want);
        FUZZ_CHECK(terminated(ip->checksum, sizeof ip->checksum) &&
                       hex32_or_empty(ip->checksum, 0),
                   "part %u checksum is not 32 hex digits", p);
        keys += ip->keys;
    }
    FUZZ_CHECK(keys == m->keys, "parts hold %llu keys, counts.keys %llu",
               (unsigned long long)keys, (unsigned long long)m->keys);
    FUZZ_CHECK((m->nfiles == 0) == (m->files == NULL), "%zu files, array %p", m->nfiles,
               (void *)m->files);
    uint64_t next = 0;
    for (size_t k = 0; k < m->nfiles; k++) {
        const index_file *f = &m->files[k];
        FUZZ_CHECK(f->path && f->path[0], "corpus file %zu has no path", k);
        FUZZ_CHECK(terminated(f->checksum, sizeof f->checksum) && hex32_or_empty(f->checksum, 1),
                   "corpus file %zu checksum", k);
        FUZZ_CHECK(terminated(f->format, sizeof f->format), "corpus file %zu format", k);
        FUZZ_CHECK(f->nbad <= 20, "corpus file %zu: %zu bad records", k, f->nbad);
        for (size_t b = 0; b < f->nbad; b++)
            FUZZ_CHECK(terminated(f->bad[b].reason, sizeof f->bad[b].reason),
                       "corpus file %zu bad record %zu reason", k, b);
        FUZZ_CHECK(f->first_record == next, "corpus file %zu starts at record %llu, not %llu", k,
                   (unsigned long long)f->first_record, (unsigned long long)next);
        next += f->records;
    }
    FUZZ_CHECK(next == m->records, "corpus files hold %llu records, counts.records %llu",
               (unsigned long long)next, (unsigned long long)m->records);
    idx_layout l;
    idx_layout_from_meta(m, &l);
    FUZZ_CHECK((1u << l.pbits) == P && l.ord_bits <= 64 && l.fp_bits == m->fp_bits,
               "layout: pbits %u ord_bits %u", l.pbits, l.ord_bits);
}

/* ---- the meta against the JSON it came from ------------------------------------- */

static const cJSON *jget(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static void jnum(const cJSON *o, const char *k, uint64_t got, const char *where)
{
    const cJSON *v = jget(o, k);
    FUZZ_CHECK(cJSON_IsNumber(v) && v->valuedouble == (double)got,
               "%s.%s: parsed %llu, the JSON has %.17g", where, k, (unsigned long long)got,
               cJSON_IsNumber(v) ? v->valuedouble : -1.0);
}

static void jstr(const cJSON *o, const char *k, const char *got, const char *where)
{
    const cJSON *v = jget(o, k);
    char a[120], b[120];
    FUZZ_CHECK(cJSON_IsString(v) && v->valuestring && strcmp(v->valuestring, got) == 0,
               "%s.%s: parsed \"%s\", the JSON has \"%s\"", where, k,
               fuzz_show(got, strlen(got), a, sizeof a),
               cJSON_IsString(v) && v->valuestring
                   ? fuzz_show(v->valuestring, strlen(v->valuestring), b, sizeof b)
                   : "(no string)");
}

static void jbool(const cJSON *o, const char *k, int got, const char *where)
{
    const cJSON *v = jget(o, k);
    FUZZ_CHECK(cJSON_IsBool(v) && cJSON_IsTrue(v) == (got != 0), "%s.%s: parsed %d", where, k,
               got);
}

static void check_against_json(const index_meta *m, const uint8_t *data, size_t size)
{
    cJSON *root = cJSON_ParseWithLengthOpts((const char *)data, size, NULL, 0);
    FUZZ_CHECK(root != NULL, "parsed, but cJSON rejects the text");
    jnum(root, "format_version", m->format_version, "");
    jstr(root, "tool", m->tool, "");
    const cJSON *p = jget(root, "params");
    jnum(p, "n", m->n, "params");
    jstr(p, "unit", ngram_unit_name(m->unit), "params");
    jstr(p, "normalizer", m->normalizer, "params");
    jstr(p, "hash_scheme", m->hash_scheme, "params");
    jstr(p, "digits", m->digits_zero ? "zero" : "keep", "params");
    jstr(p, "text_field", m->text_field, "params");
    const cJSON *seed = jget(p, "seed");
    FUZZ_CHECK(cJSON_IsString(seed) && seed->valuestring &&
                   strtoull(seed->valuestring + 2, NULL, 16) == m->seed,
               "params.seed: parsed 0x%016llx", (unsigned long long)m->seed);
    const cJSON *k = jget(root, "keys");
    jnum(k, "fingerprint_bits", m->fp_bits, "keys");
    jbool(k, "df", m->has_df, "keys");
    jbool(k, "provenance", m->has_provenance, "keys");
    const cJSON *l = jget(root, "layout");
    jnum(l, "partitions", m->partitions, "layout");
    jnum(l, "block_keys", m->block_keys, "layout");
    const cJSON *c = jget(root, "counts");
    jnum(c, "files", m->nfiles, "counts");
    jnum(c, "records", m->records, "counts");
    jnum(c, "documents", m->docs, "counts");
    jnum(c, "bytes", m->bytes, "counts");
    jnum(c, "raw_bytes", m->raw_bytes, "counts");
    jnum(c, "tokens", m->tokens, "counts");
    jnum(c, "windows", m->windows, "counts");
    jnum(c, "keys", m->keys, "counts");
    jnum(c, "index_bytes", m->index_bytes, "counts");
    const cJSON *parts = jget(root, "partitions");
    FUZZ_CHECK(cJSON_GetArraySize(parts) == (int)m->partitions, "partitions[] size");
    for (unsigned q = 0; q < m->partitions; q++) {
        const cJSON *e = cJSON_GetArrayItem(parts, (int)q);
        jstr(e, "name", m->parts[q].name, "partitions[]");
        jnum(e, "keys", m->parts[q].keys, "partitions[]");
        jnum(e, "bytes", m->parts[q].bytes, "partitions[]");
        jstr(e, "xxh3_128", m->parts[q].checksum, "partitions[]");
    }
    const cJSON *corpus = jget(root, "corpus");
    FUZZ_CHECK((size_t)cJSON_GetArraySize(corpus) == m->nfiles, "corpus[] size");
    for (size_t q = 0; q < m->nfiles; q++) {
        const cJSON *e = cJSON_GetArrayItem(corpus, (int)q);
        const index_file *f = &m->files[q];
        jstr(e, "path", f->path, "corpus[]");
        jstr(e, "xxh3_128", f->checksum, "corpus[]");
        jstr(e, "format", f->format, "corpus[]");
        jnum(e, "raw_bytes", f->raw_bytes, "corpus[]");
        jnum(e, "bytes", f->bytes, "corpus[]");
        jnum(e, "records", f->records, "corpus[]");
        jnum(e, "documents", f->docs, "corpus[]");
        jnum(e, "first_record", f->first_record, "corpus[]");
        jnum(e, "bad_json", f->bad_json, "corpus[]");
        jnum(e, "missing_field", f->missing_field, "corpus[]");
        jnum(e, "invalid_utf8", f->invalid_utf8, "corpus[]");
        jnum(e, "blank", f->blank, "corpus[]");
        const cJSON *bad = jget(e, "bad_records");
        FUZZ_CHECK((size_t)cJSON_GetArraySize(bad) == f->nbad, "corpus[].bad_records size");
        for (size_t b = 0; b < f->nbad; b++) {
            const cJSON *r = cJSON_GetArrayItem(bad, (int)b);
            jnum(r, "line", f->bad[b].line, "corpus[].bad_records[]");
            /* reasons are kept up to their buffer, cut beyond it */
            const cJSON *why = jget(r, "reason");
            size_t cap = sizeof f->bad[b].reason - 1;
            FUZZ_CHECK(cJSON_IsString(why) && why->valuestring &&
                           strncmp(why->valuestring, f->bad[b].reason, cap) == 0 &&
                           strlen(f->bad[b].reason) == strnlen(why->valuestring, cap),
                       "corpus[].bad_records[%zu].reason differs from the JSON", b);
        }
    }
    cJSON_Delete(root);
}

/* ---- round trip --------------------------------------------------------------- */

static void check_same(const index_meta *a, const index_meta *b)
{
    char why[256] = "";
    FUZZ_CHECK(idx_params_differ(a, b, why, sizeof why) == 0, "round trip changed %s", why);
    FUZZ_CHECK(a->format_version == b->format_version && a->records == b->records &&
                   a->docs == b->docs && a->bytes == b->bytes && a->raw_bytes == b->raw_bytes &&
                   a->tokens == b->tokens && a->windows == b->windows && a->keys == b->keys &&
                   a->index_bytes == b->index_bytes && a->nfiles == b->nfiles &&
                   a->false_match_rate == b->false_match_rate,
               "round trip changed the counts");
    FUZZ_CHECK(idx_params_hash(a) == idx_params_hash(b), "round trip changed the params hash");
    for (unsigned p = 0; p < a->partitions; p++)
        FUZZ_CHECK(strcmp(a->parts[p].name, b->parts[p].name) == 0 &&
                       a->parts[p].keys == b->parts[p].keys &&
                       a->parts[p].bytes == b->parts[p].bytes &&
                       strcmp(a->parts[p].checksum, b->parts[p].checksum) == 0,
                   "round trip changed part %u", p);
    for (size_t k = 0; k < a->nfiles; k++) {
        const index_file *f = &a->files[k], *g = &b->files[k];
        int same = strcmp(f->path, g->path) == 0 && strcmp(f->checksum, g->checksum) == 0 &&
                   strcmp(f->format, g->format) == 0 && f->raw_bytes == g->raw_bytes &&
                   f->bytes == g->bytes && f->records == g->records && f->docs == g->docs &&
                   f->first_record == g->first_record && f->bad_json == g->bad_json &&
                   f->missing_field == g->missing_field && f->invalid_utf8 == g->invalid_utf8 &&
                   f->blank == g->blank && f->nbad == g->nbad;
        for (size_t j = 0; same && j < f->nbad; j++)
            same = f->bad[j].line == g->bad[j].line &&
                   strcmp(f->bad[j].reason, g->bad[j].reason) == 0;
        FUZZ_CHECK(same, "round trip changed corpus file %zu", k);
    }
}

static void write_read(const char *dir, const char *path, const index_meta *m, index_meta *back,
                       contam_buf *text)
{
    contam_err err;
    contam_status st = idx_manifest_write(path, m, &err);
    FUZZ_CHECK(st == CONTAM_OK, "idx_manifest_write: %s", err.msg);
    st = io_read_all(path, (uint64_t)1 << 30, text, NULL, &err);
    FUZZ_CHECK(st == CONTAM_OK, "reading back %s: %s", path, err.msg);
    st = index_describe(dir, back, &err);
    FUZZ_CHECK(st == CONTAM_OK, "the manifest written from a parsed one fails: %s", err.msg);
}

static void round_trip(const index_meta *m, const char *dir, const char *path)
{
    index_meta m2, m3;
    contam_buf t2 = {0}, t3 = {0};
    write_read(dir, path, m, &m2, &t2);
    check_consistent(&m2);
    check_same(m, &m2);
    write_read(dir, path, &m2, &m3, &t3);
    check_same(&m2, &m3);
    FUZZ_CHECK(t2.size == t3.size && memcmp(t2.ptr, t3.ptr, t2.size) == 0,
               "writing the manifest read back gives other bytes (%zu vs %zu)", t2.size, t3.size);
    index_meta_free(&m2);
    index_meta_free(&m3);
    contam_buf_free(&t2);
    contam_buf_free(&t3);
}

static void check_info(const index_meta *m)
{
    contam_buf out = {0};
    contam_err err;
    contam_status st = index_info_json(m, &out, &err);
    FUZZ_CHECK(st == CONTAM_OK, "index_info_json: %s", err.msg);
    cJSON *j = cJSON_ParseWithLength(out.ptr, out.size);
    FUZZ_CHECK(cJSON_IsObject(j), "index_info_json output is not a JSON object");
    jnum(j, "partitions", m->partitions, "info");
    cJSON_Delete(j);
    contam_buf_free(&out);
}

/* index_describe of the file holding data must agree with the in-memory
 * parse (st, m, err): same status and message, naming the file, same meta. */
static void check_describe(const char *dir, const char *path, const uint8_t *data, size_t size,
                           contam_status st, const index_meta *m, const contam_err *err)
{
    index_meta md;
    contam_err errd;
    contam_err_clear(&errd);
    contam_status std = index_describe(dir, &md, &errd);
    if (std != CONTAM_OK)
        FUZZ_CHECK(errd.code == std && errd.msg[0] && strcmp(errd.file, path) == 0,
                   "index_describe: the error does not name the file: [%s] %s", errd.file,
                   errd.msg);
    if (looks_compressed(data, size)) {
        /* decompressed first: any verdict */
        if (std == CONTAM_OK)
            check_consistent(&md);
    } else {
        FUZZ_CHECK(std == st, "index_describe: %s, in-memory parse: %s",
                   contam_status_name(std), contam_status_name(st));
        if (st != CONTAM_OK)
            FUZZ_CHECK(strcmp(errd.msg, err->msg) == 0,
                       "index_describe says %s, the in-memory parse %s", errd.msg, err->msg);
        else
            check_same(m, &md);
    }
    FUZZ_CHECK(std == CONTAM_OK || is_zero(&md, sizeof md),
               "a failed index_describe leaves the meta filled");
    index_meta_free(&md);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    index_meta m;
    contam_err err;
    contam_err_clear(&err);
    contam_status st = idx_manifest_parse((const char *)data, size, MEM_PATH, &m, &err);

    /* The same bytes as a file, read the way index_open reads them. */
    const char *dir = meta_dir();
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", dir, IDX_MANIFEST);
    fuzz_write(path, data, size);
    check_describe(dir, path, data, size, st, &m, &err);

    if (st != CONTAM_OK) {
        FUZZ_CHECK(st == CONTAM_ERR_FORMAT || st == CONTAM_ERR_NOMEM, "parse failed with %s: %s",
                   contam_status_name(st), err.msg);
        FUZZ_CHECK(err.code == st && err.msg[0] && strcmp(err.file, MEM_PATH) == 0,
                   "failure does not name the file: [%s] %s", err.file, err.msg);
        FUZZ_CHECK(is_zero(&m, sizeof m), "a failed parse leaves the meta filled");
    } else {
        check_consistent(&m);
        check_against_json(&m, data, size);
        check_info(&m);
        round_trip(&m, dir, path);
    }
    index_meta_free(&m);
    unlink(path);
    return 0;
}
