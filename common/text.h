/* SPDX-License-Identifier: BSD-3-Clause */
/* Small text helpers shared by the core, the selector and the backend
 * plugins. */
#ifndef PGEMM_TEXT_H
#define PGEMM_TEXT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "pgemm.h"

/* A one-line reason, filled by whoever fails (a backend, the selector) and
 * copied by the core. */
typedef struct pgemm_err {
    char msg[PGEMM_REASON_LEN];
} pgemm_err;

/* snprintf that never overflows and always terminates; returns dst. */
char *pgemm_text_format(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends formatted text to the NUL-terminated string in dst (capacity cap). */
void pgemm_text_append(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies src (may be NULL: empty) into dst, truncating, always terminating. */
void pgemm_text_copy(char *dst, size_t cap, const char *src);

/* Writes a reason into err (err may be NULL). */
void pgemm_err_set(pgemm_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* dst as a file name: src in lower case, each run of characters other than
 * letters and digits as one '-', none at either end ("NVIDIA H100 80GB" ->
 * "nvidia-h100-80gb"). Returns dst. */
char *pgemm_text_slug(char *dst, size_t cap, const char *src);

/* Case-insensitive substring test (ASCII). */
int pgemm_text_icontains(const char *haystack, const char *needle);

/* Text that grows as it is written: start from {0} (or a malloc'd p of
 * capacity cap); after any failed allocation oom is set, further writes are
 * dropped, and p stays the caller's to free. */
typedef struct pgemm_textbuf {
    char *p;
    size_t len, cap;
    int oom;
} pgemm_textbuf;

/* Appends formatted text to b. */
void pgemm_textbuf_put(pgemm_textbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* FNV-1a, 64 bit: cache keys and checksums (not cryptographic). */
uint64_t pgemm_fnv1a64(const void *data, size_t len, uint64_t seed);
#define PGEMM_FNV_SEED 0xcbf29ce484222325ull

#endif
