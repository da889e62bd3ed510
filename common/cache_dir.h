/* SPDX-License-Identifier: BSD-3-Clause */
/* Where pgemm keeps per-user files (compiled kernels, tuned models). */
#ifndef PGEMM_COMMON_CACHE_DIR_H
#define PGEMM_COMMON_CACHE_DIR_H

#include <stddef.h>

/* PGEMM_CACHE_DIR ("off" or empty: none), else $XDG_CACHE_HOME/pgemm, else
 * ~/.cache/pgemm. Returns buf, or NULL when there is none. */
const char *pgemm_cache_dir(char *buf, size_t cap);

/* pgemm_cache_dir when that folder is trusted (common/trust.h: no other user
 * can put files in it); else NULL, with why saying "off" or what is wrong. */
const char *pgemm_cache_dir_trusted(char *buf, size_t cap, char *why, size_t why_cap);

#endif
