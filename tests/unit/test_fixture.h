/* test_fixture.h - the scratch directory shared by the cmocka unit-test
 * programs, and small helpers that write files into it.
 *
 * What: one directory per test program, "<base>/<FIXTURE_PREFIX>-<pid>",
 * whose path is kept in g_tmp. The pid keeps programs that ctest runs in
 * parallel (and two runs of the same program) apart.
 * Where: <base> is $CONTAM_TEST_TMP (CMake sets it to <build>/testtmp) or
 * /tmp when unset; <base> is created if missing.
 * Cleanup: fixture_teardown() removes the directory and everything under it;
 * fixture_setup() first removes what an earlier run with the same pid left.
 *
 * Use: #define FIXTURE_PREFIX "name" before including this header, then pass
 * fixture_group_setup / fixture_group_teardown to cmocka_run_group_tests, or
 * fixture_group_setup_json when the program needs contam_json_init(); a
 * program that needs more (a second directory, other globals) calls these
 * from its own group hooks.
 *
 * The path helpers return rotating static buffers: a result stays valid for
 * the next FIXTURE_NPATHS - 1 calls, which every test here stays within.
 * Everything is static inline so a program that skips a helper gets no
 * unused-function warning. */
#ifndef CONTAM_TEST_FIXTURE_H
#define CONTAM_TEST_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "common/common.h"

#ifndef FIXTURE_PREFIX
#error "define FIXTURE_PREFIX (the scratch directory's name) before including test_fixture.h"
#endif

#define FIXTURE_NPATHS 32
#define FIXTURE_PATH_MAX 1024

/* The program's scratch directory; set by fixture_setup(). */
static char g_tmp[512];

/* rm -rf PATH; 0 on success. Through the shell like the CLI tests, because
 * nftw would need _XOPEN_SOURCE before every include of every program. */
static inline int fixture_rm_rf(const char *path)
{
    char cmd[FIXTURE_PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    return system(cmd) == 0 ? 0 : -1;
}

/* Creates the scratch directory (see the top of this file); 0 on success. */
static inline int fixture_setup(void)
{
    const char *t = getenv("CONTAM_TEST_TMP");
    const char *base = t ? t : "/tmp";
    if (mkdir(base, 0777) != 0 && errno != EEXIST)
        return -1;
    snprintf(g_tmp, sizeof g_tmp, "%s/%s-%ld", base, FIXTURE_PREFIX, (long)getpid());
    if (fixture_rm_rf(g_tmp) != 0)
        return -1;
    return mkdir(g_tmp, 0777) == 0 ? 0 : -1;
}

/* Removes the scratch directory and its contents; 0 on success. */
static inline int fixture_teardown(void)
{
    return fixture_rm_rf(g_tmp);
}

/* cmocka group hooks for programs that need nothing else. */
static inline int fixture_group_setup(void **state)
{
    (void)state;
    return fixture_setup();
}

/* The same after contam_json_init(), for programs that parse or write JSON:
 * cJSON then allocates through contam_malloc, so its allocations count in the
 * allocation-failure loops. */
static inline int fixture_group_setup_json(void **state)
{
    contam_json_init();
    return fixture_group_setup(state);
}

static inline int fixture_group_teardown(void **state)
{
    (void)state;
    return fixture_teardown();
}

/* g_tmp/name, touching nothing on disk (for paths that must not exist). */
static inline const char *fixture_path(const char *name)
{
    static char paths[FIXTURE_NPATHS][FIXTURE_PATH_MAX];
    static int k;
    char *p = paths[k++ % FIXTURE_NPATHS];
    snprintf(p, FIXTURE_PATH_MAX, "%s/%s", g_tmp, name);
    return p;
}

/* g_tmp/name, with the directories of name below g_tmp created. */
static inline const char *tpath(const char *name)
{
    const char *p = fixture_path(name);
    char dir[FIXTURE_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", p);
    for (char *slash = dir + strlen(g_tmp) + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
        *slash = '\0';
        mkdir(dir, 0777); /* may exist already; a real failure shows at fopen */
        *slash = '/';
    }
    return p;
}

/* Writes len bytes of data to path (replacing it). */
static inline void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Writes data to tpath(name) and returns that path. */
static inline const char *put(const char *name, const void *data, size_t len)
{
    const char *p = tpath(name);
    write_file(p, data, len);
    return p;
}

static inline const char *put_str(const char *name, const char *text)
{
    return put(name, text, strlen(text));
}

static inline const char *put_buf(const char *name, const contam_buf *b)
{
    return put(name, b->ptr ? b->ptr : "", b->size);
}

/* The whole of path, NUL-terminated, in a malloc'd buffer the caller frees;
 * *len is its size without the NUL. */
static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* The whole of path into b (reset first). */
static inline void slurp_buf(const char *path, contam_buf *b)
{
    contam_buf_reset(b);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        assert_int_equal(contam_buf_append(b, buf, got), 0);
    assert_int_equal(ferror(f), 0);
    fclose(f);
}

/* A zstd-compressed copy of b with drop_tail bytes cut off the end (a
 * truncated frame when drop_tail > 0). */
static inline const char *put_zst(const char *name, const contam_buf *b, size_t drop_tail)
{
    size_t cap = ZSTD_compressBound(b->size);
    char *z = malloc(cap);
    assert_non_null(z);
    size_t n = ZSTD_compress(z, cap, b->ptr, b->size, 3);
    assert_false(ZSTD_isError(n));
    assert_true(n > drop_tail);
    const char *p = put(name, z, n - drop_tail);
    free(z);
    return p;
}

#endif
