/* SPDX-License-Identifier: BSD-3-Clause */
#define _POSIX_C_SOURCE 200809L
#include "common/text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *pgemm_text_format(char *dst, size_t cap, const char *fmt, ...)
{
    if (cap == 0) return dst;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    return dst;
}

void pgemm_text_append(char *dst, size_t cap, const char *fmt, ...)
{
    size_t used = strnlen(dst, cap);
    if (used + 1 >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst + used, cap - used, fmt, ap);
    va_end(ap);
}

void pgemm_text_copy(char *dst, size_t cap, const char *src)
{
    if (cap == 0) return;
    if (!src) src = "";
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void pgemm_err_set(pgemm_err *err, const char *fmt, ...)
{
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

int pgemm_text_icontains(const char *haystack, const char *needle)
{
    if (!haystack || !needle) return 0;
    size_t hn = strlen(haystack), nn = strlen(needle);
    if (nn == 0) return 1;
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t j = 0;
        while (j < nn && tolower((unsigned char)haystack[i + j]) == tolower((unsigned char)needle[j]))
            j++;
        if (j == nn) return 1;
    }
    return 0;
}

uint64_t pgemm_fnv1a64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

char *pgemm_text_slug(char *dst, size_t cap, const char *src)
{
    if (!cap) return dst;
    size_t w = 0;
    for (const char *r = src ? src : ""; *r && w + 1 < cap; r++) {
        char ch = (char)tolower((unsigned char)*r);
        if (!isalnum((unsigned char)ch)) ch = '-';
        if (ch == '-' && (w == 0 || dst[w - 1] == '-')) continue;
        dst[w++] = ch;
    }
    if (w > 0 && dst[w - 1] == '-') w--;
    dst[w] = '\0';
    return dst;
}

void pgemm_textbuf_put(pgemm_textbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n + 1;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}
