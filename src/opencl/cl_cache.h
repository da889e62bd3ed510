/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The disk cache of compiled OpenCL programs (private to the plugin).
 *
 * An entry is one file, <cache dir>/opencl/<hash of key>.bin:
 *
 *   "PGEMMCL2" | u64 key length | key | u64 binary length | MAC (32 bytes) | binary
 *
 * The key holds the platform, device and driver identity, the build options
 * and a hash of the kernel source, and is compared in full on load. The MAC
 * is HMAC-SHA256 (nettle) of everything before it and the binary, under the
 * cache's secret: 32 random bytes in <cache dir>/opencl/key, readable by
 * this user only. A binary reaches the driver only when its MAC says that a
 * pgemm process of this user, able to read the secret, wrote it: a file
 * planted, copied from another cache, damaged or truncated is rebuilt from
 * source and rewritten, never handed to the driver (which may crash on a
 * malformed binary). The cache is used only where its folder is trusted
 * (common/trust.h): owned by this user, writable by no one else.
 */
#ifndef PGEMM_CL_CACHE_H
#define PGEMM_CL_CACHE_H

#include <stddef.h>

enum { PGEMM_CL_CACHE_SECRET = 32 };

typedef struct cl_cache {
    char dir[1024];                               /* <cache dir>/opencl */
    unsigned char secret[PGEMM_CL_CACHE_SECRET];
} cl_cache;

/* Opens (creating what is missing) the kernel cache under cache_dir.
 * Returns 0, or -1 with the reason in why: the folder cannot be made or is
 * not trusted, the secret cannot be read or made. */
int pgemm_cl_cache_open(cl_cache *cache, const char *cache_dir, char *why, size_t cap);

/* The binary stored under key (malloc'd, *len bytes), or NULL with why:
 * "absent" when there is no entry, else what is wrong with it. */
unsigned char *pgemm_cl_cache_load(const cl_cache *cache, const char *key, size_t *len,
                                   char *why, size_t cap);

/* Stores bin under key; returns 0, or -1 with the reason in why. */
int pgemm_cl_cache_store(const cl_cache *cache, const char *key, const unsigned char *bin,
                         size_t len, char *why, size_t cap);

/* The file an entry for key lives in. */
const char *pgemm_cl_cache_path(const cl_cache *cache, const char *key, char *buf, size_t cap);

#endif
