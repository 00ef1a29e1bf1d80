/* record_fast.c - the common corpus line ({"text": "...", ...} with a plain
 * top-level text key) read without building a cJSON tree.
 *
 * Soundness contract: for any line this either declines (returns 0, the
 * caller then runs the cJSON path) or returns exactly what that path would:
 * IO_REC_OK with byte-identical text. So it accepts only a subset of what
 * cJSON 1.7.15 accepts, never reports errors itself, and declines whenever a
 * line might take one of cJSON's quirks:
 *  - cJSON skips every byte <= 32 between tokens; only ' ', \t, \n, \r are
 *    taken here (all <= 32), anything else declines;
 *  - cJSON copies raw bytes inside strings verbatim (no UTF-8 or control
 *    check), but a raw NUL would cut the string at strlen: declined;
 *  - \u0000 decodes to a NUL that cuts strings (and keys, changing which key
 *    strcmp matches): declined anywhere;
 *  - parse_hex4 reads a bad hex digit as a zero code point: declined (only
 *    4 hex digits pass); lone or reversed surrogates fail in cJSON: declined;
 *  - cJSON's numbers are whatever strtod takes from a 63-byte copy of the
 *    run of [0-9+-eE.] (so 01, 1. and -01e5 pass there), and a longer
 *    number fails unless the CVE-2023-26819 fix is in: only the strict
 *    RFC 8259 grammar up to 63 bytes passes here;
 *  - nesting beyond FAST_DEPTH declines (cJSON's own limit is 1000).
 * Decoded \u escapes are encoded to UTF-8 as utf16_literal_to_utf8 does,
 * which for the code points let through is standard UTF-8. */
#include <stdint.h>
#include <string.h>

#include "io/io.h"
#include "io/io_internal.h"

#define FAST_DEPTH 256
/* cJSON's parse_number copies at most 63 number bytes. */
#define FAST_NUM_MAX 63

typedef const unsigned char *bptr;

typedef struct {
    bptr end;     /* one past the line */
    int depth;    /* open containers */
} fast_ctx;

/* The text value found so far: its body [s, q) in the line, and when it
 * held escapes, its decoded bytes in buf (n of them). */
typedef struct {
    bptr s, q;
    unsigned char *buf;
    size_t n;
} fast_text;

static int fast_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static bptr skip_ws(bptr p, bptr e)
{
    while (p < e && fast_ws(*p))
        p++;
    return p;
}

