/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging: off unless PGEMM_LOG (or pgemm_options.log_level) asks for it.
 * Lines go to stderr with a "pgemm: " prefix. */
#ifndef PGEMM_LOG_H
#define PGEMM_LOG_H

enum { PGEMM_LOG_QUIET = 0, PGEMM_LOG_INFO = 1, PGEMM_LOG_DEBUG = 2 };

/* The process-wide level; set from options and PGEMM_LOG at context creation. */
void pgemm_log_set_level(int level);
int pgemm_log_level(void);

/* Parses "0".."2", "off", "info", "debug"; returns -1 if unrecognised. */
int pgemm_log_parse_level(const char *text);

void pgemm_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The plugin callback: already-formatted lines. */
void pgemm_log_line(int level, const char *msg);

#endif
