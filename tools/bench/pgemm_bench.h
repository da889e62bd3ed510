/* SPDX-License-Identifier: BSD-3-Clause */
/* `pgemm bench`, run by the pgemm tool (tools/pgemm): argv[0] is "bench".
 * Returns the exit status: 0, 1 (a kernel wrong or failed, a file not
 * written) or 2 (command line refused). */
#ifndef PGEMM_BENCH_MAIN_H
#define PGEMM_BENCH_MAIN_H

int pgemm_bench_main(int argc, char **argv);

#endif
