/* common.c - status names, error context, the allocation wrapper (with the
 * fault-injection hook used by failure-path tests) and growable buffers. */
#include "common/common.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

const char *contam_status_name(contam_status s)
{
    switch (s) {
#define CONTAM_X_NAME(name, value, msg)                                        \
    case name:                                                                 \
        return #name;
        CONTAM_STATUS_LIST(CONTAM_X_NAME)
#undef CONTAM_X_NAME
    }
    return "CONTAM_ERR_UNKNOWN";
}

const char *contam_status_message(contam_status s)
{
    switch (s) {
#define CONTAM_X_MSG(name, value, msg)                                         \
    case name:                                                                 \
        return msg;
        CONTAM_STATUS_LIST(CONTAM_X_MSG)
#undef CONTAM_X_MSG
    }
    return "unknown error";
}

void contam_err_clear(contam_err *e)
{
    if (e)
        memset(e, 0, sizeof *e);
}

contam_status contam_err_set(contam_err *e, contam_status s, const char *file,
                             uint64_t line, const char *fmt, ...)
{
    if (!e)
        return s;
    memset(e, 0, sizeof *e);
    e->code = s;
    if (file)
        snprintf(e->file, sizeof e->file, "%s", file);
    e->line = line;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    } else {
        snprintf(e->msg, sizeof e->msg, "%s", contam_status_message(s));
    }
    return s;
}

void contam_err_offset(contam_err *e, uint64_t offset)
{
    contam_err_offset_kind(e, "byte offset", offset);
}

void contam_err_offset_kind(contam_err *e, const char *kind, uint64_t offset)
{
    if (!e)
        return;
    e->offset = offset;
    e->has_offset = 1;
    snprintf(e->offset_kind, sizeof e->offset_kind, "%s", kind);
}

void contam_err_format(const contam_err *e, char *out, size_t cap)
{
    char where[600] = "";
    if (!cap)
        return;
    if (e->file[0] && e->line)
        snprintf(where, sizeof where, "%s:%llu: ", e->file, (unsigned long long)e->line);
    else if (e->file[0])
        snprintf(where, sizeof where, "%s: ", e->file);
    if (e->has_offset)
        snprintf(out, cap, "%s%s (%s %llu)", where,
                 e->msg[0] ? e->msg : contam_status_message(e->code),
                 e->offset_kind[0] ? e->offset_kind : "byte offset", (unsigned long long)e->offset);
    else
        snprintf(out, cap, "%s%s", where, e->msg[0] ? e->msg : contam_status_message(e->code));
}

/* ---- allocation ----------------------------------------------------------- */

/* Fault injection: single-threaded tests only (documented in common.h). The
 * counters are plain globals on purpose: production never sets fail_after. */
static long fail_after = -1;
static unsigned long alloc_count;

void contam_alloc_fail_after(long n) { fail_after = n; }
unsigned long contam_alloc_count(void) { return alloc_count; }

/* Counts only while injection is armed, so production threads never write
 * these globals. */
static int alloc_should_fail(void)
{
    if (fail_after < 0)
        return 0;
    if (fail_after == 0)
        return 1;
    fail_after--;
    alloc_count++;
    return 0;
}

