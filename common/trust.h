/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which directories pgemm trusts with what it reads back later: compiled
 * kernels it hands to the OpenCL driver and models that steer the selector.
 *
 * A directory is trusted when no other user can have put or replaced a file
 * in it: the directory itself is owned by this user (or root) and writable
 * by no one else, and every directory above it is owned by this user or
 * root and writable by no one else unless it is sticky (like /tmp, where
 * others cannot rename or remove what is not theirs). This is the rule ssh
 * applies to ~/.ssh and its key files. Where the directory does not exist
 * yet, the rule applies to the part of its path that does.
 */
#ifndef PGEMM_TRUST_H
#define PGEMM_TRUST_H

#include <stddef.h>
#include <sys/stat.h>

/* 1 if dir is trusted; 0 with the reason in why ("/x/cache is writable by
 * its group (mode 0775); chmod go-w /x/cache"). */
int pgemm_dir_trusted(const char *dir, char *why, size_t cap);

/* 1 if an open file (its fstat) is owned by this user or root and writable
 * by no one else; 0 with the reason in why. */
int pgemm_file_trusted(const char *path, const struct stat *st, char *why, size_t cap);

#endif
