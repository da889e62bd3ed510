/* SPDX-License-Identifier: BSD-3-Clause */
/* The pgemm command-line tool: one file per command (cmd_*.c), the helpers
 * they share in tool.c, the dispatch in main.c. */
#ifndef PGEMM_TOOL_H
#define PGEMM_TOOL_H

#include "pgemm.h"

int pgemm_cmd_info(int argc, char **argv);
int pgemm_cmd_run(int argc, char **argv);
int pgemm_cmd_tune(int argc, char **argv);
int pgemm_cmd_explain(int argc, char **argv);

/* Exit statuses: a command line refused (unknown option, bad or missing
 * value, a shape beyond the library's or the device's limits) is a usage
 * error, told on one line of stderr before anything is allocated; a failure
 * while running (no device, a library error, a failed check) is a failure. */
enum { PGEMM_TOOL_FAILURE = 1, PGEMM_TOOL_USAGE = 2 };

/* Options shared by commands that open a context:
 * --backend B, --platform P, --device N, --precision fp32|fp16, --log L.
 * Returns 1 if argv[*i] was one of them (consuming its value), 0 if not,
 * -1 on a bad or missing value (message printed, naming cmd). */
int pgemm_tool_context_option(const char *cmd, int argc, char **argv, int *i,
                              pgemm_options *opts);

/* "NN", "NT", "TN" or "TT": sets *ta, *tb (1 = transposed). Returns 1, or 0
 * for anything else. */
int pgemm_tool_parse_trans(const char *v, int *ta, int *tb);

/* The positional M N K of `cmd`: when argument a is one (not an option;
 * "-5" is a size, refused as negative), stores it in *mnk[*pos], advances
 * *pos and returns 1; returns 0 for an option, -1 (message printed) for a
 * fourth size or a bad number. M and N are at least min_mn, each of them at
 * most what the library takes (PGEMM_TOOL_MAX_INDEX). */
int pgemm_tool_shape_arg(const char *cmd, const char *a, int *pos, size_t *const mnk[3],
                         size_t min_mn);

/* Creates a context, printing the reason on failure. */
pgemm_context *pgemm_tool_open(const pgemm_options *opts);
/* The line a command prints when no context could be made. */
void pgemm_tool_no_context(pgemm_status st, const char *why);

#endif
