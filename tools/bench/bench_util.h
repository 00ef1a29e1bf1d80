/* bench_util.h - what the benchmark programs under tools/bench share: a
 * monotonic clock, and an option's number checked against a range with the
 * library's parser (contam_parse_size: overflow-checked, K/M/G suffixes).
 * Header only: each program is an executable of its own. */
#ifndef CONTAM_BENCH_UTIL_H
#define CONTAM_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/common.h"

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 0 with *out set when s is a number in [lo, hi], else -1. */
static inline int bench_parse_range(const char *s, uint64_t lo, uint64_t hi, size_t *out)
{
    uint64_t v;
    if (contam_parse_size(s, &v) != 0 || v < lo || v > hi || v > SIZE_MAX)
        return -1;
    *out = (size_t)v;
    return 0;
}

#endif
