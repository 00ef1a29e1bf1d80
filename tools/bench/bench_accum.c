/* bench_accum.c - the cost of an index build's chunk flush (src/index/
 * accum.c: sort a chunk of (hash, record) pairs and collapse it into a
 * segment of distinct hashes with document frequencies), per pair, next to
 * the cost of copying the same chunk once in the same run (the machine's
 * own memory speed, so figures from noisy hosts compare as ratios).
 *
 * Pairs are pseudo-random 64-bit hashes in documents of 700 windows, as the
 * shared corpus's 13-grams nearly all are distinct. Each repetition flushes
 * a full chunk into a fresh accumulator segment and drops it, so segment
 * merges are not timed. Prints the best of --reps; asserts nothing about
 * speed, but checks every flush kept every distinct hash.
 *
 * Usage: bench_accum [--pairs N] [--reps N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index/index_accum.h"
#include "bench_util.h"

int main(int argc, char **argv)
{
    size_t pairs = (size_t)1 << 20, reps = 12;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--pairs") &&
            !bench_parse_range(argv[i + 1], 1024, (uint64_t)1 << 26, &pairs))
            i++;
        else if (i + 1 < argc && !strcmp(argv[i], "--reps") &&
                 !bench_parse_range(argv[i + 1], 1, 1000, &reps))
            i++;
        else {
            fprintf(stderr, "usage: bench_accum [--pairs N (1024..2^26)] [--reps N (1..1000)]\n");
            return 2;
        }
    }
    idx_accum a;
    idx_pair *copy = malloc(pairs * sizeof *copy);
    if (!copy || idx_accum_init(&a, IDX_FLAG_DF, pairs)) {
        fprintf(stderr, "bench_accum: out of memory\n");
        return 1;
    }
    uint64_t x = 0x9E3779B97F4A7C15u;
    double best_flush = 1e30, best_copy = 1e30;
    for (size_t r = 0; r < reps; r++) {
        for (size_t i = 0; i < pairs; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            idx_accum_push(&a, x, i / 700);
        }
        double t0 = bench_now();
        memcpy(copy, a.chunk, pairs * sizeof *copy);
        double t1 = bench_now();
        if (idx_accum_flush_chunk(&a)) {
            fprintf(stderr, "bench_accum: out of memory\n");
            return 1;
        }
        double t2 = bench_now();
        if (a.nseg != 1 || a.seg[0].n != pairs) { /* random 64-bit keys: all distinct */
            fprintf(stderr, "bench_accum: flush kept %zu of %zu hashes\n",
                    a.nseg ? a.seg[0].n : 0, pairs);
            return 1;
        }
        idx_accum_drop(&a);
        if (t1 - t0 < best_copy)
            best_copy = t1 - t0;
        if (t2 - t1 < best_flush)
            best_flush = t2 - t1;
    }
    printf("chunk of %zu pairs, best of %zu\n", pairs, reps);
    printf("memcpy of the chunk   %8.2f ms  %6.2f ns/pair  1.00\n", best_copy * 1e3,
           best_copy * 1e9 / (double)pairs);
    printf("flush (sort+collapse) %8.2f ms  %6.2f ns/pair  %.2f x memcpy\n", best_flush * 1e3,
           best_flush * 1e9 / (double)pairs, best_flush / best_copy);
    idx_accum_free(&a);
    free(copy);
    return 0;
}
