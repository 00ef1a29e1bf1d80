/* io.h - input streams (plain, gzip, zstd detected by magic bytes), a bounded
 * line reader, input file lists, checksums and atomic output directories.
 *
 * Layer: lowest (uses only common/). Never prints, never exits.
 * Thread-safety: every handle is used by one thread at a time; different
 * handles are independent.
 */
#ifndef CONTAM_IO_H
#define CONTAM_IO_H

#include <stdio.h>

#include "common/common.h"

typedef enum { IO_FMT_PLAIN = 0, IO_FMT_GZIP = 1, IO_FMT_ZSTD = 2 } io_format;

const char *io_format_name(io_format f); /* "plain", "gzip", "zstd" */

/* ---- Decompressing byte stream ------------------------------------------ */

typedef struct io_stream io_stream;

/* Opens path ("-" is stdin) and detects the format from its first bytes
 * (zstd magic 28 B5 2F FD, gzip 1F 8B, anything else plain). Multi-frame zstd
 * and multi-member gzip are read to the end. On failure *out is NULL and err
 * names the file. */
CONTAM_NODISCARD contam_status io_stream_open(const char *path, io_stream **out,
                                              contam_err *err);

/* Reads up to cap decompressed bytes into buf. *got == 0 with CONTAM_OK means
 * a clean end of input. A stream that ends inside a frame/member is
 * CONTAM_ERR_TRUNCATED, undecodable data CONTAM_ERR_CORRUPT; both set
 * err->offset to the compressed byte offset where it was detected. */
CONTAM_NODISCARD contam_status io_stream_read(io_stream *s, void *buf, size_t cap,
                                              size_t *got, contam_err *err);

io_format io_stream_format(const io_stream *s);
const char *io_stream_path(const io_stream *s);
/* Bytes of the underlying file consumed so far (compressed bytes). */
uint64_t io_stream_raw_pos(const io_stream *s);
/* Size of the file in bytes (0 for stdin/pipes). */
uint64_t io_stream_raw_size(const io_stream *s);
/* Hex XXH3-128 of every raw byte read so far; the file's checksum once the
 * stream has been read to the end. out must hold 33 bytes. */
void io_stream_checksum(const io_stream *s, char out[33]);
void io_stream_free(io_stream *s);

/* ---- Line reader --------------------------------------------------------- */

typedef struct io_lines io_lines;

/* A line reader over io_stream_open(path). Lines longer than max_line bytes
 * (terminator excluded) fail with CONTAM_ERR_LINE_TOO_LONG naming the line.
 * max_line must be > 0 (else CONTAM_ERR_ARG). Memory is bounded by the
 * longest line, never by the file size. */
CONTAM_NODISCARD contam_status io_lines_open(const char *path, size_t max_line,
                                             io_lines **out, contam_err *err);

/* Next line, without its "\n" or "\r\n". At end of input *line is NULL.
 * *line is NUL-terminated (line[len] == '\0') and stays valid until the next
 * call. *lineno is 1-based; *offset is the byte offset of the line's first
 * byte in the decompressed stream. A last line without a terminator is
 * returned as a line. Errors are sticky: later calls repeat them. */
CONTAM_NODISCARD contam_status io_lines_next(io_lines *l, const char **line, size_t *len,
                                             uint64_t *lineno, uint64_t *offset,
                                             contam_err *err);
io_stream *io_lines_stream(io_lines *l);
void io_lines_free(io_lines *l);

/* Reads a whole (small) input, decompressing it, into out (which it resets).
 * Fails with CONTAM_ERR_LINE_TOO_LONG-free semantics: limit is a total size
 * bound (CONTAM_ERR_ARG if exceeded). checksum (33 bytes, may be NULL)
 * receives the raw file's XXH3-128. */
CONTAM_NODISCARD contam_status io_read_all(const char *path, uint64_t limit, contam_buf *out,
                                           char checksum[33], contam_err *err);

/* ---- Input lists ---------------------------------------------------------- */

typedef struct {
    char *path; /* as opened */
    char *rel;  /* relative to the directory argument it came from, or the
                   basename for a file argument */
    uint64_t size;
    int named;  /* given as an argument (not found by walking a directory) */
} io_file;

typedef struct {
    io_file *v;
    size_t n;
} io_filelist;

/* Expands files and directories (recursively; hidden entries skipped) into a
 * list sorted by path, so the order never depends on the file system. A
 * missing path is CONTAM_ERR_OPEN. Duplicate paths are kept once. */
CONTAM_NODISCARD contam_status io_filelist_expand(const char *const *args, size_t nargs,
                                                  io_filelist *out, contam_err *err);
void io_filelist_free(io_filelist *l);

/* dir + "/" + name, without doubling a trailing slash of dir; NULL when
 * out of memory. The caller frees it (contam_free). */
char *io_path_join(const char *dir, const char *name);
/* Removes a file or a directory tree without following symbolic links out
 * of it; 0 (also when path does not exist) or -1 with errno. */
int io_rm_tree(const char *path);

/* Length of name without a trailing .gz, .zst or .zstd (any case). */
size_t io_name_base_len(const char *name);
/* Does name end with one of the NULL-terminated exts (".jsonl"), before an
 * optional compression suffix, ignoring case? */
int io_name_has_ext(const char *name, const char *const *exts);

/* ---- Atomic outputs -------------------------------------------------------- */