static int hex_val(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at p (p + 4 <= e checked by the caller), or -1. */
static long hex4(bptr p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_val(p[i]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

/* The escape starting at the backslash p: its length in bytes (2, 6 or 12)
 * with the decoded code point in *cp (or the byte for short escapes), or 0
 * to decline. */
static size_t escape_at(bptr p, bptr e, unsigned long *cp)
{
    if (e - p < 2)
        return 0;
    switch (p[1]) {
    case '"': *cp = '"'; return 2;
    case '\\': *cp = '\\'; return 2;
    case '/': *cp = '/'; return 2;
    case 'b': *cp = '\b'; return 2;
    case 'f': *cp = '\f'; return 2;
    case 'n': *cp = '\n'; return 2;
    case 'r': *cp = '\r'; return 2;
    case 't': *cp = '\t'; return 2;
    case 'u': break;
    default: return 0;
    }
    if (e - p < 6)
        return 0;
    long hi = hex4(p + 2);
    if (hi <= 0 || (hi >= 0xDC00 && hi <= 0xDFFF)) /* \u0000, bad hex, lone low */
        return 0;
    if (hi < 0xD800 || hi > 0xDBFF) {
        *cp = (unsigned long)hi;
        return 6;
    }
    if (e - p < 12 || p[6] != '\\' || p[7] != 'u')
        return 0;
    long lo = hex4(p + 8);
    if (lo < 0xDC00 || lo > 0xDFFF)
        return 0;
    *cp = 0x10000 + (((unsigned long)hi & 0x3FF) << 10 | ((unsigned long)lo & 0x3FF));
    return 12;
}

/* 0x80 in each byte of x that is zero, 0 in the others (exact per byte:
 * no borrow runs between bytes, so the lowest flag is the first zero). */
static uint64_t zero_bytes(uint64_t x)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    return ~(((x & low7) + low7) | x | low7);
}

/* Index of the first flagged byte (in memory order) of a non-zero mask. */
static size_t first_flag(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (size_t)__builtin_clzll(m) >> 3;
#else
    return (size_t)__builtin_ctzll(m) >> 3;
#endif
}

static int is_special(unsigned char c) { return c == '"' || c == '\\' || c < 0x20; }

/* The first '"', '\\' or byte < 0x20 in [p, e), or e: eight bytes a step. */
static bptr next_special(bptr p, bptr e)
{
    const uint64_t ones = 0x0101010101010101ull;
    for (; e - p >= 8; p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t m = zero_bytes(w ^ (ones * '"')) | zero_bytes(w ^ (ones * '\\')) |
                     zero_bytes(w & (ones * 0xE0));
        if (m)
            return p + first_flag(m);
    }
    while (p < e && !is_special(*p))
        p++;
    return p;
}

/* Scans the string whose opening quote is at p[-1]. Returns the closing
 * quote (or NULL to decline); *esc is set when it holds an escape. */
static bptr scan_string(bptr p, bptr e, int *esc)
{
    *esc = 0;
    for (;;) {
        p = next_special(p, e);
        if (p >= e)
            return NULL;
        unsigned char c = *p;
        if (c == '"')
            return p;
        if (c == '\\') {
            unsigned long cp;
            size_t n = escape_at(p, e, &cp);
            if (!n)
                return NULL;
            *esc = 1;
            p += n;
        } else if (c == 0) {
            return NULL; /* cJSON keeps it, then strlen cuts the string there */
        } else {
            p++; /* other raw controls are copied as is, as cJSON does */
        }
    }
}

/* Writes the UTF-8 of code point cp (1..0x10FFFF) to o; returns its length. */
static size_t put_utf8(unsigned char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the string body [p, e) that scan_string accepted into o (room for
 * e - p bytes: no escape decodes longer than itself); returns the length.
 * Only keys with escapes come here, so plain bytes are copied one by one. */
static size_t decode_string(bptr p, bptr e, unsigned char *o)
{
    size_t n = 0;
    while (p < e) {
        if (*p != '\\') {
            o[n++] = *p++;
            continue;
        }
        unsigned long cp = 0;
        size_t k = escape_at(p, e, &cp); /* scan_string vetted it: k > 0 */
        n += put_utf8(o + n, cp);
        p += k;
    }
    return n;
}

/* Strict RFC 8259 number at p; returns the byte after it or NULL. */
static bptr scan_number(bptr p, bptr e)
{
    bptr s = p;
    if (p < e && *p == '-')
        p++;
    if (p >= e)
        return NULL;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    } else {
        return NULL;
    }
    if (p < e && *p == '.') {
        p++;
        bptr d = p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return NULL;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        bptr d = p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return NULL;
    }
    return p - s <= FAST_NUM_MAX ? p : NULL;
}

static bptr scan_value(fast_ctx *c, bptr p);

/* After a value in an array or object: the closing bracket (*closed = 1,
 * returns the byte after it) or a comma (*closed = 0, returns the next
 * non-space byte), whitespace skipped; NULL for anything else. */
static bptr after_value(bptr p, bptr e, unsigned char close, int *closed)
{
    p = skip_ws(p, e);
    if (p >= e || (*p != close && *p != ','))
        return NULL;
    *closed = *p == close;
    return *closed ? p + 1 : skip_ws(p + 1, e);
}

static bptr scan_array(fast_ctx *c, bptr p)
{
    p = skip_ws(p, c->end);
    if (p < c->end && *p == ']')
        return p + 1;
    for (;;) {
        int closed;
        if (!(p = scan_value(c, p)) || !(p = after_value(p, c->end, ']', &closed)) || closed)
            return p;
    }
}

/* The `"key" :` of a member (p at the key's quote): kspan gets the key's
 * body, *kesc whether it holds escapes. Returns the start of the value (past
 * blanks) or NULL. */
static bptr scan_member(fast_ctx *c, bptr p, bptr kspan[2], int *kesc)
{
    if (p >= c->end || *p != '"')
        return NULL;
    bptr q = scan_string(p + 1, c->end, kesc);
    if (!q)
        return NULL;
    kspan[0] = p + 1;
    kspan[1] = q;
    p = skip_ws(q + 1, c->end);
    if (p >= c->end || *p != ':')
        return NULL;
    return skip_ws(p + 1, c->end);
}

static bptr scan_object(fast_ctx *c, bptr p, const char *field, size_t flen, fast_text *t);

static bptr scan_literal(bptr p, bptr e, const char *word, size_t n)
{
    return (size_t)(e - p) >= n && memcmp(p, word, n) == 0 ? p + n : NULL;
}

/* Any JSON value at p (no leading blanks); returns the byte after it. */
static bptr scan_value(fast_ctx *c, bptr p)
{
    bptr e = c->end;
    if (p >= e)
        return NULL;
    switch (*p) {
    case '"': {
        int esc;
        bptr q = scan_string(p + 1, e, &esc);
        return q ? q + 1 : NULL;
    }
    case '{':
    case '[': {
        if (c->depth >= FAST_DEPTH)
            return NULL;
        c->depth++;
        bptr q = *p == '{' ? scan_object(c, p + 1, NULL, 0, NULL) : scan_array(c, p + 1);
        c->depth--;
        return q;
    }
    case 't': return scan_literal(p, e, "true", 4);
    case 'f': return scan_literal(p, e, "false", 5);
    case 'n': return scan_literal(p, e, "null", 4);
    default: return scan_number(p, e);
    }
}

/* Does the key body [k0, k1) (escapes in it when kesc) equal field? */
static int key_is(bptr k0, bptr k1, int kesc, const char *field, size_t flen)
{
    size_t raw = (size_t)(k1 - k0);
    if (!kesc)
        return raw == flen && memcmp(k0, field, flen) == 0;
    /* An escape decodes to at least one byte per six, so longer keys
     * cannot match; shorter ones fit the buffer (flen < 256). */
    unsigned char buf[6 * 256];
    if (raw > 6 * flen || raw > sizeof buf)
        return 0;
    size_t n = decode_string(k0, k1, buf);
    return n == flen && memcmp(buf, field, flen) == 0;
}

/* scan_string for the text value, decoding as it goes once the first
 * escape shows up (one pass over the text instead of scan + decode; texts
 * without escapes need no buffer). Returns the closing quote or NULL; t->buf
 * may be set either way (the caller frees it). */
static bptr scan_text(bptr s, bptr e, fast_text *t)
{
    const uint64_t ones = 0x0101010101010101ull;
    bptr p = s;
    for (;;) {
        p = next_special(p, e);
        if (p >= e || *p == 0)
            return NULL;
        if (*p == '"')
            return p;
        if (*p == '\\')
            break;
        p++;
    }
    /* room for the whole rest of the line: the text cannot decode longer */
    unsigned char *o = contam_malloc((size_t)(e - s) + 1);
    if (!o)
        return NULL; /* the tree path then meets (and reports) the shortage */
    t->buf = o;
    size_t n = (size_t)(p - s);
    memcpy(o, s, n);
    /* Invariant: n <= p - s (decoding never grows), so the eight-byte store
     * at o + n ends by o + (e - s) whenever eight input bytes remain. */
    for (;;) {
        if (e - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            memcpy(o + n, &w, 8);
            uint64_t m = zero_bytes(w ^ (ones * '"')) | zero_bytes(w ^ (ones * '\\')) |
                         zero_bytes(w & (ones * 0xE0));
            if (!m) {
                p += 8;
                n += 8;
                continue;
            }
            size_t k = first_flag(m);
            p += k;
            n += k;
        } else if (p >= e) {
            return NULL;
        }
        unsigned char c = *p;
        if (c == '"') {
            t->n = n;
            return p;
        }
        if (c == '\\') {
            unsigned long cp;
            size_t k = escape_at(p, e, &cp);
            if (!k)
                return NULL;
            n += put_utf8(o + n, cp);
            p += k;
        } else if (c == 0) {
            return NULL;
        } else {
            o[n++] = c;
            p++;
        }
    }
}

/* The members of an object (p just past its '{'). With a field (the top
 * level), the first member of that name must hold a string, which t gets.
 * Returns the byte after the closing '}' or NULL. */
static bptr scan_object(fast_ctx *c, bptr p, const char *field, size_t flen, fast_text *t)
{
    p = skip_ws(p, c->end);
    if (p < c->end && *p == '}')
        return p + 1;
    for (;;) {
        bptr k[2];
        int kesc;
        p = scan_member(c, p, k, &kesc);
        if (!p)
            return NULL;
        if (field && !t->s && key_is(k[0], k[1], kesc, field, flen)) {
            /* cJSON_GetObjectItemCaseSensitive takes the first match; one
             * that is no string is NO_TEXT there, so left to it. */
            if (p >= c->end || *p != '"')
                return NULL;
            t->s = p + 1;
            t->q = scan_text(p + 1, c->end, t);
            if (!t->q)
                return NULL;
            p = t->q + 1;
        } else if (!(p = scan_value(c, p))) {
            return NULL;
        }
        int closed;
        if (!(p = after_value(p, c->end, '}', &closed)) || closed)
            return p;
    }
}

int io_record_parse_fast(const char *line, size_t len, const char *text_field,
                         io_record *rec)
{
    if (len == 0)
        return 0; /* blank: the tree path says so */
    size_t flen = strlen(text_field);
    /* contam_json_path takes "" as the root and refuses keys >= 256 bytes;
     * dotted paths are left to it. */
    if (flen == 0 || flen >= 256 || memchr(text_field, '.', flen))
        return 0;
    fast_ctx c = {(bptr)line + len, 1};
    bptr p = (bptr)line;
    while (p < c.end && (*p == ' ' || *p == '\t' || *p == '\r')) /* record.c's is_blank */
        p++;
    if (p >= c.end || *p != '{') /* also declines a UTF-8 BOM */
        return 0;
    fast_text t = {NULL, NULL, NULL, 0};
    p = scan_object(&c, p + 1, text_field, flen, &t);
    /* cJSON stops after the '}'; record.c then allows only blanks. */
    while (p && p < c.end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    if (p != c.end || !t.q) {
        contam_free(t.buf);
        return 0;
    }
    memset(rec, 0, sizeof *rec);
    if (!t.buf) {
        rec->text = (const char *)t.s;
        rec->len = (size_t)(t.q - t.s);
        return 1;
    }
    t.buf[t.n] = '\0';
    rec->owned = (char *)t.buf;
    rec->text = rec->owned;
    rec->len = t.n;
    return 1;
}
