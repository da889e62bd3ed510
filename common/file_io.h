/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading and writing the files pgemm keeps (models, cached kernels):
 * regular files only, never blocking, and written whole or not at all.
 *
 * A path that names a FIFO, a device (/dev/zero behind a symlink), a socket
 * or a directory is refused before anything is read from it: opened with
 * O_NONBLOCK and checked with fstat, so that a FIFO cannot hang the caller.
 */
#ifndef PGEMM_FILE_IO_H
#define PGEMM_FILE_IO_H

#include <stddef.h>
#include <sys/stat.h>

/* Opens path read-only (O_CLOEXEC) if it is a regular file. Returns the
 * descriptor and its stat in *st (may be NULL), or -1 with the reason in
 * why: "No such file or directory", "not a regular file (a FIFO)", ... */
int pgemm_file_open_regular(const char *path, struct stat *st, char *why, size_t cap);

/* The whole content of regular file `path`, NUL-terminated, in a malloc'd
 * buffer (*len bytes without the NUL). NULL with the reason in why when the
 * file cannot be opened, is not a regular file, or is larger than max. */
char *pgemm_file_read(const char *path, size_t max, size_t *len, char *why, size_t cap);

/* pgemm_file_read for files pgemm trusts with what it runs (common/trust.h):
 * also refused when owned by another user than this one or root, or
 * writable by anyone else. */
char *pgemm_file_read_trusted(const char *path, size_t max, size_t *len, char *why, size_t cap);

/* Replaces path with the concatenation of parts[0 .. count-1]: written to a
 * temporary file beside it (a name no other writer of this process or
 * another uses: pid, a process-wide counter, created with O_EXCL), then
 * renamed, so that a reader sees the old file or the new one, never part of
 * one. Returns 0, or -1 with the reason in why (nothing left behind). */
typedef struct pgemm_file_part {
    const void *data;
    size_t len;
} pgemm_file_part;
int pgemm_file_write_atomic(const char *path, const pgemm_file_part *parts, size_t count,
                            char *why, size_t cap);
/* The same with the new file's permission bits (before the umask), and, when
 * `exclusive`, only if path does not exist yet (1 is returned when it did:
 * the file already there is left as it was). */
int pgemm_file_write_atomic_mode(const char *path, const pgemm_file_part *parts, size_t count,
                                 unsigned mode, int exclusive, char *why, size_t cap);

/* mkdir -p: path and every missing folder above it, each new one with mode
 * (before the umask). Returns 0 when path is a folder at the end, else -1
 * with errno set (ENAMETOOLONG for a path of 4096 bytes or more). */
int pgemm_make_dirs(const char *path, unsigned mode);

#endif
