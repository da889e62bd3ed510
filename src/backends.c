/* SPDX-License-Identifier: BSD-3-Clause */
#include "backends.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "common/text.h"

/* In the order AUTO tries them: HIP first, where a HIP device runs it. */
static const struct {
    pgemm_backend id;
    const char *name; /* also the plugin's: libpgemm_<name>.so */
} k_backends[] = {
    {PGEMM_BACKEND_HIP, "hip"},
    {PGEMM_BACKEND_OPENCL, "opencl"},
};
enum { BACKENDS = sizeof k_backends / sizeof k_backends[0] };

static const char k_auto[] = "auto";

size_t pgemm_backend_count(void) { return BACKENDS; }

pgemm_backend pgemm_backend_at(size_t i)
{
    return i < BACKENDS ? k_backends[i].id : PGEMM_BACKEND_AUTO;
}

int pgemm_backend_known(pgemm_backend b)
{
    if (b == PGEMM_BACKEND_AUTO) return 1;
    for (size_t i = 0; i < BACKENDS; i++)
        if (k_backends[i].id == b) return 1;
    return 0;
}

const char *pgemm_backend_name(pgemm_backend backend)
{
    if (backend == PGEMM_BACKEND_AUTO) return k_auto;
    for (size_t i = 0; i < BACKENDS; i++)
        if (k_backends[i].id == backend) return k_backends[i].name;
    return "unknown";
}

int pgemm_backend_from_name(const char *name, pgemm_backend *out)
{
    if (!name || !out) return 0;
    if (!strcasecmp(name, k_auto)) {
        *out = PGEMM_BACKEND_AUTO;
        return 1;
    }
    for (size_t i = 0; i < BACKENDS; i++) {
        if (!strcasecmp(name, k_backends[i].name)) {
            *out = k_backends[i].id;
            return 1;
        }
    }
    return 0;
}

static char g_names[128];

static void list_names(void)
{
    pgemm_text_copy(g_names, sizeof g_names, k_auto);
    for (size_t i = 0; i < BACKENDS; i++)
        pgemm_text_append(g_names, sizeof g_names, "%s%s", i + 1 == BACKENDS ? " or " : ", ",
                          k_backends[i].name);
}

const char *pgemm_backend_names(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, list_names);
    return g_names;
}
