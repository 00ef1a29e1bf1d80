/* bench_faults.c - what first-touching fresh memory costs on this machine,
 * in 4 KiB pages and in 2 MiB transparent huge pages, next to a memset of
 * the same memory once it is mapped (the machine's own memory speed, so
 * figures from noisy hosts compare as ratios).
 *
 * Why it exists: on the virtual machines contam is measured on, a small
 * page fault costs over 10 us, so where a build's arrays live (huge pages,
 * kept and reused rather than freed) decided several of the changes in
 * docs/PERFORMANCE.md. This program is where that figure comes from.
 *
 * Each repetition maps fresh anonymous memory, touches one byte per 4 KiB,
 * memsets it all, and unmaps it. The first repetition of the huge-page
 * case can be far slower than the others when the host backs the memory
 * for the first time. Prints figures; asserts nothing about speed.
 *
 * Usage: bench_faults [--mib N] [--reps N]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench_util.h"

#define HUGE_BYTES ((size_t)2 << 20)
#define PAGE_BYTES ((size_t)4096)

/* One repetition: 0, or -1 when the memory cannot be mapped. */
static int touch_once(size_t bytes, int huge, double *touch_s, double *memset_s)
{
    size_t map = bytes + HUGE_BYTES; /* room to align to a huge page */
    unsigned char *base = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                               -1, 0);
    if (base == MAP_FAILED)
        return -1;
    unsigned char *p = base + (HUGE_BYTES - (size_t)((uintptr_t)base % HUGE_BYTES)) % HUGE_BYTES;
#if defined(MADV_HUGEPAGE) && defined(MADV_NOHUGEPAGE)
    (void)madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE); /* a hint */
#endif
    double t0 = bench_now();
    for (size_t i = 0; i < bytes; i += PAGE_BYTES)
        p[i] = 1;
    double t1 = bench_now();
    memset(p, 2, bytes);
    double t2 = bench_now();
    /* Keeps the stores: the compiler may not drop writes it cannot see read. */
    volatile unsigned char sink = p[bytes - 1];
    (void)sink;
    munmap(base, map);
    *touch_s = t1 - t0;
    *memset_s = t2 - t1;
    return 0;
}

int main(int argc, char **argv)
{
    size_t mib = 256, reps = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mib") && i + 1 < argc &&
            !bench_parse_range(argv[i + 1], 1, 65536, &mib)) {
            i++;
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc &&
                   !bench_parse_range(argv[i + 1], 1, 100, &reps)) {
            i++;
        } else {
            fprintf(stderr, "usage: bench_faults [--mib N (1-65536)] [--reps N (1-100)]\n");
            return strcmp(argv[i], "--help") && strcmp(argv[i], "-h") ? 2 : 0;
        }
    }
    size_t bytes = mib << 20;
    printf("fresh anonymous memory, %zu MiB, touched a byte per 4 KiB, then memset\n", mib);
    printf("%-12s %4s %10s %12s %12s %12s\n", "pages", "rep", "touch ms", "us / 4 KiB",
           "memset ms", "x memset");
    for (int huge = 0; huge < 2; huge++)
        for (size_t r = 0; r < reps; r++) {
            double t, m;
            if (touch_once(bytes, huge, &t, &m)) {
                fprintf(stderr, "bench_faults: cannot map %zu MiB\n", mib);
                return 1;
            }
            printf("%-12s %4zu %10.1f %12.2f %12.1f %12.1f\n", huge ? "2 MiB (THP)" : "4 KiB",
                   r + 1, t * 1e3, t * 1e6 / (double)(bytes / PAGE_BYTES), m * 1e3,
                   m > 0 ? t / m : 0.0);
        }
    return 0;
}
