/* SPDX-License-Identifier: BSD-3-Clause */
#include "common/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static atomic_int g_level = PGEMM_LOG_QUIET;

void pgemm_log_set_level(int level) { atomic_store(&g_level, level); }
int pgemm_log_level(void) { return atomic_load(&g_level); }

int pgemm_log_parse_level(const char *text)
{
    if (!text || !*text) return -1;
    if (!strcmp(text, "0") || !strcasecmp(text, "off") || !strcasecmp(text, "quiet")) return 0;
    if (!strcmp(text, "1") || !strcasecmp(text, "info") || !strcasecmp(text, "on")) return 1;
    if (!strcmp(text, "2") || !strcasecmp(text, "debug")) return 2;
    return -1;
}

void pgemm_log_line(int level, const char *msg)
{
    if (level > pgemm_log_level()) return;
    fprintf(stderr, "pgemm: %s\n", msg);
}

void pgemm_log(int level, const char *fmt, ...)
{
    if (level > pgemm_log_level()) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pgemm_log_line(level, line);
}
