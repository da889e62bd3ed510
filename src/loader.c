/* SPDX-License-Identifier: BSD-3-Clause */
#include "loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "elf_check.h"
#include "paths.h"
#include "common/log.h"

static pgemm_status open_plugin(const char *path, pgemm_plugin *out, char *why, size_t cap)
{
    /* A bare file name is the dynamic linker's to find (its own folders). */
    if (strchr(path, '/') && !pgemm_elf_plugin_sound(path, why, cap))
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        pgemm_text_format(why, cap, "cannot open %s: %s", path, e ? e : "unknown error");
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    pgemm_backend_entry_fn entry;
    *(void **)&entry = dlsym(h, PGEMM_BACKEND_ENTRY_SYMBOL);
    if (!entry) {
        pgemm_text_format(why, cap, "%s has no %s symbol: not a pgemm backend", path,
                          PGEMM_BACKEND_ENTRY_SYMBOL);
        dlclose(h);
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    const pgemm_backend_iface *iface = entry();
    if (!iface) {
        pgemm_text_format(why, cap, "%s returned no backend table", path);
        dlclose(h);
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    if (iface->api_version != PGEMM_BACKEND_API_VERSION) {
        pgemm_text_format(why, cap, "%s speaks backend API version %u, this libpgemm needs %u",
                          path, (unsigned)iface->api_version, PGEMM_BACKEND_API_VERSION);
        dlclose(h);
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    out->iface = iface;
    out->dl_handle = h;
    pgemm_text_format(why, cap, "loaded %s", path);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_plugin_load(const char *name, pgemm_plugin *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    char file[64];
    pgemm_text_format(file, sizeof file, "libpgemm_%s.so", name);
    char path[PATH_MAX];

    const char *forced = getenv("PGEMM_PLUGIN_DIR");
    if (forced && *forced) {
        pgemm_text_format(path, sizeof path, "%s/%s", forced, file);
        if (access(path, F_OK) != 0) {
            pgemm_text_format(why, cap, "%s not found (PGEMM_PLUGIN_DIR=%s)", file, forced);
            return PGEMM_ERROR_BACKEND_UNAVAILABLE;
        }
        return open_plugin(path, out, why, cap);
    }

    char dir[PATH_MAX];
    if (pgemm_library_dir(dir, sizeof dir)) {
        const char *subdirs[] = {"", "/pgemm"};
        for (size_t i = 0; i < 2; i++) {
            pgemm_text_format(path, sizeof path, "%s%s/%s", dir, subdirs[i], file);
            if (access(path, F_OK) == 0) return open_plugin(path, out, why, cap);
        }
    }
    /* Last resort: the dynamic linker's own search (LD_LIBRARY_PATH, ld.so.cache). */
    pgemm_status st = open_plugin(file, out, why, cap);
    if (st != PGEMM_SUCCESS)
        pgemm_text_format(why, cap, "%s not found next to libpgemm.so nor on the library path",
                          file);
    return st;
}

void pgemm_plugin_unload(pgemm_plugin *plugin)
{
    /* Plugins stay mapped: a driver loaded by the plugin (OpenCL ICDs, the
     * HIP runtime) may have registered exit handlers that run later. */
    plugin->iface = NULL;
    plugin->dl_handle = NULL;
}
