/* SPDX-License-Identifier: BSD-3-Clause */
/* Matrix sizes, checked before allocation (sizes.h). */
#include "sizes.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int pgemm_tool_check_matrices(const char *cmd, tool_matrix *mats, size_t count,
                              const pgemm_info *info)
{
    size_t total = 0;
    char names[32] = "";
    for (size_t i = 0; i < count; i++) {
        tool_matrix *m = &mats[i];
        char what[128], ldname[4] = {'l', 'd', (char)(m->name + 32), 0};
        snprintf(what, sizeof what, "%c (%zu x %zu, %s %zu)", m->name, m->rows, m->cols, ldname,
                 m->ld);
        size_t run = m->col_major ? m->rows : m->cols, runs = m->col_major ? m->cols : m->rows;
        /* Spanned as the library counts it: ld * (runs - 1) + run, nothing when empty. */
        size_t span = 0, bytes;
        if (run && runs &&
            (__builtin_mul_overflow(m->ld, runs - 1, &span) ||
             __builtin_add_overflow(span, run, &span))) {
            fprintf(stderr, "pgemm %s: %s spans more elements than size_t holds\n", cmd, what);
            return 0;
        }
        if (m->used && span > PGEMM_TOOL_MAX_INDEX) {
            fprintf(stderr,
                    "pgemm %s: %s spans %zu elements; the library indexes at most %zu per "
                    "matrix\n",
                    cmd, what, span, PGEMM_TOOL_MAX_INDEX);
            return 0;
        }
        if (m->used && m->ld > PGEMM_TOOL_MAX_INDEX) {
            fprintf(stderr, "pgemm %s: %s: %s is more than the library indexes (%zu)\n", cmd,
                    what, ldname, PGEMM_TOOL_MAX_INDEX);
            return 0;
        }
        /* One element for a matrix the call never touches: the library takes
         * no empty buffer, and filling what nobody reads costs only time. */
        m->elems = m->used && span ? span : 1;
        if (__builtin_mul_overflow(m->elems, m->elem_size, &bytes)) {
            fprintf(stderr, "pgemm %s: %s needs more bytes than size_t holds\n", cmd, what);
            return 0;
        }
        if (info && info->max_buffer_bytes && bytes > info->max_buffer_bytes) {
            fprintf(stderr,
                    "pgemm %s: %s needs %zu bytes, more than the largest buffer the device "
                    "allows (%llu bytes)\n",
                    cmd, what, bytes, (unsigned long long)info->max_buffer_bytes);
            return 0;
        }
        /* Saturates: the sum only ever meets the device's memory. */
        if (__builtin_add_overflow(total, bytes, &total)) total = SIZE_MAX;
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s%c",
                 i == 0 ? "" : i + 1 == count ? " and " : ", ", m->name);
    }
    if (info && info->global_mem_bytes && total > info->global_mem_bytes) {
        fprintf(stderr,
                "pgemm %s: %s need %zu bytes together, more than the device's global memory "
                "(%llu bytes)\n",
                cmd, names, total, (unsigned long long)info->global_mem_bytes);
        return 0;
    }
    return 1;
}
