/* SPDX-License-Identifier: BSD-3-Clause */
/* Finding and loading backend plugins with dlopen. */
#ifndef PGEMM_LOADER_H
#define PGEMM_LOADER_H

#include <stddef.h>

#include "internal.h"

/*
 * Loads libpgemm_<name>.so. Search order: the folder named by
 * PGEMM_PLUGIN_DIR alone if it is set; otherwise the folder holding
 * libpgemm.so, then its pgemm/ subfolder (the installed layout), then the
 * dynamic linker's search path. A plugin that cannot be opened, lacks the
 * entry symbol, or has another API version is refused; `why` says which.
 */
pgemm_status pgemm_plugin_load(const char *name, pgemm_plugin *out, char *why, size_t why_cap);
void pgemm_plugin_unload(pgemm_plugin *plugin);

#endif
