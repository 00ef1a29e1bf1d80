/* io_internal.h - helpers shared by the io/ source files; not part of the
 * public API (include io.h for that). */
#ifndef CONTAM_IO_INTERNAL_H
#define CONTAM_IO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "io/io.h"

/* Formats a 128-bit hash as 32 lowercase hex digits, high half first, so the
 * text matches `xxh128sum` and stays stable across platforms. */
void io_hex128(uint64_t high, uint64_t low, char out[33]);

/* fsyncs the directory holding path, making a rename into it durable. Some
 * file systems refuse fsync on directories; the data itself is already safe
 * then, so failures are ignored. */
void io_sync_parent(const char *path);

/* io_record_parse by building a cJSON tree: the reference behaviour for
 * every line (same contract as io_record_parse). */
io_rec_kind io_record_parse_tree(const char *line, size_t len, const char *text_field,
                                 const char *doc_field, io_record *rec, char *why, size_t cap,
                                 int *oom);

/* The tree-less reading of line[0, len) (record_fast.c). Returns 1 with rec
 * filled exactly as io_record_parse_tree would return IO_REC_OK (text
 * byte-identical; root NULL), or 0 without touching rec when the line is not
 * one it can be sure about: the caller then uses the tree. Never reports
 * errors. An allocation failure also declines. */
int io_record_parse_fast(const char *line, size_t len, const char *text_field,
                         io_record *rec);

#endif
