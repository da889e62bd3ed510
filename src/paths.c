/* SPDX-License-Identifier: BSD-3-Clause */
#include "paths.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set by the build (CMakeLists.txt): where the build puts libpgemm.so, the
 * source tree's models, and the models' folder relative to the installed
 * library's folder. */
#ifndef PGEMM_BUILD_LIBRARY_DIR
#error "PGEMM_BUILD_LIBRARY_DIR must be defined by the build"
#endif

int pgemm_library_dir(char *dir, size_t cap)
{
    Dl_info info;
    dir[0] = '\0';
    if (!dladdr((void *)&pgemm_library_dir, &info) || !info.dli_fname) return 0;
    char resolved[PATH_MAX];
    const char *path = realpath(info.dli_fname, resolved) ? resolved : info.dli_fname;
    const char *slash = strrchr(path, '/');
    if (!slash) return 0;
    size_t len = (size_t)(slash - path);
    if (len + 1 > cap) return 0;
    memcpy(dir, path, len);
    dir[len] = '\0';
    return 1;
}

int pgemm_shipped_model_dir(char *dir, size_t cap)
{
    char lib[PATH_MAX], build[PATH_MAX];
    dir[0] = '\0';
    if (!pgemm_library_dir(lib, sizeof lib)) return 0;
    /* Only a library in its own build folder reads the source tree: an
     * installed one never depends on where it was built. */
    int n;
    if (realpath(PGEMM_BUILD_LIBRARY_DIR, build) && !strcmp(build, lib))
        n = snprintf(dir, cap, "%s", PGEMM_SOURCE_MODEL_DIR);
    else {
        /* Named without "..": it appears in the selector's messages. */
        char composed[PATH_MAX + sizeof PGEMM_MODEL_DIR_FROM_LIBRARY], resolved[PATH_MAX];
        snprintf(composed, sizeof composed, "%s/%s", lib, PGEMM_MODEL_DIR_FROM_LIBRARY);
        n = snprintf(dir, cap, "%s", realpath(composed, resolved) ? resolved : composed);
    }
    if (n < 0 || (size_t)n >= cap) {
        dir[0] = '\0';
        return 0;
    }
    return 1;
}
