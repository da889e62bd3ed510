/* The pgemm command-line tool: one file per command. */
#ifndef PGEMM_TOOL_H
#define PGEMM_TOOL_H

#include "pgemm.h"

int pgemm_cmd_info(int argc, char **argv);
int pgemm_cmd_run(int argc, char **argv);
int pgemm_cmd_tune(int argc, char **argv);
int pgemm_cmd_explain(int argc, char **argv);

/* Options shared by commands that open a context:
 * --backend B, --platform P, --device N, --precision fp32|fp16, --log L.
 * Returns 1 if argv[*i] was one of them (consuming its value), 0 if not,
 * -1 on a bad value (message printed). */
int pgemm_tool_context_option(int argc, char **argv, int *i, pgemm_options *opts);

/* Creates a context, printing the reason on failure. */
pgemm_context *pgemm_tool_open(const pgemm_options *opts);

#endif
