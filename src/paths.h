/* SPDX-License-Identifier: BSD-3-Clause */
/* Where the library's own files are: found from where libpgemm.so is, so
 * that an installed prefix can be moved and still finds its plugins and
 * shipped models. */
#ifndef PGEMM_PATHS_H
#define PGEMM_PATHS_H

#include <stddef.h>

/* The folder holding this libpgemm.so (symbolic links resolved). Returns 1,
 * or 0 when it cannot be told (dir is then empty). */
int pgemm_library_dir(char *dir, size_t cap);

/* The shipped models' folder: the source tree's selector/models for a
 * library that runs from the build folder it was built in, else
 * <datadir>/pgemm/models of the prefix the library is installed in, found
 * relative to the library. Returns 1, or 0 (dir empty) when it cannot be
 * told. */
int pgemm_shipped_model_dir(char *dir, size_t cap);

#endif
