/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The backends the core knows: one table (backends.c) of their enum
 * values, names and the order AUTO tries them in. A backend's plugin is
 * libpgemm_<name>.so (loader.c). Parsing and printing a backend's name,
 * checking a pgemm_backend value and AUTO's order all read the table;
 * adding a backend is a row there and a value in pgemm_backend.
 */
#ifndef PGEMM_BACKENDS_H
#define PGEMM_BACKENDS_H

#include <stddef.h>

#include "pgemm.h"

/* How many backends AUTO tries, and the i-th of them (i < that count). */
size_t pgemm_backend_count(void);
pgemm_backend pgemm_backend_at(size_t i);

/* Whether b is PGEMM_BACKEND_AUTO or a backend of the table. */
int pgemm_backend_known(pgemm_backend b);

#endif
