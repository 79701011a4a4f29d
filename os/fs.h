// SPDX-License-Identifier: MPL-2.0
// Files: whole-file reads, and atomic writes (temp file, fsync, rename, fsync dir).
#ifndef WEFT_OS_FS_H
#define WEFT_OS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

// Reads at most `max` bytes of a file into a new NUL-terminated buffer; NULL with errno set on
// failure or if the file is larger than max (errno EFBIG). Caller frees.
char *weft_fs_read(const char *path, size_t max, size_t *len);

// Writes data atomically with the given mode: readers see the old file or the new one, never
// a mix, and the new one survives a crash once this returns 0. Returns 0 or -errno.
int weft_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

#endif
