/* checksum.c - XXH3-128 checksums in the hex form used by reports and the
 * stream reader. */
#include <stdio.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "io/io.h"
#include "io/io_internal.h"

void io_hex128(uint64_t high, uint64_t low, char out[33])
{
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)high, (unsigned long long)low);
}

void io_checksum_mem(const void *p, size_t n, char out[33])
{
    XXH128_hash_t h = XXH3_128bits(p, n);
    io_hex128(h.high64, h.low64, out);
}