void *contam_malloc(size_t n)
{
    if (alloc_should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *contam_malloc_large(size_t n)
{
    const size_t huge = (size_t)2 << 20;
    if (n < huge)
        return contam_malloc(n);
    if (alloc_should_fail())
        return NULL;
    void *p = NULL;
    if (posix_memalign(&p, huge, n) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, n / huge * huge, MADV_HUGEPAGE); /* a hint: errors are harmless */
#endif
    return p;
}

void *contam_calloc(size_t n, size_t size)
{
    if (alloc_should_fail())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *contam_realloc(void *p, size_t n)
{
    if (alloc_should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void contam_free(void *p) { free(p); }

char *contam_strndup(const char *s, size_t n)
{
    char *d = contam_malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *contam_strdup(const char *s) { return contam_strndup(s, strlen(s)); }

/* ---- arrays and buffers ---------------------------------------------------- */

int contam_array_grow(void *p, size_t *cap, size_t need, size_t elem, size_t initial)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : (initial ? initial : 1);
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return -1;
    void **pp = p;
    void *n = contam_realloc(*pp, ncap * elem);
    if (!n)
        return -1;
    *pp = n;
    *cap = ncap;
    return 0;
}

int contam_buf_reserve(contam_buf *b, size_t extra)
{
    if (b->size + extra + 1 <= b->cap)
        return 0;
    if (extra > SIZE_MAX / 2 - b->size)
        return -1;
    size_t want = b->size + extra + 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < want)
        cap *= 2;
    char *p = contam_realloc(b->ptr, cap);
    if (!p)
        return -1;
    b->ptr = p;
    b->cap = cap;
    return 0;
}

int contam_buf_append(contam_buf *b, const void *p, size_t n)
{
    if (contam_buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->ptr + b->size, p, n);
    b->size += n;
    b->ptr[b->size] = '\0';
    return 0;
}

int contam_buf_puts(contam_buf *b, const char *s) { return contam_buf_append(b, s, strlen(s)); }

int contam_buf_printf(contam_buf *b, const char *fmt, ...)
{
    /* Format straight into the spare capacity; only a result that does not
     * fit costs a second pass. */
    size_t room = b->cap > b->size ? b->cap - b->size : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room ? b->ptr + b->size : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n >= room) {
        if (contam_buf_reserve(b, (size_t)n))
            return -1;
        va_start(ap, fmt);
        vsnprintf(b->ptr + b->size, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->size += (size_t)n;
    return 0;
}

int contam_buf_u64(contam_buf *b, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return contam_buf_append(b, tmp + sizeof tmp - n, n);
}

/* Length of a valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int contam_buf_json_str(contam_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (contam_buf_reserve(b, n + 2))
        return -1;
    if (contam_buf_append(b, "\"", 1))
        return -1;
    size_t i = 0;
    while (i < n) {
        /* Copy the longest run that needs no escaping in one append. */
        size_t j = i;
        while (j < n && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' && p[j] != '\\')
            j++;
        if (j > i && contam_buf_append(b, s + i, j - i))
            return -1;
        i = j;
        if (i >= n)
            break;
        unsigned c = p[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            if (contam_buf_append(b, esc, 2))
                return -1;
            i++;
        } else if (c < 0x20) {
            const char *named = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
            if (named) {
                if (contam_buf_puts(b, named))
                    return -1;
            } else {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                if (contam_buf_puts(b, esc))
                    return -1;
            }
            i++;
        } else {
            size_t len = utf8_valid_len(p + i, n - i);
            if (len == 0) {
                if (contam_buf_append(b, "\xEF\xBF\xBD", 3))
                    return -1;
                i++;
            } else {
                if (contam_buf_append(b, s + i, len))
                    return -1;
                i += len;
            }
        }
    }
    return contam_buf_append(b, "\"", 1);
}

void contam_buf_reset(contam_buf *b)
{
    b->size = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

void contam_buf_free(contam_buf *b)
{
    contam_free(b->ptr);
    b->ptr = NULL;
    b->size = b->cap = 0;
}

/* ---- number parsing ------------------------------------------------------- */

int contam_parse_size(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return -1;
    uint64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
        p++;
    }
    unsigned shift = 0;
    switch (*p) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    case '\0': break;
    default: return -1;
    }
    if (shift) {
        p++;
        if (*p == 'i' || *p == 'I')
            p++;
        if (*p == 'b' || *p == 'B')
            p++;
        if (*p)
            return -1;
        if (v > (UINT64_MAX >> shift))
            return -1;
        v <<= shift;
    }
    *out = v;
    return 0;
}

int contam_parse_fraction(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v))
        return -1;
    if (*end == '%') {
        v /= 100.0;
        end++;
    }
    if (*end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}
