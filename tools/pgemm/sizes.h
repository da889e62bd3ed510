/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the matrices of a command line need, checked before anything is
 * allocated: a size the library or the device would refuse is refused
 * here, with the reason, instead of after gigabytes were filled on the host.
 */
#ifndef PGEMM_TOOL_SIZES_H
#define PGEMM_TOOL_SIZES_H

#include <stddef.h>

#include "pgemm.h"

/* The library refuses m, n or k above this, and a matrix it reads that
 * spans more elements or has a larger leading dimension (its kernels index
 * with 32-bit integers; docs/API.md, PGEMM_ERROR_UNSUPPORTED). */
#define PGEMM_TOOL_MAX_INDEX ((size_t)2147483647)

typedef struct tool_matrix {
    char name;         /* 'A', 'B', 'C' */
    size_t rows, cols; /* as stored, in the caller's layout */
    size_t ld;         /* leading dimension, at least the stored run (or 1) */
    int col_major;
    size_t elem_size;  /* bytes per element */
    int used;          /* the call reads or writes it */
    size_t elems;      /* out: elements to allocate: what it spans, at least 1 */
} tool_matrix;

/* Sets each matrix's elems (1 for one not used) and checks that none spans
 * more than size_t holds, that a used one is within PGEMM_TOOL_MAX_INDEX,
 * and with info (NULL: not yet known) that each fits the device's largest
 * buffer and all of them its global memory together. Returns 1, or 0 after
 * one line on stderr naming cmd, the matrix and the limit. */
int pgemm_tool_check_matrices(const char *cmd, tool_matrix *mats, size_t count,
                              const pgemm_info *info);

#endif
