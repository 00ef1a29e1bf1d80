/* common.h - status codes, error context, allocation and byte buffers shared by
 * every module of libcontam.
 *
 * Contracts (apply to the whole library):
 *  - Library code never prints and never exits. Data and environment errors are
 *    returned as a contam_status and described in a contam_err filled by the
 *    callee (file, line, byte offset, message). Programmer errors are assert()s.
 *  - Every allocation goes through contam_malloc/contam_calloc/contam_realloc so
 *    tests can make the Nth allocation fail (contam_alloc_fail_after).
 *  - Every *_free(NULL) is a no-op.
 */
#ifndef CONTAM_COMMON_H
#define CONTAM_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CONTAM_VERSION "0.1.0"

#if defined(__GNUC__)
#define CONTAM_NODISCARD __attribute__((warn_unused_result))
#define CONTAM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define CONTAM_NOINLINE __attribute__((noinline))
#else
#define CONTAM_NODISCARD
#define CONTAM_PRINTF(a, b)
#define CONTAM_NOINLINE
#endif

/* One list, stable values: name, value, message. Never renumber. */
#define CONTAM_STATUS_LIST(X)                                                  \
    X(CONTAM_OK, 0, "ok")                                                      \
    X(CONTAM_ERR_NOMEM, 1, "out of memory")                                    \
    X(CONTAM_ERR_IO, 2, "I/O error")                                           \
    X(CONTAM_ERR_OPEN, 3, "cannot open")                                       \
    X(CONTAM_ERR_TRUNCATED, 4, "truncated compressed stream")                  \
    X(CONTAM_ERR_CORRUPT, 5, "corrupt compressed stream")                      \
    X(CONTAM_ERR_LINE_TOO_LONG, 6, "line longer than --max-line")              \
    X(CONTAM_ERR_JSON, 7, "invalid JSON")                                      \
    X(CONTAM_ERR_FIELD, 8, "missing or mistyped field")                        \
    X(CONTAM_ERR_CSV, 9, "malformed CSV")                                      \
    X(CONTAM_ERR_EMPTY, 10, "empty input")                                     \
    X(CONTAM_ERR_ARG, 11, "invalid argument")                                  \
    X(CONTAM_ERR_FORMAT, 12, "unsupported or unrecognised format")             \
    X(CONTAM_ERR_EXISTS, 13, "refusing to overwrite")                          \
    X(CONTAM_ERR_ABORTED, 14, "aborted after an error elsewhere")

typedef enum {
#define CONTAM_X_ENUM(name, value, msg) name = value,
    CONTAM_STATUS_LIST(CONTAM_X_ENUM)
#undef CONTAM_X_ENUM
} contam_status;

/* Stable symbolic name ("CONTAM_ERR_JSON") and default message. Never NULL. */
const char *contam_status_name(contam_status s);
const char *contam_status_message(contam_status s);

/* Error context filled by the callee on failure. `line` and `offset` are 0 when
 * unknown; line is 1-based, offset is a byte offset whose meaning the message
 * states (compressed input offset for stream errors). */
typedef struct {
    contam_status code;
    char file[512];
    uint64_t line;
    uint64_t offset;
    int has_offset;
    char offset_kind[32]; /* what the offset counts, e.g. "compressed byte offset" */
    char msg[512];
} contam_err;

void contam_err_clear(contam_err *e);
/* Sets e (if not NULL) and returns s, so callers can `return contam_err_set(...)`. */
contam_status contam_err_set(contam_err *e, contam_status s, const char *file,
                             uint64_t line, const char *fmt, ...)
    CONTAM_PRINTF(5, 6);
/* Records a byte offset on an already-set error ("byte offset N"). */
void contam_err_offset(contam_err *e, uint64_t offset);
/* Same, naming what the offset counts ("compressed byte offset"). */
void contam_err_offset_kind(contam_err *e, const char *kind, uint64_t offset);
/* "FILE:LINE: message (byte offset N)" into out (always NUL-terminated). */
void contam_err_format(const contam_err *e, char *out, size_t cap);

/* Allocation. Return NULL on failure (never abort). */
void *contam_malloc(size_t n);
void *contam_calloc(size_t n, size_t size);
void *contam_realloc(void *p, size_t n); /* on failure p is left valid */
void contam_free(void *p);
/* contam_malloc for big, long-lived work arrays: from 2 MiB up, aligned and
 * marked for transparent huge pages (Linux madvise), because first-touch
 * page faults of such arrays cost more than filling them on virtual
 * machines. Freed with contam_free; may be passed to contam_realloc. */
void *contam_malloc_large(size_t n);
char *contam_strdup(const char *s);
char *contam_strndup(const char *s, size_t n);
/* Test hook: after `n` more successful allocations, every allocation fails.
 * n < 0 disables. Not thread-safe; for single-threaded tests only. */
void contam_alloc_fail_after(long n);
/* Allocations made while injection was armed (failure-path test loops). */
unsigned long contam_alloc_count(void);

/* Grows the array *p (elements of size elem, capacity *cap) so it holds at
 * least need elements, doubling from `initial`. On failure returns -1 and
 * leaves *p and *cap unchanged (the old array stays valid). */
CONTAM_NODISCARD int contam_array_grow(void *p, size_t *cap, size_t need, size_t elem,
                                       size_t initial);

/* Growable byte buffer. Zero-initialise ({0}) before use. ptr is always
 * NUL-terminated when size > 0 or after any append. */
typedef struct {
    char *ptr;
    size_t size;
    size_t cap;
} contam_buf;

CONTAM_NODISCARD int contam_buf_reserve(contam_buf *b, size_t extra);
CONTAM_NODISCARD int contam_buf_append(contam_buf *b, const void *p, size_t n);
CONTAM_NODISCARD int contam_buf_puts(contam_buf *b, const char *s);
CONTAM_NODISCARD int contam_buf_printf(contam_buf *b, const char *fmt, ...)
    CONTAM_PRINTF(2, 3);
/* Appends v in decimal (no printf: items.jsonl writes millions of them). */
CONTAM_NODISCARD int contam_buf_u64(contam_buf *b, uint64_t v);
/* Appends s as a JSON string literal (quotes included), escaping as RFC 8259
 * requires; invalid UTF-8 bytes become U+FFFD. */
CONTAM_NODISCARD int contam_buf_json_str(contam_buf *b, const char *s, size_t n);
void contam_buf_reset(contam_buf *b); /* size = 0, keeps memory */
void contam_buf_free(contam_buf *b);  /* releases memory, zeroes b */

/* Parses a non-negative integer with optional K/M/G/T (binary) suffix and
 * overflow check. Returns 0 on success, -1 on bad syntax or overflow. */
int contam_parse_size(const char *s, uint64_t *out);
/* Parses a decimal double in [lo, hi]; accepts a trailing '%' (divides by 100). */
int contam_parse_fraction(const char *s, double lo, double hi, double *out);

/* Looks up a dotted path ("meta.pile_set_name") in a parsed cJSON object.
 * Returns NULL when any component is missing or not an object. A path
 * component may not itself contain '.'. Thread-safe (pure). */
struct cJSON;
const struct cJSON *contam_json_path(const struct cJSON *root, const char *dotted);

/* Installs cJSON allocation hooks that use contam_malloc/contam_free. Call
 * once at start-up, before any thread parses JSON. */
void contam_json_init(void);
/* Did a cJSON allocation on this thread fail since the last call? Clears the
 * flag. Call before parsing (to reset) and after a NULL parse result. */
int contam_json_take_oom(void);

#endif
