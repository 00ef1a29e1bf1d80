/* fuzz_util.h - helpers shared by the fuzz targets: a property check that
 * aborts (so libFuzzer and the replay driver both report it as a crash with
 * the input saved), a per-process scratch directory, whole-file writes and a
 * hash for data-derived choices. Header-only: each target is one .c file. */
#ifndef CONTAM_FUZZ_UTIL_H
#define CONTAM_FUZZ_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_fail(const char *file, int line, const char *fmt, ...)
    CONTAM_PRINTF(3, 4);

static inline void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: property violated: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

/* FUZZ_CHECK(cond, fmt, ...): cond must hold for every input. */
#define FUZZ_CHECK(cond, ...)                                                   \
    do {                                                                        \
        if (!(cond))                                                            \
            fuzz_fail(__FILE__, __LINE__, __VA_ARGS__);                         \
    } while (0)

static char fuzz_dir_path[4096];

static inline void fuzz_dir_remove(void)
{
    if (fuzz_dir_path[0])
        (void)rmdir(fuzz_dir_path);
}

/* A private directory under $TMPDIR (or /tmp), made once per process and
 * removed at exit; the targets delete their files after every input. */
static inline const char *fuzz_dir(void)
{
    if (!fuzz_dir_path[0]) {
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp)
            tmp = "/tmp";
        snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/contam-fuzz-XXXXXX", tmp);
        if (!mkdtemp(fuzz_dir_path)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fuzz_dir_remove);
    }
    return fuzz_dir_path;
}

/* out = fuzz_dir()/name */
static inline void fuzz_path(char *out, size_t cap, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", fuzz_dir(), name);
    if (n < 0 || (size_t)n >= cap)
        abort();
}

/* Writes the whole file or aborts: a harness failure is no finding. */
static inline void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || (n && fwrite(data, 1, n, fp) != n) || fclose(fp) != 0) {
        perror(path);
        abort();
    }
}

/* FNV-1a: data-derived parameters (cut points, levels) that libFuzzer can
 * steer by mutating the input, without reserving input bytes for them. */
static inline uint64_t fuzz_hash(const uint8_t *p, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* Printable dump of a short byte string for violation messages. */
static inline const char *fuzz_show(const void *p, size_t n, char *out, size_t cap)
{
    const unsigned char *s = p;
    size_t o = 0, i = 0;
    for (; i < n && o + 8 < cap; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7F && s[i] != '\\')
            out[o++] = (char)s[i];
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02X", s[i]);
    }
    if (i < n && o + 4 <= cap)
        o += (size_t)snprintf(out + o, cap - o, "...");
    out[o < cap ? o : cap - 1] = '\0';
    return out;
}

#endif
