/* test_quality_util.h - helpers shared by the test_quality*.c programs:
 * benchmarks loaded from hand-written items in the scratch directory or from
 * files elsewhere (the shared real data, the repository's corpora), and the
 * allocation-failure loop.
 *
 * Use: #define FIXTURE_PREFIX "name" before including this header (it
 * includes test_fixture.h for the scratch directory). Everything is static
 * inline so a program that skips a helper gets no unused-function warning. */
#ifndef CONTAM_TEST_QUALITY_UTIL_H
#define CONTAM_TEST_QUALITY_UTIL_H

#include "test_fixture.h"

#include "bench/bench.h"
#include "quality/quality.h"

#define QT_NPATHS 8

/* A path made with printf. Rotating static buffers, like fixture_path: a
 * result stays valid for the next QT_NPATHS - 1 calls. */
static inline CONTAM_PRINTF(1, 2) const char *pathf(const char *fmt, ...)
{
    static char paths[QT_NPATHS][FIXTURE_PATH_MAX];
    static int k;
    char *p = paths[k++ % QT_NPATHS];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p, FIXTURE_PATH_MAX, fmt, ap);
    va_end(ap);
    return p;
}

/* rel under the shared real data: $CONTAM_SHARED_DATA (CMake sets it), else
 * ../shared/data as seen from the build directory. */
static inline const char *shared_path(const char *rel)
{
    const char *dir = getenv("CONTAM_SHARED_DATA");
    return pathf("%s/%s", dir ? dir : "../shared/data", rel);
}

/* The benchmark in paths[0..n), read with o; loading must succeed. */
static inline bench_set *load_bench(const char *const *paths, size_t n, const bench_options *o)
{
    bench_set *b = NULL;
    contam_err err;
    assert_int_equal(bench_load(paths, n, o, &b, &err), CONTAM_OK);
    return b;
}

/* The benchmark in paths[0..n), read with a preset. */
static inline bench_set *load_preset_files(const char *const *paths, size_t n, const char *preset)
{
    bench_options o;
    memset(&o, 0, sizeof o);
    o.preset = preset;
    return load_bench(paths, n, &o);
}

/* One file of the shared real data read with a preset. */
static inline bench_set *load_shared(const char *rel, const char *preset)
{
    const char *p = shared_path(rel);
    return load_preset_files(&p, 1, preset);
}

/* content written to the scratch file name, read with a preset. */
static inline bench_set *load_preset(const char *name, const char *preset, const char *content)
{
    const char *p = put_str(name, content);
    return load_preset_files(&p, 1, preset);
}

/* A generic multiple-choice benchmark: {"q": ..., "o": [...], "a": "B"}. */
static inline bench_set *load_mc(const char *name, const char *content)
{
    const char *p = put_str(name, content);
    bench_options o;
    memset(&o, 0, sizeof o);
    o.text_fields = "q,o";
    o.label_field = "a";
    return load_bench(&p, 1, &o);
}

/* ---- allocation failures ------------------------------------------------------------ */

/* Runs the code under test with the n-th allocation failing for n = 0, 1, ...
 * until a round gets all the memory it asks for, which must happen within
 * QT_ALLOC_ROUNDS rounds; every failure must be CONTAM_ERR_NOMEM. Shape:
 *
 *     qt_alloc_loop af = {0};
 *     while (qt_alloc_round(&af)) {
 *         ... run the code under test, assert nothing ...
 *         if (qt_alloc_end(&af, st, complete)) { ... check the result ... }
 *         ... free what the round made ...
 *     }
 *
 * Nothing may assert between qt_alloc_round and qt_alloc_end: a failed
 * assertion leaves through cmocka's longjmp, with allocations still failing. */
#define QT_ALLOC_ROUNDS 100000

typedef struct {
    long n;   /* the next round's allocation to fail */
    int done; /* a round got all its memory */
} qt_alloc_loop;

/* Starts the next round (1), or ends the loop (0), asserting that some round
 * succeeded. */
static inline int qt_alloc_round(qt_alloc_loop *a)
{
    if (a->done || a->n >= QT_ALLOC_ROUNDS) {
        assert_true(a->done);
        return 0;
    }
    contam_alloc_fail_after(a->n++);
    return 1;
}

/* Ends a round: allocations succeed again. st is the status of the library
 * calls; complete is 0 when, with st CONTAM_OK, an output writer ran out of
 * memory (writers return -1, not a status). 1 when the round succeeded (the
 * last one); otherwise a failed status must be CONTAM_ERR_NOMEM. */
static inline int qt_alloc_end(qt_alloc_loop *a, contam_status st, int complete)
{
    contam_alloc_fail_after(-1);
    if (st == CONTAM_OK && complete) {
        a->done = 1;
        return 1;
    }
    if (st != CONTAM_OK)
        assert_int_equal(st, CONTAM_ERR_NOMEM);
    return 0;
}

#endif
