/* index.h - a persistent, sharded, mergeable n-gram index of a training corpus.
 *
 * An index holds, for one (unit, n) and one normalizer/seed, the set of the
 * corpus's n-gram window hashes (the exact values src/scan computes, see
 * ngram.h) truncated to `fp_bits`-bit fingerprints, optionally with each
 * key's document frequency (--df) and first record (--provenance). Keys are
 * split into P partition files by hash prefix; each partition is a sorted,
 * delta-coded (Rice) sequence in checksummed blocks with a block index.
 * docs/FORMATS.md ("Index format") specifies the bytes.
 *
 * Build: streams the corpus with the scanner's reader (io_batcher,
 * io_record) and tokenizer, accumulates per-thread sorted segments of
 * window hashes, spills sorted runs when the memory budget is reached and
 * after every corpus file, and k-way merges them into the partitions. A
 * build is resumable (a journal in "OUT.partial/" records finished corpus
 * files; a run lost to a power loss sends the build back to its file) and
 * the output appears atomically. Results never depend on the
 * thread count, the memory budget or interruptions.
 *
 * Layer: uses ngram/, io/, common/. Never prints, never exits.
 */
#ifndef CONTAM_INDEX_H
#define CONTAM_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "io/io.h"
#include "ngram/ngram.h"

#define INDEX_FORMAT_VERSION 1
#define INDEX_NO_RECORD UINT64_MAX
/* Target false-match rate per query gram used when no --fp-bits is given:
 * the width is the smallest with keys / 2^bits <= rate. */
#define INDEX_DEFAULT_FP_RATE 1e-9
#define INDEX_MIN_FP_BITS 24
#define INDEX_DEFAULT_PARTITIONS 16
#define INDEX_MAX_PARTITIONS 256 /* an open index holds one descriptor per partition */
#define INDEX_DEFAULT_MEM ((uint64_t)4 << 30)
#define INDEX_MIN_MEM ((uint64_t)48 << 20)

/* ---- Description of an index (its manifest) ------------------------------ */

typedef struct {
    char *path;           /* as given to the build */
    char checksum[33];    /* XXH3-128 of the raw file */
    char format[8];       /* "plain", "gzip", "zstd" */
    uint64_t raw_bytes, bytes, records, docs;
    uint64_t bad_json, missing_field, invalid_utf8, blank;
    uint64_t first_record; /* ordinal of its line 1 in the index's record space */
    size_t nbad;
    io_bad_record bad[IO_BAD_SAMPLES]; /* the first bad records, by line */
} index_file;

typedef struct {
    char name[32];        /* "part-0003.cidx" */
    uint64_t keys, bytes;
    char checksum[33];
} index_part;

typedef struct {
    unsigned format_version;
    char tool[32];
    unsigned n;
    ngram_unit unit;
    char normalizer[32];
    char hash_scheme[192];
    uint64_t seed;
    int digits_zero;
    char *text_field;
    int has_df;           /* per-key document frequency (saturating at 2^32-1) */
    int has_provenance;   /* per-key first record */
    unsigned partitions, block_keys, fp_bits;
    double false_match_rate; /* keys / 2^fp_bits: chance a gram absent from the
                                corpus is reported present, per query gram */
    uint64_t keys, windows, tokens, records, docs, bytes, raw_bytes, index_bytes;
    index_file *files;
    size_t nfiles;
    index_part *parts;
} index_meta;

void index_meta_free(index_meta *m);

/* Reads DIR/manifest.json only (no partition checks). Fails with
 * CONTAM_ERR_FORMAT for a newer format version or a damaged manifest. */
CONTAM_NODISCARD contam_status index_describe(const char *dir, index_meta *out,
                                              contam_err *err);

/* A deterministic JSON summary (manifest + derived figures: bytes per key,
 * per corpus token) into out (reset first). */
CONTAM_NODISCARD contam_status index_info_json(const index_meta *m, contam_buf *out,
                                               contam_err *err);

/* ---- Build ------------------------------------------------------------------ */

typedef struct {
    uint64_t bytes_done, raw_done, raw_total;
    unsigned files_done, files_total, files_resumed;
    int phase; /* 0 reading the corpus, 1 merging runs */
} index_progress;

typedef void (*index_progress_fn)(const index_progress *p, void *user);

