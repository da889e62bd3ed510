/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a call leaves behind for its caller to read: the error message of a
 * failed call (pgemm_last_error) and what a successful GEMM ran
 * (pgemm_last_call). They are kept per calling thread and per context, so
 * that threads sharing a context never see each other's: a thread that
 * reads right after its own call reads about that call, whatever the other
 * threads do meanwhile.
 *
 * Each thread keeps the records of the last PGEMM_RECORDS_PER_THREAD
 * contexts it called (older ones are reused), in memory freed when the
 * thread exits. Contexts are told apart by a serial number that is never
 * reused, so a new context at a destroyed one's address starts clean.
 */
#ifndef PGEMM_RECORDS_H
#define PGEMM_RECORDS_H

#include <stdint.h>

#include "pgemm.h"

enum { PGEMM_RECORDS_PER_THREAD = 16, PGEMM_ERROR_LEN = 2 * PGEMM_REASON_LEN };

typedef struct pgemm_record {
    uint64_t context;              /* the context's serial; 0: a free slot */
    uint64_t used;                 /* when this thread last used it (for reuse) */
    char error[PGEMM_ERROR_LEN];
    pgemm_call_info call;
    int has_call;
} pgemm_record;

/* A serial number for a new context (never 0, never repeated). */
uint64_t pgemm_record_new_context(void);

/* The calling thread's record for the context with this serial: created
 * (empty) when `create`, else NULL when there is none. NULL also when
 * memory runs out. */
pgemm_record *pgemm_record_find(uint64_t context, int create);

#endif