/* Writes data to path through a temporary file in the same directory, fsync
 * and rename: readers see the old file or the whole new one. */
CONTAM_NODISCARD contam_status io_write_atomic(const char *path, const void *data, size_t n,
                                               contam_err *err);
/* The same replacement without fsync: readers still see the old file or the
 * whole new one after the process is killed, but a power loss may leave
 * either version (or, on some file systems, an empty file). For state that
 * is checked when read back, where a sync per write costs too much. */
CONTAM_NODISCARD contam_status io_replace_file(const char *path, const void *data, size_t n,
                                               contam_err *err);

/* An output directory built in a hidden staging sibling ("DIR.tmp-PID") and
 * moved into place by io_outdir_commit. An existing DIR is replaced only if
 * it is empty or was written by contam (it holds report.json); otherwise
 * begin fails with CONTAM_ERR_EXISTS. A run killed before commit leaves the
 * old DIR untouched (and a staging dir that the next run removes). */
typedef struct io_outdir io_outdir;

CONTAM_NODISCARD contam_status io_outdir_begin(const char *dir, io_outdir **out,
                                               contam_err *err);
/* Opens rel (may contain '/', parent dirs are created) for writing inside the
 * staging directory. Close with io_outdir_close. */
CONTAM_NODISCARD contam_status io_outdir_open(io_outdir *d, const char *rel, FILE **fp,
                                              contam_err *err);
/* Flushes, checks ferror and fclose; reports errors (ENOSPC...) naming rel. */
CONTAM_NODISCARD contam_status io_outdir_close(io_outdir *d, const char *rel, FILE *fp,
                                               contam_err *err);
CONTAM_NODISCARD contam_status io_outdir_commit(io_outdir *d, contam_err *err);
/* Frees; removes the staging directory if not committed. NULL-safe. */
void io_outdir_free(io_outdir *d);

/* ---- Corpus records ------------------------------------------------------- */

/* What one corpus line turned out to be. */
typedef enum {
    IO_REC_OK = 0,      /* text (and doc, if asked for) extracted */
    IO_REC_BLANK = 1,   /* only whitespace */
    IO_REC_BAD_JSON = 2,/* not one valid JSON value (why says where) */
    IO_REC_NO_TEXT = 3  /* valid JSON without a string at the text field */
} io_rec_kind;

/* A parsed JSONL corpus record. text/doc point into the parse tree (or into
 * numbuf for a numeric doc field) and live until io_record_clear. text may
 * contain no NUL (a \u0000 escape ends it early). The common line is read
 * without a tree (root NULL): text then points into owned when it held
 * escapes, else into the line itself, so the line must outlive the record
 * and text is not NUL-terminated: always use len. */
typedef struct {
    struct cJSON *root;
    char *owned;      /* decoded text of a tree-less read, or NULL */
    const char *text;
    size_t len;
    const char *doc;  /* NULL when no doc field was asked for or found */
    char numbuf[32];
} io_record;

/* Parses line[0, len) as one JSON object and extracts the string at the
 * dotted text_field and the string/number at doc_field (may be NULL).
 * Anything but whitespace after the value is IO_REC_BAD_JSON. On a non-OK
 * kind, why (cap bytes) explains it with a column. On IO_REC_OK the caller
 * must io_record_clear. Sets *oom when the parser ran out of memory (then
 * the kind is IO_REC_BAD_JSON and must be treated as a failure). */
io_rec_kind io_record_parse(const char *line, size_t len, const char *text_field,
                            const char *doc_field, io_record *rec, char *why, size_t cap,
                            int *oom);
void io_record_clear(io_record *rec);

/* How a corpus pass counts its JSONL records: one definition for `contam
 * scan` and `contam index build`, so that an index reports what a scan of
 * the same files would. */
typedef struct {
    uint64_t docs;      /* records with a text: documents */
    uint64_t blank;     /* whitespace-only lines */
    uint64_t bad_json;  /* not one valid JSON value */
    uint64_t missing;   /* valid JSON without a string at the text field */
} io_record_tally;

/* A bad corpus record kept as an example: its line and why it is bad. */
typedef struct {
    uint64_t line;
    char reason[120];
} io_bad_record;

#define IO_BAD_SAMPLES 20 /* examples kept per corpus file */

/* Keeps in v (*n of IO_BAD_SAMPLES used) the records with the smallest line
 * numbers among those offered, whatever the order they come in (threads
 * offer their batches' records in any order). */
void io_bad_keep(io_bad_record *v, size_t *n, uint64_t line, const char *reason);
/* Orders kept examples by line. */
void io_bad_sort(io_bad_record *v, size_t n);

/* io_record_parse, counted in t. Returns 1 when rec holds a document (the
 * caller must io_record_clear it), 0 when the record is skipped: blank
 * (*bad = CONTAM_OK) or bad (*bad = CONTAM_ERR_JSON or CONTAM_ERR_FIELD, why
 * says what and where), and -1 when the parser ran out of memory. */
int io_record_take(const char *line, size_t len, const char *text_field, const char *doc_field,
                   io_record_tally *t, io_record *rec, contam_status *bad, char *why,
                   size_t cap);

/* Corpus files named *.txt (any case, also .txt.gz/.txt.zst) are one
 * document each; everything else is JSONL. */
int io_is_text_document(const char *path);

/* Hex XXH3-128 of a memory block (33 bytes out). */
void io_checksum_mem(const void *p, size_t n, char out[33]);

#endif
