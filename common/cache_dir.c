/* SPDX-License-Identifier: BSD-3-Clause */
#define _POSIX_C_SOURCE 200809L
#include "common/cache_dir.h"

#include <stdlib.h>
#include <strings.h>

#include "common/text.h"
#include "common/trust.h"

const char *pgemm_cache_dir(char *buf, size_t cap)
{
    const char *v = getenv("PGEMM_CACHE_DIR");
    if (v) {
        if (!*v || !strcasecmp(v, "off")) return NULL;
        pgemm_text_copy(buf, cap, v);
        return buf;
    }
    v = getenv("XDG_CACHE_HOME");
    if (v && *v == '/') return pgemm_text_format(buf, cap, "%s/pgemm", v);
    v = getenv("HOME");
    if (v && *v == '/') return pgemm_text_format(buf, cap, "%s/.cache/pgemm", v);
    return NULL;
}

const char *pgemm_cache_dir_trusted(char *buf, size_t cap, char *why, size_t why_cap)
{
    const char *dir = pgemm_cache_dir(buf, cap);
    if (!dir) {
        pgemm_text_copy(why, why_cap, "off");
        return NULL;
    }
    return pgemm_dir_trusted(dir, why, why_cap) ? dir : NULL;
}
