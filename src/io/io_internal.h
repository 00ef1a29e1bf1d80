/* io_internal.h - helpers shared by the io/ source files; not part of the
 * public API (include io.h for that). */
#ifndef CONTAM_IO_INTERNAL_H
#define CONTAM_IO_INTERNAL_H

#include <stdint.h>

/* Formats a 128-bit hash as 32 lowercase hex digits, high half first, so the
 * text matches `xxh128sum` and stays stable across platforms. */
void io_hex128(uint64_t high, uint64_t low, char out[33]);

/* fsyncs the directory holding path, making a rename into it durable. Some
 * file systems refuse fsync on directories; the data itself is already safe
 * then, so failures are ignored. */
void io_sync_parent(const char *path);

#endif