typedef struct {
    unsigned n;            /* 1..1000 */
    ngram_unit unit;
    int digits_zero;
    uint64_t seed;
    const char *text_field;
    uint64_t max_line;
    int strict;            /* a bad corpus record fails the build */
    uint64_t mem;          /* memory budget in bytes (>= INDEX_MIN_MEM) */
    int threads;           /* 0 = OpenMP default */
    unsigned partitions;   /* power of two, 1..INDEX_MAX_PARTITIONS */
    int df, provenance;
    unsigned fp_bits;      /* 0: from fp_rate and the key count */
    double fp_rate;        /* target false-match rate per query (0, 1) */
    int append;            /* add the files to the existing index at out */
    index_progress_fn progress; /* may be NULL; called from the reader thread */
    void *progress_user;
} index_build_options;

/* Defaults: word unit, n 13, seed NGRAM_DEFAULT_SEED, text field "text",
 * 16 partitions, 4 GiB, fp_rate INDEX_DEFAULT_FP_RATE, max_line 256 MiB. */
void index_build_options_init(index_build_options *o);

typedef struct {
    unsigned files_resumed;   /* corpus files found finished by an interrupted run */
    unsigned files_redone;    /* finished files whose runs did not survive (a power
                                 loss before they reached the disk): read again */
    uint64_t runs_spilled;    /* sorted runs written (memory budget or file ends) */
    uint64_t keys;
    unsigned fp_bits;
    double false_match_rate;
    double seconds_read, seconds_merge;
} index_build_stats;

/* Builds (or with o->append extends) the index at out_dir from corpus files
 * (already expanded and ordered). Resumes an interrupted build with the same
 * arguments. out_dir appears only when complete. A build refuses an existing
 * out_dir unless appending; append refuses different parameters and files
 * already indexed. stats may be NULL. */
CONTAM_NODISCARD contam_status index_build(const char *out_dir, const char *const *files,
                                           size_t nfiles, const index_build_options *o,
                                           index_build_stats *stats, contam_err *err);

/* Merges indexes with identical parameters (n, unit, normalizer, seed, digits,
 * text field, df/provenance, partitions, fingerprint bits) into out_dir, corpus
 * files in argument order. Equal to building all their files at once. */
CONTAM_NODISCARD contam_status index_merge(const char *out_dir, const char *const *inputs,
                                           size_t ninputs, int threads, contam_err *err);

/* ---- Verify ------------------------------------------------------------------- */

typedef struct {
    size_t problems;        /* damaged files/blocks found */
    char first[600];        /* the first, "part-0003.cidx: block 17 ...: ..." */
    uint64_t blocks_checked, keys_checked;
} index_verify_report;

/* Checks every checksum (manifest entries, headers, block indexes, blocks)
 * and decodes every block. CONTAM_OK when sound; otherwise CONTAM_ERR_CORRUPT
 * with err naming the damaged file and block (rep has the count). */
CONTAM_NODISCARD contam_status index_verify(const char *dir, int threads,
                                            index_verify_report *rep, contam_err *err);

/* ---- Query -------------------------------------------------------------------- */

typedef struct index_reader index_reader;

/* Opens an index for lookups: manifest, then every partition's header and
 * block index (sizes and checksums; a truncated or foreign partition fails
 * here). Blocks are checked when read. */
CONTAM_NODISCARD contam_status index_open(const char *dir, index_reader **out, contam_err *err);
const index_meta *index_get_meta(const index_reader *ix);

/* Looks up n full 64-bit window hashes given in ascending order (duplicates
 * allowed): df[k] = document frequency (0 = absent; 1 for any present key when
 * the index has no df), first[k] (may be NULL) = first record ordinal or
 * INDEX_NO_RECORD. One sequential pass over the blocks the keys touch;
 * partitions in parallel (threads, 0 = default). A damaged block fails the
 * whole lookup (CONTAM_ERR_CORRUPT naming file and block). */
CONTAM_NODISCARD contam_status index_lookup(index_reader *ix, const uint64_t *keys, size_t n,
                                            uint32_t *df, uint64_t *first, int threads,
                                            contam_err *err);

/* Record ordinal -> (file index in meta.files, 1-based line). -1 if out of range. */
int index_resolve(const index_reader *ix, uint64_t ordinal, size_t *file, uint64_t *record);
void index_close(index_reader *ix);

#endif
